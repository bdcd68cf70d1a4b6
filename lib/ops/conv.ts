/**
 * Convolution: 1-D signals with the modes `valid`, `full` and `same` (sheet 001 Q3.c), and the 2-D
 * convolution layer on NCHW batches with stride, zero padding and dilation (sheet 001 Q3.a–b,
 * sheet 000 §5), each with its hand-derived backward pass; the output-size formula and parameter
 * counts as plain functions.
 *
 * Two operations share the name "convolution" and this module keeps them apart by name:
 *
 * - **correlation** (what deep-learning libraries call convolution, `tf.conv2d`, PyTorch
 *   `Conv2d`): `out[i] = Σⱼ x[i + j]·w[j]`, the kernel slides unflipped;
 * - **convolution** in the signal-processing sense (`np.convolve`): `out[i] = Σⱼ x[i − j]·w[j]`,
 *   which is correlation with the flipped kernel `w[k − 1 − j]`.
 *
 * Every function takes `kind: "correlation" | "convolution"`. The 1-D functions default to
 * `"convolution"` (the signal-processing exercise of sheet 001 Q3.c writes `x * w`); the 2-D layer
 * defaults to `"correlation"` (the layer every library implements). For a symmetric kernel, such
 * as the sheet's `[1/4, 1/4, 1/4]`, the two agree.
 *
 * @module
 */

import { formatShape, NDArray } from "../ndarray.ts";
import { requireArray, requireInteger } from "./validate.ts";

/** Which of the two sliding products: unflipped kernel (`correlation`) or flipped (`convolution`). */
export type ConvKind = "correlation" | "convolution";

/**
 * Output length of a 1-D convolution of `n` samples with `k` taps:
 * `valid` n − k + 1 (only full overlaps), `full` n + k − 1 (every partial overlap, zero padded),
 * `same` n (the centre of `full`, as `scipy.signal.convolve(..., "same")`).
 */
export type Conv1dMode = "valid" | "full" | "same";

/** A size per spatial axis: one number for both, or `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of {@linkcode convOutputSize}. */
export interface ConvGeometryOptions {
  /** Step between windows, s ≥ 1. Default 1. */
  stride?: number;
  /** Zeros added on each side, p ≥ 0. Default 0. */
  padding?: number;
  /** Spacing between kernel taps, d ≥ 1 (1 = dense kernel). Default 1. */
  dilation?: number;
}

/**
 * Output length of a convolution or pooling window along one axis,
 * `⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1` (sheet 001 Q3.a): the number of positions at which a kernel
 * of `k` taps spaced `d` apart fits inside the input of length `n` padded with `p` zeros per side,
 * moving `s` at a time.
 *
 * @param n input length (n ≥ 1)
 * @param k kernel length (k ≥ 1)
 * @throws RangeError when the dilated kernel `d(k − 1) + 1` is longer than the padded input
 *   `n + 2p` (no window fits), or for non-integer or out-of-range arguments
 *
 * @example
 * ```ts
 * import { convOutputSize } from "./conv.ts";
 * // sheet 001 Q3.a: 128 pixels, 8x8 kernel, stride 2, padding 3 → 64
 * if (convOutputSize(128, 8, { stride: 2, padding: 3 }) !== 64) throw new Error("64");
 * ```
 */
export function convOutputSize(n: number, k: number, options: ConvGeometryOptions = {}): number {
  const fn = "convOutputSize";
  requireInteger(n, fn, "n", 1);
  requireInteger(k, fn, "k", 1);
  const s = requireInteger(options.stride ?? 1, fn, "stride", 1);
  const p = requireInteger(options.padding ?? 0, fn, "padding", 0);
  const d = requireInteger(options.dilation ?? 1, fn, "dilation", 1);
  const span = d * (k - 1) + 1;
  if (span > n + 2 * p) {
    throw new RangeError(
      `${fn}: the kernel spans ${span} (k = ${k}, dilation ${d}) but the padded input has ` +
        `${n + 2 * p} (n = ${n}, padding ${p}): no window fits`,
    );
  }
  return Math.floor((n + 2 * p - span) / s) + 1;
}

