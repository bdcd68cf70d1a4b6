/**
 * The verdict on a claimed formula: evaluated at several independent seeded draws of the given
 * variables and compared, by the project's gradient checker, with central differences of `f`
 * (gradients, Hessians) or of the expression (Jacobians), or with the other side (identities) or
 * the expected numbers (values). The claim holds only if it holds at every draw; the report is
 * that of the first draw where it fails.
 *
 * Gradients of more than {@linkcode FULL_CHECK_LIMIT} entries are checked on a seeded sample of
 * {@linkcode LARGE_SAMPLES} entries plus {@linkcode LARGE_PROJECTIONS} random projections, and the
 * verdict says so.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import {
  checkGradient,
  checkHessian,
  checkJacobian,
  DEFAULT_ATOL,
  DEFAULT_RTOL,
} from "../grad/check.ts";
import { close, diagnose, type Diagnosis, EntryStatus, formatFactor } from "../grad/diagnosis.ts";
import {
  directionalDerivative,
  numericGradient,
  numericHessian,
  numericJacobian,
} from "../grad/numeric.ts";
import { formatNumber } from "../ndarray.ts";
import type { PreparedClaim } from "./claim.ts";
import { drawGiven, drawSeed, withLets } from "./draw.ts";
import type { Compiled, Env } from "./evaluate.ts";
import type { Setting } from "./problem.ts";

/** Gradients with more entries than this are checked by sampling and projections. */
export const FULL_CHECK_LIMIT = 4096;
/** Entries sampled for a large gradient. */
export const LARGE_SAMPLES = 256;
/** Random projections for a large gradient. */
export const LARGE_PROJECTIONS = 4;
/** Step of the Hessian's finite differences (second differences need a larger step). */
export const HESSIAN_EPS = 1e-4;
/** Relative tolerance of identities (both sides are exact formulas). */
export const IDENTITY_RTOL = 1e-7;

/** The verdict on a formula. */
export interface Verdict {
  /** True when it holds at every draw. */
  ok: boolean;
  /** Why not, or `match`. */
  diagnosis: Diagnosis;
  /** How it was checked, in words. */
  method: string;
}

/** One draw: the given values and the environment with the lets. */
export interface Draw {
  /** Given values. */
  given: Map<string, NDArray>;
  /** Given values and lets. */
  env: Env;
}

/** The draws of a check; `offset` gives fresh, independent ones. */
export function draws(setting: Setting, offset = 0): Draw[] {
  return Array.from({ length: setting.draws }, (_, k) => {
    const given = drawGiven(setting, drawSeed(setting.seed, k, offset));
    return { given, env: withLets(setting, given) };
  });
}

/** The environment with one given variable replaced and the lets recomputed. */
function moved(setting: Setting, draw: Draw, name: string, value: NDArray): Env {
  const given = new Map(draw.given);
  given.set(name, value);
  return withLets(setting, given);
}

function isLarge(claim: PreparedClaim): boolean {
  return claim.kind === "gradient" && claim.target[0] * claim.target[1] > FULL_CHECK_LIMIT;
}

/** The scalar function of one variable at a draw. */
function fOf(setting: Setting, draw: Draw, name: string, shape: readonly number[]) {
  return (x: NDArray) => setting.f!.run(moved(setting, draw, name, x.reshape(shape))).data[0];
}

/** Compares two arrays entry by entry and names the pattern of the difference. */
export function compareValues(
  truth: NDArray,
  claimed: NDArray,
  atol: number,
  rtol: number,
): Diagnosis {
  const [r, c] = truth.shape;
  if (claimed.shape[0] !== r || claimed.shape[1] !== c) {
    return {
      kind: "mismatch",
      message: `the shapes differ: [${r}, ${c}] and [${claimed.shape.join(", ")}]`,
    };
  }
  const n = truth.size;
  if (n === 1) return compareScalars(truth.data[0], claimed.data[0], atol, rtol);
  const status = new Uint8Array(n);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    scale = Math.max(scale, Math.abs(truth.data[i]), Math.abs(claimed.data[i]));
  }
  const a = atol * Math.max(1, scale);
  for (let i = 0; i < n; i++) {
    status[i] = close(claimed.data[i], truth.data[i], a, rtol) ? EntryStatus.Ok : EntryStatus.Wrong;
  }
  const transposed = r === c
    ? Float64Array.from({ length: n }, (_, i) => claimed.data[(i % c) * c + Math.floor(i / c)])
    : undefined;
  return diagnose({
    name: "claim",
    shape: [r, c],
    indices: Array.from({ length: n }, (_, i) => [Math.floor(i / c), i % c]),
    analytic: claimed.data,
    numeric: truth.data,
    analyticTransposed: transposed,
    status,
    valueNonFinite: !truth.isFinite(),
    atol: a,
    rtol,
  });
}

