/**
 * `NDArray`: a float64, row-major, shape-checked n-dimensional array with the small amount of
 * linear algebra the exercises need. Element-wise arithmetic broadcasts by NumPy's rules; every
 * operation returns a new array and never mutates its operands.
 *
 * @example
 * ```ts
 * import { array } from "./ndarray.ts";
 * const w = array([[1, 2], [3, 4]]);
 * const x = array([[1], [1]]);
 * const y = w.matmul(x).add(array([0.5, -0.5]).reshape([2, 1]));
 * if (String(y.toArray()) !== "3.5,6.5") throw new Error("Wx + b");
 * ```
 *
 * @module
 */

import { JUPYTER_DISPLAY } from "./view/display.ts";
import { DEFAULT_SEED, Random } from "./random.ts";
import { gemm } from "./kernels/gemm.ts";

/** Nested arrays of numbers, as written in code: `[[1, 2], [3, 4]]`. */
export type Nested = number | Nested[];

/** Tolerances for {@linkcode allClose}. */
export interface CloseOptions {
  /** Absolute tolerance. Default 1e-8. */
  atol?: number;
  /** Relative tolerance, against `|b|`. Default 1e-5. */
  rtol?: number;
}

/** Options of the random constructors. */
export interface RandomOptions {
  /** Seed of the generator. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
  /** A generator to draw from instead of a new one made from `seed`. */
  random?: Random;
}

/** Writes a shape the way error messages and tables show it: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function sizeOf(shape: readonly number[], fn: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${fn}: shape must hold non-negative integers, got ${formatShape(shape)}`,
      );
    }
    n *= d;
  }
  return n;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Shape of `a ⊙ b` under NumPy broadcasting, or a RangeError naming `fn` and both shapes. */
export function broadcastShapes(
  a: readonly number[],
  b: readonly number[],
  fn = "broadcast",
): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${fn}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * A float64 n-dimensional array, row-major.
 *
 * `shape` is read-only; `data` is the backing `Float64Array` (length = product of the shape).
 * Methods never modify `this`; writing into `data` directly is allowed for code that builds
 * arrays in place.
 */
export class NDArray {
  /** Length of each axis. */
  readonly shape: readonly number[];
  /** The entries in row-major order. */
  readonly data: Float64Array;

