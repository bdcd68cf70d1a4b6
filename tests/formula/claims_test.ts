/**
 * Every claim kind through `checkClaims`: gradients (matrix and entry form), Jacobians (matrix and
 * entry form with delta), Hessians, identities and values. Right claims hold; wrong ones fail with
 * the kind that explains them. The expected verdicts are derived by hand in the comments.
 */
import assert from "node:assert/strict";
import { checkClaims, type ClaimResult } from "../../lib/formula/check_claims.ts";

/** Checks one problem and returns its results by id. */
function check(problem: Record<string, unknown>): Record<string, ClaimResult> {
  const report = checkClaims(problem);
  return Object.fromEntries(report.results.map((r) => [r.id, r]));
}

function holds(r: ClaimResult) {
  assert.equal(r.kind, "match", `${r.id}: ${r.message}`);
  assert.equal(r.ok, true, r.id);
  assert.equal(r.fix, undefined, `${r.id}: a claim that holds gets no fix`);
}

function fails(r: ClaimResult, kind: string, extra: { factor?: number; fix?: string } = {}) {
  assert.equal(r.ok, false, `${r.id} should fail`);
  assert.equal(r.kind, kind, `${r.id}: ${r.message}`);
  if (extra.factor !== undefined) {
    assert.ok(
      Math.abs((r.factor ?? NaN) - extra.factor) < 1e-3 * Math.abs(extra.factor),
      `${r.id}: factor ${r.factor}, expected ${extra.factor}`,
    );
  }
  if (extra.fix !== undefined) assert.equal(r.fix, extra.fix, r.id);
}

const SOFTMAX_CE = {
  given: { W: "3x4", x: "4", y: "onehot 3", b: "3" },
  let: { z: "W * x + b", p: "softmax(z)" },
  f: "-sum(y .* log(p))",
};

Deno.test("gradient claims, matrix form: softmax cross-entropy", () => {
  // ∂f/∂z = p − y, ∂f/∂W = (p − y) xᵀ, ∂f/∂b = p − y, ∂f/∂x = Wᵀ (p − y).
  const r = check({
    ...SOFTMAX_CE,
    claims: [
      { id: "dW", d: "W", claim: "(p - y) * x'" },
      { id: "db", d: "b", claim: "p - y" },
      { id: "dx", d: "x", claim: "W' * (p - y)" },
      { id: "dW sign", d: "W", claim: "(y - p) * x'" },
      { id: "dW twice", d: "W", claim: "2 * (p - y) * x'" },
      { id: "dW half", d: "W", claim: "(p - y) * x' / 2" },
      { id: "dW outer swapped", d: "W", claim: "x * (p - y)'" },
      { id: "db zero", d: "b", claim: "0 * b" },
      { id: "db wrong", d: "b", claim: "p" },
    ],
  });
  holds(r.dW);
  holds(r.db);
  holds(r.dx);
  fails(r["dW sign"], "sign-flipped", { fix: "(p - y) * x'" });
  fails(r["dW twice"], "scaled", { factor: 2, fix: "(p - y) * x'" });
  fails(r["dW half"], "scaled", { factor: 0.5, fix: "(p - y) * x'" });
  fails(r["dW outer swapped"], "transposed", { fix: "(p - y) * x'" });
  assert.deepEqual(r["dW outer swapped"].shape, [4, 3]);
  fails(r["db zero"], "zero");
  // p alone: right wherever y is 0 (y_i = 0 gives p_i − 0), wrong on the true class: partial.
  fails(r["db wrong"], "partial");
  assert.equal(r["db wrong"].wrongEntries, 1);
  assert.equal(r["db wrong"].totalEntries, 3);
  assert.deepEqual(r.dW.shape, [3, 4]);
  assert.equal(r.dW.parsed, "(p - y) * x'");
  assert.equal(r.dW.claimKind, "gradient");
});

Deno.test("gradient claims, entry form", () => {
  // ∂f/∂W_ij = (p_i − y_i) x_j.
  const r = check({
    ...SOFTMAX_CE,
    claims: [
      { id: "dW", d: "W", entry: "i,j", claim: "(p[i] - y[i]) * x[j]" },
      { id: "db", d: "b", entry: "i", claim: "p[i] - y[i]" },
      { id: "dW sign", d: "W", entry: "i,j", claim: "(y[i] - p[i]) * x[j]" },
      { id: "dx", d: "x", entry: "j", claim: "(W' * (p - y))[j]" },
    ],
  });
  holds(r.dW);
  holds(r.db);
  holds(r.dx);
  fails(r["dW sign"], "sign-flipped", { fix: "(p[i] - y[i]) * x[j]" });
  assert.deepEqual(r.dW.shape, [3, 4]);
});

