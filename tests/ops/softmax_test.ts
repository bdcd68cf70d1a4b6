import assert from "node:assert/strict";
import fc from "fast-check";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import { checkHessian, checkJacobian } from "../../lib/grad/check.ts";
import { sigmoid } from "../../lib/ops/activations.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  binaryCrossEntropyForward,
  classIndices,
  crossEntropy,
  crossEntropyBackward,
  crossEntropyForward,
  crossEntropyHessian,
  DEFAULT_REDUCTION,
  logSoftmax,
  logSoftmaxBackward,
  logSoftmaxForward,
  softmax,
  SOFTMAX_TEMPERATURE,
  softmaxBackward,
  softmaxForward,
  softmaxJacobian,
} from "../../lib/ops/softmax.ts";
import {
  assertClose32,
  assertOp,
  fromTensor,
  rangeError,
  tfjs,
  tfValueAndGrad,
  toTensor,
} from "./oracle.ts";

const RUNS = 300;
const logit = fc.double({ min: -50, max: 50, noNaN: true });
function vectorArb(minC: number, maxC: number, values = logit) {
  return fc.integer({ min: minC, max: maxC }).chain((c) =>
    fc.array(values, { minLength: c, maxLength: c }).map((v) => array(v))
  );
}
const close = (a: number, b: number, tol = 1e-12) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

Deno.test("softmax: constants", () => {
  assert.equal(SOFTMAX_TEMPERATURE, 1);
  assert.equal(DEFAULT_REDUCTION, "mean");
});

Deno.test("softmax: closed forms on tiny inputs", () => {
  const s = softmax(array([0, Math.log(3)]));
  assert.ok(close(s.data[0], 0.25) && close(s.data[1], 0.75));
  const t = softmax(array([0, 2 * Math.log(3)]), { temperature: 2 });
  assert.ok(close(t.data[1], 0.75), "softmax(x / T)");
  const l = logSoftmax(array([[1, 1, 1, 1]]));
  for (const v of l.data) assert.ok(close(v, -Math.log(4)));
  assert.deepEqual(softmaxJacobian(array([0, 0])).toArray(), [[0.25, -0.25], [-0.25, 0.25]]);
  assert.ok(close(crossEntropy(array([[0, 0, 0]]), [1]), Math.log(3)));
  assert.ok(
    close(
      crossEntropy(array([[0, 0], [0, Math.log(3)]]), [0, 1], { reduction: "sum" }),
      Math.log(2) + Math.log(4 / 3),
    ),
  );
  assert.deepEqual(
    crossEntropy(array([[0, 0], [0, 0]]), [0, 1], { reduction: "none" }).toArray(),
    [Math.LN2, Math.LN2],
  );
  assert.ok(close(binaryCrossEntropy(array([0]), array([1])), Math.LN2));
  assert.ok(close(binaryCrossEntropy(array([2]), array([0.25])), Math.log1p(Math.exp(2)) - 0.5));
  // CE gradient s − y (sheet 004 Q3.b): logits [0, 0, 0], class 2, mean over one row.
  const { cache } = crossEntropyForward(array([[0, 0, 0]]), [2]);
  const { dx } = crossEntropyBackward(array(1), cache);
  assert.ok(close(dx.data[0], 1 / 3) && close(dx.data[2], -2 / 3));
  const h = crossEntropyHessian(array([0, 0, 0]));
  assert.ok(close(h.get(0, 0), 2 / 9) && close(h.get(0, 1), -1 / 9));
});

