/**
 * How much memory a t-SNE run needs, estimated before it starts, so that a request that cannot
 * fit is refused up front (with the estimate) instead of failing an hour later.
 *
 * The model counts the large arrays of a run of {@linkcode tsne} on N points in D dimensions with
 * K neighbours (K = min(N − 1, ⌊3·perplexity⌋), or N − 1 for `exact`) and W threads:
 *
 * - **runtime**: the Deno process, plus one isolate per Web Worker (W − 1 of them);
 * - **input**: x, 8·N·D bytes (and a shared copy for the parallel neighbour search);
 * - **affinities** (peak while P is built): neighbour indices and squared distances, calibrated
 *   row values, the in- and out-edge orders of the symmetrization and the final CSR matrix,
 *   20·N·K + 8·N·K + 12·nnz bytes, where nnz ≤ 2·N·K (N·(N − 1) for `exact`);
 * - **optimization**: P (12·nnz, one copy in shared memory however many threads), the
 *   embedding, its update, gains and the shared force buffers (about 14 arrays of N·2 doubles),
 *   plus per method: `bh` a quadtree of up to 4N nodes per thread (56 bytes a node), `fft` the
 *   grid storage of fft.ts, 3·L² doubles with 10% room to grow and a scratch block of 4·16·L
 *   doubles per thread, L ≥ 2M the FFT size for M = nodes·intervals nodes per axis, with the
 *   intervals taken as max(50, √N / 2) (a t-SNE map's width grows about as √N).
 *
 * The peak is runtime + {@linkcode ARRAY_SLACK} × (input + the larger of the two phases), the
 * factor covering what the arrays do not: the garbage collector's headroom and smaller buffers.
 * Measured with `/usr/bin/time -v` (peak resident memory) on 20,000 mixture points in 50-D with 2
 * threads: `bh` 217 MiB (estimate 221 MiB), `fft` 186 MiB (214 MiB); `exact` on 3,000 points in
 * 4-D: 393 MiB (476 MiB). `deno task bench:tsne` prints the estimate next to every measured peak
 * of ours.
 *
 * @module
 */

import { DEFAULT_PERPLEXITY, NEIGHBORS_PER_PERPLEXITY } from "./affinity.ts";
import { EMBEDDING_DIMS, resolveMethod, type TsneMethod } from "./tsne.ts";
import { convolutionSize, FFT_BLOCK_COLUMNS } from "./batched_fft.ts";
import { FFT_NODES } from "./fft.ts";

/** Bytes of the Deno runtime before any data (measured with `/usr/bin/time -v`: 50–60 MB). */
export const RUNTIME_BYTES = 64 * 2 ** 20;
/** Bytes of one Web Worker isolate with the gradient module loaded. */
export const WORKER_RUNTIME_BYTES = 24 * 2 ** 20;
/** Factor on the arrays' bytes for what the model does not count (see the module text). */
export const ARRAY_SLACK = 1.2;
/** Quadtree nodes per point the estimate allows (Barnes-Hut). */
export const TREE_NODES_PER_POINT = 4;
/** Bytes per quadtree node: five doubles (centre, half-width, centre of mass) and four int32. */
export const TREE_NODE_BYTES = 5 * 8 + 4 * 4;
/** Embedding-sized arrays alive during optimization (y, dy, update, gains, shared forces...). */
export const EMBEDDING_ARRAYS = 14;
/** Fewest intervals per axis assumed for the FFT grid. */
export const FFT_GRID_MIN_INTERVALS = 50;
/**
 * Doubles of FFT grid storage per cell of an L×L grid, growth room included: four L × L/2 node
 * grids and the kernel's L × L transform (fft.ts), 3·L², times 1.1.
 */
export const FFT_DOUBLES_PER_CELL = 1.1 * (2 + 1);

/** Options of {@linkcode estimateTsneMemory}: the {@linkcode tsne} options that change it. */
export interface MemoryEstimateOptions {
  /** Gradient method. Default `auto` (resolved as {@linkcode tsne} does). */
  method?: TsneMethod;
  /** Perplexity. Default 30. */
  perplexity?: number;
  /** Neighbours per point. Default min(N − 1, ⌊3·perplexity⌋). */
  neighbors?: number;
  /** Threads (the calling thread and W − 1 Web Workers). Default 1. */
  workers?: number;
}

/** One named part of an estimate. */
export interface MemoryPart {
  /** What it is, e.g. `affinities`. */
  name: string;
  /** Bytes. */
  bytes: number;
}

