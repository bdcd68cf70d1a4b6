import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray, randn } from "../../lib/ndarray.ts";
import { checkOp } from "../../lib/grad/check.ts";
import { softmax } from "../../lib/ops/softmax.ts";
import {
  HINGE_MARGIN,
  hingeBackward,
  hingeForward,
  mse,
  mseBackward,
  mseForward,
  type MseNormalization,
  softmaxHingeBackward,
  softmaxHingeForward,
} from "../../lib/ops/losses.ts";
import { assertClose32, assertOp, rangeError, tfjs, tfValueAndGrad, toTensor } from "./oracle.ts";

const RUNS = 300;
const NORMS: MseNormalization[] = ["sum", "mean", "half-sum", "half-mean"];

/** Scores with hinge terms ≥ 0.05 from their kink: quarter grid plus 0.1·column. */
function safeScores(n: number, c: number, seed: number): NDArray {
  const x = randn([n, c], { seed });
  for (let i = 0; i < x.size; i++) x.data[i] = Math.round(x.data[i] * 4) / 4 + 0.1 * (i % c);
  return x;
}

/** The softmax-hinge loss by its definition, one row at a time (a slow reference). */
function softmaxHingeReference(x: NDArray, y: number[], margin: number): number {
  const [n, c] = x.shape;
  const p = softmax(x).data;
  let total = 0;
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < c; k++) {
      if (k !== y[r]) total += Math.max(0, p[r * c + k] - p[r * c + y[r]] + margin);
    }
  }
  return total / n;
}

/** Sheet 002 Ex3's derivative, summed over the active k as written, for row r. */
function sheetGradient(x: NDArray, y: number, margin: number): number[] {
  const p = softmax(x).data, c = p.length;
  const g = new Array(c).fill(0);
  for (let k = 0; k < c; k++) {
    if (k === y || !(p[k] - p[y] + margin > 0)) continue;
    for (let j = 0; j < c; j++) {
      g[j] += p[j] * ((j === k ? 1 : 0) - (j === y ? 1 : 0) - p[k] + p[y]);
    }
  }
  return g;
}

Deno.test("losses: constants", () => {
  assert.equal(HINGE_MARGIN, 1);
});

Deno.test("losses: closed forms on tiny inputs", () => {
  const x = array([[1, 2], [3, 4]]), y = array([[0, 0], [0, 0]]);
  assert.equal(mse(x, y, { normalization: "sum" }), 30);
  assert.equal(mse(x, y, { normalization: "mean" }), 7.5);
  assert.equal(mse(x, y, { normalization: "half-sum" }), 15);
  assert.equal(mse(x, y, { normalization: "half-mean" }), 3.75);
  const { cache } = mseForward(x, y, { normalization: "half-sum" });
  assert.deepEqual(mseBackward(array(1), cache).dx.toArray(), [[1, 2], [3, 4]], "½Σ: x − y");
  const scores = array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]);
  // CS231n's worked example: losses 2.9, 0, 12.9 for labels 0, 1, 2.
  const per = hingeForward(scores, [0, 1, 2], { reduction: "none" }).out.data;
  assert.ok(Math.abs(per[0] - 2.9) < 1e-12 && per[1] === 0 && Math.abs(per[2] - 12.9) < 1e-12);
  const { cache: hc } = hingeForward(array([[3, 1, 2.5]]), [0]);
  assert.deepEqual(hingeBackward(array(1), hc).dx.toArray(), [[-1, 0, 1]]);
  const sh = softmaxHingeForward(array([[0, 0, 0]]), [1], { margin: 0.5 }).out.item();
  assert.ok(Math.abs(sh - 1) < 1e-15, "two terms of 0 + 0.5");
});

