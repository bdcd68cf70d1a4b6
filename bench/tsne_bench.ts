/**
 * `deno task bench:tsne`: our t-SNE side by side with scikit-learn (Debian's python3-sklearn, run
 * with /usr/bin/python3), Rtsne (Debian's r-cran-rtsne) and FIt-SNE (a `fast_tsne` binary built
 * from its public source, given with `--fitsne PATH`) on the same rows: PCA-50 MNIST for
 * N ≤ 10,000, a 10-cluster Gaussian mixture in 50 dimensions above (20,000, 50,000, 100,000).
 *
 * Every tool runs in its own process under `/usr/bin/time -v` with the same thread count (peers
 * also get OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS), so its peak memory is its
 * "Maximum resident set size". Seconds are each tool's fit: ours and scikit-learn's and Rtsne's
 * from their own clocks around the fit call, FIt-SNE's from its "Computing input similarities"
 * line to its "Wrote the ... data matrix" line (its stdout line-buffered with stdbuf). Every
 * embedding is scored by one evaluator (ours): exact KL(P‖Q) (Z summed over all N² pairs) for
 * one P (perplexity 30 on the exact 90 nearest neighbours), trustworthiness@10 up to
 * `--trust-max` points, and leave-one-out 10-NN accuracy on the digit or cluster labels. A peer
 * that is not installed is reported as skipped.
 *
 * Permissions: `--allow-read`, `--allow-write=out`, `--allow-run=/usr/bin/time,/usr/bin/python3`
 * (every tool, ours included, is started through GNU time; python3 also reports numpy's BLAS),
 * `--allow-sys=loadavg` (the load average goes into the report).
 *
 * @module
 */

import { type NDArray, textTable, writeTextAtomic } from "../mod.ts";
import { mnistPca } from "../lib/data/mnist.ts";
import { gaussianMixture } from "../lib/data/mixture.ts";
import { affinitiesFromKnn, knnNeighborCount } from "../lib/tsne/affinity.ts";
import { DEFAULT_THETA } from "../lib/tsne/barnes_hut.ts";
import { exactKl, trustworthiness } from "../lib/tsne/quality.ts";
import { initialEmbedding } from "../lib/tsne/tsne.ts";
import { estimateTsneMemory } from "../lib/tsne/memory.ts";
import { parallelNearestNeighbors } from "../lib/tsne/workers.ts";
import { numberOption, parseCommand, usageError } from "../cli/args.ts";
import {
  exists,
  gridKnnAccuracy,
  type Measured,
  readF64,
  runMeasured,
  STDBUF_BINARY,
  TIME_BINARY,
  writeF64,
} from "./tsne_measure.ts";
import {
  decodeFitsneResult,
  encodeFitsneInput,
  FITSNE_VERSION,
  fitsneSettings,
} from "./tsne_fitsne.ts";

const MNIST_MAX = 10000;
const DIMS = 50;
const CLUSTERS = 10;
const QUALITY_K = 10;
const PERPLEXITY = 30;
const MIB = 2 ** 20;
/** glibc settings that keep FIt-SNE from returning its FFT grids to the kernel every step. */
const FITSNE_MALLOC = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295";

const PEER_LABEL: Record<string, string> = {
  sklearn: "scikit-learn",
  rtsne: "Rtsne",
  fitsne: "FIt-SNE",
};

