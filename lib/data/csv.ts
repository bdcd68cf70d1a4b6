/**
 * Reading numeric CSV files (comma-separated, one row per line) into an NDArray, with errors that
 * name the line: ragged rows, empty or non-numeric fields, NaN and ±Infinity.
 *
 * Decisions: the first line is a header (and skipped) when any of its fields is a non-empty
 * non-number (a name);
 * blank lines (also a trailing newline) are ignored; fields are trimmed; `\r\n` line ends are
 * accepted; quoted fields are not supported (numbers never need quotes). Line numbers in
 * messages are 1-based lines of the file; "row r" counts data rows from 0, as the output does.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";

/** Options of {@linkcode parseNumericCsv}. */
export interface CsvOptions {
  /** Read at most this many data rows. Default: all. */
  maxRows?: number;
  /** Name of the source in messages. Default `csv`. */
  source?: string;
}

/** A parsed numeric CSV. */
export interface NumericCsv {
  /** The values, [rows, columns]. */
  data: NDArray;
  /** Header names, or undefined when the first line is data. */
  header: string[] | undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * Parses numeric CSV text.
 * @throws RangeError naming the source and line for ragged rows, empty or non-numeric fields,
 * NaN/Infinity, or a file without data rows
 *
 * @example
 * ```ts
 * import { parseNumericCsv } from "./csv.ts";
 * const { data, header } = parseNumericCsv("a,b\n1,2\n3,4.5\n");
 * if (header?.join() !== "a,b" || data.data.join() !== "1,2,3,4.5") throw new Error();
 * ```
 */
export function parseNumericCsv(text: string, options: CsvOptions = {}): NumericCsv {
  const src = options.source ?? "csv";
  const fn = "parseNumericCsv";
  const maxRows = options.maxRows ?? Infinity;
  if (!(maxRows >= 1)) {
    throw new RangeError(`${fn}: maxRows must be ≥ 1, got ${maxRows}`);
  }
  const lines = text.split("\n");
  let header: string[] | undefined;
  let width = -1;
  const values: number[] = [];
  let rowsRead = 0;
  let first = true;
  for (let ln = 0; ln < lines.length && rowsRead < maxRows; ln++) {
    const line = lines[ln].endsWith("\r") ? lines[ln].slice(0, -1) : lines[ln];
    if (line.trim() === "") continue;
    const fields = line.split(",").map((f) => f.trim());
    if (first) {
      first = false;
      if (fields.some((f) => f !== "" && !NUMBER.test(f) && !NON_FINITE.test(f))) {
        header = fields;
        width = fields.length;
        continue;
      }
    }
    if (width < 0) width = fields.length;
    if (fields.length !== width) {
      throw new RangeError(
        `${src}: line ${ln + 1} (row ${rowsRead}) has ${fields.length} fields, expected ${width}`,
      );
    }
    for (let c = 0; c < fields.length; c++) {
      const f = fields[c];
      if (f === "") {
        throw new RangeError(`${src}: line ${ln + 1} (row ${rowsRead}) column ${c + 1} is empty`);
      }
      if (NON_FINITE.test(f)) {
        throw new RangeError(
          `${src}: line ${ln + 1} (row ${rowsRead}) column ${
            c + 1
          } is ${f}, expected a finite number`,
        );
      }
      if (!NUMBER.test(f)) {
        throw new RangeError(
          `${src}: line ${ln + 1} (row ${rowsRead}) column ${c + 1} is not a number: ${
            JSON.stringify(f.slice(0, 40))
          }`,
        );
      }
      const v = Number(f);
      if (!Number.isFinite(v)) {
        throw new RangeError(
          `${src}: line ${ln + 1} (row ${rowsRead}) column ${
            c + 1
          } is ${f}, which overflows float64`,
        );
      }
      values.push(v);
    }
    rowsRead++;
  }
  if (rowsRead === 0) throw new RangeError(`${src}: no data rows`);
  return { data: new NDArray(Float64Array.from(values), [rowsRead, width]), header };
}

/**
 * Finds the problems that make data unusable for t-SNE although every number is finite: a
 * constant column and duplicate rows. Returns one message per problem kind (empty when fine),
 * naming the first column or the first pair of rows.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { degenerateData } from "./csv.ts";
 * const msgs = degenerateData(array([[1, 5], [2, 5], [1, 5]]));
 * if (msgs.length !== 2) throw new Error(msgs.join("; "));
 * ```
 */
export function degenerateData(x: NDArray): string[] {
  const [n, d] = x.shape;
  const a = x.data;
  const problems: string[] = [];
  for (let c = 0; c < d; c++) {
    let constant = true;
    for (let i = 1; i < n && constant; i++) if (a[i * d + c] !== a[c]) constant = false;
    if (constant && n > 1) {
      problems.push(`column ${c + 1} is constant (${a[c]}) over all ${n} rows`);
      break;
    }
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = Array.prototype.join.call(a.subarray(i * d, (i + 1) * d), ",");
    const prev = seen.get(key);
    if (prev !== undefined) {
      problems.push(`rows ${prev} and ${i} are identical`);
      break;
    }
    seen.set(key, i);
  }
  return problems;
}