Deno.test("losses: backward passes match finite differences at several shapes", () => {
  for (const shape of [[1], [5], [3, 4], [2, 2, 3]]) {
    for (const normalization of NORMS) {
      assertOp(
        { forward: (i) => mseForward(i.x, i.y, { normalization }), backward: mseBackward },
        { x: randn(shape, { seed: 1 }), y: randn(shape, { seed: 2 }) },
        `mse ${normalization} ${shape}`,
      );
    }
  }
  for (const [n, c] of [[1, 2], [4, 3], [6, 7]]) {
    const y = Array.from({ length: n }, (_, i) => (i * 5) % c);
    for (const reduction of ["mean", "sum", "none"] as const) {
      for (const margin of [1, 0.5]) {
        assertOp(
          { forward: (i) => hingeForward(i.x, y, { margin, reduction }), backward: hingeBackward },
          { x: safeScores(n, c, n + c) },
          `hinge ${reduction} margin ${margin} [${n}, ${c}]`,
        );
      }
      for (const margin of [1, 0.3, 0.05]) {
        const x = randn([n, c], { seed: 3 * n + c }).mul(1.5);
        const r = checkOp(
          {
            forward: (i) => softmaxHingeForward(i.x, y, { margin, reduction }),
            backward: softmaxHingeBackward,
          },
          { x },
        );
        assert.ok(r.ok, `softmax hinge ${reduction} margin ${margin}: ${r.toString()}`);
      }
    }
  }
});

Deno.test("losses: sheet 002 Ex3 — the derivative as written, summed over active k, is ours", () => {
  for (let seed = 0; seed < 20; seed++) {
    const x = randn([5], { seed }).mul(2);
    const y = seed % 5, margin = 0.2;
    const { cache } = softmaxHingeForward(x.reshape([1, 5]), [y], { margin });
    const ours = softmaxHingeBackward(array(1), cache).dx.data;
    const sheet = sheetGradient(x, y, margin);
    for (let j = 0; j < 5; j++) assert.ok(Math.abs(ours[j] - sheet[j]) < 1e-15, `entry ${j}`);
  }
});

