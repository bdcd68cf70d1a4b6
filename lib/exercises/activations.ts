/**
 * Activations (sheet 001 Q1.A–G, sheet 003 2.1a): sign, ReLU and Heaviside, the sigmoid's limits
 * and derivative, softplus identities.
 *
 * @example
 * ```ts
 * import { activationsExercise } from "./activations.ts";
 * const r = activationsExercise.run();
 * if (!r.claims.every((c) => c.claim.status === c.recorded)) throw new Error("status changed");
 * ```
 *
 * @module
 */

import { array, type NDArray } from "../ndarray.ts";
import { checkGradient, checkJacobian } from "../grad/check.ts";
import { ClaimList, describeCheck, type Exercise, type ExerciseResult, tidy } from "./claim.ts";
import {
  IDENTITY_POINTS,
  IDENTITY_TOLERANCE,
  identityGap,
  samplePoints,
  sigma,
  softplusOf,
} from "./support.ts";
import { SHEET_001 } from "../../data/sheets/sheet_001.ts";
import { SHEET_003 } from "../../data/sheets/sheet_003.ts";

const ID = "activations";
/** Seed of every random point in this exercise. */
const SEED = 101;
/** Steepness values k of σ(kx) used to show the limit of sheet 001 Q1.D. */
const STEEPNESS = [1, 10, 100, 1000, 10000];
/** Points at which the limit of σ(kx) is shown: one negative, zero, one positive. */
const LIMIT_POINTS = [-0.5, 0, 0.5];
/** Lower end of the numeric integral of H (its integrand is 0 below 0). */
const INTEGRAL_FROM = -1;
/** Steps of the numeric integral of H (midpoint rule, exact for a step function off the jump). */
const INTEGRAL_STEPS = 20000;
/** Tolerance of the numeric integral. */
const INTEGRAL_TOLERANCE = 1e-3;
/** One-sided step used to show that ReLU has no derivative at 0. */
const ONE_SIDED_STEP = 1e-8;

function heaviside(v: number): number {
  return v > 0 ? 1 : v < 0 ? 0 : 0.5;
}

function relu(v: number): number {
  return v > 0 ? v : 0;
}

