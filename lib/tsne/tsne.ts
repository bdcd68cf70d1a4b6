/**
 * `tsne(x, options)`: t-distributed stochastic neighbour embedding of the rows of `x` [N, D]
 * into 2-D, with exact, Barnes-Hut or FFT-interpolated gradients (sheet 000 §8).
 *
 * Pipeline: affinities (perplexity calibration; all pairs for `exact`, the ⌊3·perplexity⌋ exact
 * nearest neighbours otherwise) → PCA initialization scaled to standard deviation 1e-4 (Kobak &
 * Berens 2019) → {@linkcode optimizeEmbedding} → the exact KL of the result.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { pca } from "../data/pca.ts";
import {
  type Affinities,
  affinitiesFromKnn,
  DEFAULT_PERPLEXITY,
  exactAffinities,
  knnNeighborCount,
  releaseArrays,
} from "./affinity.ts";
import { barnesHutGradient, DEFAULT_THETA } from "./barnes_hut.ts";
import { exactKlGradient, klFromZ, studentZ } from "./kl.ts";
import type { FftOptions } from "./fft.ts";
import { FftPool } from "./fft_pool.ts";

// The FFT grid options are part of TsneOptions, so they are public wherever tsne() is.
export type { FftOptions } from "./fft.ts";
import {
  DEFAULT_ITERATIONS,
  type GradientEngine,
  type KlPoint,
  optimizeEmbedding,
  type OptimizeOptions,
} from "./optimize.ts";
import { WorkerPool } from "./workers.ts";
import { findNeighbors, resolveNeighborSearch } from "./knn_approx.ts";

/**
 * Gradient methods: `exact` (O(N²)), `bh` (Barnes-Hut, θ), `fft` (FFT-accelerated
 * interpolation) or `auto`, which picks `exact` for N ≤ {@linkcode AUTO_EXACT_MAX_N}, `bh` up to
 * {@linkcode AUTO_BH_MAX_N} and `fft` above (see there for the measurements behind it).
 */
export type TsneMethod = "exact" | "bh" | "fft" | "auto";

/** Largest N for which `auto` uses the exact O(N²) gradient. */
export const AUTO_EXACT_MAX_N = 300;
/**
 * Largest N for which `auto` uses Barnes-Hut; above it, the FFT gradient. Measured with 2
 * threads, 1000 updates, perplexity 30 (`deno task bench:tsne`, PCA-50 MNIST up to 10,000, the
 * 50-D mixture above): Barnes-Hut at θ = 0.2 is faster up to about 5,000 points and still reaches
 * a 6% lower KL at 10,000 (1.700 against 1.810) in about the same time, where MNIST's lead over
 * scikit-learn is kept; at 20,000 the FFT gradient takes half of Barnes-Hut's time (23.9 s
 * against 43.1 s) for a 1% higher KL, and the gap in time grows with N.
 */
export const AUTO_BH_MAX_N = 10000;
/** Largest N for method `exact` (its P and gradient are O(N²) in memory and time). */
export const EXACT_MAX_N = 5000;
/** Standard deviation of the first coordinate of the initial embedding (Kobak & Berens 2019). */
export const INIT_STD = 1e-4;
/** Largest N for which the reported KL is computed exactly (O(N²)) instead of estimated. */
export const EXACT_KL_MAX_N = 20000;
/** Embedding dimension. */
export const EMBEDDING_DIMS = 2;

/** Options of {@linkcode tsne}. */
export interface TsneOptions
  extends Omit<OptimizeOptions, "onProgress" | "exaggerationIterations" | "kl"> {
  /** Perplexity, 1 ≤ perplexity < N − 1. Default 30. */
  perplexity?: number;
  /** Gradient method. Default `auto`. */
  method?: TsneMethod;
  /** Barnes-Hut θ (half-width / distance). Default 0.2 (Rtsne uses 0.5). */
  theta?: number;
  /** Seed (random initialization, PCA start vectors). Default 42. */
  seed?: number;
  /** `pca` (default), `random` (N(0, 1e-4²)) or a given [N, 2] embedding. */
  init?: "pca" | "random" | NDArray;
  /** Nearest neighbours for bh/fft. Default min(N − 1, ⌊3·perplexity⌋). */
  neighbors?: number;
  /**
   * How bh/fft find those neighbours: `exact`, `approx` (random-projection forest and
   * NN-descent, lib/tsne/knn_approx.ts, seeded by `seed`; recall ≥ 0.99 against exact search
   * where measured) or `auto` (default): exact up to 10,000 points, approximate above
   * (`AUTO_EXACT_SEARCH_MAX_N` in knn_approx.ts gives the measurements).
   */
  neighborSearch?: "exact" | "approx" | "auto";
  /** Iterations with early exaggeration. Default 250. */
  exaggerationIterations?: number;
  /**
   * Web Workers computing the gradient in parallel (bh and fft). Default 1 (none). Results are
   * identical for any number of workers.
   */
  workers?: number;
  /** Grid options of the FFT method (interval width, nodes). */
  fft?: FftOptions;
  /** Progress after every update (and `stage` while computing affinities). */
  onProgress?: (progress: TsneProgress) => void;
}

