/**
 * The repair search: when a claim fails, single edits of the claimed formula are tried in a fixed
 * order, each against the true values at the draws that failed (cheap: no finite differences per
 * candidate), and the first that reproduces them is re-judged on fresh, independent draws by the
 * full checker. Only a fix that passes that second check is returned.
 *
 * The edits, in order: negate a subterm; add or remove a transpose; scale one additive term by a
 * constant fitted by least squares when it is simple (2, ½, −1, a size such as N, a given scalar
 * such as a temperature); swap the operands of a product; replace an activation by its derivative
 * or the reverse (σ ↔ σ ⊙ (1 − σ), relu ↔ heaviside, tanh ↔ 1 − tanh², softplus ↔ σ); drop a
 * factor; drop an enclosing sum or mean (or add a forgotten one around an array where the claim is a
 * number); swap element-wise and matrix product; `2 * A` ↔ `A + A'`;
 * swap the free indices.
 *
 * @module
 */

import type { NDArray } from "../ndarray.ts";
import {
  binary,
  call,
  children,
  name,
  neg,
  type Node,
  nodesWithPaths,
  num,
  type Path,
  replaceAt,
  sameTree,
  transpose,
  withChildren,
} from "./ast.ts";
import type { PreparedClaim } from "./claim.ts";
import type { Compiled } from "./evaluate.ts";
import { agrees, type Draw, draws, judge, type Truth, truths } from "./judge.ts";
import { toPlain } from "./print_plain.ts";
import type { Setting } from "./problem.ts";
import type { Shape } from "./shape.ts";

/** The kinds of edit, in the order they are tried. */
export type EditKind =
  | "negate"
  | "transpose"
  | "scale"
  | "swap-operands"
  | "activation"
  | "drop-factor"
  | "drop-sum"
  | "add-sum"
  | "product-kind"
  | "symmetric"
  | "swap-indices";

/** A verified repair. */
export interface Fix {
  /** The edit made. */
  edit: EditKind;
  /** The repaired formula. */
  node: Node;
  /** The repaired formula in plain syntax. */
  formula: string;
  /** One sentence naming the subterm and the change. */
  explanation: string;
}

/** Offset of the fresh draws a candidate fix is re-judged on. */
export const FRESH_DRAWS = 1_000_003;
/** At most this many candidates are tried. */
export const MAX_CANDIDATES = 4000;

interface Candidate {
  edit: EditKind;
  node: Node;
  explanation: string;
}

const q = (n: Node) => `\`${toPlain(n)}\``;

/** Subterms that are values (not the indices inside x[i] or delta(i, j)), with paths. */
function valueNodes(root: Node): { node: Node; path: Path }[] {
  const skip = new Set<Node>();
  for (const { node } of nodesWithPaths(root)) {
    if (node.type === "index") node.indices.forEach((ix) => skip.add(ix));
    if (node.type === "call" && node.fn === "delta") node.args.forEach((a) => skip.add(a));
  }
  return nodesWithPaths(root).filter(({ node }) => !skip.has(node));
}

function isScalarShape(s: Shape | undefined): boolean {
  return s !== undefined && s[0] === 1 && s[1] === 1;
}

function* negations(root: Node): Generator<Candidate> {
  const nodes = valueNodes(root);
  // An explicit minus first: `-X * H * X'` is repaired by dropping it, not by a swap inside.
  for (const { node, path } of nodes) {
    if (node.type !== "neg") continue;
    yield {
      edit: "negate",
      node: replaceAt(root, path, node.arg),
      explanation: `the minus sign in ${q(node)} should not be there: ${q(node.arg)}`,
    };
  }
  for (const { node, path } of nodes) {
    if (node.type !== "binary" || node.op !== "-") continue;
    const swapped = binary("-", node.right, node.left);
    yield {
      edit: "negate",
      node: replaceAt(root, path, swapped),
      explanation: `${q(node)} is the wrong way round: ${q(swapped)}`,
    };
  }
  for (const { node, path } of nodes) {
    if (node.type === "num" || node.type === "neg" || (node.type === "binary" && node.op === "-")) {
      continue;
    }
    yield {
      edit: "negate",
      node: replaceAt(root, path, neg(node)),
      explanation: path.length === 0
        ? `the whole formula has the wrong sign`
        : `the sign of ${q(node)} is wrong: it should be ${q(neg(node))}`,
    };
  }
}

