import type { EarlyState, EpochRecord, TrainingState } from './types.js';

/**
 * The counters of a run that `TrainingState` saves and `resume` restores:
 * where the run is (completed epochs, batches done in the current one), the
 * running sums of the current epoch, early stopping and the history so far.
 */
export interface Progress {
  /** completed epochs */
  epoch: number;
  /** first batch still to run in the current epoch (0 at an epoch boundary) */
  batch: number;
  lossSum: number;
  samples: number;
  trainTime: number;
  early: EarlyState | null;
  records: EpochRecord[];
}

/** The progress at the start of fit(): from `resume` when given, else zero. */
export function startProgress(r: TrainingState | undefined, earlyStopping: boolean): Progress {
  return {
    epoch: r ? r.epoch : 0,
    batch: r ? r.batch : 0,
    lossSum: r ? r.lossSum : 0,
    samples: r ? r.samples : 0,
    trainTime: r ? r.trainTime : 0,
    early: earlyStopping ? (r?.early ? { ...r.early } : { best: Infinity, wait: 0, bestEpoch: 0 }) : null,
    records: r ? r.records.map((x) => ({ ...x })) : [],
  };
}

/**
 * The state that continues the run exactly: the progress, the loader's
 * shuffling state at the start of the current epoch (`epochRng`), the best
 * parameters kept by early stopping and the epoch schedule's state.
 */
export function saveProgress(p: Progress, epochRng: Uint32Array, bestParams: Float32Array | undefined, schedule: unknown): TrainingState {
  return {
    epoch: p.epoch,
    batch: p.batch,
    epochRng,
    lossSum: p.lossSum,
    samples: p.samples,
    trainTime: p.trainTime,
    early: p.early ? { ...p.early, bestParams } : null,
    schedule,
    records: p.records.map((x) => ({ ...x })),
  };
}
