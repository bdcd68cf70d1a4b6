/**
 * Plain-text formulas, read by a parser that Peggy (a well-kept PEG parser generator) builds once
 * from the grammar below, then checked and translated into the project's {@linkcode Node}.
 *
 * Syntax, loosest first: `+ -`; `* / .* ./` (left-associative; a number directly before a name or
 * a bracket multiplies it: `2x`, `2(p - y)`); unary `-`; `^ .^` (right-associative, so `-a^2` is
 * `-(a^2)` and `a^-1` works); postfix `'` (transpose) and entries `x[i]`, `W[i, j]`; numbers
 * (`0.5`, `1e-3`), names, calls of {@linkcode FUNCTIONS} (and the aliases of
 * {@linkcode FUNCTION_ALIASES}, plus `transpose(x)`), parentheses.
 *
 * Why not mathjs's `parse`: importing mathjs builds its ~1000 typed functions eagerly, 0.7 to 1.4 s
 * here, ten times the cost of checking a whole problem; this grammar loads in under 0.1 s.
 *
 * @module
 */

import peggy from "peggy";
import { call, FUNCTIONS, isFunctionName, type Node, transpose } from "./ast.ts";
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

/** The grammar. Actions build raw nodes; calls are checked afterwards (`checkCalls`). */
const GRAMMAR = String.raw`
{{
  function fold(head, tail) {
    return tail.reduce((left, [op, right]) => ({ type: "binary", op, left, right }), head);
  }
  const OPS = { "./": "/", ".^": "^" };
}}
Formula = _ e:Sum _ { return e; }
Sum = head:Product tail:(_ @("+" / "-") _ @Product)* { return fold(head, tail); }
Product = head:Unary tail:(_ @MulOp _ @Unary / _ @ImplicitOp @Postfix)* {
  return fold(head, tail.map(([op, r]) => [OPS[op] ?? op, r]));
}
ImplicitOp = &{ return true; } { return "*"; }
MulOp = ".*" / "./" / "*" / "/"
Unary = "-" _ arg:Unary { return { type: "neg", arg }; }
  / "+" _ arg:Unary { return arg; }
  / Power
Power = base:Postfix _ op:("^" / ".^") _ exp:Unary {
  return { type: "binary", op: "^", left: base, right: exp };
} / Postfix
Postfix = head:Primary tail:(_ @("'" / Entry))* {
  return tail.reduce((arg, t) => t === "'" ? { type: "transpose", arg } : { type: "index", base: arg, indices: t }, head);
}
Entry = "[" _ first:Sum rest:(_ "," _ @Sum)* _ "]" { return [first, ...rest]; }
Primary = Number / CallOrName / "(" _ @Sum _ ")"
CallOrName = n:Name args:(_ "(" _ @Args _ ")")? {
  return args === null ? { type: "name", name: n } : { type: "rawcall", name: n, args, column: location().start.column };
}
Args = first:Sum rest:(_ "," _ @Sum)* { return [first, ...rest]; } / "" { return []; }
Number "number" = ([0-9]+ ("." [0-9]+)? / "." [0-9]+) ([eE] [+-]? [0-9]+)? { return { type: "num", value: Number(text()) }; }
Name "name" = [A-Za-z_] [A-Za-z0-9_]* { return text(); }
_ "space" = [ \t\r\n]*
`;

let parser: peggy.Parser | undefined;

/** A raw node as the grammar builds it: the project's nodes, plus calls not yet checked. */
type RawNode = Node | { type: "rawcall"; name: string; args: RawNode[]; column: number };

function rephrase(e: peggy.parser.SyntaxError, source: string): FormulaError {
  const column = e.location.start.column;
  if (e.found === null) {
    const depth = (open: string, close: string) =>
      source.split(open).length - source.split(close).length;
    // After an operator, an opening bracket or a comma, a value is missing, not a bracket.
    if ("([,+-*/^.".includes(source.trimEnd().slice(-1))) {
      return new FormulaError(`the formula ends too early at column ${column}`, column);
    }
    if (depth("(", ")") > 0) return new FormulaError(`missing \`)\` at column ${column}`, column);
    if (depth("[", "]") > 0) return new FormulaError(`missing \`]\` at column ${column}`, column);
    return new FormulaError(`the formula ends too early at column ${column}`, column);
  }
  return new FormulaError(`unexpected \`${e.found}\` at column ${column}`, column);
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
  parser ??= peggy.generate(GRAMMAR);
  let raw: RawNode;
  try {
    raw = parser.parse(source) as RawNode;
  } catch (e) {
    if (e instanceof parser.SyntaxError) throw rephrase(e as peggy.parser.SyntaxError, source);
    throw e;
  }
  return checkCalls(raw);
}

/** Resolves aliases and checks every call's function name and arity. */
function checkCalls(n: RawNode): Node {
  switch (n.type) {
    case "rawcall": {
      const args = n.args.map(checkCalls);
      if (n.name === "transpose" && args.length === 1) return transpose(args[0]);
      const fn = FUNCTION_ALIASES[n.name] ?? n.name;
      if (!isFunctionName(fn)) {
        const known = [...Object.keys(FUNCTIONS), ...Object.keys(FUNCTION_ALIASES)];
        throw new FormulaError(
          `unknown function ${n.name}${didYouMean(n.name, known)}`,
          n.column,
        );
      }
      const want = FUNCTIONS[fn];
      if (args.length !== want) {
        throw new FormulaError(
          `${n.name} takes ${want} argument${want === 1 ? "" : "s"}, got ${args.length}`,
          n.column,
        );
      }
      return call(fn, ...args);
    }
    case "num":
    case "name":
      return n;
    case "neg":
    case "transpose":
      return { ...n, arg: checkCalls(n.arg) };
    case "binary":
      return { ...n, left: checkCalls(n.left), right: checkCalls(n.right) };
    case "call":
      return { ...n, args: n.args.map(checkCalls) };
    case "index":
      return { ...n, base: checkCalls(n.base), indices: n.indices.map(checkCalls) };
  }
}
