import assert from "node:assert/strict";
import {
  directionalDerivative,
  numericGradient,
  numericHessian,
  numericJacobian,
} from "../../lib/grad/numeric.ts";
import { allClose, array, type NDArray, randn } from "../../lib/ndarray.ts";

const cubic = (x: NDArray) => x.data.reduce((s, v) => s + v * v * v, 0);

Deno.test("numericGradient: closed form of Σ xᵢ³ is 3xᵢ², to O(eps²)", () => {
  const x = array([[1, -2], [0.5, 3]]);
  const g = numericGradient(cubic, x);
  assert.deepEqual(g.shape, [2, 2]);
  assert.ok(allClose(g, x.mul(x).mul(3), { atol: 1e-8, rtol: 1e-8 }), g.toString());
});

Deno.test("numericGradient costs exactly 2 evaluations per entry and leaves x alone", () => {
  let calls = 0;
  const x = randn([7, 3], { seed: 1 });
  const before = x.data.slice();
  numericGradient((v) => (calls++, v.dot(v)), x);
  assert.equal(calls, 2 * 21);
  assert.deepEqual(x.data, before);
});

Deno.test("numericJacobian: rows are outputs, columns inputs; f may return its argument", () => {
  const A = array([[1, 2, 3], [4, 5, 6]]);
  const J = numericJacobian((x) => A.matmul(x), array([1, 1, 1]));
  assert.deepEqual(J.shape, [2, 3]);
  assert.ok(allClose(J, A, { atol: 1e-8 }));
  const I = numericJacobian((x) => x, array([1, 2]));
  assert.ok(allClose(I, array([[1, 0], [0, 1]]), { atol: 1e-8 }));
});

Deno.test("numericHessian of ½xᵀAx is (A + Aᵀ)/2, symmetric", () => {
  const A = array([[2, 1, 0], [3, 4, 1], [0, -1, 5]]);
  const f = (x: NDArray) => 0.5 * x.dot(A.matmul(x));
  const H = numericHessian(f, array([0.3, -1, 2]));
  assert.ok(allClose(H, A.add(A.transpose()).mul(0.5), { atol: 1e-5 }), H.toString());
});

Deno.test("directionalDerivative equals ∇f·v in two evaluations", () => {
  const x = randn([1000], { seed: 2 }), v = randn([1000], { seed: 3 });
  let calls = 0;
  const d = directionalDerivative((y) => (calls++, cubic(y)), x, v);
  const exact = x.mul(x).mul(3).dot(v);
  assert.equal(calls, 2);
  assert.ok(Math.abs(d - exact) < 1e-6 * Math.abs(exact), `${d} vs ${exact}`);
});

Deno.test("numeric differentiators reject unusable arguments with named errors", () => {
  const x = array([1, 2]);
  assert.throws(
    () => numericGradient((v) => v.dot(v), x, { eps: 0 }),
    /numericGradient: eps must be a positive finite number, got 0/,
  );
  assert.throws(
    () => numericGradient((v) => v.dot(v), array([])),
    /numericGradient: x is empty \(shape \[0\]\)/,
  );
  assert.throws(
    () => numericGradient(42 as never, x),
    /numericGradient: f must be a function, got number/,
  );
  assert.throws(
    () => numericGradient((v) => v as never, x),
    /numericGradient: f must return a number, got NDArray \[2\]/,
  );
  assert.throws(
    () => numericGradient((v) => v.dot(v), [1, 2] as never),
    /numericGradient: x must be an NDArray, got a plain array/,
  );
  assert.throws(
    () => directionalDerivative(cubic, x, array([1, 2, 3])),
    /directionalDerivative: direction v \[3\] does not match x \[2\]/,
  );
});
