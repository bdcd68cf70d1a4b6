/**
 * Approximate k nearest neighbours for t-SNE at large N: a seeded forest of random-projection
 * trees proposes candidates (Dasgupta & Freund 2008), and NN-descent refines them by trying the
 * neighbours of neighbours (Dong, Moses & Li 2011).
 *
 * **Forest.** Each tree splits a node's points at the median of their projections on the
 * direction x_a − x_b between two random members a ≠ b of the node (Annoy's split direction,
 * with the median instead of the midpoint so that both halves have equal size), until a node
 * holds at most `leafSize` points; every leaf has at least k + 1 points. Each point is compared
 * with the other points of its leaf. Close points tend to share a leaf in some tree, so T trees
 * give each point up to T·leafSize candidates.
 *
 * **NN-descent.** Each point keeps a bounded max-heap of its k best (distance, index) pairs, each
 * marked new or old. A round samples each heap edge v → j with probability `sampleRate` (a hash of
 * the pair, the round and the seed decides): j joins v's list and v joins j's, into the new lists
 * for new edges and the old lists for old ones, at most `maxCandidates` each; sampled new edges
 * turn old. Then each point i is offered every v on its new list, the members of v's new and old
 * lists, and the new members of the lists of each v on its old list: "a neighbour of a neighbour
 * is likely a neighbour", skipping pairs met before. Rounds stop when fewer than `delta`·N·k heap
 * entries changed, or after `iterations` rounds.
 *
 * **Kernels.** Distances, heaps and the joins run in WebAssembly with SIMD (`knn_approx.wat`)
 * over one shared memory: each call writes only the heap rows it is given, so Web Workers can
 * take disjoint rows (see {@linkcode parallelApproximateNearestNeighbors}). The search compares a
 * float32 copy of the points (four lanes, half the bytes per row: about 30% faster on the 50-D
 * mixture at 50,000 points, same recall); only the order of near-ties can differ from float64,
 * and the reported distances are float64 (below).
 *
 * **Determinism.** The result is a function of the seed alone, for any number of workers. A heap
 * keeps the k smallest pairs under the total order (distance, index), so its content after a
 * call is the k smallest of everything offered to it, whatever the order of the offers; the
 * samples come from a hash, not from a random stream; the stopping count is read from the heaps
 * after a round. The reported squared distances are recomputed at the end as `squaredDistance`
 * (affinity.ts) computes them (the same sum in the same order, in the kernels, on all threads),
 * so a neighbour found by both searches has the same distance bit for bit, and rows are ordered
 * by (distance, index) as in exact search.
 *
 * Cost: about N·(T·leafSize + rounds·c) distance evaluations of D operations, where c, the
 * distinct neighbours of neighbours per point and round, falls as the heaps settle; the trees cost
 * O(N·D·log N).
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { type KnnResult, nearestNeighbors } from "./affinity.ts";
import { KNN_APPROX_WASM } from "./knn_approx_wasm.ts";
import { parallelNearestNeighbors } from "./workers.ts";

/** Default number of random-projection trees. */
export const DEFAULT_TREES = 8;
/** Default bound on the points of a leaf (raised to 2(k + 1) so every leaf has k + 1 points). */
export const DEFAULT_LEAF_SIZE = 64;
/** Default bound on the NN-descent rounds. */
export const DEFAULT_DESCENT_ROUNDS = 15;
/**
 * Default sampled edges per list slot: an edge is sampled with probability
 * min(1, 0.75·maxCandidates / k), so that a point's new list (its own edges and the reverse ones,
 * about 2·0.75·maxCandidates) comes out nearly full; small k samples every edge.
 */
export const DEFAULT_SAMPLES_PER_SLOT = 0.75;
/** Default bound on the new (and on the old) list of a point in a round. */
export const DEFAULT_MAX_CANDIDATES = 36;
/** Default stopping fraction: a round that changes fewer than δ·N·k entries is the last. */
export const DEFAULT_DELTA = 0.001;
/** `fresh` value of a heap entry that entered in the current call (1: new, 0: old). */
export const INSERTED = 2;

