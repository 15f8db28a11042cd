// Resume is exact after a stop at ANY step (issue 12, item 14): a run stopped
// anywhere (an abort signal between steps, also at an epoch's first batch as
// Ctrl-C and onEpochEnd do; onBatchEnd 'stop'; onEpochEnd 'stop'), saved
// through a checkpoint, loaded into fresh objects and continued, ends with the
// same bits as the uninterrupted run: parameters, optimizer state, history.
import { describe, expect, it } from 'vitest';
import { applyCheckpoint, decodeCheckpoint, encodeCheckpoint, fit, schedules, split, twoMoons, type Engine, type FitCallbacks, type History, type TrainingState } from '../src/index.js';
import { engineFor } from './helpers.js';

const EPOCHS = 3;

function setup(engine: Engine) {
  const data = twoMoons({ n: 60, noise: 0.2, seed: 4 });
  const { train, validation } = split(data, { validation: 0.2, stratify: true, seed: 5 });
  const make = () => {
    const model = engine.nn.mlp([2, 12, 12, 2], { seed: 7, dropout: 0.2 });
    const optimizer = engine.optim.adamw(model, { lr: 0.02, weightDecay: 0.01 });
    return { model, optimizer };
  };
  // a warm-up cosine over the run's fixed horizon, early stopping that keeps the best parameters
  const common = { data: train, validation, epochs: EPOCHS, batchSize: 16, seed: 9, earlyStopping: { patience: 10, restoreBest: true } };
  const schedule = () => schedules.warmupCosine({ lr: 0.03, warmupSteps: 3, totalSteps: 9 });
  return { make, common, schedule, batches: Math.ceil(train.length / 16) };
}

const strip = (h: History) => h.epochs.map(({ time: _t, samplesPerSec: _s, ...rest }) => rest);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('fit: resume after a stop at any step equals the uninterrupted run, bit for bit', () => {
  it('every step, every way of stopping', async () => {
    const engine = await engineFor('simd');
    const { make, common, schedule, batches } = setup(engine);
    const total = EPOCHS * batches;
    const a = make();
    const whole = await fit(a.model, { ...common, optimizer: a.optimizer, schedule: schedule() });
    expect(whole.stopReason).toBe('completed');
    const want = { params: bits(a.model.parameters()), opt: a.optimizer.state(), history: strip(whole), state: whole.state };

    type Stop = { name: string; callbacks: (ctl: AbortController) => FitCallbacks; preAbort?: boolean };
    const stops: Stop[] = [{ name: 'abort before the first step', callbacks: () => ({}), preAbort: true }];
    for (let s = 1; s < total; s++) {
      stops.push({ name: `abort after step ${s}`, callbacks: (ctl) => ({ onBatchEnd: (i) => void (i.step === s && ctl.abort()) }) });
      stops.push({ name: `onBatchEnd 'stop' at step ${s}`, callbacks: () => ({ onBatchEnd: (i) => (i.step === s ? 'stop' : undefined) }) });
    }
    for (let e = 1; e < EPOCHS; e++) {
      stops.push({ name: `onEpochEnd 'stop' after epoch ${e}`, callbacks: () => ({ onEpochEnd: (r) => (r.epoch === e ? 'stop' : undefined) }) });
      stops.push({ name: `onEpochEnd aborts after epoch ${e}`, callbacks: (ctl) => ({ onEpochEnd: (r) => void (r.epoch === e && ctl.abort()) }) });
    }
    for (const stop of stops) {
      const b = make();
      const ctl = new AbortController();
      if (stop.preAbort) ctl.abort();
      const first = await fit(b.model, { ...common, optimizer: b.optimizer, schedule: schedule(), signal: ctl.signal, callbacks: stop.callbacks(ctl) });
      expect(first.stopReason, stop.name).not.toBe('completed');
      // through a checkpoint (weights, optimizer state, model RNG, training state) into fresh objects
      const ck = encodeCheckpoint(b.model, { optimizer: b.optimizer, training: first.state as unknown as Record<string, unknown> });
      b.model.dispose();
      b.optimizer.dispose();
      const c = make();
      const decoded = decodeCheckpoint(ck.weights, ck.sidecar);
      applyCheckpoint(c.model, decoded, { optimizer: c.optimizer });
      const rest = await fit(c.model, { ...common, optimizer: c.optimizer, schedule: schedule(), resume: decoded.training as unknown as TrainingState });
      expect(rest.stopReason, stop.name).toBe('completed');
      expect(bits(c.model.parameters()), `${stop.name}: parameters`).toEqual(want.params);
      expect(c.optimizer.state(), `${stop.name}: optimizer state`).toEqual(want.opt);
      expect(strip(rest), `${stop.name}: history`).toEqual(want.history);
      expect(Array.from(rest.state.epochRng), `${stop.name}: final shuffling state`).toEqual(Array.from(want.state.epochRng));
      c.model.dispose();
      c.optimizer.dispose();
    }
    a.model.dispose();
    a.optimizer.dispose();
  });
});
