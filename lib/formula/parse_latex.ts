/**
 * LaTeX formulas, read by the Compute Engine's parser in its raw, non-canonical form (the
 * canonical form reorders matrix products) and translated into the project's {@linkcode Node}.
 *
 * Reading rules (the plain syntax of {@linkcode parsePlain} gives the same trees):
 * - juxtaposition, `\cdot`, `\times` and `*` are the matrix product (scaling by a scalar), read left
 *   to right; juxtaposition binds tighter than an explicit operator, as the engine reads it:
 *   `a \odot W x` is `a .* (W * x)`; `\odot` and `\circ` are the Hadamard product `.*`;
 *   `\frac{a}{b}`, `a / b` and `\oslash` are element-wise division `/`; `+` and `-` chain left to
 *   right (`a + b - c` is `(a + b) - c`).
 * - `^\top`, `^T`, `^{T}`, `^\intercal`, `^\mathsf{T}`, `'`, `^{\prime}`, `^\dagger` transpose;
 *   `W^{(1)}` (a parenthesised number above a name; `W^{[1]}` too) is the name `W1`,
 *   `W^{(2)\top}` is `W2'`, and `W^{(l)}` is an error (layers are numbers); every other `^` is the
 *   element-wise power, so `\tanh^2(z)` and `\tanh(z)^2` both square tanh(z) entry by entry.
 * - names: `W_1`, `W_{12}`, `\delta_{12}` are `W1`, `W12`, `delta12`; `\hat{y}` is `yhat` (`\tilde{x}` is `xtilde`, `\bar{x}`
 *   is `xbar`); Greek letters by name (`\lambda` is `lambda`); `\mathrm{lr}`, `\text{lr}` are `lr`;
 *   bold and other styles are dropped (`\mathbf{x}` is `x`); `\mathbf{1}` and `\mathbb{1}` are 1.
 * - entries: a subscript made of the free-index letters {@linkcode FREE_INDEX_LETTERS} (and digits)
 *   reads an entry: `x_i` is `x[i]`, `W_{ij}` and `W_{i,j}` are `W[i, j]`, `W_{1j}` is `W[1, j]`;
 *   other subscripts are part of the name (`x_t` is the name `x_t`, `W_{hh}` is `W_hh`);
 *   `(W x)_i` and `\operatorname{softmax}(z)_i` are entries of a subterm, `\delta_{ij}` is
 *   `delta(i, j)`.
 * - calls: a known function name ({@linkcode FUNCTIONS}, {@linkcode FUNCTION_ALIASES}) followed by a
 *   parenthesised group: `\sigma(a)` is `sigmoid(a)` (a lone `\sigma` is the name `sigma`),
 *   `\operatorname{softmax}(z)`, `\mathrm{relu}(z)`, `\operatorname{ReLU}(z)` (words in any case);
 *   `\log`, `\ln`, `\exp`, `\tanh`, `\sqrt{}`, `|x|`, `\|x\|` (norm), `\operatorname{tr}` (trace),
 *   `\operatorname{diag}`; `\sum x` is `sum(x)` and `\sum_i x_i` too (limits are not read);
 *   `\sigma^2(a)` squares `\sigma(a)`. Any other name before a group multiplies it:
 *   `W(x)^\top` is `W * x'`, and brackets group like parentheses (`W [a + b]`).
 * - spacing (`\,` `\;` `\quad` `\!` `~`), `\left` / `\right`, and `\underbrace{A}_{...}` (shape
 *   annotations of {@linkcode toLatex}) are ignored.
 *
 * @module
 */

import { createRequire } from "node:module";
import type * as LatexSyntax from "@cortex-js/compute-engine/latex-syntax";
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
import { FUNCTION_ALIASES } from "./parse_plain.ts";

/** Single letters that, in a subscript, read an entry (`x_i`) rather than extend a name. */
export const FREE_INDEX_LETTERS: ReadonlySet<string> = new Set(["i", "j", "k", "l", "m", "n"]);

/** Greek letters a name may be, written `\lambda` in LaTeX and `lambda` in plain text. */
export const GREEK_LETTERS: ReadonlySet<string> = new Set([
  ..."alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho"
    .split(" "),
  ..."sigma tau upsilon phi chi psi omega ell".split(" "),
  ..."Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split(" "),
]);

/** Accents that become a suffix of the name: `\hat{y}` is `yhat`. */
export const DECORATIONS: ReadonlySet<string> = new Set(["hat", "tilde", "bar"]);

