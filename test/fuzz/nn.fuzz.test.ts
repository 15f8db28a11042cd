// Fuzz: engine.nn (builders, layers, forward, backward, lossAndGrad, parameters, RNG state)
// and engine.loss (loss entries, evaluate, l2Penalty) (src/nn/, src/loss/).
// Every generated bad call must throw a WasmgradError naming the argument and change nothing:
// the wasm memory (parameters, gradients, plans, RNG), the arena's counters, and the model's mode.
import { beforeAll, describe } from 'vitest';
import { init, layers, type Engine, type Sequential, type Tensor } from '../../src/index.js';
import {
  fc, fuzzCases, keyRe, named, notBoolean, notFinite, notNonNegInt, notNumber, notOptions, notPositiveInt, nonFinite, outside, unknownKey, withUnknownKey,
} from './fuzz.js';

let engine: Engine;
let other: Engine;
/** a [3, 5, 2] MLP with dropout, planned at batch 4 (forward run, so backward is legal) */
let model: Sequential;
let gone: Sequential;
let x: Tensor, y: Tensor, dOut: Tensor;
let bad: Record<string, unknown>;

beforeAll(async () => {
  engine = await init();
  other = await init();
  model = engine.nn.mlp([3, 5, 2], { seed: 4, dropout: 0.25, activation: 'tanh' });
  x = engine.tensor([4, 3], Array.from({ length: 12 }, (_, i) => Math.sin(i)));
  y = engine.tensor([4, 2], Array.from({ length: 8 }, (_, i) => i / 8));
  dOut = engine.tensor([4, 2], Array.from({ length: 8 }, (_, i) => 1 - i / 4));
  model.lossAndGrad(x, y);
  model.forward(x);
  gone = engine.nn.mlp([3, 2]);
  gone.dispose();
  const dead = engine.tensor([4, 3]);
  dead.dispose();
  bad = {
    dead,
    foreign: other.tensor([4, 3]),
    rank1: engine.tensor([12]),
    rank3: engine.tensor([1, 4, 3]),
    wide: engine.tensor([4, 4]),
    narrow: engine.tensor([4, 2]),
    y43: engine.tensor([4, 3]),
  };
});
const E = () => engine;
const mode = () => [model.training, model.checkFinite, gone.disposed];
const lazy = (...keys: string[]) => fc.constantFrom(...keys).map((k) => ({ lazy: k }));
const resolve = (v: unknown): unknown => (v && typeof v === 'object' && 'lazy' in v ? bad[(v as { lazy: string }).lazy] : v);

/** Things passed where an input tensor x [n, 3] is needed. */
const badX = fc.oneof(notNumber, fc.constantFrom<unknown>(null, undefined, 0), lazy('dead', 'foreign', 'rank1', 'rank3', 'wide', 'narrow'));
/** Bad size lists: not arrays, too short, a bad width. */
const badSizes = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, 3, 'abc', {}, [], [3], new Float32Array([3, 2])),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.oneof(notPositiveInt, fc.constantFrom(0))).map(([i, d]) => {
    const s: unknown[] = [3, 4, 2];
    s[i] = d;
    return s;
  }),
);
const ACTIVATIONS = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh', 'softplus', 'identity'];
const badActivation = fc.oneof(notNumber, fc.constantFrom<unknown>(null, 'Relu', 'RELU', 'swish', 'gelu-tanh', '')).filter((v) => !ACTIVATIONS.includes(v as string));
const badInit = fc.constantFrom<unknown>('kaiming', 'xavier', 'he', '', 3, null, true, [], { weight: 'nope' }, { bias: 7 });
const badWords = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, 7, 'abcd', {}, [1, 2], [1, 2, 3, 4, 5], [0, 0, 0, 0], new Uint32Array(4), new Uint32Array(3)),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(notNumber, nonFinite, fc.constantFrom(-1, 0.5, 2 ** 32, 2 ** 53, 1e300))).map(([i, w]) => {
    const s: unknown[] = [1, 2, 3, 4];
    s[i] = w;
    return s;
  }),
);

