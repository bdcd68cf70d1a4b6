/**
 * Approximate k-NN (random-projection forest + NN-descent): recall ≥ 0.99 against exact search at
 * the default settings on a 50-dimensional Gaussian mixture and on PCA-50 MNIST, the same result
 * for the same seed and for any number of workers, the result's form (sorted rows, distances as
 * squaredDistance computes them, no self), small and tied inputs, bad arguments, and the choice
 * that t-SNE makes.
 */
import assert from "node:assert/strict";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import { gaussianMixture } from "../../lib/data/mixture.ts";
import { mnistPca } from "../../lib/data/mnist.ts";
import { type KnnResult, nearestNeighbors, squaredDistance } from "../../lib/tsne/affinity.ts";
import {
  approximateNearestNeighbors,
  AUTO_EXACT_SEARCH_MAX_N,
  parallelApproximateNearestNeighbors,
  resolveNeighborSearch,
} from "../../lib/tsne/knn_approx.ts";
import { tsne } from "../../lib/tsne/tsne.ts";

function recall(approx: KnnResult, exact: KnnResult): number {
  const k = exact.k, n = exact.indices.length / k;
  let hits = 0;
  const want = new Set<number>();
  for (let i = 0; i < n; i++) {
    want.clear();
    for (let t = 0; t < k; t++) want.add(exact.indices[i * k + t]);
    for (let t = 0; t < k; t++) if (want.has(approx.indices[i * k + t])) hits++;
  }
  return hits / (n * k);
}

/** Rows ascending by (distance, index), distances as squaredDistance gives them, no self. */
function assertWellFormed(x: NDArray, r: KnnResult): void {
  const [n, d] = x.shape, k = r.k;
  assert.equal(r.indices.length, n * k);
  for (let i = 0; i < n; i++) {
    const row = new Set<number>();
    for (let t = 0; t < k; t++) {
      const e = i * k + t, j = r.indices[e];
      assert.ok(j >= 0 && j < n && j !== i, `row ${i} holds ${j}`);
      row.add(j);
      assert.equal(r.distances[e], squaredDistance(x.data, i * d, x.data, j * d, d));
      if (t > 0) {
        const before = r.distances[e - 1];
        assert.ok(
          before < r.distances[e] || (before === r.distances[e] && r.indices[e - 1] < j),
          `row ${i} out of order at ${t}`,
        );
      }
    }
    assert.equal(row.size, k, `row ${i} repeats a neighbour`);
  }
}

Deno.test("recall ≥ 0.99 at the defaults on a 50-D Gaussian mixture (N = 5000, k = 90)", () => {
  const { x } = gaussianMixture({ n: 5000, dims: 50, clusters: 10, seed: 1 });
  const approx = approximateNearestNeighbors(x, 90);
  const r = recall(approx, nearestNeighbors(x, 90));
  assert.ok(r >= 0.99, `recall ${r}`);
  assertWellFormed(x, approx);
  assert.ok(approx.rounds >= 1 && approx.evaluations > 0);
});

Deno.test("recall ≥ 0.99 at the defaults on the first 3000 PCA-50 MNIST digits", async () => {
  const { x } = await mnistPca({ n: 3000, components: 50 });
  const r = recall(approximateNearestNeighbors(x, 90), nearestNeighbors(x, 90));
  assert.ok(r >= 0.99, `recall ${r}`);
});

Deno.test("same seed, same neighbours; any number of workers, same neighbours", async () => {
  const { x } = gaussianMixture({ n: 3000, dims: 20, clusters: 5, seed: 2 });
  const a = approximateNearestNeighbors(x, 30, { seed: 5 });
  const b = approximateNearestNeighbors(x, 30, { seed: 5 });
  assert.deepEqual(b.indices, a.indices);
  assert.deepEqual(b.distances, a.distances);
  for (const workers of [1, 2, 3]) {
    const p = await parallelApproximateNearestNeighbors(x, 30, { seed: 5, workers });
    assert.deepEqual(p.indices, a.indices, `${workers} workers`);
    assert.deepEqual(p.distances, a.distances, `${workers} workers`);
    assert.equal(p.rounds, a.rounds);
  }
});

Deno.test("one tree and no rounds: every row is full, the first point's too", () => {
  // The first point of the search order once started with all points marked as seen by it
  // (stamps began at 0, a row number), so with a single tree its row stayed empty.
  const { x } = gaussianMixture({ n: 2000, dims: 10, clusters: 4, seed: 6 });
  for (const iterations of [0, 2]) {
    const approx = approximateNearestNeighbors(x, 15, { trees: 1, iterations });
    assertWellFormed(x, approx);
  }
});

