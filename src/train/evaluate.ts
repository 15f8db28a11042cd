import { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { ValueError } from '../errors.js';
import { checkKnown, checkNumber, describe, POSITIVE_INT } from '../runtime/validate.js';
import { resolveLoss, type LossEntry } from '../loss/index.js';
import { Tensor } from '../runtime/tensor.js';
import type { AttackOptions } from '../adversarial/index.js';
import { checkAttack } from '../adversarial/options.js';
import { robustEvaluate, type RobustEvaluation } from './adversarial.js';
import { checkFit, defaultLoss, type LossSpec, type TrainModel } from './model.js';

/** Loss and metrics of a model on a dataset (with `attack`: also under attack, adversarial.ts). */
export interface Evaluation extends Partial<RobustEvaluation> {
  loss: number;
  /** classification: fraction of rows whose arg-max output is the label */
  accuracy?: number;
  /** regression: R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², over all target columns */
  r2?: number;
  samples: number;
}

/**
 * Evaluation over a fixed dataset with buffers planned once (the batch, an
 * i32 label buffer and the loss-gradient scratch), reused every epoch.
 * The model runs in eval mode (dropout off) and is put back in its mode.
 * The loss is the batch-size-weighted mean of the per-batch losses, which
 * equals the full-data loss for 'mean'-reduced losses.
 */
export class Evaluator {
  private readonly loader: BatchLoader;
  private readonly entry: LossEntry;
  private readonly labelsPtr: number;
  private readonly gradPtr: number;
  private readonly yMean: Float64Array | null;
  private readonly ssTot: number;

  constructor(readonly model: TrainModel, readonly data: Dataset, options: { loss?: LossSpec; batchSize?: number } = {}) {
    checkFit('evaluate', model, data);
    const bs = Math.min(options.batchSize ?? 1024, data.length);
    this.entry = resolveLoss('evaluate', options.loss ?? defaultLoss(data));
    const e = model.engine;
    this.loader = new BatchLoader(e, data, { batchSize: Math.max(1, bs), shuffle: false });
    this.labelsPtr = e.arena.alloc(this.loader.batchSize * 4);
    this.gradPtr = e.allocF32(this.loader.batchSize * model.outputSize);
    if (!data.isClassification) {
      const k = data.targetSize, y = data.targets;
      const mean = new Float64Array(k);
      for (let i = 0; i < y.length; i++) mean[i % k] += y[i];
      for (let j = 0; j < k; j++) mean[j] /= data.length;
      let ss = 0;
      for (let i = 0; i < y.length; i++) ss += (y[i] - mean[i % k]) ** 2;
      this.yMean = mean;
      this.ssTot = ss;
    } else {
      this.yMean = null;
      this.ssTot = 0;
    }
  }

  run(): Evaluation {
    const { model, loader, entry, data } = this;
    const e = model.engine;
    const k = model.outputSize;
    const wasTraining = model.training;
    model.eval();
    try {
      loader.startEpoch();
      let lossSum = 0, correct = 0, ssRes = 0;
      for (let b = 0; b < loader.numBatches; b++) {
        const { x, y, rows } = loader.batch(b);
        const out = model.forward(x);
        let yPtr: number;
        const labels = y instanceof Int32Array;
        if (labels) {
          e.i32(this.labelsPtr, rows).set(y);
          yPtr = this.labelsPtr;
        } else yPtr = (y as Tensor).ptr;
        lossSum += rows * entry.apply(e, rows, k, out.ptr, yPtr, labels, this.gradPtr);
        const o = out.data;
        if (labels) {
          for (let r = 0; r < rows; r++) {
            let best = 0;
            for (let j = 1; j < k; j++) if (o[r * k + j] > o[r * k + best]) best = j;
            if (best === (y as Int32Array)[r]) correct++;
          }
        } else {
          const t = (y as Tensor).data;
          for (let i = 0; i < rows * k; i++) ssRes += (t[i] - o[i]) ** 2;
        }
      }
      const n = loader.samplesPerEpoch;
      const res: Evaluation = { loss: lossSum / n, samples: n };
      if (data.isClassification) res.accuracy = correct / n;
      else res.r2 = this.ssTot > 0 ? 1 - ssRes / this.ssTot : ssRes === 0 ? 1 : -Infinity;
      return res;
    } finally {
      if (wasTraining) model.train();
    }
  }

  dispose(): void {
    this.loader.dispose();
    this.model.engine.arena.free(this.labelsPtr);
    this.model.engine.arena.free(this.gradPtr);
  }
}

/** An options object with only the `names` keys (a typo is an error). */
function checkEvalOptions(op: string, options: unknown, names: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${op}: options must be an object, got ${describe(options)}`);
  checkKnown(op, options, names);
}

/**
 * Loss and accuracy (classification) or R² (regression) of `model` on `data`; with
 * `attack` (the options of engine.adversarial.attack) also `robustLoss` and
 * `robustAccuracy`, measured at the attacked inputs of every batch.
 */
export function evaluate(model: TrainModel, data: Dataset, options: { loss?: LossSpec; batchSize?: number; attack?: AttackOptions } = {}): Evaluation {
  if (!(data instanceof Dataset)) throw new ValueError(`evaluate: data must be a Dataset, got ${describe(data)}`);
  checkEvalOptions('evaluate', options, ['loss', 'batchSize', 'attack']);
  if (options.batchSize !== undefined) checkNumber('evaluate', 'batchSize', options.batchSize, POSITIVE_INT);
  const { attack, ...plain } = options;
  if (attack !== undefined) checkAttack('evaluate: attack', model, attack);
  const ev = new Evaluator(model, data, plain);
  try {
    const res = ev.run();
    if (attack !== undefined) {
      const entry = resolveLoss('evaluate', options.loss ?? defaultLoss(data));
      Object.assign(res, robustEvaluate(model, data, attack, entry, options.batchSize ?? 1024));
    }
    return res;
  } finally {
    ev.dispose();
  }
}

/** The model's outputs (n × outputSize, eval mode) for a dataset or an n×d feature array. */
export function predict(model: TrainModel, input: Dataset | Float32Array, options: { batchSize?: number } = {}): Float32Array {
  checkEvalOptions('predict', options, ['batchSize']);
  if (options.batchSize !== undefined) checkNumber('predict', 'batchSize', options.batchSize, POSITIVE_INT);
  const data = input instanceof Dataset ? input : featuresOnly(model, input);
  if (data.numFeatures !== model.inputSize) {
    checkFit('predict', model, data, 'input');
  }
  const k = model.outputSize;
  const out = new Float32Array(data.length * k);
  if (data.length === 0) return out;
  const loader = new BatchLoader(model.engine, data, { batchSize: Math.min(options.batchSize ?? 1024, data.length), shuffle: false });
  const wasTraining = model.training;
  model.eval();
  try {
    loader.startEpoch();
    for (let b = 0; b < loader.numBatches; b++) {
      const { x } = loader.batch(b);
      out.set(model.forward(x).data, b * loader.batchSize * k);
    }
  } finally {
    if (wasTraining) model.train();
    loader.dispose();
  }
  return out;
}

/** Arg-max class of each row of `predict`. */
export function predictClasses(model: TrainModel, input: Dataset | Float32Array, options: { batchSize?: number } = {}): Int32Array {
  return argmaxRows(predict(model, input, options), model.outputSize);
}

export function argmaxRows(values: Float32Array, k: number): Int32Array {
  const n = values.length / k;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[r * k + j] > values[r * k + best]) best = j;
    out[r] = best;
  }
  return out;
}

function featuresOnly(model: TrainModel, x: Float32Array): Dataset {
  if (!(x instanceof Float32Array)) throw new ValueError(`predict: input must be a Dataset or a Float32Array of n×${model.inputSize} features`);
  const d = model.inputSize;
  if (x.length % d !== 0) throw new ValueError(`predict: input has ${x.length} values, not a multiple of the model's ${d} input features`);
  return new Dataset(x, new Float32Array((x.length / d) * model.outputSize), { numFeatures: d });
}
