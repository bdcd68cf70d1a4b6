import assert from "node:assert/strict";
import { checkOp } from "../../lib/grad/check.ts";
import { checkOpWithAutodiff } from "../../lib/grad/autodiff.ts";
import { BASIC_OP_CASES, OP_CASES } from "../../lib/checks/cases.ts";
import { CONV_POOL_CASES } from "../../lib/checks/conv_cases.ts";
import { tfjs } from "../ops/oracle.ts";

Deno.test("OP_CASES: names are unique and the conv/pool cases are included", () => {
  const names = OP_CASES.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, "duplicate case names");
  assert.equal(OP_CASES.length, BASIC_OP_CASES.length + CONV_POOL_CASES.length);
  for (const c of CONV_POOL_CASES) assert.ok(OP_CASES.includes(c), c.name);
  for (
    const family of [
      "sign",
      "heaviside",
      "relu",
      "leakyRelu",
      "sigmoid",
      "steepSigmoid",
      "tanh",
      "softplus",
      "softmax",
      "logSoftmax",
      "crossEntropy",
      "binaryCrossEntropy",
      "mse-sum",
      "mse-mean",
      "mse-half-sum",
      "mse-half-mean",
      "hinge",
      "softmaxHinge",
      "linearColumns",
      "linearRows",
      "meanOnlyBatchNorm",
      "batchNorm",
      "dropout",
      "gaussianDropout",
      "softThreshold",
    ]
  ) assert.ok(names.includes(family), `missing ${family}`);
});

Deno.test("OP_CASES: inputs are seeded (two calls give equal arrays)", () => {
  for (const c of OP_CASES) {
    const a = c.inputs(), b = c.inputs();
    for (const k of Object.keys(a)) {
      assert.deepEqual(a[k].toArray(), b[k].toArray(), `${c.name}.${k}`);
    }
  }
});

Deno.test("OP_CASES: every case passes checkOp in float64 with default tolerances", () => {
  for (const c of OP_CASES) {
    const r = checkOp(c.op, c.inputs(), c.options);
    assert.ok(r.ok, `${c.name}: ${r.toString()}`);
    assert.equal(r.diagnosis.kind, "match", `${c.name}: ${r.diagnosis.message}`);
  }
});

Deno.test("OP_CASES: every case with a tfjs twin agrees with tfjs autodiff (cpu backend)", async () => {
  const tf = await tfjs();
  let withTf = 0;
  for (const c of OP_CASES) {
    if (!c.tf) continue;
    withTf++;
    const forward = c.tf;
    const r = await checkOpWithAutodiff(c.op, c.inputs(), {
      ...c.options,
      tf: (i) => forward(tf, i),
      backend: "cpu",
    });
    assert.ok(r.autodiff?.ok, `${c.name} vs tfjs: ${r.autodiff?.diagnosis.message}`);
    assert.ok(r.ok, `${c.name}: ${r.toString()}`);
  }
  assert.ok(withTf >= BASIC_OP_CASES.length, "every basic case has a tfjs forward pass");
});
