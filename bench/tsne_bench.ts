/**
 * `deno task bench:tsne`: our t-SNE side by side with scikit-learn (Debian's python3-sklearn, run
 * with /usr/bin/python3) and Rtsne (Debian's r-cran-rtsne) on the same PCA-50 MNIST rows, for
 * N = 1000, 2500, 5000, 10000 (or `--n 1000,2500`), ours at θ = 0.5 (Rtsne's setting, same
 * half-width convention) and θ = 0.2 (more accurate than scikit-learn's angle 0.5, which is our
 * 0.25). Every embedding is scored by the same
 * evaluator (ours): exact KL(P‖Q) for the perplexity-30 k-NN P, trustworthiness@10 and
 * leave-one-out 10-NN accuracy. Seconds are the fit only (affinities + optimization; no PCA, no
 * process start, no CSV I/O). A peer that is not installed is reported as skipped.
 *
 * usage: deno run --allow-read --allow-write=out --allow-run bench/tsne_bench.ts
 *          [--n 1000,2500,5000,10000] [--theta 0.5,0.2] [--seed 42] [--workers 2]
 *          [--peers sklearn,rtsne] [--out out/bench_tsne]
 *
 * @module
 */

import { type NDArray, textTable, writeTextAtomic } from "../mod.ts";
import { mnistPca } from "../lib/data/mnist.ts";
import { knnAffinities } from "../lib/tsne/affinity.ts";
import { exactKl, knnAccuracy, trustworthiness } from "../lib/tsne/quality.ts";
import { tsne } from "../lib/tsne/tsne.ts";
import { parseNumericCsv } from "../lib/data/csv.ts";
import { parseCommand } from "../cli/args.ts";

const spec = {
  usage: "deno task bench:tsne [--n 1000,2500,5000,10000] [--seed S] [--workers W] [--out DIR]",
  description: "Times our t-SNE against scikit-learn and Rtsne on PCA-50 MNIST and scores every\n" +
    "embedding with the same exact KL, trustworthiness@10 and 10-NN accuracy.",
  options: {
    n: {
      type: "string" as const,
      value: "LIST",
      description: "sizes",
      default: "1000,2500,5000,10000",
    },
    seed: {
      type: "string" as const,
      value: "S",
      description: "seed for every tool",
      default: "42",
    },
    workers: { type: "string" as const, value: "W", description: "threads per tool", default: "2" },
    out: {
      type: "string" as const,
      value: "DIR",
      description: "work folder",
      default: "out/bench_tsne",
    },
    peers: {
      type: "string" as const,
      value: "LIST",
      description: "peers",
      default: "sklearn,rtsne",
    },
    theta: {
      type: "string" as const,
      value: "LIST",
      description: "our Barnes-Hut θ values (Rtsne uses 0.5; scikit-learn's angle 0.5 is our 0.25)",
      default: "0.5,0.2",
    },
  },
};

const { values } = parseCommand(Deno.args, spec);
const sizes = String(values.n ?? "1000,2500,5000,10000").split(",").map(Number);
const seed = Number(values.seed ?? 42);
const threads = Number(values.workers ?? 2);
const dir = String(values.out ?? "out/bench_tsne");
const peers = String(values.peers ?? "sklearn,rtsne").split(",").filter(Boolean);
const thetas = String(values.theta ?? "0.5,0.2").split(",").map(Number);
await Deno.mkdir(dir, { recursive: true });
const here = new URL(".", import.meta.url).pathname;

interface Row {
  n: number;
  tool: string;
  seconds: number | null;
  kl: number | null;
  trust: number | null;
  acc: number | null;
  note: string;
}

const PEERS: Record<string, { cmd: string; args: (inp: string, out: string) => string[] }> = {
  sklearn: {
    cmd: "/usr/bin/python3",
    args: (inp, out) => [`${here}tsne_sklearn.py`, inp, out, String(seed), String(threads)],
  },
  rtsne: {
    cmd: "Rscript",
    args: (inp, out) => [`${here}tsne_rtsne.R`, inp, out, String(seed), String(threads)],
  },
};

