/**
 * Shape inference before anything is evaluated. Every value is a matrix `[R, C]` (a column vector
 * is `[R, 1]`, a scalar `[1, 1]`); a formula whose sizes do not fit gets one sentence naming the
 * subterm, the two shapes and, when a transpose or a swap would fit, the likely intent:
 * `W2 * (o - y): [2, 5] times [2, 1]: inner sizes 5 and 2 differ (did you mean W2'?)`.
 *
 * @module
 */

import { ELEMENTWISE, type Node, transpose } from "./ast.ts";
import { didYouMean, FormulaError } from "./errors.ts";
import { toPlain } from "./print_plain.ts";

/** A matrix shape `[rows, columns]`. */
export type Shape = readonly [number, number];

/** Names a formula may read that are not variables: π and e, unless a problem gives them. */
export const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };

/** What shape inference knows. */
export interface ShapeScope {
  /** Shape of every variable. */
  shapes: ReadonlyMap<string, Shape>;
  /** Free indices (entry claims) and the size each runs over. */
  indices?: ReadonlyMap<string, { size: number; what: string }>;
}

/** `[2, 5]`. */
export function showShape(s: Shape): string {
  return `[${s[0]}, ${s[1]}]`;
}

/** True for `[1, 1]`. */
export function isScalar(s: Shape): boolean {
  return s[0] === 1 && s[1] === 1;
}

function broadcast(a: Shape, b: Shape): Shape | undefined {
  const out: number[] = [];
  for (let k = 0; k < 2; k++) {
    if (a[k] === b[k] || b[k] === 1) out.push(a[k]);
    else if (a[k] === 1) out.push(b[k]);
    else return undefined;
  }
  return [out[0], out[1]];
}

const OP_WORDS = {
  "+": "plus",
  "-": "minus",
  ".*": "times (element-wise)",
  "/": "divided by",
  "^": "to the power",
};

/**
 * Infers the shape of every subterm of `root`, parents after children.
 * @returns the map from each node to its shape (use `.get(root)` for the whole formula)
 * @throws FormulaError naming the first subterm whose sizes do not fit
 */
