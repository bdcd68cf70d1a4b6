/**
 * The part of arquero 8 this library uses, declared here: `table(columns)` and the reading
 * methods of the table it returns. arquero 8.0.3 ships a declaration Deno's parser rejects
 * (`lookup(...values?: ExprList[])`, an optional rest parameter, in ColumnTable.d.ts), so
 * `deno doc` warned on every module that imported it; trace.ts imports arquero with these
 * declarations instead, and the rest of the library builds tables through it.
 *
 * @module
 */

/** A column table: named columns of equal length. */
export interface ColumnTable {
  /** Number of rows. */
  numRows(): number;
  /** Number of columns. */
  numCols(): number;
  /** The column names, in order. */
  columnNames(): string[];
  /** The values of one column (a typed array where the column was built from one). */
  array(name: string): ArrayLike<unknown>;
  /** The rows as objects, column name → value. */
  objects(options?: { limit?: number; offset?: number }): object[];
  /** The first rows as an HTML table. */
  toHTML(options?: { limit?: number; offset?: number }): string;
  /** The first rows as a Markdown table. */
  toMarkdown(options?: { limit?: number; offset?: number }): string;
}

/** A table of the given columns (name → values, all of one length). */
export function table(columns: Record<string, ArrayLike<unknown>>): ColumnTable;
