/**
 * t-SNE input affinities: the perplexity calibration of each point's Gaussian and the symmetric,
 * sparse joint probabilities P that the embedding tries to reproduce (sheet 000 §8 names t-SNE;
 * van der Maaten & Hinton 2008, van der Maaten 2014).
 *
 * For point i with squared distances dᵢⱼ² to its candidate neighbours j, the conditional
 * probabilities are p(j|i) = exp(−βᵢ dᵢⱼ²) / Σₖ exp(−βᵢ dᵢₖ²). The precision βᵢ = 1/(2σᵢ²) is
 * found by bisection so that the entropy H(Pᵢ) = −Σⱼ p(j|i) ln p(j|i) equals ln(perplexity)
 * within {@linkcode ENTROPY_TOLERANCE}. Then P = (P_cond + P_condᵀ) / (2N), which sums to 1.
 *
 * Candidates are all other points (`exactAffinities`, O(N²)) or the k = ⌊3·perplexity⌋ nearest
 * neighbours found by exact search (`knnAffinities`), as in Barnes-Hut t-SNE.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";

/** Entropy tolerance of the perplexity bisection, in nats. */
export const ENTROPY_TOLERANCE = 1e-5;
/** Bisection steps before giving up on a point (the report counts such points). */
export const MAX_BISECTION_STEPS = 200;
/** Neighbours per perplexity unit in the sparse affinities (van der Maaten 2014). */
export const NEIGHBORS_PER_PERPLEXITY = 3;
/** Default perplexity (van der Maaten & Hinton 2008; scikit-learn, Rtsne, openTSNE). */
export const DEFAULT_PERPLEXITY = 30;
/** The smallest number of points t-SNE accepts. */
export const MIN_POINTS = 4;

/**
 * A sparse N×N matrix in compressed sparse row form: row i holds the columns
 * `cols[rowPtr[i]..rowPtr[i+1])` (ascending) with values `vals` at the same positions.
 */
export interface CsrMatrix {
  /** Number of rows (= columns). */
  n: number;
  /** Row offsets, length n + 1. */
  rowPtr: Int32Array;
  /** Column of each stored entry. */
  cols: Int32Array;
  /** Value of each stored entry. */
  vals: Float64Array;
}

/** The joint probabilities P and how well the perplexity calibration went. */
export interface Affinities {
  /** Symmetric P, entries sum to 1, zero diagonal. */
  p: CsrMatrix;
  /** Target perplexity. */
  perplexity: number;
  /** Candidate neighbours per point (N − 1 for exact affinities). */
  neighbors: number;
  /** Precision βᵢ = 1/(2σᵢ²) of each point, length N. */
  betas: Float64Array;
  /** Largest |H(Pᵢ) − ln(perplexity)| over the points, in nats. */
  maxEntropyError: number;
  /**
   * Points whose entropy could not reach ln(perplexity) (more than `perplexity` exact duplicates
   * at their smallest distance); they get the uniform distribution over those duplicates.
   */
  unconverged: number;
}

/** Options of the affinity functions. */
export interface AffinityOptions {
  /** Target perplexity, 1 ≤ perplexity < neighbours. Default 30. */
  perplexity?: number;
  /** Candidate neighbours for `knnAffinities`. Default min(N − 1, ⌊3·perplexity⌋). */
  neighbors?: number;
}

/** The result of an exact k-nearest-neighbour search. */
export interface KnnResult {
  /** Neighbours per point. */
  k: number;
  /** Indices, [N, k] row-major, nearest first (ties by lower index). */
  indices: Int32Array;
  /** Squared Euclidean distances, [N, k], ascending. */
  distances: Float64Array;
}

/** Result of calibrating one row. */
export interface RowCalibration {
  /** Precision β found. */
  beta: number;
  /** |H − ln(perplexity)| at that β. */
  entropyError: number;
  /** False when the target entropy is out of reach. */
  converged: boolean;
}