Deno.test("gradient claims: a partial gradient and a non-finite claim", () => {
  // f = Σ exp(x_k) + x_1²: ∂f/∂x = exp(x) + 2 x_1 e_1, so exp(x) is right except at entry 1.
  const r = check({
    given: { x: "3" },
    f: "sum(exp(x)) + x[1]^2",
    claims: [
      { id: "right", d: "x", entry: "i", claim: "exp(x[i]) + 2 * x[1] * delta(i, 1)" },
      { id: "missing term", d: "x", claim: "exp(x)" },
      { id: "infinite", d: "x", claim: "exp(x) ./ (x - x)" },
      { id: "unrelated", d: "x", claim: "x .^ 3" },
    ],
  });
  holds(r.right);
  fails(r["missing term"], "partial");
  assert.equal(r["missing term"].wrongEntries, 1);
  assert.equal(r["missing term"].totalEntries, 3);
  fails(r.infinite, "non-finite");
  fails(r.unrelated, "mismatch");
});

Deno.test("gradient claims of a scalar: a ratio at one draw is no constant factor", () => {
  // f = −log σ(z): f' = σ(z) − 1. σ(1 − σ) is −σ times that, a ratio that changes with z.
  const r = check({
    given: { z: "1" },
    f: "-log(sigmoid(z))",
    claims: [
      { id: "right", d: "z", claim: "sigmoid(z) - 1" },
      { id: "derivative of sigma", d: "z", claim: "sigmoid(z) .* (1 - sigmoid(z))" },
      { id: "twice", d: "z", claim: "2 * (sigmoid(z) - 1)" },
      { id: "sign", d: "z", claim: "1 - sigmoid(z)" },
    ],
  });
  holds(r.right);
  fails(r["derivative of sigma"], "mismatch");
  assert.match(r["derivative of sigma"].message, /no constant factor explains it/);
  fails(r.twice, "scaled", { factor: 2, fix: "sigmoid(z) - 1" });
  fails(r.sign, "sign-flipped", { fix: "sigmoid(z) - 1" });
});

Deno.test("a transpose right on one draw only cannot pass: draws are independent", () => {
  // f = xᵀAx: ∇f = (A + Aᵀ) x, which is 2Ax only for a symmetric A.
  const general = check({
    given: { A: "3x3", x: "3" },
    f: "x' * A * x",
    claims: [
      { id: "2Ax", d: "x", claim: "2 * A * x" },
      { id: "(A+A')x", d: "x", claim: "(A + A') * x" },
      { id: "dA", d: "A", claim: "x * x'" },
    ],
  });
  assert.equal(general["2Ax"].ok, false);
  assert.notEqual(general["2Ax"].kind, "match");
  assert.equal(general["2Ax"].fix, "(A + A') * x");
  assert.match(general["2Ax"].explanation!, /`2 \* A` holds only for a symmetric `A`/);
  holds(general["(A+A')x"]);
  holds(general.dA);
  const symmetric = check({
    given: { A: "sym 3x3", x: "3" },
    f: "x' * A * x",
    claims: [
      { id: "2Ax", d: "x", claim: "2 * A * x" },
      { id: "(A+A')x", d: "x", claim: "(A + A') * x" },
    ],
  });
  holds(symmetric["2Ax"]);
  holds(symmetric["(A+A')x"]);
  // ∂/∂A of tr(AX) is Xᵀ: X (untransposed) equals Xᵀ only for a symmetric X.
  const trace = check({
    given: { A: "3x3", X: "3x3" },
    f: "trace(A * X)",
    claims: [
      { id: "right", d: "A", claim: "X'" },
      { id: "wrong", d: "A", claim: "X" },
    ],
  });
  holds(trace.right);
  fails(trace.wrong, "transposed", { fix: "X'" });
});

