/**
 * The proximal operator of the L1 norm (sheet 000 Q9): the soft-threshold
 * `S_t(x) = sign(x) ⊙ max(|x| − t, 0) = argmin_z ½‖z − x‖² + t‖z‖₁`, its derivative, and the
 * subdifferential of `t‖·‖₁` that characterizes it: z = S_t(x) exactly when
 * `x − z ∈ ∂(t‖·‖₁)(z)`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { softThreshold } from "./proximal.ts";
 * const z = softThreshold(array([-3, -0.5, 0, 2]), { t: 1 });
 * if (String(z.toArray()) !== "-2,0,0,1") throw new Error("shrink by 1, zero inside [−1, 1]");
 * ```
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { requireArray, requireNumber, requireShape } from "./validate.ts";

/** Default threshold t. */
export const SOFT_THRESHOLD_T = 1;

/** Options of the soft-threshold. */
export interface SoftThresholdOptions {
  /** Threshold t ≥ 0 (the prox step times the L1 weight). Default {@linkcode SOFT_THRESHOLD_T} = 1. */
  t?: number;
}

/** Cache of {@linkcode softThresholdForward}. */
export interface SoftThresholdCache {
  /** The input. */
  x: NDArray;
  /** The threshold. */
  t: number;
}

/** Options of {@linkcode l1Subgradient}. */
export interface L1SubgradientOptions {
  /** Weight t ≥ 0 of t‖z‖₁. Default 1. */
  t?: number;
  /** The element of [−1, 1] chosen where zᵢ = 0 (times t). Default 0, the minimum-norm one. */
  atZero?: number;
}

function thresholdOf(t: unknown, fn: string): number {
  return requireNumber(t ?? SOFT_THRESHOLD_T, fn, "options.t", { min: 0 });
}

/**
 * Soft-threshold `S_t(x)ᵢ = sign(xᵢ)·max(|xᵢ| − t, 0)` (sheet 000 Q9, eq. 21), any shape.
 * tfjs: `tf.sign(x).mul(tf.relu(tf.abs(x).sub(t)))`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { softThreshold } from "./proximal.ts";
 * if (softThreshold(array([0.3]), { t: 0 }).item() !== 0.3) throw new Error("t = 0: identity");
 * ```
 */
export function softThreshold(x: NDArray, options: SoftThresholdOptions = {}): NDArray {
  requireArray(x, "softThreshold");
  const t = thresholdOf(options.t, "softThreshold");
  const out = new Float64Array(x.size);
  for (let i = 0; i < out.length; i++) {
    const v = x.data[i];
    out[i] = v > t ? v - t : v < -t ? v + t : 0;
  }
  return new NDArray(out, x.shape);
}

/** Forward pass of {@linkcode softThreshold}. */
export function softThresholdForward(
  x: NDArray,
  options: SoftThresholdOptions = {},
): { out: NDArray; cache: SoftThresholdCache } {
  const out = softThreshold(x, options);
  return { out, cache: { x, t: thresholdOf(options.t, "softThresholdForward") } };
}

/**
 * Backward pass of {@linkcode softThreshold}: `dx = dout ⊙ 1[|x| > t]`. S_t has kinks at
 * |x| = t, where the derivative is taken as 0 (the flat side).
 */
export function softThresholdBackward(dout: NDArray, cache: SoftThresholdCache): { dx: NDArray } {
  const fn = "softThresholdBackward";
  requireShape(dout, cache.x.shape, fn);
  const dx = new Float64Array(dout.size);
  for (let i = 0; i < dx.length; i++) {
    dx[i] = Math.abs(cache.x.data[i]) > cache.t ? dout.data[i] : 0;
  }
  return { dx: new NDArray(dx, dout.shape) };
}

/**
 * One subgradient of `t‖z‖₁` at z: `t·sign(zᵢ)` where zᵢ ≠ 0 and `t·atZero` (default 0) where
 * zᵢ = 0. The full subdifferential is in {@linkcode l1Subdifferential}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { l1Subgradient } from "./proximal.ts";
 * const g = l1Subgradient(array([-2, 0, 5]), { t: 0.5, atZero: 1 });
 * if (String(g.toArray()) !== "-0.5,0.5,0.5") throw new Error("t·sign, t·atZero at 0");
 * ```
 */
export function l1Subgradient(z: NDArray, options: L1SubgradientOptions = {}): NDArray {
  const fn = "l1Subgradient";
  requireArray(z, fn, "z");
  const t = thresholdOf(options.t, fn);
  const a = options.atZero ?? 0;
  if (typeof a !== "number" || !(a >= -1 && a <= 1)) {
    throw new RangeError(`${fn}: options.atZero must be in [−1, 1], got ${a}`);
  }
  const out = new Float64Array(z.size);
  for (let i = 0; i < out.length; i++) {
    const v = z.data[i];
    out[i] = t * (v > 0 ? 1 : v < 0 ? -1 : a);
  }
  return new NDArray(out, z.shape);
}

/**
 * The subdifferential of `t‖z‖₁` at z, entry by entry as intervals `[low, high]`:
 * `{t·sign(zᵢ)}` where zᵢ ≠ 0 and `[−t, t]` where zᵢ = 0.
 */
export function l1Subdifferential(
  z: NDArray,
  options: { t?: number } = {},
): { low: NDArray; high: NDArray } {
  const fn = "l1Subdifferential";
  requireArray(z, fn, "z");
  const t = thresholdOf(options.t, fn);
  const low = new Float64Array(z.size), high = new Float64Array(z.size);
  for (let i = 0; i < z.size; i++) {
    const v = z.data[i];
    low[i] = v > 0 ? t : -t;
    high[i] = v < 0 ? -t : t;
  }
  return { low: new NDArray(low, z.shape), high: new NDArray(high, z.shape) };
}