describe('fuzz: nn builders and layers', () => {
  fuzzCases(E, [
    { what: 'mlp(bad sizes)', gen: badSizes, call: (s) => engine.nn.mlp(s as number[]), names: named('sizes') },
    { what: 'deepLinear(bad sizes)', gen: badSizes, call: (s) => engine.nn.deepLinear(s as number[]), names: named('sizes') },
    { what: 'mlp options not an object', gen: notOptions, call: (o) => engine.nn.mlp([3, 2], o as object), names: named('options'), runs: 6 },
    { what: 'mlp({ unknown key })', gen: unknownKey(['activation', 'activationOptions', 'init', 'dropout', 'bias', 'seed']), call: (k) => engine.nn.mlp([3, 2], { [k]: 1 } as never), names: (k: string) => keyRe(k) },
    { what: 'mlp({ activation: bad })', gen: badActivation, call: (a) => engine.nn.mlp([3, 4, 2], { activation: a as never }), names: named('activation', 'name') },
    {
      what: 'mlp({ activationOptions: bad })',
      gen: fc.oneof(
        notOptions,
        fc.record({ slope: notFinite }),
        fc.record({ beta: fc.oneof(notFinite, fc.constant(0)) }),
        fc.record({ threshold: notFinite }),
        withUnknownKey({}, ['slope', 'beta', 'threshold']),
      ),
      call: (o) => engine.nn.mlp([3, 4, 2], { activation: 'softplus', activationOptions: o as never }),
      names: (o: unknown) => (o && typeof o === 'object' ? new RegExp(Object.keys(o).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || 'activationOptions') : named('activationOptions', 'options')),
    },
    { what: 'mlp({ dropout: bad })', gen: outside(0, 1, [1]), call: (p) => engine.nn.mlp([3, 4, 2], { dropout: p as number }), names: named('dropout') },
    { what: 'mlp({ bias: bad })', gen: notBoolean, call: (b) => engine.nn.mlp([3, 2], { bias: b as boolean }), names: named('bias') },
    { what: 'mlp({ seed: bad })', gen: notNonNegInt, call: (s) => engine.nn.mlp([3, 2], { seed: s as number }), names: named('seed') },
    { what: 'mlp({ init: bad })', gen: badInit, call: (i) => engine.nn.mlp([3, 2], { init: i as never }), names: named('init', 'weight', 'bias') },
    {
      what: 'linear(bad in or out)',
      gen: fc.tuple(fc.boolean(), fc.oneof(notPositiveInt, fc.constant(0))),
      call: ([first, v]) => (first ? engine.nn.linear(v as number, 2) : engine.nn.linear(3, v as number)),
      names: ([first]: [boolean, unknown]) => (first ? named('in', 'inFeatures', 'sizes') : named('out', 'outFeatures', 'sizes')),
    },
    { what: 'linear(3, 2, bad options)', gen: fc.oneof(notOptions, withUnknownKey({}, ['bias', 'init', 'seed'])), call: (o) => engine.nn.linear(3, 2, o as never), names: named('options', 'unknown option') },
    {
      what: 'sequential(bad specs)',
      gen: fc.constantFrom<unknown>(null, undefined, 3, 'relu', {}, [], [null], [{}], [{ type: 'conv' }], ['relu'], [{ type: 'linear', in: 3, out: 0, bias: true }], [{ type: 'linear', in: 3, out: 2, bias: true }, { type: 'linear', in: 3, out: 2, bias: true }]),
      call: (s) => engine.nn.sequential(s as never),
      names: named('specs', 'layer', 'layers', 'in', 'out'),
      runs: 24,
    },
    { what: 'sequential(specs, bad options)', gen: fc.oneof(notOptions, withUnknownKey({}, ['seed', 'inputSize']), fc.record({ seed: notNonNegInt }), fc.record({ inputSize: fc.oneof(notPositiveInt, fc.constantFrom(0, 2, 4)) })), call: (o) => engine.nn.sequential([layers.linear(3, 2)], o as never), names: named('options', 'unknown option', 'seed', 'inputSize') },
    { what: 'layers.dropout(bad p)', gen: outside(0, 1, [1]), call: (p) => layers.dropout(p as number), names: named('p') },
    { what: 'layers.activation(bad name)', gen: badActivation, call: (n) => layers.activation(n as never), names: named('name') },
    { what: 'layers.activation(name, bad options)', gen: fc.oneof(notOptions, withUnknownKey({}, ['slope', 'beta', 'threshold'])), call: (o) => layers.activation('relu', o as never), names: named('options', 'unknown option') },
    { what: 'layers.linear(3, 2, bad options)', gen: fc.oneof(notOptions, fc.record({ bias: notBoolean }), withUnknownKey({}, ['bias', 'init'])), call: (o) => layers.linear(3, 2, o as never), names: named('options', 'unknown option', 'bias') },
  ]);
});

