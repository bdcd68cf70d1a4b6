import assert from "node:assert/strict";
import fc from "fast-check";
import { array, NDArray } from "../../lib/ndarray.ts";
import { gradientDescent, heavyBall, nesterov } from "../../lib/optim/gradient_descent.ts";
import { traceColumn } from "../../lib/optim/trace.ts";

/** f(x) = ½ Σ λ_i (x_i − c_i)², minimizer c. */
function diagQuadratic(lam: number[], c: number[]) {
  const n = lam.length;
  return {
    f: (x: NDArray) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += 0.5 * lam[i] * (x.data[i] - c[i]) ** 2;
      return s;
    },
    grad: (x: NDArray) =>
      new NDArray(Float64Array.from(x.data, (v, i) => lam[i] * (v - c[i])), [n]),
  };
}

Deno.test("gradient descent reaches the known minimizer of random diagonal quadratics", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          lam: fc.double({ min: 0.1, max: 10, noNaN: true }),
          c: fc.double({ min: -5, max: 5, noNaN: true }),
        }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      (terms) => {
        const lam = terms.map((t) => t.lam), c = terms.map((t) => t.c);
        const L = Math.max(...lam);
        const r = gradientDescent(
          diagQuadratic(lam, c),
          new NDArray(new Float64Array(lam.length), [lam.length]),
          {
            step: 1 / L,
            iterations: 5000,
            tolerance: 1e-10,
          },
        );
        assert.equal(r.status, "converged");
        for (let i = 0; i < c.length; i++) assert.ok(Math.abs(r.x.data[i] - c[i]) < 1e-9);
      },
    ),
    { numRuns: 30 },
  );
});

Deno.test("GD on ½λx² from 1 gives x_k = (1 − tλ)^k exactly", () => {
  const r = gradientDescent(diagQuadratic([4], [0]), array([1]), {
    step: 0.1,
    iterations: 10,
    tolerance: 0,
    keepPath: true,
  });
  r.path!.forEach((x, k) => assert.ok(Math.abs(x.data[0] - 0.6 ** k) < 1e-15));
});

Deno.test("logistic neuron (sheet 004 Q1): GD update uses Σ(ŷ − y)x and lowers the loss", () => {
  const xs = [-2, -1, 0.5, 1, 3], ys = [0, 1, 0, 1, 1]; // not separable: a finite minimizer exists
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const f = (p: NDArray) =>
    xs.reduce((s, x, n) => {
      const yh = sig(p.data[0] * x + p.data[1]);
      return s - ys[n] * Math.log(yh) - (1 - ys[n]) * Math.log(1 - yh);
    }, 0);
  const grad = (p: NDArray) => {
    let dw = 0, db = 0;
    xs.forEach((x, n) => {
      const e = sig(p.data[0] * x + p.data[1]) - ys[n];
      dw += e * x;
      db += e;
    });
    return array([dw, db]);
  };
  const r = gradientDescent({ f, grad }, array([0, 0]), {
    step: 0.1,
    iterations: 20000,
    tolerance: 1e-9,
  });
  assert.equal(r.status, "converged");
  const loss = traceColumn(r.trace, "loss");
  for (let k = 1; k < loss.length; k++) assert.ok(loss[k] <= loss[k - 1] + 1e-15);
  // at the minimizer the gradient vanishes: Σ(ŷ − y) = 0 and Σ(ŷ − y)x = 0
  const g = grad(r.x);
  assert.ok(g.norm() < 1e-9);
});

