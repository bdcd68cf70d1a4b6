/**
 * Newton's method, both forms of sheet 004 Q6: root finding for a scalar equation f(x) = 0, and
 * minimization of g(x) by finding a root of ∇g with the Hessian (the Jacobian of the gradient,
 * sheet 004 Q4), analytic or by finite differences, with damping and an optional line search.
 *
 * @module
 */

import { formatShape, NDArray } from "../ndarray.ts";
import { numericJacobian } from "../grad/numeric.ts";
import {
  axpy,
  evalGrad,
  evalLoss,
  norm2,
  type Objective,
  resolveOptions,
  type SolverOptions,
  type SolverResult,
  startSolver,
  TraceRecorder,
} from "./trace.ts";

/** A scalar equation f(x) = 0 with its derivative (optional: central differences otherwise). */
export interface ScalarEquation {
  /** f(x). */
  f: (x: number) => number;
  /** f'(x). */
  df?: (x: number) => number;
}

/** Options of {@linkcode newtonRoot}. */
export interface NewtonRootOptions extends Omit<SolverOptions, "optimum"> {
  /** A known root; fills the `distance` column with |x_k − root|. */
  root?: number;
}

/** Step of the central difference used when `df` is absent. */
export const ROOT_DERIVATIVE_EPS = 1e-7;
/** Default tolerance on |f(x)| for root finding: 0, i.e. run until f(x) is exactly 0. */
export const ROOT_DEFAULT_TOLERANCE = 0;
/** Default iteration cap of root finding. */
export const ROOT_DEFAULT_ITERATIONS = 50;

/**
 * Newton's method for f(x) = 0: x_{k+1} = x_k − t f(x_k) / f'(x_k) (t = `step`, default 1).
 *
 * Near a simple root x* with t = 1 the error e_k = x_k − x* obeys
 * e_{k+1} / e_k² → f''(x*) / (2 f'(x*)) — quadratic convergence (see `rates.ts` for the
 * measurement). The sheet's one-line argument (004 Q6) drops the second-order Taylor term and
 * so "proves" convergence in one step; the term it drops is exactly this rate.
 *
 * The trace has the usual columns with loss = |f(x_k)|, gradNorm = |f'(x_k)| and an extra column
 * `x`. The run stops when |f(x_k)| ≤ tolerance (default 0), when the next iterate equals x_k or
 * x_{k−1} (rounding level reached: status `converged`), when f'(x_k) = 0 (status
 * `zero-derivative`: the Newton step is undefined), after `iterations` (default 50), or on a
 * non-finite value.
 *
 * @example
 * ```ts
 * import { newtonRoot } from "./newton.ts";
 * const r = newtonRoot({ f: (x) => x * x - 2, df: (x) => 2 * x }, 1, { tolerance: 1e-15 });
 * if (Math.abs(r.x.data[0] - Math.SQRT2) > 1e-15) throw new Error(r.message);
 * ```
 */
export function newtonRoot(
  equation: ScalarEquation,
  x0: number,
  options: NewtonRootOptions = {},
): SolverResult {
  const fn = "newtonRoot";
  if (!equation || typeof equation.f !== "function") {
    throw new TypeError(`${fn}: equation.f must be a function`);
  }
  if (typeof x0 !== "number" || !Number.isFinite(x0)) {
    throw new RangeError(`${fn}: x0 must be a finite number, got ${x0}`);
  }
  const start = new NDArray(Float64Array.of(x0), [1]);
  const opts = resolveOptions(
    fn,
    start,
    {
      ...options,
      tolerance: options.tolerance ?? ROOT_DEFAULT_TOLERANCE,
      iterations: options.iterations ?? ROOT_DEFAULT_ITERATIONS,
      optimum: options.root === undefined
        ? undefined
        : new NDArray(Float64Array.of(options.root), [1]),
    },
    1,
  );
  const df = equation.df ??
    ((x: number) =>
      (equation.f(x + ROOT_DERIVATIVE_EPS) - equation.f(x - ROOT_DERIVATIVE_EPS)) /
      (2 * ROOT_DERIVATIVE_EPS));
  const rec = new TraceRecorder(fn, opts, start);
  let x = x0;
  let before = NaN;
  for (let k = 0;; k++) {
    const fx = equation.f(x);
    const dfx = df(x);
    const xa = new NDArray(Float64Array.of(x), [1]);
    if (
      rec.record(k, xa, {
        loss: Math.abs(fx),
        gradNorm: Math.abs(dfx),
        extra: { x },
        criterion: Math.abs(fx),
      })
    ) break;
    if (dfx === 0) {
      rec.stop("zero-derivative", `f'(x) = 0 at x = ${x} (iteration ${k}): no Newton step`);
      break;
    }
    const next = x - (opts.step * fx) / dfx;
    if (next === x || next === before) {
      rec.stop(
        "converged",
        `converged at iteration ${k}: the Newton step no longer changes x = ${x} beyond rounding`,
      );
      break;
    }
    before = x;
    x = next;
  }
  return rec.finish();
}

