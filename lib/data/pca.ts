/**
 * Principal component analysis in float64: the top-k eigenvectors of the sample covariance
 * C = (X − 1μᵀ)ᵀ(X − 1μᵀ) / (N − 1), used to reduce MNIST to 50 dimensions before t-SNE and to
 * initialize the embedding (Kobak & Berens 2019).
 *
 * Small D: cyclic Jacobi on C (exact to rounding). Large D: subspace iteration with
 * Rayleigh-Ritz (k + {@linkcode PCA_OVERSAMPLING} vectors) until the top-k eigenvalues change by
 * less than `tol` relatively; Jacobi solves the small projected problems. Sparse rows (MNIST
 * pixels) build C from their non-zeros only.
 *
 * Sign convention: each component's entry of largest magnitude is positive, so results are
 * deterministic.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";

/** Default number of components (the usual t-SNE preprocessing). */
export const DEFAULT_PCA_COMPONENTS = 50;
/** Extra vectors carried by the subspace iteration. */
export const PCA_OVERSAMPLING = 20;
/** Dimension up to which the covariance is diagonalized directly by Jacobi. */
export const PCA_DIRECT_MAX_DIM = 120;
/** Default relative tolerance on the eigenvalues. */
export const DEFAULT_PCA_TOL = 1e-10;
/** Default cap on subspace iterations. */
export const DEFAULT_PCA_MAX_ITERATIONS = 300;
const JACOBI_MAX_SWEEPS = 100;
const SPARSE_FRACTION = 0.5;

/** Options of {@linkcode pca}. */
export interface PcaOptions {
  /** Components k, 1 ≤ k ≤ min(N, D). Default min(50, N, D). */
  components?: number;
  /** Relative eigenvalue tolerance of the subspace iteration. Default 1e-10. */
  tol?: number;
  /** Subspace iteration cap. Default 300. */
  maxIterations?: number;
  /** Seed of the starting subspace. Default 0. */
  seed?: number;
}

/** A PCA fit and the projected data. */
export interface PcaResult {
  /** Projected rows (X − μ)V, [N, k]. */
  scores: NDArray;
  /** Principal axes as rows, [k, D], orthonormal. */
  components: NDArray;
  /** Eigenvalues of C (variance along each axis), descending, length k. */
  explainedVariance: Float64Array;
  /** Column means μ, length D. */
  mean: Float64Array;
  /** Subspace iterations used (0 for the direct method). */
  iterations: number;
}

/**
 * Eigen-decomposition of a symmetric m×m matrix (row-major, overwritten) by cyclic Jacobi
 * rotations. Returns eigenvalues (descending) and eigenvectors as columns of an m×m matrix.
 *
 * @example
 * ```ts
 * import { symmetricEigen } from "./pca.ts";
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * if (Math.abs(values[0] - 3) > 1e-12 || Math.abs(values[1] - 1) > 1e-12) throw new Error();
 * ```
 */
export function symmetricEigen(
  a: Float64Array,
  m: number,
): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== m * m) {
    throw new RangeError(`symmetricEigen: a has ${a.length} entries, expected ${m}×${m}`);
  }
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < m; p++) {
      diag += a[p * m + p] * a[p * m + p];
      for (let q = p + 1; q < m; q++) off += a[p * m + q] * a[p * m + q];
    }
    if (off <= Number.EPSILON * Number.EPSILON * diag || off === 0) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        const app = a[p * m + p], aqq = a[q * m + q];
        // Rotation angle that zeroes a[p][q]: tan(2φ) = 2apq / (aqq − app).
        const tau = (aqq - app) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p], akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k], aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p], vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) =>
    a[j * m + j] - a[i * m + i] || i - j
  );
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    values[dst] = a[src * m + src];
    for (let k = 0; k < m; k++) vectors[k * m + dst] = v[k * m + src];
  });
  return { values, vectors };
}

