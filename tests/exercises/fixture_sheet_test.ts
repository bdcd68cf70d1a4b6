/**
 * A sheet nobody here wrote goes through the whole pipeline with one registration line: the
 * worked answer sheet `tests/fixtures/sheet_900.json` (five questions, two wrong in different
 * ways) is read and checked as data, and, in a copy of the repository where it is registered by
 * one line of `lib/exercises/sheet_files.ts` and nothing else changes, `deno task ex`, `deno task
 * start` and the report page all pick it up.
 */
import assert from "node:assert/strict";
import { readSheet } from "../../lib/exercises/sheet_data.ts";
import { dataExercises, SHEET_DATA } from "../../lib/exercises/sheets.ts";
import type { Claim } from "../../lib/exercises/claim.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURE = `${ROOT}tests/fixtures/sheet_900.json`;
/** The one line that registers the sheet (README, "Add your own sheet"). */
const REGISTRATION =
  'export { default as sheet_900 } from "../../data/sheets/sheet_900.json" with { type: "json" };\n';

const fixture = readSheet(JSON.parse(await Deno.readTextFile(FIXTURE)), "sheet_900.json");

Deno.test("the fixture sheet is valid data: five questions, one exercise of its own", () => {
  assert.equal(fixture.sheet, "900");
  assert.deepEqual(fixture.claims.map((c) => c.question), ["Q1", "Q2", "Q3", "Q4", "Q5"]);
  assert.deepEqual(fixture.exercises?.map((e) => e.id), ["worked_regression"]);
  assert.equal(fixture.claims.filter((c) => c.recorded === "erratum").length, 2);
});

Deno.test("its claims get their recorded verdicts; the two errata are wrong in different ways", () => {
  const [exercise] = dataExercises([...SHEET_DATA, fixture]);
  assert.equal(exercise.id, "worked_regression");
  assert.deepEqual(exercise.covers, ["900 Q1", "900 Q2", "900 Q3", "900 Q4", "900 Q5"]);
  const claims = exercise.run().claims;
  assert.ok(claims.every((c) => c.claim.status === c.recorded), JSON.stringify(claims, null, 1));
  const note = (id: string) => claims.find((c) => c.claim.claim === id)!.claim.note;
  assert.match(note("q2-logistic-gradient"), /fails \(sign-flipped: /);
  assert.match(note("q2-logistic-gradient"), /the edit that repairs it: X' \* \(p - y\)/);
  assert.match(note("q4-layer-gradient"), /fails \(transposed: /);
  assert.match(note("q4-layer-gradient"), /the edit that repairs it: \(W \* x - y\) \* x'/);
  const value = claims.find((c) => c.claim.claim === "q5-loss-value")!.claim;
  assert.equal(value.computed, 3);
  assert.equal(value.expected, 3);
});

/** A copy of the repository (sources, data, tasks) with the fixture registered by one line. */
async function registeredCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "own-sheet-" });
  const copy = await new Deno.Command("cp", {
    args: ["-r", "deno.json", "deno.lock", "mod.ts", "lib", "cli", "data", dir],
    cwd: ROOT,
  }).output();
  assert.equal(copy.code, 0, new TextDecoder().decode(copy.stderr));
  await Deno.symlink(`${ROOT}node_modules`, `${dir}/node_modules`);
  await Deno.copyFile(FIXTURE, `${dir}/data/sheets/sheet_900.json`);
  const files = `${dir}/lib/exercises/sheet_files.ts`;
  await Deno.writeTextFile(files, (await Deno.readTextFile(files)) + REGISTRATION);
  return dir;
}

async function task(dir: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "registered by one line, the sheet is in ex --json, ex list, start and the report page",
  sanitizeResources: false,
  fn: async () => {
    const dir = await registeredCopy();
    try {
      const all = await task(dir, ["ex", "all", "--json"]);
      assert.equal(all.code, 0, all.stderr);
      const claims = JSON.parse(all.stdout) as Claim[];
      const mine = claims.filter((c) => c.sheet === "900");
      assert.equal(mine.length, 5);
      assert.ok(mine.every((c) => c.exercise === "worked_regression"));
      assert.deepEqual(mine.map((c) => c.status), [
        "verified",
        "erratum",
        "verified",
        "erratum",
        "verified",
      ]);

      const list = await task(dir, ["ex", "list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /worked_regression\s+Worked answers: least squares/);

      const one = await task(dir, ["ex", "worked_regression"]);
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stdout, /900 Q4 \(worked_regression\/q4-layer-gradient\): as printed/);
      assert.match(one.stdout, /5 claims: 3 verified, 2 erratum/);

      const start = await task(dir, ["start"]);
      assert.equal(start.code, 0, start.stderr);
      assert.match(start.stdout, /^900\s+3\s+2\s+0\s+0\s+5\s*$/m);
      assert.match(start.stdout, /- 900 Q2 \(worked_regression\/q2-logistic-gradient\): /);
      const page = await Deno.readTextFile(`${dir}/out/report.html`);
      assert.ok(page.includes("Worked answers: least squares, logistic regression"));
      assert.ok(page.includes("the gradient of ½‖Wx − y‖² in W is (Wx − y)xᵀ, the shape of W"));
      assert.ok(page.includes("∂L/∂W = x(Wx − y)ᵀ"), "what the sheet prints");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