function* transposes(root: Node, shapes: ReadonlyMap<Node, Shape>): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type === "num" || isScalarShape(shapes.get(node))) continue;
    if (node.type === "transpose") {
      yield {
        edit: "transpose",
        node: replaceAt(root, path, node.arg),
        explanation: `${q(node)} should not be transposed: ${q(node.arg)}`,
      };
    } else {
      yield {
        edit: "transpose",
        node: replaceAt(root, path, transpose(node)),
        explanation: path.length === 0
          ? `the whole formula should be transposed`
          : `${q(node)} should be transposed: ${q(transpose(node))}`,
      };
    }
  }
}

/** A simple constant a fitted factor may be, with how to write it and how to say it. */
interface Simple {
  value: (draw: Draw) => number;
  times: (t: Node) => Node;
  words: string;
}

/** A coefficient as people write it: `3`, `2 / 5`, or the number itself. */
function coefficient(k: number): Node {
  for (let q = 1; q <= 64; q++) {
    const p = Math.round(k * q);
    if (Math.abs(k * q - p) <= 1e-9 * Math.max(1, Math.abs(k * q))) {
      return q === 1 ? num(p) : binary("/", num(p), num(q));
    }
  }
  return num(k);
}

/** `t` with its leading numeric coefficient or trailing numeric divisor multiplied by `c` (`2 * A`
 * by ½ is `A`, `A / 2` by 2 is `A`), if it has one. */
function foldCoefficient(t: Node, c: number): Node | undefined {
  if (t.type === "num") return coefficient(t.value * c);
  if (t.type !== "binary" || (t.op !== "*" && t.op !== "/")) return undefined;
  if (t.op === "*" && t.left.type === "num") {
    const k = t.left.value * c;
    return Math.abs(k - 1) < 1e-12 ? t.right : binary("*", coefficient(k), t.right);
  }
  if (t.op === "/" && t.right.type === "num") {
    // `A / 2` doubled is `A`, halved `A / 4`, times 4 `2 * A`.
    const k = c / t.right.value;
    if (Math.abs(k - 1) < 1e-12) return t.left;
    const inv = 1 / k;
    return foldCoefficient(t.left, k) ??
      (Number.isInteger(inv) ? binary("/", t.left, num(inv)) : scaledBy(coefficient(k), t.left));
  }
  const left = foldCoefficient(t.left, c);
  return left ? binary(t.op, left, t.right) : undefined;
}

/** `k * t` with `k` (a scalar) as the first factor of a product: `2 * lambda * x`, not
 * `2 * (lambda * x)` (a scalar commutes with every factor). */
function scaledBy(k: Node, t: Node): Node {
  if (t.type !== "binary" || t.op !== "*") return binary("*", k, t);
  // A leading number stays in front: `2 * W` times lambda is `2 * lambda * W`.
  if (t.left.type === "num" && k.type !== "num") {
    return binary("*", binary("*", t.left, k), t.right);
  }
  return binary("*", scaledBy(k, t.left), t.right);
}

/** `t` without one factor `n` of its product chain (`u * T` → `u`), if it has one. */
function withoutFactor(t: Node, n: Node): Node | undefined {
  if (t.type !== "binary" || t.op !== "*") return undefined;
  if (sameTree(t.right, n)) return t.left;
  if (sameTree(t.left, n)) return t.right;
  const left = withoutFactor(t.left, n);
  return left ? binary("*", left, t.right) : undefined;
}

