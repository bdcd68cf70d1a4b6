/**
 * The format of a sheet written as data (`data/sheets/sheet_NNN.json`): the settings the sheet
 * works in, and every checkable statement it makes, each in the formula language of `lib/formula`
 * (plain text or `$LaTeX$`), with the sheet's words or numbers as printed and the correction where
 * the sheet is wrong. {@linkcode readSheet} validates a file against the schema and names every bad
 * entry on its own line.
 *
 * ```json
 * {
 *   "sheet": "001",
 *   "source": "seeds/001_fbcbadcb69d089ca.txt",
 *   "settings": {
 *     "mse": {
 *       "given": { "o": "6", "y": [1, 0, 1, 1, 0, 0] },
 *       "let": { "s": "sigmoid(o)" },
 *       "f": "sum((s - y) .^ 2) / 6",
 *       "at": { "o": [-2.64, 2.22, 1.86, -1.48, 0.82, 0.18] }
 *     }
 *   },
 *   "claims": [{
 *     "exercise": "mse_vs_ce", "claim": "q2e-mse-gradient", "question": "Q2.E",
 *     "statement": "∂L_MSE/∂oᵃᵢ = (2/n)(σ(oᵃᵢ) − yᵢ)σ(oᵃᵢ)(1 − σ(oᵃᵢ)), one entry per sample",
 *     "printed": "∂L_MSE/∂o^a = (1/n) Σ_i 2(σ(o^a_i) − y_i) σ(o^a_i)(1 − σ(o^a_i))",
 *     "recorded": "erratum",
 *     "setting": "mse",
 *     "check": { "d": "o", "claim": "sum(2 * (s - y) .* s .* (1 - s)) / 6" },
 *     "correction": "2 * (s - y) .* s .* (1 - s) / 6"
 *   }]
 * }
 * ```
 *
 * A claim is one of four sorts:
 * - a **formula claim** (`check`, and `correction` when the sheet is wrong): the sheet's own
 *   formula as printed, checked by `checkClaims` in its `setting`;
 * - an **experiment** (`"experiment": true`): computed by the exercise's code (training runs,
 *   maps, measured rates, timings), which returns an outcome for that claim id;
 * - an **unverifiable** claim (`recorded: "unverifiable"`, `missing`: what the sheet lacks);
 * - nothing else: a claim must say how it is checked.
 *
 * @module
 */

import { z } from "zod";
import { CLAIM_STATUSES, type ClaimStatus } from "./claim.ts";
import { ClaimSchema, type ClaimSpec } from "../formula/problem.ts";

/** Nested numbers, as a sheet prints a vector or a matrix. */
export type Numbers = number | Numbers[];

/** A setting: the formula problem's `given`, `let` and `f`, and the point values are shown at. */
export interface SheetSetting {
  /** Variables: `"[kind ]RxC"` (drawn at random for the checks) or fixed numbers. */
  given: Record<string, string | Numbers>;
  /** Named formulas, in order. */
  let?: Record<string, string>;
  /** The scalar function derivative and Hessian claims differentiate. */
  f?: string;
  /**
   * Values of some drawn variables at which `computed` is shown (the checks themselves run at
   * random draws); the others take their first draw.
   */
  at?: Record<string, Numbers>;
  /** Seed of the draws (default 42). */
  seed?: number;
  /** Independent draws per check (default 3). */
  draws?: number;
}

/** What a formula claim states, in the formula language: a claim of a problem without its id (the
 * sheet claim's id names it); `equals` defaults to the printed numbers. */
export type SheetCheck = Omit<ClaimSpec, "id">;

/** One checkable statement of a sheet. */
export interface SheetClaim {
  /** The exercise the claim belongs to. */
  exercise: string;
  /** Claim id, unique within the exercise. */
  claim: string;
  /** The sheet's own label of the question (`"Q2.E"`, `"Ex2"`, `"5c"`). */
  question: string;
  /** The claim in the project's words. */
  statement: string;
  /** What the sheet states, as printed (formula text, numbers), or null when it states nothing. */
  printed: string | Numbers | null;
  /** The verdict recorded when the claim was written (the one place statuses are kept). */
  recorded: ClaimStatus;
  /** The setting (a key of the file's `settings`) a formula claim is checked in. */
  setting?: string;
  /** Replaces the setting's `f` for this claim. */
  f?: string;
  /** More named formulas for this claim, after the setting's. */
  let?: Record<string, string>;
  /** The sheet's formula, as printed, in the formula language. */
  check?: SheetCheck;
  /** The corrected formula, in place of the claimed one (`claim`, `equals` or `value`). */
  correction?: string;
  /** Formulas shown as `computed`, evaluated at the setting's point (default: see the runner). */
  computed?: string | string[];
  /** The tolerance reported (an identity's largest gap must stay below it; default 1e-12). */
  tolerance?: number;
  /** Computed by the exercise's code. */
  experiment?: boolean;
  /** For an unverifiable claim: what the sheet would have to give. */
  missing?: string;
  /** What the checker cannot say: how the sheet is read, a remark on its derivation. */
  note?: string;
}

