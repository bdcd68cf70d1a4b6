/**
 * The repair search, one edit at a time: for each kind of edit, a wrong formula that it repairs
 * (the exact fix, the edit's kind, an explanation naming the subterm) and a right formula it
 * leaves alone; and wrong formulas that no single edit repairs get no fix.
 */
import assert from "node:assert/strict";
import { checkClaims, type ClaimResult } from "../../lib/formula/check_claims.ts";
import { prepareClaim } from "../../lib/formula/claim.ts";
import { readSetting } from "../../lib/formula/problem.ts";
import { type EditKind, type Fix, searchFix, tidy } from "../../lib/formula/repair.ts";
import { parsePlain } from "../../lib/formula/parse_plain.ts";
import { toPlain } from "../../lib/formula/print_plain.ts";

interface Setup {
  given: Record<string, unknown>;
  let?: Record<string, string>;
  f?: string;
}

/** The verdict on one claim and, when it fails, the fix the search finds. */
function repair(setup: Setup, claim: Record<string, unknown>): { result: ClaimResult; fix?: Fix } {
  const spec = { id: "c", ...claim };
  const problem = { ...setup, claims: [spec] };
  const result = checkClaims(problem).results[0];
  const { setting } = readSetting(problem);
  const fix = result.ok ? undefined : searchFix(prepareClaim(spec, setting), setting);
  return { result, fix };
}

/** The claim fails and one edit of kind `edit` repairs it into `formula`. */
function repairs(
  setup: Setup,
  claim: Record<string, unknown>,
  edit: EditKind,
  formula: string,
  explanation: string,
) {
  const { result, fix } = repair(setup, claim);
  assert.equal(result.ok, false, `${claim.claim ?? claim.equals} should fail`);
  assert.ok(fix, `${claim.claim ?? claim.equals}: no fix found`);
  assert.equal(fix.edit, edit);
  assert.equal(fix.formula, formula);
  assert.equal(fix.explanation, explanation);
  // The report carries the same fix, with the explanation as a sentence.
  assert.equal(result.fix, formula);
  assert.equal(
    result.explanation,
    explanation.charAt(0).toUpperCase() + explanation.slice(1) + ".",
  );
  // The fix holds when claimed.
  const again = repair(setup, {
    ...claim,
    [claim.equals !== undefined ? "equals" : "claim"]: formula,
  });
  assert.equal(again.result.ok, true, `the fix ${formula} holds: ${again.result.message}`);
}

/** The claim holds and gets no fix. */
function leavesAlone(setup: Setup, claim: Record<string, unknown>) {
  const { result, fix } = repair(setup, claim);
  assert.equal(result.ok, true, `${claim.claim}: ${result.message}`);
  assert.equal(result.kind, "match");
  assert.equal(result.fix, undefined);
  assert.equal(result.explanation, undefined);
  assert.equal(fix, undefined);
}

const CE: Setup = {
  given: { W: "3x4", x: "4", y: "onehot 3" },
  let: { p: "softmax(W * x)" },
  f: "-sum(y .* log(p))",
};
const CE_SQUARE: Setup = { ...CE, given: { W: "3x3", x: "3", y: "onehot 3" } };

Deno.test("negate: a subtraction the wrong way round", () => {
  repairs(
    CE,
    { d: "W", claim: "(y - p) * x'" },
    "negate",
    "(p - y) * x'",
    "`y - p` is the wrong way round: `p - y`",
  );
  leavesAlone(CE, { d: "W", claim: "(p - y) * x'" });
});

Deno.test("negate: a lost minus on a subterm, and on the whole formula", () => {
  // f = Σ exp(−x): ∇f = −exp(−x).
  const setup = { given: { x: "3" }, f: "sum(exp(-x))" };
  repairs(
    setup,
    { d: "x", claim: "-exp(x)" },
    "negate",
    "-exp(-x)",
    "the sign of `x` is wrong: it should be `-x`",
  );
  repairs(
    setup,
    { d: "x", claim: "exp(-x)" },
    "negate",
    "-exp(-x)",
    "the whole formula has the wrong sign",
  );
  repairs(
    { given: { x: "3" }, f: "sum(exp(x))" },
    { d: "x", claim: "-exp(x)" },
    "negate",
    "exp(x)",
    "the minus sign in `-exp(x)` should not be there: `exp(x)`",
  );
  leavesAlone(setup, { d: "x", claim: "-exp(-x)" });
});

