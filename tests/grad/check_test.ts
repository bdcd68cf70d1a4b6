import assert from "node:assert/strict";
import fc from "fast-check";
import { checkGradient, checkHessian, checkJacobian, checkOp } from "../../lib/grad/check.ts";
import { DIAGNOSIS_KINDS } from "../../lib/grad/diagnosis.ts";
import { GRAD_CHECK_EXAMPLES } from "../../lib/grad/examples.ts";
import { array, eye, type NDArray, randn } from "../../lib/ndarray.ts";

const halfSq = (x: NDArray) => 0.5 * x.dot(x);

Deno.test("every diagnosis kind is produced by a deliberately wrong gradient, and the correct one matches", () => {
  const seen = new Set<string>();
  for (const ex of GRAD_CHECK_EXAMPLES) {
    const report = ex.run();
    assert.equal(report.diagnosis.kind, ex.expected, `${ex.id}: ${report.toString()}`);
    assert.equal(report.ok, ex.expected === "match" || ex.expected === "kink", ex.id);
    seen.add(report.diagnosis.kind);
  }
  const missing = DIAGNOSIS_KINDS.filter((k) => !seen.has(k));
  assert.deepEqual(missing, [], `kinds without an example: ${missing}`);
});

Deno.test("scaled reports the factor, including fractions and negative factors", () => {
  const x = randn([4, 3], { seed: 1 });
  const half = checkGradient(halfSq, (v) => v.mul(0.5), x);
  assert.equal(half.diagnosis.kind, "scaled");
  assert.ok(Math.abs((half.diagnosis.factor ?? 0) - 0.5) < 1e-6);
  assert.match(half.diagnosis.message, /1\/2 times/);
  const neg = checkGradient(halfSq, (v) => v.mul(-3), x);
  assert.equal(neg.diagnosis.kind, "scaled");
  assert.match(neg.diagnosis.message, /-3 times.*sign is flipped/);
  // A 1/N factor from a mean over a batch of 12 entries
  const mean = checkGradient((v) => halfSq(v) / 12, (v) => v, x);
  assert.equal(mean.diagnosis.kind, "scaled");
  assert.ok(Math.abs((mean.diagnosis.factor ?? 0) - 12) < 1e-3);
});

Deno.test("partial names how many and which entries are wrong", () => {
  const x = randn([3, 3], { seed: 2 });
  const r = checkGradient(halfSq, (v) => {
    const g = v.clone();
    g.data[4] += 1;
    g.data[7] *= 3;
    return g;
  }, x);
  assert.equal(r.diagnosis.kind, "partial");
  assert.equal(r.diagnosis.wrongEntries, 2);
  assert.equal(r.diagnosis.totalEntries, 9);
  assert.deepEqual(r.diagnosis.wrongIndices, [[1, 1], [2, 1]]);
});

Deno.test("a square gradient that is the transpose in values (not in shape) is 'transposed'", () => {
  const A = randn([3, 3], { seed: 3 });
  const r = checkGradient((X) => X.dot(A), () => A.transpose(), randn([3, 3], { seed: 4 }));
  assert.equal(r.diagnosis.kind, "transposed");
  assert.ok(!r.ok);
});

Deno.test("a gradient of any other wrong shape is a mismatch naming both shapes", () => {
  const r = checkGradient(halfSq, () => array([1, 2, 3]), array([[1, 2], [3, 4]]));
  assert.equal(r.diagnosis.kind, "mismatch");
  assert.match(r.diagnosis.message, /shape \[3\] but x has shape \[2, 2\]/);
  assert.ok(!r.ok);
});

Deno.test("a column vector returned for a flat one is a mismatch that says the values are right", () => {
  const r = checkGradient(halfSq, (x) => x.reshape([3, 1]), array([1, 2, 3]));
  assert.equal(r.diagnosis.kind, "mismatch");
  assert.match(r.diagnosis.message, /shape \[3, 1\] but x has shape \[3\].*values are right/);
  const w = checkGradient(halfSq, (x) => x.reshape([3, 1]).mul(2), array([1, 2, 3]));
  assert.match(w.diagnosis.message, /values are wrong too \(scaled\)/);
});

