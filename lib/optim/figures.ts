/**
 * Figures for optimization: loss curves (log scale where rates matter), measured rates with their
 * fitted lines drawn over the data, and contour plots of two-parameter problems with the paths of
 * the optimizers. Each function returns a {@linkcode Figure} (a Plotly spec that renders itself in
 * Jupyter and in pages); none prints.
 *
 * @module
 */

import { Figure, logSpacedIndices, type PlotlyObject } from "../view/figure.ts";
import { NDArray } from "../ndarray.ts";
import { type SolverResult, traceColumn, type TraceTable } from "./trace.ts";
import type { LassoRatesReport, NewtonRateReport } from "./rates.ts";

/** One curve of {@linkcode lossFigure}. */
export interface NamedTrace {
  /** Legend entry. */
  name: string;
  /** A trace table (solver or training). */
  trace: TraceTable;
}

/** Options of {@linkcode lossFigure}. */
export interface LossFigureOptions {
  /** Column on the y axis. Default `loss`. */
  column?: string;
  /** Column on the x axis. Default `iteration` (or `step` when the table has no `iteration`). */
  x?: string;
  /** Subtract this from y (e.g. F* to plot the optimality gap). Default 0. */
  offset?: number;
  /** Logarithmic y axis. Default true. */
  logY?: boolean;
  /** Logarithmic x axis (straight lines for power laws). Default false. */
  logX?: boolean;
  /** Title. */
  title?: string;
}

/**
 * Loss (or any column) against iteration, one line per run. On a log y axis a linear rate is a
 * straight line; with `logX` too, a power law k^p is a straight line of slope p. Points ≤ 0 are
 * dropped on log axes (Plotly cannot draw them) — rows 0 for `logX`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { gradientDescent } from "./gradient_descent.ts";
 * import { lossFigure } from "./figures.ts";
 * const r = gradientDescent({ f: (x) => x.dot(x), grad: (x) => x.mul(2) }, array([1]), {
 *   step: 0.1, iterations: 20, tolerance: 0,
 * });
 * const fig = lossFigure([{ name: "GD", trace: r.trace }]);
 * if (fig.data.length !== 1) throw new Error();
 * ```
 */
export function lossFigure(runs: NamedTrace[], options: LossFigureOptions = {}): Figure {
  const column = options.column ?? "loss";
  const logY = options.logY ?? true;
  const logX = options.logX ?? false;
  const offset = options.offset ?? 0;
  const data = runs.map(({ name, trace }) => {
    const xName = options.x ??
      (trace.columnNames().includes("iteration") ? "iteration" : "step");
    const xs = traceColumn(trace, xName);
    const ys = traceColumn(trace, column);
    const px: number[] = [], py: number[] = [];
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i] - offset;
      if ((logY && !(y > 0)) || (logX && !(xs[i] > 0)) || !Number.isFinite(y)) continue;
      px.push(xs[i]);
      py.push(y);
    }
    return { type: "scatter", mode: "lines", name, x: px, y: py };
  });
  return new Figure({
    data,
    layout: {
      title: options.title ?? `${column}${offset ? " − F*" : ""} per iteration`,
      xaxis: { title: options.x ?? "iteration", type: logX ? "log" : "linear" },
      yaxis: {
        title: offset ? `${column} − ${offset.toPrecision(6)}` : column,
        type: logY ? "log" : "linear",
      },
    },
  });
}

/**
 * ISTA and FISTA optimality gaps on log-log axes with the fitted lines k^slope over the fit range
 * (from {@linkcode LassoRatesReport}).
 */
