/**
 * FFT-accelerated interpolation of the t-SNE repulsion (Linderman et al. 2019, "Fast
 * interpolation-based t-SNE", as in FIt-SNE and openTSNE), for 2-D embeddings.
 *
 * The repulsion Σⱼ wᵢⱼ² (yᵢ − yⱼ) and Z = Σ_{i≠j} wᵢⱼ need only sums of the smooth kernel
 * K(u, v) = 1/(1 + ‖u − v‖²)² against the charges 1, y⁽¹⁾, y⁽²⁾ and ‖y‖²:
 *
 *   φ_c(yᵢ) = Σⱼ K(yᵢ, yⱼ) q_c(yⱼ),
 *   Σⱼ wᵢⱼ² (yᵢ − yⱼ) = yᵢ φ₁ − (φ₂, φ₃),
 *   Σⱼ wᵢⱼ = (1 + ‖yᵢ‖²) φ₁ − 2 yᵢ·(φ₂, φ₃) + φ₄   (since w = (1 + d²)·K; the j = i term is 1).
 *
 * A square of `intervals` × `intervals` cells of width h covers the points; each cell has
 * `nodes` × `nodes` equispaced interpolation nodes, M = nodes·intervals per axis. Charges are
 * spread to the nodes with Lagrange weights, the node-to-node sums are a 2-D convolution done
 * with zero-padded FFTs of size L = the smallest 2,3,5-smooth number ≥ 2M − 1, and the
 * potentials are interpolated back. The four real charges travel as two complex grids
 * (1 + i·y⁽¹⁾ and y⁽²⁾ + i·‖y‖²), which works because the kernel's transform is real.
 *
 * The width h is `intervalWidth` once the points span more than `minIntervals` widths, and
 * otherwise the smallest step of the ladder intervalWidth·2^(−j/8) that still covers them with
 * `minIntervals` cells. So h, and with it the kernel's transform, changes only when L or the
 * ladder step does: the transform is computed once per grid and reused until then.
 *
 * The work runs in seven phases (spread, forward FFT, transpose, convolve, transpose, inverse
 * FFT, gather), each split into ranges that touch disjoint memory, so that several threads can
 * share one grid: every number is computed by the same operations in the same order whatever
 * the split, and the result is bit for bit the same for any number of threads. Cost per call:
 * O(N·nodes²) + O(L² log L).
 *
 * @module
 */

import type { CsrMatrix } from "./affinity.ts";
import { attractionRange, boundingBox } from "./barnes_hut.ts";
import { BatchedFft, FFT_BLOCK_COLUMNS, nextFftSize } from "./batched_fft.ts";

/**
 * Interpolation nodes per interval and axis. FIt-SNE uses 3; 4 (node spacing 1/4 instead of
 * 1/3 at width 1) cuts the repulsion error of a converged 50,000-point embedding from 0.8% to
 * 0.12%, and that shows in the result: on 20,000 points of the 50-D mixture the final KL was
 * 3.432 with 3 nodes, 3.397 with 4, and 3.396 with Barnes-Hut at θ = 0.2 (FIt-SNE reached 3.400
 * in the same benchmark), for about 1.8 times the grid work (13.5 s against 25.5 s of 1000
 * updates with 2 threads).
 */
export const FFT_NODES = 4;
/**
 * Default largest interval width, in embedding units (FIt-SNE's one interval per unit). At
 * width 1 the repulsion of a converged 50,000-point embedding is within 1% of the exact sums
 * and Z within 2e-4; at 1.5 the repulsion error is 3%.
 */
export const FFT_INTERVAL_WIDTH = 1;
/**
 * Fewest intervals per axis (FIt-SNE's default). While the exaggerated embedding is small and
 * its clusters tight, most repulsion comes from close pairs: with 20 intervals the error was
 * 5–7% at iteration 50 of a 50,000-point run, with 50 it is 0.2%.
 */
export const FFT_MIN_INTERVALS = 50;
/**
 * Most intervals per axis: an embedding wider than this many interval widths gets wider
 * intervals instead of a larger grid (at 400 intervals of 4 nodes the grid storage is at most
 * about 0.9 GB).
 */
