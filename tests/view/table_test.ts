import assert from "node:assert/strict";
import { escapeHtml, htmlTable, textTable } from "../../lib/view/table.ts";

Deno.test("textTable aligns columns under a rule", () => {
  const t = textTable({ caption: "c", headers: ["a", "long"], rows: [["xyz", "1"], ["", "22"]] });
  assert.equal(t, "c\na    long\n---  ----\nxyz  1\n     22");
});

Deno.test("htmlTable escapes cells", () => {
  assert.equal(
    htmlTable({ headers: ["<h>"], rows: [["a&b"]] }),
    "<table><thead><tr><th>&lt;h&gt;</th></tr></thead><tbody><tr><td>a&amp;b</td></tr></tbody></table>",
  );
  assert.equal(escapeHtml(`"'`), "&quot;&#39;");
});
