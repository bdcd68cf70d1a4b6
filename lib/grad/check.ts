/**
 * The gradient checker: compares an analytic gradient (or Jacobian, VJP, Hessian) with central
 * finite differences in float64 and, when they disagree, says why.
 *
 * - `checkGradient(f, grad, x)` — a scalar function of one array or of named arrays.
 * - `checkOp(op, inputs)` — a forward/backward pair, through a random upstream gradient `dout`.
 * - `checkJacobian(f, jac, x)` — an array-valued function against its full Jacobian.
 * - `checkHessian(grad, hessian, x)` — the Jacobian of the gradient against a Hessian.
 *
 * None of them throws for a wrong answer: they return a {@linkcode GradCheckReport}. They throw
 * RangeError/TypeError for unusable arguments (non-functions, empty arrays, `eps ≤ 0`, …).
 *
 * @module
 */

import { formatShape, NDArray, shapesEqual } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import {
  close,
  combineDiagnoses,
  type Comparison,
  diagnose,
  type Diagnosis,
  EntryStatus,
  shapeMismatch,
} from "./diagnosis.ts";
import {
  DEFAULT_EPS,
  describe,
  type Inputs,
  numericJacobian,
  Probe,
  scalarValue,
  validateArray,
  validateEps,
  validateFunction,
} from "./numeric.ts";
import {
  type CheckMode,
  GradCheckReport,
  type InputReport,
  type KinkEntry,
  type WorstEntry,
} from "./report.ts";

/** Default absolute tolerance of the checks. */
export const DEFAULT_ATOL = 1e-5;
/** Default relative tolerance of the checks. */
export const DEFAULT_RTOL = 1e-3;
/** Default number of sampled entries in `sparse` mode. */
export const DEFAULT_SPARSE_SAMPLES = 64;
/** Default number of random projections in `fast` mode. */
export const DEFAULT_FAST_PROJECTIONS = 2;
/** Kink test: the second step is this fraction of `eps`. */
const KINK_STEP_RATIO = 0.1;

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

interface Resolved {
  eps: number;
  atol: number;
  rtol: number;
  mode: CheckMode;
  samples: number;
  seed: number;
  title?: string;
}

function resolve(options: CheckOptions, fn: string): Resolved {
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

/** Picks the analytic gradient of input `name` from a record keyed `name` or `dname`. */
function pickGradient(grads: unknown, name: string, fn: string, what: string): unknown {
  if (grads instanceof NDArray || grads === null || typeof grads !== "object") {
    throw new TypeError(`${fn}: ${what} must return a record of NDArrays, got ${describe(grads)}`);
  }
  const rec = grads as Record<string, unknown>;
  return rec[`d${name}`] ?? rec[name];
}

/** How an analytic gradient's shape relates to its input's. */
type Layout = "same" | "transposed" | "bad";

function layoutOf(analytic: NDArray, shape: readonly number[]): Layout {
  if (shapesEqual(analytic.shape, shape)) return "same";
  if (
    shape.length === 2 && analytic.ndim === 2 && analytic.shape[0] === shape[1] &&
    analytic.shape[1] === shape[0]
  ) return "transposed";
  return "bad";
}

function unravel(shape: readonly number[], offset: number): number[] {
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = offset % shape[i];
    offset = Math.floor(offset / shape[i]);
  }
  return index;
}

/** Reads a 2-D `[c, r]` array at the transposed position of offset `o` in `[r, c]`. */
function transposedAt(a: NDArray, shape: readonly number[], o: number): number {
  const c = shape[1];
  const i = Math.floor(o / c), j = o - i * c;
  return a.data[j * shape[0] + i];
}

/** Chooses entries: all (`full`), or a seeded sample touching every input (`sparse`). */
function selectEntries(inputs: Inputs, opts: Resolved): Map<string, number[]> {
  const names = Object.keys(inputs);
  const total = names.reduce((s, k) => s + inputs[k].size, 0);
  const out = new Map<string, number[]>();
  if (opts.mode === "full" || opts.samples >= total) {
    for (const k of names) out.set(k, Array.from({ length: inputs[k].size }, (_, i) => i));
    return out;
  }
  const rng = new Random(opts.seed);
  const budget = Math.max(opts.samples, names.length);
  for (const k of names) {
    const share = Math.max(1, Math.round((budget * inputs[k].size) / total));
    const m = Math.min(inputs[k].size, share);
    out.set(k, Array.from(rng.sample(inputs[k].size, m)).sort((a, b) => a - b));
  }
  return out;
}

