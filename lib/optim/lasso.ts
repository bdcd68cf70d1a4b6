/**
 * The lasso as an {@linkcode Objective} for the proximal methods:
 * F(x) = ½‖Ax − b‖² + λ‖x‖₁, smooth part f(x) = ½‖Ax − b‖² with ∇f(x) = Aᵀ(Ax − b) and
 * L = ‖A‖₂², non-smooth part g(x) = λ‖x‖₁ with prox_{t·g}(v) = S_{tλ}(v), the soft-threshold of
 * `lib/ops/proximal.ts` (sheet 000 Q9).
 *
 * @module
 */

import { formatShape, matmul, NDArray } from "../ndarray.ts";
import { softThreshold } from "../ops/proximal.ts";
import type { Objective } from "./trace.ts";

/** Power-iteration steps used by {@linkcode lassoObjective} to estimate L = ‖A‖₂². */
export const LIPSCHITZ_POWER_STEPS = 100;

/** A lasso objective with its Lipschitz constant. */
export interface LassoObjective extends Objective {
  /** L = largest eigenvalue of AᵀA (power iteration), so t = 1/L is a safe step. */
  lipschitz: number;
}

/**
 * F(x) = ½‖Ax − b‖² + λ‖x‖₁ for A [m, n], b [m], λ ≥ 0; x is [n].
 *
 * @throws RangeError when the shapes do not fit or λ < 0
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { lassoObjective } from "./lasso.ts";
 * import { fista } from "./proximal_gradient.ts";
 * // A = I: the minimizer is the soft-threshold of b at λ
 * const obj = lassoObjective(array([[1, 0], [0, 1]]), array([3, 0.5]), { lambda: 1 });
 * const r = fista(obj, array([0, 0]), { step: 1 / obj.lipschitz, tolerance: 1e-12 });
 * if (Math.abs(r.x.data[0] - 2) > 1e-10 || r.x.data[1] !== 0) throw new Error(r.message);
 * ```
 */
export function lassoObjective(
  a: NDArray,
  b: NDArray,
  options: { lambda: number },
): LassoObjective {
  const fn = "lassoObjective";
  if (!(a instanceof NDArray) || a.ndim !== 2 || !(b instanceof NDArray) || b.size !== a.shape[0]) {
    throw new RangeError(
      `${fn}: need A [m, n] and b [m], got A ${
        a instanceof NDArray ? formatShape(a.shape) : typeof a
      } and b ${b instanceof NDArray ? formatShape(b.shape) : typeof b}`,
    );
  }
  const lambda = options?.lambda;
  if (typeof lambda !== "number" || !(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new RangeError(`${fn}: options.lambda must be a finite number >= 0, got ${lambda}`);
  }
  const n = a.shape[1];
  const at = a.transpose();
  const bv = b.reshape([a.shape[0]]);
  const checkX = (x: NDArray) => {
    if (x.size !== n) {
      throw new RangeError(`${fn}: x has shape ${formatShape(x.shape)} but A has ${n} columns`);
    }
    return x.reshape([n]);
  };
  // L = ‖A‖₂² by power iteration on AᵀA from a fixed start
  let v = new NDArray(new Float64Array(n).fill(1 / Math.sqrt(n)), [n]);
  let lipschitz = 0;
  for (let i = 0; i < LIPSCHITZ_POWER_STEPS; i++) {
    const w = matmul(at, matmul(a, v));
    lipschitz = w.norm();
    if (lipschitz === 0) break;
    v = w.div(lipschitz);
  }
  return {
    lipschitz,
    f: (x) => {
      const r = matmul(a, checkX(x)).sub(bv);
      return 0.5 * r.dot(r);
    },
    grad: (x) => matmul(at, matmul(a, checkX(x)).sub(bv)).reshape(x.shape),
    g: (x) => {
      let s = 0;
      for (const v of x.data) s += Math.abs(v);
      return lambda * s;
    },
    prox: (v, t) => softThreshold(v, { t: t * lambda }),
  };
}
