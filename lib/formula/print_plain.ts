/**
 * Formulas printed back in the plain syntax, with the fewest parentheses that keep the meaning:
 * `W2' * (o - y)`, `sigmoid(a) .* (1 - sigmoid(a))`. The printed text parses back to the same tree.
 *
 * @module
 */

import type { BinaryOp, Node } from "./ast.ts";

/** Binding strength: higher binds tighter. */
const PRECEDENCE: Record<BinaryOp, number> = { "+": 1, "-": 1, "*": 2, ".*": 2, "/": 2, "^": 4 };
const NEG = 3;
const ATOM = 5;

function precedence(node: Node): number {
  if (node.type === "binary") return PRECEDENCE[node.op];
  if (node.type === "neg") return NEG;
  if (node.type === "num" && node.value < 0) return NEG;
  return ATOM;
}

function formatNum(v: number): string {
  if (Number.isInteger(v) || Math.abs(v) >= 1e-3) return String(Number(v.toPrecision(12)));
  return v.toExponential();
}

/** The node in plain syntax. */
export function toPlain(node: Node): string {
  const wrap = (child: Node, min: number) => {
    const s = toPlain(child);
    // A matrix product next to an element-wise one is bracketed: `(A * B) .* C`, never `A * B .* C`.
    const mixed = node.type === "binary" && child.type === "binary" &&
      (node.op === "*" || node.op === ".*") && (child.op === "*" || child.op === ".*") &&
      node.op !== child.op;
    return precedence(child) < min || mixed ? `(${s})` : s;
  };
  switch (node.type) {
    case "num":
      return formatNum(node.value);
    case "name":
      return node.name;
    case "neg":
      return `-${wrap(node.arg, NEG + 1)}`;
    case "transpose":
      return `${wrap(node.arg, ATOM)}'`;
    case "call":
      return `${node.fn}(${node.args.map(toPlain).join(", ")})`;
    case "index":
      return `${wrap(node.base, ATOM)}[${node.indices.map(toPlain).join(", ")}]`;
    case "binary": {
      const p = PRECEDENCE[node.op];
      // Left-associative, except ^ (right-associative): the other side needs a strictly tighter child.
      const right = node.op === "^" ? p : p + 1;
      const left = node.op === "^" ? p + 1 : p;
      const op = node.op === "^" ? "^" : ` ${node.op} `;
      return `${wrap(node.left, left)}${op}${wrap(node.right, right)}`;
    }
  }
}
