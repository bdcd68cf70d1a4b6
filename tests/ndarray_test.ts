import assert from "node:assert/strict";
import fc from "fast-check";
import {
  allClose,
  array,
  broadcastShapes,
  eye,
  full,
  linspace,
  matmul,
  NDArray,
  ones,
  rand,
  randn,
  zeros,
} from "../lib/ndarray.ts";
import { JUPYTER_DISPLAY } from "../lib/view/display.ts";

const small = fc.integer({ min: 1, max: 5 });
const finite = fc.double({ min: -100, max: 100, noNaN: true });
function matrixArb(rows: number, cols: number) {
  return fc.array(finite, { minLength: rows * cols, maxLength: rows * cols })
    .map((v) => new NDArray(Float64Array.from(v), [rows, cols]));
}

Deno.test("array builds shapes from nesting and round-trips through toArray", () => {
  const a = array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(array(7).shape, []);
  assert.equal(array(7).item(), 7);
  assert.deepEqual(array([[[1], [2]], [[3], [4]]]).toArray(), [[[1], [2]], [[3], [4]]]);
  assert.equal(a.get(1, 2), 6);
});

Deno.test("array rejects ragged nesting and non-numbers with messages naming the place", () => {
  assert.throws(() => array([[1, 2], [3]]), /array: ragged nesting at \[1\]/);
  assert.throws(() => array([1, "x" as never]), /array: entry at \[1\] is string/);
  assert.throws(
    () => new NDArray(new Float64Array(3), [2, 2]),
    /NDArray: data has 3 entries but shape \[2, 2\] needs 4/,
  );
  assert.throws(() => zeros([-1]), /zeros: shape must hold non-negative integers/);
});

Deno.test("constructors: zeros, ones, full, eye, linspace", () => {
  assert.deepEqual(zeros([2]).toArray(), [0, 0]);
  assert.deepEqual(ones([1, 2]).toArray(), [[1, 1]]);
  assert.deepEqual(full([2], 3.5).toArray(), [3.5, 3.5]);
  assert.deepEqual(eye(2).toArray(), [[1, 0], [0, 1]]);
  assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
});

Deno.test("randn and rand are deterministic for a seed and roughly right in distribution", () => {
  assert.deepEqual(randn([5], { seed: 3 }).data, randn([5], { seed: 3 }).data);
  assert.notDeepEqual(randn([5], { seed: 3 }).data, randn([5], { seed: 4 }).data);
  const z = randn([20000], { seed: 1 });
  const mean = z.mean().item();
  const variance = z.sub(mean).mul(z.sub(mean)).mean().item();
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  const u = rand([20000], { seed: 2, low: -1, high: 3 });
  assert.ok(u.min().item() >= -1 && u.max().item() < 3);
  assert.ok(Math.abs(u.mean().item() - 1) < 0.05);
});

