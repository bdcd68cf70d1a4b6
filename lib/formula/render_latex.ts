/**
 * Formulas printed as LaTeX, with the fewest parentheses (`\left( \right)`) that keep the meaning,
 * and rendered to MathML by KaTeX. {@linkcode parseLatex} reads the printed text back to the same
 * tree (shape annotations included: they are skipped).
 *
 * Notation: `W2' * (o - y)` is `W_{2}^{\top} \left(o - y\right)`; `.*` is `\odot`; `/` is
 * `\frac{}{}`; `sigmoid` is `\sigma`; `softmax`, `diag`, `relu` are `\operatorname{…}`, `trace` is
 * `\operatorname{tr}`, `heaviside` is `\operatorname{H}`, `norm(x)` is `\lVert x\rVert`,
 * `delta(i, j)` is `\delta_{ij}`, `sum(x)` is `\sum x`; names: `W1` is `W_{1}`, `yhat` is
 * `\hat{y}`, `lambda` is `\lambda`, `lr` is `\operatorname{lr}`, `x[i]` is `x_{i}`, `W[i, j]` is
 * `W_{ij}`, `x[1]` is `\left(x\right)_{1}` (`x_{1}` is the name `x1`).
 *
 * @module
 */

import katex from "katex";
import { isFunctionName, type Node } from "./ast.ts";
import { DECORATIONS, FREE_INDEX_LETTERS, GREEK_LETTERS } from "./parse_latex.ts";
import { FUNCTION_ALIASES } from "./parse_plain.ts";
import { escapeHtml } from "../view/table.ts";

/** Binding strength in the printed LaTeX: higher binds tighter. */
const SUM = 1, PRODUCT = 2, NEG = 3, FRAC = 3.5, POWER = 4, ATOM = 5;

/** Functions printed as `\operatorname{…}`, by their printed name. */
const OPERATOR_NAMES: Readonly<Record<string, string>> = {
  trace: "tr",
  heaviside: "H",
};
/** Functions with a LaTeX command of their own. */
const COMMANDS: Readonly<Record<string, string>> = {
  sigmoid: "\\sigma",
  exp: "\\exp",
  log: "\\log",
  tanh: "\\tanh",
};

const GREEK_RE = [...GREEK_LETTERS].sort((a, b) => b.length - a.length).join("|");
/** A letter or Greek name, an accent, digits: `W1`, `yhat`, `lambda2`, `xtilde1`. */
const SIMPLE_NAME = new RegExp(`^(${GREEK_RE}|[A-Za-z])(${[...DECORATIONS].join("|")})?(\\d*)$`);

/** True when a subscript would read as an entry rather than as part of a name. */
function indexLike(sub: string): boolean {
  return /^\d+$/.test(sub) || [...sub].every((c) => FREE_INDEX_LETTERS.has(c) || /\d/.test(c));
}

/**
 * A name in LaTeX: `W_{1}`, `\hat{y}`, `\lambda`, `\operatorname{lr}`, `x_{t}`, and `\text{x\_i}`
 * for a name the reader would otherwise split (`x_{i}` is an entry).
 */
function nameLatex(n: string): string {
  const m = n.match(SIMPLE_NAME);
  if (m) {
    const letter = m[1].length > 1 ? `\\${m[1]}` : m[1];
    const accented = m[2] ? `\\${m[2]}{${letter}}` : letter;
    return m[3] ? `${accented}_{${m[3]}}` : accented;
  }
  const word = n.match(/^([A-Za-z]+)(\d*)$/);
  if (word) return `\\operatorname{${word[1]}}${word[2] ? `_{${word[2]}}` : ""}`;
  const sub = n.match(/^([A-Za-z]+)_([A-Za-z0-9]+)$/);
  if (sub && !indexLike(sub[2])) {
    const base = sub[1].match(SIMPLE_NAME)?.[3] === "" ? nameLatex(sub[1]) : undefined;
    if (base) return `${base}_{${sub[2]}}`;
  }
  // `\text{…}` is read as it stands, but only with an underscore inside: `\text{dW}^{2}` would read
  // as a unit.
  return n.includes("_") ? `\\text{${n.replace(/_/g, "\\_")}}` : `\\operatorname{${n}}`;
}

/**
 * A number written out in decimal, digit for digit as JavaScript prints it: `1e-7` is
 * `0.0000001` (the reader takes it exactly; `10^{-7}` would read as a power).
 */