Deno.test("negate: an explicit minus is dropped before a subtraction inside is swapped", () => {
  // Logistic loss over a batch: H = X diag(σ(1 − σ)) Xᵀ; with the minus, −H. Swapping 1 − s
  // would repair it too, as -X * diag(s .* (s - 1)) * X', which nobody would write.
  const setup = {
    given: { X: "3x5", w: "3", t: [[1, 0, 1, 1, 0]] },
    let: { s: "sigmoid(w' * X)" },
    f: "-sum(t .* log(s) + (1 - t) .* log(1 - s))",
  };
  repairs(
    setup,
    { hessian: "w", claim: "-X * diag(s .* (1 - s)) * X'" },
    "negate",
    "X * diag(s .* (1 - s)) * X'",
    "the minus sign in `-X` should not be there: `X`",
  );
  leavesAlone(setup, { hessian: "w", claim: "X * diag(s .* (1 - s)) * X'" });
});

Deno.test("transpose: add one, on the whole formula or on a subterm", () => {
  const trace = { given: { A: "3x3", X: "3x3" }, f: "trace(A * X)" };
  repairs(
    trace,
    { d: "A", claim: "X" },
    "transpose",
    "X'",
    "the whole formula should be transposed",
  );
  leavesAlone(trace, { d: "A", claim: "X'" });
  // W (o − y) does not even fit: the claim is invalid, and the edit still repairs it.
  repairs(
    CE,
    { d: "x", claim: "W * (p - y)" },
    "transpose",
    "W' * (p - y)",
    "`W` should be transposed: `W'`",
  );
  leavesAlone(CE, { d: "x", claim: "W' * (p - y)" });
});

Deno.test("transpose: remove one", () => {
  const setup = { given: { W: "3x3", x: "3" } };
  repairs(
    setup,
    { jacobian: "W * x", d: "x", claim: "W'" },
    "transpose",
    "W",
    "`W'` should not be transposed: `W`",
  );
  leavesAlone(setup, { jacobian: "W * x", d: "x", claim: "W" });
});

Deno.test("scale: by ½ (a squared loss without its ½) and by 2 (with it)", () => {
  const half = {
    given: { W: "2x3", x: "3", t: "2" },
    f: "0.5 * sum((W * x - t) .^ 2)",
  };
  repairs(
    half,
    { d: "W", claim: "2 * (W * x - t) * x'" },
    "scale",
    "(W * x - t) * x'",
    "the whole formula should be halved",
  );
  leavesAlone(half, { d: "W", claim: "(W * x - t) * x'" });
  const full = { ...half, f: "sum((W * x - t) .^ 2)" };
  repairs(
    full,
    { d: "W", claim: "(W * x - t) * x' / 2" },
    "scale",
    "2 * (W * x - t) * x'",
    "the whole formula should be multiplied by 4",
  );
  repairs(
    full,
    { d: "x", claim: "W' * (W * x - t)" },
    "scale",
    "2 * W' * (W * x - t)",
    "the whole formula should be doubled",
  );
  leavesAlone(full, { d: "W", claim: "2 * (W * x - t) * x'" });
});

Deno.test("scale: one additive term only", () => {
  // f = ½‖x‖² + λ‖x‖²: ∇f = x + 2λx; a claim with λx has the second term halved.
  const setup = {
    given: { x: "3", lambda: "pos 1" },
    f: "0.5 * sum(x .^ 2) + lambda * sum(x .^ 2)",
  };
  repairs(
    setup,
    { d: "x", claim: "x + lambda * x" },
    "scale",
    "x + 2 * lambda * x",
    "the term `lambda * x` should be doubled: `2 * lambda * x`",
  );
  leavesAlone(setup, { d: "x", claim: "x + 2 * lambda * x" });
});

