/**
 * The explicit list of every op with a backward pass, as `deno task gradcheck` and the tests
 * check it: each entry has seeded inputs away from the op's kinks and, where tfjs has the same
 * function, its tfjs forward pass (float32) as a third oracle. Convolution and pooling come from
 * `./conv_cases.ts` and are appended at the end.
 *
 * Where tfjs differs in convention the entry says so in `tfNote` (leaky ReLU's default slope,
 * `tf.step` at 0, `tf.batchNorm`'s argument order, the hinge losses built from primitives).
 *
 * @example
 * ```ts
 * import { checkOp } from "../grad/check.ts";
 * import { OP_CASES } from "./cases.ts";
 * const c = OP_CASES.find((c) => c.name === "softmax")!;
 * if (!checkOp(c.op, c.inputs(), c.options).ok) throw new Error("softmax backward");
 * ```
 *
 * @module
 */

import type * as TF from "@tensorflow/tfjs";
import { formatShape, NDArray, randn } from "../ndarray.ts";
import { Random } from "../random.ts";
import type { Inputs } from "../grad/numeric.ts";
import type { OpCase } from "./op_case.ts";
import { CONV_POOL_CASES } from "./conv_cases.ts";
import {
  type ActivationCache,
  type ActivationForward,
  eluBackward,
  eluForward,
  heavisideBackward,
  heavisideForward,
  leakyReluBackward,
  leakyReluForward,
  reluBackward,
  reluForward,
  sigmoidBackward,
  sigmoidForward,
  signBackward,
  signForward,
  softplusBackward,
  softplusForward,
  steepSigmoidBackward,
  steepSigmoidForward,
  tanhBackward,
  tanhForward,
} from "../ops/activations.ts";
import {
  binaryCrossEntropyBackward,
  binaryCrossEntropyForward,
  crossEntropyBackward,
  type CrossEntropyCache,
  crossEntropyForward,
  logSoftmaxBackward,
  logSoftmaxForward,
  type Reduction,
  softmax,
  softmaxBackward,
  softmaxForward,
} from "../ops/softmax.ts";
import {
  hingeBackward,
  type HingeCache,
  hingeForward,
  mseBackward,
  mseForward,
  type MseNormalization,
  softmaxHingeBackward,
  softmaxHingeForward,
} from "../ops/losses.ts";
import {
  linearColumnsBackward,
  linearColumnsForward,
  linearRowsBackward,
  linearRowsForward,
} from "../ops/linear.ts";
import {
  batchNormBackward,
  batchNormForward,
  meanOnlyBatchNormBackward,
  meanOnlyBatchNormForward,
} from "../ops/batch_norm.ts";
import {
  dropoutBackward,
  dropoutForward,
  gaussianDropoutBackward,
  gaussianDropoutForward,
} from "../ops/dropout.ts";
import { softThresholdBackward, softThresholdForward } from "../ops/proximal.ts";

/** Base seed of these cases' inputs; each case adds its own offset. */
const SEED = 1_000;
/** Smallest distance of a case input from a kink of its op. */
const KINK_MARGIN = 0.05;
/** Slope of the leaky-ReLU case: the sheet's default (tfjs's default alpha is 0.2). */
const LEAKY_SLOPE = 0.01;
/** Steepness of the steep-sigmoid case. */
const STEEP_K = 3;
/** Temperature of the tempered-softmax case. */
const TEMPERATURE = 2;
/** Margin of the softmax-hinge case (small enough that some terms are inactive). */
const PROB_MARGIN = 0.2;
/** Threshold of the soft-threshold case. */
const THRESHOLD = 0.5;
/** ε of the batch-norm case. */
const BN_EPS = 1e-5;
/** Drop probability of the dropout case. */
const DROP_P = 0.3;
/** σ of the Gaussian-dropout case. */
const DROP_SIGMA = 0.5;

/** Standard-normal entries at least `margin` away from every point in `kinks`. */
function awayFrom(shape: number[], seed: number, kinks: number[], margin = KINK_MARGIN): NDArray {
  const a = randn(shape, { seed });
  for (let i = 0; i < a.size; i++) {
    for (const k of kinks) {
      const d = a.data[i] - k;
      if (Math.abs(d) < margin) a.data[i] = k + (d >= 0 ? margin : -margin) * 2;
    }
  }
  return a;
}

