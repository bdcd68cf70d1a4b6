/**
 * `cli/ex.ts` as a subprocess: the JSON contract, the table, `list`, exit codes, suggestions for
 * unknown ids, and atomic `--html` writes.
 */
import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { contractProblems } from "../helpers/claim_contract.ts";

const SCRIPT = new URL("../../cli/ex.ts", import.meta.url).pathname;

function run(args: string[], perms: string[] = ["--allow-read"]) {
  return runCli(SCRIPT, args, { perms });
}

Deno.test("ex all --json prints only a JSON array of claims obeying the contract", async () => {
  const { code, stdout, stderr } = await run(["all", "--json"]);
  assert.equal(code, 0, stderr);
  const claims = JSON.parse(stdout) as Record<string, unknown>[];
  assert.ok(Array.isArray(claims) && claims.length >= 100, `${claims.length} claims`);
  for (const c of claims) assert.deepEqual(contractProblems(c), [], `${c.exercise}/${c.claim}`);
  for (const sheet of ["000", "001", "002", "003", "004"]) {
    assert.ok(claims.some((c) => c.sheet === sheet && c.status === "erratum"), sheet);
  }
  const ex2 = claims.find((c) => c.claim === "ex2-new-loss")!;
  assert.ok(Math.abs((ex2.computed as number) - 0.4657) <= (ex2.tolerance as number));
  assert.equal(ex2.tolerance, 0.5e-4);
  assert.equal(ex2.expected, 0.4657);
});

Deno.test("ex <id> prints a table row per claim, the errata and a status count", async () => {
  const { code, stdout } = await run(["conv", "batch_backprop"]);
  assert.equal(code, 0);
  const lines = stdout.split("\n");
  assert.ok(lines[0].startsWith("exercise"));
  assert.ok(lines.some((l) => l.startsWith("conv ") && l.includes("5c") && l.includes("verified")));
  assert.ok(lines.some((l) => l.startsWith("batch_backprop ") && l.includes("erratum")));
  assert.ok(!lines.some((l) => l.startsWith("softmax ")));
  assert.match(stdout, /Errata \(1\):\n- 002 Ex2/);
  assert.match(stdout, /\n30 claims: 26 verified, 1 erratum, 3 unverifiable, 0 extension\n/);
});

Deno.test("ex list shows every exercise with its coverage and counts", async () => {
  const { code, stdout } = await run(["list"]);
  assert.equal(code, 0);
  for (const id of ["activations", "softmax", "mlp", "conv", "batch_backprop", "extensions"]) {
    assert.ok(stdout.split("\n").some((l) => l.startsWith(`${id} `)), id);
  }
  assert.match(stdout, /002 Ex1, 002 Ex2, 002 Ex3/);
});

Deno.test("an unknown id exits 2 with the closest ids and prints nothing on stdout", async () => {
  const { code, stdout, stderr } = await run(["cnov"]);
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.equal(stderr.trim().split("\n").length, 1);
  assert.match(stderr, /unknown exercise "cnov"; closest: conv/);
});

Deno.test("usage errors exit 2: no arguments, all with ids, unknown flag, --html without file", async () => {
  for (const args of [[], ["all", "conv"], ["all", "--bogus"], ["conv", "--html"]]) {
    const { code, stderr } = await run(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, /^error: /);
  }
});

Deno.test("--html into a missing folder fails in one line and leaves no file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const target = `${dir}/missing/page.html`;
    const { code, stderr } = await run(["conv", "--html", target], [
      "--allow-read",
      "--allow-write",
    ]);
    assert.equal(code, 1);
    assert.equal(stderr.trim().split("\n").length, 1);
    assert.match(stderr, /folder .*missing does not exist/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--html writes one standalone page with every figure and no leftover temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const target = `${dir}/conv.html`;
    const { code, stdout } = await run(
      ["conv", "--html", target, "--json"],
      ["--allow-read", "--allow-write"],
    );
    assert.equal(code, 0);
    assert.ok(Array.isArray(JSON.parse(stdout)), "--json keeps stdout pure JSON");
    const html = await Deno.readTextFile(target);
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.equal((html.match(/data-figure /g) ?? []).length, 2);
    assert.ok(!/<script[^>]+src=/.test(html), "no external scripts");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["conv.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
