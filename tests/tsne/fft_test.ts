/**
 * FFT-accelerated repulsion: converges to the exact sums as the grid refines, agrees with the
 * exact gradient, runs inside t-SNE and in the worker pool.
 */
import assert from "node:assert/strict";
import { randn } from "../../lib/ndarray.ts";
import { knnAffinities } from "../../lib/tsne/affinity.ts";
import { fftGradient, fftRepulsion } from "../../lib/tsne/fft.ts";
import { exactKlGradient, klFromZ } from "../../lib/tsne/kl.ts";
import { tsne } from "../../lib/tsne/tsne.ts";
import { FftPool } from "../../lib/tsne/fft_pool.ts";
import { knnAccuracy } from "../../lib/tsne/quality.ts";
import { relErr } from "../helpers/rel_err.ts";

function exactRepulsion(y: Float64Array, n: number): { rep: Float64Array; z: number } {
  const rep = new Float64Array(2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
      const w = 1 / (1 + dx * dx + dy * dy);
      z += w;
      rep[2 * i] += w * w * dx;
      rep[2 * i + 1] += w * w * dy;
    }
  }
  return { rep, z };
}

Deno.test("FFT repulsion and Z converge to the exact sums as intervals shrink", () => {
  const n = 300;
  const y = randn([n, 2], { seed: 1, std: 1.5 }).data;
  const exact = exactRepulsion(y, n);
  const errs: number[] = [];
  const zErrs: number[] = [];
  for (const w of [2, 1, 0.5, 0.25, 0.125]) {
    const rep = new Float64Array(2 * n);
    const z = fftRepulsion(y, n, rep, { intervalWidth: w, minIntervals: 1 });
    errs.push(relErr(rep, exact.rep));
    zErrs.push(Math.abs(z - exact.z) / exact.z);
  }
  for (let k = 1; k < errs.length; k++) {
    assert.ok(errs[k] < errs[k - 1], `repulsion errors ${errs.join(", ")}`);
    assert.ok(zErrs[k] < zErrs[k - 1], `Z errors ${zErrs.join(", ")}`);
  }
  // Quadratic interpolation: the error falls about 8× per halving of the interval width.
  assert.ok(errs[4] < 5e-5 && zErrs[4] < 5e-6, `${errs[4]} ${zErrs[4]}`);
});

Deno.test("FFT gradient with exaggeration agrees with the exact one on a fine grid", () => {
  const n = 120;
  const p = knnAffinities(randn([n, 5], { seed: 2 }), { perplexity: 8 }).p;
  const y = randn([n, 2], { seed: 3, std: 3 }).data;
  const a = new Float64Array(2 * n), b = new Float64Array(2 * n);
  const za = exactKlGradient(y, p, a, { exaggeration: 12 });
  const zb = fftGradient(y, p, b, { exaggeration: 12, intervalWidth: 0.15 });
  assert.ok(relErr(b, a) < 1e-4, `gradient error ${relErr(b, a)}`);
  assert.ok(Math.abs(za - zb) / za < 1e-5, `Z ${za} vs ${zb}`);
});

Deno.test("all points in one spot: Z = N(N − 1), no force", () => {
  const n = 20;
  const rep = new Float64Array(2 * n);
  const z = fftRepulsion(new Float64Array(2 * n).fill(2), n, rep);
  assert.ok(Math.abs(z - n * (n - 1)) < 1e-9 * n * n, String(z));
  assert.ok(rep.every((v) => Math.abs(v) < 1e-12));
});

Deno.test("t-SNE with method fft separates blobs; the worker pool gives the serial numbers", async () => {
  const n = 90;
  const x = randn([n, 4], { seed: 4 });
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) x.data[i * 4 + (i % 3)] += 25;
  const grid = { minIntervals: 8 };
  const r = await tsne(x, { method: "fft", perplexity: 10, iterations: 400, fft: grid });
  assert.equal(r.method, "fft");
  assert.equal(knnAccuracy(r.embedding, labels, { k: 5 }), 1);
  const r2 = await tsne(x, {
    method: "fft",
    perplexity: 10,
    iterations: 400,
    workers: 2,
    fft: grid,
  });
  assert.deepEqual(r2.embedding.data, r.embedding.data);

  const p = knnAffinities(x, { perplexity: 10 }).p;
  const y = randn([n, 2], { seed: 5, std: 4 }).data;
  const pool = await FftPool.create(p, { workers: 2, fft: grid });
  try {
    const a = new Float64Array(2 * n), b = new Float64Array(2 * n);
    const za = fftGradient(y, p, a, { exaggeration: 3, ...grid });
    const zb = await pool.gradient(y, 3, b);
    assert.equal(za, zb);
    assert.deepEqual(b, a);
  } finally {
    pool.close();
  }
});

Deno.test("fftRepulsion rejects bad options and lengths", () => {
  const y = new Float64Array(8);
  assert.throws(() => fftRepulsion(y, 4, new Float64Array(8), { nodes: 0 }), /nodes/);
  assert.throws(
    () => fftRepulsion(y, 4, new Float64Array(8), { nodes: 9 }),
    /FftGrid: nodes must be an integer from 1 to 8, got 9/,
  );
  assert.throws(
    () => fftRepulsion(y, 4, new Float64Array(8), { intervalWidth: 0 }),
    /intervalWidth/,
  );
  assert.throws(() => fftRepulsion(y, 5, new Float64Array(10)), /\[5, 2\]/);
});

Deno.test("the FFT pool gives the serial gradient bit for bit for 1 to 4 threads, grid growing", async () => {
  const n = 700;
  const p = knnAffinities(randn([n, 5], { seed: 6 }), { perplexity: 10 }).p;
  // From a tiny embedding to a wide one: the grid (and its shared storage) grows on the way.
  const embeddings = [1e-4, 0.5, 6, 14, 3].map((std, k) =>
    randn([n, 2], { seed: 10 + k, std }).data
  );
  const want = embeddings.map((y) => {
    const dy = new Float64Array(2 * n);
    return { z: fftGradient(y, p, dy, { exaggeration: 4 }), dy };
  });
  for (const workers of [1, 2, 3, 4]) {
    const pool = await FftPool.create(p, { workers });
    try {
      for (let k = 0; k < embeddings.length; k++) {
        const dy = new Float64Array(2 * n);
        assert.equal(await pool.gradient(embeddings[k], 4, dy), want[k].z, `workers ${workers}`);
        assert.deepEqual(dy, want[k].dy, `workers ${workers}, embedding ${k}`);
      }
    } finally {
      pool.close();
    }
  }
});

Deno.test("FftPool rejects bad sizes", async () => {
  const p = knnAffinities(randn([30, 3], { seed: 1 }), { perplexity: 5 }).p;
  await assert.rejects(
    () => FftPool.create(p, { workers: 0 }),
    /workers must be a positive integer/,
  );
  const pool = await FftPool.create(p, { workers: 1 });
  assert.throws(
    () => pool.gradient(new Float64Array(10), 1, new Float64Array(60)),
    /\[30, 2\]/,
  );
  pool.close();
});

Deno.test("the pool's KL is klFromZ's, bit for bit, for any thread count", async () => {
  const n = 400;
  const p = knnAffinities(randn([n, 4], { seed: 8 }), { perplexity: 10 }).p;
  const y = randn([n, 2], { seed: 9, std: 5 }).data;
  const want = klFromZ(p, y, 2, 1234.5);
  for (const workers of [1, 3]) {
    const pool = await FftPool.create(p, { workers });
    try {
      assert.equal(pool.kl(y, 1234.5), want);
    } finally {
      pool.close();
    }
  }
});
