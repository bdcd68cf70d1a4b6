/**
 * Command-line parsing shared by every `deno task`: `--help`, one-line errors, exit code 2 for
 * usage errors.
 *
 * @module
 */

import { parseArgs } from "node:util";

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
    usageError(unknown ? `unknown option ${unknown[1]}` : message.split(". ")[0]);
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
