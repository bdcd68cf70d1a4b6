/**
 * The checker's own examples: small functions with a correct gradient and the classic wrong ones
 * students write, each with the diagnosis the checker must give. `deno task start` runs them as a
 * demo, and the tests assert every expected diagnosis.
 *
 * @module
 */

import { array, type NDArray, randn } from "../ndarray.ts";
import type { DiagnosisKind } from "./diagnosis.ts";
import { checkGradient, checkJacobian } from "./check.ts";
import type { GradCheckReport } from "./report.ts";

/** One example: a function, one candidate derivative, and the verdict it deserves. */
export interface GradCheckExample {
  /** Short id, e.g. `half-squared-norm/sign`. */
  id: string;
  /** The function, in words. */
  fn: string;
  /** The candidate derivative, in words. */
  candidate: string;
  /** The diagnosis the checker must give. */
  expected: DiagnosisKind;
  /** Runs the check. */
  run: () => GradCheckReport;
}

const X = randn([3, 4], { seed: 11 });
const W = randn([3, 4], { seed: 12 });
const x = randn([4, 1], { seed: 13 });
const y = randn([3, 1], { seed: 14 });
const b = randn([3, 1], { seed: 15 });
const z = randn([5], { seed: 16 });

const halfSquaredNorm = (v: NDArray) => 0.5 * v.dot(v);
/** ½‖Wx − y‖² as a function of W. */
const lsq = (w: NDArray) => halfSquaredNorm(w.matmul(x).sub(y));
/** ½‖Wx + b − y‖² as a function of W and b. */
const affine = (p: Record<string, NDArray>) => halfSquaredNorm(p.W.matmul(x).add(p.b).sub(y));

function softmax(v: NDArray): NDArray {
  const m = v.max().item();
  const e = v.map((t) => Math.exp(t - m));
  return e.div(e.sum().item());
}

function softmaxJacobian(v: NDArray, offDiagonal: boolean): NDArray {
  const s = softmax(v).data;
  const n = s.length;
  const J = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) J[i * n + j] = s[i] * (1 - s[i]);
      else if (offDiagonal) J[i * n + j] = -s[i] * s[j];
    }
  }
  return array(Array.from({ length: n }, (_, i) => Array.from(J.subarray(i * n, i * n + n))));
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));

/** Every example, in the order the demo prints them. */
export const GRAD_CHECK_EXAMPLES: readonly GradCheckExample[] = [
  {
    id: "half-squared-norm/correct",
    fn: "½‖x‖²",
    candidate: "x",
    expected: "match",
    run: () => checkGradient(halfSquaredNorm, (v) => v, X),
  },
  {
    id: "half-squared-norm/sign",
    fn: "½‖x‖²",
    candidate: "−x",
    expected: "sign-flipped",
    run: () => checkGradient(halfSquaredNorm, (v) => v.neg(), X),
  },
  {
    id: "half-squared-norm/factor",
    fn: "½‖x‖²",
    candidate: "2x (the ½ forgotten)",
    expected: "scaled",
    run: () => checkGradient(halfSquaredNorm, (v) => v.mul(2), X),
  },
  {
    id: "least-squares/correct",
    fn: "½‖Wx − y‖² in W",
    candidate: "(Wx − y)xᵀ",
    expected: "match",
    run: () =>
      checkGradient(lsq, (w) => w.matmul(x).sub(y).matmul(x.transpose()), W, { name: "W" }),
  },
  {
    id: "least-squares/transpose",
    fn: "½‖Wx − y‖² in W",
    candidate: "x(Wx − y)ᵀ",
    expected: "transposed",
    run: () =>
      checkGradient(lsq, (w) => x.matmul(w.matmul(x).sub(y).transpose()), W, { name: "W" }),
  },
  {
    id: "affine/dropped-bias",
    fn: "½‖Wx + b − y‖² in W, b",
    candidate: "dW = (Wx + b − y)xᵀ, db = 0",
    expected: "partial",
    run: () =>
      checkGradient(affine, (p) => {
        const r = p.W.matmul(x).add(p.b).sub(y);
        return { dW: r.matmul(x.transpose()), db: r.mul(0) };
      }, { W, b }),
  },
  {
    id: "affine/correct",
    fn: "½‖Wx + b − y‖² in W, b",
    candidate: "dW = (Wx + b − y)xᵀ, db = Wx + b − y",
    expected: "match",
    run: () =>
      checkGradient(affine, (p) => {
        const r = p.W.matmul(x).add(p.b).sub(y);
        return { dW: r.matmul(x.transpose()), db: r };
      }, { W, b }),
  },
  {
    id: "softmax-jacobian/diagonal-only",
    fn: "softmax(z)",
    candidate: "diag(s(1 − s)) (off-diagonal −sᵢsⱼ missing)",
    expected: "partial",
    run: () => checkJacobian(softmax, (v) => softmaxJacobian(v, false), z),
  },
  {
    id: "softmax-jacobian/correct",
    fn: "softmax(z)",
    candidate: "diag(s) − ssᵀ",
    expected: "match",
    run: () => checkJacobian(softmax, (v) => softmaxJacobian(v, true), z),
  },
  {
    id: "sigmoid/missing-factor",
    fn: "Σ σ(xᵢ)",
    candidate: "σ(x) (the factor 1 − σ(x) forgotten)",
    expected: "mismatch",
    run: () => checkGradient((v) => v.map(sigmoid).sum().item(), (v) => v.map(sigmoid), X),
  },
  {
    id: "sigmoid/zero",
    fn: "Σ σ(xᵢ)",
    candidate: "0 (nothing returned)",
    expected: "zero",
    run: () => checkGradient((v) => v.map(sigmoid).sum().item(), (v) => v.mul(0), X),
  },
  {
    id: "log/at-zero",
    fn: "Σ log xᵢ at a point with xᵢ = 0",
    candidate: "1/x",
    expected: "non-finite",
    run: () =>
      checkGradient(
        (v) => v.map(Math.log).sum().item(),
        (v) => v.map((t) => 1 / t),
        array([1, 0, 2]),
      ),
  },
  {
    id: "relu/at-kink",
    fn: "Σ max(xᵢ, 0) at a point with xᵢ = 0",
    candidate: "H(x) with H(0) = 0",
    expected: "kink",
    run: () =>
      checkGradient(
        (v) => v.map((t) => Math.max(t, 0)).sum().item(),
        (v) => v.map((t) => (t > 0 ? 1 : 0)),
        array([0, 1.5, -2, 3e-7]),
      ),
  },
];