function numericScale(c: number): (t: Node) => Node {
  return (t) => {
    const folded = foldCoefficient(t, c);
    if (folded) return folded;
    if (c === -1) return neg(t);
    const inv = 1 / c;
    return Number.isInteger(inv) ? binary("/", t, num(inv)) : scaledBy(coefficient(c), t);
  };
}

function simpleConstants(setting: Setting): Simple[] {
  const out: Simple[] = [];
  for (const v of setting.variables.values()) {
    if (v.shape[0] !== 1 || v.shape[1] !== 1) continue;
    out.push(
      {
        value: (d) => d.given.get(v.name)!.data[0],
        times: (t) => scaledBy(name(v.name), t),
        words: `multiplied by ${v.name}`,
      },
      {
        value: (d) => 1 / d.given.get(v.name)!.data[0],
        times: (t) => binary("/", t, name(v.name)),
        words: `divided by ${v.name}`,
      },
      {
        value: (d) => d.given.get(v.name)!.data[0] ** 2,
        times: (t) =>
          t.type === "binary" && t.op === "/" && sameTree(t.right, name(v.name))
            ? scaledBy(name(v.name), t.left)
            : scaledBy(binary("^", name(v.name), num(2)), t),
        words: `multiplied by ${v.name}^2`,
      },
      {
        value: (d) => d.given.get(v.name)!.data[0] ** -2,
        times: (t) => {
          // `u * T` divided by T^2 is `u / T`.
          const u = withoutFactor(t, name(v.name));
          return u
            ? binary("/", u, name(v.name))
            : binary("/", t, binary("^", name(v.name), num(2)));
        },
        words: `divided by ${v.name}^2`,
      },
    );
  }
  const numbers: [number, string][] = [
    [-1, "multiplied by −1"],
    [2, "doubled"],
    [0.5, "halved"],
    [-2, "multiplied by −2"],
    [-0.5, "multiplied by −½"],
    [3, "multiplied by 3"],
    [1 / 3, "divided by 3"],
    [4, "multiplied by 4"],
    [0.25, "divided by 4"],
  ];
  for (const [c, words] of numbers) out.push({ value: () => c, times: numericScale(c), words });
  const sizes = new Map<number, string>();
  for (const v of setting.variables.values()) {
    const [r, c] = v.shape;
    if (r > 1 && !sizes.has(r)) sizes.set(r, `the number of rows of ${v.name}`);
    if (c > 1 && !sizes.has(c)) sizes.set(c, `the number of columns of ${v.name}`);
  }
  for (const [n, what] of sizes) {
    if (n <= 4) continue;
    out.push(
      { value: () => n, times: numericScale(n), words: `multiplied by ${n} (${what})` },
      { value: () => 1 / n, times: numericScale(1 / n), words: `divided by ${n} (${what})` },
    );
  }
  return out;
}

/** Least-squares factor c with truth ≈ base + c · dir, at one draw. */
function fitFactor(base: NDArray, dir: NDArray, truth: Truth): number {
  let num = 0, den = 0;
  if ("projections" in truth) {
    for (const p of truth.projections) {
      const v = p.v.reshape(base.shape);
      const d = dir.dot(v);
      num += (p.value - base.dot(v)) * d;
      den += d * d;
    }
  } else {
    if (truth.full.size !== base.size) return NaN;
    for (let i = 0; i < base.size; i++) {
      const d = dir.data[i];
      num += (truth.full.data[i] - base.data[i]) * d;
      den += d * d;
    }
  }
  return den > 0 ? num / den : NaN;
}

