/**
 * Evaluation: a formula compiled once into a closure over the project's float64 NDArray ops
 * (matrix products go to the WebAssembly kernel; nothing is interpreted entry by entry), then run
 * on any number of variable assignments. Entry formulas (`(p[i] - y[i]) * x[j]`) evaluate their
 * index-free subterms once as arrays and only the rest per entry.
 *
 * @module
 */

import { matmul, NDArray } from "../ndarray.ts";
import { children, ELEMENTWISE, type FunctionName, type Node } from "./ast.ts";
import { FormulaError } from "./errors.ts";
import { CONSTANTS, type Shape } from "./shape.ts";

/** Variable values, every one a 2-D array `[R, C]`. */
export type Env = ReadonlyMap<string, NDArray>;

/** A compiled formula. */
export type Compiled = (env: Env) => NDArray;

const SCALAR_FNS: Record<string, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)),
  relu: (x) => x > 0 ? x : 0,
  // H(0) = 1/2, the convention of the project (DESIGN.md, conventions 4).
  heaviside: (x) => x > 0 ? 1 : x < 0 ? 0 : x === 0 ? 0.5 : NaN,
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  sign: Math.sign,
};

/** The scalar function behind an element-wise function name. */
export function scalarFunction(fn: FunctionName): (x: number) => number {
  return SCALAR_FNS[fn];
}

function scalar(v: number): NDArray {
  return new NDArray(Float64Array.of(v), [1, 1]);
}

function isScalar(a: NDArray): boolean {
  return a.size === 1;
}

/** `op` entry by entry, broadcasting `[1, C]`, `[R, 1]` and `[1, 1]` against `[R, C]`. */
function zip(a: NDArray, b: NDArray, op: (x: number, y: number) => number): NDArray {
  if (isScalar(b)) {
    const y = b.data[0];
    return a.map((x) => op(x, y));
  }
  const rows = Math.max(a.shape[0], b.shape[0]), cols = Math.max(a.shape[1], b.shape[1]);
  const out = new Float64Array(rows * cols);
  const [ar, ac] = a.shape, [br, bc] = b.shape;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[i * cols + j] = op(
        a.data[(ar === 1 ? 0 : i) * ac + (ac === 1 ? 0 : j)],
        b.data[(br === 1 ? 0 : i) * bc + (bc === 1 ? 0 : j)],
      );
    }
  }
  return new NDArray(out, [rows, cols]);
}

/** Softmax of each column; a row vector `[1, n]` is one vector too (over its n entries). */
function softmaxColumns(a: NDArray): NDArray {
  if (a.shape[0] === 1 && a.shape[1] > 1) {
    return softmaxColumns(a.reshape([a.shape[1], 1])).reshape(a.shape);
  }
  const [r, c] = a.shape;
  const out = new Float64Array(a.size);
  for (let j = 0; j < c; j++) {
    let m = -Infinity;
    for (let i = 0; i < r; i++) m = Math.max(m, a.data[i * c + j]);
    let s = 0;
    for (let i = 0; i < r; i++) s += out[i * c + j] = Math.exp(a.data[i * c + j] - m);
    for (let i = 0; i < r; i++) out[i * c + j] /= s;
  }
  return new NDArray(out, [r, c]);
}

function diag(a: NDArray): NDArray {
  const [r, c] = a.shape;
  if (r === 1 || c === 1) {
    const n = a.size, out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = a.data[i];
    return new NDArray(out, [n, n]);
  }
  const out = new Float64Array(r);
  for (let i = 0; i < r; i++) out[i] = a.data[i * c + i];
  return new NDArray(out, [r, 1]);
}

function applyCall(fn: FunctionName, a: NDArray): NDArray {
  if (ELEMENTWISE.has(fn)) return a.map(SCALAR_FNS[fn]);
  switch (fn) {
    case "softmax":
      return softmaxColumns(a);
    case "sum":
      return scalar(a.data.reduce((s, v) => s + v, 0));
    case "mean":
      return scalar(a.data.reduce((s, v) => s + v, 0) / a.size);
    case "norm":
      return scalar(Math.sqrt(a.data.reduce((s, v) => s + v * v, 0)));
    case "trace": {
      let t = 0;
      for (let i = 0; i < a.shape[0]; i++) t += a.data[i * a.shape[1] + i];
      return scalar(t);
    }
    case "diag":
      return diag(a);
    default:
      throw new FormulaError(`${fn} cannot be applied to an array`);
  }
}

function applyBinary(op: string, a: NDArray, b: NDArray): NDArray {
  switch (op) {
    case "+":
      return zip(a, b, (x, y) => x + y);
    case "-":
      return zip(a, b, (x, y) => x - y);
    case ".*":
      return zip(a, b, (x, y) => x * y);
    case "/":
      return zip(a, b, (x, y) => x / y);
    case "^":
      return zip(a, b, (x, y) => y === 2 ? x * x : Math.pow(x, y));
    default: // "*"
      if (isScalar(a)) return b.mul(a.data[0]);
      if (isScalar(b)) return a.mul(b.data[0]);
      return matmul(a, b);
  }
}

function lookup(env: Env, n: string): NDArray {
  const v = env.get(n);
  if (v) return v;
  if (Object.hasOwn(CONSTANTS, n)) return scalar(CONSTANTS[n]);
  throw new FormulaError(`unknown name ${n}`);
}

/**
 * Compiles a shape-checked formula (see `inferShapes`) into a function of the variables.
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { compile } from "./evaluate.ts";
 * import { parsePlain } from "./parse_plain.ts";
 * const f = compile(parsePlain("W' * x"));
 * const out = f(new Map([["W", array([[1, 2], [3, 4]])], ["x", array([[1], [1]])]]));
 * if (out.data[0] !== 4 || out.data[1] !== 6) throw new Error();
 * ```
 */
