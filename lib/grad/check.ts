/**
 * The gradient checker: compares an analytic gradient (or Jacobian, VJP, Hessian) with central
 * finite differences in float64 and, when they disagree, says why.
 *
 * - `checkGradient(f, grad, x)` — a scalar function of one array or of named arrays.
 * - `checkOp(op, inputs)` — a forward/backward pair, through a random upstream gradient `dout`.
 * - `checkJacobian(f, jac, x)` — an array-valued function against its full Jacobian.
 * - `checkHessian(grad, hessian, x)` — the Jacobian of the gradient against a Hessian.
 *
 * They are front doors: each validates and adapts its arguments to one analytic linear map, which
 * the core (`core.ts`) compares with finite differences and reports on; `diagnosis.ts` says why
 * a comparison fails.
 *
 * None of them throws for a wrong answer: they return a {@linkcode GradCheckReport}. They throw
 * RangeError/TypeError for unusable arguments (non-functions, empty arrays, `eps ≤ 0`, …).
 *
 * @module
 */

import { formatShape, NDArray, shapesEqual } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { compareLinearMap, randomDirection, type Settings } from "./core.ts";
import {
  DEFAULT_EPS,
  describe,
  type Inputs,
  scalarValue,
  validateArray,
  validateEps,
  validateFunction,
} from "./numeric.ts";
import type { CheckMode, GradCheckReport } from "./report.ts";

/** Default absolute tolerance of the checks. */
export const DEFAULT_ATOL = 1e-5;
/** Default relative tolerance of the checks. */
export const DEFAULT_RTOL = 1e-3;
/** Default number of sampled entries in `sparse` mode. */
export const DEFAULT_SPARSE_SAMPLES = 64;
/** Default number of random projections in `fast` mode. */
export const DEFAULT_FAST_PROJECTIONS = 2;

/** Options of every check. */
export interface CheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance: an entry passes when |a − n| ≤ atol + rtol·max(|a|, |n|). Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /**
   * `full` compares every entry (2 evaluations each); `sparse` a seeded sample of `samples`
   * entries touching every input; `fast` `samples` random projections uᵀJv (2 evaluations
   * each), re-checked in `full` mode on failure to locate the error. Default `full`.
   */
  mode?: CheckMode;
  /** Entries (`sparse`, default 64) or projections (`fast`, default 2). */
  samples?: number;
  /** Seed of the sampling and projections. Default 42. */
  seed?: number;
  /** A label for tables. */
  title?: string;
  /** Name of a single-array input in messages (`W`, `z`). Default `x`. */
  name?: string;
}

function resolve(options: CheckOptions, fn: string): Settings {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
  const eps = validateEps(options.eps ?? DEFAULT_EPS, fn);
  const atol = options.atol ?? DEFAULT_ATOL;
  const rtol = options.rtol ?? DEFAULT_RTOL;
  for (const [name, v] of [["atol", atol], ["rtol", rtol]] as const) {
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`${fn}: ${name} must be a non-negative finite number, got ${v}`);
    }
  }
  const mode = options.mode ?? "full";
  if (mode !== "full" && mode !== "sparse" && mode !== "fast") {
    throw new RangeError(
      `${fn}: mode must be "full", "sparse" or "fast", got ${JSON.stringify(mode)}`,
    );
  }
  const samples = options.samples ??
    (mode === "fast" ? DEFAULT_FAST_PROJECTIONS : DEFAULT_SPARSE_SAMPLES);
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`${fn}: samples must be a positive integer, got ${samples}`);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  return { eps, atol, rtol, mode, samples, seed, title: options.title };
}

function validateInputs(x: unknown, fn: string, name = "x"): Inputs {
  if (x instanceof NDArray) return { [name]: validateArray(x, fn, name) };
  if (x === null || typeof x !== "object" || Array.isArray(x)) {
    throw new TypeError(`${fn}: x must be an NDArray or a record of NDArrays, got ${describe(x)}`);
  }
  const entries = Object.entries(x as Record<string, unknown>);
  if (entries.length === 0) throw new RangeError(`${fn}: x has no inputs`);
  const out: Inputs = {};
  for (const [k, v] of entries) out[k] = validateArray(v, fn, `x.${k}`);
  return out;
}

