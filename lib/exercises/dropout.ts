/**
 * Gaussian multiplicative dropout as a regularizer (sheet 004 Q5): the expected gradient of
 * J₁ = ½(y_d − Σₖ δₖWₖxₖ)², δₖ ~ N(1, σ²), estimated by Monte Carlo against the derived formula,
 * and the penalty it amounts to.
 *
 * @example
 * ```ts
 * import { dropoutExercise } from "./dropout.ts";
 * const r = dropoutExercise.run();
 * if (r.claims.some((c) => c.claim.status !== c.recorded)) throw new Error("status changed");
 * ```
 *
 * @module
 */

import { array, ones } from "../ndarray.ts";
import { gaussianDropoutForward } from "../ops/dropout.ts";
import { type Exercise, maxAbsDiff, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { samplePoints } from "./support.ts";

const ID = "dropout";
const SEED = 909;
/** Inputs n of the linear unit. */
const N = 4;
/** Standard deviation σ of the multiplicative noise. */
const SIGMA = 0.5;
/** Monte-Carlo draws. */
const DRAWS = 100000;
/** Accept a Monte-Carlo estimate within this many standard errors. */
const STANDARD_ERRORS = 4;
/** Target y_d. */
const TARGET = 1.5;

/** The claims of sheet 004 Q5. */
export function runDropout(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const x = samplePoints(N, SEED, 1);
  const w = samplePoints(N, SEED + 1, 1);
  const wx = x.map((v, k) => v * w[k]);
  const tiled = ones([DRAWS, 1]).mul(array(wx).reshape([1, N]));
  const { out } = gaussianDropoutForward(tiled, { sigma: SIGMA, seed: SEED + 2 });
  const sum = new Float64Array(N), sumSq = new Float64Array(N);
  let lossSum = 0;
  for (let m = 0; m < DRAWS; m++) {
    let pred = 0;
    for (let k = 0; k < N; k++) pred += out.data[m * N + k];
    const r = TARGET - pred;
    lossSum += 0.5 * r * r;
    for (let i = 0; i < N; i++) {
      const delta = out.data[m * N + i] / wx[i];
      const g = -delta * x[i] * r;
      sum[i] += g, sumSq[i] += g * g;
    }
  }
  const mc = Array.from(sum, (s) => s / DRAWS);
  const se = Array.from(sumSq, (s, i) => Math.sqrt((s / DRAWS - mc[i] ** 2) / DRAWS));
  const total = wx.reduce((a, b) => a + b, 0);
  const formula = x.map((xi, i) =>
    -xi * (TARGET - w[i] * xi * (1 + SIGMA ** 2) - (total - w[i] * xi))
  );
  const within = mc.every((m, i) => Math.abs(m - formula[i]) <= STANDARD_ERRORS * se[i]);
  outcomes["q5-expected-gradient"] = experiment({
    computed: tidy(mc),
    tolerance: STANDARD_ERRORS * Math.max(...se),
    holds: within,
    note: `Monte Carlo over ${DRAWS} masks (σ = ${SIGMA}, n = ${N}) against the formula ` +
      `${JSON.stringify(tidy(formula))}; largest gap ${
        maxAbsDiff(mc, formula).toExponential(2)
      }, ` +
      `within ${STANDARD_ERRORS} standard errors`,
  });
  const plain = x.map((xi) => -xi * (TARGET - total));
  const penalty = x.map((xi, i) => SIGMA ** 2 * w[i] * xi * xi);
  const splitGap = maxAbsDiff(formula, plain.map((v, i) => v + penalty[i]));
  const expectedLoss = 0.5 * (TARGET - total) ** 2 +
    0.5 * SIGMA ** 2 * wx.reduce((s, v) => s + v * v, 0);
  const mcLoss = lossSum / DRAWS;
  outcomes["q5-regularizer"] = experiment({
    computed: tidy([mcLoss, expectedLoss, splitGap]),
    tolerance: 1e-2 * expectedLoss,
    holds: splitGap <= 1e-12 && Math.abs(mcLoss - expectedLoss) <= 1e-2 * expectedLoss,
    note: `the sheet says "yes, a regularizer" without naming the penalty: the expected ` +
      `gradient splits exactly into the plain gradient plus σ²Wᵢxᵢ², the gradient of ` +
      `½σ²ΣWₖ²xₖ² (gap ${splitGap.toExponential(1)}); the Monte-Carlo mean loss ` +
      `${mcLoss.toFixed(4)} matches J_plain + penalty = ${expectedLoss.toFixed(4)} (computed)`,
  });
  const figure = {
    data: [
      {
        type: "bar",
        name: "Monte Carlo",
        x: x.map((_, i) => `W${i + 1}`),
        y: mc,
        error_y: { type: "data", array: se.map((s) => 2 * s) },
      },
      { type: "bar", name: "derived formula", x: x.map((_, i) => `W${i + 1}`), y: formula },
      { type: "bar", name: "without dropout", x: x.map((_, i) => `W${i + 1}`), y: plain },
    ],
    layout: {
      title: "Sheet 004 Q5: expected gradient under Gaussian dropout (σ = 0.5)",
      barmode: "group",
      yaxis: { title: "E[∂J₁/∂Wᵢ]" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `dropout`. */
export const dropoutExercise: Exercise = sheetExercise({
  id: ID,
  title: "Gaussian dropout: the expected gradient and the penalty it implies",
  covers: ["004 Q5"],
  experiments: runDropout,
});
