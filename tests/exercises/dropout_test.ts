import assert from "node:assert/strict";
import { gaussianDropoutMonteCarlo } from "../../lib/exercises/dropout.ts";
import { samplePoints } from "../../lib/exercises/support.ts";

/** A mean further than this many standard errors from the formula would be a 1-in-15,000 event. */
const Z_LIMIT = 4;

const unit = { x: samplePoints(5, 11), w: samplePoints(5, 12), target: 0.7 };

Deno.test("Gaussian dropout: the Monte-Carlo mean gradient matches sheet 004 Q5's formula", () => {
  const r = gaussianDropoutMonteCarlo({ ...unit, sigma: 0.7, draws: 20000, seed: 13 });
  const z = r.mean.map((m, i) => Math.abs(m - r.formula[i]) / r.standardError[i]);
  assert.ok(Math.max(...z) < Z_LIMIT, `z = ${z}`);
  // the sheet's expression is the plain gradient plus the penalty's gradient σ²Wᵢxᵢ²
  r.formula.forEach((f, i) => assert.ok(Math.abs(f - (r.plain[i] + r.penalty[i])) < 1e-12));
  r.penalty.forEach((p, i) => assert.ok(Math.abs(p - 0.49 * unit.w[i] * unit.x[i] ** 2) < 1e-12));
  // a real regularizer: the mean differs measurably from the plain gradient
  const off = r.mean.map((m, i) => Math.abs(m - r.plain[i]) / r.standardError[i]);
  assert.ok(Math.max(...off) > Z_LIMIT, `off = ${off}`);
  assert.ok(Math.abs(r.meanLoss - r.expectedLoss) < 0.05 * r.expectedLoss);
});

Deno.test("Gaussian dropout with σ = 0: every draw is the plain gradient", () => {
  const r = gaussianDropoutMonteCarlo({ ...unit, sigma: 0, draws: 10, seed: 13 });
  r.mean.forEach((m, i) => assert.ok(Math.abs(m - r.formula[i]) < 1e-12));
  r.formula.forEach((f, i) => assert.ok(Math.abs(f - r.plain[i]) < 1e-12));
});

Deno.test("Gaussian dropout records the running mean at the checkpoints asked", () => {
  const r = gaussianDropoutMonteCarlo({
    ...unit,
    sigma: 0.5,
    draws: 100,
    seed: 1,
    checkpoints: [100, 10, 1000],
  });
  assert.deepEqual(r.running.map((c) => c.draws), [10, 100]);
  assert.deepEqual(r.running[1].mean, r.mean);
});

Deno.test("Gaussian dropout refuses unusable units and draw counts", () => {
  const ok = { ...unit, sigma: 0.5, draws: 10, seed: 1 };
  assert.throws(() => gaussianDropoutMonteCarlo({ ...ok, w: [1] }), /same non-zero length/);
  assert.throws(() => gaussianDropoutMonteCarlo({ ...ok, draws: 1 }), /draws must be an integer/);
  assert.throws(
    () => gaussianDropoutMonteCarlo({ ...ok, x: [0, 1, 1, 1, 1] }),
    /every Wₖxₖ must be non-zero/,
  );
});
