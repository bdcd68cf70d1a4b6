/**
 * One door for formulas as people write them: LaTeX between dollars (`$…$`, `$$…$$`, also `\(…\)`
 * and `\[…\]`) goes to {@linkcode parseLatex}, anything else is plain text for
 * {@linkcode parsePlain}. Both give the same tree for the same formula.
 *
 * @module
 */

import type { Node } from "./ast.ts";
import { FormulaError } from "./errors.ts";
import { parseLatex } from "./parse_latex.ts";
import { parsePlain } from "./parse_plain.ts";

/** The delimiters of LaTeX math, longest first. */
const DELIMITERS: readonly (readonly [string, string])[] = [
  ["$$", "$$"],
  ["$", "$"],
  ["\\(", "\\)"],
  ["\\[", "\\]"],
];

function delimitersOf(text: string): readonly [string, string] | undefined {
  const t = text.trim();
  return DELIMITERS.find(([open, close]) =>
    t.length >= open.length + close.length && t.startsWith(open) && t.endsWith(close)
  );
}

/**
 * True when the text is LaTeX math: wrapped in `$…$`, `$$…$$`, `\(…\)` or `\[…\]`.
 * @example
 * ```ts
 * import { isLatex } from "./parse.ts";
 * if (!isLatex("$2 \\lambda W$") || isLatex("2 * lambda * W")) throw new Error();
 * ```
 */
export function isLatex(claim: string): boolean {
  return delimitersOf(claim) !== undefined;
}

/**
 * The LaTeX inside the math delimiters (the text unchanged, trimmed, when it has none).
 * @example
 * ```ts
 * import { stripDollars } from "./parse.ts";
 * if (stripDollars(" $$x^\\top$$ ") !== "x^\\top") throw new Error();
 * ```
 */
export function stripDollars(text: string): string {
  const t = text.trim();
  const d = delimitersOf(t);
  return d ? t.slice(d[0].length, t.length - d[1].length) : t;
}

/**
 * Parses a formula, LaTeX between dollars or plain text.
 * @throws FormulaError as the reader does; a column counts from the start of `text`
 * @example
 * ```ts
 * import { parseFormula } from "./parse.ts";
 * import { sameTree } from "./ast.ts";
 * const plain = parseFormula("(yhat - y) * x'");
 * const latex = parseFormula("$(\\hat{y} - y) x^\\top$");
 * if (!sameTree(plain, latex)) throw new Error();
 * ```
 */
export function parseFormula(text: string): Node {
  if (typeof text !== "string") throw new FormulaError("the formula is not text");
  const d = delimitersOf(text);
  if (!d) return parsePlain(text);
  const offset = text.indexOf(d[0]) + d[0].length;
  try {
    return parseLatex(stripDollars(text));
  } catch (e) {
    if (e instanceof FormulaError && e.column !== undefined) {
      throw new FormulaError(e.message, e.column + offset);
    }
    throw e;
  }
}
