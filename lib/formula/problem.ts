/**
 * The problem statement a student or a teacher writes (a JSON file, or the same object in
 * TypeScript), validated against a schema and read into a {@linkcode Setting}:
 *
 * ```json
 * {
 *   "given": { "W": "3x4", "x": "4", "y": "onehot 3", "T": [[2]] },
 *   "let": { "p": "softmax(W * x / T)" },
 *   "f": "-sum(y .* log(p))",
 *   "claims": [{ "id": "dW", "d": "W", "claim": "(p - y) * x' / T" }]
 * }
 * ```
 *
 * - `given`: name → `"[kind ]RxC"` (`R` alone is a column vector `Rx1`, `1` a scalar; kind one of
 *   {@linkcode KINDS}, default `real`), or a number / nested number array of fixed values.
 * - `let`: name → formula, in order; later ones may use earlier ones.
 * - `f`: the scalar function that derivative and Hessian claims differentiate.
 * - `claims`: see {@linkcode ClaimSpec}. A claim that is malformed is reported `invalid`; a bad
 *   `given`, `let` or `f` stops everything with a {@linkcode ProblemError}.
 *
 * @module
 */

import { z } from "zod";
import { array, type NDArray, type Nested } from "../ndarray.ts";
import type { Node } from "./ast.ts";
import { FormulaError } from "./errors.ts";
import { compile, type Compiled } from "./evaluate.ts";
import { parseFormula } from "./parse.ts";
import { inferShapes, isScalar, type Shape, showShape } from "./shape.ts";

/** What entries a variable holds. */
export const KINDS = ["real", "onehot", "prob", "pos", "sym", "spd"] as const;
/** A variable's kind: `real` normal entries; `onehot` / `prob` columns (one-hot / positive,
 * summing to 1); `pos` positive entries; `sym` symmetric; `spd` symmetric positive definite. */
export type Kind = typeof KINDS[number];

/** The most entries a given variable may have (10 million float64 entries are 80 MB). */
export const MAX_ENTRIES = 10_000_000;

/** Default number of independent random draws each claim is checked at. */
export const DEFAULT_DRAWS = 3;

/** One claim as written. Exactly one of `d` (alone), `jacobian`, `hessian`, `identity`, `value`
 * says what is claimed. */
export interface ClaimSpec {
  /** Name in reports. */
  id: string;
  /** The variable of a derivative: the claim is ∂f/∂d (shape of d), or with `jacobian` ∂expr/∂d. */
  d?: string;
  /** The claimed formula (derivative, Jacobian and Hessian claims). */
  claim?: string;
  /** Free indices (`"i,j"` or `"i"`): the claim is the entry [i, j] written with them. */
  entry?: string;
  /** A column-vector formula whose Jacobian J[i, j] = ∂exprᵢ/∂dⱼ is claimed. */
  jacobian?: string;
  /** A variable: the claim is the Hessian ∂²f/∂z∂zᵀ. */
  hessian?: string;
  /** Left side of an identity that must hold at every draw. */
  identity?: string;
  /** Right side of an identity (a formula), or the numbers a `value` claim expects. */
  equals?: string | Nested;
  /** A formula whose value is claimed to be `equals`. */
  value?: string;
  /** Absolute tolerance of a `value` claim. Default 1e-6. */
  tolerance?: number;
}

/** A whole problem as written. */
export interface ProblemSpec {
  /** Variables: shape and kind, or fixed values. */
  given: Record<string, string | Nested>;
  /** Named intermediate formulas, in order. */
  let?: Record<string, string>;
  /** The scalar function of derivative claims. */
  f?: string;
  /** What is claimed. */
  claims: ClaimSpec[];
  /** A title for reports. */
  title?: string;
  /** Seed of the random draws. Default 42. */
  seed?: number;
  /** Independent draws per claim (at least 3). Default 3. */
  draws?: number;
}

/** A problem that cannot be checked at all: bad `given`, `let` or `f`. */
export class ProblemError extends Error {
  /** A problem error. */
  constructor(message: string) {
    super(message);
    this.name = "ProblemError";
  }
}

/** A variable after reading. */
export interface Variable {
  /** Its name. */
  name: string;
  /** `[R, C]`. */
  shape: Shape;
  /** What entries it holds. */
  kind: Kind;
  /** Fixed values, when given as numbers. */
  fixed?: NDArray;
}

/** A formula after reading: its source, tree and shape. */
export interface ReadFormula {
  /** As written. */
  source: string;
  /** As understood. */
  node: Node;
  /** Shape of every subterm. */
  shapes: Map<Node, Shape>;
  /** Its shape. */
  shape: Shape;
}

