/**
 * The one checking core behind `checkGradient`, `checkOp`, `checkJacobian` and `checkHessian`:
 * it compares an analytic linear map — a gradient, the gradient of a vector–Jacobian product, a
 * Jacobian — with central differences in float64, entry by entry (every entry, or a seeded sample)
 * or by random projections uᵀJv, and builds the report. The front doors in `check.ts` only adapt
 * their arguments to a {@linkcode LinearMap}.
 *
 * @module
 */

import { formatShape, NDArray, shapesEqual } from "../ndarray.ts";
import { Random } from "../random.ts";
import {
  close,
  combineDiagnoses,
  type Comparison,
  diagnose,
  type Diagnosis,
  EntryStatus,
  shapeMismatch,
} from "./diagnosis.ts";
import { type Inputs, Probe } from "./numeric.ts";
import {
  type Asymmetry,
  type CheckMode,
  GradCheckReport,
  type InputReport,
  type KinkEntry,
  type WorstEntry,
} from "./report.ts";

/** Kink test: the second step is this fraction of `eps`. */
const KINK_STEP_RATIO = 0.1;

/** The validated settings of one check (the options of `check.ts`, defaults filled in). */
export interface Settings {
  /** Finite-difference step. */
  eps: number;
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance. */
  rtol: number;
  /** How entries are chosen. */
  mode: CheckMode;
  /** Entries (`sparse`) or projections (`fast`). */
  samples: number;
  /** Seed of the sampling and the projections. */
  seed: number;
  /** A label for tables. */
  title?: string;
}

/**
 * The gradient of a scalar function with respect to each named input (for an op, of
 * L = Σ dout ⊙ out). The function's value at the point is evaluated once: a non-finite one fails
 * every input, and it starts the kink test and the warning on trivial passes. A gradient must have
 * its input's shape; one of the transposed shape is a shape error whose message says whether its
 * values are the transpose.
 */
export interface GradientMap {
  /** Discriminant. */
  kind: "gradient";
  /** The point: named inputs (a private copy is perturbed). */
  inputs: Inputs;
  /** The function. */
  value: (inputs: Inputs) => number;
  /** The analytic gradient of each input. */
  analytic: Record<string, NDArray>;
}

/**
 * The Jacobian `[outputs, size(x)]` of an array-valued function of one input x (rows: outputs,
 * columns: inputs), compared entry by entry in full. Its layout is a convention: an array of the
 * transposed shape is compared read transposed, and called transposed when it then matches.
 */
export interface JacobianMap {
  /** Discriminant. */
  kind: "jacobian";
  /** The one input, keyed by the name messages give the matrix (`J`, `H`). */
  inputs: Inputs;
  /** The function, flattened; always `outputs` entries. */
  value: (inputs: Inputs) => Float64Array;
  /** Number of outputs (rows). */
  outputs: number;
  /** The analytic Jacobian, keyed like `inputs`. */
  analytic: Record<string, NDArray>;
  /** A Hessian: report how far both matrices are from symmetric, and warn if the analytic is not. */
  symmetric?: boolean;
}

/** What the core compares. */
export type LinearMap = GradientMap | JacobianMap;

/** Everything of a report but its cost and settings. */
interface Outcome {
  mode: CheckMode;
  maxAbsError: number;
  maxRelError: number;
  worst: WorstEntry | null;
  diagnosis: Diagnosis;
  kinks: KinkEntry[];
  warnings: string[];
  inputs: InputReport[];
  asymmetry?: Asymmetry;
}

/**
 * The error statistics of every check: largest absolute and relative errors, and the worst entry
 * (the one off by the most tolerances; NaN is worst of all). NaN errors stay NaN.
 */
class ErrorStats {
  maxAbsError = 0;
  maxRelError = 0;
  worst: WorstEntry | null = null;
  #score = -1;
  readonly #atol: number;
  readonly #rtol: number;

  constructor(atol: number, rtol: number) {
    this.#atol = atol;
    this.#rtol = rtol;
  }

