import assert from "node:assert/strict";
import type * as TF from "@tensorflow/tfjs";
import {
  autodiffGradient,
  checkAutodiff,
  checkGradientWithAutodiff,
  checkOpWithAutodiff,
  loadTf,
} from "../../lib/grad/autodiff.ts";
import { allClose, array, type NDArray, randn } from "../../lib/ndarray.ts";

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const logistic = (x: NDArray) => x.map((t) => Math.log(1 + Math.exp(-t))).sum().item();
const logisticGrad = (x: NDArray) => x.map((t) => -sigmoid(-t));
const logisticTf = (t: TF.Tensor) => t.neg().softplus().sum() as TF.Scalar;

Deno.test("loadTf starts the wasm backend by default and can switch to cpu", async () => {
  const { backend } = await loadTf();
  assert.equal(backend, "wasm");
  const cpu = await loadTf({ backend: "cpu" });
  assert.equal(cpu.backend, "cpu");
  await loadTf();
  await assert.rejects(
    () => loadTf({ backend: "gpu" as never }),
    /loadTf: backend must be "wasm" or "cpu"/,
  );
});

Deno.test("autodiffGradient matches the closed form in float32", async () => {
  const x = randn([3, 4], { seed: 1 });
  const { grad, backend } = await autodiffGradient(logisticTf, x);
  assert.equal(backend, "wasm");
  assert.ok(allClose(grad.x, logisticGrad(x), { atol: 1e-6, rtol: 1e-5 }));
});

Deno.test("checkAutodiff: correct gradient agrees, wrong one is diagnosed, float32 said in the report", async () => {
  const x = randn([10], { seed: 2 });
  const good = await checkAutodiff(logisticGrad, logisticTf, x);
  assert.ok(good.ok);
  assert.equal(good.dtype, "float32");
  assert.match(good.note, /float32/);
  const bad = await checkAutodiff((v: NDArray) => logisticGrad(v).neg(), logisticTf, x);
  assert.ok(!bad.ok);
  assert.equal(bad.diagnosis.kind, "sign-flipped");
});

Deno.test("checkGradientWithAutodiff: all three oracles in one report", async () => {
  const x = randn([5], { seed: 3 });
  const r = await checkGradientWithAutodiff(logistic, logisticGrad, x, { tf: logisticTf });
  assert.ok(r.ok, r.toString());
  assert.ok(r.autodiff?.ok);
  assert.match(r.toString(), /tfjs autodiff \(wasm, float32/);
  const wrong = await checkGradientWithAutodiff(
    logistic,
    (v: NDArray) => logisticGrad(v).mul(2),
    x,
    {
      tf: logisticTf,
    },
  );
  assert.ok(!wrong.ok);
  assert.equal(wrong.autodiff?.diagnosis.kind, "scaled");
});

Deno.test("checkOpWithAutodiff compares a backward pass with tf.grads of the same VJP", async () => {
  const W = randn([3, 4], { seed: 4 }), x = randn([4, 2], { seed: 5 });
  const op = {
    name: "matmul",
    forward: (i: Record<string, NDArray>) => ({ out: i.W.matmul(i.x), cache: i }),
    backward: (dout: NDArray, c: Record<string, NDArray>) => ({
      dW: dout.matmul(c.x.transpose()),
      dx: c.W.transpose().matmul(dout),
    }),
  };
  const tf = (r: Record<string, TF.Tensor>) => r.W.matMul(r.x);
  const r = await checkOpWithAutodiff(op, { W, x }, { tf });
  assert.ok(r.ok, r.toString());
  const wrong = await checkOpWithAutodiff(
    {
      ...op,
      backward: (d: NDArray, c: Record<string, NDArray>) => ({
        ...op.backward(d, c),
        dx: op.backward(d, c).dx.neg(),
      }),
    },
    { W, x },
    { tf },
  );
  assert.ok(!wrong.ok);
  assert.equal(wrong.autodiff?.ok, false);
});

Deno.test("autodiff rejects unusable arguments", async () => {
  await assert.rejects(
    () => autodiffGradient(null as never, array([1])),
    /autodiffGradient: fTf must be a function/,
  );
  await assert.rejects(
    () => autodiffGradient(logisticTf, array([])),
    /autodiffGradient: x is empty/,
  );
});
