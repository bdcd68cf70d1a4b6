/**
 * The claim model of the exercise catalog: what a sheet states, what the project computes, and
 * the verdict (`verified`, `erratum`, `unverifiable`, `extension`), plus the small helpers every
 * topic file uses to turn a check into a verdict.
 *
 * The verdict is never typed in by hand: it is derived from the outcome of the check. Each claim
 * also carries the status recorded when the catalog was written, so that a change in behaviour
 * (a check that starts to fail, an erratum that starts to pass) is noticed by the CLI and tests.
 *
 * @module
 */

import type { FigureSpec } from "../view/figure.ts";
import type { GradCheckReport } from "../grad/report.ts";
import type { ClaimResult } from "../formula/check_claims.ts";

/** The four verdicts a claim can get. */
export type ClaimStatus = "verified" | "erratum" | "unverifiable" | "extension";

/** Every status, in the order tables and summaries list them. */
export const CLAIM_STATUSES: readonly ClaimStatus[] = [
  "verified",
  "erratum",
  "unverifiable",
  "extension",
];

/** A value a claim states or computes: a number, a formula (text), or nested arrays of them. */
export type ClaimValue = number | string | boolean | null | ClaimValue[];

/**
 * One checkable claim, exactly the object `deno task ex all --json` prints (contract in
 * `DESIGN.md`).
 */
export interface Claim {
  /** Exercise id, e.g. `batch_backprop`. */
  exercise: string;
  /** Claim id, unique within the exercise, e.g. `ex2-new-loss`. */
  claim: string;
  /** The sheet's three-digit prefix, e.g. `"002"`. */
  sheet: string;
  /** The sheet's own label of the question, e.g. `"Ex2"`, `"Q2.Q"`, `"2.1"`, `"5c"`. */
  question: string;
  /** What is claimed, in the project's own words. */
  statement: string;
  /** What the sheet states (number, array, or formula text); `null` when it states nothing. */
  expected: ClaimValue;
  /** What the project computes (numbers or arrays of numbers). */
  computed: ClaimValue;
  /** The tolerance of the comparison, `null` when the check is not a numeric comparison. */
  tolerance: number | null;
  /** The verdict. */
  status: ClaimStatus;
  /** Why: the diagnosis of a failed check, the correction, or what data is missing. */
  note: string;
}

/** What a formula claim states: the fields of its check that say what its formula is equal to. */
export interface FormulaCheck {
  /** The variable of a derivative. */
  d?: string;
  /** Free indices of an entry formula (`"i,j"`). */
  entry?: string;
  /** The expression whose Jacobian is claimed. */
  jacobian?: string;
  /** The variable of a Hessian. */
  hessian?: string;
  /** An identity's left side. */
  identity?: string;
  /** A formula whose value the sheet prints. */
  value?: string;
}

/**
 * The formulas behind a claim a sheet's data file states as a formula, with the checker's
 * verdicts (trees, shapes, the repairing edit): what the report renders as math.
 */
export interface ClaimFormulas {
  /** What the formulas are claimed equal to (a derivative of `f`, an identity's left side …). */
  check: FormulaCheck;
  /** The function derivatives are taken of (the setting's `f`, or the claim's own). */
  f?: string;
  /** The named formulas the claim uses, in order. */
  let?: Readonly<Record<string, string>>;
  /** The verdict on the sheet's formula as printed. */
  sheet: ClaimResult;
  /** The verdict on the correction, where the sheet gives one. */
  correction?: ClaimResult;
  /** What the checker cannot say: how the sheet is read, a remark on its derivation. */
  remark?: string;
}

/** A claim together with the status recorded for it in the catalog. */
export interface CheckedClaim {
  /** The claim as printed. */
  claim: Claim;
  /** The status recorded when the catalog was written. */
  recorded: ClaimStatus;
  /** For a claim stated as a formula (a sheet's data file): the formulas and their verdicts. */
  formulas?: ClaimFormulas;
}

/** What running one exercise gives. */
export interface ExerciseResult {
  /** Exercise id. */
  id: string;
  /** Human title. */
  title: string;
  /** The claims, with their recorded statuses. */
  claims: CheckedClaim[];
  /** Plotly figures (evidence) for the report page. */
  figures: FigureSpec[];
}

/** One exercise of the catalog: a topic covering questions of one or more sheets. */
export interface Exercise {
  /** Short id used on the command line (`deno task ex conv`). */
  id: string;
  /** Human title. */
  title: string;
  /** Sheet questions covered, written `"002 Ex2"`. */
  covers: readonly string[];
  /** Computes every synchronous claim. Deterministic (seeded). */
  run: () => ExerciseResult;
  /**
   * For exercises that also need asynchronous library calls (the t-SNE optimizer): computes
   * every claim, `run()`'s and the asynchronous ones. Deterministic (seeded).
   */
  runAsync?: () => Promise<ExerciseResult>;
}

