/**
 * Topics sheet 000 only names (§3 chain rule, §4 variants of pooling, §7 top-k error, §8 t-SNE),
 * treated as `extension` claims with the same rigor: each one checked against finite
 * differences or against its definition. The t-SNE map itself needs the asynchronous optimizer,
 * so it comes with `runAsync` (and `deno task ex`); `run()` gives the other claims.
 *
 * @example
 * ```ts
 * import { extensionsExercise } from "./extensions.ts";
 * const r = await extensionsExercise.runAsync!();
 * if (!r.claims.every((c) => c.claim.status === "extension")) throw new Error("extensions");
 * if (!r.claims.some((c) => c.claim.claim === "s8-tsne-embedding")) throw new Error("t-SNE");
 * ```
 *
 * @module
 */

import { array, NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import { checkGradient, checkOp } from "../grad/check.ts";
import {
  avgPool2dBackward,
  avgPool2dForward,
  maxPool2dBackward,
  maxPool2dForward,
} from "../ops/pooling.ts";
import { topKError } from "../ops/metrics.ts";
import { exactAffinities } from "../tsne/affinity.ts";
import { klBackward, klForward } from "../tsne/kl.ts";
import { tsne } from "../tsne/tsne.ts";
import { knnAccuracy, trustworthiness } from "../tsne/quality.ts";
import { describeCheck, type Exercise, type ExerciseResult, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { sampleMatrix } from "./support.ts";

const ID = "extensions";
const SEED = 1201;
/** Samples and classes of the top-k check. */
const TOPK = { n: 200, classes: 10 };
/** Points, dimension and perplexity of the t-SNE gradient check. */
const TSNE = { n: 20, d: 5, perplexity: 5 };
/** The t-SNE embedding run: points, dimension, clusters, cluster offset, perplexity, k of the scores. */
const EMBED = { n: 90, d: 10, clusters: 3, separation: 8, perplexity: 15, k: 5 };
/** Least k-NN accuracy of the cluster labels in the map for the claim to hold. */
const MIN_KNN_ACCURACY = 0.95;
/** Least trustworthiness of the map for the claim to hold. */
const MIN_TRUSTWORTHINESS = 0.9;

/** The extension claims of sheet 000 that need no asynchronous call. */
export function runExtensions(): ExerciseResult {
  return extensionsExercise.run();
}

/** Every extension claim of sheet 000, the t-SNE embedding included. */
export function runExtensionsAsync(): Promise<ExerciseResult> {
  return extensionsExercise.runAsync!();
}

/** Every experiment, the t-SNE embedding (asynchronous) included. */
async function allExperiments(): Promise<Experiments> {
  const result = syncExperiments();
  const rng = new Random(SEED + 7);
  const { n, d, clusters, separation } = EMBED;
  const data = new Float64Array(n * d);
  const labels = Array.from({ length: n }, (_, i) => i % clusters);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = (j === labels[i] ? separation : 0) + rng.normal();
  }
  const x = new NDArray(data, [n, d]);
  const run = await tsne(x, { perplexity: EMBED.perplexity, seed: SEED, method: "exact" });
  const knn = knnAccuracy(run.embedding, labels, { k: EMBED.k });
  const trust = trustworthiness(x, run.embedding, { k: EMBED.k });
  const first = run.klTrace[0].kl;
  const outcomes: Record<string, Outcome> = { ...result.outcomes };
  outcomes["s8-tsne-embedding"] = experiment({
    computed: tidy([first, run.kl, knn, trust]),
    holds: run.kl < first && knn >= MIN_KNN_ACCURACY && trust >= MIN_TRUSTWORTHINESS,
    note: `lib/tsne, exact gradient, ${run.iterations} iterations, perplexity ` +
      `${EMBED.perplexity}, ${n} points (computed: KL at the start and the end, ${EMBED.k}-NN ` +
      `accuracy of the cluster labels in the map, trustworthiness at k = ${EMBED.k})`,
  });
  const figures = [...(result.figures ?? [])];
  figures.push({
    data: Array.from({ length: clusters }, (_, c) => ({
      type: "scatter",
      mode: "markers",
      name: `cluster ${c}`,
      x: labels.flatMap((l, i) => (l === c ? [run.embedding.data[2 * i]] : [])),
      y: labels.flatMap((l, i) => (l === c ? [run.embedding.data[2 * i + 1]] : [])),
    })),
    layout: { title: "Sheet 000 §8: t-SNE map of three Gaussian clusters in ℝ¹⁰" },
  });
  return { outcomes, figures };
}

/**
 * The experiments that need no asynchronous call (§3's chain rule is a Jacobian claim of
 * sheet_000.json).
 */
function syncExperiments(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  // §4 pooling: max and average pooling backward passes, and max pooling's tie policy.
  const x = sampleMatrix(6, 6, SEED + 2).reshape([1, 1, 6, 6]);
  const maxOp = {
    name: "maxPool2d",
    forward: (i: Record<string, NDArray>) => maxPool2dForward(i.x, { size: 2, stride: 2 }),
    backward: maxPool2dBackward,
  };
  const avgOp = {
    name: "avgPool2d",
    forward: (i: Record<string, NDArray>) => avgPool2dForward(i.x, { size: 3, stride: 1 }),
    backward: avgPool2dBackward,
  };
  const maxCheck = checkOp(maxOp, { x });
  const avgCheck = checkOp(avgOp, { x });
  outcomes["s4-pooling-gradients"] = experiment({
    computed: tidy([maxCheck.maxAbsError, avgCheck.maxAbsError]),
    tolerance: maxCheck.atol,
    holds: maxCheck.ok && avgCheck.ok,
    note: `max 2x2/2: ${maxCheck.diagnosis.kind}; average 3x3/1: ${avgCheck.diagnosis.kind} ` +
      `(computed: largest error of each)`,
  });
  const tie = array([[[[1, 1], [0, 0]]]]);
  const tieCheck = checkOp(maxOp, { x: tie });
  outcomes["s4-max-pool-tie"] = experiment({
    computed: tidy(
      Array.from(
        maxPool2dBackward(array([[[[1]]]]), maxPool2dForward(tie, { size: 2, stride: 2 }).cache).dx
          .data,
      ),
    ),
    holds: tieCheck.kinks.length > 0 && tieCheck.ok,
    note: `window [[1, 1], [0, 0]]: ${describeCheck(tieCheck)} (computed: where the op sends ` +
      `the gradient)`,
  });

  // §7 top-k error: against its definition, monotone in k, 0 at k = C.
  const rng = new Random(SEED + 3);
  const scores = sampleMatrix(TOPK.n, TOPK.classes, SEED + 4);
  const labels = Array.from({ length: TOPK.n }, () => rng.int(TOPK.classes));
  const errors = Array.from(
    { length: TOPK.classes },
    (_, k) => topKError(scores, labels, { k: k + 1 }),
  );
  const direct = Array.from({ length: TOPK.classes }, (_, k) => {
    let miss = 0;
    for (let i = 0; i < TOPK.n; i++) {
      const row = scores.data.subarray(i * TOPK.classes, (i + 1) * TOPK.classes);
      const better = row.filter((v, c) =>
        v > row[labels[i]] || (v === row[labels[i]] && c < labels[i])
      ).length;
      if (better >= k + 1) miss++;
    }
    return miss / TOPK.n;
  });
  const monotone = errors.every((e, k) => k === 0 || e <= errors[k - 1]);
  outcomes["s7-top-k"] = experiment({
    computed: tidy(errors),
    tolerance: 0,
    holds: monotone && errors[TOPK.classes - 1] === 0 &&
      errors.every((e, k) => e === direct[k]),
    note: `${TOPK.n} random score rows, ${TOPK.classes} classes, k = 1…${TOPK.classes}; the ` +
      `op agrees with counting ranks directly`,
  });

  // §8 t-SNE: the exact KL gradient against finite differences.
  const pts = sampleMatrix(TSNE.n, TSNE.d, SEED + 5);
  const aff = exactAffinities(pts, { perplexity: TSNE.perplexity });
  const y0 = sampleMatrix(TSNE.n, 2, SEED + 6, 0.5);
  const kl = checkGradient(
    (y: NDArray) => klForward(y, aff.p).out,
    (y: NDArray) => klBackward(1, klForward(y, aff.p).cache).dy,
    y0,
    { name: "Y" },
  );
  outcomes["s8-tsne-gradient"] = experiment({
    computed: tidy([klForward(y0, aff.p).out, aff.maxEntropyError]),
    tolerance: kl.atol,
    holds: kl.ok && aff.maxEntropyError < 1e-4,
    note: `${describeCheck(kl)}; ${TSNE.n} points in ℝ^${TSNE.d}, perplexity ` +
      `${TSNE.perplexity}, 2-D embedding (computed: KL, worst perplexity calibration error in nats)`,
  });

  const ks = errors.map((_, k) => k + 1);
  const figure = {
    data: [
      { type: "scatter", mode: "lines+markers", name: "top-k error", x: ks, y: errors },
      {
        type: "scatter",
        mode: "lines",
        name: "1 − k/C (chance)",
        x: ks,
        y: ks.map((k) => 1 - k / TOPK.classes),
      },
    ],
    layout: {
      title: "Sheet 000 §7: top-k error of random scores",
      xaxis: { title: "k" },
      yaxis: { title: "error" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `extensions`. */
export const extensionsExercise: Exercise = sheetExercise({
  id: ID,
  title: "Topics sheet 000 only names: chain rule, pooling, top-k error, t-SNE gradient",
  covers: ["000 3", "000 4", "000 7", "000 8"],
  experiments: syncExperiments,
  experimentsAsync: allExperiments,
});