/** An exercise defined by data alone (every claim a formula claim). */
export interface SheetExercise {
  /** Short id (`deno task ex <id>`). */
  id: string;
  /** Human title. */
  title: string;
  /** Questions covered, `"NNN label"`; default: those of its claims. */
  covers?: string[];
}

/** A whole sheet as data. */
export interface SheetData {
  /** The three-digit prefix, e.g. `"001"`. */
  sheet: string;
  /** The sheet's source file. */
  source: string;
  /** The sheet's title. */
  title?: string;
  /** Exercises this file defines by itself (besides those of the catalog's code). */
  exercises?: SheetExercise[];
  /** Named settings. */
  settings?: Record<string, SheetSetting>;
  /** The claims, in the order the catalog lists them. */
  claims: SheetClaim[];
}

/** A sheet file that does not follow the format: one line per bad entry. */
export class SheetError extends Error {
  /** One line per problem found. */
  readonly problems: string[];
  /** An error listing `problems` under `source`. */
  constructor(source: string, problems: string[]) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n` +
        problems.map((p) => `  ${p}`).join("\n"),
    );
    this.name = "SheetError";
    this.problems = problems;
  }
}

const ID = /^[a-z0-9][a-z0-9_-]*$/i;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const numbers: z.ZodType<Numbers> = z.lazy(() => z.union([z.number(), z.array(numbers)]));

const SettingSchema = z.object({
  given: z.record(
    z.string().regex(NAME, "a name is a letter then letters, digits or _"),
    z.union([
      z.string(),
      numbers,
    ]),
  ),
  let: z.record(z.string().regex(NAME), z.string()).optional(),
  f: z.string().optional(),
  at: z.record(z.string(), numbers).optional(),
  seed: z.number().int().optional(),
  draws: z.number().int().min(3).max(100).optional(),
}).strict();

/** A sheet's check is a formula claim without its id (the sheet claim's id names it). */
const CheckSchema = ClaimSchema.omit({ id: true });

const ClaimEntrySchema = z.object({
  exercise: z.string().regex(ID, "an exercise id is letters, digits, - or _"),
  claim: z.string().regex(ID, "a claim id is letters, digits, - or _"),
  question: z.string().min(1),
  statement: z.string().min(1),
  printed: z.union([z.string(), numbers, z.null()]),
  recorded: z.enum(CLAIM_STATUSES as [ClaimStatus, ...ClaimStatus[]]),
  setting: z.string().optional(),
  f: z.string().optional(),
  let: z.record(z.string().regex(NAME), z.string()).optional(),
  check: CheckSchema.optional(),
  correction: z.string().min(1).optional(),
  computed: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  tolerance: z.number().nonnegative().optional(),
  experiment: z.literal(true).optional(),
  missing: z.string().min(1).optional(),
  note: z.string().optional(),
}).strict();

const SheetSchema = z.object({
  $schema: z.string().optional(),
  sheet: z.string().regex(/^\d{3}$/, 'a sheet is named by three digits, e.g. "001"'),
  source: z.string().min(1),
  title: z.string().min(1).optional(),
  exercises: z.array(
    z.object({
      id: z.string().regex(ID, "an exercise id is letters, digits, - or _"),
      title: z.string().min(1),
      covers: z.array(z.string()).optional(),
    }).strict(),
  ).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  claims: z.array(z.unknown()),
}).strict();

function issueLines(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const where = [
      prefix,
      ...issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`),
    ].join("").replace(/^\./, "");
    const message = issue.code === "invalid_key" && issue.issues[0]
      ? issue.issues[0].message
      : issue.message;
    return `${where || "sheet"}: ${message}`;
  });
}

/** Kinds of claim a `check` can make, and the field that carries the sheet's assertion. */
function checkKind(c: SheetCheck): { kind: string; field: "claim" | "equals" | "value" } | string {
  const kinds = [
    c.jacobian !== undefined && "jacobian",
    c.hessian !== undefined && "hessian",
    c.identity !== undefined && "identity",
    c.value !== undefined && "value",
  ].filter(Boolean) as string[];
  if (kinds.length === 0 && c.d !== undefined) kinds.push("gradient");
  if (kinds.length !== 1) {
    return kinds.length === 0
      ? "say what is claimed: d (with claim), jacobian, hessian, identity or value"
      : `claims ${kinds.join(" and ")} at once: one per claim`;
  }
  const kind = kinds[0];
  if (kind === "identity") {
    return typeof c.equals === "string" ? { kind, field: "equals" } : "an identity needs equals";
  }
  if (kind === "value") return { kind, field: "value" };
  return c.claim === undefined ? `a ${kind} claim needs claim` : { kind, field: "claim" };
}

/** The field of a check that `correction` replaces. */
export function correctedField(check: SheetCheck): "claim" | "equals" | "value" {
  const k = checkKind(check);
  if (typeof k === "string") throw new TypeError(`correctedField: ${k}`);
  return k.field;
}

