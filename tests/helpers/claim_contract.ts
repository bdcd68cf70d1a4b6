/**
 * The JSON contract of one claim of `deno task ex all --json` (DESIGN.md), as a checker shared by
 * the catalog and CLI tests.
 *
 * @module
 */
import { CLAIM_STATUSES } from "../../lib/exercises/claim.ts";

/** Validates one claim object against the contract in DESIGN.md; returns the problems. */
export function contractProblems(c: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const keys = [
    "exercise",
    "claim",
    "sheet",
    "question",
    "statement",
    "expected",
    "computed",
    "tolerance",
    "status",
    "note",
  ];
  const extra = Object.keys(c).filter((k) => !keys.includes(k));
  if (extra.length) problems.push(`extra keys ${extra.join(", ")}`);
  for (const k of keys) if (!(k in c)) problems.push(`missing ${k}`);
  for (const k of ["exercise", "claim", "question", "statement", "note"]) {
    if (typeof c[k] !== "string" || c[k] === "") problems.push(`${k} must be a non-empty string`);
  }
  if (typeof c.sheet !== "string" || !/^\d{3}$/.test(c.sheet)) {
    problems.push("sheet must be 3 digits");
  }
  if (!CLAIM_STATUSES.includes(c.status as never)) problems.push(`bad status ${c.status}`);
  if (c.tolerance !== null && typeof c.tolerance !== "number") problems.push("bad tolerance");
  const valueOk = (v: unknown): boolean =>
    v === null || ["number", "string", "boolean"].includes(typeof v) ||
    (Array.isArray(v) && v.every(valueOk));
  if (!valueOk(c.expected)) problems.push("expected must be a number, text or array");
  if (!valueOk(c.computed)) problems.push("computed must be numbers or arrays");
  if (c.status !== "unverifiable" && c.computed === null) problems.push("computed is missing");
  if (
    c.status === "unverifiable" && !/need|missing|not in the sheet|neither/i.test(String(c.note))
  ) {
    problems.push("an unverifiable claim must say what is missing");
  }
  return problems;
}

/** The keys one object of `deno task check --json` may have (DESIGN.md). */
const CHECK_KEYS = [
  "id",
  "ok",
  "kind",
  "factor",
  "wrongEntries",
  "totalEntries",
  "message",
  "fix",
  "explanation",
  "parsed",
  "shape",
];

/** Validates one object of `deno task check --json` against its contract; returns the problems. */
export function checkContractProblems(r: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const extra = Object.keys(r).filter((k) => !CHECK_KEYS.includes(k));
  if (extra.length) problems.push(`extra keys ${extra.join(", ")}`);
  for (const k of ["id", "ok", "kind", "message", "parsed", "shape"]) {
    if (!(k in r)) problems.push(`missing ${k}`);
  }
  if (typeof r.ok !== "boolean") problems.push("ok must be a boolean");
  for (const k of ["id", "kind", "message", "parsed"]) {
    if (typeof r[k] !== "string") problems.push(`${k} must be a string`);
  }
  if (r.shape !== null && !(Array.isArray(r.shape) && r.shape.length === 2)) {
    problems.push("shape must be [rows, columns] or null");
  }
  if (r.fix !== undefined && typeof r.fix !== "string") problems.push("fix must be a string");
  return problems;
}
