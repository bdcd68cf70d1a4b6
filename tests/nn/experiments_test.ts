import assert from "node:assert/strict";
import {
  batchNormExperiment,
  ceVsMse,
  DROPOUT_Z_LIMIT,
  gaussianDropoutGradient,
  mnistSplit,
  trainedTopK,
  weightDecaySweep,
} from "../../lib/nn/experiments.ts";

Deno.test("saturated start: cross-entropy keeps its gradient and learns, MSE on softmax stalls (sheet 001 Q2.G)", async () => {
  const r = await ceVsMse({ n: 500, steps: 100, evalEvery: 20 });
  assert.ok(r.finalError.ce < r.finalError.mse - 0.2, JSON.stringify(r.finalError));
  assert.ok(r.earlyGradNorm.ce > 5 * r.earlyGradNorm.mse, JSON.stringify(r.earlyGradNorm));
  assert.equal(r.figure.data.length, 2);
  assert.equal(r.table.numRows(), 2 * (100 / 20 + 1));
});

Deno.test("a deep sigmoid network trains with batch norm and barely without", async () => {
  const r = await batchNormExperiment({ n: 500, steps: 100, hidden: [32, 32, 32, 32] });
  assert.ok(r.finalError.withBatchNorm < r.finalError.without - 0.3, JSON.stringify(r.finalError));
});

Deno.test("weight decay sweep: the weight norm falls as λ grows", async () => {
  const r = await weightDecaySweep([0, 0.01, 0.05], {
    nTrain: 200,
    nTest: 200,
    epochs: 5,
    hidden: 32,
  });
  const norms = r.table.array("weightNorm") as number[];
  assert.ok(norms[0] > norms[1] && norms[1] > norms[2], String(norms));
  const train = r.table.array("trainError") as number[];
  assert.ok(train.every((e) => e >= 0 && e <= 1));
  await assert.rejects(() => weightDecaySweep([-1]), RangeError);
});

Deno.test("Gaussian dropout: Monte-Carlo mean gradient matches sheet 004 Q5's formula", () => {
  const r = gaussianDropoutGradient({ samples: 20000, sigma: 0.7, seed: 11 });
  assert.ok(r.maxZ < DROPOUT_Z_LIMIT, `max z = ${r.maxZ}`);
  // the sheet's expression is the gradient of the L2-penalized loss
  assert.ok(r.formula.sub(r.regularizedGradient).norm() < 1e-12);
  // and differs from the plain gradient by σ² W_i x_i²: a real, measurable regularizer
  const plain = r.x.mul(-(r.yd - r.w.dot(r.x)));
  const penalty = r.formula.sub(plain);
  const expected = r.w.mul(r.x).mul(r.x).mul(r.sigma ** 2);
  assert.ok(penalty.sub(expected).norm() < 1e-12);
  const off = r.monteCarlo.sub(plain).sub(expected).data.map((v, i) =>
    Math.abs(v) / r.standardError.data[i]
  );
  assert.ok(Math.max(...off) < DROPOUT_Z_LIMIT);
  // σ = 0: no noise, the Monte-Carlo mean is the plain gradient exactly
  const none = gaussianDropoutGradient({ samples: 10, sigma: 0, seed: 11 });
  assert.ok(none.monteCarlo.sub(none.formula).norm() < 1e-12);
});

Deno.test("top-k error of a trained classifier falls with k and is 0 at k = 10", async () => {
  const r = await trainedTopK({
    nTrain: 500,
    nTest: 300,
    epochs: 2,
    hidden: 32,
    ks: [1, 2, 3, 5, 10],
  });
  const e = r.table.array("error") as number[];
  for (let i = 1; i < e.length; i++) assert.ok(e[i] <= e[i - 1]);
  assert.equal(e.at(-1), 0);
  assert.ok(e[0] < 0.5, `a trained classifier beats chance by far: ${e[0]}`);
});

Deno.test("mnistSplit takes consecutive rows and rejects empty ranges", async () => {
  const a = await mnistSplit(10, 20);
  const b = await mnistSplit(0, 20);
  assert.deepEqual(a.x.shape, [10, 784]);
  assert.deepEqual(Array.from(a.y), Array.from(b.y.slice(10)));
  await assert.rejects(() => mnistSplit(5, 5), RangeError);
});
