/**
 * The softmax family: softmax with temperature, log-softmax, the softmax Jacobian
 * `diag(s) − s sᵀ`, cross-entropy from logits (class indices, one-hot or soft targets), binary
 * cross-entropy from logits, and the Hessian of cross-entropy w.r.t. the logits.
 *
 * Every function works along the last axis: `x` is `[C]` (one example) or `[N, C]` (a batch as
 * rows; more leading axes are treated as more rows). Each row is shifted by its maximum before
 * exponentiating — the shift invariance softmax(x + c) = softmax(x) of sheet 001 Q1.H and sheet
 * 003 — so logits of ±1e3 or ±1e300 give finite, correct results. Non-finite logits are refused
 * with a RangeError.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { crossEntropy, softmax } from "./softmax.ts";
 * const s = softmax(array([1000, 1000]));
 * if (String(s.toArray()) !== "0.5,0.5") throw new Error("stable");
 * const l = crossEntropy(array([[0, 0]]), [1]);
 * if (Math.abs(l - Math.LN2) > 1e-15) throw new Error("CE = log 2");
 * ```
 *
 * @module
 */

import { formatShape, NDArray, shapesEqual } from "../ndarray.ts";
import { sigmoidScalar } from "./activations.ts";
import { requireArray, requireNumber, requireShape } from "./validate.ts";

/** Default softmax temperature T (softmax(x / T)). */
export const SOFTMAX_TEMPERATURE = 1;

/** How a batch of per-example losses becomes the output. */
export type Reduction = "mean" | "sum" | "none";

/** Default reduction of the losses here: the mean over examples (as tfjs and PyTorch). */
export const DEFAULT_REDUCTION: Reduction = "mean";

/** Class labels: integers in [0, C), one per row. */
export type ClassLabels = readonly number[] | Int32Array | NDArray;

/** Options of {@linkcode softmax} and {@linkcode logSoftmax}. */
export interface SoftmaxOptions {
  /** Temperature T > 0: the map is softmax(x / T). Default 1. */
  temperature?: number;
}

/** Cache of {@linkcode softmaxForward}. */
export interface SoftmaxCache {
  /** The output s = softmax(x / T), same shape as x. */
  out: NDArray;
  /** The temperature used. */
  temperature: number;
}

/** Cache of {@linkcode logSoftmaxForward}. */
export interface LogSoftmaxCache {
  /** softmax(x / T), same shape as x (the backward pass needs the probabilities). */
  probs: NDArray;
  /** The temperature used. */
  temperature: number;
}

/** Rows and classes of an array read along its last axis. */
interface Rows {
  rows: number;
  classes: number;
}

function rowsOf(value: unknown, fn: string, name = "x"): Rows {
  const x = requireArray(value, fn, name);
  if (x.ndim === 0 || x.size === 0) {
    throw new RangeError(
      `${fn}: ${name} must have at least one class along its last axis, got shape ${
        formatShape(x.shape)
      }`,
    );
  }
  for (let i = 0; i < x.size; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new RangeError(
        `${fn}: ${name} of shape ${formatShape(x.shape)} holds ${x.data[i]} at [${
          x.unravel(i)
        }]; logits must be finite`,
      );
    }
  }
  const classes = x.shape[x.ndim - 1];
  return { rows: x.size / classes, classes };
}

function temperatureOf(options: SoftmaxOptions, fn: string): number {
  const t = options.temperature ?? SOFTMAX_TEMPERATURE;
  return requireNumber(t, fn, "options.temperature", { positive: true });
}

/**
 * Writes log-softmax of row `r` of `x / t` into `logp` and softmax into `p` (either may be null).
 * Uses `(x − max)/t`, so the largest entry maps to exactly 0 and nothing overflows.
 */
