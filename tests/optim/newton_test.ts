import assert from "node:assert/strict";
import { array, matmul, type NDArray } from "../../lib/ndarray.ts";
import { newtonMinimize, newtonRoot, solveSpd } from "../../lib/optim/newton.ts";
import { traceColumn } from "../../lib/optim/trace.ts";

Deno.test("newtonRoot finds √2, cos x = x and a cube root to full precision", () => {
  const cases = [
    { f: (x: number) => x * x - 2, df: (x: number) => 2 * x, x0: 1, root: Math.SQRT2 },
    {
      f: (x: number) => Math.cos(x) - x,
      df: (x: number) => -Math.sin(x) - 1,
      x0: 1,
      root: 0.7390851332151607,
    },
    { f: (x: number) => x ** 3 - 27, df: (x: number) => 3 * x * x, x0: 5, root: 3 },
  ];
  for (const c of cases) {
    const r = newtonRoot(c, c.x0, { root: c.root });
    assert.ok(Math.abs(r.x.data[0] - c.root) <= 4e-16 * c.root, `${r.x.data[0]}`);
    assert.ok(r.iterations < 10);
    assert.equal(traceColumn(r.trace, "x")[0], c.x0);
  }
});

Deno.test("newtonRoot without df uses central differences and still converges", () => {
  const r = newtonRoot({ f: (x) => Math.exp(x) - 2 }, 0, { tolerance: 1e-14 });
  assert.equal(r.status, "converged");
  assert.ok(Math.abs(r.x.data[0] - Math.LN2) < 1e-14);
});

