/**
 * The difference of two formula trees (`changedSubterm`): the smallest subterm holding every
 * change, at the same path in both trees, on hand-picked edits (a sign, a factor, a dropped sum, a
 * transpose, a changed function) and on random single replacements; and `toLatex`'s marks, which
 * colour that subterm in the printed LaTeX and in KaTeX's MathML.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  binary,
  call,
  changedSubterm,
  name,
  type Node,
  nodesWithPaths,
  num,
  replaceAt,
  sameTree,
} from "../../lib/formula/ast.ts";
import { parseFormula } from "../../lib/formula/parse.ts";
import { toPlain } from "../../lib/formula/print_plain.ts";
import { renderMath, toLatex } from "../../lib/formula/render_latex.ts";

/** `[path, before, after]` of the change from `a` to `b`, plain text. */
function change(a: string, b: string): [string, string, string] | undefined {
  const c = changedSubterm(parseFormula(a), parseFormula(b));
  return c && [c.path.join("."), toPlain(c.before), toPlain(c.after)];
}

Deno.test("changedSubterm: equal trees have no change", () => {
  assert.equal(
    changedSubterm(parseFormula("X' * (p - y)"), parseFormula("X' * (p - y)")),
    undefined,
  );
  assert.equal(change("$\\hat{y} - y$", "yhat - y"), undefined);
});

Deno.test("changedSubterm: the smallest subterm of a one-edit repair", () => {
  // A subtraction written the wrong way round.
  assert.deepEqual(change("X' * (y - p)", "X' * (p - y)"), ["1", "y - p", "p - y"]);
  // A stray minus on one factor.
  assert.deepEqual(
    change(
      "-delta(i, j) * exp(-x[i]) / (1 + exp(-x[i]))^2",
      "delta(i, j) * exp(-x[i]) / (1 + exp(-x[i]))^2",
    ),
    ["0.0", "-delta(i, j)", "delta(i, j)"],
  );
  // A sum that should not be there, inside a quotient.
  assert.deepEqual(
    change("sum(2 * (s - y) .* s) / 6", "2 * (s - y) .* s / 6"),
    ["0", "sum((2 * (s - y)) .* s)", "(2 * (s - y)) .* s"],
  );
  // The sigmoid where the derivative of ReLU belongs.
  assert.deepEqual(change("dhs[j] * sigmoid(ha[j])", "dhs[j] * heaviside(ha[j])"), [
    "1",
    "sigmoid(ha[j])",
    "heaviside(ha[j])",
  ]);
  // A lost factor of the whole formula: the change is the root.
  assert.deepEqual(change("(s - y) .* s", "(s - y) .* s / 3"), [
    "",
    "(s - y) .* s",
    "(s - y) .* s / 3",
  ]);
});

Deno.test("changedSubterm: two changed children stop the descent at their parent", () => {
  assert.deepEqual(change("a * b + c", "a * d + e"), ["", "a * b + c", "a * d + e"]);
  assert.deepEqual(change("x' * (a * b + c)", "x' * (a * d + e)"), [
    "1",
    "a * b + c",
    "a * d + e",
  ]);
  assert.deepEqual(change("W * x", "W' * x"), ["0", "W", "W'"]);
  assert.deepEqual(change("log(a)", "exp(a)"), ["", "log(a)", "exp(a)"]);
});

/** Small random trees over a few names. */
const tree: fc.Arbitrary<Node> = fc.letrec<{ t: Node }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "c").map(name),
    fc.integer({ min: 1, max: 9 }).map(num),
    fc.tuple(fc.constantFrom("+", "-", "*", ".*", "/") as fc.Arbitrary<"+">, tie("t"), tie("t"))
      .map(([op, l, r]) => binary(op, l, r)),
    tie("t").map((x) => call("exp", x)),
  ),
})).t;

Deno.test("property: one replaced subterm is found on its path, and the rest agrees", () => {
  fc.assert(fc.property(tree, tree, fc.nat(), (root, replacement, pick) => {
    const nodes = nodesWithPaths(root);
    const { path } = nodes[pick % nodes.length];
    const edited = replaceAt(root, path, replacement);
    const c = changedSubterm(root, edited);
    if (sameTree(root, edited)) return c === undefined;
    assert.ok(c);
    // The change lies on the way to the edit (or inside it, where the replacement shares the
    // head of what it replaces), and putting `after` in `before`'s place gives the edited tree.
    const n = Math.min(path.length, c.path.length);
    assert.deepEqual(path.slice(0, n), c.path.slice(0, n));
    assert.ok(sameTree(replaceAt(root, c.path, c.after), edited));
    assert.ok(sameTree(replaceAt(edited, c.path, c.before), root));
    return true;
  }));
});

Deno.test("toLatex marks: the marked subterm is set in its colour, as an mstyle in MathML", () => {
  const t = parseFormula("X' * (y - p)");
  const marked = changedSubterm(t, parseFormula("X' * (p - y)"))!.before;
  const tex = toLatex(t, { marks: new Map([[marked, "#cf222e"]]) });
  assert.equal(tex, "X^{\\top} \\left(\\textcolor{#cf222e}{y - p}\\right)");
  assert.equal(toLatex(t), "X^{\\top} \\left(y - p\\right)", "no marks, no colour");
  const mathml = renderMath(tex, { display: true });
  assert.match(mathml, /<mstyle mathcolor="#cf222e"><mi>y<\/mi><mo>−<\/mo><mi>p<\/mi><\/mstyle>/);
});
