/**
 * Plain tables for terminals and HTML, shared by every report that renders itself.
 *
 * @module
 */

import { JUPYTER_DISPLAY, type MimeBundle } from "./display.ts";

/** A table: column headers and rows of already-formatted cells. */
export interface Table {
  /** Column headers. */
  headers: readonly string[];
  /** Rows, each with one cell per header. */
  rows: readonly (readonly string[])[];
  /** Optional caption shown above the table. */
  caption?: string;
  /**
   * Alignment of each column in HTML. Default: right for a column whose cells all read as
   * numbers, left otherwise; say `left` for identifiers that look like numbers (sheet "000").
   */
  align?: readonly ("left" | "right")[];
}

/**
 * Renders a table with aligned columns and a rule under the header.
 *
 * @example
 * ```ts
 * import { textTable } from "./table.ts";
 * const t = textTable({ headers: ["op", "ok"], rows: [["relu", "yes"]] });
 * if (!t.includes("relu  yes")) throw new Error(t);
 * ```
 */
export function textTable(table: Table): string {
  const widths = table.headers.map((h, j) =>
    Math.max(h.length, ...table.rows.map((r) => (r[j] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => (c ?? "").padEnd(widths[j])).join("  ").trimEnd();
  const out = [line(table.headers), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of table.rows) out.push(line(r));
  return (table.caption ? `${table.caption}\n` : "") + out.join("\n");
}

/** Escapes `&`, `<`, `>` and quotes for HTML text and attributes. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** The verdicts a claim can have; a cell holding exactly one of them is coloured. */
const STATUS_COLOURS: Readonly<Record<string, string>> = {
  verified: "color:#1a7f37",
  erratum: "color:#cf222e;font-weight:600",
  unverifiable: "color:#9a6700",
  extension: "color:#0969da",
};

const NUMBER_CELL =
  /^\s*[-+−]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:e[-+−]?\d+)?\s*(?:%|×)?\s*$|^\s*[-+−]?(?:NaN|Infinity|∞)\s*$/i;

/** True when a table cell reads as a number ("1.5e-7", "−3", "12 %", "∞"). */
export function isNumberCell(cell: string): boolean {
  return NUMBER_CELL.test(cell);
}

/**
 * Renders a table as an HTML `<table>` (cells escaped). Columns are aligned as `table.align` says,
 * by default right when all their cells are numbers and left otherwise (Jupyter's own style
 * right-aligns every cell), and a
 * cell holding just a verdict (`verified`, `erratum`, `unverifiable`, `extension`) gets that
 * class and its colour.
 */
export function htmlTable(table: Table): string {
  const numeric = table.headers.map((_, j) => {
    if (table.align?.[j] !== undefined) return table.align[j] === "right";
    const cells = table.rows.map((r) => r[j] ?? "").filter((c) => c.trim() !== "");
    return cells.length > 0 && cells.every(isNumberCell);
  });
  const cell = (c: string) => {
    const status = STATUS_COLOURS[c];
    return status === undefined ? `<td>${escapeHtml(c)}</td>` : `<td class="${c}">${c}</td>`;
  };
  const head = table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = table.rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("");
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : "";
  const right = numeric.flatMap((n, j) => (n ? [j + 1] : []));
  const cls = ["dlm-table", ...right.map((j) => `dlm-r${j}`)].join(" ");
  const style = ".dlm-table table td,.dlm-table table th{text-align:left}" +
    ".dlm-table table caption{text-align:left;font-weight:600}" +
    right.map((j) =>
      `.dlm-r${j} table td:nth-child(${j}),.dlm-r${j} table th:nth-child(${j}){text-align:right}`
    ).join("") +
    Object.entries(STATUS_COLOURS).map(([s, css]) => `.dlm-table table td.${s}{${css}}`).join("");
  return `<div class="${cls}"><style>${style}</style>` +
    `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Significant digits of the numbers in a {@linkcode tableOf} table, unless told otherwise. */
export const TABLE_OF_DIGITS = 6;

/** A value that renders itself: a cell's last `show(...)` or expression displays it. */
export interface Displayable {
  /** The MIME bundle: `text/html` and `text/plain`. */
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** A table that renders itself as HTML ({@linkcode htmlTable}) and text ({@linkcode textTable}). */
export function displayTable(table: Table): Displayable {
  return {
    [JUPYTER_DISPLAY]: () => ({ "text/html": htmlTable(table), "text/plain": textTable(table) }),
  };
}

/** Options of {@linkcode tableOf}. */
export interface TableOfOptions {
  /** Alignment of each column (see {@linkcode Table}). Default: numbers right, text left. */
  align?: Table["align"];
  /** Significant digits of number cells. Default {@linkcode TABLE_OF_DIGITS}. */
  digits?: number;
}

/**
 * A small table for a notebook cell: number cells are written to `digits` significant digits
 * (trailing zeros dropped), text cells as they are; the result renders itself.
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY } from "./display.ts";
 * import { tableOf } from "./table.ts";
 * const t = tableOf("σ(0) and 1/3", ["name", "value"], [["σ(0)", 0.5], ["1/3", 1 / 3]]);
 * const text = String(t[JUPYTER_DISPLAY]()["text/plain"]);
 * if (!text.includes("0.333333") || text.includes("0.3333333")) throw new Error(text);
 * ```
 */
export function tableOf(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  options: TableOfOptions = {},
): Displayable {
  const digits = options.digits ?? TABLE_OF_DIGITS;
  const cell = (v: string | number) =>
    typeof v === "number" ? String(Number(v.toPrecision(digits))) : v;
  return displayTable({
    caption,
    headers,
    rows: rows.map((r) => r.map(cell)),
    align: options.align,
  });
}
