import assert from "node:assert/strict";
import { checkGradient, checkHessian } from "../../lib/grad/check.ts";
import { array, type NDArray } from "../../lib/ndarray.ts";
import { solverTour, tourProblem } from "../../lib/optim/tour.ts";
import { traceColumn } from "../../lib/optim/trace.ts";

Deno.test("tour problems have correct gradients and Hessians (the Jacobian of the gradient, sheet 004 Q4)", () => {
  for (const p of ["ill-conditioned", "rosenbrock"] as const) {
    const { objective } = tourProblem(p);
    const at = array([0.3, -0.7]);
    assert.ok(
      checkGradient(objective.f, (x: NDArray) => objective.grad(x, undefined as never), at).ok,
    );
    const h = checkHessian(
      (x: NDArray) => objective.grad(x, undefined as never),
      objective.hessian!,
      at,
    );
    assert.ok(h.ok, h.toString());
    // the minimizer has zero gradient
    const { optimum } = tourProblem(p);
    assert.equal(objective.grad(optimum, undefined as never).norm(), 0);
  }
  assert.throws(() => tourProblem("beale" as "rosenbrock"), /tourProblem: problem/);
});

Deno.test("solver tour: the ordering the theory predicts on the ill-conditioned quadratic", () => {
  const t = solverTour("ill-conditioned");
  const final = (name: string) => traceColumn(t.results[name].trace, "distance").at(-1)!;
  assert.equal(t.results.newton.iterations, 1);
  assert.ok(final("newton") < 1e-12);
  // accelerated methods converge (to 1e-10 in the gradient) well within 200 steps; GD does not
  assert.equal(t.results["heavy ball"].status, "converged");
  assert.equal(t.results.nesterov.status, "converged");
  assert.equal(t.results["gradient descent"].status, "max-iterations");
  assert.ok(final("heavy ball") < final("gradient descent"));
  assert.equal(t.distanceFigure.data.length, 5);
  assert.equal(t.pathFigure.data.length, 6);
});

Deno.test("solver tour on Rosenbrock: Newton with line search lands on (1, 1), momentum beats GD", () => {
  const t = solverTour("rosenbrock", { iterations: 1500 });
  assert.ok(t.results.newton.x.sub(array([1, 1])).norm() < 1e-9);
  const final = (name: string) => traceColumn(t.results[name].trace, "distance").at(-1)!;
  assert.ok(final("heavy ball") < final("gradient descent") / 10);
  assert.ok(final("nesterov") < final("gradient descent") / 10);
});