const PAGE = 65536;
/** A wasm32 memory addresses 4 GiB. */
const ADDRESS_LIMIT = 2 ** 32 - PAGE;

/** Options of {@linkcode approximateNearestNeighbors}. */
export interface ApproxKnnOptions {
  /** Random-projection trees T. Default 8. */
  trees?: number;
  /** Most points of a leaf; at least 2(k + 1) is used. Default 64. */
  leafSize?: number;
  /** Most NN-descent rounds. Default 15. */
  iterations?: number;
  /**
   * Probability that a heap edge joins the sampled lists of a round, in (0, 1]. Default
   * min(1, 0.75·maxCandidates / k) (0.3 for k = 90).
   */
  sampleRate?: number;
  /** Most members of a point's new (and old) list in a round. Default 36. */
  maxCandidates?: number;
  /** Stop after a round that changes fewer than δ·N·k heap entries. Default 0.001. */
  delta?: number;
  /** Seed of the trees and the sampling. Default 42. */
  seed?: number;
}

/** A k-NN result with the cost of the approximate search. */
export interface ApproxKnnResult extends KnnResult {
  /** NN-descent rounds run. */
  rounds: number;
  /**
   * Distance evaluations, all threads together (a pair met again is skipped; with workers, a
   * few more are evaluated, since each thread remembers only its own meetings).
   */
  evaluations: number;
}

/** The WebAssembly exports of knn_approx.wat. */
export interface KnnKernels {
  init(
    a: number,
    a32: number,
    d: number,
    k: number,
    dist: number,
    ids: number,
    fresh: number,
    m: number,
    newIds: number,
    newSize: number,
    oldIds: number,
    oldSize: number,
    stamp: number,
  ): void;
  evaluations(): number;
  leaf_join(order: number, lo: number, hi: number): void;
  descend(i0: number, i1: number): void;
  finish(i0: number, i1: number): void;
}

/** Byte offsets of one search in its shared memory (see knn_approx.wat). */
export interface SearchLayout {
  /** Points N. */
  n: number;
  /** Dimensions D. */
  d: number;
  /** Neighbours k. */
  k: number;
  /** Slots of a sampled list. */
  m: number;
  /** Points [N, D] f64, written for the end of the search (over the f32 points and the lists). */
  a: number;
  /** The points in f32 [N, D], which the search compares. */
  a32: number;
  /** Heap distances [N, k] f64. */
  dist: number;
  /** Heap indices [N, k] i32. */
  ids: number;
  /** Tree order [N] i32 (the leaves of the current tree). */
  order: number;
  /** New lists [N, m] i32. */
  newIds: number;
  /** Sizes of the new lists [N] i32. */
  newSize: number;
  /** Old lists [N, m] i32. */
  oldIds: number;
  /** Sizes of the old lists [N] i32. */
  oldSize: number;
  /** Stamps of thread 0 [N] i32; thread t's follow at 4·N·t bytes further. */
  stamps: number;
  /** Heap marks [N, k] u8. */
  fresh: number;
  /** Bytes in all. */
  bytes: number;
}

/** The memory layout for N points, D dimensions, k neighbours, lists of m and `threads` stamps. */
export function searchLayout(
  n: number,
  d: number,
  k: number,
  m: number,
  threads: number,
): SearchLayout {
  let at = 0;
  const take = (bytes: number) => {
    const start = at;
    at += Math.ceil(bytes / 16) * 16;
    return start;
  };
  const dist = take(n * k * 8), ids = take(n * k * 4), order = take(n * 4);
  const stamps = take(n * 4 * threads);
  // The f32 points, the lists and the marks serve the search only; the f64 points serve only its
  // end, so they take the same bytes when these suffice.
  const a32 = take(n * d * 4);
  const newIds = take(n * m * 4), newSize = take(n * 4), oldIds = take(n * m * 4);
  const oldSize = take(n * 4), fresh = take(n * k);
  const a = at - a32 >= n * d * 8 ? a32 : take(n * d * 8);
  return {
    n,
    d,
    k,
    m,
    a,
    a32,
    dist,
    ids,
    order,
    newIds,
    newSize,
    oldIds,
    oldSize,
    stamps,
    fresh,
    bytes: at,
  };
}

