/**
 * The Gaussian mixture generator: shapes, balanced labels, seeded reproducibility, the moments
 * it promises, and one-line errors for bad options.
 */
import assert from "node:assert/strict";
import { gaussianMixture } from "../../lib/data/mixture.ts";

Deno.test("shapes, balanced clusters, equal seeds give equal data", () => {
  const a = gaussianMixture({ n: 1003, dims: 7, clusters: 10, seed: 5 });
  assert.deepEqual(a.x.shape, [1003, 7]);
  assert.deepEqual(a.centers.shape, [10, 7]);
  const counts = new Array(10).fill(0);
  for (const c of a.labels) counts[c]++;
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, counts.join());
  const b = gaussianMixture({ n: 1003, dims: 7, clusters: 10, seed: 5 });
  assert.deepEqual(b.x.data, a.x.data);
  assert.deepEqual(b.labels, a.labels);
  const c = gaussianMixture({ n: 1003, dims: 7, clusters: 10, seed: 6 });
  assert.notDeepEqual(c.x.data, a.x.data);
});

Deno.test("points scatter around their own centre with the given std", () => {
  const std = 0.5, dims = 20, n = 4000;
  const { x, labels, centers } = gaussianMixture({ n, dims, clusters: 4, std, centerStd: 3 });
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) {
      const e = x.data[i * dims + j] - centers.data[labels[i] * dims + j];
      s += e;
      s2 += e * e;
    }
  }
  const m = s / (n * dims);
  const sd = Math.sqrt(s2 / (n * dims) - m * m);
  assert.ok(Math.abs(m) < 0.01, `mean ${m}`);
  assert.ok(Math.abs(sd - std) < 0.01, `std ${sd}`);
});

Deno.test("bad options are named", () => {
  assert.throws(
    () => gaussianMixture({ n: 0 }),
    /gaussianMixture: n must be a positive integer, got 0/,
  );
  assert.throws(() => gaussianMixture({ n: 10, dims: 2.5 }), /dims must be a positive integer/);
  assert.throws(
    () => gaussianMixture({ n: 3, clusters: 4 }),
    /clusters \(4\) must not exceed n \(3\)/,
  );
  assert.throws(
    () => gaussianMixture({ n: 10, std: -1 }),
    /std must be a finite number ≥ 0, got -1/,
  );
  assert.throws(() => gaussianMixture({ n: 10, centerStd: NaN }), /centerStd must be/);
});
