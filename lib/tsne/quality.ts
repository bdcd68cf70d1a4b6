/**
 * Measuring an embedding, whoever computed it: the exact KL(P‖Q) for a given P, trustworthiness
 * (Venna & Kaski 2001) and leave-one-out k-NN classification accuracy in the embedding.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { type CsrMatrix, squaredDistance } from "./affinity.ts";
import { klFromZ, studentZ } from "./kl.ts";

/** Default neighbourhood size of the quality measures. */
export const DEFAULT_QUALITY_K = 10;

function rows(a: NDArray, name: string, fn: string): [number, number] {
  if (!(a instanceof NDArray) || a.ndim !== 2) {
    throw new TypeError(`${fn}: ${name} must be a 2-D NDArray [N, d]`);
  }
  return [a.shape[0], a.shape[1]];
}

/**
 * Exact KL(P‖Q) of embedding `y` [N, d] for joint probabilities P, O(N²·d): the common evaluator
 * for embeddings from any tool.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { exactAffinities } from "./affinity.ts";
 * import { exactKl } from "./quality.ts";
 * const x = array([[0, 0], [1, 0], [0, 1], [4, 4], [5, 4]]);
 * if (!(exactKl(exactAffinities(x, { perplexity: 2 }).p, x) > 0)) throw new Error();
 * ```
 */
export function exactKl(p: CsrMatrix, y: NDArray): number {
  const [n, d] = rows(y, "y", "exactKl");
  if (p.n !== n) throw new RangeError(`exactKl: P is ${p.n}×${p.n} but y has ${n} rows`);
  return klFromZ(p, y.data, d, studentZ(y.data, n, d));
}

function dist2Row(a: Float64Array, d: number, i: number, n: number, out: Float64Array): void {
  const oi = i * d;
  for (let j = 0; j < n; j++) {
    out[j] = squaredDistance(a, oi, a, j * d, d);
  }
  out[i] = Infinity;
}

/** Indices of the k smallest entries of `dist` (ties by lower index), ascending; O(N·k). */
function smallest(dist: Float64Array, k: number): number[] {
  const idx: number[] = [];
  const val: number[] = [];
  for (let j = 0; j < dist.length; j++) {
    const v = dist[j];
    if (idx.length === k && !(v < val[k - 1])) continue;
    // Insert keeping ascending order; equal values keep the earlier (lower) index first.
    let pos = idx.length === k ? k - 1 : idx.length;
    while (pos > 0 && val[pos - 1] > v) {
      if (pos < k) {
        val[pos] = val[pos - 1];
        idx[pos] = idx[pos - 1];
      }
      pos--;
    }
    val[pos] = v;
    idx[pos] = j;
  }
  return idx;
}

/**
 * Trustworthiness T(k) ∈ [0, 1] of embedding `y` [N, d] for data `x` [N, D]:
 * T = 1 − 2/(N k (2N − 3k − 1)) Σᵢ Σ_{j ∈ Uᵢ} (r(i, j) − k), where Uᵢ are the points among the
 * k nearest neighbours of i in `y` that are not among its k nearest in `x`, and r(i, j) is the
 * rank of j by distance from i in `x` (1 = nearest). Ties rank by lower index. Needs k < N/2.
 * O(N²·(D + log N)).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { trustworthiness } from "./quality.ts";
 * const x = array([[0], [1], [2], [3], [4], [5], [6]]);
 * if (trustworthiness(x, x, { k: 2 }) !== 1) throw new Error("identity embedding");
 * ```
 */
export function trustworthiness(
  x: NDArray,
  y: NDArray,
  options: { k?: number } = {},
): number {
  const fn = "trustworthiness";
  const [n, dx] = rows(x, "x", fn);
  const [ny, dy] = rows(y, "y", fn);
  if (ny !== n) throw new RangeError(`${fn}: x has ${n} rows but y has ${ny}`);
  const k = options.k ?? DEFAULT_QUALITY_K;
  if (!Number.isInteger(k) || k < 1 || 2 * k >= n) {
    throw new RangeError(`${fn}: k must be an integer with 1 ≤ k < N/2 = ${n / 2}, got ${k}`);
  }
  const distX = new Float64Array(n);
  const distY = new Float64Array(n);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    dist2Row(y.data, dy, i, n, distY);
    const nearY = smallest(distY, k);
    dist2Row(x.data, dx, i, n, distX);
    const nearX = new Set(smallest(distX, k));
    for (const j of nearY) {
      if (nearX.has(j)) continue;
      // Rank of j around i in x: 1 + the points strictly closer (or equally close, lower index).
      let rank = 1;
      const dj = distX[j];
      for (let m = 0; m < n; m++) {
        if (m === i || m === j) continue;
        if (distX[m] < dj || (distX[m] === dj && m < j)) rank++;
      }
      penalty += rank - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/**
 * Leave-one-out k-NN accuracy: the share of points whose label equals the majority label of
 * their k nearest neighbours in `y` [N, d] (a tie goes to the label of the nearest tied voter).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { knnAccuracy } from "./quality.ts";
 * const y = array([[0], [0.1], [0.2], [5], [5.1], [5.2]]);
 * if (knnAccuracy(y, [0, 0, 0, 1, 1, 1], { k: 2 }) !== 1) throw new Error();
 * ```
 */
export function knnAccuracy(
  y: NDArray,
  labels: ArrayLike<number>,
  options: { k?: number } = {},
): number {
  const fn = "knnAccuracy";
  const [n, d] = rows(y, "y", fn);
  if (labels.length !== n) {
    throw new RangeError(`${fn}: ${labels.length} labels for ${n} rows of y`);
  }
  const k = options.k ?? DEFAULT_QUALITY_K;
  if (!Number.isInteger(k) || k < 1 || k >= n) {
    throw new RangeError(`${fn}: k must be an integer in [1, ${n - 1}], got ${k}`);
  }
  const dist = new Float64Array(n);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    dist2Row(y.data, d, i, n, dist);
    const near = smallest(dist, k);
    const votes = new Map<number, number>();
    for (const j of near) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    let best = -1;
    let label = labels[near[0]];
    for (const j of near) {
      const v = votes.get(labels[j])!;
      if (v > best) {
        best = v;
        label = labels[j];
      }
    }
    if (label === labels[i]) correct++;
  }
  return correct / n;
}
