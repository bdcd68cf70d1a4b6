/**
 * Quality measures: trustworthiness against a straightforward implementation, k-NN accuracy,
 * exact KL through the common evaluator.
 */
import assert from "node:assert/strict";
import { array, randn } from "../../lib/ndarray.ts";
import { exactAffinities } from "../../lib/tsne/affinity.ts";
import { klForward } from "../../lib/tsne/kl.ts";
import { exactKl, knnAccuracy, trustworthiness } from "../../lib/tsne/quality.ts";

/** Trustworthiness by full rank tables (Venna & Kaski), independent of quality.ts. */
function naiveTrust(x: number[][], y: number[][], k: number): number {
  const n = x.length;
  const d2 = (a: number[], b: number[]) => a.reduce((s, v, t) => s + (v - b[t]) ** 2, 0);
  const order = (pts: number[][], i: number) =>
    [...Array(n).keys()].filter((j) => j !== i).sort((a, b) =>
      d2(pts[i], pts[a]) - d2(pts[i], pts[b]) || a - b
    );
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const ox = order(x, i);
    const oy = order(y, i).slice(0, k);
    for (const j of oy) {
      const r = ox.indexOf(j) + 1;
      if (r > k) sum += r - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * sum;
}

Deno.test("trustworthiness equals the rank-table definition", () => {
  for (const seed of [1, 2, 3]) {
    const x = randn([40, 5], { seed });
    const y = randn([40, 2], { seed: seed + 10 });
    for (const k of [1, 5, 12]) {
      const a = trustworthiness(x, y, { k });
      const b = naiveTrust(x.toArray() as number[][], y.toArray() as number[][], k);
      assert.ok(Math.abs(a - b) < 1e-12, `seed ${seed}, k ${k}: ${a} vs ${b}`);
    }
  }
});

Deno.test("trustworthiness is 1 for an isometry and below 1 for a shuffle", () => {
  const x = randn([30, 2], { seed: 4 });
  const rotated = array((x.toArray() as number[][]).map(([a, b]) => [b, -a]));
  assert.equal(trustworthiness(x, rotated, { k: 5 }), 1);
  const shuffled = array((x.toArray() as number[][]).map((_, i, all) => all[(i * 7) % 30]));
  assert.ok(trustworthiness(x, shuffled, { k: 5 }) < 0.9);
  assert.throws(() => trustworthiness(x, x, { k: 15 }), /k < N\/2/);
  assert.throws(() => trustworthiness(x, randn([29, 2])), /30 rows but y has 29/);
});

Deno.test("knnAccuracy: separated classes, a mislabelled point, ties to the nearest", () => {
  const y = array([[0], [0.1], [0.2], [0.3], [5], [5.1], [5.2], [5.3]]);
  assert.equal(knnAccuracy(y, [0, 0, 0, 0, 1, 1, 1, 1], { k: 3 }), 1);
  assert.equal(knnAccuracy(y, [0, 0, 0, 1, 1, 1, 1, 1], { k: 3 }), 7 / 8);
  // k = 2 with one vote each: the nearest voter decides.
  assert.equal(knnAccuracy(array([[0], [1], [3]]), [7, 7, 8], { k: 2 }), 2 / 3);
  assert.throws(() => knnAccuracy(y, [0, 1]), /2 labels for 8 rows/);
});

Deno.test("exactKl equals klForward for any embedding dimension", () => {
  const p = exactAffinities(randn([20, 4], { seed: 5 }), { perplexity: 4 }).p;
  for (const d of [1, 2, 3]) {
    const y = randn([20, d], { seed: d });
    assert.equal(exactKl(p, y), klForward(y, p).out);
  }
});
