// fit() with a closure-based optimizer (engine.optim.lbfgs; src/train/step.ts BatchClosure):
// one opt.step(closure) per batch, the closure re-evaluating the batch, its first call the
// loss fit just computed. With the full batch and no shuffle, fit's epochs are exactly
// direct step(closure) calls on the same data (same parameters bit for bit, same counters);
// with mini-batches the run trains and the divergence guard still works. Both builds.
import { describe, expect, it } from 'vitest';
import { Dataset, fit } from '../src/index.js';
import { BUILDS, engineFor, randArray } from './helpers.js';

const n = 64;
const feats = randArray(n * 2, 41, -2, 2);
const labels = Int32Array.from({ length: n }, (_, i) => (feats[2 * i] * feats[2 * i + 1] > 0 ? 1 : 0));

for (const b of BUILDS) {
  describe(`fit with engine.optim.lbfgs (${b})`, () => {
    for (const lineSearch of [null, 'strongWolfe'] as const) {
      it(`full batch, lineSearch ${lineSearch}: fit's epochs = direct step(closure) calls`, async () => {
        const e = await engineFor(b);
        const data = new Dataset(feats, labels);
        const a = e.nn.mlp([2, 8, 2], { activation: 'tanh', seed: 1 });
        const c = e.nn.mlp([2, 8, 2], { activation: 'tanh', seed: 1 });
        const optA = e.optim.lbfgs(a, { maxIter: 5, lineSearch, lr: lineSearch ? 1 : 0.5 });
        const optC = e.optim.lbfgs(c, { maxIter: 5, lineSearch, lr: lineSearch ? 1 : 0.5 });
        const h = await fit(a, { data, optimizer: optA as never, epochs: 4, batchSize: n, shuffle: false, trainMetrics: false });
        const x = e.tensor([n, 2], feats);
        const losses: number[] = [];
        for (let k = 0; k < 4; k++) losses.push(optC.step(() => c.lossAndGrad(x, labels, 'softmaxCrossEntropy')));
        expect(a.parameters()).toEqual(c.parameters());
        expect(optA.scalars()).toEqual(optC.scalars());
        expect(h.epochs.map((r) => r.loss)).toEqual(losses);
        expect(losses[3]).toBeLessThan(losses[0]);
        for (const m of [a, c]) m.dispose();
        optA.dispose();
        optC.dispose();
        x.dispose();
      });
    }

    it('mini-batches: one step per batch, the loss falls', async () => {
      const e = await engineFor(b);
      const data = new Dataset(feats, labels);
      const m = e.nn.mlp([2, 8, 2], { activation: 'tanh', seed: 2 });
      const opt = e.optim.lbfgs(m, { maxIter: 4, lineSearch: 'strongWolfe', historySize: 5 });
      const h = await fit(m, { data, optimizer: opt as never, epochs: 5, batchSize: 16, seed: 3 });
      expect(opt.stepCount).toBe(20);
      expect(h.epochs[4].loss).toBeLessThan(h.epochs[0].loss);
      m.dispose();
    });
  });
}
