import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray, ones, randn, zeros } from "../../lib/ndarray.ts";
import { checkJacobian } from "../../lib/grad/check.ts";
import {
  BATCH_NORM_EPS,
  batchNormBackward,
  batchNormForward,
  meanOnlyBatchNormBackward,
  meanOnlyBatchNormForward,
} from "../../lib/ops/batch_norm.ts";
import { assertClose32, assertOp, fromTensor, rangeError, tfjs, toTensor } from "./oracle.ts";

const RUNS = 200;

Deno.test("batch norm: constants", () => {
  assert.equal(BATCH_NORM_EPS, 1e-5);
  // γ = 1, β = 0 on a constant batch: mean-only gives 0, full gives 0 (x̂ = 0 with ε > 0).
  const x = array([[2, 3], [2, 3]]);
  assert.deepEqual(
    meanOnlyBatchNormForward(x, { gamma: ones([2]), beta: zeros([2]) }).out.toArray(),
    [[0, 0], [0, 0]],
  );
  assert.deepEqual(batchNormForward(x, { gamma: ones([2]), beta: zeros([2]) }).out.toArray(), [[
    0,
    0,
  ], [0, 0]]);
});

Deno.test("batch norm: closed forms on tiny inputs (sheet 004 Q2)", () => {
  const x = array([[1], [2], [6]]);
  const p = { gamma: array([2]), beta: array([1]) };
  const { out, cache } = meanOnlyBatchNormForward(x, p);
  assert.deepEqual(out.toArray(), [[-3], [-1], [7]], "2(x − 3) + 1");
  // Jacobian γ(δᵢⱼ − 1/n): with dout = e₁ the gradient is γ(e₁ − 1/3).
  const g = meanOnlyBatchNormBackward(array([[1], [0], [0]]), cache);
  assert.ok(Math.abs(g.dx.data[0] - 2 * (2 / 3)) < 1e-15 && Math.abs(g.dx.data[1] + 2 / 3) < 1e-15);
  assert.deepEqual(g.dgamma.toArray(), [-2]);
  assert.deepEqual(g.dbeta.toArray(), [1]);
  const full = batchNormForward(array([[1], [3]]), {
    gamma: array([3]),
    beta: array([-1]),
    eps: 0,
  });
  assert.deepEqual(full.out.toArray(), [[-4], [2]]);
  const gf = batchNormBackward(array([[1], [1]]), full.cache);
  assert.deepEqual(gf.dx.toArray(), [[0], [0]], "a uniform dout does not move a normalized output");
  assert.deepEqual(gf.dbeta.toArray(), [2]);
  assert.deepEqual(gf.dgamma.toArray(), [0]);
});

Deno.test("batch norm: backward passes match finite differences at several shapes", () => {
  for (const [n, d] of [[1, 1], [2, 3], [5, 4], [16, 8]]) {
    const inputs = {
      x: randn([n, d], { seed: n * d }),
      gamma: randn([d], { seed: 2 }),
      beta: randn([d], { seed: 3 }),
    };
    assertOp(
      {
        forward: (i) => meanOnlyBatchNormForward(i.x, { gamma: i.gamma, beta: i.beta }),
        backward: meanOnlyBatchNormBackward,
      },
      inputs,
      `mean-only BN [${n}, ${d}]`,
    );
    for (const eps of [1e-5, 0.1]) {
      assertOp(
        {
          forward: (i) => batchNormForward(i.x, { gamma: i.gamma, beta: i.beta, eps }),
          backward: batchNormBackward,
        },
        inputs,
        `BN [${n}, ${d}] eps ${eps}`,
      );
    }
  }
});