Deno.test("scale: by −1 where negation cannot (a number)", () => {
  // f = ½‖x‖² − Σx: ∇f = x − 1.
  const setup = { given: { x: "3" }, f: "0.5 * sum(x .^ 2) - sum(x)" };
  const { result, fix } = repair(setup, { d: "x", claim: "x + 1" });
  assert.equal(result.ok, false);
  assert.equal(fix?.edit, "scale");
  assert.equal(fix?.formula, "x - 1");
  assert.equal(fix?.explanation, "the term `1` should be multiplied by −1: `-1`");
  leavesAlone(setup, { d: "x", claim: "x - 1" });
});

Deno.test("scale: by a size N (a mean over the columns of X)", () => {
  // f = Σ (wᵀX − t)² / 12 with X 3x6: ∇f = 2X(Xᵀw − tᵀ)/12 = X(Xᵀw − tᵀ)/6.
  const setup = { given: { X: "3x6", w: "3", t: "1x6" }, f: "sum((w' * X - t) .^ 2) / 12" };
  repairs(
    setup,
    { d: "w", claim: "X * (X' * w - t')" },
    "scale",
    "X * (X' * w - t') / 6",
    "the whole formula should be divided by 6 (the number of columns of X)",
  );
  leavesAlone(setup, { d: "w", claim: "X * (X' * w - t') / 6" });
});

Deno.test("scale: by a given scalar (a softmax temperature)", () => {
  const setup = {
    given: { W: "3x4", x: "4", y: "onehot 3", T: "pos 1" },
    let: { p: "softmax(W * x / T)" },
    f: "-sum(y .* log(p))",
  };
  repairs(
    setup,
    { d: "W", claim: "(p - y) * x'" },
    "scale",
    "(p - y) * x' / T",
    "the whole formula should be divided by T",
  );
  // Multiplied by T where it should divide: off by T², written back with a single T.
  repairs(
    setup,
    { d: "W", claim: "(p - y) * x' * T" },
    "scale",
    "(p - y) * x' / T",
    "the whole formula should be divided by T^2",
  );
  leavesAlone(setup, { d: "W", claim: "(p - y) * x' / T" });
});

Deno.test("scale: a forgotten regularisation weight goes after the number", () => {
  // f = CE + λ‖W‖²: ∇ = (p − y)xᵀ + 2λW.
  const setup = {
    given: { W: "3x4", x: "4", y: "onehot 3", lambda: "pos 1" },
    let: { p: "softmax(W * x)" },
    f: "-sum(y .* log(p)) + lambda * sum(W .^ 2)",
  };
  repairs(
    setup,
    { d: "W", claim: "(p - y) * x' + 2 * W" },
    "scale",
    "(p - y) * x' + 2 * lambda * W",
    "the term `2 * W` should be multiplied by lambda: `2 * lambda * W`",
  );
  leavesAlone(setup, { d: "W", claim: "(p - y) * x' + 2 * lambda * W" });
});

Deno.test("swap operands: a matrix product in the wrong order", () => {
  // f = tr(Xᵀ P Q): ∂f/∂X = P Q.
  const setup = { given: { P: "3x3", Q: "3x3", X: "3x3" }, f: "trace(X' * P * Q)" };
  repairs(
    setup,
    { d: "X", claim: "Q * P" },
    "swap-operands",
    "P * Q",
    "the factors of `Q * P` are in the wrong order: `P * Q`",
  );
  leavesAlone(setup, { d: "X", claim: "P * Q" });
  // An outer product that does not fit.
  repairs(
    CE,
    { d: "W", claim: "x' * (p - y)" },
    "swap-operands",
    "(p - y) * x'",
    "the factors of `x' * (p - y)` are in the wrong order: `(p - y) * x'`",
  );
});

