// fit() with a batch optimizer (engine.optim.newton, `needsBatch`; src/train/step.ts
// BatchClosure): one opt.step(x, y, loss) per batch. With the full batch and no shuffle,
// fit's epochs are exactly direct step calls on the same data (same parameters bit for
// bit, same damping and step count); a fit resumed from a checkpoint continues exactly
// as the uninterrupted run. Both builds.
import { describe, expect, it } from 'vitest';
import { applyCheckpoint, Dataset, decodeCheckpoint, encodeCheckpoint, fit } from '../src/index.js';
import { BUILDS, engineFor, randArray } from './helpers.js';

const n = 64;
const feats = randArray(n * 2, 41, -2, 2);
const labels = Int32Array.from({ length: n }, (_, i) => (feats[2 * i] * feats[2 * i + 1] > 0 ? 1 : 0));

for (const b of BUILDS) {
  describe(`fit with engine.optim.newton (${b})`, () => {
    it("full batch: fit's epochs = direct step(x, y, loss) calls", async () => {
      const e = await engineFor(b);
      const data = new Dataset(feats, labels);
      const a = e.nn.mlp([2, 6, 2], { activation: 'tanh', seed: 1 });
      const c = e.nn.mlp([2, 6, 2], { activation: 'tanh', seed: 1 });
      const optA = e.optim.newton(a), optC = e.optim.newton(c);
      const h = await fit(a, { data, optimizer: optA as never, epochs: 4, batchSize: n, shuffle: false, trainMetrics: false });
      const x = e.tensor([n, 2], feats);
      const losses: number[] = [];
      for (let k = 0; k < 4; k++) losses.push(optC.step(x, labels, 'softmaxCrossEntropy'));
      expect(a.parameters()).toEqual(c.parameters());
      expect([optA.stepCount, optA.damping]).toEqual([optC.stepCount, optC.damping]);
      expect(h.epochs.map((r) => r.loss)).toEqual(losses);
      expect(losses[3]).toBeLessThan(losses[0]);
      for (const m of [a, c]) m.dispose();
      x.dispose();
    });

    it('a run resumed from a checkpoint continues as the uninterrupted one', async () => {
      const e = await engineFor(b);
      const data = new Dataset(feats, labels);
      const opts = { data, epochs: 3, batchSize: n, shuffle: false, trainMetrics: false } as const;
      const full = e.nn.mlp([2, 6, 2], { activation: 'tanh', seed: 4 }), optF = e.optim.newton(full);
      await fit(full, { ...opts, optimizer: optF as never, epochs: 6 });
      const half = e.nn.mlp([2, 6, 2], { activation: 'tanh', seed: 4 }), optH = e.optim.newton(half);
      await fit(half, { ...opts, optimizer: optH as never });
      const { weights, sidecar } = encodeCheckpoint(half, { optimizer: optH as never });
      const res = e.nn.mlp([2, 6, 2], { activation: 'tanh', seed: 9 }), optR = e.optim.newton(res);
      applyCheckpoint(res, decodeCheckpoint(weights, sidecar), { optimizer: optR as never });
      await fit(res, { ...opts, optimizer: optR as never });
      expect(res.parameters()).toEqual(full.parameters());
      expect([optR.stepCount, optR.damping]).toEqual([6, optF.damping]);
      for (const m of [full, half, res]) m.dispose();
    });
  });
}
