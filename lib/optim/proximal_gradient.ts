/**
 * Proximal gradient methods for F(x) = f(x) + g(x), f smooth with L-Lipschitz gradient and g
 * with a cheap proximal operator (the L1 norm of the lasso, sheet 000 Q9: prox_{tλ‖·‖₁} is
 * soft-thresholding at tλ). ISTA converges as F(x_k) − F* = O(1/k), FISTA as O(1/k²) (Beck &
 * Teboulle, 2009) with step t ≤ 1/L; `rates.ts` measures both slopes.
 *
 * @module
 */

import type { NDArray } from "../ndarray.ts";
import { formatShape } from "../ndarray.ts";
import {
  axpy,
  distance,
  evalGrad,
  evalLoss,
  type Objective,
  type SolverOptions,
  type SolverResult,
  startSolver,
} from "./trace.ts";

/** Default step of the proximal methods (pass 1/L for your problem). */
export const PROX_DEFAULT_STEP = 0.1;

/** Options of {@linkcode fista}. */
export interface FistaOptions extends SolverOptions {
  /**
   * Adaptive restart (O'Donoghue & Candès, 2015, function-value scheme): when F(x_k) > F(x_{k−1})
   * the momentum is reset (s = 1, y = x_k). Gives linear convergence on strongly convex
   * problems. Default false (plain FISTA, the O(1/k²) method).
   */
  restart?: boolean;
}

function proxStep(
  fn: string,
  objective: Objective,
  y: NDArray,
  t: number,
  g: NDArray,
): NDArray {
  const v = axpy(y, -t, g);
  if (!objective.prox) return v;
  const p = objective.prox(v, t);
  if (p.size !== y.size) {
    throw new RangeError(
      `${fn}: objective.prox returned shape ${formatShape(p.shape)} for x of shape ${
        formatShape(y.shape)
      }`,
    );
  }
  return p.reshape(y.shape);
}

/**
 * ISTA (proximal gradient): x_{k+1} = prox_{t·g}(x_k − t ∇f(x_k)).
 *
 * The `gradNorm` column is the gradient-mapping norm ‖x_k − x_{k+1}‖ / t, which is 0 exactly at
 * a minimizer of F (it reduces to ‖∇f‖ when g = 0); `loss` is F(x_k) = f(x_k) + g(x_k). Without
 * `objective.prox` this is gradient descent. Default step {@linkcode PROX_DEFAULT_STEP}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { ista } from "./proximal_gradient.ts";
 * // F(x) = ½(x − 3)² + |x|: minimizer 2 (soft-threshold of 3 at 1)
 * const r = ista({
 *   f: (x) => 0.5 * (x.data[0] - 3) ** 2,
 *   grad: (x) => x.sub(3),
 *   g: (x) => Math.abs(x.data[0]),
 *   prox: (v, t) => v.map((u) => Math.sign(u) * Math.max(Math.abs(u) - t, 0)),
 * }, array([0]), { step: 0.5, tolerance: 1e-12 });
 * if (Math.abs(r.x.data[0] - 2) > 1e-10) throw new Error(r.message);
 * ```
 */
export function ista(objective: Objective, x0: NDArray, options: SolverOptions = {}): SolverResult {
  const fn = "ista";
  const { opts, rec } = startSolver(fn, objective, x0, options, PROX_DEFAULT_STEP);
  let x = x0.clone();
  for (let k = 0;; k++) {
    const g = evalGrad(fn, objective, x, rec.random);
    const next = proxStep(fn, objective, x, opts.step, g);
    if (
      rec.record(k, x, {
        loss: evalLoss(fn, objective, x),
        gradNorm: distance(x, next) / opts.step,
      })
    ) break;
    x = next;
  }
  return rec.finish();
}

/**
 * FISTA: x_k = prox_{t·g}(y_k − t ∇f(y_k)), s_{k+1} = (1 + √(1 + 4 s_k²)) / 2,
 * y_{k+1} = x_k + ((s_k − 1)/s_{k+1}) (x_k − x_{k−1}), with y_1 = x_0 and s_1 = 1.
 *
 * The `gradNorm` of row k is the gradient-mapping norm at the extrapolated point y_{k+1}
 * (at x_0 in row 0); `loss` is F(x_k). FISTA is not monotone: F may rise for a few iterations.
 * Default step {@linkcode PROX_DEFAULT_STEP}.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { fista } from "./proximal_gradient.ts";
 * const r = fista({
 *   f: (x) => 0.5 * (x.data[0] - 3) ** 2,
 *   grad: (x) => x.sub(3),
 *   g: (x) => Math.abs(x.data[0]),
 *   prox: (v, t) => v.map((u) => Math.sign(u) * Math.max(Math.abs(u) - t, 0)),
 * }, array([0]), { step: 0.5, tolerance: 1e-12 });
 * if (Math.abs(r.x.data[0] - 2) > 1e-10) throw new Error(r.message);
 * ```
 */
export function fista(
  objective: Objective,
  x0: NDArray,
  options: FistaOptions = {},
): SolverResult {
  const fn = "fista";
  const { opts, rec } = startSolver(fn, objective, x0, options, PROX_DEFAULT_STEP);
  let x = x0.clone();
  let y = x;
  let s = 1;
  let prevLoss = Infinity;
  for (let k = 0;; k++) {
    const loss = evalLoss(fn, objective, x);
    if (options.restart && loss > prevLoss) {
      s = 1;
      y = x;
    }
    prevLoss = loss;
    const g = evalGrad(fn, objective, y, rec.random);
    const next = proxStep(fn, objective, y, opts.step, g);
    if (rec.record(k, x, { loss, gradNorm: distance(y, next) / opts.step })) break;
    const sNext = (1 + Math.sqrt(1 + 4 * s * s)) / 2;
    y = axpy(next, (s - 1) / sNext, next.sub(x));
    x = next;
    s = sNext;
  }
  return rec.finish();
}
