/**
 * The FFT t-SNE gradient on several threads: the calling thread and `workers − 1` Web Workers
 * share one {@linkcode FftGrid} (its storage a shared WebAssembly memory, each thread with its own
 * instance of the FFT kernels), and the embedding, the forces and the per-point shares of Z in
 * `SharedArrayBuffer`s, and go through the grid's five phases together. Each thread does its
 * own part of every phase (and, with the last one, the attraction of its points); between
 * phases they meet at a barrier made of `Atomics.wait`/`Atomics.notify` on a shared counter, so a
 * phase costs microseconds of coordination, not a message round trip. Nothing is allocated per
 * iteration. Every number is computed as in the serial {@linkcode fftGradient}, so the gradient
 * is bit for bit the same for any number of threads (tested).
 *
 * Permissions: the worker module is loaded from `lib/tsne/gradient_worker.ts`, which needs
 * `--allow-read` on the project folder.
 *
 * @module
 */

import type { CsrMatrix } from "./affinity.ts";
import { attractionRange } from "./barnes_hut.ts";
import { FFT_PHASES, FftGrid, type FftOptions, shareOf, sumInOrder } from "./fft.ts";
import { klRows, pSum } from "./kl.ts";
import { allReady, gradientWorker, nextReply, shareCsr } from "./workers.ts";

/** Slots of the shared control block (Int32). */
const GEN = 0, DONE = 1, OP = 2, FAILED = 3;
/** Float64 slot of the control block holding the exaggeration. */
const EXAGGERATION = 2;
/** The operation that sends the workers back to their event loop. */
const LEAVE = -1;
/** The operation after the FFT phases: each thread's rows of the KL divergence. */
const KL_ROWS = FFT_PHASES.length;
/** How long the calling thread waits for a phase before it gives up on a worker. */
const PHASE_TIMEOUT_MS = 120_000;

/** The message that sets an FFT worker up. */
export interface FftWorkerInit {
  /** Message kind. */
  kind: "fft-init";
  /** P (copied into the worker once). */
  p: CsrMatrix;
  /** Grid options. */
  fft: FftOptions;
  /** This worker's part, 1 ≤ part < parts. */
  part: number;
  /** Threads in all. */
  parts: number;
  /** Shared embedding [N, 2], repulsion [N, 2], attraction [N, 2], Z shares [N]. */
  y: SharedArrayBuffer;
  /** Shared repulsion. */
  rep: SharedArrayBuffer;
  /** Shared attraction. */
  attr: SharedArrayBuffer;
  /** Shared Z shares. */
  zPart: SharedArrayBuffer;
  /** Control block: generation, done count, operation, failure flag, exaggeration. */
  control: SharedArrayBuffer;
  /** Grid storage (a shared WebAssembly memory). */
  storage: WebAssembly.Memory;
  /** Grid parameters. */
  params: SharedArrayBuffer;
}

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/**
 * A pool of threads computing FFT t-SNE gradients for one P. Call {@linkcode FftPool.close}
 * when done.
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { knnAffinities } from "./affinity.ts";
 * import { fftGradient } from "./fft.ts";
 * import { FftPool } from "./fft_pool.ts";
 * const p = knnAffinities(randn([300, 3], { seed: 1 }), { perplexity: 10 }).p;
 * const y = randn([300, 2], { seed: 2, std: 5 }).data;
 * const one = new Float64Array(600), two = new Float64Array(600);
 * fftGradient(y, p, one);
 * const pool = await FftPool.create(p, { workers: 2 });
 * pool.gradient(y, 1, two);
 * pool.close();
 * if (one.some((v, i) => v !== two[i])) throw new Error("bit-for-bit");
 * ```
 */
export class FftPool {
  #p: CsrMatrix;
  #grid: FftGrid;
  #workers: Worker[];
  #y: Float64Array;
  #rep: Float64Array;
  #attr: Float64Array;
  #zPart: Float64Array;
  #control: Int32Array;
  #exaggeration: Float64Array;
  #parts: number;
  #pSum: number | undefined;