export const FFT_MAX_INTERVALS = 400;
/** Ladder steps of the interval width per halving (see the module documentation). */
const LADDER_STEPS = 8;

/** Options of the FFT repulsion. */
export interface FftOptions {
  /** Largest interval width (smaller is more accurate and slower). Default 1. */
  intervalWidth?: number;
  /** Fewest intervals per axis. Default 50. */
  minIntervals?: number;
  /** Interpolation nodes per interval. Default 4. */
  nodes?: number;
}

/** The phases of one evaluation, in order. */
export const FFT_PHASES = [
  "spread",
  "forward",
  "transposeIn",
  "convolve",
  "transposeOut",
  "backward",
  "gather",
] as const;

/** One phase of {@linkcode FftGrid.phase}. */
export type FftPhase = typeof FFT_PHASES[number];

/** Slots of the shared parameter block. */
const P_SIZE = 0, P_INTERVALS = 1, P_WIDTH = 2, P_X0 = 3, P_Y0 = 4, P_CX = 5, P_CY = 6;
/** Length of the parameter block. */
export const FFT_PARAMS_LENGTH = 8;

/** Doubles of grid storage: 4 narrow L×M arrays per complex grid, 6 wide L×L and the kernel. */
function storageLength(size: number, m: number): number {
  return 8 * size * m + 7 * size * size;
}

/** The largest storage a grid of `nodes` nodes per interval can need, in bytes. */
function maxStorageBytes(nodes: number): number {
  const m = nodes * FFT_MAX_INTERVALS;
  return storageLength(nextFftSize(2 * m - 1), m) * Float64Array.BYTES_PER_ELEMENT;
}

/**
 * Empty storage that can grow in place up to the largest grid (address space is reserved, memory
 * is used only as it grows) and a parameter block, shared between threads or not.
 */
function newBuffers(nodes: number, shared: boolean): FftGridBuffers {
  const maxByteLength = maxStorageBytes(nodes);
  const bytes = FFT_PARAMS_LENGTH * Float64Array.BYTES_PER_ELEMENT;
  return shared
    ? {
      raw: new SharedArrayBuffer(0, { maxByteLength }),
      params: new Float64Array(new SharedArrayBuffer(bytes)),
    }
    : { raw: new ArrayBuffer(0, { maxByteLength }), params: new Float64Array(FFT_PARAMS_LENGTH) };
}

/** Where the buffers of a grid live: one storage block and one parameter block. */
export interface FftGridBuffers {
  /**
   * Grid storage, at least 8·L·M + 7·L² doubles: a growable `SharedArrayBuffer` (threads share
   * the grid) or a resizable `ArrayBuffer`, grown in place as the embedding widens, so no grid
   * is ever copied or left behind for the collector.
   */
  raw: ArrayBuffer | SharedArrayBuffer;
  /** The grid parameters (size, intervals, width, corner, centre). */
  params: Float64Array;
}

/** The half-open range of part `t` of `parts` equal parts of [0, total). */
export function shareOf(total: number, t: number, parts: number): [number, number] {
  return [Math.floor((total * t) / parts), Math.floor((total * (t + 1)) / parts)];
}

/**
 * Lagrange weights of `nodes` equispaced nodes tₖ = (k + ½)/nodes at t ∈ [0, 1]:
 * out[k] = Πₘ≠ₖ (t − tₘ) · scale[k], with scale[k] = 1/Πₘ≠ₖ (tₖ − tₘ) from {@linkcode lagrangeScale}.
 */
function lagrange(t: number, nodes: number, scale: Float64Array, out: Float64Array): void {
  for (let k = 0; k < nodes; k++) {
    let w = scale[k];
    for (let m = 0; m < nodes; m++) if (m !== k) w *= t - (m + 0.5) / nodes;
    out[k] = w;
  }
}

/** 1/Πₘ≠ₖ (tₖ − tₘ) for the nodes of {@linkcode lagrange}. */
function lagrangeScale(nodes: number): Float64Array {
  const scale = new Float64Array(nodes);
  for (let k = 0; k < nodes; k++) {
    let d = 1;
    for (let m = 0; m < nodes; m++) if (m !== k) d *= (k - m) / nodes;
    scale[k] = 1 / d;
  }
  return scale;
}

