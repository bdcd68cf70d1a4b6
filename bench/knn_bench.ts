/**
 * `deno task bench:knn`: exact against approximate k-nearest-neighbour search (k = 90, the
 * neighbours of perplexity 30) on a 10-cluster Gaussian mixture in 50 dimensions and on PCA-50
 * MNIST: seconds of each search, the recall of the approximate one, its distance evaluations per
 * point and NN-descent rounds, and the seconds of the perplexity calibration and symmetrization
 * that follow it. Above `--exact-max` points the exact search is not run and recall is measured
 * on `--sample` query points by brute force.
 *
 * With `--rss`, each size instead runs in a child process under `/usr/bin/time -v` that builds
 * the data, finds the neighbours and computes the affinities P, and the table gives the peak
 * resident memory of that child and of one that only builds the data.
 *
 * Permissions: `--allow-read` (MNIST, the worker modules); `--allow-run=/usr/bin/time` and
 * `--allow-write=out` (GNU time's reports go to out/bench_knn) for `--rss`.
 *
 * @module
 */

import { mnistPca } from "../lib/data/mnist.ts";
import { gaussianMixture } from "../lib/data/mixture.ts";
import type { NDArray } from "../lib/ndarray.ts";
import { Random } from "../lib/random.ts";
import { affinitiesFromKnn, type KnnResult, squaredDistance } from "../lib/tsne/affinity.ts";
import { parallelApproximateNearestNeighbors } from "../lib/tsne/knn_approx.ts";
import { parallelNearestNeighbors } from "../lib/tsne/workers.ts";
import { numberOption, parseCommand, usageError } from "../cli/args.ts";
import { runMeasured, TIME_BINARY } from "./tsne_measure.ts";

const K = 90;
const PERPLEXITY = 30;
const DIMS = 50;
const CLUSTERS = 10;
const MIB = 2 ** 20;
/** Folder for GNU time's reports. */
const SCRATCH = "out/bench_knn";

const spec = {
  usage: "deno task bench:knn [--n LIST] [--mnist N] [--workers W] [--seed S]\n" +
    "         [--exact-max N] [--sample Q] [--rss] [--json]",
  description:
    "Exact vs approximate 90-nearest-neighbour search: seconds, recall, distance evaluations,\n" +
    "then the seconds of the affinities computed from the approximate neighbours. Data: a\n" +
    "10-cluster Gaussian mixture in 50 dimensions of each size in --n, and the first --mnist\n" +
    "PCA-50 MNIST digits.",
  options: {
    n: {
      type: "string" as const,
      value: "LIST",
      description: "mixture sizes, comma-separated",
      default: "20000,50000,100000",
    },
    mnist: {
      type: "string" as const,
      value: "N",
      description: "MNIST digits (0: none)",
      default: "10000",
    },
    workers: { type: "string" as const, value: "W", description: "threads", default: "2" },
    seed: { type: "string" as const, value: "S", description: "mixture seed", default: "42" },
    "exact-max": {
      type: "string" as const,
      value: "N",
      description: "largest N searched exactly in full (recall over all points)",
      default: "50000",
    },
    sample: {
      type: "string" as const,
      value: "Q",
      description: "query points for the recall above --exact-max",
      default: "1000",
    },
    rss: {
      type: "boolean" as const,
      description: "peak memory of the affinity stage per size (children under /usr/bin/time -v)",
    },
    child: { type: "string" as const, value: "STAGE", description: "internal: data | affinities" },
    json: { type: "boolean" as const, description: "print only a JSON array on stdout" },
  },
};

const { values } = parseCommand(Deno.args, spec);
const sizes = String(values.n ?? spec.options.n.default).split(",").map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 100)) {
  usageError(`--n must list integers ≥ 100, got ${values.n}`);
}
const mnistN = numberOption(values, "mnist", { integer: true, min: 0, max: 10000 }) ?? 10000;
const workers = numberOption(values, "workers", { integer: true, min: 1 }) ?? 2;
const seed = numberOption(values, "seed", { integer: true }) ?? 42;
const exactMax = numberOption(values, "exact-max", { integer: true, min: 0 }) ?? 50000;
const sample = numberOption(values, "sample", { integer: true, min: 1 }) ?? 1000;
const json = values.json === true;

/** One row of the table. */
interface Row {
  data: string;
  n: number;
  exactSeconds: number | null;
  approxSeconds: number;
  recall: number;
  recallOver: number;
  evaluationsPerPoint: number;
  rounds: number;
  affinitySeconds: number;
}