/**
 * Number of trainable parameters of a 2-D convolution layer with weights `[F, C, KH, KW]`:
 * `F·C·KH·KW` weights plus `F` biases (sheet 001 Q3.b counts only the weights:
 * 3·3·32·64 = 18432; with biases it is 18496).
 *
 * @param wShape `[F, C, KH, KW]` (out channels, in channels, kernel height, kernel width)
 * @param options `bias` (default true): count one bias per output channel
 *
 * @example
 * ```ts
 * import { conv2dParameterCount } from "./conv.ts";
 * if (conv2dParameterCount([64, 32, 3, 3], { bias: false }) !== 18432) throw new Error("Q3.b");
 * if (conv2dParameterCount([64, 32, 3, 3]) !== 18496) throw new Error("with bias");
 * ```
 */
export function conv2dParameterCount(
  wShape: readonly number[],
  options: { bias?: boolean } = {},
): number {
  const fn = "conv2dParameterCount";
  if (!Array.isArray(wShape) || wShape.length !== 4) {
    throw new RangeError(`${fn}: wShape must be [F, C, KH, KW], got ${JSON.stringify(wShape)}`);
  }
  const names = ["F", "C", "KH", "KW"];
  wShape.forEach((v, i) => requireInteger(v, fn, `wShape ${names[i]}`, 1));
  const [f, c, kh, kw] = wShape;
  return f * c * kh * kw + ((options.bias ?? true) ? f : 0);
}

// ---------------------------------------------------------------------------------------------
// 1-D

/** Options of the 1-D convolution. */
export interface Conv1dOptions {
  /** Output extent, see {@linkcode Conv1dMode}. Default `valid`. */
  mode?: Conv1dMode;
  /** Flip the kernel (`convolution`) or not (`correlation`). Default `convolution`. */
  kind?: ConvKind;
}

/** What {@linkcode conv1dBackward} needs from the forward pass. */
export interface Conv1dCache {
  /** The input signal `[n]`. */
  x: NDArray;
  /** The kernel `[k]` as given (unflipped). */
  w: NDArray;
  /** Output extent used. */
  mode: Conv1dMode;
  /** Correlation or convolution. */
  kind: ConvKind;
  /** Zeros implicitly added before `x`: k − 1 (`full`), ⌈(k − 1)/2⌉ (`same`), 0 (`valid`). */
  left: number;
}

function validateMode(mode: unknown, fn: string): Conv1dMode {
  if (mode !== "valid" && mode !== "full" && mode !== "same") {
    throw new RangeError(`${fn}: mode must be "valid", "full" or "same", got ${String(mode)}`);
  }
  return mode;
}

function validateKind(kind: unknown, fn: string): ConvKind {
  if (kind !== "correlation" && kind !== "convolution") {
    throw new RangeError(
      `${fn}: kind must be "correlation" or "convolution", got ${String(kind)}`,
    );
  }
  return kind;
}

function validateNd(value: unknown, fn: string, name: string, axes: string): NDArray {
  const a = requireArray(value, fn, name, axes);
  const ndim = axes.split(",").length;
  if (a.ndim !== ndim || a.size === 0) {
    throw new RangeError(`${fn}: ${name} must be a non-empty ${axes}, got ${formatShape(a.shape)}`);
  }
  return a;
}

/**
 * Output length of {@linkcode conv1dForward}: `n − k + 1` (`valid`), `n + k − 1` (`full`),
 * `n` (`same`).
 *
 * @throws RangeError in `valid` mode when `k > n` (the kernel fits nowhere)
 */
export function conv1dOutputLength(
  n: number,
  k: number,
  options: { mode?: Conv1dMode } = {},
): number {
  const fn = "conv1dOutputLength";
  requireInteger(n, fn, "n", 1);
  requireInteger(k, fn, "k", 1);
  const mode = validateMode(options.mode ?? "valid", fn);
  if (mode === "full") return n + k - 1;
  if (mode === "same") return n;
  if (k > n) {
    throw new RangeError(`${fn}: valid mode needs k ≤ n, got kernel [${k}] for input [${n}]`);
  }
  return n - k + 1;
}

