/**
 * The convolution and pooling entries of the explicit list of ops that `deno task gradcheck`
 * checks: each with seeded inputs away from kinks and ties, and the same forward pass in tfjs.
 *
 * tfjs lays images out as NHWC with HWIO filters, where this project uses NCHW with `[F, C, KH, KW]`
 * weights; every tfjs forward pass below transposes in (`x → [0, 2, 3, 1]`, `w → [2, 3, 1, 0]`)
 * and back out (`[0, 3, 1, 2]`), and says so in its `tfNote`.
 *
 * Run these tfjs oracles on the **cpu** backend (`loadTf({ backend: "cpu" })`): tfjs 4.22's wasm
 * backend has no `Conv2DBackpropFilter` kernel (every conv gradient throws) and its max-pool
 * gradient misroutes entries on `[2, 8, 8, 3]` (checked against the cpu backend and finite
 * differences).
 *
 * @module
 */

import type * as TF from "@tensorflow/tfjs";
import { NDArray, randn } from "../ndarray.ts";
import { Random } from "../random.ts";
import type { Inputs } from "../grad/numeric.ts";
import type { OpCase } from "./op_case.ts";
import {
  conv1dBackward,
  type Conv1dCache,
  conv1dForward,
  type Conv1dMode,
  conv2dBackward,
  type Conv2dCache,
  conv2dForward,
  type ConvKind,
} from "../ops/conv.ts";
import {
  avgPool2dBackward,
  avgPool2dForward,
  type AvgPoolCache,
  globalAvgPoolBackward,
  type GlobalAvgPoolCache,
  globalAvgPoolForward,
  lpPool2dBackward,
  lpPool2dForward,
  type LpPoolCache,
  maxPool2dBackward,
  maxPool2dForward,
  type MaxPoolCache,
} from "../ops/pooling.ts";

/** Base seed of the case inputs (each case offsets it so no two share a stream). */
const CASE_SEED = 3_000;

/**
 * Distinct, well separated values in random order: a permutation of `0 … size − 1`, scaled by
 * `gap` and shifted to be centred on 0. Ties and near-ties (the kinks of max pooling) cannot occur:
 * neighbours differ by `gap`, far more than the finite-difference step.
 */
function separated(shape: number[], seed: number, gap = 0.1): NDArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const perm = new Random(seed).permutation(size);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = (perm[i] - (size - 1) / 2) * gap;
  return new NDArray(data, shape);
}

/** Standard-normal entries pushed at least `margin` away from 0 (the kink of |x| in Lp pooling). */
function awayFromZero(shape: number[], seed: number, margin = 0.2): NDArray {
  const a = randn(shape, { seed });
  const d = a.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] >= 0 ? d[i] + margin : d[i] - margin;
  return a;
}

const NCHW_TO_NHWC = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];
const FCHW_TO_HWIO = [2, 3, 1, 0];
const LAYOUT_NOTE =
  "tfjs is NHWC with HWIO filters: x is transposed [0, 2, 3, 1], w [2, 3, 1, 0], " +
  "and the output back [0, 3, 1, 2]";

/**
 * tfjs 4.22 cannot differentiate a dilated tf.conv2d, so the dilation is done by hand: `d − 1`
 * zeros between taps (pad an inserted unit axis to `d`, merge, drop the trailing zeros), an
 * equivalent dense kernel of size `d(k − 1) + 1`.
 */
function dilateKernel(w: TF.Tensor, d: number): TF.Tensor {
  if (d === 1) return w;
  const [f, c, kh, kw] = w.shape;
  const spread = w.reshape([f, c, kh, 1, kw, 1])
    .pad([[0, 0], [0, 0], [0, 0], [0, d - 1], [0, 0], [0, d - 1]])
    .reshape([f, c, kh * d, kw * d]);
  return spread.slice([0, 0, 0, 0], [f, c, d * (kh - 1) + 1, d * (kw - 1) + 1]);
}

