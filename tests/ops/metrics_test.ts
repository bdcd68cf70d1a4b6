import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray, randn } from "../../lib/ndarray.ts";
import { accuracy, TOP_K, topKError, trueClassRanks } from "../../lib/ops/metrics.ts";
import { rangeError, tfjs, toTensor } from "./oracle.ts";

const RUNS = 300;

Deno.test("metrics: constants", () => {
  assert.equal(TOP_K, 1);
  const s = array([[0.9, 0.1], [0.2, 0.8]]);
  assert.equal(accuracy(s, [0, 1]), 1);
  assert.equal(topKError(s, [0, 1]), 0);
  assert.equal(topKError(s, [1, 0]), 1);
});

Deno.test("metrics: closed forms on a tiny input (sheet 000 §7)", () => {
  // Five examples, four classes; ranks of the true class: 0, 1, 2, 3, 0.
  const s = array([
    [4, 3, 2, 1],
    [4, 3, 2, 1],
    [4, 3, 2, 1],
    [4, 3, 2, 1],
    [1, 2, 3, 4],
  ]);
  const y = [0, 1, 2, 3, 3];
  assert.deepEqual([...trueClassRanks(s, y)], [0, 1, 2, 3, 0]);
  assert.equal(topKError(s, y, { k: 1 }), 3 / 5);
  assert.equal(topKError(s, y, { k: 2 }), 2 / 5);
  assert.equal(topKError(s, y, { k: 3 }), 1 / 5);
  assert.equal(topKError(s, y, { k: 4 }), 0);
  assert.equal(accuracy(s, y), 2 / 5);
});

Deno.test("metrics: ties are broken by class index", () => {
  const s = array([[1, 1, 1], [2, 5, 5]]);
  assert.deepEqual([...trueClassRanks(s, [0, 2])], [0, 1]);
  assert.equal(accuracy(array([[3, 3]]), [0]), 1);
  assert.equal(accuracy(array([[3, 3]]), [1]), 0);
  assert.equal(topKError(array([[3, 3]]), [1], { k: 2 }), 0);
});

const scoresArb = fc.tuple(
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 0, max: 1e6 }),
)
  .map(([n, c, seed]) => {
    const s = randn([n, c], { seed });
    const y = Array.from({ length: n }, (_, i) => (seed + 7 * i) % c);
    return { s, y, n, c };
  });

Deno.test("metrics: property top-k error decreases in k, is 0 at k = C, and top-1 = 1 − accuracy", () => {
  fc.assert(
    fc.property(scoresArb, ({ s, y, c }) => {
      let prev = 1;
      for (let k = 1; k <= c; k++) {
        const e = topKError(s, y, { k });
        if (e > prev || e < 0) return false;
        prev = e;
      }
      return prev === 0 && Math.abs(topKError(s, y) - (1 - accuracy(s, y))) < 1e-15;
    }),
    { numRuns: RUNS },
  );
});

Deno.test("metrics: property invariant under a monotone map of the scores (softmax, shift)", () => {
  fc.assert(
    fc.property(
      scoresArb,
      fc.double({ min: -100, max: 100, noNaN: true }),
      ({ s, y, c }, shift) => {
        const k = Math.max(1, c - 1);
        const mapped = s.map((v) => 3 * v + shift);
        return topKError(s, y, { k }) === topKError(mapped, y, { k }) &&
          accuracy(s, y) === accuracy(mapped, y);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("metrics: extreme scores and a single class", () => {
  const s = array([[1e300, -1e300, Infinity], [-Infinity, 0, 1e-300]]);
  assert.deepEqual([...trueClassRanks(s, [0, 2])], [1, 0]);
  assert.equal(accuracy(array([[5]]), [0]), 1);
  assert.equal(topKError(array([[5]]), [0]), 0);
});

Deno.test("metrics: bad inputs throw RangeErrors naming the op, the argument and the shapes", () => {
  const s = array([[1, 2, 3]]);
  assert.throws(
    () => topKError(s, [0], { k: 4 }),
    rangeError(/topKError: options.k must be an integer in \[1, 3\] for scores \[1, 3\], got 4/),
  );
  assert.throws(() => topKError(s, [0], { k: 0 }), rangeError(/topKError: options.k/));
  assert.throws(
    () => accuracy(s, [3]),
    rangeError(/trueClassRanks: labels\[0\] = 3 is not a class index in \[0, 3\)/),
  );
  assert.throws(
    () => accuracy(s, [0, 1]),
    rangeError(/labels holds 2 class indices but the logits have 1 rows/),
  );
  assert.throws(
    () => accuracy(array([1, 2]), [0]),
    rangeError(/accuracy: scores must be \[N, C\] with N, C ≥ 1, got shape \[2\]/),
  );
  assert.throws(
    () => accuracy(array([[1, NaN]]), [0]),
    rangeError(/accuracy: scores of shape \[1, 2\] hold NaN at \[0,1\]/),
  );
  assert.throws(() => accuracy("s" as unknown as NDArray, [0]), TypeError);
});

Deno.test("metrics: top-k agrees with tf.topk membership on tie-free scores", async () => {
  const tf = await tfjs();
  const s = randn([20, 7], { seed: 61 });
  const y = Array.from({ length: 20 }, (_, i) => (i * 3) % 7);
  for (const k of [1, 3, 5]) {
    const idx = tf.topk(toTensor(tf, s), k).indices.arraySync() as number[][];
    const miss = idx.filter((row, r) => !row.includes(y[r])).length;
    assert.equal(topKError(s, y, { k }), miss / 20);
  }
});
