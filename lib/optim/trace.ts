/**
 * What every solver in `lib/optim` shares: the objective it minimizes, the options it takes, the
 * trace it records (an arquero table, one row per iterate) and the result it returns.
 *
 * Trace columns, one row per iterate `x_k` (row 0 is the start point):
 *
 * | column      | meaning                                                                        |
 * | ----------- | ------------------------------------------------------------------------------ |
 * | `iteration` | k                                                                              |
 * | `loss`      | F(x_k) = f(x_k) (+ g(x_k) when the objective has a non-smooth part `g`)         |
 * | `gradNorm`  | ‖∇f(x_k)‖₂; for proximal methods the gradient-mapping norm ‖y − x_k‖₂ / t       |
 * | `step`      | ‖x_k − x_{k−1}‖₂ (0 in row 0)                                                   |
 * | `distance`  | ‖x_k − x*‖₂ when `options.optimum` is given, otherwise NaN                      |
 * | `time`      | milliseconds since the solver started                                           |
 *
 * Bad input, decided here for all solvers: a step size that is not a positive finite number, a
 * negative or fractional iteration count, a negative tolerance → RangeError; a gradient whose
 * shape differs from the start point's, or an `f` that does not return a number → RangeError /
 * TypeError naming the solver. A loss or gradient that turns non-finite mid-run stops the run
 * with status `non-finite`: the trace keeps every row up to and including the offending one, and
 * `x` is the last finite iterate.
 *
 * @module
 */

// @ts-types="./arquero.d.ts"
import { table } from "arquero";
import { formatNumber, formatShape, NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../view/display.ts";
import { htmlTable, type Table, textTable } from "../view/table.ts";

/**
 * A table of measurements, one row per iterate or step, one column per quantity (an arquero
 * table: build one with {@linkcode columnTable}).
 */
export interface TraceTable {
  /** Number of rows. */
  numRows(): number;
  /** Number of columns. */
  numCols(): number;
  /** The column names, in order. */
  columnNames(): string[];
  /** The values of one column. */
  array(name: string): ArrayLike<unknown>;
  /** The rows as objects, column name → value. */
  objects(options?: { limit?: number; offset?: number }): object[];
  /** The first rows (`limit`, default all) as an HTML table. */
  toHTML(options?: { limit?: number; offset?: number }): string;
  /** The first rows (`limit`, default all) as a Markdown table. */
  toMarkdown(options?: { limit?: number; offset?: number }): string;
}

/**
 * A {@linkcode TraceTable} of named columns of equal length.
 *
 * @example
 * ```ts
 * import { columnTable } from "./trace.ts";
 * const t = columnTable({ step: [0, 1, 2], loss: [3, 2, 1] });
 * if (t.numRows() !== 3 || t.array("loss")[2] !== 1) throw new Error("a 3-row table");
 * ```
 */
export function columnTable(columns: Record<string, ArrayLike<unknown>>): TraceTable {
  return table(columns);
}

/**
 * A function to minimize: F(x) = f(x) + g(x) with f smooth.
 *
 * - `f(x)`: the smooth part, a number.
 * - `grad(x, random)`: ∇f(x), same shape as x. `random` is a seeded generator (from
 *   `options.seed`) for objectives that sample (minibatch gradients); deterministic objectives
 *   ignore it.
 * - `hessian(x)`: ∇²f(x) as an [n, n] array over the flattened x (Newton only; optional, a
 *   finite-difference Hessian is used when absent).
 * - `g(x)`, `prox(v, t)`: a non-smooth part and its proximal operator
 *   prox_{t·g}(v) = argmin_u g(u) + ‖u − v‖² / (2t) (proximal methods only).
 */
export interface Objective {
  /** Smooth part f(x). */
  f: (x: NDArray) => number;
  /** Gradient of the smooth part, same shape as x. */
  grad: (x: NDArray, random: Random) => NDArray;
  /** Hessian of f over the flattened x, [n, n]. */
  hessian?: (x: NDArray) => NDArray;
  /** Non-smooth part g(x) (default 0). */
  g?: (x: NDArray) => number;
  /** prox_{t·g}(v). */
  prox?: (v: NDArray, t: number) => NDArray;
}

/** One row of a trace. */
export interface TraceRow {
  /** Iteration k (0 = start point). */
  iteration: number;
  /** F(x_k). */
  loss: number;
  /** ‖∇f(x_k)‖ (gradient-mapping norm for proximal methods). */
  gradNorm: number;
  /** ‖x_k − x_{k−1}‖. */
  step: number;
  /** ‖x_k − x*‖, NaN without a known optimum. */
  distance: number;
  /** Milliseconds since the start. */
  time: number;
}

/**
 * Called after each recorded row with the row and the iterate. Return `false` to stop the run
 * (status `stopped`); anything else continues.
 */
export type ProgressCallback = (row: TraceRow, x: NDArray) => boolean | void;

/** Options every solver takes. */
export interface SolverOptions {
  /** Step size (learning rate) t > 0. Default depends on the solver (documented there). */
  step?: number;
  /** Maximum number of iterations. Default {@linkcode SOLVER_DEFAULT_ITERATIONS}. */
  iterations?: number;
  /**
   * Stop when the gradient norm (gradient-mapping norm for proximal methods) is ≤ tolerance.
   * Default {@linkcode SOLVER_DEFAULT_TOLERANCE}; 0 runs all iterations.
   */
  tolerance?: number;
  /** Seed of the generator handed to `objective.grad`. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
  /** A known minimizer; fills the `distance` column. */
  optimum?: NDArray;
  /** Progress callback, called once per row. */
  onProgress?: ProgressCallback;
  /** Keep every iterate in `result.path` (for contour plots). Default false. */
  keepPath?: boolean;
}

/** Why a run ended. */
export type SolverStatus =
  | "converged"
  | "max-iterations"
  | "non-finite"
  | "stopped"
  | "singular"
  | "zero-derivative";

/** What a solver returns. */
export interface SolverResult {
  /** The solver's name. */
  solver: string;
  /** Final iterate (the last finite one when the run diverged). */
  x: NDArray;
  /** One row per iterate; see the module doc for the columns. */
  trace: TraceTable;
  /** Number of iterations performed. */
  iterations: number;
  /** Why the run ended. */
  status: SolverStatus;
  /** A sentence for people: what happened and where. */
  message: string;
  /** Every iterate, when `keepPath` was set. */
  path?: NDArray[];
  /** Renders the message and the trace's first and last rows in Jupyter. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** Rows shown at each end of a trace by {@linkcode traceTable}. */
export const TRACE_PREVIEW_ROWS = 5;

/**
 * A printable summary of a trace: the first and last {@linkcode TRACE_PREVIEW_ROWS} rows of every
 * column, numbers formatted, with `caption` above.
 *
 * @example
 * ```ts
 * import { textTable } from "../view/table.ts";
 * import { columnTable, traceTable } from "./trace.ts";
 * const t = traceTable(columnTable({ iteration: [0, 1], loss: [2, 1] }), "demo");
 * if (!textTable(t).includes("loss")) throw new Error();
 * ```
 */
export function traceTable(trace: TraceTable, caption: string): Table {
  const names = trace.columnNames();
  const n = trace.numRows();
  const cols = names.map((c) => trace.array(c) as ArrayLike<number>);
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i < TRACE_PREVIEW_ROWS || i >= n - TRACE_PREVIEW_ROWS) picked.push(i);
  }
  const rows: string[][] = [];
  picked.forEach((i, j) => {
    if (j > 0 && i !== picked[j - 1] + 1) rows.push(names.map(() => "…"));
    rows.push(cols.map((c) => (typeof c[i] === "number" ? formatNumber(c[i]) : String(c[i]))));
  });
  return { caption, headers: names, rows };
}

