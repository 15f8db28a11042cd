// fit() refuses bad options with typed errors before anything changes
// (issue 12, items 6 and 8): seeds, evalBatchSize, resume states, a loss that
// does not fit the targets; and a run that throws leaves the model's mode.
import { describe, expect, it } from 'vitest';
import { BatchLoader, fit, twoMoons, ValueError, type Engine, type TrainingState } from '../src/index.js';
import { batchesPerEpoch } from '../src/train/options.js';
import { engineFor } from './helpers.js';

function snapshot(e: Engine, m: { parameters(): Float32Array; training: boolean }, opt: { state(): unknown }) {
  const a = e.arena;
  return { arena: [a.topBytes, a.usedBytes, a.liveBlocks, a.capacityBytes, a.growCount, JSON.stringify(a.freeBlocks()), a.mark()], params: Array.from(m.parameters()), opt: JSON.stringify(opt.state()), training: m.training };
}

describe('fit: bad options are refused before anything changes', () => {
  it('seeds, evalBatchSize, resume states, loss vs targets', async () => {
    const e = await engineFor('simd');
    const data = twoMoons({ n: 40, noise: 0.1, seed: 1 });
    const model = e.nn.mlp([2, 8, 2], { seed: 1 });
    const optimizer = e.optim.sgd(model, { lr: 0.1 });
    const base = { data, optimizer, epochs: 2, batchSize: 16 };
    const good = await fit(model, base);
    model.eval();
    const before = snapshot(e, model, optimizer);
    const state = good.state;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['seed -1', { seed: -1 }, /^fit: seed must be a non-negative safe integer, got -1$/],
      ['seed abc', { seed: 'abc' }, /^fit: seed must be a non-negative safe integer/],
      ['seed NaN', { seed: NaN }, /^fit: seed must be a non-negative safe integer, got NaN/],
      ['seed 1.5', { seed: 1.5 }, /^fit: seed must be a non-negative safe integer, got 1.5/],
      ['evalBatchSize 0', { evalBatchSize: 0 }, /^fit: evalBatchSize must be an integer ≥ 1, got 0$/],
      ['evalBatchSize -5', { evalBatchSize: -5 }, /^fit: evalBatchSize must be an integer ≥ 1, got -5$/],
      ['resume batch 999', { resume: { ...state, epoch: 1, batch: 999, samples: 16 } }, /^fit: resume\.batch must be an integer in \[0, 2\], got 999$/],
      ['resume epoch -3', { resume: { ...state, epoch: -3 } }, /^fit: resume\.epoch must be an integer in \[0, 2\], got -3$/],
      ['resume epoch past epochs', { resume: { ...state, epoch: 3 } }, /^fit: resume\.epoch must be an integer in \[0, 2\], got 3$/],
      ['resume all-zero epochRng', { resume: { ...state, epoch: 1, epochRng: new Uint32Array(4) } }, /^fit: resume\.epochRng: the all-zero state is not a valid xoshiro128\*\* state$/],
      ['resume epochRng of 3 words', { resume: { ...state, epoch: 1, epochRng: [1, 2, 3] } }, /^fit: resume\.epochRng: state must be 4 u32 words, got 3$/],
      ['resume NaN lossSum', { resume: { ...state, epoch: 1, lossSum: NaN } }, /^fit: resume\.lossSum must be a finite number ≥ 0, got NaN$/],
      ['resume samples at a boundary', { resume: { ...state, epoch: 1, samples: 5 } }, /^fit: resume\.samples must be 0 at an epoch boundary/],
      ['resume no records', { resume: { ...state, epoch: 1, records: null } }, /^fit: resume\.records must be an array/],
      ['resume null', { resume: null }, /^fit: resume must be a TrainingState from History\.state, got null$/],
      ['mse with class labels', { loss: 'mse' }, /^fit: loss 'mse' needs target vectors, but .* has class labels/],
    ];
    for (const [name, extra, msg] of cases) {
      let err: unknown;
      try {
        await fit(model, { ...base, ...extra } as never);
      } catch (x) {
        err = x;
      }
      expect(err, name).toBeInstanceOf(ValueError);
      expect((err as Error).message, name).toMatch(msg);
      expect(snapshot(e, model, optimizer), `${name}: nothing changed`).toEqual(before);
    }
    // the edges that are valid: the last batch of an epoch, an epoch boundary at the end
    const last = await fit(model, { ...base, trainMetrics: false, resume: { ...state, epoch: 1, batch: 2, samples: 32, lossSum: 1, records: state.records.slice(0, 1) } as TrainingState });
    expect(last.epochs.length).toBe(2);
    const done = await fit(model, { ...base, resume: state });
    expect(done.stopReason).toBe('completed');
    model.dispose();
    optimizer.dispose();
  });

  it('batchesPerEpoch is BatchLoader.numBatches', async () => {
    const e = await engineFor('simd');
    for (const n of [1, 5, 16, 17, 40]) {
      const data = twoMoons({ n, noise: 0.1, seed: 1 });
      for (const batchSize of [1, 3, 16, 64]) {
        for (const dropLast of [false, true]) {
          if (dropLast && batchSize > data.length) continue;
          const loader = new BatchLoader(e, data, { batchSize, dropLast });
          expect(batchesPerEpoch(data.length, batchSize, dropLast), `n ${data.length}, batch ${batchSize}, dropLast ${dropLast}`).toBe(loader.numBatches);
          loader.dispose();
        }
      }
    }
  });

  it('a run that throws leaves the model in the mode it had (issue 12 item 8)', async () => {
    const e = await engineFor('simd');
    const data = twoMoons({ n: 40, noise: 0.1, seed: 1 });
    const model = e.nn.mlp([2, 8, 2], { seed: 1 });
    const optimizer = e.optim.sgd(model, { lr: 0.1 });
    for (const mode of ['eval', 'train'] as const) {
      model[mode]();
      const boom = new Error('callback failed');
      await expect(fit(model, { data, optimizer, epochs: 2, callbacks: { onBatchEnd: () => { throw boom; } } })).rejects.toBe(boom);
      expect(model.training, `after a throw in ${mode} mode`).toBe(mode === 'train');
      await expect(fit(model, { data, optimizer, epochs: 2, loss: 'mse' })).rejects.toThrow(ValueError);
      expect(model.training).toBe(mode === 'train');
    }
    model.dispose();
    optimizer.dispose();
  });
});
