import assert from "node:assert/strict";
import fc from "fast-check";
import type * as TF from "@tensorflow/tfjs";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import { checkJacobian, checkOp } from "../../lib/grad/check.ts";
import { numericGradient } from "../../lib/grad/numeric.ts";
import {
  diagonalJacobian,
  elu,
  ELU_ALPHA,
  eluBackward,
  eluDerivative,
  eluForward,
  heaviside,
  HEAVISIDE_AT_ZERO,
  heavisideBackward,
  heavisideDerivative,
  heavisideForward,
  LEAKY_RELU_SLOPE,
  leakyRelu,
  leakyReluBackward,
  leakyReluDerivative,
  leakyReluForward,
  logSigmoid,
  relu,
  reluBackward,
  reluDerivative,
  reluForward,
  sigmoid,
  sigmoidBackward,
  sigmoidDerivative,
  sigmoidForward,
  sign,
  signBackward,
  signDerivative,
  signForward,
  softplus,
  softplusBackward,
  softplusDerivative,
  softplusForward,
  steepSigmoid,
  steepSigmoidBackward,
  steepSigmoidDerivative,
  steepSigmoidForward,
  tanh,
  tanhBackward,
  tanhDerivative,
  tanhForward,
  TFJS_LEAKY_RELU_ALPHA,
} from "../../lib/ops/activations.ts";
import { assertClose32, assertOp, offKinks, SHAPES, tfjs, tfValueAndGrad } from "./oracle.ts";

const RUNS = 300;
const finite = fc.double({ min: -1e300, max: 1e300, noNaN: true, noDefaultInfinity: true });
const moderate = fc.double({ min: -30, max: 30, noNaN: true });

/** Every differentiable activation as forward, backward, derivative, its kinks and tfjs twin. */
interface Act {
  name: string;
  // deno-lint-ignore no-explicit-any
  forward: (x: NDArray) => { out: NDArray; cache: any };
  // deno-lint-ignore no-explicit-any
  backward: (dout: NDArray, cache: any) => { dx: NDArray };
  derivative: (x: NDArray) => NDArray;
  kinks: number[];
  tf: (tf: typeof TF, x: TF.Tensor) => TF.Tensor;
}

const K = 2.5;
const SLOPE = 0.01;
const ACTS: Act[] = [
  {
    name: "sign",
    forward: signForward,
    backward: signBackward,
    derivative: signDerivative,
    kinks: [0],
    tf: (tf, x) => tf.sign(x),
  },
  {
    name: "heaviside",
    forward: (x) => heavisideForward(x),
    backward: heavisideBackward,
    derivative: heavisideDerivative,
    kinks: [0],
    tf: (tf, x) => tf.step(x, 0),
  },
  {
    name: "relu",
    forward: reluForward,
    backward: reluBackward,
    derivative: reluDerivative,
    kinks: [0],
    tf: (tf, x) => tf.relu(x),
  },
  {
    name: "leakyRelu",
    forward: (x) => leakyReluForward(x, { slope: SLOPE }),
    backward: leakyReluBackward,
    derivative: (x) => leakyReluDerivative(x, { slope: SLOPE }),
    kinks: [0],
    tf: (tf, x) => tf.leakyRelu(x, SLOPE),
  },
  {
    name: "sigmoid",
    forward: sigmoidForward,
    backward: sigmoidBackward,
    derivative: sigmoidDerivative,
    kinks: [],
    tf: (tf, x) => tf.sigmoid(x),
  },
  {
    name: "steepSigmoid",
    forward: (x) => steepSigmoidForward(x, { k: K }),
    backward: steepSigmoidBackward,
    derivative: (x) => steepSigmoidDerivative(x, { k: K }),
    kinks: [],
    tf: (tf, x) => tf.sigmoid(x.mul(K)),
  },
  {
    name: "tanh",
    forward: tanhForward,
    backward: tanhBackward,
    derivative: tanhDerivative,
    kinks: [],
    tf: (tf, x) => tf.tanh(x),
  },
  {
    name: "softplus",
    forward: softplusForward,
    backward: softplusBackward,
    derivative: softplusDerivative,
    kinks: [],
    tf: (tf, x) => tf.softplus(x),
  },
  {
    name: "elu",
    forward: (x) => eluForward(x),
    backward: eluBackward,
    derivative: (x) => eluDerivative(x),
    kinks: [0],
    tf: (tf, x) => tf.elu(x),
  },
];

Deno.test("activations: constants of the sheets", () => {
  assert.equal(HEAVISIDE_AT_ZERO, 0.5);
  assert.equal(LEAKY_RELU_SLOPE, 0.01);
  assert.equal(TFJS_LEAKY_RELU_ALPHA, 0.2);
  assert.equal(ELU_ALPHA, 1);
  assert.equal(heaviside(array([0])).item(), 0.5);
  assert.equal(heaviside(array([0]), { atZero: 0 }).item(), 0);
  assert.equal(reluDerivative(array([0])).item(), 0, "ReLU'(0) is taken as 0");
  assert.equal(leakyReluDerivative(array([0])).item(), 0.01, "leaky ReLU'(0) = slope");
  assert.equal(leakyRelu(array([-2])).item(), -0.02, "default slope 0.01");
  assert.equal(sigmoid(array([0])).item(), 0.5);
  assert.equal(softplus(array([0])).item(), Math.LN2);
  assert.equal(tanh(array([0])).item(), 0);
});