function rowLogSoftmax(
  x: Float64Array,
  r: number,
  c: number,
  t: number,
  logp: Float64Array | null,
  p: Float64Array | null,
): void {
  const o = r * c;
  let m = -Infinity;
  for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
  // One exp per entry: the shifted exponentials give both z and, scaled by 1/z, p.
  let z = 0;
  for (let j = 0; j < c; j++) {
    const e = Math.exp((x[o + j] - m) / t);
    if (p) p[o + j] = e;
    z += e;
  }
  const logZ = Math.log(z), inv = 1 / z;
  for (let j = 0; j < c; j++) {
    if (logp) logp[o + j] = (x[o + j] - m) / t - logZ;
    if (p) p[o + j] *= inv;
  }
}

/**
 * `softmax(x / T)` along the last axis: `sᵢ = exp(xᵢ/T) / Σⱼ exp(xⱼ/T)`. Shapes `[C]` or
 * `[N, C]`. T → 0 tends to the one-hot of the argmax, T → ∞ to the uniform distribution
 * (sheet 001 Q1.I: softmax is not invariant to scaling x). Matches `tf.softmax(x.div(T))`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { softmax } from "./softmax.ts";
 * const s = softmax(array([[0, Math.log(3)]]));
 * if (Math.abs(s.get(0, 1) - 0.75) > 1e-15) throw new Error("3 / (1 + 3)");
 * ```
 */
export function softmax(x: NDArray, options: SoftmaxOptions = {}): NDArray {
  const { rows, classes } = rowsOf(x, "softmax");
  const t = temperatureOf(options, "softmax");
  const p = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) rowLogSoftmax(x.data, r, classes, t, null, p);
  return new NDArray(p, x.shape);
}

/** Forward pass of {@linkcode softmax}: `{ out: s, cache: { out: s, temperature } }`. */
export function softmaxForward(
  x: NDArray,
  options: SoftmaxOptions = {},
): { out: NDArray; cache: SoftmaxCache } {
  const out = softmax(x, options);
  return { out, cache: { out, temperature: temperatureOf(options, "softmaxForward") } };
}

/**
 * Backward pass of {@linkcode softmax} (the VJP with J = (diag(s) − s sᵀ)/T, row by row):
 * `dx = s ⊙ (dout − ⟨dout, s⟩) / T`, shapes `[N, C]`.
 */
export function softmaxBackward(dout: NDArray, cache: SoftmaxCache): { dx: NDArray } {
  const s = cache.out;
  requireShape(dout, s.shape, "softmaxBackward", "dout", "the softmax output");
  const c = s.shape[s.ndim - 1], rows = s.size / c, t = cache.temperature;
  const dx = new Float64Array(s.size);
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    let dot = 0;
    for (let j = 0; j < c; j++) dot += dout.data[o + j] * s.data[o + j];
    for (let j = 0; j < c; j++) dx[o + j] = (s.data[o + j] * (dout.data[o + j] - dot)) / t;
  }
  return { dx: new NDArray(dx, s.shape) };
}

/**
 * The full softmax Jacobian of one example `x` `[C]`: `J = (diag(s) − s sᵀ)/T` `[C, C]`,
 * `Jᵢⱼ = sᵢ(δᵢⱼ − sⱼ)/T` (sheet 001 Q1.J–K, sheet 004 Q3.a). Symmetric, rows sum to 0.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { softmaxJacobian } from "./softmax.ts";
 * const j = softmaxJacobian(array([0, 0]));
 * if (String(j.toArray()) !== "0.25,-0.25,-0.25,0.25") throw new Error("diag(s) − s sᵀ");
 * ```
 */
export function softmaxJacobian(x: NDArray, options: SoftmaxOptions = {}): NDArray {
  const fn = "softmaxJacobian";
  if (x instanceof NDArray && x.ndim !== 1) {
    throw new RangeError(`${fn}: x must be one example of shape [C], got ${formatShape(x.shape)}`);
  }
  const s = softmax(x, options).data;
  const t = temperatureOf(options, fn);
  const c = s.length;
  const out = new Float64Array(c * c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j < c; j++) out[i * c + j] = (s[i] * ((i === j ? 1 : 0) - s[j])) / t;
  }
  return new NDArray(out, [c, c]);
}

