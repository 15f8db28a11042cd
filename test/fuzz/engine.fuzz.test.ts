// Fuzz: tensors, matmul, engine.vector, engine.rng (src/engine.ts, src/runtime/).
// Every generated bad call must throw a WasmgradError naming the argument and change nothing.
import { beforeAll, describe } from 'vitest';
import { init, type Engine, type Rng, type Tensor } from '../../src/index.js';
import { fc, fuzzCases, keyRe, named, notBoolean, notFinite, notNonNegInt, notNumber, notOptions, notPositiveInt, negative, nonFinite, unknownKey } from './fuzz.js';

let engine: Engine;
let other: Engine;
let a: Tensor, b: Tensor, c: Tensor;
let r: Rng;
let bad: Record<string, Tensor>;

beforeAll(async () => {
  engine = await init();
  other = await init();
  a = engine.tensor([3, 4], Array.from({ length: 12 }, (_, i) => i));
  b = engine.tensor([4, 2], Array.from({ length: 8 }, (_, i) => -i));
  c = engine.tensor([3, 2]);
  r = engine.rng(7);
  const gone = engine.tensor([3, 4]);
  gone.dispose();
  bad = {
    disposed: gone,
    foreign: other.tensor([3, 4]),
    rank1: engine.tensor([12]),
    rank3: engine.tensor([1, 3, 4]),
    wrongInner: engine.tensor([5, 2]),
  };
});
const E = () => engine;

/** Things passed where a tensor is needed: non-tensors, disposed, another engine's, wrong rank. */
const notTensor = fc.oneof(
  notNumber,
  fc.constantFrom<unknown>(null, undefined, 0, NaN),
  fc.constantFrom('disposed', 'foreign', 'rank1', 'rank3').map((k) => ({ lazy: k })),
);
/** The same without undefined (where undefined means "not given") and without wrong ranks (where any rank is fine). */
const notTensorGiven = notTensor.filter((v) => v !== undefined);
const notTensorAnyRank = notTensorGiven.filter((v) => !(v && typeof v === 'object' && 'lazy' in v && String((v as { lazy: string }).lazy).startsWith('rank')));
const resolve = (v: unknown): unknown => (v && typeof v === 'object' && 'lazy' in v ? bad[(v as { lazy: string }).lazy] : v);

/** A shape with one bad dimension. */
const badShape = fc.oneof(
  fc.oneof(notNumber.filter((v) => !Array.isArray(v)), fc.constantFrom<unknown>(null, undefined, 3, NaN)),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(notNonNegInt, nonFinite)).map(([i, d]) => {
    const s: unknown[] = [2, 3, 4];
    s[i % 3] = d;
    return s;
  }),
);

describe('fuzz: engine.tensor', () => {
  fuzzCases(E, [
    { what: 'tensor(bad shape)', gen: badShape, call: (s) => engine.tensor(s as number[]), names: named('shape') },
    {
      what: 'tensor(shape, data of the wrong length or type)',
      gen: fc.oneof(fc.array(fc.double(), { maxLength: 5 }).filter((d) => d.length !== 6), fc.constantFrom<unknown>(null, 6, 'abcdef', {}, () => 0, { length: 'x' })),
      call: (d) => engine.tensor([2, 3], d as number[]),
      names: named('data'),
    },
    {
      what: 'tensor.set(values of the wrong length or type)',
      gen: fc.oneof(fc.array(fc.double(), { maxLength: 5 }).filter((d) => d.length !== 12), fc.constantFrom<unknown>(null, undefined, 12, {}, () => 0)),
      call: (v) => a.set(v as number[]),
      names: named('values'),
    },
  ]);
});

describe('fuzz: engine.matmul', () => {
  fuzzCases(E, [
    { what: 'matmul(bad a, b)', gen: notTensor, call: (v) => engine.matmul(resolve(v) as Tensor, b), names: named('a') },
    { what: 'matmul(a, bad b)', gen: notTensor, call: (v) => engine.matmul(a, resolve(v) as Tensor), names: named('b') },
    {
      what: 'matmul(a, b) with mismatched inner dimensions',
      gen: fc.record({ transA: fc.boolean(), transB: fc.boolean() }).filter((o) => !(o.transA === false && o.transB === false)),
      call: (o) => engine.matmul(a, bad.wrongInner, o),
      names: named('a', 'b'),
    },
    { what: 'matmul options.alpha not finite', gen: notFinite, call: (v) => engine.matmul(a, b, { alpha: v as number, out: c }), names: named('alpha') },
    { what: 'matmul options.beta not finite', gen: notFinite, call: (v) => engine.matmul(a, b, { beta: v as number, out: c }), names: named('beta') },
    { what: 'matmul options.transA not a boolean', gen: notBoolean, call: (v) => engine.matmul(a, b, { transA: v as boolean, out: c }), names: named('transA') },
    { what: 'matmul options.transB not a boolean', gen: notBoolean, call: (v) => engine.matmul(a, b, { transB: v as boolean, out: c }), names: named('transB') },
    {
      what: 'matmul options.out bad (not a tensor, wrong shape, aliases a)',
      gen: fc.oneof(notTensorGiven, fc.constantFrom('a', 'wrongInner').map((k) => ({ lazy2: k }))),
      call: (v) => engine.matmul(a, b, { out: (v && typeof v === 'object' && 'lazy2' in v ? ((v as { lazy2: string }).lazy2 === 'a' ? a : bad.wrongInner) : resolve(v)) as Tensor }),
      names: named('out'),
    },
    { what: 'matmul options not an object', gen: notOptions, call: (v) => engine.matmul(a, b, v as object), names: named('options') },
    {
      what: 'matmul options with an unknown key',
      gen: unknownKey(['transA', 'transB', 'alpha', 'beta', 'out']),
      call: (k) => engine.matmul(a, b, { [k]: 1, out: c }),
      names: (k) => keyRe(k),
    },
  ]);
});

describe('fuzz: engine.vector and engine.rng', () => {
  fuzzCases(E, [
    { what: 'vector(bad n)', gen: notPositiveInt, call: (n) => engine.vector(n as number), names: named('n') },
    {
      what: 'vector(n, bad values)',
      gen: fc.oneof(fc.array(fc.double(), { maxLength: 6 }).filter((d) => d.length !== 3), fc.constantFrom<unknown>(null, 3, 'abc', () => 0)),
      call: (v) => engine.vector(3, v as number[]),
      names: named('values'),
    },
    { what: 'rng(bad seed)', gen: notNonNegInt, call: (s) => engine.rng(s as number), names: named('seed') },
    {
      what: 'rng.uniform(out, lo > hi or not finite)',
      gen: fc.oneof(fc.tuple(notFinite, fc.constant(1)), fc.tuple(fc.constant(0), notFinite), fc.tuple(fc.constant(2), fc.constant(1))),
      call: ([lo, hi]) => r.uniform(c, lo as number, hi as number),
      names: named('lo', 'hi'),
    },
    { what: 'rng.normal(out, 0, bad std)', gen: fc.oneof(notFinite, negative), call: (s) => r.normal(c, 0, s as number), names: named('std') },
    { what: 'rng.uniform(bad out)', gen: notTensorAnyRank, call: (v) => r.uniform(resolve(v) as Tensor), names: named('out') },
  ]);
});