Deno.test("newtonRoot stops with zero-derivative at a critical point", () => {
  const r = newtonRoot({ f: (x) => x * x + 1, df: (x) => 2 * x }, 0);
  assert.equal(r.status, "zero-derivative");
  assert.match(r.message, /f'\(x\) = 0 at x = 0/);
});

Deno.test("newtonRoot on a root of multiplicity 2 converges only linearly (ratio 1/2)", () => {
  const r = newtonRoot({ f: (x) => (x - 1) ** 2, df: (x) => 2 * (x - 1) }, 2, { iterations: 20 });
  const xs = traceColumn(r.trace, "x");
  for (let k = 1; k < 20; k++) assert.ok(Math.abs((xs[k] - 1) / (xs[k - 1] - 1) - 0.5) < 1e-12);
});

Deno.test("newtonRoot rejects bad input", () => {
  assert.throws(() => newtonRoot({ f: (x) => x }, NaN), /newtonRoot: x0 must be a finite number/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => newtonRoot({} as any, 1), TypeError);
  assert.throws(() => newtonRoot({ f: (x) => x }, 1, { step: 0 }), RangeError);
});

const A = array([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);
const b = array([1, 2, 3]);
const quad = {
  f: (x: NDArray) => 0.5 * x.dot(matmul(A, x)) - b.dot(x),
  grad: (x: NDArray) => matmul(A, x).sub(b),
  hessian: () => A,
};

Deno.test("newtonMinimize solves a quadratic in one step, analytic or finite-difference Hessian", () => {
  const xStar = solveSpd(A, b);
  const analytic = newtonMinimize(quad, array([10, -10, 3]), { tolerance: 1e-12 });
  assert.equal(analytic.iterations, 1);
  assert.ok(analytic.x.sub(xStar).norm() < 1e-13);
  const fd = newtonMinimize({ f: quad.f, grad: quad.grad }, array([10, -10, 3]), {
    tolerance: 1e-10,
  });
  assert.ok(fd.iterations <= 2);
  assert.ok(fd.x.sub(xStar).norm() < 1e-10);
});

Deno.test("newtonMinimize converges quadratically on a smooth convex function", () => {
  // f(x) = Σ exp(x_i) − x_i·c_i, minimizer log c
  const c = [1, 2, 5];
  const r = newtonMinimize(
    {
      f: (x) => x.data.reduce((s, v, i) => s + Math.exp(v) - v * c[i], 0),
      grad: (x) => x.map((v, i) => Math.exp(v) - c[i]),
      hessian: (x) => {
        const h = array([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
        for (let i = 0; i < 3; i++) h.data[i * 4] = Math.exp(x.data[i]);
        return h;
      },
    },
    array([0, 0, 0]),
    { tolerance: 1e-14, optimum: array(c.map(Math.log)), iterations: 30 },
  );
  assert.equal(r.status, "converged");
  const d = traceColumn(r.trace, "distance");
  // once close, the error is squared each step: d_{k+1} ≤ C d_k² with C ≈ max |f'''/2f''| = 1/2
  let quadraticSteps = 0;
  for (let k = 0; k + 1 < d.length; k++) {
    if (d[k] < 0.1 && d[k + 1] > 1e-14) {
      assert.ok(d[k + 1] <= d[k] ** 2, `${d[k + 1]} vs ${d[k]}²`);
      quadraticSteps++;
    }
  }
  assert.ok(quadraticSteps >= 2);
});

Deno.test("newtonMinimize damps an indefinite Hessian and reports when told not to", () => {
  // f(x, y) = x⁴/4 − x²/2 + y²/2: H = diag(3x² − 1, 1) is indefinite at x = 0.1
  const obj = {
    f: (x: NDArray) => x.data[0] ** 4 / 4 - x.data[0] ** 2 / 2 + x.data[1] ** 2 / 2,
    grad: (x: NDArray) => array([x.data[0] ** 3 - x.data[0], x.data[1]]),
    hessian: (x: NDArray) => array([[3 * x.data[0] ** 2 - 1, 0], [0, 1]]),
  };
  const damped = newtonMinimize(obj, array([0.1, 1]), { lineSearch: true, tolerance: 1e-12 });
  assert.equal(damped.status, "converged");
  // pure Newton from x = 0.1 would go to the saddle x = 0; damping goes downhill to x = ±1
  assert.ok(Math.abs(Math.abs(damped.x.data[0]) - 1) < 1e-12, damped.message);
  assert.ok(traceColumn(damped.trace, "damping").some((mu) => mu > 0));
  const strict = newtonMinimize(obj, array([0.1, 1]), { damping: "none" });
  assert.equal(strict.status, "singular");
  assert.match(strict.message, /iteration 0 is singular or not positive definite/);
});

Deno.test("newtonMinimize: a singular Hessian is damped, not divided by", () => {
  // f(x, y) = (x + y − 2)²/2: H = [[1,1],[1,1]] is singular, every point of x + y = 2 is optimal
  const obj = {
    f: (x: NDArray) => (x.data[0] + x.data[1] - 2) ** 2 / 2,
    grad: (x: NDArray) => array([1, 1]).mul(x.data[0] + x.data[1] - 2),
    hessian: () => array([[1, 1], [1, 1]]),
  };
  const r = newtonMinimize(obj, array([0, 0]), { tolerance: 1e-10, iterations: 100 });
  assert.equal(r.status, "converged");
  assert.ok(r.x.isFinite());
  assert.ok(Math.abs(r.x.data[0] + r.x.data[1] - 2) < 1e-9);
});

Deno.test("newtonMinimize: Hessian of the wrong shape is a clear error", () => {
  assert.throws(
    () => newtonMinimize({ ...quad, hessian: () => array([[1, 0], [0, 1]]) }, array([1, 2, 3])),
    (e: Error) => e instanceof RangeError && /shape \[2, 2\].*expected \[3, 3\]/.test(e.message),
  );
  assert.throws(
    () => newtonMinimize(quad, array([1, 2, 3]), { damping: "x" as "auto" }),
    RangeError,
  );
});

Deno.test("solveSpd rejects non-positive-definite and mismatched input", () => {
  assert.throws(() => solveSpd(array([[1, 2], [2, 1]]), array([1, 1])), /not positive definite/);
  assert.throws(() => solveSpd(array([[1, 0], [0, 1]]), array([1, 1, 1])), /need \[3, 3\]/);
});
