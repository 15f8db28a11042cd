/**
 * `engine.optim`: the optimizers as torch-like objects made from an engine,
 * plus the transforms, `chain` and clipping.
 *
 * ```ts
 * const opt = engine.optim.adam(model, { lr: 1e-3 });
 * model.lossAndGrad(x, y, 'softmaxCrossEntropy');
 * opt.step();
 * ```
 */
import { StateError } from '../errors.js';
import type { Parameterized } from '../runtime/params.js';
import type { Core } from '../runtime/core.js';
import { clipGradNorm, clipGradValue, gradNorm } from './clip.js';
import type { LearningRate } from './options.js';
import { type CommonOptions, Optimizer } from './optimizer.js';
import {
  adadeltaRule, type AdadeltaOptions, adagradRule, type AdagradOptions, adamaxRule, type AdamaxOptions, adamRule,
  type AdamOptions, adamwRule, langevinRule, type LangevinOptions, nadamRule, type NadamOptions, radamRule,
  type RadamOptions, rmspropRule, type RmspropOptions, type Rule, sgdRule, type SgdOptions, sparseAdamRule,
  type SparseAdamOptions,
} from './rules.js';
import * as tx from './transforms.js';

export type OptimizerOf<O extends { lr?: LearningRate }> = Optimizer<O>;

/** Options of an optimizer built from any gradient transformation. */
export interface TransformOptimizerOptions extends CommonOptions<{ lr?: LearningRate }> {
  /** the lr that scaleByLearningRate() without argument uses (default 1) */
  lr?: LearningRate;
}

export function createOptim(engine: Core) {
  const make =
    <O extends { lr?: LearningRate }>(rule: Rule<O>) =>
    (model: Parameterized, options: O & CommonOptions<O> = {} as O & CommonOptions<O>): Optimizer<O> => {
      if (model?.engine !== engine) throw new StateError(`${rule.name}: the model belongs to another engine`);
      return new Optimizer(model, rule, options);
    };
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
    /** An optimizer that runs any transform (e.g. a chain) on each group: p <- p + T(g). */
    fromTransform(model: Parameterized, transform: tx.GradientTransformation, options: TransformOptimizerOptions = {}): Optimizer<{ lr?: LearningRate }> {
      if (model?.engine !== engine) throw new StateError('fromTransform: the model belongs to another engine');
      const rule: Rule<{ lr?: LearningRate }> = {
        name: transform.name,
        defaults: { lr: 1 },
        validate() {},
        buffers: () => ({}),
        fused() {},
        chain: () => transform,
      };
      return new Optimizer(model, rule, { ...options, fused: false });
    },
    chain: tx.chain,
    scale: tx.scale,
    scaleByLearningRate: tx.scaleByLearningRate,
    scaleBySchedule: tx.scaleBySchedule,
    addDecayedWeights: tx.addDecayedWeights,
    trace: tx.trace,
    scaleByAdam: tx.scaleByAdam,
    scaleBySparseAdam: tx.scaleBySparseAdam,
    scaleByRms: tx.scaleByRms,
    scaleByAdagrad: tx.scaleByAdagrad,
    scaleByAdamax: tx.scaleByAdamax,
    scaleByNadam: tx.scaleByNadam,
    scaleByRadam: tx.scaleByRadam,
    scaleByAdadelta: tx.scaleByAdadelta,
    clipByGlobalNorm: tx.clipByGlobalNorm,
    clipByValue: tx.clipByValue,
    addNoise: tx.addNoise,
    guardFinite: tx.guardFinite,
    multiSteps: tx.multiSteps,
    clipGradNorm,
    clipGradValue,
    gradNorm,
  });
}

export type Optim = ReturnType<typeof createOptim>;
