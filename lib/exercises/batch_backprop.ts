/**
 * Batch backpropagation (sheet 002 Ex1–Ex3): the 3-layer formulas of Ex1 checked against finite
 * differences, the numeric example of Ex2 reproduced to the four decimals it prints (with the
 * loss normalization and learning rate it does not state recovered from its own numbers), and
 * the multi-class hinge loss on softmax outputs of Ex3.
 *
 * Convention of the sheet: samples are columns, `X: [d₀, N]`, `Sₖ = WₖZₖ₋₁`, `Zₖ = fₖ(Sₖ)`.
 *
 * @example
 * ```ts
 * import { batchBackpropExercise } from "./batch_backprop.ts";
 * const r = batchBackpropExercise.run();
 * const loss = r.claims.find((c) => c.claim.claim === "ex2-loss");
 * if (loss?.claim.computed !== 0.4916) throw new Error(String(loss?.claim.computed));
 * ```
 *
 * @module
 */

import { array, type NDArray } from "../ndarray.ts";
import { checkGradient } from "../grad/check.ts";
import {
  ClaimList,
  describeCheck,
  type Exercise,
  type ExerciseResult,
  flat,
  maxAbsDiff,
  roundTo,
  tidy,
} from "./claim.ts";
import { sampleMatrix, softmaxOf } from "./support.ts";
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
/** Margin C of the Ex3 hinge check. */
const MARGIN = 0.1;
/** Logits of the Ex3 check: chosen so that two wrong classes are inside the margin, two not. */
const HINGE_LOGITS = [2, 1.2, 0.1, -0.5, 1];
/** Classes of the Ex3 check. */
const HINGE_CLASSES = HINGE_LOGITS.length;

function reluM(a: NDArray): NDArray {
  return a.map((v) => Math.max(v, 0));
}

function step(a: NDArray): NDArray {
  return a.map((v) => (v > 0 ? 1 : 0));
}

/** Rounds every entry as the sheet prints it. */
function printed(a: NDArray | number, decimals: number): number | number[] {
  return typeof a === "number"
    ? roundTo(a, decimals)
    : Array.from(a.data, (v) => roundTo(v, decimals));
}