/** What a topic file states about one claim before the verdict is derived. */
export interface ClaimSpec {
  /** Claim id, unique within the exercise. */
  claim: string;
  /** The sheet's three-digit prefix. */
  sheet: string;
  /** The sheet's label of the question. */
  question: string;
  /** The claim in the project's words. */
  statement: string;
  /** What the sheet states. */
  expected: ClaimValue;
  /** What the project computes. */
  computed: ClaimValue;
  /** Tolerance of the comparison; default `null`. */
  tolerance?: number | null;
  /** The status recorded in the catalog. */
  recorded: ClaimStatus;
  /**
   * Whether the sheet's claim (or, for an extension, the project's claim) passes its check.
   * Ignored for `unverifiable` claims.
   */
  holds: boolean;
  /** For a claim that fails: whether the corrected version passes. */
  corrected?: boolean;
  /** The explanation. */
  note: string;
  /** For a claim stated as a formula: the formulas and their verdicts (for the report). */
  formulas?: ClaimFormulas;
}

/** Prefix of the note of a claim whose own check failed (a defect of the project, not a sheet). */
export const CHECK_FAILED = "CHECK FAILED";

/**
 * Derives the verdict of a claim from its checks:
 * - recorded `unverifiable` (the sheet lacks data) stays `unverifiable`;
 * - a claim that holds is `verified` (or `extension` for a topic the sheet only names);
 * - a claim that fails while its correction passes is an `erratum`;
 * - anything else means the project's own check failed: `unverifiable`, with a note saying so.
 *
 * @example
 * ```ts
 * import { decideStatus } from "./claim.ts";
 * const s = decideStatus({ recorded: "erratum", holds: false, corrected: true });
 * if (s !== "erratum") throw new Error(s);
 * ```
 */
export function decideStatus(
  spec: Pick<ClaimSpec, "recorded" | "holds" | "corrected">,
): ClaimStatus {
  if (spec.recorded === "unverifiable") return "unverifiable";
  if (spec.holds) return spec.recorded === "extension" ? "extension" : "verified";
  if (spec.corrected === true) return "erratum";
  return "unverifiable";
}

/**
 * Collects the claims of one exercise and derives their verdicts.
 *
 * @example
 * ```ts
 * import { ClaimList } from "./claim.ts";
 * const list = new ClaimList("demo");
 * list.add({
 *   claim: "two", sheet: "000", question: "1", statement: "1 + 1 = 2", expected: 2,
 *   computed: 1 + 1, recorded: "verified", holds: 1 + 1 === 2, note: "",
 * });
 * if (list.claims[0].claim.status !== "verified") throw new Error();
 * ```
 */
export class ClaimList {
  #exercise: string;
  #claims: CheckedClaim[] = [];

  /** Starts an empty list; `exercise` is the id stamped on every claim. */
  constructor(exercise: string) {
    this.#exercise = exercise;
  }

  /** Adds a claim; returns its derived status. */
  add(spec: ClaimSpec): ClaimStatus {
    if (this.#claims.some((c) => c.claim.claim === spec.claim)) {
      throw new RangeError(`ClaimList.add: duplicate claim id ${spec.claim} in ${this.#exercise}`);
    }
    const status = decideStatus(spec);
    const failedCheck = status === "unverifiable" && spec.recorded !== "unverifiable";
    const checked: CheckedClaim = {
      recorded: spec.recorded,
      claim: {
        exercise: this.#exercise,
        claim: spec.claim,
        sheet: spec.sheet,
        question: spec.question,
        statement: spec.statement,
        expected: spec.expected,
        computed: spec.computed,
        tolerance: spec.tolerance ?? null,
        status,
        note: failedCheck ? `${CHECK_FAILED}: ${spec.note}` : spec.note,
      },
    };
    if (spec.formulas) checked.formulas = spec.formulas;
    this.#claims.push(checked);
    return status;
  }

  /** The claims so far. */
  get claims(): CheckedClaim[] {
    return this.#claims;
  }
}

/** Significant digits kept in computed values (float64 noise beyond this is dropped). */
export const COMPUTED_DIGITS = 12;

/**
 * Rounds a number (or nested arrays of numbers) to {@linkcode COMPUTED_DIGITS} significant
 * digits, for stable JSON output. Non-finite numbers become their string name.
 */
export function tidy(v: number | readonly unknown[] | Float64Array): ClaimValue {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return v === 0 ? 0 : Number(v.toPrecision(COMPUTED_DIGITS));
  }
  return Array.from(v as ArrayLike<unknown>, (x) => tidy(x as number | unknown[]));
}

/** Rounds to `decimals` places (half away from zero), as a sheet that prints 4 decimals does. */
export function roundTo(v: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.sign(v) * Math.round(Math.abs(v) * f) / f;
  return r === 0 ? 0 : r;
}

/** Largest |a − b| over two equally long lists (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Flattens nested number arrays in row-major order. */
export function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

/** `kind: message` of a gradient check, for notes. */
export function describeCheck(report: GradCheckReport): string {
  return `${report.diagnosis.kind}: ${report.diagnosis.message.replace(/\.$/, "")}`;
}