export function lassoRatesFigure(report: LassoRatesReport): Figure {
  const gap = (name: string) => traceColumn(report.gaps, name);
  const ks = traceColumn(report.gaps, "iteration");
  const data: PlotlyObject[] = [];
  const [k0, k1] = report.fitRange;
  for (
    const [name, col, fit] of [
      ["ISTA", "istaGap", report.istaFit],
      ["FISTA", "fistaGap", report.fistaFit],
    ] as const
  ) {
    const g = gap(col);
    const x: number[] = [], y: number[] = [];
    // Iterations 1 … K, log-spaced: the log axis shows the same line with a tenth of the points.
    for (const i of logSpacedIndices(ks.length - 1)) {
      const k = i + 1;
      if (g[k] > 0) {
        x.push(k);
        y.push(g[k]);
      }
    }
    data.push({ type: "scatter", mode: "lines", name: `${name} F(x<sub>k</sub>) − F*`, x, y });
    data.push({
      type: "scatter",
      mode: "lines",
      line: { dash: "dash" },
      name: `${name} fit: slope ${fit.slope.toFixed(3)}`,
      x: [k0, k1],
      y: [Math.exp(fit.intercept) * k0 ** fit.slope, Math.exp(fit.intercept) * k1 ** fit.slope],
    });
  }
  return new Figure({
    data,
    layout: {
      title: "Lasso: ISTA O(1/k) vs FISTA O(1/k²) — gaps and fitted slopes",
      xaxis: { title: "iteration k", type: "log" },
      yaxis: { title: "F(x<sub>k</sub>) − F*", type: "log" },
    },
  });
}

/**
 * Newton's ratios e_{k+1}/e_k² against k, with the predicted limit |f''/2f'| as a line (titles
 * written with Plotly's `<sub>` and `<sup>`, which every renderer draws).
 */
export function newtonRateFigure(report: NewtonRateReport): Figure {
  const k = report.ratios.map((_, i) => i);
  return new Figure({
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "measured e<sub>k+1</sub> / e<sub>k</sub><sup>2</sup>",
        x: k,
        y: report.ratios,
      },
      {
        type: "scatter",
        mode: "lines",
        line: { dash: "dash" },
        name: `predicted |f''/2f'| = ${report.predicted.toPrecision(6)}`,
        x: [0, Math.max(1, k.length - 1)],
        y: [report.predicted, report.predicted],
      },
    ],
    layout: {
      title: "Newton's method: quadratic convergence constant",
      xaxis: { title: "iteration k" },
      yaxis: { title: "e<sub>k+1</sub> / e<sub>k</sub><sup>2</sup>" },
    },
  });
}

/** Options of {@linkcode contourFigure}. */
export interface ContourOptions {
  /** [min, max] of the first coordinate. Default: the paths' extent, padded by 20%. */
  xRange?: [number, number];
  /** [min, max] of the second coordinate. Default: the paths' extent, padded by 20%. */
  yRange?: [number, number];
  /** Grid points per axis. Default 60. */
  resolution?: number;
  /** Contour the logarithm of f − min f + 1e-12 (helps steep valleys). Default false. */
  logScale?: boolean;
  /** Title. */
  title?: string;
}

/** Padding of the automatic plot range, as a fraction of the paths' extent. */
const CONTOUR_PAD = 0.2;
/** Contour fill: white at the minimum to light grey, under paths of saturated colours. */
const CONTOUR_GREYS = [[0, "#ffffff"], [1, "#d4d4d4"]];
/** Path colours that stay distinct from each other and from grey (Okabe–Ito palette). */
const PATH_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
/** Marker shapes of successive paths. */
const PATH_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross"];

/**
 * Contours of a two-parameter function f(x₁, x₂) with the iterates of each run (`keepPath: true`)
 * drawn on top.
 *
 * @throws RangeError when a run has no path or a path is not two-dimensional
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { gradientDescent } from "./gradient_descent.ts";
 * import { contourFigure } from "./figures.ts";
 * const f = (x: import("../ndarray.ts").NDArray) => x.data[0] ** 2 + 10 * x.data[1] ** 2;
 * const grad = (x: import("../ndarray.ts").NDArray) => array([2 * x.data[0], 20 * x.data[1]]);
 * const r = gradientDescent({ f, grad }, array([2, 1]), { step: 0.09, iterations: 30, keepPath: true });
 * const fig = contourFigure(f, [{ name: "GD", result: r }], { resolution: 20 });
 * if (fig.data.length !== 2) throw new Error();
 * ```
 */
