import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray, randn, zeros } from "../../lib/ndarray.ts";
import {
  linearColumnsBackward,
  linearColumnsForward,
  linearRowsBackward,
  linearRowsForward,
} from "../../lib/ops/linear.ts";
import { assertClose32, assertOp, fromTensor, rangeError, tfjs, toTensor } from "./oracle.ts";

const RUNS = 200;

Deno.test("linear: constants — no bias means no db, zero weights give the bias", () => {
  const x = randn([3, 2], { seed: 1 });
  const cols = linearColumnsForward(x, { w: zeros([4, 3]), b: array([1, 2, 3, 4]) });
  assert.deepEqual(cols.out.toArray(), [[1, 1], [2, 2], [3, 3], [4, 4]]);
  const g = linearColumnsBackward(
    array([[1, 1], [1, 1], [1, 1], [1, 1]]),
    linearColumnsForward(x, { w: zeros([4, 3]) }).cache,
  );
  assert.equal(g.db, undefined);
  const rows = linearRowsForward(x.transpose(), { w: zeros([3, 2]), b: array([[5, 6]]) });
  assert.deepEqual(rows.out.toArray(), [[5, 6], [5, 6]]);
});

Deno.test("linear: closed forms on a tiny input in both conventions", () => {
  const w = array([[1, 2], [3, 4]]);
  const { out, cache } = linearColumnsForward(array([[1], [-1]]), { w, b: array([[0.5], [1]]) });
  assert.deepEqual(out.toArray(), [[-0.5], [0]]);
  const g = linearColumnsBackward(array([[1], [2]]), cache);
  assert.deepEqual(g.dx.toArray(), [[7], [10]], "Wᵀ dout");
  assert.deepEqual(g.dw.toArray(), [[1, -1], [2, -2]], "dout xᵀ");
  assert.deepEqual(g.db!.toArray(), [[1], [2]], "db in b's [M, 1] shape");
  const r = linearRowsForward(array([[1, -1]]), { w, b: array([1, 1]) });
  assert.deepEqual(r.out.toArray(), [[-1, -1]]);
  const gr = linearRowsBackward(array([[1, 2]]), r.cache);
  assert.deepEqual(gr.dx.toArray(), [[5, 11]], "dout Wᵀ");
  assert.deepEqual(gr.dw.toArray(), [[1, 2], [-1, -2]], "xᵀ dout");
  assert.deepEqual(gr.db!.toArray(), [1, 2]);
});

Deno.test("linear: backward passes match finite differences at several shapes", () => {
  for (const [d, n, m] of [[1, 1, 1], [3, 2, 4], [5, 7, 3], [8, 1, 2]]) {
    const x = randn([d, n], { seed: d + n }), w = randn([m, d], { seed: m });
    for (const b of [randn([m], { seed: 3 }), randn([m, 1], { seed: 4 }), undefined]) {
      const inputs: Record<string, NDArray> = b ? { x, w, b } : { x, w };
      assertOp(
        {
          forward: (i) => linearColumnsForward(i.x, { w: i.w, b: i.b }),
          backward: linearColumnsBackward,
        },
        inputs,
        `Wx + b x [${d}, ${n}] w [${m}, ${d}] b ${b?.shape}`,
      );
    }
    const xr = randn([n, d], { seed: 9 }), wr = randn([d, m], { seed: 10 });
    for (const b of [randn([m], { seed: 5 }), randn([1, m], { seed: 6 }), undefined]) {
      const inputs: Record<string, NDArray> = b ? { x: xr, w: wr, b } : { x: xr, w: wr };
      assertOp(
        {
          forward: (i) => linearRowsForward(i.x, { w: i.w, b: i.b }),
          backward: linearRowsBackward,
        },
        inputs,
        `xW + b x [${n}, ${d}] w [${d}, ${m}] b ${b?.shape}`,
      );
    }
  }
});