interface EntryCheck {
  comparison: Comparison;
  kinks: KinkEntry[];
  maxAbsError: number;
  maxRelError: number;
  worst: WorstEntry | null;
  worstScore: number;
}

/**
 * Compares the analytic gradient of one input with central differences at the chosen entries,
 * classifying failing entries next to a kink with two more evaluations each.
 */
function compareEntries(
  probe: Probe<number>,
  f0: number,
  name: string,
  analytic: NDArray,
  layout: "same" | "transposed",
  offsets: number[],
  opts: Resolved,
): EntryCheck {
  const x = probe.inputs[name];
  const { eps, atol, rtol } = opts;
  const m = offsets.length;
  const a = new Float64Array(m), n = new Float64Array(m);
  const square = x.ndim === 2 && x.shape[0] === x.shape[1] && layout === "same";
  const t = square ? new Float64Array(m) : undefined;
  const status = new Uint8Array(m);
  const indices: number[][] = [];
  const kinks: KinkEntry[] = [];
  let maxAbsError = 0, maxRelError = 0, worst: WorstEntry | null = null, worstScore = -1;
  for (let k = 0; k < m; k++) {
    const o = offsets[k];
    const index = unravel(x.shape, o);
    indices.push(index);
    const ana = layout === "same" ? analytic.data[o] : transposedAt(analytic, x.shape, o);
    if (t) t[k] = transposedAt(analytic, x.shape, o);
    const fp = probe.at(name, o, eps), fm = probe.at(name, o, -eps);
    const num = (fp - fm) / (2 * eps);
    a[k] = ana;
    n[k] = num;
    let ok = close(ana, num, atol, rtol);
    if (!ok && Number.isFinite(ana) && Number.isFinite(num)) {
      const left = (f0 - fm) / eps, right = (fp - f0) / eps;
      const kink = classifyKink(probe, f0, name, o, ana, left, right, opts);
      if (kink) {
        kinks.push({ input: name, index, ...kink });
        ok = kink.excused;
        if (ok) status[k] = EntryStatus.Kink;
      }
    } else if (ok) {
      status[k] = EntryStatus.Ok;
    }
    const err = Math.abs(ana - num);
    const scale = Math.max(Math.abs(ana), Math.abs(num));
    const rel = err === 0 ? 0 : err / scale;
    if (err > maxAbsError || Number.isNaN(err)) maxAbsError = Number.isNaN(err) ? NaN : err;
    if (rel > maxRelError || Number.isNaN(rel)) maxRelError = Number.isNaN(rel) ? NaN : rel;
    const score = Number.isNaN(err) ? Infinity : err / (atol + rtol * scale);
    if (score > worstScore) {
      worstScore = score;
      worst = { input: name, index, analytic: ana, numeric: num };
    }
  }
  return {
    comparison: {
      name,
      shape: x.shape,
      indices,
      analytic: a,
      numeric: n,
      analyticTransposed: t,
      status,
      atol,
      rtol,
    },
    kinks,
    maxAbsError,
    maxRelError,
    worst,
    worstScore,
  };
}

/**
 * A failing entry is a kink when its one-sided derivatives differ and keep differing as the step
 * shrinks (kink at x: the analytic value must lie between them), or when the difference vanishes
 * much faster than curvature allows at a smaller step (the ±eps step crossed a kink near x: the
 * analytic value must match the smaller-step derivative). Smooth functions do neither.
 */
function classifyKink(
  probe: Probe<number>,
  f0: number,
  name: string,
  o: number,
  ana: number,
  left: number,
  right: number,
  opts: Resolved,
): { left: number; right: number; analytic: number; excused: boolean } | null {
  const { atol, rtol } = opts;
  const jump = right - left;
  if (Math.abs(jump) <= atol + rtol * Math.max(Math.abs(left), Math.abs(right))) return null;
  const h = opts.eps * KINK_STEP_RATIO;
  const fp = probe.at(name, o, h), fm = probe.at(name, o, -h);
  const left2 = (f0 - fm) / h, right2 = (fp - f0) / h, central2 = (fp - fm) / (2 * h);
  const jump2 = right2 - left2;
  if (Math.abs(jump2) > 0.5 * Math.abs(jump)) {
    const lo = Math.min(left2, right2), hi = Math.max(left2, right2);
    const tol = atol + rtol * Math.max(Math.abs(lo), Math.abs(hi));
    return {
      left: left2,
      right: right2,
      analytic: ana,
      excused: ana >= lo - tol && ana <= hi + tol,
    };
  }
  if (Math.abs(jump2) < 0.05 * Math.abs(jump)) {
    const excused = close(ana, central2, opts.atol, opts.rtol);
    return { left, right, analytic: ana, excused };
  }
  return null;
}