/**
 * 1-D convolution of a signal `x [n]` with a kernel `w [k]` (sheet 001 Q3.c).
 *
 * Forward, with `w'` = `w` flipped for `kind: "convolution"` (default) and `w` itself for
 * `"correlation"`, and `L` the zeros implicitly padded on the left (0 for `valid`, k − 1 for
 * `full`, ⌈(k − 1)/2⌉ for `same`; entries of `x` outside `[0, n)` are 0):
 *
 *   out[i] = Σⱼ x[i + j − L]·w'[j],   i = 0 … len − 1,  len from {@linkcode conv1dOutputLength}.
 *
 * `same` is the centre of `full`: `full` sliced from ⌊(k − 1)/2⌋, length n (SciPy's convention;
 * NumPy agrees for k ≤ n). Backward (VJP with upstream `dout [len]`):
 *
 *   dx[i + j − L] += dout[i]·w'[j],   dw'[j] = Σᵢ dout[i]·x[i + j − L],   dw = flip(dw') for convolution.
 *
 * @param x signal `[n]`
 * @param w kernel `[k]`; in `full` and `same` mode it may be longer than `x`
 * @param options `mode` (default `valid`), `kind` (default `convolution`)
 * @throws RangeError (naming the argument and shapes) for non-1-D inputs, or `valid` with k > n
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { conv1dForward } from "./conv.ts";
 * const x = array([1, 1, 4, 4, 4, 1, 1]), w = array([0.25, 0.25, 0.25]);
 * const { out } = conv1dForward(x, w, { mode: "valid" }); // sheet 001 Q3.c
 * if ([...out.data].join() !== [1.5, 2.25, 3, 2.25, 1.5].join()) throw new Error("valid");
 * ```
 */
export function conv1dForward(
  x: NDArray,
  w: NDArray,
  options: Conv1dOptions = {},
): { out: NDArray; cache: Conv1dCache } {
  const fn = "conv1dForward";
  validateNd(x, fn, "x", "[n]");
  validateNd(w, fn, "w", "[k]");
  const mode = validateMode(options.mode ?? "valid", fn);
  const kind = validateKind(options.kind ?? "convolution", fn);
  const n = x.size, k = w.size;
  if (mode === "valid" && k > n) {
    throw new RangeError(
      `${fn}: valid mode needs a kernel no longer than the input, got w ${
        formatShape(w.shape)
      } for x ${formatShape(x.shape)}`,
    );
  }
  const len = conv1dOutputLength(n, k, { mode });
  const left = mode === "valid" ? 0 : mode === "full" ? k - 1 : Math.ceil((k - 1) / 2);
  const wf = kind === "convolution" ? w.data.slice().reverse() : w.data;
  const xd = x.data, out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const lo = Math.max(0, left - i), hi = Math.min(k, n + left - i);
    let s = 0;
    for (let j = lo; j < hi; j++) s += xd[i + j - left] * wf[j];
    out[i] = s;
  }
  return { out: new NDArray(out, [len]), cache: { x, w, mode, kind, left } };
}

/**
 * Backward pass of {@linkcode conv1dForward}: `dx [n]` and `dw [k]` from `dout [len]` (formulas
 * there). The input gradient is the correlation of `dout` with the kernel in the opposite mode
 * (`valid` ↔ `full`), the adjoint of the forward map.
 *
 * @throws RangeError when `dout` does not have the forward output's shape
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { conv1dBackward, conv1dForward } from "./conv.ts";
 * const { cache } = conv1dForward(array([1, 2, 3]), array([1, -1]), { kind: "correlation" });
 * const { dx, dw } = conv1dBackward(array([1, 1]), cache);
 * if ([...dx.data].join() !== "1,0,-1" || [...dw.data].join() !== "3,5") throw new Error("vjp");
 * ```
 */
