/**
 * One claim read against a problem's setting: what is claimed (a gradient, a Jacobian, a
 * Hessian, an identity, a value), the formula as understood with the shape of every subterm, the
 * shape the claim must have, and how to evaluate it — or a one-line reason why it cannot be.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import type { Node } from "./ast.ts";
import { FormulaError } from "./errors.ts";
import { compile, type Compiled, compileEntries } from "./evaluate.ts";
import {
  ClaimSchema,
  type ClaimSpec,
  type ReadFormula,
  readFormula,
  schemaMessage,
  type Setting,
} from "./problem.ts";
import { inferShapes, type Shape, showShape } from "./shape.ts";

/** What a claim says. */
export type ClaimKind = "gradient" | "jacobian" | "hessian" | "identity" | "value";

/** A claim ready to be checked. */
export interface PreparedClaim {
  /** As written. */
  spec: ClaimSpec;
  /** What it claims. */
  kind: ClaimKind;
  /** The claimed formula (for an identity, its right side `equals`), as understood. */
  formula: ReadFormula;
  /** Free indices of an entry claim. */
  indices?: string[];
  /** The shape the claimed formula must have. */
  target: Shape;
  /** The variable differentiated (gradient, Jacobian, Hessian). */
  wrt?: string;
  /** The Jacobian's expression or the identity's left side. */
  of?: ReadFormula & { run: Compiled };
  /** A `value` claim's expected numbers. */
  expected?: NDArray;
  /** A `value` claim's tolerance. */
  tolerance?: number;
  /** Why the claimed formula, which parses, cannot be evaluated (its shapes do not fit). */
  unreadable?: FormulaError;
  /** Shape-checks and compiles a formula in this claim's form (entry formulas included). */
  read(node: Node): Compiled;
}

/** The largest Jacobian or Hessian checked (each of its columns costs two evaluations, or more). */
export const MAX_MATRIX_ENTRIES = 250_000;

/** Default absolute tolerance of a `value` claim. */
export const DEFAULT_VALUE_TOLERANCE = 1e-6;

const INDEX = /^[A-Za-z]$/;

function which(spec: ClaimSpec): ClaimKind {
  const kinds: ClaimKind[] = [];
  if (spec.jacobian !== undefined) kinds.push("jacobian");
  if (spec.hessian !== undefined) kinds.push("hessian");
  if (spec.identity !== undefined) kinds.push("identity");
  if (spec.value !== undefined) kinds.push("value");
  if (kinds.length === 0 && spec.d !== undefined) kinds.push("gradient");
  if (kinds.length !== 1) {
    throw new FormulaError(
      kinds.length === 0
        ? "say what is claimed: d (with claim), jacobian, hessian, identity or value"
        : `claims ${kinds.join(" and ")} at once: one per claim`,
    );
  }
  const k = kinds[0];
  const needs: Record<ClaimKind, (keyof ClaimSpec)[]> = {
    gradient: ["d", "claim"],
    jacobian: ["d", "claim"],
    hessian: ["claim"],
    identity: ["equals"],
    value: ["equals"],
  };
  for (const field of needs[k]) {
    if (spec[field] === undefined) throw new FormulaError(`a ${k} claim needs ${field}`);
  }
  if ((k === "identity" || k === "value") && spec.claim !== undefined) {
    throw new FormulaError(`a ${k} claim states its right side in equals, not in claim`);
  }
  if (k === "identity" && typeof spec.equals !== "string") {
    throw new FormulaError("an identity's equals must be a formula");
  }
  if (k !== "value" && spec.tolerance !== undefined) {
    throw new FormulaError("tolerance belongs to value claims");
  }
  if ((k === "identity" || k === "value") && spec.entry !== undefined) {
    throw new FormulaError(`entry belongs to derivative claims, not to ${k} claims`);
  }
  return k;
}

function variable(setting: Setting, field: string, name: string): Shape {
  const v = setting.variables.get(name);
  if (!v) {
    const hint = setting.shapes.has(name)
      ? ` (${name} is a let: differentiate by a given variable)`
      : "";
    throw new FormulaError(`${field} ${name} is not in given${hint}`);
  }
  if (v.fixed) throw new FormulaError(`${field} ${name} has fixed values: give it as a shape`);
  return v.shape;
}

function readIndices(entry: string, target: Shape): Map<string, { size: number; what: string }> {
  const names = entry.split(",").map((s) => s.trim());
  if (names.length < 1 || names.length > 2 || names.some((n) => !INDEX.test(n))) {
    throw new FormulaError(`entry "${entry}": write one or two single-letter indices, e.g. "i,j"`);
  }
  if (names.length === 2 && names[0] === names[1]) {
    throw new FormulaError(`entry "${entry}": the two indices must differ`);
  }
  if (names.length === 1 && target[0] !== 1 && target[1] !== 1) {
    throw new FormulaError(`entry "${entry}": the claim is ${showShape(target)}: give two indices`);
  }
  return new Map(
    names.length === 2
      ? [[names[0], { size: target[0], what: "rows" }], [names[1], {
        size: target[1],
        what: "columns",
      }]]
      : [[names[0], { size: target[0] * target[1], what: "entries" }]],
  );
}