function* scalings(
  root: Node,
  ctx: SearchContext,
): Generator<Candidate> {
  const terms: { node: Node; path: Path }[] = [{ node: root, path: [] }];
  for (const { node, path } of valueNodes(root)) {
    if (node.type === "binary" && (node.op === "+" || node.op === "-")) {
      terms.push({ node: node.left, path: [...path, 0] }, { node: node.right, path: [...path, 1] });
    }
  }
  const constants = simpleConstants(ctx.setting);
  for (const { node, path } of terms) {
    const zeroed = ctx.evaluate(replaceAt(root, path, num(0)));
    const withTerm = ctx.evaluate(root);
    if (!zeroed || !withTerm) continue;
    // Broadcast a scalar 0 (the whole formula zeroed) to the formula's shape.
    const without = zeroed.map((z, k) => withTerm[k].mul(0).add(z));
    const factors = ctx.draws.map((_, k) =>
      fitFactor(without[k], withTerm[k].sub(without[k]), ctx.truths[k])
    );
    if (!factors.every(Number.isFinite)) continue;
    for (const s of constants) {
      const fits = ctx.draws.every((d, k) =>
        Math.abs(factors[k] - s.value(d)) <= 1e-4 * Math.abs(s.value(d))
      );
      if (!fits) continue;
      const scaled = s.times(node);
      yield {
        edit: "scale",
        node: replaceAt(root, path, scaled),
        explanation: path.length === 0
          ? `the whole formula should be ${s.words}`
          : `the term ${q(node)} should be ${s.words}: ${q(scaled)}`,
      };
    }
  }
}

function* swaps(root: Node): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type !== "binary" || node.op !== "*") continue;
    const swapped = binary("*", node.right, node.left);
    yield {
      edit: "swap-operands",
      node: replaceAt(root, path, swapped),
      explanation: `the factors of ${q(node)} are in the wrong order: ${q(swapped)}`,
    };
  }
}

/** σ(a) ⊙ (1 − σ(a)) → a; 1 − tanh(a)² → a; otherwise undefined. */
function derivativeOf(node: Node): { fn: "sigmoid" | "tanh"; arg: Node } | undefined {
  if (node.type !== "binary") return undefined;
  if (node.op === ".*" && node.left.type === "call" && node.left.fn === "sigmoid") {
    const s = node.left;
    if (sameTree(node.right, binary("-", num(1), s))) return { fn: "sigmoid", arg: s.args[0] };
  }
  if (
    node.op === "-" && sameTree(node.left, num(1)) && node.right.type === "binary" &&
    node.right.op === "^"
  ) {
    const t = node.right.left;
    if (t.type === "call" && t.fn === "tanh" && sameTree(node.right.right, num(2))) {
      return { fn: "tanh", arg: t.args[0] };
    }
  }
  return undefined;
}

/** The activation a `let` name stands for (`h` for `h = sigmoid(a)`), if any. */
function letActivation(setting: Setting, n: string): (Node & { type: "call" }) | undefined {
  const bound = setting.lets.find((l) => l.name === n)?.formula.node;
  return bound?.type === "call" && ["sigmoid", "tanh", "relu", "softplus"].includes(bound.fn)
    ? bound as Node & { type: "call" }
    : undefined;
}

function* activations(root: Node, setting: Setting): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type === "name") {
      // h = σ(a) given as a let: its derivative is written with h itself, h ⊙ (1 − h).
      const act = letActivation(setting, node.name);
      if (!act) continue;
      const to = act.fn === "sigmoid"
        ? binary(".*", node, binary("-", num(1), node))
        : act.fn === "tanh"
        ? binary("-", num(1), binary("^", node, num(2)))
        : call(act.fn === "relu" ? "heaviside" : "sigmoid", act.args[0]);
      yield {
        edit: "activation",
        node: replaceAt(root, path, to),
        explanation: `the factor ${q(node)} (= ${toPlain(act)}) should be its derivative ${q(to)}`,
      };
      continue;
    }
    const swap = (to: Node, words: string) => ({
      edit: "activation" as const,
      node: replaceAt(root, path, to),
      explanation: `the factor ${q(node)} should be ${words} ${q(to)}`,
    });
    const known = derivativeOf(node);
    if (known) yield swap(call(known.fn, known.arg), "the activation itself, not its derivative:");
    if (node.type !== "call") continue;
    const a = node.args[0];
    switch (node.fn) {
      case "sigmoid":
        yield swap(binary(".*", node, binary("-", num(1), node)), "its derivative");
        yield swap(call("softplus", a), "the function whose derivative it is,");
        break;
      case "tanh":
        yield swap(binary("-", num(1), binary("^", node, num(2))), "its derivative");
        break;
      case "relu":
        yield swap(call("heaviside", a), "its derivative");
        break;
      case "heaviside":
        yield swap(call("relu", a), "the activation itself, not its derivative:");
        break;
      case "softplus":
        yield swap(call("sigmoid", a), "its derivative");
        break;
    }
  }
}

