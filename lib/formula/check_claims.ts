/**
 * `checkClaims(problem)`: every claim of a problem read, shape-checked, judged at several seeded
 * draws and, when it fails, repaired by the smallest verified edit. A claim that cannot be read
 * is reported `invalid` with the reason, and the others are still checked.
 *
 * @module
 */

import type { DiagnosisKind } from "../grad/diagnosis.ts";
import { type ClaimKind, prepareClaim } from "./claim.ts";
import { FormulaError } from "./errors.ts";
import { draws, judge } from "./judge.ts";
import { ProblemError, readSetting, type Setting } from "./problem.ts";
import { type Fix, searchFix } from "./repair.ts";
import { toPlain } from "./print_plain.ts";
import type { Node } from "./ast.ts";
import type { Shape } from "./shape.ts";
import { ClaimsReport } from "./claims_report.ts";

/** The verdict on one claim. */
export interface ClaimResult {
  /** The claim's id. */
  id: string;
  /** True when the claim holds at every draw. */
  ok: boolean;
  /** A diagnosis kind of the checker, or `invalid` when the claim cannot be read. */
  kind: DiagnosisKind | "invalid";
  /** For `scaled`: claimed ≈ factor · true. */
  factor?: number;
  /** For `partial`: wrong entries. */
  wrongEntries?: number;
  /** For `partial`: checked entries. */
  totalEntries?: number;
  /** Why, in one or two sentences. */
  message: string;
  /** A formula (same form as the claim) that passes on fresh draws, when one edit repairs it. */
  fix?: string;
  /** The edit, naming the subterm. */
  explanation?: string;
  /** The claim as understood, in plain syntax (the source text when it did not parse). */
  parsed: string;
  /** Shape of the claimed formula; `null` when it could not be read. */
  shape: number[] | null;
  /** What was claimed. */
  claimKind?: ClaimKind;
  /** How it was checked. */
  method?: string;
  /** The claimed formula as understood (for rendering with shapes). */
  tree?: Node;
  /** Shapes of its subterms. */
  shapes?: Map<Node, Shape>;
  /** The fix as a tree. */
  fixTree?: Node;
}

function withFix(result: ClaimResult, fix: Fix | undefined): ClaimResult {
  if (!fix) return result;
  result.fix = fix.formula;
  result.explanation = fix.explanation.charAt(0).toUpperCase() + fix.explanation.slice(1) + ".";
  result.fixTree = fix.node;
  return result;
}

function checkOne(
  id: string,
  raw: unknown,
  setting: Setting,
  options: CheckClaimsOptions,
): ClaimResult {
  const claim = prepareClaim(raw, setting);
  if (claim.unreadable) {
    const result: ClaimResult = {
      id,
      ok: false,
      kind: "invalid",
      message: `${id}: ${claim.unreadable.message}`,
      parsed: toPlain(claim.formula.node),
      shape: null,
      claimKind: claim.kind,
      tree: claim.formula.node,
    };
    return options.fix === false ? result : withFix(result, searchFix(claim, setting));
  }
  const verdict = judge(claim, setting, claim.read(claim.formula.node));
  const d = verdict.diagnosis;
  const result: ClaimResult = {
    id,
    ok: verdict.ok,
    kind: d.kind,
    message: d.message,
    parsed: toPlain(claim.formula.node),
    shape: [...(claim.indices ? claim.target : claim.formula.shape)],
    claimKind: claim.kind,
    method: verdict.method,
    tree: claim.formula.node,
    shapes: claim.formula.shapes,
  };
  if (d.factor !== undefined) result.factor = d.factor;
  if (d.wrongEntries !== undefined) result.wrongEntries = d.wrongEntries;
  if (d.totalEntries !== undefined) result.totalEntries = d.totalEntries;
  if (verdict.ok || claim.kind === "value" || options.fix === false) return result;
  return withFix(result, searchFix(claim, setting));
}

/** Every `let` and `f` must be finite at every draw, or no verdict means anything. */
function assertFinite(setting: Setting): void {
  for (const [k, draw] of draws(setting).entries()) {
    const bad = setting.lets.find(({ name }) => !draw.env.get(name)!.isFinite());
    const where = bad
      ? `let ${bad.name}`
      : setting.f && !setting.f.run(draw.env).isFinite()
      ? "f"
      : "";
    if (!where) continue;
    const source = bad ? bad.formula.source : setting.f!.source;
    throw new ProblemError(
      `${where}: ${source} is not finite (NaN or ±Infinity) at draw ${k + 1}: a log or square ` +
        `root of a negative entry, or a division by zero? Declare such variables pos or prob`,
    );
  }
}

/** Options of {@linkcode checkClaims}. */
export interface CheckClaimsOptions {
  /** Search a repairing edit for each failed claim. Default true. */
  fix?: boolean;
}

function sourceOf(raw: unknown): string {
  if (raw && typeof raw === "object") {
    const r = raw as Record<string, unknown>;
    for (const k of ["claim", "equals", "value"]) {
      if (typeof r[k] === "string") return r[k] as string;
    }
  }
  return "";
}

/**
 * Checks every claim of a problem (see `ProblemSpec`).
 * @throws ProblemError when the setting (`given`, `let`, `f`) is unusable
 * @example
 * ```ts
 * import { checkClaims } from "./check_claims.ts";
 * const report = checkClaims({
 *   given: { W: "3x4", x: "4", y: "onehot 3" },
 *   let: { p: "softmax(W * x)" },
 *   f: "-sum(y .* log(p))",
 *   claims: [{ id: "dW", d: "W", claim: "x * (p - y)'" }],
 * });
 * if (report.results[0].ok || report.results[0].fix !== "(p - y) * x'") throw new Error();
 * ```
 */
export function checkClaims(problem: unknown, options: CheckClaimsOptions = {}): ClaimsReport {
  const { setting, claims, title } = readSetting(problem);
  assertFinite(setting);
  const results = claims.map((raw, k): ClaimResult => {
    const id = raw && typeof raw === "object" && typeof (raw as { id?: unknown }).id === "string"
      ? (raw as { id: string }).id
      : `claims[${k}]`;
    try {
      return checkOne(id, raw, setting, options);
    } catch (e) {
      if (!(e instanceof FormulaError || e instanceof RangeError || e instanceof TypeError)) {
        throw e;
      }
      return {
        id,
        ok: false,
        kind: "invalid",
        message: `${id}: ${e.message}`,
        parsed: sourceOf(raw),
        shape: null,
      };
    }
  });
  return new ClaimsReport(results, title);
}