Deno.test("linear: property the two conventions are transposes of each other", () => {
  const dim = fc.integer({ min: 1, max: 5 });
  fc.assert(
    fc.property(dim, dim, dim, fc.integer({ min: 0, max: 1e6 }), (d, n, m, seed) => {
      const x = randn([d, n], { seed }), w = randn([m, d], { seed: seed + 1 });
      const b = randn([m], { seed: seed + 2 }), dout = randn([m, n], { seed: seed + 3 });
      const c = linearColumnsForward(x, { w, b });
      const r = linearRowsForward(x.transpose(), { w: w.transpose(), b });
      const gc = linearColumnsBackward(dout, c.cache);
      const gr = linearRowsBackward(dout.transpose(), r.cache);
      const same = (a: NDArray, bb: NDArray) =>
        a.data.every((v, i) => Math.abs(v - bb.data[i]) < 1e-12);
      return same(c.out, r.out.transpose()) && same(gc.dx, gr.dx.transpose()) &&
        same(gc.dw, gr.dw.transpose()) && same(gc.db!, gr.db!);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("linear: extreme values stay finite where the true value is", () => {
  const x = array([[1e150], [-1e150]]);
  const { out, cache } = linearColumnsForward(x, { w: array([[1e150, 1e150]]), b: array([1]) });
  assert.deepEqual(out.toArray(), [[1]], "1e300 − 1e300 + 1");
  assert.ok(linearColumnsBackward(array([[1]]), cache).dw.isFinite());
  // A single example, a single feature.
  assert.equal(linearRowsForward(array([[2]]), { w: array([[3]]), b: array([1]) }).out.item(), 7);
});

Deno.test("linear: mismatched shapes throw RangeErrors naming the convention, argument and shapes", () => {
  assert.throws(
    () => linearColumnsForward(randn([3, 2]), { w: randn([4, 5]) }),
    rangeError(/linearColumns \(Wx \+ b\): w \[4, 5\] needs x with 5 rows, got x \[3, 2\]/),
  );
  assert.throws(
    () => linearRowsForward(randn([2, 3]), { w: randn([4, 5]) }),
    rangeError(/linearRows \(xW \+ b\): w \[4, 5\] needs x with 4 columns, got x \[2, 3\]/),
  );
  assert.throws(
    () => linearColumnsForward(randn([3, 2]), { w: randn([4, 3]), b: randn([1, 4]) }),
    rangeError(/b must be \[4\] or \[4, 1\], got shape \[1, 4\]/),
  );
  assert.throws(
    () => linearRowsForward(randn([2, 3]), { w: randn([3, 4]), b: randn([4, 1]) }),
    rangeError(/b must be \[4\] or \[1, 4\], got shape \[4, 1\]/),
  );
  assert.throws(
    () => linearRowsForward(randn([3]), { w: randn([3, 4]) }),
    rangeError(/x must be \[N, D\]/),
  );
  const { cache } = linearRowsForward(randn([2, 3]), { w: randn([3, 4]) });
  assert.throws(
    () => linearRowsBackward(randn([2, 5]), cache),
    rangeError(/dout has shape \[2, 5\], expected \[2, 4\]/),
  );
  assert.throws(() => linearColumnsBackward(randn([2, 4]), cache), TypeError);
});

Deno.test("linear: both conventions agree with tf.matMul and its gradients (float32)", async () => {
  const tf = await tfjs();
  const x = randn([5, 3], { seed: 21 }),
    w = randn([4, 5], { seed: 22 }),
    b = randn([4, 1], { seed: 23 });
  const dout = randn([4, 3], { seed: 24 });
  const { out, cache } = linearColumnsForward(x, { w, b });
  const g = linearColumnsBackward(dout, cache);
  const [xt, wt, bt, dt] = [x, w, b, dout].map((a) => toTensor(tf, a));
  const f = (
    xx: import("@tensorflow/tfjs").Tensor,
    ww: import("@tensorflow/tfjs").Tensor,
    bb: import("@tensorflow/tfjs").Tensor,
  ) => tf.matMul(ww, xx).add(bb);
  assertClose32(out, fromTensor(f(xt, wt, bt)), "Wx + b");
  const [gx, gw, gb] = tf.grads((a, c, d) => f(a, c, d).mul(dt).sum())([xt, wt, bt]);
  assertClose32(g.dx, fromTensor(gx), "dx");
  assertClose32(g.dw, fromTensor(gw), "dw");
  assertClose32(g.db!, fromTensor(gb), "db");
  // tfjs/PyTorch keep w as [M, D] and compute x wᵀ + b on rows: our xW + b with W = wᵀ.
  const xr = x.transpose();
  const r = linearRowsForward(xr, { w: w.transpose(), b: b.reshape([4]) });
  const ref = tf.matMul(toTensor(tf, xr), wt, false, true).add(toTensor(tf, b.reshape([4])));
  assertClose32(r.out, fromTensor(ref), "x wᵀ + b");
});
