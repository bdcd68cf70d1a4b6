/**
 * Evaluation: compiled formulas against an independent reference written here on plain JS arrays
 * (entry loops), for random well-shaped formulas; entry formulas against their matrix forms;
 * printed formulas against the trees they print; and the edge cases by hand.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { array, NDArray } from "../../lib/ndarray.ts";
import { compile, compileEntries, type Env } from "../../lib/formula/evaluate.ts";
import { parsePlain } from "../../lib/formula/parse_plain.ts";
import { toPlain } from "../../lib/formula/print_plain.ts";
import { sameTree } from "../../lib/formula/ast.ts";
import { inferShapes, type Shape } from "../../lib/formula/shape.ts";
import { FormulaError } from "../../lib/formula/errors.ts";

type M = number[][];

// ---------------------------------------------------------------- the reference, entry by entry

function build(r: number, c: number, f: (i: number, j: number) => number): M {
  return Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => f(i, j)));
}
const rows = (a: M) => a.length;
const cols = (a: M) => a[0].length;
function zipRef(a: M, b: M, op: (x: number, y: number) => number): M {
  const r = Math.max(rows(a), rows(b)), c = Math.max(cols(a), cols(b));
  const at = (m: M, i: number, j: number) => m[rows(m) === 1 ? 0 : i][cols(m) === 1 ? 0 : j];
  return build(r, c, (i, j) => op(at(a, i, j), at(b, i, j)));
}
function matmulRef(a: M, b: M): M {
  if (rows(a) === 1 && cols(a) === 1) return build(rows(b), cols(b), (i, j) => a[0][0] * b[i][j]);
  if (rows(b) === 1 && cols(b) === 1) return build(rows(a), cols(a), (i, j) => a[i][j] * b[0][0]);
  return build(rows(a), cols(b), (i, j) => {
    let s = 0;
    for (let k = 0; k < cols(a); k++) s += a[i][k] * b[k][j];
    return s;
  });
}
const mapRef = (a: M, f: (x: number) => number) => a.map((row) => row.map(f));
const transposeRef = (a: M) => build(cols(a), rows(a), (i, j) => a[j][i]);
const all = (a: M) => a.flat();
const SIG = (x: number) => 1 / (1 + Math.exp(-x));
function softmaxRef(a: M): M {
  // A row vector is one vector: softmax over its entries.
  if (rows(a) === 1 && cols(a) > 1) return transposeRef(softmaxRef(transposeRef(a)));
  const out = build(rows(a), cols(a), () => 0);
  for (let j = 0; j < cols(a); j++) {
    const top = Math.max(...a.map((row) => row[j]));
    let total = 0;
    for (let i = 0; i < rows(a); i++) total += Math.exp(a[i][j] - top);
    for (let i = 0; i < rows(a); i++) out[i][j] = Math.exp(a[i][j] - top) / total;
  }
  return out;
}

/** A formula with its reference value. */
interface Expr {
  src: string;
  ref: (env: Record<string, M>) => M;
}

const DIMS = [1, 2, 3];
const varName = (r: number, c: number) => `V${r}${c}`;
const VARS = DIMS.flatMap((r) => DIMS.map((c) => [r, c] as const));

function leaf(r: number, c: number): fc.Arbitrary<Expr> {
  const v: fc.Arbitrary<Expr> = fc.constant({
    src: varName(r, c),
    ref: (env) => env[varName(r, c)],
  });
  if (r !== 1 || c !== 1) return v;
  return fc.oneof(
    v,
    fc.integer({ min: -3, max: 3 }).map((k): Expr => ({ src: `${k}`, ref: () => [[k]] })),
  );
}

const UNARY: [string, (e: string) => string, (x: number) => number][] = [
  ["tanh", (e) => `tanh(${e})`, Math.tanh],
  ["sigmoid", (e) => `sigmoid(${e})`, SIG],
  ["relu", (e) => `relu(${e})`, (x) => Math.max(x, 0)],
  ["abs", (e) => `abs(${e})`, Math.abs],
  ["softplus", (e) => `softplus(${e})`, (x) => x > 40 ? x : Math.log(1 + Math.exp(x))],
  ["heaviside", (e) => `heaviside(${e})`, (x) => x > 0 ? 1 : x < 0 ? 0 : 0.5],
  ["sign", (e) => `sign(${e})`, Math.sign],
  ["exp∘tanh", (e) => `exp(tanh(${e}))`, (x) => Math.exp(Math.tanh(x))],
  ["log(1+x²)", (e) => `log(1 + (${e}) .^ 2)`, (x) => Math.log(1 + x * x)],
  ["sqrt∘abs", (e) => `sqrt(abs(${e}))`, (x) => Math.sqrt(Math.abs(x))],
  ["square", (e) => `(${e})^2`, (x) => x * x],
];

