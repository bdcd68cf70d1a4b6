/**
 * The MNIST loader: all 10,000 digits with their labels, a fixed mixed order, valid pixels, and
 * the PCA-50 reduction.
 */
import assert from "node:assert/strict";
import { loadMnist, MNIST_PIXELS, mnistPca } from "../../lib/data/mnist.ts";

Deno.test("loadMnist: 10,000 digits, the package's class counts, pixels in [0, 1]", async () => {
  const { images, labels } = await loadMnist();
  assert.deepEqual(images.shape, [10000, MNIST_PIXELS]);
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  let min = Infinity, max = -Infinity;
  for (const v of images.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
});

Deno.test("loadMnist: the first n rows are a mixed, fixed sample", async () => {
  const a = await loadMnist({ n: 50 });
  const b = await loadMnist({ n: 200 });
  assert.deepEqual(Array.from(a.labels), Array.from(b.labels.subarray(0, 50)));
  assert.deepEqual(a.images.data, b.images.data.subarray(0, 50 * MNIST_PIXELS));
  assert.equal(new Set(b.labels).size, 10);
  await assert.rejects(() => loadMnist({ n: 0 }), /n must be an integer in \[1, 10000\]/);
  await assert.rejects(() => loadMnist({ n: 10001 }), RangeError);
});

Deno.test("mnistPca: 50 components with decreasing variance", async () => {
  const { x, labels, pca } = await mnistPca({ n: 300 });
  assert.deepEqual(x.shape, [300, 50]);
  assert.equal(labels.length, 300);
  for (let k = 1; k < 50; k++) {
    assert.ok(pca.explainedVariance[k] <= pca.explainedVariance[k - 1] * (1 + 1e-12));
  }
});
