/**
 * Shape inference: the shape of every operator and function, and the one-line errors (with their
 * did-you-mean hints) for sizes that do not fit, unknown names, misused free indices and entry
 * indices out of range.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parsePlain } from "../../lib/formula/parse_plain.ts";
import { inferShapes, isScalar, type Shape, showShape } from "../../lib/formula/shape.ts";
import { FormulaError } from "../../lib/formula/errors.ts";

const SHAPES = new Map<string, Shape>([
  ["W", [3, 4]],
  ["V", [3, 4]],
  ["x", [4, 1]],
  ["r", [1, 4]],
  ["c", [3, 1]],
  ["s", [1, 1]],
  ["A", [3, 3]],
  ["W2", [2, 5]],
  ["o", [2, 1]],
  ["y", [2, 1]],
  ["Wout", [2, 3]],
]);
const INDICES = new Map([["i", { size: 3, what: "rows" }], ["j", { size: 4, what: "columns" }]]);

function shapeOf(src: string, indices?: typeof INDICES): Shape {
  const node = parsePlain(src);
  return inferShapes(node, { shapes: SHAPES, indices }).get(node)!;
}

function errorOf(src: string, indices?: typeof INDICES): string {
  try {
    shapeOf(src, indices);
  } catch (e) {
    assert.ok(e instanceof FormulaError, `${src}: not a FormulaError: ${e}`);
    assert.ok(!e.message.includes("\n"), `${src}: the message is one line`);
    return e.message;
  }
  assert.fail(`${src} should not have a shape`);
}

Deno.test("shape: names, numbers, constants, negation and transpose", () => {
  assert.deepEqual(shapeOf("W"), [3, 4]);
  assert.deepEqual(shapeOf("2.5"), [1, 1]);
  assert.deepEqual(shapeOf("pi * e"), [1, 1]);
  assert.deepEqual(shapeOf("-W"), [3, 4]);
  assert.deepEqual(shapeOf("W'"), [4, 3]);
  assert.deepEqual(shapeOf("W''"), [3, 4]);
  assert.deepEqual(shapeOf("transpose(x)"), [1, 4]);
  assert.deepEqual(shapeOf("-x'"), [1, 4]);
});

Deno.test("shape: a problem may give e: its shape wins over the constant", () => {
  const node = parsePlain("e");
  const shapes = inferShapes(node, { shapes: new Map([["e", [3, 1]]]) });
  assert.deepEqual(shapes.get(node), [3, 1]);
});

Deno.test("shape: sums and element-wise operators broadcast scalars, columns and rows", () => {
  for (const op of ["+", "-", ".*", "/", "./", "^", ".^"]) {
    assert.deepEqual(shapeOf(`W ${op} V`), [3, 4], op);
    assert.deepEqual(shapeOf(`W ${op} s`), [3, 4], op);
    assert.deepEqual(shapeOf(`s ${op} W`), [3, 4], op);
    assert.deepEqual(shapeOf(`W ${op} c`), [3, 4], `${op} column`);
    assert.deepEqual(shapeOf(`W ${op} r`), [3, 4], `${op} row`);
    assert.deepEqual(shapeOf(`r ${op} W`), [3, 4], `row ${op}`);
    assert.deepEqual(shapeOf(`c ${op} r`), [3, 4], `column ${op} row`);
  }
  assert.deepEqual(shapeOf("2 ^ W"), [3, 4]);
});

Deno.test("shape: * is the matrix product, or scaling when one side is a scalar", () => {
  assert.deepEqual(shapeOf("W * x"), [3, 1]);
  assert.deepEqual(shapeOf("W' * c"), [4, 1]);
  assert.deepEqual(shapeOf("c' * W"), [1, 4]);
  assert.deepEqual(shapeOf("x' * x"), [1, 1]);
  assert.deepEqual(shapeOf("x * x'"), [4, 4]);
  assert.deepEqual(shapeOf("A * W * x"), [3, 1]);
  assert.deepEqual(shapeOf("s * W"), [3, 4]);
  assert.deepEqual(shapeOf("W * s"), [3, 4]);
  assert.deepEqual(shapeOf("2 * W / 3"), [3, 4]);
  // A 1x1 product is a scalar and scales the rest.
  assert.deepEqual(shapeOf("(x' * x) * W"), [3, 4]);
});

Deno.test("shape: functions", () => {
  for (const fn of ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "heaviside"]) {
    assert.deepEqual(shapeOf(`${fn}(W)`), [3, 4], fn);
  }
  assert.deepEqual(shapeOf("softplus(x)"), [4, 1]);
  assert.deepEqual(shapeOf("sign(r)"), [1, 4]);
  assert.deepEqual(shapeOf("softmax(W)"), [3, 4]);
  assert.deepEqual(shapeOf("sum(W)"), [1, 1]);
  assert.deepEqual(shapeOf("mean(W)"), [1, 1]);
  assert.deepEqual(shapeOf("norm(W)"), [1, 1]);
  assert.deepEqual(shapeOf("trace(A)"), [1, 1]);
  assert.deepEqual(shapeOf("diag(x)"), [4, 4]);
  assert.deepEqual(shapeOf("diag(r)"), [4, 4]);
  assert.deepEqual(shapeOf("diag(A)"), [3, 1]);
  assert.deepEqual(shapeOf("diag(diag(A))"), [3, 3]);
  // Aliases as people type them.
  assert.deepEqual(shapeOf("ln(x)"), [4, 1]);
  assert.deepEqual(shapeOf("sigma(x)"), [4, 1]);
  assert.deepEqual(shapeOf("tr(A)"), [1, 1]);
  assert.deepEqual(shapeOf("step(x)"), [4, 1]);
});

Deno.test("shape: every subterm gets its shape", () => {
  const node = parsePlain("W' * (c - sigmoid(c))");
  const all = inferShapes(node, { shapes: SHAPES });
  assert.equal(node.type, "binary");
  if (node.type !== "binary") return;
  assert.deepEqual(all.get(node), [4, 1]);
  assert.deepEqual(all.get(node.left), [4, 3]);
  assert.deepEqual(all.get(node.right), [3, 1]);
});

Deno.test("shape errors: a matrix product whose inner sizes differ names both shapes and the fix", () => {
  assert.equal(
    errorOf("W2 * (o - y)"),
    "W2 * (o - y): [2, 5] times [2, 1]: inner sizes 5 and 2 differ (did you mean W2'?)",
  );
  assert.ok(
    errorOf("W2 * (o - y)").includes(
      "[2, 5] times [2, 1]: inner sizes 5 and 2 differ (did you mean W2'?)",
    ),
  );
  // Transposing the right side fits: [3, 3] · [4, 3]ᵀ.
  assert.equal(
    errorOf("A * W'"),
    "A * W': [3, 3] times [4, 3]: inner sizes 3 and 4 differ (did you mean W?)",
  );
  // The other order fits.
  assert.equal(
    errorOf("x * W"),
    "x * W: [4, 1] times [3, 4]: inner sizes 1 and 3 differ (did you mean W * x?)",
  );
  // Same shapes: three readings.
  assert.equal(
    errorOf("W * V"),
    "W * V: [3, 4] times [3, 4]: inner sizes 4 and 3 differ " +
      "(did you mean W' * V or W * V' or W .* V?)",
  );
  // Nothing fits: no hint.
  assert.equal(
    errorOf("Wout * x"),
    "Wout * x: [2, 3] times [4, 1]: inner sizes 3 and 4 differ",
  );
});

Deno.test("shape errors: element-wise operators name the operator in words", () => {
  assert.equal(errorOf("W + A"), "W + A: [3, 4] plus [3, 3]: sizes differ");
  assert.equal(errorOf("W - A"), "W - A: [3, 4] minus [3, 3]: sizes differ");
  assert.equal(errorOf("W .* A"), "W .* A: [3, 4] times (element-wise) [3, 3]: sizes differ");
  assert.equal(errorOf("W / A"), "W / A: [3, 4] divided by [3, 3]: sizes differ");
  assert.equal(errorOf("W ^ A"), "W^A: [3, 4] to the power [3, 3]: sizes differ");
  // When the transpose of the right side fits, it is suggested (and a transpose is undone).
  assert.equal(errorOf("W + x"), "W + x: [3, 4] plus [4, 1]: sizes differ (did you mean x'?)");
  assert.equal(errorOf("W + r'"), "W + r': [3, 4] plus [4, 1]: sizes differ (did you mean r?)");
  assert.equal(errorOf("o + W2'"), "o + W2': [2, 1] plus [5, 2]: sizes differ (did you mean W2?)");
});

Deno.test("shape errors: trace and diag of the wrong shapes", () => {
  assert.equal(errorOf("trace(W)"), "trace(W): the trace needs a square matrix, got [3, 4]");
  assert.equal(errorOf("diag(W)"), "diag(W): diag takes a vector or a square matrix, got [3, 4]");
});

Deno.test("unknown names and functions get a did-you-mean when one is close", () => {
  assert.equal(errorOf("W1 * x"), "unknown name W1 (did you mean W?)");
  assert.equal(errorOf("w * x"), "unknown name w (did you mean W?)");
  assert.equal(errorOf("wout"), "unknown name wout (did you mean Wout?)");
  assert.equal(errorOf("Wot * c"), "unknown name Wot (did you mean Wout?)");
  assert.equal(errorOf("zeta * x"), "unknown name zeta");
  // One-letter names: every other one-letter name is one edit away, so only a case slip is hinted.
  assert.equal(errorOf("q * x"), "unknown name q");
  assert.equal(errorOf("X + x"), "unknown name X (did you mean x?)");
  assert.equal(errorOf("exps(x)"), "unknown function exps (did you mean exp?)");
  assert.equal(errorOf("sigmod(x)"), "unknown function sigmod (did you mean sigmoid?)");
  assert.equal(errorOf("foo(x)"), "unknown function foo");
  assert.equal(errorOf("sigmoid(x, x)"), "sigmoid takes 1 argument, got 2");
  assert.equal(errorOf("delta(1)"), "delta takes 2 arguments, got 1");
});

Deno.test("syntax errors name the column", () => {
  const at = (src: string) => {
    try {
      parsePlain(src);
    } catch (e) {
      assert.ok(e instanceof FormulaError);
      return [e.message, e.column];
    }
    assert.fail(`${src} parsed`);
  };
  assert.deepEqual(at("W +"), ["the formula ends too early at column 4", 4]);
  assert.deepEqual(at("(W"), ["missing `)` at column 3", 3]);
  assert.deepEqual(at("   "), ["the formula is empty", undefined]);
});

Deno.test("free indices: only inside entries and delta, over the right range", () => {
  assert.deepEqual(shapeOf("W[i, j]", INDICES), [1, 1]);
  assert.deepEqual(shapeOf("(W * x)[i] * x[j]", INDICES), [1, 1]);
  assert.deepEqual(shapeOf("delta(i, j) + W[i, 2]", INDICES), [1, 1]);
  assert.deepEqual(shapeOf("delta(1, 2)", INDICES), [1, 1]);
  assert.equal(
    errorOf("i * W[i, j]", INDICES),
    "i is a free index: use it inside an entry such as x[i] or in delta(i, j)",
  );
  assert.equal(
    errorOf("W[j, i]", INDICES),
    "W[j, i]: j runs over 4 columns but W has 3 rows",
  );
  assert.equal(errorOf("x[i]", INDICES), "x[i]: i runs over 3 rows but x has 4 entries");
  assert.equal(
    errorOf("delta(i, x)", INDICES),
    "delta(i, x): delta takes free indices or numbers, got x",
  );
  assert.equal(
    errorOf("W[i, k]", INDICES),
    "W[i, k]: an index must be a free index (i, j) or a number, got k",
  );
  // Without free indices, an index must be a number.
  assert.equal(errorOf("x[i]"), "x[i]: an index must be a number, got i");
  assert.equal(errorOf("W[1]"), "W[1]: W is a [3, 4] matrix: give two indices");
});

Deno.test("entry indices count from 1 and stay inside the array", () => {
  assert.deepEqual(shapeOf("W[3, 4]"), [1, 1]);
  assert.deepEqual(shapeOf("x[4]"), [1, 1]);
  assert.deepEqual(shapeOf("r[4]"), [1, 1]);
  assert.deepEqual(shapeOf("(W * x)[2]"), [1, 1]);
  assert.equal(errorOf("x[5]"), "x[5]: index 5 is outside 1..4 (indices count from 1)");
  assert.equal(errorOf("W[0, 1]"), "W[0, 1]: index 0 is outside 1..3 (indices count from 1)");
  assert.equal(errorOf("W[1, 5]"), "W[1, 5]: index 5 is outside 1..4 (indices count from 1)");
});

Deno.test("property: products and sums of random shapes fit exactly when the sizes say so", () => {
  fc.assert(
    fc.property(
      fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
      fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
      (a, b) => {
        const shapes = new Map<string, Shape>([["P", a], ["Q", b]]);
        const read = (src: string): Shape | string => {
          const node = parsePlain(src);
          try {
            return inferShapes(node, { shapes }).get(node)!;
          } catch (e) {
            if (!(e instanceof FormulaError)) throw e;
            return e.message;
          }
        };
        const prod = read("P * Q");
        if (isScalar(a)) assert.deepEqual(prod, b);
        else if (isScalar(b)) assert.deepEqual(prod, a);
        else if (a[1] === b[0]) assert.deepEqual(prod, [a[0], b[1]]);
        else {
          assert.equal(typeof prod, "string");
          assert.ok(
            (prod as string).startsWith(
              `P * Q: ${showShape(a)} times ${showShape(b)}: inner sizes ${a[1]} and ${
                b[0]
              } differ`,
            ),
          );
        }
        const sum = read("P + Q");
        const fits = (k: 0 | 1) => a[k] === b[k] || a[k] === 1 || b[k] === 1;
        if (fits(0) && fits(1)) assert.deepEqual(sum, [Math.max(a[0], b[0]), Math.max(a[1], b[1])]);
        else assert.equal(typeof sum, "string");
        assert.deepEqual(read("(P * Q)'"), typeof prod === "string" ? prod : [prod[1], prod[0]]);
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});
