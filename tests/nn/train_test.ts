import assert from "node:assert/strict";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import { createMlp, mlpForward } from "../../lib/nn/mlp.ts";
import { epochOrders, gatherBatch, trainMlp } from "../../lib/nn/train.ts";

const xor = { x: array([[0, 0], [0, 1], [1, 0], [1, 1]]), y: [0, 1, 1, 0] };

Deno.test("SGD learns XOR with a tanh hidden layer", () => {
  const net = createMlp([2, 8, 2], { seed: 2, activation: "tanh", init: "xavier" });
  const r = trainMlp(net, xor, { epochs: 1000, batchSize: 4, lr: 0.5 });
  assert.equal(r.status, "done");
  const loss = r.trace.array("loss") as number[];
  assert.equal(loss.length, 1000);
  assert.ok(loss.at(-1)! < 0.02, String(loss.at(-1)));
  // the input model is not modified
  assert.notDeepEqual(net.w[0].data, r.model.w[0].data);
  assert.ok(mlpForward(xor.x, net, { target: xor.y }).out.item() > 0.3);
});

Deno.test("one full-batch step equals W − η∇L; weight decay adds 2ηλW (sheet 001 Q2.K)", () => {
  const net = createMlp([2, 3, 2], { seed: 5 });
  const lambda = 0.1, lr = 0.2;
  const plain = trainMlp(net, xor, { epochs: 1, batchSize: 4, lr, shuffle: false });
  const decayed = trainMlp(net, xor, {
    epochs: 1,
    batchSize: 4,
    lr,
    shuffle: false,
    weightDecay: lambda,
  });
  for (let l = 0; l < 2; l++) {
    // decayed − plain = −2ηλW₀ on weights, 0 on biases
    const diff = decayed.model.w[l].sub(plain.model.w[l]);
    assert.ok(diff.sub(net.w[l].mul(-2 * lr * lambda)).norm() < 1e-15);
    assert.ok(decayed.model.b[l].sub(plain.model.b[l]).norm() === 0);
  }
});

Deno.test("same seed, same batches, same run; orders are permutations", () => {
  const x = randn([50, 3], { seed: 1 });
  const y = Array.from({ length: 50 }, (_, i) => i % 3);
  const net = createMlp([3, 4, 3], { seed: 1 });
  const a = trainMlp(net, { x, y }, { epochs: 2, batchSize: 16, seed: 4 });
  const b = trainMlp(net, { x, y }, { epochs: 2, batchSize: 16, seed: 4 });
  assert.deepEqual(a.trace.array("loss"), b.trace.array("loss"));
  assert.equal(a.trace.numRows(), 8); // ceil(50/16) = 4 batches per epoch
  const [o1, o2] = epochOrders(50, 2, { seed: 4 });
  assert.deepEqual([...o1].sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(o1, o2);
  const batch = gatherBatch({ x, y }, o1.subarray(0, 3));
  assert.deepEqual(
    Array.from(batch.x.data.subarray(0, 3)),
    Array.from(x.data.subarray(o1[0] * 3, o1[0] * 3 + 3)),
  );
});

Deno.test("a diverging run stops at the non-finite step and keeps the trace", () => {
  const net = createMlp([2, 8, 2], { seed: 2, loss: "mse" });
  const r = trainMlp(net, { x: xor.x.mul(1e3), y: xor.y }, { epochs: 200, batchSize: 4, lr: 10 });
  assert.equal(r.status, "non-finite");
  const loss = r.trace.array("loss") as number[];
  assert.ok(
    !Number.isFinite(loss.at(-1)!) ||
      !Number.isFinite((r.trace.array("gradNorm") as number[]).at(-1)!),
  );
  assert.match(r.message, new RegExp(`step ${loss.length - 1}`));
  for (const w of r.model.w) assert.ok(w.isFinite());
});

Deno.test("trainer rejects bad input", () => {
  const net = createMlp([2, 3, 2], { seed: 1 });
  assert.throws(() => trainMlp(net, xor, { lr: 0 }), /trainMlp: options.lr/);
  assert.throws(() => trainMlp(net, xor, { batchSize: 0 }), /options.batchSize/);
  assert.throws(
    () => trainMlp(net, { x: xor.x, y: [0, 1] }, {}),
    /data.y has 2 rows but data.x has 4/,
  );
  assert.throws(
    () => trainMlp(net, { x: new NDArray(new Float64Array(12), [4, 3]), y: xor.y }),
    /data.x must be \[N, 2\]/,
  );
  assert.throws(() => trainMlp(net, xor, { weightDecay: -1 }), /weightDecay/);
});

Deno.test("a training result renders itself in Jupyter", () => {
  const net = createMlp([2, 3, 2], { seed: 1 });
  const r = trainMlp(net, xor, { epochs: 3, batchSize: 4 });
  const bundle = (r as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.match(bundle["text/plain"], /trainMlp: trained 3 epoch/);
  assert.match(bundle["text/html"], /<th>loss<\/th>/);
});
