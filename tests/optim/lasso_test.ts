import assert from "node:assert/strict";
import { array, matmul } from "../../lib/ndarray.ts";
import { lassoObjective } from "../../lib/optim/lasso.ts";
import { fista, ista } from "../../lib/optim/proximal_gradient.ts";

Deno.test("lassoObjective: value, gradient, prox and Lipschitz constant", () => {
  const A = array([[2, 0], [0, 1], [0, 0]]);
  const b = array([1, 1, 5]);
  const obj = lassoObjective(A, b, { lambda: 0.5 });
  const x = array([1, -2]);
  // ½‖(2, −2, 0) − (1, 1, 5)‖² + 0.5·3 = ½(1 + 9 + 25) + 1.5
  assert.equal(obj.f(x) + obj.g!(x), 17.5 + 1.5);
  assert.deepEqual(Array.from(obj.grad(x, undefined as never).data), [2, -3]);
  assert.ok(Math.abs(obj.lipschitz - 4) < 1e-12);
  assert.deepEqual(Array.from(obj.prox!(array([1, -0.1]), 0.4).data), [0.8, 0]);
});

Deno.test("lasso on a correlated design: ISTA and FISTA reach the same KKT point", () => {
  const A = array([[1, 0.9, 0], [0.9, 1, 0.2], [0, 0.2, 1], [0.5, 0.5, 0.5]]);
  const b = array([1, 2, -1, 0.5]);
  const lambda = 0.3;
  const obj = lassoObjective(A, b, { lambda });
  const opts = { step: 1 / obj.lipschitz, tolerance: 1e-11, iterations: 100000 };
  const ri = ista(obj, array([0, 0, 0]), opts);
  const rf = fista(obj, array([0, 0, 0]), opts);
  assert.ok(ri.x.sub(rf.x).norm() < 1e-9);
  const g = matmul(A.transpose(), matmul(A, rf.x).sub(b));
  rf.x.data.forEach((v, i) => {
    if (v !== 0) assert.ok(Math.abs(g.data[i] + lambda * Math.sign(v)) < 1e-9);
    else assert.ok(Math.abs(g.data[i]) <= lambda + 1e-9);
  });
});

Deno.test("lassoObjective rejects mismatched shapes and negative λ", () => {
  assert.throws(
    () => lassoObjective(array([[1, 2]]), array([1, 2]), { lambda: 1 }),
    /A \[1, 2\] and b \[2\]/,
  );
  assert.throws(() => lassoObjective(array([[1]]), array([1]), { lambda: -1 }), /lambda/);
  const obj = lassoObjective(array([[1, 2]]), array([1]), { lambda: 1 });
  assert.throws(() => obj.f(array([1, 2, 3])), /x has shape \[3\] but A has 2 columns/);
  assert.throws(() => ista(obj, array([1, 2, 3])), /A has 2 columns/);
});
