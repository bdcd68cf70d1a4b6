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

import { array, type NDArray } from "../ndarray.ts";
import { checkGradient } from "../grad/check.ts";
import { ClaimList, describeCheck, type Exercise, type ExerciseResult, tidy } from "./claim.ts";
import { samplePoints, sigma } from "./support.ts";
import { SHEET_001 } from "../../data/sheets/sheet_001.ts";

const ID = "mse_vs_ce";
const SEED = 808;
/** Samples n in the losses. */
const N = 6;
/** Pre-activation of a confidently wrong prediction (target 1). */
const SATURATED = -10;

/** The claims of sheet 001 Q2.E–G. */
export function runMseVsCe(): ExerciseResult {
  const list = new ClaimList(ID);
  const o = array(samplePoints(N, SEED, 2));
  const y = array([1, 0, 1, 1, 0, 0]);
  const mse = (v: NDArray) => v.data.reduce((s, t, i) => s + (sigma(t) - y.data[i]) ** 2, 0) / N;
  const ce = (v: NDArray) =>
    -v.data.reduce(
      (s, t, i) => s + y.data[i] * Math.log(sigma(t)) + (1 - y.data[i]) * Math.log(1 - sigma(t)),
      0,
    );
  const mseRight = (v: NDArray) =>
    v.map((t, i) => 2 / N * (sigma(t) - y.data[i]) * sigma(t) * (1 - sigma(t)));
  const ceRight = (v: NDArray) => v.map((t, i) => sigma(t) - y.data[i]);
  const broadcastSum = (g: NDArray) => {
    const s = g.data.reduce((a, b) => a + b, 0);
    return g.map(() => s);
  };
  const mseGood = checkGradient(mse, mseRight, o, { name: "o^a" });
  const mseBad = checkGradient(mse, (v) => broadcastSum(mseRight(v)), o, { name: "o^a" });
  list.add({
    claim: "q2e-mse-gradient",
    sheet: "001",
    question: "Q2.E",
    statement: "∂L_MSE/∂oᵃᵢ = (2/n)(σ(oᵃᵢ) − yᵢ)σ(oᵃᵢ)(1 − σ(oᵃᵢ)), one entry per sample",
    expected: SHEET_001.q2.mseGradient,
    computed: tidy(mseRight(o).data),
    tolerance: mseGood.atol,
    recorded: "erratum",
    holds: mseBad.ok,
    corrected: mseGood.ok,
    note: `the final line keeps the sum over i, which turns the gradient (a vector with one ` +
      `entry per oᵃᵢ) into a single number: read as a vector whose entries all equal that ` +
      `sum it fails (${
        describeCheck(mseBad)
      }); dropping the sum passes (${mseGood.diagnosis.kind})`,
  });
  const ceGood = checkGradient(ce, ceRight, o, { name: "o^a" });
  const ceBad = checkGradient(ce, (v) => broadcastSum(ceRight(v)), o, { name: "o^a" });
  list.add({
    claim: "q2f-ce-gradient",
    sheet: "001",
    question: "Q2.F",
    statement: "∂L_CE/∂oᵃᵢ = σ(oᵃᵢ) − yᵢ, one entry per sample",
    expected: SHEET_001.q2.ceGradient,
    computed: tidy(ceRight(o).data),
    tolerance: ceGood.atol,
    recorded: "erratum",
    holds: ceBad.ok,
    corrected: ceGood.ok,
    note: `same slip as Q2.E: the sum over i must go (${describeCheck(ceBad)}); the ` +
      `per-sample algebra σ − y is right. Note also that L_CE is a sum while L_MSE is a mean`,
  });
  const ratioSheet = (v: NDArray) => ceRight(v).mul(v.map((t) => sigma(t) * (1 - sigma(t))));
  const ratioBad = checkGradient(mse, ratioSheet, o, { name: "o^a" });
  const ratioGood = checkGradient(mse, (v) => ratioSheet(v).mul(2 / N), o, { name: "o^a" });
  list.add({
    claim: "q2g-ratio",
    sheet: "001",
    question: "Q2.G",
    statement: "∂L_MSE/∂oᵃᵢ = (2/n)·σ(1 − σ)·∂L_CE/∂oᵃᵢ",
    expected: SHEET_001.q2.mseVsCe,
    computed: tidy(ratioSheet(o).mul(2 / N).data),
    tolerance: ratioGood.atol,
    recorded: "erratum",
    holds: ratioBad.ok,
    corrected: ratioGood.ok,
    note: `with the two losses as defined in Q2.E–F (a mean with a square, a sum) the factor ` +
      `is (2/n)σ(1 − σ), not σ(1 − σ) (${describeCheck(ratioBad)}). The conclusion ` +
      `(the σ(1 − σ) factor makes MSE saturate) stands`,
  });
  const s = sigma(SATURATED);
  const mseSat = 2 * (s - 1) * s * (1 - s), ceSat = s - 1;
  list.add({
    claim: "q2g-saturation",
    sheet: "001",
    question: "Q2.G",
    statement: "on a confidently wrong sigmoid output the MSE gradient vanishes while the " +
      "cross-entropy gradient stays near −1",
    expected: "the MSE gradient becomes very small near σ = 0 or 1; CE does not",
    computed: tidy([mseSat, ceSat]),
    tolerance: null,
    recorded: "verified",
    holds: Math.abs(mseSat) < 1e-3 && Math.abs(ceSat) > 0.99,
    note: `one sample, target 1, oᵃ = ${SATURATED}: MSE gradient ${mseSat.toExponential(2)}, ` +
      `CE gradient ${ceSat.toFixed(5)} (see the figure)`,
  });

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
  return { id: ID, title: mseVsCeExercise.title, claims: list.claims, figures: [figure] };
}

/** Exercise `mse_vs_ce`. */
export const mseVsCeExercise: Exercise = {
  id: ID,
  title: "MSE against cross-entropy on a sigmoid: gradients and saturation",
  covers: ["001 Q2.E", "001 Q2.F", "001 Q2.G"],
  run: runMseVsCe,
};
