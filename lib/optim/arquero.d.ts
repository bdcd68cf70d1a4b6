/**
 * The part of arquero 8 this library uses, declared here: `table(columns)`, whose result it reads
 * through {@linkcode TraceTable}. arquero 8.0.3 ships a declaration Deno's parser rejects
 * (`lookup(...values?: ExprList[])`, an optional rest parameter, in ColumnTable.d.ts), so
 * `deno doc` warned on every module that imported it; trace.ts imports arquero with this
 * declaration instead, and the rest of the library builds tables through it.
 *
 * @module
 */

import type { TraceTable } from "./trace.ts";

/** A table of the given columns (name → values, all of one length). */
export function table(columns: Record<string, ArrayLike<unknown>>): TraceTable;