function trivialWarnings(
  inputs: InputReport[],
  checks: EntryCheck[],
  f0: number,
  atol: number,
): string[] {
  let scale = 0;
  for (const c of checks) {
    for (let i = 0; i < c.comparison.analytic.length; i++) {
      scale = Math.max(
        scale,
        Math.abs(c.comparison.analytic[i]),
        Math.abs(c.comparison.numeric[i]),
      );
    }
  }
  if (checks.length === 0 || scale > atol) return [];
  if (scale === 0 && Math.abs(f0) < 1e-10) {
    return [
      `the function and every gradient entry are 0 here, so the check passes trivially: ` +
      `try a point where the loss is not 0`,
    ];
  }
  return [
    `every checked gradient entry of ${inputs.map((i) => i.name).join(", ")} is at most ${
      scale.toExponential(1)
    } in size, below atol = ${atol}: the check only shows both are small; pick another point or lower atol`,
  ];
}

/** The engine behind every first-order check, on named inputs. */
function runCheck(
  fn: string,
  call: (inputs: Inputs) => number,
  gradient: (inputs: Inputs) => Record<string, unknown>,
  inputs: Inputs,
  opts: Resolved,
  precomputed?: Record<string, unknown>,
): GradCheckReport {
  const started = performance.now();
  const probe = new Probe(inputs, call);
  // fast mode needs no base value: a non-finite f shows up in the projections.
  const f0 = opts.mode === "fast" ? NaN : probe.evaluate();
  const grads = precomputed ?? gradient(cloneInputs(inputs));
  const analytic: Record<string, NDArray | undefined> = {};
  for (const k of Object.keys(inputs)) {
    const g = grads[k];
    if (!(g instanceof NDArray)) {
      throw new TypeError(`${fn}: the gradient of ${k} must be an NDArray, got ${describe(g)}`);
    }
    analytic[k] = g;
  }
  if (opts.mode === "fast") {
    return fastCheck(
      fn,
      probe,
      analytic as Record<string, NDArray>,
      opts,
      started,
      call,
      gradient,
      inputs,
    );
  }
  const selection = selectEntries(inputs, opts);
  const reports: InputReport[] = [];
  const checks: EntryCheck[] = [];
  const kinks: KinkEntry[] = [];
  let worst: WorstEntry | null = null, worstScore = -1;
  for (const [name, offsets] of selection) {
    const g = analytic[name] as NDArray;
    const x = inputs[name];
    const layout = layoutOf(g, x.shape);
    let diagnosis: Diagnosis;
    if (!Number.isFinite(f0)) {
      diagnosis = diagnose({
        name,
        shape: x.shape,
        indices: [],
        analytic: new Float64Array(),
        numeric: new Float64Array(),
        status: new Uint8Array(),
        valueNonFinite: true,
        atol: opts.atol,
        rtol: opts.rtol,
      });
      reports.push({
        name,
        shape: [...x.shape],
        checked: 0,
        maxAbsError: NaN,
        maxRelError: NaN,
        diagnosis,
      });
      continue;
    }
    if (layout === "bad") {
      diagnosis = shapeMismatch(name, x.shape, g.shape);
      if (g.size === x.size) {
        // Same entries, other shape ([3] for [3, 1]): say whether the values are right.
        const c = compareEntries(probe, f0, name, g.reshape(x.shape), "same", offsets, opts);
        const valuesRight = c.comparison.status.every((st) => st !== EntryStatus.Wrong);
        diagnosis.message += valuesRight
          ? ` Its values are right: only the shape is off (reshape it).`
          : ` Read in ${name}'s shape, its values are wrong too (${diagnose(c.comparison).kind}).`;
      }
      reports.push({
        name,
        shape: [...x.shape],
        checked: 0,
        maxAbsError: Infinity,
        maxRelError: Infinity,
        diagnosis,
      });
      continue;
    }
    const c = compareEntries(probe, f0, name, g, layout, offsets, opts);
    checks.push(c);
    kinks.push(...c.kinks);
    if (layout === "transposed") {
      const allMatch = c.comparison.status.every((s) => s !== EntryStatus.Wrong);
      diagnosis = allMatch
        ? {
          kind: "transposed",
          message: `The analytic gradient of ${name} has shape ${formatShape(g.shape)}, the ` +
            `transpose of ${name}'s ${formatShape(x.shape)}, and its values are the transpose of ` +
            `the numeric gradient: transpose the result (or swap the factors of the outer product).`,
        }
        : shapeMismatch(name, x.shape, g.shape);
    } else {
      diagnosis = diagnose(c.comparison);
    }
    if (c.worstScore > worstScore) {
      worstScore = c.worstScore;
      worst = c.worst;
    }
    reports.push({
      name,
      shape: [...x.shape],
      checked: offsets.length,
      maxAbsError: layout === "same" ? c.maxAbsError : Infinity,
      maxRelError: layout === "same" ? c.maxRelError : Infinity,
      diagnosis,
    });
  }
  const diagnosis = combineDiagnoses(reports);
  const ok = diagnosis.kind === "match" || diagnosis.kind === "kink";
  return new GradCheckReport({
    ok,
    mode: opts.mode === "full" || selection.size === 0 ? "full" : (
      [...selection.values()].reduce((s, v) => s + v.length, 0) ===
          Object.values(inputs).reduce((s, v) => s + v.size, 0)
        ? "full"
        : "sparse"
    ),
    maxAbsError: Math.max(...reports.map((r) => r.maxAbsError)),
    maxRelError: Math.max(...reports.map((r) => r.maxRelError)),
    worst,
    diagnosis,
    kinks,
    evaluations: probe.evaluations,
    warnings: ok ? trivialWarnings(reports, checks, f0, opts.atol) : [],
    inputs: reports,
    eps: opts.eps,
    atol: opts.atol,
    rtol: opts.rtol,
    seconds: (performance.now() - started) / 1000,
    title: opts.title,
  });
}

