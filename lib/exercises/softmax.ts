/**
 * Softmax (sheet 001 Q1.H–M, Q2.C, Q2.D, Q2.H, Q2.L; sheet 003 1.1a, 2.2b; sheet 004 Q3.a,
 * Q3.b, Q7): invariances, Jacobian, gradients of log-softmax and cross-entropy, the two-class
 * case, and the cross-entropy Hessian.
 *
 * @example
 * ```ts
 * import { softmaxExercise } from "./softmax.ts";
 * const r = softmaxExercise.run();
 * if (!r.claims.some((c) => c.claim.status === "erratum")) throw new Error("Q2.D is an erratum");
 * ```
 *
 * @module
 */

import { array, NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import { checkGradient, checkHessian, checkJacobian } from "../grad/check.ts";
import { ClaimList, describeCheck, type Exercise, type ExerciseResult, tidy } from "./claim.ts";
import { logSumExpOf, oneHot, samplePoints, sigma, softmaxOf } from "./support.ts";
import { SHEET_001 } from "../../data/sheets/sheet_001.ts";
import { SHEET_003 } from "../../data/sheets/sheet_003.ts";
import { SHEET_004 } from "../../data/sheets/sheet_004.ts";

const ID = "softmax";
const SEED = 202;
/** Number of random logit vectors per identity. */
const TRIALS = 200;
/** Classes in the random logit vectors. */
const CLASSES = 5;
/** Tolerance of the identities (float64, logits of moderate size). */
const TOL = 1e-12;
/** Scale factors used to show that softmax is not scale invariant. */
const SCALES = [0.25, 0.5, 1, 2, 4];
/** The true class in the cross-entropy checks. */
const TRUE_CLASS = 2;

function softmaxArray(x: NDArray): NDArray {
  return new NDArray(softmaxOf(x.data), x.shape);
}

function softmaxJacobian(x: NDArray): NDArray {
  const s = softmaxOf(x.data);
  const n = s.length;
  return array(
    Array.from(
      { length: n },
      (_, i) => Array.from({ length: n }, (_, j) => (i === j ? s[i] : 0) - s[i] * s[j]),
    ),
  );
}

function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

function randomLogits(rng: Random, scale = 3): Float64Array {
  return Float64Array.from({ length: CLASSES }, () => scale * rng.normal());
}

/** The claims about softmax. */
export function runSoftmax(): ExerciseResult {
  const list = new ClaimList(ID);
  const rng = new Random(SEED);

  let shiftGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const x = randomLogits(rng);
    const c = 10 * rng.normal();
    const a = softmaxOf(x), b = softmaxOf(x.map((v) => v + c));
    for (let i = 0; i < CLASSES; i++) shiftGap = Math.max(shiftGap, Math.abs(a[i] - b[i]));
  }
  for (
    const [sheet, question, expected] of [
      ["001", "Q1.H", SHEET_001.q1.translation],
      ["003", "1.1a", SHEET_003.softmax.translation],
    ] as const
  ) {
    list.add({
      claim: `translation-invariance-${sheet}`,
      sheet,
      question,
      statement: "adding the same constant c to every logit leaves the softmax unchanged",
      expected,
      computed: tidy(shiftGap),
      tolerance: TOL,
      recorded: "verified",
      holds: shiftGap <= TOL,
      note: `largest change over ${TRIALS} random logit vectors and shifts c ~ N(0, 100)`,
    });
  }

  const base = randomLogits(rng, 1);
  const entropies = SCALES.map((c) => entropy(softmaxOf(base.map((v) => v * c))));
  const decreasing = entropies.every((h, i) => i === 0 || h < entropies[i - 1]);
  list.add({
    claim: "scaling-sharpens",
    sheet: "001",
    question: "Q1.I",
    statement: "softmax(cx) ≠ softmax(x) in general; for c > 1 it is sharper (lower entropy)",
    expected: SHEET_001.q1.scaling,
    computed: tidy(entropies),
    tolerance: null,
    recorded: "verified",
    holds: decreasing && Math.abs(entropies[0] - entropies[2]) > TOL,
    note: `entropy of softmax(cx) for c = ${SCALES.join(", ")}: it falls as c grows. The ` +
      `sheet's reasoning about |x| < 1 is beside the point: any c > 1 sharpens, 0 < c < 1 ` +
      `flattens towards uniform, and c < 0 reverses the ranking`,
  });

  const x = array(samplePoints(CLASSES, SEED + 1, 2));
  const jCheck = checkJacobian(softmaxArray, softmaxJacobian, x);
  const jacobianClaims = [
    ["jacobian-entries", "001", "Q1.J", SHEET_001.q1.jacobianEntry],
    ["jacobian-matrix", "001", "Q1.K", SHEET_001.q1.jacobian],
    ["jacobian-004", "004", "Q3.a", SHEET_004.q3.softmaxJacobian],
  ] as const;
  for (const [claim, sheet, question, expected] of jacobianClaims) {
    list.add({
      claim,
      sheet,
      question,
      statement: "∂Sᵢ/∂xⱼ = Sᵢ(δᵢⱼ − Sⱼ), i.e. J = diag(S) − SSᵀ",
      expected,
      computed: tidy(softmaxJacobian(x).data),
      tolerance: jCheck.atol,
      recorded: "verified",
      holds: jCheck.ok,
      note: describeCheck(jCheck) +
        (question === "Q1.J"
          ? "; the off-diagonal derivation drops a square in one intermediate line " +
            "(e^(xᵢ)e^(xⱼ)/Σ instead of /Σ²) but ends right"
          : ""),
    });
  }

  const dim = 3;
  const A = array(Array.from({ length: CLASSES }, () => samplePoints(dim, rng.int(1e6), 1)));
  const xOf = (u: NDArray) => A.matmul(u.reshape([dim, 1])).reshape([CLASSES]).map(Math.tanh);
  const dxdu = (u: NDArray) => {
    const pre = A.matmul(u.reshape([dim, 1])).reshape([CLASSES]);
    return A.mul(pre.map((v) => 1 - Math.tanh(v) ** 2).reshape([CLASSES, 1]));
  };
  const u = array(samplePoints(dim, SEED + 2, 1));
  const logS = (w: NDArray) => Math.log(softmaxOf(xOf(w).data)[TRUE_CLASS]);
  const logSGrad = (w: NDArray) => {
    const J = dxdu(w);
    const s = softmaxOf(xOf(w).data);
    const expectation = new NDArray(s, [1, CLASSES]).matmul(J).reshape([dim]);
    return J.reshape([CLASSES * dim]).data.slice(TRUE_CLASS * dim, TRUE_CLASS * dim + dim)
      .reduce(
        (acc, v, k) => (acc.data[k] = v - expectation.data[k], acc),
        new NDArray(new Float64Array(dim), [dim]),
      );
  };
  const lCheck = checkGradient(logS, logSGrad, u);
  list.add({
    claim: "log-softmax-gradient",
    sheet: "001",
    question: "Q1.L",
    statement: "∇ᵤ log S(x(u))ᵢ = ∇ᵤxᵢ − Σₖ Sₖ ∇ᵤxₖ (the gradient minus its softmax expectation)",
    expected: SHEET_001.q1.logSoftmaxGradient,
    computed: tidy(logSGrad(u).data),
    tolerance: lCheck.atol,
    recorded: "verified",
    holds: lCheck.ok,
    note: `${describeCheck(lCheck)}; checked with a non-linear x(u) = tanh(Au), A ∈ ℝ^{5×3}`,
  });
  const nll = (w: NDArray) => -logS(w);
  const nllGrad = (w: NDArray) => logSGrad(w).neg();
  const mCheck = checkGradient(nll, nllGrad, u);
  list.add({
    claim: "cross-entropy-gradient-u",
    sheet: "001",
    question: "Q1.M",
    statement: "∇ᵤ(−log yₖ) = Σⱼ yⱼ∇ᵤxⱼ − ∇ᵤxₖ with y = softmax(x(u))",
    expected: SHEET_001.q1.crossEntropyGradient,
    computed: tidy(nllGrad(u).data),
    tolerance: mCheck.atol,
    recorded: "verified",
    holds: mCheck.ok,
    note: describeCheck(mCheck),
  });

  let minEntry = Infinity, sumGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const s = softmaxOf(randomLogits(rng, 30));
    minEntry = Math.min(minEntry, ...s);
    sumGap = Math.max(sumGap, Math.abs(s.reduce((a, b) => a + b, 0) - 1));
  }
  list.add({
    claim: "probability-vector",
    sheet: "001",
    question: "Q2.C",
    statement: "softmax outputs are positive and sum to 1",
    expected: SHEET_001.q2.softmaxSumsToOne,
    computed: tidy([minEntry, sumGap]),
    tolerance: TOL,
    recorded: "verified",
    holds: minEntry >= 0 && sumGap <= TOL,
    note: `smallest entry and largest |Σ − 1| over ${TRIALS} logit vectors of scale 30. In ` +
      `float64 an entry can underflow to exactly 0 for logit gaps beyond about 745, so ` +
      `"positive" holds mathematically but only "non-negative" in floating point`,
  });

  let sheetGap = 0, fixedGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const [x1, x2] = [3 * rng.normal(), 3 * rng.normal()];
    const s = softmaxOf([x1, x2]);
    const z = x2 - x1;
    sheetGap = Math.max(sheetGap, Math.abs(s[0] - sigma(z)), Math.abs(s[1] - (1 - sigma(z))));
    fixedGap = Math.max(fixedGap, Math.abs(s[0] - sigma(-z)), Math.abs(s[1] - (1 - sigma(-z))));
  }
  list.add({
    claim: "two-class-sigmoid",
    sheet: "001",
    question: "Q2.D",
    statement: "a 2-class softmax is a sigmoid of the logit difference",
    expected: SHEET_001.q2.twoClass,
    computed: tidy([sheetGap, fixedGap]),
    tolerance: TOL,
    recorded: "erratum",
    holds: sheetGap <= TOL,
    corrected: fixedGap <= TOL,
    note: `1/(1 + e^z) is σ(−z), not σ(z): with z = x₂ − x₁ the sheet's vector differs from ` +
      `the softmax by up to ${sheetGap.toFixed(3)}. Right: S(x) = [σ(x₁ − x₂), 1 − σ(x₁ − x₂)] ` +
      `(computed: largest gap of the sheet's form, then of the corrected one)`,
  });

  let nllGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const o = randomLogits(rng);
    const y = rng.int(CLASSES);
    nllGap = Math.max(nllGap, Math.abs(-Math.log(softmaxOf(o)[y]) - (-o[y] + logSumExpOf(o))));
  }
  list.add({
    claim: "nll-logsumexp",
    sheet: "001",
    question: "Q2.H",
    statement: "−log softmax(o)_y = −o_y + log Σᵢ e^(oᵢ)",
    expected: SHEET_001.q2.nll,
    computed: tidy(nllGap),
    tolerance: TOL,
    recorded: "verified",
    holds: nllGap <= TOL,
    note: `largest gap over ${TRIALS} draws; the stray factor d_o inside the sum of the ` +
      `middle expression is a PDF artefact, the final expression is right`,
  });

  const o = array(samplePoints(CLASSES, SEED + 3, 2));
  const y = oneHot(CLASSES, TRUE_CLASS);
  const ce = (v: NDArray) => -Math.log(softmaxOf(v.data)[TRUE_CLASS]);
  const ceGrad = (v: NDArray) => softmaxArray(v).sub(y);
  const ceCheck = checkGradient(ce, ceGrad, o);
  const ceClaims = [
    ["ce-gradient-001", "001", "Q2.L", SHEET_001.q2.outputGradient, ""],
    ["ce-gradient-003", "003", "2.2b", SHEET_003.nn.ceGradient, ""],
    [
      "ce-gradient-004-q3",
      "004",
      "Q3.b",
      SHEET_004.q3.ceGradient,
      "; the final result is right, but the chain-rule line ∂L/∂zᵢ = ∂L/∂ŷᵢ·∂ŷᵢ/∂zᵢ would " +
      "give 0 for i ≠ k: the term that survives is ∂L/∂ŷₖ·∂ŷₖ/∂zᵢ = ŷᵢ",
    ],
    ["ce-gradient-004-q7", "004", "Q7.a", SHEET_004.q7.gradient, ""],
  ] as const;
  for (const [claim, sheet, question, expected, extra] of ceClaims) {
    list.add({
      claim,
      sheet,
      question,
      statement:
        "the gradient of −log softmax(o)_y with respect to the logits is softmax(o) − onehot(y)",
      expected,
      computed: tidy(ceGrad(o).data),
      tolerance: ceCheck.atol,
      recorded: "verified",
      holds: ceCheck.ok,
      note: describeCheck(ceCheck) + extra,
    });
  }

  const hCheck = checkHessian(ceGrad, softmaxJacobian, o);
  list.add({
    claim: "ce-hessian",
    sheet: "004",
    question: "Q7.b",
    statement: "the Hessian of the cross-entropy in the logits is diag(ŷ) − ŷŷᵀ",
    expected: SHEET_004.q7.hessian,
    computed: tidy(softmaxJacobian(o).data),
    tolerance: hCheck.atol,
    recorded: "verified",
    holds: hCheck.ok,
    note: describeCheck(hCheck),
  });
  let minQuad = Infinity;
  for (let t = 0; t < TRIALS; t++) {
    const s = softmaxOf(randomLogits(rng));
    const v = randomLogits(rng, 1);
    let a = 0, b = 0;
    for (let i = 0; i < CLASSES; i++) (a += v[i] * v[i] * s[i], b += v[i] * s[i]);
    minQuad = Math.min(minQuad, a - b * b);
  }
  list.add({
    claim: "ce-hessian-psd",
    sheet: "004",
    question: "Q7.b",
    statement: "vᵀ(diag(ŷ) − ŷŷᵀ)v ≥ 0 for every v",
    expected: SHEET_004.q7.psd,
    computed: tidy(minQuad),
    tolerance: TOL,
    recorded: "verified",
    holds: minQuad >= -TOL,
    note: `smallest vᵀHv over ${TRIALS} random (ŷ, v). The claim is right but the sheet's ` +
      `reason ("both terms are positive and the first is larger") only restates it: the ` +
      `first term dominates because (Σvᵢŷᵢ)² ≤ Σŷᵢvᵢ² by Jensen (ŷ is a probability vector)`,
  });
  let worstMid = -Infinity;
  for (let t = 0; t < TRIALS; t++) {
    const a = randomLogits(rng), b = randomLogits(rng);
    const m = a.map((v, i) => (v + b[i]) / 2);
    const f = (v: Float64Array) => -Math.log(softmaxOf(v)[TRUE_CLASS]);
    worstMid = Math.max(worstMid, f(m) - (f(a) + f(b)) / 2);
  }
  list.add({
    claim: "ce-convex",
    sheet: "004",
    question: "Q7.c",
    statement: "the cross-entropy is convex in the logits",
    expected: SHEET_004.q7.convex,
    computed: tidy(worstMid),
    tolerance: TOL,
    recorded: "verified",
    holds: worstMid <= TOL,
    note: `largest f((a + b)/2) − (f(a) + f(b))/2 over ${TRIALS} random pairs: never positive`,
  });

  const cs = Array.from({ length: 41 }, (_, i) => i * 0.1);
  const figure = {
    data: Array.from({ length: CLASSES }, (_, k) => ({
      type: "scatter",
      mode: "lines",
      name: `class ${k}`,
      x: cs,
      y: cs.map((c) => softmaxOf(base.map((v) => v * c))[k]),
    })),
    layout: {
      title: "Sheet 001 Q1.I: softmax(cx) sharpens as the scale c grows",
      xaxis: { title: "scale c" },
      yaxis: { title: "probability" },
    },
  };
  return { id: ID, title: softmaxExercise.title, claims: list.claims, figures: [figure] };
}

/** Exercise `softmax`. */
export const softmaxExercise: Exercise = {
  id: ID,
  title: "Softmax: invariances, Jacobian, cross-entropy gradient and Hessian",
  covers: [
    "001 Q1.H",
    "001 Q1.I",
    "001 Q1.J",
    "001 Q1.K",
    "001 Q1.L",
    "001 Q1.M",
    "001 Q2.C",
    "001 Q2.D",
    "001 Q2.H",
    "001 Q2.L",
    "003 1.1a",
    "003 2.2b",
    "004 Q3.a",
    "004 Q3.b",
    "004 Q7.a",
    "004 Q7.b",
    "004 Q7.c",
  ],
  run: runSoftmax,
};
