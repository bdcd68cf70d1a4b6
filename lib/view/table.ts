/**
 * Plain tables for terminals and HTML, shared by every report that renders itself.
 *
 * @module
 */

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
