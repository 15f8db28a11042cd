import { Dataset } from '../data/dataset.js';
import { split } from '../data/split.js';
import { checkStateWords } from '../data/random.js';
import { ValueError } from '../errors.js';
import { checkBool, checkKnown, describe } from '../runtime/validate.js';
import { resolveLoss, type LossEntry } from '../loss/index.js';
import { seedWords } from '../runtime/rng.js';
import { checkAdversarialTraining } from './adversarial.js';
import { checkFit, defaultLoss, type TrainModel } from './model.js';
import type { EpochSchedule, FitCallbacks, FitOptions, TrainingState } from './types.js';

/** fit()'s options with every default filled in. */
export interface CheckedOptions extends FitOptions {
  lossEntry: LossEntry;
  callbacks: FitCallbacks[];
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  trainMetrics: boolean;
  divergenceGuard: boolean;
}

/** fit()'s options (FitOptions): any other key is a typo, refused as the optimizers refuse one. */
const FIT_KEYS: readonly string[] = [
  'data', 'validation', 'loss', 'optimizer', 'schedule', 'epochs', 'batchSize', 'dropLast', 'shuffle', 'seed', 'trainMetrics',
  'earlyStopping', 'callbacks', 'signal', 'resume', 'divergenceGuard', 'evalBatchSize', 'adversarial',
];

const CALLBACK_KEYS: readonly string[] = ['onTrainBegin', 'onBatchEnd', 'onEpochEnd', 'onTrainEnd'];

/**
 * Validates fit()'s options against `model` and fills the defaults: typed
 * errors naming the option, before anything is allocated or written (the
 * loss against the targets, the seed, a `resume` state against the data).
 */
export function checkOptions(model: TrainModel, options: FitOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new ValueError(`fit: options must be an object, got ${describe(options)}`);
  checkKnown('fit', options, FIT_KEYS);
  // null is a value, not "use the default" (leave the key out for that)
  for (const [k, v] of Object.entries(options)) if (v === null && k !== 'resume') throw new ValueError(`fit: ${k} must be given a value or left out, got null`);
  const { data, epochs, batchSize, optimizer, earlyStopping: es, validation } = options;
  for (const k of ['shuffle', 'dropLast', 'trainMetrics', 'divergenceGuard'] as const) {
    if (options[k] !== undefined) checkBool('fit', k, options[k]);
  }
  if (options.signal !== undefined && typeof (options.signal as { aborted?: unknown } | null)?.aborted !== 'boolean') {
    throw new ValueError(`fit: signal must be an AbortSignal, got ${describe(options.signal)}`);
  }
  if (!(data instanceof Dataset)) throw new ValueError(`fit: data must be a Dataset, got ${data === null ? 'null' : typeof data}`);
  if (data.length === 0) throw new ValueError(`fit: ${data.name} has no samples`);
  if (typeof epochs !== 'number' || !Number.isSafeInteger(epochs) || epochs < 1) throw new ValueError(`fit: epochs must be an integer ≥ 1, got ${describe(epochs)}`);
  if (batchSize !== undefined && (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1)) {
    throw new ValueError(`fit: batchSize must be an integer ≥ 1, got ${describe(batchSize)}`);
  }
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.state !== 'function') {
    throw new ValueError('fit: optimizer must be an optimizer from engine.optim (step, state, loadState, lr)');
  }
  if (optimizer.model !== undefined && optimizer.model !== model) {
    throw new ValueError('fit: the optimizer was made for another model');
  }
  if (validation !== undefined && !(validation instanceof Dataset) && !(typeof validation === 'number' && validation >= 0 && validation < 1)) {
    throw new ValueError(`fit: validation must be a Dataset or a fraction in [0, 1), got ${describe(validation)}`);
  }
  if (es !== undefined) {
    if (es === null || typeof es !== 'object' || Array.isArray(es)) throw new ValueError(`fit: earlyStopping must be an object { patience, minDelta?, restoreBest? }, got ${describe(es)}`);
    checkKnown('fit: earlyStopping', es, ['patience', 'minDelta', 'restoreBest']);
    if (es.restoreBest !== undefined) checkBool('fit', 'earlyStopping.restoreBest', es.restoreBest);
    if (!Number.isInteger(es.patience) || es.patience < 1) throw new ValueError(`fit: earlyStopping.patience must be an integer ≥ 1, got ${describe(es.patience)}`);
    if (es.minDelta !== undefined && !(es.minDelta >= 0)) throw new ValueError(`fit: earlyStopping.minDelta must be ≥ 0, got ${describe(es.minDelta)}`);
  }
  if (options.seed !== undefined) seedWords('fit', options.seed);
  const ebs = options.evalBatchSize;
  if (ebs !== undefined && (typeof ebs !== 'number' || !Number.isSafeInteger(ebs) || ebs < 1)) {
    throw new ValueError(`fit: evalBatchSize must be an integer ≥ 1, got ${describe(ebs)}`);
  }
  if (options.schedule !== undefined && typeof options.schedule !== 'function' && !(typeof options.schedule === 'object' && options.schedule !== null && typeof (options.schedule as EpochSchedule).update === 'function')) {
    throw new ValueError('fit: schedule must be a function of the step or an object with update(metric) and schedule (reduceOnPlateau)');
  }
  const loss = options.loss ?? defaultLoss(data);
  const lossEntry = resolveLoss('fit', loss);
  if (data.isClassification && !lossEntry.acceptsLabels) {
    throw new ValueError(`fit: loss '${lossEntry.name}' needs target vectors, but ${data.name} has class labels (use 'softmaxCrossEntropy', or one-hot targets)`);
  }
  checkFit('fit', model, data);
  if (options.adversarial !== undefined) checkAdversarialTraining(model, options.adversarial, lossEntry);
  const cbs = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  cbs.forEach((cb, i) => {
    if (cb === null || typeof cb !== 'object' || Array.isArray(cb)) throw new ValueError(`fit: callbacks[${i}] must be an object of hooks (onTrainBegin, onBatchEnd, onEpochEnd, onTrainEnd), got ${describe(cb)}`);
    // other members are the caller's own (e.g. the CLI's progress has done()); the hooks must be functions
    for (const k of CALLBACK_KEYS) {
      const f = (cb as Record<string, unknown>)[k];
      if (f !== undefined && typeof f !== 'function') throw new ValueError(`fit: callbacks[${i}].${k} must be a function, got ${describe(f)}`);
    }
  });
  return {
    ...options,
    loss,
    lossEntry,
    callbacks: cbs,
    shuffle: options.shuffle ?? true,
    dropLast: options.dropLast ?? false,
    seed: options.seed ?? 0,
    trainMetrics: options.trainMetrics ?? true,
    divergenceGuard: options.divergenceGuard ?? true,
  };
}