  private constructor(
    p: CsrMatrix,
    grid: FftGrid,
    workers: Worker[],
    buffers: Float64Array[],
    control: SharedArrayBuffer,
  ) {
    this.#p = p;
    this.#grid = grid;
    this.#workers = workers;
    [this.#y, this.#rep, this.#attr, this.#zPart] = buffers;
    this.#control = new Int32Array(control);
    this.#exaggeration = new Float64Array(control);
    this.#parts = workers.length + 1;
  }

  /**
   * Starts `workers − 1` Web Workers (default 2 threads in all) bound to P, which they share
   * (see {@linkcode shareCsr}: the pool's {@linkcode FftPool.p} is that shared copy).
   */
  static async create(
    p: CsrMatrix,
    options: { workers?: number; fft?: FftOptions } = {},
  ): Promise<FftPool> {
    const fn = "FftPool.create";
    const threads = options.workers ?? 2;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`${fn}: workers must be a positive integer, got ${threads}`);
    }
    if (threads > 1) p = shareCsr(p);
    const n = p.n;
    const fft = options.fft ?? {};
    const grid = new FftGrid(n, fft, threads);
    const buffers = [2 * n, 2 * n, 2 * n, n].map(sharedFloat64);
    const control = new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT);
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let k = 1; k < threads; k++) {
      const w = gradientWorker();
      workers.push(w);
      ready.push(nextReply(w, `${fn}: worker ${k}`));
      const [y, rep, attr, zPart] = buffers.map((b) => b.buffer as SharedArrayBuffer);
      const init: FftWorkerInit = {
        kind: "fft-init",
        p,
        fft,
        part: k,
        parts: threads,
        y,
        rep,
        attr,
        zPart,
        control,
        storage: grid.buffers.memory,
        params: grid.buffers.params.buffer as SharedArrayBuffer,
      };
      w.postMessage(init);
    }
    await allReady(workers, ready);
    return new FftPool(p, grid, workers, buffers, control);
  }

  /** The P the pool works on (in shared memory when there are workers). */
  get p(): CsrMatrix {
    return this.#p;
  }

  /** Threads in use, including the calling one. */
  get threads(): number {
    return this.#parts;
  }

  /** Writes the gradient of `y` [N, 2] with exaggeration α into `dy` and returns Z. */
  gradient(y: Float64Array, exaggeration: number, dy: Float64Array): number {
    const n = this.#p.n;
    if (y.length !== 2 * n || dy.length !== 2 * n) {
      throw new RangeError(`FftPool.gradient: y and dy must be [${n}, 2]`);
    }
    if (this.#workers.length === 0 && this.#parts > 1) {
      throw new Error("FftPool.gradient: the pool is closed");
    }
    const ys = this.#y;
    ys.set(y);
    this.#grid.setup(ys);
    this.#exaggeration[EXAGGERATION] = exaggeration;
    for (let op = 0; op < FFT_PHASES.length; op++) this.#phase(op);
    const z = sumInOrder(this.#zPart);
    const invZ = 1 / z, attr = this.#attr, rep = this.#rep;
    for (let k = 0; k < 2 * n; k++) dy[k] = 4 * (attr[k] - rep[k] * invZ);
    return z;
  }

  /**
   * KL(P‖Q) of `y` given its Z (as {@linkcode klFromZ}), the rows shared between the threads and
   * summed in row order: the same number for any thread count.
   */
  kl(y: Float64Array, z: number): number {
    this.#y.set(y);
    this.#phase(KL_ROWS);
    this.#pSum ??= pSum(this.#p);
    return sumInOrder(this.#zPart) + this.#pSum * Math.log(z);
  }

  /** Runs one phase on every thread and waits at the barrier. */
  #phase(op: number): void {
    const c = this.#control, waiting = this.#workers.length;
    if (waiting > 0) {
      Atomics.store(c, OP, op);
      Atomics.store(c, DONE, 0);
      Atomics.add(c, GEN, 1);
      Atomics.notify(c, GEN);
    }
    runPhase(
      this.#grid,
      op,
      0,
      this.#parts,
      this.#p,
      [this.#y, this.#rep, this.#attr, this.#zPart],
      this.#exaggeration[EXAGGERATION],
    );
    this.#await(waiting, FFT_PHASES[op] ?? "kl");
  }

  #await(waiting: number, what: string): void {
    const c = this.#control;
    let done;
    while ((done = Atomics.load(c, DONE)) < waiting) {
      if (Atomics.wait(c, DONE, done, PHASE_TIMEOUT_MS) === "timed-out") {
        throw new Error(`FftPool.gradient: a worker did not finish phase ${what} in time`);
      }
    }
    const failed = Atomics.load(c, FAILED);
    if (failed > 0) throw new Error(`FftPool.gradient: worker ${failed} failed in phase ${what}`);
  }

  /** Sends the workers back to their event loops. */
  #leave(): void {
    const c = this.#control;
    Atomics.store(c, OP, LEAVE);
    Atomics.store(c, DONE, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    this.#await(this.#workers.length, "leave");
  }

  /** Stops the workers. */
  close(): void {
    if (this.#workers.length === 0) return;
    try {
      this.#leave();
    } finally {
      for (const w of this.#workers) w.terminate();
      this.#workers = [];
    }
  }
}

/**
 * Part `part` of `parts` of phase `op`; the last phase adds the attraction of the same points,
 * and the operation after the phases computes rows of the KL divergence into the Z shares.
 * `buffers` are the embedding, repulsion, attraction and Z shares.
 */
function runPhase(
  grid: FftGrid,
  op: number,
  part: number,
  parts: number,
  p: CsrMatrix,
  buffers: Float64Array[],
  exaggeration: number,
): void {
  const [y, rep, attr, zPart] = buffers;
  if (op === KL_ROWS) {
    const [start, end] = shareOf(p.n, part, parts);
    klRows(p, y, 2, start, end, zPart);
    return;
  }
  const phase = FFT_PHASES[op];
  grid.phase(phase, part, parts, y, rep, zPart);
  if (phase === "gather") {
    const [start, end] = grid.range(phase, part, parts);
    attractionRange(p, y, exaggeration, start, end, attr);
  }
}

/** The worker side: binds to the shared buffers of `init`, replies, and serves phases until told to leave. */
export function serveFftWorker(init: FftWorkerInit, reply: () => void): void {
  const control = new Int32Array(init.control);
  const exaggeration = new Float64Array(init.control);
  const params = new Float64Array(init.params);
  const buffers = [init.y, init.rep, init.attr, init.zPart].map((b) => new Float64Array(b));
  const grid = new FftGrid(init.p.n, init.fft, init.parts, { memory: init.storage, params });
  const serve = () => {
    let gen = Atomics.load(control, GEN);
    reply();
    for (;;) {
      Atomics.wait(control, GEN, gen);
      gen = Atomics.load(control, GEN);
      const op = Atomics.load(control, OP);
      if (op !== LEAVE) {
        try {
          runPhase(grid, op, init.part, init.parts, init.p, buffers, exaggeration[EXAGGERATION]);
        } catch (e) {
          Atomics.store(control, FAILED, init.part);
          console.error(`FftPool worker ${init.part}: ${e}`);
        }
      }
      Atomics.add(control, DONE, 1);
      Atomics.notify(control, DONE);
      if (op === LEAVE) return;
    }
  };
  serve();
}