/** The MIME bundle of a run: its message and a preview of its trace. */
export function traceBundle(trace: TraceTable, message: string): MimeBundle {
  const table = traceTable(trace, message);
  return { "text/plain": textTable(table), "text/html": htmlTable(table) };
}

/** Default maximum number of iterations. */
export const SOLVER_DEFAULT_ITERATIONS = 1000;
/** Default gradient-norm tolerance. */
export const SOLVER_DEFAULT_TOLERANCE = 1e-8;

/** Validated common options. */
export interface ResolvedOptions {
  /** Step size t > 0. */
  step: number;
  /** Iteration cap. */
  iterations: number;
  /** Stopping tolerance. */
  tolerance: number;
  /** Seed of the generator handed to `grad`. */
  seed: number;
  /** Known minimizer, if any. */
  optimum?: NDArray;
  /** Progress callback, if any. */
  onProgress?: ProgressCallback;
  /** Whether to keep every iterate. */
  keepPath: boolean;
}

/** Checks the common options, applying `defaultStep` when `step` is absent. */
export function resolveOptions(
  fn: string,
  x0: NDArray,
  options: SolverOptions,
  defaultStep: number,
): ResolvedOptions {
  if (!(x0 instanceof NDArray)) {
    throw new TypeError(`${fn}: x0 must be an NDArray, got ${typeof x0}`);
  }
  const step = options.step ?? defaultStep;
  if (typeof step !== "number" || !Number.isFinite(step) || step <= 0) {
    throw new RangeError(`${fn}: options.step must be a positive finite number, got ${step}`);
  }
  const iterations = options.iterations ?? SOLVER_DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(
      `${fn}: options.iterations must be a non-negative integer, got ${iterations}`,
    );
  }
  const tolerance = options.tolerance ?? SOLVER_DEFAULT_TOLERANCE;
  if (!(tolerance >= 0)) {
    throw new RangeError(`${fn}: options.tolerance must be >= 0, got ${tolerance}`);
  }
  if (options.optimum !== undefined) {
    if (!(options.optimum instanceof NDArray) || options.optimum.size !== x0.size) {
      const got = options.optimum instanceof NDArray
        ? formatShape(options.optimum.shape)
        : typeof options.optimum;
      throw new RangeError(
        `${fn}: options.optimum has shape ${got} but x0 has shape ${formatShape(x0.shape)}`,
      );
    }
  }
  return {
    step,
    iterations,
    tolerance,
    seed: options.seed ?? DEFAULT_SEED,
    optimum: options.optimum,
    onProgress: options.onProgress,
    keepPath: options.keepPath ?? false,
  };
}