function cloneInputs(inputs: Inputs): Inputs {
  const out: Inputs = {};
  for (const [k, v] of Object.entries(inputs)) out[k] = v.clone();
  return out;
}

/** `y`, which argument `what` returned, when it is an NDArray. */
function returnedArray(y: unknown, fn: string, what: string): NDArray {
  if (!(y instanceof NDArray)) {
    throw new TypeError(`${fn}: ${what} must return an NDArray, got ${describe(y)}`);
  }
  return y;
}

/** Picks the analytic gradient of input `name` from a record keyed `name` or `dname`. */
function pickGradient(grads: unknown, name: string, fn: string, what: string): unknown {
  if (grads instanceof NDArray || grads === null || typeof grads !== "object") {
    throw new TypeError(`${fn}: ${what} must return a record of NDArrays, got ${describe(grads)}`);
  }
  const rec = grads as Record<string, unknown>;
  return rec[`d${name}`] ?? rec[name];
}

/** The analytic gradients of `names` from a record keyed by name or `d`+name, each an NDArray. */
function gradientsOf(
  grads: unknown,
  names: string[],
  fn: string,
  what: string,
): Record<string, NDArray> {
  const picked = names.map((k) => pickGradient(grads, k, fn, what));
  const out: Record<string, NDArray> = {};
  for (const [i, k] of names.entries()) {
    const g = picked[i];
    if (!(g instanceof NDArray)) {
      throw new TypeError(`${fn}: the gradient of ${k} must be an NDArray, got ${describe(g)}`);
    }
    out[k] = g;
  }
  return out;
}

/**
 * The upstream gradient `checkOp` uses when none is given: entries uniform on (−1, 1), drawn from
 * `seed + 1`. Any continuous distribution serves (a wrong backward pass goes unnoticed only if its
 * error is orthogonal to it, probability ~0); uniform costs one 32-bit draw per entry.
 */
export function defaultDout(shape: readonly number[], seed: number): NDArray {
  const size = shape.reduce((a, b) => a * b, 1);
  return new NDArray(randomDirection(new Random(seed + 1), size), shape);
}

/**
 * Checks the analytic gradient of a scalar function against central differences.
 *
 * `f` and `grad` take one NDArray, or a record of named NDArrays (then `grad` returns a record
 * keyed by the same names, or by `d`+name: `{ dW, db }`). They receive private copies.
 *
 * @returns a report whose `diagnosis.kind` is `match`, `kink` (passes), or why it fails:
 *   `sign-flipped`, `scaled` (with `factor`), `transposed`, `partial` (with `wrongEntries`),
 *   `zero`, `non-finite`, `mismatch`
 * @throws TypeError/RangeError for unusable arguments, never for a wrong gradient
 *
 * @example
 * ```ts
 * import { array, checkGradient } from "../../mod.ts";
 * const f = (x: import("../../mod.ts").NDArray) => 0.5 * x.dot(x);
 * const good = checkGradient(f, (x) => x, array([1, -2, 3]));
 * const bad = checkGradient(f, (x) => x.mul(2), array([1, -2, 3]));
 * const factor = bad.diagnosis.factor ?? 0;
 * if (!good.ok || bad.diagnosis.kind !== "scaled" || Math.abs(factor - 2) > 1e-6) throw new Error();
 * ```
 */
export function checkGradient(
  f: (x: NDArray) => number,
  grad: (x: NDArray) => NDArray,
  x: NDArray,
  options?: CheckOptions,
): GradCheckReport;
/**
 * Checks the analytic gradients of a scalar function of named arrays: `grad` returns a record
 * keyed by the input names or by `d`+name (`{ dW, db }`). See the single-array form.
 */