/** A memory estimate. */
export interface MemoryEstimate {
  /** Estimated peak bytes of the whole process. */
  bytes: number;
  /** The method the run would use (never `auto`). */
  method: "exact" | "bh" | "fft";
  /**
   * The parts of the peak before the slack factor: runtime, input, and the larger phase
   * (affinities or optimization).
   */
  parts: MemoryPart[];
}

/**
 * Estimates the peak memory of `tsne(x, options)` for `x` [N, D] (see the module text for the
 * model). Shapes: `n` ≥ 1 points, `d` ≥ 1 dimensions.
 * @throws RangeError for a non-integer or non-positive `n`, `d` or `workers`, or a perplexity
 * that is not positive
 *
 * @example
 * ```ts
 * import { estimateTsneMemory } from "./memory.ts";
 * const exact = estimateTsneMemory(20000, 50, { method: "exact" });
 * const bh = estimateTsneMemory(20000, 50, { method: "bh", workers: 2 });
 * if (!(exact.bytes > 15e9) || !(bh.bytes < 1e9)) throw new Error();
 * ```
 */
export function estimateTsneMemory(
  n: number,
  d: number,
  options: MemoryEstimateOptions = {},
): MemoryEstimate {
  const fn = "estimateTsneMemory";
  const workers = options.workers ?? 1;
  for (const [name, v] of [["n", n], ["d", d], ["workers", workers]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
    }
  }
  const perplexity = options.perplexity ?? DEFAULT_PERPLEXITY;
  if (!(perplexity > 0)) {
    throw new RangeError(`${fn}: perplexity must be positive, got ${perplexity}`);
  }
  const method = resolveMethod(options.method ?? "auto", n);
  const k = method === "exact"
    ? n - 1
    : Math.min(n - 1, options.neighbors ?? Math.floor(NEIGHBORS_PER_PERPLEXITY * perplexity));
  const nnz = method === "exact" ? n * (n - 1) : 2 * n * k;
  const pBytes = 12 * nnz + 4 * (n + 1);
  const parallel = workers > 1 && method !== "exact";
  const runtime = RUNTIME_BYTES + (parallel ? (workers - 1) * WORKER_RUNTIME_BYTES : 0);
  const input = 8 * n * d * (parallel ? 2 : 1);
  const affinities = 20 * n * k + 8 * n * k + pBytes;
  let extra = 0;
  if (method === "bh") {
    extra = workers * (TREE_NODES_PER_POINT * n * TREE_NODE_BYTES + 12 * n);
  } else if (method === "fft") {
    const intervals = Math.max(FFT_GRID_MIN_INTERVALS, Math.ceil(Math.sqrt(n) / 2));
    const size = convolutionSize(FFT_NODES * intervals);
    const scratch = workers * 4 * FFT_BLOCK_COLUMNS * size;
    extra = (FFT_DOUBLES_PER_CELL * size * size + scratch) * 8 + 8 * n;
  }
  // P is shared between the threads (one copy), as are the embedding-sized buffers.
  const optimize = pBytes +
    EMBEDDING_ARRAYS * n * EMBEDDING_DIMS * 8 + extra;
  const phase = affinities >= optimize
    ? { name: "affinities", bytes: affinities }
    : { name: `optimization (${method})`, bytes: optimize };
  const parts = [{ name: "runtime", bytes: runtime }, { name: "input", bytes: input }, phase];
  const arrays = input + phase.bytes;
  return { bytes: runtime + Math.round(ARRAY_SLACK * arrays), method, parts };
}

/**
 * Formats a byte count with binary units: `512 B`, `1.5 KiB`, `23.4 GiB`.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./memory.ts";
 * if (formatBytes(1536) !== "1.5 KiB" || formatBytes(3 * 2 ** 30) !== "3.0 GiB") throw new Error();
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/**
 * Parses a size such as `512M`, `2G`, `1.5GiB` or `1000000` (bytes) into bytes; the suffixes
 * K, M, G, T (with or without `B`/`iB`) are powers of 1024. Returns NaN when `text` is not a size.
 *
 * @example
 * ```ts
 * import { parseBytes } from "./memory.ts";
 * if (parseBytes("2G") !== 2 * 2 ** 30 || !Number.isNaN(parseBytes("lots"))) throw new Error();
 * ```
 */
export function parseBytes(text: string): number {
  const m = text.trim().match(/^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i);
  if (!m) return NaN;
  const power = " KMGT".indexOf(m[2].toUpperCase() || " ");
  return Math.round(Number(m[1]) * 1024 ** power);
}
