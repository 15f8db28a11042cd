// Use after dispose and foreign engines (issue 12 items 1-2): an optimizer over a
// disposed model or vector, clipping and the L2 penalty refuse to act (StateError)
// instead of writing through freed pointers into whatever reused the block; another
// engine's model is refused the same way. The documented choice: disposing a model
// makes every optimizer over it unusable (the model never waits for them).
import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, gradNorm, l2Penalty, StateError, ValueError } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

describe.each(BUILDS)('use after dispose (%s)', (build) => {
  it("the issue's scenario: a live tensor of 5s stays 5s when sgd.step() on a disposed model's optimizer throws", async () => {
    const e = await engineFor(build);
    const model = e.nn.mlp([4, 8, 2], { seed: 1 });
    const sgd = e.optim.sgd(model, { lr: 0.1, momentum: 0.9 });
    const adam = e.optim.adam(model, { fused: false });
    const n = model.numParameters;
    const { paramsPtr, gradsPtr } = model;
    model.dispose();
    // the freed blocks come back to the next allocations of their size (the gradients start on
    // the next cache line, so b takes the bytes between them and most of the old gradients)
    const a = e.tensor([n], new Float32Array(n).fill(5));
    const b = e.tensor([n], new Float32Array(n).fill(5));
    expect(a.ptr).toBe(paramsPtr);
    expect(b.ptr < gradsPtr + 4 * n && b.ptr + 4 * n > gradsPtr, 'b overlaps the freed gradients').toBe(true);
    for (const op of [sgd, adam]) {
      expect(() => op.step()).toThrow(StateError);
      expect(() => op.step()).toThrow(/the model was disposed/);
      expect(() => op.zeroGrad()).toThrow(StateError);
      expect(() => op.state()).toThrow(StateError);
      expect(() => op.snapshot()).toThrow(StateError);
    }
    expect(() => e.optim.clipGradNorm(model, 1)).toThrow(StateError);
    expect(() => e.optim.clipGradValue(model, 0.1)).toThrow(StateError);
    expect(() => e.optim.gradNorm(model)).toThrow(StateError);
    expect(() => clipGradNorm(model, 1)).toThrow(StateError);
    expect(() => clipGradValue(model, 0.1)).toThrow(StateError);
    expect(() => gradNorm(model)).toThrow(StateError);
    expect(() => e.loss.l2Penalty(model, 0.5)).toThrow(StateError);
    expect(() => l2Penalty(model, 0.5)).toThrow(StateError);
    expect(() => e.optim.adam(model)).toThrow(/adam: the model was disposed/);
    expect(Array.from(a.data).every((v) => v === 5)).toBe(true);
    expect(Array.from(b.data).every((v) => v === 5)).toBe(true);
    // the optimizers can still return their own buffers
    const used = e.arena.usedBytes;
    sgd.dispose();
    adam.dispose();
    expect(e.arena.usedBytes).toBeLessThan(used);
    a.dispose();
    b.dispose();
  });

  it('a disposed vector: the same refusal, before anything is written', async () => {
    const e = await engineFor(build);
    const x = e.vector(6, [1, 2, 3, 4, 5, 6]);
    const opt = e.optim.rmsprop(x, { lr: 0.1, guard: 'skip', guardParams: true });
    x.dispose();
    const t = e.tensor([6], new Float32Array(6).fill(5));
    expect(() => opt.step()).toThrow(StateError);
    expect(() => e.optim.clipGradNorm(x, 1)).toThrow(StateError);
    expect(() => e.loss.l2Penalty(x, 1)).toThrow(StateError);
    expect(Array.from(t.data)).toEqual([5, 5, 5, 5, 5, 5]);
    opt.dispose();
    t.dispose();
  });
});