/**
 * A random direction with entries uniform on (−1, 1), one 32-bit draw each: cheaper than normal
 * variates, and continuous, so an error e is missed only if eᵀv = 0 exactly — probability ~2⁻³².
 * (±1 entries would be cheaper still but miss e = [δ, −δ] half the time.)
 */
function randomDirection(rng: Random, n: number): Float64Array {
  const bits = rng.fillUint32(new Uint32Array(n));
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (bits[i] + 0.5) / 2147483648 - 1;
  return v;
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

/** `fast` mode: a few random projections; a failure is located by a `full` re-check. */
function fastCheck(
  fn: string,
  probe: Probe<number>,
  analytic: Record<string, NDArray>,
  opts: Resolved,
  started: number,
  call: (inputs: Inputs) => number,
  gradient: (inputs: Inputs) => Record<string, unknown>,
  inputs: Inputs,
): GradCheckReport {
  const names = Object.keys(inputs);
  const shapesOk = names.every((k) => shapesEqual(analytic[k].shape, inputs[k].shape));
  const rng = new Random(opts.seed);
  let maxAbsError = 0, maxRelError = 0, allOk = shapesOk;
  let worst: WorstEntry | null = null, worstScore = -1;
  for (let s = 0; s < opts.samples && allOk; s++) {
    const v: Inputs = {};
    let ana = 0;
    for (const k of names) {
      const dir = new NDArray(randomDirection(rng, inputs[k].size), inputs[k].shape);
      v[k] = dir;
      ana += analytic[k].dot(dir);
    }
    const num = (probe.along(v, opts.eps) - probe.along(v, -opts.eps)) / (2 * opts.eps);
    const err = Math.abs(ana - num), scale = Math.max(Math.abs(ana), Math.abs(num));
    maxAbsError = Math.max(maxAbsError, err);
    maxRelError = Math.max(maxRelError, err === 0 ? 0 : err / scale);
    const score = Number.isNaN(err) ? Infinity : err / (opts.atol + opts.rtol * scale);
    if (score > worstScore) {
      worstScore = score;
      worst = { input: names.join("+"), index: [s], analytic: ana, numeric: num };
    }
    if (!close(ana, num, opts.atol, opts.rtol)) allOk = false;
  }
  if (allOk) {
    let scale = 0;
    for (const k of names) for (const g of analytic[k].data) scale = Math.max(scale, Math.abs(g));
    const warnings = scale <= opts.atol
      ? [
        `every gradient entry is at most ${
          scale.toExponential(1)
        } in size, below atol = ${opts.atol}: the check only shows the gradient is small`,
      ]
      : [];
    return new GradCheckReport({
      ok: true,
      mode: "fast",
      maxAbsError,
      maxRelError,
      worst,
      diagnosis: {
        kind: "match",
        message: `${opts.samples} random projections uᵀ∇f agree with their finite differences.`,
      },
      kinks: [],
      evaluations: probe.evaluations,
      warnings,
      inputs: names.map((k) => ({
        name: k,
        shape: [...inputs[k].shape],
        checked: opts.samples,
        maxAbsError,
        maxRelError,
        diagnosis: { kind: "match", message: "projections agree" },
      })),
      eps: opts.eps,
      atol: opts.atol,
      rtol: opts.rtol,
      seconds: (performance.now() - started) / 1000,
      title: opts.title,
    });
  }
  const located = runCheck(fn, call, gradient, inputs, { ...opts, mode: "full" });
  return new GradCheckReport({
    ...located,
    mode: "fast",
    evaluations: probe.evaluations + located.evaluations,
    seconds: (performance.now() - started) / 1000,
    located,
  });
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
  const call = single
    ? (i: Inputs) => scalarValue(f(i[key]), fn)
    : (i: Inputs) => scalarValue(f(i), fn);
  const gradient = single
    ? (i: Inputs) => {
      const g = grad(i[key]);
      if (!(g instanceof NDArray)) {
        throw new TypeError(`${fn}: grad must return an NDArray, got ${describe(g)}`);
      }
      return { [key]: g };
    }
    : (i: Inputs) => {
      const g = grad(i);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(inputs)) out[k] = pickGradient(g, k, fn, "grad");
      return out;
    };
  return runCheck(fn, call, gradient, inputs, opts);
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
  const probeGrads = op.backward(dout, first.cache);
  const wrt = options.wrt ??
    Object.keys(all).filter((k) => pickGradient(probeGrads, k, fn, "backward") !== undefined);
  if (wrt.length === 0) {
    throw new RangeError(
      `${fn}: backward returned no gradient for any input (inputs: ${Object.keys(all).join(", ")})`,
    );
  }
  for (const k of wrt) {
    if (!(k in all)) throw new RangeError(`${fn}: wrt names unknown input ${JSON.stringify(k)}`);
  }
  const call = (i: Inputs) => {
    const { out } = op.forward(i);
    if (!shapesEqual(out.shape, dout.shape)) {
      throw new RangeError(`${fn}: forward output shape changed to ${formatShape(out.shape)}`);
    }
    return out.dot(dout);
  };
  // Only the inputs in `wrt` are perturbed; the others are held fixed inside the closure.
  const fixed: Inputs = {};
  for (const k of Object.keys(all)) if (!wrt.includes(k)) fixed[k] = all[k];
  const checked: Inputs = {};
  for (const k of wrt) checked[k] = all[k];
  const pick = (g: Record<string, NDArray | undefined>) => {
    const out: Record<string, unknown> = {};
    for (const k of wrt) out[k] = pickGradient(g, k, fn, "backward");
    return out;
  };
  const gradient = (i: Inputs) => pick(op.backward(dout, op.forward({ ...fixed, ...i }).cache));
  // The backward pass already run on the first forward pass is the analytic gradient.
  return runCheck(
    fn,
    (i) => call({ ...fixed, ...i }),
    gradient,
    checked,
    { ...opts, title: opts.title ?? op.name },
    pick(probeGrads),
  );
}

