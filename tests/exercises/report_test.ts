import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cardId,
  claimCard,
  claimTable,
  compareQuestions,
  errataCards,
  errataLines,
  formatValue,
  formulaSection,
  formulaSummary,
  formulaSurprises,
  inSheetOrder,
  lhsLatex,
  markedLatex,
  RENDER_PROBE,
  reportBody,
  RIGHT_MARK,
  SHEET_MISTAKES_FILE,
  sheetView,
  STATUS_COLOURS,
  summaryTable,
  WRONG_MARK,
} from "../../lib/exercises/report.ts";
import type { CheckedClaim, Claim, ClaimValue, ExerciseResult } from "../../lib/exercises/claim.ts";
import { checkClaims } from "../../lib/formula/check_claims.ts";
import { readSheet } from "../../lib/exercises/sheet_data.ts";
import { runSheetClaims } from "../../lib/exercises/sheet_runner.ts";

function claim(status: Claim["status"], sheet: string, id: string): Claim {
  return {
    exercise: "demo",
    claim: id,
    sheet,
    question: "Q1",
    statement: `statement <${id}>`,
    expected: "a formula",
    computed: [1 / 3, 2],
    tolerance: null,
    status,
    note: `note of ${id}`,
  };
}

const claims = [
  claim("verified", "000", "a"),
  claim("erratum", "000", "b"),
  claim("erratum", "003", "c"),
  claim("extension", "000", "d"),
];

Deno.test("formatValue: integers plain, floats to 6 digits, arrays bracketed, null as a dash", () => {
  assert.equal(formatValue(3), "3");
  assert.equal(formatValue(1 / 3), "0.333333");
  assert.equal(formatValue([[1, 0.5], [2]]), "[[1, 0.5], [2]]");
  assert.equal(formatValue(null), "—");
  assert.equal(formatValue("σ'(x)"), "σ'(x)");
});

Deno.test("property: formatValue never throws on claim values", () => {
  const leaf = fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 4 })),
  })).v as fc.Arbitrary<ClaimValue>;
  fc.assert(fc.property(value, (v) => typeof formatValue(v) === "string"));
});

Deno.test("claimTable cuts long cells in terminals and keeps notes on request", () => {
  const long = { ...claims[0], statement: "x".repeat(100) };
  const t = claimTable([long], { maxCell: 10 });
  assert.equal(t.rows[0][3], `${"x".repeat(9)}…`);
  assert.equal(t.headers.length, 7);
  assert.equal(claimTable([long], { notes: true }).rows[0][7], "note of a");
});

Deno.test("summaryTable counts per sheet and in total", () => {
  const t = summaryTable(claims);
  assert.deepEqual(t.headers, [
    "sheet",
    "verified",
    "erratum",
    "unverifiable",
    "extension",
    "total",
  ]);
  assert.deepEqual(t.rows[0], ["000", "1", "1", "0", "1", "3"]);
  assert.deepEqual(t.rows[3], ["003", "0", "1", "0", "0", "1"]);
  assert.deepEqual(t.rows[t.rows.length - 1], ["all", "1", "2", "0", "1", "4"]);
});

Deno.test("errataLines lists only errata with sheet, question and note", () => {
  assert.deepEqual(errataLines(claims), [
    "000 Q1 (demo/b): note of b",
    "003 Q1 (demo/c): note of c",
  ]);
});

Deno.test("reportBody: escaped text, colored statuses, one div per figure, the probe first", () => {
  const result: ExerciseResult = {
    id: "demo",
    title: "Demo <b>",
    claims: claims.map((c) => ({ claim: c, recorded: c.status })),
    figures: [{ data: [{ type: "scatter", x: [1], y: [2] }] }, { data: [] }],
  };
  const html = reportBody([result]);
  assert.ok(html.startsWith(RENDER_PROBE));
  assert.ok(html.includes("statement &lt;a&gt;") && !html.includes("statement <a>"));
  assert.ok(html.includes("Demo &lt;b&gt;"));
  assert.ok(html.includes('<td class="erratum">erratum</td>'));
  assert.equal((html.match(/data-figure /g) ?? []).length, 2);
  assert.ok(html.includes('id="fig-demo-0"') && html.includes('id="fig-demo-1"'));
});