export function checkGradient(
  f: (x: Inputs) => number,
  grad: (x: Inputs) => Record<string, NDArray>,
  x: Inputs,
  options?: CheckOptions,
): GradCheckReport;
export function checkGradient(
  // deno-lint-ignore no-explicit-any
  f: (x: any) => number | NDArray,
  // deno-lint-ignore no-explicit-any
  grad: (x: any) => NDArray | Record<string, NDArray>,
  x: NDArray | Inputs,
  options: CheckOptions = {},
): GradCheckReport {
  const fn = "checkGradient";
  validateFunction(f, fn, "f");
  validateFunction(grad, fn, "grad");
  const single = x instanceof NDArray;
  const key = options?.name ?? "x";
  const inputs = validateInputs(x, fn, key);
  const opts = resolve(options, fn);
  const value = single
    ? (i: Inputs) => scalarValue(f(i[key]), fn)
    : (i: Inputs) => scalarValue(f(i), fn);
  const analytic = single
    ? { [key]: returnedArray(grad(inputs[key].clone()), fn, "grad") }
    : gradientsOf(grad(cloneInputs(inputs)), Object.keys(inputs), fn, "grad");
  return compareLinearMap({ kind: "gradient", inputs, value, analytic }, opts);
}

/** A forward/backward pair as `checkOp` sees it (CS231n style, with a named cache). */
export interface OpUnderTest<C = unknown> {
  /** Name for reports. */
  name?: string;
  /** Forward pass on named inputs. */
  forward: (inputs: Inputs) => { out: NDArray; cache: C };
  /** Backward pass: input gradients keyed `d`+name (`dx`, `dw`) or by name. */
  backward: (dout: NDArray, cache: C) => Record<string, NDArray | undefined>;
}

/** Options of {@linkcode checkOp}. */
export interface CheckOpOptions extends CheckOptions {
  /** Inputs to check; default every input the backward pass returns a gradient for. */
  wrt?: string[];
  /** Upstream gradient; default {@linkcode defaultDout} of the output's shape and `seed`. */
  dout?: NDArray;
}

/**
 * Checks every input gradient of a forward/backward pair (a vector–Jacobian product check): with a
 * random upstream gradient `dout`, the backward pass must return ∇ of L = Σ dout ⊙ forward(x).out.
 *
 * @example
 * ```ts
 * import { array, checkOp } from "../../mod.ts";
 * const scale = {
 *   forward: (i: Record<string, import("../../mod.ts").NDArray>) => ({ out: i.x.mul(3), cache: null }),
 *   backward: (dout: import("../../mod.ts").NDArray) => ({ dx: dout.mul(3) }),
 * };
 * if (!checkOp(scale, { x: array([1, 2]) }).ok) throw new Error("3x");
 * ```
 */
export function checkOp<C>(
  op: OpUnderTest<C>,
  inputs: Inputs,
  options: CheckOpOptions = {},
): GradCheckReport {
  const fn = `checkOp${op?.name ? `(${op.name})` : ""}`;
  if (op === null || typeof op !== "object") {
    throw new TypeError(
      `checkOp: op must be an object with forward and backward, got ${describe(op)}`,
    );
  }
  validateFunction(op.forward, fn, "op.forward");
  validateFunction(op.backward, fn, "op.backward");
  const all = validateInputs(inputs, fn);
  const opts = resolve(options, fn);
  const first = op.forward(cloneInputs(all));
  if (!first || !(first.out instanceof NDArray)) {
    throw new TypeError(
      `${fn}: forward must return { out: NDArray, cache }, got ${describe(first)}`,
    );
  }
  const dout = options.dout ?? defaultDout(first.out.shape, opts.seed);
  if (!shapesEqual(dout.shape, first.out.shape)) {
    throw new RangeError(
      `${fn}: dout has shape ${formatShape(dout.shape)} but the output has shape ${
        formatShape(first.out.shape)
      }`,
    );
  }
  const firstGrads = op.backward(dout, first.cache);
  const wrt = options.wrt ??
    Object.keys(all).filter((k) => pickGradient(firstGrads, k, fn, "backward") !== undefined);
  if (wrt.length === 0) {
    throw new RangeError(
      `${fn}: backward returned no gradient for any input (inputs: ${Object.keys(all).join(", ")})`,
    );
  }
  for (const k of wrt) {
    if (!(k in all)) throw new RangeError(`${fn}: wrt names unknown input ${JSON.stringify(k)}`);
  }
  // Only the inputs in `wrt` are perturbed; the others are held fixed inside the closure.
  const fixed: Inputs = {};
  for (const k of Object.keys(all)) if (!wrt.includes(k)) fixed[k] = all[k];
  const checked: Inputs = {};
  for (const k of wrt) checked[k] = all[k];
  const value = (i: Inputs) => {
    const { out } = op.forward({ ...fixed, ...i });
    if (!shapesEqual(out.shape, dout.shape)) {
      throw new RangeError(`${fn}: forward output shape changed to ${formatShape(out.shape)}`);
    }
    return out.dot(dout);
  };
  // The backward pass already run on the first forward pass is the analytic gradient.
  return compareLinearMap(
    {
      kind: "gradient",
      inputs: checked,
      value,
      analytic: gradientsOf(firstGrads, wrt, fn, "backward"),
    },
    { ...opts, title: opts.title ?? op.name },
  );
}