/** A Markdown table (right-aligned numbers), as in README. */
function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, j) => (j < 1 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join(" | ")} |`;
  const rule = `| ${
    widths.map((w, j) => (j < 1 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ")
  } |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

/** Mean over `queries` of |approx row ∩ exact row| / k. */
function recallOf(approx: KnnResult, exact: Int32Array, queries: Int32Array): number {
  const k = approx.k;
  let hits = 0;
  const want = new Set<number>();
  queries.forEach((i, q) => {
    want.clear();
    for (let t = 0; t < k; t++) want.add(exact[q * k + t]);
    for (let t = 0; t < k; t++) if (want.has(approx.indices[i * k + t])) hits++;
  });
  return hits / (queries.length * k);
}

/** Exact neighbours of the `queries` rows by brute force, [Q, k]. */
function bruteForce(x: NDArray, queries: Int32Array, k: number): Int32Array {
  const [n, d] = x.shape;
  const out = new Int32Array(queries.length * k);
  const dist = new Float64Array(n);
  const order = new Int32Array(n);
  queries.forEach((i, q) => {
    for (let j = 0; j < n; j++) {
      dist[j] = j === i ? Infinity : squaredDistance(x.data, i * d, x.data, j * d, d);
      order[j] = j;
    }
    order.sort((u, v) => dist[u] - dist[v] || u - v);
    out.set(order.subarray(0, k), q * k);
  });
  return out;
}

async function measure(data: string, x: NDArray): Promise<Row> {
  const n = x.shape[0];
  let t = performance.now();
  const approx = await parallelApproximateNearestNeighbors(x, K, { workers });
  const approxSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  affinitiesFromKnn(approx, PERPLEXITY, { inPlace: true }); // as tsne() does; recall reads indices only
  const affinitySeconds = (performance.now() - t) / 1000;
  let exactSeconds: number | null = null;
  let queries: Int32Array;
  let exact: Int32Array;
  if (n <= exactMax) {
    t = performance.now();
    exact = (await parallelNearestNeighbors(x, K, { workers })).indices;
    exactSeconds = (performance.now() - t) / 1000;
    queries = Int32Array.from({ length: n }, (_, i) => i);
  } else {
    queries = new Random(seed).sample(n, Math.min(sample, n));
    exact = bruteForce(x, queries, K);
  }
  return {
    data,
    n,
    exactSeconds,
    approxSeconds,
    recall: recallOf(approx, exact, queries),
    recallOver: queries.length,
    evaluationsPerPoint: approx.evaluations / n,
    rounds: approx.rounds,
    affinitySeconds,
  };
}

function mixture(n: number): NDArray {
  return gaussianMixture({ n, dims: DIMS, clusters: CLUSTERS, seed }).x;
}

if (values.child !== undefined) {
  // A child of --rss: build the data (and the affinities), then exit.
  const x = mixture(sizes[0]);
  if (values.child === "affinities") {
    const knn = await parallelApproximateNearestNeighbors(x, K, { workers });
    affinitiesFromKnn(knn, PERPLEXITY, { inPlace: true });
  }
  Deno.exit(0);
}

if (values.rss === true) {
  Deno.mkdirSync(SCRATCH, { recursive: true });
  const rows: (string | number)[][] = [];
  const out: Record<string, number>[] = [];
  for (const n of sizes) {
    const peak: Record<string, number> = { n };
    for (const stage of ["data", "affinities"]) {
      const args = ["run", "--allow-read", import.meta.filename!, "--child", stage];
      args.push("--n", String(n), "--workers", String(workers), "--seed", String(seed));
      const r = await runMeasured(Deno.execPath(), args, { scratch: SCRATCH });
      if (r.code !== 0 || r.peakBytes === null) {
        throw new Error(`${TIME_BINARY} -v deno ${args.join(" ")} failed: ${r.stderr}`);
      }
      peak[stage] = r.peakBytes / MIB;
    }
    out.push(peak);
    rows.push([n, peak.data.toFixed(0), peak.affinities.toFixed(0)]);
  }
  if (json) console.log(JSON.stringify(out));
  else {
    console.log(markdownTable(["N", "data only (MiB)", "data + kNN + P (MiB)"], rows));
  }
  Deno.exit(0);
}

const results: Row[] = [];
for (const n of sizes) results.push(await measure("mixture", mixture(n)));
if (mnistN > 0) results.push(await measure("MNIST", (await mnistPca({ n: mnistN })).x));
if (json) {
  console.log(JSON.stringify(results));
} else {
  const f = (v: number | null, digits = 2) => v === null ? "—" : v.toFixed(digits);
  console.log(markdownTable(
    [
      "data",
      "N",
      "exact (s)",
      "approx (s)",
      "speed-up",
      "recall",
      "recall over",
      "evals/point",
      "rounds",
      "P from approx (s)",
    ],
    results.map((r) => [
      r.data,
      r.n,
      f(r.exactSeconds),
      f(r.approxSeconds),
      r.exactSeconds === null ? "—" : (r.exactSeconds / r.approxSeconds).toFixed(1),
      r.recall.toFixed(4),
      r.recallOver === r.n ? "all" : `${r.recallOver} points`,
      r.evaluationsPerPoint.toFixed(0),
      r.rounds,
      f(r.affinitySeconds),
    ]),
  ));
  console.log(`k = ${K}, ${workers} thread(s), mixture seed ${seed}`);
}
