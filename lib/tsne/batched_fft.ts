/**
 * A batched mixed-radix FFT: the discrete Fourier transform along axis 0 of a row-major grid,
 * for every column of a range at once, so that every inner loop runs over contiguous columns.
 *
 * For a grid x[L][stride] and each column c in [c0, c1), it computes
 *
 *   X[k][c] = Σ_{j<L} x[j][c] · exp(∓2πi·jk/L)   (− forward, + inverse; no 1/L scaling),
 *
 * for any L whose prime factors are 2, 3 and 5. The algorithm is Stockham's self-sorting
 * decimation in frequency: a stage of radix r splits a sub-transform of length n into r of length
 * n/r, reading x[q + s(p + t·n/r)] and writing y[q + s(rp + u)] = (Σₜ aₜ ω_r^{tu}) · ω_n^{pu};
 * the buffers alternate between stages and the output lands in natural order with no bit
 * reversal. Columns go through all stages a block at a time, so that the block stays in cache.
 * Columns are independent, so any split of the columns between threads gives the same numbers
 * bit for bit.
 *
 * @module
 */

/**
 * Columns transformed together through all stages: 32 columns of a 600-point transform, data
 * and work, take 600 KB, so a block stays in cache instead of every stage sweeping the grid.
 */
export const FFT_BLOCK_COLUMNS = 32;

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

interface Stage {
  radix: number;
  /** Sub-transform length before the stage. */
  n: number;
  /** Stride (product of the radices of earlier stages). */
  s: number;
  /** cos(2π·p·u/n) for p < n/r and 1 ≤ u < r, at p·(r − 1) + u − 1. */
  cos: Float64Array;
  /** sin of the same angles. */
  sin: Float64Array;
}

/** Which of the two buffers handed to {@linkcode BatchedFft.transform} holds the result. */
export type FftResult = "data" | "work";

/**
 * A plan for length-L transforms along axis 0 (twiddles computed once).
 *
 * @example
 * ```ts
 * import { BatchedFft } from "./batched_fft.ts";
 * // Two columns of length 6 side by side (a unit impulse and a constant), then im and work.
 * const buf = new Float64Array(48);
 * buf.set([1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
 * const at = new BatchedFft(6).transform(buf, 0, 12, 24, 36, 2, 0, 2, false);
 * const out = buf.subarray(at === "data" ? 0 : 24).subarray(0, 12);
 * // The impulse transforms to all ones, the constant to [6, 0, 0, 0, 0, 0].
 * if (out.join() !== "1,6,1,0,1,0,1,0,1,0,1,0") throw new Error(out.join());
 * ```
 */
export class BatchedFft {
  /** Transform length. */
  readonly size: number;
  #stages: Stage[];

  /** Plans transforms of length `size` (a product of 2s, 3s and 5s). */
  constructor(size: number) {
    if (!isFftSize(size)) {
      throw new RangeError(`BatchedFft: size must be a positive 2,3,5-smooth integer, got ${size}`);
    }
    this.size = size | 0;
    this.#stages = [];
    let n = size | 0, s = 1;
    while (n > 1) {
      const radix = RADICES.find((r) => n % r === 0)!;
      const m = n / radix;
      const cos = new Float64Array(m * (radix - 1));
      const sin = new Float64Array(m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let u = 1; u < radix; u++) {
          const a = (2 * Math.PI * p * u) / n;
          cos[p * (radix - 1) + u - 1] = Math.cos(a);
          sin[p * (radix - 1) + u - 1] = Math.sin(a);
        }
      }
      this.#stages.push({ radix, n, s, cos, sin });
      n = m | 0;
      s *= radix;
    }
  }

  /** Number of stages: the result is in the work buffers when it is odd. */
  get stages(): number {
    return this.#stages.length;
  }

  /**
   * Transforms columns [c0, c1) of the grid re + i·im, each [size][stride] and stored in `buf`
   * from offsets `re` and `im`, along axis 0, using the arrays at offsets `workRe` and `workIm`
   * (same size) as scratch. All four live in one buffer, so the hot loops see one array object
   * (V8 then compiles them for one map). Buffers alternate between stages: the result is in the
   * data arrays or in the work arrays, as returned, and the other pair is overwritten.
   */
  transform(
    buf: Float64Array,
    re: number,
    im: number,
    workRe: number,
    workIm: number,
    stride: number,
    c0: number,
    c1: number,
    inverse: boolean,
  ): FftResult {
    const sign = inverse ? 1 : -1;
    // All stages on a block of columns at a time: the block stays in cache between stages.
    for (let b0 = c0; b0 < c1; b0 += FFT_BLOCK_COLUMNS) {
      const b1 = Math.min(c1, b0 + FFT_BLOCK_COLUMNS);
      let xr = re, xi = im, yr = workRe, yi = workIm;
      for (const st of this.#stages) {
        if (st.radix === 4) radix4(st, buf, xr, xi, yr, yi, stride, b0, b1, sign);
        else if (st.radix === 2) radix2(st, buf, xr, xi, yr, yi, stride, b0, b1, sign);
        else if (st.radix === 3) radix3(st, buf, xr, xi, yr, yi, stride, b0, b1, sign);
        else radix5(st, buf, xr, xi, yr, yi, stride, b0, b1, sign);
        [xr, yr] = [yr, xr];
        [xi, yi] = [yi, xi];
      }
    }
    return this.#stages.length % 2 === 0 ? "data" : "work";
  }
}

