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

// Arrays: float64, row-major, shape-checked; constructors and small linear algebra.
export {
  allClose,
  array,
  broadcastShapes,
  type CloseOptions,
  eye,
  formatNumber,
  formatShape,
  full,
  linspace,
  matmul,
  type MatmulOptions,
  NDArray,
  type Nested,
  ones,
  rand,
  randn,
  type RandomOptions,
  shapesEqual,
  transpose,
  zeros,
} from "./lib/ndarray.ts";
// The seeded generator every random thing takes.
export { DEFAULT_SEED, Random } from "./lib/random.ts";
// "Did you mean …?" for mistyped names.
export { closest, editDistance, suggest } from "./lib/suggest.ts";

// Gradient checking: finite differences, the checker and its report, the tfjs autodiff oracle.
export {
  DEFAULT_EPS,
  directionalDerivative,
  type Inputs,
  numericGradient,
  numericHessian,
  numericJacobian,
  type NumericOptions,
} from "./lib/grad/numeric.ts";
export {
  checkGradient,
  checkHessian,
  checkJacobian,
  checkOp,
  type CheckOpOptions,
  type CheckOptions,
  DEFAULT_ATOL,
  DEFAULT_RTOL,
  type OpUnderTest,
} from "./lib/grad/check.ts";
export { type Diagnosis, DIAGNOSIS_KINDS, type DiagnosisKind } from "./lib/grad/diagnosis.ts";
export {
  type Asymmetry,
  type AutodiffReport,
  type CheckMode,
  type GradCheckFields,
  GradCheckReport,
  type InputReport,
  type KinkEntry,
  type WorstEntry,
} from "./lib/grad/report.ts";
export {
  autodiffGradient,
  checkGradientWithAutodiff,
  checkOpWithAutodiff,
  loadTf,
  type Scalar,
  type Tensor,
  type Tf,
  type TfBackend,
  type TfFunction,
} from "./lib/grad/autodiff.ts";
export { GRAD_CHECK_EXAMPLES, type GradCheckExample } from "./lib/grad/examples.ts";

// Rich display and pages: tables, Plotly figures, show() in notebooks, atomic writes.
export {
  type Displayable,
  displayTable,
  escapeHtml,
  htmlTable,
  type Table,
  tableOf,
  type TableOfOptions,
  textTable,
} from "./lib/view/table.ts";
export { claimsTable } from "./lib/view/claims.ts";
export { JUPYTER_DISPLAY, type MimeBundle, show } from "./lib/view/display.ts";
export {
  Figure,
  figureHtml,
  type FigureSpec,
  htmlPage,
  loadPlotly,
  logSpacedIndices,
  type PlotlyBundleInfo,
  type PlotlyObject,
  PlotlyScript,
} from "./lib/view/figure.ts";
export { writeTextAtomic } from "./lib/view/io.ts";

