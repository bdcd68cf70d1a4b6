import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray, ones, randn } from "../../lib/ndarray.ts";
import {
  DROPOUT_P,
  dropoutBackward,
  dropoutForward,
  GAUSSIAN_DROPOUT_SIGMA,
  gaussianDropoutBackward,
  gaussianDropoutForward,
} from "../../lib/ops/dropout.ts";
import { assertClose32, assertOp, fromTensor, rangeError, tfjs, toTensor } from "./oracle.ts";

const RUNS = 200;

Deno.test("dropout: constants and the identities p = 0, σ = 0, inference", () => {
  assert.equal(DROPOUT_P, 0.5);
  assert.equal(GAUSSIAN_DROPOUT_SIGMA, 1);
  const x = randn([3, 4], { seed: 1 });
  for (
    const out of [
      dropoutForward(x, { p: 0 }).out,
      dropoutForward(x, { p: 0.9, training: false }).out,
      gaussianDropoutForward(x, { sigma: 0 }).out,
      gaussianDropoutForward(x, { training: false }).out,
    ]
  ) assert.deepEqual(out.toArray(), x.toArray());
});

Deno.test("dropout: closed form — kept entries are x/(1 − p), dropped are 0, same mask backward", () => {
  const x = array([1, 2, 3, 4, 5, 6, 7, 8]);
  const { out, cache } = dropoutForward(x, { p: 0.75, seed: 9 });
  for (let i = 0; i < x.size; i++) assert.ok(out.data[i] === 0 || out.data[i] === 4 * x.data[i]);
  const { dx } = dropoutBackward(ones([8]), cache);
  for (let i = 0; i < x.size; i++) assert.equal(dx.data[i], out.data[i] === 0 ? 0 : 4);
  const g = gaussianDropoutForward(x, { sigma: 0.3, seed: 2 });
  const gd = gaussianDropoutBackward(ones([8]), g.cache).dx;
  for (let i = 0; i < x.size; i++) {
    assert.ok(Math.abs(g.out.data[i] - gd.data[i] * x.data[i]) < 1e-15);
  }
});

Deno.test("dropout: seeded — the same seed gives the same mask, another seed another", () => {
  const x = ones([50]);
  assert.deepEqual(
    dropoutForward(x, { seed: 4 }).out.toArray(),
    dropoutForward(x, { seed: 4 }).out.toArray(),
  );
  assert.notDeepEqual(
    dropoutForward(x, { seed: 4 }).out.toArray(),
    dropoutForward(x, { seed: 5 }).out.toArray(),
  );
  assert.deepEqual(
    gaussianDropoutForward(x, { seed: 4 }).out.toArray(),
    gaussianDropoutForward(x, { seed: 4 }).out.toArray(),
  );
});

Deno.test("dropout: backward passes match finite differences at several shapes", () => {
  for (const shape of [[1], [9], [3, 5], [2, 3, 4]]) {
    const x = randn(shape, { seed: shape.length });
    for (const p of [0.2, 0.5]) {
      assertOp(
        { forward: (i) => dropoutForward(i.x, { p, seed: 11 }), backward: dropoutBackward },
        { x },
        `dropout p=${p} ${shape}`,
      );
    }
    assertOp(
      {
        forward: (i) => gaussianDropoutForward(i.x, { sigma: 0.5, seed: 12 }),
        backward: gaussianDropoutBackward,
      },
      { x },
      `gaussian dropout ${shape}`,
    );
  }
});

