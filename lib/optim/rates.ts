/**
 * Convergence facts, measured rather than asserted: each function runs a solver on a problem whose
 * answer is known and returns what it measured next to what theory predicts, with the traces.
 *
 * - {@linkcode newtonQuadraticRate}: e_{k+1}/e_k² → |f''(x*) / (2 f'(x*))| (sheet 004 Q6).
 * - {@linkcode gdLinearRate}: GD on a quadratic contracts by 1 − 1/κ per step (t = 1/L).
 * - {@linkcode lassoRates}: ISTA's F(x_k) − F* falls like k⁻¹, FISTA's like k⁻² (log-log slopes).
 * - {@linkcode logisticSeparable}: on separable data the logistic loss has no minimizer; GD
 *   drives the loss to 0 while ‖w‖ grows like log k.
 * - {@linkcode weightDecayFixedPoint}: θ ← θ − η(∇R(θ) + 2λθ) (sheet 001 Q2.K) converges to the
 *   ridge solution, where ∇R(θ*) = −2λθ*.
 *
 * @module
 */

import { eye, matmul, NDArray, zeros } from "../ndarray.ts";
import { Random } from "../random.ts";
import { gradientDescent } from "./gradient_descent.ts";
import { newtonRoot, solveSpd } from "./newton.ts";
import { fista, ista } from "./proximal_gradient.ts";
import { lassoObjective } from "./lasso.ts";
import { columnTable, type SolverResult, traceColumn, type TraceTable } from "./trace.ts";

/** A least-squares line fit y ≈ slope·x + intercept. */
export interface LineFit {
  /** Slope. */
  slope: number;
  /** Intercept. */
  intercept: number;
  /** Coefficient of determination R². */
  r2: number;
}

/**
 * Least-squares line through (x_i, y_i).
 *
 * @throws RangeError when the arrays differ in length or have fewer than 2 points
 *
 * @example
 * ```ts
 * import { fitLine } from "./rates.ts";
 * const fit = fitLine([0, 1, 2], [1, 3, 5]);
 * if (Math.abs(fit.slope - 2) > 1e-12 || Math.abs(fit.intercept - 1) > 1e-12) throw new Error();
 * ```
 */