describe('fuzz: model methods', () => {
  fuzzCases(E, [
    { what: 'forward(bad x)', gen: badX, call: (v) => model.forward(resolve(v) as Tensor), names: named('x', 'input'), extra: mode },
    { what: 'backward(bad dOut)', gen: fc.oneof(notNumber, fc.constantFrom<unknown>(null, undefined), lazy('dead', 'foreign', 'rank1', 'rank3', 'wide')), call: (v) => model.backward(resolve(v) as Tensor), names: named('dOut'), extra: mode },
    { what: 'lossAndGrad(bad x, y)', gen: badX, call: (v) => model.lossAndGrad(resolve(v) as Tensor, y), names: named('x', 'input'), extra: mode },
    {
      what: 'lossAndGrad(x, bad target tensor)',
      gen: fc.oneof(notNumber.filter((v) => !(v instanceof Int32Array)), fc.constantFrom<unknown>(null, undefined), lazy('dead', 'foreign', 'rank1', 'rank3', 'wide')),
      call: (v) => model.lossAndGrad(x, resolve(v) as Tensor, 'mse'),
      names: named('y', 'target'),
      extra: mode,
    },
    {
      what: 'lossAndGrad(x, bad class ids)',
      gen: fc.oneof(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 4, maxLength: 4 }).filter((a) => a.some((v) => v < 0 || v > 1)),
        fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 8 }).filter((a) => a.length !== 4),
        fc.constantFrom([2 ** 31 - 1, 0, 0, 0], [-(2 ** 31), 0, 0, 0]),
      ),
      call: (ids) => model.lossAndGrad(x, Int32Array.from(ids), 'softmaxCrossEntropy'),
      names: named('label', 'labels', 'y', 'target', 'class'),
      extra: mode,
    },
    {
      what: 'lossAndGrad(x, y, bad loss)',
      gen: fc.oneof(notNumber, fc.constantFrom<unknown>(null, 'MSE', 'crossEntropy', 'l1', '', { apply: 1 }, { check: () => 0 })),
      call: (l) => model.lossAndGrad(x, y, l as never),
      names: named('loss'),
      extra: mode,
    },
    { what: 'lossAndGrad(x, class ids, mse)', gen: fc.constantFrom('mse', 'huber', 'bceWithLogits', 'poissonNll'), call: (l) => model.lossAndGrad(x, Int32Array.from([0, 1, 0, 1]), l as never), names: named('loss', 'target'), extra: mode, runs: 8 },
    {
      what: 'setParameters(bad values)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 3, 'abc', {}, () => 0),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 30 }).filter((a) => a.length !== model.numParameters),
        fc.tuple(fc.integer({ min: 0, max: 26 }), fc.oneof(notNumber, nonFinite, fc.constantFrom(1e39, -1e39, Number.MAX_VALUE))).map(([i, v]) => {
          const a: unknown[] = Array.from({ length: model.numParameters }, () => 0.5);
          a[i % a.length] = v;
          return a;
        }),
      ),
      call: (v) => model.setParameters(v as number[]),
      names: named('setParameters', 'values', 'value'),
      extra: mode,
    },
    { what: 'setRngState(bad words)', gen: badWords, call: (w) => model.setRngState(w as number[]), names: named('setRngState', 'state'), extra: mode },
    {
      what: 'a disposed model: every method',
      gen: fc.constantFrom('forward', 'backward', 'lossAndGrad', 'setParameters', 'parameters', 'gradients', 'zeroGrad', 'rngState', 'setRngState'),
      call: (m) => (gone as any)[m](m === 'setRngState' ? [1, 2, 3, 4] : m === 'setParameters' ? new Float32Array(gone.numParameters) : x, y),
      names: named('dispose', 'disposed'),
      extra: mode,
      runs: 18,
    },
  ]);
});

