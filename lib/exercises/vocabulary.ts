/**
 * The small vocabulary experiments are written in. A claim that the formula language cannot
 * state (a training run, a t-SNE map, a measured rate, a timing, a Monte-Carlo estimate) is listed
 * in its sheet's data file with `"experiment": true`; the exercise's code computes an
 * {@linkcode Outcome} for it with these words, and the runner derives the verdict exactly as for
 * a formula claim:
 *
 * - {@linkcode experiment}: what was measured, whether the claim holds, and why;
 * - {@linkcode identity}: two sides compared at many points (the largest gap is the result);
 * - {@linkcode gradient} / {@linkcode jacobian}: a hand-written derivative against central
 *   differences;
 * - {@linkcode erratum}: the sheet's version fails while the corrected one holds.
 *
 * What the sheet prints, the question, the statement and the recorded status stay in the data
 * file; an outcome carries only what was computed.
 *
 * @example
 * ```ts
 * import { experiment, identity } from "./vocabulary.ts";
 * const gap = identity([0.5, 1, 2], (x) => Math.log(Math.exp(x)), (x) => x, { tolerance: 1e-12 });
 * if (!gap.holds) throw new Error(gap.note);
 * const rate = experiment({ computed: 1.98, holds: Math.abs(1.98 - 2) < 0.05, note: "slope" });
 * if (!rate.holds || rate.tolerance !== null) throw new Error();
 * ```
 *
 * @module
 */

import type { NDArray } from "../ndarray.ts";
import { checkGradient, checkJacobian } from "../grad/check.ts";
import { type ClaimValue, describeCheck, tidy } from "./claim.ts";

/** What checking one claim found, before the verdict is derived. */
export interface Outcome {
  /** What the project computes. */
  computed: ClaimValue;
  /** The tolerance of the comparison, `null` when it is not a numeric comparison. */
  tolerance: number | null;
  /** Whether the sheet's claim (or, for an extension, the project's claim) holds. */
  holds: boolean;
  /** For a claim that fails: whether its correction holds. */
  corrected?: boolean;
  /** Why. */
  note: string;
}

/**
 * A measured result: what was computed, whether the claim holds, why; `corrected` when the
 * experiment also measured the corrected version of a claim that fails.
 * @param tolerance default `null` (not a numeric comparison)
 */
export function experiment(
  o: {
    computed: ClaimValue;
    holds: boolean;
    note: string;
    tolerance?: number | null;
    corrected?: boolean;
  },
): Outcome {
  const out: Outcome = {
    computed: o.computed,
    tolerance: o.tolerance ?? null,
    holds: o.holds,
    note: o.note,
  };
  if (o.corrected !== undefined) out.corrected = o.corrected;
  return out;
}

/**
 * Two sides compared at every point: holds when the largest gap is at most `tolerance`; the gap
 * is the computed value. `what` describes the points in the note.
 */
export function identity(
  points: readonly number[],
  lhs: (p: number) => number,
  rhs: (p: number) => number,
  options: { tolerance: number; what?: string },
): Outcome {
  let gap = 0;
  for (const p of points) gap = Math.max(gap, Math.abs(lhs(p) - rhs(p)));
  return {
    computed: tidy(gap),
    tolerance: options.tolerance,
    holds: gap <= options.tolerance,
    note: `largest gap over ${options.what ?? `${points.length} points`}`,
  };
}

/** A hand-written gradient of a scalar function against central differences at `x`. */
export function gradient(
  f: (x: NDArray) => number,
  grad: (x: NDArray) => NDArray,
  x: NDArray,
  options: { computed?: ClaimValue; name?: string } = {},
): Outcome {
  const report = checkGradient(f, grad, x, options.name ? { name: options.name } : {});
  return {
    computed: options.computed ?? tidy(grad(x).data),
    tolerance: report.atol,
    holds: report.ok,
    note: describeCheck(report),
  };
}

/** A hand-written Jacobian of a vector function against central differences at `x`. */
export function jacobian(
  f: (x: NDArray) => NDArray,
  jac: (x: NDArray) => NDArray,
  x: NDArray,
  options: { computed?: ClaimValue } = {},
): Outcome {
  const report = checkJacobian(f, jac, x);
  return {
    computed: options.computed ?? tidy(jac(x).data),
    tolerance: report.atol,
    holds: report.ok,
    note: describeCheck(report),
  };
}

/**
 * The sheet's version fails while the corrected one holds: an erratum when both say so. The
 * computed value and tolerance are the corrected version's unless given.
 */
export function erratum(
  sheet: Outcome,
  corrected: Outcome,
  o: { note: string; computed?: ClaimValue; tolerance?: number | null },
): Outcome {
  return {
    computed: o.computed ?? corrected.computed,
    tolerance: o.tolerance !== undefined ? o.tolerance : corrected.tolerance,
    holds: sheet.holds,
    corrected: corrected.holds,
    note: o.note,
  };
}