/** Compares a numeric and an analytic matrix (Jacobian or Hessian) entry by entry. */
function compareMatrices(
  name: string,
  numeric: NDArray,
  analytic: NDArray,
  opts: Resolved,
  evaluations: number,
  started: number,
): GradCheckReport {
  const [m, n] = numeric.shape;
  const size = m * n;
  let layout: Layout = analytic.size === size ? "same" : "bad";
  if (analytic.size === size && analytic.ndim === 2 && analytic.shape[0] === n && m !== n) {
    layout = "transposed";
  }
  if (layout === "bad") {
    const diagnosis = shapeMismatch(name, numeric.shape, analytic.shape);
    return new GradCheckReport({
      ok: false,
      mode: "full",
      maxAbsError: Infinity,
      maxRelError: Infinity,
      worst: null,
      diagnosis,
      kinks: [],
      evaluations,
      warnings: [],
      inputs: [{
        name,
        shape: [m, n],
        checked: 0,
        maxAbsError: Infinity,
        maxRelError: Infinity,
        diagnosis,
      }],
      eps: opts.eps,
      atol: opts.atol,
      rtol: opts.rtol,
      seconds: (performance.now() - started) / 1000,
      title: opts.title,
    });
  }
  const a = new Float64Array(size), t = new Float64Array(size);
  const status = new Uint8Array(size);
  const indices: number[][] = [];
  let maxAbsError = 0, maxRelError = 0, worst: WorstEntry | null = null, worstScore = -1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const o = i * n + j;
      a[o] = layout === "same" ? analytic.data[o] : analytic.data[j * m + i];
      if (m === n) t[o] = analytic.data[j * n + i];
      indices.push([i, j]);
      const num = numeric.data[o];
      if (close(a[o], num, opts.atol, opts.rtol)) status[o] = EntryStatus.Ok;
      const err = Math.abs(a[o] - num), scale = Math.max(Math.abs(a[o]), Math.abs(num));
      maxAbsError = Math.max(maxAbsError, err);
      maxRelError = Math.max(maxRelError, err === 0 ? 0 : err / scale);
      const score = Number.isNaN(err) ? Infinity : err / (opts.atol + opts.rtol * scale);
      if (score > worstScore) {
        worstScore = score;
        worst = { input: name, index: [i, j], analytic: a[o], numeric: num };
      }
    }
  }
  let diagnosis = diagnose({
    name,
    shape: [m, n],
    indices,
    analytic: a,
    numeric: numeric.data,
    analyticTransposed: m === n ? t : undefined,
    status,
    atol: opts.atol,
    rtol: opts.rtol,
  });
  if (layout === "transposed" && diagnosis.kind === "match") {
    diagnosis = {
      kind: "transposed",
      message:
        `The analytic ${name} has shape ${formatShape(analytic.shape)}; read transposed it ` +
        `matches the numeric ${
          formatShape(numeric.shape)
        }: rows must index outputs, columns inputs.`,
    };
  }
  const ok = diagnosis.kind === "match";
  return new GradCheckReport({
    ok,
    mode: "full",
    maxAbsError,
    maxRelError,
    worst,
    diagnosis,
    kinks: [],
    evaluations,
    warnings: [],
    inputs: [{ name, shape: [m, n], checked: size, maxAbsError, maxRelError, diagnosis }],
    eps: opts.eps,
    atol: opts.atol,
    rtol: opts.rtol,
    seconds: (performance.now() - started) / 1000,
    title: opts.title,
  });
}

