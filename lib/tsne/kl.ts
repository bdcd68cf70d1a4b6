/**
 * The t-SNE objective: KL(P‖Q) between the input affinities P and the Student-t similarities
 * of the embedding, and its exact O(N²) gradient (van der Maaten & Hinton 2008, eq. 5).
 *
 * With wᵢⱼ = 1/(1 + ‖yᵢ − yⱼ‖²), Z = Σ_{k≠l} w_kl and qᵢⱼ = wᵢⱼ/Z:
 *
 *   KL = Σᵢⱼ pᵢⱼ ln(pᵢⱼ/qᵢⱼ) = Σ pᵢⱼ ln pᵢⱼ − Σ pᵢⱼ ln wᵢⱼ + (Σ pᵢⱼ)·ln Z
 *
 *   ∂KL/∂yᵢ = 4 Σⱼ (pᵢⱼ − qᵢⱼ) wᵢⱼ (yᵢ − yⱼ)
 *
 * Terms with pᵢⱼ = 0 contribute 0 (0·ln 0 = 0). With early exaggeration α the optimizer follows
 * 4 Σⱼ (α pᵢⱼ − qᵢⱼ) wᵢⱼ (yᵢ − yⱼ), which is not the gradient of a KL divergence, so
 * `exaggeration` exists only in {@linkcode exactKlGradient}.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { type CsrMatrix, squaredDistance } from "./affinity.ts";

/** What {@linkcode klBackward} needs from {@linkcode klForward}. */
export interface KlCache {
  /** The embedding [N, d]. */
  y: NDArray;
  /** The joint probabilities. */
  p: CsrMatrix;
  /** Z = Σ_{k≠l} w_kl at `y`. */
  z: number;
}

function validate(y: NDArray, p: CsrMatrix, fn: string): [number, number] {
  if (!(y instanceof NDArray) || y.ndim !== 2) {
    throw new TypeError(`${fn}: y must be a 2-D NDArray [N, d]`);
  }
  const [n, d] = y.shape;
  if (!p || p.n !== n || p.rowPtr.length !== n + 1) {
    throw new RangeError(`${fn}: P is ${p?.n}×${p?.n} but y has shape [${n}, ${d}]`);
  }
  if (n < 2) throw new RangeError(`${fn}: y needs at least 2 points, got [${n}, ${d}]`);
  return [n, d];
}

/**
 * Z = Σ_{i≠j} 1/(1 + ‖yᵢ − yⱼ‖²) for a row-major [N, d] buffer, O(N²·d).
 *
 * @example
 * ```ts
 * import { studentZ } from "./kl.ts";
 * if (studentZ(new Float64Array([0, 0, 1, 0]), 2, 2) !== 1) throw new Error();
 * ```
 */
export function studentZ(y: Float64Array, n: number, d: number): number {
  let z = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      const s = squaredDistance(y, oi, y, oj, d);
      z += 1 / (1 + s);
    }
  }
  return 2 * z;
}

/**
 * KL(P‖Q) given Z (exact or approximate): Σ pᵢⱼ ln pᵢⱼ − Σ pᵢⱼ ln wᵢⱼ + (Σ pᵢⱼ) ln Z, over
 * the stored entries of P only, O(nnz·d).
 *
 * @example
 * ```ts
 * import { symmetrize } from "./affinity.ts";
 * import { klFromZ } from "./kl.ts";
 * // Two points: q₀₁ = q₁₀ = 1/2 = p, so KL = 0.
 * const p = symmetrize(2, 1, new Int32Array([1, 0]), new Float64Array([1, 1]));
 * if (Math.abs(klFromZ(p, new Float64Array([0, 0, 3, 4]), 2, 2 / 26)) > 1e-15) throw new Error();
 * ```
 */
export function klFromZ(p: CsrMatrix, y: Float64Array, d: number, z: number): number {
  const parts = new Float64Array(p.n);
  klRows(p, y, d, 0, p.n, parts);
  let kl = 0;
  for (let i = 0; i < p.n; i++) kl += parts[i];
  return kl + pSum(p) * Math.log(z);
}

/**
 * The Z-free part of {@linkcode klFromZ} row by row: `out[i]` = Σⱼ pᵢⱼ ln(pᵢⱼ (1 + ‖yᵢ − yⱼ‖²))
 * for rows [start, end) (one logarithm per entry; rows are independent, so threads can share
 * the work and sum the rows in order).
 */
export function klRows(
  p: CsrMatrix,
  y: Float64Array,
  d: number,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const { rowPtr, cols, vals } = p;
  for (let i = start; i < end; i++) {
    const oi = i * d;
    let acc = 0;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const v = vals[e];
      if (v <= 0) continue;
      const oj = cols[e] * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const u = y[oi + t] - y[oj + t];
        s += u * u;
      }
      acc += v * Math.log(v * (1 + s));
    }
    out[i] = acc;
  }
}

