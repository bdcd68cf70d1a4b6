/**
 * The t-SNE optimizer: gradient descent with momentum and per-coordinate gains
 * (delta-bar-delta, Jacobs 1988), early exaggeration, and the learning-rate and initialization
 * rules that make t-SNE reliable on large data:
 *
 * - early exaggeration α = 12 for the first 250 iterations (van der Maaten 2014);
 * - momentum 0.5 during exaggeration, then 0.8;
 * - gains: gᵢ ← gᵢ + 0.2 when the gradient's sign differs from the last update's, else gᵢ·0.8,
 *   never below 0.01;
 * - learning rate η = N/α (Belkina et al. 2019), at least {@linkcode MIN_LEARNING_RATE};
 * - update uᵢ ← μ·uᵢ − η·gᵢ·(∂KL/∂yᵢ)/4, yᵢ ← yᵢ + uᵢ, then the embedding is re-centred;
 * - gains and updates restart (1 and 0) when exaggeration ends, as in scikit-learn.
 *
 * Learning-rate convention: η multiplies ∂KL/∂y / 4, as in bhtsne, Rtsne, FIt-SNE and openTSNE
 * (whose gradients omit the factor 4), so their η values carry over unchanged; scikit-learn's
 * gradient keeps the 4, so its η is a quarter of ours (its `learning_rate="auto"`,
 * max(N/α/4, 50), is our max(N/α, 200)).
 *
 * The KL divergence of the un-exaggerated P is recorded every {@linkcode KL_EVERY} iterations
 * from the Z that the gradient engine returns (exact for the exact engine, approximate for
 * Barnes-Hut and FFT).
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import type { CsrMatrix } from "./affinity.ts";
import { klFromZ } from "./kl.ts";

/** Early exaggeration factor (van der Maaten 2014; Belkina et al. 2019). */
export const EARLY_EXAGGERATION = 12;
/** Iterations with early exaggeration. */
export const EARLY_EXAGGERATION_ITERS = 250;
/** Momentum during early exaggeration. */
export const INITIAL_MOMENTUM = 0.5;
/** Momentum afterwards. */
export const FINAL_MOMENTUM = 0.8;
/** Additive gain increase when the gradient changes sign. */
export const GAIN_INCREASE = 0.2;
/** Multiplicative gain decrease otherwise. */
export const GAIN_DECREASE = 0.8;
/** Smallest gain. */
export const MIN_GAIN = 0.01;
/** Floor of the automatic learning rate (openTSNE's floor; bhtsne's fixed default). */
export const MIN_LEARNING_RATE = 200;
/** The factor 4 of ∂KL/∂y that the learning-rate convention leaves out. */
const GRADIENT_FACTOR = 4;
/** Default number of iterations (bhtsne, Rtsne, scikit-learn). */
export const DEFAULT_ITERATIONS = 1000;
/** Iterations between two KL evaluations. */
export const KL_EVERY = 50;

/**
 * A gradient engine: writes the (exaggerated) t-SNE gradient of `y` [N, d] into `dy` and returns
 * Z = Σ_{i≠j} wᵢⱼ (exact or approximate).
 */
export type GradientEngine = (
  y: Float64Array,
  exaggeration: number,
  dy: Float64Array,
) => number | Promise<number>;

/** One point of the KL trace. */
export interface KlPoint {
  /** Updates done before this evaluation. */
  iteration: number;
  /** KL(P‖Q) at that embedding. */
  kl: number;
}

/** What the progress callback receives. */
export interface OptimizeProgress {
  /** Updates done. */
  iteration: number;
  /** Updates planned. */
  iterations: number;
  /** The latest KL value, if one was computed at this iteration. */
  kl?: number;
  /** `exaggeration` for the first phase, `final` after. */
  phase: "exaggeration" | "final";
}

/** Options of {@linkcode optimizeEmbedding}. */
export interface OptimizeOptions {
  /** Updates. Default 1000. */
  iterations?: number;
  /** η (applied to ∂KL/∂y / 4). Default max(N / earlyExaggeration, 200). */
  learningRate?: number;
  /** α. Default 12. */
  earlyExaggeration?: number;
  /** Iterations with α. Default 250. */
  exaggerationIterations?: number;
  /** Momentum during exaggeration. Default 0.5. */
  initialMomentum?: number;
  /** Momentum afterwards. Default 0.8. */
  finalMomentum?: number;
  /** Called after every update. */
  onProgress?: (progress: OptimizeProgress) => void;
  /**
   * KL(P‖Q) of an embedding given the Z its engine returned, for the trace every 50 updates.
   * Default {@linkcode klFromZ} on the calling thread; a pool of threads passes its own.
   */
  kl?: (y: Float64Array, z: number) => number;
}

