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
import { describeCheck, type Exercise, maxAbsDiff, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { oneHot, sampleMatrix, sigma, softmaxOf } from "./support.ts";

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

function col(a: NDArray): NDArray {
  return a.reshape([a.size, 1]);
}

function softmaxCol(a: NDArray): NDArray {
  return new NDArray(softmaxOf(a.data), a.shape);
}

function crossEntropy(logits: NDArray, y: number): number {
  return -Math.log(softmaxOf(logits.data)[y]);
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

/**
 * The experiments about softmax regression and one-hidden-layer networks (the gradients, the
 * parameter count of 001 and the trace identity are formula claims of the sheets' data files,
 * on the matrices drawn here with the same seeds).
 */
export function runMlp(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  let seed = SEED;
  const next = () => ++seed;

  // --- sheet 000 §1: without a non-linearity, layers collapse
  const W1 = sampleMatrix(DH, D, next()), W2 = sampleMatrix(M, DH, next());
  const X = sampleMatrix(D, 6, next()), X2 = sampleMatrix(D, 6, next());
  const collapseGap = maxAbsDiff(W2.matmul(W1.matmul(X)).data, W2.matmul(W1).matmul(X).data);
  const relu = (a: NDArray) => a.map((v) => Math.max(v, 0));
  const net = (x: NDArray) => W2.matmul(relu(W1.matmul(x)));
  const additivityGap = maxAbsDiff(net(X.add(X2)).data, net(X).add(net(X2)).data);
  outcomes["linear-collapse"] = experiment({
    computed: tidy([collapseGap, additivityGap]),
    tolerance: TOL,
    holds: collapseGap <= TOL && additivityGap > 1e-3,
    note: `computed: |W₂(W₁X) − (W₂W₁)X| and how far the ReLU network is from additive ` +
      `(f(X + X') − f(X) − f(X')); a linear map would give 0`,
  });

  // --- sheet 000 §2.1: W, b and x of sheet_000.json's softmax-regression settings were drawn
  // with the next three seeds
  seed += 3;

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
  outcomes["saturated-loss"] = experiment({
    computed: tidy(stableLosses),
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
    ["shape-b1", [params.b1.shape], [[DH, 1]]],
    ["shapes-layer-2", [params.W2.shape, params.b2.shape], [[M, DH], [M, 1]]],
  ] as const;
  for (const [claim, got, want] of shapeClaims) {
    const computed = got.map((sh) => [...sh]);
    outcomes[claim] = experiment({
      computed,
      tolerance: 0,
      holds: shapesOk && JSON.stringify(computed) === JSON.stringify(want),
      note: "the forward pass W⁽²⁾ReLU(W⁽¹⁾x + b⁽¹⁾) + b⁽²⁾ runs with these shapes",
    });
  }
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
  for (const part of ["m", "n"]) {
    outcomes[`second-layer-gradients-${part}`] = experiment({
      computed: tidy(gOa(params).matmul(f0.hs.transpose()).data),
      tolerance: secondLayer.atol,
      holds: secondLayer.ok,
      note: describeCheck(secondLayer),
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
  outcomes["loss-rewritten"] = experiment({
    computed: tidy([J3(p3), literal17]),
    tolerance: TOL,
    holds: Math.abs(literal17 - J3(p3)) <= TOL,
    corrected: Math.abs(-Math.log(f3.yhat.data[Y]) - J3(p3)) <= TOL,
    note: `eq. 17 drops the softmax: the log is applied to the raw scores hW₂ + b₂, which ` +
      `gives ${Number.isNaN(literal17) ? "NaN (a negative score)" : literal17.toFixed(4)} ` +
      `instead of J = ${J3(p3).toFixed(4)} (computed: J, then eq. 17 as printed)`,
  });
  const A = sampleMatrix(3, 4, next()),
    Xv = sampleMatrix(4, 2, next()),
    B = sampleMatrix(2, 5, next());
  const vecGap = maxAbsDiff(
    vec(A.matmul(Xv).matmul(B)).data,
    kron(B.transpose(), A).matmul(vec(Xv)).data,
  );
  outcomes["vec-kronecker"] = experiment({
    computed: tidy(vecGap),
    tolerance: TOL,
    holds: vecGap <= TOL,
    note: "checked for A 3×4, X 4×2, B 2×5; with row-stacking vec the identity would read " +
      "vec(AXB) = (A ⊗ Bᵀ) vec(X). The derivation of eqs. 20–24 stops at [TODO]",
  });
  const count3 = Object.values(p3).reduce((s, a) => s + a.size, 0);
  const shapes3 = Object.values(p3).map((a) => [...a.shape]);
  outcomes["parameter-count-003"] = experiment({
    computed: [count3, H * (DX + DY + 1) + DY, ...shapes3],
    tolerance: 0,
    holds: count3 === H * (DX + DY + 1) + DY &&
      JSON.stringify(shapes3) === JSON.stringify([[DX, H], [1, H], [H, DY], [1, DY]]),
    note: `D_x = ${DX}, H = ${H}, D_y = ${DY}; the count appears next to eq. 30 in the PDF text`,
  });
  const sp = (pre: NDArray) => pre.map((v) => sigma(v) * (1 - sigma(v)));
  const allGrad = (p: Record<string, NDArray>) => {
    const f = fwd3(p, x3);
    const d2 = f.yhat.sub(y3);
    const d1 = d2.matmul(p.W2.transpose()).mul(sp(f.pre));
    return { W1: x3.transpose().matmul(d1), b1: d1, W2: f.h.transpose().matmul(d2), b2: d2 };
  };
  const all3 = checkGradient((p) => J3(p), allGrad, p3);
  outcomes["all-gradients-003"] = experiment({
    computed: tidy(allGrad(p3).W1.data),
    tolerance: all3.atol,
    holds: all3.ok,
    note: `${describeCheck(all3)} (computed: ∂J/∂W₁)`,
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
  return { outcomes, figures: [figure] };
}

/** Exercise `mlp`. */
export const mlpExercise: Exercise = sheetExercise({
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
  experiments: runMlp,
});
