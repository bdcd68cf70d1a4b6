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
import { Random } from "../random.ts";

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

/**
 * The search structure of {@linkcode knnRange}: the points grouped into about √N clusters
 * (a few seeded k-means steps), with each cluster's radius and each point's distance to its
 * centre, for triangle-inequality pruning.
 */
export interface KnnSetup {
  /** Point indices grouped by cluster. */
  order: Int32Array;
  /** Cluster c holds `order[clusterStart[c]..clusterStart[c+1])`. */
  clusterStart: Int32Array;
  /** Cluster centres, [C, D]. */
  centers: Float64Array;
  /** Largest distance from a centre to its members (Euclidean), length C. */
  radius: Float64Array;
  /** Distance of each point to its cluster's centre (Euclidean), length N. */
  toCenter: Float64Array;
}

/** Lloyd iterations of the clustering (a coarse clustering prunes well enough). */
const KNN_KMEANS_STEPS = 3;
/** Seed of the cluster centres (the neighbours found do not depend on it). */
const KNN_SEED = 0;
/** Queries handled together, sharing each candidate row read. */
const KNN_BLOCK = 32;
/** Relative slack on pruning bounds so rounding can never drop a true neighbour. */
const PRUNE_SLACK = 1e-9;

/**
 * Squared Euclidean distance ‖a[oa..oa+d) − b[ob..ob+d)‖² between two rows of row-major buffers
 * (the same buffer or two), the one distance every t-SNE stage uses.
 */
export function squaredDistance(
  a: Float64Array,
  oa: number,
  b: Float64Array,
  ob: number,
  d: number,
): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = a[oa + t] - b[ob + t];
    s += v * v;
  }
  return s;
}

/** Clusters the rows of a row-major [N, D] buffer for {@linkcode knnRange}. */
export function knnSetup(a: Float64Array, n: number, d: number): KnnSetup {
  const nc = Math.max(1, Math.min(n, Math.round(Math.sqrt(n))));
  const rng = new Random(KNN_SEED);
  const seeds = rng.sample(n, nc);
  const centers = new Float64Array(nc * d);
  for (let c = 0; c < nc; c++) centers.set(a.subarray(seeds[c] * d, (seeds[c] + 1) * d), c * d);
  const assign = new Int32Array(n);
  const assignAll = () => {
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      for (let c = 0; c < nc; c++) {
        const s = squaredDistance(a, i * d, centers, c * d, d);
        if (s < bd) [bd, best] = [s, c];
      }
      assign[i] = best;
    }
  };
  for (let step = 0; step < KNN_KMEANS_STEPS; step++) {
    assignAll();
    const sums = new Float64Array(nc * d);
    const counts = new Int32Array(nc);
    for (let i = 0; i < n; i++) {
      const c = assign[i];
      counts[c]++;
      for (let t = 0; t < d; t++) sums[c * d + t] += a[i * d + t];
    }
    for (let c = 0; c < nc; c++) {
      if (counts[c] === 0) continue; // keep an empty cluster's centre
      for (let t = 0; t < d; t++) centers[c * d + t] = sums[c * d + t] / counts[c];
    }
  }
  assignAll();
  const clusterStart = new Int32Array(nc + 1);
  for (let i = 0; i < n; i++) clusterStart[assign[i] + 1]++;
  for (let c = 0; c < nc; c++) clusterStart[c + 1] += clusterStart[c];
  const fill = clusterStart.slice(0, nc);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[assign[i]]++] = i;
  const radius = new Float64Array(nc);
  const toCenter = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(squaredDistance(a, i * d, centers, assign[i] * d, d));
    toCenter[i] = r;
    if (r > radius[assign[i]]) radius[assign[i]] = r;
  }
  return { order, clusterStart, centers, radius, toCenter };
}