/** The engine's names for some symbols, in this project's words. */
const SYMBOLS: Readonly<Record<string, string>> = {
  Pi: "pi",
  CapitalPi: "Pi",
  ExponentialE: "e",
  ImaginaryUnit: "i",
  epsilonSymbol: "epsilon",
  thetaSymbol: "theta",
  GoldenRatio: "phi",
  EulerGamma: "gamma",
  Zeta: "zeta",
};

/** Styles the engine appends to a symbol's name (`\mathbf{x}` is `x_bold`): dropped. */
const STYLES = new Set([
  "bold",
  "italic",
  "upright",
  "sansserif",
  "calligraphic",
  "doublestruck",
  "fraktur",
  "monospace",
  "script",
]);

/** Accent nodes of the engine and the name suffix each gives. */
const ACCENTS: Readonly<Record<string, string>> = {
  OverHat: "hat",
  OverTilde: "tilde",
  Conjugate: "bar", // `\bar` is rewritten to `\overline` before parsing, see `preprocess`
};

/** Commands the reader knows, for did-you-mean hints on unknown ones. */
const KNOWN_COMMANDS = [
  ..."frac dfrac tfrac cdot times odot oslash circ top intercal prime dagger hat tilde bar".split(
    " ",
  ),
  ..."overline left right log ln exp tanh sqrt operatorname mathrm text mathbf mathbb".split(" "),
  ..."boldsymbol sum lVert rVert Vert lvert rvert quad qquad underbrace".split(" "),
  ...GREEK_LETTERS,
];

/** A MathJSON expression as the engine prints it (compact form). */
type Json = number | string | { num: string } | Json[];

/** Environment switches the LaTeX parser reads when it loads: grant exactly these. */
export const LATEX_ENV = ["CE_CACHE_STATS", "CE_TYPE_FACTS_ASSERT"] as const;

let syntax: typeof LatexSyntax | undefined;

/**
 * The Compute Engine's LaTeX parser, loaded on first use (about 0.15 s) so that code which never
 * reads LaTeX neither pays for it nor needs the environment access it asks for when it loads.
 */
function latexSyntax(): typeof LatexSyntax {
  if (syntax) return syntax;
  try {
    syntax = createRequire(import.meta.url)(
      "@cortex-js/compute-engine/latex-syntax",
    ) as typeof LatexSyntax;
    return syntax;
  } catch (e) {
    if (e instanceof Error && e.name === "NotCapable") {
      throw new FormulaError(
        `reading LaTeX needs --allow-env=${
          LATEX_ENV.join(",")
        } (the LaTeX parser reads these switches when it loads)`,
      );
    }
    throw e;
  }
}

/**
 * The parser's MathJSON in the compact form this reader walks: `{ str }` becomes the quoted
 * string `'…'`, `{ fn }` and `{ sym }` their content (source offsets dropped); `{ num }` stays.
 */
function compact(j: unknown): Json {
  if (Array.isArray(j)) return j.map(compact);
  if (j !== null && typeof j === "object") {
    const o = j as Record<string, unknown>;
    if (typeof o.str === "string") return `'${o.str}'`;
    if (Array.isArray(o.fn)) return compact(o.fn);
    if (typeof o.sym === "string") return o.sym;
    if (typeof o.num === "string") return { num: o.num };
  }
  return j as Json;
}

/**
 * Rewrites the source where the engine's reading is poor:
 * - an accent or style without braces gets them: `\hat y` is `\hat{y}` (the engine reads an
 *   empty hat times y);
 * - `\intercal` becomes `\top` (unknown to the engine inside `^{(2)\intercal}`);
 * - `\bar` becomes `\overline` (the engine reads `\bar{x}` as the mean of x);
 * - `\oslash` becomes `/` and `\ast` becomes `*` (unknown commands);
 * - spacing commands become a plain space;
 * - `\mathrm{lr}` and `\text{lr}` become `\operatorname{lr}` (the engine reads the first two as
 *   units, and `\mathrm{dW}^{0.5}` came back as `dW^0`);
 * - a capital letter (or `\zeta`) before a group is put in braces, `{W}(x)`: the engine reads
 *   `W (x)^{\top}` as the transpose of a function W applied to x, and `W [x]` as an entry;
 * - `\delta_{ij}` is put in braces, `{\delta_{ij}}`: without them the engine does not multiply it
 *   with a factor before it, and drops what follows (`y \delta_{ij} + x` came back as `y δ`).
 */
