/**
 * Our gradient checker against the standard, PyTorch's `torch.autograd.gradcheck`, side by side in
 * one run (issue 3, Speed): the same seeded inputs go to both, each case is checked in full mode
 * and in fast mode, and one table gives seconds per case, the ratio ours/PyTorch and whether the
 * verdicts agree.
 *
 * Run: `deno task bench:gradcheck`, i.e.
 * `deno run --allow-read --allow-run=/usr/bin/python3 --allow-env bench/gradcheck_torch.ts`.
 * PyTorch comes from Debian (`apt-get install -y python3-torch`, run as `/usr/bin/python3`,
 * float64, default eps/atol/rtol, `OPENBLAS_NUM_THREADS=1`); when it is missing the table has our
 * column only and says so. `--json` prints the rows as JSON instead of the table.
 *
 * How the two compare: for an op with outputs, PyTorch builds the whole numeric Jacobian (2
 * forward passes per input entry) and the analytic one (one backward pass per output entry); we
 * perturb the same entries (2 forward passes each) but compare against one VJP with a random
 * upstream gradient, so our full mode needs one backward pass in all. Fast mode on both sides
 * checks random projections uᵀJv.
 */
import { NDArray, randn } from "../lib/ndarray.ts";
import { Random } from "../lib/random.ts";
import { checkGradient, checkOp, type CheckOptions } from "../lib/grad/check.ts";
import type { GradCheckReport } from "../lib/grad/report.ts";
import type { Inputs } from "../lib/grad/numeric.ts";
import { loadMnist } from "../lib/data/mnist.ts";
import { conv2dBackward, conv2dForward } from "../lib/ops/conv.ts";
import { maxPool2dBackward, maxPool2dForward } from "../lib/ops/pooling.ts";
import {
  crossEntropyBackward,
  crossEntropyForward,
  logSoftmaxForward,
} from "../lib/ops/softmax.ts";
import { linearRowsBackward, linearRowsForward } from "../lib/ops/linear.ts";
import { BATCH_NORM_EPS, batchNormBackward, batchNormForward } from "../lib/ops/batch_norm.ts";
import { tanhBackward, tanhForward } from "../lib/ops/activations.ts";
import { textTable } from "../lib/view/table.ts";
import { parseCommand } from "../cli/args.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./gradcheck_torch.py", import.meta.url).pathname;
/**
 * A check that takes TIME_BUDGET_S or more is timed once. A quicker one is first run untimed until
 * WARMUP_S is spent (the JIT tiers up our code, PyTorch does its lazy set-up: both sides alike),
 * then timed in samples of about SAMPLE_S each (enough back-to-back runs that a garbage-collection
 * pause is averaged in, not drawn or missed by luck) until TIME_BUDGET_S is spent, at most
 * MAX_SAMPLES; the median sample, per run, is kept.
 */
const TIME_BUDGET_S = 1;
const WARMUP_S = 0.5;
const SAMPLE_S = 0.02;
const MAX_SAMPLES = 20;
const SEED = 2026;
const ONE = new NDArray(Float64Array.of(1), []);

type Mode = "full" | "fast";

interface BenchCase {
  name: string;
  shapes: string;
  /** Our check of the case in a mode. */
  ours: (mode: Mode) => GradCheckReport;
  /** What the Python side needs to rebuild the same check. */
  torch: Record<string, unknown>;
}

function spec(a: NDArray): { shape: number[]; data: number[] } {
  return { shape: [...a.shape], data: Array.from(a.data) };
}

function specs(inputs: Inputs): Record<string, { shape: number[]; data: number[] }> {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, spec(v)]));
}

function labelsOf(n: number, classes: number, seed: number): number[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => rng.int(classes));
}

/** Distinct values 0.1 apart in seeded order: no ties or kinks within reach of the step. */
function separated(shape: number[], seed: number): NDArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const perm = new Random(seed).permutation(size);
  return new NDArray(Float64Array.from(perm, (p) => (p - size / 2) * 0.1), shape);
}

function opts(mode: Mode): CheckOptions {
  return { mode };
}

function softmaxCeCase(): BenchCase {
  const x = randn([64, 10], { seed: SEED });
  const labels = labelsOf(64, 10, SEED + 1);
  return {
    name: "softmax-CE",
    shapes: "logits [64, 10]",
    ours: (mode) =>
      checkGradient(
        (z: NDArray) => crossEntropyForward(z, labels).out.item(),
        (z: NDArray) => crossEntropyBackward(ONE, crossEntropyForward(z, labels).cache).dx,
        x,
        opts(mode),
      ),
    torch: { kind: "softmax-ce", inputs: specs({ x }), labels },
  };
}

