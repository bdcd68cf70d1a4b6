/**
 * `tsne()` end to end on small data: separated clusters come out separated, seeds reproduce,
 * workers change nothing, bad input fails clearly.
 */
import assert from "node:assert/strict";
import { NDArray, randn } from "../../lib/ndarray.ts";
import { Random } from "../../lib/random.ts";
import { knnAccuracy, trustworthiness } from "../../lib/tsne/quality.ts";
import { INIT_STD, initialEmbedding, resolveMethod, tsne } from "../../lib/tsne/tsne.ts";

/** k Gaussian blobs in D dimensions, centres 20 apart. */
function blobs(perBlob: number, k: number, d: number, seed: number) {
  const rng = new Random(seed);
  const x = new Float64Array(perBlob * k * d);
  const labels: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < perBlob; i++) {
      const row = c * perBlob + i;
      for (let t = 0; t < d; t++) x[row * d + t] = rng.normal() + (t === c ? 20 : 0);
      labels.push(c);
    }
  }
  return { x: new NDArray(x, [perBlob * k, d]), labels };
}

Deno.test("exact and Barnes-Hut t-SNE separate four blobs", async () => {
  const { x, labels } = blobs(30, 4, 6, 1);
  for (const method of ["exact", "bh"] as const) {
    const r = await tsne(x, { perplexity: 10, iterations: 500, method });
    assert.equal(r.method, method);
    assert.deepEqual(r.embedding.shape, [120, 2]);
    assert.ok(r.embedding.data.every(Number.isFinite));
    assert.equal(knnAccuracy(r.embedding, labels, { k: 5 }), 1, method);
    assert.ok(trustworthiness(x, r.embedding, { k: 5 }) > 0.9);
    assert.ok(r.kl > 0 && r.klExact);
    assert.equal(r.klTrace[r.klTrace.length - 1].kl, r.kl);
    assert.ok(r.maxEntropyError <= 1e-5);
  }
});

Deno.test("same seed, same embedding; 1, 2 or 3 workers give identical results", async () => {
  const { x } = blobs(40, 3, 5, 2);
  const opts = { perplexity: 10, iterations: 300, method: "bh" as const, seed: 7 };
  const a = await tsne(x, opts);
  const b = await tsne(x, opts);
  const c = await tsne(x, { ...opts, workers: 2 });
  const d = await tsne(x, { ...opts, workers: 3 });
  assert.deepEqual(a.embedding.data, b.embedding.data);
  assert.deepEqual(a.embedding.data, c.embedding.data);
  assert.deepEqual(a.embedding.data, d.embedding.data);
  const r1 = await tsne(x, { ...opts, init: "random", seed: 1 });
  const r2 = await tsne(x, { ...opts, init: "random", seed: 2 });
  assert.notDeepEqual(r1.embedding.data, r2.embedding.data);
});

Deno.test("initialization: PCA scaled to std 1e-4 on the first axis; a given init is copied", () => {
  const { x } = blobs(10, 3, 4, 3);
  const y = initialEmbedding(x).data;
  let m = 0, v = 0;
  for (let i = 0; i < 30; i++) m += y[2 * i] / 30;
  for (let i = 0; i < 30; i++) v += (y[2 * i] - m) ** 2 / 30;
  assert.ok(Math.abs(Math.sqrt(v) - INIT_STD) < 1e-15);
  const given = randn([30, 2], { seed: 4 });
  assert.deepEqual(initialEmbedding(x, { init: given }).data, given.data);
  assert.throws(() => initialEmbedding(x, { init: randn([29, 2]) }), /init must be \[30, 2\]/);
});

Deno.test("auto picks exact for small N and Barnes-Hut above", () => {
  assert.equal(resolveMethod("auto", 300), "exact");
  assert.equal(resolveMethod("auto", 301), "bh");
  assert.equal(resolveMethod("auto", 10000), "bh");
  assert.equal(resolveMethod("auto", 10001), "fft");
  assert.equal(resolveMethod("fft", 100), "fft");
  assert.equal(resolveMethod("exact", 5000), "exact");
});

Deno.test("duplicate points and a constant column still give a finite embedding", async () => {
  const { x } = blobs(15, 2, 3, 5);
  for (let i = 0; i < 30; i++) x.data[i * 3 + 2] = 4; // constant column
  x.data.set(x.data.subarray(0, 3), 3); // rows 0 and 1 coincide
  const r = await tsne(x, { perplexity: 5, iterations: 300, method: "bh" });
  assert.ok(r.embedding.data.every(Number.isFinite));
});

Deno.test("bad input: N < 4, perplexity too large, NaN rows, unknown method, θ < 0", async () => {
  await assert.rejects(() => tsne(randn([3, 2])), /at least 4/);
  await assert.rejects(() => tsne(randn([10, 2]), { perplexity: 9, method: "exact" }), /N − 1 = 9/);
  await assert.rejects(
    () => tsne(randn([400, 2]), { perplexity: 30, neighbors: 20 }),
    /neighbour count 20/,
  );
  const bad = randn([20, 3]);
  bad.data[3 * 11 + 2] = NaN;
  await assert.rejects(() => tsne(bad, { perplexity: 3 }), /row 11 column 2 is NaN/);
  // deno-lint-ignore no-explicit-any
  await assert.rejects(() => tsne(randn([20, 2]), { method: "fast" as any }), /method must be/);
  await assert.rejects(() => tsne(randn([20, 2]), { theta: -0.1 }), /theta/);
  await assert.rejects(() => tsne(randn([5001, 2]), { method: "exact" }), /exceeds 5000; use "bh"/);
  await assert.rejects(
    () => tsne(randn([20, 2]), { workers: 0, method: "bh", perplexity: 3 }),
    /workers/,
  );
});
