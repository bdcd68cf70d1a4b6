/**
 * Small helpers shared by the exercise files: scalar and plain-vector views of the op library's
 * sigmoid, softplus, softmax and log-sum-exp (the sheets write these per number), seeded sample
 * points, and identity checks at many points.
 *
 * @module
 */

import { array, NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import { sigmoidScalar, softplusScalar } from "../ops/activations.ts";
import { logSoftmax, softmax } from "../ops/softmax.ts";

/** Number of random points at which an identity is checked. */
export const IDENTITY_POINTS = 1000;
/** Tolerance of an identity checked in float64 at moderate arguments. */
export const IDENTITY_TOLERANCE = 1e-12;

/** σ(v) = 1/(1 + e^(−v)) of one number (the op library's overflow-safe form). */
export function sigma(v: number): number {
  return sigmoidScalar(v);
}

/** softplus(v) = ln(1 + e^v) of one number (the op library's overflow-safe form). */
export function softplusOf(v: number): number {
  return softplusScalar(v);
}

/** softmax of a plain vector, through the op library's `softmax`. */
export function softmaxOf(v: ArrayLike<number>): Float64Array {
  return softmax(new NDArray(Float64Array.from(v), [v.length])).data;
}

/** log Σ e^(vᵢ) = v₀ − log softmax(v)₀, through the op library's `logSoftmax`. */
export function logSumExpOf(v: ArrayLike<number>): number {
  return v[0] - logSoftmax(new NDArray(Float64Array.from(v), [v.length])).data[0];
}

/** `count` seeded draws from N(0, scale²). */
export function samplePoints(count: number, seed: number, scale = 1): number[] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => scale * rng.normal());
}

/** A seeded [rows, cols] matrix with N(0, scale²) entries. */
export function sampleMatrix(rows: number, cols: number, seed: number, scale = 1): NDArray {
  const rng = new Random(seed);
  return array(
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * rng.normal())),
  );
}

/** Largest |lhs(p) − rhs(p)| over the points. */
export function identityGap(
  points: readonly number[],
  lhs: (p: number) => number,
  rhs: (p: number) => number,
): number {
  let worst = 0;
  for (const p of points) worst = Math.max(worst, Math.abs(lhs(p) - rhs(p)));
  return worst;
}

/** A one-hot row of length `n` with 1 at `k`. */
export function oneHot(n: number, k: number): NDArray {
  const a = new Float64Array(n);
  a[k] = 1;
  return new NDArray(a, [n]);
}
