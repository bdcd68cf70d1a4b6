/**
 * Element-wise activations of the sheets, each with its forward pass, its backward pass (VJP),
 * its element-wise derivative and, through {@linkcode diagonalJacobian}, its Jacobian.
 *
 * Every activation φ acts entry by entry on an array of any shape, so its Jacobian is diagonal:
 * `∂φ(x)ᵢ/∂xⱼ = δᵢⱼ φ'(xᵢ)` (sheet 001 Q1.E for the sigmoid), and the backward pass is
 * `dx = dout ⊙ φ'(x)`.
 *
 * Decisions at the points where a derivative does not exist (documented per function):
 * - `sign'(x)` and `H'(x)` are 0 everywhere, 0 included (tfjs does the same for `tf.sign`);
 * - `ReLU'(0) = 0` (the sub-gradient tfjs and PyTorch use), so ReLU'(x) = H(x) except at 0;
 * - `leakyReLU'(0) = slope`, following sheet 004 Q3.c which puts 0 on the `slope·x` branch;
 * - `ELU'(0) = α` (the left branch; equal to 1 for the default α = 1, where ELU is C¹).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { heaviside, relu, reluBackward, reluForward } from "./activations.ts";
 * const x = array([-2, 0, 3]);
 * if (String(relu(x).toArray()) !== "0,0,3") throw new Error("relu");
 * if (String(heaviside(x).toArray()) !== "0,0.5,1") throw new Error("H(0) = 1/2");
 * const { cache } = reluForward(x);
 * if (String(reluBackward(array([1, 1, 1]), cache).dx.toArray()) !== "0,0,1") throw new Error("dx");
 * ```
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { requireArray, requireNumber, requireShape } from "./validate.ts";

/** H(0) used by {@linkcode heaviside} unless told otherwise: the limit of σ(kx) as k → ∞ (sheet 001 Q1.D). */
export const HEAVISIDE_AT_ZERO = 0.5;
/** Negative-side slope of {@linkcode leakyRelu} unless told otherwise (sheet 004 Q3.c). */
export const LEAKY_RELU_SLOPE = 0.01;
/** tfjs's default `alpha` of `tf.leakyRelu`, for comparison: not ours. */
export const TFJS_LEAKY_RELU_ALPHA = 0.2;
/** Default steepness k of {@linkcode steepSigmoid} (k = 1 is the plain sigmoid). */
export const STEEP_SIGMOID_K = 1;
/** Default α of {@linkcode elu}, as in tfjs and PyTorch. */
export const ELU_ALPHA = 1;

/** What every activation's forward pass keeps for its backward pass. */
export interface ActivationCache {
  /** The input `x` (any shape). */
  x: NDArray;
  /** The output `φ(x)`, same shape. */
  out: NDArray;
}

/** Cache of {@linkcode leakyReluForward}: adds the slope. */
export interface LeakyReluCache extends ActivationCache {
  /** Slope on the negative side. */
  slope: number;
}

/** Cache of {@linkcode steepSigmoidForward}: adds the steepness. */
export interface SteepSigmoidCache extends ActivationCache {
  /** Steepness k in σ(kx). */
  k: number;
}

/** Cache of {@linkcode eluForward}: adds α. */
export interface EluCache extends ActivationCache {
  /** Scale of the negative branch. */
  alpha: number;
}

/** Result of an activation's forward pass. */
export interface ActivationForward<C extends ActivationCache = ActivationCache> {
  /** φ(x), same shape as x. */
  out: NDArray;
  /** What the backward pass needs. */
  cache: C;
}

function apply(x: NDArray, f: (v: number) => number, fn: string): NDArray {
  requireArray(x, fn);
  const src = x.data;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return new NDArray(out, x.shape);
}

/** dx = dout ⊙ d, after the shape check. */
function scale(dout: NDArray, cache: ActivationCache, d: (i: number) => number, fn: string) {
  requireShape(dout, cache.x.shape, fn);
  const g = dout.data;
  const dx = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = g[i] * d(i);
  return { dx: new NDArray(dx, dout.shape) };
}