function preprocess(source: string): string {
  return source
    .replace(
      /\\(hat|tilde|bar|widehat|widetilde|overline|mathbf|boldsymbol)(?![A-Za-z])\s*(\\[A-Za-z]+|[A-Za-z0-9])/g,
      "\\$1{$2}",
    )
    .replace(/\\intercal(?![A-Za-z])/g, "\\top ")
    .replace(/\\bar(?![A-Za-z])/g, "\\overline")
    .replace(/\\oslash(?![A-Za-z])/g, "/")
    .replace(/\\ast(?![A-Za-z])/g, "*")
    .replace(/\\(?:[,;:! ]|q?quad(?![A-Za-z]))|~/g, " ")
    .replace(/\\(?:mathrm|text)\s*\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}/g, "\\operatorname{$1}")
    .replace(
      /(?<![\\A-Za-z^_]|\\[A-Za-z]+\s*\{)([A-Z]|\\zeta)(?=\s*(?:\\left(?![A-Za-z])|\(|\[))/g,
      "{$1}",
    )
    .replace(/\\delta\s*_\s*(\{[^{}]*\}|[A-Za-z0-9])/g, "{\\delta_$1}");
}

/**
 * Parses a LaTeX formula (the source without its surrounding `$…$`). The engine reads it raw
 * (`form: "raw"`, nothing reordered or simplified) and the MathJSON it gives is translated here.
 * @throws FormulaError naming the offending piece (unknown command, unbalanced brace, a construct
 * outside the formula syntax) and, where it can be found, its column
 * @example
 * ```ts
 * import { parseLatex } from "./parse_latex.ts";
 * import { toPlain } from "./print_plain.ts";
 * if (toPlain(parseLatex("W^{(2)\\top}(o - y)")) !== "W2' * (o - y)") throw new Error();
 * if (toPlain(parseLatex("\\sigma(a) \\odot (1 - \\sigma(a))")) !== "sigmoid(a) .* (1 - sigmoid(a))") {
 *   throw new Error();
 * }
 * if (toPlain(parseLatex("\\delta_{ij} p_j")) !== "delta(i, j) * p[j]") throw new Error();
 * ```
 */
export function parseLatex(source: string): Node {
  if (typeof source !== "string" || source.trim() === "") {
    throw new FormulaError("the formula is empty");
  }
  // `\tanh^{-1}` is the inverse function, which the parser reads as a reciprocal: refuse it.
  const inverse = source.match(
    /\\(tanh|sigma|exp|log|ln|operatorname\{\w+\})\s*\^\s*\{?\s*-\s*1\s*\}?/,
  );
  if (inverse) {
    throw new FormulaError(
      `\`${inverse[0]}\`: inverse functions are not part of the formula syntax`,
      inverse.index! + 1,
    );
  }
  let json: Json;
  try {
    json = compact(latexSyntax().parse(preprocess(source)));
  } catch (e) {
    throw new FormulaError(`cannot read the LaTeX: ${(e as Error).message}`);
  }
  const error = findError(json);
  if (error) throw errorFrom(error, source);
  return read(json);
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * The first error the engine left in the expression: an `Error` node, or (as the engine sometimes
 * leaves it, `\nabla_W` is `["Subscript", "'unexpected-command'", ["LatexString", "'\\nabla'"]]`)
 * a node holding the code and the offending LaTeX.
 */
function findError(j: Json): Json[] | undefined {
  if (!Array.isArray(j)) return undefined;
  if (j[0] === "Error" || isHead(j[2], "LatexString")) return j;
  for (const k of j.slice(1)) {
    const e = findError(k);
    if (e) return e;
  }
  return undefined;
}

/** Strips the engine's quotes from a string atom: `'{a'` is `{a`. */
function unquote(s: Json | undefined): string {
  return typeof s === "string" ? s.replace(/^'(.*)'$/s, "$1") : "";
}

function errorFrom(error: Json[], source: string): FormulaError {
  const code = unquote(error[1]);
  const piece = Array.isArray(error[2]) && error[2][0] === "LatexString"
    ? unquote(error[2][1])
    : "";
  const at = piece ? source.indexOf(piece) : -1;
  const column = at >= 0 ? at + 1 : undefined;
  switch (code) {
    case "unexpected-command":
      if (piece === "\\left" || piece === "\\right") {
        const other = piece === "\\left" ? "\\right" : "\\left";
        return new FormulaError(`unbalanced: ${piece} without its matching ${other}`, column);
      }
      return new FormulaError(`unknown command ${piece}${commandHint(piece.slice(1))}`, column);
    case "expected-closing-delimiter":
      return new FormulaError(
        `unbalanced braces: \`${piece}\` has no closing \`${closing(piece[0])}\``,
        column,
      );
    case "unexpected-closing-delimiter":
      return new FormulaError(`unbalanced braces: \`${piece}\` has no opening partner`, column);
    case "unexpected-delimiter":
      return new FormulaError(`unbalanced parentheses: \`${piece}\` has no partner`, column);
    case "unexpected-operator":
      return new FormulaError(`the operator \`${piece}\` is missing an operand`, column);
    case "missing":
      return new FormulaError(
        piece ? `\`${piece}\` is missing its argument` : "a part is missing (an empty {} group?)",
        column,
      );
    default:
      return new FormulaError(
        `cannot read ${piece ? `\`${piece}\`` : "the LaTeX"} (${code || "syntax error"})`,
        column,
      );
  }
}

/** ` (did you mean \\frac?)` for a misspelt command, counting a swap of two letters as one edit. */
function commandHint(word: string): string {
  for (let k = 0; k + 1 < word.length; k++) {
    const swapped = word.slice(0, k) + word[k + 1] + word[k] + word.slice(k + 2);
    if (KNOWN_COMMANDS.includes(swapped)) return ` (did you mean \\${swapped}?)`;
  }
  return didYouMean(word, KNOWN_COMMANDS).replace(/mean (\S)/, "mean \\$1");
}

function closing(open: string): string {
  return ({ "{": "}", "(": ")", "[": "]" } as Record<string, string>)[open] ?? "}";
}

/** The piece of LaTeX an expression came from, as the engine prints it back. */
function latexOf(j: Json): string {
  try {
    return latexSyntax().serialize(j as never);
  } catch {
    return JSON.stringify(j);
  }
}

const WRITE_OUT = " (derivatives are written out, as in \\sigma(a) \\odot (1 - \\sigma(a)))";

/** Why some constructs are outside the formula syntax, with what to write instead. */
const UNSUPPORTED_HINTS: Readonly<Record<string, string>> = {
  Max: " (for max(0, x) write \\operatorname{relu}(x))",
  Derivative: WRITE_OUT,
  Apply: WRITE_OUT,
  D: WRITE_OUT,
  PartialDerivative: WRITE_OUT,
  Equal: " (give one side only, without =)",
  Greater: " (for the indicator of x > 0 write \\operatorname{H}(x))",
  Less: " (for the indicator of x < 0 write \\operatorname{H}(-x))",
  Matrix: " (write matrices as names with shapes)",
  Sequence: " (a list where one value was expected)",
};

function unsupported(j: Json): FormulaError {
  const head = Array.isArray(j) ? String(j[0]) : "";
  return new FormulaError(
    `\`${latexOf(j)}\` is not part of the formula syntax${UNSUPPORTED_HINTS[head] ?? ""}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Translation

function read(j: Json): Node {
  if (typeof j === "number") return number(j);
  if (typeof j === "string") return j.startsWith("'") ? textName(j) : symbol(j);
  if (!Array.isArray(j)) return number(Number(j.num));
  const [head, ...args] = j;
  switch (head) {
    case "InvisibleOperator":
      return juxtaposition(args);
    case "Multiply":
      return fold("*", args);
    case "HadamardProduct":
    case "Ring":
      return fold(".*", args);
    case "Divide":
      return fold("/", args);
    case "Add":
    case "Subtract":
      return sumChain(j);
    case "Negate":
      return neg(read(args[0]));
    case "Power":
      return power(args[0], args[1]);
    case "Transpose":
    case "ConjugateTranspose":
      return transpose(read(args[0]));
    case "Prime":
      return transposed(read(args[0]), typeof args[1] === "number" ? args[1] : 1);
    case "Delimiter":
    case "List":
      if (args.length === 1 && !isHead(args[0], "Sequence")) return read(args[0]);
      if (args.length === 0) throw new FormulaError("empty parentheses `()`");
      throw unsupported(isHead(args[0], "Sequence") ? args[0] : j);
    case "Subscript":
      return subscript(args[0], args[1]);
    case "At":
      // `x [a + b]`: brackets group, as parentheses do.
      if (args.length !== 2) throw unsupported(j);
      return binary("*", read(args[0]), read(args[1]));
    case "UnderBrace":
      return read(args[0]);
    case "KroneckerDelta":
      // `\delta_{ij}`, `\delta_{i,j}`; with one subscript it is the name delta, as `x_i`, `W_{12}`.
      if (args.length === 1) return subscripted("delta", args[0]);
      if (args.length !== 2) throw unsupported(j);
      return call("delta", read(args[0]), read(args[1]));
    case "__unit__":
      return typeof args[0] === "string" ? symbol(args[0]) : read(args[0]);
    case "Sum":
      return sum(args);
    case "Norm":
      if (args.length > 1 && ![2, "'Frobenius'", "'F'", "F"].includes(args[1] as string)) {
        throw new FormulaError(
          `\`${latexOf(j)}\`: only the 2-norm (Frobenius for a matrix) is supported`,
        );
      }
      return call("norm", read(args[0]));
    case "Log":
    case "Ln":
      if (args.length > 1) throw new FormulaError(`\`${latexOf(j)}\`: only the natural log`);
      return call("log", read(args[0]));
  }
  const simple = SIMPLE_CALLS[head as string];
  if (simple && args.length === 1) return call(simple, read(args[0]));
  if (typeof head === "string" && head in ACCENTS) return nameLike(j, {});
  return appliedSymbol(j);
}

/** Engine operators that are one of our functions with one argument. */
const SIMPLE_CALLS: Readonly<Record<string, keyof typeof FUNCTIONS>> = {
  Abs: "abs",
  Sqrt: "sqrt",
  Exp: "exp",
  Tanh: "tanh",
  Trace: "trace",
  Sign: "sign",
  Mean: "mean",
};

function isHead(j: Json | undefined, head: string): j is Json[] {
  return Array.isArray(j) && j[0] === head;
}

function number(v: number): Node {
  if (!Number.isFinite(v)) throw new FormulaError(`${v} is not a number a formula can use`);
  return v < 0 ? neg(num(-v)) : num(v);
}

function fold(op: BinaryOp, args: Json[]): Node {
  if (args.length < 2) throw new FormulaError(`an operator is missing an operand`);
  return args.map(read).reduce((l, r) => binary(op, l, r));
}

/** `node` transposed `count` times. */
function transposed(node: Node, count: number): Node {
  for (let k = 0; k < count; k++) node = transpose(node);
  return node;
}

/**
 * A chain of `+` and `-` read left to right. The engine nests them as they come (`a + b - c` is
 * `["Add", "a", ["Subtract", "b", "c"]]`); without a `Delimiter` in between, the written signs
 * are what counts.
 */
function sumChain(j: Json): Node {
  const terms: { op: "+" | "-"; term: Json }[] = [];
  const walk = (e: Json, op: "+" | "-") => {
    if (isHead(e, "Add")) {
      e.slice(1).forEach((t, k) => walk(t, k === 0 ? op : "+"));
    } else if (isHead(e, "Subtract") && e.length === 3) {
      walk(e[1], op);
      walk(e[2], "-");
    } else terms.push({ op, term: e });
  };
  walk(j, "+");
  return terms.slice(1).reduce((acc, t) => binary(t.op, acc, read(t.term)), read(terms[0].term));
}

// ---- names ----------------------------------------------------------------------------------

/** True when a symbol names one of our functions (directly or by an alias). */
function functionOf(sym: string): keyof typeof FUNCTIONS | undefined {
  const fn = FUNCTION_ALIASES[sym] ?? sym;
  return isFunctionName(fn) ? fn : undefined;
}

/** `\text{lr}` (the engine's string `'lr'`) is the name `lr`. */
function textName(s: string): Node {
  const text = unquote(s);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(text)) {
    throw new FormulaError(`\`\\text{${text}}\` is not a name (letters, digits and _ only)`);
  }
  return name(text);
}