/** What Newton does with a Hessian that is not positive definite. */
export type DampingMode = "auto" | "none";

/** Options of {@linkcode newtonMinimize}. */
export interface NewtonOptions extends SolverOptions {
  /**
   * `auto` (default): when H is not positive definite (or singular), solve with H + μI instead,
   * μ starting at {@linkcode DAMPING_START}·max(1, max|H_ii|) and growing ×10 until the
   * Cholesky factorization succeeds; μ is recorded in the trace column `damping`. `none`: stop
   * with status `singular` and say where.
   */
  damping?: DampingMode;
  /**
   * Backtracking (Armijo) line search on the Newton direction: halve t until
   * F(x + t d) ≤ F(x) + c·t·∇fᵀd with c = {@linkcode ARMIJO_C}. Default false (pure Newton).
   */
  lineSearch?: boolean;
  /** Finite-difference step of the Hessian when `objective.hessian` is absent. Default 1e-5. */
  hessianEps?: number;
}

/** Initial relative damping μ of {@linkcode newtonMinimize}. */
export const DAMPING_START = 1e-8;
/** Factor by which μ grows until H + μI is positive definite. */
export const DAMPING_GROWTH = 10;
/** Give up damping after this many growths. */
export const DAMPING_MAX_TRIES = 40;
/** Sufficient-decrease constant of the Armijo line search. */
export const ARMIJO_C = 1e-4;
/** Maximum number of halvings in the line search. */
export const LINE_SEARCH_MAX_HALVINGS = 50;
/** Default finite-difference step for the Hessian. */
export const HESSIAN_FD_EPS = 1e-5;

/**
 * Solves A x = b for a symmetric positive-definite A ([n, n]) by Cholesky, b of n entries.
 *
 * @throws RangeError when A is not square, b's size differs, or A is not positive definite
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { solveSpd } from "./newton.ts";
 * const x = solveSpd(array([[4, 2], [2, 3]]), array([2, 1]));
 * if (Math.abs(x.data[0] - 0.5) > 1e-12 || Math.abs(x.data[1]) > 1e-12) throw new Error("solve");
 * ```
 */
export function solveSpd(a: NDArray, b: NDArray): NDArray {
  const n = b.size;
  if (a.ndim !== 2 || a.shape[0] !== n || a.shape[1] !== n) {
    throw new RangeError(
      `solveSpd: A has shape ${formatShape(a.shape)} but b has ${n} entries (need [${n}, ${n}])`,
    );
  }
  const x = choleskySolve(a.data, b.data, n);
  if (!x) throw new RangeError(`solveSpd: A (${formatShape(a.shape)}) is not positive definite`);
  return new NDArray(x, b.shape);
}

/**
 * Cholesky solve of A d = b for symmetric A ([n, n], row-major). Returns undefined when A is not
 * (numerically) positive definite.
 */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const d = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * d[k];
    d[i] = s / l[i * n + i];
  }
  return d;
}