/**
 * Calibrates one point: writes p(j|i) for squared distances `dist2` into `out` (same length) so
 * that the entropy is ln(perplexity). Distances are shifted by their minimum before
 * exponentiating, so huge distances never underflow every term to zero.
 *
 * Edge cases: all candidates at the same distance give the uniform distribution (entropy
 * ln(count), any β); more than `perplexity` candidates tied at the minimum make the target
 * unreachable and give the uniform distribution over those ties (`converged: false`).
 *
 * @example
 * ```ts
 * import { calibrateRow } from "./affinity.ts";
 * const p = new Float64Array(4);
 * const r = calibrateRow(new Float64Array([1, 2, 3, 4]), 2, p);
 * const h = -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
 * if (!r.converged || Math.abs(h - Math.log(2)) > 1e-5) throw new Error("entropy");
 * ```
 */
export function calibrateRow(
  dist2: Float64Array,
  perplexity: number,
  out: Float64Array,
): RowCalibration {
  const m = dist2.length;
  if (out.length !== m) {
    throw new RangeError(
      `calibrateRow: out has length ${out.length} but dist2 has length ${m}`,
    );
  }
  if (m === 0) throw new RangeError("calibrateRow: dist2 is empty");
  let dmin = Infinity;
  for (let j = 0; j < m; j++) if (dist2[j] < dmin) dmin = dist2[j];
  const target = Math.log(perplexity);
  // Work in units of the mean excess distance so that β' = 1 is a good start at any scale
  // (even denormal distances); the reported β is β' / scale.
  let spread = 0;
  for (let j = 0; j < m; j++) spread += dist2[j] - dmin;
  spread /= m;
  const scale = spread > 0 && Number.isFinite(1 / spread) ? spread : 1;
  let beta = 1;
  let lo = 0;
  let hi = Infinity;
  let err = Infinity;
  const entropyAt = (b: number): number => {
    let s = 0;
    let sd = 0;
    for (let j = 0; j < m; j++) {
      const d = (dist2[j] - dmin) / scale;
      const e = Math.exp(-b * d);
      out[j] = e;
      s += e;
      sd += e * d;
    }
    for (let j = 0; j < m; j++) out[j] /= s;
    return Math.log(s) + (b * sd) / s;
  };
  for (let step = 0; step < MAX_BISECTION_STEPS; step++) {
    const h = entropyAt(beta);
    const diff = h - target;
    err = Math.abs(diff);
    if (err <= ENTROPY_TOLERANCE) return { beta: beta / scale, entropyError: err, converged: true };
    if (diff > 0) {
      // Entropy too high: sharpen the Gaussian.
      lo = beta;
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
    if (!(beta > 0) || !Number.isFinite(beta)) break;
    if (hi !== Infinity && hi - lo <= Number.EPSILON * hi) break;
  }
  const h = entropyAt(beta);
  err = Math.abs(h - target);
  return { beta: beta / scale, entropyError: err, converged: err <= ENTROPY_TOLERANCE };
}

function validatePoints(x: NDArray, fn: string): [number, number] {
  if (!(x instanceof NDArray) || x.ndim !== 2) {
    throw new TypeError(
      `${fn}: x must be a 2-D NDArray [N, D], got ${
        x instanceof NDArray ? `shape [${x.shape.join(", ")}]` : typeof x
      }`,
    );
  }
  const [n, d] = x.shape;
  if (n < MIN_POINTS) {
    throw new RangeError(`${fn}: x has ${n} points [${n}, ${d}], t-SNE needs at least 4`);
  }
  if (d < 1) throw new RangeError(`${fn}: x has no columns [${n}, ${d}]`);
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new RangeError(
        `${fn}: x row ${Math.floor(i / d)} column ${i % d} is ${x.data[i]}, expected finite`,
      );
    }
  }
  return [n, d];
}

function validatePerplexity(perplexity: number, neighbors: number, n: number, fn: string): void {
  if (typeof perplexity !== "number" || !Number.isFinite(perplexity) || perplexity < 1) {
    throw new RangeError(`${fn}: perplexity must be a finite number ≥ 1, got ${perplexity}`);
  }
  if (perplexity >= n - 1) {
    throw new RangeError(
      `${fn}: perplexity ${perplexity} must be below N − 1 = ${n - 1} for N = ${n} points`,
    );
  }
  if (perplexity >= neighbors) {
    throw new RangeError(
      `${fn}: perplexity ${perplexity} must be below the neighbour count ${neighbors}`,
    );
  }
}

