import { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { split } from '../data/split.js';
import { DivergenceError, ValueError } from '../errors.js';
import { resolveLoss } from '../loss/index.js';
import { Evaluator, type Evaluation } from './evaluate.js';
import { checkFit, defaultLoss, type LossSpec, type TrainModel } from './model.js';
import { Snapshot, type TrainOptimizer } from './snapshot.js';

/** A stateful schedule driven once per epoch by a metric (reduceOnPlateau). */
export interface EpochSchedule {
  readonly schedule: (step: number) => number;
  update(metric: number): number;
  state(): unknown;
  loadState(state: never): void;
}

/** One epoch of the history. Times are wall-clock seconds. */
export interface EpochRecord {
  /** 1-based */
  epoch: number;
  /** mean training loss over the epoch's batches (weighted by rows), in training mode */
  loss: number;
  /** training-set metrics, evaluated in eval mode at the end of the epoch */
  accuracy?: number;
  r2?: number;
  valLoss?: number;
  valAccuracy?: number;
  valR2?: number;
  /** learning rate of the epoch's last step */
  lr: number;
  /** optimizer steps taken so far */
  steps: number;
  /** seconds for the epoch (training and evaluation) */
  time: number;
  /** training samples per second (training steps only) */
  samplesPerSec: number;
}

/** Everything needed to continue a run exactly (goes into the checkpoint sidecar). */
export interface TrainingState {
  /** completed epochs */
  epoch: number;
  /** batches done in the current epoch (0 at an epoch boundary) */
  batch: number;
  /** shuffling state at the start of the current epoch (or of the next one when batch is 0) */
  epochRng: Uint32Array;
  /** running sums of the current epoch */
  lossSum: number;
  samples: number;
  trainTime: number;
  early: { best: number; wait: number; bestEpoch: number; bestParams?: Float32Array } | null;
  schedule?: unknown;
  records: EpochRecord[];
}

export interface History {
  epochs: EpochRecord[];
  stopReason: 'completed' | 'early-stopping' | 'aborted' | 'callback';
  /** epoch (1-based) with the best monitored value (validation loss, else training loss) */
  bestEpoch: number | null;
  /** pass as `resume` (with the model and optimizer restored) to continue */
  state: TrainingState;
}

export interface BatchInfo {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  rows: number;
  step: number;
}

export interface FitCallbacks {
  onTrainBegin?(info: { epochs: number; batchesPerEpoch: number; samplesPerEpoch: number; startEpoch: number }): void;
  /** after every step; the info object is reused. Return 'stop' to stop after this step. */
  onBatchEnd?(info: Readonly<BatchInfo>): void | 'stop';
  /** Return 'stop' (or false) to stop after this epoch. */
  onEpochEnd?(record: EpochRecord, history: readonly EpochRecord[]): void | boolean | 'stop' | Promise<void | boolean | 'stop'>;
  onTrainEnd?(history: History): void;
}

export interface FitOptions {
  data: Dataset;
  /** a dataset, or a fraction of `data` to hold out (stratified for classification) */
  validation?: Dataset | number;
  /** default: 'softmaxCrossEntropy' for class ids, 'mse' otherwise */
  loss?: LossSpec;
  optimizer: TrainOptimizer;
  /** a per-step schedule (set as the optimizer's lr) or an epoch schedule such as reduceOnPlateau */
  schedule?: ((step: number) => number) | EpochSchedule;
  /** total epochs (counted from 0, also when resuming) */
  epochs: number;
  /** rows per step; default min(32, n); n gives full-batch gradient descent */
  batchSize?: number;
  dropLast?: boolean;
  /** reshuffle every epoch (default true) */
  shuffle?: boolean;
  /** seed of the shuffling (default 0) */
  seed?: number;
  /** evaluate loss and accuracy/R² on the training set after each epoch (default true) */
  trainMetrics?: boolean;
  earlyStopping?: { patience: number; minDelta?: number; restoreBest?: boolean };
  callbacks?: FitCallbacks | FitCallbacks[];
  signal?: AbortSignal;
  /** continue from a `History.state` (model and optimizer must already be restored) */
  resume?: TrainingState;
  /**
   * keep a copy of parameters and optimizer state from before each step, so a
   * non-finite loss restores the last finite step (default true; one copy per step)
   */
  divergenceGuard?: boolean;
  /** rows per evaluation batch (default max(batchSize, 512)) */
  evalBatchSize?: number;
}

const now = (): number => (globalThis.performance?.now() ?? Date.now()) / 1000;
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * Trains `model` with `optimizer` on mini-batches of `data` for `epochs`
 * epochs and returns the history.
 *
 * Each step: the loader fills the planned batch buffers, `model.lossAndGrad`
 * computes the loss and gradients, the snapshot copies parameters and
 * optimizer state (divergence guard), `optimizer.step()` updates. A
 * non-finite loss throws `DivergenceError` (epoch and step named) after
 * restoring the last finite step. An aborted `signal` or a callback stops
 * between steps; the history's `state` continues the run exactly.
 */
export async function fit(model: TrainModel, options: FitOptions): Promise<History> {
  const o = checkOptions(model, options);
  const { optimizer, epochs, callbacks } = o;
  const lossEntry = resolveLoss('fit', o.loss);
  let train = o.data;
  let val: Dataset | null = null;
  if (o.validation instanceof Dataset) {
    checkFit('fit', model, o.validation, 'validation');
    val = o.validation;
  } else if (typeof o.validation === 'number' && o.validation > 0) {
    const s = split(o.data, { validation: o.validation, stratify: o.data.isClassification, seed: o.seed });
    train = s.train;
    val = s.validation;
  }
  const batchSize = o.batchSize ?? Math.min(32, train.length);
  const engine = model.engine;
  const loader = new BatchLoader(engine, train, { batchSize, shuffle: o.shuffle, dropLast: o.dropLast, seed: o.seed });
  const cleanup: (() => void)[] = [() => loader.dispose()];
  try {
    const evalBs = o.evalBatchSize ?? Math.max(loader.batchSize, 512);
    const valEval = val && val.length > 0 ? new Evaluator(model, val, { loss: lossEntry, batchSize: evalBs }) : null;
    if (valEval) cleanup.push(() => valEval.dispose());
    const trainEval = o.trainMetrics ? new Evaluator(model, train, { loss: lossEntry, batchSize: evalBs }) : null;
    if (trainEval) cleanup.push(() => trainEval.dispose());
    const snapshot = o.divergenceGuard ? new Snapshot(model, optimizer) : null;
    if (snapshot) cleanup.push(() => snapshot.dispose());

    const epochSchedule = o.schedule && typeof o.schedule === 'object' ? o.schedule : null;
    if (typeof o.schedule === 'function') optimizer.lr = o.schedule;
    else if (epochSchedule) optimizer.lr = epochSchedule.schedule;

    const es = o.earlyStopping;
    const r = o.resume;
    const records: EpochRecord[] = r ? r.records.map((x) => ({ ...x })) : [];
    let early = es ? (r?.early ? { ...r.early } : { best: Infinity, wait: 0, bestEpoch: 0 }) : null;
    if (r?.schedule !== undefined && epochSchedule) epochSchedule.loadState(r.schedule as never);
    let bestBuf = 0;
    if (es?.restoreBest) {
      bestBuf = engine.allocF32(model.numParameters);
      cleanup.push(() => engine.arena.free(bestBuf));
      if (early?.bestParams) engine.f32(bestBuf, model.numParameters).set(early.bestParams);
    }
    let epoch = r ? r.epoch : 0;
    let startBatch = r ? r.batch : 0;
    let lossSum = r ? r.lossSum : 0;
    let samples = r ? r.samples : 0;
    let trainTime = r ? r.trainTime : 0;
    if (r) loader.setRngState(r.epochRng);
    let epochRng = loader.rngState();
    let stopReason: History['stopReason'] = 'completed';
    const info: BatchInfo = { epoch: 0, batch: 0, batches: loader.numBatches, loss: 0, rows: 0, step: 0 };
    for (const c of callbacks) c.onTrainBegin?.({ epochs, batchesPerEpoch: loader.numBatches, samplesPerEpoch: loader.samplesPerEpoch, startEpoch: epoch });
    model.train();
    let lastYield = now();
    let stopAfterEpoch = false;

    outer: while (epoch < epochs) {
      const epochStart = now();
      epochRng = loader.rngState();
      loader.startEpoch();
      let t0 = now();
      for (let b = startBatch; b < loader.numBatches; b++) {
        if (o.signal?.aborted) {
          trainTime += now() - t0;
          startBatch = b;
          stopReason = 'aborted';
          break outer;
        }
        const { x, y, rows } = loader.batch(b);
        const loss = model.lossAndGrad(x, y, lossEntry);
        if (!Number.isFinite(loss)) {
          const optStep = optimizer.stepCount + 1;
          const restored = snapshot?.restore() ?? false;
          throw new DivergenceError(
            `fit: loss is ${loss} at epoch ${epoch + 1}, step ${b + 1} of ${loader.numBatches} (optimizer step ${optStep}); ` +
              (restored ? 'parameters and optimizer state are restored to the last finite step' : 'nothing to restore (first step or divergenceGuard off)'),
            epoch + 1,
            b + 1,
          );
        }
        snapshot?.take();
        optimizer.step();
        lossSum += loss * rows;
        samples += rows;
        if (callbacks.length > 0) {
          info.epoch = epoch + 1;
          info.batch = b + 1;
          info.loss = loss;
          info.rows = rows;
          info.step = optimizer.stepCount;
          let stop = false;
          for (const c of callbacks) if (c.onBatchEnd?.(info) === 'stop') stop = true;
          if (stop) {
            stopReason = 'callback';
            if (b + 1 < loader.numBatches) {
              trainTime += now() - t0;
              startBatch = b + 1;
              break outer;
            }
            stopAfterEpoch = true;
          }
        }
        // let timers, I/O and abort signals run during long epochs
        const t = now();
        if (t - lastYield > 0.1) {
          trainTime += t - t0;
          await tick();
          lastYield = t0 = now();
        }
      }
      trainTime += now() - t0;
      // epoch end
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / samples,
        lr: lrOf(optimizer),
        steps: optimizer.stepCount,
        time: 0,
        samplesPerSec: trainTime > 0 ? samples / trainTime : 0,
      };
      if (trainEval) addMetrics(record, trainEval.run(), '');
      if (valEval) addMetrics(record, valEval.run(), 'val');
      const monitored = record.valLoss ?? record.loss;
      if (epochSchedule) epochSchedule.update(monitored);
      epoch++;
      startBatch = 0;
      lossSum = 0;
      samples = 0;
      trainTime = 0;
      record.time = now() - epochStart;
      records.push(record);
      let stop = stopAfterEpoch;
      if (early && es) {
        if (monitored < early.best - (es.minDelta ?? 0)) {
          early = { best: monitored, wait: 0, bestEpoch: record.epoch };
          if (bestBuf) engine.kernels.f32_copy(model.numParameters, model.paramsPtr, bestBuf);
        } else if (++early.wait >= es.patience) {
          stopReason = 'early-stopping';
          stop = true;
        }
      }
      for (const c of callbacks) {
        const v = await c.onEpochEnd?.(record, records);
        if (v === false || v === 'stop') {
          if (!stop) stopReason = 'callback';
          stop = true;
        }
      }
      if (stop) break;
      await tick();
      lastYield = now();
    }
    if (bestBuf && early && early.bestEpoch > 0 && stopReason !== 'aborted' && stopReason !== 'callback') {
      engine.kernels.f32_copy(model.numParameters, bestBuf, model.paramsPtr);
    }
    let bestEpoch: number | null = null;
    if (records.length > 0) {
      bestEpoch = early && early.bestEpoch > 0 ? early.bestEpoch : records.reduce((a, rec) => ((rec.valLoss ?? rec.loss) < (a.valLoss ?? a.loss) ? rec : a)).epoch;
    }
    if (startBatch === 0) epochRng = loader.rngState();
    const state: TrainingState = {
      epoch,
      batch: startBatch,
      epochRng,
      lossSum,
      samples,
      trainTime,
      early: early ? { ...early, bestParams: bestBuf ? engine.f32(bestBuf, model.numParameters).slice() : undefined } : null,
      schedule: epochSchedule?.state(),
      records: records.map((x) => ({ ...x })),
    };
    const history: History = { epochs: records, stopReason, bestEpoch, state };
    for (const c of callbacks) c.onTrainEnd?.(history);
    return history;
  } finally {
    for (const f of cleanup.reverse()) f();
  }
}

