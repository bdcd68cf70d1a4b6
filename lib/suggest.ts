/**
 * "Did you mean …?": the closest known name to a mistyped one, for every error message that names
 * an unknown id, op, variable, function or option.
 *
 * @module
 */

/**
 * Levenshtein edit distance: the fewest insertions, deletions and substitutions that turn `a`
 * into `b`.
 * @example
 * ```ts
 * import { editDistance } from "./suggest.ts";
 * if (editDistance("sofmax", "softmax") !== 1) throw new Error();
 * ```
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The closest of `known` to `word` and its distance; a difference of case only counts ½.
 * `undefined` when `known` is empty.
 */
export function closest(
  word: string,
  known: Iterable<string>,
): { name: string; distance: number } | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const k of known) {
    const d = k.toLowerCase() === word.toLowerCase() ? 0.5 : editDistance(word, k);
    if (!best || d < best.distance) best = { name: k, distance: d };
  }
  return best;
}