/**
 * The interpolation grid of one embedding size N: its buffers, the FFT plan and the kernel's
 * transform, reused from call to call. {@linkcode FftGrid.setup} (one thread) chooses the grid
 * for an embedding; {@linkcode FftGrid.phase} does one phase for one part of its range.
 */
export class FftGrid {
  /** Points. */
  readonly n: number;
  /** Interpolation nodes per interval. */
  readonly nodes: number;
  /** Largest interval width. */
  readonly intervalWidth: number;
  /** Fewest intervals per axis. */
  readonly minIntervals: number;
  #buffers: FftGridBuffers;
  #buf: Float64Array = new Float64Array(0);
  #size = 0;
  #m = 0;
  #plan: BatchedFft | undefined;
  #narrow: Float64Array[] = [];
  #wide: Float64Array[] = [];
  #kernel: Float64Array = new Float64Array(0);
  /** Offsets of the narrow and wide arrays in the storage (what the FFT plan takes). */
  #narrowAt: number[] = [];
  #wideAt: number[] = [];
  #kernelKey = "";
  #wx: Float64Array;
  #box = new Float64Array(4);
  #scale: Float64Array;
  #wy: Float64Array;

  /**
   * A grid for `n` points, its storage in shared memory when `shared` (to share the grid
   * between threads); `buffers` binds the grid to the storage of a grid made elsewhere.
   * @throws RangeError for nodes < 1, intervalWidth ≤ 0 or minIntervals < 1
   */
  constructor(
    n: number,
    options: FftOptions = {},
    shared = false,
    buffers?: FftGridBuffers,
  ) {
    const fn = "FftGrid";
    this.n = n;
    this.nodes = options.nodes ?? FFT_NODES;
    this.intervalWidth = options.intervalWidth ?? FFT_INTERVAL_WIDTH;
    this.minIntervals = options.minIntervals ?? FFT_MIN_INTERVALS;
    if (!Number.isInteger(this.nodes) || this.nodes < 1) {
      throw new RangeError(`${fn}: nodes must be an integer ≥ 1, got ${this.nodes}`);
    }
    if (!(this.intervalWidth > 0) || !Number.isFinite(this.intervalWidth)) {
      throw new RangeError(`${fn}: intervalWidth must be > 0, got ${this.intervalWidth}`);
    }
    if (!Number.isInteger(this.minIntervals) || this.minIntervals < 1) {
      throw new RangeError(`${fn}: minIntervals must be an integer ≥ 1, got ${this.minIntervals}`);
    }
    this.#buffers = buffers ?? newBuffers(this.nodes, shared);
    this.#wx = new Float64Array(this.nodes);
    this.#scale = lagrangeScale(this.nodes);
    this.#wy = new Float64Array(this.nodes);
  }

  /** The storage and parameters (to hand to other threads). */
  get buffers(): FftGridBuffers {
    return this.#buffers;
  }

  /** FFT size L of the current grid. */
  get size(): number {
    return this.#buffers.params[P_SIZE] | 0;
  }