/**
 * The diagonal Jacobian `diag(d)` `[n, n]` of an element-wise map whose derivative values
 * (flattened, n = size) are `d`: entry `(i, j)` is `δᵢⱼ dᵢ`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { diagonalJacobian, sigmoidDerivative } from "./activations.ts";
 * const j = diagonalJacobian(sigmoidDerivative(array([0, 0])));
 * if (String(j.toArray()) !== "0.25,0,0,0.25") throw new Error("diag(σ(1 − σ))");
 * ```
 */
export function diagonalJacobian(d: NDArray): NDArray {
  requireArray(d, "diagonalJacobian", "d");
  const n = d.size;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = d.data[i];
  return new NDArray(out, [n, n]);
}

// ---------------------------------------------------------------- sign

/**
 * `sign(x)`: 1 for x > 0, 0 at 0, −1 for x < 0 (sheet 001 Q1.A: `1_{x>0} − 1_{x<0}`).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { sign } from "./activations.ts";
 * if (String(sign(array([-3, 0, 2])).toArray()) !== "-1,0,1") throw new Error("sign");
 * ```
 */
export function sign(x: NDArray): NDArray {
  return apply(x, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0), "sign");
}

/** Forward pass of {@linkcode sign}. */
export function signForward(x: NDArray): ActivationForward {
  const out = sign(x);
  return { out, cache: { x, out } };
}

/** Backward pass of {@linkcode sign}: `dx = 0` (sign' = 0 off 0; taken 0 at 0 too, as in tfjs). */
export function signBackward(dout: NDArray, cache: ActivationCache): { dx: NDArray } {
  return scale(dout, cache, () => 0, "signBackward");
}

/** Element-wise derivative of {@linkcode sign}: 0 everywhere (the jump at 0 is taken as 0). */
export function signDerivative(x: NDArray): NDArray {
  return apply(x, () => 0, "signDerivative");
}

// ---------------------------------------------------------------- Heaviside

/** Options of {@linkcode heaviside}. */
export interface HeavisideOptions {
  /** H(0). Default {@linkcode HEAVISIDE_AT_ZERO} = 1/2 (sheet 001 Q1.D). */
  atZero?: number;
}

/**
 * Heaviside step `H(x)`: 1 for x > 0, 0 for x < 0, `atZero` (default 1/2) at 0.
 * tfjs's `tf.step(x, alpha)` differs: it returns `alpha` for every x ≤ 0, so it equals H only
 * off 0 with `alpha = 0`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { heaviside } from "./activations.ts";
 * if (heaviside(array([0]), { atZero: 1 }).item() !== 1) throw new Error("H(0) option");
 * ```
 */
export function heaviside(x: NDArray, options: HeavisideOptions = {}): NDArray {
  const h0 = requireNumber(options.atZero ?? HEAVISIDE_AT_ZERO, "heaviside", "options.atZero");
  return apply(x, (v) => (v > 0 ? 1 : v < 0 ? 0 : h0), "heaviside");
}

/** Forward pass of {@linkcode heaviside}. */
export function heavisideForward(x: NDArray, options: HeavisideOptions = {}): ActivationForward {
  const out = heaviside(x, options);
  return { out, cache: { x, out } };
}

/** Backward pass of {@linkcode heaviside}: `dx = 0` (H' = 0 off 0; the jump at 0 is taken as 0). */
export function heavisideBackward(dout: NDArray, cache: ActivationCache): { dx: NDArray } {
  return scale(dout, cache, () => 0, "heavisideBackward");
}

/** Element-wise derivative of {@linkcode heaviside}: 0 everywhere. */
export function heavisideDerivative(x: NDArray): NDArray {
  return apply(x, () => 0, "heavisideDerivative");
}

// ---------------------------------------------------------------- ReLU

/**
 * `ReLU(x) = max(0, x) = x·H(x)` (sheet 001 Q1.B–C).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { relu } from "./activations.ts";
 * if (String(relu(array([-1, 2])).toArray()) !== "0,2") throw new Error("relu");
 * ```
 */
export function relu(x: NDArray): NDArray {
  requireArray(x, "relu");
  const src = x.data, out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] > 0 ? src[i] : 0;
  return new NDArray(out, x.shape);
}

