/**
 * Losses: mean squared error with its normalization spelled out, the multi-class hinge loss on
 * scores, and the hinge loss on softmax probabilities of sheet 002 Ex3.
 *
 * Cross-entropy and binary cross-entropy live with the softmax family in `./softmax.ts`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { mse } from "./losses.ts";
 * const x = array([1, 2]), y = array([0, 0]);
 * if (mse(x, y, { normalization: "half-sum" }) !== 2.5) throw new Error("½(1 + 4)");
 * if (mse(x, y, { normalization: "mean" }) !== 2.5) throw new Error("(1 + 4)/2");
 * ```
 *
 * @module
 */

import { formatShape, NDArray, shapesEqual } from "../ndarray.ts";
import { classIndices, type ClassLabels, type Reduction } from "./softmax.ts";
import { requireArray } from "./validate.ts";

/**
 * How the squared errors are combined (n = number of entries):
 * `sum` Σ(x − y)², `mean` Σ(x − y)²/n, `half-sum` ½Σ(x − y)², `half-mean` Σ(x − y)²/(2n).
 * The sheets use several: `half-sum` in sheet 004 Q5 (J = 0.5(y_d − ŷ)²) and sheet 002,
 * `mean` in tfjs's `tf.losses.meanSquaredError` and PyTorch's `MSELoss`.
 */
export type MseNormalization = "sum" | "mean" | "half-sum" | "half-mean";

/** Options of {@linkcode mseForward}; the normalization has no default, on purpose. */
export interface MseOptions {
  /** Which of the four normalizations; required because the sheets disagree. */
  normalization: MseNormalization;
}

/** Cache of {@linkcode mseForward}. */
export interface MseCache {
  /** x − y, same shape as x. */
  diff: NDArray;
  /** Factor c in L = c·Σ(x − y)². */
  factor: number;
}

/** Default margin Δ of the hinge losses (CS231n's multi-class SVM; sheet 002 Ex3 gives none). */
export const HINGE_MARGIN = 1;

/** Options of the hinge losses. */
export interface HingeOptions {
  /**
   * Margin Δ (sheet 002 Ex3 calls it C). Default {@linkcode HINGE_MARGIN} = 1. On softmax
   * probabilities (which differ by less than 1) a margin ≥ 1 keeps every term active.
   */
  margin?: number;
  /** `mean` over rows (default), `sum`, or `none` (one loss per row, `[N]`). */
  reduction?: Reduction;
}

/** Cache of {@linkcode hingeForward} and {@linkcode softmaxHingeForward}. */
export interface HingeCache {
  /** ∂ℓᵣ/∂(scores or probabilities) of each row, `[N, C]`, before the upstream gradient. */
  local: NDArray;
  /** Softmax probabilities `[N, C]` for the softmax variant; null for scores. */
  probs: NDArray | null;
  /** The reduction used. */
  reduction: Reduction;
  /** Shape of the loss output. */
  outShape: number[];
}

function mseFactor(n: number, normalization: unknown, fn: string): number {
  switch (normalization) {
    case "sum":
      return 1;
    case "mean":
      return 1 / n;
    case "half-sum":
      return 0.5;
    case "half-mean":
      return 0.5 / n;
    default:
      throw new RangeError(
        `${fn}: options.normalization must be "sum", "mean", "half-sum" or "half-mean", got ${
          JSON.stringify(normalization)
        }`,
      );
  }
}

/**
 * Forward pass of the squared error `L = c·Σᵢ (xᵢ − yᵢ)²` with c = 1, 1/n, ½ or 1/(2n) by
 * `options.normalization` (see {@linkcode MseNormalization}). `x` (prediction) and `y` (target)
 * have the same shape (any, n entries, n ≥ 1); the output is a scalar `[]`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { mseBackward, mseForward } from "./losses.ts";
 * const { out, cache } = mseForward(array([3]), array([1]), { normalization: "half-sum" });
 * if (out.item() !== 2) throw new Error("½·2²");
 * if (mseBackward(array(1), cache).dx.item() !== 2) throw new Error("x − y");
 * ```
 */
export function mseForward(
  x: NDArray,
  y: NDArray,
  options: MseOptions,
): { out: NDArray; cache: MseCache } {
  const fn = "mse";
  requireArray(x, fn, "x");
  requireArray(y, fn, "y");
  if (!shapesEqual(x.shape, y.shape)) {
    throw new RangeError(
      `${fn}: x has shape ${formatShape(x.shape)} but y has shape ${formatShape(y.shape)}`,
    );
  }
  if (x.size === 0) throw new RangeError(`${fn}: x is empty (shape ${formatShape(x.shape)})`);
  const factor = mseFactor(x.size, options?.normalization, fn);
  const d = new Float64Array(x.size);
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    d[i] = x.data[i] - y.data[i];
    s += d[i] * d[i];
  }
  return {
    out: new NDArray(Float64Array.of(factor * s), []),
    cache: { diff: new NDArray(d, x.shape), factor },
  };
}