  /**
   * Chooses the grid for embedding `y` [N, 2]: box, width, intervals, FFT size; grows the
   * storage in place when needed and recomputes the kernel's transform when the grid changed.
   */
  setup(y: Float64Array): void {
    const n = this.n, p = this.nodes, params = this.#buffers.params;
    const [minX, minY, maxX, maxY] = boundingBox(y, n, this.#box);
    const span = Math.max(maxX - minX, maxY - minY, 1e-12) * (1 + 1e-9);
    let h = this.intervalWidth;
    if (span < this.minIntervals * h) {
      const j = Math.floor(LADDER_STEPS * Math.log2((this.minIntervals * h) / span));
      h *= 2 ** (-j / LADDER_STEPS);
    }
    if (span > FFT_MAX_INTERVALS * h) h = span / FFT_MAX_INTERVALS;
    const intervals = Math.max(1, Math.min(FFT_MAX_INTERVALS, Math.ceil(span / h)));
    const m = p * intervals;
    const size = nextFftSize(2 * m - 1);
    const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    params[P_SIZE] = size;
    params[P_INTERVALS] = intervals;
    params[P_WIDTH] = h;
    params[P_X0] = cx - (intervals * h) / 2;
    params[P_Y0] = cy - (intervals * h) / 2;
    params[P_CX] = cx;
    params[P_CY] = cy;
    const bytes = storageLength(size, m) * Float64Array.BYTES_PER_ELEMENT;
    const raw = this.#buffers.raw;
    if (raw.byteLength < bytes) {
      if (raw instanceof SharedArrayBuffer) raw.grow(bytes);
      else raw.resize(bytes);
    }
    this.#bind();
    const key = `${size}:${m}:${h}`;
    if (key !== this.#kernelKey) {
      this.#kernelTransform(size, m, h / p);
      this.#kernelKey = key;
    }
  }

  /**
   * Views of the storage for the current grid, made again only when L, M or the storage's size
   * changes (another thread may have grown it: its new length is visible here after the barrier
   * that ends the phase in which it grew).
   */
  #bind(): void {
    const params = this.#buffers.params;
    // Integers read back from a Float64Array are doubles to V8: `| 0` keeps index arithmetic in
    // small integers (without it the FFT loops ran at half speed).
    const size = params[P_SIZE] | 0, m = (this.nodes * params[P_INTERVALS]) | 0;
    const raw = this.#buffers.raw;
    if (size === this.#size && m === this.#m && this.#buf.byteLength === raw.byteLength) return;
    // A fixed-length view: element access on it compiles as on any typed array.
    const s = new Float64Array(raw, 0, raw.byteLength / Float64Array.BYTES_PER_ELEMENT);
    this.#buf = s;
    const narrow = size * m, wide = size * size;
    this.#narrowAt = Array.from({ length: 8 }, (_, k) => k * narrow);
    this.#narrow = this.#narrowAt.map((at) => s.subarray(at, at + narrow));
    const o = 8 * narrow;
    this.#wideAt = Array.from({ length: 6 }, (_, k) => o + k * wide);
    this.#wide = this.#wideAt.map((at) => s.subarray(at, at + wide));
    this.#kernel = s.subarray(o + 6 * wide, o + 7 * wide);
    if (this.#plan?.size !== size) this.#plan = new BatchedFft(size);
    this.#size = size;
    this.#m = m;
  }

  /**
   * K̂/L²: the transform of the kernel on node offsets (offset −d at index L − d), real because
   * the kernel is real and even, scaled so that the two inverse passes need no scaling.
   */
  #kernelTransform(size: number, m: number, delta: number): void {
    const [ar, ai, , , xr, xi] = this.#wide;
    ar.fill(0);
    ai.fill(0);
    for (let dx = -(m - 1); dx <= m - 1; dx++) {
      const r = dx < 0 ? size + dx : dx;
      for (let dy = -(m - 1); dy <= m - 1; dy++) {
        const k = 1 / (1 + delta * delta * (dx * dx + dy * dy));
        ar[r * size + (dy < 0 ? size + dy : dy)] = k * k;
      }
    }
    const plan = this.#plan!, buf = this.#buf, [a, b, , , x, y] = this.#wideAt;
    const first = plan.transform(buf, a, b, x, y, size, 0, size, false);
    const [tr, ti] = first === "data" ? [ar, ai] : [xr, xi];
    const [ur, ui] = first === "data" ? [xr, xi] : [ar, ai];
    const [tAt, tiAt] = first === "data" ? [a, b] : [x, y];
    const [uAt, uiAt] = first === "data" ? [x, y] : [a, b];
    transpose(tr, ur, size, size, 0, size);
    transpose(ti, ui, size, size, 0, size);
    const second = plan.transform(buf, uAt, uiAt, tAt, tiAt, size, 0, size, false);
    const out = second === "data" ? ur : tr;
    const scale = 1 / (size * size);
    for (let k = 0; k < size * size; k++) this.#kernel[k] = out[k] * scale;
  }

  /** The part [start, end) of the range of `phase` that part `t` of `parts` does. */
  range(phase: FftPhase, t: number, parts: number): [number, number] {
    const params = this.#buffers.params;
    const size = params[P_SIZE] | 0, m = (this.nodes * params[P_INTERVALS]) | 0;
    if (phase === "spread") return shareOf(params[P_INTERVALS] | 0, t, parts);
    if (phase === "forward" || phase === "backward") return shareOf(m, t, parts);
    if (phase === "gather") return shareOf(this.n, t, parts);
    return shareOf(size, t, parts);
  }

  /**
   * Runs part `t` of `parts` of one phase. `gather` writes the repulsion of its points into
   * `rep` [N, 2] and each point's Σ_{j≠i} wᵢⱼ into `zPart` [N] (so Z = Σᵢ zPartᵢ); the other
   * phases touch only the grid.
   */
  phase(
    phase: FftPhase,
    t: number,
    parts: number,
    y: Float64Array,
    rep: Float64Array,
    zPart: Float64Array,
  ): void {
    this.#bind();
    const params = this.#buffers.params;
    const size = params[P_SIZE] | 0, m = (this.nodes * params[P_INTERVALS]) | 0;
    const plan = this.#plan!;
    const nw = this.#narrow, wd = this.#wide;
    if (phase === "spread") {
      const [i0, i1] = this.range(phase, t, parts);
      const [z0, z1] = shareOf(size - m, t, parts);
      for (let g = 0; g < 4; g++) {
        nw[g < 2 ? g : g + 2].fill(0, i0 * this.nodes * m, i1 * this.nodes * m);
        nw[g < 2 ? g : g + 2].fill(0, (m + z0) * m, (m + z1) * m);
      }
      this.#spread(y, i0, i1, m);
      return;
    }
    const [c0, c1] = this.range(phase, t, parts);
    if (phase === "forward" || phase === "backward") {
      const inverse = phase === "backward";
      const buf = this.#buf, at = this.#narrowAt;
      plan.transform(buf, at[0], at[1], at[2], at[3], m, c0, c1, inverse);
      plan.transform(buf, at[4], at[5], at[6], at[7], m, c0, c1, inverse);
      return;
    }
    if (phase === "transposeIn") {
      // Rows y < M of the wide grids from the columns of the forward result; rows ≥ M zero.
      const odd = this.#resultInWork();
      for (let g = 0; g < 2; g++) {
        const [sr, si] = odd ? [nw[4 * g + 2], nw[4 * g + 3]] : [nw[4 * g], nw[4 * g + 1]];
        transpose(sr, wd[2 * g], size, m, c0, Math.min(c1, m));
        transpose(si, wd[2 * g + 1], size, m, c0, Math.min(c1, m));
        wd[2 * g].fill(0, Math.max(c0, m) * size, Math.max(c1, m) * size);
        wd[2 * g + 1].fill(0, Math.max(c0, m) * size, Math.max(c1, m) * size);
      }
      return;
    }
    if (phase === "convolve") {
      // Block by block: forward transform, kernel product, inverse, while the block is cached.
      const k = this.#kernel, xr = wd[4], xi = wd[5];
      const buf = this.#buf, at = this.#wideAt, xAt = at[4], xiAt = at[5];
      const odd = this.#resultInWork();
      for (let b0 = c0; b0 < c1; b0 += FFT_BLOCK_COLUMNS) {
        const b1 = Math.min(c1, b0 + FFT_BLOCK_COLUMNS);
        for (let g = 0; g < 2; g++) {
          const ar = wd[2 * g], ai = wd[2 * g + 1], aAt = at[2 * g], aiAt = at[2 * g + 1];
          plan.transform(buf, aAt, aiAt, xAt, xiAt, size, b0, b1, false);
          const br = odd ? xr : ar, bi = odd ? xi : ai;
          for (let r = 0; r < size; r++) {
            const o = r * size;
            for (let c = o + b0; c < o + b1; c++) {
              br[c] *= k[c];
              bi[c] *= k[c];
            }
          }
          // Both passes have the same stage count, so the result is back in (ar, ai).
          if (odd) plan.transform(buf, xAt, xiAt, aAt, aiAt, size, b0, b1, true);
          else plan.transform(buf, aAt, aiAt, xAt, xiAt, size, b0, b1, true);
        }
      }
      return;
    }
    if (phase === "transposeOut") {
      for (let g = 0; g < 2; g++) {
        transpose(wd[2 * g], nw[4 * g], m, size, c0, c1);
        transpose(wd[2 * g + 1], nw[4 * g + 1], m, size, c0, c1);
      }
      return;
    }
    this.#gather(y, c0, c1, m, rep, zPart);
  }

  /** Whether a transform of this size leaves its result in the work buffers. */
  #resultInWork(): boolean {
    return this.#plan!.stages % 2 === 1;
  }

