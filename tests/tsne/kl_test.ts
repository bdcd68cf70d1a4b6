/**
 * KL(P‖Q) and its gradient: closed forms, the gradient checker, non-negativity, and the
 * exaggerated gradient.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { array, randn } from "../../lib/ndarray.ts";
import { checkGradient } from "../../lib/grad/check.ts";
import { csrToDense, exactAffinities, knnAffinities, symmetrize } from "../../lib/tsne/affinity.ts";
import { exactKlGradient, klBackward, klForward, studentZ } from "../../lib/tsne/kl.ts";

/** KL straight from the definition with dense matrices (independent of kl.ts). */
function denseKl(p: number[][], y: number[][]): number {
  const n = y.length;
  let z = 0;
  const w = (i: number, j: number) => 1 / (1 + y[i].reduce((s, v, t) => s + (v - y[j][t]) ** 2, 0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) z += w(i, j);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j && p[i][j] > 0) kl += p[i][j] * Math.log(p[i][j] / (w(i, j) / z));
    }
  }
  return kl;
}

Deno.test("KL of two points is 0 whatever their distance (p = q = 1/2)", () => {
  const p = symmetrize(2, 1, new Int32Array([1, 0]), new Float64Array([1, 1]));
  for (const d of [0, 0.3, 7, 1e4]) {
    const { out, cache } = klForward(array([[0, 0], [d, 0]]), p);
    assert.ok(Math.abs(out) < 1e-15);
    assert.ok(klBackward(1, cache).dy.data.every((v) => Math.abs(v) < 1e-15));
  }
});

Deno.test("klForward equals the definition Σ p ln(p/q) on dense matrices", () => {
  const x = randn([15, 4], { seed: 1 });
  const a = exactAffinities(x, { perplexity: 4 });
  const y = randn([15, 2], { seed: 2 });
  const expected = denseKl(csrToDense(a.p).toArray() as number[][], y.toArray() as number[][]);
  assert.ok(Math.abs(klForward(y, a.p).out - expected) < 1e-12);
});

Deno.test("studentZ: three points on a line", () => {
  // Pairs at distances 1, 1, 2: Z = 2(1/2 + 1/2 + 1/5).
  const z = studentZ(new Float64Array([0, 0, 1, 0, 2, 0]), 3, 2);
  assert.ok(Math.abs(z - 2.4) < 1e-15);
});

Deno.test("the KL gradient passes the gradient checker (exact and sparse P, 1-D to 3-D)", () => {
  const x = randn([14, 5], { seed: 3 });
  const ps = [exactAffinities(x, { perplexity: 4 }).p, knnAffinities(x, { perplexity: 3 }).p];
  for (const p of ps) {
    for (const d of [1, 2, 3]) {
      const y = randn([14, d], { seed: 4 + d });
      const report = checkGradient(
        (v) => klForward(v, p).out,
        (v) => klBackward(1, klForward(v, p).cache).dy,
        y,
      );
      assert.ok(report.ok, `d = ${d}: ${report.diagnosis.message}`);
      assert.equal(report.diagnosis.kind, "match");
    }
  }
});

Deno.test("the checker catches a gradient that forgot the factor 4", () => {
  const p = exactAffinities(randn([10, 3], { seed: 5 }), { perplexity: 3 }).p;
  const report = checkGradient(
    (v) => klForward(v, p).out,
    (v) => klBackward(0.25, klForward(v, p).cache).dy,
    randn([10, 2], { seed: 6 }),
  );
  assert.equal(report.diagnosis.kind, "scaled");
  assert.ok(Math.abs((report.diagnosis.factor ?? 0) - 0.25) < 1e-6);
});

Deno.test("KL ≥ 0 for random embeddings (property)", () => {
  const p = exactAffinities(randn([12, 3], { seed: 7 }), { perplexity: 3 }).p;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e6 }),
      fc.double({ min: 1e-3, max: 1e3 }),
      (s, scale) => {
        const y = randn([12, 2], { seed: s, std: scale });
        return klForward(y, p).out >= -1e-12;
      },
    ),
    { numRuns: 50, seed: 3 },
  );
});

Deno.test("exaggerated gradient = 4 Σ (α p − q) w (yᵢ − yⱼ), linear in α", () => {
  const p = exactAffinities(randn([10, 3], { seed: 8 }), { perplexity: 3 }).p;
  const y = randn([10, 2], { seed: 9 }).data;
  const g1 = new Float64Array(20), g2 = new Float64Array(20), g12 = new Float64Array(20);
  exactKlGradient(y, p, g1, { exaggeration: 1 });
  exactKlGradient(y, p, g2, { exaggeration: 2 });
  exactKlGradient(y, p, g12, { exaggeration: 12 });
  for (let k = 0; k < 20; k++) {
    // g(α) = α·A − R, so g(12) = g(1) + 11·(g(2) − g(1)).
    assert.ok(Math.abs(g12[k] - (g1[k] + 11 * (g2[k] - g1[k]))) < 1e-12);
  }
  assert.throws(() => exactKlGradient(y, p, new Float64Array(3)), RangeError);
});

Deno.test("klForward rejects mismatched shapes", () => {
  const p = exactAffinities(randn([10, 3], { seed: 10 }), { perplexity: 3 }).p;
  assert.throws(() => klForward(randn([9, 2]), p), /P is 10×10 but y has shape \[9, 2\]/);
});
