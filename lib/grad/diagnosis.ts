/**
 * Why a gradient is wrong. Given analytic and numeric values at the same entries, names the
 * pattern that explains the difference — a flipped sign, a constant factor, a transpose, missing
 * entries, an all-zero gradient, NaN, a kink — in one sentence a student can act on. Each pattern
 * is a small rule; {@linkcode DIAGNOSIS_RULES} lists them in the order `diagnose` tries them.
 *
 * @module
 */

import { formatNumber, formatShape } from "../ndarray.ts";

/** The kinds of verdict, from best to worst explained. */
export type DiagnosisKind =
  | "match"
  | "sign-flipped"
  | "scaled"
  | "transposed"
  | "partial"
  | "zero"
  | "non-finite"
  | "kink"
  | "mismatch";

/** Every diagnosis kind, in a fixed order (for tables and tests). */
export const DIAGNOSIS_KINDS: readonly DiagnosisKind[] = [
  "match",
  "sign-flipped",
  "scaled",
  "transposed",
  "partial",
  "zero",
  "non-finite",
  "kink",
  "mismatch",
];

/** The verdict on one gradient (or on all of an op's input gradients together). */
export interface Diagnosis {
  /** What explains the difference; `match` (or `kink`, excused) when there is none. */
  kind: DiagnosisKind;
  /** One sentence for a student. */
  message: string;
  /** For `scaled`: analytic ≈ factor · numeric. */
  factor?: number;
  /** For `partial`: how many checked entries are wrong. */
  wrongEntries?: number;
  /** For `partial`: how many entries were checked. */
  totalEntries?: number;
  /** For `partial`: the first wrong entries' indices (at most {@linkcode MAX_LISTED}). */
  wrongIndices?: number[][];
  /** For several inputs: the names of the inputs whose gradient is wrong. */
  wrongInputs?: string[];
}

/** How many wrong indices a diagnosis lists. */
export const MAX_LISTED = 10;

/** Status of one checked entry. */
export const EntryStatus = {
  Wrong: 0,
  Ok: 1,
  /** Fails the central difference only because the ±ε step crosses (or sits on) a kink. */
  Kink: 2,
} as const;

/** Analytic and numeric values at the checked entries of one tensor. */
export interface Comparison {
  /** Name of the input (for messages), e.g. `x`, `W`. */
  name: string;
  /** Shape of the tensor being differentiated. */
  shape: readonly number[];
  /** Multi-index of each checked entry. */
  indices: number[][];
  /** Analytic value at each checked entry. */
  analytic: Float64Array;
  /** Numeric value at each checked entry. */
  numeric: Float64Array;
  /** The analytic array read transposed at each entry, when that reading exists. */
  analyticTransposed?: Float64Array;
  /** Per-entry status. */
  status: Uint8Array;
  /** True when the function value at the base point was not finite. */
  valueNonFinite?: boolean;
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance. */
  rtol: number;
}

/** `|a − b| ≤ atol + rtol·max(|a|, |b|)`. */
export function close(a: number, b: number, atol: number, rtol: number): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

/** A factor written as a small fraction when it is one (`2`, `1/2`, `-3/4`), else 4 digits. */
export function formatFactor(c: number): string {
  for (let q = 1; q <= 12; q++) {
    const p = Math.round(c * q);
    if (p !== 0 && Math.abs(c * q - p) <= 1e-6 * Math.abs(c * q)) {
      return q === 1 ? `${p}` : `${p}/${q}`;
    }
  }
  return formatNumber(c);
}

function idx(name: string, index: readonly number[]): string {
  return `${name}[${index.join(", ")}]`;
}

/** How many checked entries of a comparison are wrong, and how many are excused at a kink. */
export interface Tally {
  /** Entries with status {@linkcode EntryStatus}.Wrong. */
  wrong: number;
  /** Entries with status {@linkcode EntryStatus}.Kink. */
  kinks: number;
}