/** A direction with entries uniform on (−1, 1). */
function direction(rng: Random, shape: readonly number[], size: number): NDArray {
  const v = new Float64Array(size);
  for (let i = 0; i < size; i++) v[i] = rng.uniformIn(-1, 1);
  return new NDArray(v, shape);
}

/** `undefined` when the projections of `value` agree with directional derivatives of `f`. */
function projectionFailure(
  f: (x: NDArray) => number,
  x0: NDArray,
  value: NDArray,
  seed: number,
): string | undefined {
  if (value.size !== x0.size) return `${value.size} entries against ${x0.size}`;
  const rng = new Random(seed);
  for (let p = 0; p < LARGE_PROJECTIONS; p++) {
    const v = direction(rng, x0.shape, x0.size);
    const num = directionalDerivative(f, x0, v);
    const ana = value.reshape(x0.shape).dot(v);
    if (!close(ana, num, DEFAULT_ATOL, DEFAULT_RTOL)) {
      return `${formatNumber(ana)} against ${formatNumber(num)}`;
    }
  }
  return undefined;
}

/** One number against another: equal, of opposite sign, or different (a ratio of two numbers
 * at one draw says nothing about a constant factor). */
function compareScalars(truth: number, claimed: number, atol: number, rtol: number): Diagnosis {
  const a = atol * Math.max(1, Math.abs(truth), Math.abs(claimed));
  if (!Number.isFinite(truth) || !Number.isFinite(claimed)) {
    return { kind: "non-finite", message: "a side is not finite" };
  }
  if (close(claimed, truth, a, rtol)) return { kind: "match", message: "equal" };
  if (truth !== 0 && close(claimed, -truth, a, rtol)) {
    return { kind: "sign-flipped", message: "opposite signs" };
  }
  return {
    kind: "mismatch",
    message: `${formatNumber(claimed, 6)} against ${formatNumber(truth, 6)}`,
    wrongEntries: 1,
    totalEntries: 1,
  };
}

/** The message of an identity or value comparison, in the words of two sides. */
function sidesMessage(d: Diagnosis, left: string, right: string): string {
  switch (d.kind) {
    case "match":
      return `The ${right} equals the ${left} at every draw.`;
    case "sign-flipped":
      return `The ${right} is the negative of the ${left}: a sign is lost.`;
    case "scaled":
      return `The ${right} is ${
        formatFactor(d.factor ?? NaN)
      } times the ${left}: a constant factor is off.`;
    case "transposed":
      return `The ${right} is the transpose of the ${left}.`;
    case "partial":
      return `${d.wrongEntries} of ${d.totalEntries} entries of the ${right} differ from the ${left}.`;
    case "zero":
      return `The ${right} is zero but the ${left} is not.`;
    case "non-finite":
      return `A side is not finite (NaN or ±Infinity) at this draw: look for the log of a non-positive ` +
        `number or a division by zero, or declare the variable pos or prob.`;
    default:
      return d.totalEntries === 1
        ? `The ${right} differs from the ${left}: ${d.message}.`
        : `The ${right} differs from the ${left} with no simple pattern.`;
  }
}

/** The checker speaks of "the gradient of J"; a Jacobian or Hessian claim is named as such. */
function matrixWords(d: Diagnosis, kind: "jacobian" | "hessian"): Diagnosis {
  const [letter, word] = kind === "jacobian" ? ["J", "Jacobian"] : ["H", "Hessian"];
  const message = d.message.replaceAll(`gradients of ${letter}`, `${word}s`)
    .replaceAll(`gradient of ${letter}`, `${word}`);
  return { ...d, message };
}

/** The checker names entries from 0 (`W[0, 3]`); formulas count from 1, as on paper (`W[1, 4]`). */
function oneBased(message: string): string {
  return message.replace(
    /\b([A-Za-z][A-Za-z0-9_]*)\[(\d+)(?:, (\d+))?\]/g,
    (_, n: string, i: string, j?: string) =>
      `${n}[${Number(i) + 1}${j === undefined ? "" : `, ${Number(j) + 1}`}]`,
  );
}

