import assert from "node:assert/strict";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import { checkGradient } from "../../lib/grad/check.ts";
import {
  createMlp,
  type HiddenActivation,
  mlpBackward,
  mlpForward,
  mlpGradRecord,
  mlpParams,
  mlpPredict,
  mlpWithParams,
  type OutputLoss,
} from "../../lib/nn/mlp.ts";

const ONE = new NDArray(Float64Array.of(1), []);
const x = randn([6, 5], { seed: 11 });
const labels = [0, 2, 1, 1, 0, 2];

Deno.test("the whole MLP gradient-checks: every activation, loss, depth, with and without batch norm", () => {
  const activations: HiddenActivation[] = ["relu", "leaky-relu", "sigmoid", "tanh"];
  const losses: OutputLoss[] = ["softmax-ce", "mse", "softmax-mse"];
  for (const activation of activations) {
    for (const loss of losses) {
      for (const batchNorm of [false, true]) {
        const sizes = batchNorm ? [5, 4, 4, 3] : [5, 4, 3];
        const net = createMlp(sizes, { activation, loss, batchNorm, seed: 3 });
        // perturb biases and BN parameters so that no gradient is trivially zero
        net.b.forEach((b, l) => net.b[l] = b.add(randn(b.shape, { seed: 20 + l }).mul(0.1)));
        net.gamma.forEach((g, l) =>
          net.gamma[l] = g.add(randn(g.shape, { seed: 30 + l }).mul(0.2))
        );
        const f = (p: Record<string, NDArray>) =>
          mlpForward(x, mlpWithParams(net, p), { target: labels }).out.item();
        const grad = (p: Record<string, NDArray>) => {
          const { cache } = mlpForward(x, mlpWithParams(net, p), { target: labels });
          return mlpGradRecord(mlpBackward(ONE, cache));
        };
        const report = checkGradient(f, grad, mlpParams(net));
        assert.ok(report.ok, `${activation} ${loss} bn=${batchNorm}: ${report.toString()}`);
      }
    }
  }
});

Deno.test("the input gradient dx gradient-checks too, and inputGradient: false leaves weights unchanged", () => {
  const net = createMlp([5, 4, 3], { activation: "tanh", seed: 8 });
  const report = checkGradient(
    (v: NDArray) => mlpForward(v, net, { target: labels }).out.item(),
    (v: NDArray) => mlpBackward(ONE, mlpForward(v, net, { target: labels }).cache).dx,
    x,
  );
  assert.ok(report.ok, report.toString());
  const { cache } = mlpForward(x, net, { target: labels });
  const full = mlpBackward(ONE, cache);
  const lean = mlpBackward(ONE, cache, { inputGradient: false });
  assert.deepEqual(lean.dx.shape, [0]);
  full.dw.forEach((dw, l) => assert.ok(dw.sub(lean.dw[l]).norm() < 1e-15));
  full.db.forEach((db, l) => assert.ok(db.sub(lean.db[l]).norm() < 1e-15));
});

Deno.test("closed form: one linear layer with softmax-CE has dW = xᵀ(s − y)/N", () => {
  const net = createMlp([5, 3], { seed: 2 });
  const { out, cache } = mlpForward(x, net, { target: labels });
  const g = mlpBackward(ONE, cache);
  const s = cache.scores.data;
  const n = 6, c = 3;
  let loss = 0;
  const ds = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const row = Array.from(s.subarray(r * c, r * c + c));
    const m = Math.max(...row);
    const z = row.reduce((t, v) => t + Math.exp(v - m), 0);
    loss += -(row[labels[r]] - m - Math.log(z)) / n;
    for (let j = 0; j < c; j++) {
      ds[r * c + j] = (Math.exp(row[j] - m) / z - (j === labels[r] ? 1 : 0)) / n;
    }
  }
  assert.ok(Math.abs(out.item() - loss) < 1e-14);
  const dsA = new NDArray(ds, [n, c]);
  assert.ok(g.dw[0].sub(x.transpose().matmul(dsA)).norm() < 1e-14);
  assert.ok(g.db[0].sub(dsA.sum(0)).norm() < 1e-14);
});

Deno.test("mse targets: class indices mean one-hot rows; explicit [N, C] targets are used as given", () => {
  const net = createMlp([5, 3], { loss: "mse", seed: 2 });
  const oneHot = new NDArray(new Float64Array(18), [6, 3]);
  labels.forEach((k, r) => oneHot.data[r * 3 + k] = 1);
  const a = mlpForward(x, net, { target: labels }).out.item();
  const b = mlpForward(x, net, { target: oneHot }).out.item();
  assert.equal(a, b);
  const s = mlpPredict(x, net);
  assert.ok(Math.abs(a - 0.5 * s.sub(oneHot).mul(s.sub(oneHot)).sum().item() / 6) < 1e-14);
});

Deno.test("mlpPredict returns scores [N, C]; createMlp is seeded", () => {
  const a = createMlp([5, 7, 3], { seed: 9 });
  const b = createMlp([5, 7, 3], { seed: 9 });
  assert.deepEqual(a.w[0].data, b.w[0].data);
  assert.deepEqual(mlpPredict(x, a).shape, [6, 3]);
  const c = createMlp([5, 7, 3], { seed: 10 });
  assert.notDeepEqual(a.w[0].data, c.w[0].data);
  // He init: Var(W) = 2/D_in
  const big = createMlp([400, 300], { seed: 1 });
  const v = big.w[0].mul(big.w[0]).mean().item();
  assert.ok(Math.abs(v - 2 / 400) < 0.05 * (2 / 400));
});

Deno.test("bad shapes and options are clear errors", () => {
  const net = createMlp([5, 3], { seed: 1 });
  assert.throws(
    () => mlpForward(array([[1, 2]]), net, { target: [0] }),
    /mlpForward: x must be \[N, 5\]/,
  );
  assert.throws(
    () => mlpForward(x, net, {} as { target: number[] }),
    /mlpForward: options.target .* is required/,
  );
  assert.throws(() => mlpForward(x, net, { target: [0, 1] }), /6 rows|class indices/);
  assert.throws(() => mlpForward(x, net, { target: [0, 1, 2, 3, 4, 5] }), /not a class index/);
  assert.throws(() => createMlp([5]), /createMlp: sizes/);
  assert.throws(() => createMlp([5, 0]), RangeError);
  assert.throws(() => createMlp([5, 3], { activation: "gelu" as "relu" }), /options.activation/);
  assert.throws(() => createMlp([5, 3], { loss: "hinge" as "mse" }), /options.loss/);
});

Deno.test("mlpBackward without the input gradient gives the same parameter gradients", () => {
  // an input with many exact zeros, like MNIST pixels
  const xs = randn([7, 9], { seed: 5 }).map((v) => (v > 0.3 ? v : 0));
  const y = [0, 1, 2, 0, 1, 2, 0];
  for (const batchNorm of [false, true]) {
    const net = createMlp([9, 6, 3], { seed: 6, batchNorm });
    const { cache } = mlpForward(xs, net, { target: y });
    const lean = mlpBackward(ONE, cache, { inputGradient: false });
    const full = mlpBackward(ONE, cache);
    full.dw.forEach((dw, l) => assert.deepEqual(lean.dw[l].data, dw.data));
    full.db.forEach((db, l) => assert.deepEqual(lean.db[l].data, db.data));
  }
});