/** Checks that the objective has callable `f` and `grad` (and the parts `needs` lists). */
export function validateObjective(
  fn: string,
  objective: Objective,
  needs: readonly ("hessian" | "prox")[] = [],
): void {
  if (!objective || typeof objective.f !== "function" || typeof objective.grad !== "function") {
    throw new TypeError(`${fn}: objective must have functions f and grad`);
  }
  for (const k of needs) {
    if (typeof objective[k] !== "function") {
      throw new TypeError(`${fn}: objective.${k} must be a function`);
    }
  }
}

/** Calls f, checking that it returns a number. */
export function evalLoss(fn: string, objective: Objective, x: NDArray): number {
  const v = objective.f(x);
  if (typeof v !== "number") {
    throw new TypeError(`${fn}: objective.f must return a number, got ${typeof v}`);
  }
  return objective.g ? v + objective.g(x) : v;
}

/** Calls grad, checking the shape against x. */
export function evalGrad(fn: string, objective: Objective, x: NDArray, random: Random): NDArray {
  const g = objective.grad(x, random);
  if (!(g instanceof NDArray)) {
    throw new TypeError(`${fn}: objective.grad must return an NDArray, got ${typeof g}`);
  }
  if (g.size !== x.size) {
    throw new RangeError(
      `${fn}: objective.grad returned shape ${formatShape(g.shape)} for x of shape ${
        formatShape(x.shape)
      }`,
    );
  }
  return g;
}

