import assert from "node:assert/strict";
import fc from "fast-check";
import { gemm, SPARSE_DENSITY } from "../../lib/kernels/gemm.ts";
import { array, matmul } from "../../lib/ndarray.ts";

/** The reference: the plain triple loop, each sum from +0 in ascending order of p. */
function plain(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
  return c;
}

function transposed(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** Bit for bit, NaN and signed zeros included. */
function assertIdentical(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}: entry ${i} is ${actual[i]}, the plain loop gives ${expected[i]}`);
    }
  }
}

const SPECIAL = [0, -0, 1, -1, 0.5, 1e-300, -3e300, Infinity, -Infinity, NaN];

/** A matrix of the given size whose entries are zero with probability `zeros`. */
const matrix = (size: number, zeros: number, specials: boolean) =>
  fc.array(
    fc.oneof(
      { weight: Math.round(zeros * 100), arbitrary: fc.constant(0) },
      { weight: 100 - Math.round(zeros * 100), arbitrary: fc.double({ min: -10, max: 10 }) },
      { weight: specials ? 3 : 0, arbitrary: fc.constantFrom(...SPECIAL) },
    ),
    { minLength: size, maxLength: size },
  ).map((v) => Float64Array.from(v));

const product = fc
  .record({
    m: fc.integer({ min: 0, max: 11 }),
    k: fc.integer({ min: 0, max: 13 }),
    n: fc.integer({ min: 0, max: 37 }),
    zerosA: fc.constantFrom(0, 0.3, 0.7, 0.95),
    specials: fc.boolean(),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      a: matrix(s.m * s.k, s.zerosA, s.specials),
      b: matrix(s.k * s.n, 0.1, s.specials),
    })
  );

Deno.test("gemm equals the plain loop bit for bit: every shape edge, dense and sparse, Inf and NaN", () => {
  fc.assert(
    fc.property(product, ({ s, a, b }) => {
      const { m, k, n, transposeA, transposeB } = s;
      const c = gemm(
        transposeA ? transposed(a, m, k) : a,
        transposeB ? transposed(b, k, n) : b,
        m,
        k,
        n,
        { transposeA, transposeB },
      );
      assertIdentical(c, plain(a, b, m, k, n), `[${m}, ${k}]·[${k}, ${n}]`);
    }),
    { numRuns: 600, seed: 7 },
  );
});

Deno.test("gemm skips zeros only against a finite right operand: 0·Inf and 0·NaN stay NaN", () => {
  // a row of zeros with one 1: well under SPARSE_DENSITY, so the zero-skipping kernel is eligible
  const k = 40, n = 9;
  const a = new Float64Array(2 * k);
  a[3] = 1;
  assert.ok(1 / (2 * k) <= SPARSE_DENSITY);
  for (const bad of [Infinity, -Infinity, NaN]) {
    const b = new Float64Array(k * n).fill(2);
    b[10 * n + 4] = bad; // row 10 is multiplied only by zeros
    const c = gemm(a, b, 2, k, n);
    assert.ok(Number.isNaN(c[4]) && Number.isNaN(c[n + 4]), `0·${bad} is NaN`);
    assert.equal(c[0], 2);
    assertIdentical(c, plain(a, b, 2, k, n), `with ${bad}`);
  }
});

Deno.test("gemm reuses a left operand's nonzero lists only while its bits are unchanged", () => {
  // A checker's pattern: the same sparse data times weights that change, with the data itself
  // nudged now and then, and other products in between.
  const m = 6, k = 40, n = 19;
  const a = new Float64Array(m * k).map((_, i) => (i % 7 === 0 ? (i % 5) - 2 : 0));
  const b = new Float64Array(k * n).map((_, i) => Math.sin(i));
  const other = new Float64Array(9).fill(1);
  const steps: Array<() => void> = [
    () => {},
    () => (b[17] += 1e-6), // weights change: lists reused
    () => (a[3] = 4), // a zero becomes nonzero
    () => (a[3] = 0),
    () => (a[0] = -0), // same value, other bits: a miss, still exact
    () => (b[5 * n + 2] = Infinity), // non-finite weights: every product taken
    () => (b[5 * n + 2] = 1),
    () => gemm(other, other, 3, 3, 3), // another shape in between
    () => (a[m * k - 1] = 2.5),
  ];
  for (const [i, step] of steps.entries()) {
    step();
    for (const transposeA of [false, true]) {
      const c = gemm(transposeA ? transposed(a, m, k) : a, b, m, k, n, { transposeA });
      assertIdentical(c, plain(a, b, m, k, n), `step ${i}, transposeA ${transposeA}`);
      assertIdentical(c, gemm(a.slice(), b, m, k, n), `step ${i}, repeated`);
    }
  }
});

Deno.test("gemm gives big products an instance of their own and keeps the result exact", () => {
  // 4096·1024 entries of A, given transposed: with its copies this exceeds the 64 MiB kept cached.
  const m = 4096, k = 1024, n = 2;
  const a = new Float64Array(m * k).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = new Float64Array(k * n).map((_, i) => ((i * 104729) % 997) / 997);
  const c = gemm(transposed(a, m, k), b, m, k, n, { transposeA: true });
  assertIdentical(c, plain(a, b, m, k, n), "big product");
  // the shared instance still works afterwards
  assertIdentical(
    gemm(Float64Array.of(2), Float64Array.of(3), 1, 1, 1),
    Float64Array.of(6),
    "small",
  );
});

Deno.test("gemm names operands that do not hold m·k and k·n entries", () => {
  assert.throws(
    () => gemm(new Float64Array(5), new Float64Array(6), 2, 3, 2),
    /gemm: for \[2, 3\] · \[3, 2\] the operands need 6 and 6 entries, got 5 and 6/,
  );
});

Deno.test("matmul takes transposed operands and names the shapes it multiplies", () => {
  const x = array([[1, 2, 3], [4, 5, 6]]), y = array([[1, 0], [0, 1], [1, 1]]);
  assert.deepEqual(matmul(x, x, { transposeB: true }).toArray(), [[14, 32], [32, 77]]);
  assert.deepEqual(matmul(x, x, { transposeA: true }).toArray(), [
    [17, 22, 27],
    [22, 29, 36],
    [27, 36, 45],
  ]);
  assert.deepEqual(matmul(y, x, { transposeA: true, transposeB: true }).toArray(), [
    [4, 10],
    [5, 11],
  ]);
  assert.throws(
    () => matmul(x, y, { transposeA: true }),
    /inner dimensions differ: \[2, 3\]ᵀ · \[3, 2\]/,
  );
  assert.throws(() => matmul(array([1, 2]), x, { transposeA: true }), /need a 2-D operand/);
});