/** The training and validation sets: `validation` as given, or a (stratified) fraction held out of `data`. */
export function splitData(model: TrainModel, o: CheckedOptions): { train: Dataset; val: Dataset | null } {
  if (o.validation instanceof Dataset) {
    checkFit('fit', model, o.validation, 'validation');
    return { train: o.data, val: o.validation };
  }
  if (typeof o.validation === 'number' && o.validation > 0) {
    const s = split(o.data, { validation: o.validation, stratify: o.data.isClassification, seed: o.seed });
    return { train: s.train, val: s.validation };
  }
  return { train: o.data, val: null };
}

/** Batches per epoch for `rows` training rows: BatchLoader's count (test/train.options.test.ts ties the two). */
export function batchesPerEpoch(rows: number, batchSize: number, dropLast: boolean): number {
  const bs = Math.min(batchSize, rows);
  return dropLast || rows % bs === 0 ? Math.floor(rows / bs) : Math.ceil(rows / bs);
}

/**
 * Checks a `resume` state (History.state, or one read back from a checkpoint)
 * against the run: completed epochs in [0, epochs], the next batch inside the
 * epoch, a valid shuffling state, sane running sums. Typed errors name the field.
 */
export function checkResume(r: unknown, epochs: number, batches: number): asserts r is TrainingState {
  if (r === null || typeof r !== 'object') throw new ValueError(`fit: resume must be a TrainingState from History.state, got ${r === null ? 'null' : typeof r}`);
  const s = r as Partial<Record<keyof TrainingState, unknown>>;
  const int = (name: keyof TrainingState, lo: number, hi: number): void => {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new ValueError(`fit: resume.${name} must be an integer in [${lo}, ${hi}], got ${describe(v)}`);
  };
  int('epoch', 0, epochs);
  int('batch', 0, s.epoch === epochs ? 0 : batches - 1);
  checkStateWords('fit: resume.epochRng', s.epochRng);
  for (const name of ['lossSum', 'samples', 'trainTime'] as const) {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ValueError(`fit: resume.${name} must be a finite number ≥ 0, got ${describe(v)}`);
  }
  if (s.batch === 0 && s.samples !== 0) throw new ValueError(`fit: resume.samples must be 0 at an epoch boundary (batch 0), got ${describe(s.samples)}`);
  if (s.batch !== 0 && s.samples === 0) throw new ValueError(`fit: resume.samples must be > 0 after ${String(s.batch)} batches, got 0`);
  if (!Array.isArray(s.records)) throw new ValueError(`fit: resume.records must be an array of EpochRecord, got ${describe(s.records)}`);
  const e = s.early as { best?: unknown; wait?: unknown; bestEpoch?: unknown } | null | undefined;
  if (e !== undefined && e !== null && (typeof e !== 'object' || typeof e.best !== 'number' || !Number.isInteger(e.wait) || !Number.isInteger(e.bestEpoch))) {
    throw new ValueError('fit: resume.early must be null or { best, wait, bestEpoch } from History.state');
  }
}