/** One rule of {@linkcode diagnose}: a pattern that may explain a comparison. */
export interface DiagnosisRule {
  /** The kind of diagnosis the rule gives. */
  kind: DiagnosisKind;
  /** The diagnosis when the pattern explains the comparison, else undefined (the next rule tries). */
  explain: (c: Comparison, tally: Tally) => Diagnosis | undefined;
}

/** True when `pred` holds for every checked entry. */
function everyEntry(c: Comparison, pred: (i: number) => boolean): boolean {
  for (let i = 0; i < c.analytic.length; i++) if (!pred(i)) return false;
  return true;
}

function nonFiniteValue(c: Comparison): Diagnosis | undefined {
  if (!c.valueNonFinite) return undefined;
  return {
    kind: "non-finite",
    message: `The function itself is not finite (NaN or ±Infinity) at this point, so no gradient ` +
      `can be checked: make the loss numerically stable first (e.g. log-sum-exp).`,
  };
}

/** The first entry where the analytic or the numeric value is NaN or ±Infinity. */
function nonFiniteEntry(c: Comparison): Diagnosis | undefined {
  const { analytic: a, numeric: n, name } = c;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      return {
        kind: "non-finite",
        message: `The analytic gradient has ${formatNumber(a[i])} at ${
          idx(name, c.indices[i])
        }: look for a division by zero, log(0) or an overflowing exp.`,
      };
    }
    if (!Number.isFinite(n[i])) {
      return {
        kind: "non-finite",
        message: `The function becomes NaN or infinite when ${
          idx(name, c.indices[i])
        } moves by ±eps, so the numeric gradient there is ${formatNumber(n[i])}.`,
      };
    }
  }
  return undefined;
}

function kinkOnly(c: Comparison, { wrong, kinks }: Tally): Diagnosis | undefined {
  if (wrong > 0 || kinks === 0) return undefined;
  return {
    kind: "kink",
    message:
      `The gradient of ${c.name} matches except at ${kinks} entr${
        kinks === 1 ? "y" : "ies"
      } where a ±eps step crosses a kink (a point where the function is not differentiable); ` +
      `there the analytic value is a valid one-sided derivative.`,
  };
}

function match(c: Comparison, { wrong }: Tally): Diagnosis | undefined {
  if (wrong > 0) return undefined;
  return { kind: "match", message: `The analytic gradient of ${c.name} matches the numeric one.` };
}

/** All analytic entries are (nearly) 0 while the numeric ones are not. */
function zero(c: Comparison): Diagnosis | undefined {
  const { analytic: a, numeric: n, atol, name } = c;
  let numericScale = 0;
  for (let i = 0; i < a.length; i++) numericScale = Math.max(numericScale, Math.abs(n[i]));
  if (!(a.every((v) => Math.abs(v) <= atol) && numericScale > atol)) return undefined;
  return {
    kind: "zero",
    message: `The analytic gradient of ${name} is zero everywhere, but the function does change ` +
      `with ${name}: a whole term (or the return value) is missing.`,
  };
}

function signFlipped(c: Comparison): Diagnosis | undefined {
  const { analytic: a, numeric: n, atol, rtol, name } = c;
  if (!everyEntry(c, (i) => close(a[i], -n[i], atol, rtol))) return undefined;
  return {
    kind: "sign-flipped",
    message: `The analytic gradient of ${name} has the right size but the opposite sign ` +
      `everywhere: look for a subtraction written the wrong way round (y − ŷ for ŷ − y) or a lost minus.`,
  };
}

