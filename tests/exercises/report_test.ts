import assert from "node:assert/strict";
import fc from "fast-check";
import {
  claimTable,
  errataLines,
  formatValue,
  RENDER_PROBE,
  reportBody,
  summaryTable,
} from "../../lib/exercises/report.ts";
import type { Claim, ClaimValue, ExerciseResult } from "../../lib/exercises/claim.ts";

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
