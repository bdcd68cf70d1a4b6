/**
 * Dropout, seeded: inverted Bernoulli dropout and the Gaussian multiplicative dropout of
 * sheet 004 Q5. Both multiply `x` (any shape) entry by entry by a random mask `m` with E[m] = 1,
 * so `out = m ⊙ x` and the backward pass is `dx = m ⊙ dout` with the same mask. The mask is
 * drawn from `lib/random.ts` with `options.seed`, so a forward pass is reproducible (and a
 * gradient check sees the same mask every time).
 *
 * @example
 * ```ts
 * import { ones } from "../ndarray.ts";
 * import { dropoutForward } from "./dropout.ts";
 * const { out } = dropoutForward(ones([1000]), { p: 0.5, seed: 1 });
 * const kept = out.data.filter((v) => v !== 0);
 * if (!kept.every((v) => v === 2)) throw new Error("kept entries are scaled by 1/(1 − p)");
 * ```
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";
import { requireArray, requireNumber, requireShape } from "./validate.ts";

/** Default drop probability of {@linkcode dropoutForward}. */
export const DROPOUT_P = 0.5;
/** Default standard deviation σ of the Gaussian mask of {@linkcode gaussianDropoutForward}. */
export const GAUSSIAN_DROPOUT_SIGMA = 1;

/** Options of {@linkcode dropoutForward}. */
export interface DropoutOptions {
  /** Probability of dropping an entry, in [0, 1). Default {@linkcode DROPOUT_P} = 0.5. */
  p?: number;
  /** Seed of the mask. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
  /** `false` (inference): the identity, mask all ones. Default `true`. */
  training?: boolean;
}

/** Options of {@linkcode gaussianDropoutForward}. */
export interface GaussianDropoutOptions {
  /** Standard deviation σ ≥ 0 of the mask δ ~ N(1, σ²). Default 1. */
  sigma?: number;
  /** Seed of the mask. Default {@linkcode DEFAULT_SEED}. */
  seed?: number;
  /** `false` (inference): the identity. Default `true`. */
  training?: boolean;
}

/** Cache of both dropouts: the mask the forward pass multiplied by. */
export interface DropoutCache {
  /** The mask m (same shape as x): `0` or `1/(1 − p)` (Bernoulli) or δ (Gaussian). */
  mask: NDArray;
}

function multiply(x: NDArray, mask: Float64Array): NDArray {
  const out = new Float64Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i] * mask[i];
  return new NDArray(out, x.shape);
}

/**
 * Forward pass of inverted dropout: each entry is kept with probability 1 − p and then scaled
 * by 1/(1 − p), `out = m ⊙ x` with `mᵢ ∈ {0, 1/(1 − p)}`, so E[out] = x and inference needs no
 * rescaling. p = 1 is refused (the scale 1/(1 − p) would be infinite). tfjs's `tf.dropout` is
 * the same inverted dropout but with tfjs's own random numbers, so masks differ.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { dropoutForward } from "./dropout.ts";
 * const x = array([1, 2, 3]);
 * if (dropoutForward(x, { p: 0 }).out.data.join() !== "1,2,3") throw new Error("p = 0");
 * if (dropoutForward(x, { training: false }).out.data.join() !== "1,2,3") throw new Error("eval");
 * ```
 */
export function dropoutForward(
  x: NDArray,
  options: DropoutOptions = {},
): { out: NDArray; cache: DropoutCache } {
  const fn = "dropout";
  requireArray(x, fn);
  const p = options.p ?? DROPOUT_P;
  if (typeof p !== "number" || !(p >= 0 && p < 1)) {
    throw new RangeError(`${fn}: options.p must be in [0, 1), got ${p}`);
  }
  const mask = new Float64Array(x.size);
  if (options.training === false || p === 0) {
    mask.fill(1);
  } else {
    const rng = new Random(options.seed ?? DEFAULT_SEED);
    const keep = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < p ? 0 : keep;
  }
  return { out: multiply(x, mask), cache: { mask: new NDArray(mask, x.shape) } };
}

/** Backward pass of either dropout: `dx = m ⊙ dout` with the forward pass's mask. */
export function dropoutBackward(dout: NDArray, cache: DropoutCache): { dx: NDArray } {
  const fn = "dropoutBackward";
  requireShape(dout, cache.mask.shape, fn);
  return { dx: multiply(dout, cache.mask.data) };
}

/**
 * Forward pass of Gaussian multiplicative dropout (sheet 004 Q5): `out = δ ⊙ x` with
 * `δᵢ ~ N(1, σ²)` independent, so E[out] = x. On a linear unit ŷ = Σ δₖWₖxₖ with
 * J = ½(y − ŷ)², the expected gradient is that of the plain loss plus σ²Wᵢxᵢ² — an L2 penalty
 * ½σ²Σ Wᵢ²xᵢ² (the regularization the sheet asks about). tfjs's `tf.layers.gaussianDropout`
 * has no seed and no functional form.
 *
 * @example
 * ```ts
 * import { ones } from "../ndarray.ts";
 * import { gaussianDropoutForward } from "./dropout.ts";
 * const { out } = gaussianDropoutForward(ones([20000]), { sigma: 0.5, seed: 3 });
 * const mean = out.mean().item();
 * if (Math.abs(mean - 1) > 0.02) throw new Error("E[δ] = 1");
 * ```
 */
export function gaussianDropoutForward(
  x: NDArray,
  options: GaussianDropoutOptions = {},
): { out: NDArray; cache: DropoutCache } {
  const fn = "gaussianDropout";
  requireArray(x, fn);
  const sigma = options.sigma ?? GAUSSIAN_DROPOUT_SIGMA;
  requireNumber(sigma, fn, "options.sigma", { min: 0 });
  const mask = new Float64Array(x.size);
  if (options.training === false || sigma === 0) {
    mask.fill(1);
  } else {
    new Random(options.seed ?? DEFAULT_SEED).fillNormal(mask, 1, sigma);
  }
  return { out: multiply(x, mask), cache: { mask: new NDArray(mask, x.shape) } };
}

/** Backward pass of {@linkcode gaussianDropoutForward}: `dx = δ ⊙ dout`. */
export function gaussianDropoutBackward(dout: NDArray, cache: DropoutCache): { dx: NDArray } {
  return dropoutBackward(dout, cache);
}