  /**
   * Wraps `data` (not copied) with the given shape.
   * @throws RangeError when `data.length` is not the product of `shape`
   */
  constructor(data: Float64Array, shape: readonly number[]) {
    const n = sizeOf(shape, "NDArray");
    if (!(data instanceof Float64Array)) {
      throw new TypeError("NDArray: data must be a Float64Array");
    }
    if (data.length !== n) {
      throw new RangeError(
        `NDArray: data has ${data.length} entries but shape ${formatShape(shape)} needs ${n}`,
      );
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /** Number of entries. */
  get size(): number {
    return this.data.length;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The single entry of a one-entry array (any shape) as a number. */
  item(): number {
    if (this.size !== 1) {
      throw new RangeError(
        `NDArray.item: array of shape ${formatShape(this.shape)} is not one entry`,
      );
    }
    return this.data[0];
  }

  /** Flat (row-major) offset of a multi-index, range-checked. */
  offset(index: readonly number[]): number {
    if (index.length !== this.ndim) {
      throw new RangeError(
        `NDArray.offset: index [${index}] has ${index.length} axes, shape ${
          formatShape(this.shape)
        } has ${this.ndim}`,
      );
    }
    let off = 0;
    for (let i = 0; i < index.length; i++) {
      const k = index[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.shape[i]) {
        throw new RangeError(
          `NDArray.offset: index [${index}] is out of range for shape ${formatShape(this.shape)}`,
        );
      }
      off = off * this.shape[i] + k;
    }
    return off;
  }

  /** Multi-index of a flat offset. */
  unravel(offset: number): number[] {
    const index = new Array<number>(this.ndim);
    for (let i = this.ndim - 1; i >= 0; i--) {
      index[i] = offset % this.shape[i];
      offset = Math.floor(offset / this.shape[i]);
    }
    return index;
  }

  /** The entry at a multi-index: `a.get(i, j)`. */
  get(...index: number[]): number {
    return this.data[this.offset(index)];
  }

  /** A copy with its own data. */
  clone(): NDArray {
    return new NDArray(this.data.slice(), this.shape);
  }

  /** The same entries under another shape of equal size (a view sharing `data`). */
  reshape(shape: readonly number[]): NDArray {
    const n = sizeOf(shape, "NDArray.reshape");
    if (n !== this.size) {
      throw new RangeError(
        `NDArray.reshape: cannot reshape ${formatShape(this.shape)} (${this.size} entries) to ${
          formatShape(shape)
        } (${n} entries)`,
      );
    }
    return new NDArray(this.data, shape);
  }

  /** The entries as a 1-D array (a view). */
  flatten(): NDArray {
    return new NDArray(this.data, [this.size]);
  }

  /** Applies `fn` to every entry. */
  map(fn: (value: number, offset: number) => number): NDArray {
    const out = new Float64Array(this.size);
    for (let i = 0; i < out.length; i++) out[i] = fn(this.data[i], i);
    return new NDArray(out, this.shape);
  }

  /** `this + b`, broadcasting. */
  add(b: NDArray | number): NDArray {
    return binary(this, b, (x, y) => x + y, "add");
  }

  /** `this − b`, broadcasting. */
  sub(b: NDArray | number): NDArray {
    return binary(this, b, (x, y) => x - y, "sub");
  }

  /** `this ⊙ b` (element-wise), broadcasting. */
  mul(b: NDArray | number): NDArray {
    return binary(this, b, (x, y) => x * y, "mul");
  }

  /** `this / b` (element-wise), broadcasting. */
  div(b: NDArray | number): NDArray {
    return binary(this, b, (x, y) => x / y, "div");
  }

  /** `−this`. */
  neg(): NDArray {
    return this.map((v) => -v);
  }

  /**
   * Matrix product. Shapes `[m, k]·[k, n] → [m, n]`; a 1-D operand is a vector as in NumPy
   * (`[m, k]·[k] → [m]`, `[k]·[k, n] → [n]`, `[k]·[k] → []`).
   */
  matmul(b: NDArray): NDArray {
    return matmul(this, b);
  }

  /** Dot product of two arrays of equal shape, `Σ aᵢ bᵢ`. */
  dot(b: NDArray): number {
    if (!sameShape(this.shape, b.shape)) {
      throw new RangeError(
        `NDArray.dot: shapes ${formatShape(this.shape)} and ${formatShape(b.shape)} differ`,
      );
    }
    let s = 0;
    for (let i = 0; i < this.size; i++) s += this.data[i] * b.data[i];
    return s;
  }

  /**
   * Permutes the axes; without `axes` reverses them (the matrix transpose for 2-D).
   */
  transpose(axes?: readonly number[]): NDArray {
    return transpose(this, axes);
  }

  /** Sum of all entries (shape `[]`) or along `axis`. */
  sum(axis?: number, options: { keepDims?: boolean } = {}): NDArray {
    return reduce(this, axis, options.keepDims ?? false, "sum");
  }

  /** Mean of all entries or along `axis`. */
  mean(axis?: number, options: { keepDims?: boolean } = {}): NDArray {
    return reduce(this, axis, options.keepDims ?? false, "mean");
  }

  /** Maximum of all entries or along `axis`. */
  max(axis?: number, options: { keepDims?: boolean } = {}): NDArray {
    return reduce(this, axis, options.keepDims ?? false, "max");
  }

  /** Minimum of all entries or along `axis`. */
  min(axis?: number, options: { keepDims?: boolean } = {}): NDArray {
    return reduce(this, axis, options.keepDims ?? false, "min");
  }

  /** Euclidean (Frobenius) norm of all entries. */
  norm(): number {
    let s = 0;
    for (let i = 0; i < this.size; i++) s += this.data[i] * this.data[i];
    return Math.sqrt(s);
  }

  /** True when every entry is finite (no NaN, no ±Infinity). */
  isFinite(): boolean {
    for (let i = 0; i < this.size; i++) if (!Number.isFinite(this.data[i])) return false;
    return true;
  }

  /** Nested plain arrays (a number for shape `[]`). */
  toArray(): Nested {
    if (this.ndim === 0) return this.data[0];
    const build = (axis: number, off: number): Nested[] => {
      const n = this.shape[axis];
      const out: Nested[] = new Array(n);
      if (axis === this.ndim - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[off + i];
      } else {
        const step = this.size === 0 ? 0 : this.data.length / sizeOfPrefix(this.shape, axis + 1);
        for (let i = 0; i < n; i++) out[i] = build(axis + 1, off + i * step);
      }
      return out;
    };
    return build(0, 0);
  }

  /** JSON form: `{ shape, data }` with data nested. */
  toJSON(): { shape: number[]; data: Nested } {
    return { shape: [...this.shape], data: this.toArray() };
  }

  /** A readable, aligned rendering with 4 significant digits. */
  toString(): string {
    return `NDArray ${formatShape(this.shape)}\n${formatNested(this)}`;
  }

  /** Rich display in Jupyter: an HTML table for 1-D and 2-D arrays. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    const text = this.toString();
    if (this.ndim > 2 || this.size > 400) return { "text/plain": text };
    const rows = this.ndim === 2 ? this.shape[0] : 1;
    const cols = this.ndim === 0 ? 1 : this.shape[this.ndim - 1];
    let html = `<table><caption>NDArray ${formatShape(this.shape)}</caption>`;
    for (let i = 0; i < rows; i++) {
      html += "<tr>";
      for (let j = 0; j < cols; j++) {
        html += `<td style="text-align:right">${formatNumber(this.data[i * cols + j])}</td>`;
      }
      html += "</tr>";
    }
    return { "text/plain": text, "text/html": html + "</table>" };
  }
}

function sizeOfPrefix(shape: readonly number[], from: number): number {
  let n = 1;
  for (let i = 0; i < from; i++) n *= shape[i];
  return n;
}

/** Formats a number with 4 significant digits, switching to exponent form outside [1e-3, 1e5). */
export function formatNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return Number(v.toPrecision(digits)).toExponential();
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

function formatNested(a: NDArray): string {
  if (a.ndim === 0) return formatNumber(a.data[0]);
  const cells = Array.from(a.data, (v) => formatNumber(v));
  const width = Math.max(1, ...cells.map((c) => c.length));
  const last = a.shape[a.ndim - 1];
  const lines: string[] = [];
  for (let off = 0; off < cells.length; off += last) {
    lines.push(cells.slice(off, off + last).map((c) => c.padStart(width)).join(" "));
  }
  if (a.ndim <= 2) return lines.join("\n");
  const block = a.shape[a.ndim - 2];
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += block) {
    out.push(`[${a.unravel(i * last).slice(0, -2).join(", ")}, :, :]`);
    out.push(...lines.slice(i, i + block));
  }
  return out.join("\n");
}

function binary(
  a: NDArray,
  b: NDArray | number,
  op: (x: number, y: number) => number,
  name: string,
): NDArray {
  const fn = `NDArray.${name}`;
  if (typeof b === "number") {
    const out = new Float64Array(a.size);
    for (let i = 0; i < out.length; i++) out[i] = op(a.data[i], b);
    return new NDArray(out, a.shape);
  }
  if (!(b instanceof NDArray)) throw new TypeError(`${fn}: operand must be an NDArray or number`);
  if (sameShape(a.shape, b.shape)) {
    const out = new Float64Array(a.size);
    for (let i = 0; i < out.length; i++) out[i] = op(a.data[i], b.data[i]);
    return new NDArray(out, a.shape);
  }
  const shape = broadcastShapes(a.shape, b.shape, fn);
  const n = shape.length;
  const outStrides = stridesOf(shape);
  const sa = broadcastStrides(a.shape, shape);
  const sb = broadcastStrides(b.shape, shape);
  const out = new Float64Array(sizeOf(shape, fn));
  for (let i = 0; i < out.length; i++) {
    let rem = i, ia = 0, ib = 0;
    for (let k = 0; k < n; k++) {
      const c = Math.floor(rem / outStrides[k]);
      rem -= c * outStrides[k];
      ia += c * sa[k];
      ib += c * sb[k];
    }
    out[i] = op(a.data[ia], b.data[ib]);
  }
  return new NDArray(out, shape);
}

function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 ? 0 : own[i];
  return out;
}

/** Options of {@linkcode matmul}: operands given transposed, as in tfjs's `matMul`. */
export interface MatmulOptions {
  /** Multiply by the transpose of `a` (2-D), without building it. Default false. */
  transposeA?: boolean;
  /** Multiply by the transpose of `b` (2-D), without building it. Default false. */
  transposeB?: boolean;
}

/**
 * Matrix product; see {@linkcode NDArray.matmul}. With `transposeA` / `transposeB` the product is
 * `aᵀ·b`, `a·bᵀ` or `aᵀ·bᵀ` (2-D operands), as backward passes need it.
 *
 * Runs in WebAssembly SIMD (`lib/kernels/gemm.ts`); each entry is the sum of its products in ascending
 * order, exactly as the plain triple loop computes it, with IEEE semantics (0·Inf is NaN).
 *
 * @example
 * ```ts
 * import { array, matmul } from "./ndarray.ts";
 * const x = array([[1, 2], [3, 4]]), g = array([[1, 0], [0, 1]]);
 * const xtg = matmul(x, g, { transposeA: true }); // xᵀ·g without building xᵀ
 * if (String(xtg.toArray()) !== "1,3,2,4") throw new Error("xᵀ");
 * ```
 */
export function matmul(a: NDArray, b: NDArray, options: MatmulOptions = {}): NDArray {
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new RangeError(
      `matmul: operands must be 1-D or 2-D, got ${formatShape(a.shape)} and ${
        formatShape(b.shape)
      }`,
    );
  }
  const transposeA = options.transposeA === true, transposeB = options.transposeB === true;
  if ((transposeA && a.ndim !== 2) || (transposeB && b.ndim !== 2)) {
    throw new RangeError(
      `matmul: transposeA/transposeB need a 2-D operand, got ${formatShape(a.shape)} and ${
        formatShape(b.shape)
      }`,
    );
  }
  const m = a.ndim === 2 ? a.shape[transposeA ? 1 : 0] : 1;
  const k = a.shape[transposeA ? 0 : a.ndim - 1];
  const kb = b.shape[transposeB ? 1 : 0];
  const n = b.ndim === 2 ? b.shape[transposeB ? 0 : 1] : 1;
  if (k !== kb) {
    const t = (x: NDArray, yes: boolean) => `${formatShape(x.shape)}${yes ? "ᵀ" : ""}`;
    throw new RangeError(
      `matmul: inner dimensions differ: ${t(a, transposeA)} · ${t(b, transposeB)}`,
    );
  }
  const out = gemm(a.data, b.data, m, k, n, { transposeA, transposeB });
  const shape = a.ndim === 2 ? (b.ndim === 2 ? [m, n] : [m]) : (b.ndim === 2 ? [n] : []);
  return new NDArray(out, shape);
}

/** Permutes axes; without `axes`, reverses them. */
export function transpose(a: NDArray, axes?: readonly number[]): NDArray {
  const nd = a.ndim;
  const perm = axes ? [...axes] : Array.from({ length: nd }, (_, i) => nd - 1 - i);
  const seen = new Set(perm);
  if (perm.length !== nd || seen.size !== nd || perm.some((p) => !(p >= 0 && p < nd))) {
    throw new RangeError(
      `transpose: axes [${perm}] are not a permutation of the ${nd} axes of ${
        formatShape(a.shape)
      }`,
    );
  }
  const shape = perm.map((p) => a.shape[p]);
  const out = new Float64Array(a.size);
  if (nd === 2 && perm[0] === 1) {
    const [r, c] = a.shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a.data[i * c + j];
    return new NDArray(out, shape);
  }
  const inStrides = stridesOf(a.shape);
  const outStrides = stridesOf(shape);
  for (let i = 0; i < out.length; i++) {
    let rem = i, src = 0;
    for (let k = 0; k < nd; k++) {
      const c = Math.floor(rem / outStrides[k]);
      rem -= c * outStrides[k];
      src += c * inStrides[perm[k]];
    }
    out[i] = a.data[src];
  }
  return new NDArray(out, shape);
}

type Reduction = "sum" | "mean" | "max" | "min";

function reduce(a: NDArray, axis: number | undefined, keepDims: boolean, kind: Reduction): NDArray {
  const fn = `NDArray.${kind}`;
  if ((kind === "max" || kind === "min") && a.size === 0) {
    throw new RangeError(`${fn}: empty array of shape ${formatShape(a.shape)} has no ${kind}`);
  }
  if (axis === undefined) {
    let acc = kind === "max" ? -Infinity : kind === "min" ? Infinity : 0;
    for (let i = 0; i < a.size; i++) acc = combine(kind, acc, a.data[i]);
    if (kind === "mean") acc /= a.size;
    return new NDArray(Float64Array.of(acc), keepDims ? a.shape.map(() => 1) : []);
  }
  const ax = axis < 0 ? axis + a.ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= a.ndim) {
    throw new RangeError(`${fn}: axis ${axis} is out of range for shape ${formatShape(a.shape)}`);
  }
  const outer = sizeOfPrefix(a.shape, ax);
  const len = a.shape[ax];
  const inner = a.size / Math.max(1, outer * len) || 0;
  const out = new Float64Array(outer * inner);
  const init = kind === "max" ? -Infinity : kind === "min" ? Infinity : 0;
  out.fill(init);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < len; k++) {
      const base = (o * len + k) * inner;
      for (let i = 0; i < inner; i++) {
        out[o * inner + i] = combine(kind, out[o * inner + i], a.data[base + i]);
      }
    }
  }
  if (kind === "mean") { for (let i = 0; i < out.length; i++) out[i] /= len; }
  const shape = keepDims
    ? a.shape.map((d, i) => (i === ax ? 1 : d))
    : a.shape.filter((_, i) => i !== ax);
  return new NDArray(out, shape);
}