export function conv1dBackward(dout: NDArray, cache: Conv1dCache): { dx: NDArray; dw: NDArray } {
  const fn = "conv1dBackward";
  const { x, w, kind, left } = cache;
  const n = x.size, k = w.size;
  const len = conv1dOutputLength(n, k, { mode: cache.mode });
  if (!(dout instanceof NDArray) || dout.ndim !== 1 || dout.size !== len) {
    throw new RangeError(
      `${fn}: dout must have the output shape [${len}], got ${
        dout instanceof NDArray ? formatShape(dout.shape) : typeof dout
      }`,
    );
  }
  const wf = kind === "convolution" ? w.data.slice().reverse() : w.data;
  const xd = x.data, gd = dout.data;
  const dx = new Float64Array(n), dwf = new Float64Array(k);
  for (let i = 0; i < len; i++) {
    const g = gd[i];
    const lo = Math.max(0, left - i), hi = Math.min(k, n + left - i);
    for (let j = lo; j < hi; j++) {
      dx[i + j - left] += g * wf[j];
      dwf[j] += g * xd[i + j - left];
    }
  }
  if (kind === "convolution") dwf.reverse();
  return { dx: new NDArray(dx, [n]), dw: new NDArray(dwf, [k]) };
}

/**
 * Signal-processing convolution `(x * w)[i] = Σⱼ x[i − j]·w[j]` (kernel flipped), the `out` of
 * {@linkcode conv1dForward} with `kind: "convolution"`. Agrees with `np.convolve(x, w, mode)`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { convolve1d } from "./conv.ts";
 * const y = convolve1d(array([1, 2, 3]), array([1, -1]), { mode: "full" });
 * if ([...y.data].join() !== "1,1,1,-3") throw new Error("full");
 * ```
 */
export function convolve1d(x: NDArray, w: NDArray, options: { mode?: Conv1dMode } = {}): NDArray {
  return conv1dForward(x, w, { mode: options.mode, kind: "convolution" }).out;
}

/**
 * Cross-correlation `out[i] = Σⱼ x[i + j]·w[j]` (kernel not flipped), the `out` of
 * {@linkcode conv1dForward} with `kind: "correlation"`; what `tf.conv1d` computes.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { correlate1d } from "./conv.ts";
 * const y = correlate1d(array([1, 2, 3]), array([1, -1]));
 * if ([...y.data].join() !== "-1,-1") throw new Error("valid");
 * ```
 */
export function correlate1d(x: NDArray, w: NDArray, options: { mode?: Conv1dMode } = {}): NDArray {
  return conv1dForward(x, w, { mode: options.mode, kind: "correlation" }).out;
}

// ---------------------------------------------------------------------------------------------
// 2-D

/** Options of {@linkcode conv2dForward}. */
export interface Conv2dOptions {
  /** Bias `[F]`, one per output channel. Default none (and no `db`). */
  b?: NDArray;
  /** Step between windows, per axis. Default 1. */
  stride?: Size2;
  /** Zeros added on each side, per axis. Default 0. */
  padding?: Size2;
  /** Spacing between kernel taps, per axis (1 = dense). Default 1. */
  dilation?: Size2;
  /** `correlation` (default, the deep-learning layer) or `convolution` (flipped kernel). */
  kind?: ConvKind;
}

/** Sizes of a 2-D convolution, resolved once in the forward pass. */
export interface Conv2dGeometry {
  /** Batch size. */
  n: number;
  /** Input channels. */
  c: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Output channels (filters). */
  f: number;
  /** Kernel height. */
  kh: number;
  /** Kernel width. */
  kw: number;
  /** Output height. */
  oh: number;
  /** Output width. */
  ow: number;
  /** Stride `[sh, sw]`. */
  stride: [number, number];
  /** Padding `[ph, pw]`. */
  padding: [number, number];
  /** Dilation `[dh, dw]`. */
  dilation: [number, number];
}