/** The optimized embedding and its trace. */
export interface OptimizeResult {
  /** Final embedding [N, d]. */
  embedding: NDArray;
  /** KL every 50 updates (from the engine's Z). */
  trace: KlPoint[];
  /** Updates done. */
  iterations: number;
  /** Learning rate used. */
  learningRate: number;
}

/** The automatic learning rate max(N/α, 200). */
export function defaultLearningRate(n: number, earlyExaggeration = EARLY_EXAGGERATION): number {
  return Math.max(n / earlyExaggeration, MIN_LEARNING_RATE);
}

function positive(v: number, name: string): number {
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new RangeError(`optimizeEmbedding: ${name} must be a positive finite number, got ${v}`);
  }
  return v;
}

/**
 * Runs the optimizer from `y0` [N, d] (not modified) with the gradient `engine`.
 * @throws RangeError for invalid options or a non-finite gradient (naming the iteration)
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { exactAffinities } from "./affinity.ts";
 * import { exactKlGradient } from "./kl.ts";
 * import { optimizeEmbedding } from "./optimize.ts";
 * const p = exactAffinities(randn([30, 5], { seed: 1 }), { perplexity: 5 }).p;
 * const r = await optimizeEmbedding(p, randn([30, 2], { seed: 2, std: 1e-4 }), {
 *   iterations: 400,
 *   engine: (y, a, dy) => exactKlGradient(y, p, dy, { exaggeration: a }),
 * });
 * if (!(r.trace[r.trace.length - 1].kl < r.trace[0].kl)) throw new Error("KL decreases");
 * ```
 */
export async function optimizeEmbedding(
  p: CsrMatrix,
  y0: NDArray,
  options: OptimizeOptions & { engine: GradientEngine },
): Promise<OptimizeResult> {
  const fn = "optimizeEmbedding";
  if (!(y0 instanceof NDArray) || y0.ndim !== 2 || y0.shape[0] !== p.n) {
    throw new RangeError(`${fn}: y0 must be [${p.n}, d], got [${y0?.shape?.join(", ")}]`);
  }
  const [n, d] = y0.shape;
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(`${fn}: iterations must be a non-negative integer, got ${iterations}`);
  }
  const alpha = positive(options.earlyExaggeration ?? EARLY_EXAGGERATION, "earlyExaggeration");
  const eta = positive(options.learningRate ?? defaultLearningRate(n, alpha), "learningRate");
  const step = eta / GRADIENT_FACTOR;
  const exIters = options.exaggerationIterations ?? EARLY_EXAGGERATION_ITERS;
  const mom0 = options.initialMomentum ?? INITIAL_MOMENTUM;
  const mom1 = options.finalMomentum ?? FINAL_MOMENTUM;
  const y = y0.data.slice();
  const dy = new Float64Array(n * d);
  const update = new Float64Array(n * d);
  const gains = new Float64Array(n * d).fill(1);
  const trace: KlPoint[] = [];
  for (let t = 0; t < iterations; t++) {
    const exaggerating = t < exIters;
    if (t === exIters && t > 0) {
      // A fresh start for the second phase, as scikit-learn does: gains grown while the
      // exaggerated embedding contracted would otherwise blow up the first final-phase steps.
      gains.fill(1);
      update.fill(0);
    }
    const z = await options.engine(y, exaggerating ? alpha : 1, dy);
    let kl: number | undefined;
    if (t % KL_EVERY === 0) {
      kl = options.kl ? options.kl(y, z) : klFromZ(p, y, d, z);
      trace.push({ iteration: t, kl });
    }
    const momentum = exaggerating ? mom0 : mom1;
    for (let k = 0; k < n * d; k++) {
      const g = dy[k];
      if (!Number.isFinite(g)) {
        throw new RangeError(`${fn}: gradient entry ${k} is ${g} at iteration ${t}`);
      }
      const u = update[k];
      let gain = Math.sign(g) !== Math.sign(u)
        ? gains[k] + GAIN_INCREASE
        : gains[k] * GAIN_DECREASE;
      if (gain < MIN_GAIN) gain = MIN_GAIN;
      gains[k] = gain;
      const nu = momentum * u - step * gain * g;
      update[k] = nu;
      y[k] += nu;
    }
    // Re-centre: t-SNE's objective is translation invariant, the drift is numerical noise.
    for (let c = 0; c < d; c++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += y[i * d + c];
      m /= n;
      for (let i = 0; i < n; i++) y[i * d + c] -= m;
    }
    options.onProgress?.({
      iteration: t + 1,
      iterations,
      kl,
      phase: exaggerating ? "exaggeration" : "final",
    });
  }
  return { embedding: new NDArray(y, [n, d]), trace, iterations, learningRate: eta };
}