Deno.test("a function returning NaN is non-finite, never a pass", () => {
  const r = checkGradient(() => NaN, (x) => x, array([1, 2]));
  assert.equal(r.diagnosis.kind, "non-finite");
  assert.ok(!r.ok);
  const g = checkGradient(halfSq, (x) => x.map(() => Infinity), array([1, 2]));
  assert.equal(g.diagnosis.kind, "non-finite");
});

Deno.test("kinks: ReLU at 0 is excused only when the analytic value is a one-sided derivative", () => {
  const relu = (x: NDArray) => x.map((v) => Math.max(v, 0)).sum().item();
  const x = array([0, 2, -1]);
  const good = checkGradient(relu, (v) => v.map((t) => (t > 0 ? 1 : 0)), x);
  assert.equal(good.diagnosis.kind, "kink");
  assert.ok(good.ok);
  assert.equal(good.kinks.length, 1);
  assert.deepEqual(good.kinks[0].index, [0]);
  assert.ok(good.kinks[0].excused);
  const bad = checkGradient(relu, (v) => v.map((t) => (t > 0 ? 1 : t === 0 ? 5 : 0)), x);
  assert.ok(!bad.ok);
  assert.equal(bad.kinks.length, 1);
  assert.ok(!bad.kinks[0].excused);
  // A kink just inside the ±eps step: crossing it is excused when the analytic side is right.
  const near = checkGradient(relu, (v) => v.map((t) => (t > 0 ? 1 : 0)), array([4e-7, -3e-7]));
  assert.ok(near.ok, near.toString());
  // A smooth function with a wrong gradient is not mistaken for a kink.
  const smooth = checkGradient(halfSq, (v) => v.add(0.01), array([1, 2]));
  assert.equal(smooth.kinks.length, 0);
  assert.ok(!smooth.ok);
});

Deno.test("max of a vector with a tie is a kink, not a failure", () => {
  const f = (x: NDArray) => x.max().item();
  const r = checkGradient(f, (x) => {
    const g = x.mul(0);
    g.data[x.data.indexOf(x.max().item())] = 1;
    return g;
  }, array([3, 3, 1]));
  assert.ok(r.ok, r.toString());
  assert.equal(r.diagnosis.kind, "kink");
});

Deno.test("trivial passes are flagged with a warning", () => {
  const zero = checkGradient(halfSq, (x) => x, array([0, 0, 0]));
  assert.ok(zero.ok);
  assert.match(zero.warnings[0], /passes trivially/);
  const tiny = checkGradient(halfSq, (x) => x, array([1e-10, -2e-10]));
  assert.match(tiny.warnings[0], /below atol/);
  const real = checkGradient(halfSq, (x) => x, array([1, 2]));
  assert.deepEqual(real.warnings, []);
});

Deno.test("sparse mode samples a seeded subset touching every input", () => {
  const W = randn([20, 30], { seed: 5 }), b = randn([20], { seed: 6 });
  const f = (p: Record<string, NDArray>) => halfSq(p.W.sum(1).add(p.b));
  const grad = (p: Record<string, NDArray>) => {
    const r = p.W.sum(1).add(p.b);
    return { dW: r.reshape([20, 1]).add(p.W.mul(0)), db: r };
  };
  const r1 = checkGradient(f, grad, { W, b }, { mode: "sparse", samples: 10, seed: 1 });
  const r2 = checkGradient(f, grad, { W, b }, { mode: "sparse", samples: 10, seed: 1 });
  assert.ok(r1.ok, r1.toString());
  assert.equal(r1.mode, "sparse");
  assert.ok(r1.inputs.every((i) => i.checked >= 1));
  assert.deepEqual(r1.inputs.map((i) => i.checked), r2.inputs.map((i) => i.checked));
  assert.ok(r1.evaluations < 2 * 12 + 1 + 4 + 1);
  const wrong = checkGradient(f, (p) => ({ ...grad(p), db: grad(p).db.mul(0) }), { W, b }, {
    mode: "sparse",
    samples: 10,
  });
  assert.equal(wrong.diagnosis.kind, "partial");
  assert.deepEqual(wrong.diagnosis.wrongInputs, ["b"]);
});

