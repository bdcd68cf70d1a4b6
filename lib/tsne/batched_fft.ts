/**
 * A batched mixed-radix FFT for zero-padded convolutions on a grid: the discrete Fourier
 * transform along axis 0 of many columns at once, in WebAssembly with two-lane SIMD
 * (lib/tsne/batched_fft.wat), over a grid kept in a WebAssembly memory.
 *
 * For a grid x[L][·] and each column c of a range, the forward transform computes
 *
 *   X[k][c] = Σ_{j<rows} x[j][c] · exp(−2πi·jk/L),   k < L,
 *
 * reading only the rows j < rows (the rest is the zero padding), and the inverse computes
 *
 *   x[j][c] = Σ_{k<L} X[k][c] · exp(+2πi·jk/L),   j < rows (no 1/L scaling),
 *
 * writing only the rows j < rows. L is even with L/2 a product of 2s, 3s and 5s, and rows ≤ L/2,
 * which is what a linear convolution of `rows` points needs. The algorithm is Stockham's
 * self-sorting decimation in frequency: a stage of radix r splits each sub-transform of length n
 * into r of length n/r, reading one buffer and writing another, with no bit reversal. The first
 * stage of the forward transform and the last of the inverse are radix 2, pruned: the first
 * reads half the rows, the last writes `rows` of them.
 *
 * Columns go through all the stages a block of {@linkcode FFT_BLOCK_COLUMNS} at a time in a
 * compact scratch buffer (the first stage reads the grid, the last writes it back), so a block
 * stays in cache. Columns are independent, so any split of the columns between threads gives the
 * same numbers bit for bit. Column ranges start at an even column and have an even length (the
 * kernels do two columns per instruction).
 *
 * @module
 */

import { BATCHED_FFT_WASM } from "./batched_fft_wasm.ts";

/**
 * Columns transformed together through all stages: a block of 16 columns of a 1,000-point
 * transform, data and scratch, takes 512 KB and stays in the core's cache.
 */
export const FFT_BLOCK_COLUMNS = 16;

/** Radices in the order they are used (4 first: it needs fewest multiplications per point). */
const RADICES = [4, 2, 3, 5] as const;

/** Whether `n` ≥ 1 has no prime factor other than 2, 3 and 5. */
export function isFftSize(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  for (const r of [2, 3, 5]) while (n % r === 0) n /= r;
  return n === 1;
}

/** The smallest n′ ≥ n with no prime factor other than 2, 3 and 5. */
export function nextFftSize(n: number): number {
  let m = Math.max(1, Math.ceil(n));
  while (!isFftSize(m)) m++;
  return m;
}

/** The transform length for a linear convolution of `rows` points: the smallest valid L ≥ 2·rows. */
export function convolutionSize(rows: number): number {
  return 2 * nextFftSize(rows);
}

/** The WebAssembly exports of batched_fft.wat (addresses and widths in bytes). */
export interface FftKernels {
  /** A radix-r stage, r = 2, 3, 4, 5: (x → y, width, m, s, twiddles, sign). */
  stage2(...args: number[]): void;
  /** Radix 3. */
  stage3(...args: number[]): void;
  /** Radix 4. */
  stage4(...args: number[]): void;
  /** Radix 5. */
  stage5(...args: number[]): void;
  /** Pruned first radix-2 stage, input stored normally. */
  first2n(...args: number[]): void;
  /** Pruned first radix-2 stage, input stored transposed. */
  first2t(...args: number[]): void;
  /** Pruned last radix-2 stage, output stored normally. */
  last2n(...args: number[]): void;
  /** Pruned last radix-2 stage, output stored transposed. */
  last2t(...args: number[]): void;
  /** A complex block times a real one. */
  mulk(...args: number[]): void;
}

let compiled: WebAssembly.Module | undefined;

/** The kernels bound to `memory` (a shared WebAssembly memory; one instance per thread). */
export function fftKernels(memory: WebAssembly.Memory): FftKernels {
  compiled ??= new WebAssembly.Module(
    Uint8Array.from(atob(BATCHED_FFT_WASM), (c) => c.charCodeAt(0)),
  );
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as FftKernels;
}

/**
 * Where a transform works: the kernels, the byte address of the plan's twiddles (written by
 * {@linkcode BatchedFft.writeTwiddles}) and of this thread's scratch
 * ({@linkcode BatchedFft.scratchBytes} bytes, 16-byte aligned).
 */
export interface FftWorkspace {
  /** The kernels. */
  kernels: FftKernels;
  /** Byte address of the twiddles. */
  twiddles: number;
  /** Byte address of the scratch. */
  scratch: number;
}

/** A complex grid in the memory: byte addresses of the real and imaginary parts, bytes per row. */
export interface GridView {
  /** Byte address of element (0, 0) of the real parts. */
  re: number;
  /** Byte address of element (0, 0) of the imaginary parts. */
  im: number;
  /** Bytes from one row to the next (a multiple of 16). */
  row: number;
}