/** analytic ≈ c · numeric for the least-squares c, when c is not 0 or 1. */
function scaled(c: Comparison): Diagnosis | undefined {
  const { analytic: a, numeric: n, atol, rtol, name } = c;
  let an = 0, nn = 0;
  for (let i = 0; i < a.length; i++) {
    an += a[i] * n[i];
    nn += n[i] * n[i];
  }
  const factor = nn > 0 ? an / nn : NaN;
  if (
    !Number.isFinite(factor) || factor === 0 || close(factor, 1, 0, rtol) ||
    !everyEntry(c, (i) => close(a[i], factor * n[i], atol, rtol))
  ) return undefined;
  return {
    kind: "scaled",
    factor,
    message:
      `The analytic gradient of ${name} is ${
        formatFactor(factor)
      } times the numeric one everywhere: a ` +
      `constant factor is off (a ½ from a squared loss, a 1/N from a mean, a learning rate or a ` +
      `temperature)${factor < 0 ? ", and the sign is flipped too" : ""}.`,
  };
}

/** A square array whose values read transposed match. */
function transposedValues(c: Comparison): Diagnosis | undefined {
  const { numeric: n, analyticTransposed: t, atol, rtol, name } = c;
  if (!t || !everyEntry(c, (i) => close(t[i], n[i], atol, rtol))) return undefined;
  return {
    kind: "transposed",
    message: `The analytic gradient of ${name} is the transpose of the numeric one: the factors ` +
      `of an outer product are swapped (δxᵀ where xδᵀ belongs, or the other way round).`,
  };
}

/**
 * Some entries right and some wrong: partial when a right entry is not trivially 0, or when at
 * most half are wrong. Says which, and names a missing off-diagonal or a missing term.
 */
function partial(c: Comparison, { wrong }: Tally): Diagnosis | undefined {
  const { analytic: a, numeric: n, atol, name } = c;
  const total = a.length;
  const right = total - wrong;
  let rightNonTrivial = 0;
  for (let i = 0; i < total; i++) {
    if (c.status[i] !== EntryStatus.Wrong && Math.abs(n[i]) > atol) rightNonTrivial++;
  }
  if (!(right > 0 && (rightNonTrivial > 0 || wrong * 2 <= total))) return undefined;
  const wrongIndices: number[][] = [];
  let zeroWhereWrong = 0, offDiagonal = 0;
  for (let i = 0; i < total; i++) {
    if (c.status[i] !== EntryStatus.Wrong) continue;
    if (wrongIndices.length < MAX_LISTED) wrongIndices.push(c.indices[i]);
    if (Math.abs(a[i]) <= atol) zeroWhereWrong++;
    const ix = c.indices[i];
    if (ix.length === 2 && ix[0] !== ix[1]) offDiagonal++;
  }
  const square = c.shape.length === 2 && c.shape[0] === c.shape[1];
  const listed = wrongIndices.map((ix) => idx(name, ix)).join(", ") +
    (wrong > MAX_LISTED ? ", …" : "");
  let why = `${wrong} of ${total} checked entries of ${name} are wrong (${listed}); the rest match`;
  if (square && offDiagonal === wrong) {
    why += `: the diagonal is right but off-diagonal terms are not — the cross terms ` +
      `∂yᵢ/∂xⱼ (i ≠ j) are missing or wrong`;
  } else if (zeroWhereWrong === wrong) {
    why += `: the analytic gradient is 0 exactly there, so a term is missing`;
  }
  return {
    kind: "partial",
    wrongEntries: wrong,
    totalEntries: total,
    wrongIndices,
    message: `${why}.`,
  };
}

/** What {@linkcode diagnose} says when no rule explains the difference, naming the worst entry. */
function mismatch(c: Comparison): Diagnosis {
  const { analytic: a, numeric: n, name } = c;
  let worst = 0, worstErr = -1;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - n[i]);
    if (e > worstErr) {
      worstErr = e;
      worst = i;
    }
  }
  return {
    kind: "mismatch",
    message: `The analytic and numeric gradients of ${name} disagree with no simple pattern ` +
      `(worst at ${idx(name, c.indices[worst])}: analytic ${formatNumber(a[worst])}, numeric ${
        formatNumber(n[worst])
      }): re-derive it.`,
  };
}

