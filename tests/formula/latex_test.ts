/**
 * LaTeX both ways: formulas typed in LaTeX and in plain text give the same trees; printing and
 * reading back (both syntaxes) is the identity on hand-picked and random trees; unknown commands
 * and unbalanced braces are FormulaErrors naming the piece; MathML rendering and its fallback.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  binary,
  type BinaryOp,
  call,
  type FunctionName,
  FUNCTIONS,
  index,
  name,
  neg,
  type Node,
  num,
  sameTree,
  transpose,
} from "../../lib/formula/ast.ts";
import { FormulaError } from "../../lib/formula/errors.ts";
import { parseLatex } from "../../lib/formula/parse_latex.ts";
import { parsePlain } from "../../lib/formula/parse_plain.ts";
import { isLatex, parseFormula, stripDollars } from "../../lib/formula/parse.ts";
import { toPlain } from "../../lib/formula/print_plain.ts";
import { renderMath, toLatex } from "../../lib/formula/render_latex.ts";
import { inferShapes, type Shape } from "../../lib/formula/shape.ts";

/** The same formula as students type it in LaTeX and in plain text. */
const PAIRS: readonly [string, string][] = [
  ["$(\\hat{y} - y) x^\\top$", "(yhat - y) * x'"],
  ["$W^{(2)\\top}(o - y)$", "W2' * (o - y)"],
  ["$\\sigma(a) \\odot (1 - \\sigma(a))$", "sigmoid(a) .* (1 - sigmoid(a))"],
  ["$\\frac{1}{N} X^T (P - Y)$", "1 / N * X' * (P - Y)"],
  ["$\\operatorname{diag}(s) - s s^\\top$", "diag(s) - s * s'"],
  ["$2 \\lambda W$", "2 * lambda * W"],
  ["$\\delta_{ij} p_j - p_i p_j$", "delta(i, j) * p[j] - p[i] * p[j]"],
  ["$-\\frac{y}{p}$", "-y / p"],
  ["$\\tanh(z)^2$", "tanh(z)^2"],
  ["$1 - \\tanh^2(z)$", "1 - tanh(z)^2"],
  ["$W^{(1)} x + b^{(1)}$", "W1 * x + b1"],
  ["$W_1 x + b_1$", "W1 * x + b1"],
  ["$\\sigma(W_2 h + b_2)$", "sigmoid(W2 * h + b2)"],
  ["$\\operatorname{softmax}(z) - y$", "softmax(z) - y"],
  ["$\\mathrm{relu}(W x)$", "relu(W * x)"],
  ["$x^\\intercal W x$", "x' * W * x"],
  ["$(W + W^\\top) x$", "(W + W') * x"],
  ["$\\|x\\|^2$", "norm(x)^2"],
  ["$\\lVert W \\rVert_F$", "norm(W)"],
  ["$|x|$", "abs(x)"],
  ["$\\sqrt{x^\\top x}$", "sqrt(x' * x)"],
  ["$-\\sum y \\odot \\log(p)$", "-sum(y .* log(p))"],
  ["$\\ln(1 + \\exp(z))$", "log(1 + exp(z))"],
  ["$\\operatorname{tr}(A^\\top B)$", "trace(A' * B)"],
  ["$\\frac{1}{2}\\|W x - y\\|^2$", "1 / 2 * norm(W * x - y)^2"],
  ["$(W^{(2)\\top} \\delta^{(3)}) \\odot h \\odot (1 - h)$", "(W2' * delta3) .* h .* (1 - h)"],
  ["$\\delta^{(3)} a^{(2)\\top}$", "delta3 * a2'"],
  ["$\\hat{y}_i - y_i$", "yhat[i] - y[i]"],
  ["$W_{i,j} x_j$", "W[i, j] * x[j]"],
  ["$W_{ij}$", "W[i, j]"],
  ["$(W x)_i$", "(W * x)[i]"],
  ["$\\sigma(z_i)(1 - \\sigma(z_i))$", "sigmoid(z[i]) * (1 - sigmoid(z[i]))"],
  ["$p_i (\\delta_{ij} - p_j)$", "p[i] * (delta(i, j) - p[j])"],
  ["$W - \\eta \\, \\mathrm{dW}$", "W - eta * dW"],
  ["$\\theta - \\alpha g$", "theta - alpha * g"],
  ["$\\mu v - \\eta g$", "mu * v - eta * g"],
  ["$\\frac{m}{\\sqrt{v} + \\epsilon}$", "m / (sqrt(v) + epsilon)"],
  ["$\\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}}$", "(x - mu) / sqrt(sigma^2 + epsilon)"],
  ["$\\gamma \\hat{x} + \\beta$", "gamma * xhat + beta"],
  ["$1 - \\tanh(z) \\odot \\tanh(z)$", "1 - tanh(z) .* tanh(z)"],
  [
    "$\\operatorname{sigmoid}(x) \\cdot (1 - \\operatorname{sigmoid}(x))$",
    "sigmoid(x) * (1 - sigmoid(x))",
  ],
  ["$2 (W x - y) x^T$", "2 * (W * x - y) * x'"],
  ["$X^\\top (X w - y) / N$", "X' * (X * w - y) / N"],
  ["$\\frac{2}{N} X^{\\top}(X w - y) + 2\\lambda w$", "2 / N * X' * (X * w - y) + 2 * lambda * w"],
  ["$\\exp(z) \\oslash \\sum \\exp(z)$", "exp(z) / sum(exp(z))"],
  ["$\\operatorname{H}(z) \\odot \\delta$", "heaviside(z) .* delta"],
  ["$a \\times b$", "a * b"],
  ["$\\left( \\hat{y} - y \\right)^2$", "(yhat - y)^2"],
  ["$\\tfrac12 (y - t)^2$", "1 / 2 * (y - t)^2"],
  ["$\\tanh(W_{hh} h_{t} + W_{xh} x_{t})$", "tanh(W_hh * h_t + W_xh * x_t)"],
  ["$$W'$$", "W'"],
  ["$\\mathbf{W}^{(1)}_{ij}$", "W1[i, j]"],
  ["$\\sum_i x_i$", "sum(x)"],
  ["$\\bar{x} - \\tilde{x}$", "xbar - xtilde"],
  ["$\\text{lr} \\cdot g$", "lr * g"],
  ["$a + b - c$", "a + b - c"],
  ["$\\operatorname{softmax}(z)_i$", "softmax(z)[i]"],
  ["$\\sigma(a)^2$", "sigmoid(a)^2"],
  ["$\\sigma^2(a)$", "sigmoid(a)^2"],
  ["$W(o - y)$", "W * (o - y)"],
  ["$x \\circ y$", "x .* y"],
  ["$W [a + b]$", "W * (a + b)"],
  ["\\(e^{x} + \\pi\\)", "e^x + pi"],
];