  /** Adds one analytic value and its numeric counterpart, at `index` of `input`. */
  add(analytic: number, numeric: number, input: string, index: number[]): void {
    const err = Math.abs(analytic - numeric);
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    this.maxAbsError = Math.max(this.maxAbsError, err);
    this.maxRelError = Math.max(this.maxRelError, err === 0 ? 0 : err / scale);
    const score = Number.isNaN(err) ? Infinity : err / (this.#atol + this.#rtol * scale);
    if (score > this.#score) {
      this.#score = score;
      this.worst = { input, index, analytic, numeric };
    }
  }

  /** Takes the other's worst entry when it fails worse (the earlier one wins ties). */
  absorb(other: ErrorStats): void {
    if (other.#score > this.#score) {
      this.#score = other.#score;
      this.worst = other.worst;
    }
  }
}

/**
 * Checks an analytic linear map against central differences, as `opts.mode` says: `full` and
 * `sparse` entry by entry, `fast` by projections (a gradient only), located entry by entry in
 * full when a projection disagrees.
 */
export function compareLinearMap(map: LinearMap, opts: Settings): GradCheckReport {
  const started = performance.now();
  const probe = new Probe<number | Float64Array>(map.inputs, map.value);
  if (opts.mode !== "fast" || map.kind !== "gradient") {
    return finish(entrywise(probe, map, opts), probe.evaluations, opts, started);
  }
  const projected = projections(probe as Probe<number>, map, opts);
  if (projected) return finish(projected, probe.evaluations, opts, started);
  const spent = probe.evaluations, locating = performance.now();
  const outcome = entrywise(probe, map, { ...opts, mode: "full" });
  const located = finish(outcome, probe.evaluations - spent, opts, locating);
  return finish({ ...outcome, mode: "fast" }, probe.evaluations, opts, started, located);
}

/** The report, built here only. */
function finish(
  o: Outcome,
  evaluations: number,
  opts: Settings,
  started: number,
  located?: GradCheckReport,
): GradCheckReport {
  return new GradCheckReport({
    ok: passes(o.diagnosis),
    mode: o.mode,
    maxAbsError: o.maxAbsError,
    maxRelError: o.maxRelError,
    worst: o.worst,
    diagnosis: o.diagnosis,
    kinks: o.kinks,
    evaluations,
    warnings: o.warnings,
    inputs: o.inputs,
    eps: opts.eps,
    atol: opts.atol,
    rtol: opts.rtol,
    seconds: (performance.now() - started) / 1000,
    title: opts.title,
    located,
    asymmetry: o.asymmetry,
  });
}

function passes(d: Diagnosis): boolean {
  return d.kind === "match" || d.kind === "kink";
}

/**
 * A random direction with entries uniform on (−1, 1), one 32-bit draw each: cheaper than normal
 * variates, and continuous, so an error e is missed only if eᵀv = 0 exactly — probability ~2⁻³².
 * (±1 entries would be cheaper still but miss e = [δ, −δ] half the time.)
 */
export function randomDirection(rng: Random, n: number): Float64Array {
  const bits = rng.fillUint32(new Uint32Array(n));
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (bits[i] + 0.5) / 2147483648 - 1;
  return v;
}

/**
 * `fast` mode: `samples` projections ∇f·v on random directions v, 2 evaluations each; undefined
 * at the first that disagrees (or when a gradient has the wrong shape and cannot be projected).
 */
function projections(probe: Probe<number>, map: GradientMap, opts: Settings): Outcome | undefined {
  const names = Object.keys(map.inputs);
  const { inputs, analytic } = map;
  if (!names.every((k) => shapesEqual(analytic[k].shape, inputs[k].shape))) return undefined;
  const rng = new Random(opts.seed);
  const stats = new ErrorStats(opts.atol, opts.rtol);
  const input = names.join("+");
  for (let s = 0; s < opts.samples; s++) {
    const v: Inputs = {};
    let ana = 0;
    for (const k of names) {
      const dir = new NDArray(randomDirection(rng, inputs[k].size), inputs[k].shape);
      v[k] = dir;
      ana += analytic[k].dot(dir);
    }
    const num = (probe.along(v, opts.eps) - probe.along(v, -opts.eps)) / (2 * opts.eps);
    stats.add(ana, num, input, [s]);
    if (!close(ana, num, opts.atol, opts.rtol)) return undefined;
  }
  let scale = 0;
  for (const k of names) for (const g of analytic[k].data) scale = Math.max(scale, Math.abs(g));
  const { maxAbsError, maxRelError } = stats;
  return {
    mode: "fast",
    maxAbsError,
    maxRelError,
    worst: stats.worst,
    diagnosis: {
      kind: "match",
      message: `${opts.samples} random projections uᵀ∇f agree with their finite differences.`,
    },
    kinks: [],
    warnings: scale <= opts.atol
      ? [
        `every gradient entry is at most ${
          scale.toExponential(1)
        } in size, below atol = ${opts.atol}: the check only shows the gradient is small`,
      ]
      : [],
    inputs: names.map((k) => ({
      name: k,
      shape: [...inputs[k].shape],
      checked: opts.samples,
      maxAbsError,
      maxRelError,
      diagnosis: { kind: "match", message: "projections agree" },
    })),
  };
}

/** Chooses entries: all (`full`), or a seeded sample touching every input (`sparse`). */
function selectEntries(inputs: Inputs, opts: Settings): Map<string, number[]> {
  const names = Object.keys(inputs);
  const total = names.reduce((s, k) => s + inputs[k].size, 0);
  const out = new Map<string, number[]>();
  if (opts.mode === "full" || opts.samples >= total) {
    for (const k of names) out.set(k, Array.from({ length: inputs[k].size }, (_, i) => i));
    return out;
  }
  const rng = new Random(opts.seed);
  const budget = Math.max(opts.samples, names.length);
  for (const k of names) {
    const share = Math.max(1, Math.round((budget * inputs[k].size) / total));
    const m = Math.min(inputs[k].size, share);
    out.set(k, Array.from(rng.sample(inputs[k].size, m)).sort((a, b) => a - b));
  }
  return out;
}

/** How an analytic array's shape relates to the shape it should have. */
type Layout = "same" | "transposed" | "bad";

function layoutOf(analytic: NDArray, shape: readonly number[]): Layout {
  if (shapesEqual(analytic.shape, shape)) return "same";
  if (
    shape.length === 2 && analytic.ndim === 2 && analytic.shape[0] === shape[1] &&
    analytic.shape[1] === shape[0]
  ) return "transposed";
  return "bad";
}

/** What the comparisons of one check share; `f0` is a scalar function's value at the point. */
interface Run {
  probe: Probe<number | Float64Array>;
  f0?: number;
  opts: Settings;
}

/** `full` and `sparse` modes: the chosen entries of every input, then one verdict. */
function entrywise(probe: Probe<number | Float64Array>, map: LinearMap, opts: Settings): Outcome {
  const f0 = map.kind === "gradient" ? probe.evaluate() as number : undefined;
  const run: Run = { probe, f0, opts };
  const selection = selectEntries(map.inputs, opts);
  const reports: InputReport[] = [];
  const compared: Comparison[] = [];
  const kinks: KinkEntry[] = [];
  const overall = new ErrorStats(opts.atol, opts.rtol);
  for (const [name, offsets] of selection) {
    const x = map.inputs[name], analytic = map.analytic[name];
    const shape = map.kind === "gradient" ? x.shape : [map.outputs, x.size];
    const push = (checked: number, maxAbsError: number, maxRelError: number, d: Diagnosis) =>
      reports.push({ name, shape: [...shape], checked, maxAbsError, maxRelError, diagnosis: d });
    if (f0 !== undefined && !Number.isFinite(f0)) {
      push(0, NaN, NaN, diagnose(emptyComparison(name, shape, opts)));
      continue;
    }
    const layout = layoutOf(analytic, shape);
    if (layout === "bad") {
      push(0, Infinity, Infinity, badShape(run, name, shape, analytic, offsets));
      continue;
    }
    const cells = compareCells(run, name, shape, analytic, layout, offsets);
    compared.push(cells.comparison);
    kinks.push(...cells.kinks);
    overall.absorb(cells.stats);
    const c = cells.comparison, { maxAbsError, maxRelError } = cells.stats;
    if (layout === "same") push(c.analytic.length, maxAbsError, maxRelError, diagnose(c));
    else if (map.kind === "gradient") {
      push(c.analytic.length, Infinity, Infinity, transposedGradient(c, analytic.shape));
    } else push(c.analytic.length, maxAbsError, maxRelError, transposedMatrix(c, analytic.shape));
  }
  const diagnosis = combineDiagnoses(reports);
  const warnings = f0 !== undefined && passes(diagnosis)
    ? trivialWarnings(reports, compared, f0, opts.atol)
    : [];
  const chosen = [...selection.values()].reduce((s, v) => s + v.length, 0);
  const outcome: Outcome = {
    mode: chosen === Object.values(map.inputs).reduce((s, v) => s + v.size, 0) ? "full" : "sparse",
    maxAbsError: Math.max(...reports.map((r) => r.maxAbsError)),
    maxRelError: Math.max(...reports.map((r) => r.maxRelError)),
    worst: overall.worst,
    diagnosis,
    kinks,
    warnings,
    inputs: reports,
  };
  if (map.kind === "jacobian" && map.symmetric) symmetry(map, compared, outcome, opts);
  return outcome;
}

function emptyComparison(name: string, shape: readonly number[], opts: Settings): Comparison {
  return {
    name,
    shape,
    indices: [],
    analytic: new Float64Array(),
    numeric: new Float64Array(),
    status: new Uint8Array(),
    valueNonFinite: true,
    atol: opts.atol,
    rtol: opts.rtol,
  };
}

/**
 * An analytic array of an unusable shape. With as many entries as it should have ([3] for
 * [3, 1]), its values are compared in the right shape to say whether only the shape is off.
 */
function badShape(
  run: Run,
  name: string,
  shape: readonly number[],
  analytic: NDArray,
  offsets: number[],
): Diagnosis {
  const diagnosis = shapeMismatch(name, shape, analytic.shape);
  if (analytic.size !== shape.reduce((a, b) => a * b, 1)) return diagnosis;
  const { comparison } = compareCells(run, name, shape, analytic.reshape(shape), "same", offsets);
  diagnosis.message += comparison.status.every((st) => st !== EntryStatus.Wrong)
    ? ` Its values are right: only the shape is off (reshape it).`
    : ` Read in ${name}'s shape, its values are wrong too (${diagnose(comparison).kind}).`;
  return diagnosis;
}

/** A gradient of the transposed shape: a shape error, which says when the values are the transpose. */
function transposedGradient(c: Comparison, got: readonly number[]): Diagnosis {
  if (!c.status.every((s) => s !== EntryStatus.Wrong)) return shapeMismatch(c.name, c.shape, got);
  return {
    kind: "transposed",
    message: `The analytic gradient of ${c.name} has shape ${formatShape(got)}, the ` +
      `transpose of ${c.name}'s ${formatShape(c.shape)}, and its values are the transpose of ` +
      `the numeric gradient: transpose the result (or swap the factors of the outer product).`,
  };
}

/** A Jacobian of the transposed shape: judged read transposed, and transposed if it then matches. */
function transposedMatrix(c: Comparison, got: readonly number[]): Diagnosis {
  const diagnosis = diagnose(c);
  if (diagnosis.kind !== "match") return diagnosis;
  return {
    kind: "transposed",
    message: `The analytic ${c.name} has shape ${formatShape(got)}; read transposed it ` +
      `matches the numeric ${formatShape(c.shape)}: rows must index outputs, columns inputs.`,
  };
}

function unravel(shape: readonly number[], offset: number): number[] {
  if (shape.length === 1) return [offset];
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = offset % shape[i];
    offset = Math.floor(offset / shape[i]);
  }
  return index;
}

