/**
 * Plain-text formulas, read by mathjs's parser (`parse` only: no evaluation, no mathjs types
 * beyond its syntax nodes) and translated into the project's {@linkcode Node}.
 *
 * Syntax: numbers, names, `+ - * / ^`, `.* ./ .^`, parentheses, postfix `'` (transpose),
 * `x[i]` and `W[i, j]` (entries), function calls from {@linkcode FUNCTIONS} (`ln`, `sigma`, `tr`
 * and `transpose(...)` are accepted as aliases).
 *
 * @module
 */

import { parse as mathParse } from "mathjs";
import {
  binary,
  type BinaryOp,
  call,
  FUNCTIONS,
  index,
  isFunctionName,
  name,
  neg,
  type Node,
  num,
  transpose,
} from "./ast.ts";
import { didYouMean, FormulaError } from "./errors.ts";

/** Other spellings of the functions, as people type them. */
export const FUNCTION_ALIASES: Readonly<Record<string, string>> = {
  ln: "log",
  sigma: "sigmoid",
  logistic: "sigmoid",
  tr: "trace",
  step: "heaviside",
  H: "heaviside",
  kron: "delta",
};

const OPERATORS: Record<string, BinaryOp> = {
  add: "+",
  subtract: "-",
  multiply: "*",
  dotMultiply: ".*",
  divide: "/",
  dotDivide: "/",
  pow: "^",
  dotPow: "^",
};

/** What mathjs says, in the words of this project. */
function rephrase(message: string): string {
  const m = message.match(/^(.*?)\s*\(char (\d+)\)\s*$/);
  const text = m ? m[1] : message;
  const at = m ? ` at column ${m[2]}` : "";
  const paren = text.match(/^Parenthesis (.) expected/);
  if (paren) return `missing \`${paren[1]}\`${at}`;
  if (/^Unexpected end of expression/.test(text)) return `the formula ends too early${at}`;
  if (/^Value expected/.test(text)) return `a value is missing${at}`;
  const unexpected = text.match(/^Unexpected (?:operator|type of argument)? ?(.*)$/);
  if (unexpected) return `unexpected \`${unexpected[1].trim()}\`${at}`;
  return `${text.charAt(0).toLowerCase()}${text.slice(1)}${at}`;
}

/** A node as mathjs builds it (the fields this reader uses). */
interface MathNode {
  type: string;
  value?: unknown;
  name?: string;
  op?: string;
  fn?: string | MathNode;
  args?: MathNode[];
  content?: MathNode;
  object?: MathNode;
  index?: { dimensions: MathNode[]; dotNotation?: boolean };
  toString(): string;
}

/**
 * Parses a plain-text formula.
 * @throws FormulaError naming what is wrong and, for syntax errors, the column
 * @example
 * ```ts
 * import { parsePlain } from "./parse_plain.ts";
 * const tree = parsePlain("W2' * (o - y)");
 * if (tree.type !== "binary" || tree.op !== "*") throw new Error();
 * ```
 */
export function parsePlain(source: string): Node {
  if (typeof source !== "string" || source.trim() === "") {
    throw new FormulaError("the formula is empty");
  }
  let tree: MathNode;
  try {
    tree = mathParse(source) as unknown as MathNode;
  } catch (e) {
    const column = Number((e as Error).message.match(/\(char (\d+)\)/)?.[1]) || undefined;
    throw new FormulaError(rephrase((e as Error).message), column);
  }
  return translate(tree);
}

function translate(n: MathNode): Node {
  switch (n.type) {
    case "ConstantNode":
      if (typeof n.value === "number" && Number.isFinite(n.value)) return num(n.value);
      throw new FormulaError(`\`${n.toString()}\` is not a number a formula can use`);
    case "SymbolNode":
      return name(n.name!);
    case "ParenthesisNode":
      return translate(n.content!);
    case "OperatorNode":
      return operator(n);
    case "FunctionNode":
      return functionCall(n);
    case "AccessorNode": {
      if (!n.index || n.index.dotNotation) {
        throw new FormulaError(
          `\`${n.toString()}\`: only entries such as x[i] or W[i, j] can be read`,
        );
      }
      const dims = n.index.dimensions.map(translate);
      if (dims.length < 1 || dims.length > 2) {
        throw new FormulaError(`\`${n.toString()}\`: an entry takes one or two indices`);
      }
      return index(translate(n.object!), dims);
    }
    default:
      throw new FormulaError(`\`${n.toString()}\` is not part of the formula syntax`);
  }
}

function operator(n: MathNode): Node {
  const fn = n.fn as string;
  const args = n.args!.map(translate);
  if (fn === "unaryMinus") return neg(args[0]);
  if (fn === "unaryPlus") return args[0];
  if (fn === "ctranspose" || fn === "transpose") return transpose(args[0]);
  const op = OPERATORS[fn];
  if (!op || args.length !== 2) {
    throw new FormulaError(`the operator \`${n.op}\` is not part of the formula syntax`);
  }
  return binary(op, args[0], args[1]);
}

function functionCall(n: MathNode): Node {
  const callee = n.fn as MathNode;
  if (callee.type !== "SymbolNode") {
    throw new FormulaError(`\`${n.toString()}\`: only named functions can be called`);
  }
  const raw = callee.name!;
  const args = n.args!.map(translate);
  if (raw === "transpose" && args.length === 1) return transpose(args[0]);
  const fn = FUNCTION_ALIASES[raw] ?? raw;
  if (!isFunctionName(fn)) {
    throw new FormulaError(
      `unknown function ${raw}${
        didYouMean(raw, [...Object.keys(FUNCTIONS), ...Object.keys(FUNCTION_ALIASES)])
      }`,
    );
  }
  if (args.length !== FUNCTIONS[fn]) {
    const want = FUNCTIONS[fn];
    throw new FormulaError(
      `${raw} takes ${want} argument${want === 1 ? "" : "s"}, got ${args.length}`,
    );
  }
  return call(fn, ...args);
}