  /** Spreads the charges of the points in x-intervals [i0, i1) onto the narrow grids. */
  #spread(y: Float64Array, i0: number, i1: number, m: number): void {
    const params = this.#buffers.params;
    const p = this.nodes, n = this.n, wx = this.#wx, wy = this.#wy, ls = this.#scale;
    const h = params[P_WIDTH], x0 = params[P_X0], y0 = params[P_Y0];
    const cx = params[P_CX], cy = params[P_CY];
    const last = (params[P_INTERVALS] | 0) - 1;
    const [aRe, aIm, , , bRe, bIm] = this.#narrow;
    for (let i = 0; i < n; i++) {
      const u = (y[2 * i] - x0) / h;
      const ix = Math.min(last, Math.max(0, Math.floor(u)));
      if (ix < i0 || ix >= i1) continue;
      const v = (y[2 * i + 1] - y0) / h;
      const iy = Math.min(last, Math.max(0, Math.floor(v)));
      lagrange(u - ix, p, ls, wx);
      lagrange(v - iy, p, ls, wy);
      const px = y[2 * i] - cx, py = y[2 * i + 1] - cy, q4 = px * px + py * py;
      for (let a = 0; a < p; a++) {
        const row = (ix * p + a) * m + iy * p;
        const wa = wx[a];
        for (let b = 0; b < p; b++) {
          const wab = wa * wy[b], k = row + b;
          aRe[k] += wab;
          aIm[k] += wab * px;
          bRe[k] += wab * py;
          bIm[k] += wab * q4;
        }
      }
    }
  }

  /** Interpolates the potentials at points [i0, i1) and assembles repulsion and Z shares. */
  #gather(
    y: Float64Array,
    i0: number,
    i1: number,
    m: number,
    rep: Float64Array,
    zPart: Float64Array,
  ): void {
    const params = this.#buffers.params;
    const p = this.nodes, wx = this.#wx, wy = this.#wy, ls = this.#scale;
    const h = params[P_WIDTH], x0 = params[P_X0], y0 = params[P_Y0];
    const cx = params[P_CX], cy = params[P_CY];
    const last = (params[P_INTERVALS] | 0) - 1;
    const odd = this.#resultInWork();
    const nw = this.#narrow;
    const [aRe, aIm, bRe, bIm] = odd ? [nw[2], nw[3], nw[6], nw[7]] : [nw[0], nw[1], nw[4], nw[5]];
    for (let i = i0; i < i1; i++) {
      const u = (y[2 * i] - x0) / h, v = (y[2 * i + 1] - y0) / h;
      const ix = Math.min(last, Math.max(0, Math.floor(u)));
      const iy = Math.min(last, Math.max(0, Math.floor(v)));
      lagrange(u - ix, p, ls, wx);
      lagrange(v - iy, p, ls, wy);
      let f1 = 0, f2 = 0, f3 = 0, f4 = 0;
      for (let a = 0; a < p; a++) {
        const row = (ix * p + a) * m + iy * p;
        const wa = wx[a];
        for (let b = 0; b < p; b++) {
          const wab = wa * wy[b], k = row + b;
          f1 += wab * aRe[k];
          f2 += wab * aIm[k];
          f3 += wab * bRe[k];
          f4 += wab * bIm[k];
        }
      }
      const px = y[2 * i] - cx, py = y[2 * i + 1] - cy;
      rep[2 * i] = px * f1 - f2;
      rep[2 * i + 1] = py * f1 - f3;
      zPart[i] = (1 + px * px + py * py) * f1 - 2 * (px * f2 + py * f3) + f4 - 1;
    }
  }
}

