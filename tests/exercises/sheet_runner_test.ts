/**
 * The runner of sheet claims: each sort of claim (derivative, entry, Jacobian, Hessian, identity,
 * value, experiment, unverifiable) gets the verdict derived from its checks, `computed` is the
 * right formula at the setting's point (an identity's largest gap), an erratum's note carries the
 * diagnosis and the repairing edit, and a claim whose own check breaks is reported, not hidden.
 */
import assert from "node:assert/strict";
import { readSheet, type SheetData } from "../../lib/exercises/sheet_data.ts";
import { checkSheetClaim, runSheetClaims } from "../../lib/exercises/sheet_runner.ts";
import { sheetExercise } from "../../lib/exercises/sheets.ts";
import { experiment } from "../../lib/exercises/vocabulary.ts";
import { CHECK_FAILED } from "../../lib/exercises/claim.ts";

const SHEET: SheetData = readSheet({
  sheet: "900",
  source: "runner test",
  settings: {
    sq: { given: { x: "3" }, f: "sum(x .^ 2)", at: { x: [1, 2, 3] } },
    soft: { given: { z: "4", y: "onehot 4" }, let: { p: "softmax(z)" }, f: "-sum(y .* log(p))" },
    nums: { given: { W: [[1, 2], [3, 4]], v: [[1], [-1]] } },
  },
  claims: [
    {
      exercise: "t",
      claim: "grad",
      question: "1",
      statement: "∇‖x‖² = 2x",
      printed: "2x",
      recorded: "verified",
      setting: "sq",
      check: { d: "x", claim: "2 * x" },
    },
    {
      exercise: "t",
      claim: "grad-half",
      question: "2",
      statement: "∇‖x‖² = 2x",
      printed: "x",
      recorded: "erratum",
      setting: "sq",
      check: { d: "x", claim: "x" },
      correction: "2 * x",
      note: "the 2 of the square is lost",
    },
    {
      exercise: "t",
      claim: "ce-entry",
      question: "3",
      statement: "∂L/∂zᵢ = pᵢ − yᵢ",
      printed: "p_i − y_i",
      recorded: "verified",
      setting: "soft",
      check: { d: "z", entry: "i", claim: "p[i] - y[i]" },
    },
    {
      exercise: "t",
      claim: "softmax-jacobian",
      question: "4",
      statement: "J = diag(p) − ppᵀ",
      printed: "diag(p) − ppᵀ",
      recorded: "verified",
      setting: "soft",
      check: { jacobian: "softmax(z)", d: "z", claim: "diag(p) - p * p'" },
    },
    {
      exercise: "t",
      claim: "ce-hessian",
      question: "5",
      statement: "H = diag(p) − ppᵀ",
      printed: "diag(p) − ppᵀ",
      recorded: "verified",
      setting: "soft",
      check: { hessian: "z", claim: "diag(p) - p * p'" },
    },
    {
      exercise: "t",
      claim: "shift",
      question: "6",
      statement: "softmax(z + 1) = softmax(z)",
      printed: "softmax(z + c) = softmax(z)",
      recorded: "verified",
      setting: "soft",
      check: { identity: "softmax(z + 1)", equals: "softmax(z)" },
    },
    {
      exercise: "t",
      claim: "product",
      question: "7",
      statement: "Wv",
      printed: [[-1], [-1]],
      recorded: "verified",
      setting: "nums",
      check: { value: "W * v", tolerance: 0.05 },
    },
    {
      exercise: "t",
      claim: "product-wrong",
      question: "7",
      statement: "Wᵀv",
      printed: [[-1], [-1]],
      recorded: "erratum",
      setting: "nums",
      check: { value: "W' * v", tolerance: 0.05 },
      correction: "W * v",
    },
    {
      exercise: "t",
      claim: "shown",
      question: "8",
      statement: "the diagonal of the Hessian",
      printed: "diag(p) − ppᵀ",
      recorded: "verified",
      setting: "soft",
      check: { hessian: "z", claim: "diag(p) - p * p'" },
      computed: ["p .* (1 - p)", "sum(p)"],
    },
    {
      exercise: "t",
      claim: "missing",
      question: "9",
      statement: "the output of part b",
      printed: [1, 2],
      recorded: "unverifiable",
      missing: "the input of part b is not in the sheet",
    },
    {
      exercise: "t",
      claim: "run",
      question: "10",
      statement: "training converges",
      printed: null,
      recorded: "extension",
      experiment: true,
    },
  ],
}, "runner test");

