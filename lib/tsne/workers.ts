/**
 * Parallel t-SNE gradients with Web Workers and `SharedArrayBuffer`: the calling thread and
 * `workers − 1` Web Workers each take a contiguous block of rows. The embedding, the repulsive
 * and attractive forces and the per-row shares of Z live in shared memory; Z is summed in row
 * order on the calling thread. Rows are independent, so the gradient is bit-for-bit the one of
 * the single-threaded {@linkcode barnesHutGradient}, for any number of workers (tested).
 *
 * The FFT method has a pool of its own ({@linkcode FftPool} in fft_pool.ts).
 *
 * Permissions: the worker module is loaded from `lib/tsne/gradient_worker.ts`, which needs
 * `--allow-read` on the project folder.
 *
 * @module
 */

import { type CsrMatrix, knnRange, type KnnResult, type KnnSetup, knnSetup } from "./affinity.ts";
import { NDArray } from "../ndarray.ts";
import {
  attractionRange,
  barnesHutGradient,
  buildQuadTree,
  combineGradient,
  DEFAULT_THETA,
  type QuadTree,
  repulsionRange,
} from "./barnes_hut.ts";

/** The message that sets a worker up. */
export interface WorkerInit {
  /** Message kind. */
  kind: "init";
  /** P (copied into the worker once). */
  p: CsrMatrix;
  /** Shared embedding [N, 2]. */
  y: SharedArrayBuffer;
  /** Shared repulsion [N, 2]. */
  rep: SharedArrayBuffer;
  /** Shared attraction [N, 2]. */
  attr: SharedArrayBuffer;
  /** Shared per-row Z shares [N]. */
  zPart: SharedArrayBuffer;
  /** Barnes-Hut θ. */
  theta: number;
  /** First row of the block. */
  start: number;
  /** One past the last row. */
  end: number;
}

/** The message that starts one gradient evaluation. */
export interface WorkerStep {
  /** Message kind. */
  kind: "step";
  /** Early exaggeration α. */
  exaggeration: number;
}

/** A k-nearest-neighbour job for one worker (positions `start..end` of `sorted`). */
export interface KnnJob {
  /** Message kind. */
  kind: "knn";
  /** Shared points [N, D]. */
  x: SharedArrayBuffer;
  /** Columns D. */
  d: number;
  /** Neighbours per point. */
  k: number;
  /** The clustering to search. */
  setup: KnnSetup;
  /** First position. */
  start: number;
  /** One past the last position. */
  end: number;
  /** Shared output indices [N, k]. */
  indices: SharedArrayBuffer;
  /** Shared output squared distances [N, k]. */
  distances: SharedArrayBuffer;
}

/** A new gradient worker (the module gradient_worker.ts). */
export function gradientWorker(): Worker {
  return new Worker(new URL("./gradient_worker.ts", import.meta.url), { type: "module" });
}

/** The next message of a worker, or its error as `WHO failed: message`. */
export function nextReply(w: Worker, who: string): Promise<void> {
  return new Promise((resolve, reject) => {
    w.onmessage = () => resolve();
    w.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`${who} failed: ${e.message}`));
    };
  });
}

/** Waits for every worker's first reply; on an error, terminates them all and rethrows. */
export async function allReady(workers: Worker[], ready: Promise<void>[]): Promise<void> {
  try {
    await Promise.all(ready);
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  }
}

function startWorker(k: number, fn: string): { worker: Worker; done: () => Promise<void> } {
  const worker = gradientWorker();
  return { worker, done: () => nextReply(worker, `${fn}: worker ${k}`) };
}

/**
 * The exact k nearest neighbours of every row of `x` [N, D] (as `nearestNeighbors` in
 * affinity.ts, identical output) computed by the calling thread and `workers − 1` Web Workers.
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { nearestNeighbors } from "./affinity.ts";
 * import { parallelNearestNeighbors } from "./workers.ts";
 * const x = randn([300, 5], { seed: 1 });
 * const a = nearestNeighbors(x, 7), b = await parallelNearestNeighbors(x, 7, { workers: 2 });
 * if (a.indices.join() !== b.indices.join()) throw new Error();
 * ```
 */
