// Fuzz: data (src/data/): BatchLoader, parseCsv (arguments and hostile text), decodeIdx /
// encodeIdx / idxDataset, split, Standardizer, Dataset, Random and every generator.
// Every generated bad call must throw a WasmgradError naming the argument (or, for hostile
// file contents, the file and where in it) and change nothing: the wasm memory, the arena's
// counters, and the loader's RNG and order.
import { beforeAll, describe } from 'vitest';
import {
  BatchLoader, Dataset, decodeIdx, encodeIdx, GENERATORS, idxDataset, init, parseCsv, Random, split, Standardizer, type Engine,
} from '../../src/index.js';
import { fc, fuzzCases, keyRe, named, notBoolean, notFinite, notNonNegInt, notNonNegative, notNumber, notOptions, notPositive, notPositiveInt, RUNS, unknownKey, type BadCase } from './fuzz.js';

let engine: Engine;
let cls: Dataset, reg: Dataset;
let loader: BatchLoader;
let scaler: Standardizer;
const rng = new Random(5);

beforeAll(async () => {
  engine = await init();
  cls = new Dataset(Float32Array.from({ length: 20 }, (_, i) => i / 3), Int32Array.from({ length: 10 }, (_, i) => i % 3), { name: 'cls' });
  reg = new Dataset(Float32Array.from({ length: 20 }, (_, i) => i / 5), Float32Array.from({ length: 10 }, (_, i) => i), { name: 'reg' });
  loader = new BatchLoader(engine, cls, { batchSize: 4, seed: 2 });
  loader.startEpoch();
  loader.batch(0);
  scaler = Standardizer.fit(cls);
});
const E = () => engine;
const loaderState = () => [loader.rngState(), loader.epochRngState(), loader.order()];
const rngState = () => rng.state();

const notDataset = fc.constantFrom<unknown>(null, undefined, 1, 'data', {}, [], new Float32Array(4), { features: new Float32Array(2), targets: new Int32Array(1) });
/** Not 4 u32 words, not all zero. */
const badWords = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, 7, 'abcd', {}, [1, 2], [1, 2, 3, 4, 5], [0, 0, 0, 0], new Uint32Array(4)),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(notNumber, notFinite, fc.constantFrom(-1, 0.5, 2 ** 32, 1e300))).map(([i, w]) => {
    const s: unknown[] = [1, 2, 3, 4];
    s[i] = w;
    return s;
  }),
);
const LOADER_KEYS = ['batchSize', 'shuffle', 'dropLast', 'seed'];

describe('fuzz: BatchLoader', () => {
  fuzzCases(E, [
    { what: 'new BatchLoader(engine, bad data)', gen: notDataset, call: (d) => new BatchLoader(engine, d as Dataset, { batchSize: 2 }), names: named('data') },
    { what: 'new BatchLoader(bad engine)', gen: fc.constantFrom<unknown>(null, undefined, 1, {}, 'engine'), call: (e) => new BatchLoader(e as Engine, cls, { batchSize: 2 }), names: named('engine'), runs: 10 },
    {
      what: 'new BatchLoader(engine, data, bad options)',
      gen: fc.oneof(
        notOptions.map((o) => ({ o, k: 'options' })),
        notPositiveInt.filter((v) => !(Number.isSafeInteger(v) && (v as number) >= 1)).map((v) => ({ o: { batchSize: v }, k: 'batchSize' })),
        notBoolean.map((v) => ({ o: { batchSize: 2, shuffle: v }, k: 'shuffle' })),
        notBoolean.map((v) => ({ o: { batchSize: 2, dropLast: v }, k: 'dropLast' })),
        notNonNegInt.map((v) => ({ o: { batchSize: 2, seed: v }, k: 'seed' })),
        unknownKey(LOADER_KEYS).map((k) => ({ o: { batchSize: 2, [k]: 1 }, k })),
        fc.constant({ o: { batchSize: 11, dropLast: true }, k: 'batchSize' }),
      ),
      call: ({ o }) => new BatchLoader(engine, cls, o as never),
      names: ({ k }: { k: string }) => keyRe(k),
    },
    { what: 'loader.batch(bad b)', gen: fc.oneof(notNonNegInt, fc.integer({ min: 3, max: 1e6 })), call: (b) => loader.batch(b as number), names: named('b', 'batch'), extra: loaderState },
    { what: 'loader.setRngState(bad words)', gen: badWords, call: (w) => loader.setRngState(w as number[]), names: named('state', 'setRngState'), extra: loaderState },
  ]);
});

