// The public API of wasmgrad, and only that.
export { init, Engine, type MatmulOptions } from './engine.js';
export type { InitOptions, WasmSource } from './runtime/init.js';
export type { ThreadsInfo, ThreadsOption } from './runtime/threads.js';
export { Core } from './runtime/core.js';
export { Arena } from './runtime/arena.js';
export { Tensor } from './runtime/tensor.js';
export { Rng } from './runtime/rng.js';
export { ParameterVector } from './runtime/params.js';
export {
  WasmgradError,
  ShapeError,
  ValueError,
  MemoryError,
  StateError,
  DivergenceError,
  FormatError,
  IoError,
  LinAlgError,
  SearchError,
  NetworkError,
  RejectedError,
} from './errors.js';
export * as schedules from './schedule/index.js';
export type { Schedule, CycleSchedule } from './schedule/index.js';
export type { Parameterized, ParameterRange } from './runtime/params.js';
export { Sequential, layers } from './nn/index.js';
export type { NN, MlpOptions, InitOption } from './nn/index.js';
export type { ActivationName, LayerSpec, LinearSpec, ActivationSpec, DropoutSpec } from './nn/layers.js';
export type { ModelOptions } from './nn/model.js';
export type { BackwardOptions } from './nn/input-grad.js';
export {
  mse,
  softmaxCrossEntropy,
  bceWithLogits,
  poissonNll,
  huber,
  l2Penalty,
} from './loss/index.js';
export type { LossEntry, LossName, LossNamespace, Target, MseOptions, CrossEntropyOptions } from './loss/index.js';
export { initializers, calculateGain } from './init/index.js';
export type { Initializer, InitTarget, InitName, LinearInit, KaimingOptions, Nonlinearity } from './init/index.js';
export { Optimizer, ParamGroup, OptimizerSnapshot, type OptimizerState, type GroupState, type CommonOptions, type ParamGroupSpec, type SkipReport } from './optim/optimizer.js';
export type { Optim, TransformOptimizerOptions } from './optim/index.js';
export type { LearningRate, Momentum, Schedule as LrSchedule } from './optim/options.js';
export type { SgdOptions, LangevinOptions, TraceOptions } from './optim/sgd.js';
export type { AdagradOptions, RmspropOptions, AdadeltaOptions } from './optim/adagrad.js';
export type { AdamOptions, SparseAdamOptions } from './optim/adam.js';
export type { AdamaxOptions, NadamOptions, RadamOptions } from './optim/adam-variants.js';
export { Lbfgs, type LbfgsOptions, type LbfgsScalars } from './optim/lbfgs.js';
export { LbfgsSnapshot } from './optim/lbfgs-state.js';
export { Newton, type NewtonOptions, type NewtonStepInfo, type NewtonModel } from './optim/newton.js';
export { chain, multiSteps, type GradientTransformation, type TransformInstance, type TransformStateData, type StepContext, type StateCells } from './optim/transform.js';
export { scale, scaleByLearningRate, scaleBySchedule, addDecayedWeights, addNoise } from './optim/scale.js';
export { trace } from './optim/sgd.js';
export { scaleByAdagrad, scaleByRms, scaleByAdadelta } from './optim/adagrad.js';
export { scaleByAdam, scaleBySparseAdam } from './optim/adam.js';
export { scaleByAdamax, scaleByNadam, scaleByRadam } from './optim/adam-variants.js';
export { clipGradNorm, clipGradValue, gradNorm, clipByGlobalNorm, clipByValue, type Span } from './optim/clip.js';
export { guardFinite, type GuardReport } from './optim/guard.js';
// data (src/data/), checkpoints (src/checkpoint/)
export { Dataset, oneHot, type Targets, type DatasetOptions } from './data/dataset.js';
export { Random } from './data/random.js';
export { split, type SplitOptions, type Split } from './data/split.js';
export { Standardizer, standardize } from './data/standardize.js';
export { BatchLoader, type Batch, type BatchLoaderOptions } from './data/loader.js';
export {
  twoMoons,
  circles,
  spirals,
  xor,
  blobs,
  linearRegression,
  polynomialRegression,
  randomLabels,
  illConditionedRegression,
  GENERATORS,
  type GeneratorName,
  type GeneratorOptions,
} from './data/generators.js';
export { parseCsv, loadCsv, type CsvOptions } from './data/csv.js';
export { decodeIdx, encodeIdx, loadIdx, idxDataset, loadIdxDataset, type IdxArray, type IdxDatasetOptions } from './data/idx.js';
export { readBytes, readText, type ByteSource } from './data/source.js';
export { loadCsvFile, loadIdxFiles } from './data/files.js';
export { encodeSafetensors, decodeSafetensors, type NamedTensor, type SafetensorsFile } from './checkpoint/safetensors.js';
export {
  encodeCheckpoint,
  decodeCheckpoint,
  applyCheckpoint,
  checkpointParameters,
  encodeWeights,
  type CheckpointModel,
  type CheckpointOptimizer,
  type EncodedCheckpoint,
  type DecodedCheckpoint,
} from './checkpoint/checkpoint.js';
export { saveCheckpoint, loadCheckpoint, readCheckpoint, type SaveOptions } from './checkpoint/files.js';
export { type FileApi } from './io/files.js';
// training (src/train/)
export { fit, type FitOptions, type FitCallbacks, type History, type EpochRecord, type TrainingState, type BatchInfo, type EpochSchedule } from './train/fit.js';
export { evaluate, predict, predictClasses, argmaxRows, Evaluator, type Evaluation } from './train/evaluate.js';
export { type TrainModel, type LossSpec } from './train/model.js';
export { type TrainOptimizer } from './train/snapshot.js';
// plots (src/plot/): plain SVG strings
export { lineChart, lossCurves, compareChart, decisionBoundary, niceTicks, PALETTE, type Series, type LineChartOptions, type BoundaryGrid } from './plot/svg.js';
export { boundaryGrid, plotDecisionBoundary } from './plot/boundary.js';
// solvers (src/solve/): minimize(), line searches, linear CG, objectives, dense f64 linear algebra
export { minimize, lineSearch, objectives, cg, twoLoop } from './solve/index.js';
export type {
  Fun, Iterate, Method, MinimizeOptions, MinimizeResult, LineSearch, LineSearchResult, PhiValue, SearchStart,
  BacktrackingOptions, StrongWolfeOptions, Objective, GlmOptions, EngineObjectives, CgOptions, CgResult, MatVec, CholeskyOptions, CholeskyResult, EighResult, Linalg, VecOps,
} from './solve/index.js';
export type { Curvature, CurvatureModel, StationaryPoint, TopEigenOptions, TopEigenResult } from './curvature/index.js';
export type { HvpOperator } from './nn/hvp.js';
// proximal steps, projections, multi-task gradient surgery (src/structure/)
export { prox, project, gradientSurgery, MultiTask } from './structure/index.js';
export type {
  GroupLassoOptions, GridOptions, SurgeryMethod, SurgeryReport, MultiTaskOptions, MultiTaskReport, Task, StructureStep, Region,
} from './structure/index.js';
// the gallery of experiments (src/experiments/): claims of the optimization literature, run and checked
export { experiments, findExperiment, resolveParams, runExperiment, runExperimentAsync, reportJson, type ExperimentReport } from './experiments/index.js';
export { experimentSvg } from './experiments/plot.js';
export type { Experiment, SyncExperiment, AsyncExperiment, ExperimentResult, ExperimentSeries, Check, ParamSpec, Params } from './experiments/index.js';
// meta-optimization (src/meta/): hyperparameter search
export { search, space, METHODS as SEARCH_METHODS, metropolisAcceptance, swapAcceptance, HYPERS } from './meta/index.js';
export { searchChart, searchCurves, bestSoFar, type SearchCurveOptions } from './plot/search.js';
export { BENCHMARKS as searchBenchmarks, noisy as noisyBenchmark, branin, hartmann6, type Benchmark } from './meta/benchmarks.js';
export type {
  SearchMethod, SearchOptions, SearchResult, SearchProgress, ModuleObjective, Trial, TrialContext, ObjectiveFn, HistoryPoint,
  Space, Dim, Config, TournamentOptions, ReplicaOptions, ReplicaEvent, SurrogateOptions, HalvingOptions,
  Meta, MetaModel, HyperName, HypergradientOptions, HypergradientResult, InnerOptions, TuneHyperOptions, TuneHyperResult, TuneStep,
} from './meta/index.js';
export { Attacker } from './adversarial/index.js';
export type { Adversarial, AttackModel, AttackOptions, AttackResult, AttackMethod, AttackNorm } from './adversarial/index.js';
// the runnable examples (src/examples/) are applications run by the CLI (`wasmgrad example`), not in this
// entry: they would put the universal bundle over its gzip budget (scripts/check-bundle.mjs); types only
export type { Example, ExampleOptions, ExampleResult } from './examples/index.js';
// federated averaging (src/federated/): the client, the aggregation rules, the wire format; the aggregator is dist/federated/worker.js
export * as federated from './federated/index.js';
export type { FederatedClientOptions, RoundReport, AggregationRule, ClientUpdate, FederationOptions, RetryPolicy, GlobalParams } from './federated/index.js';