/**
 * Where the minus sign of a leading negation sits is notation, not meaning: `-\frac{y}{p}` is
 * `-(y / p)`, while `-y / p` is `(-y) / p` in both readers. Pairs are compared with negations
 * pulled out of the left operand of `*`, `.*` and `/`.
 */
function pullMinus(node: Node): Node {
  switch (node.type) {
    case "neg":
      return neg(pullMinus(node.arg));
    case "transpose":
      return transpose(pullMinus(node.arg));
    case "call":
      return call(node.fn, ...node.args.map(pullMinus));
    case "index":
      return index(pullMinus(node.base), node.indices.map(pullMinus));
    case "binary": {
      const left = pullMinus(node.left), right = pullMinus(node.right);
      if (left.type === "neg" && (node.op === "*" || node.op === ".*" || node.op === "/")) {
        return neg(binary(node.op, left.arg, right));
      }
      return binary(node.op, left, right);
    }
    default:
      return node;
  }
}

Deno.test("LaTeX and plain text give the same tree for the same formula", () => {
  assert.ok(PAIRS.length >= 40);
  for (const [latex, plain] of PAIRS) {
    const a = parseFormula(latex), b = parseFormula(plain);
    assert.ok(
      sameTree(pullMinus(a), pullMinus(b)),
      `${latex} reads as ${toPlain(a)}, ${plain} as ${toPlain(b)}`,
    );
  }
});