function countingWrapper<T>(f: (x: NDArray) => T): { f: (x: NDArray) => T; count: () => number } {
  let n = 0;
  return { f: (x) => (n++, f(x)), count: () => n };
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
  const fn = "checkJacobian";
  validateFunction(f, fn, "f");
  validateFunction(jacobian, fn, "jacobian");
  validateArray(x, fn);
  const opts = resolve(options, fn);
  const started = performance.now();
  const counted = countingWrapper(f);
  const numeric = numericJacobian(counted.f, x, { eps: opts.eps });
  const analytic = jacobian(x.clone());
  if (!(analytic instanceof NDArray)) {
    throw new TypeError(`${fn}: jacobian must return an NDArray, got ${describe(analytic)}`);
  }
  return compareMatrices("J", numeric, analytic, opts, counted.count(), started);
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
  const fn = "checkHessian";
  validateFunction(grad, fn, "grad");
  validateFunction(hessian, fn, "hessian");
  validateArray(x, fn);
  const opts = resolve(options, fn);
  const started = performance.now();
  const counted = countingWrapper(grad);
  const numeric = numericJacobian(counted.f, x, { eps: opts.eps });
  const analytic = hessian(x.clone());
  if (!(analytic instanceof NDArray)) {
    throw new TypeError(`${fn}: hessian must return an NDArray, got ${describe(analytic)}`);
  }
  const report = compareMatrices("H", numeric, analytic, opts, counted.count(), started);
  const n = x.size;
  const asym = (d: Float64Array) => {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        worst = Math.max(worst, Math.abs(d[i * n + j] - d[j * n + i]));
      }
    }
    return worst;
  };
  if (analytic.size === n * n) {
    report.asymmetry = { analytic: asym(analytic.data), numeric: asym(numeric.data) };
    let scale = 0;
    for (const v of analytic.data) scale = Math.max(scale, Math.abs(v));
    if (report.asymmetry.analytic > opts.atol + opts.rtol * scale) {
      report.warnings.push(
        `the analytic Hessian is not symmetric (max |Hᵢⱼ − Hⱼᵢ| = ${
          report.asymmetry.analytic.toExponential(2)
        }), but a Hessian of a twice continuously differentiable function must be`,
      );
    }
  }
  return report;
}
