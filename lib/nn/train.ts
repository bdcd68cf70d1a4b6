/**
 * Minibatch SGD for the float64 {@linkcode Mlp}, with the sheet's weight decay
 * (001 Q2.K: θ ← θ − η[∇R̂(θ) + 2λθ], on weights, not biases) and a trace per step.
 *
 * @module
 */

import { formatShape, NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import type { ClassLabels } from "../ops/softmax.ts";
import { cloneMlp, type Mlp, mlpBackward, mlpForward } from "./mlp.ts";
import { columnTable, traceBundle, type TraceTable } from "../optim/trace.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../view/display.ts";

/** Training data: inputs [N, D] and targets (class indices, or [N, C] for MSE). */
export interface TrainData {
  /** Inputs [N, D]. */
  x: NDArray;
  /** Class indices (length N) or targets [N, C]. */
  y: ClassLabels | NDArray;
}

/** One row of a training trace. */
export interface TrainRow {
  /** Step (minibatch) number, from 0. */
  step: number;
  /** Epoch of the step, from 0. */
  epoch: number;
  /** Minibatch loss before the step's update (without the weight-decay term). */
  loss: number;
  /** ‖∇L‖ over all parameters before the update. */
  gradNorm: number;
  /** Milliseconds since the start. */
  time: number;
}

/** Options of {@linkcode trainMlp}. */
export interface TrainOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Rows per minibatch; the last one of an epoch may be smaller. Default 64. */
  batchSize?: number;
  /** Learning rate η > 0. Default 0.1. */
  lr?: number;
  /** λ ≥ 0 of the penalty λΣ‖W‖² (weights only). Default 0. */
  weightDecay?: number;
  /** Shuffle the rows each epoch with a seeded permutation. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffles. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
  /** Stop after this many steps. Default: no limit. */
  maxSteps?: number;
  /** Called after each step; return false to stop. */
  onProgress?: (row: TrainRow, model: Mlp) => boolean | void;
}

/** What {@linkcode trainMlp} returns. */
export interface TrainResult {
  /** The trained network (a copy; the input model is not modified). */
  model: Mlp;
  /** Columns step, epoch, loss, gradNorm, time. */
  trace: TraceTable;
  /** `done`, `non-finite` (stopped where the loss or gradient stopped being finite) or `stopped`. */
  status: "done" | "non-finite" | "stopped";
  /** What happened. */
  message: string;
  /** Renders the message and the trace's first and last rows in Jupyter. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** Default learning rate of {@linkcode trainMlp}. */
export const TRAIN_DEFAULT_LR = 0.1;
/** Default minibatch size of {@linkcode trainMlp}. */
export const TRAIN_DEFAULT_BATCH = 64;

/**
 * The order in which rows are visited in each epoch: a seeded permutation per epoch (the same
 * sequence for the float64 and tfjs trainers), or 0..N−1 without shuffling.
 */
export function epochOrders(
  n: number,
  epochs: number,
  options: { shuffle?: boolean; seed?: number } = {},
): Int32Array[] {
  const rng = new Random(options.seed ?? DEFAULT_SEED);
  const out: Int32Array[] = [];
  for (let e = 0; e < epochs; e++) {
    out.push(
      options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n),
    );
  }
  return out;
}

/** The rows of x listed in `rows` (and the matching targets), in that order. */
export function gatherBatch(
  data: TrainData,
  rows: Int32Array,
): { x: NDArray; y: Int32Array | NDArray } {
  const d = data.x.shape[1];
  const count = rows.length;
  const xb = new Float64Array(count * d);
  for (let r = 0; r < count; r++) {
    const i = rows[r];
    xb.set(data.x.data.subarray(i * d, (i + 1) * d), r * d);
  }
  const y = data.y;
  if (y instanceof NDArray && y.ndim === 2) {
    const c = y.shape[1];
    const yb = new Float64Array(count * c);
    for (let r = 0; r < count; r++) {
      const i = rows[r];
      yb.set(y.data.subarray(i * c, (i + 1) * c), r * c);
    }
    return { x: new NDArray(xb, [count, d]), y: new NDArray(yb, [count, c]) };
  }
  const labels = y instanceof NDArray ? y.data : y;
  const yb = new Int32Array(count);
  for (let r = 0; r < count; r++) yb[r] = labels[rows[r]];
  return { x: new NDArray(xb, [count, d]), y: yb };
}