const spec = {
  usage: "deno task bench:tsne [--n LIST] [--data auto|mnist|mixture] [--methods LIST]\n" +
    "         [--peers LIST] [--fitsne PATH] [--workers W] [--seed S] [--out DIR] [--json]",
  description:
    "Times our t-SNE against scikit-learn, Rtsne and FIt-SNE on the same rows, each in its own\n" +
    "process under /usr/bin/time -v (peak memory), and scores every embedding with the same\n" +
    "exact KL, trustworthiness@10 and 10-NN accuracy. Sizes up to 10000 are PCA-50 MNIST digits,\n" +
    "larger ones a 10-cluster Gaussian mixture in 50 dimensions (--data changes that).",
  options: {
    n: {
      type: "string" as const,
      value: "LIST",
      description: "sizes, comma-separated",
      default: "1000,2500,5000,10000,20000,50000,100000",
    },
    data: {
      type: "string" as const,
      value: "D",
      description: `auto (MNIST for N ≤ ${MNIST_MAX}, else the mixture), mnist or mixture`,
      default: "auto",
    },
    methods: {
      type: "string" as const,
      value: "LIST",
      description: "our gradient methods, one row each: auto, bh, fft, exact",
      default: "auto",
    },
    theta: {
      type: "string" as const,
      value: "T",
      description: "our Barnes-Hut θ (Rtsne uses 0.5; scikit-learn's angle 0.5 is our 0.25)",
      default: String(DEFAULT_THETA),
    },
    peers: {
      type: "string" as const,
      value: "LIST",
      description: "peers: sklearn, rtsne, fitsne",
      default: "sklearn,rtsne,fitsne",
    },
    fitsne: {
      type: "string" as const,
      value: "PATH",
      description: `FIt-SNE's fast_tsne binary (version ${FITSNE_VERSION}); without it, skipped`,
    },
    workers: { type: "string" as const, value: "W", description: "threads per tool", default: "2" },
    seed: {
      type: "string" as const,
      value: "S",
      description: "seed for every tool and for the mixture",
      default: "42",
    },
    "trust-max": {
      type: "string" as const,
      value: "N",
      description: "largest N for trustworthiness (O(N²·D) per embedding)",
      default: String(MNIST_MAX),
    },
    out: {
      type: "string" as const,
      value: "DIR",
      description: "work folder (results.md, results.json)",
      default: "out/bench_tsne",
    },
    json: { type: "boolean" as const, description: "print only a JSON object on stdout" },
  },
};

const { values } = parseCommand(Deno.args, spec);
function list(name: string): string[] {
  return String(
    values[name] ?? (spec.options as Record<string, { default?: string }>)[name].default,
  )
    .split(",").map((s) => s.trim()).filter(Boolean);
}
function integer(name: string, min: number): number {
  const fallback = (spec.options as Record<string, { default?: string }>)[name].default;
  return numberOption(values, name, { integer: true, min }) ?? Number(fallback);
}
const sizes = list("n").map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 100)) {
  usageError(`--n must list integers ≥ 100, got ${values.n}`);
}
const dataKind = String(values.data ?? "auto");
if (!["auto", "mnist", "mixture"].includes(dataKind)) {
  usageError(`--data must be auto, mnist or mixture, got ${dataKind}`);
}
if (dataKind === "mnist" && sizes.some((n) => n > MNIST_MAX)) {
  usageError(`--data mnist has ${MNIST_MAX} digits, --n asks for more`);
}
const methods = list("methods");
for (const m of methods) {
  if (!["auto", "bh", "fft", "exact"].includes(m)) usageError(`unknown method in --methods: ${m}`);
}
const peers = list("peers");
for (const p of peers) {
  if (!["sklearn", "rtsne", "fitsne"].includes(p)) usageError(`unknown peer in --peers: ${p}`);
}
const theta = Number(values.theta ?? DEFAULT_THETA);
if (!(theta >= 0)) usageError(`--theta must be a number ≥ 0, got ${values.theta}`);
const threads = integer("workers", 1);
const seed = integer("seed", 0);
const trustMax = integer("trust-max", 0);
const dir = String(values.out ?? "out/bench_tsne");
const asJson = values.json === true;
const here = new URL(".", import.meta.url).pathname;
const log = (s: string) => console.error(s);

if (!(await exists(TIME_BINARY))) {
  console.error(
    `error: ${TIME_BINARY} is missing (Debian: apt-get install time); it measures peak memory`,
  );
  Deno.exit(1);
}
let fitsnePath: string | undefined;
if (values.fitsne !== undefined) {
  try {
    fitsnePath = await Deno.realPath(String(values.fitsne));
  } catch {
    usageError(`--fitsne ${values.fitsne}: no such file`);
  }
}
const lineBuffered = await exists(STDBUF_BINARY);
await Deno.mkdir(dir, { recursive: true });