/** What {@linkcode conv2dBackward} needs from the forward pass. */
export interface Conv2dCache {
  /** The input `[N, C, H, W]`. */
  x: NDArray;
  /** The weights `[F, C, KH, KW]` as given. */
  w: NDArray;
  /** The kernel actually slid (flipped for `convolution`), `[F, C·KH·KW]` row-major. */
  kernel: Float64Array;
  /** The unrolled input patches (im2col), `[N, C·KH·KW, OH·OW]` row-major. */
  cols: Float64Array;
  /** Whether a bias was given (then the backward pass returns `db`). */
  hasBias: boolean;
  /** Correlation or convolution. */
  kind: ConvKind;
  /** Sizes. */
  geometry: Conv2dGeometry;
}

function pair(v: Size2 | undefined, dflt: number, fn: string, name: string, min: number) {
  const p = v === undefined ? [dflt, dflt] : typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) && typeof v !== "number") {
    throw new TypeError(`${fn}: ${name} must be a number or [height, width], got ${typeof v}`);
  }
  if (p.length !== 2) {
    throw new RangeError(`${fn}: ${name} must be a number or [height, width], got [${p}]`);
  }
  return [
    requireInteger(p[0], fn, `${name}[0]`, min),
    requireInteger(p[1], fn, `${name}[1]`, min),
  ] as [
    number,
    number,
  ];
}

/** Filters computed together in the forward product (register blocking). */
const FILTER_BLOCK = 4;

function flipKernels(w: Float64Array, count: number, kh: number, kw: number): Float64Array {
  const out = new Float64Array(w.length);
  const area = kh * kw;
  for (let q = 0; q < count; q++) {
    const o = q * area;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) out[o + i * kw + j] = w[o + (kh - 1 - i) * kw + (kw - 1 - j)];
    }
  }
  return out;
}

/** Resolves and checks the sizes of a 2-D convolution of `x` with `w`. */
export function conv2dGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  options: Pick<Conv2dOptions, "stride" | "padding" | "dilation"> = {},
): Conv2dGeometry {
  const fn = "conv2dGeometry";
  if (xShape.length !== 4 || wShape.length !== 4) {
    throw new RangeError(
      `${fn}: x must be [N, C, H, W] and w [F, C, KH, KW], got x ${formatShape(xShape)}, w ${
        formatShape(wShape)
      }`,
    );
  }
  const [n, c, h, w] = xShape;
  const [f, cw, kh, kw] = wShape;
  if (cw !== c) {
    throw new RangeError(
      `${fn}: w ${formatShape(wShape)} expects ${cw} input channels but x ${
        formatShape(xShape)
      } has ${c}`,
    );
  }
  const stride = pair(options.stride, 1, fn, "stride", 1);
  const padding = pair(options.padding, 0, fn, "padding", 0);
  const dilation = pair(options.dilation, 1, fn, "dilation", 1);
  const size = (axis: 0 | 1, len: number, k: number) => {
    const span = dilation[axis] * (k - 1) + 1;
    if (span > len + 2 * padding[axis]) {
      throw new RangeError(
        `${fn}: the ${axis === 0 ? "height" : "width"} of the kernel w ${
          formatShape(wShape)
        } (dilated: ${span}) exceeds the padded input x ${formatShape(xShape)} (${
          len + 2 * padding[axis]
        } with padding ${padding[axis]})`,
      );
    }
    return Math.floor((len + 2 * padding[axis] - span) / stride[axis]) + 1;
  };
  return {
    n,
    c,
    h,
    w,
    f,
    kh,
    kw,
    oh: size(0, h, kh),
    ow: size(1, w, kw),
    stride,
    padding,
    dilation,
  };
}