/** Squared Euclidean distance between rows i and j of a row-major [N, D] buffer. */
function rowDist2(a: Float64Array, i: number, j: number, d: number): number {
  let s = 0;
  const oi = i * d;
  const oj = j * d;
  for (let t = 0; t < d; t++) {
    const v = a[oi + t] - a[oj + t];
    s += v * v;
  }
  return s;
}

/** The scan order of {@linkcode knnRange}: points sorted along the column of largest variance. */
export interface KnnSetup {
  /** Coordinate of each point on that column. */
  proj: Float64Array;
  /** Point indices sorted by `proj` (ties by index). */
  sorted: Int32Array;
}

/** Sorts the points of a row-major [N, D] buffer along its column of largest variance. */
export function knnSetup(a: Float64Array, n: number, d: number): KnnSetup {
  let axis = 0;
  let bestVar = -1;
  for (let t = 0; t < d; t++) {
    let m = 0, v = 0;
    for (let i = 0; i < n; i++) m += a[i * d + t];
    m /= n;
    for (let i = 0; i < n; i++) v += (a[i * d + t] - m) ** 2;
    if (v > bestVar) [bestVar, axis] = [v, t];
  }
  const proj = new Float64Array(n);
  for (let i = 0; i < n; i++) proj[i] = a[i * d + axis];
  const sorted = Int32Array.from({ length: n }, (_, i) => i).sort((u, v) =>
    proj[u] - proj[v] || u - v
  );
  return { proj, sorted };
}

/**
 * Exact k nearest neighbours of the points at positions `start..end` of `setup.sorted`, written
 * into rows of `indices`/`distances` ([N, k], nearest first, ties by lower index). Candidates are
 * scanned outward from each point along the sorted column: once that coordinate alone differs by
 * more than the current k-th distance, no farther point can enter (|xᵢₜ − xⱼₜ|² ≤ ‖xᵢ − xⱼ‖²).
 * Points are independent, so any split of the range gives identical rows.
 */
export function knnRange(
  a: Float64Array,
  d: number,
  k: number,
  setup: KnnSetup,
  start: number,
  end: number,
  indices: Int32Array,
  distances: Float64Array,
): void {
  const { proj, sorted } = setup;
  const n = sorted.length;
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  let size = 0;
  let oi = 0;
  const consider = (j: number): void => {
    const bound = size === k ? heapD[0] : Infinity;
    let s = 0;
    const oj = j * d;
    for (let t = 0; t < d; t++) {
      const v = a[oi + t] - a[oj + t];
      s += v * v;
      if (s > bound) return;
    }
    if (size < k) {
      // Sift up into the max-heap (larger distance, then larger index, on top).
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (heapD[p] > s || (heapD[p] === s && heapI[p] > j)) break;
        heapD[c] = heapD[p];
        heapI[c] = heapI[p];
        c = p;
      }
      heapD[c] = s;
      heapI[c] = j;
    } else if (s < heapD[0] || (s === heapD[0] && j < heapI[0])) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        let m = l;
        const r = l + 1;
        if (r < k && (heapD[r] > heapD[l] || (heapD[r] === heapD[l] && heapI[r] > heapI[l]))) {
          m = r;
        }
        if (heapD[m] < s || (heapD[m] === s && heapI[m] < j)) break;
        heapD[c] = heapD[m];
        heapI[c] = heapI[m];
        c = m;
      }
      heapD[c] = s;
      heapI[c] = j;
    }
  };
  for (let pos = start; pos < end; pos++) {
    const i = sorted[pos];
    size = 0;
    oi = i * d;
    const pi = proj[i];
    let lo = pos - 1;
    let hi = pos + 1;
    let loOpen = lo >= 0;
    let hiOpen = hi < n;
    while (loOpen || hiOpen) {
      if (hiOpen) {
        const j = sorted[hi];
        const g = proj[j] - pi;
        if (size === k && g * g > heapD[0]) hiOpen = false;
        else {
          consider(j);
          hiOpen = ++hi < n;
        }
      }
      if (loOpen) {
        const j = sorted[lo];
        const g = pi - proj[j];
        if (size === k && g * g > heapD[0]) loOpen = false;
        else {
          consider(j);
          loOpen = --lo >= 0;
        }
      }
    }
    // Heap-sort the row ascending into the output.
    const order = Array.from({ length: k }, (_, t) => t).sort((u, v) =>
      heapD[u] - heapD[v] || heapI[u] - heapI[v]
    );
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = heapI[order[t]];
      distances[i * k + t] = heapD[order[t]];
    }
  }
}