function drawNote(k: number, total: number): string {
  return total > 1 ? ` (draw ${k + 1} of ${total})` : "";
}

/**
 * Judges the formula compiled as `run` in the form of `claim`, at the problem's draws (or at
 * fresh ones with `offset`).
 */
export function judge(claim: PreparedClaim, setting: Setting, run: Compiled, offset = 0): Verdict {
  const all = draws(setting, offset);
  let method = "";
  for (let k = 0; k < all.length; k++) {
    const draw = all[k];
    const seed = drawSeed(setting.seed, k, offset);
    let ok: boolean, diagnosis: Diagnosis;
    if (claim.kind === "gradient") {
      const name = claim.wrt!, x0 = draw.given.get(name)!;
      const f = fOf(setting, draw, name, x0.shape);
      const grad = (x: NDArray) => run(moved(setting, draw, name, x));
      if (isLarge(claim)) {
        // Projections first (2 evaluations each); sampled entries only to explain a failure.
        method = `${LARGE_PROJECTIONS} random projections uᵀ∇f of ${name} (${x0.size} entries, ` +
          `fast mode), central differences, ${all.length} draws; ${LARGE_SAMPLES} sampled entries ` +
          `to explain a failure`;
        const value = grad(x0.clone());
        const failed = projectionFailure(f, x0, value, seed);
        ok = failed === undefined;
        diagnosis = { kind: "match", message: `${LARGE_PROJECTIONS} random projections agree.` };
        if (failed) {
          const report = checkGradient(f, grad, x0, {
            name,
            seed,
            mode: "sparse",
            samples: LARGE_SAMPLES,
          });
          diagnosis = report.ok
            ? {
              kind: "partial",
              message: `The ${LARGE_SAMPLES} sampled entries of ∂f/∂${name} match, but a random ` +
                `projection does not (${failed}): a few entries are wrong.`,
            }
            : report.diagnosis;
        }
      } else {
        ({ ok, diagnosis } = checkGradient(f, grad, x0, { name, seed }));
        method = `every entry of ${name} against central differences, ${all.length} draws`;
      }
    } else if (claim.kind === "jacobian") {
      const name = claim.wrt!, z0 = draw.given.get(name)!;
      const report = checkJacobian(
        (z) => claim.of!.run(moved(setting, draw, name, z.reshape(z0.shape))).flatten(),
        (z) => run(moved(setting, draw, name, z.reshape(z0.shape))),
        z0.flatten(),
        { name, seed },
      );
      ({ ok, diagnosis } = report);
      method = `every entry against central differences of ${
        claim.of!.source
      }, ${all.length} draws`;
    } else if (claim.kind === "hessian") {
      const name = claim.wrt!, z0 = draw.given.get(name)!;
      const f = fOf(setting, draw, name, z0.shape);
      const report = checkHessian(
        (z) => numericGradient(f, z, { eps: HESSIAN_EPS }),
        (z) => run(moved(setting, draw, name, z.reshape(z0.shape))),
        z0.flatten(),
        { name, seed, eps: HESSIAN_EPS },
      );
      ({ ok, diagnosis } = report);
      method = `every entry against second differences of f, ${all.length} draws`;
    } else {
      const identity = claim.kind === "identity";
      const truth = identity ? claim.of!.run(draw.env) : claim.of!.run(draw.env);
      const claimed = identity ? run(draw.env) : claim.expected!;
      diagnosis = identity
        ? compareValues(truth, claimed, 1e-9, IDENTITY_RTOL)
        : compareValues(truth, claimed, claim.tolerance!, 0);
      ok = diagnosis.kind === "match";
      diagnosis = {
        ...diagnosis,
        message: identity
          ? sidesMessage(diagnosis, "left side", "right side")
          : sidesMessage(diagnosis, "computed value", "claimed value") +
            (ok ? "" : ` Computed: ${formatValue(truth)}; claimed: ${formatValue(claimed)}.`),
      };
      method = identity
        ? `both sides evaluated, ${all.length} draws`
        : `evaluated, tolerance ${formatNumber(claim.tolerance!)}`;
    }
    if (claim.kind === "jacobian" || claim.kind === "hessian") {
      diagnosis = matrixWords(diagnosis, claim.kind);
    }
    if (!ok && diagnosis.kind === "scaled" && claim.target[0] * claim.target[1] === 1) {
      diagnosis = singleRatio(claim, setting, run, all, k, diagnosis);
    }
    diagnosis = { ...diagnosis, message: oneBased(diagnosis.message) };
    if (!ok) {
      const note = claim.kind === "value" ? "" : drawNote(k, all.length);
      return { ok, diagnosis: { ...diagnosis, message: diagnosis.message + note }, method };
    }
    if (k === all.length - 1) return { ok, diagnosis, method };
  }
  throw new RangeError("judge: a problem needs at least one draw");
}