/**
 * `log softmax(x / T)` along the last axis: `(xᵢ − m)/T − log Σⱼ exp((xⱼ − m)/T)` with
 * m = max x, finite for any finite logits. Matches `tf.logSoftmax(x.div(T))`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { logSoftmax } from "./softmax.ts";
 * const l = logSoftmax(array([0, -1e300]));
 * if (l.data[0] !== 0 || l.data[1] !== -1e300) throw new Error("finite log-probabilities");
 * ```
 */
export function logSoftmax(x: NDArray, options: SoftmaxOptions = {}): NDArray {
  const { rows, classes } = rowsOf(x, "logSoftmax");
  const t = temperatureOf(options, "logSoftmax");
  const l = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) rowLogSoftmax(x.data, r, classes, t, l, null);
  return new NDArray(l, x.shape);
}

/** Forward pass of {@linkcode logSoftmax}. */
export function logSoftmaxForward(
  x: NDArray,
  options: SoftmaxOptions = {},
): { out: NDArray; cache: LogSoftmaxCache } {
  const { rows, classes } = rowsOf(x, "logSoftmaxForward");
  const t = temperatureOf(options, "logSoftmaxForward");
  const l = new Float64Array(x.size), p = new Float64Array(x.size);
  for (let r = 0; r < rows; r++) rowLogSoftmax(x.data, r, classes, t, l, p);
  return {
    out: new NDArray(l, x.shape),
    cache: { probs: new NDArray(p, x.shape), temperature: t },
  };
}

/**
 * Backward pass of {@linkcode logSoftmax} (sheet 001 Q1.L–M): the Jacobian is `(I − 𝟏sᵀ)/T`,
 * so `dx = (dout − s·Σⱼ doutⱼ) / T` row by row.
 */
export function logSoftmaxBackward(dout: NDArray, cache: LogSoftmaxCache): { dx: NDArray } {
  const s = cache.probs;
  requireShape(dout, s.shape, "logSoftmaxBackward", "dout", "the log-softmax output");
  const c = s.shape[s.ndim - 1], rows = s.size / c, t = cache.temperature;
  const dx = new Float64Array(s.size);
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    let sum = 0;
    for (let j = 0; j < c; j++) sum += dout.data[o + j];
    for (let j = 0; j < c; j++) dx[o + j] = (dout.data[o + j] - s.data[o + j] * sum) / t;
  }
  return { dx: new NDArray(dx, s.shape) };
}

/**
 * Reads class labels for `rows` examples of `classes` classes, refusing anything that is not an
 * integer in [0, classes) with a RangeError naming `fn`, the argument, the value and the shape.
 */