Deno.test("softmax: backward passes match finite differences at several shapes", () => {
  const shapes = [[1], [5], [3, 4], [2, 3, 4]];
  shapes.forEach((shape, k) => {
    const x = randn(shape, { seed: 10 + k }).mul(2);
    for (const temperature of [1, 0.5, 3]) {
      assertOp(
        { forward: (i) => softmaxForward(i.x, { temperature }), backward: softmaxBackward },
        { x },
        `softmax T=${temperature} ${shape}`,
      );
      assertOp(
        { forward: (i) => logSoftmaxForward(i.x, { temperature }), backward: logSoftmaxBackward },
        { x },
        `logSoftmax T=${temperature} ${shape}`,
      );
    }
  });
  for (const [n, c] of [[1, 2], [4, 3], [6, 10]]) {
    const x = randn([n, c], { seed: n * c });
    const y = Array.from({ length: n }, (_, i) => (i * 7) % c);
    const soft = softmax(randn([n, c], { seed: 99 }));
    for (const reduction of ["mean", "sum", "none"] as const) {
      assertOp(
        {
          forward: (i) => crossEntropyForward(i.x, y, { reduction }),
          backward: crossEntropyBackward,
        },
        { x },
        `CE indices ${reduction} [${n}, ${c}]`,
      );
      assertOp(
        {
          forward: (i) => crossEntropyForward(i.x, soft, { reduction }),
          backward: crossEntropyBackward,
        },
        { x },
        `CE soft ${reduction} [${n}, ${c}]`,
      );
      const unnormalized = soft.mul(2.5);
      assertOp(
        {
          forward: (i) => crossEntropyForward(i.x, unnormalized, { reduction }),
          backward: crossEntropyBackward,
        },
        { x },
        `CE weights not summing to 1 ${reduction}`,
      );
      assertOp(
        {
          forward: (i) => binaryCrossEntropyForward(i.x, i.t, { reduction }),
          backward: binaryCrossEntropyBackward,
        },
        { x, t: sigmoid(randn([n, c], { seed: 5 })) },
        `BCE ${reduction} [${n}, ${c}]`,
      );
    }
  }
});

Deno.test("softmax: Jacobian diag(s) − s sᵀ and CE Hessian match finite differences", () => {
  for (const c of [1, 2, 5, 9]) {
    const x = randn([c], { seed: c });
    for (const temperature of [1, 2]) {
      const r = checkJacobian(
        (v) => softmax(v, { temperature }),
        (v) => softmaxJacobian(v, { temperature }),
        x,
      );
      assert.ok(r.ok, r.toString());
    }
    const y = [c - 1];
    const grad = (v: NDArray) => {
      const { cache } = crossEntropyForward(v, y);
      return crossEntropyBackward(array(1), cache).dx;
    };
    const h = checkHessian(grad, (v) => crossEntropyHessian(v), x);
    assert.ok(h.ok, h.toString());
    const soft = softmax(randn([c], { seed: 3 })).mul(3);
    const gradSoft = (v: NDArray) =>
      crossEntropyBackward(array(1), crossEntropyForward(v, soft).cache).dx;
    assert.ok(checkHessian(gradSoft, (v) => crossEntropyHessian(v, { target: soft }), x).ok);
  }
});

Deno.test("softmax: property softmax(x + c) = softmax(x), sums to 1, in [0, 1]", () => {
  fc.assert(
    fc.property(vectorArb(1, 8), fc.double({ min: -1e3, max: 1e3, noNaN: true }), (x, c) => {
      const a = softmax(x).data, b = softmax(x.add(c)).data;
      let sum = 0;
      for (let i = 0; i < a.length; i++) {
        if (!(Math.abs(a[i] - b[i]) <= 1e-12) || a[i] < 0 || a[i] > 1) return false;
        sum += a[i];
      }
      return Math.abs(sum - 1) <= 1e-12;
    }),
    { numRuns: RUNS },
  );
});