/** A random formula of shape [r, c], at most `depth` operators deep. */
function expr(r: number, c: number, depth: number): fc.Arbitrary<Expr> {
  if (depth === 0) return leaf(r, c);
  const sub = (rr: number, cc: number) => expr(rr, cc, depth - 1);
  const rules: (() => fc.Arbitrary<Expr>)[] = [
    () => leaf(r, c),
    () =>
      sub(r, c).map((a): Expr => ({ src: `-(${a.src})`, ref: (e) => mapRef(a.ref(e), (x) => -x) })),
    () => sub(c, r).map((a): Expr => ({ src: `(${a.src})'`, ref: (e) => transposeRef(a.ref(e)) })),
    () =>
      fc.tuple(
        fc.constantFrom(
          ["+", (x: number, y: number) => x + y],
          ["-", (x: number, y: number) => x - y],
          [".*", (x: number, y: number) => x * y],
        ) as fc.Arbitrary<[string, (x: number, y: number) => number]>,
        sub(r, c),
        // The right side broadcasts: same shape, a column, a row or a scalar.
        fc.constantFrom([r, c], [r, 1], [1, c], [1, 1]).chain(([rr, cc]) => sub(rr, cc)),
      ).map(([[op, f], a, b]): Expr => ({
        src: `(${a.src}) ${op} (${b.src})`,
        ref: (e) => zipRef(a.ref(e), b.ref(e), f),
      })),
    () =>
      fc.tuple(sub(r, c), sub(r, c)).map(([a, b]): Expr => ({
        src: `(${a.src}) ./ (1 + abs(${b.src}))`,
        ref: (e) => zipRef(a.ref(e), mapRef(b.ref(e), (x) => 1 + Math.abs(x)), (x, y) => x / y),
      })),
    () =>
      fc.constantFrom(...DIMS).chain((k) =>
        fc.tuple(sub(r, k), sub(k, c)).map(([a, b]): Expr => ({
          src: `(${a.src}) * (${b.src})`,
          ref: (e) => matmulRef(a.ref(e), b.ref(e)),
        }))
      ),
    () =>
      fc.tuple(sub(1, 1), sub(r, c)).map(([a, b]): Expr => ({
        src: `(${a.src}) * (${b.src})`,
        ref: (e) => matmulRef(a.ref(e), b.ref(e)),
      })),
    () =>
      fc.tuple(fc.constantFrom(...UNARY), sub(r, c)).map(([[, w, f], a]): Expr => ({
        src: w(a.src),
        ref: (e) => mapRef(a.ref(e), f),
      })),
    () =>
      sub(r, c).map((a): Expr => ({ src: `softmax(${a.src})`, ref: (e) => softmaxRef(a.ref(e)) })),
  ];
  if (r === 1 && c === 1) {
    rules.push(
      () =>
        fc.tuple(fc.constantFrom(...VARS), fc.constantFrom("sum", "mean", "norm")).chain((
          [[rr, cc], fn],
        ) =>
          sub(rr, cc).map((a): Expr => ({
            src: `${fn}(${a.src})`,
            ref: (e) => {
              const v = all(a.ref(e));
              const s = v.reduce((t, x) => t + (fn === "norm" ? x * x : x), 0);
              return [[fn === "sum" ? s : fn === "mean" ? s / v.length : Math.sqrt(s)]];
            },
          }))
        ),
      () =>
        fc.constantFrom(...DIMS).chain((n) =>
          sub(n, n).map((a): Expr => ({
            src: `trace(${a.src})`,
            ref: (e) => [[a.ref(e).reduce((t, row, i) => t + row[i], 0)]],
          }))
        ),
      () =>
        fc.constantFrom(...VARS).chain(([rr, cc]) =>
          fc.tuple(sub(rr, cc), fc.nat(rr - 1), fc.nat(cc - 1)).map(([a, i, j]): Expr => ({
            src: `(${a.src})[${i + 1}, ${j + 1}]`,
            ref: (e) => [[a.ref(e)[i][j]]],
          }))
        ),
    );
  }
  if (r === c) {
    rules.push(() =>
      fc.boolean().chain((row) =>
        sub(row ? 1 : r, row ? r : 1).map((a): Expr => ({
          src: `diag(${a.src})`,
          ref: (e) => {
            const v = all(a.ref(e));
            return build(r, r, (i, j) => i === j ? v[i] : 0);
          },
        }))
      )
    );
  }
  if (c === 1 && r > 1) {
    rules.push(() =>
      sub(r, r).map((a): Expr => ({
        src: `diag(${a.src})`,
        ref: (e) => build(r, 1, (i) => a.ref(e)[i][i]),
      }))
    );
  }
  return fc.nat(rules.length - 1).chain((k) => rules[k]());
}

