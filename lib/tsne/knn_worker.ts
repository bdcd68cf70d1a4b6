/**
 * Web Worker body of {@linkcode parallelApproximateNearestNeighbors} (knn_approx.ts): on `init`
 * it instantiates the kernels on the shared memory of the search, then runs its share of each job
 * and answers with a number (0, or its distance evaluations for `count`).
 *
 * @module
 */

import {
  type KnnKernels,
  knnKernels,
  type KnnWorkerInit,
  type KnnWorkerJob,
  runJobPart,
  type SearchLayout,
} from "./knn_approx.ts";

let state: { kernels: KnnKernels; layout: SearchLayout; part: number; parts: number } | undefined;

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = (e: MessageEvent<KnnWorkerInit | KnnWorkerJob | { kind: "count" }>) => {
  const msg = e.data;
  if (msg.kind === "init") {
    const kernels = knnKernels(msg.memory, msg.layout, msg.part, msg.module);
    state = { kernels, layout: msg.layout, part: msg.part, parts: msg.parts };
    scope.postMessage(0);
    return;
  }
  const s = state!;
  if (msg.kind === "count") {
    scope.postMessage(s.kernels.evaluations());
    return;
  }
  runJobPart(s.kernels, s.layout, msg.job, s.part, s.parts);
  scope.postMessage(0);
};