Deno.test("dropout: property E[mask] = 1 and the drop rate is p (large seeded samples)", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 0.9, noNaN: true }),
      fc.integer({ min: 0, max: 1e6 }),
      (p, seed) => {
        const n = 20000;
        const { cache } = dropoutForward(ones([n]), { p, seed });
        let kept = 0, sum = 0;
        for (const m of cache.mask.data) {
          sum += m;
          if (m !== 0) kept++;
        }
        // Binomial standard error of the drop rate is at most 0.5/√n ≈ 0.0035; allow 5 of them.
        return Math.abs(1 - kept / n - p) < 0.018 && Math.abs(sum / n - 1) < 0.018 / (1 - p);
      },
    ),
    { numRuns: 50 },
  );
  fc.assert(
    fc.property(
      fc.double({ min: 0.01, max: 2, noNaN: true }),
      fc.integer({ min: 0, max: 1e6 }),
      (sigma, seed) => {
        const n = 20000;
        const d = gaussianDropoutForward(ones([n]), { sigma, seed }).cache.mask;
        const mean = d.mean().item();
        const variance = d.sub(mean).mul(d.sub(mean)).mean().item();
        return Math.abs(mean - 1) < 5 * sigma / Math.sqrt(n) &&
          Math.abs(variance / sigma ** 2 - 1) < 0.06;
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("dropout: property backward is linear in dout with the forward mask", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
      const x = randn([n], { seed });
      const { out, cache } = dropoutForward(x, { p: 0.4, seed });
      const dx = dropoutBackward(x, cache).dx;
      // With dout = x, dx = mask ⊙ x = out.
      return dx.data.every((v, i) => v === out.data[i]);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("sheet 004 Q5: Gaussian dropout's expected gradient adds σ²Wᵢxᵢ² (Monte Carlo)", () => {
  const x = array([0.5, -1, 2]), w = array([0.3, 0.2, -0.4]), yd = 0.7, sigma = 0.6;
  const draws = 40000;
  const mean = new Float64Array(3);
  for (let s = 0; s < draws; s++) {
    const delta = gaussianDropoutForward(ones([3]), { sigma, seed: s }).cache.mask.data;
    let yhat = 0;
    for (let k = 0; k < 3; k++) yhat += delta[k] * w.data[k] * x.data[k];
    for (let i = 0; i < 3; i++) mean[i] += (-delta[i] * x.data[i] * (yd - yhat)) / draws;
  }
  const plain = yd - w.dot(x);
  for (let i = 0; i < 3; i++) {
    const expected = -x.data[i] * plain + sigma ** 2 * w.data[i] * x.data[i] ** 2;
    assert.ok(Math.abs(mean[i] - expected) < 0.03, `E[∂J/∂W${i}] ${mean[i]} vs ${expected}`);
  }
});

Deno.test("dropout: extreme values stay exact", () => {
  const x = array([1e300, -1e300, 0]);
  const { out } = dropoutForward(x, { p: 0.5, seed: 3 });
  assert.ok(out.data.every((v, i) => v === 0 || v === 2 * x.data[i]));
  assert.ok(dropoutForward(array([1e308]), { p: 0.5, seed: 0 }).out.data[0] !== -Infinity);
  assert.equal(dropoutForward(array([7]), { p: 0.5, seed: 1 }).out.size, 1, "a single element");
});

Deno.test("dropout: bad inputs throw RangeErrors naming the op, the argument and the shapes", () => {
  assert.throws(
    () => dropoutForward(ones([2]), { p: 1 }),
    rangeError(/dropout: options.p must be in \[0, 1\), got 1/),
  );
  assert.throws(() => dropoutForward(ones([2]), { p: -0.1 }), rangeError(/dropout: options.p/));
  assert.throws(
    () => gaussianDropoutForward(ones([2]), { sigma: -1 }),
    rangeError(/gaussianDropout: options.sigma must be a finite number ≥ 0, got -1/),
  );
  const { cache } = dropoutForward(ones([2, 3]));
  assert.throws(
    () => dropoutBackward(ones([3, 2]), cache),
    rangeError(/dropoutBackward: dout has shape \[3, 2\] but x has shape \[2, 3\]/),
  );
  assert.throws(() => dropoutForward([1] as unknown as NDArray), TypeError);
});

Deno.test("dropout: x ⊙ mask agrees with tfjs (float32); tf.dropout keeps the same scale", async () => {
  const tf = await tfjs();
  const x = randn([6, 7], { seed: 41 }), dout = randn([6, 7], { seed: 42 });
  const { out, cache } = dropoutForward(x, { p: 0.3, seed: 43 });
  const mask = toTensor(tf, cache.mask);
  assertClose32(out, fromTensor(toTensor(tf, x).mul(mask)), "forward");
  const g = tf.grad((t: import("@tensorflow/tfjs").Tensor) =>
    t.mul(mask).mul(toTensor(tf, dout)).sum()
  )(toTensor(tf, x));
  assertClose32(dropoutBackward(dout, cache).dx, fromTensor(g), "gradient");
  // tf.dropout draws its own mask but uses the same inverted scaling 1/(1 − p).
  const tfOut = tf.dropout(tf.ones([1000]), 0.3, undefined, 7).dataSync();
  assert.ok(tfOut.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
});