/** Σ pᵢⱼ over the positive stored entries (1 up to rounding for a normalized P). */
export function pSum(p: CsrMatrix): number {
  let s = 0;
  for (let e = 0; e < p.vals.length; e++) if (p.vals[e] > 0) s += p.vals[e];
  return s;
}

/**
 * Forward: the exact KL(P‖Q) of embedding `y` [N, d] (any d ≥ 1), O(N²·d).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { exactAffinities } from "./affinity.ts";
 * import { klBackward, klForward } from "./kl.ts";
 * const x = array([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5]]);
 * const p = exactAffinities(x, { perplexity: 2 }).p;
 * const { out, cache } = klForward(x.mul(0.1), p);
 * const { dy } = klBackward(1, cache);
 * if (!(out > 0) || dy.shape.join() !== "5,2") throw new Error();
 * ```
 */
export function klForward(y: NDArray, p: CsrMatrix): { out: number; cache: KlCache } {
  const [n, d] = validate(y, p, "klForward");
  const z = studentZ(y.data, n, d);
  return { out: klFromZ(p, y.data, d, z), cache: { y, p, z } };
}

/**
 * Backward: dy = dout · ∂KL/∂y, dyᵢ = 4·dout·Σⱼ (pᵢⱼ − qᵢⱼ) wᵢⱼ (yᵢ − yⱼ), shape [N, d].
 */
export function klBackward(dout: number, cache: KlCache): { dy: NDArray } {
  const [n, d] = cache.y.shape;
  const dy = new Float64Array(n * d);
  exactKlGradient(cache.y.data, cache.p, dy, { dims: d, z: cache.z });
  if (dout !== 1) { for (let i = 0; i < dy.length; i++) dy[i] *= dout; }
  return { dy: new NDArray(dy, [n, d]) };
}

/** Options of {@linkcode exactKlGradient}. */
export interface ExactGradientOptions {
  /** Embedding dimension d. Default 2. */
  dims?: number;
  /** Early exaggeration α multiplying P in the attractive term. Default 1. */
  exaggeration?: number;
  /** Z if already known (skips one O(N²) pass). */
  z?: number;
}

/**
 * Writes 4 Σⱼ (α pᵢⱼ − qᵢⱼ) wᵢⱼ (yᵢ − yⱼ) into `dy` for a row-major [N, d] buffer `y` and
 * returns Z. O(N²·d) time, O(1) extra memory. The optimizer's exact engine.
 *
 * @example
 * ```ts
 * import { symmetrize } from "./affinity.ts";
 * import { exactKlGradient } from "./kl.ts";
 * const p = symmetrize(2, 1, new Int32Array([1, 0]), new Float64Array([1, 1]));
 * const dy = new Float64Array(4);
 * exactKlGradient(new Float64Array([0, 0, 1, 0]), p, dy);
 * if (dy.some((v) => v !== 0)) throw new Error("p = q for two points: zero gradient");
 * ```
 */
export function exactKlGradient(
  y: Float64Array,
  p: CsrMatrix,
  dy: Float64Array,
  options: ExactGradientOptions = {},
): number {
  const d = options.dims ?? 2;
  const alpha = options.exaggeration ?? 1;
  const n = p.n;
  if (y.length !== n * d || dy.length !== n * d) {
    throw new RangeError(
      `exactKlGradient: y (${y.length}) and dy (${dy.length}) must have N·d = ${n * d} entries`,
    );
  }
  dy.fill(0);
  // Repulsion: rᵢ = Σⱼ wᵢⱼ² (yᵢ − yⱼ), accumulated symmetrically, and Z.
  let z = 0;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const oj = j * d;
      const s = squaredDistance(y, oi, y, oj, d);
      const w = 1 / (1 + s);
      z += 2 * w;
      const w2 = w * w;
      for (let t = 0; t < d; t++) {
        const f = w2 * (y[oi + t] - y[oj + t]);
        dy[oi + t] -= f;
        dy[oj + t] += f;
      }
    }
  }
  const zUsed = options.z ?? z;
  const invZ = 1 / zUsed;
  for (let i = 0; i < n * d; i++) dy[i] *= invZ;
  // Attraction over the stored entries of P.
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++) {
      const oj = p.cols[e] * d;
      const s = squaredDistance(y, oi, y, oj, d);
      const c = alpha * p.vals[e] / (1 + s);
      for (let t = 0; t < d; t++) dy[oi + t] += c * (y[oi + t] - y[oj + t]);
    }
  }
  for (let i = 0; i < n * d; i++) dy[i] *= 4;
  return z;
}
