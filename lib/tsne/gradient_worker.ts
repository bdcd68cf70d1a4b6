/**
 * Web Worker body for {@linkcode WorkerPool}, {@linkcode FftPool} and
 * {@linkcode parallelNearestNeighbors}: computes the Barnes-Hut repulsion and the sparse
 * attraction (or the exact k nearest neighbours, or its part of each FFT phase) for its range of
 * rows into shared memory. Every worker builds the same quadtree
 * from the same shared embedding, so the rows it writes equal the single-threaded ones exactly.
 *
 * @module
 */

import { type CsrMatrix, knnRange } from "./affinity.ts";
import { attractionRange, buildQuadTree, type QuadTree, repulsionRange } from "./barnes_hut.ts";
import type { KnnJob, WorkerInit, WorkerStep } from "./workers.ts";
import { type FftWorkerInit, serveFftWorker } from "./fft_pool.ts";

let state: {
  p: CsrMatrix;
  y: Float64Array;
  rep: Float64Array;
  attr: Float64Array;
  zPart: Float64Array;
  theta: number;
  start: number;
  end: number;
} | undefined;

let tree: QuadTree | undefined;

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = (
  e: MessageEvent<WorkerInit | WorkerStep | KnnJob | FftWorkerInit>,
) => {
  const msg = e.data;
  // The FFT pool's workers serve phases inside this call until the pool lets them go.
  if (msg.kind === "fft-init") {
    serveFftWorker(msg, () => scope.postMessage({ kind: "ready" }));
    return;
  }
  if (msg.kind === "knn") {
    knnRange(
      new Float64Array(msg.x),
      msg.d,
      msg.k,
      msg.setup,
      msg.start,
      msg.end,
      new Int32Array(msg.indices),
      new Float64Array(msg.distances),
    );
    scope.postMessage({ kind: "done" });
    return;
  }
  if (msg.kind === "init") {
    state = {
      p: msg.p,
      y: new Float64Array(msg.y),
      rep: new Float64Array(msg.rep),
      attr: new Float64Array(msg.attr),
      zPart: new Float64Array(msg.zPart),
      theta: msg.theta,
      start: msg.start,
      end: msg.end,
    };
    scope.postMessage({ kind: "ready" });
    return;
  }
  const s = state!;
  tree = buildQuadTree(s.y, s.p.n, tree);
  repulsionRange(tree, s.y, s.theta, s.start, s.end, s.rep, s.zPart);
  attractionRange(s.p, s.y, msg.exaggeration, s.start, s.end, s.attr);
  scope.postMessage({ kind: "done" });
};
