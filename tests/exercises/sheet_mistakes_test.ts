/**
 * `data/formulas/sheet_mistakes.json`, the sheets' worked mistakes typed as formulas: its shape
 * (an array of problems, each sheet formula beside its correction, ids naming sheet and question),
 * the verdicts (every sheet formula fails for the reason worked out by hand, every correction
 * holds), and `deno task check` on the whole file (an array of problems) as a subprocess.
 */
import assert from "node:assert/strict";
import { LATEX_ENV_FLAG, runCli } from "../helpers/run_cli.ts";
import { checkClaims } from "../../lib/formula/check_claims.ts";
import type { ClaimResult } from "../../lib/formula/check_claims.ts";
import type { ClaimSpec, ProblemSpec } from "../../lib/formula/problem.ts";
import {
  CORRECTED_SUFFIX,
  formulaSurprises,
  SHEET_MISTAKES_FILE,
} from "../../lib/exercises/report.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FILE = `${ROOT}${SHEET_MISTAKES_FILE}`;
const SCRIPT = `${ROOT}cli/check.ts`;
const problems: ProblemSpec[] = JSON.parse(await Deno.readTextFile(FILE));
const claims: ClaimSpec[] = problems.flatMap((p) => p.claims);
const reports = problems.map((p) => checkClaims(p));
const results = new Map<string, ClaimResult>(
  reports.flatMap((r) => r.results).map((r) => [r.id, r]),
);

Deno.test("every problem names its sheet; every sheet formula has its correction beside it", () => {
  assert.ok(problems.length >= 10);
  for (const p of problems) {
    assert.match(p.title ?? "", /^Sheet 00[0-4] /);
    const ids = p.claims.map((c) => c.id);
    for (const id of ids) {
      assert.match(id, /^00[0-4]-[\w.]+/);
      const partner = id.endsWith(CORRECTED_SUFFIX)
        ? id.slice(0, -CORRECTED_SUFFIX.length)
        : `${id}${CORRECTED_SUFFIX}`;
      assert.ok(ids.includes(partner), `${id} has no ${partner} in "${p.title}"`);
    }
  }
  const ids = claims.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, "ids are unique across the file");
  for (const sheet of ["000", "001", "002", "003", "004"]) {
    assert.ok(ids.some((id) => id.startsWith(`${sheet}-`)), sheet);
  }
});

Deno.test("the required mistakes are there: 000 Q2.1 in index form, 001 Q2.Q, 003 eq. 19", () => {
  const byId = new Map(claims.map((c) => [c.id, c]));
  assert.equal(byId.get("000-2.1")?.entry, "i,j");
  assert.equal(byId.get("000-2.1")?.d, "W");
  assert.ok(byId.has("001-Q2.Q") && byId.has("003-eq19"));
  assert.ok(claims.some((c) => (c.claim ?? c.equals ?? c.value ?? "").toString().startsWith("$")));
});

Deno.test("every sheet formula fails and every correction holds", () => {
  assert.deepEqual(formulaSurprises(reports), []);
  const corrections = [...results.values()].filter((r) => r.id.endsWith(CORRECTED_SUFFIX));
  assert.ok(corrections.length >= 15);
  assert.ok(corrections.every((r) => r.kind === "match"), "no kink or other excuse needed");
});

