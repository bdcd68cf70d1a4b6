/**
 * Runs the claims a sheet's data file states (see `sheet_data.ts`) and derives their verdicts
 * exactly as the catalog always has (`decideStatus`): a formula claim is checked by `checkClaims`
 * in its setting — the sheet's formula as printed, then the correction where there is one — an
 * experiment takes the outcome its exercise's code computed, and an unverifiable claim says what
 * the sheet lacks.
 *
 * What a formula claim reports as `computed`:
 * - a derivative (gradient, entry, Jacobian, Hessian) or a value: the right formula (the
 *   correction of an erratum, else the sheet's) evaluated at the setting's point `at`;
 * - an identity: the largest gap between its sides over the check's draws (for an erratum, the
 *   gap of the sheet's identity, then of the corrected one);
 * - the formulas of `computed`, when the claim lists them, at the setting's point.
 *
 * An erratum's note carries the checker's diagnosis of the sheet's formula, the edit that repairs
 * it when the repair search finds one, and the correction's verdict.
 *
 * @module
 */

import { array, type NDArray, type Nested } from "../ndarray.ts";
import { DEFAULT_ATOL } from "../grad/check.ts";
import { checkClaims } from "../formula/check_claims.ts";
import type { ClaimResult } from "../formula/check_claims.ts";
import { DEFAULT_VALUE_TOLERANCE, prepareClaim } from "../formula/claim.ts";
import { drawGiven, drawSeed, withLets } from "../formula/draw.ts";
import { FormulaError } from "../formula/errors.ts";
import { compile, type Env } from "../formula/evaluate.ts";
import { draws } from "../formula/judge.ts";
import {
  DEFAULT_DRAWS,
  ProblemError,
  readFormula,
  readSetting,
  type Setting,
} from "../formula/problem.ts";
import {
  type CheckedClaim,
  type ClaimFormulas,
  ClaimList,
  type ClaimValue,
  tidy,
} from "./claim.ts";
import { correctedField, type SheetCheck, type SheetClaim, type SheetData } from "./sheet_data.ts";
import type { Outcome } from "./vocabulary.ts";

/** Largest gap an identity may show by default (both sides exact formulas, in float64). */
export const IDENTITY_GAP = 1e-12;

/** The formula problem of one claim: its setting, the sheet's formula and the correction. */
export function claimProblem(sheet: SheetData, c: SheetClaim): Record<string, unknown> {
  const s = sheet.settings?.[c.setting ?? ""];
  if (!s || !c.check) {
    throw new TypeError(`claimProblem: ${c.exercise}/${c.claim} is not a formula claim`);
  }
  const check: SheetCheck = { ...c.check };
  const field = correctedField(check);
  if (field === "value" && check.equals === undefined) check.equals = c.printed as Nested;
  const claims: Record<string, unknown>[] = [{ id: c.claim, ...check }];
  if (c.correction !== undefined) {
    claims.push({ id: `${c.claim} corrected`, ...check, [field]: c.correction });
  }
  const problem: Record<string, unknown> = { given: s.given, claims, title: c.claim };
  const lets = { ...s.let, ...c.let };
  if (Object.keys(lets).length) problem.let = lets;
  const f = c.f ?? s.f;
  if (f !== undefined) problem.f = f;
  if (s.seed !== undefined) problem.seed = s.seed;
  if (s.draws !== undefined) problem.draws = s.draws;
  return problem;
}

/** The environment at the setting's point: `at` values where given, the first draw elsewhere. */
function pointEnv(setting: Setting, at: Record<string, unknown> | undefined): Env {
  const given = drawGiven(setting, drawSeed(setting.seed, 0));
  for (const [name, values] of Object.entries(at ?? {})) {
    const v = setting.variables.get(name);
    if (!v) throw new ProblemError(`at ${name}: not in given`);
    const a = array(values as Nested);
    if (a.size !== v.shape[0] * v.shape[1]) {
      throw new ProblemError(
        `at ${name}: ${a.size} values for a [${v.shape.join(", ")}] variable`,
      );
    }
    given.set(name, a.reshape([...v.shape]));
  }
  return withLets(setting, given);
}

