/**
 * Small numeric helpers shared by the exercise files: the scalar formulas the sheets write
 * (sigmoid, softplus, softmax of a plain vector), seeded sample points, and identity checks at
 * many points. They state the sheets' formulas in code; the op library (`lib/ops/`) holds the
 * array ops with their backward passes.
 *
 * @module
 */

import { array, NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";

/** Number of random points at which an identity is checked. */
export const IDENTITY_POINTS = 1000;
/** Tolerance of an identity checked in float64 at moderate arguments. */
export const IDENTITY_TOLERANCE = 1e-12;

/** σ(v) = 1/(1 + e^(−v)), evaluated without overflow for large |v|. */
export function sigma(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** softplus(v) = ln(1 + e^v), evaluated without overflow. */
export function softplusOf(v: number): number {
  return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/** softmax of a plain vector, shifted by its maximum for stability. */
export function softmaxOf(v: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]);
  const out = new Float64Array(v.length);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += out[i] = Math.exp(v[i] - m);
  for (let i = 0; i < v.length; i++) out[i] /= s;
  return out;
}

/** log Σ e^(vᵢ), shifted by the maximum. */
export function logSumExpOf(v: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i] - m);
  return m + Math.log(s);
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
