/**
 * `deno task ex`: the exercise catalog from a terminal.
 *
 * - `deno task ex list` — every exercise: id, title, questions covered, claims per status;
 * - `deno task ex <id>... | all` — each claim as a table row;
 * - `--json` — only a JSON array of claims on stdout (contract in DESIGN.md);
 * - `--html FILE` — a standalone offline page (written atomically; the folder must exist).
 *
 * Exit 0 when every claim has its recorded status, 1 when one changed (or a write failed),
 * 2 for usage errors (an unknown id gets the closest ids as suggestions).
 *
 * @module
 */

import {
  changedClaims,
  CLAIM_STATUSES,
  claimsOf,
  claimTable,
  countStatuses,
  describeChange,
  errataLines,
  type Exercise,
  EXERCISES,
  findExercise,
  reportHtml,
  runExercises,
  suggestIds,
  textTable,
  writeTextAtomic,
} from "../mod.ts";
import { fail, parseCommand, usageError } from "./args.ts";

const spec = {
  usage: "deno task ex list | deno task ex <id>... | all [--json] [--html FILE]",
  description: "Runs the exercises of the catalog and prints every claim with its verdict\n" +
    "(verified, erratum, unverifiable, extension). Exits 1 if a claim's status differs from\n" +
    "the one recorded in the catalog, 2 on a usage error.",
  options: {
    json: { type: "boolean" as const, description: "print only a JSON array of claims on stdout" },
    html: {
      type: "string" as const,
      value: "FILE",
      description: "also write a standalone HTML page (the folder must exist)",
    },
  },
};

const { values, positionals } = parseCommand(Deno.args, spec);

if (positionals.length === 0) usageError("name `list`, `all` or at least one exercise id");

if (positionals[0] === "list") {
  if (positionals.length > 1) usageError("`list` takes no further arguments");
  const results = await runExercises();
  const rows = EXERCISES.map((e, i) => {
    const counts = countStatuses(results[i].claims.map((c) => c.claim));
    return { e, counts };
  });
  if (values.json) {
    console.log(JSON.stringify(
      rows.map(({ e, counts }) => ({ id: e.id, title: e.title, covers: e.covers, counts })),
      null,
      2,
    ));
  } else {
    console.log(textTable({
      headers: ["id", "title", "covers", ...CLAIM_STATUSES],
      rows: rows.map(({ e, counts }) => [
        e.id,
        e.title,
        e.covers.join(", "),
        ...CLAIM_STATUSES.map((s) => String(counts[s])),
      ]),
    }));
  }
  Deno.exit(0);
}

const chosen: Exercise[] = [];
if (positionals.includes("all")) {
  if (positionals.length > 1) usageError("`all` cannot be combined with exercise ids");
  chosen.push(...EXERCISES);
} else {
  for (const id of positionals) {
    const ex = findExercise(id);
    if (!ex) {
      usageError(`unknown exercise "${id}"; closest: ${suggestIds(id).join(", ")}`);
    }
    if (!chosen.includes(ex)) chosen.push(ex);
  }
}

const html = values.html;
if (html !== undefined && (typeof html !== "string" || html === "")) {
  usageError("--html needs a file name");
}

const results = await runExercises(chosen);
const claims = claimsOf(results);
const changed = changedClaims(results);

if (values.json) {
  console.log(JSON.stringify(claims, null, 2));
} else {
  console.log(textTable(claimTable(claims)));
  const errata = errataLines(claims);
  if (errata.length) {
    console.log(`\nErrata (${errata.length}):\n${errata.map((l) => `- ${l}`).join("\n")}`);
  }
  const counts = countStatuses(claims);
  console.log(
    `\n${claims.length} claims: ${CLAIM_STATUSES.map((s) => `${counts[s]} ${s}`).join(", ")}`,
  );
}

if (typeof html === "string") {
  try {
    await writeTextAtomic(html, await reportHtml(results));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (!values.json) console.log(`wrote ${html}`);
}

if (changed.length) {
  for (const c of changed) console.error(`error: ${describeChange(c)}`);
  Deno.exit(1);
}