Deno.test("decisions: \\tanh^2(z) squares tanh(z), x_i is an entry, W_1 a name, W_{ij} an entry", () => {
  const plain = (latex: string) => toPlain(parseLatex(latex));
  assert.equal(plain("\\tanh^2(z)"), "tanh(z)^2");
  assert.equal(plain("x_i"), "x[i]");
  assert.equal(plain("W_1"), "W1");
  assert.equal(plain("W_{12}"), "W12");
  assert.equal(plain("W_{ij}"), "W[i, j]");
  assert.equal(plain("W_{1j}"), "W[1, j]");
  assert.equal(plain("W_{1,2}"), "W[1, 2]");
  assert.equal(plain("x_t"), "x_t");
  assert.equal(plain("\\delta_{ij}"), "delta(i, j)");
  assert.equal(plain("\\sigma"), "sigma");
  assert.equal(plain("\\sigma(a)"), "sigmoid(a)");
  assert.equal(plain("\\mathbf{1}"), "1");
  assert.equal(plain("\\mathbb{1}"), "1");
  assert.equal(plain("\\mathbf{x}^\\top \\mathbf{W}"), "x' * W");
  assert.equal(plain("W^{(2)'}"), "W2'");
  assert.equal(plain("W^{(2)\\intercal} x"), "W2' * x");
  assert.equal(plain("x^\\mathsf{T}"), "x'");
  assert.equal(plain("x^{\\prime}"), "x'");
  assert.equal(plain("x^{\\mathrm{T}} y"), "x' * y");
  assert.equal(plain("\\mathrm{dW}^{0.5}"), "dW^0.5");
  assert.equal(plain("W (x)^\\top"), "W * x'");
  assert.equal(plain("-\\sigma(a)"), "-sigmoid(a)");
  assert.equal(plain("\\delta (o - y)"), "delta * (o - y)");
  assert.equal(plain("\\delta_{12} + \\delta_{1,2}"), "delta12 + delta(1, 2)");
  assert.equal(plain("a\\,b\\;c\\quad d\\!e~f"), "a * b * c * d * e * f");
  assert.equal(plain("a \\odot W x"), "a .* (W * x)");
  assert.equal(plain("a \\cdot b c"), "a * (b * c)");
  assert.equal(plain("\\sum x y"), "sum(x * y)");
  assert.equal(plain("-a b"), "-a * b");
  assert.equal(plain("2 \\cdot 3"), "2 * 3");
  assert.equal(plain("0.0000001 x"), "1e-7 * x");
});

Deno.test("parseFormula dispatches on dollars", () => {
  assert.ok(isLatex("$x$") && isLatex(" $$x$$ ") && isLatex("\\(x\\)") && isLatex("\\[x\\]"));
  assert.ok(!isLatex("x'") && !isLatex("$") && !isLatex("a $b$"));
  assert.equal(stripDollars("$$x^\\top$$"), "x^\\top");
  assert.equal(stripDollars("x'"), "x'");
  assert.ok(sameTree(parseFormula("$x^\\top$"), parseFormula("x'")));
});

/** The FormulaError a LaTeX formula gives. */
function errorOf(text: string): FormulaError {
  try {
    parseFormula(text);
  } catch (e) {
    assert.ok(e instanceof FormulaError, `${text}: not a FormulaError: ${e}`);
    assert.ok(!e.message.includes("\n"), `${text}: the message is one line`);
    return e;
  }
  assert.fail(`${text} should not parse`);
}

