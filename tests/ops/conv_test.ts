import assert from "node:assert/strict";
import fc from "fast-check";
import type * as TF from "@tensorflow/tfjs";
import { allClose, array, NDArray, randn } from "../../lib/ndarray.ts";
import { checkOp } from "../../lib/grad/check.ts";
import {
  conv1dBackward,
  conv1dForward,
  type Conv1dMode,
  conv1dOutputLength,
  conv2dBackward,
  conv2dForward,
  conv2dGeometry,
  conv2dParameterCount,
  type ConvKind,
  convolve1d,
  convOutputSize,
  correlate1d,
} from "../../lib/ops/conv.ts";
import { tfjs as tfCpu, toTensor as toTf } from "./oracle.ts";

const MODES: Conv1dMode[] = ["valid", "full", "same"];
const KINDS: ConvKind[] = ["correlation", "convolution"];
/** float32 tolerance of the tfjs comparisons, relative to the largest entry. */
const F32_TOL = 1e-4;

function vec(values: number[]): NDArray {
  return new NDArray(Float64Array.from(values), [values.length]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function scale(a: ArrayLike<number>): number {
  let m = 1;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Direct, loop-by-definition 2-D correlation (no im2col), the reference for the fast path. */
function naiveConv2d(
  x: NDArray,
  w: NDArray,
  b: NDArray | undefined,
  s: number,
  p: number,
  d: number,
): NDArray {
  const [n, c, h, wd] = x.shape, [f, , kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * p - d * (kh - 1) - 1) / s) + 1;
  const ow = Math.floor((wd + 2 * p - d * (kw - 1) - 1) / s) + 1;
  const out = new Float64Array(n * f * oh * ow);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < f; q++) {
      for (let y = 0; y < oh; y++) {
        for (let z = 0; z < ow; z++, o++) {
          let acc = b ? b.data[q] : 0;
          for (let ch = 0; ch < c; ch++) {
            for (let u = 0; u < kh; u++) {
              for (let v = 0; v < kw; v++) {
                const yy = y * s - p + u * d, zz = z * s - p + v * d;
                if (yy < 0 || yy >= h || zz < 0 || zz >= wd) continue;
                acc += w.get(q, ch, u, v) * x.get(i, ch, yy, zz);
              }
            }
          }
          out[o] = acc;
        }
      }
    }
  }
  return new NDArray(out, [n, f, oh, ow]);
}

// ---------------------------------------------------------------------------------------------
// constants

Deno.test("convOutputSize follows ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1", () => {
  assert.equal(convOutputSize(32, 3, { padding: 1 }), 32); // "same" 3x3
  assert.equal(convOutputSize(5, 3), 3); // sheet 000 §5(a): 5x5 input, 3x3 kernel → 3x3
  assert.equal(convOutputSize(128, 8, { stride: 2, padding: 3 }), 64);
  assert.equal(convOutputSize(64, 2, { stride: 2 }), 32);
  assert.equal(convOutputSize(7, 3, { dilation: 2 }), 3);
  assert.equal(convOutputSize(8, 3, { stride: 3 }), 2);
  assert.equal(convOutputSize(1, 1), 1);
});

Deno.test("conv2dParameterCount: sheet 001 Q3.b counts 3·3·32·64 = 18432 weights, 18496 with biases", () => {
  assert.equal(conv2dParameterCount([64, 32, 3, 3], { bias: false }), 18432);
  assert.equal(conv2dParameterCount([64, 32, 3, 3]), 18496);
  assert.equal(conv2dParameterCount([1, 1, 1, 1]), 2);
  assert.throws(() => conv2dParameterCount([3, 3, 3]), /conv2dParameterCount: wShape/);
  assert.throws(() => conv2dParameterCount([3, 0, 3, 3]), /conv2dParameterCount: wShape C/);
});