let compiled: WebAssembly.Module | undefined;

/** The compiled kernels (compiled once per thread). */
export function knnModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    Uint8Array.from(atob(KNN_APPROX_WASM), (c) => c.charCodeAt(0)),
  );
  return compiled;
}

/** Kernels on `memory` for `layout`, using the stamps of `thread`. */
export function knnKernels(
  memory: WebAssembly.Memory,
  layout: SearchLayout,
  thread: number,
  module: WebAssembly.Module = knnModule(),
): KnnKernels {
  const kernels = new WebAssembly.Instance(module, { env: { memory } })
    .exports as unknown as KnnKernels;
  const L = layout;
  kernels.init(
    L.a,
    L.a32,
    L.d,
    L.k,
    L.dist,
    L.ids,
    L.fresh,
    L.m,
    L.newIds,
    L.newSize,
    L.oldIds,
    L.oldSize,
    L.stamps + 4 * L.n * thread,
  );
  return kernels;
}

/**
 * One random-projection tree over all N points, written into `order` leaf by leaf: leaf l holds
 * `order[leafStart[l]..leafStart[l+1])`. Splits are at the median of the projections on
 * x_a − x_b for two random members a ≠ b (ties by index), so leaves hold between ⌊leafSize/2⌋ + 1
 * and `leafSize` points (all N when N ≤ leafSize). `proj` is scratch of length N.
 */
export function rpTreeLeaves(
  a: Float64Array | Float32Array,
  n: number,
  d: number,
  leafSize: number,
  rng: Random,
  order: Int32Array,
  proj: Float64Array,
): Int32Array {
  for (let i = 0; i < n; i++) order[i] = i;
  const starts: number[] = [0];
  // Depth-first over nodes [lo, hi), left child first, so leaves come out in order.
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    const size = hi - lo;
    if (size <= leafSize) {
      starts.push(hi);
      continue;
    }
    const ia = lo + rng.int(size);
    let ib = lo + rng.int(size - 1);
    if (ib >= ia) ib++;
    const oa = order[ia] * d, ob = order[ib] * d;
    for (let p = lo; p < hi; p++) {
      const o = order[p] * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += (a[oa + t] - a[ob + t]) * a[o + t];
      proj[p] = s;
    }
    // Split by rank so that every leaf ends up with about size / ⌈size / leafSize⌉ points.
    const leaves = Math.ceil(size / leafSize);
    const minLeaf = leafSize >> 1;
    const mid = Math.min(
      hi - minLeaf,
      Math.max(lo + minLeaf, lo + Math.round((size * Math.floor(leaves / 2)) / leaves)),
    );
    selectNth(order, proj, lo, hi, mid);
    stack.push(mid, hi, lo, mid);
  }
  return Int32Array.from(starts);
}

/**
 * Reorders `order[lo..hi)` (with its keys `key`, moved alongside) so that position `nth` holds the
 * element of that rank under (key, index) and smaller ones come before it (Hoare's selection).
 */
function selectNth(
  order: Int32Array,
  key: Float64Array,
  lo: number,
  hi: number,
  nth: number,
): void {
  let l = lo, r = hi - 1;
  while (r > l) {
    // Median of three as the pivot.
    const m = (l + r) >> 1;
    if (less(key, order, m, l)) swap(order, key, m, l);
    if (less(key, order, r, l)) swap(order, key, r, l);
    if (less(key, order, r, m)) swap(order, key, r, m);
    const pk = key[m], pi = order[m];
    let i = l, j = r;
    while (i <= j) {
      while (key[i] < pk || (key[i] === pk && order[i] < pi)) i++;
      while (key[j] > pk || (key[j] === pk && order[j] > pi)) j--;
      if (i <= j) swap(order, key, i++, j--);
    }
    if (nth <= j) r = j;
    else if (nth >= i) l = i;
    else return;
  }
}