/** Forward pass of {@linkcode relu}. */
export function reluForward(x: NDArray): ActivationForward {
  const out = relu(x);
  return { out, cache: { x, out } };
}

/** Backward pass of {@linkcode relu}: `dx = dout ⊙ 1[x > 0]`, so ReLU'(0) = 0. */
export function reluBackward(dout: NDArray, cache: ActivationCache): { dx: NDArray } {
  requireShape(dout, cache.x.shape, "reluBackward");
  const x = cache.x.data, g = dout.data, dx = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) dx[i] = x[i] > 0 ? g[i] : 0;
  return { dx: new NDArray(dx, dout.shape) };
}

/** ReLU'(x) = 1[x > 0] (= H(x) for x ≠ 0; ReLU'(0) is taken as 0). */
export function reluDerivative(x: NDArray): NDArray {
  return apply(x, (v) => (v > 0 ? 1 : 0), "reluDerivative");
}

// ---------------------------------------------------------------- leaky ReLU

/** Options of {@linkcode leakyRelu}. */
export interface LeakyReluOptions {
  /** Slope for x ≤ 0. Default {@linkcode LEAKY_RELU_SLOPE} = 0.01 (sheet 004 Q3.c). */
  slope?: number;
}

/**
 * Leaky ReLU: `x` for x > 0, `slope·x` for x ≤ 0 (default slope 0.01, sheet 004 Q3.c).
 * tfjs's `tf.leakyRelu(x, alpha)` is the same function but its default `alpha` is 0.2
 * ({@linkcode TFJS_LEAKY_RELU_ALPHA}): pass the slope explicitly when comparing.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { leakyRelu } from "./activations.ts";
 * if (String(leakyRelu(array([-100, 5])).toArray()) !== "-1,5") throw new Error("0.01·x");
 * ```
 */
export function leakyRelu(x: NDArray, options: LeakyReluOptions = {}): NDArray {
  const a = requireNumber(options.slope ?? LEAKY_RELU_SLOPE, "leakyRelu", "options.slope");
  return apply(x, (v) => (v > 0 ? v : a * v), "leakyRelu");
}

/** Forward pass of {@linkcode leakyRelu}. */
export function leakyReluForward(
  x: NDArray,
  options: LeakyReluOptions = {},
): ActivationForward<LeakyReluCache> {
  const out = leakyRelu(x, options);
  return { out, cache: { x, out, slope: options.slope ?? LEAKY_RELU_SLOPE } };
}

/** Backward pass of {@linkcode leakyRelu}: `dx = dout ⊙ (x > 0 ? 1 : slope)` (slope at 0). */
export function leakyReluBackward(dout: NDArray, cache: LeakyReluCache): { dx: NDArray } {
  const x = cache.x.data, a = cache.slope;
  return scale(dout, cache, (i) => (x[i] > 0 ? 1 : a), "leakyReluBackward");
}

/** Leaky ReLU'(x) = 1 for x > 0, slope for x ≤ 0. */
export function leakyReluDerivative(x: NDArray, options: LeakyReluOptions = {}): NDArray {
  const a = requireNumber(
    options.slope ?? LEAKY_RELU_SLOPE,
    "leakyReluDerivative",
    "options.slope",
  );
  return apply(x, (v) => (v > 0 ? 1 : a), "leakyReluDerivative");
}

// ---------------------------------------------------------------- sigmoid