/** True when the rounded values equal the printed ones entry by entry (−0 equals 0). */
function sameDigits(mine: number | number[], printedValues: unknown): boolean {
  const a = flat(mine), b = flat(printedValues);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The claims of sheet 002 Ex1–Ex3. */
export function runBatchBackprop(): ExerciseResult {
  const list = new ClaimList(ID);
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
  const c0 = fwd(p);
  const dZ2 = checkGradient(
    (z2: NDArray) => {
      const d = p.W3.matmul(z2).map(f3).sub(Ygt);
      return 0.5 * d.dot(d);
    },
    (z2: NDArray) => {
      const s3 = p.W3.matmul(z2);
      return p.W3.transpose().matmul(s3.map(f3).sub(Ygt).mul(s3.map(f3p)));
    },
    c0.Z2,
    { name: "Z2" },
  );
  const dY = checkGradient(
    (y: NDArray) => {
      const d = y.sub(Ygt);
      return 0.5 * d.dot(d);
    },
    (y: NDArray) => y.sub(Ygt),
    c0.Y3,
    { name: "Y3" },
  );
  list.add({
    claim: "ex1-dL-dY",
    sheet: "002",
    question: "Ex1",
    statement: "for L = ½‖Y₃ − Y_gt‖²_F, ∂L/∂Y₃ = Y₃ − Y_gt",
    expected: SHEET_002.ex1.dLdY,
    computed: tidy(c0.Y3.sub(Ygt).data),
    tolerance: dY.atol,
    recorded: "verified",
    holds: dY.ok,
    note: describeCheck(dY),
  });
  list.add({
    claim: "ex1-dL-dZ2",
    sheet: "002",
    question: "Ex1",
    statement: "∂L/∂Z₂ = W₃ᵀΔ₃ with Δ₃ = (Y₃ − Y_gt) ⊙ f₃'(S₃)",
    expected: SHEET_002.ex1.dZ2,
    computed: tidy(p.W3.transpose().matmul(c0.Y3.sub(Ygt).mul(c0.S3.map(f3p))).data),
    tolerance: dZ2.atol,
    recorded: "verified",
    holds: dZ2.ok,
    note: describeCheck(dZ2),
  });
  list.add({
    claim: "ex1-weight-gradients",
    sheet: "002",
    question: "Ex1",
    statement: "∂L/∂Wₖ = ΔₖZₖ₋₁ᵀ with Δ₃ = (Y₃ − Y_gt) ⊙ f₃'(S₃) and " +
      "Δₖ = (Wₖ₊₁ᵀΔₖ₊₁) ⊙ fₖ'(Sₖ), for a whole batch at once",
    expected: `${SHEET_002.ex1.dW3}; ${SHEET_002.ex1.dW2}; ${SHEET_002.ex1.dW1}`,
    computed: tidy(grads(p).W3.data),
    tolerance: ex1.atol,
    recorded: "verified",
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
  const numberClaim = (
    claim: string,
    statement: string,
    value: NDArray | number,
    expected: unknown,
    note: string,
  ) => {
    const mine = printed(value, dec);
    const gap = maxAbsDiff(
      flat(typeof value === "number" ? value : Array.from(value.data)),
      flat(expected),
    );
    list.add({
      claim,
      sheet: "002",
      question: "Ex2",
      statement,
      expected: expected as number,
      computed: mine,
      tolerance: PRINTED_TOL,
      recorded: "verified",
      holds: gap <= PRINTED_TOL + FLOAT_SLACK && sameDigits(mine, expected),
      note: `${note}${note ? "; " : ""}rounded to ${dec} decimals every entry equals the ` +
        `printed one; largest gap before rounding ${gap.toExponential(2)}`,
    });
  };
  numberClaim("ex2-S1", "S₁ = W₁X", c.S1, e.S1, "");
  numberClaim(
    "ex2-Z1",
    "Z₁ = f₁(S₁) with f₁ = ReLU",
    c.Z1,
    e.Z1,
    "the sheet never names f₁; its Z₁ is ReLU(S₁)",
  );
  numberClaim(
    "ex2-Yout",
    "Y_out = S₂ = W₂Z₁ (identity output)",
    c.Y,
    e.Yout,
    "the sheet's S₂ = Z₂ = Y_out means f₂ is the identity",
  );

  // Loss normalization: Ex1's formula vs the number Ex2 prints.
  list.add({
    claim: "ex2-loss-normalization",
    sheet: "002",
    question: "Ex2",
    statement: "Ex2's loss uses Ex1's L = ½‖Y_out − y‖²_F",
    expected: e.loss,
    computed: tidy([roundTo(c.sumLoss, dec), roundTo(c.meanLoss, dec), c.sumLoss / e.loss]),
    tolerance: PRINTED_TOL,
    recorded: "erratum",
    holds: Math.abs(c.sumLoss - e.loss) <= PRINTED_TOL + FLOAT_SLACK,
    corrected: Math.abs(c.meanLoss - e.loss) <= PRINTED_TOL + FLOAT_SLACK,
    note:
      `with Ex1's loss the batch gives ${roundTo(c.sumLoss, dec)}, ${
        (c.sumLoss / e.loss).toFixed(3)
      } times the printed ${e.loss}: Ex2 silently averages over the N = ${N} samples, ` +
      `L = (1/2N)‖Y_out − y‖²_F, and so do its error signals Δ_out = (Y_out − y)/N ` +
      `(computed: sum form, mean form, ratio)`,
  });
  numberClaim("ex2-loss", "L = (1/2N)‖Y_out − y‖²_F", c.meanLoss, e.loss, "");
  numberClaim(
    "ex2-delta-out",
    "Δ_out = ∂L/∂Y_out = (Y_out − y)/N",
    dOut,
    e.deltaOut,
    "with Ex1's unnormalized loss every entry would be 4 times larger",
  );
  numberClaim("ex2-delta-1", "Δ₁ = (W₂ᵀΔ_out) ⊙ H(S₁)", D1, e.delta1, "");
  numberClaim("ex2-dW2", "∂L/∂W₂ = Δ_out Z₁ᵀ", gW2, e.dW2, "");
  numberClaim("ex2-dW1", "∂L/∂W₁ = Δ₁Xᵀ", gW1, e.dW1, "");
  const gradCheck = checkGradient(
    (q: Record<string, NDArray>) => forward2(q.W1, q.W2).meanLoss,
    () => ({ W1: gW1, W2: gW2 }),
    { W1, W2 },
  );
  list.add({
    claim: "ex2-gradients-check",
    sheet: "002",
    question: "Ex2",
    statement: "the printed gradients are the gradients of the mean loss",
    expected: [e.dW1 as unknown as number[][], e.dW2 as unknown as number[][]] as never,
    computed: tidy([...gW1.data, ...gW2.data]),
    tolerance: gradCheck.atol,
    recorded: "verified",
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
  numberClaim(
    "ex2-W1-update",
    `W₁ ← W₁ − η∂L/∂W₁ with the recovered η = ${eta}`,
    W1n,
    e.W1new,
    "",
  );
  numberClaim(
    "ex2-W2-update",
    `W₂ ← W₂ − η∂L/∂W₂ with the recovered η = ${eta}`,
    W2n,
    e.W2new,
    "",
  );
  const updateGap = maxAbsDiff([...W1n.data, ...W2n.data], newW);
  list.add({
    claim: "ex2-learning-rate",
    sheet: "002",
    question: "Ex2",
    statement: "the sheet's updated weights are one gradient step; its learning rate is not " +
      "stated and is recovered from the numbers",
    expected: null,
    computed: tidy([etaHat, eta]),
    tolerance: PRINTED_TOL,
    recorded: "verified",
    holds: updateGap <= PRINTED_TOL + FLOAT_SLACK,
    note: `least squares over the 9 printed updates gives η ≈ ${etaHat.toFixed(4)}; with ` +
      `η = ${eta} all 9 updated weights match to 4 decimals. The sheet should state η`,
  });
  numberClaim(
    "ex2-new-loss",
    "the mean loss after the update",
    forward2(W1n, W2n).meanLoss,
    e.newLoss,
    `with η = ${eta}, computed from full-precision weights`,
  );

  // --- Ex3: multi-class hinge loss on softmax outputs
  const o = array(HINGE_LOGITS);
  const yi = 1;
  const hinge = (v: NDArray) => {
    const pr = softmaxOf(v.data);
    let s = 0;
    for (let k = 0; k < HINGE_CLASSES; k++) if (k !== yi) s += Math.max(0, pr[k] - pr[yi] + MARGIN);
    return s;
  };
  const termGrad = (v: NDArray, k: number) => {
    const pr = softmaxOf(v.data);
    return v.map((_, j) => pr[j] * ((j === k ? 1 : 0) - (j === yi ? 1 : 0) - pr[k] + pr[yi]));
  };
  const k0 = (yi + 1) % HINGE_CLASSES;
  const termCheck = checkGradient(
    (v: NDArray) => {
      const pr = softmaxOf(v.data);
      return pr[k0] - pr[yi];
    },
    (v: NDArray) => termGrad(v, k0),
    o,
    { name: "o" },
  );
  list.add({
    claim: "ex3-term-derivative",
    sheet: "002",
    question: "Ex3",
    statement: "∂(p_k − p_y)/∂o_j = p_j(δ_jk − δ_jy − p_k + p_y)",
    expected: SHEET_002.ex3.termDerivative,
    computed: tidy(termGrad(o, k0).data),
    tolerance: termCheck.atol,
    recorded: "verified",
    holds: termCheck.ok,
    note: `${describeCheck(termCheck)}; the quotient-rule line is labelled ∂/∂e^(o_j) but ` +
      `differentiates with respect to o_j`,
  });
  const pr0 = softmaxOf(o.data);
  const active = Array.from({ length: HINGE_CLASSES }, (_, k) => k)
    .filter((k) => k !== yi && pr0[k] - pr0[yi] + MARGIN > 0);
  const hingeGrad = (v: NDArray) => {
    const pr = softmaxOf(v.data);
    let acc = v.map(() => 0);
    for (let k = 0; k < HINGE_CLASSES; k++) {
      if (k !== yi && pr[k] - pr[yi] + MARGIN > 0) acc = acc.add(termGrad(v, k));
    }
    return acc;
  };
  const hCheck = checkGradient(hinge, hingeGrad, o, { name: "o" });
  list.add({
    claim: "ex3-hinge-gradient",
    sheet: "002",
    question: "Ex3",
    statement:
      "∂L/∂o_j = Σ over the classes k ≠ y inside the margin of p_j(δ_jk − δ_jy − p_k + p_y)",
    expected: SHEET_002.ex3.loss,
    computed: tidy(hingeGrad(o).data),
    tolerance: hCheck.atol,
    recorded: "verified",
    holds: hCheck.ok && active.length > 0 && active.length < HINGE_CLASSES - 1,
    note: `${describeCheck(hCheck)} (margin C = ${MARGIN}, ${active.length} of ` +
      `${HINGE_CLASSES - 1} wrong classes inside it). The sheet's final formula sums over ` +
      `"j ≠ y" while j is also the index it differentiates by; read as a sum over k ≠ y it is right`,
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
  return { id: ID, title: batchBackpropExercise.title, claims: list.claims, figures: [figure] };
}

/** Exercise `batch_backprop`. */
export const batchBackpropExercise: Exercise = {
  id: ID,
  title: "Batch backpropagation: 3-layer formulas, a full numeric example, hinge loss",
  covers: ["002 Ex1", "002 Ex2", "002 Ex3"],
  run: runBatchBackprop,
};
