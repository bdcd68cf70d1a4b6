/**
 * Batch backpropagation (sheet 002 Ex1–Ex3): the 3-layer formulas of Ex1 checked against finite
 * differences, the numeric example of Ex2 reproduced to the four decimals it prints (with the
 * loss normalization and learning rate it does not state recovered from its own numbers), and
 * the multi-class hinge loss on softmax outputs of Ex3. The formulas and printed numbers are
 * claims of `data/sheets/sheet_002.json`; this file computes what needs code.
 *
 * Convention of the sheet: samples are columns, `X: [d₀, N]`, `Sₖ = WₖZₖ₋₁`, `Zₖ = fₖ(Sₖ)`.
 *
 * @example
 * ```ts
 * import { batchBackpropExercise } from "./batch_backprop.ts";
 * const r = batchBackpropExercise.run();
 * const loss = r.claims.find((c) => c.claim.claim === "ex2-loss")!.claim;
 * if (Math.abs((loss.computed as number) - 0.4916) > loss.tolerance!) throw new Error();
 * ```
 *
 * @module
 */

import { array, type NDArray } from "../ndarray.ts";
import { checkGradient } from "../grad/check.ts";
import { describeCheck, type Exercise, flat, maxAbsDiff, roundTo, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { sampleMatrix } from "./support.ts";
import { SHEET_002 } from "../../data/sheets/sheet_002.ts";

const ID = "batch_backprop";
const SEED = 404;
/** Layer widths d₀…d₃ and batch size N of the Ex1 check. */
const EX1_WIDTHS = [3, 4, 5, 2];
const EX1_BATCH = 6;
/** Half a unit in the last printed place: the tolerance of printed numbers. */
const PRINTED_TOL = 0.5e-4;
/** Float slack added to {@linkcode PRINTED_TOL} in comparisons. */
const FLOAT_SLACK = 1e-12;

function reluM(a: NDArray): NDArray {
  return a.map((v) => Math.max(v, 0));
}

function step(a: NDArray): NDArray {
  return a.map((v) => (v > 0 ? 1 : 0));
}

/**
 * The experiments of sheet 002 Ex1–Ex2 (every formula and printed number that the formula
 * language can state is a claim of sheet_002.json): three weight gradients checked at once, the
 * printed gradients against the mean loss, and the learning rate the sheet does not state.
 */
export function runBatchBackprop(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  let seed = SEED;
  const next = () => ++seed;

  // --- Ex1: general 3-layer formulas, tanh hidden layers, sigmoid output
  const [d0, d1, d2, d3] = EX1_WIDTHS;
  const X = sampleMatrix(d0, EX1_BATCH, next());
  const Ygt = sampleMatrix(d3, EX1_BATCH, next());
  const p = {
    W1: sampleMatrix(d1, d0, next(), 0.7),
    W2: sampleMatrix(d2, d1, next(), 0.7),
    W3: sampleMatrix(d3, d2, next(), 0.7),
  };
  const f = Math.tanh, fp = (v: number) => 1 - Math.tanh(v) ** 2;
  const f3 = (v: number) => 1 / (1 + Math.exp(-v)), f3p = (v: number) => f3(v) * (1 - f3(v));
  const fwd = (q: Record<string, NDArray>) => {
    const S1 = q.W1.matmul(X), Z1 = S1.map(f);
    const S2 = q.W2.matmul(Z1), Z2 = S2.map(f);
    const S3 = q.W3.matmul(Z2), Y3 = S3.map(f3);
    return { S1, Z1, S2, Z2, S3, Y3 };
  };
  const L = (q: Record<string, NDArray>) => {
    const d = fwd(q).Y3.sub(Ygt);
    return 0.5 * d.dot(d);
  };
  const grads = (q: Record<string, NDArray>) => {
    const c = fwd(q);
    const D3 = c.Y3.sub(Ygt).mul(c.S3.map(f3p));
    const D2 = q.W3.transpose().matmul(D3).mul(c.S2.map(fp));
    const D1 = q.W2.transpose().matmul(D2).mul(c.S1.map(fp));
    return {
      W3: D3.matmul(c.Z2.transpose()),
      W2: D2.matmul(c.Z1.transpose()),
      W1: D1.matmul(X.transpose()),
    };
  };
  const ex1 = checkGradient(L, grads, p);
  outcomes["ex1-weight-gradients"] = experiment({
    computed: tidy(grads(p).W3.data),
    tolerance: ex1.atol,
    holds: ex1.ok,
    note: `${describeCheck(ex1)} (tanh hidden layers, sigmoid output, d = ` +
      `${EX1_WIDTHS.join("/")}, N = ${EX1_BATCH}; computed: ∂L/∂W₃). The index range under ` +
      `∂S₃/∂W₃ᵢⱼ should read j: 1 → d₂, not d₃, and its ith row is Z₂'s jth row`,
  });

  // --- Ex2: the numbers
  const e = SHEET_002.ex2;
  const dec = e.decimals;
  const X2 = array(e.X as unknown as number[][]);
  const W1 = array(e.W1 as unknown as number[][]);
  const W2 = array(e.W2 as unknown as number[][]);
  const y = array(e.y as unknown as number[][]);
  const N = X2.shape[1];
  const forward2 = (w1: NDArray, w2: NDArray) => {
    const S1 = w1.matmul(X2);
    const Z1 = reluM(S1);
    const Y = w2.matmul(Z1);
    const r = Y.sub(y);
    return { S1, Z1, Y, r, sumLoss: 0.5 * r.dot(r), meanLoss: 0.5 * r.dot(r) / N };
  };
  const c = forward2(W1, W2);
  const dOut = c.r.div(N);
  const D1 = W2.transpose().matmul(dOut).mul(step(c.S1));
  const gW2 = dOut.matmul(c.Z1.transpose());
  const gW1 = D1.matmul(X2.transpose());
  const gradCheck = checkGradient(
    (q: Record<string, NDArray>) => forward2(q.W1, q.W2).meanLoss,
    () => ({ W1: gW1, W2: gW2 }),
    { W1, W2 },
  );
  outcomes["ex2-gradients-check"] = experiment({
    computed: tidy([...gW1.data, ...gW2.data]),
    tolerance: gradCheck.atol,
    holds: gradCheck.ok,
    note: describeCheck(gradCheck),
  });

  // Learning rate: least squares over every printed update.
  const oldW = [...W1.data, ...W2.data];
  const newW = flat([e.W1new, e.W2new]);
  const g = [...gW1.data, ...gW2.data];
  let num = 0, den = 0;
  for (let i = 0; i < g.length; i++) (num += (oldW[i] - newW[i]) * g[i], den += g[i] * g[i]);
  const etaHat = num / den;
  const eta = roundTo(etaHat, 2);
  const W1n = W1.sub(gW1.mul(eta)), W2n = W2.sub(gW2.mul(eta));
  const updateGap = maxAbsDiff([...W1n.data, ...W2n.data], newW);
  outcomes["ex2-learning-rate"] = experiment({
    computed: tidy([etaHat, eta]),
    tolerance: PRINTED_TOL,
    holds: updateGap <= PRINTED_TOL + FLOAT_SLACK,
    note: `least squares over the 9 printed updates gives η ≈ ${etaHat.toFixed(4)}; with ` +
      `η = ${eta} all 9 updated weights match to ${dec} decimals. The sheet should state η`,
  });

  const figure = {
    data: [
      {
        type: "bar",
        name: "sheet (4 decimals)",
        x: ["L before", "L after"],
        y: [e.loss, e.newLoss],
      },
      {
        type: "bar",
        name: "recomputed",
        x: ["L before", "L after"],
        y: [c.meanLoss, forward2(W1n, W2n).meanLoss],
      },
      {
        type: "bar",
        name: "Ex1's ½‖·‖² (no 1/N)",
        x: ["L before", "L after"],
        y: [c.sumLoss, forward2(W1n, W2n).sumLoss],
      },
    ],
    layout: {
      title: "Sheet 002 Ex2: the printed losses are batch means (η = 0.5 recovered)",
      barmode: "group",
      yaxis: { title: "loss" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `batch_backprop`. */
export const batchBackpropExercise: Exercise = sheetExercise({
  id: ID,
  title: "Batch backpropagation: 3-layer formulas, a full numeric example, hinge loss",
  covers: ["002 Ex1", "002 Ex2", "002 Ex3"],
  experiments: runBatchBackprop,
});
