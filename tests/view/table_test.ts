import assert from "node:assert/strict";
import { JUPYTER_DISPLAY } from "../../lib/view/display.ts";
import { claimsTable } from "../../lib/view/claims.ts";
import type { ExerciseResult } from "../../lib/exercises/claim.ts";
import {
  displayTable,
  escapeHtml,
  htmlTable,
  isNumberCell,
  tableOf,
  textTable,
} from "../../lib/view/table.ts";

Deno.test("textTable aligns columns under a rule", () => {
  const t = textTable({ caption: "c", headers: ["a", "long"], rows: [["xyz", "1"], ["", "22"]] });
  assert.equal(t, "c\na    long\n---  ----\nxyz  1\n     22");
});

Deno.test("htmlTable escapes cells", () => {
  const html = htmlTable({ headers: ["<h>"], rows: [["a&b"]] });
  assert.ok(
    html.endsWith(
      "<table><thead><tr><th>&lt;h&gt;</th></tr></thead><tbody><tr><td>a&amp;b</td></tr></tbody></table></div>",
    ),
    html,
  );
  assert.equal(escapeHtml(`"'`), "&quot;&#39;");
});

Deno.test("htmlTable aligns text left and number columns right", () => {
  const html = htmlTable({
    headers: ["name", "value", "mixed"],
    rows: [["a", "1.5e-7", "2"], ["b", "−3", "n/a"], ["c", "", "4"]],
  });
  assert.match(html, /^<div class="dlm-table dlm-r2"><style>/);
  assert.match(html, /\.dlm-table table td,\.dlm-table table th\{text-align:left\}/);
  assert.match(
    html,
    /\.dlm-r2 table td:nth-child\(2\),\.dlm-r2 table th:nth-child\(2\)\{text-align:right\}/,
  );
  assert.ok(!html.includes("dlm-r3"), "a column with text in it stays left-aligned");
  const given = htmlTable({
    headers: ["sheet", "n"],
    rows: [["000", "1"]],
    align: ["left", "right"],
  });
  assert.match(given, /^<div class="dlm-table dlm-r2"><style>/, "align overrides the guess");
  for (const n of ["0", "-1.25", "1e-300", "12 %", "1,000", "NaN", "−∞", ".5"]) {
    assert.ok(isNumberCell(n), n);
  }
  for (const t of ["", "x1", "1.2.3", "ok", "3 / 5", "1e"]) assert.ok(!isNumberCell(t), t);
});

Deno.test("htmlTable colours verdict cells", () => {
  const html = htmlTable({
    headers: ["claim", "status"],
    rows: [["a", "verified"], ["b", "erratum"], ["c", "unverifiable"], ["d", "extension"]],
  });
  for (const s of ["verified", "erratum", "unverifiable", "extension"]) {
    assert.ok(html.includes(`<td class="${s}">${s}</td>`), s);
    assert.match(html, new RegExp(`\\.dlm-table table td\\.${s}\\{color:#`));
  }
  assert.ok(htmlTable({ headers: ["s"], rows: [["verified!"]] }).includes("<td>verified!</td>"));
});

Deno.test("tableOf writes numbers to 6 significant digits (or as told) and renders itself", () => {
  const bundle = tableOf("c", ["x", "v"], [["third", 1 / 3], ["big", 123456789]])
    [JUPYTER_DISPLAY]();
  assert.equal(
    bundle["text/plain"],
    "c\nx      v\n-----  ---------\nthird  0.333333\nbig    123457000",
  );
  assert.ok(String(bundle["text/html"]).includes("<td>0.333333</td>"));
  const four = tableOf("c", ["v"], [[Math.PI]], { digits: 4, align: ["left"] })[JUPYTER_DISPLAY]();
  assert.ok(String(four["text/plain"]).endsWith("3.142"));
  assert.ok(!String(four["text/html"]).includes("dlm-r1"), "told to align left");
  const same = displayTable({ headers: ["a"], rows: [["1"]] })[JUPYTER_DISPLAY]();
  assert.equal(same["text/plain"], textTable({ headers: ["a"], rows: [["1"]] }));
});

Deno.test("claimsTable keeps the claims of the questions asked, in order, left-aligned", () => {
  const claim = (question: string, status: "verified" | "erratum") => ({
    claim: {
      exercise: "demo",
      claim: question,
      sheet: "001",
      question,
      statement: `statement ${question}`,
      expected: 1,
      computed: 1,
      tolerance: null,
      status,
      note: "",
    },
    recorded: status,
  });
  const result: ExerciseResult = {
    id: "demo",
    title: "Demo",
    claims: [claim("Q1.A", "verified"), claim("Q2.A", "erratum"), claim("Q1.B", "verified")],
    figures: [],
  };
  const text = String(claimsTable(result, ["001 Q1"])[JUPYTER_DISPLAY]()["text/plain"]);
  assert.deepEqual(text.split("\n").slice(3).map((l) => l.split(/ +/)[1]), ["Q1.A", "Q1.B"]);
  assert.equal(text.split("\n")[0], "Demo");
  const all = claimsTable(result)[JUPYTER_DISPLAY]();
  assert.equal(String(all["text/plain"]).split("\n").length, 3 + 3);
  assert.ok(String(all["text/html"]).includes('<td class="erratum">erratum</td>'));
});