function less(key: Float64Array, order: Int32Array, u: number, v: number): boolean {
  return key[u] < key[v] || (key[u] === key[v] && order[u] < order[v]);
}

function swap(order: Int32Array, key: Float64Array, u: number, v: number): void {
  const o = order[u];
  order[u] = order[v];
  order[v] = o;
  const s = key[u];
  key[u] = key[v];
  key[v] = s;
}

/** A 32-bit hash of an unordered pair and a salt (round and seed): the sampling draw. */
function pairHash(i: number, j: number, salt: number): number {
  const lo = i < j ? i : j, hi = i < j ? j : i;
  let z = Math.imul(lo ^ salt, 0x9e3779b1) ^ hi;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Typed views of a search's memory. */
interface SearchViews {
  ids: Int32Array;
  dist: Float64Array;
  fresh: Uint8Array;
  order: Int32Array;
  newIds: Int32Array;
  newSize: Int32Array;
  oldIds: Int32Array;
  oldSize: Int32Array;
}

function searchViews(buffer: ArrayBufferLike, L: SearchLayout): SearchViews {
  const { n, k, m } = L;
  return {
    ids: new Int32Array(buffer, L.ids, n * k),
    dist: new Float64Array(buffer, L.dist, n * k),
    fresh: new Uint8Array(buffer, L.fresh, n * k),
    order: new Int32Array(buffer, L.order, n),
    newIds: new Int32Array(buffer, L.newIds, n * m),
    newSize: new Int32Array(buffer, L.newSize, n),
    oldIds: new Int32Array(buffer, L.oldIds, n * m),
    oldSize: new Int32Array(buffer, L.oldSize, n),
  };
}

/**
 * Samples one round's lists from the heaps (see the module documentation); duplicates are
 * dropped (`seen`, scratch of length N) and the sampled new edges turn old.
 */
function sampleLists(
  v: SearchViews,
  L: SearchLayout,
  threshold: number,
  salt: number,
  seen: Int32Array,
): void {
  const { n, k, m } = L;
  const { ids, fresh, newIds, newSize, oldIds, oldSize } = v;
  newSize.fill(0);
  oldSize.fill(0);
  for (let i = 0; i < n; i++) {
    for (let t = i * k; t < (i + 1) * k; t++) {
      const j = ids[t];
      if (pairHash(i, j, salt) >= threshold) continue;
      const isNew = fresh[t] !== 0;
      const lIds = isNew ? newIds : oldIds, lSize = isNew ? newSize : oldSize;
      if (lSize[i] < m) {
        lIds[i * m + lSize[i]++] = j;
        fresh[t] = 0;
      }
      if (lSize[j] < m) lIds[j * m + lSize[j]++] = i;
    }
  }
  seen.fill(-1);
  for (let i = 0; i < n; i++) {
    dedupe(newIds, newSize, i, m, seen, 2 * i);
    dedupe(oldIds, oldSize, i, m, seen, 2 * i + 1);
  }
}

/** Removes repeated indices from list i (order of the rest kept); `mark` tags this list. */
function dedupe(
  lIds: Int32Array,
  lSize: Int32Array,
  i: number,
  m: number,
  seen: Int32Array,
  mark: number,
): void {
  const base = i * m;
  let w = base;
  for (let u = base; u < base + lSize[i]; u++) {
    const j = lIds[u];
    if (seen[j] === mark) continue;
    seen[j] = mark;
    lIds[w++] = j;
  }
  lSize[i] = w - base;
}

/** The entries that entered the heaps since the last call; they become plain new entries. */
function countInserted(fresh: Uint8Array): number {
  let c = 0;
  for (let t = 0; t < fresh.length; t++) {
    if (fresh[t] === INSERTED) {
      c++;
      fresh[t] = 1;
    }
  }
  return c;
}

/**
 * The rows of the heaps, after the `finish` job (rows sorted, distances recomputed as
 * `squaredDistance` does), as a {@linkcode KnnResult} in the original order (position p of the
 * search is point perm[p]), each row sorted ascending by (distance, original index).
 */
function heapsToKnn(L: SearchLayout, v: SearchViews, perm: Int32Array): KnnResult {
  const { n, k } = L;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const { ids, dist } = v;
  for (let p = 0; p < n; p++) {
    const h = p * k, base = perm[p] * k;
    for (let t = 0; t < k; t++) {
      indices[base + t] = perm[ids[h + t]];
      distances[base + t] = dist[h + t];
    }
    // Only entries with ties or last-bit differences from the search's distances move here.
    for (let t = base + 1; t < base + k; t++) {
      const s = distances[t], j = indices[t];
      let u = t - 1;
      while (u >= base && (distances[u] > s || (distances[u] === s && indices[u] > j))) {
        distances[u + 1] = distances[u];
        indices[u + 1] = indices[u];
        u--;
      }
      distances[u + 1] = s;
      indices[u + 1] = j;
    }
  }
  return { k, indices, distances };
}

/** The options with their defaults filled in and checked. */
export function resolveApproxOptions(
  k: number,
  options: ApproxKnnOptions,
  fn: string,
): Required<ApproxKnnOptions> {
  const o = {
    trees: options.trees ?? DEFAULT_TREES,
    leafSize: options.leafSize ?? DEFAULT_LEAF_SIZE,
    iterations: options.iterations ?? DEFAULT_DESCENT_ROUNDS,
    sampleRate: options.sampleRate ?? NaN,
    maxCandidates: options.maxCandidates ?? DEFAULT_MAX_CANDIDATES,
    delta: options.delta ?? DEFAULT_DELTA,
    seed: options.seed ?? DEFAULT_SEED,
  };
  for (const name of ["trees", "leafSize", "maxCandidates"] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) {
      throw new RangeError(`${fn}: ${name} must be a positive integer, got ${o[name]}`);
    }
  }
  o.leafSize = Math.max(o.leafSize, 2 * (k + 1));
  if (options.sampleRate === undefined) {
    o.sampleRate = Math.min(1, (DEFAULT_SAMPLES_PER_SLOT * o.maxCandidates) / k);
  }
  if (!Number.isInteger(o.iterations) || o.iterations < 0) {
    throw new RangeError(`${fn}: iterations must be an integer ≥ 0, got ${o.iterations}`);
  }
  if (!(o.sampleRate > 0 && o.sampleRate <= 1)) {
    throw new RangeError(`${fn}: sampleRate must be in (0, 1], got ${o.sampleRate}`);
  }
  if (!(o.delta >= 0) || !Number.isFinite(o.delta)) {
    throw new RangeError(`${fn}: delta must be a finite number ≥ 0, got ${o.delta}`);
  }
  if (!Number.isFinite(o.seed)) {
    throw new RangeError(`${fn}: seed must be a finite number, got ${o.seed}`);
  }
  return o;
}

