/**
 * The catalog's claims as a table that renders itself, for the notebooks: each notebook shows the
 * claims of the sheet questions it has just worked through.
 *
 * @module
 */

import type { Claim, ExerciseResult } from "../exercises/claim.ts";
import { type Displayable, tableOf } from "./table.ts";

/** Identifiers and text: every column of a claims table reads left to right. */
const CLAIM_COLUMNS_ALIGN = ["left", "left", "left", "left", "left"] as const;

/**
 * The claims of an exercise's result for some sheet questions: one row per claim with its sheet,
 * question, statement, status and note, captioned with the exercise's title. `questions` are
 * prefixes of `"sheet question"` (`"001 Q1.E"`, `"004 Q2"`); none means every claim.
 *
 * @example
 * ```ts
 * import { mseVsCeExercise } from "../exercises/mse_vs_ce.ts";
 * import { JUPYTER_DISPLAY } from "./display.ts";
 * import { claimsTable } from "./claims.ts";
 * const table = claimsTable(mseVsCeExercise.run(), ["001 Q2.G"]);
 * const text = String(table[JUPYTER_DISPLAY]()["text/plain"]);
 * if (!/\n001 +Q2\.G/.test(text) || /\n001 +Q2\.E/.test(text)) throw new Error(text);
 * ```
 */
export function claimsTable(
  result: ExerciseResult,
  questions: readonly string[] = [],
): Displayable {
  const wanted = (c: Claim) =>
    questions.length === 0 || questions.some((q) => `${c.sheet} ${c.question}`.startsWith(q));
  const rows = result.claims.filter(({ claim }) => wanted(claim)).map(({ claim: c }) => [
    c.sheet,
    c.question,
    c.statement,
    c.status,
    c.note,
  ]);
  return tableOf(result.title, ["sheet", "question", "claim", "status", "note"], rows, {
    align: CLAIM_COLUMNS_ALIGN,
  });
}