/** Hostile CSV text: every row is malformed in one way; the error must name the line. */
const hostileCsv = fc.oneof(
  fc.constantFrom('1e10', '2147483648', '4294967296', '16777216').map((l) => ({ text: `a,y\n1,0\n2,${l}\n`, where: /line 3/ })),
  fc.constantFrom('1e39', '-1e39', '1e400', 'Infinity', 'x', '0x10', '1,2').map((v) => ({ text: `a,b,y\n1,2,0\n${v},3,1\n`, where: /line 3/ })),
  fc.constant({ text: 'a,b,y\n1,2,0\n3,1\n', where: /line 3/ }),
  fc.constant({ text: '', where: /csv/ }),
  fc.constant({ text: 'a,b,y\n', where: /csv/ }),
);

describe('fuzz: parseCsv', () => {
  fuzzCases(E, [
    { what: 'parseCsv(bad text)', gen: fc.oneof(notNumber.filter((v) => typeof v !== 'string'), fc.constantFrom<unknown>(null, undefined, new Uint8Array(3))), call: (t) => parseCsv(t as string), names: named('text') },
    { what: 'parseCsv(hostile text)', gen: hostileCsv, call: ({ text }) => parseCsv(text, { file: 'f.csv' }), names: ({ where }: { where: RegExp }) => where },
    {
      what: 'parseCsv(text, bad options)',
      gen: fc.oneof(
        notOptions.map((o) => ({ o, k: 'options' })),
        fc.oneof(notBoolean, fc.constant('maybe')).filter((v) => v !== 'auto').map((v) => ({ o: { header: v }, k: 'header' })),
        fc.constantFrom<unknown>('clustering', 'Regression', 1, null).map((v) => ({ o: { task: v }, k: 'task' })),
        fc.constantFrom<unknown>(5, -5, 'nope', 1.5, null, {}).map((v) => ({ o: { label: v }, k: 'label' })),
        fc.constantFrom<unknown>('', ',,', 1, null, '\n', '"').map((v) => ({ o: { delimiter: v }, k: 'delimiter' })),
        unknownKey(['header', 'delimiter', 'label', 'task', 'file']).map((k) => ({ o: { [k]: 1 }, k })),
      ),
      call: ({ o }) => parseCsv('a,b,y\n1,2,0\n3,4,1\n', o as never),
      names: ({ k }: { k: string }) => keyRe(k),
    },
  ]);
});

const good = encodeIdx({ dtype: 'u8', shape: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
const labelsIdx = { dtype: 'u8' as const, shape: [2], data: new Uint8Array([0, 1]) };
const imagesIdx = { dtype: 'u8' as const, shape: [2, 3], data: new Uint8Array(6) };

describe('fuzz: IDX', () => {
  fuzzCases(E, [
    { what: 'decodeIdx(bad bytes)', gen: fc.constantFrom<unknown>(null, undefined, 'idx', [0, 0, 8, 1], new Int8Array(8), {}), call: (b) => decodeIdx(b as Uint8Array), names: named('bytes') },
    { what: 'decodeIdx(a truncated file)', gen: fc.integer({ min: 0, max: good.length - 1 }), call: (n) => decodeIdx(good.subarray(0, n), 'f.idx'), names: /f\.idx/ },
    {
      what: 'decodeIdx(a corrupted header)',
      gen: fc.oneof(
        fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 1, max: 255 })), // magic bytes 0, 1 must be 0
        fc.tuple(fc.constant(2), fc.integer({ min: 0, max: 255 }).filter((t) => ![8, 9, 0x0b, 0x0c, 0x0d, 0x0e].includes(t))),
        fc.tuple(fc.constant(3), fc.integer({ min: 0, max: 255 }).filter((d) => d !== 2)),
        fc.tuple(fc.integer({ min: 4, max: 11 }), fc.integer({ min: 1, max: 255 })).filter(([i, v]) => good[i] !== v),
      ),
      call: ([i, v]) => {
        const b = good.slice();
        b[i] = v;
        return decodeIdx(b, 'f.idx');
      },
      names: /f\.idx/,
    },
    {
      what: 'encodeIdx(bad array)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 1, 'u8', {}),
        fc.constantFrom<unknown>('u16', 'U8', 'float', null, 8).map((dtype) => ({ dtype, shape: [2], data: new Uint8Array(2) })),
        fc.constantFrom<unknown>(null, 2, [-1], [1.5], [3], [2 ** 32], ['2']).map((shape) => ({ dtype: 'u8', shape, data: new Uint8Array(2) })),
        fc.constantFrom<unknown>(null, [1, 2], new Uint8Array(3), 'ab').map((data) => ({ dtype: 'u8', shape: [2], data })),
        fc.constantFrom([256, 0], [-1, 0], [1.5, 0], [NaN, 0]).map((v) => ({ dtype: 'u8', shape: [2], data: Float64Array.from(v) })),
      ),
      call: (a) => encodeIdx(a as never),
      names: named('array', 'dtype', 'shape', 'data', 'value', 'values', 'expected'),
    },
    {
      what: 'idxDataset(bad images or labels)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, 1, {}, 'x').map((v) => ({ images: v, k: 'images' })),
        fc.constantFrom<unknown>(null, 1, {}, 'x').map((v) => ({ labels: v, k: 'labels' })),
        fc.constantFrom<unknown>({ dtype: 'u8', shape: [3], data: new Uint8Array([0, 1, 2]) }, { dtype: 'f32', shape: [2], data: new Float32Array([0, 0.5]) }, { dtype: 'i32', shape: [2], data: new Int32Array([0, -1]) }).map((v) => ({ labels: v, k: 'labels' })),
        fc.constantFrom<unknown>(null, 1, 'x').map((v) => ({ options: v, k: 'options' })),
      ),
      call: (o: Record<string, unknown>) => idxDataset(('images' in o ? o.images : imagesIdx) as never, ('labels' in o ? o.labels : labelsIdx) as never, o.options as never),
      names: ({ k }: { k: string }) => named(k),
    },
  ]);
});