/** Unrolls the patches of image `img` into `cols` at `base` (`[C·KH·KW, OH·OW]`). */
function im2col(x: Float64Array, img: number, g: Conv2dGeometry, cols: Float64Array, base: number) {
  const { c, h, w, kh, kw, oh, ow } = g;
  const [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
  const p = oh * ow;
  let row = base;
  for (let ch = 0; ch < c; ch++) {
    const xo = (img * c + ch) * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        let o = row;
        for (let y = 0; y < oh; y++) {
          const yy = y * sh - ph + i * dh;
          if (yy < 0 || yy >= h) {
            o += ow; // stays 0
            continue;
          }
          const xr = xo + yy * w;
          for (let z = 0; z < ow; z++) {
            const xx = z * sw - pw + j * dw;
            cols[o++] = xx >= 0 && xx < w ? x[xr + xx] : 0;
          }
        }
        row += p;
      }
    }
  }
}

/** Adds the patch gradients `dcols` (`[C·KH·KW, OH·OW]`) back into image `img` of `dx`. */
function col2im(dcols: Float64Array, img: number, g: Conv2dGeometry, dx: Float64Array) {
  const { c, h, w, kh, kw, oh, ow } = g;
  const [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation;
  let o = 0;
  for (let ch = 0; ch < c; ch++) {
    const xo = (img * c + ch) * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let y = 0; y < oh; y++) {
          const yy = y * sh - ph + i * dh;
          if (yy < 0 || yy >= h) {
            o += ow;
            continue;
          }
          const xr = xo + yy * w;
          for (let z = 0; z < ow; z++, o++) {
            const xx = z * sw - pw + j * dw;
            if (xx >= 0 && xx < w) dx[xr + xx] += dcols[o];
          }
        }
      }
    }
  }
}

/**
 * 2-D convolution layer on an NCHW batch (sheet 001 Q3.a–b, sheet 000 §5).
 *
 * Forward, with `x` zero padded by `p` per side and `w'` the kernel (flipped in both spatial axes
 * for `kind: "convolution"`, as given for the default `"correlation"`):
 *
 *   out[n, f, y, z] = b[f] + Σ_{c,i,j} w'[f, c, i, j]·x[n, c, y·s_h − p_h + i·d_h, z·s_w − p_w + j·d_w]
 *
 * with `x [N, C, H, W]`, `w [F, C, KH, KW]`, `b [F]` and `out [N, F, OH, OW]`,
 * `OH = ⌊(H + 2p_h − d_h(KH − 1) − 1)/s_h⌋ + 1` ({@linkcode convOutputSize}), likewise `OW`.
 * Computed as im2col + a matrix product per image: `out[n] = W' [F, C·KH·KW] · cols[n]`.
 *
 * Backward (VJP with upstream `dout [N, F, OH, OW]`, see {@linkcode conv2dBackward}):
 * `db[f] = Σ_{n,y,z} dout[n, f, y, z]`, `dw'[f] = Σₙ dout[n, f] · cols[n]ᵀ`, and
 * `dx = col2im(W'ᵀ · dout[n])` — every input pixel collects `dout·w'` from each window it was in.
 *
 * @param x input `[N, C, H, W]`
 * @param w weights `[F, C, KH, KW]`
 * @param options `b` bias `[F]` (default none), `stride` (1), `padding` (0), `dilation` (1) —
 *   each a number or `[height, width]` — and `kind` (`correlation`)
 * @throws RangeError naming the argument and shapes for wrong ranks, a channel mismatch, a bias
 *   that is not `[F]`, or a kernel larger than the padded input
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { conv2dForward } from "./conv.ts";
 * const x = array([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]); // [1, 1, 3, 3]
 * const w = array([[[[1, 0], [0, -1]]]]); // [1, 1, 2, 2]
 * const { out } = conv2dForward(x, w, { b: array([10]) });
 * if ([...out.data].join() !== "6,6,6,6") throw new Error("x[i,j] − x[i+1,j+1] + 10");
 * ```
 */