function* drops(root: Node): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type !== "binary" || !(node.op === "*" || node.op === ".*" || node.op === "/")) {
      continue;
    }
    const keep = node.op === "/" ? [node.left] : [node.left, node.right];
    for (const k of keep) {
      const dropped = k === node.left ? node.right : node.left;
      yield {
        edit: "drop-factor",
        node: replaceAt(root, path, k),
        explanation: `the factor ${q(dropped)} does not belong in ${q(node)}: ${q(k)}`,
      };
    }
  }
}

function* dropSums(root: Node): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type !== "call" || (node.fn !== "sum" && node.fn !== "mean")) continue;
    yield {
      edit: "drop-sum",
      node: replaceAt(root, path, node.args[0]),
      explanation: `the ${node.fn} around ${q(node.args[0])} should not be there`,
    };
  }
}

/** A scalar claimed as an array (∂f/∂b for a scalar b written without its sum): wrap a subterm in
 * `sum`, innermost-first so that a coefficient stays outside (`2 * sum(r)`, not `sum(2 * r)`). */
function* addSums(
  root: Node,
  shapes: ReadonlyMap<Node, Shape>,
  target: Shape,
): Generator<Candidate> {
  if (target[0] !== 1 || target[1] !== 1) return;
  const rootShape = shapes.get(root);
  if (!rootShape || (rootShape[0] === 1 && rootShape[1] === 1)) return;
  const nodes = valueNodes(root).filter(({ node }) => {
    const s = shapes.get(node);
    return s !== undefined && s[0] * s[1] > 1 && node.type !== "name";
  });
  for (const { node, path } of [...nodes.slice(1), ...nodes.slice(0, 1)]) {
    const summed = call("sum", node);
    yield {
      edit: "add-sum",
      node: replaceAt(root, path, summed),
      explanation: `${q(node)} is an array where a number belongs: it should be summed, ${
        q(summed)
      }`,
    };
  }
}

function* productKinds(root: Node): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type !== "binary" || (node.op !== "*" && node.op !== ".*")) continue;
    const other = binary(node.op === "*" ? ".*" : "*", node.left, node.right);
    yield {
      edit: "product-kind",
      node: replaceAt(root, path, other),
      explanation: node.op === "*"
        ? `${q(node)} should be an element-wise product: ${q(other)}`
        : `${q(node)} should be a matrix product: ${q(other)}`,
    };
  }
}

/** The factors of a chain of matrix products, left to right (`2 * X * A` → 2, X, A). */
function productFactors(n: Node): Node[] {
  return n.type === "binary" && n.op === "*"
    ? [...productFactors(n.left), ...productFactors(n.right)]
    : [n];
}