Deno.test("activations: closed forms on a tiny input", () => {
  const x = array([-2, -0.5, 0, 0.5, 2]);
  assert.deepEqual(sign(x).toArray(), [-1, -1, 0, 1, 1]);
  assert.deepEqual(heaviside(x).toArray(), [0, 0, 0.5, 1, 1]);
  assert.deepEqual(relu(x).toArray(), [0, 0, 0, 0.5, 2]);
  assert.deepEqual(leakyRelu(x, { slope: 0.1 }).toArray(), [-0.2, -0.05, 0, 0.5, 2]);
  const s = sigmoid(x).data;
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(s[i] - 1 / (1 + Math.exp(-x.data[i]))) < 1e-15);
  const k = steepSigmoid(x, { k: 3 }).data;
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(k[i] - 1 / (1 + Math.exp(-3 * x.data[i]))) < 1e-15);
  }
  const sp = softplus(x).data;
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(sp[i] - Math.log(1 + Math.exp(x.data[i]))) < 1e-15);
  }
  const e = elu(x).data;
  assert.ok(Math.abs(e[0] - (Math.exp(-2) - 1)) < 1e-15);
  assert.equal(e[4], 2);
  assert.ok(Math.abs(tanhDerivative(array([1])).item() - (1 - Math.tanh(1) ** 2)) < 1e-15);
  assert.deepEqual(signDerivative(x).toArray(), [0, 0, 0, 0, 0]);
  assert.deepEqual(heavisideDerivative(x).toArray(), [0, 0, 0, 0, 0]);
  assert.deepEqual(reluDerivative(x).toArray(), [0, 0, 0, 1, 1]);
  assert.deepEqual(relu(array([[1, -1]])).shape, [1, 2], "shape kept");
});

Deno.test("activations: backward passes match finite differences at several shapes", () => {
  ACTS.forEach((a, n) => {
    SHAPES.forEach((shape, s) => {
      const x = offKinks(shape, 100 * n + s, a.kinks);
      assertOp(
        { name: a.name, forward: (i) => a.forward(i.x), backward: a.backward },
        { x },
        a.name,
      );
    });
  });
});

Deno.test("activations: derivatives match finite differences and Jacobians are diagonal", () => {
  for (const a of ACTS) {
    const x = offKinks([6], 7, a.kinks);
    const f = (v: NDArray) => a.forward(v).out;
    const d = a.derivative(x);
    for (let i = 0; i < x.size; i++) {
      const num = numericGradient((v: NDArray) => f(v).data[i], x).data[i];
      assert.ok(Math.abs(num - d.data[i]) <= 1e-6 + 1e-4 * Math.abs(num), `${a.name}'(x${i})`);
    }
    const r = checkJacobian(f, (v) => diagonalJacobian(a.derivative(v)), x);
    assert.ok(r.ok, `${a.name} Jacobian: ${r.toString()}`);
  }
});

Deno.test("activations: the checker sees through a wrong ReLU backward", () => {
  const x = offKinks([5], 3, [0]);
  assert.ok(x.data.some((v) => v < 0), "the input needs a negative entry for this test to bite");
  const wrong = {
    forward: (i: Record<string, NDArray>) => reluForward(i.x),
    backward: (dout: NDArray) => ({ dx: dout }),
  };
  const r = checkOp(wrong, { x });
  assert.equal(r.ok, false);
  assert.equal(r.diagnosis.kind, "partial");
});

Deno.test("activations: property softplus(x) − softplus(−x) = x", () => {
  fc.assert(
    fc.property(moderate, (v) => {
      const d = softplus(array([v])).item() - softplus(array([-v])).item();
      return Math.abs(d - v) <= 1e-12 * Math.max(1, Math.abs(v));
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(finite, (v) => {
      const d = softplus(array([v])).item() - softplus(array([-v])).item();
      return Math.abs(d - v) <= 1e-12 * Math.max(1, Math.abs(v));
    }),
    { numRuns: RUNS },
  );
});

Deno.test("activations: property log σ(x) = −softplus(−x), finite everywhere", () => {
  fc.assert(
    fc.property(finite, (v) => {
      const ls = logSigmoid(array([v])).item();
      const ref = Math.log(sigmoid(array([v])).item());
      if (!Number.isFinite(ls)) return false;
      // Where σ(x) underflows its log is −∞, but log σ(x) ≈ x there, which logSigmoid keeps.
      return Number.isFinite(ref)
        ? Math.abs(ls - ref) <= 1e-12 * Math.max(1, Math.abs(ref))
        : ls < -700;
    }),
    { numRuns: RUNS },
  );
});

Deno.test("activations: property σ' = σ(1 − σ) and softplus' = σ", () => {
  fc.assert(
    fc.property(moderate, (v) => {
      const x = array([v]);
      const s = sigmoid(x).item();
      const num = numericGradient((t: NDArray) => sigmoid(t).item(), x).item();
      const ok1 = Math.abs(sigmoidDerivative(x).item() - s * (1 - s)) <= 1e-16;
      const ok2 = Math.abs(num - s * (1 - s)) <= 1e-8;
      const ok3 = Math.abs(softplusDerivative(x).item() - s) <= 1e-16;
      return ok1 && ok2 && ok3;
    }),
    { numRuns: RUNS },
  );
});

Deno.test("activations: property σ(kx) → H(x) as k grows (sheet 001 Q1.D)", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -10, max: 10, noNaN: true }).filter((v) => Math.abs(v) > 1e-9),
      (v) => {
        const y = steepSigmoid(array([v]), { k: 1e12 }).item();
        return Math.abs(y - heaviside(array([v])).item()) < 1e-12;
      },
    ),
    { numRuns: RUNS },
  );
  assert.equal(steepSigmoid(array([0]), { k: 1e300 }).item(), 0.5);
});