Deno.test("heavy ball with Polyak's tuning beats GD's rate on an ill-conditioned quadratic", () => {
  const kappa = 100;
  const lam = [1, kappa];
  const obj = diagQuadratic(lam, [0, 0]);
  const x0 = array([1, 1]);
  const opts = { iterations: 200, tolerance: 0, optimum: array([0, 0]) };
  const gd = gradientDescent(obj, x0, { ...opts, step: 2 / (1 + kappa) });
  const sq = Math.sqrt(kappa);
  const hb = heavyBall(obj, x0, {
    ...opts,
    step: 4 / (1 + sq) ** 2,
    momentum: ((sq - 1) / (sq + 1)) ** 2,
  });
  const dg = traceColumn(gd.trace, "distance"), dh = traceColumn(hb.trace, "distance");
  // predicted per-step rates: GD (κ−1)/(κ+1) = 0.980, heavy ball (√κ−1)/(√κ+1) = 0.818
  const rateGd = (dg[200] / dg[100]) ** (1 / 100);
  const rateHb = (dh[200] / dh[100]) ** (1 / 100);
  assert.ok(Math.abs(rateGd - (kappa - 1) / (kappa + 1)) < 1e-3, `GD rate ${rateGd}`);
  // heavy ball on a 2-D quadratic has a Jordan block: rate·(1 + O(1/k)); allow 2%
  assert.ok(Math.abs(rateHb - (sq - 1) / (sq + 1)) < 0.02, `heavy-ball rate ${rateHb}`);
});

Deno.test("Nesterov converges to the minimizer and faster than GD with the same step", () => {
  const obj = diagQuadratic([0.01, 1], [2, -1]);
  const x0 = array([0, 0]);
  const opts = { step: 1, iterations: 3000, tolerance: 1e-10, optimum: array([2, -1]) };
  const n = nesterov(obj, x0, { ...opts, momentum: 0.8 });
  const g = gradientDescent(obj, x0, opts);
  assert.equal(n.status, "converged");
  // ‖∇f‖ ≤ 1e-10 and λ_min = 0.01 bound the distance by 1e-8
  assert.ok(traceColumn(n.trace, "distance").at(-1)! <= 1e-8);
  assert.ok(n.iterations < g.iterations / 2, `${n.iterations} vs ${g.iterations}`);
});

Deno.test("momentum must be in [0, 1)", () => {
  const obj = diagQuadratic([1], [0]);
  assert.throws(() => heavyBall(obj, array([1]), { momentum: 1 }), /heavyBall: options.momentum/);
  assert.throws(() => nesterov(obj, array([1]), { momentum: -0.1 }), /nesterov: options.momentum/);
});

Deno.test("stochastic gradients get a seeded generator: same seed, same run", () => {
  const obj = {
    f: (x: NDArray) => 0.5 * x.dot(x),
    grad: (x: NDArray, random: { normal(): number }) => x.add(0.1 * random.normal()),
  };
  const a = gradientDescent(obj, array([1]), { iterations: 20, tolerance: 0, seed: 7 });
  const b = gradientDescent(obj, array([1]), { iterations: 20, tolerance: 0, seed: 7 });
  const c = gradientDescent(obj, array([1]), { iterations: 20, tolerance: 0, seed: 8 });
  assert.deepEqual(a.x.data, b.x.data);
  assert.notDeepEqual(a.x.data, c.x.data);
});

Deno.test("Nesterov with β = (√κ−1)/(√κ+1), t = 1/L contracts by 1 − 1/√κ per step", () => {
  const kappa = 100;
  const obj = diagQuadratic([1, kappa], [0, 0]);
  const sq = Math.sqrt(kappa);
  const r = nesterov(obj, array([1, 1]), {
    step: 1 / kappa,
    momentum: (sq - 1) / (sq + 1),
    iterations: 300,
    tolerance: 0,
    optimum: array([0, 0]),
  });
  const d = traceColumn(r.trace, "distance");
  // the slow mode has a double root r = 1 − 1/√κ: d_k ∝ k·r^k, so over k = 100…300 the
  // geometric mean ratio is r·(3)^(1/200) ≈ r·1.0055
  const measured = (d[300] / d[100]) ** (1 / 200);
  const predicted = 1 - 1 / sq;
  assert.ok(Math.abs(measured / predicted - 1) < 0.01, `${measured} vs ${predicted}`);
  // far faster than GD's 1 − 1/κ
  assert.ok(measured < 1 - 1 / kappa - 0.05);
});