interface Stage {
  radix: number;
  /** Sub-transforms after the stage (n/r) and the stride (product of the earlier radices). */
  m: number;
  s: number;
  /** Byte offset of the stage's twiddles in the plan's table. */
  tw: number;
}

/**
 * A plan for length-L transforms (twiddle offsets; the values are written into the memory once
 * per grid by {@linkcode BatchedFft.writeTwiddles}).
 *
 * @example
 * ```ts
 * import { BatchedFft, fftKernels } from "./batched_fft.ts";
 * // Length 6, one row of input (a unit impulse in two columns): every frequency is 1.
 * const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
 * const f64 = new Float64Array(memory.buffer);
 * const plan = new BatchedFft(6);
 * const grid = { re: 4096, im: 8192, row: 16 };
 * const ws = { kernels: fftKernels(memory), twiddles: 0, scratch: 16384 };
 * plan.writeTwiddles(f64, ws.twiddles);
 * f64.set([1, 1], grid.re / 8);
 * plan.forward(ws, grid, 1, 0, 2);
 * if (f64.subarray(512, 524).join() !== "1,1,1,1,1,1,1,1,1,1,1,1") throw new Error("impulse");
 * ```
 */
export class BatchedFft {
  /** Transform length L. */
  readonly size: number;
  /** L/2. */
  readonly half: number;
  /** Bytes of the twiddle table. */
  readonly twiddleBytes: number;
  /** Bytes of scratch a thread needs: two complex blocks of L × FFT_BLOCK_COLUMNS. */
  readonly scratchBytes: number;
  #forward: Stage[];
  #inverse: Stage[];
  #scratchArray: number;

