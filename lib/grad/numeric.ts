/**
 * Finite differences in float64: gradients, Jacobians, Hessians and directional derivatives by
 * central differences. Every function works on a private copy of its input, so the caller's
 * arrays are never modified, and costs exactly the evaluations stated in its documentation.
 *
 * @module
 */

import { formatShape, NDArray } from "../ndarray.ts";

/** Default step of first-order central differences. */
export const DEFAULT_EPS = 1e-6;
/**
 * Default step of second-order differences. With a step h the rounding error of a second
 * difference grows like 1e-16/h², so a larger step than {@linkcode DEFAULT_EPS} is needed.
 */
export const DEFAULT_HESSIAN_EPS = 1e-4;

/** Options of the numeric differentiators. */
export interface NumericOptions {
  /** Finite-difference step. Default {@linkcode DEFAULT_EPS} (1e-6). */
  eps?: number;
}

/** Named inputs of a function of several tensors. */
export type Inputs = Record<string, NDArray>;

/** Throws unless `eps` is a positive finite number. */
export function validateEps(eps: number, fn: string, name = "eps"): number {
  if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) {
    throw new RangeError(`${fn}: ${name} must be a positive finite number, got ${eps}`);
  }
  return eps;
}

/** Throws unless `x` is a non-empty NDArray. */
export function validateArray(x: unknown, fn: string, name = "x"): NDArray {
  if (!(x instanceof NDArray)) {
    throw new TypeError(`${fn}: ${name} must be an NDArray, got ${describe(x)}`);
  }
  if (x.size === 0) {
    throw new RangeError(`${fn}: ${name} is empty (shape ${formatShape(x.shape)})`);
  }
  return x;
}

/** Throws unless `f` is a function. */
export function validateFunction(f: unknown, fn: string, name: string): void {
  if (typeof f !== "function") {
    throw new TypeError(`${fn}: ${name} must be a function, got ${describe(f)}`);
  }
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof NDArray) return `NDArray ${formatShape(v.shape)}`;
  if (Array.isArray(v)) return "a plain array (wrap it with array(...))";
  return typeof v;
}

/**
 * Reads the value of a scalar function: a number, or an NDArray of one entry.
 * @throws TypeError for anything else
 */
export function scalarValue(v: unknown, fn: string, name = "f"): number {
  if (typeof v === "number") return v;
  if (v instanceof NDArray && v.size === 1) return v.data[0];
  throw new TypeError(`${fn}: ${name} must return a number, got ${describe(v)}`);
}

/**
 * A private copy of a function's inputs that can be nudged one entry at a time.
 * `evaluate()` calls the function on the current (possibly nudged) copy and counts calls.
 */
export class Probe<T> {
  /** The private copy that is nudged. */
  readonly inputs: Inputs;
  /** Calls made so far. */
  evaluations = 0;
  readonly #call: (inputs: Inputs) => T;
  /** A second copy that is never nudged: where `along` starts from and restores to. */
  readonly #origin: Inputs;

  /** Copies `inputs`; `call` is the function to evaluate on the copy. */
  constructor(inputs: Inputs, call: (inputs: Inputs) => T) {
    this.inputs = {};
    this.#origin = {};
    for (const [k, v] of Object.entries(inputs)) {
      this.inputs[k] = v.clone();
      this.#origin[k] = v.clone();
    }
    this.#call = call;
  }

  /** Evaluates at the current point. */
  evaluate(): T {
    this.evaluations++;
    return this.#call(this.inputs);
  }

  /** Evaluates with entry `offset` of input `name` moved by `delta`, then restores it. */
  at(name: string, offset: number, delta: number): T {
    const d = this.inputs[name].data;
    const saved = d[offset];
    d[offset] = saved + delta;
    try {
      return this.evaluate();
    } finally {
      d[offset] = saved;
    }
  }

  /** Evaluates at the starting point moved by `scale·v` (v given per input), then restores it. */
  along(v: Inputs, scale: number): T {
    const names = Object.keys(v);
    for (const k of names) {
      const d = this.inputs[k].data, from = this.#origin[k].data, u = v[k].data;
      for (let i = 0; i < d.length; i++) d[i] = from[i] + scale * u[i];
    }
    try {
      return this.evaluate();
    } finally {
      for (const k of names) this.inputs[k].data.set(this.#origin[k].data);
    }
  }
}

/**
 * Gradient of a scalar function by central differences,
 * `∂f/∂xᵢ ≈ (f(x + ε eᵢ) − f(x − ε eᵢ)) / 2ε`, with truncation error O(ε²).
 *
 * Cost: exactly 2 evaluations per entry of `x`; `x` is not modified.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { numericGradient } from "./numeric.ts";
 * const g = numericGradient((x) => x.dot(x), array([1, -2]));
 * if (Math.abs(g.data[0] - 2) > 1e-6 || Math.abs(g.data[1] + 4) > 1e-6) throw new Error("2x");
 * ```
 */
export function numericGradient(
  f: (x: NDArray) => number,
  x: NDArray,
  options: NumericOptions = {},
): NDArray {
  const fn = "numericGradient";
  validateFunction(f, fn, "f");
  validateArray(x, fn);
  const eps = validateEps(options.eps ?? DEFAULT_EPS, fn);
  const probe = new Probe({ x }, (i) => scalarValue(f(i.x), fn));
  const g = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    g[i] = (probe.at("x", i, eps) - probe.at("x", i, -eps)) / (2 * eps);
  }
  return new NDArray(g, x.shape);
}

