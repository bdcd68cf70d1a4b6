import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray, randn } from "../../lib/ndarray.ts";
import {
  l1Subdifferential,
  l1Subgradient,
  SOFT_THRESHOLD_T,
  softThreshold,
  softThresholdBackward,
  softThresholdForward,
} from "../../lib/ops/proximal.ts";
import { assertClose32, assertOp, offKinks, rangeError, tfjs, tfValueAndGrad } from "./oracle.ts";

const RUNS = 300;

/** The prox objective ½‖z − x‖² + t‖z‖₁. */
function objective(z: number[], x: number[], t: number): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += 0.5 * (z[i] - x[i]) ** 2 + t * Math.abs(z[i]);
  return s;
}

Deno.test("proximal: constants", () => {
  assert.equal(SOFT_THRESHOLD_T, 1);
  assert.deepEqual(softThreshold(array([-2, 0.5, 3])).toArray(), [-1, 0, 2], "default t = 1");
});

Deno.test("proximal: closed form of sheet 000 Q9 on a tiny input", () => {
  const x = array([-3, -0.2, 0, 0.2, 0.7, 5]);
  assert.deepEqual(softThreshold(x, { t: 0.5 }).toArray(), [-2.5, 0, 0, 0, 0.7 - 0.5, 4.5]);
  const { cache } = softThresholdForward(x, { t: 0.5 });
  assert.deepEqual(softThresholdBackward(array([1, 1, 1, 1, 1, 1]), cache).dx.toArray(), [
    1,
    0,
    0,
    0,
    1,
    1,
  ]);
  // At the kink |x| = t the derivative is taken from the flat side.
  const edge = softThresholdForward(array([0.5, -0.5]), { t: 0.5 });
  assert.deepEqual(softThresholdBackward(array([1, 1]), edge.cache).dx.toArray(), [0, 0]);
  assert.deepEqual(l1Subgradient(array([-1, 0, 2]), { t: 2 }).toArray(), [-2, 0, 2]);
  const sd = l1Subdifferential(array([-1, 0, 2]), { t: 2 });
  assert.deepEqual(sd.low.toArray(), [-2, -2, 2]);
  assert.deepEqual(sd.high.toArray(), [-2, 2, 2]);
});

Deno.test("proximal: backward matches finite differences at several shapes, off the kinks", () => {
  for (const shape of [[1], [8], [3, 4], [2, 2, 5]]) {
    for (const t of [0, 0.3, 1]) {
      const x = offKinks(shape, shape.length + 10 * t, [-t, t]);
      assertOp(
        { forward: (i) => softThresholdForward(i.x, { t }), backward: softThresholdBackward },
        { x },
        `soft-threshold t=${t} ${shape}`,
      );
    }
  }
});

Deno.test("proximal: property S_t(x) minimizes ½‖z − x‖² + t‖z‖₁ (vs nearby points)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 6 }),
      fc.double({ min: 0, max: 5, noNaN: true }),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }),
      fc.double({ min: 1e-6, max: 1, noNaN: true }),
      (xs, t, dir, step) => {
        const z = Array.from(softThreshold(array(xs), { t }).data);
        const best = objective(z, xs, t);
        const moved = z.map((v, i) => v + step * dir[i]);
        // Also the coordinate-wise neighbours ±step.
        for (let i = 0; i < z.length; i++) {
          for (const s of [-step, step]) {
            const y = z.slice();
            y[i] += s;
            if (objective(y, xs, t) < best - 1e-12) return false;
          }
        }
        return objective(moved, xs, t) >= best - 1e-12;
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("proximal: property x − S_t(x) ∈ ∂(t‖·‖₁)(S_t(x)) (the optimality condition)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 8 }),
      fc.double({ min: 0, max: 100, noNaN: true }),
      (xs, t) => {
        const x = array(xs);
        const z = softThreshold(x, { t });
        const { low, high } = l1Subdifferential(z, { t });
        return xs.every((v, i) => {
          const r = v - z.data[i];
          const tol = 1e-9 * Math.max(1, Math.abs(v));
          return r >= low.data[i] - tol && r <= high.data[i] + tol;
        });
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("proximal: property S_t = sign(x)·max(|x| − t, 0), odd, shrinks, t = 0 is identity", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -1e300, max: 1e300, noNaN: true }),
      fc.double({ min: 0, max: 1e300, noNaN: true }),
      (v, t) => {
        const s = softThreshold(array([v]), { t }).item();
        const ref = Math.sign(v) * Math.max(Math.abs(v) - t, 0);
        return s === ref + 0 && softThreshold(array([-v]), { t }).item() === -s + 0 &&
          Math.abs(s) <= Math.abs(v) && softThreshold(array([v]), { t: 0 }).item() === v + 0;
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("proximal: extreme values, a single element, and the subgradient's choice at 0", () => {
  assert.deepEqual(softThreshold(array([1e300, -1e300]), { t: 1e299 }).toArray(), [9e299, -9e299]);
  assert.equal(softThreshold(array([1e-300]), { t: 1e-300 }).item(), 0);
  assert.equal(l1Subgradient(array([0]), { atZero: -0.25 }).item(), -0.25);
});

Deno.test("proximal: bad inputs throw RangeErrors naming the op and the argument", () => {
  assert.throws(
    () => softThreshold(array([1]), { t: -1 }),
    rangeError(/softThreshold: options.t must be a finite number ≥ 0, got -1/),
  );
  assert.throws(
    () => softThreshold(array([1]), { t: NaN }),
    rangeError(/softThreshold: options.t/),
  );
  assert.throws(
    () => l1Subgradient(array([0]), { atZero: 2 }),
    rangeError(/l1Subgradient: options.atZero must be in \[−1, 1\], got 2/),
  );
  const { cache } = softThresholdForward(array([1, 2]));
  assert.throws(
    () => softThresholdBackward(array([1]), cache),
    rangeError(/softThresholdBackward: dout has shape \[1\] but x has shape \[2\]/),
  );
  assert.throws(() => softThreshold("x" as unknown as NDArray), TypeError);
});

Deno.test("proximal: agrees with sign(x)·relu(|x| − t) in tfjs (float32)", async () => {
  const tf = await tfjs();
  const t = 0.4;
  const x = offKinks([5, 6], 51, [-t, t]);
  const dout = randn([5, 6], { seed: 52 });
  const ref = tfValueAndGrad(tf, (v) => tf.sign(v).mul(tf.relu(tf.abs(v).sub(t))), x, dout);
  const { out, cache } = softThresholdForward(x, { t });
  assertClose32(out, ref.out, "forward");
  assertClose32(softThresholdBackward(dout, cache).dx, ref.grad, "gradient");
});
