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