/**
 * Jacobian of an array-valued function by central differences. For `f: [...in] → [...out]` the
 * result has shape `[size(out), size(x)]`: row `i` is the gradient of output entry `i`.
 *
 * Cost: exactly 2 evaluations per entry of `x`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { numericJacobian } from "./numeric.ts";
 * const J = numericJacobian((x) => x.mul(3), array([1, 2]));
 * if (Math.abs(J.get(0, 0) - 3) > 1e-6 || Math.abs(J.get(0, 1)) > 1e-6) throw new Error("3I");
 * ```
 */
export function numericJacobian(
  f: (x: NDArray) => NDArray,
  x: NDArray,
  options: NumericOptions = {},
): NDArray {
  const fn = "numericJacobian";
  validateFunction(f, fn, "f");
  validateArray(x, fn);
  const eps = validateEps(options.eps ?? DEFAULT_EPS, fn);
  // The output is copied: f may return (a view of) its argument, which the probe restores.
  const probe = new Probe({ x }, (i) => {
    const y = f(i.x);
    if (!(y instanceof NDArray)) {
      throw new TypeError(`${fn}: f must return an NDArray, got ${describe(y)}`);
    }
    return y.data.slice();
  });
  let J: Float64Array | undefined;
  let m = 0;
  const n = x.size;
  for (let j = 0; j < n; j++) {
    const plus = probe.at("x", j, eps);
    const minus = probe.at("x", j, -eps);
    if (J === undefined) {
      m = plus.length;
      J = new Float64Array(m * n);
    }
    if (plus.length !== m || minus.length !== m) {
      throw new RangeError(`${fn}: f returned outputs of different sizes (${m}, ${plus.length})`);
    }
    for (let i = 0; i < m; i++) J[i * n + j] = (plus[i] - minus[i]) / (2 * eps);
  }
  return new NDArray(J as Float64Array, [m, n]);
}

/**
 * Hessian of a scalar function by second central differences,
 * `Hᵢⱼ ≈ (f(x+εeᵢ+εeⱼ) − f(x+εeᵢ−εeⱼ) − f(x−εeᵢ+εeⱼ) + f(x−εeᵢ−εeⱼ)) / 4ε²`
 * (and `(f(x+2εeᵢ) − 2f(x) + f(x−2εeᵢ)) / 4ε²` on the diagonal), symmetrized by construction.
 * Shape `[n, n]` with `n = size(x)`. Step default {@linkcode DEFAULT_HESSIAN_EPS} (1e-4).
 *
 * Cost: 2n(n − 1) + 2n + 1 evaluations; for a function with a known gradient,
 * `numericJacobian(grad, x)` costs only 2n gradient evaluations and is more accurate.
 */
export function numericHessian(
  f: (x: NDArray) => number,
  x: NDArray,
  options: NumericOptions = {},
): NDArray {
  const fn = "numericHessian";
  validateFunction(f, fn, "f");
  validateArray(x, fn);
  const eps = validateEps(options.eps ?? DEFAULT_HESSIAN_EPS, fn);
  const n = x.size;
  const probe = new Probe({ x }, (i) => scalarValue(f(i.x), fn));
  const d = probe.inputs.x.data;
  const at2 = (i: number, di: number, j: number, dj: number) => {
    const si = d[i], sj = d[j];
    d[i] += di;
    d[j] += dj;
    try {
      return probe.evaluate();
    } finally {
      d[i] = si;
      d[j] = sj;
    }
  };
  const H = new Float64Array(n * n);
  const f0 = probe.evaluate();
  for (let i = 0; i < n; i++) {
    H[i * n + i] = (probe.at("x", i, 2 * eps) - 2 * f0 + probe.at("x", i, -2 * eps)) /
      (4 * eps * eps);
    for (let j = i + 1; j < n; j++) {
      const v = (at2(i, eps, j, eps) - at2(i, eps, j, -eps) - at2(i, -eps, j, eps) +
        at2(i, -eps, j, -eps)) / (4 * eps * eps);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  }
  return new NDArray(H, [n, n]);
}

/**
 * Directional derivative `∇f(x)·v ≈ (f(x + εv) − f(x − εv)) / 2ε`: two evaluations whatever the
 * size of `x`.
 */
export function directionalDerivative(
  f: (x: NDArray) => number,
  x: NDArray,
  v: NDArray,
  options: NumericOptions = {},
): number {
  const fn = "directionalDerivative";
  validateFunction(f, fn, "f");
  validateArray(x, fn);
  validateArray(v, fn, "v");
  if (v.size !== x.size) {
    throw new RangeError(
      `${fn}: direction v ${formatShape(v.shape)} does not match x ${formatShape(x.shape)}`,
    );
  }
  const eps = validateEps(options.eps ?? DEFAULT_EPS, fn);
  const probe = new Probe({ x }, (i) => scalarValue(f(i.x), fn));
  const dir = { x: v.reshape(x.shape) };
  return (probe.along(dir, eps) - probe.along(dir, -eps)) / (2 * eps);
}