function linearCase(): BenchCase {
  const inputs = {
    x: randn([64, 100], { seed: SEED + 2 }),
    w: randn([100, 50], { seed: SEED + 3 }),
    b: randn([50], { seed: SEED + 4 }),
  };
  return {
    name: "linear",
    shapes: "x [64, 100] · Wᵀ [100, 50] + b [50], all inputs",
    ours: (mode) =>
      checkOp(
        {
          forward: (i: Inputs) => linearRowsForward(i.x, { w: i.w, b: i.b }),
          backward: linearRowsBackward,
        },
        inputs,
        opts(mode),
      ),
    torch: { kind: "linear", inputs: specs(inputs) },
  };
}

async function mlpCase(): Promise<BenchCase> {
  const digits = 16, hidden = 32, classes = 10;
  const { images, labels } = await loadMnist({ n: digits });
  const d = images.shape[1];
  const params = {
    w1: randn([d, hidden], { seed: SEED + 5, std: 1 / Math.sqrt(d) }),
    b1: randn([hidden], { seed: SEED + 6, std: 0.1 }),
    w2: randn([hidden, classes], { seed: SEED + 7, std: 1 / Math.sqrt(hidden) }),
    b2: randn([classes], { seed: SEED + 8, std: 0.1 }),
  };
  const y = Array.from(labels);
  // loss = CE(tanh(x·W1 + b1)·W2 + b2, y), mean over the 16 digits, from lib/ops pieces
  const forward = (p: Inputs) => {
    const l1 = linearRowsForward(images, { w: p.w1, b: p.b1 });
    const a = tanhForward(l1.out);
    const l2 = linearRowsForward(a.out, { w: p.w2, b: p.b2 });
    const ce = crossEntropyForward(l2.out, y);
    return { loss: ce.out.item(), l1, a, l2, ce };
  };
  const gradient = (p: Inputs) => {
    const f = forward(p);
    const dz = crossEntropyBackward(ONE, f.ce.cache).dx;
    const g2 = linearRowsBackward(dz, f.l2.cache);
    const dh = tanhBackward(g2.dx, f.a.cache).dx;
    const g1 = linearRowsBackward(dh, f.l1.cache);
    return { w1: g1.dw, b1: g1.db as NDArray, w2: g2.dw, b2: g2.db as NDArray };
  };
  return {
    name: "MLP loss",
    shapes: "784-32-10 tanh, CE on 16 MNIST digits, W1 b1 W2 b2",
    ours: (mode) => checkGradient((p: Inputs) => forward(p).loss, gradient, params, opts(mode)),
    torch: { kind: "mlp", inputs: specs(params), images: spec(images), labels: y },
  };
}

function conv2dCase(): BenchCase {
  const inputs = {
    x: randn([2, 3, 8, 8], { seed: SEED + 9 }),
    w: randn([4, 3, 3, 3], { seed: SEED + 10 }),
    b: randn([4], { seed: SEED + 11 }),
  };
  return {
    name: "conv2d",
    shapes: "x [2, 3, 8, 8], w [4, 3, 3, 3], b [4], pad 1",
    ours: (mode) =>
      checkOp(
        {
          forward: (i: Inputs) => conv2dForward(i.x, i.w, { b: i.b, padding: 1 }),
          backward: conv2dBackward,
        },
        inputs,
        opts(mode),
      ),
    torch: { kind: "conv2d", inputs: specs(inputs), padding: 1 },
  };
}

function maxPoolCase(): BenchCase {
  const x = separated([2, 3, 8, 8], SEED + 12);
  return {
    name: "max-pool",
    shapes: "2x2 on x [2, 3, 8, 8]",
    ours: (mode) =>
      checkOp(
        {
          forward: (i: Inputs) => maxPool2dForward(i.x, { size: 2 }),
          backward: maxPool2dBackward,
        },
        { x },
        opts(mode),
      ),
    torch: { kind: "maxpool", inputs: specs({ x }), size: 2 },
  };
}

