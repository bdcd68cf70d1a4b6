import assert from "node:assert/strict";
import fc from "fast-check";
import { array, matmul, type NDArray } from "../../lib/ndarray.ts";
import { fista, ista } from "../../lib/optim/proximal_gradient.ts";
import { traceColumn } from "../../lib/optim/trace.ts";

const soft = (v: NDArray, t: number) => v.map((z) => Math.sign(z) * Math.max(Math.abs(z) - t, 0));

Deno.test("ISTA and FISTA solve separable lassos: x* = soft-threshold of the data (sheet 000 Q9)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 8 }),
      fc.double({ min: 0.01, max: 3, noNaN: true }),
      (c, lambda) => {
        const cv = array(c);
        const obj = {
          f: (x: NDArray) => 0.5 * x.sub(cv).dot(x.sub(cv)),
          grad: (x: NDArray) => x.sub(cv),
          g: (x: NDArray) => lambda * x.data.reduce((s, v) => s + Math.abs(v), 0),
          prox: (v: NDArray, t: number) => soft(v, t * lambda),
        };
        const expected = soft(cv, lambda);
        for (const solver of [ista, fista]) {
          const r = solver(obj, array(c.map(() => 0)), { step: 0.7, tolerance: 1e-12 });
          assert.equal(r.status, "converged");
          assert.ok(r.x.sub(expected).norm() < 1e-10);
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("lasso with correlated columns: both methods agree and satisfy the KKT conditions", () => {
  const A = array([[1, 0.9, 0], [0.9, 1, 0.2], [0, 0.2, 1], [0.5, 0.5, 0.5]]);
  const b = array([1, 2, -1, 0.5]);
  const lambda = 0.3;
  const At = A.transpose();
  const obj = {
    f: (x: NDArray) => {
      const r = matmul(A, x).sub(b);
      return 0.5 * r.dot(r);
    },
    grad: (x: NDArray) => matmul(At, matmul(A, x).sub(b)),
    g: (x: NDArray) => lambda * x.data.reduce((s, v) => s + Math.abs(v), 0),
    prox: (v: NDArray, t: number) => soft(v, t * lambda),
  };
  const opts = { step: 0.25, tolerance: 1e-12, iterations: 100000 };
  const ri = ista(obj, array([0, 0, 0]), opts);
  const rf = fista(obj, array([0, 0, 0]), opts);
  assert.equal(ri.status, "converged");
  assert.equal(rf.status, "converged");
  assert.ok(ri.x.sub(rf.x).norm() < 1e-9);
  assert.ok(rf.iterations < ri.iterations);
  // KKT: −∇f(x*)_i = λ sign(x*_i) where x*_i ≠ 0, |∇f(x*)_i| ≤ λ where x*_i = 0
  const g = obj.grad(rf.x);
  rf.x.data.forEach((v, i) => {
    if (v !== 0) assert.ok(Math.abs(-g.data[i] - lambda * Math.sign(v)) < 1e-9);
    else assert.ok(Math.abs(g.data[i]) <= lambda + 1e-9);
  });
  assert.ok(rf.x.data.some((v) => v === 0), "this lasso has a zero coefficient");
  // ISTA is a descent method: F(x_k) never increases
  const loss = traceColumn(ri.trace, "loss");
  for (let k = 1; k < loss.length; k++) assert.ok(loss[k] <= loss[k - 1] + 1e-14);
});

Deno.test("FISTA with restart converges linearly on a strongly convex problem", () => {
  const lam = [1, 1e-3];
  const obj = {
    f: (x: NDArray) => 0.5 * (lam[0] * x.data[0] ** 2 + lam[1] * (x.data[1] - 1) ** 2),
    grad: (x: NDArray) => array([lam[0] * x.data[0], lam[1] * (x.data[1] - 1)]),
  };
  const plain = fista(obj, array([1, 0]), { step: 1, tolerance: 1e-10, iterations: 20000 });
  const restarted = fista(obj, array([1, 0]), {
    step: 1,
    tolerance: 1e-10,
    iterations: 20000,
    restart: true,
  });
  assert.equal(restarted.status, "converged");
  assert.ok(
    restarted.iterations < plain.iterations,
    `${restarted.iterations} vs ${plain.iterations}`,
  );
});

Deno.test("without prox, ISTA is gradient descent", () => {
  const obj = { f: (x: NDArray) => 0.5 * x.dot(x), grad: (x: NDArray) => x };
  const r = ista(obj, array([1]), { step: 0.5, iterations: 3, tolerance: 0, keepPath: true });
  assert.deepEqual(r.path!.map((x) => x.data[0]), [1, 0.5, 0.25, 0.125]);
});

Deno.test("a prox of the wrong shape is a clear error", () => {
  const obj = {
    f: (x: NDArray) => x.dot(x),
    grad: (x: NDArray) => x,
    prox: () => array([1, 2, 3]),
  };
  assert.throws(() => ista(obj, array([1, 2])), /ista: objective.prox returned shape \[3\]/);
  assert.throws(() => fista(obj, array([1, 2]), { step: -1 }), /fista: options.step/);
});