/** A sheet formula that fails, its correction, and a "sheet formula" that (surprisingly) holds. */
const formulaReport = checkClaims({
  title: "Demo <sheet>",
  given: { x: "3" },
  f: "sum(x^2) / 2",
  claims: [
    { id: "s-1", d: "x", claim: "2 * x" },
    { id: "s-1-corrected", d: "x", claim: "x" },
    { id: "s-2", d: "x", claim: "x" },
  ],
});

Deno.test("formulaSurprises names a correction that fails or a sheet formula that holds", () => {
  assert.deepEqual(formulaSurprises([formulaReport]).map((s) => [s.id, s.expected]), [
    ["s-2", "fails"],
  ]);
  const broken = checkClaims({
    given: { x: "3" },
    f: "sum(x^2) / 2",
    claims: [{ id: "q-corrected", d: "x", claim: "-x" }],
  });
  const [s] = formulaSurprises([broken]);
  assert.equal(s.id, "q-corrected");
  assert.equal(s.expected, "holds");
  assert.equal(s.kind, "sign-flipped");
});

Deno.test("formulaSummary counts failing sheet formulas, fixes and holding corrections", () => {
  assert.equal(
    formulaSummary([formulaReport]),
    "1 of 2 sheet formulas fail (1 with a verified one-edit fix), 1 of 1 corrections hold",
  );
});

Deno.test("formulaSection: heading, the data file, the summary, each report's rendered HTML", () => {
  const html = formulaSection([formulaReport, formulaReport]);
  assert.ok(html.startsWith('<h2 id="formulas">Derivations checked as formulas</h2>'));
  assert.ok(html.includes(SHEET_MISTAKES_FILE));
  assert.ok(html.includes(formulaSummary([formulaReport, formulaReport])));
  assert.equal(html.split(formulaReport.html()).length - 1, 2);
  assert.equal((html.match(/<section class="formula-problem" id="formula-s-1">/g) ?? []).length, 2);
  assert.ok(html.includes("Demo &lt;sheet&gt;") && !html.includes("Demo <sheet>"));
});

Deno.test("reportBody shows the formula section last and links it from the errata", () => {
  const result: ExerciseResult = {
    id: "demo",
    title: "Demo",
    claims: claims.map((c) => ({ claim: c, recorded: c.status })),
    figures: [],
  };
  const without = reportBody([result]);
  assert.ok(!without.includes('id="formulas"') && !without.includes('href="#formulas"'));
  const html = reportBody([result], { formulas: [formulaReport] });
  assert.ok(html.startsWith(RENDER_PROBE));
  assert.ok(html.endsWith(formulaSection([formulaReport])));
  assert.ok(html.indexOf('href="#formulas"') < html.indexOf('id="ex-demo"'));
});

Deno.test("compareQuestions: each sheet's labels in the order the sheet asks them", () => {
  const sorted = (labels: string[]) => [...labels].sort(compareQuestions);
  assert.deepEqual(
    sorted(["1a", "2.1", "2.2", "5a", "5b", "5c", "6", "9a", "3", "4", "7", "8"]),
    ["1a", "2.1", "2.2", "3", "4", "5a", "5b", "5c", "6", "7", "8", "9a"],
  );
  assert.deepEqual(
    sorted(["Q2.C", "Q1.M", "Q2.A", "Q10.A", "Q3.a", "Q2.R", "Q1.A", "Q2.J", "Q1"]),
    ["Q1", "Q1.A", "Q1.M", "Q2.A", "Q2.C", "Q2.J", "Q2.R", "Q3.a", "Q10.A"],
  );
  assert.deepEqual(sorted(["Ex10", "Ex2", "Ex1", "Ex4"]), ["Ex1", "Ex2", "Ex4", "Ex10"]);
  assert.deepEqual(
    sorted(["2.1a", "1.1a", "2.2b", "2.3c", "2.4d", "2.5g", "2.10"]),
    ["1.1a", "2.1a", "2.2b", "2.3c", "2.4d", "2.5g", "2.10"],
  );
  assert.deepEqual(sorted(["Q3.b", "Q7.a", "Q2.d", "Q1", "Q2.a", "Q5"]), [
    "Q1",
    "Q2.a",
    "Q2.d",
    "Q3.b",
    "Q5",
    "Q7.a",
  ]);
  assert.deepEqual(sorted(["§9", "§3", "5c", "2.1"]), ["2.1", "§3", "5c", "§9"], "§ is ignored");
  assert.equal(compareQuestions("Q2.d", "Q2.D"), 0, "letters without regard to case");
});

