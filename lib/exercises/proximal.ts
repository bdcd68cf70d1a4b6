/**
 * The proximal operator of the L1 norm (sheet 000 §9): the soft threshold, checked against a
 * direct minimization of ½(z − x)² + t|z| and against the optimality condition.
 *
 * @example
 * ```ts
 * import { proximalExercise } from "./proximal.ts";
 * const r = proximalExercise.run();
 * if (r.claims[0].claim.status !== "verified") throw new Error(r.claims[0].claim.note);
 * ```
 *
 * @module
 */

import { array } from "../ndarray.ts";
import { Random } from "../random.ts";
import { softThreshold } from "../ops/proximal.ts";
import { type Exercise, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";

const ID = "proximal";
const SEED = 1001;
/** Random (x, t) pairs. */
const TRIALS = 300;
/** Golden-section iterations of the direct minimization. */
const GOLDEN_STEPS = 200;
/**
 * Tolerance of the comparison with the direct minimization: near its minimum the objective is
 * flat to second order, so comparing function values pins z down only to about √ε_machine.
 */
const TOL = 1e-6;

/** Minimizes a unimodal function on [lo, hi] by golden-section search. */
function goldenMin(f: (z: number) => number, lo: number, hi: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  for (let i = 0; i < GOLDEN_STEPS; i++) {
    const c = b - r * (b - a), d = a + r * (b - a);
    if (f(c) <= f(d)) b = d;
    else a = c;
  }
  return (a + b) / 2;
}

/** The claims of sheet 000 §9. */
export function runProximal(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const rng = new Random(SEED);
  let worst = 0, zeroCaseOk = true;
  for (let k = 0; k < TRIALS; k++) {
    const x = 3 * rng.normal();
    const t = 2 * rng.uniform();
    const direct = goldenMin(
      (z) => 0.5 * (z - x) ** 2 + t * Math.abs(z),
      -Math.abs(x) - 1,
      Math.abs(x) + 1,
    );
    const st = softThreshold(array([x]), { t }).item();
    worst = Math.max(worst, Math.abs(direct - st));
    if ((Math.abs(x) <= t) !== (st === 0)) zeroCaseOk = false;
  }
  outcomes["s9-soft-threshold"] = experiment({
    computed: tidy(worst),
    tolerance: TOL,
    holds: worst <= TOL,
    note: `largest gap to a golden-section minimization over ${TRIALS} random (x, t). The ` +
      `derivation writes λ for the threshold t in two places (x < −λ, x > λ, |x| > λ)`,
  });
  outcomes["s9-zero-region"] = experiment({
    computed: zeroCaseOk ? 1 : 0,
    tolerance: 0,
    holds: zeroCaseOk,
    note: "0 ∈ −x + t[−1, 1] exactly when |x| ≤ t; checked on the same random pairs",
  });
  const xs = Array.from({ length: 121 }, (_, i) => -3 + i * 0.05);
  const figure = {
    data: [1, 0.5].map((t) => ({
      type: "scatter",
      mode: "lines",
      name: `S_t(x), t = ${t}`,
      x: xs,
      y: Array.from(softThreshold(array(xs), { t }).data),
    })),
    layout: {
      title: "Sheet 000 §9: the soft threshold, prox of t‖·‖₁",
      xaxis: { title: "x" },
      yaxis: { title: "prox(x)" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `proximal`. */
export const proximalExercise: Exercise = sheetExercise({
  id: ID,
  title: "Proximal operator of the L1 norm: the soft threshold",
  covers: ["000 9a"],
  experiments: runProximal,
});
