import assert from "node:assert/strict";
import {
  fitLine,
  gdLinearRate,
  lassoRates,
  logisticSeparable,
  newtonQuadraticRate,
  randomOrthogonal,
  weightDecayFixedPoint,
} from "../../lib/optim/rates.ts";
import { traceColumn } from "../../lib/optim/trace.ts";
import { eye, matmul } from "../../lib/ndarray.ts";

Deno.test("Newton: e_{k+1}/e_k² tends to |f''/2f'| at the root (sheet 004 Q6)", () => {
  const cases = [
    { f: (x: number) => x * x - 2, df: (x: number) => 2 * x, d2f: () => 2, x0: 1 },
    {
      f: (x: number) => Math.cos(x) - x,
      df: (x: number) => -Math.sin(x) - 1,
      d2f: (x: number) => -Math.cos(x),
      x0: 1,
    },
    {
      f: (x: number) => Math.exp(x) - 3,
      df: (x: number) => Math.exp(x),
      d2f: (x: number) => Math.exp(x),
      x0: 2,
    },
  ];
  for (const c of cases) {
    const r = newtonQuadraticRate(c, c.x0);
    assert.ok(Math.abs(r.measured / r.predicted - 1) < 1e-2, `${r.measured} vs ${r.predicted}`);
    // quadratic: the error at least squares, then is at rounding level
    assert.ok(r.errors.at(-1)! <= 1e-15 * Math.max(1, Math.abs(r.root)));
  }
});

Deno.test("GD's measured linear rate matches 1 − 1/κ and (κ−1)/(κ+1)", () => {
  for (const kappa of [2, 10, 50]) {
    const a = gdLinearRate(kappa);
    assert.ok(Math.abs(a.measured - (1 - 1 / kappa)) < 1e-6, `${a.measured}`);
    const b = gdLinearRate(kappa, { step: "optimal" });
    assert.ok(Math.abs(b.measured - (kappa - 1) / (kappa + 1)) < 1e-6, `${b.measured}`);
  }
  assert.throws(() => gdLinearRate(0.5), /gdLinearRate: kappa/);
});

Deno.test("ISTA's gap falls like k^-1 and FISTA's like k^-2 (log-log slopes)", () => {
  const r = lassoRates({ dimension: 80, iterations: 400, decades: 8 });
  assert.ok(Math.abs(r.istaFit.slope + 1) < 0.1, `ISTA slope ${r.istaFit.slope}`);
  assert.ok(Math.abs(r.fistaFit.slope + 2) < 0.25, `FISTA slope ${r.fistaFit.slope}`);
  assert.ok(r.istaFit.r2 > 0.99);
  // the minimizer is the all-ones vector by construction
  const d = traceColumn(r.fista.trace, "distance");
  assert.ok(d.at(-1)! < d[0]);
  assert.ok(traceColumn(r.ista.trace, "loss").every((v) => v >= r.optimalLoss - 1e-9));
});

Deno.test("randomOrthogonal is orthogonal", () => {
  const q = randomOrthogonal(12, 3);
  const err = matmul(q.transpose(), q).sub(eye(12)).norm();
  assert.ok(err < 1e-12, String(err));
});

Deno.test("separable logistic data: loss → 0 while ‖w‖ keeps growing (no minimizer)", () => {
  const r = logisticSeparable({ iterations: 2000 });
  const loss = traceColumn(r.result.trace, "loss");
  for (let k = 1; k < loss.length; k++) assert.ok(loss[k] < loss[k - 1]);
  for (let k = 1; k < r.weightNorm.length; k++) assert.ok(r.weightNorm[k] > r.weightNorm[k - 1]);
  assert.ok(loss.at(-1)! < 0.02);
  assert.ok(r.normFit.slope > 1 && r.normFit.r2 > 0.99, `‖w‖ vs log k slope ${r.normFit.slope}`);
  assert.ok(r.lossFit.slope < -0.7 && r.lossFit.slope > -1.1, `loss slope ${r.lossFit.slope}`);
  // every point is classified correctly: the data are separable through the origin
  const w = r.result.x.data;
  for (let i = 0; i < r.y.length; i++) {
    const z = w[0] * r.x.data[2 * i] + w[1] * r.x.data[2 * i + 1];
    assert.equal(z > 0 ? 1 : 0, r.y[i]);
  }
});

Deno.test("weight decay converges to the ridge fixed point ∇R(θ*) = −2λθ* (sheet 001 Q2.K)", () => {
  let prevNorm = Infinity;
  for (const lambda of [0, 0.05, 0.5, 5]) {
    const r = weightDecayFixedPoint(lambda, { step: lambda >= 5 ? 0.05 : 0.1 });
    assert.ok(r.distance < 1e-10, `λ=${lambda}: ${r.distance}`);
    assert.ok(r.residual < 1e-12);
    const n = r.theta.norm();
    assert.ok(n < prevNorm, "larger λ shrinks the fixed point");
    prevNorm = n;
  }
  assert.throws(() => weightDecayFixedPoint(-1), RangeError);
});

Deno.test("fitLine recovers a line and rejects short input", () => {
  const f = fitLine([1, 2, 3, 4], [2, 4, 6, 8]);
  assert.ok(Math.abs(f.slope - 2) < 1e-12 && Math.abs(f.intercept) < 1e-12 && f.r2 === 1);
  assert.throws(() => fitLine([1], [1]), RangeError);
});
