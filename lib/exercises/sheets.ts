/**
 * The sheets as data, read and validated once, and the two ways an exercise is built on them:
 * {@linkcode sheetExercise} for a topic whose code adds experiments and figures to the claims the
 * sheets state, {@linkcode dataExercises} for exercises a sheet file defines by itself.
 *
 * @example
 * ```ts
 * import { SHEET_DATA } from "./sheets.ts";
 * if (SHEET_DATA.map((s) => s.sheet).join() !== "000,001,002,003,004") throw new Error();
 * ```
 *
 * @module
 */

import type { FigureSpec } from "../view/figure.ts";
import type { Exercise, ExerciseResult } from "./claim.ts";
import { readSheet, type SheetData } from "./sheet_data.ts";
import * as FILES from "./sheet_files.ts";
import { type Outcomes, runSheetClaims } from "./sheet_runner.ts";

/** Reads registered sheet files (name → parsed JSON), in sheet order. */
export function readSheets(files: Readonly<Record<string, unknown>>): SheetData[] {
  return Object.entries(files)
    .map(([name, raw]) => readSheet(raw, `data/sheets/${name}.json`))
    .sort((a, b) => a.sheet.localeCompare(b.sheet));
}

/** Every registered sheet (`sheet_files.ts`), validated. */
export const SHEET_DATA: readonly SheetData[] = readSheets(FILES);

/** What an exercise's experiments give: an outcome per claim id, and figures for the report. */
export interface Experiments {
  /** Outcomes of the claims the sheets mark `experiment`, by claim id. */
  outcomes?: Outcomes;
  /** Plotly figures (evidence). */
  figures?: FigureSpec[];
}

/** What an exercise's code adds to its sheets' claims. */
export interface ExerciseCode {
  /** Short id; the sheets' claims naming it belong to it. */
  id: string;
  /** Human title. */
  title: string;
  /** Sheet questions covered, `"002 Ex2"`. */
  covers: readonly string[];
  /** Runs the exercise's experiments (deterministic, seeded). */
  experiments?: () => Experiments;
  /**
   * Runs every experiment, the asynchronous ones included (a t-SNE run): the exercise then also
   * has `runAsync`, and its `run()` leaves out the experiments only this computes.
   */
  experimentsAsync?: () => Promise<Experiments>;
}

/**
 * An exercise whose claims come from the sheets (formula claims checked from data, experiments
 * from `code.experiments`).
 */
export function sheetExercise(
  code: ExerciseCode,
  sheets: readonly SheetData[] = SHEET_DATA,
): Exercise {
  const result = (
    { outcomes = {}, figures = [] }: Experiments,
    from: readonly SheetData[],
  ): ExerciseResult => ({
    id: code.id,
    title: code.title,
    claims: runSheetClaims(from, code.id, outcomes),
    figures,
  });
  const run = (): ExerciseResult => {
    const found = code.experiments?.() ?? {};
    if (!code.experimentsAsync) return result(found, sheets);
    const outcomes = found.outcomes ?? {};
    const syncOnly = sheets.map((s) => ({
      ...s,
      claims: s.claims.filter((c) =>
        !(c.exercise === code.id && c.experiment && !(c.claim in outcomes))
      ),
    }));
    return result(found, syncOnly);
  };
  const exercise: Exercise = { id: code.id, title: code.title, covers: code.covers, run };
  const asyncExperiments = code.experimentsAsync;
  if (asyncExperiments) {
    exercise.runAsync = async () => result(await asyncExperiments(), sheets);
  }
  return exercise;
}

/** The exercises the sheet files define themselves (every claim of them stated as data). */
export function dataExercises(sheets: readonly SheetData[] = SHEET_DATA): Exercise[] {
  return sheets.flatMap((s) =>
    (s.exercises ?? []).map((e) => {
      const covers = e.covers ?? [
        ...new Set(
          s.claims.filter((c) => c.exercise === e.id).map((c) => `${s.sheet} ${c.question}`),
        ),
      ];
      return sheetExercise({ id: e.id, title: e.title, covers }, sheets);
    })
  );
}

/** The claims of the sheets that name an exercise outside `known` (a typo in an id). */
export function strayClaims(
  known: readonly string[],
  sheets: readonly SheetData[] = SHEET_DATA,
): string[] {
  return sheets.flatMap((s) =>
    s.claims.filter((c) => !known.includes(c.exercise)).map((c) =>
      `sheet ${s.sheet}: ${c.exercise}/${c.claim} names an exercise that is not in the catalog`
    )
  );
}