/**
 * Backward pass of {@linkcode mseForward}: `dx = 2c·dout·(x − y)`, `dy = −dx`
 * (for `half-sum` simply `dx = dout·(x − y)`).
 */
export function mseBackward(dout: NDArray, cache: MseCache): { dx: NDArray; dy: NDArray } {
  requireArray(dout, "mseBackward", "dout");
  if (dout.size !== 1) {
    throw new RangeError(
      `mseBackward: dout must be one entry (the loss is a scalar), got shape ${
        formatShape(dout.shape)
      }`,
    );
  }
  const g = 2 * cache.factor * dout.data[0];
  const d = cache.diff.data;
  const dx = new Float64Array(d.length), dy = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    dx[i] = g * d[i];
    dy[i] = -dx[i];
  }
  return { dx: new NDArray(dx, cache.diff.shape), dy: new NDArray(dy, cache.diff.shape) };
}

/** The squared error as a number; see {@linkcode mseForward}. */
export function mse(x: NDArray, y: NDArray, options: MseOptions): number {
  return mseForward(x, y, options).out.item();
}

function hingeSetup(
  x: NDArray,
  labels: ClassLabels,
  options: HingeOptions,
  fn: string,
): { rows: number; classes: number; y: Int32Array; margin: number; reduction: Reduction } {
  requireArray(x, fn, "x");
  if (x.ndim !== 2 || x.shape[1] < 1) {
    throw new RangeError(`${fn}: x must be [N, C] scores, got shape ${formatShape(x.shape)}`);
  }
  for (let i = 0; i < x.size; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new RangeError(
        `${fn}: x of shape ${formatShape(x.shape)} holds ${x.data[i]} at [${x.unravel(i)}]`,
      );
    }
  }
  const [rows, classes] = x.shape;
  const margin = options.margin ?? HINGE_MARGIN;
  if (typeof margin !== "number" || !Number.isFinite(margin)) {
    throw new RangeError(`${fn}: options.margin must be a finite number, got ${margin}`);
  }
  const reduction = options.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new RangeError(
      `${fn}: options.reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`,
    );
  }
  return { rows, classes, y: classIndices(labels, rows, classes, fn, "labels"), margin, reduction };
}

/**
 * Per-row hinge on values `v` (scores or probabilities): `ℓᵣ = Σ_{k≠y} max(0, v_k − v_y + Δ)`,
 * and its gradient w.r.t. v: +1 at each active k, −(number active) at y. A term exactly at the
 * hinge (v_k − v_y + Δ = 0) counts as inactive: max(0, ·)' is taken as 0 at 0.
 */
function hingeRows(
  v: Float64Array,
  rows: number,
  classes: number,
  y: Int32Array,
  margin: number,
): { losses: Float64Array; local: Float64Array } {
  const losses = new Float64Array(rows), local = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes, vy = v[o + y[r]];
    let l = 0, active = 0;
    for (let k = 0; k < classes; k++) {
      if (k === y[r]) continue;
      const m = v[o + k] - vy + margin;
      if (m > 0) {
        l += m;
        local[o + k] = 1;
        active++;
      }
    }
    local[o + y[r]] = 0 - active;
    losses[r] = l;
  }
  return { losses, local };
}

function reduce(losses: Float64Array, reduction: Reduction): NDArray {
  if (reduction === "none") return new NDArray(losses, [losses.length]);
  let s = 0;
  for (const l of losses) s += l;
  return new NDArray(Float64Array.of(reduction === "mean" ? s / losses.length : s), []);
}

/**
 * Forward pass of the multi-class hinge (SVM) loss on scores `x` `[N, C]` with labels `[N]`:
 * `ℓᵣ = Σ_{k≠yᵣ} max(0, x_{rk} − x_{r,yᵣ} + Δ)`, reduced by `mean` (default), `sum` or `none`.
 * tfjs has no multi-class hinge (`tf.losses.hingeLoss` is the binary one).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { hingeForward } from "./losses.ts";
 * const { out } = hingeForward(array([[3, 1, 2.5]]), [0]);
 * if (out.item() !== 0.5) throw new Error("max(0, 1 − 3 + 1) + max(0, 2.5 − 3 + 1)");
 * ```
 */
