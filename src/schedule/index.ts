// Learning-rate schedules and step-size rules (no engine needed except for
// `Armijo.forParameters`). Exported from the package as the `schedules` namespace:
//   import { schedules } from 'wasmgrad';
//   const lr = schedules.cosineAnnealing({ lr: 0.1, tMax: 1000 });
export type { Schedule, CycleSchedule } from './types.js';
export {
  constant,
  step,
  multistep,
  exponential,
  polynomial,
  linear,
  cosineAnnealing,
  cosineWarmRestarts,
  type ConstantOptions,
  type StepOptions,
  type MultistepOptions,
  type ExponentialOptions,
  type PolynomialOptions,
  type LinearOptions,
  type CosineAnnealingOptions,
  type CosineWarmRestartsOptions,
} from './basic.js';
export {
  sequential,
  chained,
  linearWarmup,
  warmupCosine,
  type SequentialOptions,
  type ChainedOptions,
  type LinearWarmupOptions,
  type WarmupCosineOptions,
} from './compose.js';
export { cyclic, oneCycle, type CyclicMode, type CyclicOptions, type OneCycleOptions } from './cyclic.js';
export { reduceOnPlateau, ReduceOnPlateau, type ReduceOnPlateauOptions, type ReduceOnPlateauState } from './plateau.js';
export { piController, PIController, type PIControllerOptions, type PIControllerState } from './pi.js';
export { armijo, Armijo, ParameterLineSearch, type ArmijoOptions, type ArmijoResult } from './armijo.js';
