import assert from "node:assert/strict";
import fc from "fast-check";
import type * as TF from "@tensorflow/tfjs";
import { allClose, array, NDArray, randn } from "../../lib/ndarray.ts";
import { checkOp } from "../../lib/grad/check.ts";
import type { GradCheckReport } from "../../lib/grad/report.ts";
import { conv2dForward } from "../../lib/ops/conv.ts";
import {
  avgPool2dBackward,
  avgPool2dForward,
  DEFAULT_LP_P,
  DEFAULT_POOL_SIZE,
  globalAvgPoolBackward,
  globalAvgPoolForward,
  lpPool2dBackward,
  lpPool2dForward,
  maxPool2dBackward,
  maxPool2dForward,
} from "../../lib/ops/pooling.ts";
import { tfjs as tfCpu, toTensor as toTf } from "./oracle.ts";

/** float32 tolerance of the tfjs comparisons, relative to the largest entry. */
const F32_TOL = 1e-4;

function plane(rows: number[][]): NDArray {
  return array([[rows]]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Distinct values (a scaled permutation), so no max-pool window has a tie. */
function distinct(shape: number[], seed: number): NDArray {
  const a = randn(shape, { seed });
  const order = [...a.data.keys()].sort((i, j) => a.data[i] - a.data[j]);
  const out = new Float64Array(a.size);
  order.forEach((i, rank) => (out[i] = (rank - a.size / 2) * 0.1));
  return new NDArray(out, shape);
}

// ---------------------------------------------------------------------------------------------
// constants

Deno.test("pool defaults: 2x2 window, stride = window, p = 2; output sizes follow the conv formula", () => {
  assert.equal(DEFAULT_POOL_SIZE, 2);
  assert.equal(DEFAULT_LP_P, 2);
  const x = randn([2, 3, 8, 6], { seed: 1 });
  assert.deepEqual(maxPool2dForward(x).out.shape, [2, 3, 4, 3]);
  assert.deepEqual(avgPool2dForward(x, { size: 3 }).out.shape, [2, 3, 2, 2]);
  assert.deepEqual(avgPool2dForward(x, { size: 3, stride: 1, padding: 1 }).out.shape, [2, 3, 8, 6]);
  assert.deepEqual(maxPool2dForward(x, { size: [2, 3], stride: [2, 1] }).out.shape, [2, 3, 4, 4]);
  assert.deepEqual(lpPool2dForward(x, { size: 5 }).out.shape, [2, 3, 1, 1]);
  assert.deepEqual(globalAvgPoolForward(x).out.shape, [2, 3]);
});

// ---------------------------------------------------------------------------------------------
// closed form

Deno.test("max, average and Lp pooling of a 4x4 plane by hand", () => {
  const x = plane([
    [1, 2, -3, 0],
    [4, -1, 5, 2],
    [0, 0, -6, -8],
    [3, -4, -1, -2],
  ]);
  assert.deepEqual([...maxPool2dForward(x).out.data], [4, 5, 3, -1]);
  assert.deepEqual([...avgPool2dForward(x).out.data], [1.5, 1, -0.25, -4.25]);
  // p = 1: sums of |x|; p = 2: Euclidean norms
  assert.deepEqual([...lpPool2dForward(x, { p: 1 }).out.data], [8, 10, 7, 17]);
  const l2 = lpPool2dForward(x, { p: 2 }).out.data;
  assert.ok(Math.abs(l2[0] - Math.sqrt(22)) < 1e-15 && Math.abs(l2[3] - Math.sqrt(105)) < 1e-14);
  // overlapping 3x3 windows, stride 1: maxima of the two rows of windows
  assert.deepEqual([...maxPool2dForward(x, { size: 3, stride: 1 }).out.data], [5, 5, 5, 5]);
  assert.deepEqual(globalAvgPoolForward(x).out.item(), -8 / 16);
});

Deno.test("backward passes by hand: max routes to the winner, average spreads dout/m", () => {
  const x = plane([[1, 7], [3, 2]]);
  const max = maxPool2dForward(x);
  assert.deepEqual([...maxPool2dBackward(array([[[[5]]]]), max.cache).dx.data], [0, 5, 0, 0]);
  const avg = avgPool2dForward(x);
  assert.deepEqual([...avgPool2dBackward(array([[[[4]]]]), avg.cache).dx.data], [1, 1, 1, 1]);
  // ‖(3, −4)‖₂ = 5: ∂/∂x = x/5
  const lp = lpPool2dForward(plane([[3, 0], [0, -4]]), { p: 2 });
  const { dx } = lpPool2dBackward(array([[[[10]]]]), lp.cache);
  assert.deepEqual([...dx.data], [6, 0, 0, -8]);
  const g = globalAvgPoolForward(randn([1, 2, 2, 2], { seed: 1 }));
  assert.deepEqual([...globalAvgPoolBackward(array([[4, -8]]), g.cache).dx.data], [
    1,
    1,
    1,
    1,
    -2,
    -2,
    -2,
    -2,
  ]);
});

Deno.test("padding: never wins a max, counts as 0 in averages; countIncludePad chooses the divisor", () => {
  const x = plane([[-1, -2], [-3, -4]]);
  // 3x3 windows around every pixel, padding 1: the padded cells (−∞) never win
  assert.deepEqual([...maxPool2dForward(x, { size: 3, stride: 1, padding: 1 }).out.data], [
    -1,
    -1,
    -1,
    -1,
  ]);
  const incl = avgPool2dForward(x, { size: 3, stride: 1, padding: 1 }).out.data;
  const excl = avgPool2dForward(x, { size: 3, stride: 1, padding: 1, countIncludePad: false })
    .out.data;
  assert.deepEqual([...incl], [-10 / 9, -10 / 9, -10 / 9, -10 / 9]);
  assert.deepEqual([...excl], [-2.5, -2.5, -2.5, -2.5]);
});

// ---------------------------------------------------------------------------------------------
// finite differences

Deno.test("every pool passes checkOp in float64 on several shapes and geometries", () => {
  const geometries = [
    { shape: [2, 3, 6, 6], size: 2, stride: 2, padding: 0 },
    { shape: [1, 2, 7, 5], size: 3, stride: 2, padding: 1 },
    { shape: [1, 1, 5, 5], size: 3, stride: 1, padding: 0 },
    { shape: [2, 1, 4, 6], size: [2, 3], stride: [1, 2], padding: [1, 1] },
  ] as const;
  geometries.forEach((g, i) => {
    const opts = { size: g.size, stride: g.stride, padding: g.padding };
    const x = distinct([...g.shape], 10 + i);
    const checks: [string, () => GradCheckReport][] = [
      [
        "max",
        () =>
          checkOp({ forward: (a) => maxPool2dForward(a.x, opts), backward: maxPool2dBackward }, {
            x,
          }),
      ],
      [
        "avg",
        () =>
          checkOp({ forward: (a) => avgPool2dForward(a.x, opts), backward: avgPool2dBackward }, {
            x,
          }),
      ],
      ["avg, padding not counted", () =>
        checkOp({
          forward: (a) => avgPool2dForward(a.x, { ...opts, countIncludePad: false }),
          backward: avgPool2dBackward,
        }, { x })],
      [
        "lp3",
        () =>
          checkOp({
            forward: (a) => lpPool2dForward(a.x, { ...opts, p: 3 }),
            backward: lpPool2dBackward,
          }, {
            x,
          }),
      ],
      [
        "lp1",
        () =>
          checkOp({
            forward: (a) => lpPool2dForward(a.x, { ...opts, p: 1 }),
            backward: lpPool2dBackward,
          }, {
            x,
          }),
      ],
      [
        "global",
        () =>
          checkOp({ forward: (a) => globalAvgPoolForward(a.x), backward: globalAvgPoolBackward }, {
            x,
          }),
      ],
    ];
    for (const [name, run] of checks) {
      const r = run();
      assert.ok(r.ok, `geometry ${i} ${name}: ${r.diagnosis.message}`);
      assert.equal(r.diagnosis.kind, "match", `geometry ${i} ${name}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// extremes: ties, single elements, windows larger than the input, bad shapes

Deno.test("max-pool tie policy: the first maximum in row-major order gets the whole gradient", () => {
  const x = plane([[2, 9, 9], [9, 1, 9], [0, 9, 3]]);
  // one 3x3 window with five tied maxima: (0,1) is first in row-major order
  const { out, cache } = maxPool2dForward(x, { size: 3 });
  assert.equal(out.item(), 9);
  assert.deepEqual([...maxPool2dBackward(array([[[[1]]]]), cache).dx.data], [
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  // all-equal input: every window's first cell wins
  const flat = maxPool2dForward(new NDArray(new Float64Array(16).fill(7), [1, 1, 4, 4]));
  assert.deepEqual([...flat.cache.argmax], [0, 2, 8, 10]);
  // the checker sees the tie as a kink and excuses it (the first-max rule is a valid one-sided
  // derivative), so a tie is not reported as a wrong gradient
  const op = {
    forward: (a: Record<string, NDArray>) => maxPool2dForward(a.x, { size: 2 }),
    backward: maxPool2dBackward,
  };
  const r = checkOp(op, { x: plane([[1, 1], [0, 0]]) }, { dout: array([[[[1]]]]) });
  assert.ok(r.ok, r.diagnosis.message);
  assert.equal(r.diagnosis.kind, "kink");
});

Deno.test("overlapping windows: a pixel that wins several windows collects every dout", () => {
  const x = plane([[0, 0, 0], [0, 5, 0], [0, 0, 0]]);
  const { out, cache } = maxPool2dForward(x, { size: 2, stride: 1 });
  assert.deepEqual([...out.data], [5, 5, 5, 5]);
  const { dx } = maxPool2dBackward(array([[[[1, 2], [3, 4]]]]), cache);
  assert.deepEqual([...dx.data], [0, 0, 0, 0, 10, 0, 0, 0, 0]);
});

Deno.test("NaN propagates through max pooling and receives the gradient", () => {
  const { out, cache } = maxPool2dForward(plane([[1, NaN], [3, 2]]));
  assert.ok(Number.isNaN(out.item()));
  assert.deepEqual([...maxPool2dBackward(array([[[[1]]]]), cache).dx.data], [0, 1, 0, 0]);
  assert.equal(
    maxPool2dForward(plane([[-Infinity, -Infinity], [-Infinity, -Infinity]])).out.item(),
    -Infinity,
  );
});

Deno.test("single element: every pool of a 1x1 plane is the element (|x| for Lp)", () => {
  const x = array([[[[-3]]]]);
  for (const f of [maxPool2dForward, avgPool2dForward]) {
    assert.equal(f(x, { size: 1 }).out.item(), -3);
  }
  assert.equal(lpPool2dForward(x, { size: 1, p: 3 }).out.item(), 3);
  assert.deepEqual(globalAvgPoolForward(x).out.shape, [1, 1]);
  const lp = lpPool2dForward(x, { size: 1, p: 3 });
  assert.equal(lpPool2dBackward(array([[[[2]]]]), lp.cache).dx.item(), -2);
});

Deno.test("Lp pooling: no overflow at |x| = 1e300 or p = 200, gradient 0 on an all-zero window", () => {
  const big = plane([[1e300, -1e300], [1e300, 1e300]]);
  const out = lpPool2dForward(big, { p: 2 }).out.item();
  assert.ok(Math.abs(out - 2e300) / 2e300 < 1e-15);
  const { cache } = lpPool2dForward(big, { p: 2 });
  assert.deepEqual([...lpPool2dBackward(array([[[[1]]]]), cache).dx.data], [0.5, -0.5, 0.5, 0.5]);
  // large p approaches max |x|
  const x = plane([[1, -3], [2, 2.5]]);
  const high = lpPool2dForward(x, { p: 200 }).out.item();
  assert.ok(high >= 3 && high < 3 * 1.01);
  const zero = lpPool2dForward(plane([[0, 0], [0, 0]]));
  assert.equal(zero.out.item(), 0);
  assert.deepEqual([...lpPool2dBackward(array([[[[1]]]]), zero.cache).dx.data], [0, 0, 0, 0]);
});

Deno.test("windows larger than the input and bad arguments throw RangeErrors naming op, argument, shapes", () => {
  const x = randn([1, 2, 3, 3], { seed: 1 });
  assert.throws(
    () => maxPool2dForward(x, { size: 4 }),
    /maxPool2dForward: the window \[4, 4\] is larger than the padded input x \[1, 2, 3, 3\]/,
  );
  assert.throws(
    () => avgPool2dForward(x, { size: [2, 5] }),
    /avgPool2dForward: the window \[2, 5\]/,
  );
  assert.throws(() => lpPool2dForward(x, { size: 3, p: 0.5 }), /lpPool2dForward: p must be/);
  assert.throws(() => lpPool2dForward(x, { p: Infinity }), /lpPool2dForward: p must be/);
  assert.throws(
    () => maxPool2dForward(x, { size: 2, padding: 2 }),
    /maxPool2dForward: padding \[2,2\]/,
  );
  assert.throws(() => maxPool2dForward(x, { stride: 0 }), /maxPool2dForward: stride/);
  assert.throws(
    () => maxPool2dForward(randn([3, 3])),
    /maxPool2dForward: x must be a non-empty \[N, C, H, W\], got \[3, 3\]/,
  );
  assert.throws(() => globalAvgPoolForward(randn([2, 3, 4])), /globalAvgPoolForward: x must be/);
  const { cache } = maxPool2dForward(x);
  assert.throws(
    () => maxPool2dBackward(randn([1, 2, 2, 2]), cache),
    /maxPool2dBackward: dout must have the output shape \[1, 2, 1, 1\], got \[1, 2, 2, 2\]/,
  );
  const g = globalAvgPoolForward(x);
  assert.throws(
    () => globalAvgPoolBackward(randn([2, 1]), g.cache),
    /globalAvgPoolBackward: dout must have the output shape \[1, 2\], got \[2, 1\]/,
  );
});

// ---------------------------------------------------------------------------------------------
// properties

const geometry = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  c: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 2, max: 7 }),
  w: fc.integer({ min: 2, max: 7 }),
  k: fc.integer({ min: 1, max: 3 }),
  s: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
}).filter((g) => g.k <= Math.min(g.h, g.w));
const TOL = { atol: 1e-12, rtol: 1e-12 };

Deno.test("property: average pooling is a depthwise convolution with the constant kernel 1/k²", () => {
  fc.assert(
    fc.property(geometry, (g) => {
      const x = randn([g.n, g.c, g.h, g.w], { seed: g.seed });
      const avg = avgPool2dForward(x, { size: g.k, stride: g.s }).out;
      // one channel at a time: a [1, 1, k, k] kernel of 1/k² on x[:, c]
      const w = new NDArray(new Float64Array(g.k * g.k).fill(1 / (g.k * g.k)), [1, 1, g.k, g.k]);
      for (let c = 0; c < g.c; c++) {
        const xc = new Float64Array(g.n * g.h * g.w);
        for (let n = 0; n < g.n; n++) {
          xc.set(
            x.data.subarray((n * g.c + c) * g.h * g.w, (n * g.c + c + 1) * g.h * g.w),
            n * g.h * g.w,
          );
        }
        const conv = conv2dForward(new NDArray(xc, [g.n, 1, g.h, g.w]), w, { stride: g.s }).out;
        const area = avg.shape[2] * avg.shape[3];
        for (let n = 0; n < g.n; n++) {
          for (let q = 0; q < area; q++) {
            const a = avg.data[(n * g.c + c) * area + q], b = conv.data[n * area + q];
            assert.ok(Math.abs(a - b) <= 1e-12 * (1 + Math.abs(a)));
          }
        }
      }
    }),
    { numRuns: 150 },
  );
});

Deno.test("property: min ≤ avg ≤ max; Lp with p = 1 on |x| is k²·avg(|x|); pools are positively homogeneous", () => {
  fc.assert(
    fc.property(geometry, fc.double({ min: 0.01, max: 100, noNaN: true }), (g, alpha) => {
      const x = randn([g.n, g.c, g.h, g.w], { seed: g.seed });
      const opts = { size: g.k, stride: g.s };
      const max = maxPool2dForward(x, opts).out, avg = avgPool2dForward(x, opts).out;
      const min = maxPool2dForward(x.neg(), opts).out.neg();
      for (let i = 0; i < max.size; i++) {
        assert.ok(min.data[i] <= avg.data[i] + 1e-12 && avg.data[i] <= max.data[i] + 1e-12);
      }
      const abs = x.map(Math.abs);
      assert.ok(
        allClose(
          lpPool2dForward(x, { ...opts, p: 1 }).out,
          avgPool2dForward(abs, opts).out.mul(g.k * g.k),
          TOL,
        ),
      );
      for (const f of [maxPool2dForward, avgPool2dForward, lpPool2dForward]) {
        assert.ok(
          allClose(f(x.mul(alpha), opts).out, f(x, opts).out.mul(alpha), {
            atol: 1e-12,
            rtol: 1e-12,
          }),
        );
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: adjointness ⟨pool(x), y⟩ = ⟨x, pool_backward(y)⟩ for the linear pools; Σdx = Σdout for max", () => {
  fc.assert(
    fc.property(geometry, (g) => {
      const x = randn([g.n, g.c, g.h, g.w], { seed: g.seed });
      const opts = { size: g.k, stride: g.s };
      const avg = avgPool2dForward(x, opts);
      const y = randn(avg.out.shape, { seed: g.seed + 1 });
      const lhs = avg.out.dot(y);
      assert.ok(
        Math.abs(lhs - x.dot(avgPool2dBackward(y, avg.cache).dx)) <= 1e-10 * (1 + Math.abs(lhs)),
      );
      const glob = globalAvgPoolForward(x);
      const yg = randn(glob.out.shape, { seed: g.seed + 2 });
      const lg = glob.out.dot(yg);
      assert.ok(
        Math.abs(lg - x.dot(globalAvgPoolBackward(yg, glob.cache).dx)) <=
          1e-10 * (1 + Math.abs(lg)),
      );
      // max pooling is linear on a neighbourhood of x (the winners fixed): ⟨max(x), y⟩ = ⟨x, dx⟩
      const max = maxPool2dForward(x, opts);
      const dx = maxPool2dBackward(y, max.cache).dx;
      const lm = max.out.dot(y);
      assert.ok(Math.abs(lm - x.dot(dx)) <= 1e-10 * (1 + Math.abs(lm)));
      const sumY = y.sum().item(), sumDx = dx.sum().item();
      assert.ok(Math.abs(sumY - sumDx) <= 1e-10 * (1 + Math.abs(sumY)));
    }),
    { numRuns: 200 },
  );
});

// ---------------------------------------------------------------------------------------------
// differential tests against tfjs (cpu backend)

/** tfjs forward value and VJP of a pool on NCHW `x`, via NHWC. */
function tfPool(
  tf: typeof TF,
  pool: (x: TF.Tensor4D) => TF.Tensor4D,
  x: NDArray,
  dout: NDArray,
): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const f = (t: TF.Tensor) =>
      pool(t.transpose([0, 2, 3, 1]) as TF.Tensor4D).transpose([0, 3, 1, 2]);
    const y = f(toTf(tf, x)).dataSync() as Float32Array;
    const g = tf.grad((t: TF.Tensor) => f(t).mul(toTf(tf, dout)).sum())(toTf(tf, x));
    return [y, g.dataSync() as Float32Array];
  });
}

Deno.test("tfjs: tf.maxPool and tf.avgPool values and gradients agree on random shapes", async () => {
  const tf = await tfCpu();
  const shapes = [
    { shape: [2, 3, 8, 8], k: 2, s: 2 },
    { shape: [1, 4, 9, 7], k: 3, s: 2 },
    { shape: [3, 2, 6, 6], k: 3, s: 1 },
    { shape: [1, 1, 5, 4], k: 2, s: 1 },
  ];
  for (const [i, g] of shapes.entries()) {
    const x = distinct(g.shape, 70 + i);
    const opts = { size: g.k, stride: g.s };
    for (
      const [name, ours, pool] of [
        ["max", maxPool2dForward, (t: TF.Tensor4D) => tf.maxPool(t, g.k, g.s, "valid")],
        ["avg", avgPool2dForward, (t: TF.Tensor4D) => tf.avgPool(t, g.k, g.s, "valid")],
      ] as const
    ) {
      const { out, cache } = ours(x, opts);
      const dout = randn(out.shape, { seed: 80 + i });
      const dx = name === "max"
        ? maxPool2dBackward(dout, cache as ReturnType<typeof maxPool2dForward>["cache"]).dx
        : avgPool2dBackward(dout, cache as ReturnType<typeof avgPool2dForward>["cache"]).dx;
      const [y, g2] = tfPool(tf, pool, x, dout);
      assert.ok(maxAbsDiff(out.data, y) <= F32_TOL * 10, `${name} shape ${i} out`);
      assert.ok(maxAbsDiff(dx.data, g2) <= F32_TOL * 10, `${name} shape ${i} dx`);
    }
  }
});

Deno.test("tfjs: tf.avgPool with padding excludes it going forward but not in its gradient", async () => {
  // A convention difference worth knowing: tfjs 4.22's avgPool gradient is not the derivative of
  // its own padded forward pass. Ours (countIncludePad: false) matches tfjs's values and passes
  // the finite-difference check; tfjs's gradient divides every window by the full 3x3.
  const tf = await tfCpu();
  const x = randn([1, 1, 4, 4], { seed: 3 });
  const opts = { size: 3, stride: 1, padding: 1, countIncludePad: false };
  const { out, cache } = avgPool2dForward(x, opts);
  const dout = out.map(() => 1);
  const [y, gTf] = tfPool(tf, (t) => tf.avgPool(t, 3, 1, 1), x, dout);
  assert.ok(maxAbsDiff(out.data, y) <= F32_TOL);
  const ours = avgPool2dBackward(dout, cache).dx;
  // corner pixel: in 4 windows holding 4, 6, 6 and 9 valid cells → 1/4 + 2/6 + 1/9 = 25/36;
  // tfjs gives 4·(1/9)
  assert.ok(Math.abs(ours.get(0, 0, 0, 0) - 25 / 36) < 1e-15);
  assert.ok(Math.abs(gTf[0] - 4 / 9) < F32_TOL);
  const r = checkOp({
    forward: (i: Record<string, NDArray>) => avgPool2dForward(i.x, opts),
    backward: avgPool2dBackward,
  }, { x });
  assert.ok(r.ok);
  // and with the padding counted, ours equals tfjs's gradient
  const incl = avgPool2dForward(x, { ...opts, countIncludePad: true });
  assert.ok(maxAbsDiff(avgPool2dBackward(dout, incl.cache).dx.data, gTf) <= F32_TOL);
});

Deno.test("tfjs: global average pooling equals tf.mean over the spatial axes, with gradient", async () => {
  const tf = await tfCpu();
  const x = randn([3, 4, 5, 6], { seed: 9 });
  const { out, cache } = globalAvgPoolForward(x);
  const dout = randn(out.shape, { seed: 10 });
  const [y, g] = tf.tidy(() => {
    const f = (t: TF.Tensor) => tf.mean(t, [2, 3]);
    const grad = tf.grad((t: TF.Tensor) => f(t).mul(toTf(tf, dout)).sum())(toTf(tf, x));
    return [f(toTf(tf, x)).dataSync(), grad.dataSync()];
  });
  assert.ok(maxAbsDiff(out.data, y) <= F32_TOL);
  assert.ok(maxAbsDiff(globalAvgPoolBackward(dout, cache).dx.data, g) <= F32_TOL);
});
