/**
 * The sheet format: every registered sheet file validates, and a bad file is refused with one
 * line per bad entry that names the entry (its index and `exercise/claim`) and what is wrong.
 */
import assert from "node:assert/strict";
import { readSheet, SheetError } from "../../lib/exercises/sheet_data.ts";
import { SHEET_DATA } from "../../lib/exercises/sheets.ts";

/** A small valid sheet to break one entry at a time. */
function sheet(): Record<string, unknown> {
  return {
    sheet: "900",
    source: "mine.txt",
    settings: {
      sq: { given: { x: "3" }, f: "sum(x .^ 2)", at: { x: [1, 2, 3] } },
    },
    claims: [
      {
        exercise: "mine",
        claim: "grad",
        question: "1",
        statement: "the gradient of ‖x‖² is 2x",
        printed: "∇‖x‖² = 2x",
        recorded: "verified",
        setting: "sq",
        check: { d: "x", claim: "2 * x" },
      },
      {
        exercise: "mine",
        claim: "measured",
        question: "2",
        statement: "a training run",
        printed: null,
        recorded: "extension",
        experiment: true,
      },
    ],
  };
}

function problemsOf(raw: unknown): string[] {
  try {
    readSheet(raw, "mine.json");
  } catch (e) {
    assert.ok(e instanceof SheetError, String(e));
    assert.ok(e.message.startsWith("mine.json: "), e.message);
    return e.problems;
  }
  return [];
}

function withClaim(k: number, patch: Record<string, unknown>, drop: string[] = []) {
  const s = sheet();
  const claims = s.claims as Record<string, unknown>[];
  const c = { ...claims[k], ...patch };
  for (const d of drop) delete c[d];
  claims[k] = c;
  return s;
}

Deno.test("every registered sheet file validates and has its own prefix", () => {
  assert.deepEqual(SHEET_DATA.map((s) => s.sheet), ["000", "001", "002", "003", "004"]);
  for (const s of SHEET_DATA) assert.match(s.source, new RegExp(`^seeds/${s.sheet}_`));
});

Deno.test("a valid sheet reads back typed", () => {
  const s = readSheet(sheet(), "mine.json");
  assert.equal(s.sheet, "900");
  assert.equal(s.claims.length, 2);
  assert.deepEqual(problemsOf(sheet()), []);
});

Deno.test("each bad entry gets one line naming it and what is wrong", () => {
  const cases: [unknown, string][] = [
    [{ ...sheet(), sheet: "9" }, 'sheet: a sheet is named by three digits, e.g. "001"'],
    [{ ...sheet(), pages: 3 }, "sheet: Unrecognized key"],
    [withClaim(0, { recorded: "right" }), "claims[0] (mine/grad): recorded: Invalid option"],
    [withClaim(0, { colour: 1 }), "claims[0] (mine/grad): Unrecognized key"],
    [withClaim(0, {}, ["statement"]), "claims[0] (mine/grad): statement: Invalid input"],
    [withClaim(0, { setting: "cube" }), 'claims[0] (mine/grad): setting "cube" is not in settings'],
    [withClaim(0, {}, ["setting"]), "claims[0] (mine/grad): a formula claim names its setting"],
    [
      withClaim(0, { check: { claim: "2 * x" } }),
      "claims[0] (mine/grad): check: say what is claimed",
    ],
    [
      withClaim(0, { recorded: "erratum" }),
      "claims[0] (mine/grad): an erratum gives the correction",
    ],
    [
      withClaim(0, { correction: "x" }),
      "claims[0] (mine/grad): a verified claim has no correction",
    ],
    [
      withClaim(0, {}, ["check"]),
      "claims[0] (mine/grad): say how the claim is checked: check (a formula) or experiment: true",
    ],
    [
      withClaim(0, { experiment: true }),
      "claims[0] (mine/grad): give check or experiment, not both",
    ],
    [
      withClaim(1, { recorded: "unverifiable" }, ["experiment"]),
      "claims[1] (mine/measured): an unverifiable claim says what is missing",
    ],
    [
      withClaim(1, { setting: "sq" }),
      "claims[1] (mine/measured): setting belongs to formula claims, not to experiments",
    ],
    [
      withClaim(1, { claim: "grad" }),
      "claims[1] (mine/grad): the id mine/grad is used twice",
    ],
    [
      withClaim(0, { check: { value: "sum(x)" } }),
      "claims[0] (mine/grad): a value claim needs numbers",
    ],
    [
      { ...sheet(), settings: { sq: { given: { x: "3" }, at: { y: [1] } } } },
      "settings.sq.at.y: y is not in given",
    ],
    [
      { ...sheet(), exercises: [{ id: "other", title: "Other" }] },
      "exercises[0]: other has no claims",
    ],
  ];
  for (const [raw, expected] of cases) {
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1, `${expected}: ${problems.join(" | ")}`);
    assert.ok(problems[0].startsWith(expected), `${problems[0]}\n  expected ${expected}`);
  }
});

Deno.test("several bad entries are all listed, one line each", () => {
  const s = sheet();
  const claims = s.claims as Record<string, unknown>[];
  claims[0] = { ...claims[0], setting: "nope" };
  claims[1] = { ...claims[1], recorded: "maybe" };
  const problems = problemsOf(s);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /^claims\[0\] \(mine\/grad\)/);
  assert.match(problems[1], /^claims\[1\] \(mine\/measured\)/);
});
