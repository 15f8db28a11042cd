import type { AdversarialTraining } from './adversarial.js';
import type { Dataset } from '../data/dataset.js';
import type { LossSpec } from './model.js';
import type { TrainOptimizer } from './snapshot.js';

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

/** Early stopping's counters: the best monitored value, epochs without improvement, the best epoch (1-based, 0 = none yet). */
export interface EarlyState {
  best: number;
  wait: number;
  bestEpoch: number;
  bestParams?: Float32Array;
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
  early: EarlyState | null;
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
  /** adversarial training: attack each batch before the step (adversarial.ts); the reported training loss is then the attacked batch's */
  adversarial?: AdversarialTraining;
}