describe('fuzz: engine.loss', () => {
  fuzzCases(E, [
    {
      what: 'loss builders: options not an object, unknown key, bad reduction',
      gen: fc.tuple(
        fc.constantFrom('mse', 'softmaxCrossEntropy', 'bceWithLogits', 'poissonNll', 'huber'),
        fc.oneof(notOptions.map((o) => ({ o })), unknownKey(['reduction', 'labelSmoothing', 'delta']).map((k) => ({ o: { [k]: 1 }, k })), fc.oneof(notNumber, fc.constantFrom<unknown>('none', 'Mean', 'batchmean')).map((r) => ({ o: { reduction: r } }))),
      ),
      call: ([name, { o }]) => (engine.loss as any)[name](o),
      names: ([, v]: [string, { o: unknown; k?: string }]) => (v.k !== undefined ? keyRe(v.k) : v.o && typeof v.o === 'object' ? named('reduction') : named('options')),
    },
    { what: 'softmaxCrossEntropy({ labelSmoothing: bad })', gen: outside(0, 1), call: (v) => engine.loss.softmaxCrossEntropy({ labelSmoothing: v as number }), names: named('labelSmoothing') },
    { what: 'huber({ delta: bad })', gen: fc.oneof(notFinite, fc.constantFrom(0, -1, -0)), call: (v) => engine.loss.huber({ delta: v as number }), names: named('delta') },
    {
      what: 'loss.evaluate(bad arguments)',
      gen: fc.oneof(
        fc.record({ yhat: badX.filter((v) => !(v && typeof v === 'object' && 'lazy' in v && ['wide', 'narrow', 'rank1'].includes((v as { lazy: string }).lazy))) }),
        fc.record({ y: fc.oneof(fc.constantFrom<unknown>(null, 3, 'y'), lazy('dead', 'foreign', 'rank3', 'wide')) }),
        fc.record({ grad: fc.oneof(fc.constantFrom<unknown>(null, 3, 'g'), lazy('dead', 'foreign', 'narrow', 'wide')) }),
        fc.record({ loss: fc.constantFrom<unknown>(null, 'l1', 3) }),
      ),
      call: (o: Record<string, unknown>) => engine.loss.evaluate(('loss' in o ? o.loss : 'mse') as never, ('yhat' in o ? resolve(o.yhat) : x) as Tensor, ('y' in o ? resolve(o.y) : bad.y43) as Tensor, 'grad' in o ? (resolve(o.grad) as Tensor) : undefined),
      names: (o: Record<string, unknown>) => named(...('loss' in o ? ['loss'] : 'yhat' in o ? ['yhat'] : 'grad' in o ? ['grad'] : ['y', 'target'])),
    },
    {
      what: 'loss.evaluate(softmaxCrossEntropy, yhat, bad class ids)',
      gen: fc.array(fc.integer({ min: -3, max: 6 }), { minLength: 4, maxLength: 4 }).filter((a) => a.some((v) => v < 0 || v > 2)),
      call: (ids) => engine.loss.evaluate('softmaxCrossEntropy', x, Int32Array.from(ids)),
      names: named('label', 'labels'),
    },
    {
      what: 'l2Penalty(bad target, bad lambda, bad options)',
      gen: fc.oneof(
        fc.record({ target: fc.oneof(notNumber, fc.constantFrom<unknown>(null, 'gone')) }),
        fc.record({ lambda: fc.oneof(notFinite, fc.constantFrom(-1, -1e-9)) }),
        fc.record({ options: fc.oneof(notOptions, fc.record({ weightsOnly: notBoolean }), withUnknownKey({}, ['weightsOnly'])) }),
      ),
      call: (o: Record<string, unknown>) => engine.loss.l2Penalty(('target' in o ? (o.target === 'gone' ? gone : o.target) : model) as never, ('lambda' in o ? o.lambda : 0.1) as number, o.options as never),
      names: (o: Record<string, unknown>) => ('target' in o ? named('target', 'model') : 'lambda' in o ? named('lambda') : named('options', 'weightsOnly', 'unknown option')),
      extra: mode,
    },
  ]);
});
