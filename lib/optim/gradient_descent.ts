/**
 * First-order methods: gradient descent, heavy-ball momentum and Nesterov's accelerated
 * gradient. Each takes an {@linkcode Objective}, a start point and {@linkcode MomentumOptions},
 * and returns a {@linkcode SolverResult} whose trace is an arquero table.
 *
 * Sheet 004 Q1 writes the gradient-descent update of a logistic neuron, w ← w − α ∂E/∂w; sheet
 * 001 Q2.K the same update with weight decay.
 *
 * @module
 */

import type { NDArray } from "../ndarray.ts";
import {
  axpy,
  evalGrad,
  type Objective,
  type SolverOptions,
  type SolverResult,
  startSolver,
} from "./trace.ts";

/** Default step size of the first-order methods. */
export const GD_DEFAULT_STEP = 0.1;
/** Default momentum coefficient β. */
export const GD_DEFAULT_MOMENTUM = 0.9;

/** Options of the momentum methods. */
export interface MomentumOptions extends SolverOptions {
  /** Momentum coefficient β in [0, 1). Default {@linkcode GD_DEFAULT_MOMENTUM}. */
  momentum?: number;
}

/**
 * Gradient descent: x_{k+1} = x_k − t ∇f(x_k).
 *
 * On f(x) = ½ xᵀAx with eigenvalues in [μ, L] and 0 < t < 2/L the error contracts by
 * max(|1 − tμ|, |1 − tL|) per step; with t = 1/L that is 1 − 1/κ (κ = L/μ). One gradient and
 * one loss evaluation per iteration. Default step {@linkcode GD_DEFAULT_STEP}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { gradientDescent } from "./gradient_descent.ts";
 * // f(x) = ½‖x − c‖², minimizer c
 * const c = array([1, -2]);
 * const r = gradientDescent(
 *   { f: (x) => 0.5 * x.sub(c).dot(x.sub(c)), grad: (x) => x.sub(c) },
 *   array([0, 0]),
 *   { step: 0.5, tolerance: 1e-10 },
 * );
 * if (r.status !== "converged" || Math.abs(r.x.data[1] + 2) > 1e-9) throw new Error(r.message);
 * ```
 */
export function gradientDescent(
  objective: Objective,
  x0: NDArray,
  options: SolverOptions = {},
): SolverResult {
  return heavyBallImpl("gradientDescent", objective, x0, { ...options, momentum: 0 });
}

/**
 * Heavy-ball (Polyak) momentum: v_{k+1} = β v_k − t ∇f(x_k), x_{k+1} = x_k + v_{k+1}, v_0 = 0.
 *
 * On a quadratic with eigenvalues in [μ, L], t = 4/(√L + √μ)² and β = ((√κ − 1)/(√κ + 1))² give
 * the rate (√κ − 1)/(√κ + 1). Default step {@linkcode GD_DEFAULT_STEP}, β
 * {@linkcode GD_DEFAULT_MOMENTUM}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { heavyBall } from "./gradient_descent.ts";
 * const r = heavyBall(
 *   { f: (x) => 0.5 * x.dot(x), grad: (x) => x },
 *   array([3]),
 *   { step: 0.5, momentum: 0.1, tolerance: 1e-9 },
 * );
 * if (r.status !== "converged") throw new Error(r.message);
 * ```
 */
export function heavyBall(
  objective: Objective,
  x0: NDArray,
  options: MomentumOptions = {},
): SolverResult {
  return heavyBallImpl("heavyBall", objective, x0, options);
}

function momentumOf(fn: string, options: MomentumOptions): number {
  const beta = options.momentum ?? GD_DEFAULT_MOMENTUM;
  if (!(beta >= 0 && beta < 1)) {
    throw new RangeError(`${fn}: options.momentum must be in [0, 1), got ${beta}`);
  }
  return beta;
}

function heavyBallImpl(
  fn: string,
  objective: Objective,
  x0: NDArray,
  options: MomentumOptions,
): SolverResult {
  const { opts, rec } = startSolver(fn, objective, x0, options, GD_DEFAULT_STEP);
  const beta = momentumOf(fn, options);
  let x = x0.clone();
  let v: NDArray | undefined;
  for (let k = 0;; k++) {
    const g = evalGrad(fn, objective, x, rec.random);
    if (rec.recordGradient(k, x, objective, g)) break;
    // v_{k+1} = β v_k − t g
    v = v && beta > 0 ? axpy(v.mul(beta), -opts.step, g) : g.mul(-opts.step);
    x = axpy(x, 1, v).reshape(x0.shape);
  }
  return rec.finish();
}

/**
 * Nesterov's accelerated gradient (the momentum form):
 * y_k = x_k + β (x_k − x_{k−1}), x_{k+1} = y_k − t ∇f(y_k), x_{−1} = x_0.
 *
 * The trace reports f and ‖∇f‖ at x_k (not at y_k), so an iteration costs two gradient
 * evaluations. Default step {@linkcode GD_DEFAULT_STEP}, β {@linkcode GD_DEFAULT_MOMENTUM}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { nesterov } from "./gradient_descent.ts";
 * const r = nesterov(
 *   { f: (x) => 0.5 * x.dot(x), grad: (x) => x },
 *   array([3, 1]),
 *   { step: 0.5, momentum: 0.2, tolerance: 1e-9 },
 * );
 * if (r.status !== "converged") throw new Error(r.message);
 * ```
 */
export function nesterov(
  objective: Objective,
  x0: NDArray,
  options: MomentumOptions = {},
): SolverResult {
  const fn = "nesterov";
  const { opts, rec } = startSolver(fn, objective, x0, options, GD_DEFAULT_STEP);
  const beta = momentumOf(fn, options);
  let x = x0.clone();
  let prev = x;
  for (let k = 0;; k++) {
    const gx = evalGrad(fn, objective, x, rec.random);
    if (rec.recordGradient(k, x, objective, gx)) break;
    const y = axpy(x, beta, x.sub(prev));
    const gy = k === 0 ? gx : evalGrad(fn, objective, y, rec.random);
    prev = x;
    x = axpy(y, -opts.step, gy).reshape(x0.shape);
  }
  return rec.finish();
}
