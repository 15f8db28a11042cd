// Fuzz: checkpoints (encode, decode, apply, save, load), fit, evaluate/predict
// (src/checkpoint/, src/train/). Every generated bad call must throw (or reject with) a
// WasmgradError naming the argument (for a corrupted checkpoint: the file) and change
// nothing: the wasm memory (parameters, gradients, moments, RNG), the arena's counters,
// the optimizer's state() and the model's mode.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe } from 'vitest';
import {
  applyCheckpoint, Dataset, decodeCheckpoint, encodeCheckpoint, evaluate, fit, init, loadCheckpoint, predict, saveCheckpoint,
  type Engine, type Optimizer, type Sequential,
} from '../../src/index.js';
/** Not a count >= 1 (huge safe integers are valid counts: a batch size is capped by the data). */
const notCountGen = () => notPositiveInt.filter((v) => !(Number.isSafeInteger(v) && (v as number) >= 1));
import { fc, fuzzCases, fuzzCasesAsync, keyRe, named, notBoolean, notNonNegInt, notOptions, notPositiveInt, RUNS, unknownKey } from './fuzz.js';

let engine: Engine;
let model: Sequential;
let opt: Optimizer<any>;
let data: Dataset;
let reg: Dataset;
let good: { weights: Uint8Array; sidecar: string };
let dir: string;
/** a model of other layer sizes and an optimizer of another kind, made before any fingerprint */
let otherModel: Sequential;
let otherOpt: Optimizer<any>;

beforeAll(async () => {
  engine = await init();
  model = engine.nn.mlp([2, 4, 3], { seed: 1, dropout: 0.1 });
  opt = engine.optim.adam(model, { lr: 0.01 });
  data = new Dataset(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), Int32Array.from({ length: 12 }, (_, i) => i % 3), { name: 'toy' });
  reg = new Dataset(Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)), Float32Array.from({ length: 24 }, (_, i) => i / 24), { numFeatures: 2, name: 'reg' }); // 2 targets per row, the model has 3 outputs
  // one real run, so the optimizer has moments and the model a plan
  await fit(model, { data, epochs: 1, batchSize: 4, optimizer: opt, seed: 3 });
  good = encodeCheckpoint(model, { optimizer: opt, training: { epoch: 1 } });
  otherModel = engine.nn.mlp([2, 5, 3]);
  otherOpt = engine.optim.sgd(model, { lr: 0.1, momentum: 0.9 });
  dir = mkdtempSync(join(tmpdir(), 'wasmgrad-fuzz-'));
  await saveCheckpoint(dir, model, { optimizer: opt });
});
const E = () => engine;
/** Fixtures named in generators (built before beforeAll ran) and resolved at call time. */
const ref = (v: unknown): unknown => (v === 'MODEL' ? model : v === 'OPT' ? opt : v === 'REG' ? reg : v);
const state = () => [opt.state(), opt.stepCount, model.training, model.rngState()];

/** One changed byte of the weights file, or one changed character of the sidecar. */
const corruptWeights = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }));
const corruptSidecar = fc.tuple(fc.nat(), fc.constantFrom('0', 'A', '"', '}', ' ', '9', 'x'));