function combine(kind: Reduction, acc: number, v: number): number {
  if (kind === "max") return v > acc || Number.isNaN(v) ? v : acc;
  if (kind === "min") return v < acc || Number.isNaN(v) ? v : acc;
  return acc + v;
}

/**
 * Builds an NDArray from nested number arrays (or a single number, shape `[]`).
 * @throws RangeError for ragged nesting; TypeError for non-numbers
 */
export function array(nested: Nested | NDArray): NDArray {
  if (nested instanceof NDArray) return nested.clone();
  const shape: number[] = [];
  let probe: Nested = nested;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const data = new Float64Array(sizeOf(shape, "array"));
  let k = 0;
  const walk = (v: Nested, depth: number, path: number[]) => {
    if (depth === shape.length) {
      if (typeof v !== "number") {
        throw new TypeError(`array: entry at [${path}] is ${typeof v}, expected a number`);
      }
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new RangeError(
        `array: ragged nesting at [${path}]: expected ${shape[depth]} entries to match shape ${
          formatShape(shape)
        }`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, [...path, i]);
  };
  walk(nested, 0, []);
  return new NDArray(data, shape);
}

/** An array of zeros. */
export function zeros(shape: readonly number[]): NDArray {
  return new NDArray(new Float64Array(sizeOf(shape, "zeros")), shape);
}

/** An array of ones. */
export function ones(shape: readonly number[]): NDArray {
  return full(shape, 1);
}

/** An array with every entry equal to `value`. */
export function full(shape: readonly number[], value: number): NDArray {
  return new NDArray(new Float64Array(sizeOf(shape, "full")).fill(value), shape);
}

/** The `n × n` identity matrix. */
export function eye(n: number): NDArray {
  const a = zeros([n, n]);
  for (let i = 0; i < n; i++) a.data[i * n + i] = 1;
  return a;
}

/** `n` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, n: number): NDArray {
  const out = new Float64Array(sizeOf([n], "linspace"));
  for (let i = 0; i < n; i++) out[i] = n === 1 ? start : start + ((stop - start) * i) / (n - 1);
  return new NDArray(out, [n]);
}

/** Standard-normal entries, seeded (options: `seed`, `random`, `mean` 0, `std` 1). */
export function randn(
  shape: readonly number[],
  options: RandomOptions & { mean?: number; std?: number } = {},
): NDArray {
  const rng = options.random ?? new Random(options.seed ?? DEFAULT_SEED);
  const a = zeros(shape);
  rng.fillNormal(a.data, options.mean ?? 0, options.std ?? 1);
  return a;
}

/** Uniform entries on [low, high), seeded (options: `seed`, `random`, `low` 0, `high` 1). */
export function rand(
  shape: readonly number[],
  options: RandomOptions & { low?: number; high?: number } = {},
): NDArray {
  const rng = options.random ?? new Random(options.seed ?? DEFAULT_SEED);
  const a = zeros(shape);
  rng.fillUniform(a.data, options.low ?? 0, options.high ?? 1);
  return a;
}

/**
 * True when `a` and `b` have the same shape and `|aᵢ − bᵢ| ≤ atol + rtol·|bᵢ|` for every entry
 * (NumPy's rule; NaN never equals anything).
 */
export function allClose(a: NDArray, b: NDArray, options: CloseOptions = {}): boolean {
  const atol = options.atol ?? 1e-8;
  const rtol = options.rtol ?? 1e-5;
  if (!sameShape(a.shape, b.shape)) return false;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i], y = b.data[i];
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
  }
  return true;
}

/** True when the two shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return sameShape(a, b);
}
