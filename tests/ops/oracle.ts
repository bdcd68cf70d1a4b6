/**
 * Helpers shared by the op tests: float64 gradient checks at several seeded shapes, and the tfjs
 * oracle (forward values and `tf.grad` gradients in float32).
 *
 * @module
 */

import assert from "node:assert/strict";
import type * as TF from "@tensorflow/tfjs";
import { NDArray, randn } from "../../lib/ndarray.ts";
import { checkOp, type OpUnderTest } from "../../lib/grad/check.ts";
import { loadTf } from "../../lib/grad/autodiff.ts";
import type { Inputs } from "../../lib/grad/numeric.ts";

/** Tolerances of a float32 result against a float64 one. */
export const F32_ATOL = 1e-5;
/** Relative tolerance of a float32 result against a float64 one. */
export const F32_RTOL = 1e-4;

/** Shapes the element-wise ops are checked at. */
export const SHAPES: number[][] = [[1], [7], [3, 4], [2, 3, 4]];

/** The tfjs module on the cpu backend (deterministic, every kernel present). */
export async function tfjs(): Promise<typeof TF> {
  return (await loadTf({ backend: "cpu" })).tf;
}

/** A float32 tensor with the entries of `a`. */
export function toTensor(tf: typeof TF, a: NDArray): TF.Tensor {
  return tf.tensor(Float32Array.from(a.data), [...a.shape]);
}

/** A float64 NDArray with the entries of a tensor. */
export function fromTensor(t: TF.Tensor): NDArray {
  return new NDArray(Float64Array.from(t.dataSync()), t.shape);
}

/** Asserts float32 agreement: same shape, |a − b| ≤ atol + rtol·|b| entry by entry. */
export function assertClose32(
  ours: NDArray,
  theirs: NDArray,
  what: string,
  scale = 1,
): void {
  assert.deepEqual([...ours.shape], [...theirs.shape], `${what}: shapes`);
  for (let i = 0; i < ours.size; i++) {
    const a = ours.data[i], b = theirs.data[i];
    assert.ok(
      Math.abs(a - b) <= F32_ATOL * scale + F32_RTOL * Math.abs(b),
      `${what}: entry ${i}: ours ${a}, tfjs ${b}`,
    );
  }
}

/** Asserts a forward/backward pair passes checkOp (full mode, default tolerances). */
export function assertOp<C>(
  op: OpUnderTest<C>,
  inputs: Inputs,
  what: string,
  options: { wrt?: string[] } = {},
): void {
  const r = checkOp(op, inputs, options);
  assert.ok(r.ok, `${what}: ${r.toString()}`);
  assert.equal(r.diagnosis.kind, "match", `${what}: ${r.diagnosis.message}`);
}

/** Seeded standard-normal inputs pushed at least `margin` away from each kink. */
export function offKinks(shape: number[], seed: number, kinks: number[], margin = 0.05): NDArray {
  const a = randn(shape, { seed });
  for (let i = 0; i < a.size; i++) {
    for (const k of kinks) {
      if (Math.abs(a.data[i] - k) < margin) {
        a.data[i] = k + 2 * margin * Math.sign(a.data[i] - k || 1);
      }
    }
  }
  return a;
}

/**
 * Forward value and gradient of `Σ dout ⊙ f(x)` by tfjs (`tf.grad`), in float64 arrays.
 */
export function tfValueAndGrad(
  tf: typeof TF,
  f: (x: TF.Tensor) => TF.Tensor,
  x: NDArray,
  dout: NDArray,
): { out: NDArray; grad: NDArray } {
  let result: { out: NDArray; grad: NDArray } | undefined;
  tf.tidy(() => {
    const xt = toTensor(tf, x);
    const out = fromTensor(f(xt));
    const g = tf.grad((t: TF.Tensor) => f(t).mul(toTensor(tf, dout)).sum())(xt);
    result = { out, grad: fromTensor(g) };
  });
  return result!;
}

/** A predicate for `assert.throws`: a RangeError whose message matches `re`. */
export function rangeError(re: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof RangeError && re.test(e.message);
}
