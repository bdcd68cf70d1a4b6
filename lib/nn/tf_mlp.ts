/**
 * The same MLP and the same SGD in tfjs (float32, wasm backend by default): the twin of
 * {@linkcode trainMlp} for training speed. Started from the same float64 weights (rounded to
 * float32) and fed the same minibatches in the same order, it follows the float64 loss curve to
 * float32 tolerance (tested over the first 50 steps).
 *
 * @module
 */

import type * as TF from "@tensorflow/tfjs";
import { NDArray } from "../ndarray.ts";
import { loadTf, type TfBackend } from "../grad/autodiff.ts";
import { classIndices } from "../ops/softmax.ts";
import { BATCH_NORM_EPS } from "../ops/batch_norm.ts";
import type { Mlp } from "./mlp.ts";
import {
  epochOrders,
  TRAIN_DEFAULT_BATCH,
  TRAIN_DEFAULT_LR,
  type TrainData,
  type TrainOptions,
} from "./train.ts";
import { columnTable, traceBundle, type TraceTable } from "../optim/trace.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../view/display.ts";

/** Options of {@linkcode trainMlpTf}. */
export interface TfTrainOptions extends Omit<TrainOptions, "onProgress"> {
  /**
   * `manual` (default): the backward pass written out with tfjs ops, mirroring `mlpBackward`
   * (no autodiff tape). `autodiff`: `tf.variableGrads` on the forward pass, an independent
   * derivation whose linear layers use explicit-transpose custom gradients; both cost about
   * the same per step.
   */
  gradients?: "manual" | "autodiff";
  /** tfjs backend. Default `wasm` (falls back to `cpu`). */
  backend?: TfBackend;
  /**
   * Read the loss back every this many steps (a device sync each time). Default 1. The trace
   * has a row only for the steps whose loss was read, and a non-finite loss is noticed (status
   * `non-finite`, training stopped) only on those steps.
   */
  lossEvery?: number;
}

/** What {@linkcode trainMlpTf} returns. */
export interface TfTrainResult {
  /** The trained network, its float32 weights widened back to float64. */
  model: Mlp;
  /** Columns step, epoch, loss, time (loss before the step's update). */
  trace: TraceTable;
  /** The backend that ran. */
  backend: string;
  /** `done` or `non-finite`. */
  status: "done" | "non-finite";
  /** What happened. */
  message: string;
  /** Renders the message and the trace's first and last rows in Jupyter. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

function activate(tf: typeof TF, model: Mlp, z: TF.Tensor2D): TF.Tensor2D {
  switch (model.activation) {
    case "relu":
      return tf.relu(z);
    case "leaky-relu":
      return tf.leakyRelu(z, model.leakySlope);
    case "sigmoid":
      return tf.sigmoid(z);
    case "tanh":
      return tf.tanh(z);
  }
}

function toTensor(tf: typeof TF, a: NDArray): TF.Tensor {
  return tf.tensor(Float32Array.from(a.data), [...a.shape]);
}

/**
 * Trains a float32 copy of `model` with minibatch SGD in tfjs, with the update of
 * {@linkcode trainMlp}: W ← W − η(∂L/∂W + 2λW) for weights, p ← p − η ∂L/∂p otherwise, and the
 * same seeded batch order (`seed`, `shuffle`, `batchSize`, `epochs`, `maxSteps`). Loss
 * definitions match `mlpForward` exactly (mean softmax cross-entropy; ½‖·‖² summed over outputs
 * and averaged over rows for the MSE variants; batch norm with batch statistics and the biased
 * variance, ε = {@linkcode BATCH_NORM_EPS}).
 *
 * @example
 * ```ts
 * import { createMlp } from "./mlp.ts";
 * import { trainMlp } from "./train.ts";
 * import { trainMlpTf } from "./tf_mlp.ts";
 * import { array } from "../ndarray.ts";
 * const net = createMlp([2, 4, 2], { seed: 1 });
 * const data = { x: array([[0, 1], [1, 0]]), y: [0, 1] };
 * const a = trainMlp(net, data, { epochs: 5 }).trace.array("loss") as number[];
 * const b = (await trainMlpTf(net, data, { epochs: 5 })).trace.array("loss") as number[];
 * if (Math.abs(a[4] - b[4]) > 1e-5) throw new Error(`${a[4]} vs ${b[4]}`);
 * ```
 */
export async function trainMlpTf(
  model: Mlp,
  data: TrainData,
  options: TfTrainOptions = {},
): Promise<TfTrainResult> {
  const fn = "trainMlpTf";
  const { tf, backend } = await loadTf({ backend: options.backend ?? "wasm" });
  const n = data.x.shape[0];
  if (data.x.ndim !== 2 || data.x.shape[1] !== model.sizes[0]) {
    throw new RangeError(
      `${fn}: data.x must be [N, ${model.sizes[0]}], got [${data.x.shape}]`,
    );
  }
  const lr = options.lr ?? TRAIN_DEFAULT_LR;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(`${fn}: options.lr must be a positive finite number, got ${lr}`);
  }
  const batchSize = options.batchSize ?? TRAIN_DEFAULT_BATCH;
  const epochs = options.epochs ?? 1;
  const decay = options.weightDecay ?? 0;
  const lossEvery = options.lossEvery ?? 1;
  const manual = (options.gradients ?? "manual") === "manual";
  if (options.gradients !== undefined && !["manual", "autodiff"].includes(options.gradients)) {
    throw new RangeError(
      `${fn}: options.gradients must be "manual" or "autodiff", got ${options.gradients}`,
    );
  }
  const classes = model.sizes[model.sizes.length - 1];
  const layers = model.w.length;