Deno.test("property: compareQuestions is a consistent order", () => {
  const label = fc.stringMatching(/^(Q|Ex|§)?[0-9]{1,2}(\.[0-9A-Za-z]{1,2})?[a-d]?$/);
  fc.assert(fc.property(label, label, label, (a, b, c) => {
    assert.equal(Math.sign(compareQuestions(a, b)), -Math.sign(compareQuestions(b, a)) || 0);
    if (compareQuestions(a, b) <= 0 && compareQuestions(b, c) <= 0) {
      assert.ok(compareQuestions(a, c) <= 0, `${a} ${b} ${c}`);
    }
  }));
});

Deno.test("inSheetOrder: by sheet, then question order; equal labels keep their order", () => {
  const make = (sheet: string, question: string, id: string): CheckedClaim => ({
    claim: { ...claim("verified", sheet, id), question },
    recorded: "verified",
  });
  const order = inSheetOrder([
    make("001", "Q2.A", "a"),
    make("000", "5c", "b"),
    make("001", "Q1.E", "c"),
    make("001", "Q1.E", "d"),
    make("000", "2.1", "e"),
    make("001", "Q10.A", "f"),
  ]).map((c) => c.claim.claim);
  assert.deepEqual(order, ["e", "b", "c", "d", "a", "f"]);
});

/** A small sheet, as data: an erratum with a one-edit fix, a verified gradient, an identity. */
const SHEET = readSheet({
  sheet: "900",
  source: "report test",
  settings: {
    sq: { given: { x: "3", y: "3" }, f: "sum((x - y) .^ 2) / 2", at: { x: [1, 2, 3] } },
  },
  claims: [
    {
      exercise: "t",
      claim: "sign",
      question: "Q2",
      statement: "the gradient of ½‖x − y‖²",
      printed: "∇ = y − x",
      recorded: "erratum",
      setting: "sq",
      check: { d: "x", claim: "y - x" },
      correction: "x - y",
      note: "a subtraction the wrong way round",
    },
    {
      exercise: "t",
      claim: "entry",
      question: "Q1",
      statement: "one entry of the gradient",
      printed: "∂/∂x_i = x_i − y_i",
      recorded: "verified",
      setting: "sq",
      check: { d: "x", entry: "i", claim: "x[i] - y[i]" },
    },
  ],
}, "report test");
const sheetClaims = runSheetClaims([SHEET], "t");
const signClaim = sheetClaims.find((c) => c.claim.claim === "sign")!;

Deno.test("lhsLatex: what a formula claim's formula equals", () => {
  assert.equal(lhsLatex({ d: "w" }), "\\frac{\\partial f}{\\partial w}");
  assert.equal(lhsLatex({ d: "W", entry: "i,j" }), "\\frac{\\partial f}{\\partial W_{ij}}");
  assert.equal(
    lhsLatex({ jacobian: "s", d: "x", entry: "i,j" }),
    "\\frac{\\partial s_{i}}{\\partial x_{j}}",
  );
  assert.equal(lhsLatex({ hessian: "w" }), "\\nabla^{2}_{w} f");
  assert.equal(
    lhsLatex({ identity: "log(sigmoid(x))" }),
    "\\log\\left(\\sigma\\left(x\\right)\\right)",
  );
  assert.equal(lhsLatex({ value: "x' * y" }), undefined);
});

Deno.test("markedLatex: the wrong subterm red in the sheet's formula, its replacement green", () => {
  const m = markedLatex(signClaim.formulas!);
  assert.equal(m.lhs, "\\frac{\\partial f}{\\partial x}");
  assert.equal(m.sheet, `\\textcolor{${WRONG_MARK}}{y - x}`);
  assert.equal(m.fixIsCorrection, true);
  assert.equal(m.correction, `\\textcolor{${RIGHT_MARK}}{x - y}`);
  assert.ok(m.marked);
  const verified = sheetClaims.find((c) => c.claim.claim === "entry")!;
  const v = markedLatex(verified.formulas!);
  assert.equal(v.sheet, "x_{i} - y_{i}");
  assert.equal(v.correction, undefined);
  assert.ok(!v.marked);
});

