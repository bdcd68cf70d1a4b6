/**
 * Softmax regression and one-hidden-layer networks, by hand (sheet 000 §1–2, sheet 001 Q2.A–B,
 * Q2.I, Q2.M–R, sheet 003 2.3c–2.5g, sheet 004 Q3.c): shapes, parameter counts, and every
 * gradient the sheets derive, each checked against finite differences.
 *
 * Conventions follow each sheet: 000, 001 and 004 use column vectors (`Wx + b`), 003 uses row
 * vectors (`xW + b`).
 *
 * @example
 * ```ts
 * import { mlpExercise } from "./mlp.ts";
 * const r = mlpExercise.run();
 * const q = r.claims.find((c) => c.claim.question === "Q2.Q");
 * if (q?.claim.status !== "erratum") throw new Error("Q2.Q uses σ where φ' belongs");
 * ```
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { checkGradient } from "../grad/check.ts";
import type { GradCheckReport } from "../grad/report.ts";
import {
  ClaimList,
  describeCheck,
  type Exercise,
  type ExerciseResult,
  maxAbsDiff,
  tidy,
} from "./claim.ts";
import { oneHot, sampleMatrix, sigma, softmaxOf } from "./support.ts";
import { SHEET_000 } from "../../data/sheets/sheet_000.ts";
import { SHEET_001 } from "../../data/sheets/sheet_001.ts";
import { SHEET_003 } from "../../data/sheets/sheet_003.ts";
import { SHEET_004 } from "../../data/sheets/sheet_004.ts";

const ID = "mlp";
const SEED = 303;
/** Sizes of the test networks: input d, hidden d_h, classes m. */
const D = 4, DH = 5, M = 3;
/** The true class of the single test example. */
const Y = 1;
/** Logit magnitudes used to show the saturated limit of sheet 000 Q2.2. */
const SATURATION = [1, 10, 100, 1000];
/** Tolerance of exact identities. */
const TOL = 1e-12;
/** Negative-side slope of sheet 004's leaky ReLU. */
const LEAKY = SHEET_004.q3.leakySlope;

function col(a: NDArray): NDArray {
  return a.reshape([a.size, 1]);
}

function softmaxCol(a: NDArray): NDArray {
  return new NDArray(softmaxOf(a.data), a.shape);
}

function crossEntropy(logits: NDArray, y: number): number {
  return -Math.log(softmaxOf(logits.data)[y]);
}

function outer(a: NDArray, b: NDArray): NDArray {
  return col(a).matmul(b.reshape([1, b.size]));
}

function failNote(sheet: GradCheckReport, fixed: GradCheckReport, what: string): string {
  return `${what} The sheet's formula fails the gradient check (${describeCheck(sheet)}); ` +
    `the corrected one passes (${fixed.diagnosis.kind})`;
}

/** Kronecker product A ⊗ B. */
function kron(a: NDArray, b: NDArray): NDArray {
  const [ar, ac] = a.shape, [br, bc] = b.shape;
  const out = new Float64Array(ar * br * ac * bc);
  const cols = ac * bc;
  for (let i = 0; i < ar; i++) {
    for (let j = 0; j < ac; j++) {
      for (let k = 0; k < br; k++) {
        for (let l = 0; l < bc; l++) {
          out[(i * br + k) * cols + j * bc + l] = a.data[i * ac + j] * b.data[k * bc + l];
        }
      }
    }
  }
  return new NDArray(out, [ar * br, cols]);
}

/** Column-stacking vec (the convention of vec(AXB) = (Bᵀ ⊗ A) vec(X)). */
function vec(a: NDArray): NDArray {
  return col(a.transpose().flatten());
}

function trace(a: NDArray): number {
  let t = 0;
  for (let i = 0; i < Math.min(a.shape[0], a.shape[1]); i++) t += a.get(i, i);
  return t;
}