function* symmetric(root: Node, shapes: ReadonlyMap<Node, Shape>): Generator<Candidate> {
  for (const { node, path } of valueNodes(root)) {
    if (node.type !== "binary") continue;
    if (node.op === "*" && (sameTree(node.left, num(2)) || sameTree(node.right, num(2)))) {
      const a = sameTree(node.left, num(2)) ? node.right : node.left;
      const sum = binary("+", a, transpose(a));
      yield {
        edit: "symmetric",
        node: replaceAt(root, path, sum),
        explanation: `${q(node)} holds only for a symmetric ${q(a)}: it should be ${q(sum)}`,
      };
    }
    if (node.op === "+" && sameTree(node.right, transpose(node.left))) {
      const twice = binary("*", num(2), node.left);
      yield {
        edit: "symmetric",
        node: replaceAt(root, path, twice),
        explanation: `${q(node)} should be ${q(twice)}`,
      };
    }
  }
  // Then whole chains such as 2 * X * A: the 2 goes and a square factor F becomes F + F'.
  const inChain = new Set<Node>();
  for (const { node, path } of valueNodes(root)) {
    if (node.type !== "binary") continue;
    if (node.op === "*" && !inChain.has(node)) {
      const factors = productFactors(node);
      for (const { node: k } of nodesWithPaths(node)) {
        if (k !== node && k.type === "binary" && k.op === "*") inChain.add(k);
      }
      const two = factors.findIndex((f) => sameTree(f, num(2)));
      if (two >= 0 && factors.length > 2) {
        for (let k = 0; k < factors.length; k++) {
          const s = shapes.get(factors[k]);
          if (k === two || !s || s[0] !== s[1] || s[0] === 1) continue;
          const rest = factors.map((f, m) => m === k ? binary("+", f, transpose(f)) : f)
            .filter((_, m) => m !== two);
          const chain = rest.reduce((l, r) => binary("*", l, r));
          yield {
            edit: "symmetric",
            node: replaceAt(root, path, chain),
            explanation: `${q(node)} holds only for a symmetric ${q(factors[k])}: it should be ${
              q(chain)
            }`,
          };
        }
      }
    }
  }
}

function* indexSwaps(root: Node, indices: readonly string[] | undefined): Generator<Candidate> {
  if (!indices || indices.length !== 2) return;
  const [i, j] = indices;
  const rename = (n: Node): Node => {
    if (n.type === "name" && (n.name === i || n.name === j)) return name(n.name === i ? j : i);
    return withChildren(n, children(n).map(rename));
  };
  yield {
    edit: "swap-indices",
    node: rename(root),
    explanation: `the indices ${i} and ${j} are swapped`,
  };
}

/**
 * Transposes pushed inward ((AB)ᵀ = BᵀAᵀ, (A + Bᵀ)ᵀ = Aᵀ + B, Aᵀᵀ = A) for a readable fix. A
 * transpose of a sum stays one unless an operand is itself transposed (`(s - t)'`, not
 * `s' - t'`), and the subtrees in `keep` (the parts of a formula an edit did not touch) are left
 * as written unless a transpose is pushed into them.
 */
export function tidyTransposes(
  node: Node,
  scalars: ReadonlySet<string> = new Set(),
  keep?: ReadonlySet<Node>,
): Node {
  const t = (n: Node): Node => {
    if (isScalarNode(n, scalars)) return n;
    switch (n.type) {
      case "transpose":
        return tidyTransposes(n.arg, scalars, keep);
      case "neg":
        return neg(t(n.arg));
      case "num":
        return n;
      case "binary":
        if (n.op === "*") {
          // (c A B)ᵀ = c Bᵀ Aᵀ: scalar factors stay in front, the others turn round.
          const factors = productFactors(n);
          const constant = factors.filter((f) => isScalarNode(f, scalars));
          const others = factors.filter((f) => !isScalarNode(f, scalars)).reverse().map(t);
          return [...constant, ...others].reduce((l, r) => binary("*", l, r));
        }
        if (
          n.right.type === "num" || n.left.type === "transpose" || n.right.type === "transpose"
        ) {
          // Entry by entry: (A + Bᵀ)ᵀ = Aᵀ + B, (A / 5)ᵀ = Aᵀ / 5, (A ^ 2)ᵀ = (Aᵀ) ^ 2.
          return binary(n.op, t(n.left), t(n.right));
        }
        return transpose(tidyTransposes(n, scalars, keep));
      default:
        return transpose(n);
    }
  };
  if (keep?.has(node)) return node;
  switch (node.type) {
    case "transpose":
      return node.arg.type === "name" || node.arg.type === "index" ? node : t(node.arg);
    case "num":
    case "name":
      return node;
    default: {
      return withChildren(node, children(node).map((k) => tidyTransposes(k, scalars, keep)));
    }
  }
}