/** dst[r][c] = src[c][r] for rows r in [r0, r1) of dst (dst has `cols` columns). */
function transpose(
  src: Float64Array,
  dst: Float64Array,
  cols: number,
  srcCols: number,
  r0: number,
  r1: number,
): void {
  const B = 16;
  for (let rb = r0; rb < r1; rb += B) {
    const re = Math.min(r1, rb + B);
    for (let cb = 0; cb < cols; cb += B) {
      const ce = Math.min(cols, cb + B);
      for (let r = rb; r < re; r++) {
        const o = r * cols;
        for (let c = cb; c < ce; c++) dst[o + c] = src[c * srcCols + r];
      }
    }
  }
}

/** Sums `zPart` in index order: Z, the same for any split of the points. */
export function sumInOrder(zPart: Float64Array): number {
  let z = 0;
  for (let i = 0; i < zPart.length; i++) z += zPart[i];
  return z;
}

const grids = new Map<string, FftGrid>();

/** A grid kept between calls for the same N and options (the serial functions below). */
function gridFor(n: number, options: FftOptions): FftGrid {
  const key = `${n}:${options.intervalWidth}:${options.minIntervals}:${options.nodes}`;
  let g = grids.get(key);
  if (!g) {
    g = new FftGrid(n, options);
    if (grids.size > 4) grids.clear();
    grids.set(key, g);
  }
  return g;
}

