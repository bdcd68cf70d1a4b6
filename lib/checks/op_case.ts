/**
 * The shape of an entry in the explicit list of ops that `deno task gradcheck` checks: an op's
 * forward/backward pair, seeded inputs away from kinks, and the same forward pass in tfjs.
 *
 * @module
 */

import type { Tensor, Tf } from "../grad/autodiff.ts";
import type { CheckOpOptions, OpUnderTest } from "../grad/check.ts";
import type { Inputs } from "../grad/numeric.ts";

/** One op to check three ways (analytic, finite differences, tfjs autodiff). */
export interface OpCase {
  /** Op id, e.g. `softmax`, `conv2d`. */
  name: string;
  /** The input shapes in words, e.g. `x [4, 10]`. */
  shapes: string;
  /** The forward/backward pair under test. */
  // deno-lint-ignore no-explicit-any
  op: OpUnderTest<any>;
  /** Seeded inputs, away from kinks. */
  inputs: () => Inputs;
  /** The same forward pass in tfjs (on tensors named like `inputs`), when tfjs has one. */
  tf?: (tf: Tf, inputs: Record<string, Tensor>) => Tensor;
  /** Check options (tolerances, `wrt`). */
  options?: CheckOpOptions;
  /** Where tfjs uses another convention, said in words. */
  tfNote?: string;
}