export function conv2dForward(
  x: NDArray,
  w: NDArray,
  options: Conv2dOptions = {},
): { out: NDArray; cache: Conv2dCache } {
  const fn = "conv2dForward";
  validateNd(x, fn, "x", "[N, C, H, W]");
  validateNd(w, fn, "w", "[F, C, KH, KW]");
  if (w.shape[1] !== x.shape[1]) {
    throw new RangeError(
      `${fn}: w ${formatShape(w.shape)} expects ${w.shape[1]} input channels but x ${
        formatShape(x.shape)
      } has ${x.shape[1]}`,
    );
  }
  const kind = validateKind(options.kind ?? "correlation", fn);
  let g: Conv2dGeometry;
  try {
    g = conv2dGeometry(x.shape, w.shape, options);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(e.message.replace("conv2dGeometry", fn));
    throw e;
  }
  const b = options.b;
  if (b !== undefined && (!(b instanceof NDArray) || b.ndim !== 1 || b.size !== g.f)) {
    throw new RangeError(
      `${fn}: b must be [${g.f}] (one bias per filter of w ${formatShape(w.shape)}), got ${
        b instanceof NDArray ? formatShape(b.shape) : typeof b
      }`,
    );
  }
  const kernel = kind === "convolution" ? flipKernels(w.data, g.f * g.c, g.kh, g.kw) : w.data;
  const kk = g.c * g.kh * g.kw, p = g.oh * g.ow;
  const cols = new Float64Array(g.n * kk * p);
  const out = new Float64Array(g.n * g.f * p);
  const bd = b?.data;
  for (let img = 0; img < g.n; img++) {
    const cb = img * kk * p;
    im2col(x.data, img, g, cols, cb);
    if (bd) {
      for (let f = 0; f < g.f; f++) out.fill(bd[f], (img * g.f + f) * p, (img * g.f + f + 1) * p);
    }
    // Four filters at a time: each patch entry is loaded once for four products.
    let f = 0;
    for (; f + FILTER_BLOCK <= g.f; f += FILTER_BLOCK) {
      const o0 = (img * g.f + f) * p, o1 = o0 + p, o2 = o1 + p, o3 = o2 + p;
      const k0 = f * kk, k1 = k0 + kk, k2 = k1 + kk, k3 = k2 + kk;
      for (let r = 0; r < kk; r++) {
        const w0 = kernel[k0 + r], w1 = kernel[k1 + r], w2 = kernel[k2 + r], w3 = kernel[k3 + r];
        const co = cb + r * p;
        for (let q = 0; q < p; q++) {
          const v = cols[co + q];
          out[o0 + q] += w0 * v;
          out[o1 + q] += w1 * v;
          out[o2 + q] += w2 * v;
          out[o3 + q] += w3 * v;
        }
      }
    }
    for (; f < g.f; f++) {
      const oo = (img * g.f + f) * p, ko = f * kk;
      for (let r = 0; r < kk; r++) {
        const wv = kernel[ko + r], co = cb + r * p;
        for (let q = 0; q < p; q++) out[oo + q] += wv * cols[co + q];
      }
    }
  }
  return {
    out: new NDArray(out, [g.n, g.f, g.oh, g.ow]),
    cache: { x, w, kernel, cols, hasBias: b !== undefined, kind, geometry: g },
  };
}

/**
 * Backward pass of {@linkcode conv2dForward}: from `dout [N, F, OH, OW]` the gradients
 * `dx [N, C, H, W]`, `dw [F, C, KH, KW]` and, when the forward pass had a bias, `db [F]`:
 *
 *   db[f] = Σ_{n,y,z} dout[n,f,y,z]
 *   dw'[f,c,i,j] = Σ_{n,y,z} dout[n,f,y,z]·x[n, c, y·s_h − p_h + i·d_h, z·s_w − p_w + j·d_w]
 *   dx[n,c,u,v] = Σ over every (f,y,z,i,j) whose window puts tap (i,j) on pixel (u,v) of dout·w'
 *
 * (`dw` = `dw'` flipped for `kind: "convolution"`). `dx` is the transposed convolution of `dout`.
 *
 * @throws RangeError when `dout` does not have the forward output's shape
 *
 * @example
 * ```ts
 * import { array, ones } from "../ndarray.ts";
 * import { conv2dBackward, conv2dForward } from "./conv.ts";
 * const x = array([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
 * const { cache } = conv2dForward(x, ones([1, 1, 2, 2]), { b: array([0]) });
 * const { dx, dw, db } = conv2dBackward(ones([1, 1, 2, 2]), cache);
 * // each tap sees a 2x2 block; the centre pixel is in all four windows
 * if ([...dw.data].join() !== "12,16,24,28" || db?.item() !== 4) throw new Error("dw");
 * if (dx.get(0, 0, 1, 1) !== 4 || dx.get(0, 0, 0, 0) !== 1) throw new Error("dx");
 * ```
 */