function symbol(sym: string): Node {
  return nameLike(sym, {});
}

/** What a name-like expression was decorated with, beyond its letters. */
interface NameParts {
  /** `W^{(2)}`: the layer number. */
  layer?: string;
  /** The subscript, as MathJSON. */
  sub?: Json;
}

/** True for expressions that read as a (decorated, subscripted) name. */
function isNameLike(j: Json): boolean {
  if (typeof j === "string") return !j.startsWith("'") && j !== "True";
  if (isHead(j, "__unit__")) return true;
  if (Array.isArray(j) && typeof j[0] === "string" && j[0] in ACCENTS) return isNameLike(j[1]);
  if (isHead(j, "Subscript")) return isNameLike(j[1]);
  return false;
}

/**
 * A name from a symbol (`W_bold_ij`), an accent (`["OverHat", "y"]`), a unit (`\mathrm{W}`) or a
 * subscript on one of these, with the layer number of a `^{(2)}` above it.
 */
function nameLike(j: Json, parts: NameParts): Node {
  if (isHead(j, "Subscript")) return nameLike(j[1], { ...parts, sub: j[2] });
  if (isHead(j, "__unit__")) return nameLike(String(j[1]), parts);
  let base: string, decoration = "", subs: string[] = [];
  if (typeof j === "string") {
    const segments = j.split("_");
    if (segments[0] === "one" && segments.slice(1).some((s) => STYLES.has(s))) {
      if (parts.sub !== undefined || parts.layer) throw unsupported(j);
      return num(1);
    }
    base = SYMBOLS[segments[0]] ?? segments[0];
    for (const s of segments.slice(1)) {
      if (STYLES.has(s)) continue;
      if (DECORATIONS.has(s) && !decoration) decoration = s;
      else subs.push(s);
    }
  } else if (Array.isArray(j) && typeof j[0] === "string" && j[0] in ACCENTS) {
    const inner = nameLike(j[1], {});
    if (inner.type !== "name") throw unsupported(j);
    [base, decoration] = [inner.name, ACCENTS[j[0]]];
  } else throw unsupported(j);
  if (base === "True" || base === "Nothing" || !/^[A-Za-z][A-Za-z0-9]*$/.test(base)) {
    throw unsupported(j);
  }
  const core = base + decoration + (parts.layer ?? "");
  if (parts.sub !== undefined) subs = [...subs, ""];
  if (subs.length > 1) throw unsupported(j);
  if (subs.length === 0) return plainName(core);
  return subscripted(core, subs[0] === "" ? parts.sub! : subs[0]);
}