describe("another engine's model (issue 12 item 2)", () => {
  it('engine.optim.clipGradNorm / clipGradValue / gradNorm, engine.loss.l2Penalty and the optimizers refuse it: StateError', async () => {
    const e1 = await engineFor('simd');
    const e2 = await engineFor('scalar');
    const m2 = e2.nn.mlp([3, 2], { seed: 2 });
    const before = m2.parameters().slice();
    e2.f32(m2.gradsPtr, m2.numParameters).fill(3);
    for (const f of [
      () => e1.optim.clipGradNorm(m2, 1),
      () => e1.optim.clipGradValue(m2, 0.5),
      () => e1.optim.gradNorm(m2),
      () => e1.loss.l2Penalty(m2, 0.1),
      () => e1.optim.sgd(m2, { lr: 1 }),
      () => e1.optim.fromTransform(m2, e1.optim.scale(1)),
    ]) {
      expect(f).toThrow(StateError);
      expect(f).toThrow(/belongs to another engine/);
    }
    expect(m2.parameters()).toEqual(before);
    expect(Array.from(m2.gradients()).every((v) => v === 3)).toBe(true);
    expect(e2.optim.clipGradNorm(m2, 1)).toBeCloseTo(3 * Math.sqrt(m2.numParameters), 4);
    m2.dispose();
  });

  it('fromTransform refuses something that is not a transform (a ValueError naming it)', async () => {
    const e = await engineFor('simd');
    const x = e.vector(2);
    expect(() => e.optim.fromTransform(x, 'adam' as never)).toThrow(ValueError);
    expect(() => e.optim.fromTransform(x, 'adam' as never)).toThrow(/fromTransform: transform must be a gradient transformation .* got the string "adam"/);
    x.dispose();
  });
});

describe('optimizer state values and schedule values (issue 12 item 6)', () => {
  it('loadState refuses NaN/Infinity moments, negative second moments, bad counters and RNG words, for every optimizer; nothing is written', async () => {
    const e = await engineFor('simd');
    const x = e.vector(4, [1, -2, 3, -4]);
    x.grads.set([0.5, -1, 2, 0.25]);
    const cases: [string, object, (s: any) => void, RegExp][] = [
      ['adam', {}, (s) => (s.groups[0].buffers.v[1] = NaN), /^adam: loadState: state\.groups\[0\]\.buffers\.v\[1\] is NaN; optimizer state must be finite$/],
      ['adam', { fused: false }, (s) => (s.groups[0].chain.inner[0].buffers.m[0] = Infinity), /state\.groups\[0\]\.chain\.inner\[0\]\.buffers\.m\[0\] is Infinity/],
      ['rmsprop', {}, (s) => (s.groups[0].buffers.s[2] = -1), /rmsprop: loadState: state\.groups\[0\]\.buffers\.s\[2\] is -1; a second-moment buffer must be ≥ 0/],
      ['nadam', {}, (s) => (s.groups[0].scalars.muProduct = NaN), /state\.groups\[0\]\.scalars\.muProduct is NaN/],
      ['adam', {}, (s) => (s.skippedSteps = 5), /state\.skippedSteps \(5\) exceeds state\.stepCount \(1\)/],
      ['langevin', { lr: 0.1 }, (s) => (s.groups[0].rng = [0, 0, 0, 0]), /state\.groups\[0\]\.rng is the all-zero state/],
      ['lbfgs', {}, (s) => (s.groups[0].buffers.d[0] = NaN), /^lbfgs: loadState: state\.groups\[0\]\.buffers\.d\[0\] is NaN/],
    ];
    for (const [name, o, tamper, msg] of cases) {
      const opt = (e.optim as any)[name](x, { lr: 0.1, ...o });
      if (name === 'lbfgs') opt.step(() => 0); else opt.step();
      const good = opt.state();
      const bad = structuredClone(good);
      tamper(bad);
      const params = Array.from(x.params);
      expect(() => opt.loadState(bad), name).toThrow(StateError);
      expect(() => opt.loadState(bad), name).toThrow(msg);
      expect(opt.state(), name).toEqual(good);
      expect(Array.from(x.params), name).toEqual(params);
      opt.loadState(good);
      opt.dispose();
    }
    x.dispose();
  });

  it('a schedule may return 0 (cosine to etaMin = 0 ends there): the step moves nothing; a negative value is a ValueError and nothing is written', async () => {
    const e = await engineFor('simd');
    const x = e.vector(3, [1, 2, 3]);
    x.grads.set([1, 1, 1]);
    const zero = e.optim.sgd(x, { lr: () => 0, momentum: 0.9 });
    zero.step();
    expect(Array.from(x.params)).toEqual([1, 2, 3]);
    expect(zero.stepCount).toBe(1);
    const neg = e.optim.adam(x, { lr: (s) => (s === 0 ? 0.1 : -0.1) });
    neg.step();
    const p = Array.from(x.params), st = neg.state();
    expect(() => neg.step()).toThrow(ValueError);
    expect(() => neg.step()).toThrow(/adam: the lr schedule returned -0\.1 at step 1; expected a finite number >= 0/);
    expect(Array.from(x.params)).toEqual(p);
    expect(neg.state()).toEqual(st);
    zero.dispose();
    neg.dispose();
    x.dispose();
  });
});
