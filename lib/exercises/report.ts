/**
 * Rendering the catalog: claim tables for terminals and pages, the per-sheet summary, the list of
 * errata, and the standalone offline HTML report (plotly.js inlined once, every exercise's table
 * and figures). Pure: builds strings, never prints or writes.
 *
 * @example
 * ```ts
 * import { formatValue } from "./report.ts";
 * if (formatValue([0.5, 1 / 3]) !== "[0.5, 0.333333]") throw new Error(formatValue([0.5, 1 / 3]));
 * ```
 *
 * @module
 */

import type { ClaimsReport } from "../formula/claims_report.ts";
import type { ClaimResult } from "../formula/check_claims.ts";
import { changedSubterm, index, name, type Node, sameTree } from "../formula/ast.ts";
import { parseFormula } from "../formula/parse.ts";
import { renderMath, toLatex } from "../formula/render_latex.ts";
import { figureHtml, type FigureSpec, htmlPage } from "../view/figure.ts";
import { escapeHtml, htmlTable, type Table } from "../view/table.ts";
import {
  type CheckedClaim,
  type Claim,
  CLAIM_STATUSES,
  type ClaimFormulas,
  type ClaimStatus,
  type ClaimValue,
  type ExerciseResult,
  type FormulaCheck,
} from "./claim.ts";
import { claimsOf, SHEETS, summarizeBySheet } from "./catalog.ts";
import { SHEET_DATA } from "./sheets.ts";

/** Significant digits of numbers in tables. */
export const TABLE_DIGITS = 6;
/** Longest cell text in terminal tables before it is cut with "…". */
export const MAX_CELL = 60;

/** A claim value as table text: numbers to {@linkcode TABLE_DIGITS} digits, arrays in brackets. */
export function formatValue(v: ClaimValue): string {
  if (v === null) return "—";
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(TABLE_DIGITS)));
  }
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  return `[${v.map(formatValue).join(", ")}]`;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** One row per claim: exercise, question, statement, sheet value, computed value, status. */
export function claimTable(
  claims: readonly Claim[],
  options: { maxCell?: number; caption?: string; notes?: boolean } = {},
): Table {
  const max = options.maxCell ?? MAX_CELL;
  const headers = [
    "exercise",
    "sheet",
    "question",
    "statement",
    "sheet says",
    "computed",
    "status",
  ];
  if (options.notes) headers.push("note");
  return {
    caption: options.caption,
    headers,
    rows: claims.map((c) => {
      const row = [
        c.exercise,
        c.sheet,
        c.question,
        cut(c.statement, max),
        cut(formatValue(c.expected), max),
        cut(formatValue(c.computed), max),
        c.status,
      ];
      if (options.notes) row.push(c.note);
      return row;
    }),
  };
}

/** Claims per status for each sheet, with a total row. */
export function summaryTable(claims: readonly Claim[]): Table {
  const rows = summarizeBySheet(claims).map(({ sheet, counts }) => [
    sheet,
    ...CLAIM_STATUSES.map((s) => String(counts[s])),
    String(CLAIM_STATUSES.reduce((n, s) => n + counts[s], 0)),
  ]);
  rows.push([
    "all",
    ...CLAIM_STATUSES.map((s) => String(claims.filter((c) => c.status === s).length)),
    String(claims.length),
  ]);
  return {
    caption: "Claims per sheet and status",
    headers: ["sheet", ...CLAIM_STATUSES, "total"],
    rows,
  };
}

/** The errata, one line each, in sheet order: `sheet question (exercise/claim): note`. */
export function errataLines(claims: readonly Claim[]): string[] {
  return claims.filter((c) => c.status === "erratum").sort((a, b) => a.sheet.localeCompare(b.sheet))
    .map((c) => `${c.sheet} ${c.question} (${c.exercise}/${c.claim}): ${c.note}`);
}

/** Colors the status cells of an HTML table produced by `htmlTable`. */
function markStatuses(html: string): string {
  return html.replace(
    new RegExp(`<td>(${CLAIM_STATUSES.join("|")})</td>`, "g"),
    (_, s) => `<td class="${s}">${s}</td>`,
  );
}

/**
 * Marks every figure `data-rendered="true"` once Plotly has drawn it (after the page's load
 * event), counts figures in `data-figures` / `data-figures-rendered` on `<body>`, does the same
 * for MathML formulas (`data-math` / `data-math-rendered`: a `<math>` element the browser laid out
 * as MathML, with a box of non-zero size; folded `<details>` are opened while they are measured,
 * and closed again), and records script errors and `console.error` calls in
 * its `data-page-errors` attribute, so a headless browser's DOM dump shows all of it.
 */