/** σ(v) without overflow: the exponent is never positive. */
export function sigmoidScalar(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** softplus(v) = log(1 + eᵛ) without overflow or loss of the small tail. */
export function softplusScalar(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/**
 * Logistic sigmoid `σ(x) = 1 / (1 + e^{−x})`, evaluated without overflow for any finite x
 * (σ(−1e300) = 0, σ(1e300) = 1). Derivative σ' = σ(1 − σ) (sheet 001 Q1.E, sheet 003).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { sigmoid } from "./activations.ts";
 * if (sigmoid(array([0])).item() !== 0.5) throw new Error("σ(0)");
 * ```
 */
export function sigmoid(x: NDArray): NDArray {
  return apply(x, sigmoidScalar, "sigmoid");
}

/** Forward pass of {@linkcode sigmoid}. */
export function sigmoidForward(x: NDArray): ActivationForward {
  const out = sigmoid(x);
  return { out, cache: { x, out } };
}

/** Backward pass of {@linkcode sigmoid}: `dx = dout ⊙ σ(x)(1 − σ(x))`, from the cached output. */
export function sigmoidBackward(dout: NDArray, cache: ActivationCache): { dx: NDArray } {
  const s = cache.out.data;
  return scale(dout, cache, (i) => s[i] * (1 - s[i]), "sigmoidBackward");
}

/** σ'(x) = σ(x)(1 − σ(x)). */
export function sigmoidDerivative(x: NDArray): NDArray {
  return apply(x, (v) => {
    const s = sigmoidScalar(v);
    return s * (1 - s);
  }, "sigmoidDerivative");
}

/**
 * `log σ(x) = −softplus(−x)` (sheet 001 Q1.F), finite for every finite x.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { logSigmoid } from "./activations.ts";
 * if (logSigmoid(array([-1000])).item() !== -1000) throw new Error("log σ(−1000) = −1000");
 * ```
 */
export function logSigmoid(x: NDArray): NDArray {
  return apply(x, (v) => 0 - softplusScalar(-v), "logSigmoid");
}

// ---------------------------------------------------------------- steep sigmoid

/** Options of {@linkcode steepSigmoid}. */
export interface SteepSigmoidOptions {
  /** Steepness k. Default {@linkcode STEEP_SIGMOID_K} = 1. */
  k?: number;
}

/**
 * Steep sigmoid `σ(kx)` of sheet 001 Q1.D; as k → ∞ it tends to H(x) with H(0) = 1/2.
 * Derivative `k σ(kx)(1 − σ(kx))`. tfjs has no such op: `tf.sigmoid(x.mul(k))`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { steepSigmoid } from "./activations.ts";
 * const y = steepSigmoid(array([-0.1, 0, 0.1]), { k: 1e4 });
 * if (!(y.data[0] < 1e-9 && y.data[2] > 1 - 1e-9)) throw new Error("→ H off 0");
 * if (y.data[1] !== 0.5) throw new Error("H(0) = 1/2");
 * ```
 */
export function steepSigmoid(x: NDArray, options: SteepSigmoidOptions = {}): NDArray {
  const k = requireNumber(options.k ?? STEEP_SIGMOID_K, "steepSigmoid", "options.k");
  return apply(x, (v) => sigmoidScalar(k * v), "steepSigmoid");
}

/** Forward pass of {@linkcode steepSigmoid}. */
export function steepSigmoidForward(
  x: NDArray,
  options: SteepSigmoidOptions = {},
): ActivationForward<SteepSigmoidCache> {
  const out = steepSigmoid(x, options);
  return { out, cache: { x, out, k: options.k ?? STEEP_SIGMOID_K } };
}

/** Backward pass of {@linkcode steepSigmoid}: `dx = dout ⊙ k s(1 − s)` with s = σ(kx). */
export function steepSigmoidBackward(dout: NDArray, cache: SteepSigmoidCache): { dx: NDArray } {
  const s = cache.out.data, k = cache.k;
  return scale(dout, cache, (i) => k * s[i] * (1 - s[i]), "steepSigmoidBackward");
}

/** d/dx σ(kx) = k σ(kx)(1 − σ(kx)). */
export function steepSigmoidDerivative(x: NDArray, options: SteepSigmoidOptions = {}): NDArray {
  const k = requireNumber(options.k ?? STEEP_SIGMOID_K, "steepSigmoidDerivative", "options.k");
  return apply(x, (v) => {
    const s = sigmoidScalar(k * v);
    return k * s * (1 - s);
  }, "steepSigmoidDerivative");
}

// ---------------------------------------------------------------- tanh

/**
 * `tanh(x) = 2σ(2x) − 1`; derivative `1 − tanh²(x)`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { tanh } from "./activations.ts";
 * if (tanh(array([1e300])).item() !== 1) throw new Error("tanh saturates");
 * ```
 */
export function tanh(x: NDArray): NDArray {
  return apply(x, Math.tanh, "tanh");
}

/** Forward pass of {@linkcode tanh}. */
export function tanhForward(x: NDArray): ActivationForward {
  const out = tanh(x);
  return { out, cache: { x, out } };
}

/** Backward pass of {@linkcode tanh}: `dx = dout ⊙ (1 − tanh²(x))`. */
export function tanhBackward(dout: NDArray, cache: ActivationCache): { dx: NDArray } {
  const t = cache.out.data;
  return scale(dout, cache, (i) => 1 - t[i] * t[i], "tanhBackward");
}

/** tanh'(x) = 1 − tanh²(x). */
export function tanhDerivative(x: NDArray): NDArray {
  return apply(x, (v) => 1 - Math.tanh(v) ** 2, "tanhDerivative");
}

// ---------------------------------------------------------------- softplus

/**
 * `softplus(x) = log(1 + eˣ)`, computed as `max(x, 0) + log1p(e^{−|x|})` so that it neither
 * overflows (softplus(1e300) = 1e300) nor loses the tail (softplus(−40) ≈ 4.2e−18, not 0).
 * Derivative σ(x) (sheet 001 Q1.G).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { softplus } from "./activations.ts";
 * if (softplus(array([1000])).item() !== 1000) throw new Error("no overflow");
 * ```
 */
export function softplus(x: NDArray): NDArray {
  return apply(x, softplusScalar, "softplus");
}

/** Forward pass of {@linkcode softplus}. */
export function softplusForward(x: NDArray): ActivationForward {
  const out = softplus(x);
  return { out, cache: { x, out } };
}

/** Backward pass of {@linkcode softplus}: `dx = dout ⊙ σ(x)`. */
export function softplusBackward(dout: NDArray, cache: ActivationCache): { dx: NDArray } {
  const x = cache.x.data;
  return scale(dout, cache, (i) => sigmoidScalar(x[i]), "softplusBackward");
}

/** softplus'(x) = σ(x). */
export function softplusDerivative(x: NDArray): NDArray {
  return apply(x, sigmoidScalar, "softplusDerivative");
}

// ---------------------------------------------------------------- ELU

/** Options of {@linkcode elu}. */
export interface EluOptions {
  /** Scale of the negative branch. Default {@linkcode ELU_ALPHA} = 1. */
  alpha?: number;
}

/**
 * ELU: `x` for x > 0, `α(eˣ − 1)` for x ≤ 0 (uses `expm1`, exact near 0). Derivative 1 for
 * x > 0 and `α eˣ` for x ≤ 0. Same as tfjs's `tf.elu` for α = 1 (tfjs has no α).
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { elu } from "./activations.ts";
 * if (elu(array([-1e300])).item() !== -1) throw new Error("→ −α");
 * ```
 */
export function elu(x: NDArray, options: EluOptions = {}): NDArray {
  const a = requireNumber(options.alpha ?? ELU_ALPHA, "elu", "options.alpha");
  return apply(x, (v) => (v > 0 ? v : a * Math.expm1(v)), "elu");
}

/** Forward pass of {@linkcode elu}. */
export function eluForward(x: NDArray, options: EluOptions = {}): ActivationForward<EluCache> {
  const out = elu(x, options);
  return { out, cache: { x, out, alpha: options.alpha ?? ELU_ALPHA } };
}

/** Backward pass of {@linkcode elu}: `dx = dout ⊙ (x > 0 ? 1 : α eˣ)`. */
export function eluBackward(dout: NDArray, cache: EluCache): { dx: NDArray } {
  const x = cache.x.data, a = cache.alpha;
  return scale(dout, cache, (i) => (x[i] > 0 ? 1 : a * Math.exp(x[i])), "eluBackward");
}

/** ELU'(x) = 1 for x > 0, α eˣ for x ≤ 0. */
export function eluDerivative(x: NDArray, options: EluOptions = {}): NDArray {
  const a = requireNumber(options.alpha ?? ELU_ALPHA, "eluDerivative", "options.alpha");
  return apply(x, (v) => (v > 0 ? 1 : a * Math.exp(v)), "eluDerivative");
}
