/**
 * The exercise catalog: the explicit list of exercises, running them, looking them up by id
 * (with suggestions for a mistyped id), and summarizing their claims per sheet and status.
 * The claim types live in `claim.ts` and are re-exported here.
 *
 * @example
 * ```ts
 * import { EXERCISES, findExercise, suggestIds } from "./catalog.ts";
 * if (findExercise("conv")?.id !== "conv") throw new Error("lookup");
 * if (suggestIds("cnov")[0] !== "conv") throw new Error(String(suggestIds("cnov")));
 * if (new Set(EXERCISES.map((e) => e.id)).size !== EXERCISES.length) throw new Error("ids");
 * ```
 *
 * @module
 */

import { activationsExercise } from "./activations.ts";
import { backpropCostExercise } from "./backprop_cost.ts";
import { batchBackpropExercise } from "./batch_backprop.ts";
import {
  type CheckedClaim,
  type Claim,
  CLAIM_STATUSES,
  type ClaimStatus,
  type Exercise,
  type ExerciseResult,
} from "./claim.ts";
import { convExercise } from "./conv.ts";
import { dropoutExercise } from "./dropout.ts";
import { extensionsExercise } from "./extensions.ts";
import { mlpExercise } from "./mlp.ts";
import { mseVsCeExercise } from "./mse_vs_ce.ts";
import { normalizationExercise } from "./normalization.ts";
import { optimizationExercise } from "./optimization.ts";
import { proximalExercise } from "./proximal.ts";
import { softmaxExercise } from "./softmax.ts";
import { dataExercises, SHEET_DATA, strayClaims } from "./sheets.ts";
import { suggest } from "../suggest.ts";

export * from "./claim.ts";

/** The exercises whose code adds experiments and figures to what the sheets state. */
const CODE_EXERCISES: readonly Exercise[] = [
  activationsExercise,
  softmaxExercise,
  mlpExercise,
  mseVsCeExercise,
  batchBackpropExercise,
  backpropCostExercise,
  convExercise,
  normalizationExercise,
  dropoutExercise,
  optimizationExercise,
  proximalExercise,
  extensionsExercise,
];

/**
 * Every exercise, in the order the CLI and the report list them: those with code, then those a
 * registered sheet file defines by itself.
 */
export const EXERCISES: readonly Exercise[] = [...CODE_EXERCISES, ...dataExercises(SHEET_DATA)];

const stray = strayClaims(EXERCISES.map((e) => e.id), SHEET_DATA);
if (stray.length) throw new RangeError(`catalog: ${stray.join("; ")}`);

/** The sheets, by three-digit prefix: every registered sheet file. */
export const SHEETS: readonly string[] = SHEET_DATA.map((s) => s.sheet);

/** The exercise with this id, or undefined. */
export function findExercise(id: string): Exercise | undefined {
  return EXERCISES.find((e) => e.id === id);
}

/**
 * The exercise ids closest to a mistyped one ({@linkcode suggest}: ids containing it first, then
 * by edit distance), at most three.
 */
export function suggestIds(
  id: string,
  ids: readonly string[] = EXERCISES.map((e) => e.id),
): string[] {
  return suggest(id, ids);
}

/**
 * Runs exercises (all by default), one after the other in catalog order, each with every claim
 * (`runAsync` where an exercise has one, else `run`).
 */
export async function runExercises(
  exercises: readonly Exercise[] = EXERCISES,
): Promise<ExerciseResult[]> {
  const results: ExerciseResult[] = [];
  for (const e of exercises) results.push(e.runAsync ? await e.runAsync() : e.run());
  return results;
}

/** Every claim of some results, flattened, as the JSON contract prints them. */
export function claimsOf(results: readonly ExerciseResult[]): Claim[] {
  return results.flatMap((r) => r.claims.map((c) => c.claim));
}

/** The claims whose status differs from the status recorded in the catalog. */
export function changedClaims(results: readonly ExerciseResult[]): CheckedClaim[] {
  return results.flatMap((r) => r.claims.filter((c) => c.claim.status !== c.recorded));
}

/** One line saying how a claim's status changed from the recorded one. */
export function describeChange(c: CheckedClaim): string {
  return `${c.claim.exercise}/${c.claim.claim} (${c.claim.sheet} ${c.claim.question}) is ` +
    `${c.claim.status}, recorded ${c.recorded}`;
}

/** Number of claims per status. */
export type StatusCounts = Record<ClaimStatus, number>;

/** Counts claims per status. */
export function countStatuses(claims: readonly Claim[]): StatusCounts {
  const counts = Object.fromEntries(CLAIM_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const c of claims) counts[c.status]++;
  return counts;
}

/** Claims per status for each sheet, in sheet order. */
export function summarizeBySheet(
  claims: readonly Claim[],
): { sheet: string; counts: StatusCounts }[] {
  return SHEETS.map((sheet) => ({
    sheet,
    counts: countStatuses(claims.filter((c) => c.sheet === sheet)),
  }));
}
