/**
 * Numeric CSV reading: headers, row limits, and every kind of bad line named precisely.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { array } from "../../lib/ndarray.ts";
import { degenerateData, parseNumericCsv } from "../../lib/data/csv.ts";

Deno.test("header detection, CRLF, blank lines, whitespace, exponents", () => {
  const a = parseNumericCsv("x, y\r\n1, -2.5\r\n\r\n3e2,.5\n");
  assert.deepEqual(a.header, ["x", "y"]);
  assert.deepEqual(a.data.shape, [2, 2]);
  assert.deepEqual(Array.from(a.data.data), [1, -2.5, 300, 0.5]);
  const b = parseNumericCsv("1,2\n3,4");
  assert.equal(b.header, undefined);
  assert.deepEqual(b.data.shape, [2, 2]);
});

Deno.test("maxRows reads the first rows only (and ignores problems after them)", () => {
  const a = parseNumericCsv("h\n1\n2\n3\nnot a number\n", { maxRows: 3 });
  assert.deepEqual(Array.from(a.data.data), [1, 2, 3]);
});

Deno.test("bad lines are named: ragged, empty field, NaN, Infinity, text, overflow, no rows", () => {
  const src = { source: "in.csv" };
  assert.throws(
    () => parseNumericCsv("a,b\n1,2\n3\n", src),
    /in\.csv: line 3 \(row 1\) has 1 fields, expected 2/,
  );
  assert.throws(
    () => parseNumericCsv("1,2\n3,4,5\n", src),
    /line 2 \(row 1\) has 3 fields, expected 2/,
  );
  assert.throws(() => parseNumericCsv("1,\n", src), /line 1 \(row 0\) column 2 is empty/);
  assert.throws(
    () => parseNumericCsv("a\n1\nNaN\n", src),
    /line 3 \(row 1\) column 1 is NaN, expected a finite number/,
  );
  assert.throws(
    () => parseNumericCsv("1\n-Infinity\n", src),
    /line 2 \(row 1\) column 1 is -Infinity/,
  );
  assert.throws(() => parseNumericCsv("1\ninf\n", src), /is inf/);
  assert.throws(
    () => parseNumericCsv("1\n2x\n", src),
    /line 2 \(row 1\) column 1 is not a number: "2x"/,
  );
  assert.throws(() => parseNumericCsv("1\n1e999\n", src), /overflows float64/);
  assert.throws(() => parseNumericCsv("a,b\n", src), /no data rows/);
  assert.throws(() => parseNumericCsv("", src), /no data rows/);
});

Deno.test("round trip of random finite matrices (property)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
        minLength: 1,
        maxLength: 60,
      }),
      (cols, flat) => {
        const rows = Math.floor(flat.length / cols);
        fc.pre(rows >= 1);
        const vals = flat.slice(0, rows * cols);
        const lines = [];
        for (let r = 0; r < rows; r++) lines.push(vals.slice(r * cols, (r + 1) * cols).join(","));
        const parsed = parseNumericCsv(lines.join("\n"));
        assert.deepEqual(parsed.data.shape, [rows, cols]);
        for (let i = 0; i < vals.length; i++) {
          assert.ok(Object.is(parsed.data.data[i], vals[i]) || parsed.data.data[i] === vals[i]);
        }
      },
    ),
    { numRuns: 100, seed: 5 },
  );
});

Deno.test("degenerateData names the constant column and the first duplicate pair", () => {
  assert.deepEqual(degenerateData(array([[1, 2], [3, 4], [5, 7]])), []);
  assert.deepEqual(degenerateData(array([[1, 2], [3, 2], [5, 2]])), [
    "column 2 is constant (2) over all 3 rows",
  ]);
  assert.deepEqual(degenerateData(array([[1, 2], [3, 4], [1, 2]])), ["rows 0 and 2 are identical"]);
});
