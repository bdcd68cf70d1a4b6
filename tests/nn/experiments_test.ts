import assert from "node:assert/strict";
import { mnistSplit, trainedTopK, weightDecaySweep } from "../../lib/nn/experiments.ts";

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
