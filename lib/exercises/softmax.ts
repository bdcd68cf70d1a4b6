/**
 * Softmax (sheet 001 Q1.H–M, Q2.C, Q2.D, Q2.H, Q2.L; sheet 003 1.1a, 2.2b; sheet 004 Q3.a,
 * Q3.b, Q7): invariances, Jacobian, gradients of log-softmax and cross-entropy, the two-class
 * case, and the cross-entropy Hessian.
 *
 * @example
 * ```ts
 * import { softmaxExercise } from "./softmax.ts";
 * const r = softmaxExercise.run();
 * if (!r.claims.some((c) => c.claim.status === "erratum")) throw new Error("Q2.D is an erratum");
 * ```
 *
 * @module
 */

import { Random } from "../random.ts";
import { type Exercise, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { logSumExpOf, sigma, softmaxOf } from "./support.ts";

const ID = "softmax";
const SEED = 202;
/** Number of random logit vectors per identity. */
const TRIALS = 200;
/** Classes in the random logit vectors. */
const CLASSES = 5;
/** Tolerance of the identities (float64, logits of moderate size). */
const TOL = 1e-12;
/** Scale factors used to show that softmax is not scale invariant. */
const SCALES = [0.25, 0.5, 1, 2, 4];
/** The true class of the convexity check (0-based; class 3 of sheet_001/004.json's settings). */
const TRUE_CLASS = 2;

function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

function randomLogits(rng: Random, scale = 3): Float64Array {
  return Float64Array.from({ length: CLASSES }, () => scale * rng.normal());
}

/**
 * The experiments about softmax: identities over random samples, the entropy of scaled logits,
 * the Hessian's sign and convexity (the Jacobians, gradients and the Hessian are formula claims
 * of sheet_001/003/004.json).
 */
export function runSoftmax(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const rng = new Random(SEED);

  let shiftGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const x = randomLogits(rng);
    const c = 10 * rng.normal();
    const a = softmaxOf(x), b = softmaxOf(x.map((v) => v + c));
    for (let i = 0; i < CLASSES; i++) shiftGap = Math.max(shiftGap, Math.abs(a[i] - b[i]));
  }
  for (const sheet of ["001", "003"]) {
    outcomes[`translation-invariance-${sheet}`] = experiment({
      computed: tidy(shiftGap),
      tolerance: TOL,
      holds: shiftGap <= TOL,
      note: `largest change over ${TRIALS} random logit vectors and shifts c ~ N(0, 100)`,
    });
  }

  const base = randomLogits(rng, 1);
  const entropies = SCALES.map((c) => entropy(softmaxOf(base.map((v) => v * c))));
  const decreasing = entropies.every((h, i) => i === 0 || h < entropies[i - 1]);
  outcomes["scaling-sharpens"] = experiment({
    computed: tidy(entropies),
    holds: decreasing && Math.abs(entropies[0] - entropies[2]) > TOL,
    note: `entropy of softmax(cx) for c = ${SCALES.join(", ")}: it falls as c grows. The ` +
      `sheet's reasoning about |x| < 1 is beside the point: any c > 1 sharpens, 0 < c < 1 ` +
      `flattens towards uniform, and c < 0 reverses the ranking`,
  });

  // The rows of A in sheet_001.json's log-softmax setting were drawn here, one seed each: the
  // stream goes on from where they left it.
  for (let k = 0; k < CLASSES; k++) rng.int(1e6);

  let minEntry = Infinity, sumGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const s = softmaxOf(randomLogits(rng, 30));
    minEntry = Math.min(minEntry, ...s);
    sumGap = Math.max(sumGap, Math.abs(s.reduce((a, b) => a + b, 0) - 1));
  }
  outcomes["probability-vector"] = experiment({
    computed: tidy([minEntry, sumGap]),
    tolerance: TOL,
    holds: minEntry >= 0 && sumGap <= TOL,
    note: `smallest entry and largest |Σ − 1| over ${TRIALS} logit vectors of scale 30. In ` +
      `float64 an entry can underflow to exactly 0 for logit gaps beyond about 745, so ` +
      `"positive" holds mathematically but only "non-negative" in floating point`,
  });

  let sheetGap = 0, fixedGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const [x1, x2] = [3 * rng.normal(), 3 * rng.normal()];
    const s = softmaxOf([x1, x2]);
    const z = x2 - x1;
    sheetGap = Math.max(sheetGap, Math.abs(s[0] - sigma(z)), Math.abs(s[1] - (1 - sigma(z))));
    fixedGap = Math.max(fixedGap, Math.abs(s[0] - sigma(-z)), Math.abs(s[1] - (1 - sigma(-z))));
  }
  outcomes["two-class-sigmoid"] = experiment({
    computed: tidy([sheetGap, fixedGap]),
    tolerance: TOL,
    holds: sheetGap <= TOL,
    corrected: fixedGap <= TOL,
    note: `1/(1 + e^z) is σ(−z), not σ(z): with z = x₂ − x₁ the sheet's vector differs from ` +
      `the softmax by up to ${sheetGap.toFixed(3)}. Right: S(x) = [σ(x₁ − x₂), 1 − σ(x₁ − x₂)] ` +
      `(computed: largest gap of the sheet's form, then of the corrected one)`,
  });

  let nllGap = 0;
  for (let t = 0; t < TRIALS; t++) {
    const o = randomLogits(rng);
    const y = rng.int(CLASSES);
    nllGap = Math.max(nllGap, Math.abs(-Math.log(softmaxOf(o)[y]) - (-o[y] + logSumExpOf(o))));
  }
  outcomes["nll-logsumexp"] = experiment({
    computed: tidy(nllGap),
    tolerance: TOL,
    holds: nllGap <= TOL,
    note: `largest gap over ${TRIALS} draws; the stray factor d_o inside the sum of the ` +
      `middle expression is a PDF artefact, the final expression is right`,
  });

  let minQuad = Infinity;
  for (let t = 0; t < TRIALS; t++) {
    const s = softmaxOf(randomLogits(rng));
    const v = randomLogits(rng, 1);
    let a = 0, b = 0;
    for (let i = 0; i < CLASSES; i++) (a += v[i] * v[i] * s[i], b += v[i] * s[i]);
    minQuad = Math.min(minQuad, a - b * b);
  }
  outcomes["ce-hessian-psd"] = experiment({
    computed: tidy(minQuad),
    tolerance: TOL,
    holds: minQuad >= -TOL,
    note: `smallest vᵀHv over ${TRIALS} random (ŷ, v). The claim is right but the sheet's ` +
      `reason ("both terms are positive and the first is larger") only restates it: the ` +
      `first term dominates because (Σvᵢŷᵢ)² ≤ Σŷᵢvᵢ² by Jensen (ŷ is a probability vector)`,
  });
  let worstMid = -Infinity;
  for (let t = 0; t < TRIALS; t++) {
    const a = randomLogits(rng), b = randomLogits(rng);
    const m = a.map((v, i) => (v + b[i]) / 2);
    const f = (v: Float64Array) => -Math.log(softmaxOf(v)[TRUE_CLASS]);
    worstMid = Math.max(worstMid, f(m) - (f(a) + f(b)) / 2);
  }
  outcomes["ce-convex"] = experiment({
    computed: tidy(worstMid),
    tolerance: TOL,
    holds: worstMid <= TOL,
    note: `largest f((a + b)/2) − (f(a) + f(b))/2 over ${TRIALS} random pairs: never positive`,
  });

  const cs = Array.from({ length: 41 }, (_, i) => i * 0.1);
  const figure = {
    data: Array.from({ length: CLASSES }, (_, k) => ({
      type: "scatter",
      mode: "lines",
      name: `class ${k}`,
      x: cs,
      y: cs.map((c) => softmaxOf(base.map((v) => v * c))[k]),
    })),
    layout: {
      title: "Sheet 001 Q1.I: softmax(cx) sharpens as the scale c grows",
      xaxis: { title: "scale c" },
      yaxis: { title: "probability" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `softmax`. */
export const softmaxExercise: Exercise = sheetExercise({
  id: ID,
  title: "Softmax: invariances, Jacobian, cross-entropy gradient and Hessian",
  covers: [
    "001 Q1.H",
    "001 Q1.I",
    "001 Q1.J",
    "001 Q1.K",
    "001 Q1.L",
    "001 Q1.M",
    "001 Q2.C",
    "001 Q2.D",
    "001 Q2.H",
    "001 Q2.L",
    "003 1.1a",
    "003 2.2b",
    "004 Q3.a",
    "004 Q3.b",
    "004 Q7.a",
    "004 Q7.b",
    "004 Q7.c",
  ],
  experiments: runSoftmax,
});