Deno.test("fast mode: a handful of evaluations on 100,000 parameters; failures located in full", () => {
  const x = randn([100000], { seed: 7 });
  const ok = checkGradient(halfSq, (v) => v, x, { mode: "fast" });
  assert.ok(ok.ok);
  assert.equal(ok.mode, "fast");
  assert.ok(ok.evaluations <= 5, `evaluations ${ok.evaluations}`);
  const y = randn([6, 5], { seed: 8 });
  const bad = checkGradient(halfSq, (v) => v.neg(), y, { mode: "fast" });
  assert.ok(!bad.ok);
  assert.equal(bad.diagnosis.kind, "sign-flipped");
  assert.ok(bad.located);
  assert.equal(bad.located?.mode, "full");
});

Deno.test("fast mode catches errors that cancel under ±1 directions (two entries swapped)", () => {
  for (let seed = 0; seed < 50; seed++) {
    const x = randn([2], { seed: 100 + seed });
    const swapped = checkGradient(halfSq, (v) => array([v.data[1], v.data[0]]), x, {
      mode: "fast",
      seed,
    });
    assert.ok(!swapped.ok, `seed ${seed}`);
  }
});

Deno.test("full mode costs 2 evaluations per entry plus one", () => {
  let calls = 0;
  const x = randn([50], { seed: 9 });
  const r = checkGradient((v) => (calls++, halfSq(v)), (v) => v, x);
  assert.equal(calls, 2 * 50 + 1);
  assert.equal(r.evaluations, calls);
});

Deno.test("checkOp checks every input gradient through a random dout", () => {
  const W = randn([3, 4], { seed: 10 }),
    b = randn([3, 1], { seed: 11 }),
    x = randn([4, 5], { seed: 12 });
  interface Cache {
    W: NDArray;
    x: NDArray;
  }
  const op = {
    name: "affine",
    forward: (i: Record<string, NDArray>) => ({
      out: i.W.matmul(i.x).add(i.b),
      cache: { W: i.W, x: i.x } as Cache,
    }),
    backward: (dout: NDArray, c: Cache) => ({
      dW: dout.matmul(c.x.transpose()),
      db: dout.sum(1, { keepDims: true }),
      dx: c.W.transpose().matmul(dout),
    }),
  };
  const r = checkOp(op, { W, b, x });
  assert.ok(r.ok, r.toString());
  assert.deepEqual(r.inputs.map((i) => i.name), ["W", "b", "x"]);
  const wrongT = checkOp({
    ...op,
    backward: (d: NDArray, c: Cache) => ({ ...op.backward(d, c), dW: c.x.matmul(d.transpose()) }),
  }, { W, b, x });
  assert.equal(wrongT.diagnosis.kind, "partial");
  assert.equal(wrongT.inputs[0].diagnosis.kind, "transposed");
  const onlyX = checkOp(op, { W, b, x }, { wrt: ["x"] });
  assert.deepEqual(onlyX.inputs.map((i) => i.name), ["x"]);
  assert.throws(
    () => checkOp(op, { W, b, x }, { dout: randn([2, 2]) }),
    /checkOp\(affine\): dout has shape \[2, 2\] but the output has shape \[3, 5\]/,
  );
  assert.throws(() => checkOp(op, { W, b, x }, { wrt: ["y"] }), /wrt names unknown input "y"/);
});