function claimProblems(c: SheetClaim, settings: Record<string, SheetSetting>): string[] {
  const out: string[] = [];
  const sorts = [c.check && "check", c.experiment && "experiment"].filter(Boolean);
  if (sorts.length > 1) return ["give check or experiment, not both"];
  if (c.recorded === "unverifiable") {
    if (!c.missing) out.push("an unverifiable claim says what is missing (missing)");
    if (sorts.length) out.push("an unverifiable claim has no check and no experiment");
    return out;
  }
  if (c.missing) out.push("missing belongs to unverifiable claims");
  if (sorts.length === 0) {
    out.push("say how the claim is checked: check (a formula) or experiment: true");
    return out;
  }
  if (c.experiment) {
    for (const k of ["setting", "f", "let", "correction", "computed"] as const) {
      if (c[k] !== undefined) out.push(`${k} belongs to formula claims, not to experiments`);
    }
    return out;
  }
  const check = c.check!;
  const kind = checkKind(check);
  if (typeof kind === "string") out.push(`check: ${kind}`);
  if (c.setting === undefined) out.push("a formula claim names its setting");
  else if (!(c.setting in settings)) {
    const known = Object.keys(settings);
    out.push(
      `setting "${c.setting}" is not in settings (${known.length ? known.join(", ") : "none"})`,
    );
  }
  if (c.recorded === "erratum" && c.correction === undefined) {
    out.push("an erratum gives the correction (the right formula)");
  }
  if (c.recorded !== "erratum" && c.correction !== undefined) {
    out.push(`a ${c.recorded} claim has no correction (only an erratum does)`);
  }
  if (typeof kind !== "string" && kind.kind === "value") {
    const equals = check.equals ?? c.printed;
    if (equals === null || (typeof equals === "string" && !Number.isFinite(Number(equals)))) {
      out.push("a value claim needs numbers: printed numbers or check.equals");
    }
  }
  return out;
}

/**
 * Validates a sheet file's contents and returns it typed.
 * @param raw the parsed JSON
 * @param source how errors name the file
 * @throws SheetError listing every bad entry, one line each (`claims[3] (mlp/dl-dW): ...`)
 * @example
 * ```ts
 * import { readSheet, SheetError } from "./sheet_data.ts";
 * try {
 *   readSheet({ sheet: "1", source: "x", claims: [] }, "mine.json");
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof SheetError) || !e.problems[0].startsWith("sheet:")) throw e;
 * }
 * ```
 */
export function readSheet(raw: unknown, source: string): SheetData {
  const top = SheetSchema.safeParse(raw);
  if (!top.success) throw new SheetError(source, issueLines(top.error, ""));
  const problems: string[] = [];
  const settings: Record<string, SheetSetting> = {};
  for (const [name, s] of Object.entries(top.data.settings ?? {})) {
    const parsed = SettingSchema.safeParse(s);
    if (!parsed.success) problems.push(...issueLines(parsed.error, `settings.${name}`));
    else {
      settings[name] = parsed.data as SheetSetting;
      for (const v of Object.keys(parsed.data.at ?? {})) {
        if (!(v in parsed.data.given)) {
          problems.push(`settings.${name}.at.${v}: ${v} is not in given`);
        } else if (typeof parsed.data.given[v] !== "string") {
          problems.push(`settings.${name}.at.${v}: ${v} already has fixed values`);
        }
      }
    }
  }
  const claims: SheetClaim[] = [];
  const seen = new Set<string>();
  top.data.claims.forEach((c, k) => {
    const label = c && typeof c === "object" && "exercise" in c && "claim" in c
      ? `claims[${k}] (${String(c.exercise)}/${String(c.claim)})`
      : `claims[${k}]`;
    const parsed = ClaimEntrySchema.safeParse(c);
    if (!parsed.success) {
      problems.push(
        ...issueLines(parsed.error, label).map((l) => l.replace(`${label}.`, `${label}: `)),
      );
      return;
    }
    const claim = parsed.data as SheetClaim;
    const key = `${claim.exercise}/${claim.claim}`;
    if (seen.has(key)) problems.push(`${label}: the id ${key} is used twice`);
    seen.add(key);
    problems.push(...claimProblems(claim, settings).map((p) => `${label}: ${p}`));
    claims.push(claim);
  });
  const defined = new Set<string>();
  for (const [k, e] of (top.data.exercises ?? []).entries()) {
    if (defined.has(e.id)) problems.push(`exercises[${k}]: the id ${e.id} is used twice`);
    defined.add(e.id);
    if (!claims.some((c) => c.exercise === e.id)) {
      problems.push(`exercises[${k}]: ${e.id} has no claims`);
    }
  }
  if (problems.length) throw new SheetError(source, problems);
  const out: SheetData = { sheet: top.data.sheet, source: top.data.source, claims };
  if (top.data.title) out.title = top.data.title;
  if (top.data.exercises) out.exercises = top.data.exercises as SheetExercise[];
  if (top.data.settings) out.settings = settings;
  return out;
}
