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

/** Renders a table as an HTML `<table>` (cells escaped). */
export function htmlTable(table: Table): string {
  const head = table.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = table.rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("");
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
