/**
 * Optimization (sheet 004 Q1, Q4, Q6; sheet 001 Q2.J–K; sheet 000 §6 as an extension): the
 * logistic neuron's gradient and what its minimum really is, the Hessian as the Jacobian of the
 * gradient, Newton's method and its measured quadratic rate, gradient descent with weight decay,
 * and gradient descent's measured linear rate.
 *
 * @example
 * ```ts
 * import { optimizationExercise } from "./optimization.ts";
 * const r = optimizationExercise.run();
 * if (!r.claims.every((c) => c.claim.status === c.recorded)) throw new Error("status changed");
 * ```
 *
 * @module
 */

import { array, type NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import { checkGradient, checkHessian } from "../grad/check.ts";
import { newtonRoot } from "../optim/newton.ts";
import { traceColumn } from "../optim/trace.ts";
import {
  gdLinearRate,
  logisticSeparable,
  newtonQuadraticRate,
  weightDecayFixedPoint,
} from "../optim/rates.ts";
import { type Exercise, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { sigma } from "./support.ts";

const ID = "optimization";
const SEED = 707;
/** Samples of the non-separable logistic problem. */
const LOGISTIC_N = 40;
/** Newton iterations used to fit the logistic neuron. */
const NEWTON_FIT_STEPS = 30;
/** Condition numbers at which gradient descent's linear rate is measured. */
const KAPPAS = [2, 10, 50];
/** Relative agreement required between a measured and a predicted rate. */
const RATE_RTOL = 0.05;
/** Weight-decay strength of the fixed-point check. */
const WEIGHT_DECAY = 0.1;
const TOL = 1e-9;

/** Fits w, b of ŷ = σ(wx + b) by Newton's method on the summed cross-entropy. */
function fitLogistic(x: Float64Array, y: Float64Array): { w: number; b: number; grad: number } {
  let w = 0, b = 0, gw = 0, gb = 0;
  for (let it = 0; it < NEWTON_FIT_STEPS; it++) {
    gw = 0, gb = 0;
    let hww = 0, hwb = 0, hbb = 0;
    for (let i = 0; i < x.length; i++) {
      const p = sigma(w * x[i] + b);
      gw += (p - y[i]) * x[i];
      gb += p - y[i];
      const s = p * (1 - p);
      hww += s * x[i] * x[i], hwb += s * x[i], hbb += s;
    }
    const det = hww * hbb - hwb * hwb;
    w -= (hbb * gw - hwb * gb) / det;
    b -= (-hwb * gw + hww * gb) / det;
  }
  return { w, b, grad: Math.hypot(gw, gb) };
}

/**
 * The experiments about optimization (004 Q1's gradient is a formula claim of sheet_004.json, on
 * the same 40 samples).
 */
export function runOptimization(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const rng = new Random(SEED);

  // --- 004 Q1: logistic neuron
  const x = Float64Array.from({ length: LOGISTIC_N }, () => rng.normal());
  const y = Float64Array.from(x, (v) => (rng.uniform() < sigma(1.5 * v - 0.3) ? 1 : 0));
  const E = (p: NDArray) => {
    let s = 0;
    for (let i = 0; i < LOGISTIC_N; i++) {
      const z = p.data[0] * x[i] + p.data[1];
      s += y[i] === 1 ? Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }
    return s;
  };
  const gradE = (p: NDArray) => {
    let gw = 0, gb = 0;
    for (let i = 0; i < LOGISTIC_N; i++) {
      const r = sigma(p.data[0] * x[i] + p.data[1]) - y[i];
      gw += r * x[i], gb += r;
    }
    return array([gw, gb]);
  };
  const fit = fitLogistic(x, y);
  let sumP = 0;
  for (let i = 0; i < LOGISTIC_N; i++) sumP += sigma(fit.w * x[i] + fit.b);
  const sumY = y.reduce((s, v) => s + v, 0);
  outcomes["q1-stationarity"] = experiment({
    computed: tidy([sumP, sumY, fit.grad]),
    tolerance: TOL,
    holds: false,
    corrected: fit.grad <= TOL && Math.abs(sumP - sumY) <= TOL,
    note: `the sheet sets ∂E/∂ŷ (with the wrong sign and without ∂ŷ/∂(w, b)) to zero and ` +
      `concludes ŷ(x) = Σₙyₙ, which is ${sumY} here — not a probability. What the minimum ` +
      `satisfies is ∂E/∂b = 0, i.e. Σₙŷ(xₙ) = Σₙyₙ (and Σₙ(ŷₙ − yₙ)xₙ = 0): at the Newton ` +
      `fit on ${LOGISTIC_N} noisy samples Σŷ = ${sumP.toFixed(9)} (computed: Σŷ, Σy, ‖∇E‖)`,
  });
  const sep = logisticSeparable({ iterations: 2000 });
  const norms = sep.weightNorm;
  const losses = traceColumn(sep.result.trace, "loss");
  outcomes["q1-unique-minimum"] = experiment({
    computed: tidy([norms[10], norms[norms.length - 1], losses[losses.length - 1]]),
    holds: false,
    corrected: sep.normFit.slope > 0 && fit.grad <= TOL,
    note: `convexity makes every minimum global, but it neither guarantees that a minimum ` +
      `exists nor that it is unique. On linearly separable data the loss only tends to 0 as ` +
      `‖w‖ → ∞: gradient descent's ‖w‖ grows from ${norms[10].toFixed(2)} to ` +
      `${norms[norms.length - 1].toFixed(2)} while the loss falls to ` +
      `${losses[losses.length - 1].toExponential(2)}, with no minimizer (computed). On ` +
      `non-separable data with non-degenerate inputs the loss is strictly convex and coercive, ` +
      `and then the minimum is unique (the Newton fit above reaches ‖∇E‖ = ` +
      `${fit.grad.toExponential(1)})`,
  });

  // --- 004 Q4: Hessian = Jacobian of the gradient
  const yf = (p: NDArray) => {
    const [u, v, z] = p.data;
    return u * u * v + Math.sin(z) * u + Math.exp(v * z);
  };
  const grad3 = (p: NDArray) => {
    const [u, v, z] = p.data;
    const e = Math.exp(v * z);
    return array([2 * u * v + Math.sin(z), u * u + z * e, Math.cos(z) * u + v * e]);
  };
  const hess3 = (p: NDArray) => {
    const [u, v, z] = p.data;
    const e = Math.exp(v * z);
    return array([
      [2 * v, 2 * u, Math.cos(z)],
      [2 * u, z * z * e, e + v * z * e],
      [Math.cos(z), e + v * z * e, -Math.sin(z) * u + v * v * e],
    ]);
  };
  const pt = array([0.7, -0.4, 1.1]);
  const g3 = checkGradient(yf, grad3, pt);
  const h3 = checkHessian(grad3, hess3, pt);
  outcomes["q4-hessian-jacobian"] = experiment({
    computed: tidy(hess3(pt).data),
    tolerance: h3.atol,
    holds: g3.ok && h3.ok && (h3.asymmetry?.numeric ?? 1) < 1e-6,
    note: `for y = u²v + u·sin z + e^(vz): gradient ${g3.diagnosis.kind}, Hessian against ` +
      `the finite-difference Jacobian of the gradient ${h3.diagnosis.kind}; asymmetry of ` +
      `the numeric Jacobian ${(h3.asymmetry?.numeric ?? NaN).toExponential(1)}`,
  });

  // --- 004 Q6: Newton
  const eq = {
    f: (t: number) => t * t * t - 2 * t - 5,
    df: (t: number) => 3 * t * t - 2,
    d2f: (t: number) => 6 * t,
  };
  const rate = newtonQuadraticRate(eq, 3);
  const oneStep = rate.errors[1];
  outcomes["q6-one-step"] = experiment({
    computed: tidy(rate.errors.slice(0, 6)),
    holds: oneStep <= TOL,
    corrected: Math.abs(rate.measured / rate.predicted - 1) <= RATE_RTOL,
    note: `the argument replaces f(xₙ) by its first-order Taylor term and f'(xₙ) by f'(x*), ` +
      `which makes the step exact by construction. Keeping the second-order term gives ` +
      `e_{n+1} ≈ f''(x*)/(2f'(x*))·eₙ²: on x³ − 2x − 5 from x₀ = 3 the errors are ` +
      `${rate.errors.slice(0, 5).map((e) => e.toExponential(1)).join(", ")} (computed), and ` +
      `e_{n+1}/eₙ² → ${rate.measured.toFixed(4)} against the predicted ` +
      `${rate.predicted.toFixed(4)}`,
  });
  outcomes["q6-quadratic"] = experiment({
    computed: tidy([rate.measured, rate.predicted]),
    tolerance: RATE_RTOL,
    holds: Math.abs(rate.measured / rate.predicted - 1) <= RATE_RTOL,
    note: "measured e_{n+1}/eₙ² against |f''(x*)/(2f'(x*))|. At a double root the rate drops " +
      "to linear (factor 1/2)",
  });
  const gPrime = { f: (t: number) => 3 * t * t - 3, df: (t: number) => 6 * t };
  const crit = newtonRoot(gPrime, -2, { iterations: 50 }).x.data[0];
  const curvature = 6 * crit;
  outcomes["q6-optimum"] = experiment({
    computed: tidy([crit, curvature]),
    tolerance: TOL,
    holds: curvature > 0,
    corrected: Math.abs(crit + 1) <= TOL && curvature < 0,
    note: `it finds a critical point, which may be a maximum or a saddle: for g = x³ − 3x ` +
      `from x₀ = −2, Newton on g' converges to x = ${crit}, where g'' = ${curvature} < 0, a ` +
      `local maximum (computed: x, g''(x)). It is a minimum only where g'' > 0 (e.g. g convex)`,
  });

  // --- 001 Q2.J–K: gradient descent and weight decay
  const lam = WEIGHT_DECAY;
  const R = (t: NDArray) => E(t);
  const reg = (t: NDArray) => R(t) + lam * t.dot(t);
  const regGrad = (t: NDArray) => gradE(t).add(t.mul(2 * lam));
  const p0 = array([0.4, -0.2]);
  const wd = checkGradient(reg, regGrad, p0, { name: "θ" });
  const fixed = weightDecayFixedPoint(lam);
  outcomes["q2k-weight-decay"] = experiment({
    computed: tidy([fixed.distance, fixed.residual]),
    tolerance: TOL,
    holds: wd.ok && fixed.distance <= TOL,
    note: `gradient of R̂ + λ‖θ‖²: ${wd.diagnosis.kind}; iterating the update on a ` +
      `least-squares risk ends at the ridge solution (XᵀX/N + 2λI)⁻¹Xᵀy/N (computed: distance ` +
      `to it, residual of the fixed-point equation). Weight decay is usually not applied ` +
      `to the biases, which the sheet's θ includes`,
  });
  const gd = KAPPAS.map((k) => gdLinearRate(k));
  const gdOk = gd.every((r) => Math.abs(r.measured / r.predicted - 1) <= RATE_RTOL);
  outcomes["q2j-gradient-descent"] = experiment({
    computed: tidy(gd.map((r) => r.measured)),
    tolerance: RATE_RTOL,
    holds: gdOk,
    note: `measured contraction factors for κ = ${KAPPAS.join(", ")} against ` +
      `${gd.map((r) => r.predicted.toFixed(4)).join(", ")}`,
  });
  outcomes["s6-linear-rate"] = experiment({
    computed: tidy([...gd.map((r) => r.measured), rate.measured]),
    tolerance: RATE_RTOL,
    holds: gdOk && Math.abs(rate.measured / rate.predicted - 1) <= RATE_RTOL,
    note: "sheet 000 only names the topic. Computed: GD's contraction factors for κ = " +
      `${KAPPAS.join(", ")} (predicted 1 − 1/κ), then Newton's e_{n+1}/eₙ²`,
  });

  const figure = {
    data: [
      ...gd.map((r) => ({
        type: "scatter",
        mode: "lines",
        name: `GD, κ = ${r.kappa}`,
        x: Array.from(traceColumn(r.result.trace, "distance"), (_, i) => i),
        y: Array.from(traceColumn(r.result.trace, "distance")),
      })),
      {
        type: "scatter",
        mode: "lines+markers",
        name: "Newton on x³ − 2x − 5",
        x: rate.errors.map((_, i) => i),
        y: rate.errors.map((e) => (e > 0 ? e : null)),
      },
    ],
    layout: {
      title: "Sheets 000 §6 / 004 Q6: linear (GD) against quadratic (Newton) convergence",
      xaxis: { title: "iteration", range: [0, 120] },
      yaxis: { title: "distance to the solution", type: "log" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `optimization`. */
export const optimizationExercise: Exercise = sheetExercise({
  id: ID,
  title: "Optimization: logistic neuron, Hessian, Newton, gradient descent, weight decay",
  covers: ["004 Q1", "004 Q4", "004 Q6", "001 Q2.J", "001 Q2.K", "000 6"],
  experiments: runOptimization,
});