/**
 * Writes Σⱼ wᵢⱼ² (yᵢ − yⱼ) into `rep` [N, 2] for the row-major [N, 2] embedding `y` and returns
 * Z = Σ_{i≠j} wᵢⱼ, both by FFT-accelerated interpolation (one thread).
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { fftRepulsion } from "./fft.ts";
 * const y = randn([200, 2], { seed: 1, std: 3 }).data;
 * let z = 0;
 * for (let i = 0; i < 200; i++) {
 *   for (let j = 0; j < 200; j++) {
 *     if (i !== j) z += 1 / (1 + (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2);
 *   }
 * }
 * const approx = fftRepulsion(y, 200, new Float64Array(400), { intervalWidth: 0.5 });
 * if (Math.abs(approx - z) / z > 1e-3) throw new Error(`${approx} vs ${z}`);
 * ```
 */
export function fftRepulsion(
  y: Float64Array,
  n: number,
  rep: Float64Array,
  options: FftOptions = {},
): number {
  if (y.length !== 2 * n || rep.length !== 2 * n) {
    throw new RangeError(
      `fftRepulsion: y (${y.length}) and rep (${rep.length}) must be [${n}, 2]`,
    );
  }
  const grid = gridFor(n, options);
  grid.setup(y);
  const zPart = new Float64Array(n);
  for (const phase of FFT_PHASES) grid.phase(phase, 0, 1, y, rep, zPart);
  return sumInOrder(zPart);
}

/**
 * The t-SNE gradient with FFT-interpolated repulsion and exact sparse attraction, written into
 * `dy` [N, 2]; returns the approximate Z: dyᵢ = 4 (α Σⱼ pᵢⱼ wᵢⱼ (yᵢ − yⱼ) − repᵢ / Z).
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { knnAffinities } from "./affinity.ts";
 * import { fftGradient } from "./fft.ts";
 * import { exactKlGradient } from "./kl.ts";
 * const p = knnAffinities(randn([150, 4], { seed: 1 }), { perplexity: 10 }).p;
 * const y = randn([150, 2], { seed: 2, std: 4 }).data;
 * const a = new Float64Array(300), b = new Float64Array(300);
 * exactKlGradient(y, p, a);
 * fftGradient(y, p, b, { intervalWidth: 0.3 });
 * const err = Math.hypot(...a.map((v, i) => v - b[i])) / Math.hypot(...a);
 * if (err > 1e-3) throw new Error(String(err));
 * ```
 */
export function fftGradient(
  y: Float64Array,
  p: CsrMatrix,
  dy: Float64Array,
  options: FftOptions & { exaggeration?: number } = {},
): number {
  const n = p.n;
  const rep = new Float64Array(2 * n);
  const z = fftRepulsion(y, n, rep, options);
  attractionRange(p, y, options.exaggeration ?? 1, 0, n, dy);
  const invZ = 1 / z;
  for (let k = 0; k < 2 * n; k++) dy[k] = 4 * (dy[k] - rep[k] * invZ);
  return z;
}
