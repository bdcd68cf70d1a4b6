/**
 * The one error type of the formula layer: a formula that does not parse, names that are not
 * given, shapes that do not fit. Its message is one line a student can act on.
 *
 * @module
 */

import { closest } from "../suggest.ts";

/** A problem with a formula or a problem statement, with the column where it was found. */
export class FormulaError extends Error {
  /** 1-based column in the formula's source text, when known. */
  column?: number;

  /** A formula error; `column` is 1-based. */
  constructor(message: string, column?: number) {
    super(message);
    this.name = "FormulaError";
    if (column !== undefined) this.column = column;
  }
}

/**
 * ` (did you mean X?)` for the closest of `known` to `word`, when one is close enough (at most a
 * third of the word's letters differ, or only case differs; a one-letter word only for a case
 * slip); otherwise the empty string.
 */
export function didYouMean(word: string, known: Iterable<string>): string {
  const best = closest(word, known);
  // Every one-letter name is one edit from every other: only a case slip is a likely intent.
  const limit = word.length === 1 ? 0.5 : Math.max(1, Math.floor(word.length / 3));
  return best && best.distance <= limit ? ` (did you mean ${best.name}?)` : "";
}