/**
 * Reads one claim against the setting.
 * @throws FormulaError with a one-line reason when the claim is malformed, does not parse, or its
 *   shapes do not fit (the claim is then reported `invalid`)
 */
export function prepareClaim(raw: unknown, setting: Setting): PreparedClaim {
  const parsed = ClaimSchema.safeParse(raw);
  if (!parsed.success) throw new FormulaError(schemaMessage(parsed.error, "claim"));
  const spec = parsed.data as ClaimSpec;
  const kind = which(spec);
  const shapes = setting.shapes;
  let target: Shape, wrt: string | undefined, of: PreparedClaim["of"];
  if (kind === "gradient" || kind === "jacobian") {
    wrt = spec.d!;
    const s = variable(setting, "d", wrt);
    if (kind === "jacobian") {
      const read = readFormula("jacobian", spec.jacobian!, shapes);
      of = { ...read, run: compile(read.node) };
      target = [read.shape[0] * read.shape[1], s[0] * s[1]];
    } else {
      if (!setting.f) {
        throw new FormulaError("a derivative claim needs f, the function it differentiates");
      }
      target = s;
    }
  } else if (kind === "hessian") {
    if (!setting.f) {
      throw new FormulaError("a Hessian claim needs f, the function it differentiates");
    }
    if (spec.d !== undefined && spec.d !== spec.hessian) {
      throw new FormulaError(`hessian ${spec.hessian} and d ${spec.d} differ: give one variable`);
    }
    wrt = spec.hessian!;
    const s = variable(setting, "hessian", wrt);
    target = [s[0] * s[1], s[0] * s[1]];
  } else if (kind === "identity") {
    const read = readFormula("identity", spec.identity!, shapes);
    of = { ...read, run: compile(read.node) };
    target = read.shape;
  } else {
    const read = readFormula("value", spec.value!, shapes);
    of = { ...read, run: compile(read.node) };
    target = read.shape;
  }
  const indices = spec.entry !== undefined ? readIndices(spec.entry, target) : undefined;
  const source = kind === "identity"
    ? spec.equals as string
    : kind === "value"
    ? undefined
    : spec.claim!;
  if ((kind === "jacobian" || kind === "hessian") && target[0] * target[1] > MAX_MATRIX_ENTRIES) {
    throw new FormulaError(
      `a ${target[0]}x${target[1]} ${kind === "jacobian" ? "Jacobian" : "Hessian"} is too large ` +
        `to check entry by entry (at most ${MAX_MATRIX_ENTRIES} entries): check a smaller case`,
    );
  }
  const read = (node: Node): Compiled => {
    const all = inferShapes(node, { shapes, indices });
    const s = all.get(node)!;
    if (indices) {
      if (s[0] !== 1 || s[1] !== 1) {
        throw new FormulaError(`an entry formula must be a scalar, got ${showShape(s)}`);
      }
      return compileEntries(node, [...indices.keys()], target);
    }
    return compile(node);
  };
  let formula: ReadFormula, unreadable: FormulaError | undefined;
  if (source === undefined) formula = of!;
  else {
    const node = readFormula("claim", source, new Map(shapes), undefined, false).node;
    try {
      formula = readFormula("claim", source, shapes, indices);
    } catch (e) {
      if (!(e instanceof FormulaError)) throw e;
      // It parses but its shapes do not fit: invalid, yet an edit may still repair it.
      unreadable = e;
      formula = { source, node, shapes: new Map(), shape: target };
    }
  }
  if (unreadable) {
    return {
      spec,
      kind,
      formula,
      target,
      read,
      wrt,
      of,
      unreadable,
      ...(indices ? { indices: [...indices.keys()] } : {}),
    };
  }
  if (kind === "identity" && !sameShape(formula.shape, target)) {
    throw new FormulaError(
      `the two sides have different shapes: ${showShape(target)} and ${showShape(formula.shape)}`,
    );
  }
  if (indices && (formula.shape[0] !== 1 || formula.shape[1] !== 1)) {
    throw new FormulaError(`an entry formula must be a scalar, got ${showShape(formula.shape)}`);
  }
  const prepared: PreparedClaim = { spec, kind, formula, target, read, wrt, of };
  if (indices) prepared.indices = [...indices.keys()];
  if (kind === "value") {
    prepared.expected = expectedValues(spec.equals!, target);
    prepared.tolerance = spec.tolerance ?? DEFAULT_VALUE_TOLERANCE;
  }
  return prepared;
}

function sameShape(a: Shape, b: Shape): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function expectedValues(equals: ClaimSpec["equals"], target: Shape): NDArray {
  if (typeof equals === "string") {
    const n = Number(equals);
    if (equals.trim() === "" || !Number.isFinite(n)) {
      throw new FormulaError(`a value claim's equals must be numbers, got "${equals}"`);
    }
    equals = n;
  }
  const flat = [equals].flat(Infinity as 1) as unknown[];
  if (flat.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
    throw new FormulaError("a value claim's equals must be finite numbers");
  }
  if (flat.length !== target[0] * target[1]) {
    throw new FormulaError(
      `the value is ${showShape(target)} (${
        target[0] * target[1]
      } entries) but equals has ${flat.length}`,
    );
  }
  return new NDArray(Float64Array.from(flat as number[]), [...target]);
}