Deno.test("conv1dOutputLength: valid n − k + 1, full n + k − 1, same n", () => {
  assert.equal(conv1dOutputLength(7, 3, { mode: "valid" }), 5);
  assert.equal(conv1dOutputLength(7, 3, { mode: "full" }), 9);
  assert.equal(conv1dOutputLength(7, 3, { mode: "same" }), 7);
  assert.equal(conv1dOutputLength(2, 5, { mode: "full" }), 6);
  assert.throws(() => conv1dOutputLength(2, 5), /conv1dOutputLength: valid mode needs k ≤ n/);
});

// ---------------------------------------------------------------------------------------------
// closed form

Deno.test("sheet 001 Q3.c: [1,1,4,4,4,1,1] with [1/4,1/4,1/4] in valid, full and same mode", () => {
  const x = vec([1, 1, 4, 4, 4, 1, 1]), w = vec([0.25, 0.25, 0.25]);
  assert.deepEqual([...convolve1d(x, w, { mode: "valid" }).data], [1.5, 2.25, 3, 2.25, 1.5]);
  assert.deepEqual(
    [...convolve1d(x, w, { mode: "full" }).data],
    [0.25, 0.5, 1.5, 2.25, 3, 2.25, 1.5, 0.5, 0.25],
  );
  assert.deepEqual(
    [...convolve1d(x, w, { mode: "same" }).data],
    [0.5, 1.5, 2.25, 3, 2.25, 1.5, 0.5],
  );
  // The kernel is symmetric, so the sheet's answer does not depend on flipping it.
  for (const mode of MODES) {
    assert.deepEqual([...correlate1d(x, w, { mode }).data], [...convolve1d(x, w, { mode }).data]);
  }
});

Deno.test("convolution flips the kernel, correlation does not (np.convolve / np.correlate values)", () => {
  const x = vec([1, 2, 3]), w = vec([0, 1, 0.5]);
  // np.convolve([1,2,3],[0,1,0.5],'full') = [0, 1, 2.5, 4, 1.5]
  assert.deepEqual([...convolve1d(x, w, { mode: "full" }).data], [0, 1, 2.5, 4, 1.5]);
  // np.correlate([1,2,3],[0,1,0.5],'full') = [0.5, 2, 3.5, 3, 0]
  assert.deepEqual([...correlate1d(x, w, { mode: "full" }).data], [0.5, 2, 3.5, 3, 0]);
  // np.convolve([1,2,3],[1,1],'same') = [1, 3, 5] (even kernel: centre of full from ⌊(k−1)/2⌋)
  assert.deepEqual([...convolve1d(x, vec([1, 1]), { mode: "same" }).data], [1, 3, 5]);
  assert.deepEqual([...convolve1d(x, w, { mode: "valid" }).data], [2.5]);
  assert.deepEqual([...correlate1d(x, w, { mode: "valid" }).data], [3.5]);
});

Deno.test("conv1dBackward on a tiny input by hand", () => {
  const { cache } = conv1dForward(vec([1, 2, 3]), vec([2, -1]), { mode: "full" });
  // convolution: out = [2, 3, 4, -3]; dout = e₁ picks out[1] = 2·x₁ − x₀ … (x * w)[1] = x₁w₀ + x₀w₁
  const { dx, dw } = conv1dBackward(vec([0, 1, 0, 0]), cache);
  assert.deepEqual([...dx.data], [-1, 2, 0]); // ∂out[1]/∂x = [w₁, w₀, 0]
  assert.deepEqual([...dw.data], [2, 1]); // ∂out[1]/∂w = [x₁, x₀]
});