/** Checks `x` ([N, D], finite) and k ∈ [1, N − 1]; returns [N, D]. */
export function validateKnnInput(x: NDArray, k: number, fn: string): [number, number] {
  if (!(x instanceof NDArray) || x.ndim !== 2) {
    throw new TypeError(`${fn}: x must be a 2-D NDArray [N, D]`);
  }
  const [n, d] = x.shape;
  if (!Number.isInteger(k) || k < 1 || k > n - 1) {
    throw new RangeError(`${fn}: k must be an integer in [1, ${n - 1}] for N = ${n}, got ${k}`);
  }
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(x.data[i])) {
      throw new RangeError(
        `${fn}: x row ${Math.floor(i / d)} column ${i % d} is ${x.data[i]}, expected finite`,
      );
    }
  }
  return [n, d];
}

/**
 * Work for the threads of a search: leaf joins of one tree, one NN-descent round, or the end
 * (rows sorted, exact distances).
 */
export type SearchJob =
  | { kind: "leaves"; leafStart: Int32Array }
  | { kind: "descend" }
  | { kind: "finish" };

/** A search set up in its shared memory, ready for {@linkcode searchSteps}. */
export interface PreparedSearch {
  /** The shared memory. */
  memory: WebAssembly.Memory;
  /** Its layout. */
  layout: SearchLayout;
  /** The resolved options. */
  options: Required<ApproxKnnOptions>;
}

