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
import { checkGradient, checkJacobian, checkOp } from "../grad/check.ts";
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
import { ClaimList, describeCheck, type Exercise, type ExerciseResult, tidy } from "./claim.ts";
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
  return extensionClaims(new ClaimList(ID));
}

/** Every extension claim of sheet 000, the t-SNE embedding included. */
export async function runExtensionsAsync(): Promise<ExerciseResult> {
  const list = new ClaimList(ID);
  const result = extensionClaims(list);
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
  list.add({
    claim: "s8-tsne-embedding",
    sheet: "000",
    question: "8",
    statement: "t-SNE lowers KL(P‖Q) and keeps neighbourhoods: three well-separated clusters in " +
      "ℝ¹⁰ stay separated in the 2-D map",
    expected: null,
    computed: tidy([first, run.kl, knn, trust]),
    tolerance: null,
    recorded: "extension",
    holds: run.kl < first && knn >= MIN_KNN_ACCURACY && trust >= MIN_TRUSTWORTHINESS,
    note: `lib/tsne, exact gradient, ${run.iterations} iterations, perplexity ` +
      `${EMBED.perplexity}, ${n} points (computed: KL at the start and the end, ${EMBED.k}-NN ` +
      `accuracy of the cluster labels in the map, trustworthiness at k = ${EMBED.k})`,
  });
  result.figures.push({
    data: Array.from({ length: clusters }, (_, c) => ({
      type: "scatter",
      mode: "markers",
      name: `cluster ${c}`,
      x: labels.flatMap((l, i) => (l === c ? [run.embedding.data[2 * i]] : [])),
      y: labels.flatMap((l, i) => (l === c ? [run.embedding.data[2 * i + 1]] : [])),
    })),
    layout: { title: "Sheet 000 §8: t-SNE map of three Gaussian clusters in ℝ¹⁰" },
  });
  return { ...result, claims: list.claims };
}

function extensionClaims(list: ClaimList): ExerciseResult {
  // §3 chain rule: J(f∘g)(x) = Jf(g(x))·Jg(x), for a 3 → 4 → 2 composition.
  const A = sampleMatrix(4, 3, SEED), B = sampleMatrix(2, 4, SEED + 1);
  const g = (x: NDArray) => A.matmul(x.reshape([3, 1])).reshape([4]).map(Math.tanh);
  const f = (u: NDArray) => B.matmul(u.map((v) => v * v).reshape([4, 1])).reshape([2]);
  const jg = (x: NDArray) => {
    const pre = A.matmul(x.reshape([3, 1])).reshape([4]);
    return A.mul(pre.map((v) => 1 - Math.tanh(v) ** 2).reshape([4, 1]));
  };
  const jf = (u: NDArray) => B.mul(u.mul(2).reshape([1, 4]));
  const x0 = array([0.3, -0.7, 1.1]);
  const chain = checkJacobian((x) => f(g(x)), (x) => jf(g(x)).matmul(jg(x)), x0);
  list.add({
    claim: "s3-chain-rule",
    sheet: "000",
    question: "3",
    statement: "the Jacobian of a composition is the product of the Jacobians: " +
      "J(f∘g)(x) = Jf(g(x))·Jg(x)",
    expected: null,
    computed: tidy(jf(g(x0)).matmul(jg(x0)).data),
    tolerance: chain.atol,
    recorded: "extension",
    holds: chain.ok,
    note: `${describeCheck(chain)}; g(x) = tanh(Ax) from ℝ³ to ℝ⁴, f(u) = B(u ⊙ u) to ℝ²`,
  });

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
  list.add({
    claim: "s4-pooling-gradients",
    sheet: "000",
    question: "4",
    statement: "max pooling routes the upstream gradient to the arg-max of each window; average " +
      "pooling spreads it evenly over the window",
    expected: null,
    computed: tidy([maxCheck.maxAbsError, avgCheck.maxAbsError]),
    tolerance: maxCheck.atol,
    recorded: "extension",
    holds: maxCheck.ok && avgCheck.ok,
    note: `max 2x2/2: ${maxCheck.diagnosis.kind}; average 3x3/1: ${avgCheck.diagnosis.kind} ` +
      `(computed: largest error of each)`,
  });
  const tie = array([[[[1, 1], [0, 0]]]]);
  const tieCheck = checkOp(maxOp, { x: tie });
  list.add({
    claim: "s4-max-pool-tie",
    sheet: "000",
    question: "4",
    statement: "at a tie, max pooling is not differentiable: the gradient check finds a kink, " +
      "and any split of the gradient among the tied entries is a valid subgradient",
    expected: null,
    computed: tidy(
      Array.from(
        maxPool2dBackward(array([[[[1]]]]), maxPool2dForward(tie, { size: 2, stride: 2 }).cache).dx
          .data,
      ),
    ),
    tolerance: null,
    recorded: "extension",
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
  list.add({
    claim: "s7-top-k",
    sheet: "000",
    question: "7",
    statement: "top-k error (the true class is not among the k highest scores) falls with k " +
      "and is 0 at k = C; for random scores it is about 1 − k/C",
    expected: null,
    computed: tidy(errors),
    tolerance: 0,
    recorded: "extension",
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
  list.add({
    claim: "s8-tsne-gradient",
    sheet: "000",
    question: "8",
    statement: "the t-SNE gradient ∂KL/∂yᵢ = 4Σⱼ(pᵢⱼ − qᵢⱼ)(yᵢ − yⱼ)/(1 + ‖yᵢ − yⱼ‖²)",
    expected: null,
    computed: tidy([klForward(y0, aff.p).out, aff.maxEntropyError]),
    tolerance: kl.atol,
    recorded: "extension",
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
  return { id: ID, title: extensionsExercise.title, claims: list.claims, figures: [figure] };
}

/** Exercise `extensions`. */
export const extensionsExercise: Exercise = {
  id: ID,
  title: "Topics sheet 000 only names: chain rule, pooling, top-k error, t-SNE gradient",
  covers: ["000 3", "000 4", "000 7", "000 8"],
  run: runExtensions,
  runAsync: runExtensionsAsync,
};
