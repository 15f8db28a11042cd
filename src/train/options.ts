import { Dataset } from '../data/dataset.js';
import { split } from '../data/split.js';
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { checkFit, defaultLoss, type TrainModel } from './model.js';
import type { EpochSchedule, FitCallbacks, FitOptions } from './types.js';

/** fit()'s options with every default filled in. */
export interface CheckedOptions extends FitOptions {
  callbacks: FitCallbacks[];
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  trainMetrics: boolean;
  divergenceGuard: boolean;
}

/** Validates fit()'s options against `model` (typed errors, nothing allocated) and fills the defaults. */
export function checkOptions(model: TrainModel, options: FitOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new ValueError(`fit: options must be an object, got ${describe(options)}`);
  const { data, epochs, batchSize, optimizer, earlyStopping: es, validation } = options;
  if (!(data instanceof Dataset)) throw new ValueError(`fit: data must be a Dataset, got ${data === null ? 'null' : typeof data}`);
  if (data.length === 0) throw new ValueError(`fit: ${data.name} has no samples`);
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1) throw new ValueError(`fit: epochs must be an integer ≥ 1, got ${describe(epochs)}`);
  if (batchSize !== undefined && (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)) {
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
    if (!Number.isInteger(es.patience) || es.patience < 1) throw new ValueError(`fit: earlyStopping.patience must be an integer ≥ 1, got ${describe(es.patience)}`);
    if (es.minDelta !== undefined && !(es.minDelta >= 0)) throw new ValueError(`fit: earlyStopping.minDelta must be ≥ 0, got ${describe(es.minDelta)}`);
  }
  if (options.schedule !== undefined && typeof options.schedule !== 'function' && !(typeof options.schedule === 'object' && typeof (options.schedule as EpochSchedule).update === 'function')) {
    throw new ValueError('fit: schedule must be a function of the step or an object with update(metric) and schedule (reduceOnPlateau)');
  }
  const r = options.resume;
  if (r !== undefined && (!r || !Number.isInteger(r.epoch) || !Number.isInteger(r.batch) || !(r.epochRng?.length === 4) || !Array.isArray(r.records))) {
    throw new ValueError('fit: resume must be a TrainingState from History.state');
  }
  checkFit('fit', model, data);
  const cbs = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  return {
    ...options,
    loss: options.loss ?? defaultLoss(data),
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