export async function parallelNearestNeighbors(
  x: NDArray,
  k: number,
  options: { workers?: number } = {},
): Promise<KnnResult> {
  const fn = "parallelNearestNeighbors";
  const threads = options.workers ?? DEFAULT_THREADS;
  if (!(x instanceof NDArray) || x.ndim !== 2) {
    throw new TypeError(`${fn}: x must be a 2-D NDArray [N, D]`);
  }
  const [n, d] = x.shape;
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new RangeError(`${fn}: k must be an integer in [1, ${n - 1}] for N = ${n}, got ${k}`);
  }
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`${fn}: workers must be a positive integer, got ${threads}`);
  }
  const sx = new SharedArrayBuffer(x.data.byteLength);
  new Float64Array(sx).set(x.data);
  const si = new SharedArrayBuffer(n * k * Int32Array.BYTES_PER_ELEMENT);
  const sd = new SharedArrayBuffer(n * k * Float64Array.BYTES_PER_ELEMENT);
  const indices = new Int32Array(si);
  const distances = new Float64Array(sd);
  const setup = knnSetup(x.data, n, d);
  // Contiguous blocks of the cluster order keep each thread's queries near each other.
  const bounds = blocks(n, threads);
  const started = [];
  for (let t = 1; t < threads; t++) {
    const w = startWorker(t, fn);
    const done = w.done();
    const job: KnnJob = {
      kind: "knn",
      x: sx,
      d,
      k,
      setup,
      start: bounds[t],
      end: bounds[t + 1],
      indices: si,
      distances: sd,
    };
    w.worker.postMessage(job);
    started.push({ worker: w.worker, done });
  }
  try {
    knnRange(x.data, d, k, setup, bounds[0], bounds[1], indices, distances);
    await Promise.all(started.map((s) => s.done));
  } finally {
    for (const s of started) s.worker.terminate();
  }
  return { k, indices: indices.slice(), distances: distances.slice() };
}

/**
 * P with its arrays in `SharedArrayBuffer`s (`p` itself when they already are), so that posting
 * it to a worker shares the entries instead of copying them into every worker.
 */
export function shareCsr(p: CsrMatrix): CsrMatrix {
  if (p.vals.buffer instanceof SharedArrayBuffer) return p;
  const share = <T extends Int32Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T) => {
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    n: p.n,
    rowPtr: share(p.rowPtr, (b) => new Int32Array(b)),
    cols: share(p.cols, (b) => new Int32Array(b)),
    vals: share(p.vals, (b) => new Float64Array(b)),
  };
}

/** Options of {@linkcode WorkerPool.create}. */
export interface WorkerPoolOptions {
  /** Threads including the calling one, ≥ 1. Default 2. */
  workers?: number;
  /** Barnes-Hut θ. Default 0.2. */
  theta?: number;
}

const DEFAULT_THREADS = 2;

function blocks(n: number, parts: number): number[] {
  const bounds = [0];
  for (let k = 1; k <= parts; k++) bounds.push(Math.round((n * k) / parts));
  return bounds;
}

/**
 * A pool of gradient workers bound to one P. Call {@linkcode WorkerPool.close} when done.
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { knnAffinities } from "./affinity.ts";
 * import { barnesHutGradient } from "./barnes_hut.ts";
 * import { WorkerPool } from "./workers.ts";
 * const p = knnAffinities(randn([200, 3], { seed: 1 }), { perplexity: 10 }).p;
 * const y = randn([200, 2], { seed: 2 }).data;
 * const one = new Float64Array(400), two = new Float64Array(400);
 * barnesHutGradient(y, p, one);
 * const pool = await WorkerPool.create(p, { workers: 2 });
 * await pool.gradient(y, 1, two);
 * pool.close();
 * if (one.some((v, i) => v !== two[i])) throw new Error("bit-for-bit");
 * ```
 */
