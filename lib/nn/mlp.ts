/**
 * A multilayer perceptron of any depth, float64, with the forward pass caching what the backward
 * pass needs (sheet 002 Ex4: keep every layer's input and pre-activation, then walk back once) and
 * a hand-written backward pass built from `lib/ops` (linear, activations, batch norm, softmax,
 * cross-entropy, MSE).
 *
 * Layout: batch as rows, `x [N, D]`, each layer `z = a W + b` with `W [D_in, D_out]`, `b [D_out]`
 * (the `xW + b` convention of `linearRowsForward`). Hidden layers: linear → (batch norm) →
 * activation; the last layer: linear → loss.
 *
 * @module
 */

import { formatShape, matmul, NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { type LinearCache, linearRowsBackward, linearRowsForward } from "../ops/linear.ts";
import {
  type ActivationCache,
  LEAKY_RELU_SLOPE,
  leakyReluBackward,
  type LeakyReluCache,
  leakyReluForward,
  reluBackward,
  reluForward,
  sigmoidBackward,
  sigmoidForward,
  tanhBackward,
  tanhForward,
} from "../ops/activations.ts";
import {
  BATCH_NORM_EPS,
  batchNormBackward,
  type BatchNormCache,
  batchNormForward,
} from "../ops/batch_norm.ts";
import {
  classIndices,
  type ClassLabels,
  crossEntropyBackward,
  type CrossEntropyCache,
  crossEntropyForward,
  softmaxBackward,
  type SoftmaxCache,
  softmaxForward,
} from "../ops/softmax.ts";
import { mseBackward, type MseCache, mseForward } from "../ops/losses.ts";

/** Activation of the hidden layers. */
export type HiddenActivation = "relu" | "leaky-relu" | "sigmoid" | "tanh";

/**
 * Output layer and loss, averaged over the N rows of the batch:
 * - `softmax-ce`: L = (1/N) Σ_n −log softmax(z_n)_{y_n} (targets: class indices or soft [N, C]);
 * - `mse`: L = (1/N) Σ_n ½‖z_n − t_n‖² on the raw outputs (targets [N, C], or class indices
 *   turned into one-hot rows);
 * - `softmax-mse`: L = (1/N) Σ_n ½‖softmax(z_n) − t_n‖² (the MSE-on-probabilities set-up of
 *   sheet 001 Q2.G, whose gradient vanishes when the softmax saturates).
 */
export type OutputLoss = "softmax-ce" | "mse" | "softmax-mse";

/** How the weights are drawn. */
export type WeightInit = "he" | "xavier";

/** A network: its shape, its choices and its parameters. */
export interface Mlp {
  /** Layer widths [D_0, D_1, …, D_L] (input first, output last). */
  sizes: readonly number[];
  /** Hidden activation. */
  activation: HiddenActivation;
  /** Negative-side slope of `leaky-relu`. */
  leakySlope: number;
  /** Output loss. */
  loss: OutputLoss;
  /** Whether hidden layers have batch norm (batch statistics, training mode). */
  batchNorm: boolean;
  /** Weights, `w[l]` is [D_l, D_{l+1}]. */
  w: NDArray[];
  /** Biases, `b[l]` is [D_{l+1}]. */
  b: NDArray[];
  /** Batch-norm scales γ per hidden layer ([] without batch norm). */
  gamma: NDArray[];
  /** Batch-norm shifts β per hidden layer ([] without batch norm). */
  beta: NDArray[];
}

/** Options of {@linkcode createMlp}. */
export interface CreateMlpOptions {
  /** Default `relu`. */
  activation?: HiddenActivation;
  /** Slope for `leaky-relu`. Default {@linkcode LEAKY_RELU_SLOPE} (0.01, as in sheet 004 Q3). */
  leakySlope?: number;
  /** Default `softmax-ce`. */
  loss?: OutputLoss;
  /** Default false. */
  batchNorm?: boolean;
  /**
   * `he` (default): N(0, 2/D_in), suited to ReLU; `xavier`: N(0, 1/D_in), suited to
   * sigmoid/tanh. Biases start at 0, γ at 1, β at 0.
   */
  init?: WeightInit;
  /** Multiplies the last layer's weights (a large value saturates the output). Default 1. */
  outputScale?: number;
  /** Seed of the weights. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
}

const ACTIVATIONS: readonly HiddenActivation[] = ["relu", "leaky-relu", "sigmoid", "tanh"];
const LOSSES: readonly OutputLoss[] = ["softmax-ce", "mse", "softmax-mse"];

/**
 * A seeded MLP with the given layer widths.
 *
 * @example
 * ```ts
 * import { createMlp } from "./mlp.ts";
 * const net = createMlp([784, 128, 10], { seed: 1 });
 * if (net.w[0].shape.join() !== "784,128" || net.b[1].shape.join() !== "10") throw new Error();
 * ```
 */
export function createMlp(sizes: readonly number[], options: CreateMlpOptions = {}): Mlp {
  const fn = "createMlp";
  if (
    !Array.isArray(sizes) || sizes.length < 2 || sizes.some((d) => !Number.isInteger(d) || d < 1)
  ) {
    throw new RangeError(
      `${fn}: sizes must list at least 2 positive integer widths, got [${sizes}]`,
    );
  }
  const activation = options.activation ?? "relu";
  if (!ACTIVATIONS.includes(activation)) {
    throw new RangeError(
      `${fn}: options.activation must be one of ${ACTIVATIONS}, got ${activation}`,
    );
  }
  const loss = options.loss ?? "softmax-ce";
  if (!LOSSES.includes(loss)) {
    throw new RangeError(`${fn}: options.loss must be one of ${LOSSES}, got ${loss}`);
  }
  const init = options.init ?? "he";
  const gain = init === "he" ? 2 : 1;
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  const layers = sizes.length - 1;
  const w: NDArray[] = [], b: NDArray[] = [], gamma: NDArray[] = [], beta: NDArray[] = [];
  for (let l = 0; l < layers; l++) {
    const din = sizes[l], dout = sizes[l + 1];
    const scale = Math.sqrt(gain / din) * (l === layers - 1 ? options.outputScale ?? 1 : 1);
    w.push(new NDArray(rng.fillNormal(new Float64Array(din * dout), 0, scale), [din, dout]));
    b.push(new NDArray(new Float64Array(dout), [dout]));
    if (options.batchNorm && l < layers - 1) {
      gamma.push(new NDArray(new Float64Array(dout).fill(1), [dout]));
      beta.push(new NDArray(new Float64Array(dout), [dout]));
    }
  }
  return {
    sizes: [...sizes],
    activation,
    leakySlope: options.leakySlope ?? LEAKY_RELU_SLOPE,
    loss,
    batchNorm: options.batchNorm ?? false,
    w,
    b,
    gamma,
    beta,
  };
}

/** A deep copy of a network (parameters copied). */
export function cloneMlp(model: Mlp): Mlp {
  return {
    ...model,
    sizes: [...model.sizes],
    w: model.w.map((a) => a.clone()),
    b: model.b.map((a) => a.clone()),
    gamma: model.gamma.map((a) => a.clone()),
    beta: model.beta.map((a) => a.clone()),
  };
}

/** Options of {@linkcode mlpForward}. */
export interface MlpForwardOptions {
  /** Class indices (length N) or targets [N, C]. Required. */
  target: ClassLabels | NDArray;
}

/** What {@linkcode mlpForward} keeps for {@linkcode mlpBackward}. */
export interface MlpCache {
  /** The network (its hyper-parameters; parameters are in the linear caches). */
  model: Mlp;
  /** Per layer: the linear cache (its input a_l and W_l). */
  linear: LinearCache[];
  /** Per hidden layer: the batch-norm cache (empty without batch norm). */
  batchNorm: BatchNormCache[];
  /** Per hidden layer: the activation cache (its input and output). */
  activation: ActivationCache[];
  /** Output scores (logits, or raw outputs for `mse`), [N, C]. */
  scores: NDArray;
  /** Softmax of the scores for `softmax-mse`. */
  softmax?: SoftmaxCache;
  /** The loss cache. */
  loss: { kind: "ce"; cache: CrossEntropyCache } | { kind: "mse"; cache: MseCache; rows: number };
}

/** Options of {@linkcode mlpBackward}. */
export interface MlpBackwardOptions {
  /**
   * Compute ∂L/∂x. Default true. Training passes false: the input needs no gradient, and
   * dz₀ W₀ᵀ ([N, D_1]·[D_1, D_0]) would be the single largest product of a step on MNIST
   * (PyTorch skips it too for inputs without `requires_grad`). `dx` is then an empty [0] array,
   * and dW₀ = xᵀ dz₀ is computed with the product that skips zero inputs (equal up to rounding).
   */
  inputGradient?: boolean;
}

/** Gradients of every parameter, in the model's layout. */
export interface MlpGrads {
  /** ∂L/∂x [N, D_0]. */
  dx: NDArray;
  /** ∂L/∂W_l. */
  dw: NDArray[];
  /** ∂L/∂b_l. */
  db: NDArray[];
  /** ∂L/∂γ_l (batch norm). */
  dgamma: NDArray[];
  /** ∂L/∂β_l (batch norm). */
  dbeta: NDArray[];
}

function activationForward(model: Mlp, z: NDArray): { out: NDArray; cache: ActivationCache } {
  switch (model.activation) {
    case "relu":
      return reluForward(z);
    case "leaky-relu":
      return leakyReluForward(z, { slope: model.leakySlope });
    case "sigmoid":
      return sigmoidForward(z);
    case "tanh":
      return tanhForward(z);
  }
}

function activationBackward(model: Mlp, dout: NDArray, cache: ActivationCache): NDArray {
  switch (model.activation) {
    case "relu":
      return reluBackward(dout, cache).dx;
    case "leaky-relu":
      return leakyReluBackward(dout, cache as LeakyReluCache).dx;
    case "sigmoid":
      return sigmoidBackward(dout, cache).dx;
    case "tanh":
      return tanhBackward(dout, cache).dx;
  }
}

/** The output scores [N, C] of the network for x [N, D_0] (no loss). */
export function mlpPredict(x: NDArray, model: Mlp): NDArray {
  return hiddenPass(x, model).scores;
}

function hiddenPass(x: NDArray, model: Mlp) {
  const fn = "mlpForward";
  if (!(x instanceof NDArray) || x.ndim !== 2 || x.shape[1] !== model.sizes[0]) {
    throw new RangeError(
      `${fn}: x must be [N, ${model.sizes[0]}] for sizes [${model.sizes}], got ${
        x instanceof NDArray ? formatShape(x.shape) : typeof x
      }`,
    );
  }
  const layers = model.w.length;
  const linear: LinearCache[] = [], bn: BatchNormCache[] = [], act: ActivationCache[] = [];
  let a = x;
  for (let l = 0; l < layers; l++) {
    const lin = linearRowsForward(a, { w: model.w[l], b: model.b[l] });
    linear.push(lin.cache);
    if (l === layers - 1) return { scores: lin.out, linear, bn, act };
    let z = lin.out;
    if (model.batchNorm) {
      const r = batchNormForward(z, {
        gamma: model.gamma[l],
        beta: model.beta[l],
        eps: BATCH_NORM_EPS,
      });
      bn.push(r.cache);
      z = r.out;
    }
    const h = activationForward(model, z);
    act.push(h.cache);
    a = h.out;
  }
  throw new RangeError(`${fn}: the model has no layers`);
}

function oneHot(target: ClassLabels, rows: number, classes: number): NDArray {
  const idx = classIndices(target, rows, classes, "mlpForward");
  const t = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) t[r * classes + idx[r]] = 1;
  return new NDArray(t, [rows, classes]);
}

/**
 * Forward pass: the mean loss over the batch and the cache.
 *
 * Hidden layer l: z_l = a_l W_l + b_l, (ẑ_l = BN(z_l) with γ_l, β_l), a_{l+1} = φ(ẑ_l);
 * output: s = a_L W_L + b_L and the loss of {@linkcode OutputLoss} on s. Shapes: x [N, D_0],
 * target class indices (N) or [N, C]; `out` is the scalar loss (shape []).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { createMlp, mlpForward } from "./mlp.ts";
 * const net = createMlp([2, 3, 2], { seed: 4 });
 * net.w[1] = net.w[1].mul(0); // zero logits → loss log 2
 * const { out } = mlpForward(array([[1, 2], [3, 4]]), net, { target: [0, 1] });
 * if (Math.abs(out.item() - Math.LN2) > 1e-15) throw new Error(String(out.item()));
 * ```
 */
export function mlpForward(
  x: NDArray,
  model: Mlp,
  options: MlpForwardOptions,
): { out: NDArray; cache: MlpCache } {
  const target = options?.target;
  if (target === undefined) {
    throw new TypeError("mlpForward: options.target (class indices or [N, C] targets) is required");
  }
  const { scores, linear, bn, act } = hiddenPass(x, model);
  const [rows, classes] = scores.shape;
  let out: NDArray;
  let loss: MlpCache["loss"];
  let softmaxCache: SoftmaxCache | undefined;
  if (model.loss === "softmax-ce") {
    const r = crossEntropyForward(scores, target);
    out = r.out;
    loss = { kind: "ce", cache: r.cache };
  } else {
    const t = target instanceof NDArray && target.ndim === 2
      ? target
      : oneHot(target, rows, classes);
    let y = scores;
    if (model.loss === "softmax-mse") {
      const s = softmaxForward(scores);
      softmaxCache = s.cache;
      y = s.out;
    }
    // ½ Σ (y − t)² summed, then divided by N below
    const r = mseForward(y, t, { normalization: "half-sum" });
    out = new NDArray(Float64Array.of(r.out.item() / rows), []);
    loss = { kind: "mse", cache: r.cache, rows };
  }
  return {
    out,
    cache: {
      model,
      linear,
      batchNorm: bn,
      activation: act,
      scores,
      ...(softmaxCache ? { softmax: softmaxCache } : {}),
      loss,
    },
  };
}

/**
 * Backward pass: walks the cache once from the loss to the input.
 *
 * ∂L/∂s from the loss (s − y over N for softmax-CE); then for each layer from the top:
 * dW_l = a_lᵀ dz_l, db_l = Σ_rows dz_l, da_l = dz_l W_lᵀ, and through the hidden layer
 * dẑ = da ⊙ φ'(ẑ), (dz, dγ, dβ) = BN backward. `dout` is the upstream gradient of the scalar
 * loss (1 for the loss itself).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { createMlp, mlpBackward, mlpForward } from "./mlp.ts";
 * const net = createMlp([2, 3, 2], { seed: 4 });
 * const { cache } = mlpForward(array([[1, 2], [3, 4]]), net, { target: [0, 1] });
 * const g = mlpBackward(array(1), cache);
 * if (g.dw[0].shape.join() !== "2,3" || g.db[1].shape.join() !== "2") throw new Error();
 * ```
 */
export function mlpBackward(
  dout: NDArray,
  cache: MlpCache,
  options: MlpBackwardOptions = {},
): MlpGrads {
  const { model } = cache;
  let ds: NDArray;
  if (cache.loss.kind === "ce") {
    ds = crossEntropyBackward(dout, cache.loss.cache).dx;
  } else {
    const scaled = new NDArray(Float64Array.of(dout.item() / cache.loss.rows), []);
    ds = mseBackward(scaled, cache.loss.cache).dx;
    if (cache.softmax) ds = softmaxBackward(ds, cache.softmax).dx;
  }
  const layers = cache.linear.length;
  const dw: NDArray[] = new Array(layers), db: NDArray[] = new Array(layers);
  const dgamma: NDArray[] = [], dbeta: NDArray[] = [];
  let dz = ds;
  let dx = ds;
  for (let l = layers - 1; l >= 0; l--) {
    if (l === 0 && options.inputGradient === false) {
      // the same dW = aᵀ dz, db = Σ_rows dz as linearRowsBackward, without its dx = dz Wᵀ
      dw[0] = matmul(cache.linear[0].x, dz, { transposeA: true });
      db[0] = dz.sum(0);
      dx = new NDArray(new Float64Array(0), [0]);
      break;
    }
    const g = linearRowsBackward(dz, cache.linear[l]);
    dw[l] = g.dw;
    db[l] = g.db as NDArray;
    dx = g.dx;
    if (l === 0) break;
    let da = activationBackward(model, g.dx, cache.activation[l - 1]);
    if (model.batchNorm) {
      const r = batchNormBackward(da, cache.batchNorm[l - 1]);
      dgamma[l - 1] = r.dgamma;
      dbeta[l - 1] = r.dbeta;
      da = r.dx;
    }
    dz = da;
  }
  return { dx, dw, db, dgamma, dbeta };
}

/** Named parameters `{ w0, b0, w1, …, gamma0, beta0, … }` of a network (not copied). */
export function mlpParams(model: Mlp): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  model.w.forEach((w, l) => {
    out[`w${l}`] = w;
    out[`b${l}`] = model.b[l];
  });
  model.gamma.forEach((g, l) => {
    out[`gamma${l}`] = g;
    out[`beta${l}`] = model.beta[l];
  });
  return out;
}

/** The network with its parameters replaced by the named ones (the inverse of `mlpParams`). */
export function mlpWithParams(model: Mlp, params: Record<string, NDArray>): Mlp {
  return {
    ...model,
    w: model.w.map((_, l) => params[`w${l}`]),
    b: model.b.map((_, l) => params[`b${l}`]),
    gamma: model.gamma.map((_, l) => params[`gamma${l}`]),
    beta: model.beta.map((_, l) => params[`beta${l}`]),
  };
}

/** The gradients named as in {@linkcode mlpParams}. */
export function mlpGradRecord(grads: MlpGrads): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  grads.dw.forEach((w, l) => {
    out[`w${l}`] = w;
    out[`b${l}`] = grads.db[l];
  });
  grads.dgamma.forEach((g, l) => {
    out[`gamma${l}`] = g;
    out[`beta${l}`] = grads.dbeta[l];
  });
  return out;
}
