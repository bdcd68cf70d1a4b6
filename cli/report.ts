/**
 * `deno task start` (the main job, once wired): runs every exercise of the catalog, prints the
 * claims per status per sheet and the errata, checks the sheets' worked mistakes typed as formulas
 * (`data/formulas/sheet_mistakes.json`), and writes one offline HTML page with every exercise's
 * table and figures and the formula verdicts (default `out/report.html`; written atomically).
 *
 * Exit 0 when every claim has its recorded status and every formula its expected verdict (a
 * sheet's formula fails, its correction holds), 1 when one changed or the page could not be
 * written, 2 for usage errors.
 *
 * @module
 */

import {
  changedClaims,
  checkClaims,
  CLAIM_STATUSES,
  claimsOf,
  countStatuses,
  describeChange,
  errataLines,
  formulaSummary,
  formulaSurprises,
  reportHtml,
  runExercises,
  SHEET_MISTAKES_FILE,
  summaryTable,
  textTable,
  writeTextAtomic,
} from "../mod.ts";
import { fail, parseCommand, usageError } from "./args.ts";

/** Where the report goes unless `--out` says otherwise. */
const DEFAULT_OUT = "out/report.html";

const spec = {
  usage: "deno task start [--out FILE]",
  description: "Checks every claim of the five exercise sheets, prints the claims per status\n" +
    "per sheet and the errata found, and writes one offline HTML report with every table and\n" +
    "figure. Exits 1 if a claim's status differs from the recorded one.",
  options: {
    out: {
      type: "string" as const,
      value: "FILE",
      description: "where to write the HTML report (its folder must exist, except out/)",
      default: DEFAULT_OUT,
    },
  },
};

const { values, positionals } = parseCommand(Deno.args, spec);
if (positionals.length) usageError(`unexpected argument "${positionals[0]}"`);
const out = values.out ?? DEFAULT_OUT;
if (typeof out !== "string" || out === "") usageError("--out needs a file name");

const started = performance.now();
const results = await runExercises();
const claims = claimsOf(results);
const counts = countStatuses(claims);
console.log(textTable(summaryTable(claims)));
const errata = errataLines(claims);
console.log(`\nErrata (${errata.length}):`);
for (const line of errata) console.log(`- ${line}`);

/** Every problem of the data file, checked (a bad file ends the run with its reason). */
async function checkSheetMistakes() {
  try {
    const text = await Deno.readTextFile(new URL(`../${SHEET_MISTAKES_FILE}`, import.meta.url));
    return (JSON.parse(text) as unknown[]).map((p) => checkClaims(p));
  } catch (e) {
    fail(`${SHEET_MISTAKES_FILE}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
const formulas = await checkSheetMistakes();
console.log(`\nDerivations checked as formulas: ${formulaSummary(formulas)}`);

if (out === DEFAULT_OUT) await Deno.mkdir("out", { recursive: true }).catch(() => {});
try {
  await writeTextAtomic(out, await reportHtml(results, { formulas }));
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `\n${claims.length} claims (${CLAIM_STATUSES.map((s) => `${counts[s]} ${s}`).join(", ")}), ` +
    `${results.reduce((n, r) => n + r.figures.length, 0)} figures; wrote ${out} in ${seconds} s`,
);

const changed = changedClaims(results);
for (const c of changed) console.error(`error: ${describeChange(c)}`);
const surprises = formulaSurprises(formulas);
for (const s of surprises) {
  console.error(
    `error: formula ${s.id} should ${s.expected === "holds" ? "hold" : "fail"}: ${s.message}`,
  );
}
if (changed.length || surprises.length) Deno.exit(1);
