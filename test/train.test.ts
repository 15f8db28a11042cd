import { describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  applyCheckpoint,
  DivergenceError,
  encodeCheckpoint,
  evaluate,
  fit,
  linearRegression,
  predict,
  predictClasses,
  randomLabels,
  schedules,
  ShapeError,
  spirals,
  split,
  twoMoons,
  ValueError,
  type Engine,
  type TrainingState,
} from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

describe.each(BUILDS)('fit (%s)', (build) => {
  it('learns two moons to high held-out accuracy; history has the documented fields', async () => {
    const engine = await engineFor(build);
    const data = twoMoons({ n: 400, noise: 0.1, seed: 1 });
    const { train, test } = split(data, { test: 0.25, stratify: true, seed: 2 });
    const model = engine.nn.mlp([2, 32, 32, 2], { seed: 3 });
    const optimizer = engine.optim.adam(model, { lr: 0.01 });
    const h = await fit(model, { data: train, validation: test, optimizer, epochs: 40, batchSize: 32, seed: 4 });
    expect(h.stopReason).toBe('completed');
    expect(h.epochs.length).toBe(40);
    const last = h.epochs[39];
    expect(last.epoch).toBe(40);
    expect(last.steps).toBe(40 * Math.ceil(300 / 32));
    expect(last.lr).toBe(0.01);
    expect(last.valAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(last.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(last.loss).toBeLessThan(h.epochs[0].loss);
    expect(last.samplesPerSec).toBeGreaterThan(0);
    expect(last.time).toBeGreaterThan(0);
    const ev = evaluate(model, test);
    expect(ev.accuracy).toBe(last.valAccuracy);
    expect(ev.loss).toBeCloseTo(last.valLoss!, 6);
    const cls = predictClasses(model, test);
    let ok = 0;
    for (let i = 0; i < test.length; i++) if (cls[i] === test.targets[i]) ok++;
    expect(ok / test.length).toBe(ev.accuracy);
    expect(predict(model, test.features).length).toBe(test.length * 2);
    model.dispose();
    optimizer.dispose();
  });

  it('regression with R², and full-batch gradient descent (batchSize n: one step per epoch)', async () => {
    const engine = await engineFor(build);
    const data = linearRegression({ n: 200, dim: 3, noise: 0.01, seed: 5 });
    const model = engine.nn.linear(3, 1, { seed: 1 });
    const optimizer = engine.optim.sgd(model, { lr: 0.5 });
    const h = await fit(model, { data, optimizer, epochs: 60, batchSize: data.length, validation: 0.2 });
    expect(h.epochs.map((e) => e.steps).slice(0, 3)).toEqual([1, 2, 3]);
    const last = h.epochs[h.epochs.length - 1];
    expect(last.r2).toBeGreaterThan(0.999);
    expect(last.valR2).toBeGreaterThan(0.999);
    expect(last.accuracy).toBeUndefined();
    const w = model.parameters();
    const truth = data.meta.weights as number[];
    for (let j = 0; j < 3; j++) expect(Math.abs(w[j] - truth[j])).toBeLessThan(0.01);
    model.dispose();
    optimizer.dispose();
  });

  it('allocates nothing per step: the arena does not grow over epochs', async () => {
    const engine = await engineFor(build);
    const data = spirals({ n: 300, seed: 1 });
    const model = engine.nn.mlp([2, 16, 3], { seed: 1 });
    const optimizer = engine.optim.adam(model, { lr: 0.01 });
    await fit(model, { data, optimizer, epochs: 1, batchSize: 64 });
    const top = engine.arena.topBytes, used = engine.arena.usedBytes;
    let during = -1;
    await fit(model, {
      data, optimizer, epochs: 5, batchSize: 64,
      callbacks: { onEpochEnd: (r) => void (r.epoch === 5 && (during = engine.arena.usedBytes)) },
    });
    expect(engine.arena.topBytes).toBe(top);
    expect(engine.arena.usedBytes).toBe(used);
    expect(during).toBeGreaterThan(used);
    model.dispose();
    optimizer.dispose();
  });

  it('stop + save + load + continue equals an uninterrupted run, bit for bit', async () => {
    const engine = await engineFor(build);
    const data = spirals({ n: 210, seed: 7 });
    const { train, validation } = split(data, { validation: 0.2, stratify: true, seed: 1 });
    const epochs = 6;
    const make = (e: Engine) => {
      const model = e.nn.mlp([2, 24, 24, 3], { seed: 11, dropout: 0.1 });
      const optimizer = e.optim.adamw(model, { lr: 0.01, weightDecay: 0.01 });
      return { model, optimizer };
    };
    const sched = () => schedules.warmupCosine({ lr: 0.02, warmupSteps: 10, totalSteps: 60 });
    const common = { data: train, validation, epochs, batchSize: 25, seed: 3 };
    // uninterrupted
    const a = make(engine);
    const ha = await fit(a.model, { ...common, optimizer: a.optimizer, schedule: sched() });
    // interrupted mid-epoch (callback), saved, loaded into fresh objects, continued
    const b = make(engine);
    let steps = 0;
    const hb1 = await fit(b.model, { ...common, optimizer: b.optimizer, schedule: sched(), callbacks: { onBatchEnd: () => (++steps === 17 ? 'stop' : undefined) } });
    expect(hb1.stopReason).toBe('callback');
    expect(hb1.state.batch).toBeGreaterThan(0);
    const ck = encodeCheckpoint(b.model, { optimizer: b.optimizer, training: hb1.state as unknown as Record<string, unknown> });
    b.model.dispose();
    b.optimizer.dispose();
    const c = make(engine);
    const decoded = decodeCheckpoint(ck.weights, ck.sidecar);
    applyCheckpoint(c.model, decoded, { optimizer: c.optimizer });
    const hc = await fit(c.model, { ...common, optimizer: c.optimizer, schedule: sched(), resume: decoded.training as unknown as TrainingState });
    expect(hc.stopReason).toBe('completed');
    expect(c.model.parameters()).toEqual(a.model.parameters());
    expect(c.optimizer.state()).toEqual(a.optimizer.state());
    const strip = (h: typeof ha) => h.epochs.map(({ loss, valLoss, accuracy, valAccuracy, lr, steps: s }) => ({ loss, valLoss, accuracy, valAccuracy, lr, s }));
    expect(strip(hc)).toEqual(strip(ha));
    // an abort signal between steps, then continue in the same objects
    const d = make(engine);
    const ctl = new AbortController();
    let n = 0;
    const hd1 = await fit(d.model, { ...common, optimizer: d.optimizer, schedule: sched(), signal: ctl.signal, callbacks: { onBatchEnd: () => void (++n === 30 && ctl.abort()) } });
    expect(hd1.stopReason).toBe('aborted');
    expect(hd1.epochs.length).toBeLessThan(epochs);
    await fit(d.model, { ...common, optimizer: d.optimizer, schedule: sched(), resume: hd1.state });
    expect(d.model.parameters()).toEqual(a.model.parameters());
    for (const o of [a, c, d]) {
      o.model.dispose();
      o.optimizer.dispose();
    }
  });

  it('a non-finite loss throws DivergenceError naming epoch and step, restoring the last finite step', async () => {
    const engine = await engineFor(build);
    const data = linearRegression({ n: 64, dim: 4, noise: 0.1, seed: 2 });
    const model = engine.nn.linear(4, 1, { seed: 2 });
    const optimizer = engine.optim.sgd(model, { lr: 40 });
    const after: Float32Array[] = [model.parameters()];
    let err: unknown;
    try {
      await fit(model, { data, optimizer, epochs: 50, batchSize: 16, callbacks: { onBatchEnd: () => void after.push(model.parameters()) } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    const de = err as DivergenceError;
    const applied = after.length - 1; // steps applied before the non-finite loss
    expect(de.message).toMatch(new RegExp(`^fit: loss is (NaN|Infinity) at epoch ${de.epoch}, step ${de.step} of 4 \\(optimizer step ${applied + 1}\\)`));
    expect((de.epoch - 1) * 4 + de.step).toBe(applied + 1);
    // the parameters whose loss was the last finite one (before the last applied step)
    expect(model.parameters()).toEqual(after[applied - 1]);
    expect(optimizer.stepCount).toBe(applied - 1);
    for (const v of model.parameters()) expect(Number.isFinite(v)).toBe(true);
    model.dispose();
    optimizer.dispose();
  });

  it('the divergence guard also restores optimizers on the chain path (state()/loadState() snapshot)', async () => {
    const engine = await engineFor(build);
    const data = linearRegression({ n: 64, dim: 4, noise: 0.1, seed: 2 });
    const model = engine.nn.linear(4, 1, { seed: 2 });
    const optimizer = engine.optim.sgd(model, { lr: 40, momentum: 0.5, fused: false });
    const after: Float32Array[] = [model.parameters()];
    await expect(fit(model, { data, optimizer, epochs: 50, batchSize: 16, callbacks: { onBatchEnd: () => void after.push(model.parameters()) } })).rejects.toThrow(DivergenceError);
    const applied = after.length - 1;
    expect(model.parameters()).toEqual(after[applied - 1]);
    expect(optimizer.stepCount).toBe(applied - 1);
    model.dispose();
    optimizer.dispose();
  });

  it('early stopping with restoreBest, and reduce-on-plateau driven per epoch', async () => {
    const engine = await engineFor(build);
    // random labels: validation loss gets worse while the training loss falls
    const data = twoMoons({ n: 200, noise: 0.35, seed: 9 });
    const { train, validation } = split(data, { validation: 0.5, seed: 2 });
    const model = engine.nn.mlp([2, 64, 64, 2], { seed: 1 });
    const optimizer = engine.optim.adam(model, { lr: 0.02 });
    let best: Float32Array | null = null;
    let bestLoss = Infinity;
    const h = await fit(model, {
      data: train, validation, optimizer, epochs: 300, batchSize: 10, earlyStopping: { patience: 5, restoreBest: true },
      callbacks: { onEpochEnd: (r) => void (r.valLoss! < bestLoss && ((bestLoss = r.valLoss!), (best = model.parameters()))) },
    });
    expect(h.stopReason).toBe('early-stopping');
    expect(h.epochs.length).toBeLessThan(300);
    expect(h.epochs.length - h.bestEpoch!).toBe(5);
    expect(model.parameters()).toEqual(best);
    const plateau = schedules.reduceOnPlateau({ lr: 0.05, patience: 1, factor: 0.5 });
    const m2 = engine.nn.mlp([2, 8, 2], { seed: 1 });
    const o2 = engine.optim.sgd(m2, { lr: 0.05 });
    // validation on random labels: its loss cannot keep improving, so the plateau schedule must cut the rate
    const noise = randomLabels({ n: 100, dim: 2, classes: 2, seed: 4 });
    const h2 = await fit(m2, { data: train, validation: noise, optimizer: o2, schedule: plateau, epochs: 30, batchSize: 100 });
    expect((plateau.state() as { updates: number }).updates).toBe(30);
    expect(h2.epochs[h2.epochs.length - 1].lr).toBeLessThan(0.05);
    expect(o2.currentLr).toBe(plateau.lr);
    for (const m of [model, m2]) m.dispose();
    optimizer.dispose();
    o2.dispose();
  });

  it('rejects bad input with typed errors and changes nothing', async () => {
    const engine = await engineFor(build);
    const data = spirals({ n: 90, arms: 3 });
    const model = engine.nn.mlp([2, 8, 3], { seed: 1 });
    const optimizer = engine.optim.adam(model, { lr: 0.01 });
    const p0 = model.parameters();
    const base = { data, optimizer, epochs: 2 };
    await expect(fit(model, { ...base, epochs: 0 })).rejects.toThrow(new ValueError('fit: epochs must be an integer ≥ 1, got 0'));
    await expect(fit(model, { ...base, epochs: -3 })).rejects.toThrow(/epochs must be an integer ≥ 1, got -3/);
    await expect(fit(model, { ...base, batchSize: 0 })).rejects.toThrow(/batchSize must be an integer ≥ 1, got 0/);
    await expect(fit(model, { ...base, batchSize: 91, dropLast: true })).rejects.toThrow(/batchSize 91 is larger than the 90 samples/);
    const wide = engine.nn.mlp([3, 8, 3], { seed: 1 });
    await expect(fit(wide, { ...base, optimizer: engine.optim.adam(wide, { lr: 0.1 }) })).rejects.toThrow(new ShapeError("fit: data has 2 features, the model's input expects 3"));
    const narrow = engine.nn.mlp([2, 8, 2], { seed: 1 });
    await expect(fit(narrow, { ...base, optimizer: engine.optim.adam(narrow, { lr: 0.1 }) })).rejects.toThrow(/data has label 2 \(sample 2\) but the model has 2 outputs \(classes 0..1\)/);
    await expect(fit(model, { ...base, validation: 1.5 })).rejects.toThrow(/validation must be a Dataset or a fraction/);
    await expect(fit(model, { ...base, earlyStopping: { patience: 0 } })).rejects.toThrow(/patience/);
    await expect(fit(model, { ...base, optimizer: engine.optim.adam(narrow, { lr: 0.1 }) })).rejects.toThrow(/another model/);
    expect(model.parameters()).toEqual(p0);
    expect(optimizer.stepCount).toBe(0);
    for (const m of [model, wide, narrow]) m.dispose();
  });
});
