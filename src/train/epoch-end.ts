import type { Evaluation, Evaluator } from './evaluate.js';
import type { TrainModel } from './model.js';
import type { Progress } from './resume.js';
import type { TrainOptimizer } from './snapshot.js';
import type { EarlyState, EpochRecord, EpochSchedule, FitCallbacks, FitOptions, History } from './types.js';

type StopReason = History['stopReason'];

/**
 * Early stopping (Prechelt, "Early stopping — but when?", 1998): stop when
 * the monitored loss has not improved by more than `minDelta` for `patience`
 * epochs; with `restoreBest`, a copy of the parameters at the best epoch is
 * kept in one arena buffer (planned here, refreshed with `f32_copy`).
 */
export class EarlyStopping {
  /** the buffer of the best parameters (0 without restoreBest) */
  private readonly bestBuf: number = 0;

  constructor(
    private readonly model: TrainModel,
    private readonly options: NonNullable<FitOptions['earlyStopping']>,
    private readonly p: Progress & { early: EarlyState },
  ) {
    if (options.restoreBest) {
      const e = model.engine;
      this.bestBuf = e.allocF32(model.numParameters);
      if (p.early.bestParams) e.f32(this.bestBuf, model.numParameters).set(p.early.bestParams);
    }
  }

  /** Records the epoch's monitored value; returns whether patience ran out. */
  update(monitored: number, epoch: number): boolean {
    const p = this.p;
    if (monitored < p.early.best - (this.options.minDelta ?? 0)) {
      p.early = { best: monitored, wait: 0, bestEpoch: epoch };
      if (this.bestBuf) this.model.engine.kernels.f32_copy(this.model.numParameters, this.model.paramsPtr, this.bestBuf);
      return false;
    }
    return ++p.early.wait >= this.options.patience;
  }

  /** Puts the best parameters back when the run ended by completing or by early stopping. */
  finish(reason: StopReason): void {
    if (this.bestBuf && this.p.early.bestEpoch > 0 && reason !== 'aborted' && reason !== 'callback') {
      this.model.engine.kernels.f32_copy(this.model.numParameters, this.bestBuf, this.model.paramsPtr);
    }
  }

  /** A copy of the best parameters for the training state (undefined without restoreBest). */
  bestParams(): Float32Array | undefined {
    return this.bestBuf ? this.model.engine.f32(this.bestBuf, this.model.numParameters).slice() : undefined;
  }

  dispose(): void {
    if (this.bestBuf) this.model.engine.arena.free(this.bestBuf);
  }
}

/** What the end of an epoch reads: the evaluators, the epoch schedule, early stopping and the callbacks. */
export interface EpochEndContext {
  optimizer: TrainOptimizer;
  trainEval: Evaluator | null;
  valEval: Evaluator | null;
  epochSchedule: EpochSchedule | null;
  early: EarlyStopping | null;
  callbacks: readonly FitCallbacks[];
  now(): number;
}

/**
 * Closes an epoch: the record (mean training loss, lr, steps, throughput),
 * training and validation metrics in eval mode, the epoch schedule's update,
 * early stopping and `onEpochEnd`. Advances `p` to the next epoch's start.
 * Returns why the run stops, or null to go on (`stopAfterEpoch`: an
 * `onBatchEnd` asked to stop at the epoch's last batch).
 */
export async function endEpoch(c: EpochEndContext, p: Progress, epochStart: number, stopAfterEpoch: boolean): Promise<StopReason | null> {
  const record: EpochRecord = {
    epoch: p.epoch + 1,
    loss: p.lossSum / p.samples,
    lr: lrOf(c.optimizer),
    steps: c.optimizer.stepCount,
    time: 0,
    samplesPerSec: p.trainTime > 0 ? p.samples / p.trainTime : 0,
  };
  if (c.trainEval) addMetrics(record, c.trainEval.run(), '');
  if (c.valEval) addMetrics(record, c.valEval.run(), 'val');
  const monitored = record.valLoss ?? record.loss;
  if (c.epochSchedule) c.epochSchedule.update(monitored);
  p.epoch++;
  p.batch = 0;
  p.lossSum = 0;
  p.samples = 0;
  p.trainTime = 0;
  record.time = c.now() - epochStart;
  p.records.push(record);
  let reason: StopReason | null = stopAfterEpoch ? 'callback' : null;
  if (c.early?.update(monitored, record.epoch)) reason = 'early-stopping';
  for (const cb of c.callbacks) {
    const v = await cb.onEpochEnd?.(record, p.records);
    if ((v === false || v === 'stop') && reason === null) reason = 'callback';
  }
  return reason;
}

/** The epoch (1-based) with the best monitored value: early stopping's, else the lowest validation (or training) loss. */
export function bestEpochOf(records: readonly EpochRecord[], early: EarlyState | null): number | null {
  if (records.length === 0) return null;
  return early && early.bestEpoch > 0 ? early.bestEpoch : records.reduce((a, rec) => ((rec.valLoss ?? rec.loss) < (a.valLoss ?? a.loss) ? rec : a)).epoch;
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

/** The learning rate of the optimizer's last step (a schedule is read at step − 1). */
function lrOf(opt: TrainOptimizer): number {
  const lr = opt.lr;
  return typeof lr === 'number' ? lr : lr(Math.max(0, opt.stepCount - 1));
}
