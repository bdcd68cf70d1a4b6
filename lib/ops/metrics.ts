/**
 * Classification metrics on scores `[N, C]` (logits or probabilities, batch as rows): top-k
 * error (sheet 000 §7) and accuracy. No gradients: these are counts.
 *
 * Ties are broken by class index, as a stable sort would: class j ranks above class k when its
 * score is larger, or equal with j < k. The rank of the true class is
 * `#{k : s_k > s_y} + #{k < y : s_k = s_y}`; it is in the top k when that rank is below k.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { accuracy, topKError } from "./metrics.ts";
 * const scores = array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]);
 * if (accuracy(scores, [2, 0]) !== 0.5) throw new Error("one of two right");
 * if (topKError(scores, [2, 0], { k: 2 }) !== 0) throw new Error("both in the top 2");
 * ```
 *
 * @module
 */

import { formatShape, type NDArray } from "../ndarray.ts";
import { classIndices, type ClassLabels } from "./softmax.ts";
import { requireArray } from "./validate.ts";

/** Default k of {@linkcode topKError} (k = 1 is the plain error rate). */
export const TOP_K = 1;

/** Options of {@linkcode topKError}. */
export interface TopKOptions {
  /** How many of the highest scores count as a hit, 1 ≤ k ≤ C. Default 1. */
  k?: number;
}

/**
 * Rank of each row's true class among its scores (0 = highest), ties broken by class index.
 * `scores [N, C]`, `labels [N]`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { trueClassRanks } from "./metrics.ts";
 * const r = trueClassRanks(array([[1, 1, 1]]), [2]);
 * if (r[0] !== 2) throw new Error("ties: lower index first");
 * ```
 */
export function trueClassRanks(scores: NDArray, labels: ClassLabels): Int32Array {
  const fn = "trueClassRanks";
  const [n, c] = shapeOf(scores, fn);
  const y = classIndices(labels, n, c, fn, "labels");
  const ranks = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * c, sy = scores.data[o + y[r]];
    let rank = 0;
    for (let k = 0; k < c; k++) {
      const s = scores.data[o + k];
      if (s > sy || (s === sy && k < y[r])) rank++;
    }
    ranks[r] = rank;
  }
  return ranks;
}

function shapeOf(value: unknown, fn: string): [number, number] {
  const scores = requireArray(value, fn, "scores");
  if (scores.ndim !== 2 || scores.shape[0] < 1 || scores.shape[1] < 1) {
    throw new RangeError(
      `${fn}: scores must be [N, C] with N, C ≥ 1, got shape ${formatShape(scores.shape)}`,
    );
  }
  for (let i = 0; i < scores.size; i++) {
    if (Number.isNaN(scores.data[i])) {
      throw new RangeError(
        `${fn}: scores of shape ${formatShape(scores.shape)} hold NaN at [${scores.unravel(i)}]`,
      );
    }
  }
  return [scores.shape[0], scores.shape[1]];
}

/**
 * Top-k error (sheet 000 §7): the fraction of rows whose true class is not among the k highest
 * scores (ties by class index). `scores [N, C]`, `labels [N]`, `1 ≤ k ≤ C`; k = C gives 0.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { topKError } from "./metrics.ts";
 * if (topKError(array([[3, 2, 1]]), [2], { k: 2 }) !== 1) throw new Error("third is not top-2");
 * ```
 */
export function topKError(scores: NDArray, labels: ClassLabels, options: TopKOptions = {}): number {
  const fn = "topKError";
  const [n, c] = shapeOf(scores, fn);
  const k = options.k ?? TOP_K;
  if (!Number.isInteger(k) || k < 1 || k > c) {
    throw new RangeError(
      `${fn}: options.k must be an integer in [1, ${c}] for scores [${n}, ${c}], got ${k}`,
    );
  }
  const ranks = trueClassRanks(scores, labels);
  let miss = 0;
  for (const r of ranks) if (r >= k) miss++;
  return miss / n;
}

/**
 * Accuracy: the fraction of rows whose highest score (first one on ties) is the true class;
 * equals `1 − topKError(scores, labels, { k: 1 })`.
 */
export function accuracy(scores: NDArray, labels: ClassLabels): number {
  const fn = "accuracy";
  const [n] = shapeOf(scores, fn);
  const ranks = trueClassRanks(scores, labels);
  let hit = 0;
  for (const r of ranks) if (r === 0) hit++;
  return hit / n;
}