function batchNormCase(): BenchCase {
  const inputs = {
    x: randn([16, 8], { seed: SEED + 13 }),
    gamma: randn([8], { seed: SEED + 14 }),
    beta: randn([8], { seed: SEED + 15 }),
  };
  return {
    name: "batch norm",
    shapes: "x [16, 8], γ [8], β [8], training",
    ours: (mode) =>
      checkOp(
        {
          forward: (i: Inputs) => batchNormForward(i.x, { gamma: i.gamma, beta: i.beta }),
          backward: batchNormBackward,
        },
        inputs,
        opts(mode),
      ),
    torch: { kind: "batchnorm", inputs: specs(inputs), eps: BATCH_NORM_EPS },
  };
}

/**
 * Second order on log-softmax, as `gradgradcheck` does it: the VJP `g(x, v) = v − s·Σⱼvⱼ` (row by
 * row, s = softmax x) is itself checked as an op of both x and v, with its hand-derived backward
 * `dx = −(Σv)(s ⊙ u − s (s·u))` (the Hessian-vector product) and `dv = u − (s·u)𝟏`.
 */
function logSoftmaxSecondOrderCase(): BenchCase {
  const x = randn([8, 10], { seed: SEED + 16 });
  const v = randn([8, 10], { seed: SEED + 17 });
  interface VjpCache {
    s: NDArray;
    v: NDArray;
  }
  const op = {
    forward: (i: Inputs) => {
      const s = logSoftmaxForward(i.x).cache.probs;
      const [rows, c] = s.shape;
      const g = new Float64Array(s.size);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < c; j++) sum += i.v.data[r * c + j];
        for (let j = 0; j < c; j++) g[r * c + j] = i.v.data[r * c + j] - s.data[r * c + j] * sum;
      }
      return { out: new NDArray(g, s.shape), cache: { s, v: i.v } as VjpCache };
    },
    backward: (u: NDArray, cache: VjpCache) => {
      const { s, v: vv } = cache;
      const [rows, c] = s.shape;
      const dx = new Float64Array(s.size), dv = new Float64Array(s.size);
      for (let r = 0; r < rows; r++) {
        let sumV = 0, su = 0;
        for (let j = 0; j < c; j++) {
          sumV += vv.data[r * c + j];
          su += s.data[r * c + j] * u.data[r * c + j];
        }
        for (let j = 0; j < c; j++) {
          const k = r * c + j;
          dx[k] = -sumV * (s.data[k] * u.data[k] - s.data[k] * su);
          dv[k] = u.data[k] - su;
        }
      }
      return { dx: new NDArray(dx, s.shape), dv: new NDArray(dv, s.shape) };
    },
  };
  return {
    name: "log-softmax 2nd order",
    shapes: "x [8, 10] (gradgradcheck)",
    ours: (mode) => checkOp(op, { x, v }, opts(mode)),
    torch: { kind: "logsoftmax-2nd", inputs: specs({ x }) },
  };
}

function timed(run: () => GradCheckReport): { seconds: number; ok: boolean } {
  let t = performance.now();
  let ok = run().ok;
  const first = (performance.now() - t) / 1000;
  if (first >= TIME_BUDGET_S) return { seconds: first, ok };
  let warm = first, warmRuns = 1;
  for (; warm < WARMUP_S; warmRuns++) {
    t = performance.now();
    ok = run().ok && ok;
    warm += (performance.now() - t) / 1000;
  }
  const perSample = Math.max(1, Math.round(SAMPLE_S / (warm / warmRuns)));
  const samples: number[] = [];
  let spent = 0;
  while (spent < TIME_BUDGET_S && samples.length < MAX_SAMPLES) {
    t = performance.now();
    for (let i = 0; i < perSample; i++) ok = run().ok && ok;
    const elapsed = (performance.now() - t) / 1000;
    samples.push(elapsed / perSample);
    spent += elapsed;
  }
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  return {
    seconds: samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2,
    ok,
  };
}

interface TorchRow {
  full: { seconds: number; ok: boolean };
  fast: { seconds: number; ok: boolean };
}

/** PyTorch in a child process that answers one case per line, so the two tools interleave. */
class TorchWorker {
  readonly version: string;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  readonly #stderr: Promise<string>;

  private constructor(
    child: Deno.ChildProcess,
    lines: AsyncIterator<string>,
    stderr: Promise<string>,
    version: string,
  ) {
    this.#child = child;
    this.#stderr = stderr;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines;
    this.version = version;
  }

