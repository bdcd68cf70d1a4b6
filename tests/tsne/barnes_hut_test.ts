/**
 * Barnes-Hut: the quadtree's invariants, the gradient and Z converging to the exact ones as
 * θ → 0 (exact at θ = 0), coincident points.
 */
import assert from "node:assert/strict";
import { randn } from "../../lib/ndarray.ts";
import { knnAffinities } from "../../lib/tsne/affinity.ts";
import { barnesHutGradient, buildQuadTree } from "../../lib/tsne/barnes_hut.ts";
import { exactKlGradient } from "../../lib/tsne/kl.ts";
import { relErr } from "../helpers/rel_err.ts";

Deno.test("quadtree: root holds all points, children partition counts, centres of mass", () => {
  const n = 300;
  const y = randn([n, 2], { seed: 1, std: 5 }).data;
  const t = buildQuadTree(y, n);
  assert.equal(t.count[0], n);
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += y[2 * i];
    my += y[2 * i + 1];
  }
  assert.ok(Math.abs(t.mx[0] - mx / n) < 1e-12 && Math.abs(t.my[0] - my / n) < 1e-12);
  let leaves = 0;
  for (let k = 0; k < t.size; k++) {
    const c = t.child[k];
    if (c < 0) {
      if (t.count[k] > 0) leaves++;
      continue;
    }
    assert.equal(t.count[c] + t.count[c + 1] + t.count[c + 2] + t.count[c + 3], t.count[k]);
    for (let q = 0; q < 4; q++) assert.equal(t.hw[c + q], t.hw[k] / 2);
  }
  assert.equal(leaves, n, "distinct points end in distinct leaves");
  // Every point lies inside its leaf's cell.
  for (let k = 0; k < t.size; k++) {
    if (t.child[k] >= 0 || t.count[k] === 0) continue;
    const i = t.point[k];
    assert.ok(
      Math.abs(y[2 * i] - t.cx[k]) <= t.hw[k] && Math.abs(y[2 * i + 1] - t.cy[k]) <= t.hw[k],
    );
  }
});

Deno.test("Barnes-Hut gradient → exact gradient as θ → 0 (equal at θ = 0)", () => {
  const n = 400;
  const p = knnAffinities(randn([n, 10], { seed: 2 }), { perplexity: 10 }).p;
  const y = randn([n, 2], { seed: 3, std: 10 }).data;
  const exact = new Float64Array(2 * n);
  const zExact = exactKlGradient(y, p, exact, { exaggeration: 1 });
  const errors: number[] = [];
  const zErrors: number[] = [];
  for (const theta of [1, 0.5, 0.25, 0.1, 0]) {
    const g = new Float64Array(2 * n);
    const z = barnesHutGradient(y, p, g, { theta });
    errors.push(relErr(g, exact));
    zErrors.push(Math.abs(z - zExact) / zExact);
  }
  for (let k = 1; k < errors.length; k++) {
    assert.ok(errors[k] < errors[k - 1], `gradient errors ${errors.join(", ")}`);
    assert.ok(zErrors[k] <= zErrors[k - 1], `Z errors ${zErrors.join(", ")}`);
  }
  assert.ok(errors[errors.length - 1] < 1e-12 && zErrors[zErrors.length - 1] < 1e-13);
  assert.ok(errors[3] < 0.01, `θ = 0.1: ${errors[3]}`);
});

Deno.test("Barnes-Hut with exaggeration matches the exact exaggerated gradient at θ = 0", () => {
  const n = 100;
  const p = knnAffinities(randn([n, 4], { seed: 4 }), { perplexity: 5 }).p;
  const y = randn([n, 2], { seed: 5 }).data;
  const a = new Float64Array(2 * n), b = new Float64Array(2 * n);
  exactKlGradient(y, p, a, { exaggeration: 12 });
  barnesHutGradient(y, p, b, { theta: 0, exaggeration: 12 });
  assert.ok(relErr(b, a) < 1e-12);
});

Deno.test("coincident points: finite gradient, exact Z counts w = 1 between them", () => {
  const n = 50;
  const p = knnAffinities(randn([n, 3], { seed: 6 }), { perplexity: 5 }).p;
  const y = randn([n, 2], { seed: 7 }).data;
  // Points 0..4 share one position.
  for (let i = 1; i < 5; i++) y.set([y[0], y[1]], 2 * i);
  const a = new Float64Array(2 * n), b = new Float64Array(2 * n);
  const za = exactKlGradient(y, p, a);
  const zb = barnesHutGradient(y, p, b, { theta: 0 });
  assert.ok(b.every(Number.isFinite));
  assert.ok(Math.abs(za - zb) / za < 1e-13, `${za} vs ${zb}`);
  assert.ok(relErr(b, a) < 1e-12);
  // All points in one spot: Z = N(N − 1), no force.
  const same = new Float64Array(2 * n).fill(3);
  const g = new Float64Array(2 * n);
  assert.equal(barnesHutGradient(same, p, g, { theta: 0.5 }), n * (n - 1));
  assert.ok(g.every((v) => v === 0));
});

Deno.test("barnesHutGradient rejects θ < 0 and wrong lengths", () => {
  const p = knnAffinities(randn([10, 2], { seed: 8 }), { perplexity: 2 }).p;
  assert.throws(
    () => barnesHutGradient(new Float64Array(20), p, new Float64Array(20), { theta: -1 }),
    /theta/,
  );
  assert.throws(
    () => barnesHutGradient(new Float64Array(18), p, new Float64Array(20)),
    /\[10, 2\]/,
  );
});