describe('fuzz: split, Standardizer, Dataset, Random', () => {
  fuzzCases(E, [
    { what: 'split(bad data)', gen: notDataset, call: (d) => split(d as Dataset), names: named('data') },
    {
      what: 'split(data, bad options)',
      gen: fc.oneof(
        notOptions.map((o) => ({ o, k: 'options' })),
        fc.oneof(notNonNegative, fc.constantFrom(11, 1.5, 10.5)).map((v) => ({ o: { validation: v }, k: 'validation' })),
        fc.oneof(notNonNegative, fc.constantFrom(11, 1.5)).map((v) => ({ o: { test: v }, k: 'test' })),
        fc.constant({ o: { validation: 6, test: 5 }, k: 'validation' }),
        notBoolean.map((v) => ({ o: { stratify: v }, k: 'stratify' })),
        notBoolean.map((v) => ({ o: { shuffle: v }, k: 'shuffle' })),
        notNonNegInt.map((v) => ({ o: { seed: v }, k: 'seed' })),
        unknownKey(['validation', 'test', 'stratify', 'shuffle', 'seed']).map((k) => ({ o: { [k]: 1 }, k })),
      ),
      call: ({ o }) => split(cls, o as never),
      names: ({ k }: { k: string }) => keyRe(k),
    },
    { what: 'split(regression, { stratify: true })', gen: fc.constant(0), call: () => split(reg, { stratify: true, test: 0.2 }), names: named('stratify'), runs: 1 },
    { what: 'Standardizer.fit(bad data)', gen: notDataset, call: (d) => Standardizer.fit(d as Dataset), names: named('data') },
    { what: 'scaler.transform(bad data)', gen: fc.oneof(notDataset, fc.constant('wide')), call: (d) => scaler.transform((d === 'wide' ? new Dataset(new Float32Array(9), new Int32Array(3)) : d) as Dataset), names: named('data', 'features') },
    { what: 'scaler.transformFeatures(bad features)', gen: fc.constantFrom<unknown>(null, 1, [1, 2], new Float64Array(2), new Float32Array(3)), call: (f) => scaler.transformFeatures(f as Float32Array), names: named('features') },
    {
      what: 'new Standardizer / fromJSON(bad moments)',
      gen: fc.oneof(
        fc.tuple(fc.constantFrom<unknown>(null, [0], new Float32Array(1), Float64Array.from([NaN])), fc.constant(Float64Array.from([1]))).map(([m, s]) => ({ m, s, k: 'mean' })),
        fc.tuple(fc.constant(Float64Array.from([0])), fc.constantFrom<unknown>(null, [1], Float64Array.from([0]), Float64Array.from([-1]), Float64Array.from([Infinity]), new Float64Array(2))).map(([m, s]) => ({ m, s, k: 'std|mean' })),
      ),
      call: ({ m, s }) => new Standardizer(m as Float64Array, s as Float64Array),
      names: ({ k }: { k: string }) => new RegExp(k),
    },
    { what: 'Standardizer.fromJSON(bad)', gen: fc.constantFrom<unknown>(null, 1, {}, { mean: [0] }, { mean: [0], std: [0] }, { mean: ['0'], std: [1] }, { mean: [NaN], std: [1] }), call: (o) => Standardizer.fromJSON(o as never), names: named('fromJSON', 'mean', 'std') },
    {
      what: 'new Dataset(bad features, targets, options)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, [1, 2], new Float64Array(4)).map((f) => ({ f, k: 'features' })),
        fc.constantFrom<unknown>(null, [0, 1], new Uint8Array(2), new Float64Array(2)).map((t) => ({ t, k: 'targets' })),
        fc.constantFrom<unknown>(Int32Array.from([0, -1]), Int32Array.from([0, 2 ** 24])).map((t) => ({ t, k: 'label' })),
        fc.constantFrom<unknown>(Float32Array.from([NaN, 0, 0, 0])).map((f) => ({ f, k: 'feature' })),
        fc.constantFrom<unknown>(3, 0, -1, 1.5, 'x', NaN).map((v) => ({ o: { numFeatures: v }, k: 'numFeatures' })),
        fc.constantFrom<unknown>(1, -1, 1.5, 'x', 2 ** 24 + 1).map((v) => ({ o: { numClasses: v }, k: 'numClasses' })),
        fc.constantFrom<unknown>(null, 1, 'x').map((o) => ({ o, k: 'options' })),
      ),
      call: (v: Record<string, unknown>) => new Dataset(('f' in v ? v.f : new Float32Array(4)) as Float32Array, ('t' in v ? v.t : Int32Array.from([0, 1])) as Int32Array, v.o as never),
      names: ({ k }: { k: string }) => named(k),
    },
    { what: 'dataset.subset(bad indices)', gen: fc.oneof(fc.constantFrom<unknown>(null, 3, 'ab', {}), fc.array(fc.oneof(fc.integer({ min: 10, max: 1e6 }), fc.constantFrom(-1, 0.5, NaN)), { minLength: 1, maxLength: 3 })), call: (ix) => cls.subset(ix as number[]), names: named('indices', 'index') },
    { what: 'new Random(bad seed)', gen: notNonNegInt, call: (s) => new Random(s as number), names: named('seed') },
    { what: 'random.setState(bad words)', gen: badWords, call: (w) => rng.setState(w as number[]), names: named('state'), extra: rngState },
    { what: 'random.int / permutation(bad n)', gen: fc.tuple(fc.boolean(), fc.oneof(notPositiveInt, fc.constant(0))).filter(([perm, n]) => !(perm && n === 0) && !(!perm && Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= 2 ** 32)), call: ([perm, n]) => (perm ? rng.permutation(n as number) : rng.int(n as number)), names: named('n'), extra: rngState },
  ]);
});

