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

/** Options of {@linkcode gaussianDropoutMonteCarlo}: the linear unit and the sampling. */
export interface DropoutMonteCarloOptions {
  /** Inputs xₖ of the unit. */
  x: readonly number[];
  /** Weights Wₖ (same length as x, every Wₖxₖ ≠ 0: δ is read back as out/(Wₖxₖ)). */
  w: readonly number[];
  /** Target y_d. */
  target: number;
  /** Standard deviation σ of the noise δₖ ~ N(1, σ²). */
  sigma: number;
  /** Monte-Carlo draws of the mask. */
  draws: number;
  /** Seed of the masks. */
  seed: number;
  /** Draw counts at which to record the running mean of the gradient. Default none. */
  checkpoints?: readonly number[];
}

/** What {@linkcode gaussianDropoutMonteCarlo} measures. */
export interface DropoutMonteCarlo {
  /** Monte-Carlo mean of ∂J₁/∂Wᵢ = −δᵢxᵢ(y_d − Σₖ δₖWₖxₖ) over the masks. */
  mean: number[];
  /** Standard error of each mean. */
  standardError: number[];
  /** The derived expectation −xᵢ(y_d − Wᵢxᵢ(1 + σ²) − Σ_{k≠i} Wₖxₖ) (sheet 004 Q5). */
  formula: number[];
  /** The gradient without dropout, −xᵢ(y_d − Σₖ Wₖxₖ). */
  plain: number[];
  /** σ²Wᵢxᵢ², the gradient of the penalty ½σ²Σₖ Wₖ²xₖ² that dropout adds in expectation. */
  penalty: number[];
  /** Monte-Carlo mean of the loss J₁ = ½(y_d − Σₖ δₖWₖxₖ)². */
  meanLoss: number;
  /** Its expectation, ½(y_d − Σₖ Wₖxₖ)² + ½σ²Σₖ Wₖ²xₖ². */
  expectedLoss: number;
  /** The running mean of the gradient at each checkpoint (draws in increasing order). */
  running: { draws: number; mean: number[] }[];
}

/**
 * Sheet 004 Q5 by Monte Carlo: a linear unit ŷ = Σₖ δₖWₖxₖ with Gaussian multiplicative dropout
 * δₖ ~ N(1, σ²) (`gaussianDropoutForward` of lib/ops, one mask per draw) and J₁ = ½(y_d − ŷ)².
 * The mean of ∂J₁/∂Wᵢ over the draws is compared with the expectation derived from E[δᵢ] = 1 and
 * E[δᵢδₖ] = 1 + σ²[i = k]: the plain gradient plus σ²Wᵢxᵢ², an input-scaled L2 penalty.
 *
 * @example
 * ```ts
 * import { gaussianDropoutMonteCarlo } from "./dropout.ts";
 * const r = gaussianDropoutMonteCarlo({
 *   x: [1, -2], w: [0.5, 0.3], target: 1, sigma: 0.5, draws: 20000, seed: 1,
 * });
 * if (r.mean.some((m, i) => Math.abs(m - r.formula[i]) > 5 * r.standardError[i])) {
 *   throw new Error("Monte Carlo disagrees with the formula");
 * }
 * ```
 */
export function gaussianDropoutMonteCarlo(options: DropoutMonteCarloOptions): DropoutMonteCarlo {
  const fn = "gaussianDropoutMonteCarlo";
  const { x, w, target, sigma, draws, seed } = options;
  const n = x.length;
  if (w.length !== n || n === 0) {
    throw new RangeError(`${fn}: x and w need the same non-zero length, got ${n} and ${w.length}`);
  }
  if (!Number.isInteger(draws) || draws < 2) {
    throw new RangeError(`${fn}: draws must be an integer ≥ 2, got ${draws}`);
  }
  const wx = x.map((v, k) => v * w[k]);
  if (wx.some((v) => v === 0)) throw new RangeError(`${fn}: every Wₖxₖ must be non-zero`);
  const tiled = ones([draws, 1]).mul(array(wx).reshape([1, n]));
  const { out } = gaussianDropoutForward(tiled, { sigma, seed });
  const checkpoints = new Set(options.checkpoints ?? []);
  const running: DropoutMonteCarlo["running"] = [];
  const sum = new Float64Array(n), sumSq = new Float64Array(n);
  let lossSum = 0;
  for (let m = 0; m < draws; m++) {
    let pred = 0;
    for (let k = 0; k < n; k++) pred += out.data[m * n + k];
    const r = target - pred;
    lossSum += 0.5 * r * r;
    for (let i = 0; i < n; i++) {
      const delta = out.data[m * n + i] / wx[i];
      const g = -delta * x[i] * r;
      sum[i] += g, sumSq[i] += g * g;
    }
    if (checkpoints.has(m + 1)) {
      running.push({ draws: m + 1, mean: Array.from(sum, (s) => s / (m + 1)) });
    }
  }
  const mean = Array.from(sum, (s) => s / draws);
  const standardError = Array.from(
    sumSq,
    (s, i) => Math.sqrt((s / draws - mean[i] ** 2) / draws),
  );
  const total = wx.reduce((a, b) => a + b, 0);
  const formula = x.map((xi, i) =>
    -xi * (target - w[i] * xi * (1 + sigma ** 2) - (total - w[i] * xi))
  );
  return {
    mean,
    standardError,
    formula,
    plain: x.map((xi) => -xi * (target - total)),
    penalty: x.map((xi, i) => sigma ** 2 * w[i] * xi * xi),
    meanLoss: lossSum / draws,
    expectedLoss: 0.5 * (target - total) ** 2 +
      0.5 * sigma ** 2 * wx.reduce((s, v) => s + v * v, 0),
    running,
  };
}

/** The claims of sheet 004 Q5. */
export function runDropout(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const x = samplePoints(N, SEED, 1);
  const w = samplePoints(N, SEED + 1, 1);
  const mc = gaussianDropoutMonteCarlo({
    x,
    w,
    target: TARGET,
    sigma: SIGMA,
    draws: DRAWS,
    seed: SEED + 2,
  });
  const { formula, standardError: se } = mc;
  const within = mc.mean.every((m, i) => Math.abs(m - formula[i]) <= STANDARD_ERRORS * se[i]);
  outcomes["q5-expected-gradient"] = experiment({
    computed: tidy(mc.mean),
    tolerance: STANDARD_ERRORS * Math.max(...se),
    holds: within,
    note: `Monte Carlo over ${DRAWS} masks (σ = ${SIGMA}, n = ${N}) against the formula ` +
      `${JSON.stringify(tidy(formula))}; largest gap ${
        maxAbsDiff(mc.mean, formula).toExponential(2)
      }, ` +
      `within ${STANDARD_ERRORS} standard errors`,
  });
  const { plain, penalty, expectedLoss, meanLoss: mcLoss } = mc;
  const splitGap = maxAbsDiff(formula, plain.map((v, i) => v + penalty[i]));
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
        y: mc.mean,
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
