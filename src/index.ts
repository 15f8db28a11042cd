// The public API of wasmgrad, and only that.
export { init } from './core.js';
export type { InitOptions, WasmSource } from './runtime/init.js';
export { Engine, type MatmulOptions } from './runtime/engine.js';
export { Arena } from './runtime/arena.js';
export { Tensor } from './tensor.js';
export { Rng } from './rng.js';
export {
  WasmgradError,
  ShapeError,
  ValueError,
  MemoryError,
  StateError,
  DivergenceError,
  FormatError,
} from './errors.js';
export * as schedules from './schedule/index.js';
export type { Schedule, CycleSchedule } from './schedule/index.js';
export type { Parameterized, ParameterRange } from './params.js';
export { Sequential, layers } from './nn/index.js';
export type { NN, MlpOptions, InitOption } from './nn/index.js';
export type { ActivationName, LayerSpec, LinearSpec, ActivationSpec, DropoutSpec } from './nn/layers.js';
export type { ModelOptions } from './nn/model.js';
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