const claim = (id: string) => SHEET.claims.find((c) => c.claim === id)!;

Deno.test("a verified derivative: holds, computed at the setting's point, tolerance of the check", () => {
  const o = checkSheetClaim(SHEET, claim("grad"));
  assert.equal(o.holds, true);
  assert.deepEqual(o.computed, [2, 4, 6]);
  assert.equal(o.tolerance, 1e-5);
  assert.match(o.note, /^match: /);
});

Deno.test("an erratum: the sheet's formula fails, the correction holds, the note has the edit", () => {
  const o = checkSheetClaim(SHEET, claim("grad-half"));
  assert.equal(o.holds, false);
  assert.equal(o.corrected, true);
  assert.deepEqual(o.computed, [2, 4, 6], "computed is the corrected formula's");
  assert.match(o.note, /^as printed, x fails \(scaled: /);
  assert.match(o.note, /the edit that repairs it: 2 \* x \(/);
  assert.match(o.note, /corrected, 2 \* x: match: /);
  assert.ok(o.note.endsWith("; the 2 of the square is lost"), o.note);
});

Deno.test("a formula claim carries its formulas and verdicts, for the report, into its claim", () => {
  const o = checkSheetClaim(SHEET, claim("grad-half"));
  const f = o.formulas!;
  assert.deepEqual(f.check, { d: "x", claim: "x" });
  assert.equal(f.f, SHEET.settings!.sq.f);
  assert.equal(f.sheet.ok, false);
  assert.equal(f.sheet.kind, "scaled");
  assert.equal(f.sheet.fix, "2 * x");
  assert.ok(f.sheet.tree && f.sheet.fixTree);
  assert.equal(f.correction!.ok, true);
  assert.equal(f.correction!.parsed, "2 * x");
  assert.equal(f.remark, "the 2 of the square is lost");
  const listed = runSheetClaims([SHEET], "t", {
    run: experiment({ computed: [1, 0.1], holds: true, note: "loss falls" }),
  });
  const byId = new Map(listed.map((c) => [c.claim.claim, c]));
  assert.equal(byId.get("grad-half")!.formulas!.sheet.fix, "2 * x");
  assert.equal(byId.get("grad")!.formulas!.correction, undefined, "a verified claim has none");
  assert.equal(byId.get("run")!.formulas, undefined, "an experiment has no formulas");
  assert.ok(!("formulas" in byId.get("grad")!.claim), "the JSON contract is unchanged");
});

Deno.test("entry, Jacobian and Hessian claims hold; computed has the claim's entries", () => {
  for (const id of ["ce-entry", "softmax-jacobian", "ce-hessian"]) {
    const o = checkSheetClaim(SHEET, claim(id));
    assert.equal(o.holds, true, `${id}: ${o.note}`);
  }
  assert.equal((checkSheetClaim(SHEET, claim("ce-entry")).computed as number[]).length, 4);
  assert.equal((checkSheetClaim(SHEET, claim("softmax-jacobian")).computed as number[]).length, 16);
});

Deno.test("an identity reports its largest gap over the draws as computed", () => {
  const o = checkSheetClaim(SHEET, claim("shift"));
  assert.equal(o.holds, true);
  assert.equal(typeof o.computed, "number");
  assert.ok((o.computed as number) <= 1e-12);
  assert.equal(o.tolerance, 1e-12);
  assert.match(o.note, /largest gap .* over \d+ entries \(3 draws\)/);
});

Deno.test("value claims compare with the printed numbers within their tolerance", () => {
  const right = checkSheetClaim(SHEET, claim("product"));
  assert.equal(right.holds, true);
  assert.deepEqual(right.computed, [-1, -1]);
  assert.equal(right.tolerance, 0.05);
  const wrong = checkSheetClaim(SHEET, claim("product-wrong"));
  assert.equal(wrong.holds, false);
  assert.equal(wrong.corrected, true);
});

Deno.test("listed computed formulas are evaluated at the point", () => {
  const o = checkSheetClaim(SHEET, claim("shown"));
  const [diag, total] = o.computed as [number[], number];
  assert.equal(diag.length, 4);
  assert.ok(Math.abs(total - 1) < 1e-12);
});

Deno.test("the runner derives every verdict and takes experiments from their outcomes", () => {
  const run = experiment({ computed: [1, 0.1], holds: true, note: "loss falls" });
  const claims = runSheetClaims([SHEET], "t", { run });
  const status = Object.fromEntries(claims.map((c) => [c.claim.claim, c.claim.status]));
  assert.deepEqual(status, {
    "grad": "verified",
    "grad-half": "erratum",
    "ce-entry": "verified",
    "softmax-jacobian": "verified",
    "ce-hessian": "verified",
    "shift": "verified",
    "product": "verified",
    "product-wrong": "erratum",
    "shown": "verified",
    "missing": "unverifiable",
    "run": "extension",
  });
  assert.ok(claims.every((c) => c.claim.status === c.recorded));
  const missing = claims.find((c) => c.claim.claim === "missing")!.claim;
  assert.equal(missing.computed, null);
  assert.equal(missing.note, "the input of part b is not in the sheet");
  assert.deepEqual(claims.find((c) => c.claim.claim === "run")!.claim.computed, [1, 0.1]);
});

Deno.test("an experiment without an outcome, or an outcome without a claim, is refused", () => {
  assert.throws(() => runSheetClaims([SHEET], "t"), /lists t\/run as an experiment/);
  const o = experiment({ computed: 1, holds: true, note: "" });
  assert.throws(() => runSheetClaims([SHEET], "t", { run: o, other: o }), /outcomes for other/);
});

Deno.test("a claim whose own check breaks is reported as a failed check, not as a verdict", () => {
  const broken = readSheet({
    sheet: "901",
    source: "broken",
    settings: { s: { given: { x: "3" }, f: "sum(x .^ 2)" } },
    claims: [{
      exercise: "t",
      claim: "typo",
      question: "1",
      statement: "∇‖x‖² = 2x",
      printed: "2x",
      recorded: "verified",
      setting: "s",
      check: { d: "x", claim: "2 * xx" },
    }, {
      exercise: "t",
      claim: "bad-f",
      question: "2",
      statement: "∇‖x‖² = 2x",
      printed: "2x",
      recorded: "verified",
      setting: "s",
      f: "x",
      check: { d: "x", claim: "2 * x" },
    }],
  }, "broken");
  const [typo, badF] = runSheetClaims([broken], "t").map((c) => c.claim);
  assert.equal(typo.status, "unverifiable");
  assert.ok(typo.note.startsWith(`${CHECK_FAILED}: `), typo.note);
  assert.match(typo.note, /xx/);
  assert.equal(badF.status, "unverifiable");
  assert.match(badF.note, /not a scalar/);
});

Deno.test("sheetExercise: asynchronous experiments join runAsync, run() leaves them out", async () => {
  const exercise = sheetExercise({
    id: "t",
    title: "T",
    covers: [],
    experimentsAsync: () =>
      Promise.resolve({
        outcomes: { run: experiment({ computed: [1, 0.1], holds: true, note: "loss falls" }) },
      }),
  }, [SHEET]);
  const sync = exercise.run().claims.map((c) => c.claim.claim);
  assert.ok(sync.includes("grad") && !sync.includes("run"), sync.join());
  const all = (await exercise.runAsync!()).claims;
  assert.deepEqual(all.map((c) => c.claim.claim), [...sync, "run"]);
  assert.equal(all.at(-1)!.claim.status, "extension");
});