export function fitLine(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  if (x.length !== y.length || x.length < 2) {
    throw new RangeError(
      `fitLine: x and y need the same length >= 2, got ${x.length} and ${y.length}`,
    );
  }
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** Report of {@linkcode newtonQuadraticRate}. */
export interface NewtonRateReport {
  /** The root the errors are measured against. */
  root: number;
  /** |e_k| per iteration. */
  errors: number[];
  /** e_{k+1}/e_k² for every k whose e_{k+1} is above rounding noise. */
  ratios: number[];
  /** The last reliable ratio. */
  measured: number;
  /** |f''(x*) / (2 f'(x*))|. */
  predicted: number;
  /** Newton's trace. */
  trace: TraceTable;
}

/**
 * Errors below this multiple of max(1, |x*|) are rounding noise and are not used in a ratio.
 * e_{k+1} ≈ 1e-12 still carries about 4 correct digits of e_{k+1}/e_k².
 */
export const NEWTON_NOISE_FLOOR = 1e-13;

/**
 * Measures Newton's quadratic rate on f(x) = 0 from x0: runs {@linkcode newtonRoot} to exact
 * convergence, takes x* as given in `options.root` (else the final iterate), and returns the
 * ratios e_{k+1}/e_k² next to the prediction |f''(x*)/(2f'(x*))| (from the Taylor expansion
 * f(x) = f'(x*)e + ½f''(x*)e² + O(e³), which sheet 004 Q6 truncates one term too early).
 *
 * @example
 * ```ts
 * import { newtonQuadraticRate } from "./rates.ts";
 * // x² − 2: |f''/2f'| = 1/(2√2) at √2
 * const r = newtonQuadraticRate({ f: (x) => x * x - 2, df: (x) => 2 * x, d2f: () => 2 }, 1);
 * if (Math.abs(r.measured / r.predicted - 1) > 1e-2) throw new Error(String(r.measured));
 * ```
 */
export function newtonQuadraticRate(
  equation: { f: (x: number) => number; df: (x: number) => number; d2f: (x: number) => number },
  x0: number,
  options: { root?: number; iterations?: number } = {},
): NewtonRateReport {
  const run = newtonRoot(equation, x0, { iterations: options.iterations ?? 50, tolerance: 0 });
  const xs = traceColumn(run.trace, "x");
  const root = options.root ?? run.x.data[0];
  const errors = Array.from(xs, (x) => Math.abs(x - root));
  const floor = NEWTON_NOISE_FLOOR * Math.max(1, Math.abs(root));
  const ratios: number[] = [];
  for (let k = 0; k + 1 < errors.length; k++) {
    if (errors[k + 1] > floor && errors[k] > 0) ratios.push(errors[k + 1] / errors[k] ** 2);
  }
  if (ratios.length === 0) {
    throw new RangeError(
      `newtonQuadraticRate: x0 = ${x0} is too close to the root to measure a rate`,
    );
  }
  return {
    root,
    errors,
    ratios,
    measured: ratios[ratios.length - 1],
    predicted: Math.abs(equation.d2f(root) / (2 * equation.df(root))),
    trace: run.trace,
  };
}

/** Report of {@linkcode gdLinearRate}. */
export interface LinearRateReport {
  /** Condition number κ = L/μ. */
  kappa: number;
  /** Step used. */
  step: number;
  /** exp(slope of log‖x_k − x*‖ over the second half of the run). */
  measured: number;
  /** max(|1 − tμ|, |1 − tL|). */
  predicted: number;
  /** The run. */
  result: SolverResult;
}

/**
 * Gradient descent on f(x) = ½ Σ λ_i x_i² with eigenvalues λ_i evenly spaced in [1, κ] (so
 * μ = 1, L = κ, x* = 0) from x0 = (1, …, 1). The error contracts per step by
 * max(|1 − tμ|, |1 − tL|): 1 − 1/κ for t = 1/L (`step: "1/L"`, default), (κ − 1)/(κ + 1) for
 * t = 2/(μ + L) (`"optimal"`). Measured as exp(slope) of a line fitted to log‖x_k‖ over the
 * second half of `iterations` (default 40κ, at least 200 and at most 20000), where the slowest mode dominates.
 *
 * @example
 * ```ts
 * import { gdLinearRate } from "./rates.ts";
 * const r = gdLinearRate(10);
 * if (Math.abs(r.measured - 0.9) > 1e-3) throw new Error(String(r.measured));
 * ```
 */
export function gdLinearRate(
  kappa: number,
  options: { dimension?: number; step?: "1/L" | "optimal"; iterations?: number } = {},
): LinearRateReport {
  if (!(kappa >= 1) || !Number.isFinite(kappa)) {
    throw new RangeError(`gdLinearRate: kappa must be a finite number >= 1, got ${kappa}`);
  }
  const n = options.dimension ?? 10;
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`gdLinearRate: options.dimension must be an integer >= 2, got ${n}`);
  }
  const lam = Float64Array.from({ length: n }, (_, i) => 1 + ((kappa - 1) * i) / (n - 1));
  const t = (options.step ?? "1/L") === "optimal" ? 2 / (1 + kappa) : 1 / kappa;
  const iterations = options.iterations ?? Math.min(20000, Math.max(200, Math.ceil(40 * kappa)));
  const result = gradientDescent(
    {
      f: (x) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += 0.5 * lam[i] * x.data[i] ** 2;
        return s;
      },
      grad: (x) => new NDArray(Float64Array.from(x.data, (v, i) => lam[i] * v), [n]),
    },
    new NDArray(new Float64Array(n).fill(1), [n]),
    { step: t, iterations, tolerance: 0, optimum: zeros([n]) },
  );
  const d = traceColumn(result.trace, "distance");
  const ks: number[] = [], logs: number[] = [];
  for (let k = Math.floor(d.length / 2); k < d.length; k++) {
    if (d[k] > 0 && Number.isFinite(Math.log(d[k]))) {
      ks.push(k);
      logs.push(Math.log(d[k]));
    }
  }
  return {
    kappa,
    step: t,
    measured: Math.exp(fitLine(ks, logs).slope),
    predicted: Math.max(Math.abs(1 - t), Math.abs(1 - t * kappa)),
    result,
  };
}

