/**
 * Batch normalization over the rows of `x [N, D]` (batch as rows, one statistic per feature
 * column), training mode: the mean-only form of sheet 004 Q2 and the full form with variance,
 * γ, β and ε. Both with backward passes for x, γ and β.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { meanOnlyBatchNormForward } from "./batch_norm.ts";
 * const { out } = meanOnlyBatchNormForward(array([[1], [3]]), {
 *   gamma: array([2]),
 *   beta: array([10]),
 * });
 * if (String(out.toArray()) !== "8,12") throw new Error("2·(x − 2) + 10");
 * ```
 *
 * @module
 */

import { formatShape, NDArray } from "../ndarray.ts";
import { requireArray, requireNumber, requireShape } from "./validate.ts";

/** Default ε of {@linkcode batchNormForward} (PyTorch's; tfjs's `tf.batchNorm` uses 0.001). */
export const BATCH_NORM_EPS = 1e-5;

/** Parameters of the mean-only batch norm. */
export interface MeanOnlyBatchNormParams {
  /** Per-feature scale γ `[D]`. */
  gamma: NDArray;
  /** Per-feature shift β `[D]`. */
  beta: NDArray;
}

/** Parameters and options of the full batch norm. */
export interface BatchNormParams extends MeanOnlyBatchNormParams {
  /** Added to the variance before the square root. Default {@linkcode BATCH_NORM_EPS}. */
  eps?: number;
}

/** Cache of {@linkcode meanOnlyBatchNormForward}. */
export interface MeanOnlyBatchNormCache {
  /** x − μ `[N, D]`. */
  centered: NDArray;
  /** γ `[D]`. */
  gamma: NDArray;
}

/** Cache of {@linkcode batchNormForward}. */
export interface BatchNormCache {
  /** x̂ = (x − μ)/√(σ² + ε) `[N, D]`. */
  xhat: NDArray;
  /** 1/√(σ² + ε) per feature `[D]`. */
  invStd: Float64Array;
  /** γ `[D]`. */
  gamma: NDArray;
}

/** Gradients of a batch norm. */
export type BatchNormGrads = {
  /** `[N, D]`. */
  dx: NDArray;
  /** `[D]`. */
  dgamma: NDArray;
  /** `[D]`. */
  dbeta: NDArray;
};

function setup(
  input: unknown,
  params: MeanOnlyBatchNormParams | undefined,
  fn: string,
): { n: number; d: number; gamma: NDArray; beta: NDArray } {
  const x = requireArray(input, fn);
  if (x.ndim !== 2 || x.shape[0] < 1) {
    throw new RangeError(`${fn}: x must be [N, D] with N ≥ 1, got shape ${formatShape(x.shape)}`);
  }
  const [n, d] = x.shape;
  for (const name of ["gamma", "beta"] as const) {
    const p = requireArray(params?.[name], fn, name);
    if (p.size !== d || p.ndim > 2) {
      throw new RangeError(
        `${fn}: ${name} must be [${d}] for x ${formatShape(x.shape)}, got ${formatShape(p.shape)}`,
      );
    }
  }
  return { n, d, gamma: params!.gamma, beta: params!.beta };
}

function columnMeans(x: NDArray, n: number, d: number): Float64Array {
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += x.data[i * d + j];
  for (let j = 0; j < d; j++) mu[j] /= n;
  return mu;
}

/**
 * Forward pass of the mean-only batch norm of sheet 004 Q2:
 * `yᵢ = γ(xᵢ − μ) + β`, `μ = (1/N) Σᵢ xᵢ` per feature column. `x [N, D]`, γ and β `[D]`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { meanOnlyBatchNormBackward, meanOnlyBatchNormForward } from "./batch_norm.ts";
 * const p = { gamma: array([1]), beta: array([0]) };
 * const { cache } = meanOnlyBatchNormForward(array([[5]]), p);
 * if (meanOnlyBatchNormBackward(array([[1]]), cache).dx.item() !== 0) throw new Error("n = 1");
 * ```
 */
export function meanOnlyBatchNormForward(
  x: NDArray,
  params: MeanOnlyBatchNormParams,
): { out: NDArray; cache: MeanOnlyBatchNormCache } {
  const { n, d, gamma, beta } = setup(x, params, "meanOnlyBatchNorm");
  const mu = columnMeans(x, n, d);
  const c = new Float64Array(n * d), y = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      c[k] = x.data[k] - mu[j];
      y[k] = gamma.data[j] * c[k] + beta.data[j];
    }
  }
  return { out: new NDArray(y, x.shape), cache: { centered: new NDArray(c, x.shape), gamma } };
}

