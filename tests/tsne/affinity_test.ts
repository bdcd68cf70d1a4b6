/**
 * Affinities: perplexity calibration (entropy within 1e-5 of ln(perplexity)), exact k-NN, CSR
 * symmetrization, agreement of the sparse and exact paths, and bad input.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import {
  affinitiesFromKnn,
  calibrateRow,
  csrToDense,
  ENTROPY_TOLERANCE,
  exactAffinities,
  knnAffinities,
  nearestNeighbors,
  symmetrize,
} from "../../lib/tsne/affinity.ts";

function entropy(p: Float64Array): number {
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return h;
}

Deno.test("calibrateRow reaches ln(perplexity) within 1e-5 for random distances", () => {
  fc.assert(
    fc.property(
      // Distances on a grid of 0.01 from 0 to 1e4 (ties included); the scale is varied below.
      fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 5, maxLength: 60 }),
      fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      fc.constantFrom(1e-6, 1, 1e6),
      (grid, frac, unit) => {
        const dist = grid.map((g) => g * 0.01 * unit);
        const d = Float64Array.from(dist);
        const distinct = new Set(dist).size;
        fc.pre(distinct >= 3);
        // Reachable range: (number of ties at the minimum, number of candidates).
        const min = Math.min(...dist);
        const ties = dist.filter((v) => v === min).length;
        const perplexity = ties + 0.01 + frac * (d.length - ties - 0.02);
        const out = new Float64Array(d.length);
        const r = calibrateRow(d, perplexity, out);
        assert.ok(r.converged, `perplexity ${perplexity}, error ${r.entropyError}`);
        assert.ok(Math.abs(entropy(out) - Math.log(perplexity)) <= ENTROPY_TOLERANCE);
        assert.ok(Math.abs(out.reduce((s, v) => s + v, 0) - 1) < 1e-12);
      },
    ),
    { numRuns: 200, seed: 11 },
  );
});

Deno.test("calibrateRow: huge distances do not underflow, closer points get more mass", () => {
  const out = new Float64Array(4);
  const r = calibrateRow(new Float64Array([1e6, 1e6 + 1, 1e6 + 2, 1e6 + 5]), 2, out);
  assert.ok(r.converged);
  assert.ok(out.every(Number.isFinite));
  assert.ok(out[0] > out[1] && out[1] > out[2] && out[2] > out[3]);
});

Deno.test("calibrateRow: too many ties at the minimum is reported, uniform over the ties", () => {
  const out = new Float64Array(5);
  const r = calibrateRow(new Float64Array([0, 0, 0, 1, 2]), 2, out);
  assert.equal(r.converged, false);
  assert.ok(Math.abs(out[0] - 1 / 3) < 1e-9 && out[3] < 1e-9, Array.from(out).join());
  // All distances equal: any β gives the uniform distribution, entropy ln(5) ≠ ln(2).
  const u = new Float64Array(5);
  const ru = calibrateRow(new Float64Array(5).fill(3), 2, u);
  assert.equal(ru.converged, false);
  assert.ok(u.every((v) => Math.abs(v - 0.2) < 1e-15));
});

Deno.test("calibrateRow rejects mismatched lengths and empty rows", () => {
  assert.throws(() => calibrateRow(new Float64Array(3), 2, new Float64Array(2)), RangeError);
  assert.throws(() => calibrateRow(new Float64Array(0), 2, new Float64Array(0)), RangeError);
});

Deno.test("nearestNeighbors equals a brute-force sort, ties by lower index", () => {
  const x = randn([60, 4], { seed: 3 });
  // Two exact duplicates and a tie.
  x.data.set(x.data.subarray(0, 4), 4 * 7);
  const k = 6;
  const r = nearestNeighbors(x, k);
  for (let i = 0; i < 60; i++) {
    const d: [number, number][] = [];
    for (let j = 0; j < 60; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < 4; t++) s += (x.data[i * 4 + t] - x.data[j * 4 + t]) ** 2;
      d.push([s, j]);
    }
    d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.deepEqual(
      Array.from(r.indices.subarray(i * k, (i + 1) * k)),
      d.slice(0, k).map((e) => e[1]),
    );
    assert.deepEqual(
      Array.from(r.distances.subarray(i * k, (i + 1) * k)),
      d.slice(0, k).map((e) => e[0]),
    );
  }
  assert.equal(r.indices[0], 7, "the duplicate of row 0 is its nearest neighbour");
  assert.equal(r.distances[0], 0);
});

Deno.test("symmetrize: (P + Pᵀ)/2N, sorted columns, merged duplicates", () => {
  // 3 points, k = 1: 0→1, 1→0, 2→0.
  const p = symmetrize(3, 1, new Int32Array([1, 0, 0]), new Float64Array([1, 1, 1]));
  const dense = csrToDense(p).toArray() as number[][];
  const s = 1 / 6;
  assert.deepEqual(dense, [[0, 2 * s, s], [2 * s, 0, 0], [s, 0, 0]]);
  assert.deepEqual(Array.from(p.cols), [1, 2, 0, 0]);
  assert.throws(() => symmetrize(3, 1, new Int32Array(2), new Float64Array(3)), RangeError);
});

Deno.test("exactAffinities: symmetric, non-negative, zero diagonal, sums to 1, calibrated", () => {
  const x = randn([40, 5], { seed: 4 });
  const a = exactAffinities(x, { perplexity: 8 });
  const p = csrToDense(a.p);
  for (let i = 0; i < 40; i++) {
    assert.equal(p.data[i * 40 + i], 0);
    for (let j = 0; j < 40; j++) {
      assert.ok(p.data[i * 40 + j] >= 0);
      assert.ok(Math.abs(p.data[i * 40 + j] - p.data[j * 40 + i]) < 1e-18);
    }
  }
  assert.ok(Math.abs(p.sum().item() - 1) < 1e-12);
  assert.ok(a.maxEntropyError <= ENTROPY_TOLERANCE);
  assert.equal(a.unconverged, 0);
  assert.equal(a.neighbors, 39);
});

Deno.test("knnAffinities with k = N − 1 equals exactAffinities; default k = ⌊3·perplexity⌋", () => {
  const x = randn([30, 3], { seed: 5 });
  const e = csrToDense(exactAffinities(x, { perplexity: 5 }).p);
  const k = knnAffinities(x, { perplexity: 5, neighbors: 29 });
  const dense = csrToDense(k.p);
  for (let i = 0; i < e.size; i++) assert.ok(Math.abs(e.data[i] - dense.data[i]) < 1e-15);
  assert.equal(knnAffinities(x, { perplexity: 5 }).neighbors, 15);
  assert.equal(knnAffinities(x, { perplexity: 20 }).neighbors, 29, "capped at N − 1");
});

Deno.test("affinities: two far clusters put (almost) no mass across", () => {
  const rows: number[][] = [];
  for (let i = 0; i < 10; i++) rows.push([i * 0.1, 0], [100 + i * 0.1, 0]);
  const p = csrToDense(knnAffinities(array(rows), { perplexity: 3 }).p);
  let across = 0;
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 20; j++) if (i % 2 !== j % 2) across += p.data[i * 20 + j];
  }
  assert.ok(across < 1e-12, String(across));
});

Deno.test("affinities: duplicate points stay finite and calibrated", () => {
  const x = randn([20, 2], { seed: 6 });
  x.data.set([1, 1, 1, 1, 1, 1], 0); // rows 0, 1, 2 coincide
  const a = knnAffinities(x, { perplexity: 4 });
  assert.ok(a.p.vals.every(Number.isFinite));
  assert.equal(a.unconverged, 0);
});

Deno.test("affinities: bad input is a RangeError naming the problem", () => {
  assert.throws(() => exactAffinities(randn([3, 2])), /at least 4/);
  const bad = randn([10, 2]);
  bad.data[7] = NaN;
  assert.throws(() => knnAffinities(bad, { perplexity: 2 }), /row 3 column 1 is NaN/);
  bad.data[7] = Infinity;
  assert.throws(() => exactAffinities(bad, { perplexity: 2 }), /row 3 column 1 is Infinity/);
  assert.throws(() => exactAffinities(randn([10, 2]), { perplexity: 9 }), /below N − 1 = 9/);
  assert.throws(
    () => knnAffinities(randn([50, 2]), { perplexity: 10, neighbors: 8 }),
    /below the neighbour count 8/,
  );
  assert.throws(() => knnAffinities(randn([50, 2]), { perplexity: 0.5 }), /≥ 1/);
  assert.throws(() => exactAffinities(new NDArray(new Float64Array(8), [8]) as NDArray), TypeError);
});

Deno.test("affinitiesFromKnn: in place gives the same P and leaves the indices alone", () => {
  const knn = nearestNeighbors(randn([300, 4], { seed: 6 }), 20);
  const indices = knn.indices.slice(), distances = knn.distances.slice();
  const pure = affinitiesFromKnn(knn, 6);
  assert.deepEqual(knn.distances, distances, "the pure call keeps the distances");
  const inPlace = affinitiesFromKnn(knn, 6, { inPlace: true });
  assert.deepEqual(inPlace.p, pure.p);
  assert.deepEqual(inPlace.betas, pure.betas);
  assert.deepEqual(knn.indices, indices);
  // The distances became the conditional probabilities: each row sums to 1.
  for (let i = 0; i < 300; i++) {
    const row = knn.distances.subarray(i * 20, (i + 1) * 20).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(row - 1) < 1e-12, `row ${i} sums to ${row}`);
  }
});
