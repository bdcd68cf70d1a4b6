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
