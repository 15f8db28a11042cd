// The one validation vocabulary (src/runtime/validate.ts) and the messages it gives
// (issue 11 item 8): a function prints "a function" (never its source) and, for an
// optimizer, which options take a schedule; a wrong type says its type; a missing
// model says so.
import { describe as group, expect, it } from 'vitest';
import { Dataset, fit, schedules, StateError, ValueError } from '../src/index.js';
import { checkNumber, describe, expectation, UNIT, UNIT_OPEN } from '../src/runtime/validate.js';
import { engineFor } from './helpers.js';

/** a function whose source holds a marker that must never reach a message */
const fn = Object.assign((t: number) => 0.123456 + t * 0, {});
const MARK = /0\.123456|=>\s*0/;

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

group('describe(): what a message shows of a value', () => {
  it('names the type of anything that is not a plain number', () => {
    expect(describe(3)).toBe('3');
    expect(describe(NaN)).toBe('NaN');
    expect(describe(-0)).toBe('-0');
    expect(describe('0.9')).toBe('the string "0.9"');
    expect(describe(fn)).toBe('a function');
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
    expect(describe(true)).toBe('the boolean true');
    expect(describe([0.9, 0.99])).toBe('[0.9, 0.99]');
    expect(describe([fn, 1])).toBe('an array of 2');
    expect(describe(new Float32Array(3))).toBe('a Float32Array of 3');
    expect(describe({ a: 1 })).toBe('an object');
    expect(describe('x'.repeat(100))).toMatch(/^the string "x{40}…"$/);
  });
});

group('checkNumber(): ranges are closed unless a side is marked open', () => {
  it('closed by default, open on request, in the message too', () => {
    expect(checkNumber('op', 'x', 1, UNIT)).toBe(1);
    expect(checkNumber('op', 'x', 0, UNIT)).toBe(0);
    expect(() => checkNumber('op', 'x', 1, UNIT_OPEN)).toThrow('op: x must be in [0, 1), got 1');
    expect(() => checkNumber('op', 'x', 0, { min: 0, max: 1, minOpen: true })).toThrow('op: x must be in (0, 1], got 0');
    expect(() => checkNumber('op', 'k', 2.5, { min: 1, integer: true })).toThrow('op: k must be an integer >= 1, got 2.5');
    expect(() => checkNumber('op', 'x', Infinity)).toThrow('op: x must be a finite number, got Infinity');
    expect(expectation({ max: 3, maxOpen: true })).toBe('a finite number < 3');
  });
});

group('messages that help (issue 11 item 8)', () => {
  it('optimizers: wrong type, function where a number is expected, which options take a schedule', async () => {
    const e = await engineFor('simd');
    const x = e.vector(4, [1, 2, 3, 4]);
    const cases: [() => unknown, RegExp][] = [
      [() => e.optim.sgd(x, { lr: 0.1, momentum: '0.9' as never }), /^ValueError: sgd: momentum must be a finite number >= 0, got the string "0.9"$/],
      [() => e.optim.adam(x, { lr: '0.1' as never }), /adam: lr must be a finite number > 0 or a schedule \(step\) => number, got the string "0.1"/],
      [() => e.optim.adamax(x, { betas: [fn, 0.999] as never }), /^ValueError: adamax: betas\[0\] must be a number, got a function; adamax takes a schedule \(step\) => number only for lr$/],
      [() => e.optim.sgd(x, { lr: 0.1, weightDecay: fn as never }), /sgd: weightDecay must be a number, got a function; sgd takes a schedule \(step\) => number only for lr and momentum$/],
      [() => e.optim.adam(x, { weightDecay: fn as never }), /adam: weightDecay must be a number, got a function; adam takes a schedule \(step\) => number only for lr and betas\[0\]$/],
      [() => e.optim.adam(x, { groups: [{ offset: 0, length: 4, eps: fn as never }] }), /adam: eps must be a number, got a function/],
      [() => e.optim.clipGradNorm(x, fn as never), /clipGradNorm: maxNorm must be a finite number > 0, got a function/],
      [() => e.optim.scaleByAdamax({ betas: [fn as never, 0.9] }), /scaleByAdamax: betas\[0\] must be in \[0, 1\), got a function/],
      [() => e.optim.trace({ momentum: 0.9, dampening: fn as never }), /trace: dampening must be in \[0, 1\], got a function/],
      [() => schedules.piController({ lr: 0.1, setpoint: fn as never }), /piController: setpoint must be a finite number > 0, got a function/],
      [() => schedules.cosineAnnealing({ lr: fn as never, tMax: 3 }), /cosineAnnealing: lr must be a finite number > 0, got a function/],
      [() => e.loss.l2Penalty(x, fn as never), /l2Penalty: lambda must be a finite non-negative number, got a function/],
      [() => e.nn.mlp([2, 3], { init: fn as never }), /init must be a name or an initializer, got a function/],
      [() => e.nn.mlp([2, 3], { dropout: fn as never }), /mlp: dropout must be in \[0, 1\), got a function/],
      [() => e.nn.layers.activation('leakyRelu', { slope: fn as never }), /leakyRelu: slope must be a finite number, got a function/],
      [() => e.nn.layers.activation(fn as never), /activation: name must be one of .*, got a function/],
    ];
    for (const [f, re] of cases) {
      const err = thrown(f);
      expect(err).toBeInstanceOf(ValueError);
      expect(String(err)).toMatch(re);
      expect(String(err)).not.toMatch(MARK);
    }
    const fitErr = await fit(e.nn.mlp([2, 2]), { data: new Dataset(new Float32Array([1, 2, 3, 4]), new Int32Array([0, 1])), epochs: '3' as never } as never).catch((x: Error) => x);
    expect(String(fitErr)).toMatch(/fit: epochs must be an integer ≥ 1, got the string "3"/);
    const m = e.nn.mlp([2, 2]);
    const xt = e.tensor([1, 2], [1, 2]);
    const err = thrown(() => m.lossAndGrad(xt, e.tensor([1, 2]), fn as never));
    expect(String(err)).toMatch(/loss must be a name or an entry of engine.loss, got a function/);
    expect(String(err)).not.toMatch(MARK);
  });

  it('adam(null) says the model is missing, not that it belongs to another engine', async () => {
    const e = await engineFor('simd');
    for (const make of [() => e.optim.adam(null as never), () => e.optim.sgd(undefined as never, { lr: 1 })]) {
      const err = thrown(make);
      expect(err).toBeInstanceOf(ValueError);
      expect(err.message).toMatch(/: the model is missing \(got (null|undefined)\)/);
      expect(err.message).not.toMatch(/another engine/);
    }
    expect(() => e.optim.adam({ numParameters: 3 } as never)).toThrow(/adam: model must be a Parameterized .* got an object/);
    expect(() => e.optim.clipGradNorm(null as never, 1)).toThrow(/clipGradNorm: the model is missing/);
    expect(() => e.loss.l2Penalty(null as never, 1)).toThrow(/l2Penalty: the target is missing/);
    const other = await engineFor('scalar');
    expect(() => e.optim.adam(other.vector(2))).toThrow(StateError);
  });
});