/**
 * Exact k nearest neighbours of the points at positions `start..end` of `setup.order`, written
 * into rows of `indices`/`distances` ([N, k], nearest first, ties by lower index). Queries go in
 * blocks of consecutive points; clusters are visited nearest centre first; a cluster is skipped when ‖q − c‖ − radius exceeds the current
 * k-th distance, a member j when |‖q − c‖ − ‖j − c‖| does (both lower bounds of ‖q − j‖), and a
 * distance sum stops as soon as it passes the k-th distance. Points are independent, so any split
 * of the range gives identical rows.
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
  const { order, clusterStart, centers, radius, toCenter } = setup;
  const nc = radius.length;
  const block = KNN_BLOCK;
  const heapD = new Float64Array(block * k);
  const heapI = new Int32Array(block * k);
  const size = new Int32Array(block);
  const dq = new Float64Array(block * nc); // ‖query − centre‖
  const skip = new Uint8Array(block);
  const visit = new Int32Array(nc);
  const keyC = new Float64Array(nc);
  // Queries are taken in blocks of consecutive points of the cluster order (similar points);
  // each candidate row is read once per block instead of once per query.
  for (let b0 = start; b0 < end; b0 += block) {
    const bn = Math.min(block, end - b0);
    size.fill(0);
    for (let b = 0; b < bn; b++) {
      const oi = order[b0 + b] * d;
      for (let c = 0; c < nc; c++) {
        dq[b * nc + c] = Math.sqrt(squaredDistance(a, oi, centers, c * d, d));
      }
    }
    for (let c = 0; c < nc; c++) {
      visit[c] = c;
      let m = Infinity;
      for (let b = 0; b < bn; b++) m = Math.min(m, dq[b * nc + c]);
      keyC[c] = m;
    }
    visit.sort((u, v) => keyC[u] - keyC[v] || u - v);
    for (let v = 0; v < nc; v++) {
      const c = visit[v];
      let any = false;
      for (let b = 0; b < bn; b++) {
        const lb = dq[b * nc + c] - radius[c];
        skip[b] = size[b] === k && lb > 0 && lb * lb > heapD[b * k] * (1 + PRUNE_SLACK) ? 1 : 0;
        if (!skip[b]) any = true;
      }
      if (!any) continue;
      for (let q = clusterStart[c]; q < clusterStart[c + 1]; q++) {
        const j = order[q];
        const oj = j * d;
        const tc = toCenter[j];
        for (let b = 0; b < bn; b++) {
          if (skip[b]) continue;
          const i = order[b0 + b];
          if (j === i) continue;
          const h = b * k;
          const full = size[b] === k;
          const bound = full ? heapD[h] : Infinity;
          if (full) {
            const g = dq[b * nc + c] - tc;
            if (g * g > bound * (1 + PRUNE_SLACK)) continue;
          }
          const oi = i * d;
          let s = 0;
          let t = 0;
          for (; t < d; t++) {
            const w = a[oi + t] - a[oj + t];
            s += w * w;
            if (s > bound) break;
          }
          if (t < d) continue;
          if (!full) {
            // Sift up into the max-heap (larger distance, then larger index, on top).
            let e = size[b]++;
            while (e > 0) {
              const p = (e - 1) >> 1;
              if (heapD[h + p] > s || (heapD[h + p] === s && heapI[h + p] > j)) break;
              heapD[h + e] = heapD[h + p];
              heapI[h + e] = heapI[h + p];
              e = p;
            }
            heapD[h + e] = s;
            heapI[h + e] = j;
          } else if (s < heapD[h] || (s === heapD[h] && j < heapI[h])) {
            let e = 0;
            for (;;) {
              const l = 2 * e + 1;
              if (l >= k) break;
              let m = l;
              const r = l + 1;
              if (
                r < k &&
                (heapD[h + r] > heapD[h + l] ||
                  (heapD[h + r] === heapD[h + l] && heapI[h + r] > heapI[h + l]))
              ) {
                m = r;
              }
              if (heapD[h + m] < s || (heapD[h + m] === s && heapI[h + m] < j)) break;
              heapD[h + e] = heapD[h + m];
              heapI[h + e] = heapI[h + m];
              e = m;
            }
            heapD[h + e] = s;
            heapI[h + e] = j;
          }
        }
      }
    }
    for (let b = 0; b < bn; b++) {
      const i = order[b0 + b];
      const h = b * k;
      // Sort the row ascending into the output.
      const rank = Array.from({ length: k }, (_, t) => t).sort((u, v) =>
        heapD[h + u] - heapD[h + v] || heapI[h + u] - heapI[h + v]
      );
      for (let t = 0; t < k; t++) {
        indices[i * k + t] = heapI[h + rank[t]];
        distances[i * k + t] = heapD[h + rank[t]];
      }
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
  options: { shared?: boolean } = {},
): CsrMatrix {
  if (indices.length !== n * k || values.length !== n * k) {
    throw new RangeError(
      `symmetrize: indices (${indices.length}) and values (${values.length}) must have n·k = ${
        n * k
      } entries`,
    );
  }
  // Counting sorts instead of comparisons, and the result allocated at its exact size: entry
  // e = i·k + t is the edge i → indices[e]. The in-edges of each column j, by ascending source
  // i (filled in order of e), then the out-edges of each row by ascending column (filled by
  // walking the columns in order).
  const inPtr = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) inPtr[indices[e] + 1]++;
  for (let j = 0; j < n; j++) inPtr[j + 1] += inPtr[j];
  const inEdge = new Int32Array(n * k);
  const fill = inPtr.slice(0, n);
  for (let e = 0; e < n * k; e++) inEdge[fill[indices[e]]++] = e;
  const outEdge = new Int32Array(n * k);
  fill.fill(0);
  for (let j = 0; j < n; j++) {
    for (let u = inPtr[j]; u < inPtr[j + 1]; u++) {
      const i = Math.floor(inEdge[u] / k);
      outEdge[i * k + fill[i]++] = inEdge[u];
    }
  }
  // Row i of P merges its out-edges (column indices[e], value values[e]) with its in-edges
  // (column ⌊e/k⌋, value values[e]); a column in both gets the sum. Pass 1 counts, pass 2 writes.
  // In shared memory when asked: Web Workers then share P instead of each copying it.
  const ints = (length: number) =>
    options.shared
      ? new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT))
      : new Int32Array(length);
  const rowPtr = ints(n + 1);
  const merge = (cols: Int32Array | null, vals: Float64Array | null): number => {
    const scale = 1 / (2 * n);
    let w = 0;
    for (let i = 0; i < n; i++) {
      let a = i * k;
      const aEnd = a + k;
      let b = inPtr[i];
      const bEnd = inPtr[i + 1];
      while (a < aEnd || b < bEnd) {
        const ca = a < aEnd ? indices[outEdge[a]] : n;
        const cb = b < bEnd ? Math.floor(inEdge[b] / k) : n;
        let v: number;
        if (ca === cb) v = values[outEdge[a++]] * scale + values[inEdge[b++]] * scale;
        else if (ca < cb) v = values[outEdge[a++]] * scale;
        else v = values[inEdge[b++]] * scale;
        if (cols !== null && vals !== null) {
          cols[w] = ca < cb ? ca : cb;
          vals[w] = v;
        }
        w++;
      }
      rowPtr[i + 1] = w;
    }
    return w;
  };
  const nnz = merge(null, null);
  const cols = ints(nnz);
  const vals = options.shared
    ? new Float64Array(new SharedArrayBuffer(nnz * Float64Array.BYTES_PER_ELEMENT))
    : new Float64Array(nnz);
  merge(cols, vals);
  releaseArrays(inPtr, inEdge, outEdge, fill);
  return { n, rowPtr, cols, vals };
}

/**
 * Frees the memory of arrays that are done with at once (`ArrayBuffer.prototype.transfer(0)`)
 * instead of at the next collection, which a t-SNE optimization, allocating almost nothing, may
 * never trigger. Arrays over shared memory are left to the collector.
 */