export function classIndices(
  labels: ClassLabels,
  rows: number,
  classes: number,
  fn: string,
  name = "target",
): Int32Array {
  let values: ArrayLike<number>;
  if (labels instanceof NDArray) {
    if (labels.ndim > 1) {
      throw new RangeError(
        `${fn}: ${name} class indices must be 1-D, got shape ${formatShape(labels.shape)}`,
      );
    }
    values = labels.data;
  } else if (Array.isArray(labels) || labels instanceof Int32Array) {
    values = labels;
  } else {
    throw new TypeError(`${fn}: ${name} must be class indices (number[], Int32Array or NDArray)`);
  }
  if (values.length !== rows) {
    throw new RangeError(
      `${fn}: ${name} holds ${values.length} class indices but the logits have ${rows} rows`,
    );
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(
        `${fn}: ${name}[${i}] = ${v} is not a class index in [0, ${classes}) for logits of ${rows}x${classes}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Options of {@linkcode crossEntropy}. */
export interface CrossEntropyOptions {
  /** `mean` over rows (default), `sum`, or `none` (one loss per row, shape `[N]`). */
  reduction?: Reduction;
}

/** Cache of {@linkcode crossEntropyForward}. */
export interface CrossEntropyCache {
  /** softmax of the logits, `[N, C]`. */
  probs: NDArray;
  /** Soft targets `[N, C]` (class indices are expanded to one-hot). */
  targets: Float64Array;
  /** The reduction used. */
  reduction: Reduction;
  /** Shape of the loss output (`[]` or `[N]`). */
  outShape: number[];
}

function reductionOf(r: unknown, fn: string): Reduction {
  const v = r ?? DEFAULT_REDUCTION;
  if (v !== "mean" && v !== "sum" && v !== "none") {
    throw new RangeError(
      `${fn}: options.reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`,
    );
  }
  return v;
}

/** Expands class labels or checks soft targets; returns `[N·C]` target weights. */
function targetsOf(
  logits: NDArray,
  target: ClassLabels,
  rows: number,
  classes: number,
  fn: string,
): Float64Array {
  const t = new Float64Array(rows * classes);
  const soft = target instanceof NDArray &&
    (shapesEqual(target.shape, logits.shape) || (target.ndim === logits.ndim && logits.ndim > 1));
  if (soft) {
    if (!shapesEqual(target.shape, logits.shape)) {
      throw new RangeError(
        `${fn}: target has shape ${formatShape(target.shape)} but the logits have shape ${
          formatShape(logits.shape)
        }`,
      );
    }
    for (let i = 0; i < t.length; i++) {
      const v = target.data[i];
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new RangeError(
          `${fn}: target[${target.unravel(i)}] = ${v}; soft targets must be finite and ≥ 0`,
        );
      }
      t[i] = v;
    }
    return t;
  }
  const idx = classIndices(target, rows, classes, fn);
  for (let r = 0; r < rows; r++) t[r * classes + idx[r]] = 1;
  return t;
}

/**
 * Forward pass of cross-entropy from logits: per row `ℓ = −Σⱼ tⱼ log softmax(x)ⱼ`, with
 * `t` one-hot of a class index (`target` a `number[]`/`Int32Array`/1-D NDArray of length N) or a
 * soft/one-hot target array of the logits' shape `[N, C]`. Entries with `tⱼ = 0` contribute 0
 * even where log softmax underflows to −∞ (0·log 0 = 0). Reduction `mean` (default), `sum` or
 * `none`. Rule: an NDArray target of the logits' shape is a soft target; anything else is read
 * as class indices (so for one example `[C]`, pass `[k]` for class k). Matches `tf.losses.softmaxCrossEntropy(onehot, x)`
 * (tfjs's default reduction is also the mean).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { crossEntropyBackward, crossEntropyForward } from "./softmax.ts";
 * const { out, cache } = crossEntropyForward(array([[0, 0, 0]]), [2]);
 * if (Math.abs(out.item() - Math.log(3)) > 1e-15) throw new Error("log 3");
 * const { dx } = crossEntropyBackward(array(1), cache);
 * if (Math.abs(dx.get(0, 2) + 2 / 3) > 1e-15) throw new Error("s − y");
 * ```
 */
export function crossEntropyForward(
  x: NDArray,
  target: ClassLabels,
  options: CrossEntropyOptions = {},
): { out: NDArray; cache: CrossEntropyCache } {
  const fn = "crossEntropy";
  const { rows, classes } = rowsOf(x, fn, "logits");
  const reduction = reductionOf(options.reduction, fn);
  const t = targetsOf(x, target, rows, classes, fn);
  const logp = new Float64Array(x.size), p = new Float64Array(x.size);
  const losses = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    rowLogSoftmax(x.data, r, classes, 1, logp, p);
    let l = 0;
    for (let j = 0; j < classes; j++) {
      const w = t[r * classes + j];
      if (w !== 0) l -= w * logp[r * classes + j];
    }
    losses[r] = l;
  }
  const outShape = reduction === "none" ? (x.ndim === 1 ? [] : [rows]) : [];
  const out = reduceLosses(losses, reduction, outShape);
  const probs = new NDArray(p, x.shape);
  return { out, cache: { probs, targets: t, reduction, outShape } };
}

function reduceLosses(losses: Float64Array, reduction: Reduction, shape: number[]): NDArray {
  if (reduction === "none") return new NDArray(losses, shape);
  let s = 0;
  for (const l of losses) s += l;
  return new NDArray(Float64Array.of(reduction === "mean" ? s / losses.length : s), []);
}

/** Upstream gradient for row `r`: dout itself (`none`) or the scalar times 1/N for `mean`. */
function rowScale(dout: NDArray, reduction: Reduction, rows: number, r: number): number {
  if (reduction === "none") return dout.data[r];
  return reduction === "mean" ? dout.data[0] / rows : dout.data[0];
}

function requireDout(dout: NDArray, shape: number[], fn: string): void {
  requireArray(dout, fn, "dout");
  if (dout.size !== shape.reduce((a, b) => a * b, 1)) {
    throw new RangeError(
      `${fn}: dout has shape ${formatShape(dout.shape)} but the loss has shape ${
        formatShape(shape)
      }`,
    );
  }
}

/**
 * Backward pass of {@linkcode crossEntropyForward} w.r.t. the logits: per row
 * `dx = dout · (s·Σⱼ tⱼ − t)`, i.e. `s − y` for a one-hot y (sheet 003, sheet 004 Q3.b and
 * Q7.a), times 1/N for the `mean` reduction. The targets get no gradient.
 */
export function crossEntropyBackward(dout: NDArray, cache: CrossEntropyCache): { dx: NDArray } {
  requireDout(dout, cache.outShape, "crossEntropyBackward");
  const s = cache.probs, t = cache.targets;
  const c = s.shape[s.ndim - 1], rows = s.size / c;
  const dx = new Float64Array(s.size);
  for (let r = 0; r < rows; r++) {
    const g = rowScale(dout, cache.reduction, rows, r);
    let mass = 0;
    for (let j = 0; j < c; j++) mass += t[r * c + j];
    for (let j = 0; j < c; j++) {
      const k = r * c + j;
      dx[k] = g * (s.data[k] * mass - t[k]);
    }
  }
  return { dx: new NDArray(dx, s.shape) };
}

/**
 * Cross-entropy from logits as a number (or per-row losses for `reduction: "none"`, then an
 * NDArray); see {@linkcode crossEntropyForward}.
 */
export function crossEntropy(
  x: NDArray,
  target: ClassLabels,
  options?: { reduction?: "mean" | "sum" },
): number;
/** Per-row cross-entropy losses `[N]` (`reduction: "none"`). */
export function crossEntropy(
  x: NDArray,
  target: ClassLabels,
  options: { reduction: "none" },
): NDArray;
export function crossEntropy(
  x: NDArray,
  target: ClassLabels,
  options: CrossEntropyOptions = {},
): number | NDArray {
  const { out } = crossEntropyForward(x, target, options);
  return options.reduction === "none" ? out : out.item();
}

/**
 * Hessian of cross-entropy w.r.t. the logits of one example `x` `[C]` (sheet 004 Q7.b):
 * `H = m·(diag(s) − s sᵀ)` with `m = Σⱼ tⱼ` (m = 1 for a class index or a distribution).
 * It does not depend on which class is the target, is symmetric positive semi-definite
 * (vᵀHv = m·Var_s(v) ≥ 0) and has 𝟏 in its null space. `target` as in
 * {@linkcode crossEntropyForward}; default a distribution (m = 1).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { crossEntropyHessian } from "./softmax.ts";
 * const h = crossEntropyHessian(array([0, 0]));
 * if (String(h.toArray()) !== "0.25,-0.25,-0.25,0.25") throw new Error("diag(s) − s sᵀ");
 * ```
 */
export function crossEntropyHessian(x: NDArray, options: { target?: ClassLabels } = {}): NDArray {
  const fn = "crossEntropyHessian";
  if (x instanceof NDArray && x.ndim !== 1) {
    throw new RangeError(`${fn}: x must be one example of shape [C], got ${formatShape(x.shape)}`);
  }
  const { classes } = rowsOf(x, fn, "x");
  let mass = 1;
  if (options.target !== undefined) {
    const t = targetsOf(x, options.target, 1, classes, fn);
    mass = t.reduce((a, b) => a + b, 0);
  }
  const h = softmaxJacobian(x);
  for (let i = 0; i < h.size; i++) h.data[i] *= mass;
  return h;
}

/** Options of {@linkcode binaryCrossEntropyForward}. */
export interface BinaryCrossEntropyOptions {
  /** `mean` over all entries (default), `sum`, or `none` (same shape as x). */
  reduction?: Reduction;
}

/** Cache of {@linkcode binaryCrossEntropyForward}. */
export interface BinaryCrossEntropyCache {
  /** The logits. */
  x: NDArray;
  /** The targets in [0, 1], same shape. */
  target: NDArray;
  /** The reduction used. */
  reduction: Reduction;
}

/**
 * Forward pass of binary cross-entropy from logits, entry by entry:
 * `ℓ = −t log σ(x) − (1 − t) log(1 − σ(x)) = softplus(x) − t·x`, computed as
 * `max(x, 0) − t·x + log1p(e^{−|x|})` — finite for any finite logit (sheet 004 Q1). `x` and
 * `target` have the same shape (any); targets lie in [0, 1]. Matches
 * `tf.losses.sigmoidCrossEntropy(target, x)` (mean by default in both).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { binaryCrossEntropyForward } from "./softmax.ts";
 * const { out } = binaryCrossEntropyForward(array([-1000]), array([1]));
 * if (out.item() !== 1000) throw new Error("−log σ(−1000) = 1000");
 * ```
 */
export function binaryCrossEntropyForward(
  x: NDArray,
  target: NDArray,
  options: BinaryCrossEntropyOptions = {},
): { out: NDArray; cache: BinaryCrossEntropyCache } {
  const fn = "binaryCrossEntropy";
  rowsOf(x, fn, "logits");
  if (!(target instanceof NDArray)) throw new TypeError(`${fn}: target must be an NDArray`);
  requireShape(target, x.shape, fn, "target", "logits x");
  const reduction = reductionOf(options.reduction, fn);
  const losses = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    const z = x.data[i], t = target.data[i];
    if (!(t >= 0 && t <= 1)) {
      throw new RangeError(`${fn}: target[${target.unravel(i)}] = ${t} is not in [0, 1]`);
    }
    losses[i] = Math.max(z, 0) - t * z + Math.log1p(Math.exp(-Math.abs(z)));
  }
  const out = reduction === "none"
    ? new NDArray(losses, x.shape)
    : reduceLosses(losses, reduction, []);
  return { out, cache: { x, target, reduction } };
}

/**
 * Backward pass of {@linkcode binaryCrossEntropyForward}: `dx = dout·(σ(x) − t)` (÷ size for
 * `mean`); `dtarget = −dout·x` (the loss is linear in t).
 */
export function binaryCrossEntropyBackward(
  dout: NDArray,
  cache: BinaryCrossEntropyCache,
): { dx: NDArray; dtarget: NDArray } {
  const { x, target, reduction } = cache;
  requireDout(dout, reduction === "none" ? [...x.shape] : [], "binaryCrossEntropyBackward");
  const n = x.size;
  const dx = new Float64Array(n), dt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = rowScale(dout, reduction, n, i);
    dx[i] = g * (sigmoidScalar(x.data[i]) - target.data[i]);
    dt[i] = -g * x.data[i];
  }
  return { dx: new NDArray(dx, x.shape), dtarget: new NDArray(dt, x.shape) };
}

/** Binary cross-entropy from logits as a number (mean or sum); see the forward pass. */
export function binaryCrossEntropy(
  x: NDArray,
  target: NDArray,
  options: { reduction?: "mean" | "sum" } = {},
): number {
  return binaryCrossEntropyForward(x, target, options).out.item();
}