async function runPeer(name: string, input: string, n: number): Promise<NDArray | string> {
  const out = `${dir}/${name}_${n}.csv`;
  const peer = PEERS[name];
  let res;
  try {
    res = await new Deno.Command(peer.cmd, { args: peer.args(input, out), stderr: "piped" })
      .output();
  } catch (e) {
    return `not run: ${e instanceof Error ? e.message : e}`;
  }
  const stdout = new TextDecoder().decode(res.stdout).trim();
  if (!res.success) {
    const err = new TextDecoder().decode(res.stderr).trim().split("\n").slice(-1)[0];
    return `failed: ${err}`;
  }
  const info = JSON.parse(stdout.split("\n").slice(-1)[0]) as { seconds: number };
  const y = parseNumericCsv(await Deno.readTextFile(out), { source: out }).data;
  (y as NDArray & { seconds?: number }).seconds = info.seconds;
  return y;
}

const rows: Row[] = [];
for (const n of sizes) {
  const { x, labels } = await mnistPca({ n });
  const input = `${dir}/mnist_pca50_${n}.csv`;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(Array.from(x.data.subarray(i * 50, (i + 1) * 50)).join(","));
  }
  await writeTextAtomic(input, lines.join("\n") + "\n");
  const p = knnAffinities(x, { perplexity: 30 }).p;
  const score = (tool: string, y: NDArray, seconds: number, note = ""): Row => ({
    n,
    tool,
    seconds,
    kl: exactKl(p, y),
    trust: trustworthiness(x, y, { k: 10 }),
    acc: knnAccuracy(y, labels, { k: 10 }),
    note,
  });
  for (const theta of thetas) {
    console.error(`bench:tsne N = ${n}: ours, θ = ${theta}...`);
    const ours = await tsne(x, { method: "bh", theta, workers: threads, seed });
    rows.push(
      score(`ours (bh θ ${theta})`, ours.embedding, ours.seconds.total, `${threads} threads`),
    );
  }
  for (const name of peers) {
    console.error(`bench:tsne N = ${n}: ${name}...`);
    const r = await runPeer(name, input, n);
    if (typeof r === "string") {
      rows.push({ n, tool: name, seconds: null, kl: null, trust: null, acc: null, note: r });
    } else {
      rows.push(score(name, r, (r as NDArray & { seconds: number }).seconds, `${threads} threads`));
    }
  }
  console.error(textTable(table(rows.filter((r) => r.n === n))));
}

function fmt(v: number | null, digits: number): string {
  return v === null ? "—" : v.toFixed(digits);
}

function table(rs: Row[]) {
  const oursTools = [...new Set(rs.filter((r) => r.tool.startsWith("ours")).map((r) => r.tool))];
  return {
    caption:
      "t-SNE on PCA-50 MNIST (perplexity 30, 1000 iterations); KL, T@10 and 10-NN by our evaluator",
    headers: [
      "N",
      "tool",
      "seconds",
      ...oursTools.map((o) => `${o.replace(/^ours \(bh (.*)\)$/, "ours $1")} ÷ tool`),
      "exact KL",
      "trust@10",
      "10-NN acc",
      "note",
    ],
    rows: rs.map((r) => [
      String(r.n),
      r.tool,
      fmt(r.seconds, 2),
      // Time ratios: each of our configurations over this tool (< 1: ours is faster).
      ...oursTools.map((o) => {
        const ours = rs.find((x) => x.n === r.n && x.tool === o);
        return fmt(r.seconds && ours?.seconds ? ours.seconds / r.seconds : null, 2);
      }),
      fmt(r.kl, 4),
      fmt(r.trust, 4),
      fmt(r.acc, 4),
      r.note,
    ]),
  };
}

const t = table(rows);
console.log(textTable(t));
const md = [
  `| ${t.headers.join(" | ")} |`,
  `|${t.headers.map(() => "---").join("|")}|`,
  ...t.rows.map((r) => `| ${r.join(" | ")} |`),
].join("\n");
await writeTextAtomic(`${dir}/results.md`, md + "\n");
await writeTextAtomic(`${dir}/results.json`, JSON.stringify(rows, null, 2) + "\n");