  // targets as a float32 [N, C] matrix: one-hot for class indices
  let targets: Float32Array;
  if (data.y instanceof NDArray && data.y.ndim === 2) {
    targets = Float32Array.from(data.y.data);
  } else {
    const idx = classIndices(data.y as Int32Array, n, classes, fn, "data.y");
    targets = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) targets[i * classes + idx[i]] = 1;
  }
  const d = model.sizes[0];
  const xd = data.x.data;
  // One buffer per batch, reused: each step converts only its rows to float32 (converting all of
  // x up front, a 31 MB copy for MNIST, cost a tenth of an epoch). Tensors made from them live only
  // inside their step's tidy.
  const xBuf = new Float32Array(batchSize * d), yBuf = new Float32Array(batchSize * classes);
  const w = model.w.map((a) => tf.variable(toTensor(tf, a)));
  const b = model.b.map((a) => tf.variable(toTensor(tf, a)));
  const gamma = model.gamma.map((a) => tf.variable(toTensor(tf, a)));
  const beta = model.beta.map((a) => tf.variable(toTensor(tf, a)));
  const weightSet = new Set<TF.Variable>(w);
  const all = [...w, ...b, ...gamma, ...beta];

  // z = aW + b with the backward pass written out: dW = aᵀ dz, db = Σ_rows dz, da = dz Wᵀ.
  // tfjs-wasm's matMul with transposeA/transposeB is about 4x slower than an explicit transpose
  // followed by a plain matMul, and autodiff would use the former; the first layer's input
  // needs no gradient, so it is closed over rather than passed (no dz W₀ᵀ product).
  const linearHidden = tf.customGrad(
    ((a: TF.Tensor2D, wl: TF.Tensor2D, bl: TF.Tensor1D, save: TF.GradSaveFunc) => {
      save([a, wl]);
      return {
        value: tf.add(tf.matMul(a, wl), bl),
        gradFunc: (dz: TF.Tensor2D, saved: TF.Tensor[]) => [
          tf.matMul(dz, tf.transpose(saved[1])),
          tf.matMul(tf.transpose(saved[0]), dz),
          tf.sum(dz, 0),
        ],
      };
    }) as unknown as Parameters<typeof TF.customGrad>[0],
  );
  const linearInput = (a: TF.Tensor2D) =>
    tf.customGrad(
      ((wl: TF.Tensor2D, bl: TF.Tensor1D) => ({
        value: tf.add(tf.matMul(a, wl), bl),
        gradFunc: (dz: TF.Tensor2D) => [tf.matMul(tf.transpose(a), dz), tf.sum(dz, 0)],
      })) as unknown as Parameters<typeof TF.customGrad>[0],
    );

  const lossOf = (xb: TF.Tensor, yb: TF.Tensor): TF.Scalar => {
    let a = xb as TF.Tensor2D;
    for (let l = 0; l < layers; l++) {
      let z = (l === 0 ? linearInput(a)(w[l], b[l]) : linearHidden(a, w[l], b[l])) as TF.Tensor2D;
      if (l === layers - 1) {
        a = z;
        break;
      }
      if (model.batchNorm) {
        const { mean, variance } = tf.moments(z, 0);
        z = tf.add(
          tf.mul(tf.mul(tf.sub(z, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPS))), gamma[l]),
          beta[l],
        ) as TF.Tensor2D;
      }
      a = activate(tf, model, z);
    }
    const rows = xb.shape[0];
    if (model.loss === "softmax-ce") {
      return tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.logSoftmax(a)), 1))) as TF.Scalar;
    }
    const out = model.loss === "softmax-mse" ? tf.softmax(a) : a;
    return tf.div(tf.sum(tf.square(tf.sub(out, yb))), 2 * rows) as TF.Scalar;
  };

  // The same forward pass with the backward pass written out, as in mlpBackward (no tape). The
  // output gradient is scaled by `scale` (the learning rate), so every parameter gradient comes out
  // as the SGD step itself (one op fewer per parameter); the loss is computed only when it is read.
  const manualGrads = (xb: TF.Tensor2D, yb: TF.Tensor2D, scale: number, withLoss: boolean) => {
    const rows = xb.shape[0];
    const inputs: TF.Tensor2D[] = [], pre: TF.Tensor2D[] = [], post: TF.Tensor2D[] = [];
    const xhats: TF.Tensor2D[] = [], invStds: TF.Tensor1D[] = [];
    let a = xb;
    let scores = xb;
    for (let l = 0; l < layers; l++) {
      inputs.push(a);
      let z = tf.add(tf.matMul(a, w[l]), b[l]) as TF.Tensor2D;
      if (l === layers - 1) {
        scores = z;
        break;
      }
      if (model.batchNorm) {
        const { mean, variance } = tf.moments(z, 0);
        const invStd = tf.rsqrt(tf.add(variance, BATCH_NORM_EPS)) as TF.Tensor1D;
        const xhat = tf.mul(tf.sub(z, mean), invStd) as TF.Tensor2D;
        xhats.push(xhat);
        invStds.push(invStd);
        z = tf.add(tf.mul(xhat, gamma[l]), beta[l]) as TF.Tensor2D;
      }
      pre.push(z);
      a = activate(tf, model, z);
      post.push(a);
    }
    let value: TF.Scalar | null = null;
    let dz: TF.Tensor2D;
    const k = scale / rows;
    if (model.loss === "softmax-ce") {
      if (withLoss) {
        value = tf.mul(tf.sum(tf.mul(yb, tf.logSoftmax(scores))), -1 / rows) as TF.Scalar;
      }
      // (s · Σⱼ tⱼ − t) / N, i.e. (s − y)/N for one-hot rows
      dz = tf.mul(tf.sub(tf.mul(tf.softmax(scores), tf.sum(yb, 1, true)), yb), k);
    } else if (model.loss === "mse") {
      const diff = tf.sub(scores, yb);
      if (withLoss) value = tf.div(tf.sum(tf.square(diff)), 2 * rows) as TF.Scalar;
      dz = tf.mul(diff, k);
    } else {
      const p = tf.softmax(scores);
      const diff = tf.sub(p, yb);
      if (withLoss) value = tf.div(tf.sum(tf.square(diff)), 2 * rows) as TF.Scalar;
      const g = tf.mul(diff, k);
      // softmax VJP: p ⊙ (g − Σⱼ gⱼ pⱼ)
      dz = tf.mul(p, tf.sub(g, tf.sum(tf.mul(g, p), 1, true)));
    }
    const steps: Record<string, TF.Tensor> = {};
    for (let l = layers - 1; l >= 0; l--) {
      steps[w[l].name] = tf.matMul(tf.transpose(inputs[l]), dz);
      steps[b[l].name] = tf.sum(dz, 0);
      if (l === 0) break;
      let da = tf.matMul(dz, tf.transpose(w[l])) as TF.Tensor2D;
      const h = post[l - 1], zl = pre[l - 1];
      switch (model.activation) {
        case "relu":
          da = tf.mul(da, tf.step(zl));
          break;
        case "leaky-relu":
          da = tf.mul(da, tf.add(tf.mul(tf.step(zl), 1 - model.leakySlope), model.leakySlope));
          break;
        case "sigmoid":
          da = tf.mul(da, tf.mul(h, tf.sub(1, h)));
          break;
        case "tanh":
          da = tf.mul(da, tf.sub(1, tf.square(h)));
          break;
      }
      if (model.batchNorm) {
        const xhat = xhats[l - 1];
        const dbeta = tf.sum(da, 0), dgamma = tf.sum(tf.mul(da, xhat), 0);
        steps[gamma[l - 1].name] = dgamma;
        steps[beta[l - 1].name] = dbeta;
        // γ/σ · (dout − mean(dout) − x̂ · mean(dout ⊙ x̂))
        da = tf.mul(
          tf.mul(gamma[l - 1], invStds[l - 1]),
          tf.sub(tf.sub(da, tf.div(dbeta, rows)), tf.mul(xhat, tf.div(dgamma, rows))),
        ) as TF.Tensor2D;
      }
      dz = da;
    }
    return { value, steps };
  };

  const orders = epochOrders(n, epochs, options);
  const cols = {
    step: [] as number[],
    epoch: [] as number[],
    loss: [] as number[],
    time: [] as number[],
  };
  const t0 = performance.now();
  let step = 0;
  let status: TfTrainResult["status"] = "done";
  let message = `${fn}: trained ${epochs} epoch(s) on ${backend}`;
  outer: for (let e = 0; e < epochs; e++) {
    const order = orders[e];
    for (let start = 0; start < n; start += batchSize) {
      if (options.maxSteps !== undefined && step >= options.maxSteps) {
        message = `${fn}: stopped after maxSteps = ${options.maxSteps} on ${backend}`;
        break outer;
      }
      const end = Math.min(n, start + batchSize);
      const lossT = tf.tidy((): TF.Scalar | void => {
        // batches are copied on the JS side: cheaper than tf.gather on wasm
        const rows = end - start;
        for (let r = 0; r < rows; r++) {
          const i = order[start + r];
          for (let j = 0, src = i * d, dst = r * d; j < d; j++) xBuf[dst + j] = xd[src + j];
          yBuf.set(targets.subarray(i * classes, (i + 1) * classes), r * classes);
        }
        const xb = tf.tensor2d(xBuf.subarray(0, rows * d), [rows, d]);
        const yb = tf.tensor2d(yBuf.subarray(0, rows * classes), [rows, classes]);
        const readLoss = step % lossEvery === 0;
        let value: TF.Scalar | null, steps: Record<string, TF.Tensor>;
        if (manual) {
          ({ value, steps } = manualGrads(xb, yb, lr, readLoss));
        } else {
          const r = tf.variableGrads(() => lossOf(xb, yb), all);
          value = r.value;
          steps = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, tf.mul(g, lr)]));
        }
        for (const v of all) {
          const shrink = weightSet.has(v) && decay > 0 ? tf.mul(v, 1 - 2 * lr * decay) : v;
          v.assign(tf.sub(shrink, steps[v.name]));
        }
        if (value && readLoss) return tf.keep(value);
      });
      if (lossT) {
        const loss = lossT.dataSync()[0];
        cols.step.push(step);
        cols.epoch.push(e);
        cols.loss.push(loss);
        cols.time.push(performance.now() - t0);
        lossT.dispose();
        if (!Number.isFinite(loss)) {
          status = "non-finite";
          message = `${fn}: loss ${loss} at step ${step}; stopped`;
          break outer;
        }
      }
      step++;
    }
  }
  const widen = (v: TF.Variable, like: NDArray) =>
    new NDArray(Float64Array.from(v.dataSync()), like.shape);
  const trained: Mlp = {
    ...model,
    sizes: [...model.sizes],
    w: w.map((v, l) => widen(v, model.w[l])),
    b: b.map((v, l) => widen(v, model.b[l])),
    gamma: gamma.map((v, l) => widen(v, model.gamma[l])),
    beta: beta.map((v, l) => widen(v, model.beta[l])),
  };
  for (const v of all) v.dispose();
  const trace = columnTable(cols);
  return {
    model: trained,
    trace,
    backend,
    status,
    message,
    [JUPYTER_DISPLAY]: () => traceBundle(trace, message),
  };
}