/** A bare name; a function name used without its argument is a mistake worth naming. */
function plainName(n: string): Node {
  const fn = functionOf(n);
  if (fn && n.length > 1 && !GREEK_LETTERS.has(n)) {
    throw new FormulaError(`${n} is a function: give its argument in parentheses, as in ${n}(z)`);
  }
  return name(n);
}

/** The characters of a simple subscript (`ij`, `1j`, `12`, `hh`), or undefined. */
function subscriptText(sub: Json): string | undefined {
  if (typeof sub === "number") return Number.isInteger(sub) && sub >= 0 ? String(sub) : undefined;
  if (typeof sub === "string") return /^[A-Za-z0-9]+$/.test(sub) ? sub : undefined;
  if (isHead(sub, "InvisibleOperator")) {
    const parts = sub.slice(1).map(subscriptText);
    return parts.every((p) => p !== undefined && p.length === 1) ? parts.join("") : undefined;
  }
  return undefined;
}

/**
 * `core` with a subscript: digits extend the name (`W_{12}` is `W12`); one or two free-index
 * letters and digits read an entry (`W_{ij}`, `W_{1j}`); a comma always reads an entry
 * (`W_{1,2}`); other letters extend the name with an underscore (`x_t`).
 */
function subscripted(core: string, sub: Json): Node {
  const text = subscriptText(sub);
  if (text === undefined) return index(plainName(core), indices(sub));
  if (/^\d+$/.test(text)) return plainName(core + text);
  const indexLike = [...text].every((c) => FREE_INDEX_LETTERS.has(c) || /\d/.test(c));
  if (indexLike) {
    if (text.length > 2) {
      throw new FormulaError(`\`${core}_{${text}}\`: an entry takes one or two indices`);
    }
    return index(plainName(core), [...text].map((c) => /\d/.test(c) ? num(Number(c)) : name(c)));
  }
  return plainName(`${core}_${text}`);
}