Deno.test("claimCard: a formula erratum marked: two rendered formulas, the edit, folded evidence", () => {
  const html = claimCard(signClaim, {
    id: "card-1",
    figures: [{ id: "fig-t-0", title: "a <figure>" }],
  });
  assert.ok(html.startsWith('<article class="mark" id="card-1" data-status="erratum"'));
  assert.match(
    html,
    new RegExp(
      `<span class="mark-verdict" data-status="erratum" style="color:${STATUS_COLOURS.erratum}">✗ erratum</span>`,
    ),
  );
  const sides = html.slice(html.indexOf('<div class="mark-sides">'), html.indexOf("<details"));
  assert.equal(
    (sides.match(/<math\b/g) ?? []).length,
    2,
    "the sheet's formula and the correct one",
  );
  assert.match(sides, new RegExp(`<mstyle mathcolor="${WRONG_MARK}">`));
  assert.match(sides, new RegExp(`<mstyle mathcolor="${RIGHT_MARK}">`));
  assert.match(html, /<b>The repairing edit:<\/b>/);
  const evidence = html.slice(html.indexOf('<details class="mark-evidence">'));
  assert.match(evidence, /<dt>as printed<\/dt><dd><span class="mark-check" style="color:#cf222e/);
  assert.match(evidence, /<dt>corrected<\/dt><dd><span class="mark-check" style="color:#1a7f37/);
  assert.match(evidence, /<dt>remark<\/dt><dd>a subtraction the wrong way round<\/dd>/);
  assert.ok(evidence.includes('<a href="#fig-t-0">a &lt;figure&gt;</a>'));
  assert.ok(html.includes("as printed: ∇ = y − x"), "the sheet's text under its formula");
});

Deno.test("claimCard: a claim stated in code shows the sheet's value beside the computed one", () => {
  const c: CheckedClaim = { claim: claims[1], recorded: "erratum" };
  const html = claimCard(c, { id: "x", formulas: [{ id: "000-Q1", anchor: "formula-000-Q1" }] });
  assert.ok(!html.includes("<math"));
  assert.match(
    html,
    /the sheet says<\/div><div class="mark-content"><span class="mark-value">a formula</,
  );
  assert.match(
    html,
    /computed<\/div><div class="mark-content"><span class="mark-value">\[0\.333333, 2\]/,
  );
  assert.match(html, /<p class="mark-why">note of b<\/p>/);
  assert.ok(html.includes('<a href="#formula-000-Q1"><code>000-Q1</code></a>'));
});

Deno.test("sheetView and errataCards: every claim once per view, in sheet order, errata linked", () => {
  const result: ExerciseResult = { id: "t", title: "T", claims: sheetClaims, figures: [] };
  const view = sheetView([result]);
  assert.match(view, /<section class="sheet" id="sheet-900"><h3>Sheet 900<\/h3>/);
  const ids = [...view.matchAll(/<article class="mark" id="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids, ["claim-t-entry", "claim-t-sign"], "Q1 before Q2");
  const errata = errataCards([result]);
  assert.deepEqual([...errata.matchAll(/<article class="mark" id="([^"]+)"/g)].map((m) => m[1]), [
    "erratum-t-sign",
  ]);
  assert.ok(errata.includes(`href="#${cardId(signClaim.claim)}"`));
});

Deno.test("reportBody: contents, errata marked, the sheet view and the topic view", () => {
  const result: ExerciseResult = { id: "t", title: "T", claims: sheetClaims, figures: [] };
  const html = reportBody([result], { formulas: [formulaReport] });
  const at = (s: string) => {
    const i = html.indexOf(s);
    assert.ok(i >= 0, s);
    return i;
  };
  assert.ok(at('<nav class="toc">') < at('<h2 id="errata">'));
  assert.ok(at('<h2 id="errata">') < at('id="erratum-t-sign"'));
  assert.ok(at('id="erratum-t-sign"') < at('<h2 id="by-sheet">'));
  assert.ok(at('<h2 id="by-sheet">') < at('id="sheet-900"'));
  assert.ok(at('id="sheet-900"') < at('<h2 id="by-topic">'));
  assert.ok(at('<h2 id="by-topic">') < at('<h3 id="ex-t">'));
  assert.ok(at('<h3 id="ex-t">') < at('<h2 id="formulas">'));
  assert.ok(html.includes('<section class="formula-problem" id="formula-s-1">'));
});