Deno.test("batch norm: the mean-only Jacobian is γ(I − 𝟏𝟏ᵀ/n): n = 1 gives 0, large n nearly γI", () => {
  for (const n of [1, 2, 5, 200]) {
    const gamma = 1.5;
    const f = (v: NDArray) =>
      meanOnlyBatchNormForward(v.reshape([n, 1]), { gamma: array([gamma]), beta: array([0]) }).out
        .reshape([n]);
    const jac = () => {
      const j = zeros([n, n]);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) j.data[i * n + k] = gamma * ((i === k ? 1 : 0) - 1 / n);
      }
      return j;
    };
    const x = randn([n], { seed: n });
    if (n <= 5) assert.ok(checkJacobian(f, jac, x).ok);
    const { cache } = meanOnlyBatchNormForward(x.reshape([n, 1]), {
      gamma: array([gamma]),
      beta: array([0]),
    });
    const e0 = zeros([n, 1]);
    e0.data[0] = 1;
    const col = meanOnlyBatchNormBackward(e0, cache).dx.data;
    if (n === 1) assert.equal(col[0], 0, "one example: y = β whatever x is");
    if (n === 200) {
      assert.ok(Math.abs(col[0] - gamma) < gamma / 100 && Math.abs(col[1]) < gamma / 100);
    }
  }
});

Deno.test("batch norm: property outputs have mean β and (full BN, ε = 0) variance γ²", () => {
  const dim = fc.integer({ min: 2, max: 6 });
  fc.assert(
    fc.property(dim, dim, fc.integer({ min: 0, max: 1e6 }), (n, d, seed) => {
      const x = randn([n, d], { seed }).mul(10).add(3);
      const gamma = randn([d], { seed: seed + 1 }), beta = randn([d], { seed: seed + 2 });
      const m = meanOnlyBatchNormForward(x, { gamma, beta }).out.mean(0).data;
      const f = batchNormForward(x, { gamma, beta, eps: 0 }).out;
      const mu = f.mean(0).data;
      const v = f.sub(f.mean(0)).mul(f.sub(f.mean(0))).mean(0).data;
      for (let j = 0; j < d; j++) {
        if (Math.abs(m[j] - beta.data[j]) > 1e-12 * 40 || Math.abs(mu[j] - beta.data[j]) > 1e-12) {
          return false;
        }
        if (Math.abs(v[j] - gamma.data[j] ** 2) > 1e-10 * Math.max(1, gamma.data[j] ** 2)) {
          return false;
        }
      }
      return true;
    }),
    { numRuns: RUNS },
  );
});