Deno.test("checkJacobian: a softmax Jacobian missing off-diagonal terms is partial and says so", () => {
  const ex = GRAD_CHECK_EXAMPLES.find((e) => e.id === "softmax-jacobian/diagonal-only");
  const r = ex!.run();
  assert.equal(r.diagnosis.kind, "partial");
  assert.match(r.diagnosis.message, /diagonal is right but off-diagonal terms are not/);
  const A = randn([2, 3], { seed: 13 });
  const t = checkJacobian((x) => A.matmul(x), () => A.transpose(), randn([3], { seed: 14 }));
  assert.equal(t.diagnosis.kind, "transposed");
});

Deno.test("checkHessian: correct, wrong and asymmetric Hessians", () => {
  const A = array([[3, 1], [1, 2]]);
  const grad = (x: NDArray) => A.matmul(x);
  const x = array([0.5, -1]);
  assert.ok(checkHessian(grad, () => A, x).ok);
  assert.equal(checkHessian(grad, () => A.mul(2), x).diagnosis.kind, "scaled");
  const asym = checkHessian(grad, () => array([[3, 2], [0, 2]]), x);
  assert.ok(!asym.ok);
  assert.ok(asym.asymmetry!.analytic > 1);
  assert.match(asym.warnings.join(), /not symmetric/);
  assert.ok(checkHessian((v) => v, () => eye(3), randn([3])).ok);
});

Deno.test("bad arguments throw named errors; wrong answers never throw", () => {
  const x = array([1, 2]);
  assert.throws(
    () => checkGradient(null as never, (v) => v, x),
    /checkGradient: f must be a function, got null/,
  );
  assert.throws(
    () => checkGradient(halfSq, (v) => v, x, { eps: -1 }),
    /checkGradient: eps must be a positive finite number, got -1/,
  );
  assert.throws(
    () => checkGradient(halfSq, (v) => v, x, { atol: -1 }),
    /checkGradient: atol must be a non-negative/,
  );
  assert.throws(
    () => checkGradient(halfSq, (v) => v, x, { mode: "slow" as never }),
    /mode must be "full", "sparse" or "fast", got "slow"/,
  );
  assert.throws(() => checkGradient(halfSq, (v) => v, array([])), /checkGradient: x is empty/);
  assert.throws(
    () => checkGradient(halfSq, (v) => v, x, { samples: 0 }),
    /samples must be a positive integer/,
  );
  assert.throws(
    () => checkGradient(halfSq, () => 3 as never, x),
    /grad must return an NDArray, got number/,
  );
});

Deno.test("property: random linear maps — correct gradients pass, scaled ones are caught with their factor", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer(),
      fc.constantFrom(2, 0.5, -1, 3),
      (m, n, seed, c) => {
        const A = randn([m, n], { seed });
        const x = randn([n], { seed: seed + 1 });
        const f = (v: NDArray) => halfSq(A.matmul(v));
        const g = (v: NDArray) => A.transpose().matmul(A.matmul(v));
        const good = checkGradient(f, g, x);
        if (g(x).norm() < 1e-3) return; // too flat to tell factors apart
        assert.ok(good.ok, good.toString());
        const bad = checkGradient(f, (v) => g(v).mul(c), x);
        assert.equal(bad.diagnosis.kind, c === -1 ? "sign-flipped" : "scaled");
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("reports render as text, Jupyter HTML and JSON", () => {
  const r = checkGradient(halfSq, (v) => v.mul(2), array([1, 2]));
  const text = r.toString();
  assert.match(text, /FAIL \(scaled\)/);
  assert.match(text, /input\s+shape\s+checked/);
  const bundle = r[Symbol.for("Jupyter.display") as never] as unknown as () => Record<
    string,
    string
  >;
  const html = bundle.call(r)["text/html"];
  assert.match(html, /<table>/);
  const json = JSON.parse(JSON.stringify(r));
  assert.equal(json.diagnosis.kind, "scaled");
  assert.ok(Math.abs(json.diagnosis.factor - 2) < 1e-6);
  for (
    const key of ["ok", "maxAbsError", "maxRelError", "worst", "diagnosis", "kinks", "evaluations"]
  ) {
    assert.ok(key in json, key);
  }
});