/** A value as the catalog prints it: a number for one entry, else the entries in row-major order. */
function shown(a: NDArray): ClaimValue {
  return a.size === 1 ? tidy(a.data[0]) : tidy(a.data);
}

/** `kind: message` of a formula verdict, as one clause (no closing period). */
function plainMessage(r: ClaimResult): string {
  return `${r.kind}: ${r.message.replace(/\.\s*\(draw/, " (draw").replace(/\.$/, "")}`;
}

/** A repair's explanation as a clause: `the sum around … should not be there`. */
function clause(sentence: string | undefined): string {
  const s = (sentence ?? "").replace(/\.$/, "");
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Largest |lhs − rhs| of an identity (left side `identity`, right side `equals`) over the draws. */
function identityGap(
  setting: Setting,
  spec: Record<string, unknown>,
): { gap: number; points: number } {
  const prepared = prepareClaim(spec, setting);
  const right = prepared.read(prepared.formula.node);
  let gap = 0, points = 0;
  for (const d of draws(setting)) {
    const a = prepared.of!.run(d.env), b = right(d.env);
    for (let i = 0; i < a.size; i++) gap = Math.max(gap, Math.abs(a.data[i] - b.data[i]));
    points += a.size;
  }
  return { gap, points };
}

/** The value of the right formula of a derivative or value claim at the point. */
function rightValue(setting: Setting, spec: Record<string, unknown>, env: Env): NDArray {
  const prepared = prepareClaim(spec, setting);
  if (prepared.kind === "value") return prepared.of!.run(env);
  return prepared.read(prepared.formula.node)(env);
}

/** The outcome of a formula claim: with its formulas and their verdicts, when they could be read. */
export interface FormulaOutcome extends Outcome {
  /** The sheet's formula, the correction, and the checker's verdicts on them. */
  formulas?: ClaimFormulas;
}

/**
 * Checks one formula claim of a sheet: its outcome, before the verdict is derived. A setting or a
 * formula that cannot be read is an outcome that fails, with the reason in the note (the claim
 * then differs from its recorded status, which the CLI and the tests report).
 */
export function checkSheetClaim(sheet: SheetData, c: SheetClaim): FormulaOutcome {
  const problem = claimProblem(sheet, c);
  const specs = problem.claims as Record<string, unknown>[];
  const kind = correctedField(c.check!) === "equals" ? "identity" : c.check!.value ? "value" : "";
  const tolerance = kind === "identity"
    ? c.tolerance ?? IDENTITY_GAP
    : kind === "value"
    ? c.check!.tolerance ?? DEFAULT_VALUE_TOLERANCE
    : c.tolerance ?? DEFAULT_ATOL;
  let results: ClaimResult[];
  try {
    results = checkClaims(problem).results;
  } catch (e) {
    if (!(e instanceof ProblemError || e instanceof FormulaError)) throw e;
    return { computed: null, tolerance, holds: false, corrected: false, note: e.message };
  }
  const [sheetResult, fixResult] = results;
  const right = fixResult ?? sheetResult;
  const readable = right.kind !== "invalid";
  let computed: ClaimValue = null;
  let holds = sheetResult.ok, corrected = fixResult?.ok;
  const gaps: number[] = [];
  let points = 0;
  try {
    const { setting } = readSetting({ ...problem, claims: [] });
    const at = sheet.settings![c.setting!].at;
    if (kind === "identity") {
      for (const spec of specs) {
        const g = identityGap(setting, spec);
        gaps.push(g.gap);
        points = g.points;
      }
      holds &&= gaps[0] <= tolerance;
      if (corrected !== undefined) corrected &&= gaps[1] <= tolerance;
    }
    if (c.computed !== undefined) {
      const env = pointEnv(setting, at);
      const values = [c.computed].flat().map((source) => {
        const read = readFormula("computed", source, setting.shapes);
        return shown(compile(read.node)(env));
      });
      computed = typeof c.computed === "string" ? values[0] : values;
    } else if (kind === "identity") {
      computed = gaps.length === 1 ? tidy(gaps[0]) : tidy(gaps);
    } else if (readable) {
      computed = shown(rightValue(setting, specs[specs.length - 1], pointEnv(setting, at)));
    }
  } catch (e) {
    if (!(e instanceof ProblemError || e instanceof FormulaError)) throw e;
    return { computed: null, tolerance, holds: false, corrected: false, note: e.message };
  }
  const gapText = (k: number) =>
    gaps.length > k
      ? `; largest gap ${gaps[k].toExponential(1)} over ${points} entries (${
        sheet.settings![c.setting!].draws ?? DEFAULT_DRAWS
      } draws)`
      : "";
  const parts: string[] = [];
  if (fixResult === undefined) {
    parts.push(plainMessage(sheetResult) + gapText(0));
  } else {
    parts.push(
      `as printed, ${sheetResult.parsed} fails (${plainMessage(sheetResult)}${gapText(0)})`,
    );
    if (sheetResult.fix !== undefined) {
      parts.push(
        `the edit that repairs it: ${sheetResult.fix} (${clause(sheetResult.explanation)})`,
      );
    }
    parts.push(`corrected, ${fixResult.parsed}: ${plainMessage(fixResult)}${gapText(1)}`);
  }
  if (c.note) parts.push(c.note);
  const out: FormulaOutcome = { computed, tolerance, holds, note: parts.join("; ") };
  if (corrected !== undefined) out.corrected = corrected;
  out.formulas = { check: c.check!, sheet: sheetResult };
  if (problem.f !== undefined) out.formulas.f = problem.f as string;
  if (problem.let !== undefined) out.formulas.let = problem.let as Record<string, string>;
  if (fixResult) out.formulas.correction = fixResult;
  if (c.note) out.formulas.remark = c.note;
  return out;
}

/** Outcomes of an exercise's experiments, by claim id. */
export type Outcomes = Readonly<Record<string, Outcome>>;

/**
 * The claims of one exercise that the sheets state, in sheet order and then file order, with
 * their derived verdicts: formula claims checked here, experiments taken from `outcomes`.
 * @throws RangeError when a claim marked `experiment` has no outcome, or an outcome names no claim
 */
export function runSheetClaims(
  sheets: readonly SheetData[],
  exercise: string,
  outcomes: Outcomes = {},
  list: ClaimList = new ClaimList(exercise),
): CheckedClaim[] {
  const used = new Set<string>();
  const ordered = [...sheets].sort((a, b) => a.sheet.localeCompare(b.sheet));
  for (const sheet of ordered) {
    for (const c of sheet.claims) {
      if (c.exercise !== exercise) continue;
      let o: FormulaOutcome;
      if (c.recorded === "unverifiable") {
        o = { computed: null, tolerance: null, holds: false, note: c.missing! };
        if (c.note) o.note += `; ${c.note}`;
      } else if (c.experiment) {
        const found = outcomes[c.claim];
        if (!found) {
          throw new RangeError(
            `runSheetClaims: sheet ${sheet.sheet} lists ${exercise}/${c.claim} as an experiment, ` +
              `but the exercise computes no outcome for it`,
          );
        }
        used.add(c.claim);
        o = found;
      } else {
        o = checkSheetClaim(sheet, c);
      }
      list.add({
        claim: c.claim,
        sheet: sheet.sheet,
        question: c.question,
        statement: c.statement,
        expected: c.printed,
        computed: o.computed,
        tolerance: o.tolerance,
        recorded: c.recorded,
        holds: o.holds,
        corrected: o.corrected,
        note: o.note,
        formulas: o.formulas,
      });
    }
  }
  const stray = Object.keys(outcomes).filter((k) => !used.has(k));
  if (stray.length) {
    throw new RangeError(
      `runSheetClaims: ${exercise} computes outcomes for ${stray.join(", ")}, which no sheet ` +
        `lists as an experiment`,
    );
  }
  return list.claims;
}