/** The thread settings every peer process gets, so that none uses more cores than ours. */
const threadEnv: Record<string, string> = {
  OMP_NUM_THREADS: String(threads),
  OPENBLAS_NUM_THREADS: String(threads),
  MKL_NUM_THREADS: String(threads),
};

// The machine and the BLAS the Python peer will load, for the report's header.
async function environment() {
  const env: Record<string, string> = {
    deno: Deno.version.deno,
    cores: String(navigator.hardwareConcurrency),
    loadAverage: Deno.loadavg().map((v) => v.toFixed(2)).join(" "),
    threads: String(threads),
  };
  env.libblas = await Deno.realPath("/usr/lib/x86_64-linux-gnu/libblas.so.3").catch(() => "?");
  if (peers.includes("sklearn")) {
    try {
      const r = await new Deno.Command("/usr/bin/python3", {
        args: [`${here}tsne_sklearn.py`, "--blas"],
        env: threadEnv,
        stderr: "null",
      }).output();
      const info = JSON.parse(new TextDecoder().decode(r.stdout)) as {
        numpy: string;
        blas: {
          internal_api: string;
          version: string;
          threading_layer: string;
          filepath: string;
          num_threads: number;
        }[];
      };
      env.numpyBlas = info.blas.length
        ? info.blas.map((b) =>
          `${b.internal_api} ${
            b.version ?? ""
          } (${b.threading_layer}, ${b.num_threads} threads, ${b.filepath})`
        ).join("; ")
        : "unknown (threadpoolctl missing)";
    } catch {
      env.numpyBlas = "unknown (numpy not importable by /usr/bin/python3)";
    }
  }
  return env;
}

interface Row {
  n: number;
  data: string;
  /** Peer key (`sklearn`, `rtsne`, `fitsne`) or `ours:METHOD`. */
  id: string;
  tool: string;
  seconds: number | null;
  wallSeconds: number | null;
  peakBytes: number | null;
  estimateBytes: number | null;
  kl: number | null;
  trust: number | null;
  acc: number | null;
  note: string;
}

function failure(r: Measured, notInstalled: string): string {
  if (r.code === 127) return `skipped: not installed (${notInstalled})`;
  const lines = (r.stderr.trim() || r.stdout.trim()).split("\n");
  return `failed (exit ${r.code}): ${lines[lines.length - 1].slice(0, 160)}`;
}

/** Runs one peer on the data in `work`; returns its embedding and row fields, or a note. */
async function runPeer(
  name: string,
  work: string,
  x: NDArray,
  init: NDArray,
): Promise<
  { y: NDArray; seconds: number; measured: Measured; tool: string; note: string } | string