export function conv2dBackward(
  dout: NDArray,
  cache: Conv2dCache,
): { dx: NDArray; dw: NDArray; db?: NDArray } {
  const fn = "conv2dBackward";
  const g = cache.geometry;
  const want = [g.n, g.f, g.oh, g.ow];
  if (!(dout instanceof NDArray) || dout.ndim !== 4 || dout.shape.some((v, i) => v !== want[i])) {
    throw new RangeError(
      `${fn}: dout must have the output shape ${formatShape(want)}, got ${
        dout instanceof NDArray ? formatShape(dout.shape) : typeof dout
      }`,
    );
  }
  const kk = g.c * g.kh * g.kw, p = g.oh * g.ow;
  const { cols, kernel } = cache;
  const gd = dout.data;
  const dx = new Float64Array(g.n * g.c * g.h * g.w);
  const dk = new Float64Array(g.f * kk);
  const db = cache.hasBias ? new Float64Array(g.f) : undefined;
  const dcols = new Float64Array(kk * p);
  for (let img = 0; img < g.n; img++) {
    const cb = img * kk * p;
    dcols.fill(0);
    if (db) {
      for (let f = 0; f < g.f; f++) {
        const go = (img * g.f + f) * p;
        let s = 0;
        for (let q = 0; q < p; q++) s += gd[go + q];
        db[f] += s;
      }
    }
    // Four filters at a time, as in the forward pass.
    let f = 0;
    for (; f + FILTER_BLOCK <= g.f; f += FILTER_BLOCK) {
      const g0 = (img * g.f + f) * p, g1 = g0 + p, g2 = g1 + p, g3 = g2 + p;
      const k0 = f * kk, k1 = k0 + kk, k2 = k1 + kk, k3 = k2 + kk;
      for (let r = 0; r < kk; r++) {
        const co = cb + r * p, dco = r * p;
        const w0 = kernel[k0 + r], w1 = kernel[k1 + r], w2 = kernel[k2 + r], w3 = kernel[k3 + r];
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let q = 0; q < p; q++) {
          const v = cols[co + q];
          const d0 = gd[g0 + q], d1 = gd[g1 + q], d2 = gd[g2 + q], d3 = gd[g3 + q];
          s0 += d0 * v;
          s1 += d1 * v;
          s2 += d2 * v;
          s3 += d3 * v;
          dcols[dco + q] += w0 * d0 + w1 * d1 + w2 * d2 + w3 * d3;
        }
        dk[k0 + r] += s0;
        dk[k1 + r] += s1;
        dk[k2 + r] += s2;
        dk[k3 + r] += s3;
      }
    }
    for (; f < g.f; f++) {
      const go = (img * g.f + f) * p, ko = f * kk;
      for (let r = 0; r < kk; r++) {
        const co = cb + r * p, dco = r * p;
        const wv = kernel[ko + r];
        let s = 0;
        for (let q = 0; q < p; q++) {
          const gv = gd[go + q];
          s += gv * cols[co + q];
          dcols[dco + q] += wv * gv;
        }
        dk[ko + r] += s;
      }
    }
    col2im(dcols, img, g, dx);
  }
  const dw = cache.kind === "convolution" ? flipKernels(dk, g.f * g.c, g.kh, g.kw) : dk;
  const res: { dx: NDArray; dw: NDArray; db?: NDArray } = {
    dx: new NDArray(dx, cache.x.shape),
    dw: new NDArray(dw, cache.w.shape),
  };
  if (db) res.db = new NDArray(db, [g.f]);
  return res;
}