/** Progress of a run. */
export interface TsneProgress {
  /** `affinities`, `optimize` or `done`. */
  stage: "affinities" | "optimize" | "done";
  /** Updates done. */
  iteration: number;
  /** Updates planned. */
  iterations: number;
  /** Latest KL when computed at this update. */
  kl?: number;
}

/** A t-SNE run. */
export interface TsneResult {
  /** The embedding [N, 2], rows in input order. */
  embedding: NDArray;
  /** KL(P‖Q) of the final embedding (exact when N ≤ 20000). */
  kl: number;
  /** Whether `kl` is exact. */
  klExact: boolean;
  /** KL every 50 updates (engine estimate) plus the final value. */
  klTrace: KlPoint[];
  /** Updates done. */
  iterations: number;
  /** The method used (never `auto`). */
  method: "exact" | "bh" | "fft";
  /** Perplexity used. */
  perplexity: number;
  /** Neighbours per point in P. */
  neighbors: number;
  /** How the neighbours were found (`exact` also for the all-pairs P of method `exact`). */
  neighborSearch: "exact" | "approx";
  /** Largest entropy error of the calibration (nats). */
  maxEntropyError: number;
  /** Learning rate used. */
  learningRate: number;
  /** θ used (bh). */
  theta: number;
  /** Wall-clock seconds: affinities, optimization, total. */
  seconds: { affinities: number; optimize: number; total: number };
  /** The affinities (P). */
  affinities: Affinities;
}

/** The method `auto` resolves to for N points. */
export function resolveMethod(method: TsneMethod, n: number): "exact" | "bh" | "fft" {
  if (method !== "auto") return method;
  return n <= AUTO_EXACT_MAX_N ? "exact" : n <= AUTO_BH_MAX_N ? "bh" : "fft";
}