export class WorkerPool {
  #p: CsrMatrix;
  #workers: Worker[];
  #y: Float64Array;
  #rep: Float64Array;
  #attr: Float64Array;
  #zPart: Float64Array;
  #theta: number;
  #own: [number, number];
  #tree: QuadTree | undefined;

  private constructor(
    p: CsrMatrix,
    workers: Worker[],
    buffers: Float64Array[],
    theta: number,
    own: [number, number],
  ) {
    this.#p = p;
    this.#workers = workers;
    [this.#y, this.#rep, this.#attr, this.#zPart] = buffers;
    this.#theta = theta;
    this.#own = own;
  }

  /**
   * Starts `workers − 1` Web Workers and hands them P (shared, see {@linkcode shareCsr}) and the
   * shared buffers.
   */
  static async create(p: CsrMatrix, options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const threads = options.workers ?? DEFAULT_THREADS;
    const theta = options.theta ?? DEFAULT_THETA;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`WorkerPool.create: workers must be a positive integer, got ${threads}`);
    }
    if (threads > 1) p = shareCsr(p);
    const n = p.n;
    const bytes = Float64Array.BYTES_PER_ELEMENT;
    const sy = new SharedArrayBuffer(2 * n * bytes);
    const srep = new SharedArrayBuffer(2 * n * bytes);
    const sattr = new SharedArrayBuffer(2 * n * bytes);
    const sz = new SharedArrayBuffer(n * bytes);
    const bounds = blocks(n, threads);
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let k = 1; k < threads; k++) {
      const w = gradientWorker();
      workers.push(w);
      ready.push(nextReply(w, `WorkerPool.create: worker ${k}`));
      const init: WorkerInit = {
        kind: "init",
        p,
        y: sy,
        rep: srep,
        attr: sattr,
        zPart: sz,
        theta,
        start: bounds[k],
        end: bounds[k + 1],
      };
      w.postMessage(init);
    }
    await allReady(workers, ready);
    return new WorkerPool(
      p,
      workers,
      [sy, srep, sattr, sz].map((b) => new Float64Array(b)),
      theta,
      [bounds[0], bounds[1]],
    );
  }

  /** The P the pool works on (in shared memory when there are workers). */
  get p(): CsrMatrix {
    return this.#p;
  }

  /** Threads in use, including the calling one. */
  get threads(): number {
    return this.#workers.length + 1;
  }

  /**
   * Writes the gradient of `y` [N, 2] with exaggeration α into `dy`; resolves to Z.
   */
  async gradient(y: Float64Array, exaggeration: number, dy: Float64Array): Promise<number> {
    const p = this.#p;
    const n = p.n;
    if (y.length !== 2 * n || dy.length !== 2 * n) {
      throw new RangeError(`WorkerPool.gradient: y and dy must be [${n}, 2]`);
    }
    if (this.#workers.length === 0) {
      return barnesHutGradient(y, p, dy, { theta: this.#theta, exaggeration });
    }
    this.#y.set(y);
    const done = this.#workers.map((w, k) => nextReply(w, `WorkerPool.gradient: worker ${k + 1}`));
    const step: WorkerStep = { kind: "step", exaggeration };
    for (const w of this.#workers) w.postMessage(step);
    const [start, end] = this.#own;
    const ys = this.#y;
    const tree = buildQuadTree(ys, n, this.#tree);
    this.#tree = tree;
    repulsionRange(tree, ys, this.#theta, start, end, this.#rep, this.#zPart);
    attractionRange(p, ys, exaggeration, start, end, this.#attr);
    await Promise.all(done);
    return combineGradient(this.#attr, this.#rep, this.#zPart, dy);
  }

  /** Terminates the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