Deno.test("conv2d on a 1x1x3x3 image by hand, with stride, padding, bias and the flipped kernel", () => {
  const x = array([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  const w = array([[[[1, 2], [3, 4]]]]);
  // correlation: 1·1 + 2·2 + 3·4 + 4·5 = 37, 47; 67, 77
  assert.deepEqual([...conv2dForward(x, w).out.data], [37, 47, 67, 77]);
  // convolution slides [[4, 3], [2, 1]]: 4 + 6 + 8 + 5 = 23, 33; 53, 63
  assert.deepEqual([...conv2dForward(x, w, { kind: "convolution" }).out.data], [23, 33, 53, 63]);
  // padding 1, stride 2: windows at (−1,−1), (−1,1), (1,−1), (1,1); bias 1
  const { out } = conv2dForward(x, w, { padding: 1, stride: 2, b: array([1]) });
  assert.deepEqual(out.shape, [1, 1, 2, 2]);
  assert.deepEqual([...out.data], [1 + 4 * 1, 1 + 3 * 2 + 4 * 3, 1 + 2 * 4 + 4 * 7, 1 + 77]);
});

Deno.test("conv2d (im2col) equals the loop-by-definition reference on random geometries", () => {
  const geometries = [
    { s: 1, p: 0, d: 1, x: [2, 3, 6, 5], w: [4, 3, 3, 2] },
    { s: 2, p: 1, d: 1, x: [1, 2, 7, 7], w: [3, 2, 3, 3] },
    { s: 1, p: 2, d: 2, x: [2, 1, 6, 8], w: [2, 1, 3, 3] },
    { s: 3, p: 1, d: 1, x: [1, 4, 9, 4], w: [5, 4, 1, 2] },
  ];
  geometries.forEach((g, i) => {
    const x = randn(g.x, { seed: i }), w = randn(g.w, { seed: 100 + i });
    const b = randn([g.w[0]], { seed: 200 + i });
    const ours = conv2dForward(x, w, { b, stride: g.s, padding: g.p, dilation: g.d }).out;
    const ref = naiveConv2d(x, w, b, g.s, g.p, g.d);
    assert.deepEqual(ours.shape, ref.shape);
    assert.ok(allClose(ours, ref, { atol: 1e-12, rtol: 1e-12 }), `geometry ${i}`);
  });
});

// ---------------------------------------------------------------------------------------------
// finite differences (float64)

Deno.test("conv1d passes checkOp in every mode and kind, several shapes", () => {
  let seed = 0;
  for (const mode of MODES) {
    for (const kind of KINDS) {
      for (const [n, k] of [[6, 3], [5, 2], [4, 4], [2, 5], [1, 1]]) {
        if (mode === "valid" && k > n) continue;
        const op = {
          forward: (i: Record<string, NDArray>) => conv1dForward(i.x, i.w, { mode, kind }),
          backward: conv1dBackward,
        };
        const r = checkOp(op, { x: randn([n], { seed: seed++ }), w: randn([k], { seed: seed++ }) });
        assert.ok(r.ok, `${mode} ${kind} n=${n} k=${k}: ${r.diagnosis.message}`);
      }
    }
  }
});

Deno.test("conv2d passes checkOp with asymmetric stride, padding and dilation, with and without bias", () => {
  const op = (options: Record<string, unknown>) => ({
    forward: (i: Record<string, NDArray>) => conv2dForward(i.x, i.w, { ...options, b: i.b }),
    backward: conv2dBackward,
  });
  const cases = [
    { stride: [2, 1], padding: [1, 0], dilation: [1, 2], x: [2, 2, 6, 7], w: [3, 2, 2, 3] },
    { stride: 1, padding: 0, dilation: 1, x: [1, 1, 4, 4], w: [1, 1, 4, 4] },
    { stride: 1, padding: 1, dilation: 1, kind: "convolution", x: [1, 3, 4, 5], w: [2, 3, 3, 3] },
  ];
  cases.forEach((c, i) => {
    const { x: xs, w: ws, ...options } = c;
    const x = randn(xs, { seed: 10 + i }), w = randn(ws, { seed: 20 + i });
    const withBias = checkOp(op(options), { x, w, b: randn([ws[0]], { seed: 30 + i }) });
    assert.ok(withBias.ok, `case ${i}: ${withBias.diagnosis.message}`);
    assert.deepEqual(withBias.inputs.map((r) => r.name).sort(), ["b", "w", "x"]);
    const noBias = checkOp(op(options), { x, w });
    assert.ok(noBias.ok, `case ${i} without bias: ${noBias.diagnosis.message}`);
    assert.deepEqual(noBias.inputs.map((r) => r.name).sort(), ["w", "x"]);
  });
});

Deno.test("checkOp catches a conv2d backward that forgets to flip dw for the convolution kind", () => {
  const op = {
    forward: (i: Record<string, NDArray>) =>
      conv2dForward(i.x, i.w, { kind: "convolution", padding: 1 }),
    backward: (dout: NDArray, cache: ReturnType<typeof conv2dForward>["cache"]) => {
      // The bug under test: the gradient of the slid (flipped) kernel returned as dw.
      const { dx, dw } = conv2dBackward(dout, { ...cache, kind: "correlation" });
      return { dx, dw };
    },
  };
  const r = checkOp(op, {
    x: randn([1, 2, 4, 4], { seed: 1 }),
    w: randn([2, 2, 3, 3], { seed: 2 }),
  });
  assert.equal(r.ok, false);
  assert.ok(r.inputs.find((i) => i.name === "x")?.diagnosis.kind === "match");
});

// ---------------------------------------------------------------------------------------------
// extremes and bad inputs

Deno.test("kernels larger than the input: 1-D full/same compute, valid and 2-D without padding throw", () => {
  const x = vec([1, 2]), w = vec([1, 10, 100, 1000]);
  assert.deepEqual([...convolve1d(x, w, { mode: "full" }).data], [1, 12, 120, 1200, 2000]);
  // same: centre of full from ⌊(4 − 1)/2⌋ = 1, length 2
  assert.deepEqual([...convolve1d(x, w, { mode: "same" }).data], [12, 120]);
  assert.throws(
    () => convolve1d(x, w),
    (e: Error) =>
      e instanceof RangeError && /conv1dForward/.test(e.message) && /w \[4\]/.test(e.message) &&
      /x \[2\]/.test(e.message),
  );
  const x2 = randn([1, 1, 2, 2], { seed: 1 }), w2 = randn([1, 1, 3, 3], { seed: 2 });
  assert.throws(
    () => conv2dForward(x2, w2),
    (e: Error) =>
      e instanceof RangeError && /conv2dForward/.test(e.message) &&
      /\[1, 1, 3, 3\]/.test(e.message) && /\[1, 1, 2, 2\]/.test(e.message),
  );
  // with enough padding the 3x3 kernel fits the 2x2 image
  const padded = conv2dForward(x2, w2, { padding: 1 });
  assert.deepEqual(padded.out.shape, [1, 1, 2, 2]);
  assert.ok(allClose(padded.out, naiveConv2d(x2, w2, undefined, 1, 1, 1)));
  assert.throws(() => convOutputSize(2, 3), /convOutputSize: the kernel spans 3/);
  assert.throws(() => convOutputSize(5, 3, { dilation: 3 }), /kernel spans 7/);
});

Deno.test("a single element: 1-D and 2-D convolution of one sample reduce to a product", () => {
  assert.deepEqual([...convolve1d(vec([3]), vec([-2]), { mode: "full" }).data], [-6]);
  const { out, cache } = conv2dForward(array([[[[3]]]]), array([[[[-2]]]]), { b: array([0.5]) });
  assert.equal(out.item(), -5.5);
  const { dx, dw, db } = conv2dBackward(array([[[[1]]]]), cache);
  assert.equal(dx.item(), -2);
  assert.equal(dw.item(), 3);
  assert.equal(db?.item(), 1);
});

Deno.test("mismatched shapes throw RangeErrors naming the op, the argument and the shapes", () => {
  const x = randn([2, 3, 5, 5], { seed: 1 });
  assert.throws(
    () => conv2dForward(x, randn([4, 2, 3, 3], { seed: 2 })),
    /conv2dForward: w \[4, 2, 3, 3\] expects 2 input channels but x \[2, 3, 5, 5\] has 3/,
  );
  assert.throws(
    () => conv2dForward(x, randn([4, 3, 3, 3], { seed: 2 }), { b: randn([3], { seed: 3 }) }),
    /conv2dForward: b must be \[4\].*w \[4, 3, 3, 3\].*got \[3\]/,
  );
  assert.throws(
    () => conv2dForward(randn([3, 5, 5]), randn([4, 3, 3, 3])),
    /conv2dForward: x must be/,
  );
  assert.throws(
    () => conv2dForward(x, randn([4, 3, 3, 3]), { stride: 0 }),
    /conv2dForward: stride/,
  );
  assert.throws(() => conv2dForward(x, randn([4, 3, 3, 3]), { padding: -1 }), /padding/);
  assert.throws(
    () => conv2dForward(x, randn([4, 3, 3, 3]), { kind: "flipped" as ConvKind }),
    /conv2dForward: kind must be/,
  );
  const { cache } = conv2dForward(x, randn([4, 3, 3, 3]));
  assert.throws(
    () => conv2dBackward(randn([2, 4, 5, 5]), cache),
    /conv2dBackward: dout must have the output shape \[2, 4, 3, 3\], got \[2, 4, 5, 5\]/,
  );
  assert.throws(
    () => conv1dForward(randn([2, 3]), vec([1])),
    /conv1dForward: x must be a non-empty \[n\], got \[2, 3\]/,
  );
  assert.throws(() => conv1dForward(vec([1, 2]), vec([1]), { mode: "wide" as Conv1dMode }), /mode/);
  const c1 = conv1dForward(vec([1, 2, 3]), vec([1, 1])).cache;
  assert.throws(() => conv1dBackward(vec([1, 2, 3]), c1), /conv1dBackward: dout .*\[2\].*\[3\]/);
  assert.throws(
    () => conv2dGeometry([1, 2, 3, 3], [1, 3, 1, 1]),
    /conv2dGeometry: w \[1, 3, 1, 1\] expects 3 input channels/,
  );
});

Deno.test("conv2d forward and backward stay finite and exact for large magnitudes", () => {
  const big = 1e150;
  const x = randn([1, 2, 4, 4], { seed: 5 }).mul(big), w = randn([2, 2, 3, 3], { seed: 6 });
  const { out, cache } = conv2dForward(x, w, { padding: 1 });
  assert.ok(out.isFinite());
  const ref = naiveConv2d(x, w, undefined, 1, 1, 1);
  assert.ok(allClose(out, ref, { atol: 0, rtol: 1e-12 }));
  const { dw } = conv2dBackward(out.map(() => 1), cache);
  assert.ok(dw.isFinite());
});

// ---------------------------------------------------------------------------------------------
// properties

const small = fc.integer({ min: 1, max: 6 });
const finite = fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true });
const modeArb = fc.constantFrom<Conv1dMode>("valid", "full", "same");
const kindArb = fc.constantFrom<ConvKind>("correlation", "convolution");
function signal(len: fc.Arbitrary<number>) {
  return len.chain((n) => fc.array(finite, { minLength: n, maxLength: n }).map(vec));
}
/** A 1-D problem: x [n], w [k] with k ≤ n (so every mode is defined), and a mode and kind. */
const problem1d = fc.record({ n: small, k: small }).chain(({ n, k }) =>
  fc.record({
    x: fc.array(finite, { minLength: Math.max(n, k), maxLength: Math.max(n, k) }).map(vec),
    x2: fc.array(finite, { minLength: Math.max(n, k), maxLength: Math.max(n, k) }).map(vec),
    w: fc.array(finite, { minLength: Math.min(n, k), maxLength: Math.min(n, k) }).map(vec),
    w2: fc.array(finite, { minLength: Math.min(n, k), maxLength: Math.min(n, k) }).map(vec),
    a: finite,
    mode: modeArb,
    kind: kindArb,
  })
);
const TOL = { atol: 1e-9, rtol: 1e-9 };