export function releaseArrays(...arrays: ArrayBufferView[]): void {
  for (const { buffer } of arrays) if (buffer instanceof ArrayBuffer) buffer.transfer(0);
}

/**
 * Calibrates every row of `distances` ([N, k]); the probabilities go into a new array, or over
 * the distances themselves when `inPlace` (each row is copied to a scratch row first).
 */
function calibrateAll(
  n: number,
  k: number,
  distances: Float64Array,
  perplexity: number,
  inPlace = false,
): { values: Float64Array; betas: Float64Array; maxErr: number; unconverged: number } {
  const values = inPlace ? distances : new Float64Array(n * k);
  const scratch = new Float64Array(k);
  const betas = new Float64Array(n);
  let maxErr = 0;
  let unconverged = 0;
  for (let i = 0; i < n; i++) {
    const row = distances.subarray(i * k, (i + 1) * k);
    if (inPlace) scratch.set(row);
    const r = calibrateRow(
      inPlace ? scratch : row,
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
      distances[i * k + t] = squaredDistance(x.data, i * d, x.data, j * d, d);
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

/**
 * Calibrates and symmetrizes P from already found neighbours. With `inPlace`, the conditional
 * probabilities overwrite `knn.distances` instead of taking N·k new float64s (for a caller that
 * has no further use for the distances, as `tsne` does at large N); P is the same either way.
 * With `shared`, P's arrays live in `SharedArrayBuffer`s (for a pool of Web Workers).
 */
export function affinitiesFromKnn(
  knn: KnnResult,
  perplexity: number,
  options: { inPlace?: boolean; shared?: boolean } = {},
): Affinities {
  const n = knn.indices.length / knn.k;
  const c = calibrateAll(n, knn.k, knn.distances, perplexity, options.inPlace === true);
  return {
    p: symmetrize(n, knn.k, knn.indices, c.values, { shared: options.shared }),
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