Deno.test("k = N − 1 and N = 4 give exact search's rows", () => {
  for (const [n, d] of [[4, 2], [7, 3], [60, 5], [200, 3]]) {
    const x = randn([n, d], { seed: n });
    for (const k of n === 4 ? [1, 2, 3] : [n - 1]) {
      const approx = approximateNearestNeighbors(x, k);
      const exact = nearestNeighbors(x, k);
      assert.deepEqual(approx.indices, exact.indices, `N ${n}, k ${k}`);
      assert.deepEqual(approx.distances, exact.distances, `N ${n}, k ${k}`);
    }
  }
});

Deno.test("duplicate points: distances equal exact search's, ties by lower index", () => {
  // 40 distinct points, each repeated 5 times: every point has 4 neighbours at distance 0.
  const base = randn([40, 3], { seed: 9 }).data;
  const data = new Float64Array(200 * 3);
  for (let i = 0; i < 200; i++) data.set(base.subarray((i % 40) * 3, (i % 40) * 3 + 3), i * 3);
  const x = new NDArray(data, [200, 3]);
  const approx = approximateNearestNeighbors(x, 10);
  const exact = nearestNeighbors(x, 10);
  assertWellFormed(x, approx);
  assert.deepEqual(approx.distances, exact.distances);
  for (let i = 0; i < 200; i++) {
    // The four copies come first, in ascending index.
    const copies = [0, 1, 2, 3, 4].map((c) => (i % 40) + 40 * c).filter((j) => j !== i);
    assert.deepEqual([...approx.indices.subarray(i * 10, i * 10 + 4)], copies);
  }
  // All points equal: every row is the other points in ascending order.
  const same = new NDArray(new Float64Array(30 * 2).fill(1.5), [30, 2]);
  const r = approximateNearestNeighbors(same, 5);
  assert.deepEqual([...r.indices.subarray(0, 5)], [1, 2, 3, 4, 5]);
  assert.deepEqual([...r.indices.subarray(29 * 5, 30 * 5)], [0, 1, 2, 3, 4]);
});

Deno.test("bad k, points and options are errors naming the argument", async () => {
  const x = randn([10, 2], { seed: 1 });
  for (const k of [0, 10, 2.5, -1, NaN]) {
    assert.throws(
      () => approximateNearestNeighbors(x, k),
      (e: unknown) =>
        e instanceof RangeError &&
        /approximateNearestNeighbors: k must be an integer in \[1, 9\] for N = 10/.test(e.message),
    );
  }
  await assert.rejects(
    () => parallelApproximateNearestNeighbors(x, 10, { workers: 2 }),
    /k must be an integer in \[1, 9\]/,
  );
  await assert.rejects(() => parallelApproximateNearestNeighbors(x, 3, { workers: 0 }), /workers/);
  assert.throws(
    () => approximateNearestNeighbors(array([1, 2, 3]), 1),
    (e: unknown) => e instanceof TypeError && /x must be a 2-D NDArray/.test(e.message),
  );
  const bad = randn([10, 2], { seed: 1 });
  bad.data[13] = NaN;
  assert.throws(() => approximateNearestNeighbors(bad, 3), /x row 6 column 1 is NaN/);
  for (
    const [name, value] of [
      ["trees", 0],
      ["leafSize", 1.5],
      ["iterations", -1],
      ["sampleRate", 0],
      ["sampleRate", 1.5],
      ["maxCandidates", 0],
      ["delta", -1],
      ["seed", Infinity],
    ] as const
  ) {
    assert.throws(
      () => approximateNearestNeighbors(x, 3, { [name]: value }),
      new RegExp(`approximateNearestNeighbors: ${name} must`),
    );
  }
});

Deno.test("t-SNE: auto searches exactly below the threshold; approx is reported", async () => {
  assert.equal(resolveNeighborSearch("auto", AUTO_EXACT_SEARCH_MAX_N), "exact");
  assert.equal(resolveNeighborSearch("auto", AUTO_EXACT_SEARCH_MAX_N + 1), "approx");
  assert.equal(resolveNeighborSearch("exact", 10 ** 6), "exact");
  assert.throws(() => resolveNeighborSearch("fast" as "auto", 10), /search must be/);
  const x = randn([300, 5], { seed: 3 });
  const options = { perplexity: 10, iterations: 60, method: "bh" as const, seed: 2 };
  const auto = await tsne(x, options);
  assert.equal(auto.neighborSearch, "exact");
  const approx = await tsne(x, { ...options, neighborSearch: "approx" });
  assert.equal(approx.neighborSearch, "approx");
  const total = approx.affinities.p.vals.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(total - 1) < 1e-12, `P sums to ${total}`);
  const twoWorkers = await tsne(x, { ...options, neighborSearch: "approx", workers: 2 });
  assert.deepEqual(twoWorkers.affinities.p, approx.affinities.p);
  assert.equal((await tsne(x, { ...options, method: "exact" })).neighborSearch, "exact");
});