function conv2dCase(
  name: string,
  xShape: number[],
  wShape: number[],
  geometry: { stride?: number; padding?: number; dilation?: number; kind?: ConvKind },
  seed: number,
): OpCase {
  const { stride = 1, padding = 0, dilation = 1, kind = "correlation" } = geometry;
  const flip = kind === "convolution";
  return {
    name,
    shapes: `x [${xShape}], w [${wShape}], b [${wShape[0]}], stride ${stride}, padding ${padding}` +
      `, dilation ${dilation}${flip ? ", flipped kernel" : ""}`,
    op: {
      name,
      forward: (i: Inputs) => conv2dForward(i.x, i.w, { b: i.b, stride, padding, dilation, kind }),
      backward: (dout: NDArray, cache: Conv2dCache) => conv2dBackward(dout, cache),
    },
    inputs: () => ({
      x: randn(xShape, { seed }),
      w: randn(wShape, { seed: seed + 1 }),
      b: randn([wShape[0]], { seed: seed + 2 }),
    }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) => {
      const w = dilateKernel(flip ? tf.reverse(i.w, [2, 3]) : i.w, dilation);
      const y = tf.conv2d(
        i.x.transpose(NCHW_TO_NHWC) as TF.Tensor4D,
        w.transpose(FCHW_TO_HWIO) as TF.Tensor4D,
        stride,
        // A numeric pad makes tfjs 4.22 size both output axes from the kernel height (wrong for
        // non-square kernels), so no padding is passed as "valid".
        padding === 0 ? "valid" : padding,
        "NHWC",
      );
      return y.add(i.b).transpose(NHWC_TO_NCHW);
    },
    tfNote: `${LAYOUT_NOTE}; tf.conv2d is a correlation${
      flip ? ", so the kernel is reversed on both spatial axes" : ", as this layer"
    }${
      dilation > 1
        ? "; tfjs cannot differentiate dilated tf.conv2d, so zeros are inserted between the " +
          "kernel taps by hand and the dense kernel is slid"
        : ""
    }`,
  };
}

function conv1dCase(mode: Conv1dMode, kind: ConvKind, n: number, k: number, seed: number): OpCase {
  const name = `conv1d-${mode}-${kind}`;
  const left = mode === "valid" ? 0 : mode === "full" ? k - 1 : Math.ceil((k - 1) / 2);
  const len = mode === "valid" ? n - k + 1 : mode === "full" ? n + k - 1 : n;
  return {
    name,
    shapes: `x [${n}], w [${k}], ${mode}`,
    op: {
      name,
      forward: (i: Inputs) => conv1dForward(i.x, i.w, { mode, kind }),
      backward: (dout: NDArray, cache: Conv1dCache) => conv1dBackward(dout, cache),
    },
    inputs: () => ({ x: randn([n], { seed }), w: randn([k], { seed: seed + 1 }) }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) => {
      const w = kind === "convolution" ? tf.reverse(i.w) : i.w;
      // Explicit [left, right] zeros reproduce the three modes (right = the rest of the overlap).
      const x = tf.pad(i.x, [[left, len + k - 1 - n - left]]);
      return tf.conv1d(
        x.reshape([1, len + k - 1, 1]) as TF.Tensor3D,
        w.reshape([k, 1, 1]) as TF.Tensor3D,
        1,
        "valid",
      )
        .reshape([len]);
    },
    tfNote: `tf.conv1d is a correlation on [batch, width, channels] with [width, in, out] ` +
      `filters: x is zero padded by hand to the ${mode} extent and reshaped${
        kind === "convolution" ? ", and the kernel is reversed" : ""
      }`,
  };
}

/**
 * The convolution and pooling cases: 1-D convolution in every mode and kind, 2-D convolution with
 * bias, padding, stride, dilation and the flipped kernel, and max, average, Lp and global average
 * pooling (max pooling on well-separated values, so no tie or kink is within reach of the step).
 */