/** What `checkJacobian` and `checkHessian` call things: the matrix in messages, arguments in errors. */
interface MatrixCheck {
  fn: string;
  /** The matrix's name in messages. */
  name: "J" | "H";
  /** The function's argument name. */
  f: string;
  /** The analytic matrix's argument name. */
  matrix: string;
  symmetric: boolean;
}

const JACOBIAN: MatrixCheck = {
  fn: "checkJacobian",
  name: "J",
  f: "f",
  matrix: "jacobian",
  symmetric: false,
};
const HESSIAN: MatrixCheck = {
  fn: "checkHessian",
  name: "H",
  f: "grad",
  matrix: "hessian",
  symmetric: true,
};

/**
 * Adapts an array-valued function of `x` and its claimed Jacobian to the core. Rows index outputs,
 * columns inputs; an array with that many entries is read in that layout (a Hessian may come as
 * `[...shape, ...shape]`) unless it has the transposed 2-D shape.
 */
function checkMatrix(
  check: MatrixCheck,
  f: (x: NDArray) => NDArray,
  matrix: (x: NDArray) => NDArray,
  x: NDArray,
  options: CheckOptions,
): GradCheckReport {
  const { fn, name } = check;
  validateFunction(f, fn, check.f);
  validateFunction(matrix, fn, check.matrix);
  validateArray(x, fn);
  const opts = resolve(options, fn);
  // One evaluation, not counted (as checkOp's first forward pass), gives the number of outputs.
  const outputs = returnedArray(f(x.clone()), fn, check.f).size;
  // The output is copied: f may return (a view of) its argument, which the probe restores.
  const value = (i: Inputs) => {
    const y = returnedArray(f(i[name]), fn, check.f);
    if (y.size !== outputs) {
      throw new RangeError(
        `${fn}: ${check.f} returned outputs of different sizes (${outputs}, ${y.size})`,
      );
    }
    return y.data.slice();
  };
  const a = returnedArray(matrix(x.clone()), fn, check.matrix);
  const n = x.size;
  const transposed = a.ndim === 2 && a.shape[0] === n && a.shape[1] === outputs && outputs !== n;
  const analytic = a.size === outputs * n && !transposed ? a.reshape([outputs, n]) : a;
  return compareLinearMap(
    {
      kind: "jacobian",
      inputs: { [name]: x },
      value,
      outputs,
      analytic: { [name]: analytic },
      symmetric: check.symmetric,
    },
    { ...opts, mode: "full" },
  );
}

/**
 * Checks an analytic Jacobian `[size(out), size(x)]` (rows: outputs, columns: inputs) of an
 * array-valued function against central differences (2 evaluations per input entry).
 * A Jacobian missing its off-diagonal terms is diagnosed `partial` with a message saying so.
 */
export function checkJacobian(
  f: (x: NDArray) => NDArray,
  jacobian: (x: NDArray) => NDArray,
  x: NDArray,
  options: CheckOptions = {},
): GradCheckReport {
  return checkMatrix(JACOBIAN, f, jacobian, x, options);
}

/**
 * Checks an analytic Hessian `[n, n]` (or `[...shape, ...shape]`) against the finite-difference
 * Jacobian of the analytic gradient (2n gradient evaluations), and reports how far each is from
 * symmetric. An analytic Hessian that is not symmetric gets a warning.
 */
export function checkHessian(
  grad: (x: NDArray) => NDArray,
  hessian: (x: NDArray) => NDArray,
  x: NDArray,
  options: CheckOptions = {},
): GradCheckReport {
  return checkMatrix(HESSIAN, grad, hessian, x, options);
}
