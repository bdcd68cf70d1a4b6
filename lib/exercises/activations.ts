/**
 * Activations (sheet 001 Q1.A–G, sheet 003 2.1a): sign, ReLU and Heaviside, the sigmoid's limits
 * and derivative, softplus identities.
 *
 * @example
 * ```ts
 * import { activationsExercise } from "./activations.ts";
 * const r = activationsExercise.run();
 * if (!r.claims.every((c) => c.claim.status === c.recorded)) throw new Error("status changed");
 * ```
 *
 * @module
 */

import { array, type NDArray } from "../ndarray.ts";
import { checkGradient } from "../grad/check.ts";
import { describeCheck, type Exercise, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { IDENTITY_POINTS, identityGap, samplePoints, sigma } from "./support.ts";

const ID = "activations";
/** Seed of every random point in this exercise. */
const SEED = 101;
/** Steepness values k of σ(kx) used to show the limit of sheet 001 Q1.D. */
const STEEPNESS = [1, 10, 100, 1000, 10000];
/** Points at which the limit of σ(kx) is shown: one negative, zero, one positive. */
const LIMIT_POINTS = [-0.5, 0, 0.5];
/** Lower end of the numeric integral of H (its integrand is 0 below 0). */
const INTEGRAL_FROM = -1;
/** Steps of the numeric integral of H (midpoint rule, exact for a step function off the jump). */
const INTEGRAL_STEPS = 20000;
/** Tolerance of the numeric integral. */
const INTEGRAL_TOLERANCE = 1e-3;
/** One-sided step used to show that ReLU has no derivative at 0. */
const ONE_SIDED_STEP = 1e-8;

function heaviside(v: number): number {
  return v > 0 ? 1 : v < 0 ? 0 : 0.5;
}

function relu(v: number): number {
  return v > 0 ? v : 0;
}

/** The claims of sheet 001 Q1.A–G and sheet 003 2.1a. */
export function runActivations(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const pts = samplePoints(IDENTITY_POINTS, SEED, 3).concat([0]);

  const signGap = identityGap(
    pts,
    Math.sign,
    (v) => (v > 0 ? 1 : 0) - (v < 0 ? 1 : 0),
  );
  outcomes["sign-indicators"] = experiment({
    computed: signGap,
    tolerance: 0,
    holds: signGap === 0,
    note: `checked at ${pts.length} points including x = 0`,
  });

  const x = array(samplePoints(8, SEED + 1, 2));
  const reluSum = (v: NDArray) => v.data.reduce((s, t) => s + relu(t), 0);
  const reluCheck = checkGradient(reluSum, (v) => v.map(heaviside), x);
  const left = (relu(0) - relu(-ONE_SIDED_STEP)) / ONE_SIDED_STEP;
  const right = (relu(ONE_SIDED_STEP) - relu(0)) / ONE_SIDED_STEP;
  outcomes["relu-derivative"] = experiment({
    computed: [tidy(reluCheck.maxAbsError), left, right],
    tolerance: reluCheck.atol,
    holds: reluCheck.ok && left === 0 && right === 1,
    note: `gradient check away from 0: ${describeCheck(reluCheck)}; at 0 the one-sided ` +
      `slopes are ${left} and ${right}, so no derivative exists there`,
  });

  const integralAt = (t: number) => {
    const h = (t - INTEGRAL_FROM) / INTEGRAL_STEPS;
    let s = 0;
    for (let i = 0; i < INTEGRAL_STEPS; i++) s += heaviside(INTEGRAL_FROM + (i + 0.5) * h) * h;
    return s;
  };
  const intPts = [-0.7, -0.2, 0.3, 0.9];
  const intGap = identityGap(intPts, integralAt, relu);
  outcomes["relu-integral"] = experiment({
    computed: tidy(intGap),
    tolerance: INTEGRAL_TOLERANCE,
    holds: intGap <= INTEGRAL_TOLERANCE,
    note: `midpoint rule with ${INTEGRAL_STEPS} steps at x = ${intPts.join(", ")}`,
  });
  const gapXH = identityGap(pts, relu, (v) => (v !== 0 ? v * heaviside(v) : 0));
  const gapXminus = identityGap(pts, relu, (v) => (v !== 0 ? v - v * heaviside(-v) : 0));
  outcomes["relu-heaviside-forms"] = experiment({
    computed: [gapXH, gapXminus],
    tolerance: 0,
    holds: gapXH === 0 && gapXminus === 0,
    note: "exact at every sampled point; the special case at 0 is not even needed, since " +
      "0·H(0) = 0 for any value of H(0)",
  });

  const limits = LIMIT_POINTS.map((p) => STEEPNESS.map((k) => sigma(k * p)));
  const last = limits.map((row) => row[row.length - 1]);
  const limitGap = Math.max(...last.map((v, i) => Math.abs(v - heaviside(LIMIT_POINTS[i]))));
  outcomes["sigmoid-limit"] = experiment({
    computed: tidy(last),
    tolerance: 1e-12,
    holds: limitGap <= 1e-12,
    note: `σ(kx) at x = ${LIMIT_POINTS.join(", ")} for k = ${STEEPNESS.join(", ")}; ` +
      `at x = 0 it is exactly 1/2 for every k`,
  });

  const figure = {
    data: STEEPNESS.slice(0, 4).map((k) => {
      const xs = Array.from({ length: 201 }, (_, i) => -2 + i * 0.02);
      return {
        type: "scatter",
        mode: "lines",
        name: `σ(${k}x)`,
        x: xs,
        y: xs.map((t) => sigma(k * t)),
      };
    }),
    layout: {
      title: "Sheet 001 Q1.D: σ(kx) approaches the Heaviside step as k grows",
      xaxis: { title: "x" },
      yaxis: { title: "σ(kx)" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `activations`. */
export const activationsExercise: Exercise = sheetExercise({
  id: ID,
  title: "Activations: sign, ReLU, Heaviside, sigmoid, softplus",
  covers: [
    "001 Q1.A",
    "001 Q1.B",
    "001 Q1.C",
    "001 Q1.D",
    "001 Q1.E",
    "001 Q1.F",
    "001 Q1.G",
    "003 2.1a",
  ],
  experiments: runActivations,
});