/** The setting of a problem: everything but the claims. */
export interface Setting {
  /** The given variables, by name. */
  variables: Map<string, Variable>;
  /** Intermediate formulas, in order, compiled. */
  lets: { name: string; formula: ReadFormula; run: Compiled }[];
  /** The scalar function, when given, compiled. */
  f?: ReadFormula & { run: Compiled };
  /** Shapes of variables and lets. */
  shapes: Map<string, Shape>;
  /** Seed of the draws. */
  seed: number;
  /** Draws per claim. */
  draws: number;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const nested: z.ZodType<Nested> = z.lazy(() => z.union([z.number(), z.array(nested)]));

const ProblemSchema = z.object({
  given: z.record(
    z.string().regex(NAME, "a name is a letter then letters, digits or _"),
    z.union([z.string(), nested]),
  ),
  let: z.record(z.string().regex(NAME, "a name is a letter then letters, digits or _"), z.string())
    .optional(),
  f: z.string().optional(),
  claims: z.array(z.unknown()),
  title: z.string().optional(),
  seed: z.number().int().optional(),
  draws: z.number().int().min(3, "at least 3 draws, so that a lucky draw cannot pass").max(100)
    .optional(),
}).strict();

/** The schema of one claim. */
export const ClaimSchema = z.object({
  id: z.string().min(1),
  d: z.string().optional(),
  claim: z.string().optional(),
  entry: z.string().optional(),
  jacobian: z.string().optional(),
  hessian: z.string().optional(),
  identity: z.string().optional(),
  equals: z.union([z.string(), nested]).optional(),
  value: z.string().optional(),
  tolerance: z.number().positive().optional(),
}).strict();

/** The first problem zod found, as `where: what`. */
export function schemaMessage(error: z.ZodError, prefix = ""): string {
  const issue = error.issues[0];
  const where = [
    prefix,
    ...issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`),
  ]
    .join("").replace(/^\./, "");
  // A record key's own rule (what a name may be) sits one level down.
  const message = issue.code === "invalid_key" && issue.issues[0]
    ? issue.issues[0].message
    : issue.message;
  return `${where || "problem"}: ${message}`;
}

const SHAPE = /^\s*(?:([A-Za-z]+)\s+)?(\d+)\s*(?:[x×*]\s*(\d+))?\s*$/;

function readVariable(name: string, spec: string | Nested): Variable {
  if (typeof spec !== "string") {
    const raw = array(spec as Nested);
    if (raw.ndim > 2) throw new ProblemError(`given ${name}: at most 2-D values`);
    if (!raw.isFinite()) throw new ProblemError(`given ${name}: values must be finite numbers`);
    const fixed = raw.ndim === 2 ? raw : raw.reshape([raw.size, 1]);
    return { name, shape: [fixed.shape[0], fixed.shape[1]], kind: "real", fixed };
  }
  const m = spec.match(SHAPE);
  if (!m) {
    throw new ProblemError(
      `given ${name}: malformed shape "${spec}" (write RxC such as 3x4, R for a column vector, 1 for a scalar, optionally after a kind: ${
        KINDS.join(", ")
      })`,
    );
  }
  const kind = (m[1] ?? "real") as Kind;
  if (!KINDS.includes(kind)) {
    throw new ProblemError(`given ${name}: unknown kind "${m[1]}" (one of ${KINDS.join(", ")})`);
  }
  const shape: Shape = [Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
  if (shape[0] < 1 || shape[1] < 1) {
    throw new ProblemError(`given ${name}: sizes must be at least 1`);
  }
  if (shape[0] * shape[1] > MAX_ENTRIES) {
    throw new ProblemError(
      `given ${name}: ${showShape(shape)} has ${shape[0] * shape[1]} entries, more than the ` +
        `${MAX_ENTRIES} a check can draw several times`,
    );
  }
  if ((kind === "onehot" || kind === "prob") && shape[0] < 2) {
    throw new ProblemError(
      `given ${name}: a ${kind} column needs at least 2 rows, got ${showShape(shape)}`,
    );
  }
  if ((kind === "sym" || kind === "spd") && shape[0] !== shape[1]) {
    throw new ProblemError(
      `given ${name}: a ${kind} matrix must be square, got ${showShape(shape)}`,
    );
  }
  return { name, shape, kind };
}

/** Reads a formula against known shapes (only parses it with `checkShapes` false); errors name
 * `where`. */
export function readFormula(
  where: string,
  source: string,
  shapes: ReadonlyMap<string, Shape>,
  indices?: ReadonlyMap<string, { size: number; what: string }>,
  checkShapes = true,
): ReadFormula {
  try {
    const node = parseFormula(source);
    if (!checkShapes) return { source, node, shapes: new Map(), shape: [0, 0] };
    const all = inferShapes(node, { shapes, indices });
    return { source, node, shapes: all, shape: all.get(node)! };
  } catch (e) {
    if (e instanceof FormulaError) throw new FormulaError(`${where}: ${e.message}`, e.column);
    throw e;
  }
}

/**
 * Validates a problem and reads its setting; the claims are left as written (each is read on its
 * own, so that one bad claim does not stop the others).
 * @throws ProblemError for anything that makes the whole problem uncheckable
 */
export function readSetting(
  problem: unknown,
): { setting: Setting; claims: unknown[]; title?: string } {
  const parsed = ProblemSchema.safeParse(problem);
  if (!parsed.success) throw new ProblemError(schemaMessage(parsed.error));
  const p = parsed.data;
  const variables = new Map<string, Variable>();
  const shapes = new Map<string, Shape>();
  for (const [name, spec] of Object.entries(p.given)) {
    const v = readVariable(name, spec);
    variables.set(name, v);
    shapes.set(name, v.shape);
  }
  const lets: Setting["lets"] = [];
  try {
    for (const [name, source] of Object.entries(p.let ?? {})) {
      if (variables.has(name)) throw new ProblemError(`let ${name}: ${name} is already given`);
      const formula = readFormula(`let ${name}`, source, shapes);
      lets.push({ name, formula, run: compile(formula.node) });
      shapes.set(name, formula.shape);
    }
    let f: Setting["f"];
    if (p.f !== undefined) {
      const read = readFormula("f", p.f, shapes);
      f = { ...read, run: compile(read.node) };
      const s = f.shape;
      if (!isScalar(s)) {
        throw new ProblemError(`f: ${p.f} is ${showShape(s)}, not a scalar (wrap it in sum(...)?)`);
      }
    }
    return {
      setting: { variables, lets, f, shapes, seed: p.seed ?? 42, draws: p.draws ?? DEFAULT_DRAWS },
      claims: p.claims,
      title: p.title,
    };
  } catch (e) {
    if (e instanceof FormulaError) throw new ProblemError(e.message);
    throw e;
  }
}
