/**
 * Adam (Kingma & Ba, 2015): per-coordinate step sizes from running moments of the gradient.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import {
  evalGrad,
  type Objective,
  type SolverOptions,
  type SolverResult,
  startSolver,
} from "./trace.ts";

/** Default Adam step size (the paper's α). */
export const ADAM_DEFAULT_STEP = 1e-3;
/** Default decay of the first moment (the paper's β₁). */
export const ADAM_DEFAULT_BETA1 = 0.9;
/** Default decay of the second moment (the paper's β₂). */
export const ADAM_DEFAULT_BETA2 = 0.999;
/** Default ε added to √v̂ (the paper's ε). */
export const ADAM_DEFAULT_EPSILON = 1e-8;

/** Options of {@linkcode adam}. */
export interface AdamOptions extends SolverOptions {
  /** β₁ in [0, 1). Default {@linkcode ADAM_DEFAULT_BETA1}. */
  beta1?: number;
  /** β₂ in [0, 1). Default {@linkcode ADAM_DEFAULT_BETA2}. */
  beta2?: number;
  /** ε > 0. Default {@linkcode ADAM_DEFAULT_EPSILON}. */
  epsilon?: number;
}

/**
 * Adam. With g = ∇f(x_k) and k counted from 1:
 * m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g², m̂ = m / (1 − β₁ᵏ), v̂ = v / (1 − β₂ᵏ),
 * x_{k} = x_{k−1} − t m̂ / (√v̂ + ε).
 *
 * Each coordinate moves by at most about t per step, whatever the gradient's scale, so Adam
 * does not converge to machine precision with a fixed t: use `tolerance` accordingly. Default
 * step {@linkcode ADAM_DEFAULT_STEP}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { adam } from "./adam.ts";
 * const r = adam(
 *   { f: (x) => 0.5 * x.dot(x), grad: (x) => x },
 *   array([1, -1]),
 *   { step: 0.05, iterations: 2000, tolerance: 1e-6 },
 * );
 * if (r.status !== "converged") throw new Error(r.message);
 * ```
 */
export function adam(objective: Objective, x0: NDArray, options: AdamOptions = {}): SolverResult {
  const fn = "adam";
  const { opts, rec } = startSolver(fn, objective, x0, options, ADAM_DEFAULT_STEP);
  const beta1 = options.beta1 ?? ADAM_DEFAULT_BETA1;
  const beta2 = options.beta2 ?? ADAM_DEFAULT_BETA2;
  const epsilon = options.epsilon ?? ADAM_DEFAULT_EPSILON;
  for (const [name, b] of [["beta1", beta1], ["beta2", beta2]] as const) {
    if (!(b >= 0 && b < 1)) {
      throw new RangeError(`${fn}: options.${name} must be in [0, 1), got ${b}`);
    }
  }
  if (!(epsilon > 0)) throw new RangeError(`${fn}: options.epsilon must be > 0, got ${epsilon}`);
  const n = x0.size;
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  let x = x0.clone();
  for (let k = 0;; k++) {
    const g = evalGrad(fn, objective, x, rec.random);
    if (rec.recordGradient(k, x, objective, g)) break;
    const c1 = 1 - beta1 ** (k + 1);
    const c2 = 1 - beta2 ** (k + 1);
    const next = new Float64Array(n);
    const gd = g.data, xd = x.data;
    for (let i = 0; i < n; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * gd[i];
      v[i] = beta2 * v[i] + (1 - beta2) * gd[i] * gd[i];
      next[i] = xd[i] - (opts.step * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
    }
    x = new NDArray(next, x0.shape);
  }
  return rec.finish();
}
