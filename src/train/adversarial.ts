/**
 * Adversarial training (`fit({ ..., adversarial: { eps, steps, method, mix } })`) and
 * robust evaluation (`evaluate(model, data, { attack })`).
 *
 * Training: each step first attacks the batch (src/adversarial: the model in eval
 * mode, the fit loss ascended inside the eps-ball), then trains on it, i.e. minimizes
 *
 *   mix · L(x_clean) + (1 − mix) · L(x_adv)      row-wise: the first round(mix·rows)
 *                                                 rows of each (shuffled) batch stay clean
 *
 * which is Madry et al.'s min-max training ("Towards deep learning models resistant to
 * adversarial attacks", ICLR 2018) for mix = 0 and Goodfellow et al.'s mixed objective
 * (ICLR 2015, α = mix) otherwise. The whole batch is attacked and the clean rows are
 * copied back (one f32_copy), so a step does no per-row bookkeeping and allocates
 * nothing after the first batch; its cost is (steps + 1) forward-backward passes.
 * The random start's RNG is the attacker's own (seeded by `seed`) and is not part of
 * `History.state`: a resumed run with `randomStart` draws other starts.
 *
 * Robust evaluation attacks every batch of the data with the given options and
 * reports the loss and accuracy at the attacked inputs beside the clean ones.
 */
import type { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { Attacker, type AttackModel, type AttackOptions } from '../adversarial/index.js';
import { checkAttack } from '../adversarial/options.js';
import type { LossEntry } from '../loss/index.js';
import type { Tensor } from '../runtime/tensor.js';
import { checkNumber, checkOptions } from '../runtime/validate.js';
import type { TrainModel } from './model.js';

/** fit()'s `adversarial` option: an attack (without `loss`: fit's loss is used) and `mix`. */
export interface AdversarialTraining extends Omit<AttackOptions, 'loss'> {
  /** fraction of each batch kept clean, in [0, 1) (default 0: every row attacked) */
  mix?: number;
}

/** Validates fit()'s `adversarial` option (nothing is allocated): the attack's options and `mix`. */
export function checkAdversarialTraining(model: TrainModel, options: AdversarialTraining, loss: LossEntry): void {
  const { mix = 0, ...attack } = checkOptions('fit: adversarial', options);
  checkNumber('fit: adversarial', 'mix', mix, { min: 0, max: 1, maxOpen: true });
  checkAttack('fit: adversarial', model, { ...attack, loss } as AttackOptions);
}

/** The adversarial half of a training step: planned once per fit run. */
export class AdversarialBatches {
  private readonly attacker: Attacker;
  private readonly mix: number;

  constructor(model: TrainModel, options: AdversarialTraining, loss: LossEntry) {
    const o = checkOptions('fit: adversarial', options);
    const { mix = 0, ...attack } = o;
    this.mix = checkNumber('fit: adversarial', 'mix', mix, { min: 0, max: 1, maxOpen: true });
    this.attacker = new Attacker(model as unknown as AttackModel, { ...attack, loss } as AttackOptions, 'fit: adversarial');
  }

  /** The batch to train on: x attacked, its first round(mix·rows) rows clean. The tensor is the attacker's. */
  batch(x: Tensor, y: Int32Array | Tensor): Tensor {
    const xa = this.attacker.run(x, y, false).x;
    const clean = Math.round(this.mix * x.shape[0]) * x.shape[1];
    if (clean > 0) x.engine.kernels.f32_copy(clean, x.ptr, xa.ptr);
    return xa;
  }

  dispose(): void {
    this.attacker.dispose();
  }
}

/** evaluate()'s extra figures under attack. */
export interface RobustEvaluation {
  /** loss at the attacked inputs (batch-size-weighted mean of the attacked losses) */
  robustLoss: number;
  /** classification: fraction of rows classified correctly after the attack */
  robustAccuracy?: number;
}

/** Attacks every batch of `data` (eval mode) and measures the loss and accuracy at the attacked inputs. */
export function robustEvaluate(model: TrainModel, data: Dataset, attack: AttackOptions, loss: LossEntry, batchSize: number): RobustEvaluation {
  const attacker = new Attacker(model as unknown as AttackModel, { loss, ...attack }, 'evaluate: attack');
  const loader = new BatchLoader(model.engine, data, { batchSize: Math.max(1, Math.min(batchSize, data.length)), shuffle: false });
  const k = model.outputSize;
  const wasTraining = model.training;
  try {
    model.eval();
    loader.startEpoch();
    let lossSum = 0, correct = 0;
    for (let b = 0; b < loader.numBatches; b++) {
      const { x, y, rows } = loader.batch(b);
      const r = attacker.run(x, y);
      lossSum += r.loss * rows;
      if (y instanceof Int32Array) {
        const o = model.forward(r.x).data;
        for (let i = 0; i < rows; i++) {
          let best = 0;
          for (let j = 1; j < k; j++) if (o[i * k + j] > o[i * k + best]) best = j;
          if (best === y[i]) correct++;
        }
      }
    }
    const n = loader.samplesPerEpoch;
    const res: RobustEvaluation = { robustLoss: lossSum / n };
    if (data.isClassification) res.robustAccuracy = correct / n;
    return res;
  } finally {
    if (wasTraining) model.train();
    loader.dispose();
    attacker.dispose();
  }
}