Deno.test("activation ↔ derivative: sigmoid both ways", () => {
  repairs(
    { given: { x: "3" }, f: "sum(sigmoid(x))" },
    { d: "x", claim: "sigmoid(x)" },
    "activation",
    "sigmoid(x) .* (1 - sigmoid(x))",
    "the factor `sigmoid(x)` should be its derivative `sigmoid(x) .* (1 - sigmoid(x))`",
  );
  leavesAlone({ given: { x: "3" }, f: "sum(sigmoid(x))" }, {
    d: "x",
    claim: "sigmoid(x) .* (1 - sigmoid(x))",
  });
  repairs(
    { given: { x: "3" }, f: "sum(softplus(x))" },
    { d: "x", claim: "sigmoid(x) .* (1 - sigmoid(x))" },
    "activation",
    "sigmoid(x)",
    "the factor `sigmoid(x) .* (1 - sigmoid(x))` should be the activation itself, not its " +
      "derivative: `sigmoid(x)`",
  );
  // ½ Σ softplus(w)²: ∇ = softplus(w) ⊙ σ(w).
  repairs(
    { given: { w: "3" }, f: "0.5 * sum(softplus(w) .^ 2)" },
    { d: "w", claim: "sigmoid(w) .* sigmoid(w)" },
    "activation",
    "softplus(w) .* sigmoid(w)",
    "the factor `sigmoid(w)` should be the function whose derivative it is, `softplus(w)`",
  );
  // A let bound to the activation: its derivative in its own terms.
  repairs(
    { given: { a: "3" }, let: { h: "sigmoid(a)" }, f: "sum(h)" },
    { d: "a", claim: "h" },
    "activation",
    "h .* (1 - h)",
    "the factor `h` (= sigmoid(a)) should be its derivative `h .* (1 - h)`",
  );
});

Deno.test("activation ↔ derivative: tanh both ways", () => {
  repairs(
    { given: { x: "3" }, f: "sum(tanh(x))" },
    { d: "x", claim: "tanh(x)" },
    "activation",
    "1 - tanh(x)^2",
    "the factor `tanh(x)` should be its derivative `1 - tanh(x)^2`",
  );
  leavesAlone({ given: { x: "3" }, f: "sum(tanh(x))" }, { d: "x", claim: "1 - tanh(x)^2" });
  // log cosh x = softplus(−2x) + x − log 2, whose derivative is tanh x.
  repairs(
    { given: { x: "3" }, f: "sum(softplus(-2 * x) + x)" },
    { d: "x", claim: "1 - tanh(x)^2" },
    "activation",
    "tanh(x)",
    "the factor `1 - tanh(x)^2` should be the activation itself, not its derivative: `tanh(x)`",
  );
  leavesAlone({ given: { x: "3" }, f: "sum(softplus(-2 * x) + x)" }, { d: "x", claim: "tanh(x)" });
});

Deno.test("activation ↔ derivative: relu and softplus both ways", () => {
  repairs(
    { given: { x: "3" }, f: "sum(relu(x))" },
    { d: "x", claim: "relu(x)" },
    "activation",
    "heaviside(x)",
    "the factor `relu(x)` should be its derivative `heaviside(x)`",
  );
  leavesAlone({ given: { x: "3" }, f: "sum(relu(x))" }, { d: "x", claim: "heaviside(x)" });
  // ½ Σ relu(x)²: ∇ = relu(x).
  repairs(
    { given: { x: "3" }, f: "0.5 * sum(relu(x) .^ 2)" },
    { d: "x", claim: "heaviside(x)" },
    "activation",
    "relu(x)",
    "the factor `heaviside(x)` should be the activation itself, not its derivative: `relu(x)`",
  );
  repairs(
    { given: { x: "3" }, f: "sum(softplus(x))" },
    { d: "x", claim: "softplus(x)" },
    "activation",
    "sigmoid(x)",
    "the factor `softplus(x)` should be its derivative `sigmoid(x)`",
  );
  leavesAlone({ given: { x: "3" }, f: "sum(softplus(x))" }, { d: "x", claim: "sigmoid(x)" });
});

