import type { Dataset } from '../data/dataset.js';
import { ShapeError, ValueError } from '../errors.js';
import type { LossEntry, LossName } from '../loss/index.js';
import type { Parameterized } from '../runtime/params.js';
import type { Tensor } from '../runtime/tensor.js';

/** What fit(), evaluate() and predict() need from a model (engine.nn models satisfy it). */
export interface TrainModel extends Parameterized {
  readonly inputSize: number;
  readonly outputSize: number;
  training: boolean;
  train(): unknown;
  eval(): unknown;
  forward(x: Tensor): Tensor;
  lossAndGrad(x: Tensor, y: Int32Array | Tensor, loss: LossName | LossEntry): number;
}

export type LossSpec = LossName | LossEntry;

/** The default loss for a dataset: softmax cross-entropy for class ids, MSE (half-mean) otherwise. */
export function defaultLoss(data: Dataset): LossName {
  return data.isClassification ? 'softmaxCrossEntropy' : 'mse';
}

/** Checks that `data` fits `model`: feature width, label range / target width. */
export function checkFit(op: string, model: TrainModel, data: Dataset, what = 'data'): void {
  if (data.numFeatures !== model.inputSize) {
    throw new ShapeError(`${op}: ${what} has ${data.numFeatures} features, the model's input expects ${model.inputSize}`);
  }
  if (data.isClassification) {
    let max = -1;
    for (let i = 0; i < data.length; i++) if (data.targets[i] > max) max = data.targets[i];
    if (max >= model.outputSize) {
      throw new ValueError(`${op}: ${what} has label ${max} (sample ${data.targets.indexOf(max)}) but the model has ${model.outputSize} outputs (classes 0..${model.outputSize - 1})`);
    }
  } else if (data.targetSize !== model.outputSize) {
    throw new ShapeError(`${op}: ${what} has ${data.targetSize} target values per sample, the model has ${model.outputSize} outputs`);
  }
}