function covariance(x: NDArray, mean: Float64Array): Float64Array {
  const [n, d] = x.shape;
  const a = x.data;
  const c = new Float64Array(d * d);
  let zeros = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) zeros++;
  if (zeros > SPARSE_FRACTION * a.length) {
    // Σ xxᵀ over non-zeros, then subtract N μμᵀ.
    const idx = new Int32Array(d);
    const val = new Float64Array(d);
    for (let r = 0; r < n; r++) {
      let m = 0;
      for (let t = 0; t < d; t++) {
        const v = a[r * d + t];
        if (v !== 0) {
          idx[m] = t;
          val[m++] = v;
        }
      }
      for (let u = 0; u < m; u++) {
        const row = idx[u] * d;
        const vu = val[u];
        for (let w = u; w < m; w++) c[row + idx[w]] += vu * val[w];
      }
    }
    for (let p = 0; p < d; p++) {
      for (let q = p; q < d; q++) c[p * d + q] -= n * mean[p] * mean[q];
    }
  } else {
    const row = new Float64Array(d);
    for (let r = 0; r < n; r++) {
      for (let t = 0; t < d; t++) row[t] = a[r * d + t] - mean[t];
      for (let p = 0; p < d; p++) {
        const vp = row[p];
        if (vp === 0) continue;
        const o = p * d;
        for (let q = p; q < d; q++) c[o + q] += vp * row[q];
      }
    }
  }
  const scale = 1 / (n - 1);
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      const v = c[p * d + q] * scale;
      c[p * d + q] = v;
      c[q * d + p] = v;
    }
  }
  return c;
}

/** out [D, m] = C [D, D] · Q [D, m]. */
function multiply(c: Float64Array, q: Float64Array, d: number, m: number, out: Float64Array) {
  out.fill(0);
  for (let i = 0; i < d; i++) {
    const oi = i * m;
    for (let k = 0; k < d; k++) {
      const cik = c[i * d + k];
      if (cik === 0) continue;
      const ok = k * m;
      for (let j = 0; j < m; j++) out[oi + j] += cik * q[ok + j];
    }
  }
}

/** [D, m] · [m, m]. */
function rotate(q: Float64Array, v: Float64Array, d: number, m: number): Float64Array {
  const out = new Float64Array(d * m);
  for (let r = 0; r < d; r++) {
    const o = r * m;
    for (let t = 0; t < m; t++) {
      const qrt = q[o + t];
      if (qrt === 0) continue;
      const ot = t * m;
      for (let j = 0; j < m; j++) out[o + j] += qrt * v[ot + j];
    }
  }
  return out;
}

/** Orthonormalizes the m columns of q [D, m] in place (modified Gram-Schmidt, twice). */
function orthonormalize(q: Float64Array, d: number, m: number, rng: Random): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += q[i * m + j] * q[i * m + k];
        for (let i = 0; i < d; i++) q[i * m + j] -= dot * q[i * m + k];
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += q[i * m + j] * q[i * m + j];
      norm = Math.sqrt(norm);
      if (!(norm > 1e-300)) {
        // Rank-deficient direction: replace by a random vector and redo this column.
        for (let i = 0; i < d; i++) q[i * m + j] = rng.normal();
        j--;
        continue;
      }
      for (let i = 0; i < d; i++) q[i * m + j] /= norm;
    }
  }
}

/**
 * PCA of `x` [N, D] to k components.
 * @throws RangeError for fewer than 2 rows, non-finite entries or k outside [1, min(N, D)]
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { pca } from "./pca.ts";
 * const r = pca(array([[0, 0], [1, 1], [2, 2], [3, 3]]), { components: 1 });
 * const axis = r.components.data;
 * if (Math.abs(axis[0] - Math.SQRT1_2) > 1e-12 || Math.abs(r.explainedVariance[0] - 10 / 3) > 1e-12) {
 *   throw new Error();
 * }
 * ```
 */