Deno.test("activations: ReLU = x·H(x) and leaky ReLU with slope 0 is ReLU", () => {
  fc.assert(
    fc.property(finite, (v) => {
      const x = array([v]);
      const r = relu(x).item();
      return r === (v === 0 ? 0 : v * heaviside(x).item()) &&
        leakyRelu(x, { slope: 0 }).item() === r + 0;
    }),
    { numRuns: RUNS },
  );
});

Deno.test("activations: extreme inputs ±1e3 and ±1e300 stay finite and correct", () => {
  const x = array([-1e300, -1e3, 1e3, 1e300]);
  assert.deepEqual(sigmoid(x).toArray(), [0, 0, 1, 1]);
  assert.deepEqual(softplus(x).toArray(), [0, 0, 1e3, 1e300]);
  assert.deepEqual(logSigmoid(x).toArray(), [-1e300, -1e3, 0, 0]);
  assert.deepEqual(tanh(x).toArray(), [-1, -1, 1, 1]);
  assert.deepEqual(elu(x).toArray(), [-1, -1, 1e3, 1e300]);
  assert.deepEqual(steepSigmoid(x, { k: 1e10 }).toArray(), [0, 0, 1, 1]);
  for (const a of ACTS) {
    const { out, cache } = a.forward(x);
    assert.ok(out.isFinite(), `${a.name} forward finite`);
    assert.ok(a.backward(array([1, 1, 1, 1]), cache).dx.isFinite(), `${a.name} backward finite`);
  }
  assert.deepEqual(sigmoidDerivative(x).toArray(), [0, 0, 0, 0]);
  // Tiny inputs keep their tail: softplus(−40) = e^−40 to full precision, not 0.
  assert.ok(Math.abs(softplus(array([-40])).item() / Math.exp(-40) - 1) < 1e-12);
  // A single element and an empty array.
  assert.equal(relu(array([3])).item(), 3);
  assert.equal(sigmoid(new NDArray(new Float64Array(0), [0])).size, 0);
});

Deno.test("activations: bad inputs throw errors naming the op and the argument", () => {
  assert.throws(() => relu([1, 2] as unknown as NDArray), /relu: x must be an NDArray/);
  assert.throws(() => leakyRelu(array([1]), { slope: NaN }), /leakyRelu: options.slope/);
  assert.throws(() => heaviside(array([1]), { atZero: Infinity }), /heaviside: options.atZero/);
  assert.throws(() => steepSigmoid(array([1]), { k: Infinity }), /steepSigmoid: options.k/);
  const { cache } = reluForward(array([1, 2, 3]));
  assert.throws(
    () => reluBackward(array([1, 2]), cache),
    (e: unknown) =>
      e instanceof RangeError &&
      /reluBackward: dout has shape \[2\] but x has shape \[3\]/.test(e.message),
  );
});

Deno.test("activations: forward values and gradients agree with tfjs (float32)", async () => {
  const tf = await tfjs();
  ACTS.forEach((a, n) => {
    for (const shape of [[5], [3, 4]]) {
      const x = offKinks(shape, 900 + n, a.kinks);
      const dout = randn(shape, { seed: 950 + n });
      const ref = tfValueAndGrad(tf, (t) => a.tf(tf, t), x, dout);
      const { out, cache } = a.forward(x);
      assertClose32(out, ref.out, `${a.name} forward`);
      assertClose32(a.backward(dout, cache).dx, ref.grad, `${a.name} gradient`);
    }
  });
  // tfjs's leaky ReLU default slope differs from the sheet's: the same function only with α given.
  const x = array([-1]);
  const tfDefault = tf.leakyRelu(tf.tensor([-1])).dataSync()[0];
  assert.ok(Math.abs(tfDefault - -TFJS_LEAKY_RELU_ALPHA) < 1e-7);
  assert.equal(leakyRelu(x).item(), -LEAKY_RELU_SLOPE);
});