Deno.test("element-wise arithmetic broadcasts like NumPy and checks shapes", () => {
  const a = array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.add(array([10, 20, 30])).toArray(), [[11, 22, 33], [14, 25, 36]]);
  assert.deepEqual(a.mul(array([[2], [3]])).toArray(), [[2, 4, 6], [12, 15, 18]]);
  assert.deepEqual(a.sub(1).toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(a.div(2).toArray(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
  assert.deepEqual(broadcastShapes([3, 1], [1, 4]), [3, 4]);
  assert.throws(
    () => a.add(array([1, 2])),
    /NDArray.add: shapes \[2, 3\] and \[2\] cannot be broadcast together/,
  );
});

Deno.test("matmul handles matrices and vectors and names mismatched shapes", () => {
  const a = array([[1, 2], [3, 4], [5, 6]]);
  const b = array([[1, 0, 2], [0, 1, 3]]);
  assert.deepEqual(a.matmul(b).toArray(), [[1, 2, 8], [3, 4, 18], [5, 6, 28]]);
  assert.deepEqual(a.matmul(array([1, 1])).toArray(), [3, 7, 11]);
  assert.deepEqual(array([1, 1, 1]).matmul(a).toArray(), [9, 12]);
  assert.equal(array([1, 2]).matmul(array([3, 4])).item(), 11);
  assert.throws(() => a.matmul(a), /matmul: inner dimensions differ: \[3, 2\] · \[3, 2\]/);
  // Zeros are skipped only against finite rows: 0·Inf and 0·NaN still give NaN.
  const z = array([[0, 1], [0, 0], [0, 2], [0, 0], [0, 3]]);
  const inf = z.matmul(array([[Infinity, 1], [2, 3]])).toArray() as number[][];
  assert.ok(inf.every((row) => Number.isNaN(row[0])));
  assert.deepEqual(inf.map((row) => row[1]), [3, 0, 6, 0, 9]);
  assert.ok(Number.isNaN(array([[0, 0]]).matmul(array([[NaN], [1]])).item()));
});

Deno.test("transpose, reductions along axes, keepDims", () => {
  const a = array([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(a.transpose().toArray(), [[1, 4], [2, 5], [3, 6]]);
  const t = array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  assert.deepEqual(t.transpose([2, 0, 1]).toArray(), [[[1, 3], [5, 7]], [[2, 4], [6, 8]]]);
  assert.deepEqual(a.sum(0).toArray(), [5, 7, 9]);
  assert.deepEqual(a.sum(1, { keepDims: true }).toArray(), [[6], [15]]);
  assert.deepEqual(a.mean(-1).toArray(), [2, 5]);
  assert.deepEqual(a.max(0).toArray(), [4, 5, 6]);
  assert.deepEqual(a.min(1).toArray(), [1, 4]);
  assert.equal(a.sum().item(), 21);
  assert.throws(() => a.sum(2), /NDArray.sum: axis 2 is out of range for shape \[2, 3\]/);
  assert.throws(() => a.transpose([0, 0]), /transpose: axes \[0,0\] are not a permutation/);
});

Deno.test("allClose follows NumPy's asymmetric rule and never equates NaN", () => {
  assert.ok(allClose(array([1, 2]), array([1 + 1e-9, 2])));
  assert.ok(!allClose(array([1, 2]), array([1.1, 2])));
  assert.ok(!allClose(array([NaN]), array([NaN])));
  assert.ok(!allClose(array([1, 2]), array([[1, 2]])));
});

Deno.test("property: (AB)ᵀ = BᵀAᵀ and A(B + C) = AB + AC", () => {
  fc.assert(
    fc.property(small, small, small, fc.integer(), (m, k, n, seed) => {
      const A = randn([m, k], { seed }), B = randn([k, n], { seed: seed + 1 });
      const C = randn([k, n], { seed: seed + 2 });
      assert.ok(
        allClose(matmul(A, B).transpose(), B.transpose().matmul(A.transpose()), { atol: 1e-12 }),
      );
      assert.ok(allClose(A.matmul(B.add(C)), A.matmul(B).add(A.matmul(C)), { atol: 1e-10 }));
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: addition commutes, transpose is an involution, sum over axes is total sum", () => {
  fc.assert(
    fc.property(
      small.chain((r) => small.chain((c) => fc.tuple(matrixArb(r, c), matrixArb(r, c)))),
      ([a, b]) => {
        assert.deepEqual(a.add(b).data, b.add(a).data);
        assert.deepEqual(a.transpose().transpose().data, a.data);
        const total = a.sum().item();
        assert.ok(Math.abs(a.sum(0).sum().item() - total) <= 1e-9 * (1 + Math.abs(total)));
        assert.ok(Math.abs(a.sum(1).sum().item() - total) <= 1e-9 * (1 + Math.abs(total)));
        assert.ok(allClose(a.sub(b).add(b), a, { atol: 1e-9 }));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("operations never mutate their operands", () => {
  const a = array([[1, 2], [3, 4]]);
  const before = a.data.slice();
  a.add(1), a.mul(a), a.matmul(a), a.transpose(), a.sum(0), a.map((v) => v * 2);
  assert.deepEqual(a.data, before);
});

Deno.test("rendering: toString aligns, toJSON nests, Jupyter display gives HTML", () => {
  const a = array([[1, 0.5], [-2, 1e-7]]);
  assert.equal(a.toString(), "NDArray [2, 2]\n   1  0.5\n  -2 1e-7");
  assert.equal(JSON.stringify(a), '{"shape":[2,2],"data":[[1,0.5],[-2,1e-7]]}');
  const bundle = a[JUPYTER_DISPLAY]();
  assert.match(bundle["text/html"], /<table>/);
});