/** Validates, resolves the options and sets up a new shared memory (the points go in later). */
export function prepareSearch(
  x: NDArray,
  k: number,
  options: ApproxKnnOptions,
  threads: number,
  fn: string,
): PreparedSearch {
  const [n, d] = validateKnnInput(x, k, fn);
  const o = resolveApproxOptions(k, options, fn);
  const layout = searchLayout(n, d, k, o.maxCandidates, threads);
  if (layout.bytes > ADDRESS_LIMIT) {
    throw new RangeError(
      `${fn}: the search needs ${(layout.bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB a ` +
        `WebAssembly memory can address`,
    );
  }
  const pages = Math.ceil(layout.bytes / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const v = searchViews(memory.buffer, layout);
  v.ids.fill(-1);
  v.dist.fill(Infinity);
  // No row has seen anything yet (a stamp holds the last row that met the point; 0 is a row).
  new Int32Array(memory.buffer, layout.stamps, layout.n * threads).fill(-1);
  return { memory, layout, options: o };
}

/**
 * The search as a sequence of jobs for the threads (each job's rows may be split among them in
 * any way); returns the result when the last job is done.
 */
export function* searchSteps(
  x: NDArray,
  search: PreparedSearch,
): Generator<SearchJob, { knn: KnnResult; rounds: number }, void> {
  const { layout: L, options: o } = search;
  const v = searchViews(search.memory.buffer, L);
  const rng = new Random(o.seed);
  const proj = new Float64Array(L.n);
  // The leaf order of the first tree becomes the order of the points in the search's memory
  // (position p holds point perm[p]), so that neighbours of neighbours lie near each other in
  // memory; results are mapped back at the end.
  const first = rpTreeLeaves(x.data, L.n, L.d, o.leafSize, rng, v.order, proj);
  const perm = v.order.slice();
  const a32 = new Float32Array(search.memory.buffer, L.a32, L.n * L.d);
  permuteRows(x.data, perm, L.d, a32);
  for (let p = 0; p < L.n; p++) v.order[p] = p;
  yield { kind: "leaves", leafStart: first };
  for (let t = 1; t < o.trees; t++) {
    yield {
      kind: "leaves",
      leafStart: rpTreeLeaves(a32, L.n, L.d, o.leafSize, rng, v.order, proj),
    };
  }
  countInserted(v.fresh);
  const seen = new Int32Array(L.n);
  const salt = rng.nextUint32();
  const threshold = Math.min(2 ** 32, Math.ceil(o.sampleRate * 2 ** 32));
  let rounds = 0;
  while (rounds < o.iterations) {
    sampleLists(v, L, threshold, (salt + rounds) | 0, seen);
    yield { kind: "descend" };
    rounds++;
    if (countInserted(v.fresh) <= o.delta * L.n * L.k) break;
  }
  permuteRows(x.data, perm, L.d, new Float64Array(search.memory.buffer, L.a, L.n * L.d));
  yield { kind: "finish" };
  return { knn: heapsToKnn(L, v, perm), rounds };
}

/** Row p of `out` ← row perm[p] of `x` (rows of d numbers). */
function permuteRows(
  x: Float64Array,
  perm: Int32Array,
  d: number,
  out: Float64Array | Float32Array,
): void {
  for (let p = 0; p < perm.length; p++) out.set(x.subarray(perm[p] * d, (perm[p] + 1) * d), p * d);
}

/**
 * Runs a job's share of thread `part` of `parts` on `kernels`: a contiguous block of leaves (by
 * points) or of rows.
 */
export function runJobPart(
  kernels: KnnKernels,
  layout: SearchLayout,
  job: SearchJob,
  part: number,
  parts: number,
): void {
  const n = layout.n;
  const lo = Math.round((n * part) / parts), hi = Math.round((n * (part + 1)) / parts);
  if (job.kind === "descend" || job.kind === "finish") {
    kernels[job.kind](lo, hi);
    return;
  }
  // Leaves whose first point falls in [lo, hi).
  const s = job.leafStart;
  for (let l = 0; l + 1 < s.length; l++) {
    if (s[l] >= lo && s[l] < hi) kernels.leaf_join(layout.order, s[l], s[l + 1]);
  }
}

/**
 * Approximate k nearest neighbours (squared Euclidean) of every row of `x` [N, D], excluding the
 * point itself, in the form of `nearestNeighbors` (affinity.ts): indices [N, k] nearest first,
 * ties by lower index. See the module documentation for the method; the recall against exact
 * search is measured by `deno task bench:knn`.
 *
 * @throws TypeError when `x` is not a 2-D NDArray; RangeError for k outside [1, N − 1], a
 * non-finite entry of `x` (naming the row) or a bad option
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { nearestNeighbors } from "./affinity.ts";
 * import { approximateNearestNeighbors } from "./knn_approx.ts";
 * const x = randn([2000, 10], { seed: 1 });
 * const exact = nearestNeighbors(x, 15), approx = approximateNearestNeighbors(x, 15);
 * let hits = 0;
 * for (let i = 0; i < 2000; i++) {
 *   const row = new Set(exact.indices.subarray(i * 15, (i + 1) * 15));
 *   for (const j of approx.indices.subarray(i * 15, (i + 1) * 15)) hits += row.has(j) ? 1 : 0;
 * }
 * if (hits / (2000 * 15) < 0.99) throw new Error(`recall ${hits / 30000}`);
 * ```
 */
export function approximateNearestNeighbors(
  x: NDArray,
  k: number,
  options: ApproxKnnOptions = {},
): ApproxKnnResult {
  const search = prepareSearch(x, k, options, 1, "approximateNearestNeighbors");
  const kernels = knnKernels(search.memory, search.layout, 0);
  const steps = searchSteps(x, search);
  for (let step = steps.next();; step = steps.next()) {
    if (step.done) {
      return { ...step.value.knn, rounds: step.value.rounds, evaluations: kernels.evaluations() };
    }
    runJobPart(kernels, search.layout, step.value, 0, 1);
  }
}

/** The message that starts a search worker (see knn_worker.ts). */
export interface KnnWorkerInit {
  /** Message kind. */
  kind: "init";
  /** The search's shared memory. */
  memory: WebAssembly.Memory;
  /** Its layout. */
  layout: SearchLayout;
  /** The compiled kernels. */
  module: WebAssembly.Module;
  /** This worker's thread number (≥ 1; the calling thread is 0). */
  part: number;
  /** Threads in all. */
  parts: number;
}

/** The message that hands a worker its share of a job. */
export interface KnnWorkerJob {
  /** Message kind. */
  kind: "job";
  /** The job. */
  job: SearchJob;
}

/**
 * {@linkcode approximateNearestNeighbors} with the calling thread and `workers − 1` Web Workers
 * sharing each job by contiguous blocks of rows (of leaves, for the trees). The neighbours are
 * identical for any number of workers (tested); only `evaluations` differs a little.
 *
 * Permissions: the worker module `lib/tsne/knn_worker.ts` needs `--allow-read` on the project.
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import {
 *   approximateNearestNeighbors,
 *   parallelApproximateNearestNeighbors,
 * } from "./knn_approx.ts";
 * const x = randn([600, 8], { seed: 4 });
 * const one = approximateNearestNeighbors(x, 10);
 * const two = await parallelApproximateNearestNeighbors(x, 10, { workers: 2 });
 * if (one.indices.join() !== two.indices.join()) throw new Error("worker count changed the result");
 * ```
 */
export async function parallelApproximateNearestNeighbors(
  x: NDArray,
  k: number,
  options: ApproxKnnOptions & { workers?: number } = {},
): Promise<ApproxKnnResult> {
  const fn = "parallelApproximateNearestNeighbors";
  const parts = options.workers ?? 2;
  if (!Number.isInteger(parts) || parts < 1) {
    throw new RangeError(`${fn}: workers must be a positive integer, got ${parts}`);
  }
  const search = prepareSearch(x, k, options, parts, fn);
  const module = knnModule();
  const kernels = knnKernels(search.memory, search.layout, 0, module);
  const workers: Worker[] = [];
  try {
    const started: Promise<number>[] = [];
    for (let part = 1; part < parts; part++) {
      const w = new Worker(new URL("./knn_worker.ts", import.meta.url), { type: "module" });
      workers.push(w);
      const init: KnnWorkerInit = {
        kind: "init",
        memory: search.memory,
        layout: search.layout,
        module,
        part,
        parts,
      };
      w.postMessage(init);
      started.push(reply(w, part, fn));
    }
    await Promise.all(started);
    const steps = searchSteps(x, search);
    for (let step = steps.next();; step = steps.next()) {
      if (step.done) {
        let evaluations = kernels.evaluations();
        const counts = workers.map((w, t) => {
          w.postMessage({ kind: "count" });
          return reply(w, t + 1, fn);
        });
        for (const c of await Promise.all(counts)) evaluations += c;
        return { ...step.value.knn, rounds: step.value.rounds, evaluations };
      }
      const job: KnnWorkerJob = { kind: "job", job: step.value };
      const done = workers.map((w, t) => {
        w.postMessage(job);
        return reply(w, t + 1, fn);
      });
      runJobPart(kernels, search.layout, step.value, 0, parts);
      await Promise.all(done);
    }
  } finally {
    for (const w of workers) w.terminate();
  }
}

/** The next message of worker `part` (a number), or its error. */
function reply(w: Worker, part: number, fn: string): Promise<number> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<number>) => resolve(e.data);
    w.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`${fn}: worker ${part} failed: ${e.message}`));
    };
  });
}