/**
 * Backward pass of {@linkcode meanOnlyBatchNormForward}. The Jacobian of a column is
 * `∂yⱼ/∂xᵢ = γ(δᵢⱼ − 1/N)` (sheet 004 Q2.c), so `dx = γ(dout − mean_rows(dout))`;
 * `dγ = Σᵢ doutᵢ(xᵢ − μ)`, `dβ = Σᵢ doutᵢ`. For N = 1 the output is β whatever x is, so dx = 0
 * (sheet 004 Q2.d gets the off-diagonal n = 1 case wrong: there is no j ≠ i when n = 1); as
 * N → ∞ the Jacobian tends to γI.
 */
export function meanOnlyBatchNormBackward(
  dout: NDArray,
  cache: MeanOnlyBatchNormCache,
): BatchNormGrads {
  const fn = "meanOnlyBatchNormBackward";
  const { centered, gamma } = cache;
  requireShape(dout, centered.shape, fn);
  const [n, d] = centered.shape;
  const mean = columnMeans(dout, n, d);
  const dx = new Float64Array(n * d), dg = new Float64Array(d), db = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j, g = dout.data[k];
      dx[k] = gamma.data[j] * (g - mean[j]);
      dg[j] += g * centered.data[k];
      db[j] += g;
    }
  }
  return {
    dx: new NDArray(dx, centered.shape),
    dgamma: new NDArray(dg, gamma.shape),
    dbeta: new NDArray(db, gamma.shape),
  };
}

/**
 * Forward pass of batch normalization in training mode (Ioffe & Szegedy 2015):
 * `x̂ = (x − μ)/√(σ² + ε)`, `y = γ x̂ + β`, with μ and the biased variance σ² = mean((x − μ)²)
 * per feature column of `x [N, D]`; γ, β `[D]`; ε default 1e-5. Equals tfjs's
 * `tf.batchNorm(x, mean, variance, β, γ, ε)` with `tf.moments(x, 0)` (biased variance too);
 * note tfjs's argument order (offset before scale) and its default ε of 0.001.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { batchNormForward } from "./batch_norm.ts";
 * const p = { gamma: array([1]), beta: array([0]), eps: 0 };
 * const { out } = batchNormForward(array([[1], [3]]), p);
 * if (String(out.toArray()) !== "-1,1") throw new Error("zero mean, unit variance");
 * ```
 */
export function batchNormForward(
  x: NDArray,
  params: BatchNormParams,
): { out: NDArray; cache: BatchNormCache } {
  const fn = "batchNorm";
  const { n, d, gamma, beta } = setup(x, params, fn);
  const eps = params.eps ?? BATCH_NORM_EPS;
  requireNumber(eps, fn, "eps", { min: 0 });
  const mu = columnMeans(x, n, d);
  const invStd = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) invStd[j] += (x.data[i * d + j] - mu[j]) ** 2;
  }
  for (let j = 0; j < d; j++) {
    const v = invStd[j] / n + eps;
    if (!(v > 0)) {
      throw new RangeError(
        `${fn}: feature ${j} of x ${formatShape(x.shape)} has variance 0 and eps is 0; use eps > 0`,
      );
    }
    invStd[j] = 1 / Math.sqrt(v);
  }
  const xhat = new Float64Array(n * d), y = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      xhat[k] = (x.data[k] - mu[j]) * invStd[j];
      y[k] = gamma.data[j] * xhat[k] + beta.data[j];
    }
  }
  return {
    out: new NDArray(y, x.shape),
    cache: { xhat: new NDArray(xhat, x.shape), invStd, gamma },
  };
}

/**
 * Backward pass of {@linkcode batchNormForward}, per feature column:
 * `dx = (γ/√(σ² + ε)) · (dout − mean(dout) − x̂ · mean(dout ⊙ x̂))`,
 * `dγ = Σᵢ doutᵢ x̂ᵢ`, `dβ = Σᵢ doutᵢ`.
 */
export function batchNormBackward(dout: NDArray, cache: BatchNormCache): BatchNormGrads {
  const fn = "batchNormBackward";
  const { xhat, invStd, gamma } = cache;
  requireShape(dout, xhat.shape, fn);
  const [n, d] = xhat.shape;
  const dg = new Float64Array(d), db = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      db[j] += dout.data[k];
      dg[j] += dout.data[k] * xhat.data[k];
    }
  }
  const dx = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      dx[k] = gamma.data[j] * invStd[j] * (dout.data[k] - db[j] / n - xhat.data[k] * dg[j] / n);
    }
  }
  return {
    dx: new NDArray(dx, xhat.shape),
    dgamma: new NDArray(dg, gamma.shape),
    dbeta: new NDArray(db, gamma.shape),
  };
}