export function compile(node: Node): Compiled {
  switch (node.type) {
    case "num": {
      const v = scalar(node.value);
      return () => v;
    }
    case "name":
      return (env) => lookup(env, node.name);
    case "neg": {
      const a = compile(node.arg);
      return (env) => a(env).neg();
    }
    case "transpose": {
      const a = compile(node.arg);
      return (env) => a(env).transpose();
    }
    case "binary": {
      const a = compile(node.left), b = compile(node.right);
      return (env) => applyBinary(node.op, a(env), b(env));
    }
    case "call": {
      if (node.fn === "delta") {
        throw new FormulaError("delta(i, j) belongs in an entry formula (claims with entry)");
      }
      const a = compile(node.args[0]);
      return (env) => applyCall(node.fn, a(env));
    }
    case "index": {
      // A fixed entry (x[2], W[1, 3]) is a value; free indices belong in an entry formula.
      const fixed = node.indices.map((ix) => ix.type === "num" ? ix.value : NaN);
      if (fixed.some(Number.isNaN)) {
        throw new FormulaError(
          "entries such as x[i] belong in an entry formula (claims with entry)",
        );
      }
      const base = compile(node.base);
      return (env) => {
        const v = base(env);
        const off = fixed.length === 1 ? fixed[0] - 1 : (fixed[0] - 1) * v.shape[1] + fixed[1] - 1;
        return scalar(v.data[off]);
      };
    }
  }
}

type EntryFn = (env: Env, cache: Map<Node, NDArray>, at: ReadonlyMap<string, number>) => number;

/**
 * Compiles an entry formula with free indices `indices` (`["i", "j"]`) into a function that fills
 * the whole matrix of shape `target`: entry [i, j] is the formula with i, j bound (1-based).
 * Subterms without free indices are evaluated once per call, as arrays.
 */
export function compileEntries(
  node: Node,
  indices: readonly string[],
  target: Shape,
): Compiled {
  const free = new Set(indices);
  const dependsOnIndex = new Set<Node>();
  const mark = (n: Node): boolean => {
    let any = n.type === "name" && free.has(n.name);
    for (const k of children(n)) any = mark(k) || any;
    if (any) dependsOnIndex.add(n);
    return any;
  };
  mark(node);
  const entry = compileEntry(node, dependsOnIndex);
  return (env) => {
    const [rows, cols] = target;
    const out = new Float64Array(rows * cols);
    const cache = new Map<Node, NDArray>();
    const at = new Map<string, number>();
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        // With one free index, it runs over every entry of the target (a vector).
        if (indices.length === 1) at.set(indices[0], i * cols + j + 1);
        else {
          at.set(indices[0], i + 1);
          at.set(indices[1], j + 1);
        }
        out[i * cols + j] = entry(env, cache, at);
      }
    }
    return new NDArray(out, [rows, cols]);
  };
}

function compileEntry(node: Node, dependent: ReadonlySet<Node>): EntryFn {
  if (!dependent.has(node)) {
    const whole = compile(node);
    return (env, cache) => {
      let v = cache.get(node);
      if (!v) cache.set(node, v = whole(env));
      if (v.size !== 1) throw new FormulaError("an entry formula must be a scalar");
      return v.data[0];
    };
  }
  const sub = (n: Node) => compileEntry(n, dependent);
  const indexValue = (n: Node): (at: ReadonlyMap<string, number>) => number =>
    n.type === "num" ? () => n.value : (at) => at.get((n as { name: string }).name)!;
  switch (node.type) {
    case "name":
      throw new FormulaError(`the free index ${node.name} is used as a value`);
    case "neg": {
      const a = sub(node.arg);
      return (env, cache, at) => -a(env, cache, at);
    }
    case "transpose":
      return sub(node.arg);
    case "binary": {
      const a = sub(node.left), b = sub(node.right);
      const f = {
        "+": (x: number, y: number) => x + y,
        "-": (x: number, y: number) => x - y,
        "*": (x: number, y: number) => x * y,
        ".*": (x: number, y: number) => x * y,
        "/": (x: number, y: number) => x / y,
        "^": (x: number, y: number) => Math.pow(x, y),
      }[node.op];
      return (env, cache, at) => f(a(env, cache, at), b(env, cache, at));
    }
    case "call": {
      if (node.fn === "delta") {
        const [p, q] = node.args.map(indexValue);
        return (_env, _cache, at) => p(at) === q(at) ? 1 : 0;
      }
      if (!ELEMENTWISE.has(node.fn)) {
        throw new FormulaError(
          `${node.fn}(...) of a term with free indices: write the entry of ${node.fn} of the whole array instead`,
        );
      }
      const a = sub(node.args[0]), g = SCALAR_FNS[node.fn];
      return (env, cache, at) => g(a(env, cache, at));
    }
    case "index": {
      if (dependent.has(node.base)) {
        throw new FormulaError("an entry's array may not itself contain free indices");
      }
      const base = compile(node.base);
      const ix = node.indices.map(indexValue);
      return (env, cache, at) => {
        let v = cache.get(node.base);
        if (!v) cache.set(node.base, v = base(env));
        const off = ix.length === 1 ? ix[0](at) - 1 : (ix[0](at) - 1) * v.shape[1] + ix[1](at) - 1;
        return v.data[off];
      };
    }
    default:
      throw new FormulaError("unexpected term in an entry formula");
  }
}