/** The claims about softmax regression and one-hidden-layer networks. */
export function runMlp(): ExerciseResult {
  const list = new ClaimList(ID);
  let seed = SEED;
  const next = () => ++seed;

  // --- sheet 000 §1: without a non-linearity, layers collapse
  const W1 = sampleMatrix(DH, D, next()), W2 = sampleMatrix(M, DH, next());
  const X = sampleMatrix(D, 6, next()), X2 = sampleMatrix(D, 6, next());
  const collapseGap = maxAbsDiff(W2.matmul(W1.matmul(X)).data, W2.matmul(W1).matmul(X).data);
  const relu = (a: NDArray) => a.map((v) => Math.max(v, 0));
  const net = (x: NDArray) => W2.matmul(relu(W1.matmul(x)));
  const additivityGap = maxAbsDiff(net(X.add(X2)).data, net(X).add(net(X2)).data);
  list.add({
    claim: "linear-collapse",
    sheet: "000",
    question: "1a",
    statement: "two linear layers without activation equal one linear layer W̄ = W₂W₁; with " +
      "max(·, 0) in between the map is no longer linear",
    expected: SHEET_000.q1.collapse,
    computed: tidy([collapseGap, additivityGap]),
    tolerance: TOL,
    recorded: "verified",
    holds: collapseGap <= TOL && additivityGap > 1e-3,
    note: `computed: |W₂(W₁X) − (W₂W₁)X| and how far the ReLU network is from additive ` +
      `(f(X + X') − f(X) − f(X')); a linear map would give 0`,
  });

  // --- sheet 000 §2.1: ∂l/∂W_ij for softmax regression
  const W = sampleMatrix(M, D, next()), b = sampleMatrix(M, 1, next()).reshape([M]);
  const x = sampleMatrix(D, 1, next()).reshape([D]);
  const y = oneHot(M, Y);
  const logits = (w: NDArray) => w.matmul(col(x)).reshape([M]).add(b);
  const loss = (w: NDArray) => crossEntropy(logits(w), Y);
  const rightGrad = (w: NDArray) => outer(softmaxCol(logits(w)).sub(y), x);
  const sheetGrad = (w: NDArray) => {
    const p = softmaxCol(logits(w));
    return outer(y.mul(p.map((v) => 1 - v)).neg(), x);
  };
  const good = checkGradient(loss, rightGrad, W, { name: "W" });
  const bad = checkGradient(loss, sheetGrad, W, { name: "W" });
  list.add({
    claim: "dl-dW",
    sheet: "000",
    question: "2.1",
    statement: "gradient of the softmax-regression cross-entropy: ∂l/∂Wᵢⱼ = (ŷᵢ − yᵢ)xⱼ",
    expected: SHEET_000.q2.lossDerivative,
    computed: tidy(rightGrad(W).data),
    tolerance: good.atol,
    recorded: "erratum",
    holds: bad.ok,
    corrected: good.ok,
    note: failNote(
      bad,
      good,
      "Eq. 7 follows only ŷᵢ, but every ŷₖ depends on Wᵢⱼ through the shared denominator, " +
        "so the rows of the wrong classes (yᵢ = 0), whose true gradient is ŷᵢxⱼ, come out 0; " +
        "only the true class's row is right.",
    ),
  });
  const row = (w: NDArray) => (r: NDArray) => {
    const full = w.clone();
    full.data.set(r.data, Y * D);
    return full;
  };
  const rowY = new NDArray(W.data.slice(Y * D, Y * D + D), [D]);
  const pY = (r: NDArray) => softmaxOf(logits(row(W)(r)).data)[Y];
  const pYright = (r: NDArray) => x.mul(pY(r) * (1 - pY(r)));
  const pYsheet = (r: NDArray) => r.mul(pY(r) * (1 - pY(r)));
  const g2 = checkGradient(pY, pYright, rowY, { name: "W_i:" });
  const b2 = checkGradient(pY, pYsheet, rowY, { name: "W_i:" });
  list.add({
    claim: "dyhat-dW",
    sheet: "000",
    question: "2.1",
    statement: "∂ŷᵢ/∂Wᵢⱼ = xⱼŷᵢ(1 − ŷᵢ) (and ∂exp(aᵢ)/∂Wᵢⱼ = xⱼ exp(aᵢ))",
    expected: `${SHEET_000.q2.expDerivative}; ${SHEET_000.q2.softmaxDerivative}`,
    computed: tidy(pYright(rowY).data),
    tolerance: g2.atol,
    recorded: "erratum",
    holds: b2.ok,
    corrected: g2.ok,
    note: failNote(
      b2,
      g2,
      "Eqs. 11–12 put the weight Wᵢⱼ where the input xⱼ belongs: aᵢ = Σⱼ Wᵢⱼxⱼ + bᵢ, so " +
        "∂aᵢ/∂Wᵢⱼ = xⱼ.",
    ),
  });

  // --- sheet 000 §2.2: saturated wrong prediction
  const losses = SATURATION.map((t) => {
    const a = [0, 0, t]; // class 2 predicted, class 0 true
    const naive = -Math.log(Math.exp(a[0]) / a.reduce((s, v) => s + Math.exp(v), 0));
    const stable = -(a[0] - Math.max(...a) - Math.log(a.reduce((s, v) =>
      s + Math.exp(v - Math.max(...a)), 0)));
    return [naive, stable];
  });
  const stableLosses = losses.map((l) => l[1]);
  const gradNorms = SATURATION.map((t) => {
    const p = softmaxOf([0, 0, t]);
    return Math.hypot(p[0] - 1, p[1], p[2]);
  });
  list.add({
    claim: "saturated-loss",
    sheet: "000",
    question: "2.2",
    statement: "when the true class gets probability → 0 the loss grows without bound (like " +
      "the logit gap), while the gradient with respect to the logits stays bounded by √2",
    expected: SHEET_000.q2.saturated,
    computed: tidy(stableLosses),
    tolerance: null,
    recorded: "verified",
    holds: stableLosses.every((l, i) => i === 0 || l > stableLosses[i - 1]) &&
      gradNorms.every((g) => g <= Math.SQRT2 + TOL),
    note: `loss for logits (0, 0, t), true class 0, t = ${SATURATION.join(", ")}. Computed ` +
      `naively as −log(softmax) it becomes ${losses[losses.length - 1][0]} at t = 1000 ` +
      `(exp overflows), so the sheet's "we may not need to worry" holds only with the ` +
      `log-sum-exp form; ‖ŷ − y‖ stays ≤ √2 (largest ${
        gradNorms[gradNorms.length - 1].toFixed(4)
      })`,
  });

  // --- sheet 001 Q2: one hidden layer, ReLU, column vectors
  const params = {
    W1: sampleMatrix(DH, D, next()),
    b1: sampleMatrix(DH, 1, next()),
    W2: sampleMatrix(M, DH, next()),
    b2: sampleMatrix(M, 1, next()),
  };
  const xc = sampleMatrix(D, 1, next());
  const forward = (p: Record<string, NDArray>) => {
    const ha = p.W1.matmul(xc).add(p.b1);
    const hs = relu(ha);
    const oa = p.W2.matmul(hs).add(p.b2);
    return { ha, hs, oa, os: softmaxCol(oa) };
  };
  const f0 = forward(params);
  const shapesOk = f0.oa.shape[0] === M && f0.ha.shape[0] === DH;
  const shapeClaims = [
    ["shape-b1", "Q2.A", "b⁽¹⁾ is d_h × 1", SHEET_001.q2.b1Shape, [params.b1.shape], [[DH, 1]]],
    [
      "shapes-layer-2",
      "Q2.B",
      "W⁽²⁾ is m × d_h and b⁽²⁾ is m × 1",
      `${SHEET_001.q2.w2Shape}; ${SHEET_001.q2.b2Shape}`,
      [params.W2.shape, params.b2.shape],
      [[M, DH], [M, 1]],
    ],
  ] as const;
  for (const [claim, question, statement, expected, got, want] of shapeClaims) {
    const computed = got.map((sh) => [...sh]);
    list.add({
      claim,
      sheet: "001",
      question,
      statement: `${statement} (here d = ${D}, d_h = ${DH}, m = ${M})`,
      expected,
      computed,
      tolerance: 0,
      recorded: "verified",
      holds: shapesOk && JSON.stringify(computed) === JSON.stringify(want),
      note: "the forward pass W⁽²⁾ReLU(W⁽¹⁾x + b⁽¹⁾) + b⁽²⁾ runs with these shapes",
    });
  }
  const counted = Object.values(params).reduce((s, a) => s + a.size, 0);
  const formula = DH * D + DH + M * DH + M;
  list.add({
    claim: "parameter-count-001",
    sheet: "001",
    question: "Q2.I",
    statement: "a one-hidden-layer network has d_h·d + d_h + d_o·d_h + d_o parameters",
    expected: SHEET_001.q2.parameterCount,
    computed: [counted, formula],
    tolerance: 0,
    recorded: "verified",
    holds: counted === formula,
    note: `counted entries of W⁽¹⁾, b⁽¹⁾, W⁽²⁾, b⁽²⁾ for d = ${D}, d_h = ${DH}, d_o = ${M}; the ` +
      `sheet repeats the whole of Q2.I twice (PDF artefact)`,
  });
  const yc = col(oneHot(M, Y));
  const lossP = (p: Record<string, NDArray>) => crossEntropy(forward(p).oa, Y);
  const gOa = (p: Record<string, NDArray>) => forward(p).os.sub(yc);
  const secondLayer = checkGradient(
    (q) => lossP({ ...params, ...q }),
    (q) => {
      const f = forward({ ...params, ...q });
      const g = f.os.sub(yc);
      return { W2: g.matmul(f.hs.transpose()), b2: g };
    },
    { W2: params.W2, b2: params.b2 },
  );
  for (const question of ["Q2.M", "Q2.N"]) {
    list.add({
      claim: `second-layer-gradients-${question.slice(-1).toLowerCase()}`,
      sheet: "001",
      question,
      statement: question === "Q2.M"
        ? "∂L/∂W⁽²⁾ₖⱼ = (∂L/∂oᵃₖ)hˢⱼ and ∂L/∂b⁽²⁾ₖ = ∂L/∂oᵃₖ"
        : "∂L/∂W⁽²⁾ = (∂L/∂oᵃ)(hˢ)ᵀ and ∂L/∂b⁽²⁾ = ∂L/∂oᵃ",
      expected: SHEET_001.q2.w2Gradient,
      computed: tidy(gOa(params).matmul(f0.hs.transpose()).data),
      tolerance: secondLayer.atol,
      recorded: "verified",
      holds: secondLayer.ok,
      note: describeCheck(secondLayer),
    });
  }
  const lossHs = (hs: NDArray) => crossEntropy(params.W2.matmul(hs).add(params.b2), Y);
  const gHs = (hs: NDArray) =>
    params.W2.transpose().matmul(softmaxCol(params.W2.matmul(hs).add(params.b2)).sub(yc));
  const hsCheck = checkGradient(lossHs, gHs, f0.hs, { name: "h^s" });
  for (const question of ["Q2.O", "Q2.P"]) {
    list.add({
      claim: `hidden-gradient-${question.slice(-1).toLowerCase()}`,
      sheet: "001",
      question,
      statement: question === "Q2.O" ? "∂L/∂hˢⱼ = Σₖ (∂L/∂oᵃₖ) W⁽²⁾ₖⱼ" : "∂L/∂hˢ = (W⁽²⁾)ᵀ ∂L/∂oᵃ",
      expected: SHEET_001.q2.hiddenGradient,
      computed: tidy(gHs(f0.hs).data),
      tolerance: hsCheck.atol,
      recorded: "verified",
      holds: hsCheck.ok,
      note: describeCheck(hsCheck),
    });
  }
  const lossHa = (ha: NDArray) => lossHs(relu(ha));
  const rightHa = (ha: NDArray) => gHs(relu(ha)).mul(ha.map((v) => (v > 0 ? 1 : 0)));
  const sheetHa = (ha: NDArray) => gHs(relu(ha)).mul(ha.map(sigma));
  const haGood = checkGradient(lossHa, rightHa, f0.ha, { name: "h^a" });
  const haBad = checkGradient(lossHa, sheetHa, f0.ha, { name: "h^a" });
  for (
    const [question, expected] of [
      ["Q2.Q", SHEET_001.q2.preactivationGradientQ],
      ["Q2.R", SHEET_001.q2.preactivationGradientR],
    ] as const
  ) {
    list.add({
      claim: `preactivation-gradient-${question.slice(-1).toLowerCase()}`,
      sheet: "001",
      question,
      statement: "∂L/∂hᵃ = ∂L/∂hˢ ⊙ φ'(hᵃ) = diag(φ'(hᵃ)) ∂L/∂hˢ (φ = ReLU here)",
      expected,
      computed: tidy(rightHa(f0.ha).data),
      tolerance: haGood.atol,
      recorded: "erratum",
      holds: haBad.ok,
      corrected: haGood.ok,
      note: failNote(
        haBad,
        haGood,
        "The sheet multiplies by σ(hᵃ), the sigmoid itself, where the derivative of the " +
          "hidden activation φ belongs (φ' = H for ReLU, σ(1 − σ) if φ were a sigmoid)." +
          (question === "Q2.R"
            ? " The matrix form also puts the d_h × 1 vector before the d_h × d_h diagonal."
            : ""),
      ),
    });
  }

  // --- sheet 003: row vectors, h = σ(xW₁ + b₁), ŷ = softmax(hW₂ + b₂)
  const DX = 4, H = 5, DY = 3;
  const p3 = {
    W1: sampleMatrix(DX, H, next()),
    b1: sampleMatrix(1, H, next()),
    W2: sampleMatrix(H, DY, next()),
    b2: sampleMatrix(1, DY, next()),
  };
  const x3 = sampleMatrix(1, DX, next());
  const y3 = oneHot(DY, Y).reshape([1, DY]);
  const fwd3 = (p: Record<string, NDArray>, xr: NDArray) => {
    const pre = xr.matmul(p.W1).add(p.b1);
    const h = pre.map(sigma);
    const z = h.matmul(p.W2).add(p.b2);
    return { pre, h, z, yhat: softmaxCol(z) };
  };
  const J3 = (p: Record<string, NDArray>, xr = x3) => crossEntropy(fwd3(p, xr).z, Y);
  const f3 = fwd3(p3, x3);
  const literal17 = -Math.log(f3.z.data[Y]);
  list.add({
    claim: "loss-rewritten",
    sheet: "003",
    question: "2.3c",
    statement: "J = CE(y, softmax(hW₂ + b₂)) = −y·log softmax(hW₂ + b₂)ᵀ",
    expected: SHEET_003.nn.lossRewritten,
    computed: tidy([J3(p3), literal17]),
    tolerance: TOL,
    recorded: "erratum",
    holds: Math.abs(literal17 - J3(p3)) <= TOL,
    corrected: Math.abs(-Math.log(f3.yhat.data[Y]) - J3(p3)) <= TOL,
    note: `eq. 17 drops the softmax: the log is applied to the raw scores hW₂ + b₂, which ` +
      `gives ${Number.isNaN(literal17) ? "NaN (a negative score)" : literal17.toFixed(4)} ` +
      `instead of J = ${J3(p3).toFixed(4)} (computed: J, then eq. 17 as printed)`,
  });
  const sp = (pre: NDArray) => pre.map((v) => sigma(v) * (1 - sigma(v)));
  const dJdxRight = (xr: NDArray) => {
    const f = fwd3(p3, xr);
    return f.yhat.sub(y3).matmul(p3.W2.transpose()).mul(sp(f.pre)).matmul(p3.W1.transpose());
  };
  const dJdxSheet = (xr: NDArray) => {
    const f = fwd3(p3, xr);
    const s = f.pre.map(sigma);
    const inner = s.dot(s.map((v) => 1 - v)); // σ{1 − σ}ᵀ of two 1 × H rows is a scalar
    return f.yhat.sub(y3).matmul(p3.W2.transpose()).mul(inner).matmul(p3.W1.transpose());
  };
  const dxGood = checkGradient((xr) => J3(p3, xr), dJdxRight, x3);
  const dxBad = checkGradient((xr) => J3(p3, xr), dJdxSheet, x3);
  list.add({
    claim: "dJ-dx",
    sheet: "003",
    question: "2.3c",
    statement: "∂J/∂x = [(ŷ − y)W₂ᵀ ⊙ σ'(xW₁ + b₁)] W₁ᵀ",
    expected: SHEET_003.nn.dJdx,
    computed: tidy(dJdxRight(x3).data),
    tolerance: dxGood.atol,
    recorded: "erratum",
    holds: dxBad.ok,
    corrected: dxGood.ok,
    note: failNote(
      dxBad,
      dxGood,
      "Eq. 19 writes σ(·){1 − σ(·)}ᵀ as a matrix product: for 1 × H rows that is the " +
        "scalar Σσ(1 − σ), which was evaluated here; the derivative of the sigmoid layer " +
        "must act entry by entry (⊙, or diag(σ'(·)) between the factors).",
    ),
  });
  const A = sampleMatrix(3, 4, next()),
    Xv = sampleMatrix(4, 2, next()),
    B = sampleMatrix(2, 5, next());
  const vecGap = maxAbsDiff(
    vec(A.matmul(Xv).matmul(B)).data,
    kron(B.transpose(), A).matmul(vec(Xv)).data,
  );
  list.add({
    claim: "vec-kronecker",
    sheet: "003",
    question: "2.3c",
    statement: "vec(AXB) = (Bᵀ ⊗ A) vec(X) with column-stacking vec",
    expected: SHEET_003.nn.vecIdentity,
    computed: tidy(vecGap),
    tolerance: TOL,
    recorded: "verified",
    holds: vecGap <= TOL,
    note: "checked for A 3×4, X 4×2, B 2×5; with row-stacking vec the identity would read " +
      "vec(AXB) = (A ⊗ Bᵀ) vec(X). The derivation of eqs. 20–24 stops at [TODO]",
  });
  const count3 = Object.values(p3).reduce((s, a) => s + a.size, 0);
  const shapes3 = Object.values(p3).map((a) => [...a.shape]);
  list.add({
    claim: "parameter-count-003",
    sheet: "003",
    question: "2.4d",
    statement: "W₁ is D_x × H, b₁ 1 × H, W₂ H × D_y, b₂ 1 × D_y: H(D_x + D_y + 1) + D_y parameters",
    expected: SHEET_003.nn.parameterCount,
    computed: [count3, H * (DX + DY + 1) + DY, ...shapes3],
    tolerance: 0,
    recorded: "verified",
    holds: count3 === H * (DX + DY + 1) + DY &&
      JSON.stringify(shapes3) === JSON.stringify([[DX, H], [1, H], [H, DY], [1, DY]]),
    note: `D_x = ${DX}, H = ${H}, D_y = ${DY}; the count appears next to eq. 30 in the PDF text`,
  });
  const dW2Sheet = (w2: NDArray) => {
    const f = fwd3({ ...p3, W2: w2 }, x3);
    return w2.matmul(f.yhat.sub(y3).transpose()).transpose();
  };
  const dW2Right = (w2: NDArray) => {
    const f = fwd3({ ...p3, W2: w2 }, x3);
    return f.h.transpose().matmul(f.yhat.sub(y3));
  };
  const w2Bad = checkGradient((w2) => J3({ ...p3, W2: w2 }), dW2Sheet, p3.W2, { name: "W2" });
  const w2Good = checkGradient((w2) => J3({ ...p3, W2: w2 }), dW2Right, p3.W2, { name: "W2" });
  list.add({
    claim: "dJ-dW2-step",
    sheet: "003",
    question: "2.5g",
    statement: "∂J/∂W₂ = hᵀ(ŷ − y) (an H × D_y outer product)",
    expected: SHEET_003.nn.dW2Step,
    computed: tidy(dW2Right(p3.W2).data),
    tolerance: w2Good.atol,
    recorded: "erratum",
    holds: w2Bad.ok,
    corrected: w2Good.ok,
    note: failNote(
      w2Bad,
      w2Good,
      "Eq. 33 has W₂ where h belongs (a 1 × H row, not H × D_y); eq. 34 right after it is " +
        "correct.",
    ),
  });
  const allGrad = (p: Record<string, NDArray>) => {
    const f = fwd3(p, x3);
    const d2 = f.yhat.sub(y3);
    const d1 = d2.matmul(p.W2.transpose()).mul(sp(f.pre));
    return { W1: x3.transpose().matmul(d1), b1: d1, W2: f.h.transpose().matmul(d2), b2: d2 };
  };
  const all3 = checkGradient((p) => J3(p), allGrad, p3);
  list.add({
    claim: "all-gradients-003",
    sheet: "003",
    question: "2.5g",
    statement: "∂J/∂W₂ = hᵀ(ŷ − y), ∂J/∂b₂ = ŷ − y, ∂J/∂W₁ = xᵀ[(ŷ − y)W₂ᵀ ⊙ σ'], " +
      "∂J/∂b₁ = (ŷ − y)W₂ᵀ ⊙ σ'",
    expected: `${SHEET_003.nn.dW2}; ${SHEET_003.nn.db2}; ${SHEET_003.nn.dW1}; ${SHEET_003.nn.db1}`,
    computed: tidy(allGrad(p3).W1.data),
    tolerance: all3.atol,
    recorded: "verified",
    holds: all3.ok,
    note: `${describeCheck(all3)} (computed: ∂J/∂W₁)`,
  });
  const Ta = sampleMatrix(4, 3, next()),
    Tb = sampleMatrix(4, 3, next()),
    Tc = sampleMatrix(4, 3, next());
  const traceGap = Math.abs(
    trace(Ta.transpose().matmul(Tb.mul(Tc))) - trace(Ta.mul(Tb).transpose().matmul(Tc)),
  );
  list.add({
    claim: "trace-hadamard",
    sheet: "003",
    question: "2.5g",
    statement: "trace(Aᵀ(B ⊙ C)) = trace((A ⊙ B)ᵀC)",
    expected: SHEET_003.nn.traceIdentity,
    computed: tidy(traceGap),
    tolerance: TOL,
    recorded: "verified",
    holds: traceGap <= TOL,
    note: "both sides equal Σᵢⱼ AᵢⱼBᵢⱼCᵢⱼ; checked on random 4 × 3 matrices",
  });

  // --- sheet 004 Q3.c: leaky ReLU hidden layer, column vectors
  const p4 = {
    W1: sampleMatrix(DH, D, next()),
    b1: sampleMatrix(DH, 1, next()),
    W2: sampleMatrix(M, DH, next()),
    b2: sampleMatrix(M, 1, next()),
  };
  const leaky = (v: number) => (v > 0 ? v : LEAKY * v);
  const leakyD = (v: number) => (v > 0 ? 1 : LEAKY);
  const z1 = (w1: NDArray) => w1.matmul(xc).add(p4.b1);
  const L4 = (w1: NDArray) => crossEntropy(p4.W2.matmul(z1(w1).map(leaky)).add(p4.b2), Y);
  const dW1 = (w1: NDArray) => {
    const z = z1(w1);
    const yhat = softmaxCol(p4.W2.matmul(z.map(leaky)).add(p4.b2));
    return p4.W2.transpose().matmul(yhat.sub(yc)).mul(z.map(leakyD)).matmul(xc.transpose());
  };
  const c4 = checkGradient(L4, dW1, p4.W1, { name: "W1" });
  list.add({
    claim: "dL-dW1-leaky",
    sheet: "004",
    question: "Q3.c",
    statement: "∂L/∂W⁽¹⁾ = ((W⁽²⁾)ᵀ(ŷ − y) ⊙ g'(z⁽¹⁾)) xᵀ with g the leaky ReLU (slope 0.01)",
    expected: SHEET_004.q3.dW1,
    computed: tidy(dW1(p4.W1).data),
    tolerance: c4.atol,
    recorded: "verified",
    holds: c4.ok,
    note: `${describeCheck(c4)}; the sheet's g puts z = 0 on the 0.01z branch, so g'(0) = 0.01`,
  });

  const ts = Array.from({ length: 61 }, (_, i) => i * 0.25);
  const figure = {
    data: [
      {
        type: "scatter",
        mode: "lines",
        name: "loss −log ŷ_true",
        x: ts,
        y: ts.map((t) => -(0 - Math.log(2 + Math.exp(t)))),
      },
      {
        type: "scatter",
        mode: "lines",
        name: "‖∂l/∂a‖ = ‖ŷ − y‖",
        x: ts,
        y: ts.map((t) => {
          const p = softmaxOf([0, 0, t]);
          return Math.hypot(p[0] - 1, p[1], p[2]);
        }),
      },
    ],
    layout: {
      title:
        "Sheet 000 Q2.2: a confident wrong prediction — the loss grows, the gradient stays bounded",
      xaxis: { title: "logit of the wrong class t (others 0)" },
      yaxis: { title: "value" },
    },
  };
  return { id: ID, title: mlpExercise.title, claims: list.claims, figures: [figure] };
}

/** Exercise `mlp`. */
export const mlpExercise: Exercise = {
  id: ID,
  title: "Softmax regression and one-hidden-layer networks: shapes, counts, gradients",
  covers: [
    "000 1a",
    "000 2.1",
    "000 2.2",
    "001 Q2.A",
    "001 Q2.B",
    "001 Q2.I",
    "001 Q2.M",
    "001 Q2.N",
    "001 Q2.O",
    "001 Q2.P",
    "001 Q2.Q",
    "001 Q2.R",
    "003 2.3c",
    "003 2.4d",
    "003 2.5g",
    "004 Q3.c",
  ],
  run: runMlp,
};