/**
 * The rules of {@linkcode diagnose}, tried in this order; the first that explains a comparison
 * gives its diagnosis. Unusable values come first, then agreement, then the patterns from the
 * most to the least specific.
 */
export const DIAGNOSIS_RULES: readonly DiagnosisRule[] = [
  { kind: "non-finite", explain: nonFiniteValue },
  { kind: "non-finite", explain: nonFiniteEntry },
  { kind: "kink", explain: kinkOnly },
  { kind: "match", explain: match },
  { kind: "zero", explain: zero },
  { kind: "sign-flipped", explain: signFlipped },
  { kind: "scaled", explain: scaled },
  { kind: "transposed", explain: transposedValues },
  { kind: "partial", explain: partial },
];

/** Counts the wrong and the kink-excused entries of a comparison. */
function tally(c: Comparison): Tally {
  const { status } = c, total = c.analytic.length;
  const WRONG = EntryStatus.Wrong, KINK = EntryStatus.Kink;
  let wrong = 0, kinks = 0;
  for (let i = 0; i < total; i++) {
    const s = status[i];
    if (s === WRONG) wrong++;
    else if (s === KINK) kinks++;
  }
  return { wrong, kinks };
}

/**
 * Diagnoses one tensor's comparison: the first of {@linkcode DIAGNOSIS_RULES} that explains it,
 * or `mismatch` (naming the worst entry) when none does.
 */
export function diagnose(c: Comparison): Diagnosis {
  const counts = tally(c);
  for (const rule of DIAGNOSIS_RULES) {
    const d = rule.explain(c, counts);
    if (d !== undefined) return d;
  }
  return mismatch(c);
}

/** The diagnosis for an analytic gradient whose shape is unusable. */
export function shapeMismatch(
  name: string,
  expected: readonly number[],
  got: readonly number[],
): Diagnosis {
  return {
    kind: "mismatch",
    message: `The analytic gradient of ${name} has shape ${
      formatShape(got)
    } but ${name} has shape ${
      formatShape(expected)
    }: a gradient always has the shape of what it differentiates.`,
  };
}

/**
 * Combines the diagnoses of several inputs: `match` when all match, the common kind when every
 * input fails the same way, otherwise `partial` naming the wrong inputs.
 */
export function combineDiagnoses(
  parts: readonly { name: string; diagnosis: Diagnosis }[],
): Diagnosis {
  if (parts.length === 1) return parts[0].diagnosis;
  const good = (d: Diagnosis) => d.kind === "match" || d.kind === "kink";
  const bad = parts.filter((p) => !good(p.diagnosis));
  if (bad.length === 0) {
    const kink = parts.find((p) => p.diagnosis.kind === "kink");
    if (kink) return { ...kink.diagnosis };
    return {
      kind: "match",
      message: `All ${parts.length} gradients (${parts.map((p) => p.name).join(", ")}) match.`,
    };
  }
  const wrongInputs = bad.map((p) => p.name);
  const kinds = new Set(bad.map((p) => p.diagnosis.kind));
  if (bad.length === parts.length && kinds.size === 1) {
    const d = bad[0].diagnosis;
    const sameFactor = d.kind !== "scaled" ||
      bad.every((p) => close(p.diagnosis.factor ?? NaN, d.factor ?? NaN, 0, 1e-3));
    if (sameFactor) return { ...d, wrongInputs };
  }
  const right = parts.filter((p) => good(p.diagnosis)).map((p) => p.name);
  return {
    kind: "partial",
    wrongInputs,
    message: `The gradient${wrongInputs.length > 1 ? "s" : ""} of ${wrongInputs.join(", ")} ` +
      `${wrongInputs.length > 1 ? "are" : "is"} wrong (${
        bad.map((p) => `${p.name}: ${p.diagnosis.kind}`).join("; ")
      })${
        right.length ? `, while ${right.join(", ")} ${right.length > 1 ? "match" : "matches"}` : ""
      }. ${bad[0].diagnosis.message}`,
  };
}
