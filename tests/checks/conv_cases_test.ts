import assert from "node:assert/strict";
import { checkOp } from "../../lib/grad/check.ts";
import { checkOpWithAutodiff } from "../../lib/grad/autodiff.ts";
import { CONV_POOL_CASES } from "../../lib/checks/conv_cases.ts";
import { tfjs as tfCpu } from "../ops/oracle.ts";

Deno.test("every CONV_POOL_CASES op passes checkOp in float64 (full mode, default tolerances)", () => {
  for (const c of CONV_POOL_CASES) {
    const report = checkOp(c.op, c.inputs(), c.options);
    assert.ok(report.ok, `${c.name}: ${report.diagnosis.kind} ${report.diagnosis.message}`);
    assert.equal(report.diagnosis.kind, "match", c.name);
  }
});

Deno.test("tfjs: every CONV_POOL_CASES oracle agrees with the hand-written backward (cpu backend)", async () => {
  const tf = await tfCpu();
  let withOracle = 0;
  for (const c of CONV_POOL_CASES) {
    if (!c.tf) {
      assert.ok(c.tfNote && /no tfjs oracle/.test(c.tfNote), `${c.name} says why it has no oracle`);
      continue;
    }
    withOracle++;
    const oracle = c.tf;
    const report = await checkOpWithAutodiff(c.op, c.inputs(), {
      ...c.options,
      tf: (i) => oracle(tf, i),
      backend: "cpu",
    });
    assert.ok(report.autodiff?.ok, `${c.name}: ${report.autodiff?.diagnosis.message}`);
    assert.ok(report.ok, `${c.name}: ${report.diagnosis.message}`);
  }
  assert.ok(withOracle >= CONV_POOL_CASES.length - 1);
});