/** Report of {@linkcode lassoRates}. */
export interface LassoRatesReport {
  /** F* = F(x*), known in closed form. */
  optimalLoss: number;
  /** ISTA's run. */
  ista: SolverResult;
  /** FISTA's run. */
  fista: SolverResult;
  /** Log-log fit of F(x_k) − F* against k for ISTA over the fit range (slope ≈ −1). */
  istaFit: LineFit;
  /** The same for FISTA (slope ≈ −2). */
  fistaFit: LineFit;
  /** The k range of the fits. */
  fitRange: [number, number];
  /** Table: iteration, istaGap, fistaGap (F(x_k) − F*). */
  gaps: TraceTable;
}

/** Options of {@linkcode lassoRates}. */
export interface LassoRatesOptions {
  /** Number of coefficients n (A is [n, n]). Default 200. */
  dimension?: number;
  /** L1 weight λ. Default 0.1. */
  lambda?: number;
  /** Decades spanned by the eigenvalues of AᵀA. Default 8. */
  decades?: number;
  /** Iterations of each solver. Default 1000. */
  iterations?: number;
  /** Range of k used by the fits. Default [10, iterations]. */
  fitRange?: [number, number];
  /** Seed of the random rotation. Default 1. */
  seed?: number;
}

/**
 * A lasso F(x) = ½‖Ax − b‖² + λ‖x‖₁ built so that its minimizer is known and the O(1/k) and
 * O(1/k²) rates show over a wide range of k: A = U·diag(s) with U a seeded random orthogonal
 * matrix, s_j² log-spaced from 1 down to 10^−decades (so L = 1 and the spectrum has no gap
 * that would make the rates linear), and b = U c with c_j = s_j + λ/s_j, which makes
 * x* = (1, …, 1) (KKT: s_j(s_j − c_j) + λ = 0). Runs ISTA and FISTA with t = 1/L from 0 and fits
 * log(F(x_k) − F*) against log k.
 *
 * @example
 * ```ts
 * import { lassoRates } from "./rates.ts";
 * const r = lassoRates({ dimension: 60, iterations: 300 });
 * if (!(r.istaFit.slope < -0.8 && r.fistaFit.slope < -1.6)) throw new Error("rates");
 * ```
 */
export function lassoRates(options: LassoRatesOptions = {}): LassoRatesReport {
  const fn = "lassoRates";
  const n = options.dimension ?? 200;
  const lambda = options.lambda ?? 0.1;
  const decades = options.decades ?? 8;
  const iterations = options.iterations ?? 1000;
  const fitRange = options.fitRange ?? [10, iterations];
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`${fn}: options.dimension must be an integer >= 2, got ${n}`);
  }
  if (!(lambda > 0)) throw new RangeError(`${fn}: options.lambda must be > 0, got ${lambda}`);
  if (!(fitRange[0] >= 1 && fitRange[1] <= iterations && fitRange[1] - fitRange[0] >= 2)) {
    throw new RangeError(
      `${fn}: options.fitRange [${fitRange}] must lie in [1, iterations = ${iterations}]`,
    );
  }
  const s = Float64Array.from({ length: n }, (_, j) => Math.sqrt(10 ** (-decades * j / (n - 1))));
  const c = s.map((v) => v + lambda / v);
  const u = randomOrthogonal(n, options.seed ?? 1);
  const a = new NDArray(new Float64Array(n * n), [n, n]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a.data[i * n + j] = u.data[i * n + j] * s[j];
  }
  const b = matmul(u, new NDArray(c, [n]));
  const objective = lassoObjective(a, b, { lambda });
  const optimum = new NDArray(new Float64Array(n).fill(1), [n]);
  const optimalLoss = objective.f(optimum) + objective.g!(optimum);
  const opts = { step: 1, iterations, tolerance: 0, optimum };
  const ri = ista(objective, zeros([n]), opts);
  const rf = fista(objective, zeros([n]), opts);
  const gi = traceColumn(ri.trace, "loss").map((v) => v - optimalLoss);
  const gf = traceColumn(rf.trace, "loss").map((v) => v - optimalLoss);
  const fit = (gap: Float64Array) => {
    const xs: number[] = [], ys: number[] = [];
    for (let k = fitRange[0]; k <= fitRange[1]; k++) {
      if (gap[k] > 0) {
        xs.push(Math.log(k));
        ys.push(Math.log(gap[k]));
      }
    }
    return fitLine(xs, ys);
  };
  return {
    optimalLoss,
    ista: ri,
    fista: rf,
    istaFit: fit(gi),
    fistaFit: fit(gf),
    fitRange: [fitRange[0], fitRange[1]],
    gaps: columnTable({
      iteration: Array.from(gi, (_, k) => k),
      istaGap: Array.from(gi),
      fistaGap: Array.from(gf),
    }),
  };
}

