/**
 * Random draws of a problem's variables, by kind, from a seeded generator: the same seed gives the
 * same values bit for bit. Each claim is checked at several independent draws, so a transpose
 * that happens to be right for one (symmetric) draw cannot pass.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import type { Env } from "./evaluate.ts";
import type { Setting, Variable } from "./problem.ts";

function fill(v: Variable, rng: Random): NDArray {
  if (v.fixed) return v.fixed.clone();
  const [r, c] = v.shape;
  const out = new Float64Array(r * c);
  switch (v.kind) {
    case "real":
      for (let i = 0; i < out.length; i++) out[i] = rng.normal();
      break;
    case "pos":
      // Bounded away from 0 and ∞ so that logs, roots and quotients stay well conditioned.
      for (let i = 0; i < out.length; i++) out[i] = rng.uniformIn(0.5, 2);
      break;
    case "onehot":
      for (let j = 0; j < c; j++) out[rng.int(r) * c + j] = 1;
      break;
    case "prob":
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let i = 0; i < r; i++) s += out[i * c + j] = rng.uniformIn(0.2, 1);
        for (let i = 0; i < r; i++) out[i * c + j] /= s;
      }
      break;
    case "sym":
    case "spd": {
      const a = new Float64Array(r * r);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal();
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < r; j++) {
          if (v.kind === "sym") out[i * r + j] = (a[i * r + j] + a[j * r + i]) / 2;
          else {
            // A Aᵀ / r + I: positive definite with eigenvalues near 1 to 5.
            let s = 0;
            for (let k = 0; k < r; k++) s += a[i * r + k] * a[j * r + k];
            out[i * r + j] = s / r + (i === j ? 1 : 0);
          }
        }
      }
      break;
    }
  }
  return new NDArray(out, [r, c]);
}

/** The given variables drawn with `seed`, in `given` order. */
export function drawGiven(setting: Setting, seed: number): Map<string, NDArray> {
  const rng = new Random(seed);
  const env = new Map<string, NDArray>();
  for (const v of setting.variables.values()) env.set(v.name, fill(v, rng));
  return env;
}

/** `given` values extended by every `let`, in order. */
export function withLets(setting: Setting, given: ReadonlyMap<string, NDArray>): Env {
  const env = new Map(given);
  for (const { name, run } of setting.lets) env.set(name, run(env));
  return env;
}

/** The seed of draw `k` of a problem seeded `seed` (`offset` separates fresh draws). */
export function drawSeed(seed: number, k: number, offset = 0): number {
  return seed * 7919 + 104729 * (k + 1) + offset;
}
