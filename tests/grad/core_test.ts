import assert from "node:assert/strict";
import fc from "fast-check";
import { checkGradient, checkHessian, checkJacobian, checkOp } from "../../lib/grad/check.ts";
import { numericGradient } from "../../lib/grad/numeric.ts";
import { array, eye, type NDArray, randn } from "../../lib/ndarray.ts";

const halfSq = (x: NDArray) => 0.5 * x.dot(x);

Deno.test("one core: a scalar function checked as a gradient and as a one-row Jacobian agrees", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      fc.constantFrom(1, -1, 2, 0),
      (m, n, seed, c) => {
        const A = randn([m, n], { seed });
        const x = randn([n], { seed: seed + 1 });
        const f = (v: NDArray) => halfSq(A.matmul(v));
        const g = (v: NDArray) => A.transpose().matmul(A.matmul(v)).mul(c);
        const asGradient = checkGradient(f, g, x);
        const asJacobian = checkJacobian((v) => array([f(v)]), (v) => g(v).reshape([1, n]), x);
        assert.equal(asJacobian.diagnosis.kind, asGradient.diagnosis.kind);
        assert.equal(asJacobian.maxAbsError, asGradient.maxAbsError);
        assert.equal(asJacobian.maxRelError, asGradient.maxRelError);
        assert.equal(asJacobian.worst?.analytic, asGradient.worst?.analytic);
        assert.equal(asJacobian.worst?.numeric, asGradient.worst?.numeric);
        // The gradient check also evaluates f once at the point (non-finite values, kinks).
        assert.equal(asGradient.evaluations, 2 * n + 1);
        assert.equal(asJacobian.evaluations, 2 * n);
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("one core: a Hessian check is the Jacobian check of the gradient, plus symmetry", () => {
  const A = randn([4, 4], { seed: 1 });
  const grad = (v: NDArray) => A.matmul(v);
  const x = randn([4], { seed: 2 });
  for (const H of [A, A.mul(2), A.transpose(), A.reshape([2, 2, 2, 2])]) {
    const hessian = checkHessian(grad, () => H, x);
    const jacobian = checkJacobian(grad, () => H, x);
    assert.equal(hessian.diagnosis.kind, jacobian.diagnosis.kind);
    assert.equal(hessian.maxAbsError, jacobian.maxAbsError);
    assert.equal(hessian.evaluations, 2 * 4);
    assert.ok(hessian.asymmetry && hessian.asymmetry.analytic > 0.1);
    assert.equal(jacobian.asymmetry, undefined);
  }
  assert.equal(checkHessian(grad, () => A.reshape([2, 2, 2, 2]), x).ok, true);
});

Deno.test("error statistics: largest errors over every checked entry, worst by tolerances", () => {
  const x = randn([3, 4], { seed: 3 });
  const delta = randn([3, 4], { seed: 4 }).mul(1e-2);
  const report = checkGradient(halfSq, (v) => v.add(delta), x);
  const numeric = numericGradient(halfSq, x);
  let maxAbs = 0, maxRel = 0, worst = -1, worstScore = -1;
  for (let i = 0; i < x.size; i++) {
    const a = x.data[i] + delta.data[i], n = numeric.data[i];
    const err = Math.abs(a - n), scale = Math.max(Math.abs(a), Math.abs(n));
    maxAbs = Math.max(maxAbs, err);
    maxRel = Math.max(maxRel, err / scale);
    const score = err / (report.atol + report.rtol * scale);
    if (score > worstScore) [worst, worstScore] = [i, score];
  }
  assert.equal(report.maxAbsError, maxAbs);
  assert.equal(report.maxRelError, maxRel);
  assert.deepEqual(report.worst?.index, [Math.floor(worst / 4), worst % 4]);
  assert.equal(report.inputs[0].maxAbsError, maxAbs);
  // Several inputs: the report's figures are the largest of the inputs'.
  const W = randn([2, 3], { seed: 5 }), b = randn([2], { seed: 6 }), u = randn([3], { seed: 7 });
  const f = (p: Record<string, NDArray>) => halfSq(p.W.matmul(u).add(p.b));
  const several = checkGradient(f, (p) => {
    const r = p.W.matmul(u).add(p.b);
    return { dW: r.reshape([2, 1]).matmul(u.reshape([1, 3])).add(0.1), db: r };
  }, { W, b });
  assert.deepEqual(several.inputs.map((i) => i.diagnosis.kind), ["mismatch", "match"]);
  assert.equal(several.maxAbsError, Math.max(...several.inputs.map((i) => i.maxAbsError)));
  assert.equal(several.worst?.input, "W");
  assert.equal(several.diagnosis.kind, "partial");
  assert.deepEqual(several.diagnosis.wrongInputs, ["W"]);
});

Deno.test("fast mode locates a failure with the analytic gradient it already has", () => {
  let forward = 0, backward = 0;
  const op = {
    name: "double",
    forward: (i: Record<string, NDArray>) => (forward++, { out: i.x.mul(2), cache: null }),
    backward: (dout: NDArray) => (backward++, { dx: dout.mul(3) }),
  };
  const x = randn([5], { seed: 7 });
  const r = checkOp(op, { x }, { mode: "fast" });
  assert.equal(r.diagnosis.kind, "scaled");
  assert.equal(r.mode, "fast");
  assert.equal(backward, 1);
  // One forward pass for the output's shape, then the evaluations the report counts.
  assert.equal(forward, 1 + r.evaluations);
  assert.equal(r.located?.mode, "full");
  assert.equal(r.located?.evaluations, 2 * 5 + 1);
  assert.equal(r.evaluations, 2 + r.located!.evaluations);
});

Deno.test("property: full, sparse and fast modes give one verdict on linear maps", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 12 }),
      fc.integer(),
      fc.constantFrom("right", "sign", "scaled", "zero"),
      (n, seed, how) => {
        const A = randn([n, n], { seed });
        const S = A.add(A.transpose());
        const x = randn([n], { seed: seed + 1 });
        const f = (v: NDArray) => 0.5 * v.dot(S.matmul(v));
        const c = { right: 1, sign: -1, scaled: 3, zero: 0 }[how];
        const g = (v: NDArray) => S.matmul(v).mul(c);
        if (S.matmul(x).norm() < 1e-2) return;
        const kinds = (["full", "sparse", "fast"] as const).map((mode) =>
          checkGradient(f, g, x, { mode, samples: Math.max(1, n >> 1), seed }).diagnosis.kind
        );
        assert.deepEqual(kinds, [kinds[0], kinds[0], kinds[0]]);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("checkJacobian and checkHessian: errors name the check; a wrong shape costs nothing", () => {
  const x = randn([3], { seed: 8 });
  assert.throws(
    () => checkJacobian(() => 3 as never, () => x, x),
    /^TypeError: checkJacobian: f must return an NDArray, got number$/,
  );
  assert.throws(
    () => checkHessian(() => 3 as never, () => x, x),
    /^TypeError: checkHessian: grad must return an NDArray, got number$/,
  );
  let calls = 0;
  assert.throws(
    () => checkJacobian((v) => (calls++ >= 2 ? array([1]) : v), () => eye(3), x),
    /checkJacobian: f returned outputs of different sizes \(3, 1\)/,
  );
  const bad = checkJacobian((v) => v.mul(2), () => array([1, 2]), x);
  assert.equal(bad.diagnosis.kind, "mismatch");
  assert.match(bad.diagnosis.message, /shape \[2\] but J has shape \[3, 3\]/);
  assert.equal(bad.evaluations, 0);
  assert.equal(bad.worst, null);
});