/** The indices of an entry: `i`, `ij`, `i,j`, `1`, `(1, 2)`. */
function indices(sub: Json): Node[] {
  if (isHead(sub, "Delimiter") && isHead(sub[1], "Sequence")) return sub[1].slice(1).map(read);
  const text = subscriptText(sub);
  if (text !== undefined && /^[A-Za-z]+$/.test(text) && text.length <= 2) {
    return [...text].map((c) => name(c));
  }
  if (text !== undefined && text.length <= 2 && !/^\d+$/.test(text)) {
    return [...text].map((c) => /\d/.test(c) ? num(Number(c)) : name(c));
  }
  return [read(sub)];
}

function subscript(base: Json, sub: Json): Node {
  if (isHead(base, "UnderBrace")) return read(base[1]);
  if (isNameLike(base)) return nameLike(base, { sub });
  return index(read(base), indices(sub));
}

// ---- powers and transposes -------------------------------------------------------------------

/** How many transposes a superscript means (`\top`, `T`, `\mathsf{T}`, `\top\top`), or 0. */
function transposeCount(e: Json): number {
  if (e === "True" || e === "T") return 1;
  if (isHead(e, "__unit__") && e[1] === "T") return 1;
  if (isHead(e, "InvisibleOperator") && e.length > 1) {
    const counts = e.slice(1).map(transposeCount);
    return counts.every((c) => c > 0) ? counts.reduce((a, b) => a + b, 0) : 0;
  }
  return 0;
}

