/**
 * `engine.optim`: the optimizers as torch-like objects made from an engine,
 * plus the transforms, `chain` and clipping.
 *
 * ```ts
 * const opt = engine.optim.adam(model, { lr: 1e-3 });
 * model.lossAndGrad(x, y, 'softmaxCrossEntropy');
 * opt.step();
 * ```
 *
 * The files: transform.ts (base types, chain, multiSteps), scale.ts (scaling
 * and additive transforms), clip.ts and guard.ts (clipping, the non-finite
 * guard), rule.ts (what an optimizer is made of), the families sgd.ts (SGD,
 * momentum, Langevin), adagrad.ts (AdaGrad, RMSprop, Adadelta), adam.ts (Adam,
 * AdamW, SparseAdam), adam-variants.ts (Adamax, NAdam, RAdam), and the
 * optimizer itself: optimizer.ts, group.ts, state.ts, snapshot.ts.
 */
import { ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { liveParams, type Parameterized } from '../runtime/params.js';
import { describe } from '../runtime/validate.js';
import { type AdadeltaOptions, adadeltaRule, type AdagradOptions, adagradRule, type RmspropOptions, rmspropRule, scaleByAdadelta, scaleByAdagrad, scaleByRms } from './adagrad.js';
import { type AdamOptions, adamRule, adamwRule, scaleByAdam, scaleBySparseAdam, type SparseAdamOptions, sparseAdamRule } from './adam.js';
import { type AdamaxOptions, adamaxRule, type NadamOptions, nadamRule, type RadamOptions, radamRule, scaleByAdamax, scaleByNadam, scaleByRadam } from './adam-variants.js';
import { clipByGlobalNorm, clipByValue, clipGradNorm, clipGradValue, gradNorm, type Span } from './clip.js';
import type { CommonOptions } from './group.js';
import { guardFinite } from './guard.js';
import type { LearningRate } from './options.js';
import { Lbfgs, type LbfgsOptions } from './lbfgs.js';
import { Newton, type NewtonModel, type NewtonOptions } from './newton.js';
import { Optimizer } from './optimizer.js';
import type { Rule } from './rule.js';
import { addDecayedWeights, addNoise, scale, scaleByLearningRate, scaleBySchedule } from './scale.js';
import { type LangevinOptions, langevinRule, type SgdOptions, sgdRule, trace } from './sgd.js';
import { chain, type GradientTransformation, multiSteps } from './transform.js';
import { MultiTask, type MultiTaskModel, type MultiTaskOptions } from '../structure/multitask.js';

export type OptimizerOf<O extends { lr?: LearningRate }> = Optimizer<O>;

/** Options of an optimizer built from any gradient transformation. */
export interface TransformOptimizerOptions extends CommonOptions<{ lr?: LearningRate }> {
  /** the lr that scaleByLearningRate() without argument uses (default 1) */
  lr?: LearningRate;
}

export function createOptim(engine: Core) {
  const make =
    <O extends { lr?: LearningRate }>(rule: Rule<O>) =>
    (model: Parameterized, options: O & CommonOptions<O> = {} as O & CommonOptions<O>): Optimizer<O> =>
      new Optimizer(liveParams(rule.name, model, engine), rule, options);
  /** the clipping calls of this engine: the model must be live and of this engine */
  const own =
    <A extends unknown[], R>(op: string, f: (model: Parameterized, ...rest: A) => R) =>
    (model: Parameterized, ...rest: A): R =>
      f(liveParams(op, model, engine), ...rest);
  return Object.freeze({
    sgd: make<SgdOptions>(sgdRule),
    adagrad: make<AdagradOptions>(adagradRule),
    rmsprop: make<RmspropOptions>(rmspropRule),
    adam: make<AdamOptions>(adamRule),
    adamw: make<AdamOptions>(adamwRule),
    adamax: make<AdamaxOptions>(adamaxRule),
    nadam: make<NadamOptions>(nadamRule),
    radam: make<RadamOptions>(radamRule),
    adadelta: make<AdadeltaOptions>(adadeltaRule),
    langevin: make<LangevinOptions>(langevinRule),
    sparseAdam: make<SparseAdamOptions>(sparseAdamRule),
    /** torch.optim.LBFGS: `opt.step(closure)` (lbfgs.ts). */
    lbfgs: (model: Parameterized, options?: LbfgsOptions): Lbfgs => new Lbfgs(liveParams('lbfgs', model, engine), options),
    /** Damped Newton with Levenberg-Marquardt damping for small models: `opt.step(x, y, loss)` (newton.ts). */
    newton: (model: NewtonModel, options?: NewtonOptions): Newton => new Newton(engine, liveParams('newton', model, engine) as NewtonModel, options),
    /** An optimizer that runs any transform (e.g. a chain) on each group: p <- p + T(g). */
    fromTransform(model: Parameterized, transform: GradientTransformation, options: TransformOptimizerOptions = {}): Optimizer<{ lr?: LearningRate }> {
      liveParams('fromTransform', model, engine);
      if (!transform || typeof transform !== 'object' || typeof transform.init !== 'function') {
        throw new ValueError(`fromTransform: transform must be a gradient transformation (e.g. engine.optim.chain(...)), got ${describe(transform)}`);
      }
      const rule: Rule<{ lr?: LearningRate }> = {
        name: transform.name,
        defaults: { lr: 1 },
        schedulable: ['lr'],
        validate() {},
        buffers: () => ({}),
        fused() {},
        chain: () => transform,
      };
      return new Optimizer(model, rule, { ...options, fused: false });
    },
    chain,
    scale,
    scaleByLearningRate,
    scaleBySchedule,
    addDecayedWeights,
    trace,
    scaleByAdam,
    scaleBySparseAdam,
    scaleByRms,
    scaleByAdagrad,
    scaleByAdamax,
    scaleByNadam,
    scaleByRadam,
    scaleByAdadelta,
    clipByGlobalNorm,
    clipByValue,
    addNoise,
    guardFinite,
    multiSteps,
    clipGradNorm: own('clipGradNorm', clipGradNorm),
    clipGradValue: own('clipGradValue', clipGradValue),
    gradNorm: own('gradNorm', gradNorm as (model: Parameterized, spans?: readonly Span[]) => number),
    /** Multi-task steps with gradient surgery (src/structure/multitask.ts): `step(tasks)` → losses, cosines, conflicts. */
    multiTask: (model: MultiTaskModel, optimizer: { step(): unknown }, options?: MultiTaskOptions) => new MultiTask(engine, model, optimizer, options),
  });
}

export type Optim = ReturnType<typeof createOptim>;