  /** Starts the Python side, or says in words why it cannot run. */
  static async start(): Promise<TorchWorker | string> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(PYTHON, {
        args: [SCRIPT],
        env: { OPENBLAS_NUM_THREADS: "1" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      return `PyTorch column skipped: cannot run ${PYTHON} (${e instanceof Error ? e.message : e})`;
    }
    const stderr = new Response(child.stderr).text(); // drained all along, read on failure
    const lines = splitLines(child.stdout);
    const first = await lines.next();
    if (first.done) {
      const err = await stderr;
      await child.status;
      if (/No module named 'torch'/.test(err)) {
        return "PyTorch column skipped: PyTorch is not installed (apt-get install -y python3-torch)";
      }
      return `PyTorch column skipped: ${PYTHON} ${SCRIPT} failed:\n${err.slice(-2000)}`;
    }
    return new TorchWorker(child, lines, stderr, JSON.parse(first.value).torch);
  }

  /** Checks one case with PyTorch (full and fast mode). */
  async run(c: BenchCase): Promise<TorchRow> {
    const line = JSON.stringify({ name: c.name, ...c.torch }) + "\n";
    await this.#writer.write(new TextEncoder().encode(line));
    const answer = await this.#lines.next();
    if (answer.done) {
      throw new Error(
        `${PYTHON} ${SCRIPT} stopped while checking ${c.name}:\n${
          (await this.#stderr).slice(-2000)
        }`,
      );
    }
    return JSON.parse(answer.value);
  }

  /** Closes stdin and waits for the child to exit. */
  async close(): Promise<void> {
    await this.#writer.close();
    await this.#child.status;
    await this.#stderr;
  }
}

async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer) yield buffer;
}

function fmtSeconds(s: number | undefined): string {
  if (s === undefined) return "—";
  return s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toPrecision(3)} ms`;
}

function fmtRatio(a: number, b: number | undefined): string {
  return b === undefined ? "—" : (a / b).toFixed(2);
}

const { values } = parseCommand(Deno.args, {
  usage: "deno task bench:gradcheck [--json]",
  description:
    "Our gradient checker (full and fast modes) against torch.autograd.gradcheck on the\n" +
    "same seeded inputs, case by case, with ratios and verdicts; PyTorch from /usr/bin/python3.",
  options: { json: { type: "boolean", description: "print the rows as JSON instead of a table" } },
});
const json = values.json === true;
const cases = [
  softmaxCeCase(),
  linearCase(),
  await mlpCase(),
  conv2dCase(),
  maxPoolCase(),
  batchNormCase(),
  logSoftmaxSecondOrderCase(),
];
const torch = await TorchWorker.start();
const rows = [];
for (const c of cases) {
  // Ours, then PyTorch, case by case: both see the same load on a shared machine.
  const full = timed(() => c.ours("full"));
  const fast = timed(() => c.ours("fast"));
  const t = typeof torch === "string" ? null : await torch.run(c);
  rows.push({ case: c.name, shapes: c.shapes, ours: { full, fast }, torch: t });
}
if (typeof torch !== "string") await torch.close();

if (json) {
  console.log(JSON.stringify({
    torch: typeof torch === "string" ? null : torch.version,
    note: typeof torch === "string" ? torch : undefined,
    rows,
  }));
} else {
  const header = [
    "case",
    "shapes",
    "ours full",
    "torch full",
    "ratio",
    "ours fast",
    "torch fast",
    "ratio",
    "verdicts",
  ];
  const body = rows.map((r) => {
    const agree = r.torch
      ? (r.ours.full.ok === r.torch.full.ok && r.ours.fast.ok === r.torch.fast.ok
        ? `agree (${r.ours.full.ok ? "pass" : "fail"})`
        : `DIFFER ours ${r.ours.full.ok}/${r.ours.fast.ok} torch ${r.torch.full.ok}/${r.torch.fast.ok}`)
      : (r.ours.full.ok && r.ours.fast.ok ? "pass" : "FAIL");
    return [
      r.case,
      r.shapes,
      fmtSeconds(r.ours.full.seconds),
      fmtSeconds(r.torch?.full.seconds),
      fmtRatio(r.ours.full.seconds, r.torch?.full.seconds),
      fmtSeconds(r.ours.fast.seconds),
      fmtSeconds(r.torch?.fast.seconds),
      fmtRatio(r.ours.fast.seconds, r.torch?.fast.seconds),
      agree,
    ];
  });
  console.log(textTable({ headers: header, rows: body }));
  console.log(
    typeof torch === "string"
      ? torch
      : `PyTorch ${torch.version} (torch.autograd.gradcheck/gradgradcheck, float64, default ` +
        `eps/atol/rtol, OPENBLAS_NUM_THREADS=1); ratio = ours / PyTorch, median of timed samples after a warm-up`,
  );
}