/**
 * A seeded random orthogonal [n, n] matrix: Gram–Schmidt (twice, for stability) on the columns
 * of a standard normal matrix.
 */
export function randomOrthogonal(n: number, seed: number): NDArray {
  const rng = new Random(seed);
  const q = new Float64Array(n * n);
  rng.fillNormal(q);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * n + j] * q[i * n + p];
        for (let i = 0; i < n; i++) q[i * n + j] -= d * q[i * n + p];
      }
    }
    let nn = 0;
    for (let i = 0; i < n; i++) nn += q[i * n + j] ** 2;
    const inv = 1 / Math.sqrt(nn);
    for (let i = 0; i < n; i++) q[i * n + j] *= inv;
  }
  return new NDArray(q, [n, n]);
}

/** Report of {@linkcode logisticSeparable}. */
export interface SeparableReport {
  /** Inputs [N, 2] and labels (0/1). */
  x: NDArray;
  /** Labels in {0, 1}. */
  y: Float64Array;
  /** GD's run on the mean logistic loss (w ∈ R², no bias: the data are separable through 0). */
  result: SolverResult;
  /** ‖w_k‖ per iteration. */
  weightNorm: Float64Array;
  /** Fit of ‖w_k‖ against log k over the second half (slope > 0: unbounded growth). */
  normFit: LineFit;
  /** Fit of log loss against log k over the second half (slope ≈ −1). */
  lossFit: LineFit;
  /** Table: iteration, loss, weightNorm. */
  table: TraceTable;
}

/**
 * The logistic loss on linearly separable data has no minimizer: for any w that separates the
 * data, the loss of c·w decreases to 0 as c → ∞, so the infimum 0 is not attained. Gradient
 * descent shows it: the loss falls like 1/k and ‖w_k‖ grows like log k (Soudry et al., 2018),
 * with no convergence. Data: N points in R² labelled by the sign of a fixed direction, kept only
 * when their margin exceeds `margin`.
 *
 * @example
 * ```ts
 * import { logisticSeparable } from "./rates.ts";
 * const r = logisticSeparable({ iterations: 500 });
 * if (!(r.normFit.slope > 0)) throw new Error("‖w‖ should grow");
 * ```
 */
export function logisticSeparable(
  options: { n?: number; margin?: number; iterations?: number; step?: number; seed?: number } = {},
): SeparableReport {
  const n = options.n ?? 40;
  const margin = options.margin ?? 0.2;
  const iterations = options.iterations ?? 5000;
  const rng = new Random(options.seed ?? 3);
  const xs = new Float64Array(2 * n);
  const y = new Float64Array(n);
  const dir = [Math.SQRT1_2, Math.SQRT1_2];
  for (let i = 0; i < n;) {
    const p = [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)];
    const m = p[0] * dir[0] + p[1] * dir[1];
    if (Math.abs(m) < margin) continue;
    xs[2 * i] = p[0];
    xs[2 * i + 1] = p[1];
    y[i] = m > 0 ? 1 : 0;
    i++;
  }
  const x = new NDArray(xs, [n, 2]);
  // mean of log(1 + exp(−s_i wᵀx_i)), s_i = 2y_i − 1, computed stably
  const f = (w: NDArray) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = (2 * y[i] - 1) * (w.data[0] * xs[2 * i] + w.data[1] * xs[2 * i + 1]);
      total += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
    }
    return total / n;
  };
  const grad = (w: NDArray) => {
    const g = new Float64Array(2);
    for (let i = 0; i < n; i++) {
      const s = 2 * y[i] - 1;
      const z = s * (w.data[0] * xs[2 * i] + w.data[1] * xs[2 * i + 1]);
      const sig = z > 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z)); // σ(−z)
      g[0] -= (s * sig * xs[2 * i]) / n;
      g[1] -= (s * sig * xs[2 * i + 1]) / n;
    }
    return new NDArray(g, [2]);
  };
  const result = gradientDescent({ f, grad }, zeros([2]), {
    step: options.step ?? 1,
    iterations,
    tolerance: 0,
    keepPath: true,
  });
  const path = result.path ?? [];
  const weightNorm = Float64Array.from(path, (w) => w.norm());
  const loss = traceColumn(result.trace, "loss");
  const ks: number[] = [], normY: number[] = [], lossY: number[] = [];
  for (let k = Math.max(1, Math.floor(loss.length / 2)); k < loss.length; k++) {
    ks.push(Math.log(k));
    normY.push(weightNorm[k]);
    lossY.push(Math.log(loss[k]));
  }
  return {
    x,
    y,
    result,
    weightNorm,
    normFit: fitLine(ks, normY),
    lossFit: fitLine(ks, lossY),
    table: columnTable({
      iteration: Array.from(loss, (_, k) => k),
      loss: Array.from(loss),
      weightNorm: Array.from(weightNorm),
    }),
  };
}