/** How t-SNE finds the neighbours of P: `auto` picks by N (see {@linkcode resolveNeighborSearch}). */
export type NeighborSearch = "exact" | "approx" | "auto";

/**
 * Largest N for which `auto` searches exactly; above it, approximately. Measured with
 * `deno task bench:knn` (k = 90, 2 threads, one run, machine shared): exact 2.3 s against
 * approximate 1.3 s on the 50-D mixture at N = 5,000, 3.7 s against 2.4 s on PCA-50 MNIST at
 * 10,000, 36 s against 14 s on the mixture at 20,000 (recall 0.998). Exact search grows as N², so
 * its cost passes the approximate one's few-seconds gain near 10,000 points, and up to there P
 * (and every earlier result on MNIST, whose 10,000 digits stay below the threshold) is exact.
 */
export const AUTO_EXACT_SEARCH_MAX_N = 10000;

/** The search `auto` resolves to for N points. */
export function resolveNeighborSearch(search: NeighborSearch, n: number): "exact" | "approx" {
  if (search === "exact" || search === "approx") return search;
  if (search !== "auto") {
    throw new RangeError(
      `resolveNeighborSearch: search must be "exact", "approx" or "auto", got ${
        JSON.stringify(search)
      }`,
    );
  }
  return n <= AUTO_EXACT_SEARCH_MAX_N ? "exact" : "approx";
}

/**
 * The k nearest neighbours of the rows of `x` by exact or approximate search, on `workers`
 * threads (1: the calling thread only); the approximate search is seeded by `seed`. Either way
 * the result does not depend on the number of workers.
 */
export async function findNeighbors(
  x: NDArray,
  k: number,
  options: { search: "exact" | "approx"; workers?: number; seed?: number },
): Promise<KnnResult> {
  const workers = options.workers ?? 1;
  if (options.search === "approx") {
    return workers > 1
      ? await parallelApproximateNearestNeighbors(x, k, { workers, seed: options.seed })
      : approximateNearestNeighbors(x, k, { seed: options.seed });
  }
  return workers > 1 ? await parallelNearestNeighbors(x, k, { workers }) : nearestNeighbors(x, k);
}