Deno.test("drop a factor", () => {
  const setup = { given: { x: "3" }, f: "sum(exp(x))" };
  repairs(
    setup,
    { d: "x", claim: "x .* exp(x)" },
    "drop-factor",
    "exp(x)",
    "the factor `x` does not belong in `x .* exp(x)`: `exp(x)`",
  );
  repairs(
    setup,
    { d: "x", claim: "exp(x) ./ x" },
    "drop-factor",
    "exp(x)",
    "the factor `x` does not belong in `exp(x) / x`: `exp(x)`",
  );
  leavesAlone(setup, { d: "x", claim: "exp(x)" });
});

Deno.test("drop a sum", () => {
  const setup = { given: { x: "3" }, f: "0.5 * sum(x .^ 2)" };
  repairs(
    setup,
    { d: "x", claim: "sum(x)" },
    "drop-sum",
    "x",
    "the sum around `x` should not be there",
  );
  repairs(
    setup,
    { d: "x", claim: "mean(x)" },
    "drop-sum",
    "x",
    "the mean around `x` should not be there",
  );
  leavesAlone(setup, { d: "x", claim: "x" });
});

Deno.test("add a forgotten sum: the derivative by a scalar bias is a number", () => {
  // f = Σ (w x + b − t)²: ∂f/∂b = 2 Σ (w x + b − t), a number.
  const setup = { given: { w: "1", b: "1", x: "5", t: "5" }, f: "sum((w * x + b - t) .^ 2)" };
  repairs(
    setup,
    { d: "b", claim: "2 * (w * x + b - t)" },
    "add-sum",
    "2 * sum(w * x + b - t)",
    "`w * x + b - t` is an array where a number belongs: it should be summed, " +
      "`sum(w * x + b - t)`",
  );
  leavesAlone(setup, { d: "b", claim: "2 * sum(w * x + b - t)" });
});

Deno.test("swap * and .*", () => {
  // f = Σ tanh(Wx): ∇ₓ = Wᵀ(1 − tanh²(Wx)).
  const setup = { given: { W: "3x4", x: "4" }, f: "sum(tanh(W * x))" };
  repairs(
    setup,
    { d: "x", claim: "W' .* (1 - tanh(W * x)^2)" },
    "product-kind",
    "W' * (1 - tanh(W * x)^2)",
    "`W' .* (1 - tanh(W * x)^2)` should be a matrix product: `W' * (1 - tanh(W * x)^2)`",
  );
  leavesAlone(setup, { d: "x", claim: "W' * (1 - tanh(W * x)^2)" });
  // f = Σ exp(x) ⊙ c: ∇ = exp(x) ⊙ c.
  const hadamard = { given: { x: "3", c: "3" }, f: "sum(exp(x) .* c)" };
  repairs(
    hadamard,
    { d: "x", claim: "exp(x) * c" },
    "product-kind",
    "exp(x) .* c",
    "`exp(x) * c` should be an element-wise product: `exp(x) .* c`",
  );
  leavesAlone(hadamard, { d: "x", claim: "exp(x) .* c" });
});

Deno.test("2 * A ↔ A + A'", () => {
  const setup = { given: { A: "3x3", x: "3" }, f: "x' * A * x" };
  repairs(
    setup,
    { d: "x", claim: "2 * A * x" },
    "symmetric",
    "(A + A') * x",
    "`2 * A` holds only for a symmetric `A`: it should be `A + A'`",
  );
  leavesAlone(setup, { d: "x", claim: "(A + A') * x" });
  leavesAlone({ ...setup, given: { A: "sym 3x3", x: "3" } }, { d: "x", claim: "2 * A * x" });
  // The other way (A + A' where 2 * A belongs) is reached first by removing the transpose, and
  // the tidied fix reads 2 * C * x all the same.
  repairs(
    { given: { C: "3x3", x: "3" } },
    { identity: "2 * C * x", equals: "(C + C') * x" },
    "transpose",
    "2 * C * x",
    "`C'` should not be transposed: `C`",
  );
});

