/**
 * The project's own small syntax tree for formulas. Both readers (plain text through mathjs,
 * LaTeX through the Compute Engine) translate into it; shapes, evaluation, rendering and the
 * repair search all work on it and nothing else.
 *
 * Every value is a matrix `[R, C]`: a column vector is `[R, 1]`, a scalar `[1, 1]`.
 *
 * @module
 */

/**
 * Binary operators.
 * - `+` `-`: sums, broadcasting scalars and a column (row) vector against a matrix's columns (rows);
 * - `*`: the matrix product, or scaling when one side is a scalar;
 * - `.*`: the element-wise (Hadamard) product, broadcasting like `+`;
 * - `/`: element-wise division (`./` is the same operator), broadcasting like `+`;
 * - `^`: element-wise power (`.^` is the same operator): `tanh(z)^2` squares every entry, as
 *   most texts mean it; write `A * A` for a matrix power.
 */
export type BinaryOp = "+" | "-" | "*" | ".*" | "/" | "^";

/** The functions a formula may call, with their arity. */
export const FUNCTIONS = {
  exp: 1,
  log: 1,
  sqrt: 1,
  abs: 1,
  tanh: 1,
  sigmoid: 1,
  relu: 1,
  heaviside: 1,
  softplus: 1,
  sign: 1,
  softmax: 1,
  sum: 1,
  mean: 1,
  diag: 1,
  trace: 1,
  norm: 1,
  delta: 2,
} as const;

/** A function name. */
export type FunctionName = keyof typeof FUNCTIONS;

/** The functions applied entry by entry. */
export const ELEMENTWISE: ReadonlySet<FunctionName> = new Set<FunctionName>([
  "exp",
  "log",
  "sqrt",
  "abs",
  "tanh",
  "sigmoid",
  "relu",
  "heaviside",
  "softplus",
  "sign",
]);

/** A node of the syntax tree. */
export type Node =
  | { type: "num"; value: number }
  | { type: "name"; name: string }
  | { type: "neg"; arg: Node }
  | { type: "transpose"; arg: Node }
  | { type: "binary"; op: BinaryOp; left: Node; right: Node }
  | { type: "call"; fn: FunctionName; args: Node[] }
  /** `x[i]`, `W[i, j]`, `(W * x)[i]`: an entry, by free index names or 1-based numbers. */
  | { type: "index"; base: Node; indices: Node[] };

/** A number. */
export function num(value: number): Node {
  return { type: "num", value };
}
/** A variable or free index. */
export function name(n: string): Node {
  return { type: "name", name: n };
}
/** `-arg`. */
export function neg(arg: Node): Node {
  return { type: "neg", arg };
}
/** `arg'`. */
export function transpose(arg: Node): Node {
  return { type: "transpose", arg };
}
/** `left op right`. */
export function binary(op: BinaryOp, left: Node, right: Node): Node {
  return { type: "binary", op, left, right };
}
/** `fn(args)`. */
export function call(fn: FunctionName, ...args: Node[]): Node {
  return { type: "call", fn, args };
}
/** `base[indices]`. */
export function index(base: Node, indices: Node[]): Node {
  return { type: "index", base, indices };
}

/** True when `fn` names a function formulas may call. */
export function isFunctionName(fn: string): fn is FunctionName {
  return Object.hasOwn(FUNCTIONS, fn);
}

/** The direct children of a node, in reading order. */
export function children(node: Node): Node[] {
  switch (node.type) {
    case "num":
    case "name":
      return [];
    case "neg":
    case "transpose":
      return [node.arg];
    case "binary":
      return [node.left, node.right];
    case "call":
      return [...node.args];
    case "index":
      return [node.base, ...node.indices];
  }
}

/** The same node with its children replaced (in the order of {@linkcode children}). */
export function withChildren(node: Node, kids: Node[]): Node {
  switch (node.type) {
    case "num":
    case "name":
      return node;
    case "neg":
    case "transpose":
      return { ...node, arg: kids[0] };
    case "binary":
      return { ...node, left: kids[0], right: kids[1] };
    case "call":
      return { ...node, args: kids };
    case "index":
      return { ...node, base: kids[0], indices: kids.slice(1) };
  }
}

/** A path from the root: the child positions taken. */
export type Path = readonly number[];

/** Every node with its path, parents before children (pre-order). */
export function nodesWithPaths(root: Node): { node: Node; path: Path }[] {
  const out: { node: Node; path: Path }[] = [];
  const walk = (node: Node, path: number[]) => {
    out.push({ node, path });
    children(node).forEach((c, i) => walk(c, [...path, i]));
  };
  walk(root, []);
  return out;
}

/** The tree with the node at `path` replaced by `replacement`. */
export function replaceAt(root: Node, path: Path, replacement: Node): Node {
  if (path.length === 0) return replacement;
  const kids = children(root);
  const [head, ...rest] = path;
  kids[head] = replaceAt(kids[head], rest, replacement);
  return withChildren(root, kids);
}

/** The names a formula reads (variables and free indices), in first-use order. */
export function namesIn(root: Node): string[] {
  const seen = new Set<string>();
  for (const { node } of nodesWithPaths(root)) if (node.type === "name") seen.add(node.name);
  return [...seen];
}

/** Structural equality. */
export function sameTree(a: Node, b: Node): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Where two formulas differ: the smallest subterm holding every difference, in each tree. */
export interface TreeChange {
  /** Path of the changed subterm, the same in both trees. */
  path: Path;
  /** The subterm in the first tree (what was there). */
  before: Node;
  /** The subterm in the second tree (what is there instead). */
  after: Node;
}

/** True when two nodes have the same head (type, operator, function, name or number). */
function sameHead(a: Node, b: Node): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "num":
      return a.value === (b as typeof a).value;
    case "name":
      return a.name === (b as typeof a).name;
    case "binary":
      return a.op === (b as typeof a).op;
    case "call":
      return a.fn === (b as typeof a).fn && a.args.length === (b as typeof a).args.length;
    case "index":
      return a.indices.length === (b as typeof a).indices.length;
    default:
      return true;
  }
}

/**
 * The smallest subterm in which `after` differs from `before` (the edit between two formulas):
 * descends while both trees have the same head and exactly one child differs; `undefined` when
 * the trees are equal. The path is the same in both trees; at the root when the heads differ or
 * several children changed.
 * @example
 * ```ts
 * import { changedSubterm } from "./ast.ts";
 * import { parsePlain } from "./parse_plain.ts";
 * import { toPlain } from "./print_plain.ts";
 * const c = changedSubterm(parsePlain("X' * (y - p)"), parsePlain("X' * (p - y)"))!;
 * if (toPlain(c.before) !== "y - p" || toPlain(c.after) !== "p - y") throw new Error();
 * if (c.path.join() !== "1") throw new Error(c.path.join());
 * ```
 */
export function changedSubterm(before: Node, after: Node): TreeChange | undefined {
  if (sameTree(before, after)) return undefined;
  const path: number[] = [];
  let a = before, b = after;
  while (sameHead(a, b)) {
    const ka = children(a), kb = children(b);
    const differ = ka.map((_, i) => i).filter((i) => !sameTree(ka[i], kb[i]));
    if (differ.length !== 1) break;
    path.push(differ[0]);
    a = ka[differ[0]];
    b = kb[differ[0]];
  }
  return { path, before: a, after: b };
}
