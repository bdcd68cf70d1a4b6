/**
 * Running FIt-SNE (Linderman et al. 2019, github.com/KlugerLab/FIt-SNE) from TypeScript for
 * `bench/tsne_bench.ts`: its `fast_tsne` binary reads every setting and the data from one binary
 * file and writes the embedding to another, so no Python is involved.
 *
 * The input file, as `fast_tsne` 1.2.x reads it (native byte order, int32 and float64 fields in
 * this order): N, D, θ, perplexity, output dimensions, iterations, the iteration that ends early
 * exaggeration, the iteration that switches momentum, momentum, final momentum, learning rate,
 * largest step norm, K, σ, n-body algorithm (1 Barnes-Hut, 2 FFT), k-NN algorithm (1 Annoy,
 * 2 VP tree), early exaggeration, "no momentum during exaggeration", Annoy trees, Annoy search_k,
 * the iteration that starts late exaggeration, late exaggeration, interpolation nodes per
 * interval, intervals per unit, fewest intervals; then the N×D data (row-major); then seed,
 * degrees of freedom, affinity load/save mode; then optionally the N×2 initial embedding (without
 * it, `fast_tsne` draws a random one). The output file holds N, 2, the N×2 embedding, the
 * iteration count and the cost after every iteration (computed every 50).
 *
 * @module
 */

import { NDArray } from "../lib/ndarray.ts";

/** The version the input format above belongs to; `fast_tsne` refuses any other argument. */
export const FITSNE_VERSION = "1.2.1";

/** FIt-SNE's settings; {@linkcode fitsneSettings} gives the ones its own wrapper uses. */
export interface FitsneSettings {
  theta: number;
  perplexity: number;
  iterations: number;
  exaggerationIterations: number;
  momentumSwitchIteration: number;
  momentum: number;
  finalMomentum: number;
  learningRate: number;
  maxStepNorm: number;
  nbodyAlgorithm: 1 | 2;
  knnAlgorithm: 1 | 2;
  exaggeration: number;
  annoyTrees: number;
  annoySearchK: number;
  interpolationNodes: number;
  intervalsPerUnit: number;
  minIntervals: number;
  seed: number;
}

/**
 * The defaults of FIt-SNE 1.2.1's wrapper (`fast_tsne.py`) for N points, except `iterations`
 * (the wrapper's default is 750; the benchmark runs every tool for the same 1000): perplexity 30,
 * FFT repulsion, Annoy neighbours (50 trees, search_k = 3·perplexity·trees), exaggeration 12 for
 * 250 iterations, momentum 0.5 then 0.8 from iteration 250, learning rate max(200, N/12), steps
 * clipped at norm 5, 3 interpolation nodes per interval, at least 50 intervals of width ≤ 1.
 */
export function fitsneSettings(
  n: number,
  options: { iterations?: number; seed?: number; perplexity?: number } = {},
): FitsneSettings {
  const perplexity = options.perplexity ?? 30;
  const exaggeration = 12;
  const trees = 50;
  return {
    theta: 0.5,
    perplexity,
    iterations: options.iterations ?? 1000,
    exaggerationIterations: 250,
    momentumSwitchIteration: 250,
    momentum: 0.5,
    finalMomentum: 0.8,
    learningRate: Math.max(200, n / exaggeration),
    maxStepNorm: 5,
    nbodyAlgorithm: 2,
    knnAlgorithm: 1,
    exaggeration,
    annoyTrees: trees,
    annoySearchK: 3 * perplexity * trees,
    interpolationNodes: 3,
    intervalsPerUnit: 1,
    minIntervals: 50,
    seed: options.seed ?? 42,
  };
}

/** The `data.dat` bytes for `x` [N, D], settings `s` and an optional initial embedding [N, 2]. */
export function encodeFitsneInput(x: NDArray, s: FitsneSettings, init?: NDArray): Uint8Array {
  const [n, d] = x.shape;
  if (init && (init.shape[0] !== n || init.shape[1] !== 2)) {
    throw new RangeError(`encodeFitsneInput: init must be [${n}, 2], got [${init.shape}]`);
  }
  const ints = 17, doubles = 11;
  const size = 4 * ints + 8 * doubles + 8 * n * d + (init ? 8 * n * 2 : 0);
  const buf = new ArrayBuffer(size);
  const view = new DataView(buf);
  let at = 0;
  const int = (v: number) => {
    view.setInt32(at, v, true);
    at += 4;
  };
  const dbl = (v: number) => {
    view.setFloat64(at, v, true);
    at += 8;
  };
  // `at` is not 8-byte aligned after the int32 fields, so arrays are copied byte by byte.
  const block = (a: Float64Array) => {
    new Uint8Array(buf, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    at += a.byteLength;
  };
  int(n);
  int(d);
  dbl(s.theta);
  dbl(s.perplexity);
  int(2); // output dimensions
  int(s.iterations);
  int(s.exaggerationIterations);
  int(s.momentumSwitchIteration);
  dbl(s.momentum);
  dbl(s.finalMomentum);
  dbl(s.learningRate);
  dbl(s.maxStepNorm);
  int(-1); // K: unused with a perplexity
  dbl(-1); // σ: unused with a perplexity
  int(s.nbodyAlgorithm);
  int(s.knnAlgorithm);
  dbl(s.exaggeration);
  int(0); // momentum during exaggeration: yes
  int(s.annoyTrees);
  int(s.annoySearchK);
  int(-1); // no late exaggeration
  dbl(-1);
  int(s.interpolationNodes);
  dbl(s.intervalsPerUnit);
  int(s.minIntervals);
  block(x.data);
  int(s.seed);
  dbl(1); // degrees of freedom: the Cauchy kernel of t-SNE
  int(0); // affinities: neither loaded nor saved
  if (init) block(init.data);
  if (at !== size) throw new Error(`encodeFitsneInput: wrote ${at} of ${size} bytes`);
  return new Uint8Array(buf);
}

/** Reads `fast_tsne`'s `result.dat`: the embedding [N, dims] and the cost per iteration. */
export function decodeFitsneResult(bytes: Uint8Array): { embedding: NDArray; costs: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getInt32(0, true), dims = view.getInt32(4, true);
  const expected = 8 + 8 * n * dims;
  if (!(n > 0 && dims > 0) || bytes.byteLength < expected + 4) {
    throw new RangeError(`decodeFitsneResult: ${bytes.byteLength} bytes for N = ${n}, ${dims}-D`);
  }
  const y = new Float64Array(n * dims);
  for (let i = 0; i < n * dims; i++) y[i] = view.getFloat64(8 + 8 * i, true);
  const iters = view.getInt32(expected, true);
  const costs: number[] = [];
  for (let t = 0; t < iters && expected + 4 + 8 * (t + 1) <= bytes.byteLength; t++) {
    costs.push(view.getFloat64(expected + 4 + 8 * t, true));
  }
  return { embedding: new NDArray(y, [n, dims]), costs };
}
