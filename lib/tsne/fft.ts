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
 * The bounding square is cut into intervals, each with `nodes` equispaced interpolation nodes;
 * charges are spread to the node grid with Lagrange weights, the grid-to-grid sums are a 2-D
 * convolution done by zero-padded FFTs, and potentials are interpolated back. Cost per call:
 * O(N·nodes²) + O(L² log L) for an L×L FFT grid. The error falls as the interval width shrinks
 * (tested against the exact sums).
 *
 * @module
 */

import type { CsrMatrix } from "./affinity.ts";
import { attractionRange } from "./barnes_hut.ts";

/** Interpolation nodes per interval and axis (FIt-SNE's default). */
export const FFT_NODES = 3;
/** Default largest interval width, in embedding units. */
export const FFT_INTERVAL_WIDTH = 1.5;
/** Fewest intervals per axis (FIt-SNE uses 50; fewer keeps the grid small while y is small). */
export const FFT_MIN_INTERVALS = 20;

/** Options of the FFT repulsion. */
export interface FftOptions {
  /** Largest interval width (smaller is more accurate and slower). Default 1.5. */
  intervalWidth?: number;
  /** Fewest intervals per axis. Default 20. */
  minIntervals?: number;
  /** Interpolation nodes per interval. Default 3. */
  nodes?: number;
}

/** In-place iterative radix-2 FFT of (re, im) with stride 1, length a power of 2. */
class Fft {
  #n: number;
  #cos: Float64Array;
  #sin: Float64Array;
  #rev: Int32Array;