/** Where cell `[r, c]` of a 2-D `shape` sits in an array of the transposed shape `[c, r]`. */
function transposed(index: number[], shape: readonly number[]): number {
  return index[1] * shape[0] + index[0];
}

/** One input's comparison, with its error statistics and kinks. */
interface Cells {
  comparison: Comparison;
  stats: ErrorStats;
  kinks: KinkEntry[];
}

/**
 * Compares an analytic array with central differences at the chosen entries of input `name`, 2
 * evaluations each, cell by cell in row-major order over `shape` (the input's shape for a
 * gradient, `[outputs, size]` for a Jacobian, whose entries give all their outputs at once). With
 * a base value `f0` (a scalar function), a failing cell next to a kink costs 2 more evaluations.
 */
function compareCells(
  run: Run,
  name: string,
  shape: readonly number[],
  analytic: NDArray,
  layout: "same" | "transposed",
  offsets: number[],
): Cells {
  const { probe, f0, opts } = run;
  const { eps, atol, rtol } = opts;
  const k = offsets.length, size = probe.inputs[name].size;
  const outputs = shape.reduce((a, b) => a * b, 1) / size;
  const total = outputs * k;
  const a = new Float64Array(total), n = new Float64Array(total);
  const square = shape.length === 2 && shape[0] === shape[1] && layout === "same";
  const t = square ? new Float64Array(total) : undefined;
  const status = new Uint8Array(total);
  const indices: number[][] = [];
  const kinks: KinkEntry[] = [];
  const stats = new ErrorStats(atol, rtol);
  // A Jacobian's cell (output i, entry o) is [i, o]; a gradient's (one output) unravels o.
  const rows = shape.length === 2 && shape[1] === size;
  // An array-valued function: every entry's 2 evaluations first, the central differences of all
  // its outputs stored in row-major order (output i of entry j at i·k + j).
  for (let j = 0; j < k && f0 === undefined; j++) {
    const fp = probe.at(name, offsets[j], eps) as Float64Array;
    const fm = probe.at(name, offsets[j], -eps) as Float64Array;
    for (let i = 0, p = j; i < outputs; i++, p += k) n[p] = (fp[i] - fm[i]) / (2 * eps);
  }
  for (let i = 0, p = 0; i < outputs; i++) {
    for (let j = 0; j < k; j++, p++) {
      const o = offsets[j], q = i * size + o;
      // A scalar function (one output): the entry's 2 evaluations here, kept for the kink test.
      let num: number, fp = 0, fm = 0;
      if (f0 === undefined) num = n[p];
      else {
        fp = probe.at(name, o, eps) as number;
        fm = probe.at(name, o, -eps) as number;
        num = n[p] = (fp - fm) / (2 * eps);
      }
      const index = rows ? [i, o] : unravel(shape, o);
      indices.push(index);
      const ana = layout === "same" ? analytic.data[q] : analytic.data[transposed(index, shape)];
      if (t) t[p] = analytic.data[transposed(index, shape)];
      a[p] = ana;
      stats.add(ana, num, name, index);
      if (close(ana, num, atol, rtol)) status[p] = EntryStatus.Ok;
      else if (f0 !== undefined && Number.isFinite(ana) && Number.isFinite(num)) {
        const left = (f0 - fm) / eps, right = (fp - f0) / eps;
        const kink = classifyKink(run, f0, name, o, ana, left, right);
        if (kink) {
          kinks.push({ input: name, index, ...kink });
          if (kink.excused) status[p] = EntryStatus.Kink;
        }
      }
    }
  }
  return {
    comparison: {
      name,
      shape,
      indices,
      analytic: a,
      numeric: n,
      analyticTransposed: t,
      status,
      atol,
      rtol,
    },
    stats,
    kinks,
  };
}