export function pca(x: NDArray, options: PcaOptions = {}): PcaResult {
  const fn = "pca";
  if (!(x instanceof NDArray) || x.ndim !== 2) {
    throw new TypeError(`${fn}: x must be a 2-D NDArray [N, D]`);
  }
  const [n, d] = x.shape;
  if (n < 2) throw new RangeError(`${fn}: x needs at least 2 rows, got [${n}, ${d}]`);
  const k = options.components ?? Math.min(DEFAULT_PCA_COMPONENTS, n, d);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(n, d)) {
    throw new RangeError(
      `${fn}: components must be an integer in [1, ${Math.min(n, d)}] for x [${n}, ${d}], got ${k}`,
    );
  }
  const a = x.data;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new RangeError(`${fn}: x row ${Math.floor(i / d)} column ${i % d} is ${a[i]}`);
    }
  }
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let t = 0; t < d; t++) mean[t] += a[r * d + t];
  for (let t = 0; t < d; t++) mean[t] /= n;
  const c = covariance(x, mean);
  let basis: Float64Array; // [D, k] columns
  let values: Float64Array;
  let iterations = 0;
  if (d <= PCA_DIRECT_MAX_DIM || k + PCA_OVERSAMPLING >= d) {
    const e = symmetricEigen(c.slice(), d);
    basis = new Float64Array(d * k);
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) basis[i * k + j] = e.vectors[i * d + j];
    values = e.values.slice(0, k);
  } else {
    const m = k + PCA_OVERSAMPLING;
    const tol = options.tol ?? DEFAULT_PCA_TOL;
    const maxIt = options.maxIterations ?? DEFAULT_PCA_MAX_ITERATIONS;
    const rng = new Random(options.seed ?? 0);
    let q: Float64Array = new Float64Array(d * m);
    rng.fillNormal(q);
    orthonormalize(q, d, m, rng);
    let cq: Float64Array = new Float64Array(d * m);
    multiply(c, q, d, m, cq);
    let prev = new Float64Array(k).fill(Infinity);
    values = new Float64Array(k);
    for (iterations = 1; iterations <= maxIt; iterations++) {
      // Q ← orth(C·Q), then Rayleigh-Ritz on T = Qᵀ C Q; C·Q is rotated along with Q, so each
      // iteration costs one product with C.
      [q, cq] = [cq, q];
      orthonormalize(q, d, m, rng);
      multiply(c, q, d, m, cq);
      const tm = new Float64Array(m * m);
      for (let i = 0; i < m; i++) {
        for (let j = i; j < m; j++) {
          let s = 0;
          for (let r = 0; r < d; r++) s += q[r * m + i] * cq[r * m + j];
          tm[i * m + j] = s;
          tm[j * m + i] = s;
        }
      }
      const e = symmetricEigen(tm, m);
      q = rotate(q, e.vectors, d, m);
      cq = rotate(cq, e.vectors, d, m);
      let change = 0;
      for (let j = 0; j < k; j++) {
        values[j] = e.values[j];
        change = Math.max(change, Math.abs(values[j] - prev[j]) / Math.max(values[0], 1e-300));
      }
      prev = values.slice();
      if (change <= tol) break;
    }
    iterations = Math.min(iterations, maxIt);
    basis = new Float64Array(d * k);
    for (let r = 0; r < d; r++) for (let j = 0; j < k; j++) basis[r * k + j] = q[r * m + j];
  }
  // Signs: the largest-magnitude entry of each axis is positive.
  const components = new Float64Array(k * d);
  for (let j = 0; j < k; j++) {
    let best = 0;
    for (let r = 0; r < d; r++) {
      if (Math.abs(basis[r * k + j]) > Math.abs(basis[best * k + j])) best = r;
    }
    const sign = basis[best * k + j] < 0 ? -1 : 1;
    for (let r = 0; r < d; r++) components[j * d + r] = sign * basis[r * k + j];
  }
  // Scores (x − μ)·v = x·v − μ·v, skipping zero entries of x (sparse rows cost their non-zeros).
  const meanDot = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < d; t++) meanDot[j] += mean[t] * components[j * d + t];
  }
  const byColumn = new Float64Array(d * k); // components transposed, [D, k]
  for (let j = 0; j < k; j++) {
    for (let t = 0; t < d; t++) byColumn[t * k + j] = components[j * d + t];
  }
  const scores = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) scores[o + j] = -meanDot[j];
    for (let t = 0; t < d; t++) {
      const v = a[i * d + t];
      if (v === 0) continue;
      const ot = t * k;
      for (let j = 0; j < k; j++) scores[o + j] += v * byColumn[ot + j];
    }
  }
  return {
    scores: new NDArray(scores, [n, k]),
    components: new NDArray(components, [k, d]),
    explainedVariance: values.map((v) => Math.max(v, 0)),
    mean,
    iterations,
  };
}