function addMetrics(rec: EpochRecord, ev: Evaluation, prefix: '' | 'val'): void {
  if (prefix === 'val') {
    rec.valLoss = ev.loss;
    if (ev.accuracy !== undefined) rec.valAccuracy = ev.accuracy;
    if (ev.r2 !== undefined) rec.valR2 = ev.r2;
  } else {
    if (ev.accuracy !== undefined) rec.accuracy = ev.accuracy;
    if (ev.r2 !== undefined) rec.r2 = ev.r2;
  }
}

function lrOf(opt: TrainOptimizer): number {
  const lr = opt.lr;
  return typeof lr === 'number' ? lr : lr(Math.max(0, opt.stepCount - 1));
}

interface CheckedOptions extends FitOptions {
  callbacks: FitCallbacks[];
  shuffle: boolean;
  dropLast: boolean;
  seed: number;
  trainMetrics: boolean;
  divergenceGuard: boolean;
}

function checkOptions(model: TrainModel, options: FitOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new ValueError(`fit: options must be an object, got ${String(options)}`);
  const { data, epochs, batchSize, optimizer, earlyStopping: es, validation } = options;
  if (!(data instanceof Dataset)) throw new ValueError(`fit: data must be a Dataset, got ${data === null ? 'null' : typeof data}`);
  if (data.length === 0) throw new ValueError(`fit: ${data.name} has no samples`);
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1) throw new ValueError(`fit: epochs must be an integer ≥ 1, got ${String(epochs)}`);
  if (batchSize !== undefined && (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)) {
    throw new ValueError(`fit: batchSize must be an integer ≥ 1, got ${String(batchSize)}`);
  }
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.state !== 'function') {
    throw new ValueError('fit: optimizer must be an optimizer from engine.optim (step, state, loadState, lr)');
  }
  if ((optimizer as unknown as { model?: unknown }).model !== undefined && (optimizer as unknown as { model?: unknown }).model !== model) {
    throw new ValueError('fit: the optimizer was made for another model');
  }
  if (validation !== undefined && !(validation instanceof Dataset) && !(typeof validation === 'number' && validation >= 0 && validation < 1)) {
    throw new ValueError(`fit: validation must be a Dataset or a fraction in [0, 1), got ${String(validation)}`);
  }
  if (es !== undefined) {
    if (!Number.isInteger(es.patience) || es.patience < 1) throw new ValueError(`fit: earlyStopping.patience must be an integer ≥ 1, got ${String(es.patience)}`);
    if (es.minDelta !== undefined && !(es.minDelta >= 0)) throw new ValueError(`fit: earlyStopping.minDelta must be ≥ 0, got ${String(es.minDelta)}`);
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
