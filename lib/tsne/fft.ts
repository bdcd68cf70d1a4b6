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
 * with zero-padded FFTs of size L ≥ 2M (twice a 2,3,5-smooth number; lib/tsne/batched_fft.ts),
 * and the potentials are interpolated back. The four real charges travel as two complex grids
 * (1 + i·y⁽¹⁾ and y⁽²⁾ + i·‖y‖²), which works because the kernel's transform is real.
 *
 * The width h is `intervalWidth` once the points span more than `minIntervals` widths, and
 * otherwise the smallest step of the ladder intervalWidth·2^(−j/8) that still covers them with
 * `minIntervals` cells. So h, and with it the kernel's transform, changes only when L or the
 * ladder step does: the transform is computed once per grid and reused until then.
 *
 * The node grids are stored [x][y], L rows (x, and then x-frequency) of L/2 columns (M used).
 * The work runs in five phases, each split into ranges that touch disjoint memory, so that
 * several threads can share one grid:
 *
 * 1. spread: charges to the nodes (rows x < M), split by x-interval;
 * 2. forward: the transform along x, split by column y;
 * 3. convolve: for each x-frequency (a row of the storage, read as a column), the transform along
 *    y, the product with the kernel's transform and the inverse along y, split by x-frequency;
 * 4. backward: the inverse along x, back into rows x < M, split by column y;
 * 5. gather: potentials to the points, split by point.
 *
 * Every number is computed by the same operations in the same order whatever the split, so the
 * result is bit for bit the same for any number of threads. Cost per call: O(N·nodes²) +
 * O(L² log L); storage 3·L² doubles (four L × L/2 node grids and the kernel's transform) and a
 * scratch block per thread.
 *
 * @module
 */

import type { CsrMatrix } from "./affinity.ts";
import { attractionRange, boundingBox } from "./barnes_hut.ts";
import {
  BatchedFft,
  convolutionSize,
  FFT_BLOCK_COLUMNS,
  type FftKernels,
  fftKernels,
  type FftWorkspace,
  type GridView,
} from "./batched_fft.ts";

/**
 * Interpolation nodes per interval and axis. FIt-SNE uses 3; 4 (node spacing 1/4 instead of
 * 1/3 at width 1) cuts the repulsion error of a converged 20,000-point embedding from 1.05% to
 * 0.28%, and that shows in the result: on 20,000 points of the 50-D mixture the final KL was
 * 3.432 with 3 nodes, 3.395 with 4, and 3.396 with Barnes-Hut at θ = 0.2 (FIt-SNE reached 3.400
 * in the same benchmark), for about 1.4 times the update time (13.1 s against 9.2 s of 1000
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
 * about 250 MB).
 */
export const FFT_MAX_INTERVALS = 400;
/**
 * Most interpolation nodes per interval: the largest grid of 8 nodes takes about 1 GB, and a
 * WebAssembly memory holds at most 4 GiB (equispaced nodes of higher order are less accurate at
 * the same grid size anyway).
 */
export const FFT_MAX_NODES = 8;
/** Ladder steps of the interval width per halving (see the module documentation). */
const LADDER_STEPS = 8;

/** Options of the FFT repulsion. */
export interface FftOptions {
  /** Largest interval width (smaller is more accurate and slower). Default 1. */
  intervalWidth?: number;
  /** Fewest intervals per axis. Default 50. */
  minIntervals?: number;
  /** Interpolation nodes per interval, 1 to 8. Default 4. */
  nodes?: number;
}

/** The phases of one evaluation, in order. */
export const FFT_PHASES = ["spread", "forward", "convolve", "backward", "gather"] as const;

/** One phase of {@linkcode FftGrid.phase}. */
export type FftPhase = typeof FFT_PHASES[number];

/**
 * Slots of the shared parameter block; from P_SPLIT on, the first x-interval that each thread
 * spreads (threads + 1 entries, the last one the interval count).
 */
const P_SIZE = 0, P_INTERVALS = 1, P_WIDTH = 2, P_X0 = 3, P_Y0 = 4, P_CX = 5, P_CY = 6;
const P_SPLIT = 7;
/** WebAssembly page size in bytes. */
const PAGE = 65536;

/** Byte addresses of the parts of the grid storage for L = `size` and `threads`. */
interface Layout {
  /**
   * The four node grids (charges 1 + i·y⁽¹⁾ and y⁽²⁾ + i·‖y‖²), L rows of L/2 rounded up to even
   * (M ≤ L/2 columns are used; all of them when the kernel's transform is made there).
   */
  grids: number[];
  /** Bytes per row of a node grid. */
  row: number;
  /** The kernel's transform, L × L. */
  kernel: number;
  /** The first thread's scratch (the others follow). */
  scratch: number;
  /** Bytes in all. */
  bytes: number;
}

/**
 * Storage layout: twiddles (at most 64·L bytes), the four node grids, the kernel's transform,
 * and one scratch per thread.
 */
function layoutOf(size: number, threads: number, twiddleBytes: number): Layout {
  const half = size / 2, row = 8 * (half + (half % 2)), gridBytes = size * row;
  const at = Math.ceil(twiddleBytes / 16) * 16;
  const grids = [0, 1, 2, 3].map((k) => at + k * gridBytes);
  const kernel = at + 4 * gridBytes, scratch = kernel + 8 * size * size;
  const bytes = scratch + threads * 4 * 8 * size * FFT_BLOCK_COLUMNS;
  return { grids, row, kernel, scratch, bytes };
}

/** Pages of a memory that holds the largest grid of `nodes` nodes per interval for `threads`. */
function memoryPages(nodes: number, threads: number): number {
  const m = nodes * FFT_MAX_INTERVALS, size = convolutionSize(m);
  return Math.ceil(layoutOf(size, threads, 64 * size).bytes / PAGE);
}

/** The even-aligned half-open range of part `t` of `parts` of [0, total), total even. */
function evenShareOf(total: number, t: number, parts: number): [number, number] {
  const [a, b] = shareOf(total / 2, t, parts);
  return [2 * a, 2 * b];
}

/** Where the buffers of a grid live: one storage memory and one parameter block. */
export interface FftGridBuffers {
  /**
   * Grid storage: a shared WebAssembly memory with room for the largest grid (address space is
   * reserved; memory is used only where the grid has been), so no grid is ever copied or left
   * behind for the collector, and every thread sees the same bytes.
   */
  memory: WebAssembly.Memory;
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
 * The interpolation grid of one embedding size N: its storage, the FFT plan and the kernel's
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
  /** Threads that may share the grid (each has its own scratch). */
  readonly threads: number;
  #buffers: FftGridBuffers;
  #f64: Float64Array;
  #kernels: FftKernels;
  #size = 0;
  #m = 0;
  #plan: BatchedFft | undefined;
  #layout: Layout | undefined;
  #views: GridView[] = [];
  #workspaces: FftWorkspace[] = [];
  #gridArrays: Float64Array[] = [];
  #kernelKey = "";
  #wx: Float64Array;
  #box = new Float64Array(4);
  #counts = new Int32Array(FFT_MAX_INTERVALS);
  #scale: Float64Array;
  #wy: Float64Array;

  /**
   * A grid for `n` points that up to `threads` threads may share; `buffers` binds the grid to
   * the storage of a grid made elsewhere (in another thread).
   * @throws RangeError for nodes outside 1…8, intervalWidth ≤ 0, minIntervals < 1 or threads < 1
   */
  constructor(n: number, options: FftOptions = {}, threads = 1, buffers?: FftGridBuffers) {
    const fn = "FftGrid";
    this.n = n;
    this.nodes = options.nodes ?? FFT_NODES;
    this.intervalWidth = options.intervalWidth ?? FFT_INTERVAL_WIDTH;
    this.minIntervals = options.minIntervals ?? FFT_MIN_INTERVALS;
    this.threads = threads;
    if (!Number.isInteger(this.nodes) || this.nodes < 1 || this.nodes > FFT_MAX_NODES) {
      throw new RangeError(
        `${fn}: nodes must be an integer from 1 to ${FFT_MAX_NODES}, got ${this.nodes}`,
      );
    }
    if (!(this.intervalWidth > 0) || !Number.isFinite(this.intervalWidth)) {
      throw new RangeError(`${fn}: intervalWidth must be > 0, got ${this.intervalWidth}`);
    }
    if (!Number.isInteger(this.minIntervals) || this.minIntervals < 1) {
      throw new RangeError(`${fn}: minIntervals must be an integer ≥ 1, got ${this.minIntervals}`);
    }
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`${fn}: threads must be a positive integer, got ${threads}`);
    }
    if (!buffers) {
      const pages = memoryPages(this.nodes, threads);
      buffers = {
        memory: new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }),
        params: new Float64Array(
          new SharedArrayBuffer((P_SPLIT + threads + 1) * Float64Array.BYTES_PER_ELEMENT),
        ),
      };
    }
    this.#buffers = buffers;
    this.#f64 = new Float64Array(buffers.memory.buffer);
    this.#kernels = fftKernels(buffers.memory);
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
   * Chooses the grid for embedding `y` [N, 2]: box, width, intervals, FFT size; writes the
   * twiddles and recomputes the kernel's transform when the grid changed.
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
    // While the embedding is narrower than minIntervals widths, M moves between about 0.92 and 1
    // times nodes·minIntervals as the ladder steps; one L for all of them keeps the kernel's
    // transform from being made again at each step (L flipped between 384 and 400 at 4 nodes).
    const size = convolutionSize(Math.max(m, p * this.minIntervals));
    const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    params[P_SIZE] = size;
    params[P_INTERVALS] = intervals;
    params[P_WIDTH] = h;
    params[P_X0] = cx - (intervals * h) / 2;
    params[P_Y0] = cy - (intervals * h) / 2;
    params[P_CX] = cx;
    params[P_CY] = cy;
    this.#splitSpread(y, intervals);
    // The kernel's transform covers offsets up to L/2 nodes, so it serves every M ≤ L/2: it
    // changes only with L and the node spacing, not each time the embedding gains an interval.
    const key = `${size}:${h}`;
    if (key !== this.#kernelKey) {
      const sizeChanged = size !== this.#size;
      this.#bind();
      if (sizeChanged) this.#plan!.writeTwiddles(this.#f64, 0);
      this.#kernelTransform(size, h / p);
      this.#kernelKey = key;
    }
  }

  /**
   * Splits the x-intervals between the threads so that each spreads about N / threads points
   * (the clusters of an embedding are not spread evenly over x).
   */
  #splitSpread(y: Float64Array, intervals: number): void {
    const params = this.#buffers.params, counts = this.#counts, threads = this.threads;
    const h = params[P_WIDTH], x0 = params[P_X0], last = intervals - 1;
    counts.fill(0, 0, intervals);
    for (let i = 0; i < this.n; i++) counts[cellOf((y[2 * i] - x0) / h, last)]++;
    let ix = 0, seen = 0;
    for (let t = 0; t < threads; t++) {
      const want = (this.n * t) / threads;
      while (ix < intervals && seen + counts[ix] <= want) seen += counts[ix++];
      params[P_SPLIT + t] = t === 0 ? 0 : ix;
    }
    params[P_SPLIT + threads] = intervals;
  }

  /** The plan and the layout of the current grid, made again only when L or M changes. */
  #bind(): void {
    const params = this.#buffers.params;
    // Integers read back from a Float64Array are doubles to V8: `| 0` keeps index arithmetic in
    // small integers (without it the loops ran at half speed).
    const size = params[P_SIZE] | 0, m = (this.nodes * params[P_INTERVALS]) | 0;
    if (size === this.#size && m === this.#m) return;
    this.#m = m;
    if (size === this.#size) return;
    this.#plan = new BatchedFft(size);
    const layout = layoutOf(size, this.threads, this.#plan.twiddleBytes);
    this.#layout = layout;
    const cells = (size * layout.row) / 8;
    this.#gridArrays = layout.grids.map((at) => this.#f64.subarray(at / 8, at / 8 + cells));
    const [a, ai, b, bi] = layout.grids;
    this.#views = [{ re: a, im: ai, row: layout.row }, { re: b, im: bi, row: layout.row }];
    const plan = this.#plan, kernels = this.#kernels;
    this.#workspaces = Array.from({ length: this.threads }, (_, t) => ({
      kernels,
      twiddles: 0,
      scratch: layout.scratch + t * plan.scratchBytes,
    }));
    this.#size = size;
  }

  /**
   * K̂/L²: the transform of the kernel on node offsets (−L/2, L/2)², real and even in each axis
   * (a convolution of M ≤ L/2 nodes uses the offsets below M only). It is computed from the
   * quarter g = w·K/L² on [0, L/2)² (w = 1 on an axis, 2 off it) by the same pruned transforms as
   * the charges: with G = DFT(g), K̂[kx][ky] = ½ Re(G[kx][ky] + G[kx][−ky]). Stored as [ky][kx],
   * so that a block of kx columns multiplies rows of the transposed pass.
   */
  #kernelTransform(size: number, delta: number): void {
    const layout = this.#layout!, plan = this.#plan!, ws = this.#workspaces[0];
    const [re, im] = this.#gridArrays, stride = layout.row / 8, f64 = this.#f64, m = size / 2;
    re.fill(0, 0, m * stride);
    im.fill(0, 0, m * stride);
    const scale = 1 / (size * size);
    for (let x = 0; x < m; x++) {
      for (let y = 0; y < m; y++) {
        const k = 1 / (1 + delta * delta * (x * x + y * y));
        re[x * stride + y] = (x === 0 ? 1 : 2) * (y === 0 ? 1 : 2) * k * k * scale;
      }
    }
    const grid = this.#views[0], cols = stride;
    plan.forward(ws, grid, m, 0, cols);
    const kAt = layout.kernel / 8, blockRow = FFT_BLOCK_COLUMNS;
    for (let b0 = 0; b0 < size; b0 += FFT_BLOCK_COLUMNS) {
      const b1 = Math.min(size, b0 + FFT_BLOCK_COLUMNS);
      const s = plan.forwardTransposed(ws, grid, m, b0, b1) / 8;
      for (let ky = 0; ky < size; ky++) {
        const a = s + ky * blockRow, b = s + ((size - ky) % size) * blockRow;
        const o = kAt + ky * size + b0;
        for (let c = 0; c < b1 - b0; c++) f64[o + c] = 0.5 * (f64[a + c] + f64[b + c]);
      }
    }
  }

  /** The part [start, end) of the range of `phase` that part `t` of `parts` does. */
  range(phase: FftPhase, t: number, parts: number): [number, number] {
    const params = this.#buffers.params;
    const size = params[P_SIZE] | 0, m = (this.nodes * params[P_INTERVALS]) | 0;
    if (phase === "spread") {
      if (parts !== this.threads) return shareOf(params[P_INTERVALS] | 0, t, parts);
      return [params[P_SPLIT + t] | 0, params[P_SPLIT + t + 1] | 0];
    }
    if (phase === "forward" || phase === "backward") return evenShareOf(m + (m % 2), t, parts);
    if (phase === "gather") return shareOf(this.n, t, parts);
    return evenShareOf(size, t, parts);
  }

  /**
   * Runs part `t` of `parts` (at most {@linkcode FftGrid.threads}) of one phase. `gather` writes
   * the repulsion of its points into `rep` [N, 2] and each point's Σ_{j≠i} wᵢⱼ into `zPart` [N]
   * (so Z = Σᵢ zPartᵢ); the other phases touch only the grid.
   */
  phase(
    phase: FftPhase,
    t: number,
    parts: number,
    y: Float64Array,
    rep: Float64Array,
    zPart: Float64Array,
  ): void {
    if (parts > this.threads) {
      throw new RangeError(
        `FftGrid.phase: ${parts} parts, but the grid has ${this.threads} threads`,
      );
    }
    this.#bind();
    const [c0, c1] = this.range(phase, t, parts);
    const m = this.#m, plan = this.#plan!, [a, b] = this.#views;
    if (phase === "spread") {
      const rowCells = (this.nodes * this.#layout!.row) / 8;
      for (const g of this.#gridArrays) g.fill(0, c0 * rowCells, c1 * rowCells);
      this.#spread(y, c0, c1);
      return;
    }
    if (c0 === c1) return;
    const ws = this.#workspaces[t];
    if (phase === "forward") {
      plan.forward(ws, a, m, c0, c1);
      plan.forward(ws, b, m, c0, c1);
    } else if (phase === "convolve") {
      const k = this.#layout!.kernel, kRow = 8 * this.#size;
      plan.convolveTransposed(ws, a, m, c0, c1, k, kRow);
      plan.convolveTransposed(ws, b, m, c0, c1, k, kRow);
    } else if (phase === "backward") {
      plan.inverse(ws, a, m, c0, c1);
      plan.inverse(ws, b, m, c0, c1);
    } else this.#gather(y, c0, c1, rep, zPart);
  }

  /** Spreads the charges of the points in x-intervals [i0, i1) onto the node grids. */
  #spread(y: Float64Array, i0: number, i1: number): void {
    const params = this.#buffers.params;
    const p = this.nodes, n = this.n, wx = this.#wx, wy = this.#wy, ls = this.#scale;
    const h = params[P_WIDTH], x0 = params[P_X0], y0 = params[P_Y0];
    const cx = params[P_CX], cy = params[P_CY];
    const last = (params[P_INTERVALS] | 0) - 1, stride = (this.#layout!.row / 8) | 0;
    const [aRe, aIm, bRe, bIm] = this.#gridArrays;
    for (let i = 0; i < n; i++) {
      const u = (y[2 * i] - x0) / h;
      const ix = cellOf(u, last);
      if (ix < i0 || ix >= i1) continue;
      const v = (y[2 * i + 1] - y0) / h;
      const iy = cellOf(v, last);
      lagrange(u - ix, p, ls, wx);
      lagrange(v - iy, p, ls, wy);
      const px = y[2 * i] - cx, py = y[2 * i + 1] - cy, q4 = px * px + py * py;
      for (let a = 0; a < p; a++) {
        const row = (ix * p + a) * stride + iy * p;
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
  #gather(y: Float64Array, i0: number, i1: number, rep: Float64Array, zPart: Float64Array): void {
    const params = this.#buffers.params;
    const p = this.nodes, wx = this.#wx, wy = this.#wy, ls = this.#scale;
    const h = params[P_WIDTH], x0 = params[P_X0], y0 = params[P_Y0];
    const cx = params[P_CX], cy = params[P_CY];
    const last = (params[P_INTERVALS] | 0) - 1, stride = (this.#layout!.row / 8) | 0;
    const [aRe, aIm, bRe, bIm] = this.#gridArrays;
    for (let i = i0; i < i1; i++) {
      const u = (y[2 * i] - x0) / h, v = (y[2 * i + 1] - y0) / h;
      const ix = cellOf(u, last), iy = cellOf(v, last);
      lagrange(u - ix, p, ls, wx);
      lagrange(v - iy, p, ls, wy);
      let f1 = 0, f2 = 0, f3 = 0, f4 = 0;
      for (let a = 0; a < p; a++) {
        const row = (ix * p + a) * stride + iy * p;
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

/** The interval of a coordinate u given in interval widths from the corner, clamped to [0, last]. */
function cellOf(u: number, last: number): number {
  return Math.min(last, Math.max(0, Math.floor(u)));
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