Deno.test("each sheet formula fails for the reason worked out by hand", () => {
  const kind = (id: string) => results.get(id)?.kind;
  const fix = (id: string) => results.get(id)?.fix;
  // Only the true class's row is right: the shared softmax denominator is ignored.
  assert.equal(kind("000-2.1"), "partial");
  assert.equal(results.get("000-2.1")?.wrongEntries, 8);
  assert.equal(kind("004-Q3.b-step"), "partial");
  assert.equal(kind("000-2.1-eq11"), "mismatch");
  assert.equal(kind("000-2.1-eq12"), "mismatch");
  // A minus sign too many, dropped by the fix.
  assert.equal(kind("001-Q1.E-step"), "sign-flipped");
  assert.ok(fix("001-Q1.E-step") && !fix("001-Q1.E-step")!.startsWith("-"));
  // sigma(z) where sigma(-z) belongs.
  assert.equal(fix("001-Q2.D"), "sigmoid(-z)");
  // A sum over the samples that turns the gradient into one number: the fix drops it.
  assert.equal(results.get("001-Q2.E")?.shape?.join("x"), "1x1");
  assert.ok(fix("001-Q2.E") && !fix("001-Q2.E")!.includes("sum"));
  assert.equal(fix("001-Q2.F"), "s - y");
  // The factor between the MSE and CE gradients is 2/n, not 1: the claim is n/2 = 5/2 too big.
  assert.equal(kind("001-Q2.G"), "scaled");
  assert.ok(Math.abs(results.get("001-Q2.G")!.factor! - 2.5) < 1e-6);
  // The sigmoid where the ReLU's derivative belongs; the matrix form cannot even be evaluated.
  assert.equal(kind("001-Q2.Q"), "mismatch");
  assert.equal(kind("001-Q2.R"), "invalid");
  // Ex2's printed numbers are those of the mean over N = 4 samples.
  assert.equal(kind("002-Ex2-loss"), "mismatch");
  assert.equal(kind("002-Ex2-delta"), "scaled");
  // The log of raw scores (negative somewhere), a product whose shapes do not fit, W2 for h.
  assert.equal(kind("003-eq17"), "non-finite");
  assert.equal(kind("003-eq19"), "invalid");
  assert.match(results.get("003-eq19")!.message, /\[1, 5\] times \[1, 5\]/);
  assert.match(results.get("003-eq33")!.message, /shape \[1, 5\] but W2 has shape \[5, 3\]/);
  assert.ok(!results.get("004-Q1-b")!.ok && !results.get("004-Q1-w")!.ok);
  assert.equal(kind("004-Q2.d"), "mismatch");
});

function check(args: string[]) {
  return runCli(SCRIPT, args, { perms: ["--allow-read", "--allow-write", LATEX_ENV_FLAG] });
}

Deno.test("deno task check takes the whole file: every claim in order, exit 1", async () => {
  const json = await check([FILE, "--json"]);
  assert.equal(json.code, 1, json.stderr);
  const out = JSON.parse(json.stdout) as { id: string; ok: boolean }[];
  assert.deepEqual(out.map((r) => r.id), claims.map((c) => c.id));
  assert.deepEqual(out.map((r) => r.ok), claims.map((c) => results.get(c.id)!.ok));
  const text = await check([FILE]);
  assert.equal(text.code, 1);
  for (const p of problems) assert.ok(text.stdout.includes(`${p.title}: `), p.title);
  assert.match(
    text.stdout.trimEnd().split("\n").at(-1)!,
    new RegExp(
      `^${problems.length} problems: ${claims.length / 2} of ${claims.length} claims hold`,
    ),
  );
});

Deno.test("deno task check on an array: one page with every problem, bad entries named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sheet-mistakes-" });
  try {
    const page = `${dir}/page.html`;
    const r = await check([FILE, "--json", "--html", page, "--seed", "7"]);
    assert.equal(r.code, 1, r.stderr);
    const html = await Deno.readTextFile(page);
    assert.equal((html.match(/<div class="claims-report">/g) ?? []).length, problems.length);
    assert.ok((html.match(/<math\b/g) ?? []).length >= claims.length);
    const bad = `${dir}/bad.json`;
    await Deno.writeTextFile(
      bad,
      JSON.stringify([problems[0], { given: { x: "oops" }, claims: [] }]),
    );
    const b = await check([bad]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /^error: .*bad\.json\[1\]: given x: malformed shape "oops"/);
    await Deno.writeTextFile(bad, "[]");
    assert.equal((await check([bad])).code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