export const CONV_POOL_CASES: readonly OpCase[] = [
  conv1dCase("valid", "convolution", 9, 3, CASE_SEED),
  conv1dCase("full", "convolution", 7, 4, CASE_SEED + 10),
  conv1dCase("same", "correlation", 8, 5, CASE_SEED + 20),
  conv1dCase("full", "correlation", 3, 5, CASE_SEED + 30),
  conv2dCase("conv2d", [2, 3, 8, 8], [4, 3, 3, 3], { padding: 1 }, CASE_SEED + 40),
  conv2dCase(
    "conv2d-stride2",
    [2, 2, 7, 7],
    [3, 2, 3, 3],
    { stride: 2, padding: 1 },
    CASE_SEED + 50,
  ),
  conv2dCase("conv2d-dilation2", [1, 2, 7, 6], [2, 2, 3, 2], { dilation: 2 }, CASE_SEED + 60),
  conv2dCase(
    "conv2d-flipped",
    [2, 2, 5, 5],
    [3, 2, 3, 3],
    { padding: 1, kind: "convolution" },
    CASE_SEED + 70,
  ),
  {
    name: "maxPool2d",
    shapes: "x [2, 3, 8, 8], 2x2, stride 2",
    op: {
      name: "maxPool2d",
      forward: (i: Inputs) => maxPool2dForward(i.x, { size: 2 }),
      backward: (dout: NDArray, cache: MaxPoolCache) => maxPool2dBackward(dout, cache),
    },
    inputs: () => ({ x: separated([2, 3, 8, 8], CASE_SEED + 80) }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) =>
      tf.maxPool(i.x.transpose(NCHW_TO_NHWC) as TF.Tensor4D, 2, 2, "valid")
        .transpose(NHWC_TO_NCHW),
    tfNote: "tf.maxPool is NHWC: x is transposed [0, 2, 3, 1] and the output back [0, 3, 1, 2]; " +
      "use the cpu backend (the wasm max-pool gradient is wrong on this shape)",
  },
  {
    name: "maxPool2d-overlap",
    shapes: "x [1, 2, 7, 7], 3x3, stride 2, padding 1",
    op: {
      name: "maxPool2d-overlap",
      forward: (i: Inputs) => maxPool2dForward(i.x, { size: 3, stride: 2, padding: 1 }),
      backward: (dout: NDArray, cache: MaxPoolCache) => maxPool2dBackward(dout, cache),
    },
    inputs: () => ({ x: separated([1, 2, 7, 7], CASE_SEED + 90) }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) =>
      tf.maxPool(i.x.transpose(NCHW_TO_NHWC) as TF.Tensor4D, 3, 2, 1).transpose(NHWC_TO_NCHW),
    tfNote: "tf.maxPool is NHWC (transposed in and out); its numeric padding never wins the max",
  },
  {
    name: "avgPool2d",
    shapes: "x [2, 3, 8, 8], 2x2, stride 2",
    op: {
      name: "avgPool2d",
      forward: (i: Inputs) => avgPool2dForward(i.x, { size: 2 }),
      backward: (dout: NDArray, cache: AvgPoolCache) => avgPool2dBackward(dout, cache),
    },
    inputs: () => ({ x: randn([2, 3, 8, 8], { seed: CASE_SEED + 100 }) }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) =>
      tf.avgPool(i.x.transpose(NCHW_TO_NHWC) as TF.Tensor4D, 2, 2, "valid")
        .transpose(NHWC_TO_NCHW),
    tfNote: "tf.avgPool is NHWC: x is transposed [0, 2, 3, 1] and the output back [0, 3, 1, 2]",
  },
  {
    name: "avgPool2d-padded",
    shapes: "x [1, 2, 6, 6], 3x3, stride 1, padding 1, padding not counted",
    op: {
      name: "avgPool2d-padded",
      forward: (i: Inputs) =>
        avgPool2dForward(i.x, { size: 3, stride: 1, padding: 1, countIncludePad: false }),
      backward: (dout: NDArray, cache: AvgPoolCache) => avgPool2dBackward(dout, cache),
    },
    inputs: () => ({ x: randn([1, 2, 6, 6], { seed: CASE_SEED + 110 }) }),
    // No tf entry: tf.avgPool with padding divides by the cells inside the input in its forward
    // pass but by the full window in its gradient, so its gradient is not the derivative of its
    // own output (tests/ops/pooling_test.ts shows it).
    tfNote: "no tfjs oracle: tf.avgPool with numeric padding excludes the padding in the forward " +
      "pass (as countIncludePad: false here) but divides by the full window in its gradient",
  },
  {
    name: "lpPool2d",
    shapes: "x [2, 2, 6, 6], 2x2, stride 2, p = 3",
    op: {
      name: "lpPool2d",
      forward: (i: Inputs) => lpPool2dForward(i.x, { size: 2, p: 3 }),
      backward: (dout: NDArray, cache: LpPoolCache) => lpPool2dBackward(dout, cache),
    },
    inputs: () => ({ x: awayFromZero([2, 2, 6, 6], CASE_SEED + 120) }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) => {
      const p = 3, area = 4;
      const sum = tf.avgPool(
        tf.abs(i.x).pow(p).transpose(NCHW_TO_NHWC) as TF.Tensor4D,
        2,
        2,
        "valid",
      ).mul(area);
      return sum.pow(1 / p).transpose(NHWC_TO_NCHW);
    },
    tfNote: "tfjs has no Lp pool: it is built as (area·avgPool(|x|^p))^(1/p) in NHWC, transposed " +
      "in and out",
  },
  {
    name: "globalAvgPool",
    shapes: "x [3, 4, 5, 5]",
    op: {
      name: "globalAvgPool",
      forward: (i: Inputs) => globalAvgPoolForward(i.x),
      backward: (dout: NDArray, cache: GlobalAvgPoolCache) => globalAvgPoolBackward(dout, cache),
    },
    inputs: () => ({ x: randn([3, 4, 5, 5], { seed: CASE_SEED + 130 }) }),
    tf: (tf: typeof TF, i: Record<string, TF.Tensor>) => tf.mean(i.x, [2, 3]),
    tfNote: "tf.mean over the spatial axes [2, 3] of the NCHW tensor (no transposition needed)",
  },
];