/** Seeded class labels `[N]` in [0, C). */
function labels(n: number, c: number, seed: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => rng.int(c));
}

/** Soft targets `[N, C]`: a softmax of random logits, so each row is a distribution. */
function softTargets(n: number, c: number, seed: number): NDArray {
  return softmax(randn([n, c], { seed }));
}

function oneHotTf(tf: typeof TF, y: number[], c: number): TF.Tensor {
  return tf.oneHot(tf.tensor1d(y, "int32"), c).toFloat();
}

/** An element-wise activation case on `x` of the given shape. */
function activationCase<C extends ActivationCache>(
  name: string,
  shape: number[],
  seed: number,
  forward: (x: NDArray) => ActivationForward<C>,
  backward: (dout: NDArray, cache: C) => { dx: NDArray },
  kinks: number[],
  tf?: OpCase["tf"],
  tfNote?: string,
): OpCase {
  return {
    name,
    shapes: `x ${formatShape(shape)}`,
    op: { name, forward: (i: Inputs) => forward(i.x), backward },
    inputs: () => ({ x: awayFrom(shape, seed, kinks) }),
    tf,
    tfNote,
  };
}

function crossEntropyCase(
  name: string,
  n: number,
  c: number,
  seed: number,
  soft: boolean,
  reduction: Reduction,
): OpCase {
  const y = labels(n, c, seed + 1);
  const t = softTargets(n, c, seed + 2);
  return {
    name,
    shapes: `x [${n}, ${c}], target ${soft ? `[${n}, ${c}] soft` : `[${n}] indices`}, ${reduction}`,
    op: {
      name,
      forward: (i: Inputs) => crossEntropyForward(i.x, soft ? t : y, { reduction }),
      backward: (dout: NDArray, cache: CrossEntropyCache) => crossEntropyBackward(dout, cache),
    },
    inputs: () => ({ x: randn([n, c], { seed }).mul(2) }),
    tf: (tf, i) => {
      const target = soft ? tf.tensor(Float32Array.from(t.data), [n, c]) : oneHotTf(tf, y, c);
      if (reduction === "none") {
        return tf.losses.softmaxCrossEntropy(target, i.x, undefined, 0, tf.Reduction.NONE);
      }
      const mean = tf.losses.softmaxCrossEntropy(target, i.x);
      return reduction === "sum" ? mean.mul(n) : mean;
    },
    tfNote: "tf.losses.softmaxCrossEntropy takes (onehotLabels, logits), labels first",
  };
}

function mseCase(normalization: MseNormalization, seed: number): OpCase {
  const shape = [4, 3];
  const n = 12;
  const name = `mse-${normalization}`;
  return {
    name,
    shapes: `x ${formatShape(shape)}, y ${formatShape(shape)}`,
    op: {
      name,
      forward: (i: Inputs) => mseForward(i.x, i.y, { normalization }),
      backward: mseBackward,
    },
    inputs: () => ({ x: randn(shape, { seed }), y: randn(shape, { seed: seed + 1 }) }),
    tf: (_tf, i) => {
      const s = i.x.sub(i.y).square().sum();
      const c = { "sum": 1, "mean": 1 / n, "half-sum": 0.5, "half-mean": 0.5 / n }[normalization];
      return s.mul(c);
    },
    tfNote: normalization === "mean"
      ? "equals tf.losses.meanSquaredError(y, x)"
      : "tfjs's meanSquaredError is the mean; this normalization is built from tf.square and tf.sum",
  };
}

/** Logits whose softmax-hinge terms all stay at least KINK_MARGIN·0.1 from their hinge. */
function hingeSafeLogits(n: number, c: number, y: number[], margin: number, seed: number): NDArray {
  for (let s = seed;; s++) {
    const x = randn([n, c], { seed: s }).mul(1.5);
    const p = softmax(x).data;
    let ok = true;
    for (let r = 0; r < n && ok; r++) {
      for (let k = 0; k < c; k++) {
        if (k !== y[r] && Math.abs(p[r * c + k] - p[r * c + y[r]] + margin) < KINK_MARGIN * 0.1) {
          ok = false;
        }
      }
    }
    if (ok) return x;
  }
}

/**
 * Scores whose hinge terms s_k − s_y + 1 stay ≥ 0.05 from 0: multiples of 1/4 plus 0.1·k in
 * column k, so a difference of two columns is a multiple of 1/4 plus ±0.1…0.4, never an integer.
 */