Deno.test("losses: property the four MSE normalizations differ by their factors", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 12 }),
      (v) => {
        const x = array(v), y = x.mul(0.5);
        const s = mse(x, y, { normalization: "sum" });
        const n = v.length;
        const tol = 1e-12 * Math.max(1, s);
        return Math.abs(mse(x, y, { normalization: "mean" }) - s / n) <= tol &&
          Math.abs(mse(x, y, { normalization: "half-sum" }) - s / 2) <= tol &&
          Math.abs(mse(x, y, { normalization: "half-mean" }) - s / (2 * n)) <= tol && s >= 0;
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("losses: property hinge ≥ 0, 0 iff every margin is met, shift invariant", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 4, maxLength: 4 }),
      fc.integer({ min: 0, max: 3 }),
      fc.double({ min: -100, max: 100, noNaN: true }),
      (v, y, shift) => {
        const x = array([v]);
        const l = hingeForward(x, [y]).out.item();
        const met = v.every((s, k) => k === y || v[y] - s >= HINGE_MARGIN);
        const shifted = hingeForward(x.add(shift), [y]).out.item();
        return l >= 0 && (l === 0) === met && Math.abs(shifted - l) <= 1e-9 * Math.max(1, l);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("losses: property softmax hinge equals its definition and lies in [0, (C−1)(1+Δ)]", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 6, maxLength: 6 }),
      fc.integer({ min: 0, max: 2 }),
      fc.double({ min: 0, max: 2, noNaN: true }),
      (v, y, margin) => {
        const x = array([v.slice(0, 3), v.slice(3)]);
        const labels = [y, 2 - y];
        const l = softmaxHingeForward(x, labels, { margin }).out.item();
        const ref = softmaxHingeReference(x, labels, margin);
        return Math.abs(l - ref) <= 1e-14 && l >= 0 && l <= 2 * (1 + margin);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("losses: extreme inputs ±1e3 and ±1e300 stay finite", () => {
  for (const big of [1e3, 1e300]) {
    const x = array([[big, -big, 0]]);
    const sh = softmaxHingeForward(x, [1], { margin: 0.1 });
    assert.ok(
      Math.abs(sh.out.item() - 1.2) < 1e-12,
      "p = [1, 0, 0]: (1 − 0 + 0.1) + (0 − 0 + 0.1)",
    );
    assert.ok(softmaxHingeBackward(array(1), sh.cache).dx.isFinite());
    assert.equal(hingeForward(x, [0]).out.item(), 0);
    assert.equal(hingeForward(x, [1]).out.item(), big === 1e3 ? 2 * big + 1 + big + 1 : 3 * big);
    assert.equal(
      mse(array([big]), array([-big]), { normalization: "half-sum" }),
      big === 1e3 ? 2e6 : Infinity,
    );
  }
  // Ties: all-equal scores put every term exactly at the margin, all active.
  assert.equal(hingeForward(array([[2, 2, 2]]), [0]).out.item(), 2);
  // A single class: nothing to compare with, loss 0.
  assert.equal(hingeForward(array([[4]]), [0]).out.item(), 0);
  assert.equal(softmaxHingeForward(array([[4]]), [0]).out.item(), 0);
  // A term exactly on the hinge counts as inactive (max(0, ·)' at 0 is 0).
  const { cache } = hingeForward(array([[2, 1]]), [0]);
  assert.deepEqual(hingeBackward(array(1), cache).dx.toArray(), [[0, 0]]);
});

Deno.test("losses: bad inputs throw RangeErrors naming the op, the argument and the shapes", () => {
  const x = array([[1, 2, 3]]);
  assert.throws(
    () => mse(x, array([1, 2, 3]), { normalization: "mean" }),
    rangeError(/mse: x has shape \[1, 3\] but y has shape \[3\]/),
  );
  assert.throws(
    () => mse(x, x, { normalization: "avg" as MseNormalization }),
    rangeError(
      /mse: options.normalization must be "sum", "mean", "half-sum" or "half-mean", got "avg"/,
    ),
  );
  assert.throws(
    () => mse(x, x, undefined as unknown as { normalization: "sum" }),
    rangeError(/mse: options.normalization/),
  );
  assert.throws(
    () => hingeForward(x, [3]),
    rangeError(/hinge: labels\[0\] = 3 is not a class index in \[0, 3\)/),
  );
  assert.throws(
    () => hingeForward(array([1, 2]), [0]),
    rangeError(/hinge: x must be \[N, C\] scores, got shape \[2\]/),
  );
  assert.throws(
    () => softmaxHingeForward(x, [0, 1]),
    rangeError(/softmaxHinge: labels holds 2 class indices but the logits have 1 rows/),
  );
  assert.throws(
    () => softmaxHingeForward(x, [0], { margin: NaN }),
    rangeError(/softmaxHinge: options.margin/),
  );
  assert.throws(
    () => hingeForward(array([[1, NaN]]), [0]),
    rangeError(/hinge: x of shape \[1, 2\] holds NaN/),
  );
  const { cache } = mseForward(x, x, { normalization: "sum" });
  assert.throws(
    () => mseBackward(array([1, 1]), cache),
    rangeError(/mseBackward: dout must be one entry/),
  );
  const hc = hingeForward(x, [0]).cache;
  assert.throws(
    () => hingeBackward(array([1, 1]), hc),
    rangeError(/hingeBackward: dout has shape \[2\] but the loss has shape \[\]/),
  );
});

Deno.test("losses: MSE and both hinges agree with tfjs (float32)", async () => {
  const tf = await tfjs();
  const x = randn([4, 5], { seed: 11 }), y = randn([4, 5], { seed: 12 });
  const yt = toTensor(tf, y);
  const ref = tfValueAndGrad(tf, (t) => tf.losses.meanSquaredError(yt, t), x, array(1));
  const ours = mseForward(x, y, { normalization: "mean" });
  assertClose32(ours.out, ref.out, "mse mean = tf.losses.meanSquaredError");
  assertClose32(mseBackward(array(1), ours.cache).dx, ref.grad, "mse mean gradient");
  const labels = [0, 3, 1, 4];
  const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), 5).toFloat();
  const hingeTf = (v: import("@tensorflow/tfjs").Tensor, margin: number) =>
    tf.relu(v.sub(v.mul(onehot).sum(1, true)).add(margin)).mul(onehot.neg().add(1)).sum(1).mean();
  const s = safeScores(4, 5, 13);
  const h = tfValueAndGrad(tf, (t) => hingeTf(t, 1), s, array(1));
  const oh = hingeForward(s, labels);
  assertClose32(oh.out, h.out, "hinge");
  assertClose32(hingeBackward(array(1), oh.cache).dx, h.grad, "hinge gradient");
  const logits = randn([4, 5], { seed: 14 }).mul(2);
  const p = tfValueAndGrad(tf, (t) => hingeTf(tf.softmax(t), 0.2), logits, array(1));
  const op = softmaxHingeForward(logits, labels, { margin: 0.2 });
  assertClose32(op.out, p.out, "softmax hinge");
  assertClose32(softmaxHingeBackward(array(1), op.cache).dx, p.grad, "softmax hinge gradient");
});