export function contourFigure(
  f: (x: NDArray) => number,
  runs: { name: string; result: SolverResult }[],
  options: ContourOptions = {},
): Figure {
  const fn = "contourFigure";
  const paths = runs.map(({ name, result }) => {
    if (!result.path || result.path.length === 0) {
      throw new RangeError(`${fn}: run "${name}" has no path (solve with keepPath: true)`);
    }
    if (result.path[0].size !== 2) {
      throw new RangeError(
        `${fn}: run "${name}" is ${result.path[0].size}-dimensional; contours need 2 parameters`,
      );
    }
    return { name, xs: result.path.map((p) => p.data[0]), ys: result.path.map((p) => p.data[1]) };
  });
  const extent = (vals: number[], given?: [number, number]): [number, number] => {
    if (given) return given;
    const finite = vals.filter(Number.isFinite);
    const lo = Math.min(...finite), hi = Math.max(...finite);
    const pad = Math.max(hi - lo, 1e-3) * CONTOUR_PAD;
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = extent(paths.flatMap((p) => p.xs), options.xRange);
  const [y0, y1] = extent(paths.flatMap((p) => p.ys), options.yRange);
  const m = options.resolution ?? 60;
  const gx = Array.from({ length: m }, (_, i) => x0 + ((x1 - x0) * i) / (m - 1));
  const gy = Array.from({ length: m }, (_, i) => y0 + ((y1 - y0) * i) / (m - 1));
  const z = gy.map((y) => gx.map((x) => f(new NDArray(Float64Array.of(x, y), [2]))));
  let zz = z;
  if (options.logScale) {
    const min = Math.min(...z.flat().filter(Number.isFinite));
    zz = z.map((row) => row.map((v) => Math.log10(v - min + 1e-12)));
  }
  return new Figure({
    data: [
      {
        type: "contour",
        x: gx,
        y: gy,
        z: zz,
        ncontours: 30,
        showscale: false,
        name: "f",
        // Pale greys, so that every path colour stands out (the default red-blue scale hid the
        // red path).
        colorscale: CONTOUR_GREYS,
        line: { color: "rgba(0,0,0,0.35)", width: 0.6 },
        hoverinfo: "skip",
      },
      ...paths.map((p, i) => ({
        type: "scatter",
        mode: "lines+markers",
        name: p.name,
        x: p.xs,
        y: p.ys,
        // Earlier paths wider, with their own marker shape, so that a path that runs along
        // another one still shows beneath it.
        line: { width: Math.max(1.5, 4 - 1.25 * i), color: PATH_COLOURS[i % PATH_COLOURS.length] },
        marker: {
          size: Math.max(5, 9 - 2 * i),
          symbol: PATH_SYMBOLS[i % PATH_SYMBOLS.length],
          color: PATH_COLOURS[i % PATH_COLOURS.length],
        },
      })),
    ],
    layout: {
      title: options.title ?? "Optimizer paths",
      xaxis: { title: "x₁", range: [x0, x1] },
      yaxis: { title: "x₂", range: [y0, y1] },
    },
  });
}

/** GD's measured rates against κ with the predicted curve. */
export function linearRateFigure(
  points: { kappa: number; measured: number; predicted: number }[],
): Figure {
  return new Figure({
    data: [
      {
        type: "scatter",
        mode: "markers",
        name: "measured",
        x: points.map((p) => p.kappa),
        y: points.map((p) => 1 - p.measured),
      },
      {
        type: "scatter",
        mode: "lines",
        line: { dash: "dash" },
        name: "predicted",
        x: points.map((p) => p.kappa),
        y: points.map((p) => 1 - p.predicted),
      },
    ],
    layout: {
      title: "Gradient descent on a quadratic: 1 − rate against the condition number",
      xaxis: { title: "κ = L/μ", type: "log" },
      yaxis: { title: "1 − contraction per step", type: "log" },
    },
  });
}