/** ‖a − b‖₂ over the flat data. */
export function distance(a: NDArray, b: NDArray): number {
  let s = 0;
  const ad = a.data, bd = b.data;
  for (let i = 0; i < ad.length; i++) {
    const d = ad[i] - bd[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** ‖a‖₂ over the flat data (rescaled when the plain sum of squares overflows). */
export function norm2(a: NDArray): number {
  let s = 0;
  for (const v of a.data) s += v * v;
  if (s !== Infinity) return Math.sqrt(s);
  let m = 0;
  for (const v of a.data) m = Math.max(m, Math.abs(v));
  if (!Number.isFinite(m)) return m;
  s = 0;
  for (const v of a.data) s += (v / m) ** 2;
  return m * Math.sqrt(s);
}

/** `a + s·b` with a's shape (no broadcasting; sizes must match). */
export function axpy(a: NDArray, s: number, b: NDArray): NDArray {
  const out = new Float64Array(a.size);
  const ad = a.data, bd = b.data;
  for (let i = 0; i < out.length; i++) out[i] = ad[i] + s * bd[i];
  return new NDArray(out, a.shape);
}

/** What {@linkcode TraceRecorder.record} takes for one iterate. */
export interface RecordValues {
  /** F(x_k). */
  loss: number;
  /** The gradient norm (or its stand-in) of the row. */
  gradNorm: number;
  /** Solver-specific columns (Newton's `damping`, root finding's `x`). */
  extra?: Record<string, number>;
  /** The quantity compared with the tolerance. Default `gradNorm`. */
  criterion?: number;
}

/**
 * Records trace rows and decides when to stop. Solvers call {@linkcode TraceRecorder.record}
 * once per iterate and {@linkcode TraceRecorder.finish} at the end.
 */
export class TraceRecorder {
  #fn: string;
  #opts: ResolvedOptions;
  #start = performance.now();
  #cols: Record<keyof TraceRow, number[]> = {
    iteration: [],
    loss: [],
    gradNorm: [],
    step: [],
    distance: [],
    time: [],
  };
  #extra: Record<string, number[]> = {};
  #path: NDArray[] = [];
  #prev: NDArray | undefined;
  #lastFinite: NDArray;
  #status: SolverStatus | undefined;
  #message = "";
  /** The seeded generator handed to `objective.grad`. */
  readonly random: Random;

  /** A recorder for solver `fn` with resolved options, starting at x0. */
  constructor(fn: string, opts: ResolvedOptions, x0: NDArray) {
    this.#fn = fn;
    this.#opts = opts;
    this.#lastFinite = x0;
    this.random = new Random(opts.seed);
  }

  /**
   * Adds the row of iterate k of a gradient method: F(x) from the objective and ‖g‖ for the
   * gradient g at x. Returns what {@linkcode TraceRecorder.record} returns.
   */
  recordGradient(
    k: number,
    x: NDArray,
    objective: Objective,
    g: NDArray,
  ): SolverStatus | undefined {
    return this.record(k, x, { loss: evalLoss(this.#fn, objective, x), gradNorm: norm2(g) });
  }

  /**
   * Adds the row of iterate k. Returns a status when the run must end (converged, non-finite,
   * stopped by the callback, last iteration), otherwise undefined.
   */
  record(k: number, x: NDArray, values: RecordValues): SolverStatus | undefined {
    const { loss, gradNorm, extra = {}, criterion = gradNorm } = values;
    const row: TraceRow = {
      iteration: k,
      loss,
      gradNorm,
      step: this.#prev ? distance(x, this.#prev) : 0,
      distance: this.#opts.optimum ? distance(x, this.#opts.optimum) : NaN,
      time: performance.now() - this.#start,
    };
    for (const key of Object.keys(this.#cols) as (keyof TraceRow)[]) {
      this.#cols[key].push(row[key]);
    }
    for (const [key, v] of Object.entries(extra)) {
      (this.#extra[key] ??= new Array(this.#cols.iteration.length - 1).fill(NaN)).push(v);
    }
    this.#prev = x;
    if (this.#opts.keepPath) this.#path.push(x);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm) || !x.isFinite()) {
      const what = !Number.isFinite(loss)
        ? `loss became ${loss}`
        : !x.isFinite()
        ? "the iterate became non-finite"
        : `gradient norm became ${gradNorm}`;
      return this.stop("non-finite", `${what} at iteration ${k}; the run was stopped there`);
    }
    this.#lastFinite = x;
    if (this.#opts.onProgress && this.#opts.onProgress(row, x) === false) {
      return this.stop("stopped", `stopped by onProgress at iteration ${k}`);
    }
    if (criterion <= this.#opts.tolerance) {
      return this.stop(
        "converged",
        `converged at iteration ${k}: ${
          criterion.toExponential(3)
        } <= tolerance ${this.#opts.tolerance}`,
      );
    }
    if (k >= this.#opts.iterations) {
      return this.stop(
        "max-iterations",
        `reached ${k} iterations; gradient norm ${gradNorm.toExponential(3)}`,
      );
    }
    return undefined;
  }

  /** Ends the run with a status and message (used for solver-specific stops). */
  stop(status: SolverStatus, message: string): SolverStatus {
    this.#status = status;
    this.#message = message;
    return status;
  }

  /** Builds the result. */
  finish(): SolverResult {
    const n = this.#cols.iteration.length;
    const columns: Record<string, number[]> = { ...this.#cols };
    for (const [key, v] of Object.entries(this.#extra)) {
      while (v.length < n) v.push(NaN);
      columns[key] = v;
    }
    const status = this.#status ?? "max-iterations";
    const trace = columnTable(columns);
    const message = `${this.#fn}: ${this.#message}`;
    const result = {
      solver: this.#fn,
      x: this.#lastFinite,
      trace,
      iterations: Math.max(0, n - 1),
      status,
      message,
      ...(this.#opts.keepPath ? { path: this.#path } : {}),
    } as SolverResult;
    Object.defineProperty(result, JUPYTER_DISPLAY, {
      value: () => traceBundle(trace, message),
      enumerable: false,
    });
    return result;
  }
}

/**
 * The start every solver makes: checks the objective, resolves the common options (with the
 * solver's default step) and opens the trace at x0.
 */
export function startSolver(
  fn: string,
  objective: Objective,
  x0: NDArray,
  options: SolverOptions,
  defaultStep: number,
): { opts: ResolvedOptions; rec: TraceRecorder } {
  validateObjective(fn, objective);
  const opts = resolveOptions(fn, x0, options, defaultStep);
  return { opts, rec: new TraceRecorder(fn, opts, x0) };
}

/** A trace column as a Float64Array. */
export function traceColumn(trace: TraceTable, name: string): Float64Array {
  if (!trace.columnNames().includes(name)) {
    throw new RangeError(
      `traceColumn: no column ${JSON.stringify(name)}; columns are ${
        trace.columnNames().join(", ")
      }`,
    );
  }
  return Float64Array.from(trace.array(name) as ArrayLike<number>);
}