> {
  const [n, d] = x.shape;
  const out = `${work}/${name}.f64`;
  let r: Measured;
  if (name === "fitsne") {
    if (!fitsnePath) return "skipped: no --fitsne PATH (see README: building FIt-SNE)";
    const fdir = `${work}/fitsne`;
    await Deno.mkdir(fdir, { recursive: true });
    await Deno.writeFile(
      `${fdir}/data.dat`,
      encodeFitsneInput(x, fitsneSettings(n, { seed, perplexity: PERPLEXITY }), init),
    );
    r = await runMeasured(fitsnePath, [FITSNE_VERSION, "data.dat", "result.dat", String(threads)], {
      cwd: fdir,
      scratch: work,
      env: { ...threadEnv, GLIBC_TUNABLES: FITSNE_MALLOC },
      marks: [/^Computing input similarities/, /^Wrote the /],
      lineBuffered,
    });
    await Deno.remove(`${fdir}/data.dat`).catch(() => {});
    if (r.stdout.includes("wrong version number")) {
      return `failed: ${fitsnePath} is not FIt-SNE ${FITSNE_VERSION} (this driver writes its format)`;
    }
    if (r.code !== 0) return failure(r, fitsnePath);
    const y = decodeFitsneResult(await Deno.readFile(`${fdir}/result.dat`)).embedding;
    const [t0, t1] = r.marks;
    const timed = t0 !== null && t1 !== null && lineBuffered;
    return {
      y,
      seconds: timed ? t1! - t0! : r.wallSeconds,
      measured: r,
      tool: `FIt-SNE ${FITSNE_VERSION}`,
      note: `FFT, Annoy, our init${timed ? "" : "; whole-process seconds"}`,
    };
  }
  const args = [`${work}/x.f64`, String(n), String(d), out, String(seed), String(threads)];
  if (name === "sklearn") {
    r = await runMeasured("/usr/bin/python3", [`${here}tsne_sklearn.py`, ...args], {
      env: threadEnv,
      scratch: work,
    });
  } else {
    r = await runMeasured("Rscript", [`${here}tsne_rtsne.R`, ...args], {
      env: threadEnv,
      scratch: work,
    });
  }
  if (r.code !== 0) {
    return failure(
      r,
      name === "sklearn" ? "apt-get install python3-sklearn" : "apt-get install r-cran-rtsne",
    );
  }
  const info = JSON.parse(r.stdout.trim().split("\n").slice(-1)[0]) as {
    seconds: number;
    version?: string;
  };
  const label = name === "sklearn" ? "scikit-learn" : "Rtsne";
  return {
    y: await readF64(out, n, 2),
    seconds: info.seconds,
    measured: r,
    tool: `${label} ${info.version ?? ""}`.trim(),
    note: name === "sklearn"
      ? "BH angle 0.5, exact k-NN, PCA init"
      : "BH θ 0.5, VP tree, random init",
  };
}

const env = await environment();
if (env.numpyBlas !== undefined && !/openblas|mkl|blis/i.test(env.numpyBlas)) {
  log(
    `warning: numpy uses ${env.numpyBlas}; the reference BLAS slows scikit-learn several times` +
      " (apt-get install libopenblas0-pthread)",
  );
}
log(`bench:tsne: ${Object.entries(env).map(([k, v]) => `${k} ${v}`).join("; ")}`);

const rows: Row[] = [];
for (const n of sizes) {
  const mnist = dataKind === "mnist" || (dataKind === "auto" && n <= MNIST_MAX);
  const data = mnist ? "MNIST" : "mixture";
  const { x, labels } = mnist
    ? await mnistPca({ n })
    : gaussianMixture({ n, dims: DIMS, clusters: CLUSTERS, seed });
  const work = `${dir}/${data.toLowerCase()}_${n}`;
  await Deno.mkdir(work, { recursive: true });
  await writeF64(`${work}/x.f64`, x);
  log(`bench:tsne N = ${n} (${data}): evaluator's P (exact ${3 * PERPLEXITY}-NN)...`);
  const k = knnNeighborCount(x, { perplexity: PERPLEXITY });
  const p =
    affinitiesFromKnn(await parallelNearestNeighbors(x, k, { workers: threads }), PERPLEXITY)
      .p;
  const init = initialEmbedding(x, { seed });
  const score = (y: NDArray) => ({
    kl: exactKl(p, y),
    trust: n <= trustMax ? trustworthiness(x, y, { k: QUALITY_K }) : null,
    acc: gridKnnAccuracy(y, labels, QUALITY_K),
  });
  const empty = { seconds: null, wallSeconds: null, peakBytes: null, estimateBytes: null };
  const blank = { kl: null, trust: null, acc: null };
  for (const method of methods) {
    log(`bench:tsne N = ${n}: ours (${method})...`);
    const out = `${work}/ours_${method}.f64`;
    const r = await runMeasured(Deno.execPath(), [
      "run",
      "--allow-read",
      `--allow-write=${work}`,
      `${here}tsne_run.ts`,
      `${work}/x.f64`,
      String(n),
      String(x.shape[1]),
      out,
      method,
      String(theta),
      String(threads),
      String(seed),
    ], { scratch: work });
    const id = `ours:${method}`;
    if (r.code !== 0) {
      rows.push({
        n,
        data,
        id,
        tool: `ours ${method}`,
        ...empty,
        ...blank,
        note: failure(r, "deno"),
      });
      continue;
    }
    const info = JSON.parse(r.stdout.trim().split("\n").slice(-1)[0]) as {
      seconds: number;
      method: string;
    };
    const used = info.method === "bh" ? `bh θ ${theta}` : info.method;
    const est = estimateTsneMemory(n, x.shape[1], {
      method: info.method as "bh",
      workers: threads,
    });
    rows.push({
      n,
      data,
      id,
      tool: method === "auto" ? `ours auto → ${used}` : `ours ${used}`,
      seconds: info.seconds,
      wallSeconds: r.wallSeconds,
      peakBytes: r.peakBytes,
      estimateBytes: est.bytes,
      ...score(await readF64(out, n, 2)),
      note: `estimate ${Math.round(est.bytes / MIB)} MiB`,
    });
  }
  for (const name of peers) {
    log(`bench:tsne N = ${n}: ${name}...`);
    const r = await runPeer(name, work, x, init);
    if (typeof r === "string") {
      rows.push({ n, data, id: name, tool: name, ...empty, ...blank, note: r });
      continue;
    }
    rows.push({
      n,
      data,
      id: name,
      tool: r.tool,
      seconds: r.seconds,
      wallSeconds: r.measured.wallSeconds,
      peakBytes: r.measured.peakBytes,
      estimateBytes: null,
      ...score(r.y),
      note: r.note,
    });
  }
  await Deno.remove(`${work}/x.f64`).catch(() => {});
  log(textTable(table(rows.filter((r) => r.n === n))));
}