// Ops: each forward pass with its backward pass, caches, options and defaults (one file per family).
export * from "./lib/ops/activations.ts";
export {
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  type BinaryCrossEntropyCache,
  binaryCrossEntropyForward,
  type BinaryCrossEntropyOptions,
  type ClassLabels,
  crossEntropy,
  crossEntropyBackward,
  type CrossEntropyCache,
  crossEntropyForward,
  crossEntropyHessian,
  type CrossEntropyOptions,
  logSoftmax,
  logSoftmaxBackward,
  type LogSoftmaxCache,
  logSoftmaxForward,
  type Reduction,
  softmax,
  softmaxBackward,
  type SoftmaxCache,
  softmaxForward,
  softmaxJacobian,
  type SoftmaxOptions,
} from "./lib/ops/softmax.ts";
export {
  hingeBackward,
  type HingeCache,
  hingeForward,
  type HingeOptions,
  mse,
  mseBackward,
  type MseCache,
  mseForward,
  type MseNormalization,
  type MseOptions,
  softmaxHingeBackward,
  softmaxHingeForward,
} from "./lib/ops/losses.ts";
export {
  type LinearCache,
  linearColumnsBackward,
  linearColumnsForward,
  type LinearConvention,
  type LinearGrads,
  type LinearParams,
  linearRowsBackward,
  linearRowsForward,
} from "./lib/ops/linear.ts";
export {
  conv1dBackward,
  type Conv1dCache,
  conv1dForward,
  type Conv1dMode,
  type Conv1dOptions,
  conv2dBackward,
  type Conv2dCache,
  conv2dForward,
  type Conv2dGeometry,
  type Conv2dOptions,
  conv2dParameterCount,
  type ConvGeometryOptions,
  type ConvKind,
  convolve1d,
  convOutputSize,
  correlate1d,
  type Size2,
} from "./lib/ops/conv.ts";
export * from "./lib/ops/pooling.ts";
export {
  batchNormBackward,
  type BatchNormCache,
  batchNormForward,
  type BatchNormGrads,
  type BatchNormParams,
  meanOnlyBatchNormBackward,
  type MeanOnlyBatchNormCache,
  meanOnlyBatchNormForward,
  type MeanOnlyBatchNormParams,
} from "./lib/ops/batch_norm.ts";
export {
  dropoutBackward,
  type DropoutCache,
  dropoutForward,
  type DropoutOptions,
  gaussianDropoutBackward,
  gaussianDropoutForward,
  type GaussianDropoutOptions,
} from "./lib/ops/dropout.ts";
export {
  l1Subdifferential,
  l1Subgradient,
  type L1SubgradientOptions,
  softThreshold,
  softThresholdBackward,
  type SoftThresholdCache,
  softThresholdForward,
  type SoftThresholdOptions,
} from "./lib/ops/proximal.ts";
export { accuracy, topKError, type TopKOptions } from "./lib/ops/metrics.ts";
// The op cases the gradcheck task runs.
export { OP_CASES } from "./lib/checks/cases.ts";
export type { OpCase } from "./lib/checks/op_case.ts";

// Optimizers, their traces, convergence rates and figures.
export {
  columnTable,
  type Objective,
  type ProgressCallback,
  type SolverOptions,
  type SolverResult,
  type SolverStatus,
  traceColumn,
  type TraceRow,
  type TraceTable,
  traceTable,
} from "./lib/optim/trace.ts";
export {
  gradientDescent,
  heavyBall,
  type MomentumOptions,
  nesterov,
} from "./lib/optim/gradient_descent.ts";
export { adam, type AdamOptions } from "./lib/optim/adam.ts";
export {
  type DampingMode,
  newtonMinimize,
  type NewtonOptions,
  newtonRoot,
  type NewtonRootOptions,
  type ScalarEquation,
} from "./lib/optim/newton.ts";
export { fista, type FistaOptions, ista } from "./lib/optim/proximal_gradient.ts";
export { type LassoObjective, lassoObjective } from "./lib/optim/lasso.ts";
export {
  gdLinearRate,
  lassoRates,
  type LassoRatesOptions,
  type LassoRatesReport,
  type LinearRateReport,
  type LineFit,
  logisticSeparable,
  newtonQuadraticRate,
  type NewtonRateReport,
  type SeparableReport,
  weightDecayFixedPoint,
  type WeightDecayReport,
} from "./lib/optim/rates.ts";
export {
  contourFigure,
  type ContourOptions,
  lassoRatesFigure,
  linearRateFigure,
  lossFigure,
  type LossFigureOptions,
  type NamedTrace,
  newtonRateFigure,
} from "./lib/optim/figures.ts";
export {
  solverTour,
  type TourProblem,
  tourProblem,
  type TourResult,
  type TourSetup,
} from "./lib/optim/tour.ts";

// The MLP: forward with caches, hand-written backward, training (float64 and tfjs), experiments.
export {
  cloneMlp,
  createMlp,
  type CreateMlpOptions,
  type HiddenActivation,
  type Mlp,
  mlpBackward,
  type MlpBackwardOptions,
  type MlpCache,
  mlpForward,
  type MlpForwardOptions,
  type MlpGrads,
  mlpParams,
  mlpPredict,
  mlpWithParams,
  type OutputLoss,
  type WeightInit,
} from "./lib/nn/mlp.ts";
export {
  type TrainData,
  trainMlp,
  type TrainOptions,
  type TrainResult,
  type TrainRow,
} from "./lib/nn/train.ts";
export { type TfTrainOptions, type TfTrainResult, trainMlpTf } from "./lib/nn/tf_mlp.ts";
export {
  errorRate,
  mnistSplit,
  topKErrors,
  trainedTopK,
  weightDecaySweep,
  type WeightDecaySweepOptions,
} from "./lib/nn/experiments.ts";

