/**
 * Op speed, ours (float64, plain TypeScript) against the same op in tfjs 4.22 (float32) on its cpu
 * and wasm backends, in one run:
 *
 * - conv2d forward + backward (dx, dw, db) on x [8, 3, 32, 32], 16 filters 3x3, padding 1;
 * - conv2d forward alone (the one conv2d row all three can run);
 * - softmax cross-entropy forward + backward (dlogits) on logits [256, 10] with class labels.
 *
 * Run: `deno bench --allow-read bench/ops_bench.ts`. tfjs's wasm backend has no
 * `Conv2DBackpropFilter` kernel, so its conv2d row times the forward pass and dx only (the
 * benchmark says so in its name); every other row computes the same outputs as ours.
 */
import type * as TF from "@tensorflow/tfjs";
import { NDArray, randn } from "../lib/ndarray.ts";
import { Random } from "../lib/random.ts";
import { loadTf } from "../lib/grad/autodiff.ts";
import { conv2dBackward, conv2dForward } from "../lib/ops/conv.ts";
import { crossEntropyBackward, crossEntropyForward } from "../lib/ops/softmax.ts";

const CONV_X = [8, 3, 32, 32];
const CONV_W = [16, 3, 3, 3];
const CONV_PAD = 1;
const CE_ROWS = 256;
const CE_CLASSES = 10;

const x = randn(CONV_X, { seed: 1 });
const w = randn(CONV_W, { seed: 2 });
const b = randn([CONV_W[0]], { seed: 3 });
const dout = randn([CONV_X[0], CONV_W[0], CONV_X[2], CONV_X[3]], { seed: 4 });
const logits = randn([CE_ROWS, CE_CLASSES], { seed: 5 });
const rng = new Random(6);
const labels = Array.from({ length: CE_ROWS }, () => rng.int(CE_CLASSES));
const ONE = new NDArray(Float64Array.of(1), []);

const { tf } = await loadTf({ backend: "cpu" });

/** Tensors per backend, created after switching to it (a tensor lives on one backend). */
const tensors = new Map<string, Record<string, TF.Tensor>>();

async function onBackend(name: "cpu" | "wasm"): Promise<Record<string, TF.Tensor>> {
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} did not start`);
    await tf.ready();
  }
  let t = tensors.get(name);
  if (!t) {
    const f32 = (a: NDArray) => tf.tensor(Float32Array.from(a.data), [...a.shape]);
    t = {
      xNhwc: f32(x).transpose([0, 2, 3, 1]),
      wHwio: f32(w).transpose([2, 3, 1, 0]),
      b: f32(b),
      doutNhwc: f32(dout).transpose([0, 2, 3, 1]),
      logits: f32(logits),
      onehot: tf.oneHot(tf.tensor1d(labels, "int32"), CE_CLASSES),
    };
    tensors.set(name, t);
  }
  return t;
}

function tfConv(t: Record<string, TF.Tensor>, withFilterGrad: boolean): void {
  tf.tidy(() => {
    const f = (xx: TF.Tensor, ww: TF.Tensor, bb: TF.Tensor) =>
      tf.conv2d(xx as TF.Tensor4D, ww as TF.Tensor4D, 1, CONV_PAD).add(bb).mul(t.doutNhwc).sum();
    if (withFilterGrad) {
      const g = tf.grads(f)([t.xNhwc, t.wHwio, t.b]);
      for (const gi of g) gi.dataSync();
    } else {
      const g = tf.grad((xx: TF.Tensor) => f(xx, t.wHwio, t.b))(t.xNhwc);
      g.dataSync();
    }
  });
}

function tfCe(t: Record<string, TF.Tensor>): void {
  tf.tidy(() => {
    const g = tf.grad((z: TF.Tensor) => tf.losses.softmaxCrossEntropy(t.onehot, z))(t.logits);
    g.dataSync();
  });
}

Deno.bench("conv2d fwd+bwd [8,3,32,32] * [16,3,3,3] pad 1 — ours (float64)", {
  group: "conv2d",
  baseline: true,
}, () => {
  const { out, cache } = conv2dForward(x, w, { b, padding: CONV_PAD });
  if (out.size !== dout.size) throw new Error("shape");
  conv2dBackward(dout, cache);
});

Deno.bench("conv2d fwd+bwd — tfjs cpu (float32)", { group: "conv2d" }, async () => {
  tfConv(await onBackend("cpu"), true);
});

Deno.bench("conv2d fwd+dx only (no filter gradient kernel) — tfjs wasm", {
  group: "conv2d",
}, async () => {
  tfConv(await onBackend("wasm"), false);
});

Deno.bench("softmax-CE fwd+bwd [256, 10] — ours (float64)", {
  group: "softmax-ce",
  baseline: true,
}, () => {
  const { cache } = crossEntropyForward(logits, labels);
  crossEntropyBackward(ONE, cache);
});

Deno.bench("softmax-CE fwd+bwd — tfjs cpu (float32)", { group: "softmax-ce" }, async () => {
  tfCe(await onBackend("cpu"));
});

Deno.bench("softmax-CE fwd+bwd — tfjs wasm (float32)", { group: "softmax-ce" }, async () => {
  tfCe(await onBackend("wasm"));
});

function tfConvForward(t: Record<string, TF.Tensor>): void {
  tf.tidy(() => {
    tf.conv2d(t.xNhwc as TF.Tensor4D, t.wHwio as TF.Tensor4D, 1, CONV_PAD).add(t.b).dataSync();
  });
}

Deno.bench("conv2d forward only — ours (float64)", {
  group: "conv2d-forward",
  baseline: true,
}, () => {
  conv2dForward(x, w, { b, padding: CONV_PAD });
});

Deno.bench("conv2d forward only — tfjs cpu (float32)", { group: "conv2d-forward" }, async () => {
  tfConvForward(await onBackend("cpu"));
});

Deno.bench("conv2d forward only — tfjs wasm (float32)", { group: "conv2d-forward" }, async () => {
  tfConvForward(await onBackend("wasm"));
});
