/**
 * MSE against cross-entropy on a sigmoid output (sheet 001 Q2.E–G): both gradients with respect
 * to the pre-activations, their ratio, and the saturation that makes MSE learn slowly.
 *
 * @example
 * ```ts
 * import { mseVsCeExercise } from "./mse_vs_ce.ts";
 * const r = mseVsCeExercise.run();
 * if (r.figures.length !== 1) throw new Error("one saturation figure");
 * ```
 *
 * @module
 */

import { type Exercise, tidy } from "./claim.ts";
import { sheetExercise } from "./sheets.ts";
import { sigma } from "./support.ts";
import { experiment } from "./vocabulary.ts";
import type { FigureSpec } from "../view/figure.ts";

const ID = "mse_vs_ce";
/** Pre-activation of a confidently wrong prediction (target 1). */
const SATURATED = -10;

/** The experiment of sheet 001 Q2.G (the gradients of Q2.E–G are formula claims of the sheet). */
function saturation() {
  const s = sigma(SATURATED);
  const mseSat = 2 * (s - 1) * s * (1 - s), ceSat = s - 1;
  return experiment({
    computed: tidy([mseSat, ceSat]),
    holds: Math.abs(mseSat) < 1e-3 && Math.abs(ceSat) > 0.99,
    note: `one sample, target 1, oᵃ = ${SATURATED}: MSE gradient ${mseSat.toExponential(2)}, ` +
      `CE gradient ${ceSat.toFixed(5)} (see the figure)`,
  });
}

/** Both gradients against the pre-activation for target 1. */
function gradientFigure(): FigureSpec {
  const xs = Array.from({ length: 161 }, (_, i) => -8 + i * 0.1);
  const figure = {
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: "∂MSE/∂oᵃ = 2(σ − 1)σ(1 − σ)",
        x: xs,
        y: xs.map((t) => 2 * (sigma(t) - 1) * sigma(t) * (1 - sigma(t))),
      },
      {
        type: "scatter",
        mode: "lines",
        name: "∂CE/∂oᵃ = σ − 1",
        x: xs,
        y: xs.map((t) => sigma(t) - 1),
      },
    ],
    layout: {
      title:
        "Sheet 001 Q2.G: gradients for target y = 1 — MSE vanishes when the sigmoid saturates wrong",
      xaxis: { title: "pre-activation oᵃ" },
      yaxis: { title: "gradient" },
    },
  };
  return figure;
}

/** Exercise `mse_vs_ce`: sheet 001 Q2.E–G. */
export const mseVsCeExercise: Exercise = sheetExercise({
  id: ID,
  title: "MSE against cross-entropy on a sigmoid: gradients and saturation",
  covers: ["001 Q2.E", "001 Q2.F", "001 Q2.G"],
  experiments: () => ({
    outcomes: { "q2g-saturation": saturation() },
    figures: [gradientFigure()],
  }),
});