  constructor(n: number) {
    this.#n = n;
    this.#cos = new Float64Array(n / 2);
    this.#sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) {
      this.#cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.#sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.#rev = new Int32Array(n);
    const bits = Math.round(Math.log2(n));
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#rev[i] = r;
    }
  }

  /** Forward (sign −1) or inverse without scaling (sign +1) transform of one line. */
  transform(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const n = this.#n;
    const rev = this.#rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    const sgn = inverse ? 1 : -1;
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const c = this.#cos[k * step];
          const s = sgn * this.#sin[k * step];
          const a = start + k;
          const b = a + half;
          const xr = re[b] * c - im[b] * s;
          const xi = re[b] * s + im[b] * c;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

const fftCache = new Map<number, Fft>();

function fftOf(n: number): Fft {
  let f = fftCache.get(n);
  if (!f) {
    f = new Fft(n);
    fftCache.set(n, f);
  }
  return f;
}

/** Transforms every column of an L×L grid in place (through one column-sized buffer). */
function transformColumns(
  f: Fft,
  re: Float64Array,
  im: Float64Array,
  size: number,
  inverse: boolean,
): void {
  const lr = new Float64Array(size);
  const li = new Float64Array(size);
  for (let c = 0; c < size; c++) {
    for (let r = 0; r < size; r++) {
      lr[r] = re[r * size + c];
      li[r] = im[r * size + c];
    }
    f.transform(lr, li, inverse);
    for (let r = 0; r < size; r++) {
      re[r * size + c] = lr[r];
      im[r * size + c] = li[r];
    }
  }
}

/**
 * 2-D transform of an L×L grid (row-major re/im). Rows beyond `rowsUsed` are zero on input of a
 * forward transform and are skipped; `rowsNeeded` limits the row pass of an inverse transform.
 */
function fft2d(
  re: Float64Array,
  im: Float64Array,
  size: number,
  inverse: boolean,
  rowsUsed: number,
  rowsNeeded: number,
): void {
  const f = fftOf(size);
  if (!inverse) {
    for (let r = 0; r < rowsUsed; r++) {
      const o = r * size;
      f.transform(re.subarray(o, o + size), im.subarray(o, o + size), false);
    }
    transformColumns(f, re, im, size, false);
    return;
  }
  // Inverse: columns first (all), then only the rows that are read back.
  transformColumns(f, re, im, size, true);
  for (let r = 0; r < rowsNeeded; r++) {
    const o = r * size;
    f.transform(re.subarray(o, o + size), im.subarray(o, o + size), true);
  }
}

/** Lagrange weights of `nodes` equispaced nodes (k + ½)/nodes at t ∈ [0, 1]. */
function lagrange(t: number, nodes: number, out: Float64Array, o: number): void {
  for (let k = 0; k < nodes; k++) {
    const tk = (k + 0.5) / nodes;
    let w = 1;
    for (let m = 0; m < nodes; m++) {
      if (m === k) continue;
      const tm = (m + 0.5) / nodes;
      w *= (t - tm) / (tk - tm);
    }
    out[o + k] = w;
  }
}

/**
 * Writes Σⱼ wᵢⱼ² (yᵢ − yⱼ) into `rep` [N, 2] for the row-major [N, 2] embedding `y` and returns
 * Z = Σ_{i≠j} wᵢⱼ, both by FFT-accelerated interpolation.
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
  const fn = "fftRepulsion";
  const p = options.nodes ?? FFT_NODES;
  const width0 = options.intervalWidth ?? FFT_INTERVAL_WIDTH;
  const minInt = options.minIntervals ?? FFT_MIN_INTERVALS;
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`${fn}: nodes must be ≥ 1, got ${p}`);
  if (!(width0 > 0)) throw new RangeError(`${fn}: intervalWidth must be > 0, got ${width0}`);
  if (y.length !== 2 * n || rep.length !== 2 * n) {
    throw new RangeError(`${fn}: y (${y.length}) and rep (${rep.length}) must be [${n}, 2]`);
  }
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = y[2 * i], b = y[2 * i + 1];
    if (a < minX) minX = a;
    if (a > maxX) maxX = a;
    if (b < minY) minY = b;
    if (b > maxY) maxY = b;
  }
  const span = Math.max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-12;
  // Intervals: enough for the width, then as many as the power-of-2 FFT grid holds anyway.
  const needed = Math.max(minInt, Math.ceil(span / width0));
  let size = 2;
  while (size < 2 * needed * p) size <<= 1;
  const nInt = Math.floor(size / (2 * p));
  const m = nInt * p; // grid nodes per axis
  const h = span / nInt;
  const delta = h / p;
  // Coordinates relative to the box centre keep the charges ‖y‖² small.
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const x0 = cx - span / 2, y0 = cy - span / 2;
  const cellX = new Int32Array(n), cellY = new Int32Array(n);
  const wx = new Float64Array(n * p), wy = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const u = (y[2 * i] - x0) / h, v = (y[2 * i + 1] - y0) / h;
    const ix = Math.min(nInt - 1, Math.floor(u)), iy = Math.min(nInt - 1, Math.floor(v));
    cellX[i] = ix;
    cellY[i] = iy;
    lagrange(u - ix, p, wx, i * p);
    lagrange(v - iy, p, wy, i * p);
  }
  // Spread the four charges onto two packed complex grids: (1, y₁) and (y₂, ‖y‖²).
  const cells = size * size;
  const aRe = new Float64Array(cells), aIm = new Float64Array(cells);
  const bRe = new Float64Array(cells), bIm = new Float64Array(cells);
  for (let i = 0; i < n; i++) {
    const px = y[2 * i] - cx, py = y[2 * i + 1] - cy;
    const q2 = px, q3 = py, q4 = px * px + py * py;
    const gx0 = cellX[i] * p, gy0 = cellY[i] * p;
    for (let a = 0; a < p; a++) {
      const row = (gx0 + a) * size + gy0;
      const wa = wx[i * p + a];
      for (let b = 0; b < p; b++) {
        const w = wa * wy[i * p + b];
        const k = row + b;
        aRe[k] += w;
        aIm[k] += w * q2;
        bRe[k] += w * q3;
        bIm[k] += w * q4;
      }
    }
  }
  // Kernel on grid offsets, embedded circulantly: offset −d lives at index size − d.
  const kRe = new Float64Array(cells), kIm = new Float64Array(cells);
  for (let dx = -(m - 1); dx <= m - 1; dx++) {
    const r = dx < 0 ? size + dx : dx;
    for (let dy = -(m - 1); dy <= m - 1; dy++) {
      const c = dy < 0 ? size + dy : dy;
      const d2 = delta * delta * (dx * dx + dy * dy);
      const k = 1 / (1 + d2);
      kRe[r * size + c] = k * k;
    }
  }
  fft2d(kRe, kIm, size, false, size, size);
  fft2d(aRe, aIm, size, false, m, size);
  fft2d(bRe, bIm, size, false, m, size);
  // The kernel is real and even, so its transform is real: multiply both packed grids by it.
  for (let k = 0; k < cells; k++) {
    const s = kRe[k];
    aRe[k] *= s;
    aIm[k] *= s;
    bRe[k] *= s;
    bIm[k] *= s;
  }
  fft2d(aRe, aIm, size, true, size, m);
  fft2d(bRe, bIm, size, true, size, m);
  const scale = 1 / cells;
  // Interpolate the potentials back and assemble.
  let z = 0;
  for (let i = 0; i < n; i++) {
    let f1 = 0, f2 = 0, f3 = 0, f4 = 0;
    const gx0 = cellX[i] * p, gy0 = cellY[i] * p;
    for (let a = 0; a < p; a++) {
      const row = (gx0 + a) * size + gy0;
      const wa = wx[i * p + a];
      for (let b = 0; b < p; b++) {
        const w = wa * wy[i * p + b];
        const k = row + b;
        f1 += w * aRe[k];
        f2 += w * aIm[k];
        f3 += w * bRe[k];
        f4 += w * bIm[k];
      }
    }
    f1 *= scale;
    f2 *= scale;
    f3 *= scale;
    f4 *= scale;
    const px = y[2 * i] - cx, py = y[2 * i + 1] - cy;
    rep[2 * i] = px * f1 - f2;
    rep[2 * i + 1] = py * f1 - f3;
    z += (1 + px * px + py * py) * f1 - 2 * (px * f2 + py * f3) + f4 - 1;
  }
  return z;
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
  const attr = new Float64Array(2 * n);
  const z = fftRepulsion(y, n, rep, options);
  attractionRange(p, y, options.exaggeration ?? 1, 0, n, attr);
  const invZ = 1 / z;
  for (let k = 0; k < 2 * n; k++) dy[k] = 4 * (attr[k] - rep[k] * invZ);
  return z;
}
