import assert from "node:assert/strict";
import { array, type NDArray } from "../../lib/ndarray.ts";
import { gradientDescent, heavyBall } from "../../lib/optim/gradient_descent.ts";
import {
  contourFigure,
  lassoRatesFigure,
  linearRateFigure,
  lossFigure,
  newtonRateFigure,
} from "../../lib/optim/figures.ts";
import { gdLinearRate, lassoRates, newtonQuadraticRate } from "../../lib/optim/rates.ts";

const f = (x: NDArray) => 0.5 * (x.data[0] ** 2 + 20 * x.data[1] ** 2);
const grad = (x: NDArray) => array([x.data[0], 20 * x.data[1]]);

Deno.test("lossFigure: one line per run, log axis drops non-positive points", () => {
  const r = gradientDescent({ f, grad }, array([1, 1]), {
    step: 0.05,
    iterations: 30,
    tolerance: 0,
  });
  const fig = lossFigure([{ name: "GD", trace: r.trace }], { logX: true });
  assert.equal(fig.data.length, 1);
  const xs = fig.data[0].x as number[];
  assert.equal(xs[0], 1, "iteration 0 cannot sit on a log axis");
  assert.equal(xs.length, 30);
  assert.equal((fig.layout.yaxis as { type: string }).type, "log");
  const gap = lossFigure([{ name: "GD", trace: r.trace }], { offset: 1e9 });
  assert.equal((gap.data[0].y as number[]).length, 0, "negative gaps are not drawn on a log axis");
});

Deno.test("contourFigure draws the function on a grid and every path", () => {
  const opts = { step: 0.09, iterations: 40, keepPath: true };
  const a = gradientDescent({ f, grad }, array([2, 1]), opts);
  const b = heavyBall({ f, grad }, array([2, 1]), { ...opts, step: 0.04, momentum: 0.5 });
  const fig = contourFigure(f, [{ name: "GD", result: a }, { name: "heavy ball", result: b }], {
    resolution: 15,
  });
  assert.equal(fig.data.length, 3);
  const z = fig.data[0].z as number[][];
  assert.equal(z.length, 15);
  const gx = fig.data[0].x as number[], gy = fig.data[0].y as number[];
  assert.equal(z[3][7], f(array([gx[7], gy[3]])));
  assert.equal((fig.data[1].x as number[]).length, a.path!.length);
  assert.throws(
    () =>
      contourFigure(f, [{ name: "no path", result: gradientDescent({ f, grad }, array([1, 1])) }]),
    /no path/,
  );
});

Deno.test("rate figures carry the fitted and predicted lines", () => {
  const lasso = lassoRates({ dimension: 30, iterations: 100 });
  const fig = lassoRatesFigure(lasso);
  assert.equal(fig.data.length, 4);
  assert.match(String(fig.data[1].name), /slope -?\d/);
  const newton = newtonRateFigure(
    newtonQuadraticRate({ f: (x) => x * x - 2, df: (x) => 2 * x, d2f: () => 2 }, 1),
  );
  for (const y of newton.data[1].y as number[]) {
    assert.ok(Math.abs(y - 1 / (2 * Math.SQRT2)) < 1e-15);
  }
  const rates = [2, 10].map((k) => gdLinearRate(k));
  assert.equal((linearRateFigure(rates).data[0].x as number[]).length, 2);
});