export const RENDER_PROBE: string =
  `<script>(function(){var errs=[];function keep(m){errs.push(String(m));` +
  `document.body.setAttribute("data-page-errors",JSON.stringify(errs));}` +
  `window.addEventListener("error",function(e){keep(e.message||"script error");});` +
  `var ce=console.error;console.error=function(){keep(Array.prototype.join.call(arguments," "));` +
  `return ce.apply(console,arguments);};` +
  `window.addEventListener("load",function(){var figs=document.querySelectorAll("[data-figure]");` +
  `var done=0;figs.forEach(function(el){if(el.classList.contains("js-plotly-plot")&&` +
  `el.querySelector("svg.main-svg")){el.setAttribute("data-rendered","true");done++;}});` +
  `document.body.setAttribute("data-figures",String(figs.length));` +
  `document.body.setAttribute("data-figures-rendered",String(done));` +
  `var shut=document.querySelectorAll("details:not([open])");` +
  `shut.forEach(function(d){d.open=true;});` +
  `var maths=document.querySelectorAll("math"),laid=0;maths.forEach(function(m){` +
  `var r=m.getBoundingClientRect();if(typeof MathMLElement!=="undefined"&&` +
  `m instanceof MathMLElement&&r.width>0&&r.height>0){m.setAttribute("data-rendered","true");` +
  `laid++;}});shut.forEach(function(d){d.open=false;});` +
  `document.body.setAttribute("data-math",String(maths.length));` +
  `document.body.setAttribute("data-math-rendered",String(laid));});})();</script>`;

/** Where the sheets' worked mistakes, typed as formulas, live in the repository. */
export const SHEET_MISTAKES_FILE = "data/formulas/sheet_mistakes.json";

/** Suffix of the claim ids in {@linkcode SHEET_MISTAKES_FILE} that state a correction (which must
 * hold); every other id states a sheet's formula as printed (which must fail). */
export const CORRECTED_SUFFIX = "-corrected";

/** A claim whose verdict is not the one its id promises. */
export interface FormulaSurprise {
  /** The claim's id. */
  id: string;
  /** What the id promises: a sheet formula fails, a correction holds. */
  expected: "holds" | "fails";
  /** The checker's kind (or `invalid`). */
  kind: string;
  /** The checker's reason. */
  message: string;
}

/**
 * The claims of checked formula problems whose verdict contradicts their id: a correction
 * (`…-corrected`) that does not hold, or a sheet formula that does.
 * @example
 * ```ts
 * import { checkClaims } from "../formula/check_claims.ts";
 * import { formulaSurprises } from "./report.ts";
 * const report = checkClaims({
 *   given: { x: "3" },
 *   f: "sum(x^2) / 2",
 *   claims: [{ id: "q1", d: "x", claim: "2 * x" }, { id: "q1-corrected", d: "x", claim: "x" }],
 * });
 * if (formulaSurprises([report]).length !== 0) throw new Error("q1 fails, its correction holds");
 * ```
 */
export function formulaSurprises(reports: readonly ClaimsReport[]): FormulaSurprise[] {
  return reports.flatMap((r) => r.results).flatMap((c) => {
    const corrected = c.id.endsWith(CORRECTED_SUFFIX);
    return corrected === c.ok
      ? []
      : [{ id: c.id, expected: corrected ? "holds" : "fails", kind: c.kind, message: c.message }];
  });
}

/** One line: how many sheet formulas fail and how many corrections hold. */
export function formulaSummary(reports: readonly ClaimsReport[]): string {
  const all = reports.flatMap((r) => r.results);
  const corrections = all.filter((c) => c.id.endsWith(CORRECTED_SUFFIX));
  const sheet = all.filter((c) => !c.id.endsWith(CORRECTED_SUFFIX));
  const fixes = sheet.filter((c) => c.fix !== undefined).length;
  return `${sheet.filter((c) => !c.ok).length} of ${sheet.length} sheet formulas fail ` +
    `(${fixes} with a verified one-edit fix), ` +
    `${corrections.filter((c) => c.ok).length} of ${corrections.length} corrections hold`;
}