/**
 * A failing entry is a kink when its one-sided derivatives differ and keep differing as the step
 * shrinks (kink at x: the analytic value must lie between them), or when the difference vanishes
 * much faster than curvature allows at a smaller step (the ±eps step crossed a kink near x: the
 * analytic value must match the smaller-step derivative). Smooth functions do neither.
 */
function classifyKink(
  { probe, opts }: Run,
  f0: number,
  name: string,
  o: number,
  ana: number,
  left: number,
  right: number,
): { left: number; right: number; analytic: number; excused: boolean } | null {
  const { atol, rtol } = opts;
  const jump = right - left;
  if (Math.abs(jump) <= atol + rtol * Math.max(Math.abs(left), Math.abs(right))) return null;
  const h = opts.eps * KINK_STEP_RATIO;
  const fp = probe.at(name, o, h) as number, fm = probe.at(name, o, -h) as number;
  const left2 = (f0 - fm) / h, right2 = (fp - f0) / h, central2 = (fp - fm) / (2 * h);
  const jump2 = right2 - left2;
  if (Math.abs(jump2) > 0.5 * Math.abs(jump)) {
    const lo = Math.min(left2, right2), hi = Math.max(left2, right2);
    const tol = atol + rtol * Math.max(Math.abs(lo), Math.abs(hi));
    return {
      left: left2,
      right: right2,
      analytic: ana,
      excused: ana >= lo - tol && ana <= hi + tol,
    };
  }
  if (Math.abs(jump2) < 0.05 * Math.abs(jump)) {
    const excused = close(ana, central2, opts.atol, opts.rtol);
    return { left, right, analytic: ana, excused };
  }
  return null;
}