// Data: MNIST, CSV, PCA, Gaussian mixtures.
export {
  loadMnist,
  MNIST_SIZE,
  type MnistData,
  type MnistOptions,
  mnistPca,
} from "./lib/data/mnist.ts";
export {
  type CsvOptions,
  degenerateData,
  type NumericCsv,
  parseNumericCsv,
} from "./lib/data/csv.ts";
export { pca, type PcaOptions, type PcaResult, symmetricEigen } from "./lib/data/pca.ts";
export { gaussianMixture, type Mixture, type MixtureOptions } from "./lib/data/mixture.ts";

// t-SNE: the embedding, its quality measures and figures, and the pieces notebook 07 takes apart.
export {
  AUTO_BH_MAX_N,
  AUTO_EXACT_MAX_N,
  tsne,
  type TsneMethod,
  type TsneOptions,
  type TsneProgress,
  type TsneResult,
} from "./lib/tsne/tsne.ts";
export {
  estimateTsneMemory,
  formatBytes,
  type MemoryEstimate,
  type MemoryEstimateOptions,
  type MemoryPart,
  parseBytes,
} from "./lib/tsne/memory.ts";
export {
  DEFAULT_ITERATIONS,
  type KlPoint,
  type OptimizeOptions,
  type OptimizeProgress,
} from "./lib/tsne/optimize.ts";
export type { FftOptions } from "./lib/tsne/fft.ts";
export {
  type Affinities,
  type AffinityOptions,
  type CsrMatrix,
  DEFAULT_PERPLEXITY,
  exactAffinities,
} from "./lib/tsne/affinity.ts";
export {
  type ExactGradientOptions,
  exactKlGradient,
  klBackward,
  type KlCache,
  klForward,
} from "./lib/tsne/kl.ts";
export { barnesHutGradient, type BarnesHutOptions, DEFAULT_THETA } from "./lib/tsne/barnes_hut.ts";
export { exactKl, knnAccuracy, trustworthiness } from "./lib/tsne/quality.ts";
export { embeddingFigure, klFigure, perplexitySweep } from "./lib/tsne/figures.ts";

// Formulas as people write them: parse, render, check claims, repair.
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

// The exercise catalog: claims, the exercises, running them, the report page.
export { CLAIM_STATUSES } from "./lib/exercises/claim.ts";
export type {
  CheckedClaim,
  Claim,
  ClaimFormulas,
  ClaimStatus,
  ClaimValue,
  Exercise,
  ExerciseResult,
  FormulaCheck,
} from "./lib/exercises/claim.ts";
export {
  changedClaims,
  claimsOf,
  countStatuses,
  describeChange,
  EXERCISES,
  findExercise,
  runExercises,
  type StatusCounts,
  suggestIds,
} from "./lib/exercises/catalog.ts";
export { activationsExercise } from "./lib/exercises/activations.ts";
export { softmaxExercise } from "./lib/exercises/softmax.ts";
export { mlpExercise } from "./lib/exercises/mlp.ts";
export { mseVsCeExercise } from "./lib/exercises/mse_vs_ce.ts";
export { batchBackpropExercise } from "./lib/exercises/batch_backprop.ts";
export { backpropCostExercise } from "./lib/exercises/backprop_cost.ts";
export { convExercise } from "./lib/exercises/conv.ts";
export { normalizationExercise } from "./lib/exercises/normalization.ts";
export {
  dropoutExercise,
  type DropoutMonteCarlo,
  type DropoutMonteCarloOptions,
  gaussianDropoutMonteCarlo,
} from "./lib/exercises/dropout.ts";
export { optimizationExercise } from "./lib/exercises/optimization.ts";
export { proximalExercise } from "./lib/exercises/proximal.ts";
export {
  extensionsExercise,
  runExtensions,
  runExtensionsAsync,
} from "./lib/exercises/extensions.ts";
export {
  claimTable,
  errataLines,
  formulaSummary,
  type FormulaSurprise,
  formulaSurprises,
  reportHtml,
  type ReportOptions,
  SHEET_MISTAKES_FILE,
  summaryTable,
} from "./lib/exercises/report.ts";