Deno.test("Jacobian claims, matrix form", () => {
  // J of softmax: diag(p) − p pᵀ. J of σ: diag(σ(1 − σ)). J of Wx w.r.t. x: W.
  const r = check({
    given: { z: "3", W: "3x3", x: "3" },
    let: { p: "softmax(z)", s: "sigmoid(z)" },
    claims: [
      { id: "softmax", jacobian: "p", d: "z", claim: "diag(p) - p * p'" },
      { id: "softmax diag only", jacobian: "p", d: "z", claim: "diag(p)" },
      { id: "softmax cross only", jacobian: "p", d: "z", claim: "-p * p'" },
      { id: "sigmoid", jacobian: "s", d: "z", claim: "diag(s .* (1 - s))" },
      { id: "sigmoid no derivative", jacobian: "s", d: "z", claim: "diag(s)" },
      { id: "linear", jacobian: "W * x", d: "x", claim: "W" },
      { id: "linear transposed", jacobian: "W * x", d: "x", claim: "W'" },
      { id: "linear sign", jacobian: "W * x", d: "x", claim: "-W" },
    ],
  });
  holds(r.softmax);
  assert.equal(r.softmax.claimKind, "jacobian");
  assert.deepEqual(r.softmax.shape, [3, 3]);
  // diag(p): the diagonal lacks −p_i², the off-diagonal lacks −p_i p_j: every entry wrong.
  fails(r["softmax diag only"], "mismatch");
  // −ppᵀ: off-diagonal right, diagonal lacks p_i: 3 of 9 wrong.
  fails(r["softmax cross only"], "partial");
  assert.equal(r["softmax cross only"].wrongEntries, 3);
  assert.equal(r["softmax cross only"].totalEntries, 9);
  holds(r.sigmoid);
  // diag(s): zeros off the diagonal are right, the diagonal is wrong: 3 of 9.
  fails(r["sigmoid no derivative"], "partial", { fix: "diag(s .* (1 - s))" });
  assert.equal(r["sigmoid no derivative"].wrongEntries, 3);
  holds(r.linear);
  fails(r["linear transposed"], "transposed", { fix: "W" });
  fails(r["linear sign"], "sign-flipped", { fix: "W" });
  assert.match(r["linear sign"].message, /Jacobian/);
});

Deno.test("Jacobian claims, entry form with delta", () => {
  // ∂p_i/∂z_j = p_i (δ_ij − p_j).
  const r = check({
    given: { z: "4" },
    let: { p: "softmax(z)" },
    claims: [
      { id: "right", jacobian: "p", d: "z", entry: "i,j", claim: "p[i] * (delta(i, j) - p[j])" },
      {
        id: "other order",
        jacobian: "p",
        d: "z",
        entry: "i,j",
        claim: "p[i] * delta(i, j) - p[i] * p[j]",
      },
      { id: "sign", jacobian: "p", d: "z", entry: "i,j", claim: "p[i] * (p[j] - delta(i, j))" },
      { id: "no delta", jacobian: "p", d: "z", entry: "i,j", claim: "p[i] * (1 - p[j])" },
    ],
  });
  holds(r.right);
  holds(r["other order"]);
  fails(r.sign, "sign-flipped", { fix: "p[i] * (delta(i, j) - p[j])" });
  // 1 for δ_ij: right on the diagonal, off by p_i off it: 12 of 16 wrong.
  fails(r["no delta"], "partial");
  assert.equal(r["no delta"].wrongEntries, 12);
  assert.equal(r["no delta"].totalEntries, 16);
});

Deno.test("Hessian claims", () => {
  // f = ½ xᵀAx: H = (A + Aᵀ)/2, which is A only for a symmetric A.
  const quad = check({
    given: { A: "3x3", S: "sym 3x3", x: "3" },
    f: "0.5 * x' * A * x + x' * S * x",
    claims: [
      { id: "right", hessian: "x", claim: "(A + A') / 2 + 2 * S" },
      { id: "A for a general A", hessian: "x", claim: "A + 2 * S" },
      { id: "twice", hessian: "x", claim: "A + A' + 4 * S" },
    ],
  });
  holds(quad.right);
  assert.equal(quad.right.claimKind, "hessian");
  // A + 2S against (A + Aᵀ)/2 + 2S: the diagonal agrees, every off-diagonal entry differs.
  fails(quad["A for a general A"], "partial");
  assert.equal(quad["A for a general A"].wrongEntries, 6);
  fails(quad.twice, "scaled", { factor: 2 });
  // Logistic loss of one sample, label t ∈ {0, 1}: H = σ(1 − σ) x xᵀ.
  const logistic = check({
    given: { w: "3", x: "3", t: [1] },
    let: { s: "sigmoid(w' * x)" },
    f: "-(t * log(s) + (1 - t) * log(1 - s))",
    claims: [
      { id: "H", hessian: "w", claim: "s * (1 - s) * x * x'" },
      { id: "H sign", hessian: "w", claim: "-s * (1 - s) * x * x'" },
      { id: "g", d: "w", claim: "(s - t) * x" },
    ],
  });
  holds(logistic.H);
  fails(logistic["H sign"], "sign-flipped");
  holds(logistic.g);
});