/**
 * The section "Derivations checked as formulas": the sheets' worked mistakes, each typed as the
 * sheet prints it and next to its correction, checked by `checkClaims` (one report per problem,
 * with rendered formulas, coloured verdicts and verified fixes).
 */
export function formulaSection(reports: readonly ClaimsReport[]): string {
  return `<h2 id="formulas">Derivations checked as formulas</h2>` +
    `<p>The sheets' worked mistakes typed as formulas (<code>${SHEET_MISTAKES_FILE}</code>, ` +
    `also <code>deno task check ${SHEET_MISTAKES_FILE}</code>): a claim named after a sheet and ` +
    `question is the sheet's formula as printed and should fail; the one ending in ` +
    `<code>${CORRECTED_SUFFIX}</code> is the correct formula and should hold. Every derivative ` +
    `is compared with central differences of the problem's function at three random draws. ` +
    `${escapeHtml(formulaSummary(reports))}.</p>\n` +
    reports.map((r) =>
      `<section class="formula-problem" id="${escapeHtml(formulaAnchor(r))}">${r.html()}</section>`
    ).join("\n");
}

/**
 * Natural order of a sheet's question labels, as the sheet asks them: runs of digits compare as
 * numbers, letters without regard to case, a leading `§` is ignored, a label before its
 * continuations (`Q1` < `Q1.A` < `Q1.B` < `Q2.A`; `1a` < `2.1` < `§3` < `5c` < `9a`;
 * `Ex2` < `Ex10`).
 * @example
 * ```ts
 * import { compareQuestions } from "./report.ts";
 * const order = ["Q2.A", "Q1.B", "Q10.A", "Q1.A"].sort(compareQuestions);
 * if (order.join() !== "Q1.A,Q1.B,Q2.A,Q10.A") throw new Error(order.join());
 * ```
 */
export function compareQuestions(a: string, b: string): number {
  const tokens = (q: string) =>
    q.trim().replace(/^[^A-Za-z0-9]+/, "").toLowerCase().match(/\d+|\D+/g) ?? [];
  const ta = tokens(a), tb = tokens(b);
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i], y = tb[i];
    const nx = /^\d/.test(x), ny = /^\d/.test(y);
    if (nx && ny) {
      if (Number(x) !== Number(y)) return Number(x) - Number(y);
    } else if (nx !== ny) {
      return nx ? -1 : 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return ta.length - tb.length;
}

/** Claims in the sheets' order: by sheet, then each sheet's question order; ties keep their order. */
export function inSheetOrder<T extends { claim: Claim }>(claims: readonly T[]): T[] {
  return claims.map((c, i) => ({ c, i })).sort((p, q) =>
    p.c.claim.sheet.localeCompare(q.c.claim.sheet) ||
    compareQuestions(p.c.claim.question, q.c.claim.question) || p.i - q.i
  ).map((p) => p.c);
}

/** The colour of each verdict on the page. */
export const STATUS_COLOURS: Readonly<Record<ClaimStatus, string>> = {
  verified: "#1a7f37",
  erratum: "#cf222e",
  unverifiable: "#9a6700",
  extension: "#0969da",
};

/** The teacher's mark beside each verdict. */
export const STATUS_MARKS: Readonly<Record<ClaimStatus, string>> = {
  verified: "✓",
  erratum: "✗",
  unverifiable: "?",
  extension: "+",
};

/** Colour of the wrong subterm in the sheet's formula (set by `\textcolor`, boxed by the page). */
export const WRONG_MARK = "#cf222e";
/** Colour of the subterm the repairing edit puts in its place. */
export const RIGHT_MARK = "#1a7f37";

/** The LaTeX of the formulas of a claim, with the repairing edit marked. */
export interface MarkedLatex {
  /** What the formulas equal (`\frac{\partial f}{\partial W_{ij}}`, an identity's left side). */
  lhs?: string;
  /** The sheet's formula, the subterm the edit replaces in {@linkcode WRONG_MARK}. */
  sheet?: string;
  /** The correction, what differs from the sheet's formula in {@linkcode RIGHT_MARK}. */
  correction?: string;
  /** The formula the repair search found (one edit), the replacing subterm marked. */
  fix?: string;
  /** True when the fix is the correction itself. */
  fixIsCorrection: boolean;
  /** True when a subterm is marked in the sheet's formula. */
  marked: boolean;
}

/** `name` or `name_{i j}` in LaTeX. */
function symbolLatex(n: string, indices: readonly string[] = []): string {
  return toLatex(indices.length ? index(name(n), indices.map(name)) : name(n));
}

