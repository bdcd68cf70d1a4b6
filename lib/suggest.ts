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

/** How many names {@linkcode suggest} returns unless told otherwise. */
export const MAX_SUGGESTIONS = 3;

/**
 * The known names closest to a mistyped one, best first: names that contain it (or that it
 * contains, past two letters) come first, then the rest by edit distance, ties in alphabetical
 * order; case is ignored. At most `max` names.
 *
 * @example
 * ```ts
 * import { suggest } from "./suggest.ts";
 * const ids = ["conv", "mlp", "softmax", "batch_backprop"];
 * if (suggest("cnov", ids)[0] !== "conv") throw new Error("a swap");
 * if (suggest("batch", ids)[0] !== "batch_backprop") throw new Error("a prefix");
 * ```
 */
export function suggest(word: string, known: Iterable<string>, max = MAX_SUGGESTIONS): string[] {
  const q = word.toLowerCase();
  return [...known]
    .map((name) => {
      const n = name.toLowerCase();
      const contains = n.includes(q) || (q.length > 2 && q.includes(n));
      return { name, score: (contains ? -100 : 0) + editDistance(q, n) };
    })
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/**
 * The one known name a mistyped one most likely meant, or `undefined` when none is close: the
 * first of {@linkcode suggest} when it contains the word (or the word contains it) or is at most
 * a third of its letters away (at least 2).
 *
 * @example
 * ```ts
 * import { didYouMean } from "./suggest.ts";
 * if (didYouMean("sed", ["seed", "json"]) !== "seed") throw new Error("one letter away");
 * if (didYouMean("zzzzzz", ["seed", "json"]) !== undefined) throw new Error("nothing close");
 * ```
 */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  const [best] = suggest(word, known, 1);
  if (best === undefined) return undefined;
  const q = word.toLowerCase(), b = best.toLowerCase();
  const contains = b.includes(q) || (q.length > 2 && q.includes(b));
  return contains || editDistance(q, b) <= Math.max(2, Math.floor(q.length / 3)) ? best : undefined;
}
