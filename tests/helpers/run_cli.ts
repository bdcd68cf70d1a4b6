/**
 * Runs a CLI script as a subprocess of the same Deno, with the permissions given, optionally
 * feeding stdin; shared by every CLI test.
 *
 * @module
 */

/** What a finished subprocess gave. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Everything printed on stdout. */
  stdout: string;
  /** Everything printed on stderr. */
  stderr: string;
}

/** The environment switches the LaTeX reader needs (lib/formula/parse_latex.ts). */
export const LATEX_ENV_FLAG = "--allow-env=CE_CACHE_STATS,CE_TYPE_FACTS_ASSERT";

/** `deno run PERMS SCRIPT ARGS`, with `stdin` piped in when given. */
export async function runCli(
  script: string,
  args: string[],
  options: { perms?: string[]; stdin?: string } = {},
): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(options.perms ?? ["--allow-read"]), script, ...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