Deno.test("errors name the offending piece", () => {
  const unknown = errorOf("$\\sigam(a)$");
  assert.match(unknown.message, /unknown command \\sigam \(did you mean \\sigma\?\)/);
  assert.equal(unknown.column, 2);
  assert.match(errorOf("$\\lamda W$").message, /did you mean \\lambda\?/);
  assert.match(errorOf("$\\foo x$").message, /unknown command \\foo/);
  const brace = errorOf("$\\frac{1}{N$");
  assert.match(brace.message, /unbalanced braces: `\{N` has no closing `\}`/);
  assert.equal(brace.column, 10);
  assert.match(errorOf("$x}$").message, /unbalanced braces: `\}`/);
  assert.match(errorOf("$x^{2$").message, /unbalanced braces/);
  assert.match(errorOf("$\\left(a + b$").message, /\\left without its matching \\right/);
  assert.match(errorOf("$\\sigma(a$").message, /unbalanced parentheses/);
  assert.match(errorOf("$a +$").message, /`\+` is missing an operand/);
  assert.match(errorOf("$\\max(0, x)$").message, /\\operatorname\{relu\}/);
  assert.match(errorOf("$\\sigma'(a)$").message, /derivatives are written out/);
  assert.match(errorOf("$y = W x$").message, /without =/);
  assert.match(errorOf("$W^{(l)}$").message, /layer superscript must be a number/);
  assert.match(errorOf("$\\operatorname{softmax} z$").message, /give its argument in parentheses/);
  assert.match(errorOf("$\\operatorname{softmx}(z)$").message, /did you mean softmax\?/);
  assert.match(errorOf("$x_{ijk}$").message, /one or two indices/);
  assert.match(errorOf("$\\tanh^{-1}(x)$").message, /not part of the formula syntax/);
  assert.match(errorOf("$\\sigma^{-1}(a)$").message, /inverse functions/);
  assert.match(errorOf("$\\operatorname{softmax}(a, b)$").message, /takes 1 argument, got 2/);
  assert.match(errorOf("$()$").message, /empty parentheses/);
  assert.match(errorOf("$\\text{learning rate}$").message, /is not a name/);
  assert.match(errorOf("$$  $$").message, /empty/);
});

Deno.test("toLatex: notation and fewest parentheses", () => {
  const cases: [string, string][] = [
    ["W2' * (o - y)", "W_{2}^{\\top} \\left(o - y\\right)"],
    [
      "sigmoid(a) .* (1 - sigmoid(a))",
      "\\sigma\\left(a\\right) \\odot \\left(1 - \\sigma\\left(a\\right)\\right)",
    ],
    ["yhat - y", "\\hat{y} - y"],
    ["2 * lambda * W", "2 \\lambda W"],
    ["-y / p", "\\frac{-y}{p}"],
    ["-(y / p)", "-\\frac{y}{p}"],
    ["delta(i, j) * p[j] - p[i] * p[j]", "\\delta_{ij} p_{j} - p_{i} p_{j}"],
    ["W[i, j]", "W_{ij}"],
    ["x[1]", "\\left(x\\right)_{1}"],
    ["diag(s) - s * s'", "\\operatorname{diag}\\left(s\\right) - s s^{\\top}"],
    ["trace(A) + norm(x)", "\\operatorname{tr}\\left(A\\right) + \\left\\lVert x\\right\\rVert"],
    ["sum(x) * y", "\\left(\\sum x\\right) y"],
    ["2 * 3", "2 \\cdot 3"],
    ["sigma * (a + b)", "\\sigma \\cdot \\left(a + b\\right)"],
    ["a * b .* c", "\\left(a b\\right) \\odot c"],
    ["lr * W_hh", "\\operatorname{lr} \\, W_{hh}"],
    ["1e-7", "0.0000001"],
  ];
  for (const [plain, latex] of cases) assert.equal(toLatex(parsePlain(plain)), latex, plain);
});

Deno.test("toLatex with shapes: every factor set over its shape; still reads back", () => {
  const shapes = new Map<string, Shape>([["W2", [2, 5]], ["o", [2, 1]], ["y", [2, 1]]]);
  const tree = parsePlain("W2' * (o - y)");
  const all = inferShapes(tree, { shapes });
  const latex = toLatex(tree, { shapeOf: (n) => all.get(n) });
  assert.equal(
    latex,
    "\\underbrace{W_{2}^{\\top}}_{5\\times 2} \\underbrace{\\left(o - y\\right)}_{2\\times 1}",
  );
  assert.ok(sameTree(parseLatex(latex), tree));
  assert.match(renderMath(latex, { display: true }), /<math[^>]*display="block"/);
});