function radix2(
  st: Stage,
  buf: Float64Array,
  xr: number,
  xi: number,
  yr: number,
  yi: number,
  stride: number,
  c0: number,
  c1: number,
  sign: number,
): void {
  const m = st.n / 2, s = st.s;
  for (let p = 0; p < m; p++) {
    const wr = st.cos[p], wi = sign * st.sin[p];
    for (let q = 0; q < s; q++) {
      const a0 = (q + s * p) * stride, a1 = a0 + s * m * stride;
      const b0 = (q + s * 2 * p) * stride, b1 = b0 + s * stride;
      for (let c = c0; c < c1; c++) {
        const ar = buf[xr + a0 + c],
          ai = buf[xi + a0 + c],
          br = buf[xr + a1 + c],
          bi = buf[xi + a1 + c];
        buf[yr + b0 + c] = ar + br;
        buf[yi + b0 + c] = ai + bi;
        const dr = ar - br, di = ai - bi;
        buf[yr + b1 + c] = dr * wr - di * wi;
        buf[yi + b1 + c] = dr * wi + di * wr;
      }
    }
  }
}

function radix4(
  st: Stage,
  buf: Float64Array,
  xr: number,
  xi: number,
  yr: number,
  yi: number,
  stride: number,
  c0: number,
  c1: number,
  sign: number,
): void {
  const m = st.n / 4, s = st.s;
  const step = s * m * stride;
  for (let p = 0; p < m; p++) {
    const w1r = st.cos[3 * p], w1i = sign * st.sin[3 * p];
    const w2r = st.cos[3 * p + 1], w2i = sign * st.sin[3 * p + 1];
    const w3r = st.cos[3 * p + 2], w3i = sign * st.sin[3 * p + 2];
    for (let q = 0; q < s; q++) {
      const a0 = (q + s * p) * stride, a1 = a0 + step, a2 = a1 + step, a3 = a2 + step;
      const b0 = (q + s * 4 * p) * stride, b1 = b0 + s * stride, b2 = b1 + s * stride;
      const b3 = b2 + s * stride;
      for (let c = c0; c < c1; c++) {
        const x0r = buf[xr + a0 + c],
          x0i = buf[xi + a0 + c],
          x1r = buf[xr + a1 + c],
          x1i = buf[xi + a1 + c];
        const x2r = buf[xr + a2 + c],
          x2i = buf[xi + a2 + c],
          x3r = buf[xr + a3 + c],
          x3i = buf[xi + a3 + c];
        const s02r = x0r + x2r, s02i = x0i + x2i, d02r = x0r - x2r, d02i = x0i - x2i;
        const s13r = x1r + x3r, s13i = x1i + x3i;
        // ±i·(x1 − x3): forward multiplies by −i, inverse by +i.
        const d13r = sign * (x3i - x1i), d13i = sign * (x1r - x3r);
        buf[yr + b0 + c] = s02r + s13r;
        buf[yi + b0 + c] = s02i + s13i;
        const y1r = d02r + d13r, y1i = d02i + d13i;
        buf[yr + b1 + c] = y1r * w1r - y1i * w1i;
        buf[yi + b1 + c] = y1r * w1i + y1i * w1r;
        const y2r = s02r - s13r, y2i = s02i - s13i;
        buf[yr + b2 + c] = y2r * w2r - y2i * w2i;
        buf[yi + b2 + c] = y2r * w2i + y2i * w2r;
        const y3r = d02r - d13r, y3i = d02i - d13i;
        buf[yr + b3 + c] = y3r * w3r - y3i * w3i;
        buf[yi + b3 + c] = y3r * w3i + y3i * w3r;
      }
    }
  }
}

const SIN_60 = Math.sqrt(3) / 2;