/** A pass on gradients no larger than atol only shows that both are small: say so. */
function trivialWarnings(
  inputs: InputReport[],
  compared: Comparison[],
  f0: number,
  atol: number,
): string[] {
  let scale = 0;
  for (const c of compared) {
    for (let i = 0; i < c.analytic.length; i++) {
      scale = Math.max(scale, Math.abs(c.analytic[i]), Math.abs(c.numeric[i]));
    }
  }
  if (compared.length === 0 || scale > atol) return [];
  if (scale === 0 && Math.abs(f0) < 1e-10) {
    return [
      `the function and every gradient entry are 0 here, so the check passes trivially: ` +
      `try a point where the loss is not 0`,
    ];
  }
  return [
    `every checked gradient entry of ${inputs.map((i) => i.name).join(", ")} is at most ${
      scale.toExponential(1)
    } in size, below atol = ${atol}: the check only shows both are small; pick another point or lower atol`,
  ];
}

/** A Hessian's asymmetry, max |Hᵢⱼ − Hⱼᵢ|, analytic and numeric, with a warning for the analytic. */
function symmetry(map: JacobianMap, compared: Comparison[], o: Outcome, opts: Settings): void {
  const [name] = Object.keys(map.inputs);
  const n = map.inputs[name].size, analytic = map.analytic[name];
  if (analytic.size !== n * n || compared.length === 0 || map.outputs !== n) return;
  const asym = (d: Float64Array) => {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        worst = Math.max(worst, Math.abs(d[i * n + j] - d[j * n + i]));
      }
    }
    return worst;
  };
  o.asymmetry = { analytic: asym(analytic.data), numeric: asym(compared[0].numeric) };
  let scale = 0;
  for (const v of analytic.data) scale = Math.max(scale, Math.abs(v));
  if (o.asymmetry.analytic > opts.atol + opts.rtol * scale) {
    o.warnings.push(
      `the analytic Hessian is not symmetric (max |Hᵢⱼ − Hⱼᵢ| = ${
        o.asymmetry.analytic.toExponential(2)
      }), but a Hessian of a twice continuously differentiable function must be`,
    );
  }
}
