import assert from "node:assert/strict";
import { loadMnist } from "../../lib/data/mnist.ts";
import { array } from "../../lib/ndarray.ts";
import { createMlp, type HiddenActivation, type OutputLoss } from "../../lib/nn/mlp.ts";
import { trainMlp } from "../../lib/nn/train.ts";
import { trainMlpTf } from "../../lib/nn/tf_mlp.ts";

/** float32 tolerance on a loss curve: relative 1e-4 (float32 ε ≈ 6e-8, times 50 steps of drift). */
const LOSS_RTOL = 1e-4;

Deno.test("float64 MLP and its tfjs twin (hand-written and autodiff gradients) agree on the loss curve for 50 steps from the same weights", async () => {
  const { images, labels } = await loadMnist({ n: 512 });
  const cases: [HiddenActivation, OutputLoss, boolean, "manual" | "autodiff"][] = [
    ["relu", "softmax-ce", false, "manual"],
    ["relu", "softmax-ce", false, "autodiff"],
    ["tanh", "softmax-mse", true, "manual"],
    ["tanh", "softmax-mse", true, "autodiff"],
    ["leaky-relu", "mse", false, "manual"],
    ["sigmoid", "softmax-ce", true, "manual"],
    ["sigmoid", "mse", true, "autodiff"],
    ["leaky-relu", "softmax-mse", true, "manual"],
  ];
  for (const [activation, loss, batchNorm, gradients] of cases) {
    const net = createMlp([784, 32, 16, 10], { seed: 7, activation, loss, batchNorm });
    const opts = { epochs: 10, batchSize: 64, lr: 0.1, maxSteps: 50, weightDecay: 1e-4, seed: 3 };
    const a = trainMlp(net, { x: images, y: labels }, opts);
    const b = await trainMlpTf(net, { x: images, y: labels }, { ...opts, gradients });
    const la = a.trace.array("loss") as number[];
    const lb = b.trace.array("loss") as number[];
    assert.equal(la.length, 50);
    assert.equal(lb.length, 50);
    for (let k = 0; k < 50; k++) {
      assert.ok(
        Math.abs(la[k] - lb[k]) <= LOSS_RTOL * Math.abs(la[k]),
        `${activation}/${loss}/bn=${batchNorm}/${gradients} step ${k}: ${la[k]} vs ${lb[k]}`,
      );
    }
    // training did something: the loss fell
    assert.ok(la[49] < la[0]);
    // the trained weights agree too
    const dw = b.model.w[0].sub(a.model.w[0]).norm() / a.model.w[0].norm();
    assert.ok(dw < 1e-4, `weights differ by ${dw}`);
  }
});

Deno.test("tfjs twin: a diverging run stops at the non-finite step; bad options are errors", async () => {
  const x = array([[0, 0], [0, 1], [1, 0], [1, 1]]).mul(1e3);
  const net = createMlp([2, 8, 2], { seed: 2, loss: "mse" });
  const r = await trainMlpTf(net, { x, y: [0, 1, 1, 0] }, { epochs: 200, batchSize: 4, lr: 10 });
  assert.equal(r.status, "non-finite");
  const loss = r.trace.array("loss") as number[];
  assert.ok(!Number.isFinite(loss.at(-1)!));
  assert.ok(loss.slice(0, -1).every(Number.isFinite));
  await assert.rejects(() => trainMlpTf(net, { x, y: [0, 1, 1, 0] }, { lr: -1 }), /options.lr/);
  await assert.rejects(
    () => trainMlpTf(net, { x, y: [0, 1, 1, 0] }, { gradients: "numeric" as "manual" }),
    /options.gradients/,
  );
});