/**
 * Exact k nearest neighbours (squared Euclidean) of every row of `x` [N, D], excluding the point
 * itself: candidates sorted along the column of largest variance are scanned outward from each
 * point with a bounded max-heap, stopping when that coordinate alone rules out the rest, and
 * partial distances exit early. O(N²·D) worst case; far less when the leading columns carry most
 * variance (PCA output).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { nearestNeighbors } from "./affinity.ts";
 * const r = nearestNeighbors(array([[0], [1], [3], [7]]), 2);
 * if (r.indices.join() !== "1,2,0,2,1,0,2,1") throw new Error(r.indices.join());
 * ```
 */
export function nearestNeighbors(x: NDArray, k: number): KnnResult {
  const fn = "nearestNeighbors";
  const [n, d] = validatePoints(x, fn);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new RangeError(`${fn}: k must be an integer in [1, ${n - 1}] for N = ${n}, got ${k}`);
  }
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  knnRange(x.data, d, k, knnSetup(x.data, n, d), 0, n, indices, distances);
  return { k, indices, distances };
}

/**
 * Symmetrizes conditional probabilities given as rows of `k` entries ([N, k] column indices and
 * values, each row summing to 1): P = (P_cond + P_condᵀ) / (2N), in CSR with sorted columns.
 *
 * @example
 * ```ts
 * import { symmetrize } from "./affinity.ts";
 * const p = symmetrize(2, 1, new Int32Array([1, 0]), new Float64Array([1, 1]));
 * if (p.vals.join() !== "0.5,0.5") throw new Error(p.vals.join());
 * ```
 */
export function symmetrize(
  n: number,
  k: number,
  indices: Int32Array,
  values: Float64Array,
): CsrMatrix {
  if (indices.length !== n * k || values.length !== n * k) {
    throw new RangeError(
      `symmetrize: indices (${indices.length}) and values (${values.length}) must have n·k = ${
        n * k
      } entries`,
    );
  }
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      counts[i + 1]++;
      counts[indices[i * k + t] + 1]++;
    }
  }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const tmpCols = new Int32Array(counts[n]);
  const tmpVals = new Float64Array(counts[n]);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t];
      const v = values[i * k + t];
      tmpCols[fill[i]] = j;
      tmpVals[fill[i]++] = v;
      tmpCols[fill[j]] = i;
      tmpVals[fill[j]++] = v;
    }
  }
  // Sort each row by column and merge duplicates.
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    const start = counts[i];
    const end = counts[i + 1];
    const order = Array.from({ length: end - start }, (_, t) => start + t).sort((u, v) =>
      tmpCols[u] - tmpCols[v]
    );
    let last = -1;
    for (const u of order) {
      if (tmpCols[u] === last) {
        vals[vals.length - 1] += tmpVals[u] * scale;
      } else {
        last = tmpCols[u];
        cols.push(last);
        vals.push(tmpVals[u] * scale);
      }
    }
    rowPtr[i + 1] = cols.length;
  }
  return { n, rowPtr, cols: Int32Array.from(cols), vals: Float64Array.from(vals) };
}

function calibrateAll(
  n: number,
  k: number,
  distances: Float64Array,
  perplexity: number,
): { values: Float64Array; betas: Float64Array; maxErr: number; unconverged: number } {
  const values = new Float64Array(n * k);
  const betas = new Float64Array(n);
  let maxErr = 0;
  let unconverged = 0;
  for (let i = 0; i < n; i++) {
    const r = calibrateRow(
      distances.subarray(i * k, (i + 1) * k),
      perplexity,
      values.subarray(i * k, (i + 1) * k),
    );
    betas[i] = r.beta;
    if (r.entropyError > maxErr) maxErr = r.entropyError;
    if (!r.converged) unconverged++;
  }
  return { values, betas, maxErr, unconverged };
}