function radix3(
  st: Stage,
  buf: Float64Array,
  xr: number,
  xi: number,
  yr: number,
  yi: number,
  stride: number,
  c0: number,
  c1: number,
  sign: number,
): void {
  const m = st.n / 3, s = st.s;
  const step = s * m * stride;
  const h = sign * SIN_60;
  for (let p = 0; p < m; p++) {
    const w1r = st.cos[2 * p], w1i = sign * st.sin[2 * p];
    const w2r = st.cos[2 * p + 1], w2i = sign * st.sin[2 * p + 1];
    for (let q = 0; q < s; q++) {
      const a0 = (q + s * p) * stride, a1 = a0 + step, a2 = a1 + step;
      const b0 = (q + s * 3 * p) * stride, b1 = b0 + s * stride, b2 = b1 + s * stride;
      for (let c = c0; c < c1; c++) {
        const x0r = buf[xr + a0 + c],
          x0i = buf[xi + a0 + c],
          x1r = buf[xr + a1 + c],
          x1i = buf[xi + a1 + c];
        const x2r = buf[xr + a2 + c], x2i = buf[xi + a2 + c];
        const tr = x1r + x2r, ti = x1i + x2i;
        const mr = x0r - 0.5 * tr, mi = x0i - 0.5 * ti;
        // ω = −½ + i·sign·√3/2: (x1 − x2)·i·sign·√3/2.
        const er = -h * (x1i - x2i), ei = h * (x1r - x2r);
        buf[yr + b0 + c] = x0r + tr;
        buf[yi + b0 + c] = x0i + ti;
        const y1r = mr + er, y1i = mi + ei;
        buf[yr + b1 + c] = y1r * w1r - y1i * w1i;
        buf[yi + b1 + c] = y1r * w1i + y1i * w1r;
        const y2r = mr - er, y2i = mi - ei;
        buf[yr + b2 + c] = y2r * w2r - y2i * w2i;
        buf[yi + b2 + c] = y2r * w2i + y2i * w2r;
      }
    }
  }
}

const C72 = Math.cos((2 * Math.PI) / 5), S72 = Math.sin((2 * Math.PI) / 5);
const C144 = Math.cos((4 * Math.PI) / 5), S144 = Math.sin((4 * Math.PI) / 5);

function radix5(
  st: Stage,
  buf: Float64Array,
  xr: number,
  xi: number,
  yr: number,
  yi: number,
  stride: number,
  c0: number,
  c1: number,
  sign: number,
): void {
  const m = st.n / 5, s = st.s;
  const step = s * m * stride;
  const s72 = sign * S72, s144 = sign * S144;
  for (let p = 0; p < m; p++) {
    const o = 4 * p;
    const w1r = st.cos[o], w1i = sign * st.sin[o], w2r = st.cos[o + 1], w2i = sign * st.sin[o + 1];
    const w3r = st.cos[o + 2], w3i = sign * st.sin[o + 2];
    const w4r = st.cos[o + 3], w4i = sign * st.sin[o + 3];
    for (let q = 0; q < s; q++) {
      const a0 = (q + s * p) * stride, a1 = a0 + step, a2 = a1 + step, a3 = a2 + step;
      const a4 = a3 + step;
      const b0 = (q + s * 5 * p) * stride, b1 = b0 + s * stride, b2 = b1 + s * stride;
      const b3 = b2 + s * stride, b4 = b3 + s * stride;
      for (let c = c0; c < c1; c++) {
        const x0r = buf[xr + a0 + c], x0i = buf[xi + a0 + c];
        const p14r = buf[xr + a1 + c] + buf[xr + a4 + c],
          p14i = buf[xi + a1 + c] + buf[xi + a4 + c];
        const m14r = buf[xr + a1 + c] - buf[xr + a4 + c],
          m14i = buf[xi + a1 + c] - buf[xi + a4 + c];
        const p23r = buf[xr + a2 + c] + buf[xr + a3 + c],
          p23i = buf[xi + a2 + c] + buf[xi + a3 + c];
        const m23r = buf[xr + a2 + c] - buf[xr + a3 + c],
          m23i = buf[xi + a2 + c] - buf[xi + a3 + c];
        buf[yr + b0 + c] = x0r + p14r + p23r;
        buf[yi + b0 + c] = x0i + p14i + p23i;
        // u = 1, 4: x0 + C72·p14 + C144·p23 ± i·(s72·m14 + s144·m23)
        const r1r = x0r + C72 * p14r + C144 * p23r, r1i = x0i + C72 * p14i + C144 * p23i;
        const i1r = -(s72 * m14i + s144 * m23i), i1i = s72 * m14r + s144 * m23r;
        // u = 2, 3: x0 + C144·p14 + C72·p23 ± i·(s144·m14 − s72·m23)
        const r2r = x0r + C144 * p14r + C72 * p23r, r2i = x0i + C144 * p14i + C72 * p23i;
        const i2r = -(s144 * m14i - s72 * m23i), i2i = s144 * m14r - s72 * m23r;
        let vr = r1r + i1r, vi = r1i + i1i;
        buf[yr + b1 + c] = vr * w1r - vi * w1i;
        buf[yi + b1 + c] = vr * w1i + vi * w1r;
        vr = r2r + i2r;
        vi = r2i + i2i;
        buf[yr + b2 + c] = vr * w2r - vi * w2i;
        buf[yi + b2 + c] = vr * w2i + vi * w2r;
        vr = r2r - i2r;
        vi = r2i - i2i;
        buf[yr + b3 + c] = vr * w3r - vi * w3i;
        buf[yi + b3 + c] = vr * w3i + vi * w3r;
        vr = r1r - i1r;
        vi = r1i - i1i;
        buf[yr + b4 + c] = vr * w4r - vi * w4i;
        buf[yi + b4 + c] = vr * w4i + vi * w4r;
      }
    }
  }
}