Deno.test("softmax: property two-class softmax is the sigmoid of the logit difference", () => {
  fc.assert(
    fc.property(logit, logit, (a, b) => {
      const s = softmax(array([a, b])).data[0];
      return Math.abs(s - sigmoid(array([a - b])).item()) <= 1e-15;
    }),
    { numRuns: RUNS },
  );
  // Two-class CE is BCE on the logit difference.
  fc.assert(
    fc.property(logit, logit, fc.integer({ min: 0, max: 1 }), (a, b, y) => {
      const ce = crossEntropy(array([[a, b]]), [y]);
      const bce = binaryCrossEntropy(array([a - b]), array([1 - y]));
      return close(ce, bce, 1e-12);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("softmax: property log-softmax = log(softmax) and CE(one-hot) = CE(index)", () => {
  fc.assert(
    fc.property(vectorArb(2, 8), fc.nat(), (x, k) => {
      const c = x.size, y = k % c;
      const ls = logSoftmax(x).data, s = softmax(x).data;
      for (let i = 0; i < c; i++) if (!close(ls[i], Math.log(s[i]), 1e-10)) return false;
      const onehot = new NDArray(new Float64Array(c), [1, c]);
      onehot.data[y] = 1;
      const row = x.reshape([1, c]);
      return close(crossEntropy(row, [y]), crossEntropy(row, onehot), 1e-14) &&
        close(crossEntropy(row, [y]), -ls[y], 1e-14);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("softmax: property CE Hessian is symmetric PSD with 1 in its null space", () => {
  fc.assert(
    fc.property(
      vectorArb(1, 8),
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }),
      (x, vRaw) => {
        const h = crossEntropyHessian(x);
        const c = x.size;
        const v = vRaw.slice(0, c);
        let quad = 0, scale = 0;
        for (let i = 0; i < c; i++) {
          let rowSum = 0;
          for (let j = 0; j < c; j++) {
            const hij = h.data[i * c + j];
            if (hij !== h.data[j * c + i]) return false;
            rowSum += hij;
            quad += v[i] * hij * v[j];
            scale += Math.abs(v[i] * hij * v[j]);
          }
          if (Math.abs(rowSum) > 1e-15) return false;
        }
        return quad >= -1e-14 * Math.max(1, scale);
      },
    ),
    { numRuns: RUNS },
  );
});

/** True when all entries differ pairwise by at least `gap`. */
function minGap(gap: number): (x: NDArray) => boolean {
  return (x) => {
    const v = [...x.data].sort((a, b) => a - b);
    return v.every((a, i) => i === 0 || a - v[i - 1] >= gap);
  };
}

Deno.test("softmax: property T → 0 gives the argmax one-hot, T → ∞ the uniform distribution", () => {
  fc.assert(
    fc.property(vectorArb(2, 6).filter(minGap(1e-3)), (x) => {
      const cold = softmax(x, { temperature: 1e-300 }).data;
      const hot = softmax(x, { temperature: 1e300 }).data;
      const arg = x.data.indexOf(Math.max(...x.data));
      return cold.every((v, i) => v === (i === arg ? 1 : 0)) &&
        hot.every((v) => Math.abs(v - 1 / x.size) < 1e-12);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("softmax: extreme logits ±1e3 and ±1e300 give the right finite values", () => {
  for (const big of [1e3, 1e300]) {
    assert.deepEqual(softmax(array([big, big])).toArray(), [0.5, 0.5]);
    assert.deepEqual(softmax(array([-big, -big, -big, -big])).toArray(), [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(softmax(array([big, -big])).toArray(), [1, 0]);
    assert.deepEqual(logSoftmax(array([big, -big])).toArray(), [0, -2 * big]);
    assert.equal(crossEntropy(array([[big, -big]]), [0]), 0);
    assert.equal(crossEntropy(array([[big, -big]]), [1]), 2 * big);
    assert.equal(crossEntropy(array([[big, 0]]), [1]), big);
    const { cache } = crossEntropyForward(array([[big, -big, 0]]), [1]);
    assert.deepEqual(crossEntropyBackward(array(1), cache).dx.toArray(), [[1, -1, 0]]);
    assert.equal(binaryCrossEntropy(array([big]), array([0])), big);
    assert.equal(binaryCrossEntropy(array([-big]), array([0])), 0);
    const bce = binaryCrossEntropyBackward(
      array(1),
      binaryCrossEntropyForward(array([big]), array([0])).cache,
    );
    assert.equal(bce.dx.item(), 1);
    const h = crossEntropyHessian(array([big, -big]));
    assert.ok(h.isFinite());
    assert.ok(softmaxJacobian(array([big, 0, -big])).isFinite());
  }
  // A soft target with a zero weight where log-softmax is −∞ (logits 1e308 apart): 0·log 0 = 0.
  assert.equal(crossEntropy(array([[1.7e308, -1.7e308]]), array([[1, 0]])), 0);
  assert.equal(
    crossEntropy(array([[1.7e308, -1.7e308]]), [1]),
    Infinity,
    "a genuinely infinite loss",
  );
});

Deno.test("softmax: ties, all-equal inputs and a single class", () => {
  assert.deepEqual(softmax(array([[3, 3, 3]])).toArray(), [[1 / 3, 1 / 3, 1 / 3]]);
  assert.deepEqual(softmax(array([2, 2, 0])).data[0], softmax(array([2, 2, 0])).data[1]);
  assert.deepEqual(softmax(array([7])).toArray(), [1]);
  assert.deepEqual(logSoftmax(array([[-1e300]])).toArray(), [[0]]);
  assert.equal(crossEntropy(array([[5]]), [0]), 0);
  assert.deepEqual(softmaxJacobian(array([4])).toArray(), [[0]]);
  const { cache } = crossEntropyForward(array([[5]]), [0]);
  assert.deepEqual(crossEntropyBackward(array(1), cache).dx.toArray(), [[0]]);
});

Deno.test("softmax: bad inputs throw RangeErrors naming the op, the argument and the shapes", () => {
  const x = array([[0, 1, 2], [3, 4, 5]]);
  assert.throws(
    () => crossEntropy(x, [0, 3]),
    rangeError(/crossEntropy: target\[1\] = 3 is not a class index in \[0, 3\) for logits of 2x3/),
  );
  assert.throws(() => crossEntropy(x, [0, -1]), rangeError(/crossEntropy: target\[1\] = -1/));
  assert.throws(() => crossEntropy(x, [0, 1.5]), rangeError(/target\[1\] = 1.5/));
  assert.throws(() => crossEntropy(x, [0, NaN]), rangeError(/target\[1\] = NaN/));
  assert.throws(
    () => crossEntropy(x, [0]),
    rangeError(/crossEntropy: target holds 1 class indices but the logits have 2 rows/),
  );
  assert.throws(
    () => crossEntropy(x, array([[1, 0], [0, 1]])),
    rangeError(/crossEntropy: target has shape \[2, 2\] but the logits have shape \[2, 3\]/),
  );
  assert.throws(
    () => crossEntropy(x, array([[1, 0, 0], [0, -1, 2]])),
    rangeError(/soft targets must be finite and ≥ 0/),
  );
  assert.throws(
    () => crossEntropy(x, [0, 1], { reduction: "avg" as "mean" }),
    rangeError(/options.reduction/),
  );
  assert.throws(
    () => softmax(array([1, NaN])),
    rangeError(/softmax: x of shape \[2\] holds NaN at \[1\]/),
  );
  assert.throws(() => softmax(array([1, Infinity])), rangeError(/logits must be finite/));
  assert.throws(
    () => softmax(array(3)),
    rangeError(/softmax: x must have at least one class.*\[\]/),
  );
  assert.throws(() => softmax(x, { temperature: 0 }), rangeError(/softmax: options.temperature/));
  assert.throws(
    () => softmaxJacobian(x),
    rangeError(/softmaxJacobian: x must be one example of shape \[C\], got \[2, 3\]/),
  );
  assert.throws(
    () => crossEntropyHessian(x),
    rangeError(/crossEntropyHessian: x must be one example/),
  );
  assert.throws(
    () => binaryCrossEntropy(array([1, 2]), array([1])),
    rangeError(/binaryCrossEntropy: target has shape \[1\] but logits x has shape \[2\]/),
  );
  assert.throws(
    () => binaryCrossEntropy(array([1]), array([2])),
    rangeError(/binaryCrossEntropy: target\[0\] = 2 is not in \[0, 1\]/),
  );
  const { cache } = softmaxForward(x);
  assert.throws(
    () => softmaxBackward(array([1, 2, 3]), cache),
    rangeError(/softmaxBackward: dout has shape \[3\] but the softmax output has shape \[2, 3\]/),
  );
  const ce = crossEntropyForward(x, [0, 1]).cache;
  assert.throws(
    () => crossEntropyBackward(array([1, 1]), ce),
    rangeError(/crossEntropyBackward: dout has shape \[2\] but the loss has shape \[\]/),
  );
  assert.throws(
    () => classIndices(array([[0]]), 1, 2, "f"),
    rangeError(/f: target class indices must be 1-D/),
  );
  assert.throws(() => crossEntropy(x, "01" as unknown as number[]), TypeError);
});

Deno.test("softmax: forward values and gradients agree with tfjs (float32)", async () => {
  const tf = await tfjs();
  for (const [n, c] of [[3, 4], [8, 10]]) {
    const x = randn([n, c], { seed: n + c }).mul(3);
    const dout = randn([n, c], { seed: 77 });
    const s = tfValueAndGrad(tf, (t) => tf.softmax(t), x, dout);
    const { out, cache } = softmaxForward(x);
    assertClose32(out, s.out, "softmax");
    assertClose32(softmaxBackward(dout, cache).dx, s.grad, "softmax gradient");
    const t = tfValueAndGrad(tf, (v) => tf.softmax(v.div(2)), x, dout);
    const tempered = softmaxForward(x, { temperature: 2 });
    assertClose32(tempered.out, t.out, "softmax T = 2");
    assertClose32(softmaxBackward(dout, tempered.cache).dx, t.grad, "softmax T = 2 gradient");
    const l = tfValueAndGrad(tf, (t) => tf.logSoftmax(t), x, dout);
    const ls = logSoftmaxForward(x);
    assertClose32(ls.out, l.out, "logSoftmax");
    assertClose32(logSoftmaxBackward(dout, ls.cache).dx, l.grad, "logSoftmax gradient");
    // Cross-entropy with class indices, one-hot through tf.oneHot; tfjs's default reduction is
    // the mean over rows, as ours.
    const y = Array.from({ length: n }, (_, i) => (3 * i + 1) % c);
    const onehot = tf.oneHot(tf.tensor1d(y, "int32"), c).toFloat();
    const ce = tfValueAndGrad(tf, (t) => tf.losses.softmaxCrossEntropy(onehot, t), x, array(1));
    const ours = crossEntropyForward(x, y);
    assertClose32(ours.out, ce.out, "CE");
    assertClose32(crossEntropyBackward(array(1), ours.cache).dx, ce.grad, "CE gradient");
    const soft = softmax(randn([n, c], { seed: 4 }));
    const softT = toTensor(tf, soft);
    const ces = tfValueAndGrad(tf, (t) => tf.losses.softmaxCrossEntropy(softT, t), x, array(1));
    const oursSoft = crossEntropyForward(x, soft);
    assertClose32(oursSoft.out, ces.out, "CE soft");
    assertClose32(crossEntropyBackward(array(1), oursSoft.cache).dx, ces.grad, "CE soft gradient");
    const target = sigmoid(randn([n, c], { seed: 6 }));
    const tt = toTensor(tf, target);
    const b = tfValueAndGrad(tf, (t) => tf.losses.sigmoidCrossEntropy(tt, t), x, array(1));
    const bce = binaryCrossEntropyForward(x, target);
    assertClose32(bce.out, b.out, "BCE");
    assertClose32(binaryCrossEntropyBackward(array(1), bce.cache).dx, b.grad, "BCE gradient");
  }
  // tfjs's softmax overflows nowhere either at ±1e3 (float32 range), and agrees.
  const ext = array([[1e3, -1e3, 0]]);
  assertClose32(softmax(ext), fromTensor(tf.softmax(toTensor(tf, ext))), "softmax ±1e3");
});
