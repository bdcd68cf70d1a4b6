/**
 * Executable, verified deep-learning math: float64 arrays, hand-derived gradients and a gradient
 * checker that says why a gradient is wrong.
 *
 * @example
 * ```ts
 * import { array, checkGradient } from "./mod.ts";
 * const report = checkGradient((x) => x.dot(x), (x) => x.mul(-2), array([1, 2]));
 * if (report.diagnosis.kind !== "sign-flipped") throw new Error(report.toString());
 * ```
 *
 * @module
 */

export * from "./lib/ndarray.ts";
export * from "./lib/random.ts";
export * from "./lib/grad/numeric.ts";
export * from "./lib/grad/diagnosis.ts";
export * from "./lib/grad/report.ts";
export * from "./lib/grad/check.ts";
export * from "./lib/grad/autodiff.ts";
export * from "./lib/grad/examples.ts";
export * from "./lib/view/table.ts";
export * from "./lib/view/display.ts";
export * from "./lib/view/figure.ts";
export * from "./lib/view/io.ts";
export type * from "./lib/ops/op_case.ts";
export * from "./lib/ops/activations.ts";
export * from "./lib/ops/softmax.ts";
export * from "./lib/ops/losses.ts";
export * from "./lib/ops/linear.ts";
export * from "./lib/ops/conv.ts";
export * from "./lib/ops/pooling.ts";
export * from "./lib/ops/batch_norm.ts";
export * from "./lib/ops/dropout.ts";
export * from "./lib/ops/proximal.ts";
export * from "./lib/ops/metrics.ts";
export * from "./lib/ops/cases.ts";
export * from "./lib/ops/conv_cases.ts";