function fmt(v: number | null, digits: number): string {
  return v === null ? "—" : v.toFixed(digits);
}

function table(rs: Row[]) {
  return {
    caption: `t-SNE, perplexity 30, 1000 iterations, ${threads} threads per tool; seconds: the ` +
      `fit; ÷ peer: this row's seconds over the peer's in the same run; KL(P‖Q) exact (all N² ` +
      `pairs) for one perplexity-30 P on the exact 90-NN, trust@10 up to N = ${trustMax}, ` +
      `10-NN accuracy on the labels; peak: maximum resident set size (/usr/bin/time -v)`,
    headers: [
      "N",
      "data",
      "tool",
      "seconds",
      ...peers.map((p) => `÷ ${PEER_LABEL[p]}`),
      "KL",
      "trust@10",
      "10-NN acc",
      "peak MiB",
      "note",
    ],
    rows: rs.map((r) => [
      String(r.n),
      r.data,
      r.tool,
      fmt(r.seconds, 2),
      ...peers.map((p) => {
        const peer = rs.find((x) => x.n === r.n && x.id === p);
        return fmt(r.seconds && peer?.seconds ? r.seconds / peer.seconds : null, 2);
      }),
      fmt(r.kl, 4),
      fmt(r.trust, 4),
      fmt(r.acc, 4),
      r.peakBytes === null ? "—" : String(Math.round(r.peakBytes / MIB)),
      r.note,
    ]),
  };
}

const t = table(rows);
const header = Object.entries(env).map(([k, v]) => `${k}: ${v}`).join("\n");
const md = [
  t.caption,
  "",
  `| ${t.headers.join(" | ")} |`,
  `|${
    t.headers.map((_, j) => (j === 1 || j === 2 || j === t.headers.length - 1 ? "---" : "--:"))
      .join("|")
  }|`,
  ...t.rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
await writeTextAtomic(`${dir}/results.md`, `${header}\n\n${md}\n`);
const json = { environment: env, rows };
await writeTextAtomic(`${dir}/results.json`, JSON.stringify(json, null, 2) + "\n");
if (asJson) console.log(JSON.stringify(json));
else console.log(`${header}\n\n${textTable(t)}\n\nwrote ${dir}/results.md and ${dir}/results.json`);