  /** Plans transforms of length `size` (even, size/2 a product of 2s, 3s and 5s). */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 2 || size % 2 !== 0 || !isFftSize(size / 2)) {
      throw new RangeError(
        `BatchedFft: size must be twice a positive 2,3,5-smooth integer, got ${size}`,
      );
    }
    this.size = size | 0;
    this.half = (size / 2) | 0;
    const tail: number[] = [];
    for (let n = this.half; n > 1;) {
      const r = RADICES.find((r) => n % r === 0)!;
      tail.push(r);
      n /= r;
    }
    let bytes = 0;
    const plan = (radices: number[]): Stage[] => {
      const stages: Stage[] = [];
      let n = this.size, s = 1;
      for (const radix of radices) {
        const m = n / radix;
        stages.push({ radix, m, s, tw: bytes });
        bytes += 16 * m * (radix - 1);
        n = m;
        s *= radix;
      }
      return stages;
    };
    this.#forward = plan([2, ...tail]);
    this.#inverse = plan([...tail, 2]);
    this.twiddleBytes = bytes;
    this.#scratchArray = 8 * this.size * FFT_BLOCK_COLUMNS;
    this.scratchBytes = 4 * this.#scratchArray;
  }

  /** Writes the twiddles (cos, sin of 2π·p·u/n per stage) into `memory` at byte address `at`. */
  writeTwiddles(memory: Float64Array, at: number): void {
    let n = this.size;
    for (const st of [...this.#forward, ...this.#inverse]) {
      if (st === this.#inverse[0]) n = this.size;
      const o = (at + st.tw) / 8;
      for (let p = 0; p < st.m; p++) {
        for (let u = 1; u < st.radix; u++) {
          const a = (2 * Math.PI * p * u) / n, k = o + 2 * (p * (st.radix - 1) + u - 1);
          memory[k] = Math.cos(a);
          memory[k + 1] = Math.sin(a);
        }
      }
      n = st.m;
    }
  }

  /**
   * Forward transform, in place, of columns [c0, c1) of `grid` (rows ≥ `rows` taken as zero and
   * not read; all L rows written).
   */
  forward(ws: FftWorkspace, grid: GridView, rows: number, c0: number, c1: number): void {
    for (let b0 = c0; b0 < c1; b0 += FFT_BLOCK_COLUMNS) {
      const w = 8 * (Math.min(c1, b0 + FFT_BLOCK_COLUMNS) - b0), o = 8 * b0;
      this.#runForward(ws, grid.re + o, grid.im + o, grid.row, false, rows, w, grid, o);
    }
  }

  /**
   * Inverse transform, in place, of columns [c0, c1) of `grid` (all L rows read; rows < `rows`
   * written).
   */
  inverse(ws: FftWorkspace, grid: GridView, rows: number, c0: number, c1: number): void {
    for (let b0 = c0; b0 < c1; b0 += FFT_BLOCK_COLUMNS) {
      const w = 8 * (Math.min(c1, b0 + FFT_BLOCK_COLUMNS) - b0), o = 8 * b0;
      this.#runInverse(ws, grid.re + o, grid.im + o, grid.row, false, rows, w, grid, o);
    }
  }

  /**
   * The forward transform of a block of at most {@linkcode FFT_BLOCK_COLUMNS} columns [c0, c1)
   * of `grid` stored transposed (column c is row c of the storage, rows ≥ `rows` zero), left in
   * the scratch: returns the byte address of its real parts; the imaginary parts follow at
   * {@linkcode BatchedFft.scratchArrayBytes}, rows are FFT_BLOCK_COLUMNS·8 bytes apart.
   */
  forwardTransposed(
    ws: FftWorkspace,
    grid: GridView,
    rows: number,
    c0: number,
    c1: number,
  ): number {
    const o = c0 * grid.row, w = 8 * (c1 - c0);
    return this.#runForward(ws, grid.re + o, grid.im + o, grid.row, true, rows, w, undefined, 0);
  }

  /** Bytes from the real to the imaginary parts of a scratch block. */
  get scratchArrayBytes(): number {
    return this.#scratchArray;
  }

  /**
   * A convolution along the columns [c0, c1) of `grid` stored transposed, in place: for each
   * block, the forward transform of rows < `rows`, the product with the real transform `k`
   * (byte address of element (0, c0 = 0), `kRow` bytes per row, columns as in the grid), and
   * the inverse transform back into rows < `rows`.
   */
  convolveTransposed(
    ws: FftWorkspace,
    grid: GridView,
    rows: number,
    c0: number,
    c1: number,
    k: number,
    kRow: number,
  ): void {
    const blockRow = 8 * FFT_BLOCK_COLUMNS;
    for (let b0 = c0; b0 < c1; b0 += FFT_BLOCK_COLUMNS) {
      const b1 = Math.min(c1, b0 + FFT_BLOCK_COLUMNS), w = 8 * (b1 - b0);
      const re = this.forwardTransposed(ws, grid, rows, b0, b1);
      ws.kernels.mulk(re, re + this.#scratchArray, blockRow, k + 8 * b0, kRow, w, this.size);
      const o = b0 * grid.row;
      this.#runInverse(ws, re, re + this.#scratchArray, blockRow, true, rows, w, grid, o);
    }
  }

  /**
   * The forward stages from (xr, xi) to the grid `out` at byte offset `o` (or, without `out`, to
   * the scratch); returns the byte address of the result's real parts.
   */
  #runForward(
    ws: FftWorkspace,
    xr: number,
    xi: number,
    xRow: number,
    transposed: boolean,
    rows: number,
    w: number,
    out: GridView | undefined,
    o: number,
  ): number {
    const k = ws.kernels, stages = this.#forward, a = this.#scratchArray;
    const blockRow = 8 * FFT_BLOCK_COLUMNS;
    let buf = 0;
    for (let i = 0; i < stages.length; i++) {
      const st = stages[i];
      let yr, yi, yRow;
      if (out && i === stages.length - 1) {
        yr = out.re + o;
        yi = out.im + o;
        yRow = out.row;
      } else {
        yr = ws.scratch + 2 * a * buf;
        yi = yr + a;
        yRow = blockRow;
        buf ^= 1;
      }
      const tw = ws.twiddles + st.tw;
      if (i === 0) {
        const first = transposed ? k.first2t : k.first2n;
        first(xr, xi, xRow, yr, yi, yRow, w, rows, this.half, tw, -1);
      } else stage(k, st.radix)(xr, xi, xRow, yr, yi, yRow, w, st.m, st.s, tw, -1);
      xr = yr;
      xi = yi;
      xRow = yRow;
    }
    return xr;
  }

  /**
   * The inverse stages from (xr, xi) (the grid, or a scratch buffer) to rows < `rows` of `out` at
   * byte offset `o`, stored transposed or not; the stages between go through the other scratch
   * buffer first, so that the input is read before it is overwritten.
   */
  #runInverse(
    ws: FftWorkspace,
    xr: number,
    xi: number,
    xRow: number,
    transposed: boolean,
    rows: number,
    w: number,
    out: GridView,
    o: number,
  ): void {
    const k = ws.kernels, stages = this.#inverse, a = this.#scratchArray;
    const blockRow = 8 * FFT_BLOCK_COLUMNS;
    let buf = xr === ws.scratch ? 1 : 0;
    for (let i = 0; i < stages.length - 1; i++) {
      const st = stages[i];
      const yr = ws.scratch + 2 * a * buf, yi = yr + a;
      stage(k, st.radix)(xr, xi, xRow, yr, yi, blockRow, w, st.m, st.s, ws.twiddles + st.tw, 1);
      buf ^= 1;
      xr = yr;
      xi = yi;
      xRow = blockRow;
    }
    const last = transposed ? k.last2t : k.last2n;
    last(xr, xi, xRow, out.re + o, out.im + o, out.row, w, rows, this.half);
  }
}

function stage(k: FftKernels, radix: number): (...args: number[]) => void {
  return radix === 4 ? k.stage4 : radix === 2 ? k.stage2 : radix === 3 ? k.stage3 : k.stage5;
}