Deno.test("renderMath: MathML, or the escaped source when KaTeX fails", () => {
  const ok = renderMath(toLatex(parsePlain("sigmoid(a) .* (1 - sigmoid(a))")));
  assert.match(ok, /<math/);
  assert.doesNotMatch(ok, /<code/);
  const bad = renderMath("\\frac{1}{<b>");
  assert.match(bad, /^<code class="math-error" title="[^"]+">\\frac\{1\}\{&lt;b&gt;<\/code>$/);
  assert.match(renderMath("\\undefinedcommand x"), /^<code/);
});

Deno.test("round trips over the pairs: parse -> print -> parse, both syntaxes", () => {
  for (const [latex, plain] of PAIRS) {
    for (const tree of [parseFormula(latex), parseFormula(plain)]) {
      assert.ok(sameTree(parseLatex(toLatex(tree)), tree), `${toLatex(tree)}`);
      assert.ok(sameTree(parsePlain(toPlain(tree)), tree), `${toPlain(tree)}`);
    }
  }
});

// ---- random trees ----------------------------------------------------------------------------

const NAMES = [
  "x",
  "y",
  "W",
  "A",
  "p",
  "W1",
  "b2",
  "yhat",
  "xtilde",
  "lambda",
  "eta",
  "Sigma",
  "sigma",
  "delta",
  "H",
  "e",
  "pi",
  "lr",
  "dW",
  "x_t",
  "W_hh",
  "i",
];
const NUMBERS = [0, 1, 2, 3, 10, 0.5, 2.25, 0.001, 1e-7, 123.456, 0.1];
const OPS: BinaryOp[] = ["+", "-", "*", ".*", "/", "^"];
const UNARY_FNS = (Object.keys(FUNCTIONS) as FunctionName[]).filter((f) => FUNCTIONS[f] === 1);
const INDEX = fc.oneof(
  fc.constantFrom("i", "j", "k", "t").map(name),
  fc.integer({ min: 1, max: 3 }).map(num),
);

const { tree } = fc.letrec<{ tree: Node }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...NAMES).map(name),
    fc.constantFrom(...NUMBERS).map(num),
    tie("tree").map(neg),
    tie("tree").map(transpose),
    fc.tuple(fc.constantFrom(...OPS), tie("tree"), tie("tree")).map(([op, l, r]) =>
      binary(op, l, r)
    ),
    fc.tuple(fc.constantFrom(...UNARY_FNS), tie("tree")).map(([fn, a]) => call(fn, a)),
    fc.tuple(INDEX, INDEX).map(([a, b]) => call("delta", a, b)),
    // Entries of anything but a bare number (the plain syntax has no `2[i]`).
    fc.tuple(
      tie("tree").filter((b) => b.type !== "num"),
      fc.array(INDEX, { minLength: 1, maxLength: 2 }),
    ).map(([b, ix]) => index(b, ix)),
  ),
}));

Deno.test("random trees: parseLatex(toLatex(t)) and parsePlain(toPlain(t)) are t", () => {
  fc.assert(
    fc.property(tree, (t) => {
      const latex = toLatex(t);
      assert.ok(sameTree(parseLatex(latex), t), `${latex} from ${JSON.stringify(t)}`);
      const plain = toPlain(t);
      assert.ok(sameTree(parsePlain(plain), t), `${plain} from ${JSON.stringify(t)}`);
    }),
    { numRuns: 1500, seed: 20240611 },
  );
});

Deno.test("random trees: shape annotations are skipped when read back, and KaTeX renders", () => {
  fc.assert(
    fc.property(tree, (t) => {
      const latex = toLatex(t, { shapeOf: () => [2, 3] });
      assert.ok(sameTree(parseLatex(latex), t), latex);
      assert.match(renderMath(latex), /^<span class="katex"><math/, latex);
    }),
    { numRuns: 300, seed: 7 },
  );
});