export function inferShapes(root: Node, scope: ShapeScope): Map<Node, Shape> {
  const shapes = new Map<Node, Shape>();
  const visit = (node: Node): Shape => {
    const s = shapeOf(node);
    shapes.set(node, s);
    return s;
  };
  const isIndex = (n: Node) => n.type === "name" && scope.indices?.has(n.name) === true;
  const shapeOf = (node: Node): Shape => {
    switch (node.type) {
      case "num":
        return [1, 1];
      case "name": {
        const s = scope.shapes.get(node.name);
        if (s) return s;
        if (scope.indices?.has(node.name)) {
          throw new FormulaError(
            `${node.name} is a free index: use it inside an entry such as x[${node.name}] or in delta(i, j)`,
          );
        }
        if (Object.hasOwn(CONSTANTS, node.name)) return [1, 1];
        const known = [...scope.shapes.keys(), ...(scope.indices?.keys() ?? [])];
        throw new FormulaError(`unknown name ${node.name}${didYouMean(node.name, known)}`);
      }
      case "neg":
        return visit(node.arg);
      case "transpose": {
        const s = visit(node.arg);
        return [s[1], s[0]];
      }
      case "binary": {
        const a = visit(node.left), b = visit(node.right);
        if (node.op === "*") return product(node, a, b);
        const s = broadcast(a, b);
        if (!s) {
          throw new FormulaError(
            `${toPlain(node)}: ${showShape(a)} ${OP_WORDS[node.op]} ${showShape(b)}: sizes differ` +
              (broadcast(a, [b[1], b[0]]) && !isScalar(b)
                ? ` (did you mean ${
                  toPlain(node.right.type === "transpose" ? node.right.arg : transpose(node.right))
                }?)`
                : ""),
          );
        }
        return s;
      }
      case "call": {
        if (node.fn === "delta") {
          for (const arg of node.args) {
            if (!isIndex(arg) && arg.type !== "num") {
              throw new FormulaError(
                `${toPlain(node)}: delta takes free indices or numbers, got ${toPlain(arg)}`,
              );
            }
            shapes.set(arg, [1, 1]);
          }
          return [1, 1];
        }
        const s = visit(node.args[0]);
        if (ELEMENTWISE.has(node.fn) || node.fn === "softmax") return s;
        if (node.fn === "sum" || node.fn === "mean" || node.fn === "norm") return [1, 1];
        if (node.fn === "trace") {
          if (s[0] !== s[1]) {
            throw new FormulaError(
              `${toPlain(node)}: the trace needs a square matrix, got ${showShape(s)}`,
            );
          }
          return [1, 1];
        }
        // diag: a vector becomes a diagonal matrix; a square matrix gives its diagonal.
        if (s[1] === 1 || s[0] === 1) return [s[0] * s[1], s[0] * s[1]];
        if (s[0] === s[1]) return [s[0], 1];
        throw new FormulaError(
          `${toPlain(node)}: diag takes a vector or a square matrix, got ${showShape(s)}`,
        );
      }
      case "index": {
        const s = visit(node.base);
        if (node.indices.length === 1 && s[0] !== 1 && s[1] !== 1) {
          throw new FormulaError(
            `${toPlain(node)}: ${toPlain(node.base)} is a ${showShape(s)} matrix: give two indices`,
          );
        }
        const sizes = node.indices.length === 2 ? [s[0], s[1]] : [s[0] * s[1]];
        node.indices.forEach((ix, k) => {
          shapes.set(ix, [1, 1]);
          const axis = node.indices.length === 2 ? (k === 0 ? "rows" : "columns") : "entries";
          if (ix.type === "num") {
            if (!Number.isInteger(ix.value) || ix.value < 1 || ix.value > sizes[k]) {
              throw new FormulaError(
                `${toPlain(node)}: index ${ix.value} is outside 1..${
                  sizes[k]
                } (indices count from 1)`,
              );
            }
            return;
          }
          if (!isIndex(ix)) {
            const free = [...(scope.indices?.keys() ?? [])];
            throw new FormulaError(
              `${toPlain(node)}: an index must be ${
                free.length ? `a free index (${free.join(", ")}) or a number` : "a number"
              }, got ${toPlain(ix)}`,
            );
          }
          const range = scope.indices!.get((ix as { name: string }).name)!;
          if (range.size !== sizes[k]) {
            throw new FormulaError(
              `${toPlain(node)}: ${toPlain(ix)} runs over ${range.size} ${range.what} but ${
                toPlain(node.base)
              } has ${sizes[k]} ${axis}`,
            );
          }
        });
        return [1, 1];
      }
    }
  };
  visit(root);
  return shapes;
}

function product(node: Node & { type: "binary" }, a: Shape, b: Shape): Shape {
  if (isScalar(a)) return b;
  if (isScalar(b)) return a;
  if (a[1] === b[0]) return [a[0], b[1]];
  const left = node.left, right = node.right;
  const flip = (n: Node) => toPlain(n.type === "transpose" ? n.arg : transpose(n));
  const tl = flip(left), tr = flip(right);
  const options: string[] = [];
  if (a[0] === b[0] && a[1] === b[1]) {
    options.push(`${tl} * ${toPlain(right)}`, `${toPlain(left)} * ${tr}`);
    options.push(`${toPlain(left)} .* ${toPlain(right)}`);
  } else if (a[0] === b[0]) options.push(tl);
  else if (a[1] === b[1]) options.push(tr);
  else if (b[1] === a[0]) options.push(`${toPlain(right)} * ${toPlain(left)}`);
  const hint = options.length ? ` (did you mean ${options.join(" or ")}?)` : "";
  throw new FormulaError(
    `${toPlain(node)}: ${showShape(a)} times ${showShape(b)}: inner sizes ${a[1]} and ${
      b[0]
    } differ${hint}`,
  );
}