describe('fuzz: checkpoints', () => {
  fuzzCases(E, [
    { what: 'encodeCheckpoint(bad model)', gen: fc.constantFrom<unknown>(null, undefined, 1, {}, 'model', 'OPT'), call: (m) => encodeCheckpoint(ref(m) as never), names: named('model') },
    {
      what: 'encodeCheckpoint(model, bad options)',
      gen: fc.oneof(
        notOptions.map((o) => ({ o, k: 'options' })),
        fc.constantFrom<unknown>(1, 'adam', {}, 'MODEL').map((v) => ({ o: { optimizer: v }, k: 'optimizer' })),
        fc.constantFrom<unknown>(1, 'x', [1]).map((v) => ({ o: { training: v }, k: 'training' })),
        fc.constantFrom<unknown>(1, 'x', { a: 1 }, { a: null }).map((v) => ({ o: { metadata: v }, k: 'metadata' })),
        unknownKey(['optimizer', 'training', 'metadata']).map((k) => ({ o: { [k]: 1 }, k })),
      ),
      call: ({ o }) => encodeCheckpoint(model, (o && typeof o === 'object' && 'optimizer' in o ? { optimizer: ref((o as { optimizer: unknown }).optimizer) } : o) as never),
      names: ({ k }: { k: string }) => keyRe(k),
    },
    {
      what: 'decodeCheckpoint(bad arguments)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 1, 'w', [1, 2], new Int8Array(8)).map((w) => ({ w, k: 'weights' })),
        fc.constantFrom<unknown>(1, {}, new Uint8Array(2)).map((s) => ({ w: good.weights, s, k: 'sidecar' })),
      ),
      call: ({ w, s }) => decodeCheckpoint(w as Uint8Array, s as string),
      names: ({ k }: { k: string }) => named(k),
    },
    {
      what: 'decodeCheckpoint(one byte of the weights changed)',
      gen: corruptWeights,
      call: ([i, d]) => {
        const w = good.weights.slice();
        w[i % w.length] ^= d;
        return decodeCheckpoint(w, good.sidecar, 'ck');
      },
      names: /\bck\b/,
    },
    {
      what: 'decodeCheckpoint(one character of the sidecar changed)',
      gen: corruptSidecar.filter(([i, c]) => good.sidecar[i % good.sidecar.length] !== c),
      call: ([i, c]) => {
        const at = i % good.sidecar.length;
        return decodeCheckpoint(good.weights, good.sidecar.slice(0, at) + c + good.sidecar.slice(at + 1), 'ck');
      },
      names: /\bck\b/,
    },
    { what: 'decodeCheckpoint(a truncated weights file)', gen: fc.nat(), call: (n) => decodeCheckpoint(good.weights.subarray(0, n % good.weights.length), good.sidecar, 'ck'), names: /\bck\b/ },
    {
      what: 'applyCheckpoint(bad model, checkpoint or options)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, 1, {}, 'OPT').map((m) => ({ m, k: 'model' })),
        fc.constantFrom<unknown>(null, 1, {}, { params: [] }).map((c) => ({ c, k: 'checkpoint|ckpt' })),
        notOptions.map((o) => ({ o, k: 'options' })),
        fc.constantFrom<unknown>(1, 'adam', {}).map((v) => ({ o: { optimizer: v }, k: 'optimizer' })),
        unknownKey(['optimizer', 'file']).map((k) => ({ o: { [k]: 1 }, k })),
        fc.constantFrom('other-size', 'other-optimizer').map((w) => ({ w, k: 'optimizer|parameters|model|shape|does not fit' })),
      ),
      call: (v: Record<string, unknown>) => {
        const ck = decodeCheckpoint(good.weights, good.sidecar);
        if (v.w === 'other-size') return applyCheckpoint(otherModel as never, ck, { file: 'ck' });
        if (v.w === 'other-optimizer') return applyCheckpoint(model, ck, { optimizer: otherOpt, file: 'ck' });
        return applyCheckpoint(('m' in v ? ref(v.m) : model) as never, ('c' in v ? v.c : ck) as never, ('o' in v ? v.o : { optimizer: opt }) as never);
      },
      names: ({ k }: { k: string }) => new RegExp(k),
      extra: () => [...state(), otherOpt.state(), otherModel.parameters()],
      runs: 30,
    },
  ]);
  fuzzCasesAsync(E, [
    {
      what: 'saveCheckpoint(bad dir, model or options)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 1, {}, '').map((d) => ({ d, k: 'dir' })),
        fc.constantFrom<unknown>(null, 1, {}).map((m) => ({ m, k: 'model' })),
        fc.constantFrom<unknown>(null, 1, 'x').map((o) => ({ o, k: 'options' })),
        unknownKey(['optimizer', 'training', 'metadata', 'files']).map((k) => ({ o: { [k]: 1 }, k })),
      ),
      call: (v: Record<string, unknown>) => saveCheckpoint(('d' in v ? v.d : join(dir, 'never')) as string, ('m' in v ? v.m : model) as never, ('o' in v ? v.o : {}) as never),
      names: ({ k }: { k: string }) => keyRe(k),
      extra: state,
      runs: 20,
    },
    {
      what: 'loadCheckpoint(a missing dir, bad model or options)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, 1, {}, '').map((d) => ({ d, k: 'dir' })),
        fc.constant({ d: 'missing', k: 'missing' }),
        fc.constantFrom<unknown>(null, 1, {}).map((m) => ({ m, k: 'model' })),
        fc.constantFrom<unknown>(null, 1, 'x').map((o) => ({ o, k: 'options' })),
        unknownKey(['optimizer', 'files']).map((k) => ({ o: { [k]: 1 }, k })),
      ),
      call: (v: Record<string, unknown>) => loadCheckpoint((v.d === 'missing' ? join(dir, 'missing') : 'd' in v ? v.d : dir) as string, ('m' in v ? v.m : model) as never, ('o' in v ? v.o : { optimizer: opt }) as never),
      names: ({ k }: { k: string }) => keyRe(k),
      extra: state,
      runs: 20,
    },
  ]);
});