/** Report of {@linkcode weightDecayFixedPoint}. */
export interface WeightDecayReport {
  /** λ. */
  lambda: number;
  /** Where gradient descent with weight decay ended. */
  theta: NDArray;
  /** (XᵀX/N + 2λI)⁻¹ Xᵀy/N. */
  closedForm: NDArray;
  /** ‖θ_final − θ*‖. */
  distance: number;
  /** ‖∇R(θ_final) + 2λθ_final‖ (0 at the fixed point). */
  residual: number;
  /** The run. */
  result: SolverResult;
}

/**
 * Weight decay's fixed point (sheet 001 Q2.K writes θ_{t+1} = θ_t − η[∇R̂(θ_t) + 2λθ_t]): on
 * the least-squares risk R(θ) = ‖Xθ − y‖²/(2N) the iteration is gradient descent on
 * R(θ) + λ‖θ‖², whose unique fixed point solves ∇R(θ*) = −2λθ*, i.e. the ridge solution
 * θ* = (XᵀX/N + 2λI)⁻¹Xᵀy/N. Data: N = 50 seeded Gaussian rows in R^d (d = 5), y = Xθ_true + noise.
 *
 * @example
 * ```ts
 * import { weightDecayFixedPoint } from "./rates.ts";
 * const r = weightDecayFixedPoint(0.1);
 * if (r.distance > 1e-8) throw new Error(String(r.distance));
 * ```
 */
export function weightDecayFixedPoint(
  lambda: number,
  options: { n?: number; dimension?: number; step?: number; iterations?: number; seed?: number } =
    {},
): WeightDecayReport {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) {
    throw new RangeError(`weightDecayFixedPoint: lambda must be finite and >= 0, got ${lambda}`);
  }
  const n = options.n ?? 50;
  const d = options.dimension ?? 5;
  const rng = new Random(options.seed ?? 5);
  const x = new NDArray(rng.fillNormal(new Float64Array(n * d)), [n, d]);
  const thetaTrue = new NDArray(rng.fillNormal(new Float64Array(d)), [d]);
  const y = matmul(x, thetaTrue).add(new NDArray(rng.fillNormal(new Float64Array(n), 0, 0.1), [n]));
  const xt = x.transpose();
  const gradR = (t: NDArray) => matmul(xt, matmul(x, t).sub(y)).div(n);
  const result = gradientDescent(
    {
      f: (t) => {
        const r = matmul(x, t).sub(y);
        return r.dot(r) / (2 * n) + lambda * t.dot(t);
      },
      grad: (t) => gradR(t).add(t.mul(2 * lambda)),
    },
    zeros([d]),
    { step: options.step ?? 0.1, iterations: options.iterations ?? 5000, tolerance: 1e-13 },
  );
  const closedForm = solveSpd(
    matmul(xt, x).div(n).add(eye(d).mul(2 * lambda)),
    matmul(xt, y).div(n),
  );
  const theta = result.x;
  return {
    lambda,
    theta,
    closedForm,
    distance: theta.sub(closedForm).norm(),
    residual: gradR(theta).add(theta.mul(2 * lambda)).norm(),
    result,
  };
}
