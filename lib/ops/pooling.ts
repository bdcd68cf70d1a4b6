/**
 * Pooling (sheet 000 §4 "variants of pooling", which gives only the title): max, average, Lp and
 * global average pooling over the spatial axes of an NCHW batch, each with its backward pass.
 *
 * Windows are `size = [KH, KW]` moving by `stride` (default: the window size, non-overlapping) over
 * the input padded by `padding` per side; the output size per axis is the convolution formula
 * `⌊(n + 2p − k)/s⌋ + 1` (see `convOutputSize` in `./conv.ts`). Padded cells never win a max and
 * count as 0 in sums.
 *
 * **Max-pool tie policy.** When several entries of a window share the maximum, the *first* one in
 * row-major order within the window (smallest row, then smallest column) receives the whole
 * gradient `dout`; the others receive 0. This is a valid subgradient, it matches PyTorch's
 * `max_pool2d`, and it makes the backward pass deterministic. A NaN in a window is the maximum
 * (NaN propagates) and receives the gradient.
 *
 * @module
 */

import { formatShape, NDArray } from "../ndarray.ts";
import type { Size2 } from "./conv.ts";
import { requireArray } from "./validate.ts";

/** Options shared by the windowed pools. */
export interface PoolOptions {
  /** Window `[KH, KW]` (or one number for both). Default 2. */
  size?: Size2;
  /** Step between windows. Default: the window size. */
  stride?: Size2;
  /** Cells added on each side (−∞ for max, 0 for sums); at most half the window. Default 0. */
  padding?: Size2;
}

/** Sizes of a pooling window over an NCHW input, resolved in the forward pass. */
export interface PoolGeometry {
  /** Batch size. */
  n: number;
  /** Channels. */
  c: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Window height. */
  kh: number;
  /** Window width. */
  kw: number;
  /** Output height. */
  oh: number;
  /** Output width. */
  ow: number;
  /** Stride `[sh, sw]`. */
  stride: [number, number];
  /** Padding `[ph, pw]`. */
  padding: [number, number];
}

/** Default window side of the windowed pools. */
export const DEFAULT_POOL_SIZE = 2;
/** Default exponent of Lp pooling (the Euclidean norm of each window). */
export const DEFAULT_LP_P = 2;

function toPair(
  v: Size2 | undefined,
  dflt: [number, number],
  fn: string,
  name: string,
  min: number,
) {
  const p = v === undefined ? dflt : typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) {
    throw new RangeError(`${fn}: ${name} must be a number or [height, width], got ${String(v)}`);
  }
  for (const q of p) {
    if (typeof q !== "number" || !Number.isInteger(q) || q < min) {
      throw new RangeError(`${fn}: ${name} must be integers ≥ ${min}, got ${String(v)}`);
    }
  }
  return [p[0], p[1]] as [number, number];
}

function validateX(value: unknown, fn: string): NDArray {
  const x = requireArray(value, fn, "x", "[N, C, H, W]");
  if (x.ndim !== 4 || x.size === 0) {
    throw new RangeError(`${fn}: x must be a non-empty [N, C, H, W], got ${formatShape(x.shape)}`);
  }
  return x;
}

/** Resolves and checks the window sizes of a pool over `x`. */
function geometry(x: NDArray, options: PoolOptions, fn: string): PoolGeometry {
  const [n, c, h, w] = x.shape;
  const dflt: [number, number] = [DEFAULT_POOL_SIZE, DEFAULT_POOL_SIZE];
  const [kh, kw] = toPair(options.size, dflt, fn, "size", 1);
  const stride = toPair(options.stride, [kh, kw], fn, "stride", 1);
  const padding = toPair(options.padding, [0, 0], fn, "padding", 0);
  if (2 * padding[0] > kh || 2 * padding[1] > kw) {
    throw new RangeError(
      `${fn}: padding [${padding}] must be at most half the window [${kh}, ${kw}]`,
    );
  }
  if (kh > h + 2 * padding[0] || kw > w + 2 * padding[1]) {
    throw new RangeError(
      `${fn}: the window [${kh}, ${kw}] is larger than the padded input x ${
        formatShape(x.shape)
      } (padding [${padding}])`,
    );
  }
  const oh = Math.floor((h + 2 * padding[0] - kh) / stride[0]) + 1;
  const ow = Math.floor((w + 2 * padding[1] - kw) / stride[1]) + 1;
  return { n, c, h, w, kh, kw, oh, ow, stride, padding };
}

