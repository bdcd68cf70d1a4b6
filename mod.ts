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
export { closest, editDistance } from "./lib/suggest.ts";
export * from "./lib/grad/numeric.ts";
export * from "./lib/grad/diagnosis.ts";
export * from "./lib/grad/report.ts";
export * from "./lib/grad/check.ts";
export * from "./lib/grad/autodiff.ts";
export * from "./lib/grad/examples.ts";
export * from "./lib/view/table.ts";
export * from "./lib/view/claims.ts";
export * from "./lib/view/display.ts";
export * from "./lib/view/figure.ts";
export * from "./lib/view/io.ts";
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
export type * from "./lib/checks/op_case.ts";
export * from "./lib/checks/cases.ts";
export * from "./lib/checks/conv_cases.ts";
export * from "./lib/optim/trace.ts";
export * from "./lib/optim/gradient_descent.ts";
export * from "./lib/optim/adam.ts";
export * from "./lib/optim/newton.ts";
export * from "./lib/optim/proximal_gradient.ts";
export * from "./lib/optim/lasso.ts";
export * from "./lib/optim/rates.ts";
export * from "./lib/optim/figures.ts";
export * from "./lib/optim/tour.ts";
export * from "./lib/nn/mlp.ts";
export * from "./lib/nn/train.ts";
export * from "./lib/nn/tf_mlp.ts";
export * from "./lib/nn/experiments.ts";
export * from "./lib/data/csv.ts";
export * from "./lib/data/mnist.ts";
export * from "./lib/data/pca.ts";
export * from "./lib/tsne/affinity.ts";
export * from "./lib/tsne/kl.ts";
export * from "./lib/tsne/barnes_hut.ts";
export * from "./lib/tsne/optimize.ts";
export * from "./lib/tsne/quality.ts";
export * from "./lib/tsne/tsne.ts";
export * from "./lib/tsne/workers.ts";
export * from "./lib/tsne/fft.ts";
export * from "./lib/tsne/figures.ts";
export { checkClaims } from "./lib/formula/check_claims.ts";
export type { CheckClaimsOptions, ClaimResult } from "./lib/formula/check_claims.ts";
export type { ClaimKind } from "./lib/formula/claim.ts";
export type { Shape as FormulaShape } from "./lib/formula/shape.ts";
export { type ClaimJson, claimsPage, ClaimsReport } from "./lib/formula/claims_report.ts";
export {
  type ClaimSpec as FormulaClaimSpec,
  type Kind,
  KINDS,
  ProblemError,
  type ProblemSpec,
} from "./lib/formula/problem.ts";
export { FormulaError } from "./lib/formula/errors.ts";
export { parseFormula } from "./lib/formula/parse.ts";
export { toPlain } from "./lib/formula/print_plain.ts";
export { renderMath, toLatex } from "./lib/formula/render_latex.ts";
export {
  type BinaryOp,
  changedSubterm,
  type FunctionName,
  FUNCTIONS,
  type Node as FormulaNode,
  type Path as FormulaPath,
  type TreeChange,
} from "./lib/formula/ast.ts";
export * from "./lib/exercises/claim.ts";
export * from "./lib/exercises/sheet_data.ts";
export * from "./lib/exercises/sheet_runner.ts";
export * from "./lib/exercises/vocabulary.ts";
export * from "./lib/exercises/sheets.ts";
export * from "./lib/exercises/activations.ts";
export * from "./lib/exercises/softmax.ts";
export * from "./lib/exercises/mlp.ts";
export * from "./lib/exercises/mse_vs_ce.ts";
export * from "./lib/exercises/batch_backprop.ts";
export * from "./lib/exercises/backprop_cost.ts";
export * from "./lib/exercises/conv.ts";
export * from "./lib/exercises/normalization.ts";
export * from "./lib/exercises/dropout.ts";
export * from "./lib/exercises/optimization.ts";
export * from "./lib/exercises/proximal.ts";
export * from "./lib/exercises/extensions.ts";
export * from "./lib/exercises/catalog.ts";
export * from "./lib/exercises/report.ts";