/**
 * What a formula claim's formula is claimed equal to, in LaTeX: `\frac{\partial f}{\partial w}`
 * (a gradient; `W_{ij}` for an entry), `\frac{\partial s_{i}}{\partial x_{j}}` (a Jacobian),
 * `\nabla^{2}_{w} f` (a Hessian), an identity's left side; `undefined` for a value.
 * @example
 * ```ts
 * import { lhsLatex } from "./report.ts";
 * const tex = lhsLatex({ d: "W", entry: "i,j" });
 * if (tex !== "\\frac{\\partial f}{\\partial W_{ij}}") throw new Error(tex);
 * ```
 */
export function lhsLatex(check: FormulaCheck): string | undefined {
  const entry = (check.entry ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  try {
    if (check.identity !== undefined) return toLatex(parseFormula(check.identity));
    if (check.hessian !== undefined) return `\\nabla^{2}_{${symbolLatex(check.hessian)}} f`;
    if (check.jacobian !== undefined && check.d !== undefined) {
      const of = parseFormula(check.jacobian);
      const top = entry.length ? toLatex(index(of, [name(entry[0])])) : toLatex(of);
      return `\\frac{\\partial ${top}}{\\partial ${symbolLatex(check.d, entry.slice(1))}}`;
    }
    if (check.d !== undefined) {
      return `\\frac{\\partial f}{\\partial ${symbolLatex(check.d, entry)}}`;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The formulas of a claim as LaTeX, the repairing edit marked: the smallest subterm in which the
 * fix (else the correction) differs from the sheet's formula is set in {@linkcode WRONG_MARK} in
 * the sheet's formula and in {@linkcode RIGHT_MARK} in the fix; the correction marks what differs
 * from the sheet's formula unless that is the whole formula (a correction written anew).
 */
export function markedLatex(f: ClaimFormulas): MarkedLatex {
  const sheet = f.sheet.tree, fix = f.sheet.fixTree, right = f.correction?.tree;
  const sheetMarks = new Map<Node, string>(), fixMarks = new Map<Node, string>();
  const rightMarks = new Map<Node, string>();
  if (sheet && fix) {
    const edit = changedSubterm(sheet, fix);
    if (edit) {
      sheetMarks.set(edit.before, WRONG_MARK);
      fixMarks.set(edit.after, RIGHT_MARK);
    }
  }
  if (sheet && right) {
    const edit = changedSubterm(sheet, right);
    if (edit && edit.path.length > 0) {
      rightMarks.set(edit.after, RIGHT_MARK);
      if (!fix) sheetMarks.set(edit.before, WRONG_MARK);
    }
  }
  const fixIsCorrection = fix !== undefined && right !== undefined && sameTree(fix, right);
  const out: MarkedLatex = { fixIsCorrection, marked: sheetMarks.size > 0 };
  const lhs = lhsLatex(f.check);
  if (lhs !== undefined) out.lhs = lhs;
  if (sheet) out.sheet = toLatex(sheet, { marks: sheetMarks });
  // The fix's marks are its own nodes: when it is the correction, the correction is shown as the fix.
  if (right) {
    out.correction = fixIsCorrection
      ? toLatex(fix!, { marks: fixMarks })
      : toLatex(right, { marks: rightMarks });
  }
  if (fix) out.fix = toLatex(fix, { marks: fixMarks });
  return out;
}

/** A link to a figure of the topic view. */
export interface FigureLink {
  /** The figure's element id. */
  id: string;
  /** Its title. */
  title: string;
}

/** A link to a problem of the section "Derivations checked as formulas". */
export interface FormulaLink {
  /** The claim id there (`000-2.1`). */
  id: string;
  /** The element id of its problem. */
  anchor: string;
}

/** Options of {@linkcode claimCard}. */
export interface ClaimCardOptions {
  /** The card's element id. */
  id: string;
  /** Figures of the claim's exercise (evidence). */
  figures?: readonly FigureLink[];
  /** The same mistake typed as a formula. */
  formulas?: readonly FormulaLink[];
  /** A link shown in the card's head (`href`, text). */
  link?: { href: string; text: string };
}

/** Escaped text with `formula` spans set as code. */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

/** A checker verdict in words and colour. */
function verdictHtml(r: ClaimResult): string {
  const [colour, words] = r.ok
    ? [STATUS_COLOURS.verified, "holds"]
    : r.kind === "invalid"
    ? ["#6e7781", "invalid"]
    : [STATUS_COLOURS.erratum, `wrong (${r.kind})`];
  return `<span class="mark-check" style="color:${colour};font-weight:600">${words}</span>: ` +
    withCode(r.message);
}

/** One side of a card: a label, the content, a line below. */
function side(label: string, tone: string, content: string, below = ""): string {
  return `<div class="mark-side ${tone}"><div class="mark-label">${escapeHtml(label)}</div>` +
    `<div class="mark-content">${content}</div>` +
    (below ? `<div class="mark-below">${below}</div>` : "") + `</div>`;
}

/** A display formula, `lhs = tex` when there is a left side, `tex = value` for a printed number. */
function displayMath(tex: string, lhs?: string, value?: number): string {
  const right = value === undefined ? tex : `${tex} = ${formatValue(value)}`;
  return renderMath(lhs === undefined ? right : `${lhs} = ${right}`, { display: true });
}

/** A claim value for a card: formatted, cut when long (the evidence has it in full). */
function shortValue(v: ClaimValue, max = 240): string {
  const s = formatValue(v);
  return escapeHtml(s.length <= max ? s : `${s.slice(0, max - 1)}…`);
}

/** The named formulas of a claim's setting, rendered (`f = …`, `s = σ(o)`). */
function settingHtml(f: ClaimFormulas): string {
  const rows: string[] = [];
  const one = (n: string, source: string) => {
    try {
      rows.push(renderMath(`${symbolLatex(n)} = ${toLatex(parseFormula(source))}`));
    } catch {
      rows.push(`<code>${escapeHtml(`${n} = ${source}`)}</code>`);
    }
  };
  for (const [n, source] of Object.entries(f.let ?? {})) one(n, source);
  if (f.f !== undefined) one("f", f.f);
  return rows.join(", ");
}

/**
 * One claim marked as a teacher marks a sheet: the question, the verdict in its colour and mark,
 * the statement; for a formula claim the sheet's formula and the correct one rendered side by
 * side with the repairing edit marked (red where the sheet is wrong, green what replaces it) and
 * the edit in words; for a claim stated in code, what the sheet says beside what is computed.
 * The evidence (diagnosis, numbers, the setting, figures) is folded under it in `<details>`.
 */
export function claimCard(c: CheckedClaim, options: ClaimCardOptions): string {
  const k = c.claim, colour = STATUS_COLOURS[k.status];
  const head = `<header class="mark-head"><span class="mark-q">${escapeHtml(k.question)}</span>` +
    `<span class="mark-verdict" data-status="${k.status}" style="color:${colour}">` +
    `${STATUS_MARKS[k.status]} ${k.status}</span>` +
    `<span class="mark-statement">${escapeHtml(k.statement)}</span>` +
    `<code class="mark-id">${escapeHtml(`${k.exercise}/${k.claim}`)}</code>` +
    (options.link
      ? `<a class="mark-link" href="${escapeHtml(options.link.href)}">${
        escapeHtml(options.link.text)
      }</a>`
      : "") +
    `</header>`;
  const sides: string[] = [];
  const evidence: [string, string][] = [];
  let below = "";
  const printed = typeof k.expected === "string" ? k.expected : formatValue(k.expected);
  const f = c.formulas;
  if (f && f.sheet.tree) {
    const m = markedLatex(f);
    const wrong = k.status === "erratum";
    // A value claim equates its formula with the number the sheet prints.
    const value = f.check.value !== undefined && typeof k.expected === "number"
      ? k.expected
      : undefined;
    sides.push(side(
      "the sheet writes",
      wrong ? "wrong" : k.status === "verified" ? "right" : "plain",
      displayMath(m.sheet!, m.lhs, value),
      `as printed: ${escapeHtml(printed)}`,
    ));
    if (m.correction !== undefined) {
      sides.push(side("correct", "right", displayMath(m.correction, m.lhs, value)));
    }
    if (m.fix !== undefined && !m.fixIsCorrection) {
      sides.push(side("one edit repairs it", "right", displayMath(m.fix, m.lhs, value)));
    }
    if (f.sheet.explanation) {
      below = `<p class="mark-edit"><b>The repairing edit:</b> ${
        withCode(f.sheet.explanation)
      }</p>`;
    }
    evidence.push(["as printed", verdictHtml(f.sheet)]);
    if (f.correction) evidence.push(["corrected", verdictHtml(f.correction)]);
    if (f.sheet.method) evidence.push(["checked", escapeHtml(f.sheet.method)]);
    const setting = settingHtml(f);
    if (setting) evidence.push(["where", setting]);
    evidence.push(["computed", escapeHtml(formatValue(k.computed))]);
    if (k.tolerance !== null) evidence.push(["tolerance", escapeHtml(String(k.tolerance))]);
    if (f.remark) evidence.push(["remark", escapeHtml(f.remark)]);
  } else {
    const wrong = k.status === "erratum";
    sides.push(side(
      "the sheet says",
      wrong ? "wrong" : k.status === "verified" ? "right" : "plain",
      `<span class="mark-value">${shortValue(k.expected)}</span>`,
    ));
    if (k.status === "unverifiable") {
      sides.push(side("what the sheet lacks", "plain", escapeHtml(k.note)));
    } else {
      sides.push(side(
        "computed",
        wrong ? "right" : "plain",
        `<span class="mark-value">${shortValue(k.computed)}</span>`,
      ));
    }
    if (wrong) below = `<p class="mark-why">${escapeHtml(k.note)}</p>`;
    evidence.push(["sheet says", escapeHtml(printed)]);
    evidence.push(["computed", escapeHtml(formatValue(k.computed))]);
    if (k.tolerance !== null) evidence.push(["tolerance", escapeHtml(String(k.tolerance))]);
    if (k.status !== "unverifiable") evidence.push(["note", escapeHtml(k.note)]);
  }
  if (options.formulas?.length) {
    evidence.push([
      "as a formula",
      options.formulas.map((l) =>
        `<a href="#${escapeHtml(l.anchor)}"><code>${escapeHtml(l.id)}</code></a>`
      ).join(", "),
    ]);
  }
  if (options.figures?.length) {
    evidence.push([
      "figures",
      options.figures.map((l) => `<a href="#${escapeHtml(l.id)}">${escapeHtml(l.title)}</a>`)
        .join("; "),
    ]);
  }
  const what = [
    f ? "diagnosis" : "note",
    "numbers",
    ...(options.figures?.length ? ["figure"] : []),
  ].join(", ");
  return `<article class="mark" id="${escapeHtml(options.id)}" data-status="${k.status}" ` +
    `style="border-left-color:${colour}">${head}<div class="mark-sides">${sides.join("")}</div>` +
    below +
    `<details class="mark-evidence"><summary>evidence: ${what}</summary><dl>${
      evidence.map(([t, d]) => `<dt>${escapeHtml(t)}</dt><dd>${d}</dd>`).join("")
    }</dl></details></article>`;
}

/** Styles of the marked claims (cards, sides, the marked subterms), the contents and the views. */
export const MARK_CSS: string = "<style>" +
  ".toc{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;" +
  "margin:1em 0;line-height:1.9}.toc a{margin-right:6px}" +
  ".mark{border:1px solid #d0d7de;border-left:6px solid #d0d7de;border-radius:6px;" +
  "padding:6px 12px;margin:12px 0}" +
  ".mark-head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline}" +
  ".mark-q{font-weight:700;min-width:3.2em}.mark-verdict{font-weight:700;white-space:nowrap}" +
  ".mark-statement{flex:1 1 300px}.mark-id{color:#6e7781;font-size:80%}" +
  ".mark-link{font-size:85%}" +
  ".mark-sides{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}" +
  ".mark-side{flex:1 1 320px;min-width:0;overflow-x:auto;border-radius:6px;padding:4px 12px;" +
  "background:#f6f8fa;border-top:3px solid #d0d7de}" +
  ".mark-side.wrong{background:#fff8f7;border-top-color:#cf222e}" +
  ".mark-side.right{background:#f4fbf5;border-top-color:#1a7f37}" +
  ".mark-label{font-size:75%;text-transform:uppercase;letter-spacing:.05em;color:#57606a}" +
  ".mark-below{font-size:85%;color:#57606a;margin-bottom:4px}" +
  ".mark-value{font-family:ui-monospace,monospace;font-size:90%;overflow-wrap:anywhere}" +
  ".mark-edit,.mark-why{margin:4px 0}.mark-evidence summary{cursor:pointer;color:#0969da}" +
  ".mark-evidence dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:6px 0}" +
  ".mark-evidence dt{color:#57606a}.mark-evidence dd{margin:0;overflow-wrap:anywhere}" +
  `mstyle[mathcolor="${WRONG_MARK}"]{background:#ffebe9;border-radius:3px;padding:0 2px}` +
  `mstyle[mathcolor="${RIGHT_MARK}"]{background:#dafbe1;border-radius:3px;padding:0 2px}` +
  "math{font-size:110%}</style>";

/** The figures of each exercise, as links to them in the topic view. */
function figureLinks(results: readonly ExerciseResult[]): Map<string, FigureLink[]> {
  const title = (f: FigureSpec, i: number) => {
    const t = f.layout?.title;
    const text = typeof t === "string"
      ? t
      : t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string"
      ? (t as { text: string }).text
      : "";
    return text.replace(/<[^>]*>/g, "") || `figure ${i + 1}`;
  };
  return new Map(results.map((r) => [
    r.id,
    r.figures.map((f, i) => ({ id: `fig-${r.id}-${i}`, title: title(f, i) })),
  ]));
}

/** The element id of a formula problem in the section "Derivations checked as formulas". */
export function formulaAnchor(report: ClaimsReport): string {
  return `formula-${(report.results[0]?.id ?? "problem").replace(/[^A-Za-z0-9_.-]/g, "-")}`;
}

/** The formula problems' sheet formulas typed for a question: ids `NNN-label` or `NNN-label-…`. */
function formulaLinksFor(
  claim: Claim,
  reports: readonly ClaimsReport[] | undefined,
): FormulaLink[] {
  const prefix = `${claim.sheet}-${claim.question}`;
  return (reports ?? []).flatMap((r) =>
    r.results.filter((x) =>
      !x.id.endsWith(CORRECTED_SUFFIX) && (x.id === prefix || x.id.startsWith(`${prefix}-`))
    ).map((x) => ({ id: x.id, anchor: formulaAnchor(r) }))
  );
}

/** Element id of a claim's card in the sheet view (`prefix` `claim` there, `erratum` above). */
export function cardId(c: Claim, prefix = "claim"): string {
  return `${prefix}-${c.exercise}-${c.claim}`.replace(/[^A-Za-z0-9_.-]/g, "-");
}

/** Every claim with its card's links, for the views. */
function cardOptions(
  c: CheckedClaim,
  figures: Map<string, FigureLink[]>,
  reports: readonly ClaimsReport[] | undefined,
  id: string,
): ClaimCardOptions {
  const out: ClaimCardOptions = { id, figures: figures.get(c.claim.exercise) ?? [] };
  if (!c.formulas) out.formulas = formulaLinksFor(c.claim, reports);
  return out;
}

/**
 * The errata, each marked ({@linkcode claimCard}), in the sheets' order, each linking to its place
 * on its sheet in the sheet view.
 */
export function errataCards(
  results: readonly ExerciseResult[],
  options: ReportOptions = {},
): string {
  const figures = figureLinks(results);
  const errata = inSheetOrder(results.flatMap((r) => r.claims))
    .filter((c) => c.claim.status === "erratum");
  return errata.map((c) =>
    claimCard(c, {
      ...cardOptions(c, figures, options.formulas, cardId(c.claim, "erratum")),
      link: { href: `#${cardId(c.claim)}`, text: `on sheet ${c.claim.sheet}` },
    })
  ).join("\n");
}

/**
 * The sheet view: one section per sheet (`id="sheet-NNN"`, with the sheet's title where its data
 * file gives one), every claim of it marked in the sheet's own question order.
 */
export function sheetView(results: readonly ExerciseResult[], options: ReportOptions = {}): string {
  const figures = figureLinks(results);
  const all = inSheetOrder(results.flatMap((r) => r.claims));
  const sheets = [...new Set([...SHEETS, ...all.map((c) => c.claim.sheet)])].sort();
  return sheets.map((s) => {
    const claims = all.filter((c) => c.claim.sheet === s);
    if (!claims.length) return "";
    const title = SHEET_DATA.find((d) => d.sheet === s)?.title;
    const counts = CLAIM_STATUSES.map((st) => [st, claims.filter((c) => c.claim.status === st)])
      .filter(([, l]) => l.length)
      .map(([st, l]) =>
        `<span style="color:${STATUS_COLOURS[st as ClaimStatus]}">${l.length} ${st}</span>`
      );
    return `<section class="sheet" id="sheet-${escapeHtml(s)}"><h3>Sheet ${escapeHtml(s)}${
      title ? ` — ${escapeHtml(title)}` : ""
    }</h3><p>${claims.length} claims, in the sheet's question order: ${counts.join(", ")}.</p>\n` +
      claims.map((c) => claimCard(c, cardOptions(c, figures, options.formulas, cardId(c.claim))))
        .join("\n") +
      `</section>`;
  }).join("\n");
}

/** The contents: errata, the sheet view (each sheet), the topic view (each exercise), formulas. */
function contents(results: readonly ExerciseResult[], options: ReportOptions): string {
  const claims = claimsOf(results);
  const sheets = [...new Set(claims.map((c) => c.sheet))].sort();
  const link = (href: string, text: string) =>
    `<a href="#${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  return `<nav class="toc"><b>Contents</b>: ` +
    `${link("errata", `Errata (${claims.filter((c) => c.status === "erratum").length})`)} · ` +
    `<b>${link("by-sheet", "By sheet")}</b> ${
      sheets.map((s) => link(`sheet-${s}`, s)).join(" ")
    } · ` +
    `<b>${link("by-topic", "By topic")}</b> ${
      results.map((r) => link(`ex-${r.id}`, r.id)).join(" ")
    }` +
    (options.formulas ? ` · ${link("formulas", "Derivations checked as formulas")}` : "") +
    `</nav>`;
}

/** Options of {@linkcode reportBody} and {@linkcode reportHtml}. */
export interface ReportOptions {
  /** The page's title (default "Exercise sheets, checked"). */
  title?: string;
  /** Formula problems checked by `checkClaims`, shown in a section of their own at the end. */
  formulas?: readonly ClaimsReport[];
}

/**
 * The body of the report: the legend, the summary, the contents, the errata marked as a teacher
 * marks a sheet ({@linkcode errataCards}); the sheet view (every claim of each sheet in its
 * question order, {@linkcode sheetView}); the topic view (each exercise's table and figures);
 * then the formula problems when given.
 */
export function reportBody(
  results: readonly ExerciseResult[],
  options: ReportOptions = {},
): string {
  const claims = claimsOf(results);
  const legend = CLAIM_STATUSES.map((s) => `<span class="${s}">${STATUS_MARKS[s]} ${s}</span>`);
  const parts = [
    RENDER_PROBE,
    MARK_CSS,
    `<p>Every checkable claim of the exercise sheets, recomputed in float64 and marked. ` +
    `${legend[0]}: the sheet is right; ` +
    `${legend[1]}: the sheet is wrong (its own formula fails the ` +
    `check, the corrected one passes); ${legend[2]}: the ` +
    `sheet lacks the data; ${legend[3]}: a topic the sheet only ` +
    `names, treated here. In a formula, <span class="erratum">red</span> marks what the sheet ` +
    `got wrong and <span class="verified">green</span> what the repairing edit puts in its ` +
    `place; the evidence is folded under each claim.</p>`,
    htmlTable(summaryTable(claims)),
    contents(results, options),
    `<h2 id="errata">Errata</h2>\n${errataCards(results, options)}` +
    (options.formulas
      ? `<p>The same mistakes typed as formulas and checked: ` +
        `<a href="#formulas">Derivations checked as formulas</a>.</p>`
      : ""),
    `<h2 id="by-sheet">By sheet</h2><p>Each sheet's claims in the sheet's own question order, ` +
    `marked.</p>\n${sheetView(results, options)}`,
    `<h2 id="by-topic">By topic</h2><ul>${
      results.map((r) => `<li><a href="#ex-${escapeHtml(r.id)}">${escapeHtml(r.title)}</a></li>`)
        .join("")
    }</ul>`,
  ];
  for (const r of results) {
    parts.push(
      `<h3 id="ex-${escapeHtml(r.id)}">${escapeHtml(r.title)} <code>${
        escapeHtml(r.id)
      }</code></h3>`,
    );
    parts.push(markStatuses(htmlTable(claimTable(r.claims.map((c) => c.claim), {
      maxCell: Infinity,
      notes: true,
    }))));
    r.figures.forEach((f, i) => parts.push(figureHtml(f, `fig-${r.id}-${i}`)));
  }
  if (options.formulas) parts.push(formulaSection(options.formulas));
  return parts.join("\n");
}

/** The standalone offline report page (plotly.js inlined once). */
export async function reportHtml(
  results: readonly ExerciseResult[],
  options: ReportOptions = {},
): Promise<string> {
  return await htmlPage(options.title ?? "Exercise sheets, checked", reportBody(results, options));
}