/** The claims of sheet 001 Q1.A–G and sheet 003 2.1a. */
export function runActivations(): ExerciseResult {
  const list = new ClaimList(ID);
  const pts = samplePoints(IDENTITY_POINTS, SEED, 3).concat([0]);

  const signGap = identityGap(
    pts,
    Math.sign,
    (v) => (v > 0 ? 1 : 0) - (v < 0 ? 1 : 0),
  );
  list.add({
    claim: "sign-indicators",
    sheet: "001",
    question: "Q1.A",
    statement: "sign(x) equals the indicator of x > 0 minus the indicator of x < 0",
    expected: SHEET_001.q1.sign,
    computed: signGap,
    tolerance: 0,
    recorded: "verified",
    holds: signGap === 0,
    note: `checked at ${pts.length} points including x = 0`,
  });

  const x = array(samplePoints(8, SEED + 1, 2));
  const reluSum = (v: NDArray) => v.data.reduce((s, t) => s + relu(t), 0);
  const reluCheck = checkGradient(reluSum, (v) => v.map(heaviside), x);
  const left = (relu(0) - relu(-ONE_SIDED_STEP)) / ONE_SIDED_STEP;
  const right = (relu(ONE_SIDED_STEP) - relu(0)) / ONE_SIDED_STEP;
  list.add({
    claim: "relu-derivative",
    sheet: "001",
    question: "Q1.B",
    statement: "ReLU'(x) = H(x) for x ≠ 0, and ReLU has no derivative at 0",
    expected: SHEET_001.q1.reluDerivative,
    computed: [tidy(reluCheck.maxAbsError), left, right],
    tolerance: reluCheck.atol,
    recorded: "verified",
    holds: reluCheck.ok && left === 0 && right === 1,
    note: `gradient check away from 0: ${describeCheck(reluCheck)}; at 0 the one-sided ` +
      `slopes are ${left} and ${right}, so no derivative exists there`,
  });

  const integralAt = (t: number) => {
    const h = (t - INTEGRAL_FROM) / INTEGRAL_STEPS;
    let s = 0;
    for (let i = 0; i < INTEGRAL_STEPS; i++) s += heaviside(INTEGRAL_FROM + (i + 0.5) * h) * h;
    return s;
  };
  const intPts = [-0.7, -0.2, 0.3, 0.9];
  const intGap = identityGap(intPts, integralAt, relu);
  list.add({
    claim: "relu-integral",
    sheet: "001",
    question: "Q1.C",
    statement: "ReLU(x) is the integral of H from −∞ to x",
    expected: SHEET_001.q1.reluIntegral,
    computed: tidy(intGap),
    tolerance: INTEGRAL_TOLERANCE,
    recorded: "verified",
    holds: intGap <= INTEGRAL_TOLERANCE,
    note: `midpoint rule with ${INTEGRAL_STEPS} steps at x = ${intPts.join(", ")}`,
  });
  const gapXH = identityGap(pts, relu, (v) => (v !== 0 ? v * heaviside(v) : 0));
  const gapXminus = identityGap(pts, relu, (v) => (v !== 0 ? v - v * heaviside(-v) : 0));
  list.add({
    claim: "relu-heaviside-forms",
    sheet: "001",
    question: "Q1.C",
    statement: "ReLU(x) = x·H(x) and ReLU(x) = x − x·H(−x) (both 0 at x = 0)",
    expected: SHEET_001.q1.reluForms,
    computed: [gapXH, gapXminus],
    tolerance: 0,
    recorded: "verified",
    holds: gapXH === 0 && gapXminus === 0,
    note: "exact at every sampled point; the special case at 0 is not even needed, since " +
      "0·H(0) = 0 for any value of H(0)",
  });

  const limits = LIMIT_POINTS.map((p) => STEEPNESS.map((k) => sigma(k * p)));
  const last = limits.map((row) => row[row.length - 1]);
  const limitGap = Math.max(...last.map((v, i) => Math.abs(v - heaviside(LIMIT_POINTS[i]))));
  list.add({
    claim: "sigmoid-limit",
    sheet: "001",
    question: "Q1.D",
    statement: "σ(kx) tends to H(x) as k → ∞, with H(0) = 1/2",
    expected: [0, 0.5, 1],
    computed: tidy(last),
    tolerance: 1e-12,
    recorded: "verified",
    holds: limitGap <= 1e-12,
    note: `σ(kx) at x = ${LIMIT_POINTS.join(", ")} for k = ${STEEPNESS.join(", ")}; ` +
      `at x = 0 it is exactly 1/2 for every k`,
  });

  const sigSum = (v: NDArray) => v.data.reduce((s, t) => s + sigma(t), 0);
  const sigPrime = (v: NDArray) => v.map((t) => sigma(t) * (1 - sigma(t)));
  const sigCheck = checkGradient(sigSum, sigPrime, x);
  list.add({
    claim: "sigmoid-derivative",
    sheet: "001",
    question: "Q1.E",
    statement: "σ'(x) = σ(x)(1 − σ(x))",
    expected: SHEET_001.q1.sigmoidDerivative,
    computed: tidy(sigPrime(x).data),
    tolerance: sigCheck.atol,
    recorded: "verified",
    holds: sigCheck.ok,
    note: describeCheck(sigCheck),
  });
  const sheetStep = (v: NDArray) => v.map((t) => -Math.exp(-t) / (1 + Math.exp(-t)) ** 2);
  const stepCheck = checkGradient(sigSum, sheetStep, x);
  list.add({
    claim: "sigmoid-jacobian-step-sign",
    sheet: "001",
    question: "Q1.E",
    statement: "the intermediate step of the Jacobian derivation: dσ(x)ᵢ/dxⱼ as written",
    expected: SHEET_001.q1.sigmoidJacobianStep,
    computed: tidy(sigPrime(x).data),
    tolerance: stepCheck.atol,
    recorded: "erratum",
    holds: stepCheck.ok,
    corrected: sigCheck.ok,
    note: `the step carries a minus sign that the derivative of 1/(1 + e^(−x)) does not have ` +
      `(${describeCheck(stepCheck)}); two lines later the sign ` +
      `silently disappears and the final σ(1 − σ) is right`,
  });
  const sigVec = (v: NDArray) => v.map(sigma);
  const jac = (v: NDArray) => {
    const n = v.size;
    const j = new Float64Array(n * n);
    for (let i = 0; i < n; i++) j[i * n + i] = sigma(v.data[i]) * (1 - sigma(v.data[i]));
    return array(Array.from({ length: n }, (_, i) => Array.from(j.slice(i * n, i * n + n))));
  };
  const jacCheck = checkJacobian(sigVec, jac, x);
  list.add({
    claim: "sigmoid-jacobian",
    sheet: "001",
    question: "Q1.E",
    statement: "the Jacobian of the element-wise sigmoid is diag(σ(x))(I − diag(σ(x)))",
    expected: SHEET_001.q1.sigmoidJacobian,
    computed: tidy(jac(x).data.filter((_, k) => k % (x.size + 1) === 0)),
    tolerance: jacCheck.atol,
    recorded: "verified",
    holds: jacCheck.ok,
    note: `${describeCheck(jacCheck)} (computed: the diagonal; every off-diagonal entry is 0). ` +
      `The line stating that the off-diagonal derivative is dσᵢ/dxᵢ = 0 has a typo for dσᵢ/dxⱼ`,
  });

  const gapLogSig = identityGap(pts, (v) => Math.log(sigma(v)), (v) => -softplusOf(-v));
  list.add({
    claim: "log-sigmoid-softplus",
    sheet: "001",
    question: "Q1.F",
    statement: "ln σ(x) = −softplus(−x)",
    expected: SHEET_001.q1.logSigmoid,
    computed: tidy(gapLogSig),
    tolerance: IDENTITY_TOLERANCE,
    recorded: "verified",
    holds: gapLogSig <= IDENTITY_TOLERANCE,
    note: `largest gap over ${pts.length} points`,
  });
  const gapSp = identityGap(pts, (v) => softplusOf(v) - softplusOf(-v), (v) => v);
  list.add({
    claim: "softplus-difference",
    sheet: "001",
    question: "Q1.G",
    statement: "softplus(x) − softplus(−x) = x",
    expected: SHEET_001.q1.softplusDifference,
    computed: tidy(gapSp),
    tolerance: IDENTITY_TOLERANCE,
    recorded: "verified",
    holds: gapSp <= IDENTITY_TOLERANCE,
    note: `largest gap over ${pts.length} points`,
  });
  const spSum = (v: NDArray) => v.data.reduce((s, t) => s + softplusOf(t), 0);
  const spCheck = checkGradient(spSum, (v) => v.map(sigma), x);
  list.add({
    claim: "softplus-derivative",
    sheet: "001",
    question: "Q1.G",
    statement: "softplus'(x) = σ(x)",
    expected: SHEET_001.q1.softplusDerivative,
    computed: tidy(x.map(sigma).data),
    tolerance: spCheck.atol,
    recorded: "verified",
    holds: spCheck.ok,
    note: describeCheck(spCheck),
  });

  const sheet3 = (v: NDArray) => v.map((t) => sigma(t) - sigma(t) ** 2);
  const s3Check = checkGradient(sigSum, sheet3, x);
  list.add({
    claim: "sigmoid-derivative-003",
    sheet: "003",
    question: "2.1a",
    statement: "σ'(x) = σ(x) − σ(x)²",
    expected: SHEET_003.nn.sigmoidDerivative,
    computed: tidy(sheet3(x).data),
    tolerance: s3Check.atol,
    recorded: "verified",
    holds: s3Check.ok,
    note: describeCheck(s3Check),
  });

  const figure = {
    data: STEEPNESS.slice(0, 4).map((k) => {
      const xs = Array.from({ length: 201 }, (_, i) => -2 + i * 0.02);
      return {
        type: "scatter",
        mode: "lines",
        name: `σ(${k}x)`,
        x: xs,
        y: xs.map((t) => sigma(k * t)),
      };
    }),
    layout: {
      title: "Sheet 001 Q1.D: σ(kx) approaches the Heaviside step as k grows",
      xaxis: { title: "x" },
      yaxis: { title: "σ(kx)" },
    },
  };
  return { id: ID, title: activationsExercise.title, claims: list.claims, figures: [figure] };
}

/** Exercise `activations`. */
export const activationsExercise: Exercise = {
  id: ID,
  title: "Activations: sign, ReLU, Heaviside, sigmoid, softplus",
  covers: [
    "001 Q1.A",
    "001 Q1.B",
    "001 Q1.C",
    "001 Q1.D",
    "001 Q1.E",
    "001 Q1.F",
    "001 Q1.G",
    "003 2.1a",
  ],
  run: runActivations,
};