Deno.test("batch norm: property dx sums to 0 over the batch and full BN is scale invariant", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 1e6 }),
      fc.double({ min: 0.01, max: 100, noNaN: true }),
      (n, seed, c) => {
        const x = randn([n, 3], { seed });
        const p = { gamma: randn([3], { seed: 1 }), beta: randn([3], { seed: 2 }), eps: 0 };
        const dout = randn([n, 3], { seed: seed + 5 });
        const a = batchNormForward(x, p), b = batchNormForward(x.mul(c), p);
        const dx = batchNormBackward(dout, a.cache).dx;
        const dm = meanOnlyBatchNormBackward(dout, meanOnlyBatchNormForward(x, p).cache).dx;
        const sums = [dx.sum(0).data, dm.sum(0).data];
        return sums.every((s) => s.every((v) => Math.abs(v) < 1e-10)) &&
          a.out.data.every((v, i) => Math.abs(v - b.out.data[i]) < 1e-9);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("batch norm: extreme and degenerate inputs", () => {
  const p = { gamma: array([2]), beta: array([1]) };
  const single = batchNormForward(array([[5]]), p);
  assert.deepEqual(single.out.toArray(), [[1]], "one example: x̂ = 0, y = β");
  assert.deepEqual(batchNormBackward(array([[3]]), single.cache).dx.toArray(), [[0]]);
  const big = batchNormForward(array([[1e150], [-1e150]]), p);
  assert.ok(big.out.isFinite());
  assert.ok(Math.abs(big.out.data[0] - 3) < 1e-12 && Math.abs(big.out.data[1] + 1) < 1e-12);
  assert.ok(batchNormBackward(array([[1], [2]]), big.cache).dx.isFinite());
  const equal = batchNormForward(array([[7], [7], [7]]), p);
  assert.deepEqual(
    equal.out.toArray(),
    [[1], [1], [1]],
    "all-equal inputs: variance 0, ε keeps it finite",
  );
  assert.ok(meanOnlyBatchNormForward(array([[1e300], [-1e300]]), p).out.isFinite());
});

Deno.test("batch norm: bad inputs throw RangeErrors naming the op, the argument and the shapes", () => {
  const x = randn([4, 3]);
  const p = { gamma: ones([3]), beta: zeros([3]) };
  assert.throws(
    () => batchNormForward(x, { ...p, gamma: ones([2]) }),
    rangeError(/batchNorm: gamma must be \[3\] for x \[4, 3\], got \[2\]/),
  );
  assert.throws(
    () => meanOnlyBatchNormForward(randn([3]), p),
    rangeError(/meanOnlyBatchNorm: x must be \[N, D\] with N ≥ 1, got shape \[3\]/),
  );
  assert.throws(
    () => batchNormForward(zeros([0, 3]), p),
    rangeError(/batchNorm: x must be \[N, D\] with N ≥ 1, got shape \[0, 3\]/),
  );
  assert.throws(
    () => batchNormForward(array([[1, 2, 3]]), { ...p, eps: 0 }),
    rangeError(/batchNorm: feature 0 of x \[1, 3\] has variance 0 and eps is 0/),
  );
  assert.throws(
    () => batchNormForward(x, { ...p, eps: -1 }),
    rangeError(/batchNorm: eps must be a finite number ≥ 0, got -1/),
  );
  const { cache } = batchNormForward(x, p);
  assert.throws(
    () => batchNormBackward(randn([3, 4]), cache),
    rangeError(/batchNormBackward: dout has shape \[3, 4\] but x has shape \[4, 3\]/),
  );
  assert.throws(
    () => batchNormForward(x, { gamma: [1, 1, 1] as unknown as NDArray, beta: zeros([3]) }),
    TypeError,
  );
});

Deno.test("batch norm: agrees with tf.moments + tf.batchNorm and their gradients (float32)", async () => {
  const tf = await tfjs();
  const x = randn([8, 4], { seed: 31 }),
    gamma = randn([4], { seed: 32 }),
    beta = randn([4], { seed: 33 });
  const dout = randn([8, 4], { seed: 34 });
  const eps = 1e-3;
  const { out, cache } = batchNormForward(x, { gamma, beta, eps });
  const g = batchNormBackward(dout, cache);
  const f = (
    xx: import("@tensorflow/tfjs").Tensor,
    gg: import("@tensorflow/tfjs").Tensor,
    bb: import("@tensorflow/tfjs").Tensor,
  ) => {
    const { mean, variance } = tf.moments(xx, 0);
    return tf.batchNorm(xx, mean, variance, bb, gg, eps);
  };
  const [xt, gt, bt, dt] = [x, gamma, beta, dout].map((a) => toTensor(tf, a));
  assertClose32(out, fromTensor(f(xt, gt, bt)), "batch norm forward");
  const [gx, gg, gb] = tf.grads((a, b, c) => f(a, b, c).mul(dt).sum())([xt, gt, bt]);
  assertClose32(g.dx, fromTensor(gx), "dx", 10);
  assertClose32(g.dgamma, fromTensor(gg), "dgamma", 10);
  assertClose32(g.dbeta, fromTensor(gb), "dbeta", 10);
  const m = meanOnlyBatchNormForward(x, { gamma, beta });
  const mg = meanOnlyBatchNormBackward(dout, m.cache);
  const fm = (xx: import("@tensorflow/tfjs").Tensor) => xx.sub(xx.mean(0)).mul(gt).add(bt);
  assertClose32(m.out, fromTensor(fm(xt)), "mean-only forward");
  assertClose32(
    mg.dx,
    fromTensor(tf.grad((a: import("@tensorflow/tfjs").Tensor) => fm(a).mul(dt).sum())(xt)),
    "mean-only dx",
  );
});
