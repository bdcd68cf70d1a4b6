/**
 * Every solver on the same two-parameter problem, with the figures that show the difference:
 * distance to the minimizer per iteration and the paths over the contours.
 *
 * @module
 */

import { array, type NDArray } from "../ndarray.ts";
import type { Figure } from "../view/figure.ts";
import { adam } from "./adam.ts";
import { contourFigure, lossFigure } from "./figures.ts";
import { gradientDescent, heavyBall, nesterov } from "./gradient_descent.ts";
import { newtonMinimize } from "./newton.ts";
import type { Objective, SolverResult } from "./trace.ts";

/** The problems of {@linkcode solverTour}. */
export type TourProblem = "ill-conditioned" | "rosenbrock";

/** Condition number of the `ill-conditioned` quadratic ½(x₁² + κx₂²). */
export const TOUR_KAPPA = 25;
/** Curvature constant b of the Rosenbrock function (1 − x)² + b(y − x²)². */
export const ROSENBROCK_B = 100;

/** A tour problem: objective, start, minimizer, plot range. */
export interface TourSetup {
  /** f, ∇f and ∇²f. */
  objective: Objective;
  /** Start point. */
  x0: NDArray;
  /** The minimizer. */
  optimum: NDArray;
  /** x₁ range of the contour plot. */
  xRange: [number, number];
  /** x₂ range of the contour plot. */
  yRange: [number, number];
}

/**
 * The two problems: `ill-conditioned` is ½(x₁² + κx₂²) with κ = {@linkcode TOUR_KAPPA}, minimizer 0,
 * from (−4, 1.5); `rosenbrock` is (1 − x)² + 100(y − x²)², minimizer (1, 1), from (−1.2, 1).
 */
export function tourProblem(problem: TourProblem): TourSetup {
  if (problem === "ill-conditioned") {
    const k = TOUR_KAPPA;
    return {
      objective: {
        f: (x) => 0.5 * (x.data[0] ** 2 + k * x.data[1] ** 2),
        grad: (x) => array([x.data[0], k * x.data[1]]),
        hessian: () => array([[1, 0], [0, k]]),
      },
      x0: array([-4, 1.5]),
      optimum: array([0, 0]),
      xRange: [-4.5, 1],
      yRange: [-2, 2],
    };
  }
  if (problem === "rosenbrock") {
    const b = ROSENBROCK_B;
    return {
      objective: {
        f: (v) => (1 - v.data[0]) ** 2 + b * (v.data[1] - v.data[0] ** 2) ** 2,
        grad: (v) => {
          const [x, y] = v.data;
          return array([-2 * (1 - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)]);
        },
        hessian: (v) => {
          const [x, y] = v.data;
          return array([[2 - 4 * b * (y - 3 * x * x), -4 * b * x], [-4 * b * x, 2 * b]]);
        },
      },
      x0: array([-1.2, 1]),
      optimum: array([1, 1]),
      xRange: [-1.5, 1.5],
      yRange: [-0.5, 1.5],
    };
  }
  throw new RangeError(
    `tourProblem: problem must be "ill-conditioned" or "rosenbrock", got ${problem}`,
  );
}

/** What {@linkcode solverTour} returns. */
export interface TourResult {
  /** The problem. */
  setup: TourSetup;
  /** One run per solver, keyed by name. */
  results: Record<string, SolverResult>;
  /** ‖x_k − x*‖ per iteration, log scale. */
  distanceFigure: Figure;
  /** Contours with every path. */
  pathFigure: Figure;
}

/**
 * Runs gradient descent, heavy ball, Nesterov, Adam and Newton from the same start with step
 * sizes chosen for the problem (ill-conditioned quadratic: t = 2/(μ + L) for GD, Polyak's
 * tuning for heavy ball, t = 1/L and β = (√κ − 1)/(√κ + 1) for Nesterov; Rosenbrock: t = 1e-3
 * with β = 0.9, Adam t = 0.02, Newton with Armijo line search).
 *
 * @example
 * ```ts
 * import { solverTour } from "./tour.ts";
 * const t = solverTour("ill-conditioned", { iterations: 100 });
 * if (t.results.newton.iterations !== 1) throw new Error("Newton solves a quadratic in one step");
 * ```
 */
export function solverTour(
  problem: TourProblem,
  options: { iterations?: number } = {},
): TourResult {
  const setup = tourProblem(problem);
  const iterations = options.iterations ?? (problem === "rosenbrock" ? 3000 : 200);
  const common = { iterations, tolerance: 1e-10, optimum: setup.optimum, keepPath: true };
  const { objective: obj, x0 } = setup;
  let results: Record<string, SolverResult>;
  if (problem === "ill-conditioned") {
    const L = TOUR_KAPPA, mu = 1, sq = Math.sqrt(L / mu);
    results = {
      "gradient descent": gradientDescent(obj, x0, { ...common, step: 2 / (mu + L) }),
      "heavy ball": heavyBall(obj, x0, {
        ...common,
        step: 4 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2,
        momentum: ((sq - 1) / (sq + 1)) ** 2,
      }),
      nesterov: nesterov(obj, x0, { ...common, step: 1 / L, momentum: (sq - 1) / (sq + 1) }),
      adam: adam(obj, x0, { ...common, step: 0.1 }),
      newton: newtonMinimize(obj, x0, common),
    };
  } else {
    results = {
      "gradient descent": gradientDescent(obj, x0, { ...common, step: 1e-3 }),
      "heavy ball": heavyBall(obj, x0, { ...common, step: 1e-3, momentum: 0.9 }),
      nesterov: nesterov(obj, x0, { ...common, step: 1e-3, momentum: 0.9 }),
      adam: adam(obj, x0, { ...common, step: 0.02 }),
      newton: newtonMinimize(obj, x0, { ...common, lineSearch: true }),
    };
  }
  const runs = Object.entries(results).map(([name, result]) => ({ name, result }));
  return {
    setup,
    results,
    distanceFigure: lossFigure(runs.map(({ name, result }) => ({ name, trace: result.trace })), {
      column: "distance",
      title: `${problem}: distance to the minimizer`,
    }),
    pathFigure: contourFigure(obj.f, runs, {
      xRange: setup.xRange,
      yRange: setup.yRange,
      logScale: problem === "rosenbrock",
      title: `${problem}: optimizer paths`,
    }),
  };
}
