/**
 * The worker pool: the parallel gradient equals the single-threaded Barnes-Hut gradient bit for
 * bit, with exaggeration, for several thread counts; workers shut down.
 */
import assert from "node:assert/strict";
import { randn } from "../../lib/ndarray.ts";
import { affinitiesFromKnn, knnAffinities, nearestNeighbors } from "../../lib/tsne/affinity.ts";
import { barnesHutGradient } from "../../lib/tsne/barnes_hut.ts";
import { shareCsr, WorkerPool } from "../../lib/tsne/workers.ts";

Deno.test("parallel Barnes-Hut gradient is bit-for-bit the serial one", async () => {
  const n = 500;
  const p = knnAffinities(randn([n, 5], { seed: 1 }), { perplexity: 10 }).p;
  for (const threads of [1, 2, 3]) {
    const pool = await WorkerPool.create(p, { workers: threads, theta: 0.5 });
    try {
      assert.equal(pool.threads, threads);
      for (const [seed, alpha] of [[2, 12], [3, 1]]) {
        const y = randn([n, 2], { seed, std: 5 }).data;
        const serial = new Float64Array(2 * n), parallel = new Float64Array(2 * n);
        const z1 = barnesHutGradient(y, p, serial, { theta: 0.5, exaggeration: alpha });
        const z2 = await pool.gradient(y, alpha, parallel);
        assert.equal(z1, z2);
        assert.deepEqual(parallel, serial);
      }
    } finally {
      pool.close();
    }
  }
});

Deno.test("WorkerPool rejects bad sizes", async () => {
  const p = knnAffinities(randn([20, 2], { seed: 4 }), { perplexity: 3 }).p;
  await assert.rejects(() => WorkerPool.create(p, { workers: 0 }), /workers/);
  const pool = await WorkerPool.create(p, { workers: 2 });
  try {
    await assert.rejects(
      () => pool.gradient(new Float64Array(10), 1, new Float64Array(40)),
      /\[20, 2\]/,
    );
  } finally {
    pool.close();
  }
});

Deno.test("P in shared memory: the same entries, and pools share it instead of copying", async () => {
  const x = randn([120, 3], { seed: 4 });
  const plain = knnAffinities(x, { perplexity: 10 }).p;
  const { indices, distances, k } = nearestNeighbors(x, 30);
  const shared = affinitiesFromKnn({ indices, distances, k }, 10, { shared: true }).p;
  assert.ok(shared.vals.buffer instanceof SharedArrayBuffer);
  assert.ok(shared.cols.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(shared.vals), Array.from(plain.vals));
  assert.deepEqual(Array.from(shared.cols), Array.from(plain.cols));
  assert.equal(shareCsr(shared), shared);
  const copy = shareCsr(plain);
  assert.ok(copy.rowPtr.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(copy.rowPtr), Array.from(plain.rowPtr));
  const pool = await WorkerPool.create(shared, { workers: 2 });
  assert.equal(pool.p, shared);
  pool.close();
});