Deno.test("property: 1-D convolution is linear in x and in w", () => {
  fc.assert(
    fc.property(problem1d, ({ x, x2, w, w2, a, mode, kind }) => {
      const f = (u: NDArray, v: NDArray) => conv1dForward(u, v, { mode, kind }).out;
      assert.ok(allClose(f(x.mul(a).add(x2), w), f(x, w).mul(a).add(f(x2, w)), TOL));
      assert.ok(allClose(f(x, w.mul(a).add(w2)), f(x, w).mul(a).add(f(x, w2)), TOL));
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: convolution equals correlation with the flipped kernel", () => {
  fc.assert(
    fc.property(problem1d, ({ x, w, mode }) => {
      const flipped = vec([...w.data].reverse());
      assert.deepEqual(
        [...convolve1d(x, w, { mode }).data],
        [...correlate1d(x, flipped, { mode }).data],
      );
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: full mode has length n + k − 1 and is commutative; same has length n", () => {
  fc.assert(
    fc.property(signal(small), signal(small), (x, w) => {
      const full = convolve1d(x, w, { mode: "full" });
      assert.equal(full.size, x.size + w.size - 1);
      assert.ok(allClose(full, convolve1d(w, x, { mode: "full" }), TOL));
      assert.equal(convolve1d(x, w, { mode: "same" }).size, x.size);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: adjointness ⟨conv(x, w), y⟩ = ⟨x, conv_backward_x(y)⟩ and likewise for w", () => {
  fc.assert(
    fc.property(problem1d, fc.integer(), ({ x, w, mode, kind }, seed) => {
      const { out, cache } = conv1dForward(x, w, { mode, kind });
      const y = randn([out.size], { seed });
      const { dx, dw } = conv1dBackward(y, cache);
      const lhs = out.dot(y);
      const tol = 1e-9 * (1 + Math.abs(lhs) + x.norm() * w.norm() * y.norm());
      assert.ok(Math.abs(lhs - x.dot(dx)) <= tol);
      assert.ok(Math.abs(lhs - w.dot(dw)) <= tol);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: conv2d adjointness and linearity on random geometries", () => {
  const geometry = fc.record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    f: fc.integer({ min: 1, max: 9 }), // blocks of four filters and the remainder
    h: fc.integer({ min: 3, max: 7 }),
    w: fc.integer({ min: 3, max: 7 }),
    k: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 3 }),
    p: fc.integer({ min: 0, max: 2 }),
    d: fc.integer({ min: 1, max: 2 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
    kind: kindArb,
  }).filter((g) => g.d * (g.k - 1) + 1 <= Math.min(g.h, g.w) + 2 * g.p);
  fc.assert(
    fc.property(geometry, (g) => {
      const x = randn([g.n, g.c, g.h, g.w], { seed: g.seed });
      const x2 = randn([g.n, g.c, g.h, g.w], { seed: g.seed + 1 });
      const w = randn([g.f, g.c, g.k, g.k], { seed: g.seed + 2 });
      const opts = { stride: g.s, padding: g.p, dilation: g.d, kind: g.kind };
      const { out, cache } = conv2dForward(x, w, opts);
      const y = randn(out.shape, { seed: g.seed + 3 });
      const { dx, dw } = conv2dBackward(y, cache);
      const lhs = out.dot(y);
      assert.ok(Math.abs(lhs - x.dot(dx)) <= 1e-9 * (1 + Math.abs(lhs)) * 100);
      assert.ok(Math.abs(lhs - w.dot(dw)) <= 1e-9 * (1 + Math.abs(lhs)) * 100);
      const sum = conv2dForward(x.mul(2).add(x2), w, opts).out;
      assert.ok(allClose(sum, out.mul(2).add(conv2dForward(x2, w, opts).out), TOL));
    }),
    { numRuns: 150 },
  );
});

// ---------------------------------------------------------------------------------------------
// differential tests against tfjs (float32, cpu backend: tfjs-wasm has no conv filter gradient)

Deno.test("tfjs: tf.conv2d values and tf.grads agree with conv2d on random shapes", async () => {
  const tf = await tfCpu();
  const shapes = [
    { x: [2, 3, 8, 8], w: [4, 3, 3, 3], s: 1, p: 1 },
    { x: [3, 2, 9, 6], w: [5, 2, 3, 3], s: 2, p: 0 },
    { x: [1, 4, 5, 7], w: [2, 4, 1, 1], s: 1, p: 0 },
    { x: [2, 1, 6, 6], w: [3, 1, 5, 5], s: 1, p: 2 },
  ];
  for (const [i, g] of shapes.entries()) {
    const x = randn(g.x, { seed: 40 + i }), w = randn(g.w, { seed: 50 + i });
    const b = randn([g.w[0]], { seed: 60 + i });
    const { out, cache } = conv2dForward(x, w, { b, stride: g.s, padding: g.p });
    const dout = randn(out.shape, { seed: 70 + i });
    const ours = conv2dBackward(dout, cache);
    const res = tf.tidy(() => {
      const f = (xt: TF.Tensor, wt: TF.Tensor, bt: TF.Tensor) =>
        tf.conv2d(
          xt.transpose([0, 2, 3, 1]) as TF.Tensor4D,
          wt.transpose([2, 3, 1, 0]) as TF.Tensor4D,
          g.s,
          g.p === 0 ? "valid" : g.p,
        ).add(bt).transpose([0, 3, 1, 2]);
      const y = f(toTf(tf, x), toTf(tf, w), toTf(tf, b));
      const grads = tf.grads((a: TF.Tensor, c: TF.Tensor, d: TF.Tensor) =>
        f(a, c, d).mul(toTf(tf, dout)).sum()
      )([toTf(tf, x), toTf(tf, w), toTf(tf, b)]);
      return [y.dataSync(), ...grads.map((t) => t.dataSync())];
    });
    const oh = convOutputSize(g.x[2], g.w[2], { stride: g.s, padding: g.p });
    const ow = convOutputSize(g.x[3], g.w[3], { stride: g.s, padding: g.p });
    assert.deepEqual(out.shape, [g.x[0], g.w[0], oh, ow]);
    const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [
      ["out", out.data, res[0]],
      ["dx", ours.dx.data, res[1]],
      ["dw", ours.dw.data, res[2]],
      ["db", (ours.db as NDArray).data, res[3]],
    ];
    for (const [name, a, t] of pairs) {
      assert.ok(maxAbsDiff(a, t) <= F32_TOL * scale(a), `shape ${i} ${name}`);
    }
  }
});

Deno.test("tfjs: tf.conv1d agrees with correlate1d (valid and same, odd kernels) and its gradients", async () => {
  const tf = await tfCpu();
  for (const [i, [n, k]] of [[9, 3], [12, 5], [6, 1]].entries()) {
    for (const mode of ["valid", "same"] as const) {
      const x = randn([n], { seed: 80 + i }), w = randn([k], { seed: 90 + i });
      const { out, cache } = conv1dForward(x, w, { mode, kind: "correlation" });
      const dout = randn(out.shape, { seed: 99 + i });
      const { dx, dw } = conv1dBackward(dout, cache);
      const [y, gx, gw] = tf.tidy(() => {
        const f = (a: TF.Tensor, c: TF.Tensor) =>
          tf.conv1d(
            a.reshape([1, n, 1]) as TF.Tensor3D,
            c.reshape([k, 1, 1]) as TF.Tensor3D,
            1,
            mode,
          ).reshape([out.size]);
        const grads = tf.grads((a: TF.Tensor, c: TF.Tensor) => f(a, c).mul(toTf(tf, dout)).sum())([
          toTf(tf, x),
          toTf(tf, w),
        ]);
        return [f(toTf(tf, x), toTf(tf, w)).dataSync(), ...grads.map((t) => t.dataSync())];
      });
      assert.ok(maxAbsDiff(out.data, y) <= F32_TOL * scale(out.data), `${mode} ${n},${k} out`);
      assert.ok(maxAbsDiff(dx.data, gx) <= F32_TOL * scale(dx.data), `${mode} ${n},${k} dx`);
      assert.ok(maxAbsDiff(dw.data, gw) <= F32_TOL * scale(dw.data), `${mode} ${n},${k} dw`);
    }
  }
});