function checkDout(dout: NDArray, g: PoolGeometry, fn: string) {
  const want = [g.n, g.c, g.oh, g.ow];
  if (!(dout instanceof NDArray) || dout.ndim !== 4 || dout.shape.some((v, i) => v !== want[i])) {
    throw new RangeError(
      `${fn}: dout must have the output shape ${formatShape(want)}, got ${
        dout instanceof NDArray ? formatShape(dout.shape) : typeof dout
      }`,
    );
  }
}

/**
 * Visits every window: `visit(outOffset, planeOffset, y0, y1, z0, z1)` with the window's rows
 * `[y0, y1)` and columns `[z0, z1)` clipped to the input plane starting at `planeOffset`.
 */
function forEachWindow(
  g: PoolGeometry,
  visit: (o: number, plane: number, y0: number, y1: number, z0: number, z1: number) => void,
) {
  let o = 0;
  for (let plane = 0; plane < g.n * g.c; plane++) {
    const base = plane * g.h * g.w;
    for (let y = 0; y < g.oh; y++) {
      const top = y * g.stride[0] - g.padding[0];
      const y0 = Math.max(0, top), y1 = Math.min(g.h, top + g.kh);
      for (let z = 0; z < g.ow; z++, o++) {
        const left = z * g.stride[1] - g.padding[1];
        visit(o, base, y0, y1, Math.max(0, left), Math.min(g.w, left + g.kw));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// max

/** What {@linkcode maxPool2dBackward} needs: the flat offset in `x` of each window's winner. */
export interface MaxPoolCache {
  /** Input shape `[N, C, H, W]`. */
  xShape: readonly number[];
  /** Sizes. */
  geometry: PoolGeometry;
  /** For each output entry, the offset in `x.data` of the entry that won (tie policy above). */
  argmax: Int32Array;
}

/**
 * Max pooling: `out[n, c, y, z] = max over the window of x[n, c, ·, ·]`, shapes
 * `[N, C, H, W] → [N, C, OH, OW]`. Backward: `dx` is `dout` routed to each window's winner
 * (`dx[winner] += dout`), 0 elsewhere; ties go to the first maximum in row-major order.
 *
 * @param x input `[N, C, H, W]`
 * @param options `size` (2), `stride` (= size), `padding` (0, at most half the window)
 * @throws RangeError for a non-4-D `x` or a window larger than the padded input
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { maxPool2dBackward, maxPool2dForward } from "./pooling.ts";
 * const x = array([[[[1, 5], [5, 2]]]]); // a tie between (0,1) and (1,0)
 * const { out, cache } = maxPool2dForward(x);
 * const { dx } = maxPool2dBackward(array([[[[1]]]]), cache);
 * if (out.item() !== 5 || [...dx.data].join() !== "0,1,0,0") throw new Error("first max");
 * ```
 */
export function maxPool2dForward(
  x: NDArray,
  options: PoolOptions = {},
): { out: NDArray; cache: MaxPoolCache } {
  const fn = "maxPool2dForward";
  validateX(x, fn);
  const g = geometry(x, options, fn);
  const xd = x.data, size = g.n * g.c * g.oh * g.ow;
  const out = new Float64Array(size), argmax = new Int32Array(size);
  forEachWindow(g, (o, base, y0, y1, z0, z1) => {
    let best = -Infinity, at = base + y0 * g.w + z0;
    scan: for (let y = y0; y < y1; y++) {
      for (let z = z0; z < z1; z++) {
        const v = xd[base + y * g.w + z];
        if (v > best) {
          best = v;
          at = base + y * g.w + z;
        } else if (Number.isNaN(v)) {
          best = v;
          at = base + y * g.w + z;
          break scan;
        }
      }
    }
    out[o] = best === -Infinity ? xd[at] : best;
    argmax[o] = at;
  });
  return {
    out: new NDArray(out, [g.n, g.c, g.oh, g.ow]),
    cache: { xShape: x.shape, geometry: g, argmax },
  };
}

/**
 * Backward pass of {@linkcode maxPool2dForward}: `dx[argmax[o]] += dout[o]`, `dx [N, C, H, W]`
 * (overlapping windows add up where one entry wins several).
 *
 * @throws RangeError when `dout` does not have the output shape
 */
export function maxPool2dBackward(dout: NDArray, cache: MaxPoolCache): { dx: NDArray } {
  checkDout(dout, cache.geometry, "maxPool2dBackward");
  const dx = new Float64Array(cache.xShape.reduce((a, b) => a * b, 1));
  const gd = dout.data, am = cache.argmax;
  for (let o = 0; o < am.length; o++) dx[am[o]] += gd[o];
  return { dx: new NDArray(dx, cache.xShape) };
}

// ---------------------------------------------------------------------------------------------
// average

/** Options of {@linkcode avgPool2dForward}. */
export interface AvgPoolOptions extends PoolOptions {
  /**
   * Divide by the full window `KH·KW` even where it overlaps the padding (`true`, PyTorch's
   * default) or only by the cells inside the input (`false`, what `tf.avgPool` with `same` does).
   * Default true.
   */
  countIncludePad?: boolean;
}

/** What {@linkcode avgPool2dBackward} needs. */
export interface AvgPoolCache {
  /** Input shape `[N, C, H, W]`. */
  xShape: readonly number[];
  /** Sizes. */
  geometry: PoolGeometry;
  /** See {@linkcode AvgPoolOptions}. */
  countIncludePad: boolean;
}

function divisor(
  g: PoolGeometry,
  include: boolean,
  y0: number,
  y1: number,
  z0: number,
  z1: number,
) {
  return include ? g.kh * g.kw : (y1 - y0) * (z1 - z0);
}

/**
 * Average pooling: `out[n, c, y, z] = (1/m)·Σ_window x[n, c, ·, ·]` with `m = KH·KW`
 * (see `countIncludePad`), `[N, C, H, W] → [N, C, OH, OW]`. Backward: each cell of a window
 * receives `dout/m`.
 *
 * @param x input `[N, C, H, W]`
 * @param options `size` (2), `stride` (= size), `padding` (0), `countIncludePad` (true)
 * @throws RangeError for a non-4-D `x` or a window larger than the padded input
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { avgPool2dForward } from "./pooling.ts";
 * const { out } = avgPool2dForward(array([[[[1, 2], [3, 6]]]]));
 * if (out.item() !== 3) throw new Error("mean of 1, 2, 3, 6");
 * ```
 */
export function avgPool2dForward(
  x: NDArray,
  options: AvgPoolOptions = {},
): { out: NDArray; cache: AvgPoolCache } {
  const fn = "avgPool2dForward";
  validateX(x, fn);
  const g = geometry(x, options, fn);
  const include = options.countIncludePad ?? true;
  const xd = x.data, out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, base, y0, y1, z0, z1) => {
    let s = 0;
    for (let y = y0; y < y1; y++) for (let z = z0; z < z1; z++) s += xd[base + y * g.w + z];
    out[o] = s / divisor(g, include, y0, y1, z0, z1);
  });
  return {
    out: new NDArray(out, [g.n, g.c, g.oh, g.ow]),
    cache: { xShape: x.shape, geometry: g, countIncludePad: include },
  };
}

/**
 * Backward pass of {@linkcode avgPool2dForward}: `dx[cell] += dout[o]/m` for every cell of
 * window `o`, `dx [N, C, H, W]`.
 *
 * @throws RangeError when `dout` does not have the output shape
 */
export function avgPool2dBackward(dout: NDArray, cache: AvgPoolCache): { dx: NDArray } {
  const g = cache.geometry;
  checkDout(dout, g, "avgPool2dBackward");
  const dx = new Float64Array(g.n * g.c * g.h * g.w), gd = dout.data;
  forEachWindow(g, (o, base, y0, y1, z0, z1) => {
    const v = gd[o] / divisor(g, cache.countIncludePad, y0, y1, z0, z1);
    for (let y = y0; y < y1; y++) for (let z = z0; z < z1; z++) dx[base + y * g.w + z] += v;
  });
  return { dx: new NDArray(dx, cache.xShape) };
}

// ---------------------------------------------------------------------------------------------
// Lp

/** Options of {@linkcode lpPool2dForward}. */
export interface LpPoolOptions extends PoolOptions {
  /** Exponent p ≥ 1 (finite): p = 1 sums |x|, p = 2 is the Euclidean norm, p → ∞ tends to max |x|. Default 2. */
  p?: number;
}

/** What {@linkcode lpPool2dBackward} needs. */
export interface LpPoolCache {
  /** The input `[N, C, H, W]`. */
  x: NDArray;
  /** The forward output `[N, C, OH, OW]` (each window's p-norm). */
  out: NDArray;
  /** The exponent. */
  p: number;
  /** Sizes. */
  geometry: PoolGeometry;
}

/**
 * Lp pooling: each window's p-norm, `out = (Σ_window |x|^p)^{1/p}`, `[N, C, H, W] → [N, C, OH, OW]`
 * (padding cells count as 0). Computed as `m·(Σ (|x|/m)^p)^{1/p}` with `m` the window's largest
 * |x|, so large p or large |x| do not overflow.
 *
 * Backward: `∂out/∂x = sign(x)·(|x|/out)^{p−1}`, so `dx[cell] += dout·sign(x)(|x|/out)^{p−1}`.
 * Where a window is all zeros (out = 0) the norm has a kink; the gradient is taken as 0 there
 * (a valid subgradient). At x = 0 with p = 1, sign(0) = 0 is used.
 *
 * @param x input `[N, C, H, W]`
 * @param options `p` (2), `size` (2), `stride` (= size), `padding` (0)
 * @throws RangeError for p < 1 or non-finite p, a non-4-D `x` or a window larger than the input
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { lpPool2dForward } from "./pooling.ts";
 * const { out } = lpPool2dForward(array([[[[3, 0], [0, -4]]]]), { p: 2 });
 * if (out.item() !== 5) throw new Error("‖(3, −4)‖₂");
 * ```
 */
export function lpPool2dForward(
  x: NDArray,
  options: LpPoolOptions = {},
): { out: NDArray; cache: LpPoolCache } {
  const fn = "lpPool2dForward";
  validateX(x, fn);
  const p = options.p ?? DEFAULT_LP_P;
  if (typeof p !== "number" || !(p >= 1) || !Number.isFinite(p)) {
    throw new RangeError(`${fn}: p must be a finite number ≥ 1, got ${String(p)}`);
  }
  const g = geometry(x, options, fn);
  const xd = x.data, out = new Float64Array(g.n * g.c * g.oh * g.ow);
  forEachWindow(g, (o, base, y0, y1, z0, z1) => {
    let m = 0;
    for (let y = y0; y < y1; y++) {
      for (let z = z0; z < z1; z++) m = Math.max(m, Math.abs(xd[base + y * g.w + z]));
    }
    if (m === 0 || !Number.isFinite(m)) {
      out[o] = m;
      return;
    }
    let s = 0;
    for (let y = y0; y < y1; y++) {
      for (let z = z0; z < z1; z++) s += (Math.abs(xd[base + y * g.w + z]) / m) ** p;
    }
    out[o] = m * s ** (1 / p);
  });
  const res = new NDArray(out, [g.n, g.c, g.oh, g.ow]);
  return { out: res, cache: { x, out: res, p, geometry: g } };
}

/**
 * Backward pass of {@linkcode lpPool2dForward}:
 * `dx[cell] += dout[o]·sign(x)·(|x|/out[o])^{p−1}` (0 where `out[o] = 0`), `dx [N, C, H, W]`.
 *
 * @throws RangeError when `dout` does not have the output shape
 */
export function lpPool2dBackward(dout: NDArray, cache: LpPoolCache): { dx: NDArray } {
  const g = cache.geometry;
  checkDout(dout, g, "lpPool2dBackward");
  const { p } = cache;
  const xd = cache.x.data, od = cache.out.data, gd = dout.data;
  const dx = new Float64Array(xd.length);
  forEachWindow(g, (o, base, y0, y1, z0, z1) => {
    const norm = od[o];
    if (norm === 0) return;
    for (let y = y0; y < y1; y++) {
      for (let z = z0; z < z1; z++) {
        const i = base + y * g.w + z, v = xd[i];
        if (v === 0) continue;
        dx[i] += gd[o] * Math.sign(v) * (Math.abs(v) / norm) ** (p - 1);
      }
    }
  });
  return { dx: new NDArray(dx, cache.x.shape) };
}

// ---------------------------------------------------------------------------------------------
// global average

/** What {@linkcode globalAvgPoolBackward} needs. */
export interface GlobalAvgPoolCache {
  /** Input shape `[N, C, H, W]`. */
  xShape: readonly number[];
}

/**
 * Global average pooling: `out[n, c] = (1/(H·W))·Σ_{y,z} x[n, c, y, z]`, `[N, C, H, W] → [N, C]`
 * (the spatial axes are dropped, as before a classifier head). Backward: every pixel receives
 * `dout[n, c]/(H·W)`.
 *
 * @param x input `[N, C, H, W]`
 * @throws RangeError for a non-4-D `x`
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { globalAvgPoolForward } from "./pooling.ts";
 * const { out } = globalAvgPoolForward(array([[[[1, 2], [3, 4]], [[0, 0], [0, 8]]]]));
 * if ([...out.data].join() !== "2.5,2") throw new Error("channel means");
 * ```
 */
export function globalAvgPoolForward(x: NDArray): { out: NDArray; cache: GlobalAvgPoolCache } {
  const fn = "globalAvgPoolForward";
  validateX(x, fn);
  const [n, c, h, w] = x.shape, area = h * w;
  const out = new Float64Array(n * c), xd = x.data;
  for (let q = 0; q < n * c; q++) {
    let s = 0;
    for (let i = q * area; i < (q + 1) * area; i++) s += xd[i];
    out[q] = s / area;
  }
  return { out: new NDArray(out, [n, c]), cache: { xShape: x.shape } };
}

/**
 * Backward pass of {@linkcode globalAvgPoolForward}: `dx[n, c, y, z] = dout[n, c]/(H·W)`.
 *
 * @throws RangeError when `dout` is not `[N, C]`
 */
export function globalAvgPoolBackward(
  dout: NDArray,
  cache: GlobalAvgPoolCache,
): { dx: NDArray } {
  const [n, c, h, w] = cache.xShape, area = h * w;
  if (!(dout instanceof NDArray) || dout.ndim !== 2 || dout.shape[0] !== n || dout.shape[1] !== c) {
    throw new RangeError(
      `globalAvgPoolBackward: dout must have the output shape [${n}, ${c}], got ${
        dout instanceof NDArray ? formatShape(dout.shape) : typeof dout
      }`,
    );
  }
  const dx = new Float64Array(n * c * area), gd = dout.data;
  for (let q = 0; q < n * c; q++) dx.fill(gd[q] / area, q * area, (q + 1) * area);
  return { dx: new NDArray(dx, cache.xShape) };
}