/**
 * One number against another always has a ratio: it is a constant factor only when every draw
 * shows the same one (a scalar's derivative σ(z)(1 − σ(z)) for σ(z) − 1 is not "scaled").
 */
function singleRatio(
  claim: PreparedClaim,
  setting: Setting,
  run: Compiled,
  all: Draw[],
  k: number,
  d: Diagnosis,
): Diagnosis {
  const ts = truths(claim, setting, all);
  const ratios = all.map((draw, j) => {
    const t = ts[j];
    return "full" in t ? run(draw.env).data[0] / t.full.data[0] : NaN;
  });
  const other = ratios.findIndex((r) => !close(r, ratios[k], 0, 1e-3));
  if (other < 0) return d;
  return {
    kind: "mismatch",
    message: `The claimed value is ${formatFactor(ratios[k])} times the true one at this draw ` +
      `but ${formatFactor(ratios[other])} times at draw ${
        other + 1
      }: no constant factor explains it.`,
  };
}

function formatValue(a: NDArray): string {
  if (a.size === 1) return formatNumber(a.data[0], 6);
  return `[${Array.from(a.data, (v) => formatNumber(v, 6)).join(", ")}]`;
}

/** What a formula must equal at one draw: all entries, or projections for a large gradient. */
export type Truth =
  | { full: NDArray; atol: number; rtol: number }
  | { projections: { v: NDArray; value: number }[] };

/** The true values a claim must reproduce at each of `draws` (for the repair search). */
export function truths(claim: PreparedClaim, setting: Setting, all: Draw[]): Truth[] {
  return all.map((draw, k) => {
    const name = claim.wrt!;
    switch (claim.kind) {
      case "gradient": {
        const x0 = draw.given.get(name)!;
        const f = fOf(setting, draw, name, x0.shape);
        if (!isLarge(claim)) {
          return { full: numericGradient(f, x0), atol: DEFAULT_ATOL, rtol: DEFAULT_RTOL };
        }
        const rng = new Random(drawSeed(setting.seed, k, 1));
        return {
          projections: Array.from({ length: LARGE_PROJECTIONS * 2 }, () => {
            const v = direction(rng, x0.shape, x0.size);
            return { v, value: directionalDerivative(f, x0, v) };
          }),
        };
      }
      case "jacobian": {
        const z0 = draw.given.get(name)!;
        const J = numericJacobian(
          (z) => claim.of!.run(moved(setting, draw, name, z.reshape(z0.shape))).flatten(),
          z0.flatten(),
        );
        return { full: J, atol: DEFAULT_ATOL, rtol: DEFAULT_RTOL };
      }
      case "hessian": {
        const z0 = draw.given.get(name)!;
        const H = numericHessian(fOf(setting, draw, name, z0.shape), z0.flatten(), {
          eps: HESSIAN_EPS,
        });
        return { full: H, atol: DEFAULT_ATOL * 10, rtol: DEFAULT_RTOL };
      }
      default:
        return { full: claim.of!.run(draw.env), atol: 1e-9, rtol: IDENTITY_RTOL };
    }
  });
}

/** True when `value` reproduces `truth`. */
export function agrees(value: NDArray, truth: Truth): boolean {
  if ("projections" in truth) {
    return truth.projections.every((p) =>
      value.size === p.v.size &&
      close(value.dot(p.v.reshape(value.shape)), p.value, DEFAULT_ATOL, DEFAULT_RTOL)
    );
  }
  const t = truth.full;
  if (value.size !== t.size || value.shape[0] !== t.shape[0]) return false;
  if (!value.isFinite()) return false;
  let scale = 1;
  if (truth.atol < 1e-6) { for (const v of t.data) scale = Math.max(scale, Math.abs(v)); }
  for (let i = 0; i < t.size; i++) {
    if (!close(value.data[i], t.data[i], truth.atol * scale, truth.rtol)) return false;
  }
  return true;
}