/** The initial embedding: PCA to 2-D scaled so the first coordinate has std 1e-4. */
export function initialEmbedding(
  x: NDArray,
  options: { init?: "pca" | "random" | NDArray; seed?: number } = {},
): NDArray {
  const [n, d] = x.shape;
  const init = options.init ?? "pca";
  if (init instanceof NDArray) {
    if (init.ndim !== 2 || init.shape[0] !== n || init.shape[1] !== EMBEDDING_DIMS) {
      throw new RangeError(
        `tsne: init must be [${n}, 2], got [${init.shape.join(", ")}]`,
      );
    }
    return new NDArray(init.data.slice(), [n, EMBEDDING_DIMS]);
  }
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  const y = new Float64Array(n * EMBEDDING_DIMS);
  if (init === "random" || d < EMBEDDING_DIMS) {
    rng.fillNormal(y, 0, INIT_STD);
    return new NDArray(y, [n, EMBEDDING_DIMS]);
  }
  if (init !== "pca") {
    throw new RangeError(`tsne: init must be "pca", "random" or an NDArray, got ${init}`);
  }
  const scores = pca(x, { components: EMBEDDING_DIMS, seed: options.seed }).scores.data;
  let m = 0;
  for (let i = 0; i < n; i++) m += scores[2 * i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (scores[2 * i] - m) ** 2;
  const std = Math.sqrt(v / n);
  if (!(std > 0)) {
    rng.fillNormal(y, 0, INIT_STD);
    return new NDArray(y, [n, EMBEDDING_DIMS]);
  }
  for (let k = 0; k < y.length; k++) y[k] = (scores[k] * INIT_STD) / std;
  return new NDArray(y, [n, EMBEDDING_DIMS]);
}

/**
 * Embeds the rows of `x` [N, D] in 2-D.
 * @throws RangeError for N < 4, non-finite entries (naming the row), perplexity ≥ N − 1 or
 * ≥ the neighbour count, an unknown method, θ < 0, method `exact` with N > 5000
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { tsne } from "./tsne.ts";
 * const x = randn([60, 5], { seed: 3 });
 * const r = await tsne(x, { perplexity: 10, iterations: 300, method: "exact" });
 * if (r.embedding.shape.join() !== "60,2" || !(r.kl > 0)) throw new Error();
 * ```
 */
export async function tsne(x: NDArray, options: TsneOptions = {}): Promise<TsneResult> {
  const fn = "tsne";
  const t0 = performance.now();
  if (!(x instanceof NDArray) || x.ndim !== 2) {
    throw new TypeError(`${fn}: x must be a 2-D NDArray [N, D]`);
  }
  const n = x.shape[0];
  const requested = options.method ?? "auto";
  if (!["exact", "bh", "fft", "auto"].includes(requested)) {
    throw new RangeError(
      `${fn}: method must be "exact", "bh", "fft" or "auto", got ${JSON.stringify(requested)}`,
    );
  }
  const method = resolveMethod(requested, n);
  if (method === "exact" && n > EXACT_MAX_N) {
    throw new RangeError(
      `${fn}: method "exact" needs O(N²) memory, N = ${n} exceeds ${EXACT_MAX_N}; use "bh"`,
    );
  }
  const theta = options.theta ?? DEFAULT_THETA;
  if (typeof theta !== "number" || !(theta >= 0) || !Number.isFinite(theta)) {
    throw new RangeError(`${fn}: theta must be a finite number ≥ 0, got ${theta}`);
  }
  const perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`${fn}: workers must be a positive integer, got ${workers}`);
  }
  options.onProgress?.({ stage: "affinities", iteration: 0, iterations });
  let affinities: Affinities;
  // The exact method's P uses all pairs, which is an exact search too.
  const neighborSearch = method === "exact"
    ? "exact"
    : resolveNeighborSearch(options.neighborSearch ?? "auto", n);
  if (method === "exact") {
    affinities = exactAffinities(x, { perplexity });
  } else {
    const k = knnNeighborCount(x, { perplexity, neighbors: options.neighbors });
    const knn = await findNeighbors(x, k, { search: neighborSearch, workers, seed: options.seed });
    // The neighbours' distances are not needed after calibration: P's conditional
    // probabilities take their place (N·k float64s fewer at the peak).
    // With workers, P goes to shared memory at once, so that no thread holds a copy of it.
    affinities = affinitiesFromKnn(knn, perplexity, { inPlace: true, shared: workers > 1 });
    // The neighbour lists (12·N·k bytes) are not needed once P exists.
    releaseArrays(knn.indices, knn.distances);
  }
  const p = affinities.p;
  const t1 = performance.now();
  const y0 = initialEmbedding(x, options);
  let pool: WorkerPool | FftPool | undefined;
  let engine: GradientEngine;
  let klOf: ((y: Float64Array, z: number) => number) | undefined;
  if (method === "exact") {
    engine = (y, a, dy) => exactKlGradient(y, p, dy, { exaggeration: a });
  } else if (method === "fft") {
    // One thread or several: the pool keeps the grid and every buffer between iterations.
    const active = await FftPool.create(p, { workers, fft: options.fft });
    pool = active;
    engine = (y, a, dy) => active.gradient(y, a, dy);
    klOf = (y, z) => active.kl(y, z);
  } else if (workers > 1) {
    pool = await WorkerPool.create(p, { workers, theta });
    const active = pool;
    engine = (y, a, dy) => active.gradient(y, a, dy);
  } else {
    engine = (y, a, dy) => barnesHutGradient(y, p, dy, { theta, exaggeration: a });
  }
  const klExact = n <= EXACT_KL_MAX_N;
  let result, kl: number;
  try {
    result = await optimizeEmbedding(p, y0, {
      ...options,
      iterations,
      exaggerationIterations: options.exaggerationIterations,
      engine,
      kl: klOf,
      onProgress: options.onProgress
        ? (pr) => options.onProgress!({ stage: "optimize", ...pr })
        : undefined,
    });
    const y = result.embedding.data;
    // Above EXACT_KL_MAX_N the engine's own Z (one more evaluation) replaces the O(N²) sum.
    const z = klExact
      ? studentZ(y, n, EMBEDDING_DIMS)
      : await engine(y, 1, new Float64Array(y.length));
    kl = klOf ? klOf(y, z) : klFromZ(p, y, EMBEDDING_DIMS, z);
  } finally {
    pool?.close();
  }
  const t2 = performance.now();
  options.onProgress?.({ stage: "done", iteration: iterations, iterations, kl });
  return {
    embedding: result.embedding,
    kl,
    klExact,
    klTrace: [...result.trace, { iteration: iterations, kl }],
    iterations: result.iterations,
    method,
    perplexity,
    neighbors: affinities.neighbors,
    neighborSearch,
    maxEntropyError: affinities.maxEntropyError,
    learningRate: result.learningRate,
    theta,
    seconds: {
      affinities: (t1 - t0) / 1000,
      optimize: (t2 - t1) / 1000,
      total: (t2 - t0) / 1000,
    },
    affinities,
  };
}