Deno.test("identity claims", () => {
  const r = check({
    given: { A: "3x4", B: "4x3", C: "3x3", D: "3x3", S: "sym 3x3", x: "3", y: "3" },
    claims: [
      { id: "cyclic trace", identity: "trace(A * B)", equals: "trace(B * A)" },
      { id: "transpose of product", identity: "(A * B)'", equals: "B' * A'" },
      { id: "wrong order", identity: "(C * D)'", equals: "C' * D'" },
      { id: "symmetric part", identity: "2 * S", equals: "S + S'" },
      { id: "not symmetric", identity: "2 * C", equals: "C + C'" },
      { id: "scalar sign", identity: "x' * y", equals: "-(y' * x)" },
      { id: "scalar", identity: "x' * y", equals: "sum(x .* y)" },
      { id: "scaled", identity: "A * B", equals: "2 * A * B" },
      { id: "transposed", identity: "C", equals: "C'" },
    ],
  });
  holds(r["cyclic trace"]);
  assert.equal(r["cyclic trace"].claimKind, "identity");
  holds(r["transpose of product"]);
  fails(r["wrong order"], "mismatch");
  holds(r["symmetric part"]);
  // 2C against C + Cᵀ: the diagonal agrees (2C_ii), the off-diagonal does not.
  fails(r["not symmetric"], "partial");
  fails(r["scalar sign"], "sign-flipped");
  holds(r.scalar);
  fails(r.scaled, "scaled", { factor: 2 });
  fails(r.transposed, "transposed");
});

Deno.test("value claims", () => {
  const r = check({
    given: { x: [1, 2, 3], W: [[1, 0], [0, 2]] },
    claims: [
      { id: "sum", value: "sum(x)", equals: 6 },
      { id: "sum as text", value: "sum(x)", equals: "6" },
      { id: "wrong", value: "sum(x)", equals: 7 },
      { id: "negative", value: "sum(x)", equals: -6 },
      { id: "within tolerance", value: "norm(x)", equals: 3.7417, tolerance: 1e-4 },
      { id: "outside tolerance", value: "norm(x)", equals: 3.7417 },
      { id: "matrix", value: "W * W", equals: [[1, 0], [0, 4]] },
      { id: "matrix wrong", value: "W * W", equals: [[1, 0], [0, 2]] },
      { id: "softmax", value: "softmax(x)[3]", equals: 0.6652409557748219 },
    ],
  });
  holds(r.sum);
  holds(r["sum as text"]);
  assert.equal(r.sum.claimKind, "value");
  fails(r.wrong, "mismatch");
  assert.equal(r.wrong.fix, undefined, "a value claim is not repaired");
  assert.match(r.wrong.message, /7/);
  fails(r.negative, "sign-flipped");
  holds(r["within tolerance"]);
  fails(r["outside tolerance"], "mismatch");
  holds(r.matrix);
  fails(r["matrix wrong"], "partial");
  holds(r.softmax);
});

Deno.test("draws: more draws and another seed give the same verdicts on these claims", () => {
  for (const extra of [{ draws: 5 }, { seed: 7 }]) {
    const r = check({
      ...SOFTMAX_CE,
      ...extra,
      claims: [
        { id: "dW", d: "W", claim: "(p - y) * x'" },
        { id: "dW sign", d: "W", claim: "(y - p) * x'" },
      ],
    });
    holds(r.dW);
    fails(r["dW sign"], "sign-flipped");
  }
});

Deno.test("options: fix false skips the repair search", () => {
  const report = checkClaims({
    ...SOFTMAX_CE,
    claims: [{ id: "dW sign", d: "W", claim: "(y - p) * x'" }],
  }, { fix: false });
  assert.equal(report.results[0].kind, "sign-flipped");
  assert.equal(report.results[0].fix, undefined);
});
