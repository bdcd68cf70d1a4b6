/**
 * `deno task check FILE.json [--json] [--html OUT]`: checks a derivation written as formulas.
 *
 * FILE holds a problem (`given`, `let`, `f`, `claims`; see lib/formula/problem.ts), or an array
 * of problems checked one after the other (data/formulas/sheet_mistakes.json); `-` reads it from
 * stdin. Prints one block per claim (the claim as understood with its shape, the verdict, the
 * reason, a verified fix), or with `--json` only a JSON array, one object per claim in input
 * order (over all problems of an array). `--html OUT` also writes a page with the formulas
 * rendered (atomically).
 *
 * Exit 0 when every claim holds, 1 when one does not, 2 for unusable input (a missing or
 * malformed file, a bad given/let/f, a usage error).
 *
 * @module
 */

import { checkClaims, claimsPage, ClaimsReport, ProblemError, writeTextAtomic } from "../mod.ts";
import { fail, numberOption, parseCommand, usageError } from "./args.ts";

const spec = {
  usage: "deno task check FILE.json|- [--json] [--html OUT] [--seed N] [--no-fix]",
  description: "Checks every claim of a problem written as formulas (plain text or $LaTeX$):\n" +
    "derivatives against central differences of f at several random draws, identities and\n" +
    "values by comparison. A wrong claim gets the reason and, when one edit repairs it, the\n" +
    "corrected formula (verified on fresh draws). Exit 0 all hold, 1 one does not, 2 bad input.",
  options: {
    json: {
      type: "boolean" as const,
      description: "print only a JSON array, one object per claim",
    },
    html: {
      type: "string" as const,
      value: "OUT",
      description: "also write an HTML page with the formulas rendered",
    },
    seed: {
      type: "string" as const,
      value: "N",
      description: "seed of the random draws (overrides the problem's)",
    },
    "no-fix": {
      type: "boolean" as const,
      description: "do not search a repairing edit for wrong claims",
    },
  },
};

const { values, positionals } = parseCommand(Deno.args, spec);
if (positionals.length !== 1) usageError("give one problem file (or - for stdin)");
const html = values.html;
if (html !== undefined && (typeof html !== "string" || html === "")) {
  usageError("--html needs a file name");
}
const seed = numberOption(values, "seed", { integer: true });

const path = positionals[0];
let text: string;
try {
  text = path === "-"
    ? await new Response(Deno.stdin.readable).text()
    : await Deno.readTextFile(path);
} catch (e) {
  fail(
    e instanceof Deno.errors.NotFound
      ? `no such file: ${path}`
      : `cannot read ${path}: ${(e as Error).message}`,
    2,
  );
}
let problem: unknown;
try {
  problem = JSON.parse(text);
} catch (e) {
  fail(`${path === "-" ? "stdin" : path}: not valid JSON (${(e as Error).message})`, 2);
}
// One problem, or an array of problems (each checked on its own, reported in order).
const many = Array.isArray(problem);
const problems: unknown[] = many ? problem as unknown[] : [problem];
if (many && problems.length === 0) fail(`${path === "-" ? "stdin" : path}: no problems`, 2);
const reports = problems.map((p, k) => {
  const where = `${path === "-" ? "stdin" : path}${many ? `[${k}]` : ""}`;
  const withSeed = seed !== undefined && p && typeof p === "object" && !Array.isArray(p)
    ? { ...p, seed }
    : p;
  try {
    return checkClaims(withSeed, { fix: !values["no-fix"] });
  } catch (e) {
    if (e instanceof ProblemError) fail(`${where}: ${e.message}`, 2);
    throw e;
  }
});
// All claims together: the JSON contract (one object per claim) and the exit status.
const report = many
  ? new ClaimsReport(reports.flatMap((r) => r.results), `${reports.length} problems`)
  : reports[0];

if (values.json) console.log(JSON.stringify(report, null, 2));
else if (many) console.log([...reports.map(String), report.headline()].join("\n\n"));
else console.log(report.toString());

if (typeof html === "string") {
  const page = many ? claimsPage(reports, report.title) : report.page();
  try {
    await writeTextAtomic(html, page);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e), 2);
  }
  if (!values.json) console.log(`\nwrote ${html}`);
}
Deno.exit(report.ok ? 0 : 1);