/** True when `n` is a number or built from numbers and the scalar variables `scalars` only. */
function isScalarNode(n: Node, scalars: ReadonlySet<string>): boolean {
  switch (n.type) {
    case "num":
      return true;
    case "name":
      return scalars.has(n.name);
    case "call":
      return ["sum", "mean", "trace", "norm"].includes(n.fn) ||
        n.args.every((a) => isScalarNode(a, scalars));
    case "index":
      return false;
    default:
      return children(n).every((c) => isScalarNode(c, scalars));
  }
}

/** Signs and transposes tidied: `a + -b` → `a - b`, `a + -1` → `a - 1`, `--a` → `a`,
 * `A + A` → `2 * A`, transposes pushed inward; the subtrees in `keep` are left as written. */
export function tidy(
  node: Node,
  keep?: ReadonlySet<Node>,
  scalars: ReadonlySet<string> = new Set(),
): Node {
  const signs = (n: Node): Node => {
    if (keep?.has(n)) return n;
    const m = withChildren(n, children(n).map(signs));
    if (m.type === "neg" && m.arg.type === "neg") return m.arg.arg;
    if (m.type === "binary" && (m.op === "+" || m.op === "-") && m.right.type === "neg") {
      return binary(m.op === "+" ? "-" : "+", m.left, m.right.arg);
    }
    if (m.type === "binary" && m.op === "+" && sameTree(m.left, m.right)) {
      return binary("*", num(2), m.left);
    }
    if (
      m.type === "binary" && (m.op === "+" || m.op === "-") && m.right.type === "num" &&
      m.right.value < 0
    ) {
      return binary(m.op === "+" ? "-" : "+", m.left, num(-m.right.value));
    }
    return m;
  };
  return signs(tidyTransposes(node, scalars, keep));
}

interface SearchContext {
  setting: Setting;
  draws: Draw[];
  truths: Truth[];
  evaluate(node: Node): NDArray[] | undefined;
}

/**
 * Searches the single edit that repairs a failed claim; returns it only when the repaired formula
 * passes the full check on fresh draws.
 */
export function searchFix(claim: PreparedClaim, setting: Setting): Fix | undefined {
  const all = draws(setting);
  const ctx: SearchContext = {
    setting,
    draws: all,
    truths: truths(claim, setting, all),
    evaluate(node) {
      let run: Compiled;
      try {
        run = claim.read(node);
        return all.map((d) => run(d.env));
      } catch {
        return undefined;
      }
    },
  };
  const root = claim.formula.node;
  const shapes = claim.formula.shapes;
  const generators = [
    negations(root),
    transposes(root, shapes),
    scalings(root, ctx),
    swaps(root),
    activations(root, setting),
    drops(root),
    dropSums(root),
    addSums(root, shapes, claim.target),
    productKinds(root),
    symmetric(root, shapes),
    indexSwaps(root, claim.indices),
  ];
  // The student's own subterms, which an edit leaves in place: the fix keeps them as written.
  const untouched = new Set(nodesWithPaths(root).map(({ node }) => node));
  const scalarNames = new Set(
    [...setting.shapes].filter(([, s]) => s[0] === 1 && s[1] === 1).map(([n]) => n),
  );
  let tried = 0;
  for (const generator of generators) {
    for (const candidate of generator) {
      if (++tried > MAX_CANDIDATES) return undefined;
      const values = ctx.evaluate(candidate.node);
      if (!values || !values.every((v, k) => agrees(v, ctx.truths[k]))) continue;
      for (const node of [tidy(candidate.node, untouched, scalarNames), candidate.node]) {
        let run: Compiled;
        try {
          run = claim.read(node);
        } catch {
          continue;
        }
        if (judge(claim, setting, run, FRESH_DRAWS).ok) {
          return {
            edit: candidate.edit,
            node,
            formula: toPlain(node),
            explanation: candidate.explanation,
          };
        }
      }
    }
  }
  return undefined;
}