/**
 * `^{(2)}`, `^{(2)\top}`, `^{(2)'}`, and `^{[2]}` as some courses write it: the layer number and
 * the transposes after it.
 */
function layerOf(e: Json): { layer: string; transposes: number } | undefined {
  const layer = (d: Json) =>
    (isHead(d, "Delimiter") || isHead(d, "List")) && d.length === 2 && typeof d[1] === "number" &&
      Number.isInteger(d[1]) && d[1] >= 0
      ? String(d[1])
      : undefined;
  const direct = layer(e);
  if (direct) return { layer: direct, transposes: 0 };
  if (isHead(e, "InvisibleOperator") && layer(e[1])) {
    const t = transposeCount(["InvisibleOperator", ...e.slice(2)]);
    if (t > 0) return { layer: layer(e[1])!, transposes: t };
  }
  if (isHead(e, "Derivative") && layer(e[1])) {
    return { layer: layer(e[1])!, transposes: typeof e[2] === "number" ? e[2] : 1 };
  }
  return undefined;
}

function power(base: Json, e: Json): Node {
  const t = transposeCount(e);
  if (t > 0) return transposed(read(base), t);
  if (isNameLike(base)) {
    const layer = layerOf(e);
    if (layer) return transposed(nameLike(base, { layer: layer.layer }), layer.transposes);
    if (
      (isHead(e, "Delimiter") || isHead(e, "List")) && typeof e[1] === "string" && e.length === 2
    ) {
      throw new FormulaError(
        `\`${latexOf(base)}^{(${e[1]})}\`: a layer superscript must be a number, as in W^{(1)}`,
      );
    }
  }
  return powerOf(read(base), e);
}

/** `base^e` where the base is already read. */
function powerOf(base: Node, e: Json): Node {
  const t = transposeCount(e);
  if (t > 0) return transposed(base, t);
  return binary("^", base, read(e));
}

// ---- juxtaposition and calls -----------------------------------------------------------------

/** True for `(…)` and for `(…)` carrying a postfix: `(…)^2`, `(…)^\top`, `(…)'`, `(…)_i`. */
function isGroup(j: Json | undefined): boolean {
  if (isHead(j, "Delimiter")) return true;
  if (
    isHead(j, "Power") || isHead(j, "Transpose") || isHead(j, "Prime") || isHead(j, "Subscript")
  ) {
    return isGroup(j[1]);
  }
  return false;
}

/** The arguments of the group inside `j` (`(a)` has one, `(i, j)` two, `()` none). */
function groupArgs(j: Json[]): Json[] {
  if (j[0] !== "Delimiter") return groupArgs(j[1] as Json[]);
  const first = j[1];
  return first === undefined ? [] : isHead(first, "Sequence") ? first.slice(1) : [first];
}

/**
 * `make` applied to the arguments of the group inside `j`, then the postfixes around it:
 * `\sigma(a)^2` comes from the engine as `["InvisibleOperator", "sigma", ["Power", ["Delimiter",
 * "a"], 2]]` and is the square of `sigmoid(a)`.
 */
function applyToGroup(j: Json[], make: (args: Json[]) => Node): Node {
  if (j[0] === "Delimiter") return make(groupArgs(j));
  const inner = applyToGroup(j[1] as Json[], make);
  switch (j[0]) {
    case "Power":
      return powerOf(inner, j[2]);
    case "Transpose":
      return transpose(inner);
    case "Prime":
      return transposed(inner, typeof j[2] === "number" ? j[2] : 1);
    default:
      return index(inner, indices(j[2]));
  }
}

/** `fn(args)`, checking the number of arguments. */
function callOf(sym: string, fn: keyof typeof FUNCTIONS, args: Json[]): Node {
  if (args.length !== FUNCTIONS[fn]) {
    const want = FUNCTIONS[fn];
    throw new FormulaError(
      `${sym} takes ${want} argument${want === 1 ? "" : "s"}, got ${args.length}`,
    );
  }
  return call(fn, ...args.map(read));
}

