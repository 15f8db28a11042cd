// The optimizer owns its state (issue 11 item 5): `snapshot()` copies the whole state
// (counters, lrs, buffers, RNG, scalars, transform state) into buffers planned once,
// `take()` / `restore()` allocate nothing, and `restore()` gives back exactly what
// `state()` saw at `take()`; guardParams uses it; stepCount is read-only.
import { describe, expect, it } from 'vitest';
import type { Engine, OptimizerState } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

type AnyOpt = ReturnType<Engine['optim']['adam']>;

const CASES: [string, (e: Engine, x: ReturnType<Engine['vector']>) => AnyOpt][] = [
  ['adam fused (amsgrad)', (e, x) => e.optim.adam(x, { lr: 0.05, amsgrad: true })],
  ['nadam fused (scalar muProduct)', (e, x) => e.optim.nadam(x, { lr: 0.05 }) as unknown as AnyOpt],
  ['langevin fused (RNG state)', (e, x) => e.optim.langevin(x, { lr: 0.01, seed: 9 }) as unknown as AnyOpt],
  ['sgd chain (momentum)', (e, x) => e.optim.sgd(x, { lr: 0.05, momentum: 0.9, fused: false }) as unknown as AnyOpt],
  [
    'multiSteps(adam) + addNoise chain, two groups',
    (e, x) =>
      e.optim.fromTransform(x, e.optim.chain(e.optim.multiSteps(2, e.optim.scaleByAdam()), e.optim.addNoise({ stddev: 0.01, seed: 3 }), e.optim.scaleByLearningRate()), {
        lr: 0.05,
        groups: [{ offset: 0, length: 7 }, { offset: 7, length: 6 }],
      }) as unknown as AnyOpt,
  ],
];

function grads(x: ReturnType<Engine['vector']>, s: number): void {
  const g = x.grads;
  for (let i = 0; i < g.length; i++) g[i] = Math.sin(0.7 * i + s) + 0.1 * s;
}

const same = (a: OptimizerState, b: OptimizerState): void => expect(b).toEqual(a);

describe.each(BUILDS)('Optimizer.snapshot (%s)', (build) => {
  it.each(CASES)('%s: restore() brings back state() and parameters exactly, without allocating', async (_name, make) => {
    const e = await engineFor(build);
    const x = e.vector(13, Array.from({ length: 13 }, (_, i) => i / 7 - 1));
    const opt = make(e, x);
    for (let s = 0; s < 3; s++) {
      grads(x, s);
      opt.step();
    }
    const snap = opt.snapshot({ params: true });
    const used = e.arena.usedBytes;
    snap.take();
    const st = opt.state(), p = x.params.slice(), count = opt.stepCount;
    for (let s = 3; s < 8; s++) {
      grads(x, s);
      opt.step();
    }
    expect(opt.stepCount).toBeGreaterThan(count);
    expect(snap.restore()).toBe(true);
    same(st, opt.state());
    expect(x.params).toEqual(p);
    expect(opt.stepCount).toBe(count);
    // the same steps again give the same bits (RNG and transform counters were restored too)
    const again: Float32Array[] = [];
    for (const pass of [0, 1]) {
      if (pass === 1) snap.restore();
      for (let s = 3; s < 6; s++) {
        grads(x, s);
        opt.step();
      }
      again.push(x.params.slice());
    }
    expect(again[1]).toEqual(again[0]);
    expect(e.arena.usedBytes).toBe(used);
    snap.dispose();
    opt.dispose();
    x.dispose();
  });

  it('restore() before any take() is a no-op; a disposed snapshot throws StateError', async () => {
    const e = await engineFor(build);
    const x = e.vector(5, [1, 2, 3, 4, 5]);
    const opt = e.optim.adam(x);
    const snap = opt.snapshot();
    expect(snap.restore()).toBe(false);
    snap.dispose();
    expect(() => snap.take()).toThrow(/snapshot used after dispose/);
    opt.dispose();
    x.dispose();
  });

  it('guardParams: a step that makes a parameter non-finite is undone, with no arena traffic per step', async () => {
    const e = await engineFor(build);
    const x = e.vector(9, Array.from({ length: 9 }, (_, i) => i - 4));
    const opt = e.optim.sgd(x, { lr: 10, momentum: 0.5, guard: 'skip', guardParams: true });
    grads(x, 0);
    opt.step();
    const used = e.arena.usedBytes, blocks = e.arena.liveBlocks;
    const st = opt.state(), p = x.params.slice();
    x.grads.fill(3e38); // finite gradient, but lr*buf overflows f32 to Infinity
    expect(opt.step()).toBe(false);
    expect(opt.lastSkip).toMatchObject({ where: 'parameter', step: 1 });
    expect(x.params).toEqual(p);
    expect(opt.state()).toEqual({ ...st, skippedSteps: 1 });
    for (let s = 1; s < 50; s++) {
      grads(x, s);
      opt.step();
    }
    expect(e.arena.usedBytes).toBe(used);
    expect(e.arena.liveBlocks).toBe(blocks);
    opt.dispose();
    x.dispose();
  });

  it('stepCount, skippedSteps and lastSkip are read-only: state moves only through step / loadState / snapshot', async () => {
    const e = await engineFor(build);
    const x = e.vector(3);
    const opt = e.optim.adam(x);
    expect(() => {
      (opt as unknown as { stepCount: number }).stepCount = 5;
    }).toThrow(TypeError);
    expect(() => {
      (opt as unknown as { skippedSteps: number }).skippedSteps = 5;
    }).toThrow(TypeError);
    expect(opt.stepCount).toBe(0);
    opt.dispose();
    x.dispose();
  });
});
