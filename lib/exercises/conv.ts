/**
 * Convolution (sheet 000 Q5, sheet 001 Q3): output sizes, the 5x5 matrix of 000 Q5c read as the
 * gradient of the summed output with respect to the input (kernel recovered and verified),
 * parameter counts, and the 1-D valid/full/same convolutions of 001 Q3.c.
 *
 * @example
 * ```ts
 * import { convExercise } from "./conv.ts";
 * const r = convExercise.run();
 * const k = r.claims.find((c) => c.claim.claim === "5c-kernel");
 * if (k?.claim.status !== "verified") throw new Error("kernel");
 * ```
 *
 * @module
 */

import { array, ones } from "../ndarray.ts";
import { conv2dBackward, conv2dForward, convolve1d } from "../ops/conv.ts";
import { type Exercise, flat, maxAbsDiff, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { sampleMatrix } from "./support.ts";
import { SHEET_000 } from "../../data/sheets/sheet_000.ts";
import { SHEET_001 } from "../../data/sheets/sheet_001.ts";

const ID = "conv";
const SEED = 505;
/** Tolerance of exact small-integer and dyadic arithmetic. */
const TOL = 1e-12;
/** Ranges of the brute-force check of the output-size formula. */
const SIZE_RANGE = { n: 12, k: 5, s: 3, p: 2, d: 3 };

/** Counts kernel positions by walking them: the definition the formula must match. */
function countWindows(n: number, k: number, s: number, p: number, d: number): number {
  let count = 0;
  for (let start = 0; start + d * (k - 1) <= n + 2 * p - 1; start += s) count++;
  return count;
}

/** Total variation Σ|xᵢ₊₁ − xᵢ| of a list. */
function totalVariation(v: ArrayLike<number>): number {
  let t = 0;
  for (let i = 1; i < v.length; i++) t += Math.abs(v[i] - v[i - 1]);
  return t;
}

/** The experiments of sheet 000 Q5c and sheet 001 Q3 (the rest is stated in the sheets' data). */
export function runConv(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const q5 = SHEET_000.q5;

  // Part c: G = ∂(Σ out)/∂x. For cross-correlation G = full correlation of ones(3x3) with K,
  // so 2-D differences of G's top-left 3x3 corner recover K; the backward pass of conv2d with K
  // then reproduces G, and that reproduced matrix is what the claim computes.
  const G = q5.matrixC.map((r) => [...r]);
  const [inRows, inCols] = q5.inputSize;
  const [kRows, kCols] = q5.kernelSize;
  const at = (i: number, j: number) => (i < 0 || j < 0 ? 0 : G[i][j]);
  const tap = (i: number, j: number) => at(i, j) - at(i - 1, j) - at(i, j - 1) + at(i - 1, j - 1);
  const K = Array.from(
    { length: kRows },
    (_, i) => Array.from({ length: kCols }, (_, j) => tap(i, j)),
  );
  const x = sampleMatrix(inRows, inCols, SEED).reshape([1, 1, inRows, inCols]);
  const w = array([[K]]);
  const { out, cache } = conv2dForward(x, w);
  const { dx } = conv2dBackward(ones(out.shape), cache);
  const reproduced = dx.reshape([inRows, inCols]).toArray() as number[][];
  const gap = maxAbsDiff(dx.data, flat(G));
  outcomes["5c-kernel"] = experiment({
    computed: tidy(reproduced),
    tolerance: TOL,
    holds: gap <= TOL,
    note: `each input pixel collects the kernel taps of every window that covers it, so the ` +
      `matrix is ones(3x3) fully correlated with K; 2-D differences of its corner give the ` +
      `kernel K = ${JSON.stringify(K)}, and the backward pass of conv2d with this K (computed) ` +
      `reproduces the 25 entries exactly (largest gap ${gap}) — 25 equations for 9 unknowns, ` +
      `so the reading is not a coincidence. The sheet prints the matrix without saying what it is`,
  });

  // 001 Q3.a: the formula against walking the windows (floor is not in the formula language).
  let formulaGap = 0, cases = 0;
  for (let n = 1; n <= SIZE_RANGE.n; n++) {
    for (let k = 1; k <= SIZE_RANGE.k; k++) {
      for (let s = 1; s <= SIZE_RANGE.s; s++) {
        for (let p = 0; p <= SIZE_RANGE.p; p++) {
          for (let d = 1; d <= SIZE_RANGE.d; d++) {
            if (d * (k - 1) + 1 > n + 2 * p) continue;
            const formula = Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
            formulaGap = Math.max(formulaGap, Math.abs(formula - countWindows(n, k, s, p, d)));
            cases++;
          }
        }
      }
    }
  }
  outcomes["q3a-formula"] = experiment({
    computed: [formulaGap, cases],
    tolerance: 0,
    holds: formulaGap === 0,
    note: `compared with walking the windows for ${cases} combinations of n, k, s, p, d`,
  });

  const q3 = SHEET_001.q3;
  const signal = array([...q3.signal]);
  const kernel = array([...q3.kernel]);
  for (const mode of ["valid", "full", "same"] as const) {
    const y = convolve1d(signal, kernel, { mode });
    const g = maxAbsDiff(y.data, [...q3[mode]]);
    outcomes[`q3c-${mode}`] = experiment({
      computed: tidy(y.data),
      tolerance: TOL,
      holds: g <= TOL,
      note: `length ${y.size}; the kernel is symmetric, so flipped or not gives the same result`,
    });
  }
  const same = convolve1d(signal, kernel, { mode: "same" });
  const tvIn = totalVariation(signal.data), tvOut = totalVariation(same.data);
  const jumpIn = Math.max(...signal.data.slice(1).map((v, i) => Math.abs(v - signal.data[i])));
  const jumpOut = Math.max(...same.data.slice(1).map((v, i) => Math.abs(v - same.data[i])));
  outcomes["q3d-smoothing"] = experiment({
    computed: tidy([jumpIn, jumpOut, tvIn, tvOut]),
    holds: jumpOut < jumpIn,
    note: `largest jump ${jumpIn} → ${jumpOut} (same mode). The kernel sums to 3/4, not 1, so ` +
      `it also shrinks the signal: it is a moving average times 3/4 (the plateau 4 becomes 3)`,
  });

  const idx = (n: number, offset: number) => Array.from({ length: n }, (_, i) => i + offset);
  const figure = {
    data: [
      { type: "scatter", mode: "lines+markers", name: "input", x: idx(7, 0), y: [...q3.signal] },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "valid",
        x: idx(5, 1),
        y: Array.from(convolve1d(signal, kernel, { mode: "valid" }).data),
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "full",
        x: idx(9, -1),
        y: Array.from(convolve1d(signal, kernel, { mode: "full" }).data),
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "same",
        x: idx(7, 0),
        y: Array.from(same.data),
      },
    ],
    layout: {
      title: "Sheet 001 Q3.c: [1,1,4,4,4,1,1] convolved with [1/4,1/4,1/4]",
      xaxis: { title: "position (aligned with the input)" },
      yaxis: { title: "value" },
    },
  };
  const heat = {
    data: [{ type: "heatmap", z: reproduced, colorscale: "Viridis", name: "∂Σout/∂x" }],
    layout: { title: `Sheet 000 Q5c: ∂(Σ outputs)/∂input, from K = ${JSON.stringify(K)}` },
  };
  return { outcomes, figures: [figure, heat] };
}

/** Exercise `conv`. */
export const convExercise: Exercise = sheetExercise({
  id: ID,
  title: "Convolution: output sizes, a recovered kernel, parameter counts, 1-D modes",
  covers: ["000 5a", "000 5b", "000 5c", "001 Q3.a", "001 Q3.b", "001 Q3.c", "001 Q3.d"],
  experiments: runConv,
});
