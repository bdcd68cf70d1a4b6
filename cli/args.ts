/**
 * Command-line parsing shared by every `deno task`: `--help`, one-line errors, exit code 2 for
 * usage errors.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { didYouMean } from "../lib/suggest.ts";

/** One option of a command. */
export interface OptionSpec {
  /** `boolean` flags or `string` values. */
  type: "boolean" | "string";
  /** What it does, for `--help`. */
  description: string;
  /** Value name shown in `--help` (string options). */
  value?: string;
  /** Default, shown in `--help`. */
  default?: string | boolean;
}

/** A command: its usage line, a description, and its options. */
export interface CommandSpec {
  /** How to call it, e.g. `deno task start [--json]`. */
  usage: string;
  /** What it does. */
  description: string;
  /** Options by long name. */
  options: Record<string, OptionSpec>;
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({
    ...spec.options,
    help: { type: "boolean", description: "show this help and exit" } as OptionSpec,
  }).map(([name, o]) => {
    const flag = `--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : "";
    return [flag, `${o.description}${def}`];
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  return `usage: ${spec.usage}\n\n${spec.description}\n\noptions:\n` +
    rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join("\n");
}

/** Parsed values and positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `args`; prints help and exits 0 on `--help`; prints a one-line error and exits 2 on an
 * unknown flag or a missing value.
 */
export function parseCommand(args: string[], spec: CommandSpec): Parsed {
  const options: Record<string, { type: "boolean" | "string" }> = { help: { type: "boolean" } };
  for (const [k, o] of Object.entries(spec.options)) options[k] = { type: o.type };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // node:util's wording ("Unknown option '--x'. To specify a positional argument ...") cut short.
    const unknown = message.match(/^Unknown option '([^']+)'/);
    if (!unknown) usageError(message.split(". ")[0]);
    const meant = didYouMean(unknown[1].replace(/^-+/, ""), Object.keys(options));
    usageError(`unknown option ${unknown[1]}${meant ? `; did you mean --${meant}?` : ""}`);
  }
  if (parsed.values.help) {
    console.log(helpText(spec));
    Deno.exit(0);
  }
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}

/** What a number option accepts (see {@linkcode numberOption}). */
export interface NumberOptionSpec {
  /** Only whole numbers. */
  integer?: boolean;
  /** Smallest value accepted. */
  min?: number;
  /** Largest value accepted. */
  max?: number;
}

/**
 * The value of a number option (`--seed 7`, `--n 500`), or `undefined` when it is not given;
 * anything that is not a finite number within the spec is a one-line usage error naming the
 * option, what it takes and what it got (exit 2).
 */
export function numberOption(
  values: Parsed["values"],
  name: string,
  spec: NumberOptionSpec = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const v = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  const { integer = false, min = -Infinity, max = Infinity } = spec;
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    usageError(`--${name} must be ${describeNumber(spec)}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** "an integer ≥ 1", "a number between 0 and 1", … */
function describeNumber({ integer = false, min, max }: NumberOptionSpec): string {
  const kind = integer ? "an integer" : "a number";
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind;
}

/** Prints `error: message` and a hint to stderr, then exits 2. */
export function usageError(message: string): never {
  console.error(`error: ${message.split("\n")[0]} (see --help)`);
  Deno.exit(2);
}

/** Prints `error: message` to stderr, then exits with `code` (default 1). */
export function fail(message: string, code = 1): never {
  console.error(`error: ${message.split("\n")[0]}`);
  Deno.exit(code);
}