/** The function a factor names when a group follows it: `sigma`, `\operatorname{softmax}`, `H`. */
function calledFunction(j: Json): { sym: string; fn: keyof typeof FUNCTIONS } | undefined {
  const sym = isHead(j, "__unit__") ? String(j[1]) : j;
  if (typeof sym !== "string" || sym.startsWith("'")) return undefined;
  // `\operatorname{ReLU}(x)`, `\operatorname{Tr}(A)`: words are functions whatever their case.
  const fn = functionOf(sym) ??
    (sym.length > 1 && !GREEK_LETTERS.has(sym) ? functionOf(sym.toLowerCase()) : undefined);
  return fn ? { sym, fn } : undefined;
}

/**
 * Factors written side by side: a product read left to right, where a function name followed by
 * a group is a call (`\sigma(a)(1 - \sigma(a))`), and `\sigma^2(a)` squares the call.
 */
function juxtaposition(items: Json[]): Node {
  const factors: Node[] = [];
  const list = items.filter((j) => !isHead(j, "HorizontalSpacing"));
  for (let k = 0; k < list.length; k++) {
    const next = list[k + 1];
    // `-\sigma(a)` comes as `["Negate", "sigma"]` before the group: the minus goes outside.
    let item = list[k], minus = 0;
    while (isHead(item, "Negate") && isGroup(next)) [item, minus] = [item[1], minus + 1];
    const negated = (node: Node) => {
      for (let m = 0; m < minus; m++) node = neg(node);
      return node;
    };
    const powered = isHead(item, "Power") ? calledFunction(item[1]) : undefined;
    const callee = calledFunction(item) ?? powered;
    if (callee && isGroup(next)) {
      const n = next as Json[];
      // `\delta (o - y)`: the name delta times a group; delta(i, j) takes two arguments.
      if (callee.fn !== "delta" || groupArgs(n).length === 2) {
        const made = applyToGroup(n, (a) => callOf(callee.sym, callee.fn, a));
        if (powered) {
          const e = (item as Json[])[2];
          if (isHead(e, "Negate")) {
            throw new FormulaError(
              `\`${callee.sym}^{-1}\`: inverse functions are not part of the formula syntax`,
            );
          }
          factors.push(negated(powerOf(made, e)));
        } else factors.push(negated(made));
        k++;
        continue;
      }
    }
    if (typeof item === "string" && isGroup(next)) misspeltFunction(item);
    factors.push(negated(read(item)));
  }
  if (factors.length === 0) throw new FormulaError("an empty group where a value was expected");
  return factors.reduce((l, r) => binary("*", l, r));
}

/**
 * A word in front of parentheses that is close to a function name (`\operatorname{softmx}(z)`)
 * is a misspelt call, not a product: say so. Other words (`\mathrm{lr}(a + b)`) multiply.
 */
function misspeltFunction(sym: string): void {
  if (sym.length < 3 || GREEK_LETTERS.has(sym) || !/^[A-Za-z]+$/.test(sym)) return;
  const hint = didYouMean(sym, [...Object.keys(FUNCTIONS), ...Object.keys(FUNCTION_ALIASES)]);
  if (hint) throw new FormulaError(`unknown function ${sym}${hint}`);
}

/**
 * An engine function head we do not know: a single letter or Greek name in front of parentheses
 * (`W(o - y)` is `["W", ["Subtract", "o", "y"]]`) is a product, or a call for a function alias
 * (`H(x)` is the step function).
 */
function appliedSymbol(j: Json): Node {
  if (!Array.isArray(j) || typeof j[0] !== "string") throw unsupported(j);
  const head = SYMBOLS[j[0]] ?? j[0];
  const args = j.slice(1);
  const fn = functionOf(head);
  if (fn && /^[A-Za-z]$/.test(head)) return callOf(head, fn, args);
  const letter = head.split("_")[0];
  if ((/^[A-Za-z]$/.test(letter) || GREEK_LETTERS.has(letter)) && args.length === 1) {
    return binary("*", symbol(head), read(args[0]));
  }
  throw unsupported(j);
}

/** `\sum x` is `sum(x)`; `\sum_i x_i` is `sum(x)` (the sum over the index, whatever the limits). */
function sum(args: Json[]): Node {
  const body = read(args[0]);
  if (args.length === 1) return call("sum", body);
  const over = isHead(args[1], "Tuple") ? args[1][1] : undefined;
  if (
    typeof over === "string" && body.type === "index" && body.indices.length === 1 &&
    body.indices[0].type === "name" && body.indices[0].name === over
  ) {
    return call("sum", body.base);
  }
  throw new FormulaError(
    `\`${latexOf(["Sum", ...args])}\`: a sum with an index is read only as \\sum_i x_i; ` +
      `write \\sum x for the sum of all entries`,
  );
}