function validate(fn: string, model: Mlp, data: TrainData, options: TrainOptions) {
  if (!(data?.x instanceof NDArray) || data.x.ndim !== 2 || data.x.shape[1] !== model.sizes[0]) {
    throw new RangeError(
      `${fn}: data.x must be [N, ${model.sizes[0]}] for sizes [${model.sizes}], got ${
        data?.x instanceof NDArray ? formatShape(data.x.shape) : typeof data?.x
      }`,
    );
  }
  const n = data.x.shape[0];
  const ny = data.y instanceof NDArray ? data.y.shape[0] : data.y?.length;
  if (ny !== n) {
    throw new RangeError(`${fn}: data.y has ${ny} rows but data.x has ${n}`);
  }
  const lr = options.lr ?? TRAIN_DEFAULT_LR;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(`${fn}: options.lr must be a positive finite number, got ${lr}`);
  }
  const batchSize = options.batchSize ?? TRAIN_DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`${fn}: options.batchSize must be a positive integer, got ${batchSize}`);
  }
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new RangeError(`${fn}: options.epochs must be a non-negative integer, got ${epochs}`);
  }
  const weightDecay = options.weightDecay ?? 0;
  if (!(weightDecay >= 0)) {
    throw new RangeError(`${fn}: options.weightDecay must be >= 0, got ${weightDecay}`);
  }
  return { n, lr, batchSize, epochs, weightDecay };
}

/**
 * Minibatch SGD: for each batch B, g = ∇ (1/|B|) Σ_{n∈B} ℓ_n, then
 * W_l ← W_l − η (g_{W_l} + 2λ W_l), other parameters ← p − η g_p. The trace records the batch
 * loss and gradient norm before each update. A non-finite loss or gradient stops training at
 * that step (status `non-finite`), leaving the trace and the last finite model.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { createMlp } from "./mlp.ts";
 * import { trainMlp } from "./train.ts";
 * const x = array([[0, 0], [0, 1], [1, 0], [1, 1]]);
 * const net = createMlp([2, 8, 2], { seed: 2, activation: "tanh", init: "xavier" });
 * const r = trainMlp(net, { x, y: [0, 1, 1, 0] }, { epochs: 800, batchSize: 4, lr: 0.5 });
 * const loss = r.trace.array("loss") as number[];
 * if (!(loss[loss.length - 1] < 0.05)) throw new Error("XOR not learned: " + loss.at(-1));
 * ```
 */
export function trainMlp(model: Mlp, data: TrainData, options: TrainOptions = {}): TrainResult {
  const fn = "trainMlp";
  const { n, lr, batchSize, epochs, weightDecay } = validate(fn, model, data, options);
  const net = cloneMlp(model);
  const orders = epochOrders(n, epochs, options);
  const cols: Record<keyof TrainRow, number[]> = {
    step: [],
    epoch: [],
    loss: [],
    gradNorm: [],
    time: [],
  };
  const t0 = performance.now();
  let step = 0;
  let status: TrainResult["status"] = "done";
  let message = `${fn}: trained ${epochs} epoch(s)`;
  outer: for (let e = 0; e < epochs; e++) {
    for (let start = 0; start < n; start += batchSize) {
      if (options.maxSteps !== undefined && step >= options.maxSteps) {
        message = `${fn}: stopped after maxSteps = ${options.maxSteps}`;
        break outer;
      }
      const batch = gatherBatch(data, orders[e].subarray(start, Math.min(n, start + batchSize)));
      const { out, cache } = mlpForward(batch.x, net, { target: batch.y });
      const g = mlpBackward(new NDArray(Float64Array.of(1), []), cache, { inputGradient: false });
      let sq = 0;
      for (const list of [g.dw, g.db, g.dgamma, g.dbeta]) {
        for (const a of list) {
          const ad = a.data;
          for (let i = 0; i < ad.length; i++) sq += ad[i] * ad[i];
        }
      }
      const row: TrainRow = {
        step,
        epoch: e,
        loss: out.item(),
        gradNorm: Math.sqrt(sq),
        time: performance.now() - t0,
      };
      for (const k of Object.keys(cols) as (keyof TrainRow)[]) cols[k].push(row[k]);
      if (!Number.isFinite(row.loss) || !Number.isFinite(row.gradNorm)) {
        status = "non-finite";
        message = `${fn}: loss ${row.loss}, gradient norm ${row.gradNorm} at step ${step}; stopped`;
        break outer;
      }
      sgdUpdate(net.w, g.dw, lr, weightDecay);
      sgdUpdate(net.b, g.db, lr, 0);
      sgdUpdate(net.gamma, g.dgamma, lr, 0);
      sgdUpdate(net.beta, g.dbeta, lr, 0);
      step++;
      if (options.onProgress && options.onProgress(row, net) === false) {
        status = "stopped";
        message = `${fn}: stopped by onProgress at step ${row.step}`;
        break outer;
      }
    }
  }
  const trace = columnTable(cols);
  return {
    model: net,
    trace,
    status,
    message,
    [JUPYTER_DISPLAY]: () => traceBundle(trace, message),
  };
}

/** p ← p − η (g + 2λ p), in place. */
function sgdUpdate(params: NDArray[], grads: NDArray[], lr: number, decay: number): void {
  for (let l = 0; l < params.length; l++) {
    const p = params[l].data, g = grads[l].data;
    const shrink = 1 - 2 * lr * decay;
    for (let i = 0; i < p.length; i++) p[i] = shrink * p[i] - lr * g[i];
  }
}