export function hingeForward(
  x: NDArray,
  labels: ClassLabels,
  options: HingeOptions = {},
): { out: NDArray; cache: HingeCache } {
  const { rows, classes, y, margin, reduction } = hingeSetup(x, labels, options, "hinge");
  const { losses, local } = hingeRows(x.data, rows, classes, y, margin);
  const out = reduce(losses, reduction);
  return {
    out,
    cache: { local: new NDArray(local, x.shape), probs: null, reduction, outShape: [...out.shape] },
  };
}

function upstream(dout: NDArray, cache: HingeCache, fn: string): (r: number) => number {
  requireArray(dout, fn, "dout");
  const n = cache.local.shape[0];
  const want = cache.outShape.reduce((a, b) => a * b, 1);
  if (dout.size !== want) {
    throw new RangeError(
      `${fn}: dout has shape ${formatShape(dout.shape)} but the loss has shape ${
        formatShape(cache.outShape)
      }`,
    );
  }
  if (cache.reduction === "none") return (r) => dout.data[r];
  const g = cache.reduction === "mean" ? dout.data[0] / n : dout.data[0];
  return () => g;
}

/**
 * Backward pass of {@linkcode hingeForward}: `dx_{rk} = g·1[k active]` for k ≠ y and
 * `dx_{r,y} = −g·(number of active k)`, with g the upstream gradient (÷ N for `mean`).
 */
export function hingeBackward(dout: NDArray, cache: HingeCache): { dx: NDArray } {
  const g = upstream(dout, cache, "hingeBackward");
  const [rows, classes] = cache.local.shape;
  const dx = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const gr = g(r);
    for (let k = 0; k < classes; k++) dx[r * classes + k] = gr * cache.local.data[r * classes + k];
  }
  return { dx: new NDArray(dx, cache.local.shape) };
}

/**
 * Forward pass of the hinge loss on softmax probabilities of sheet 002 Ex3: with `p = softmax(x)`
 * row by row, `ℓᵣ = Σ_{k≠y} max(0, p_k − p_y + C)` (0 when p_y − p_k > C), margin C
 * (`options.margin`, default 1). `x` are logits `[N, C]`, labels `[N]`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { softmaxHingeForward } from "./losses.ts";
 * const { out } = softmaxHingeForward(array([[0, 0]]), [0], { margin: 0.1 });
 * if (Math.abs(out.item() - 0.1) > 1e-15) throw new Error("0.5 − 0.5 + 0.1");
 * ```
 */
export function softmaxHingeForward(
  x: NDArray,
  labels: ClassLabels,
  options: HingeOptions = {},
): { out: NDArray; cache: HingeCache } {
  const fn = "softmaxHinge";
  const { rows, classes, y, margin, reduction } = hingeSetup(x, labels, options, fn);
  const p = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let m = -Infinity;
    for (let j = 0; j < classes; j++) m = Math.max(m, x.data[o + j]);
    let z = 0;
    for (let j = 0; j < classes; j++) z += p[o + j] = Math.exp(x.data[o + j] - m);
    for (let j = 0; j < classes; j++) p[o + j] /= z;
  }
  const { losses, local } = hingeRows(p, rows, classes, y, margin);
  const out = reduce(losses, reduction);
  return {
    out,
    cache: {
      local: new NDArray(local, x.shape),
      probs: new NDArray(p, x.shape),
      reduction,
      outShape: [...out.shape],
    },
  };
}

/**
 * Backward pass of {@linkcode softmaxHingeForward}. Sheet 002 Ex3 derives, for each active k,
 * `∂(p_k − p_y)/∂x_j = p_j(δ_jk − δ_jy − p_k + p_y)`; summing over the active k gives
 * `dx = p ⊙ (u − ⟨u, p⟩)` with `u` = +1 at active k, −(number active) at y — the softmax VJP
 * of u (the sheet's final line reuses j as the summation index; the sum runs over k).
 */
export function softmaxHingeBackward(dout: NDArray, cache: HingeCache): { dx: NDArray } {
  const g = upstream(dout, cache, "softmaxHingeBackward");
  if (!cache.probs) throw new TypeError("softmaxHingeBackward: cache comes from hingeForward");
  const [rows, classes] = cache.local.shape;
  const u = cache.local.data, p = cache.probs.data;
  const dx = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes, gr = g(r);
    let dot = 0;
    for (let j = 0; j < classes; j++) dot += u[o + j] * p[o + j];
    for (let j = 0; j < classes; j++) dx[o + j] = gr * p[o + j] * (u[o + j] - dot);
  }
  return { dx: new NDArray(dx, cache.local.shape) };
}