/**
 * Exact joint probabilities: every other point is a candidate neighbour. O(N²·D) time and O(N²)
 * memory; for small N (up to a few thousand points).
 *
 * Shapes: `x` [N, D] with N ≥ 4; P is N×N with N(N − 1) stored entries.
 * @throws RangeError for N < 4, non-finite entries (naming the row), perplexity ≥ N − 1
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { exactAffinities } from "./affinity.ts";
 * const a = exactAffinities(randn([20, 3], { seed: 1 }), { perplexity: 5 });
 * const total = a.p.vals.reduce((s, v) => s + v, 0);
 * if (Math.abs(total - 1) > 1e-12 || a.maxEntropyError > 1e-5) throw new Error();
 * ```
 */
export function exactAffinities(x: NDArray, options: AffinityOptions = {}): Affinities {
  const fn = "exactAffinities";
  const [n, d] = validatePoints(x, fn);
  const perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
  const k = n - 1;
  validatePerplexity(perplexity, k, n, fn);
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      indices[i * k + t] = j;
      distances[i * k + t] = rowDist2(x.data, i, j, d);
      t++;
    }
  }
  const c = calibrateAll(n, k, distances, perplexity);
  return {
    p: symmetrize(n, k, indices, c.values),
    perplexity,
    neighbors: k,
    betas: c.betas,
    maxEntropyError: c.maxErr,
    unconverged: c.unconverged,
  };
}

/**
 * Sparse joint probabilities from the exact k nearest neighbours, k = min(N − 1,
 * ⌊3·perplexity⌋) unless `neighbors` is given (van der Maaten 2014). With k = N − 1 this equals
 * {@linkcode exactAffinities}.
 *
 * Shapes: `x` [N, D]; P is N×N with between N·k and 2N·k stored entries.
 * @throws RangeError for N < 4, non-finite entries (naming the row), perplexity ≥ N − 1 or
 * perplexity ≥ neighbours
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { knnAffinities } from "./affinity.ts";
 * const a = knnAffinities(randn([50, 4], { seed: 2 }), { perplexity: 5 });
 * if (a.neighbors !== 15 || a.maxEntropyError > 1e-5) throw new Error();
 * ```
 */
export function knnAffinities(x: NDArray, options: AffinityOptions = {}): Affinities {
  const k = knnNeighborCount(x, options);
  const perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
  return affinitiesFromKnn(nearestNeighbors(x, k), perplexity);
}

/**
 * The neighbour count that {@linkcode knnAffinities} uses for `x` and `options`, after the same
 * validation (for callers that find the neighbours themselves, e.g. in parallel).
 */
export function knnNeighborCount(x: NDArray, options: AffinityOptions = {}): number {
  const fn = "knnAffinities";
  const [n] = validatePoints(x, fn);
  const perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
  if (typeof perplexity !== "number" || !Number.isFinite(perplexity) || perplexity < 1) {
    throw new RangeError(`${fn}: perplexity must be a finite number ≥ 1, got ${perplexity}`);
  }
  const k = options.neighbors ?? Math.min(n - 1, Math.floor(NEIGHBORS_PER_PERPLEXITY * perplexity));
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new RangeError(`${fn}: neighbors must be an integer in [1, ${n - 1}], got ${k}`);
  }
  validatePerplexity(perplexity, k, n, fn);
  return k;
}

/** Calibrates and symmetrizes P from already found neighbours. */
export function affinitiesFromKnn(knn: KnnResult, perplexity: number): Affinities {
  const n = knn.indices.length / knn.k;
  const c = calibrateAll(n, knn.k, knn.distances, perplexity);
  return {
    p: symmetrize(n, knn.k, knn.indices, c.values),
    perplexity,
    neighbors: knn.k,
    betas: c.betas,
    maxEntropyError: c.maxErr,
    unconverged: c.unconverged,
  };
}

/**
 * P as a dense [N, N] NDArray (for small N: tests, figures).
 *
 * @example
 * ```ts
 * import { csrToDense, symmetrize } from "./affinity.ts";
 * const p = csrToDense(symmetrize(2, 1, new Int32Array([1, 0]), new Float64Array([1, 1])));
 * if (p.data.join() !== "0,0.5,0.5,0") throw new Error();
 * ```
 */
export function csrToDense(p: CsrMatrix): NDArray {
  const out = new Float64Array(p.n * p.n);
  for (let i = 0; i < p.n; i++) {
    for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++) out[i * p.n + p.cols[e]] = p.vals[e];
  }
  return new NDArray(out, [p.n, p.n]);
}