function formatNum(v: number): string {
  const s = String(v);
  const m = s.match(/^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? ""), exponent = Number(m[4]);
  if (exponent < 0) return `${m[1]}0.${"0".repeat(-exponent - 1)}${digits}`;
  if (exponent >= digits.length - 1) {
    return m[1] + digits + "0".repeat(exponent - digits.length + 1);
  }
  return `${m[1]}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

function isSumCall(node: Node): boolean {
  return node.type === "call" && node.fn === "sum";
}
function isNegative(node: Node): boolean {
  return node.type === "neg" || (node.type === "num" && node.value < 0);
}

function precedence(node: Node): number {
  switch (node.type) {
    case "binary":
      return node.op === "+" || node.op === "-"
        ? SUM
        : node.op === "/"
        ? FRAC
        : node.op === "^"
        ? POWER
        : PRODUCT;
    case "neg":
      return NEG;
    case "num":
      return node.value < 0 ? NEG : ATOM;
    case "call":
      // `\sum x y` is the sum of x y: a sum takes in the factors after it, like a product.
      return node.fn === "sum" ? PRODUCT : ATOM;
    default:
      return ATOM;
  }
}

/** True when `^{…}`, `^{\top}` or `_{…}` may follow the node's LaTeX without parentheses. */
function takesPostfix(node: Node, postfix: "power" | "index"): boolean {
  switch (node.type) {
    case "name":
      // `\delta_{t,3}` would read as delta(t, 3): the name delta takes its entries in parentheses.
      return postfix === "power" || (!nameLatex(node.name).includes("_") && node.name !== "delta");
    case "num":
      return node.value >= 0;
    case "call":
      return node.fn !== "sum" && node.fn !== "delta" &&
        (postfix === "power" || node.fn !== "norm");
    case "index":
      return postfix === "power";
    default:
      return false;
  }
}

function parens(s: string): string {
  return `\\left(${s}\\right)`;
}

/**
 * The node as LaTeX.
 * @param options.shapeOf the shape `[rows, columns]` of a subterm (by node identity), when known:
 * every factor of a product (`*` or `.*`) is then set over its shape,
 * `\underbrace{W_{2}^{\top}}_{5\times 2}`; numbers are not annotated
 * @param options.marks colours of subterms (by node identity): each is set in its colour,
 * `\textcolor{#cf222e}{…}` (KaTeX's MathML gives an `mstyle` with that `mathcolor`, which a page may
 * also style with a background); the report marks the edit that repairs a formula this way
 * @example
 * ```ts
 * import { toLatex } from "./render_latex.ts";
 * import { parsePlain } from "./parse_plain.ts";
 * if (toLatex(parsePlain("W2' * (o - y)")) !== "W_{2}^{\\top} \\left(o - y\\right)") throw new Error();
 * if (toLatex(parsePlain("sigmoid(a) .* (1 - sigmoid(a))")) !== "\\sigma\\left(a\\right) \\odot \\left(1 - \\sigma\\left(a\\right)\\right)") {
 *   throw new Error();
 * }
 * const shapes = new Map([["W", [5, 2]], ["x", [2, 1]]]);
 * const tree = parsePlain("W * x");
 * const shapeOf = (n: typeof tree) => n.type === "name" ? shapes.get(n.name) : undefined;
 * if (toLatex(tree, { shapeOf }) !== "\\underbrace{W}_{5\\times 2} \\underbrace{x}_{2\\times 1}") {
 *   throw new Error();
 * }
 * ```
 */
export function toLatex(
  node: Node,
  options: {
    shapeOf?: (node: Node) => readonly number[] | undefined;
    marks?: ReadonlyMap<Node, string>;
  } = {},
): string {
  const wrap = (child: Node, min: number) =>
    precedence(child) < min ? parens(tex(child)) : tex(child);
  /** The base of `^{…}` or `^{\top}`. */
  const base = (child: Node) => takesPostfix(child, "power") ? tex(child) : parens(tex(child));
  const annotate = (factor: Node, s: string) => {
    const shape = factor.type === "num" ? undefined : options.shapeOf?.(factor);
    return shape ? `\\underbrace{${s}}_{${shape.join("\\times ")}}` : s;
  };

  /** A chain of `*` or `.*` (read left to right), each factor annotated with its shape. */
  const product = (n: Node & { type: "binary" }): string => {
    const factors: Node[] = [];
    let left: Node = n;
    while (left.type === "binary" && left.op === n.op) {
      factors.unshift(left.right);
      left = left.left;
    }
    factors.unshift(left);
    const other = n.op === "*" ? ".*" : "*";
    const mixed = (f: Node) => f.type === "binary" && f.op === other;
    const raw = factors.map((f, k) =>
      k === 0
        ? (precedence(f) < PRODUCT || isSumCall(f) || mixed(f) ? parens(tex(f)) : tex(f))
        : (precedence(f) <= PRODUCT || isNegative(f) ? parens(tex(f)) : tex(f))
    );
    // Juxtaposition unless it would be misread: `2 3` is 23, `\sigma \left(a\right)` is σ(a).
    const needsDot = raw.some((s, k) => {
      if (k === 0) return false;
      let prev = factors[k - 1];
      while (prev.type === "neg") prev = prev.arg; // `-\sigma (a)` reads as -σ(a) too
      // A function's name (`\sigma`, `H`) or a word (`\operatorname{relus}`, a misspelt call)
      // before parentheses would read as a call.
      const callLike = prev.type === "name" &&
        (isFunctionName(FUNCTION_ALIASES[prev.name] ?? prev.name) ||
          nameLatex(prev.name).startsWith("\\operatorname"));
      return /^\d/.test(s) || (callLike && s.startsWith("\\left("));
    });
    const sep = n.op === ".*" ? " \\odot " : needsDot ? " \\cdot " : " ";
    // A thin space keeps juxtaposed words apart (`dhs \, diag(…)` would render as dhsdiag(…)).
    const word = /\\operatorname|\\text\{/;
    return raw.map((s, k) => annotate(factors[k], s)).reduce((out, s, k) =>
      sep === " " && (word.test(raw[k - 1]) || word.test(raw[k]))
        ? `${out} \\, ${s}`
        : `${out}${sep}${s}`
    );
  };

  const callLatex = (n: Node & { type: "call" }): string => {
    const arg = n.args[0];
    switch (n.fn) {
      case "sqrt":
        return `\\sqrt{${tex(arg)}}`;
      case "abs":
        return `\\left|${tex(arg)}\\right|`;
      case "norm":
        return `\\left\\lVert ${tex(arg)}\\right\\rVert`;
      case "sum":
        return `\\sum ${wrap(arg, PRODUCT)}`;
      case "delta": {
        const parts = n.args.map(tex);
        const compact = parts.every((p) => /^[A-Za-z0-9]$/.test(p)) &&
          /[A-Za-z]/.test(parts.join(""));
        return `\\delta_{${parts.join(compact ? "" : ",")}}`;
      }
    }
    const head = COMMANDS[n.fn] ?? `\\operatorname{${OPERATOR_NAMES[n.fn] ?? n.fn}}`;
    return `${head}${parens(n.args.map(tex).join(", "))}`;
  };

  const indexLatex = (n: Node & { type: "index" }): string => {
    const parts = n.indices.map(tex);
    const letters = parts.join("");
    // `W_{ij}`, `x_{i}`, `W_{1j}`: one or two free-index letters and digits; otherwise commas.
    const compact = parts.every((p) => /^[A-Za-z0-9]$/.test(p)) && /[A-Za-z]/.test(letters) &&
      indexLike(letters);
    const sub = compact ? letters : parts.join(",");
    const b = n.base;
    if (b.type === "name" && takesPostfix(b, "index") && (compact || parts.length === 2)) {
      return `${tex(b)}_{${sub}}`;
    }
    // `\operatorname{softmax}\left(z\right)_{i}`; any other base in parentheses.
    const inner = b.type === "call" && takesPostfix(b, "index") ? tex(b) : parens(tex(b));
    return `${inner}_{${sub}}`;
  };

  function tex(n: Node): string {
    const colour = options.marks?.get(n);
    return colour === undefined ? plain(n) : `\\textcolor{${colour}}{${plain(n)}}`;
  }

  function plain(n: Node): string {
    switch (n.type) {
      case "num":
        return formatNum(n.value);
      case "name":
        return nameLatex(n.name);
      case "neg":
        return `-${isNegative(n.arg) || isSumCall(n.arg) ? parens(tex(n.arg)) : wrap(n.arg, FRAC)}`;
      case "transpose":
        return `${base(n.arg)}^{\\top}`;
      case "call":
        return callLatex(n);
      case "index":
        return indexLatex(n);
      case "binary":
        switch (n.op) {
          case "+":
          case "-": {
            const right = precedence(n.right) <= SUM || isNegative(n.right)
              ? parens(tex(n.right))
              : tex(n.right);
            return `${tex(n.left)} ${n.op} ${right}`;
          }
          case "/":
            return `\\frac{${tex(n.left)}}{${tex(n.right)}}`;
          case "^":
            return `${base(n.left)}^{${tex(n.right)}}`;
          default:
            return product(n);
        }
    }
  }
  return tex(node);
}

/**
 * LaTeX rendered as MathML by KaTeX: self-contained markup (no CSS, no fonts) that Chromium,
 * Firefox, Safari and Jupyter's HTML outputs show as is. When KaTeX cannot render the source,
 * the source itself comes back in an escaped `<code>` element, with KaTeX's reason as its title.
 * @param options.display display style (a block, larger operators); default false (inline)
 * @example
 * ```ts
 * import { renderMath } from "./render_latex.ts";
 * if (!renderMath("W_{2}^{\\top} x").includes("<math")) throw new Error();
 * if (!renderMath("\\frac{1}{").startsWith("<code")) throw new Error();
 * ```
 */
export function renderMath(latex: string, options: { display?: boolean } = {}): string {
  try {
    return katex.renderToString(latex, {
      output: "mathml",
      displayMode: options.display ?? false,
      throwOnError: true,
      strict: "ignore",
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return `<code class="math-error" title="${escapeHtml(reason)}">${escapeHtml(latex)}</code>`;
  }
}
