import assert from "node:assert/strict";
import fc from "fast-check";
import {
  claimTable,
  errataLines,
  formatValue,
  formulaSection,
  formulaSummary,
  formulaSurprises,
  RENDER_PROBE,
  reportBody,
  SHEET_MISTAKES_FILE,
  summaryTable,
} from "../../lib/exercises/report.ts";
import type { Claim, ClaimValue, ExerciseResult } from "../../lib/exercises/claim.ts";
import { checkClaims } from "../../lib/formula/check_claims.ts";

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
  assert.equal((html.match(/<section class="formula-problem">/g) ?? []).length, 2);
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
