/**
 * Adversarial training on the digits data (UCI, 1,797 8×8 images, 10 classes; pixels
 * scaled to [0, 1]): clean and robust accuracy of an MLP trained plainly and trained on PGD
 * examples (`fit({ adversarial })`, Madry et al., ICLR 2018), both attacked by PGD
 * (`evaluate(model, data, { attack })`, linf eps 0.15, 10 steps, box [0, 1]) on a stratified
 * 25% hold-out. Headline: clean and robust accuracy of each model.
 */
import { Dataset } from '../data/dataset.js';
import { split } from '../data/split.js';
import type { Engine } from '../engine.js';
import { ValueError } from '../errors.js';
import { fit } from '../train/fit.js';
import { evaluate } from '../train/evaluate.js';
import { headlineLines, type Example, type ExampleOptions, type ExampleResult } from './types.js';

export const adversarialDigits: Example = {
  name: 'adversarial-digits',
  title: 'Adversarial training on digits: clean and robust accuracy',
  shows: 'training on PGD examples raises the accuracy under a PGD attack, for a small cost in clean accuracy',
  data: ['digits'],
  async run(e: Engine, o: ExampleOptions): Promise<ExampleResult> {
    const log = o.log ?? (() => {});
    const raw = o.data?.digits;
    if (!raw) throw new ValueError('example adversarial-digits: needs the digits data set (options.data.digits; the CLI reads --data)');
    const data = new Dataset(raw.features.map((v) => v / 16), raw.targets, { numFeatures: raw.numFeatures, name: 'digits/16' });
    const seed = o.seed ?? 0;
    const { train, test } = split(data, { test: 0.25, stratify: true, seed });
    const epochs = o.quick ? 8 : 20, eps = 0.15;
    const attack = { eps, method: 'pgd', steps: 10, box: [0, 1] } as const;
    log(`digits: ${train.length} training / ${test!.length} held-out images; MLP ${data.numFeatures}-64-10, Adam lr 2e-3, ${epochs} epochs; attack: PGD linf eps ${eps}, 10 steps, box [0, 1]`);
    const headline: Record<string, number> = {};
    for (const [name, adversarial] of [['plain', undefined], ['adversarial', { eps, steps: 5, method: 'pgd', box: [0, 1] } as const]] as const) {
      const model = e.nn.mlp([data.numFeatures, 64, 10], { seed: seed + 1 });
      const optimizer = e.optim.adam(model, { lr: 2e-3 });
      try {
        await fit(model, { data: train, optimizer, epochs, batchSize: 32, seed: seed + 2, trainMetrics: false, adversarial });
        const r = evaluate(model, test!, { attack });
        headline[`${name}.clean`] = r.accuracy!;
        headline[`${name}.robust`] = r.robustAccuracy!;
        log(`${name.padEnd(11)} clean accuracy ${r.accuracy!.toFixed(3)}, robust accuracy ${r.robustAccuracy!.toFixed(3)}${adversarial ? ' (trained on PGD eps 0.15, 5 steps)' : ''}`);
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    }
    for (const l of headlineLines(headline)) log(l);
    return { headline };
  },
};