const envArb: fc.Arbitrary<Record<string, M>> = fc.record(
  Object.fromEntries(
    VARS.map(([r, c]) => [
      varName(r, c),
      fc.array(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: c, maxLength: c }),
        { minLength: r, maxLength: r },
      ),
    ]),
  ),
);

function toEnv(values: Record<string, M>): Env {
  return new Map(Object.entries(values).map(([k, v]) => [k, array(v)]));
}
const SHAPES = new Map<string, Shape>(VARS.map(([r, c]) => [varName(r, c), [r, c]]));

function assertClose(got: NDArray, want: M, what: string) {
  assert.deepEqual(got.shape, [rows(want), cols(want)], `${what}: shape`);
  all(want).forEach((w, k) => {
    const g = got.data[k];
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${what}: entry ${k} is ${g}, not NaN`);
    else {
      assert.ok(
        Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w)),
        `${what}: entry ${k} is ${g}, the reference says ${w}`,
      );
    }
  });
}

Deno.test("property: random well-shaped formulas evaluate to what entry loops give", () => {
  const shaped = fc.constantFrom(...VARS).chain(([r, c]) =>
    fc.integer({ min: 1, max: 4 }).chain((depth) => expr(r, c, depth))
  );
  fc.assert(
    fc.property(shaped, envArb, (e, values) => {
      const node = parsePlain(e.src);
      const want = e.ref(values);
      const shape = inferShapes(node, { shapes: SHAPES }).get(node)!;
      assert.deepEqual(shape, [rows(want), cols(want)], `${e.src}: inferred shape`);
      assertClose(compile(node)(toEnv(values)), want, e.src);
      // Printed back in plain syntax, the formula is the same tree and the same value.
      const printed = toPlain(node);
      assert.ok(sameTree(parsePlain(printed), node), `${e.src} printed as ${printed}`);
    }),
    { numRuns: 300, seed: 20240601 },
  );
});

// ---------------------------------------------------------------- entry formulas

/** A matrix formula of shape [r, c] and the same written as its entry [i, j]. */
interface Pair {
  matrix: string;
  entry: string;
}

function pair(r: number, c: number, depth: number): fc.Arbitrary<Pair> {
  const leaves: fc.Arbitrary<Pair>[] = [
    fc.constant({ matrix: `V${r}${c}`, entry: `V${r}${c}[i, j]` }),
    fc.constant({ matrix: `(V${c}${r})'`, entry: `V${c}${r}[j, i]` }),
    fc.constant({ matrix: `V${r}1 * (V${c}1)'`, entry: `V${r}1[i] * V${c}1[j]` }),
    fc.constant({ matrix: `(V1${r})' * V1${c}`, entry: `V1${r}[i] * V1${c}[j]` }),
    fc.constant({ matrix: `V${r}2 * V2${c}`, entry: `(V${r}2 * V2${c})[i, j]` }),
    fc.constant({ matrix: `V11 + 0 * V${r}${c}`, entry: `V11` }),
  ];
  if (r === c) {
    leaves.push(fc.constant({ matrix: `diag(V${r}1)`, entry: `delta(i, j) * V${r}1[i]` }));
    leaves.push(
      fc.constant({ matrix: `diag(V1${r}) * V${r}${r}`, entry: `V1${r}[i] * V${r}${r}[i, j]` }),
    );
  }
  if (depth === 0) return fc.oneof(...leaves);
  const sub = pair(r, c, depth - 1);
  return fc.oneof(
    ...leaves,
    fc.tuple(fc.constantFrom("+", "-", ".*", "./"), sub, sub).map(([op, a, b]) => ({
      matrix: `(${a.matrix}) ${op} (${op === "./" ? `2 + (${b.matrix}) .^ 2` : b.matrix})`,
      entry: `(${a.entry}) ${op === ".*" ? "*" : op === "./" ? "/" : op} (${
        op === "./" ? `2 + (${b.entry}) ^ 2` : b.entry
      })`,
    })),
    fc.tuple(sub, fc.constantFrom("V11", "V1" + c, "V" + r + "1")).map(([a, v]) => ({
      matrix: `(${a.matrix}) .* ${v}`,
      entry: `(${a.entry}) * ${
        v === "V11" ? "V11" : v.startsWith("V1") && v !== "V11" ? `${v}[j]` : `${v}[i]`
      }`,
    })),
    fc.tuple(fc.constantFrom("tanh", "sigmoid", "relu", "exp", "abs", "heaviside"), sub).map((
      [fn, a],
    ) => ({ matrix: `${fn}(${a.matrix})`, entry: `${fn}(${a.entry})` })),
    sub.map((a) => ({ matrix: `-(${a.matrix})`, entry: `-(${a.entry})` })),
    sub.map((a) => ({ matrix: `3 * (${a.matrix})`, entry: `3 * (${a.entry})` })),
  );
}

Deno.test("property: entry formulas equal their matrix forms", () => {
  const arb = fc.tuple(fc.constantFrom(2, 3), fc.constantFrom(2, 3)).chain(([r, c]) =>
    fc.tuple(fc.constant([r, c] as const), pair(r, c, 3))
  );
  fc.assert(
    fc.property(arb, envArb, ([[r, c], p], values) => {
      const env = toEnv(values);
      const matrixNode = parsePlain(p.matrix);
      assert.deepEqual(inferShapes(matrixNode, { shapes: SHAPES }).get(matrixNode), [r, c]);
      const entryNode = parsePlain(p.entry);
      const indices = new Map([["i", { size: r, what: "rows" }], ["j", {
        size: c,
        what: "columns",
      }]]);
      const s = inferShapes(entryNode, { shapes: SHAPES, indices }).get(entryNode);
      assert.deepEqual(s, [1, 1], p.entry);
      const want = compile(matrixNode)(env);
      const got = compileEntries(entryNode, ["i", "j"], [r, c])(env);
      assertClose(got, want.toArray() as M, `${p.entry} against ${p.matrix}`);
    }),
    { numRuns: 200, seed: 11 },
  );
});

Deno.test("entry formulas: one index runs over every entry of a vector target", () => {
  const env: Env = new Map([["x", array([[1], [2], [3]])], ["r", array([[4, 5, 6]])]]);
  const f = compileEntries(parsePlain("x[i] * r[i] + delta(i, 2)"), ["i"], [3, 1]);
  assert.deepEqual(f(env).toArray(), [[4], [11], [18]]);
  const g = compileEntries(parsePlain("r[i]"), ["i"], [1, 3]);
  assert.deepEqual(g(env).toArray(), [[4, 5, 6]]);
});

Deno.test("entry formulas: a free index as a value, or inside a non-element-wise function, is refused", () => {
  assert.throws(
    () => compileEntries(parsePlain("i * x[i]"), ["i"], [3, 1]),
    (e: Error) => e instanceof FormulaError && e.message === "the free index i is used as a value",
  );
  assert.throws(
    () => compileEntries(parsePlain("sum(x[i])"), ["i"], [3, 1]),
    (e: Error) =>
      e instanceof FormulaError &&
      e.message ===
        "sum(...) of a term with free indices: write the entry of sum of the whole array instead",
  );
});

// ---------------------------------------------------------------- by hand

function run(src: string, values: Record<string, number[][]>): number[][] {
  return compile(parsePlain(src))(toEnv(values)).toArray() as number[][];
}

Deno.test("evaluate by hand: products, transposes, broadcasting", () => {
  const W = [[1, 2], [3, 4]], x = [[1], [-1]];
  assert.deepEqual(run("W' * x", { W, x }), [[-2], [-2]]);
  assert.deepEqual(run("W * x", { W, x }), [[-1], [-1]]);
  assert.deepEqual(run("x * x'", { x }), [[1, -1], [-1, 1]]);
  assert.deepEqual(run("W .* W", { W }), [[1, 4], [9, 16]]);
  assert.deepEqual(run("W ^ 2", { W }), [[1, 4], [9, 16]]);
  assert.deepEqual(run("W .^ 0.5", { W: [[4, 9], [16, 25]] }), [[2, 3], [4, 5]]);
  assert.deepEqual(run("W * W", { W }), [[7, 10], [15, 22]]);
  assert.deepEqual(run("W + x", { W, x }), [[2, 3], [2, 3]]);
  assert.deepEqual(run("W - x'", { W, x }), [[0, 3], [2, 5]]);
  assert.deepEqual(run("W / 2", { W }), [[0.5, 1], [1.5, 2]]);
  assert.deepEqual(run("1 ./ W", { W: [[1, 2], [4, 8]] }), [[1, 0.5], [0.25, 0.125]]);
  assert.deepEqual(run("3 * W * 2", { W }), [[6, 12], [18, 24]]);
  assert.deepEqual(run("-W'", { W }), [[-1, -3], [-2, -4]]);
  assert.deepEqual(run("(x' * x) * W", { W, x }), [[2, 4], [6, 8]]);
  assert.deepEqual(run("2 ^ x", { x }), [[2], [0.5]]);
});

Deno.test("evaluate by hand: reductions, diag, trace, norm, entries", () => {
  const A = [[1, 2], [3, 4]];
  assert.deepEqual(run("sum(A)", { A }), [[10]]);
  assert.deepEqual(run("mean(A)", { A }), [[2.5]]);
  assert.deepEqual(run("trace(A)", { A }), [[5]]);
  assert.deepEqual(run("norm(x)", { x: [[3], [4]] }), [[5]]);
  assert.deepEqual(run("diag(A)", { A }), [[1], [4]]);
  assert.deepEqual(run("diag(x)", { x: [[3], [4]] }), [[3, 0], [0, 4]]);
  assert.deepEqual(run("diag(x')", { x: [[3], [4]] }), [[3, 0], [0, 4]]);
  assert.deepEqual(run("A[2, 1]", { A }), [[3]]);
  assert.deepEqual(run("(A * A)[1, 2] + pi - pi", { A }), [[10]]);
});

Deno.test("evaluate by hand: activations and their edge cases", () => {
  const x = [[-1000], [0], [1000]];
  assert.deepEqual(run("heaviside(x)", { x }), [[0], [0.5], [1]]);
  assert.deepEqual(run("relu(x)", { x }), [[0], [0], [1000]]);
  assert.deepEqual(run("sign(x)", { x }), [[-1], [0], [1]]);
  assert.deepEqual(run("sigmoid(x)", { x }), [[0], [0.5], [1]]);
  assert.deepEqual(run("softplus(x)", { x }), [[0], [Math.LN2], [1000]]);
  assert.deepEqual(run("tanh(x)", { x }), [[-1], [0], [1]]);
  // σ never rounds to a NaN at ±1000 and is exact at 0.
  const s = run("sigmoid(x) .* (1 - sigmoid(x))", { x });
  assert.deepEqual(s, [[0], [0.25], [0]]);
});

Deno.test("evaluate by hand: softmax of a row vector is over its entries", () => {
  const [p] = run("softmax(z)", { z: [[0, Math.log(3)]] });
  assert.equal(p.length, 2);
  assert.ok(Math.abs(p[0] - 0.25) < 1e-15 && Math.abs(p[1] - 0.75) < 1e-15, String(p));
});

Deno.test("evaluate by hand: softmax works on columns and survives ±1000 logits", () => {
  const z = [[1000, 0], [1000, Math.log(3)]];
  const p = run("softmax(z)", { z });
  assert.deepEqual(p, [[0.5, 0.25], [0.5, 0.75]]);
  const q = run("softmax(z)", { z: [[-1000], [0], [1000]] });
  assert.deepEqual(q, [[0], [0], [1]]);
});

Deno.test("evaluate: delta and entries outside an entry claim are refused", () => {
  assert.throws(
    () => compile(parsePlain("delta(1, 2)")),
    (e: Error) =>
      e instanceof FormulaError &&
      e.message === "delta(i, j) belongs in an entry formula (claims with entry)",
  );
  assert.throws(
    () => compile(parsePlain("x[i]")),
    (e: Error) =>
      e instanceof FormulaError &&
      e.message === "entries such as x[i] belong in an entry formula (claims with entry)",
  );
});

Deno.test("evaluate: a compiled formula is pure and reusable across environments", () => {
  const f = compile(parsePlain("W * x + 1"));
  const W = array([[1, 2], [3, 4]]);
  const a = f(new Map([["W", W], ["x", array([[1], [0]])]]));
  const b = f(new Map([["W", W], ["x", array([[0], [1]])]]));
  assert.deepEqual(a.toArray(), [[2], [4]]);
  assert.deepEqual(b.toArray(), [[3], [5]]);
  assert.deepEqual(W.toArray(), [[1, 2], [3, 4]]);
  assert.ok(a instanceof NDArray);
});