Deno.test("2 * A ↔ A + A' inside a longer product: 2 * X * A for the gradient of tr(X A X')", () => {
  const setup = { given: { X: "3x4", A: "4x4" }, f: "trace(X * A * X')" };
  repairs(
    setup,
    { d: "X", claim: "2 * X * A" },
    "symmetric",
    "X * (A + A')",
    "`2 * X * A` holds only for a symmetric `A`: it should be `X * (A + A')`",
  );
  leavesAlone(setup, { d: "X", claim: "X * (A + A')" });
  leavesAlone({ ...setup, given: { X: "3x4", A: "sym 4x4" } }, { d: "X", claim: "2 * X * A" });
});

Deno.test("swap the free indices", () => {
  repairs(
    CE_SQUARE,
    { d: "W", entry: "i,j", claim: "(p[j] - y[j]) * x[i]" },
    "swap-indices",
    "(p[i] - y[i]) * x[j]",
    "the indices i and j are swapped",
  );
  leavesAlone(CE_SQUARE, { d: "W", entry: "i,j", claim: "(p[i] - y[i]) * x[j]" });
});

Deno.test("no single edit repairs two mistakes, or a formula unrelated to the truth", () => {
  // Sign and transpose both wrong (and the shapes do not fit).
  const twice = repair(CE, { d: "W", claim: "(y - p) * x" });
  assert.equal(twice.result.kind, "invalid");
  assert.equal(twice.result.fix, undefined);
  assert.equal(twice.fix, undefined);
  // Sign wrong and the outer product swapped: it fits (W is square) but needs two edits.
  const square = repair(CE_SQUARE, { d: "W", claim: "x * (y - p)'" });
  assert.equal(square.result.ok, false);
  assert.equal(square.result.fix, undefined);
  // f = Σ x³: ∇ = 3x²; exp(x) is no edit away.
  const cubic = repair({ given: { x: "3" }, f: "sum(x .^ 3)" }, { d: "x", claim: "exp(x)" });
  assert.equal(cubic.result.kind, "mismatch");
  assert.equal(cubic.result.fix, undefined);
  assert.equal(cubic.fix, undefined);
  // A missing term is not an edit either: f = ½‖x‖² + Σ exp(x).
  const missing = repair({ given: { x: "3" }, f: "0.5 * sum(x .^ 2) + sum(exp(x))" }, {
    d: "x",
    claim: "x",
  });
  assert.equal(missing.result.ok, false);
  assert.equal(missing.result.fix, undefined);
});

Deno.test("a claim right for fixed given values holds and gets no fix", () => {
  // A is given as a symmetric matrix of numbers: 2A = A + Aᵀ, and 2Ax holds.
  const fixed = repair({ given: { A: [[1, 2], [2, 5]], x: "2" }, f: "x' * A * x" }, {
    d: "x",
    claim: "2 * A * x",
  });
  assert.equal(fixed.result.ok, true);
  assert.equal(fixed.result.fix, undefined);
});

Deno.test("tidy: signs and transposes in fixes read as people write them", () => {
  const t = (src: string) => toPlain(tidy(parsePlain(src)));
  assert.equal(t("a + -b"), "a - b");
  assert.equal(t("a - -b"), "a + b");
  assert.equal(t("--a"), "a");
  assert.equal(t("a + -1"), "a - 1");
  assert.equal(t("a - -0.5"), "a + 0.5");
  assert.equal(t("(W + W) * x"), "2 * W * x");
  assert.equal(t("((s - t) * X' / 5)'"), "X * (s - t)' / 5");
  assert.equal(t("(W * x - t)'"), "(W * x - t)'");
  assert.equal(t("(2 * (A * x - b)' * A)'"), "2 * A' * (A * x - b)");
  assert.equal(t("(1 / 4 * X * (P - Y)')'"), "1 / 4 * (P - Y) * X'");
  assert.equal(t("(A / B)'"), "(A / B)'");
  assert.equal(t("(A * B)'"), "B' * A'");
  assert.equal(t("(A + B')'"), "A' + B");
  assert.equal(t("(x * (p - y)')'"), "(p - y) * x'");
  assert.equal(t("A''"), "A");
});