/**
 * Newton's method for minimization: x_{k+1} = x_k + t d_k with (H_k + μ_k I) d_k = −∇f(x_k),
 * H_k = ∇²f(x_k) (analytic from `objective.hessian`, else central differences of `grad`,
 * symmetrized), μ_k = 0 unless H_k is not positive definite (see `damping`), t = `step`
 * (default 1) or chosen by the line search.
 *
 * Near a minimizer with positive-definite Hessian it converges quadratically; on a quadratic it
 * lands on the minimizer in one step. Columns: the usual ones plus `damping` (μ_k).
 *
 * @example
 * ```ts
 * import { array, matmul } from "../ndarray.ts";
 * import { newtonMinimize } from "./newton.ts";
 * const A = array([[3, 1], [1, 2]]), b = array([1, 1]);
 * // f(x) = ½ xᵀAx − bᵀx, minimizer A⁻¹b = [0.2, 0.4]
 * const r = newtonMinimize({
 *   f: (x) => 0.5 * x.dot(matmul(A, x)) - b.dot(x),
 *   grad: (x) => matmul(A, x).sub(b),
 *   hessian: () => A,
 * }, array([5, -5]), { tolerance: 1e-12 });
 * if (r.iterations !== 1 || Math.abs(r.x.data[1] - 0.4) > 1e-12) throw new Error(r.message);
 * ```
 */
export function newtonMinimize(
  objective: Objective,
  x0: NDArray,
  options: NewtonOptions = {},
): SolverResult {
  const fn = "newtonMinimize";
  const { opts, rec } = startSolver(fn, objective, x0, options, 1);
  const damping = options.damping ?? "auto";
  if (damping !== "auto" && damping !== "none") {
    throw new RangeError(`${fn}: options.damping must be "auto" or "none", got ${damping}`);
  }
  const hEps = options.hessianEps ?? HESSIAN_FD_EPS;
  const n = x0.size;
  const hessianAt = (x: NDArray): Float64Array => {
    let h: NDArray;
    if (objective.hessian) {
      h = objective.hessian(x);
      if (!(h instanceof NDArray) || h.size !== n * n) {
        throw new RangeError(
          `${fn}: objective.hessian returned shape ${
            h instanceof NDArray ? formatShape(h.shape) : typeof h
          } for x of shape ${formatShape(x.shape)} (expected [${n}, ${n}])`,
        );
      }
      return h.data;
    }
    h = numericJacobian((v) => evalGrad(fn, objective, v, rec.random).flatten(), x, { eps: hEps });
    const s = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (h.data[i * n + j] + h.data[j * n + i]);
    }
    return s;
  };
  let x = x0.clone();
  let mu = 0;
  for (let k = 0;; k++) {
    const g = evalGrad(fn, objective, x, rec.random);
    const loss = evalLoss(fn, objective, x);
    if (rec.record(k, x, { loss, gradNorm: norm2(g), extra: { damping: mu } })) break;
    const h = hessianAt(x);
    const rhs = g.data.map((v) => -v);
    let d = choleskySolve(h, rhs, n);
    mu = 0;
    if (!d) {
      if (damping === "none") {
        rec.stop(
          "singular",
          `the Hessian at iteration ${k} is singular or not positive definite (damping "none")`,
        );
        break;
      }
      let maxDiag = 1;
      for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(h[i * n + i]));
      mu = DAMPING_START * maxDiag;
      for (let tries = 0; !d && tries < DAMPING_MAX_TRIES; tries++, mu *= DAMPING_GROWTH) {
        const hd = h.slice();
        for (let i = 0; i < n; i++) hd[i * n + i] += mu;
        d = choleskySolve(hd, rhs, n);
        if (d) break;
      }
      if (!d) {
        rec.stop("singular", `no damping made the Hessian positive definite at iteration ${k}`);
        break;
      }
    }
    const dir = new NDArray(d, x0.shape);
    let t = opts.step;
    if (options.lineSearch) {
      const slope = g.dot(dir.reshape(g.shape));
      for (let i = 0; i < LINE_SEARCH_MAX_HALVINGS; i++) {
        const trial = evalLoss(fn, objective, axpy(x, t, dir));
        if (trial <= loss + ARMIJO_C * t * slope) break;
        t /= 2;
      }
    }
    x = axpy(x, t, dir);
  }
  return rec.finish();
}
