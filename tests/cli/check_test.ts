/**
 * `cli/check.ts` as a subprocess: the JSON contract, exit codes 0/1/2, stdin, one-line errors for
 * unusable input, and atomic `--html` pages.
 */
import assert from "node:assert/strict";
import { checkContractProblems } from "../helpers/claim_contract.ts";
import { LATEX_ENV_FLAG, runCli } from "../helpers/run_cli.ts";

const SCRIPT = new URL("../../cli/check.ts", import.meta.url).pathname;
const PROBLEMS = new URL("../../bench/problems/", import.meta.url).pathname;

function run(args: string[], options: { stdin?: string; perms?: string[] } = {}) {
  return runCli(SCRIPT, args, {
    perms: options.perms ?? ["--allow-read", "--allow-write", LATEX_ENV_FLAG],
    stdin: options.stdin,
  });
}

const RIGHT = {
  given: { W: "3x4", x: "4", y: "onehot 3" },
  let: { p: "softmax(W * x)" },
  f: "-sum(y .* log(p))",
  claims: [{ id: "dW", d: "W", claim: "(p - y) * x'" }],
};

Deno.test("check --json prints only the contract array, one object per claim in input order", async () => {
  const { code, stdout, stderr } = await run([`${PROBLEMS}mlp_ten_claims.json`, "--json"]);
  assert.equal(code, 1, stderr);
  const out = JSON.parse(stdout) as Record<string, unknown>[];
  const problem = JSON.parse(await Deno.readTextFile(`${PROBLEMS}mlp_ten_claims.json`));
  assert.deepEqual(out.map((r) => r.id), problem.claims.map((c: { id: string }) => c.id));
  for (const r of out) assert.deepEqual(checkContractProblems(r), [], String(r.id));
  const byId = Object.fromEntries(out.map((r) => [r.id, r]));
  assert.equal(byId["dW2"].ok, true);
  assert.equal(byId["dW2"].kind, "match");
  assert.deepEqual(byId["dW2"].shape, [3, 5]);
  assert.equal(byId["dW2 swapped"].kind, "transposed");
  assert.equal(byId["dW2 swapped"].fix, "(p - y) * h'");
  assert.equal(byId["db2 sign"].kind, "sign-flipped");
  assert.equal(byId["db2 sign"].fix, "p - y");
  assert.equal(byId["dh transposed"].kind, "invalid");
  assert.equal(byId["dh transposed"].shape, null);
  assert.match(byId["dh transposed"].message as string, /did you mean W2'\?/);
});

Deno.test("check exits 0 when every claim holds and reads the problem from stdin with -", async () => {
  const { code, stdout } = await run(["-"], { stdin: JSON.stringify(RIGHT) });
  assert.equal(code, 0);
  assert.match(stdout, /1 of 1 claim holds/);
  assert.match(stdout, /dW {2}HOLDS/);
});

Deno.test("check exits 2 with one line for unusable input, printing nothing on stdout", async () => {
  const cases: [string[], string | undefined, RegExp][] = [
    [["/no/such/file.json"], undefined, /^error: no such file: \/no\/such\/file\.json\n$/],
    [["-"], "{ not json", /^error: stdin: not valid JSON/],
    [
      ["-"],
      JSON.stringify({ ...RIGHT, given: { W: "3x", x: "4", y: "onehot 3" } }),
      /given W: malformed shape "3x"/,
    ],
    [["-"], JSON.stringify({ ...RIGHT, f: "p" }), /f: p is \[3, 1\], not a scalar/],
    [["-"], JSON.stringify({ ...RIGHT, let: { p: "softmax(W * z)" } }), /let p: unknown name z/],
    [
      ["-"],
      JSON.stringify({ ...RIGHT, given: { ...RIGHT.given, y: "onehot 1x1" } }),
      /onehot column needs at least 2 rows/,
    ],
    [["-"], JSON.stringify({ ...RIGHT, f: "sum(log(W))" }), /f: sum\(log\(W\)\) is not finite/],
    [
      ["--frobnicate", "x.json"],
      undefined,
      /^error: unknown option --frobnicate \(see --help\)\n$/,
    ],
    [["--sed", "1", "x.json"], undefined, /^error: unknown option --sed; did you mean --seed\? /],
    [[], undefined, /give one problem file/],
    [["-", "--seed", "abc"], "{}", /--seed must be an integer, got "abc"/],
    [["-", "--seed", "1.5"], "{}", /--seed must be an integer, got "1.5"/],
  ];
  for (const [args, stdin, pattern] of cases) {
    const { code, stdout, stderr } = await run(args, { stdin });
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stdout, "");
    assert.match(stderr, pattern);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/);
  }
});

Deno.test("a bad claim is invalid with its reason while the others are still checked", async () => {
  const problem = {
    ...RIGHT,
    claims: [
      { id: "parse", d: "W", claim: "log(p .* y" },
      { id: "unknown", d: "W", claim: "sofmax(W * x) * x'" },
      { id: "nod", d: "V", claim: "x" },
      ...RIGHT.claims,
    ],
  };
  const { code, stdout } = await run(["-", "--json"], { stdin: JSON.stringify(problem) });
  assert.equal(code, 1);
  const [parse, unknown, nod, good] = JSON.parse(stdout);
  assert.equal(parse.kind, "invalid");
  assert.match(parse.message, /^parse: claim: missing `\)` at column 11$/);
  assert.match(unknown.message, /unknown function sofmax \(did you mean softmax\?\)/);
  assert.match(nod.message, /^nod: d V is not in given$/);
  assert.equal(good.ok, true);
});

Deno.test("--html writes a page with MathML atomically; an unwritable path exits 2 and leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const page = `${dir}/claims.html`;
    const { code } = await run(["-", "--html", page], { stdin: JSON.stringify(RIGHT) });
    assert.equal(code, 0);
    const html = await Deno.readTextFile(page);
    assert.match(html, /<math/);
    assert.match(html, /holds/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["claims.html"]);
    const bad = await run(["-", "--html", `${dir}/missing/claims.html`], {
      stdin: JSON.stringify(RIGHT),
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /folder .*missing does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check --help describes the contract and exits 0", async () => {
  const { code, stdout } = await run(["--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /^usage: deno task check FILE\.json\|-/);
  assert.match(stdout, /--json/);
});

Deno.test("README's example problem prints what README shows", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Check a derivation written as formulas"));
  const problem = section.split("```json\n")[1].split("```")[0];
  const shown = section.split("$ deno task check problem.json\n")[1].split("```")[0];
  const { code, stdout } = await run(["-"], { stdin: problem });
  assert.equal(code, 1);
  const words = (s: string) => s.trim().split(/\s+/).join(" ");
  assert.equal(words(stdout), words(shown));
});
