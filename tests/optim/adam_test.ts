import assert from "node:assert/strict";
import { array, NDArray } from "../../lib/ndarray.ts";
import { adam } from "../../lib/optim/adam.ts";

Deno.test("Adam's first step moves every coordinate by the step size, whatever the gradient scale", () => {
  // with bias correction m̂ = g, v̂ = g², so Δx = −t·g/(|g| + ε) ≈ −t·sign(g)
  const scales = [1e-3, 1, 1e3];
  const r = adam(
    { f: () => 0, grad: (x) => new NDArray(Float64Array.from(x.data, (_, i) => scales[i]), [3]) },
    array([0, 0, 0]),
    { step: 0.01, iterations: 1, tolerance: 0, keepPath: true },
  );
  const x1 = r.path![1].data;
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(x1[i] + 0.01) < 1e-7, `${x1[i]}`);
});

Deno.test("Adam finds the minimizer of the Rosenbrock function (1, 1)", () => {
  const f = (x: NDArray) => (1 - x.data[0]) ** 2 + 100 * (x.data[1] - x.data[0] ** 2) ** 2;
  const grad = (x: NDArray) => {
    const [a, b] = x.data;
    return array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]);
  };
  const r = adam({ f, grad }, array([-1, 1]), { step: 0.02, iterations: 20000, tolerance: 1e-6 });
  assert.ok(r.x.sub(array([1, 1])).norm() < 1e-3, r.message);
});

Deno.test("Adam rejects bad hyper-parameters", () => {
  const obj = { f: () => 0, grad: (x: NDArray) => x };
  assert.throws(() => adam(obj, array([1]), { beta1: 1 }), /adam: options.beta1/);
  assert.throws(() => adam(obj, array([1]), { beta2: -0.5 }), /adam: options.beta2/);
  assert.throws(() => adam(obj, array([1]), { epsilon: 0 }), /adam: options.epsilon/);
  assert.throws(() => adam(obj, array([1]), { step: -1 }), RangeError);
});