function hingeSafeScores(n: number, c: number, seed: number): NDArray {
  const x = randn([n, c], { seed });
  for (let i = 0; i < x.size; i++) x.data[i] = Math.round(x.data[i] * 4) / 4 + 0.1 * (i % c);
  return x;
}

function hingeTf(
  tf: typeof TF,
  v: TF.Tensor,
  y: number[],
  c: number,
  margin: number,
): TF.Tensor {
  const onehot = oneHotTf(tf, y, c);
  const vy = v.mul(onehot).sum(1, true);
  return tf.relu(v.sub(vy).add(margin)).mul(onehot.neg().add(1)).sum(1).mean();
}

const HINGE_N = 6, HINGE_C = 5;
const HINGE_Y = labels(HINGE_N, HINGE_C, SEED + 171);

/** The cases of this file's ops (without convolution and pooling). */
export const BASIC_OP_CASES: readonly OpCase[] = [
  activationCase(
    "sign",
    [4, 5],
    SEED + 10,
    signForward,
    signBackward,
    [0],
    (tf, i) => tf.sign(i.x),
  ),
  activationCase(
    "heaviside",
    [4, 5],
    SEED + 20,
    (x) => heavisideForward(x),
    heavisideBackward,
    [0],
    (tf, i) => tf.step(i.x, 0),
    "tf.step(x, alpha) returns alpha for every x ≤ 0, so it matches H only off 0 (H(0) = 1/2 here)",
  ),
  activationCase(
    "relu",
    [4, 5],
    SEED + 30,
    reluForward,
    reluBackward,
    [0],
    (tf, i) => tf.relu(i.x),
  ),
  activationCase(
    "leakyRelu",
    [4, 5],
    SEED + 40,
    (x) => leakyReluForward(x, { slope: LEAKY_SLOPE }),
    leakyReluBackward,
    [0],
    (tf, i) => tf.leakyRelu(i.x, LEAKY_SLOPE),
    "tf.leakyRelu's default alpha is 0.2; the sheet's (and our) default slope 0.01 is passed",
  ),
  activationCase(
    "sigmoid",
    [4, 5],
    SEED + 50,
    sigmoidForward,
    sigmoidBackward,
    [],
    (tf, i) => tf.sigmoid(i.x),
  ),
  activationCase(
    "steepSigmoid",
    [4, 5],
    SEED + 60,
    (x) => steepSigmoidForward(x, { k: STEEP_K }),
    steepSigmoidBackward,
    [],
    (tf, i) => tf.sigmoid(i.x.mul(STEEP_K)),
    "no tfjs op: tf.sigmoid(x·k)",
  ),
  activationCase("tanh", [4, 5], SEED + 70, tanhForward, tanhBackward, [], (tf, i) => tf.tanh(i.x)),
  activationCase(
    "softplus",
    [4, 5],
    SEED + 80,
    softplusForward,
    softplusBackward,
    [],
    (tf, i) => tf.softplus(i.x),
  ),
  activationCase(
    "elu",
    [4, 5],
    SEED + 90,
    (x) => eluForward(x),
    eluBackward,
    [0],
    (tf, i) => tf.elu(i.x),
  ),
  {
    name: "softmax",
    shapes: "x [4, 10]",
    op: { name: "softmax", forward: (i: Inputs) => softmaxForward(i.x), backward: softmaxBackward },
    inputs: () => ({ x: randn([4, 10], { seed: SEED + 100 }).mul(2) }),
    tf: (tf, i) => tf.softmax(i.x),
  },
  {
    name: "softmax-temperature",
    shapes: `x [3, 5], T = ${TEMPERATURE}`,
    op: {
      name: "softmax-temperature",
      forward: (i: Inputs) => softmaxForward(i.x, { temperature: TEMPERATURE }),
      backward: softmaxBackward,
    },
    inputs: () => ({ x: randn([3, 5], { seed: SEED + 110 }).mul(2) }),
    tf: (tf, i) => tf.softmax(i.x.div(TEMPERATURE)),
    tfNote: "no temperature in tf.softmax: tf.softmax(x / T)",
  },
  {
    name: "logSoftmax",
    shapes: "x [4, 10]",
    op: {
      name: "logSoftmax",
      forward: (i: Inputs) => logSoftmaxForward(i.x),
      backward: logSoftmaxBackward,
    },
    inputs: () => ({ x: randn([4, 10], { seed: SEED + 120 }).mul(2) }),
    tf: (tf, i) => tf.logSoftmax(i.x),
  },
  crossEntropyCase("crossEntropy", 8, 10, SEED + 130, false, "mean"),
  crossEntropyCase("crossEntropy-soft", 5, 6, SEED + 140, true, "sum"),
  crossEntropyCase("crossEntropy-none", 4, 3, SEED + 150, false, "none"),
  {
    name: "binaryCrossEntropy",
    shapes: "x [4, 5], target [4, 5]",
    op: {
      name: "binaryCrossEntropy",
      forward: (i: Inputs) => binaryCrossEntropyForward(i.x, i.target),
      backward: binaryCrossEntropyBackward,
    },
    inputs: () => ({
      x: randn([4, 5], { seed: SEED + 160 }).mul(2),
      target: new NDArray(
        new Random(SEED + 161).fillUniform(new Float64Array(20)),
        [4, 5],
      ),
    }),
    tf: (tf, i) => tf.losses.sigmoidCrossEntropy(i.target, i.x),
    tfNote: "tf.losses.sigmoidCrossEntropy takes (labels, logits), labels first",
  },
  mseCase("sum", SEED + 180),
  mseCase("mean", SEED + 190),
  mseCase("half-sum", SEED + 200),
  mseCase("half-mean", SEED + 210),
  {
    name: "hinge",
    shapes: `x [${HINGE_N}, ${HINGE_C}], labels [${HINGE_N}], margin 1`,
    op: {
      name: "hinge",
      forward: (i: Inputs) => hingeForward(i.x, HINGE_Y),
      backward: (dout: NDArray, cache: HingeCache) => hingeBackward(dout, cache),
    },
    inputs: () => ({ x: hingeSafeScores(HINGE_N, HINGE_C, SEED + 170) }),
    tf: (tf, i) => hingeTf(tf, i.x, HINGE_Y, HINGE_C, 1),
    tfNote: "no multi-class hinge in tfjs (tf.losses.hingeLoss is binary): built from tf.relu",
  },
  {
    name: "softmaxHinge",
    shapes: `x [${HINGE_N}, ${HINGE_C}], labels [${HINGE_N}], margin ${PROB_MARGIN}`,
    op: {
      name: "softmaxHinge",
      forward: (i: Inputs) => softmaxHingeForward(i.x, HINGE_Y, { margin: PROB_MARGIN }),
      backward: (dout: NDArray, cache: HingeCache) => softmaxHingeBackward(dout, cache),
    },
    inputs: () => ({
      x: hingeSafeLogits(HINGE_N, HINGE_C, HINGE_Y, PROB_MARGIN, SEED + 175),
    }),
    tf: (tf, i) => hingeTf(tf, tf.softmax(i.x), HINGE_Y, HINGE_C, PROB_MARGIN),
    tfNote: "sheet 002 Ex3 hinge on softmax probabilities, built from tf.softmax and tf.relu",
  },
  {
    name: "linearColumns",
    shapes: "Wx + b: x [5, 3], w [4, 5], b [4, 1]",
    op: {
      name: "linearColumns",
      forward: (i: Inputs) => linearColumnsForward(i.x, { w: i.w, b: i.b }),
      backward: linearColumnsBackward,
    },
    inputs: () => ({
      x: randn([5, 3], { seed: SEED + 220 }),
      w: randn([4, 5], { seed: SEED + 221 }),
      b: randn([4, 1], { seed: SEED + 222 }),
    }),
    tf: (tf, i) => tf.matMul(i.w, i.x).add(i.b),
  },
  {
    name: "linearRows",
    shapes: "xW + b: x [6, 5], w [5, 3], b [3]",
    op: {
      name: "linearRows",
      forward: (i: Inputs) => linearRowsForward(i.x, { w: i.w, b: i.b }),
      backward: linearRowsBackward,
    },
    inputs: () => ({
      x: randn([6, 5], { seed: SEED + 230 }),
      w: randn([5, 3], { seed: SEED + 231 }),
      b: randn([3], { seed: SEED + 232 }),
    }),
    tf: (tf, i) => tf.matMul(i.x, i.w).add(i.b),
  },
  {
    name: "meanOnlyBatchNorm",
    shapes: "x [8, 4], gamma [4], beta [4]",
    op: {
      name: "meanOnlyBatchNorm",
      forward: (i: Inputs) => meanOnlyBatchNormForward(i.x, { gamma: i.gamma, beta: i.beta }),
      backward: meanOnlyBatchNormBackward,
    },
    inputs: () => ({
      x: randn([8, 4], { seed: SEED + 240 }),
      gamma: randn([4], { seed: SEED + 241 }),
      beta: randn([4], { seed: SEED + 242 }),
    }),
    tf: (_tf, i) => i.x.sub(i.x.mean(0)).mul(i.gamma).add(i.beta),
    tfNote: "no mean-only batch norm in tfjs: γ(x − mean(x, 0)) + β",
  },
  {
    name: "batchNorm",
    shapes: "x [8, 4], gamma [4], beta [4], eps 1e-5",
    op: {
      name: "batchNorm",
      forward: (i: Inputs) => batchNormForward(i.x, { gamma: i.gamma, beta: i.beta, eps: BN_EPS }),
      backward: batchNormBackward,
    },
    inputs: () => ({
      x: randn([8, 4], { seed: SEED + 250 }),
      gamma: randn([4], { seed: SEED + 251 }),
      beta: randn([4], { seed: SEED + 252 }),
    }),
    tf: (tf, i) => {
      const { mean, variance } = tf.moments(i.x, 0);
      return tf.batchNorm(i.x, mean, variance, i.beta, i.gamma, BN_EPS);
    },
    tfNote: "tf.batchNorm(x, mean, variance, offset β, scale γ, ε) with tf.moments(x, 0); " +
      "tfjs's default ε is 0.001, ours 1e-5",
  },
  {
    name: "dropout",
    shapes: `x [6, 7], p ${DROP_P}`,
    op: {
      name: "dropout",
      forward: (i: Inputs) => dropoutForward(i.x, { p: DROP_P, seed: SEED + 261 }),
      backward: dropoutBackward,
    },
    inputs: () => ({
      x: randn([6, 7], { seed: SEED + 260 }),
      mask: dropoutForward(new NDArray(new Float64Array(42).fill(1), [6, 7]), {
        p: DROP_P,
        seed: SEED + 261,
      }).out,
    }),
    options: { wrt: ["x"] },
    tf: (_tf, i) => i.x.mul(i.mask),
    tfNote: "tf.dropout draws its own mask: compared as x ⊙ mask with our seeded mask",
  },
  {
    name: "gaussianDropout",
    shapes: `x [6, 7], sigma ${DROP_SIGMA}`,
    op: {
      name: "gaussianDropout",
      forward: (i: Inputs) => gaussianDropoutForward(i.x, { sigma: DROP_SIGMA, seed: SEED + 271 }),
      backward: gaussianDropoutBackward,
    },
    inputs: () => ({
      x: randn([6, 7], { seed: SEED + 270 }),
      mask: gaussianDropoutForward(new NDArray(new Float64Array(42).fill(1), [6, 7]), {
        sigma: DROP_SIGMA,
        seed: SEED + 271,
      }).out,
    }),
    options: { wrt: ["x"] },
    tf: (_tf, i) => i.x.mul(i.mask),
    tfNote: "no seeded functional Gaussian dropout in tfjs: compared as x ⊙ δ with our mask",
  },
  {
    name: "softThreshold",
    shapes: `x [5, 6], t ${THRESHOLD}`,
    op: {
      name: "softThreshold",
      forward: (i: Inputs) => softThresholdForward(i.x, { t: THRESHOLD }),
      backward: softThresholdBackward,
    },
    inputs: () => ({ x: awayFrom([5, 6], SEED + 280, [-THRESHOLD, THRESHOLD]) }),
    tf: (tf, i) => tf.sign(i.x).mul(tf.relu(tf.abs(i.x).sub(THRESHOLD))),
    tfNote: "no soft-threshold op in tfjs: sign(x)·relu(|x| − t)",
  },
];

/**
 * Every op with a backward pass: {@linkcode BASIC_OP_CASES} followed by the convolution and
 * pooling cases of `./conv_cases.ts` (whose tfjs oracles need the cpu backend).
 */
export const OP_CASES: readonly OpCase[] = [...BASIC_OP_CASES, ...CONV_POOL_CASES];