/** Per generator option, values it must refuse. */
const GEN_BAD: Record<string, fc.Arbitrary<unknown>> = {
  n: notPositiveInt,
  noise: notNonNegative,
  seed: notNonNegInt,
  factor: fc.oneof(notFinite, fc.constantFrom(0, 1, -0.5, 1.5)),
  arms: notPositiveInt,
  turns: notPositive,
  centers: fc.constantFrom<unknown>(0, -1, 1.5, 'x', null, [], [[1], [1, 2]], [['a']], [[NaN]]),
  dim: notPositiveInt,
  std: notNonNegative,
  box: notNonNegative,
  weights: fc.constantFrom<unknown>(null, 'w', [NaN], ['1'], []),
  bias: notFinite,
  coefficients: fc.constantFrom<unknown>(null, [], 'c', [NaN], ['1']),
  expand: notBoolean,
  classes: fc.oneof(notPositiveInt, fc.constant(2 ** 24 + 1)),
  condition: fc.oneof(notFinite, fc.constantFrom(0, 0.5, -1)),
};
const GEN_KEYS: Record<string, string[]> = {
  spirals: ['n', 'noise', 'seed', 'arms', 'turns'],
  moons: ['n', 'noise', 'seed'],
  circles: ['n', 'noise', 'seed', 'factor'],
  xor: ['n', 'noise', 'seed'],
  blobs: ['n', 'seed', 'centers', 'dim', 'std', 'box'],
  linear: ['n', 'noise', 'seed', 'dim', 'weights', 'bias'],
  polynomial: ['n', 'noise', 'seed', 'coefficients', 'expand'],
  'random-labels': ['n', 'seed', 'dim', 'classes'],
  'ill-conditioned': ['n', 'noise', 'seed', 'dim', 'condition'],
};
const genCases: BadCase<any>[] = [];
for (const [name, keys] of Object.entries(GEN_KEYS)) {
  const make = (GENERATORS as Record<string, (o?: object) => Dataset>)[name];
  const base = { n: 8 };
  for (const k of keys) {
    genCases.push({ what: `${name}({ ${k}: bad })`, gen: GEN_BAD[k], call: (v) => make({ ...base, [k]: v }), names: named(k), runs: Math.ceil(RUNS / 6) });
  }
  genCases.push(
    { what: `${name}({ unknown key })`, gen: unknownKey(keys), call: (k) => make({ ...base, [k]: 1 }), names: (k: string) => keyRe(k), runs: Math.ceil(RUNS / 6) },
    { what: `${name}(options not an object)`, gen: notOptions, call: (o) => make(o as object), names: named('options'), runs: 6 },
  );
}
describe('fuzz: generators', () => {
  fuzzCases(E, genCases);
});
