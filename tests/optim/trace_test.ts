import assert from "node:assert/strict";
import { array, type NDArray } from "../../lib/ndarray.ts";
import { gradientDescent, heavyBall, nesterov } from "../../lib/optim/gradient_descent.ts";
import { adam } from "../../lib/optim/adam.ts";
import { newtonMinimize } from "../../lib/optim/newton.ts";
import { fista, ista } from "../../lib/optim/proximal_gradient.ts";
import { traceColumn } from "../../lib/optim/trace.ts";

const quadratic = { f: (x: NDArray) => 0.5 * x.dot(x), grad: (x: NDArray) => x };

Deno.test("trace has one row per iterate with the documented columns", () => {
  const r = gradientDescent(quadratic, array([3, 4]), {
    step: 0.5,
    iterations: 4,
    tolerance: 0,
    optimum: array([0, 0]),
  });
  assert.deepEqual(r.trace.columnNames(), [
    "iteration",
    "loss",
    "gradNorm",
    "step",
    "distance",
    "time",
  ]);
  assert.equal(r.trace.numRows(), 5);
  assert.equal(r.iterations, 4);
  assert.equal(r.status, "max-iterations");
  // x_k = 0.5^k (3, 4): ‖x_k‖ = 5·0.5^k, loss = ½‖x_k‖², step = ‖x_k − x_{k−1}‖ = 5·0.5^k
  const dist = traceColumn(r.trace, "distance");
  const loss = traceColumn(r.trace, "loss");
  const step = traceColumn(r.trace, "step");
  for (let k = 0; k <= 4; k++) {
    assert.ok(Math.abs(dist[k] - 5 * 0.5 ** k) < 1e-12);
    assert.ok(Math.abs(loss[k] - 0.5 * (5 * 0.5 ** k) ** 2) < 1e-12);
  }
  assert.equal(step[0], 0);
  assert.ok(Math.abs(step[2] - 5 * 0.25) < 1e-12);
  const time = traceColumn(r.trace, "time");
  for (let k = 1; k <= 4; k++) assert.ok(time[k] >= time[k - 1]);
});

Deno.test("distance column is NaN without a known optimum", () => {
  const r = gradientDescent(quadratic, array([1]), { iterations: 2, tolerance: 0 });
  assert.ok(traceColumn(r.trace, "distance").every((v) => Number.isNaN(v)));
});

Deno.test("non-finite loss mid-run stops, names the iteration and keeps the trace", () => {
  // f(x) = x² with step 1.5: |x| grows ×2 per step, overflowing after about 1024 steps
  const r = gradientDescent(
    { f: (x) => x.data[0] ** 2, grad: (x) => x.mul(2) },
    array([1]),
    { step: 1.5, iterations: 5000 },
  );
  assert.equal(r.status, "non-finite");
  const loss = traceColumn(r.trace, "loss");
  const bad = loss.length - 1;
  assert.ok(!Number.isFinite(loss[bad]));
  assert.ok(loss.slice(0, bad).every(Number.isFinite));
  assert.match(r.message, new RegExp(`iteration ${bad}`));
  assert.ok(r.x.isFinite());
});

Deno.test("NaN gradient stops the run", () => {
  const r = gradientDescent(
    { f: () => 0, grad: (x) => (x.data[0] < 0.5 ? x.map(() => NaN) : x) },
    array([1]),
    { step: 0.75, iterations: 10 },
  );
  assert.equal(r.status, "non-finite");
  assert.equal(r.iterations, 1);
});

Deno.test("bad options and objectives throw clear errors", () => {
  for (const step of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => gradientDescent(quadratic, array([1]), { step }),
      (e: Error) => e instanceof RangeError && /gradientDescent: options.step/.test(e.message),
    );
  }
  assert.throws(() => gradientDescent(quadratic, array([1]), { iterations: 1.5 }), RangeError);
  assert.throws(() => gradientDescent(quadratic, array([1]), { tolerance: -1 }), RangeError);
  assert.throws(
    () => gradientDescent({ f: quadratic.f, grad: () => array([1, 2, 3]) }, array([1, 2])),
    (e: Error) => e instanceof RangeError && /shape \[3\] for x of shape \[2\]/.test(e.message),
  );
  assert.throws(
    () => gradientDescent(quadratic, array([1, 2]), { optimum: array([0]) }),
    (e: Error) => e instanceof RangeError && /optimum has shape \[1\]/.test(e.message),
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => gradientDescent({ f: () => "1" as any, grad: (x) => x }, array([1])),
    TypeError,
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => gradientDescent({ f: quadratic.f } as any, array([1])), TypeError);
});

Deno.test("onProgress sees every row and can stop the run", () => {
  const seen: number[] = [];
  const r = gradientDescent(quadratic, array([1]), {
    step: 0.1,
    tolerance: 0,
    onProgress: (row) => {
      seen.push(row.iteration);
      return row.iteration < 3;
    },
  });
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.equal(r.status, "stopped");
});

Deno.test("keepPath records every iterate", () => {
  const r = gradientDescent(quadratic, array([2]), {
    step: 0.5,
    iterations: 3,
    tolerance: 0,
    keepPath: true,
  });
  assert.deepEqual(r.path?.map((x) => x.data[0]), [2, 1, 0.5, 0.25]);
});

Deno.test("a result renders its message and trace preview in Jupyter", () => {
  const r = gradientDescent(quadratic, array([3, 4]), { step: 0.1, iterations: 50, tolerance: 0 });
  const bundle = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(bundle["text/plain"], /gradientDescent: reached 50 iterations/);
  assert.match(bundle["text/html"], /<table/);
  // 5 first rows, an ellipsis row, 5 last rows, under a header
  const lines = bundle["text/plain"].trim().split("\n");
  assert.ok(lines.some((l) => l.includes("…")));
  assert.ok(lines.some((l) => /^\s*50\b/.test(l)), bundle["text/plain"]);
  // the display method does not show up in JSON or spreads
  assert.ok(!JSON.stringify({ status: r.status }).includes("Jupyter"));
  assert.equal(Object.keys(r).includes("Symbol(Jupyter.display)"), false);
});

Deno.test("every solver stops on a non-finite gradient and keeps its trace", () => {
  // the gradient turns NaN once x < 0.5 (the minimizer of ½x² is 0, so every solver gets there)
  const obj = {
    f: (x: NDArray) => 0.5 * x.dot(x),
    grad: (x: NDArray) => (x.data[0] < 0.5 ? x.map(() => NaN) : x),
    hessian: () => array([[1]]),
    prox: (v: NDArray) => v,
  };
  const solvers = [
    () => gradientDescent(obj, array([1]), { step: 0.3 }),
    () => heavyBall(obj, array([1]), { step: 0.3, momentum: 0.5 }),
    () => nesterov(obj, array([1]), { step: 0.3, momentum: 0.5 }),
    () => adam(obj, array([1]), { step: 0.2 }),
    () => newtonMinimize(obj, array([1]), { step: 0.3 }),
    () => ista(obj, array([1]), { step: 0.3 }),
    () => fista(obj, array([1]), { step: 0.3 }),
  ];
  for (const run of solvers) {
    const r = run();
    assert.equal(r.status, "non-finite", r.message);
    const g = traceColumn(r.trace, "gradNorm");
    assert.ok(Number.isNaN(g.at(-1)!), r.message);
    assert.ok(g.slice(0, -1).every(Number.isFinite));
    assert.match(r.message, new RegExp(`iteration ${g.length - 1}`));
    assert.ok(r.x.isFinite());
  }
});
