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
import { figureHtml, htmlPage } from "../view/figure.ts";
import { escapeHtml, htmlTable, type Table } from "../view/table.ts";
import { type Claim, CLAIM_STATUSES, type ClaimValue, type ExerciseResult } from "./claim.ts";
import { claimsOf, summarizeBySheet } from "./catalog.ts";

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
 * as MathML, with a box of non-zero size), and records script errors and `console.error` calls in
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
  `var maths=document.querySelectorAll("math"),laid=0;maths.forEach(function(m){` +
  `var r=m.getBoundingClientRect();if(typeof MathMLElement!=="undefined"&&` +
  `m instanceof MathMLElement&&r.width>0&&r.height>0){m.setAttribute("data-rendered","true");` +
  `laid++;}});document.body.setAttribute("data-math",String(maths.length));` +
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
    reports.map((r) => `<section class="formula-problem">${r.html()}</section>`).join("\n");
}

/** Options of {@linkcode reportBody} and {@linkcode reportHtml}. */
export interface ReportOptions {
  /** The page's title (default "Exercise sheets, checked"). */
  title?: string;
  /** Formula problems checked by `checkClaims`, shown in a section of their own at the end. */
  formulas?: readonly ClaimsReport[];
}

/** The body of the report: summary, errata, then each exercise's table and figures, then the
 * formula problems when given. */
export function reportBody(
  results: readonly ExerciseResult[],
  options: ReportOptions = {},
): string {
  const claims = claimsOf(results);
  const parts = [
    RENDER_PROBE,
    `<p>Every checkable claim of the five exercise sheets, recomputed in float64. ` +
    `<span class="verified">verified</span>: the sheet is right; ` +
    `<span class="erratum">erratum</span>: the sheet is wrong (its own formula fails the ` +
    `check, the corrected one passes); <span class="unverifiable">unverifiable</span>: the ` +
    `sheet lacks the data; <span class="extension">extension</span>: a topic the sheet only ` +
    `names, treated here.</p>`,
    htmlTable(summaryTable(claims)),
    `<h2 id="errata">Errata</h2><ul>${
      errataLines(claims).map((l) => `<li>${escapeHtml(l)}</li>`).join("")
    }</ul>` +
    (options.formulas
      ? `<p>The same mistakes typed as formulas and checked: ` +
        `<a href="#formulas">Derivations checked as formulas</a>.</p>`
      : ""),
    `<h2>Exercises</h2><ul>${
      results.map((r) => `<li><a href="#ex-${escapeHtml(r.id)}">${escapeHtml(r.title)}</a></li>`)
        .join("")
    }</ul>`,
  ];
  for (const r of results) {
    parts.push(
      `<h2 id="ex-${escapeHtml(r.id)}">${escapeHtml(r.title)} <code>${
        escapeHtml(r.id)
      }</code></h2>`,
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