const FIT_KEYS = ['data', 'validation', 'loss', 'optimizer', 'schedule', 'epochs', 'batchSize', 'dropLast', 'shuffle', 'seed', 'trainMetrics', 'earlyStopping', 'callbacks', 'signal', 'resume', 'divergenceGuard', 'evalBatchSize', 'adversarial'];
const base = () => ({ data, epochs: 1, batchSize: 4, optimizer: opt });

describe('fuzz: fit, evaluate, predict', () => {
  fuzzCasesAsync(E, [
    {
      what: 'fit(model, bad options)',
      gen: fc.oneof(
        notOptions.map((o) => ({ o, k: 'options' })),
        fc.constantFrom<unknown>(null, 1, {}, new Float32Array(2)).map((v) => ({ p: { data: v }, k: 'data' })),
        notCountGen().map((v) => ({ p: { epochs: v }, k: 'epochs' })),
        notCountGen().map((v) => ({ p: { batchSize: v }, k: 'batchSize' })),
        notCountGen().map((v) => ({ p: { evalBatchSize: v }, k: 'evalBatchSize' })),
        notNonNegInt.map((v) => ({ p: { seed: v }, k: 'seed' })),
        fc.constantFrom('shuffle', 'dropLast', 'trainMetrics', 'divergenceGuard').chain((k) => notBoolean.map((v) => ({ p: { [k]: v }, k }))),
        fc.constantFrom<unknown>(null, 1, {}, 'adam').map((v) => ({ p: { optimizer: v }, k: 'optimizer' })),
        fc.constantFrom<unknown>(-0.1, 1, 1.5, NaN, 'x', 'REG').map((v) => ({ p: { validation: v }, k: 'validation' })),
        fc.constantFrom<unknown>('mse', 'l1', null, 3).map((v) => ({ p: { loss: v }, k: 'loss' })),
        fc.constantFrom<unknown>(null, 1, 'cos', {}).map((v) => ({ p: { schedule: v }, k: 'schedule' })),
        fc.constantFrom<unknown>(null, 1, {}, { patience: 0 }, { patience: 1.5 }, { patience: 2, minDelta: -1 }, { patience: 2, restoreBest: 'yes' }, { patience: 2, patiance: 3 }).map((v) => ({ p: { earlyStopping: v }, k: 'earlyStopping' })),
        fc.constantFrom<unknown>(1, 'x', [1], [null], { onEpochEnd: 1 }, [{ onBatchEnd: 'stop' }]).map((v) => ({ p: { callbacks: v }, k: 'callbacks' })),
        fc.constantFrom<unknown>(1, {}, 'abort').map((v) => ({ p: { signal: v }, k: 'signal' })),
        fc.constantFrom<unknown>(1, 'x', {}, { epoch: -3 }).map((v) => ({ p: { resume: v }, k: 'resume' })),
        unknownKey(FIT_KEYS).map((k) => ({ p: { [k]: 1 }, k })),
        fc.constant({ p: { data: reg }, k: 'data|features|targets|outputs|loss' }),
      ),
      call: (v: { o?: unknown; p?: Record<string, unknown> }) => fit(model, ('o' in v ? v.o : { ...base(), ...Object.fromEntries(Object.entries(v.p ?? {}).map(([k, x]) => [k, ref(x)])) }) as never),
      names: ({ k }: { k: string }) => new RegExp(k.replace(/^([^|]*)$/, (s) => s.replace(/[.*+?^${}()[\]\\]/g, '\\$&'))),
      extra: state,
      runs: 2 * RUNS,
    },
  ]);
  fuzzCases(E, [
    {
      what: 'evaluate / predict (bad data or options)',
      gen: fc.oneof(
        fc.tuple(fc.boolean(), fc.constantFrom<unknown>(null, 1, {}, 'REG', new Float32Array(3))).filter(([ev, d]) => ev || d !== 'REG').map(([ev, d]) => ({ ev, d, k: ev ? 'data|features|target' : 'input|features' })),
        fc.tuple(fc.boolean(), notOptions).map(([ev, o]) => ({ ev, o, k: 'options' })),
        fc.tuple(fc.boolean(), notCountGen()).map(([ev, b]) => ({ ev, o: { batchSize: b }, k: 'batchSize' })),
        fc.tuple(fc.boolean(), unknownKey(['batchSize', 'loss'])).map(([ev, key]) => ({ ev, o: { [key]: 1 }, k: key })),
      ),
      call: (v: { ev: boolean; d?: unknown; o?: unknown }) => (v.ev ? evaluate(model, ('d' in v ? ref(v.d) : data) as never, v.o as never) : predict(model, ('d' in v ? ref(v.d) : data) as never, v.o as never)),
      names: ({ k }: { k: string }) => new RegExp(k.replace(/[.*+?^${}()[\]\\]/g, (s) => (s === '|' ? s : `\\${s}`))),
      extra: state,
    },
  ]);
});
