// Fuzz: every optimizer (engine.optim.*), its methods, fromTransform, clipping (src/optim/).
// Every generated bad call must throw a WasmgradError naming the argument and change nothing:
// the wasm memory (parameters, gradients, moments, RNG states), the arena's counters, and opt.state().
import { beforeAll, describe } from 'vitest';
import { init, type Engine, type Optimizer, type ParameterVector, type Sequential } from '../../src/index.js';
import { adagradRule, adadeltaRule, rmspropRule } from '../../src/optim/adagrad.js';
import { adamaxRule, nadamRule, radamRule } from '../../src/optim/adam-variants.js';
import { adamRule, adamwRule, sparseAdamRule } from '../../src/optim/adam.js';
import { COMMON_KEYS } from '../../src/optim/group.js';
import { langevinRule, sgdRule } from '../../src/optim/sgd.js';
import {
  fc, fuzzCases, keyRe, named, RUNS, notBoolean, notNonNegInt, notNonNegative, notNumber, notOptions, notPositive, notPositiveInt, outside, unknownKey, type BadCase,
} from './fuzz.js';

let engine: Engine;
let other: Engine;
let x: ParameterVector;
let model: Sequential;
let gone: ParameterVector;
let foreign: ParameterVector;
let opts: Record<string, Optimizer<any>>;
let deadOpt: Optimizer<any>;
let orphanOpt: Optimizer<any>;

const RULES = { sgd: sgdRule, adam: adamRule, adamw: adamwRule, adagrad: adagradRule, rmsprop: rmspropRule, adadelta: adadeltaRule, adamax: adamaxRule, nadam: nadamRule, radam: radamRule, sparseAdam: sparseAdamRule, langevin: langevinRule } as const;
type Name = keyof typeof RULES;
const NAMES = Object.keys(RULES) as Name[];
/** Options every optimizer needs to be valid (sgd has no default lr; sparseAdam needs rows). */
const BASE: Partial<Record<Name, Record<string, unknown>>> = { sgd: { lr: 0.1 }, sparseAdam: { dim: 3 } };

beforeAll(async () => {
  engine = await init();
  other = await init();
  x = engine.vector(12, Array.from({ length: 12 }, (_, i) => i / 7 - 0.5));
  x.grads.set(Array.from({ length: 12 }, (_, i) => (i % 5) - 2));
  model = engine.nn.mlp([3, 4, 2], { seed: 3 });
  gone = engine.vector(4);
  gone.dispose();
  foreign = other.vector(12);
  opts = {};
  for (const n of NAMES) {
    const o = engine.optim[n](x, { ...BASE[n] } as never);
    o.step(n === 'sparseAdam' ? [0, 3] : undefined);
    opts[n] = o;
  }
  deadOpt = engine.optim.adam(x);
  deadOpt.dispose();
  const m2 = engine.vector(5);
  orphanOpt = engine.optim.adam(m2);
  m2.dispose();
});
const E = () => engine;

/** Numbers (not functions: a function is a valid schedule for lr and momentum). */
const noFn = <T>(a: fc.Arbitrary<T>) => a.filter((v) => typeof v !== 'function');
const badBetas = fc.oneof(
  fc.constantFrom<unknown>(null, 'ab', 0.9, [0.9], [0.9, 0.999, 0.5], [1, 0.999], [0.9, 1], [-0.1, 0.9], [0.9, -1], [NaN, 0.9], [0.9, Infinity], ['0.9', 0.999], {}),
  fc.tuple(outside(0, 1, [1]), fc.constant(0.999)),
  fc.tuple(fc.constant(0.9), outside(0, 1, [1])),
);

/** The generator of bad values for an option, by name. */
function badFor(name: Name, key: string): fc.Arbitrary<unknown> | null {
  switch (key) {
    case 'lr': return noFn(notPositive);
    case 'momentum': return name === 'sgd' ? noFn(notNonNegative) : notNonNegative;
    case 'dampening': case 'alpha': case 'rho': return outside(0, 1);
    case 'weightDecay': case 'lrDecay': case 'initialAccumulatorValue': case 'temperature': case 'momentumDecay': return notNonNegative;
    case 'eps': return notPositive;
    case 'betas': return badBetas;
    case 'seed': return notNonNegInt;
    case 'dim': return fc.oneof(notNonNegInt, fc.constantFrom(0, 5, 7));
    case 'nesterov': case 'maximize': case 'heavyBall': case 'amsgrad': case 'biasCorrection': case 'centered': return notBoolean;
    default: return null;
  }
}

const makeCases: BadCase<any>[] = [];
for (const n of NAMES) {
  const known = [...Object.keys(RULES[n].defaults), ...COMMON_KEYS];
  for (const key of Object.keys(RULES[n].defaults)) {
    const gen = badFor(n, key);
    if (gen === null) throw new Error(`fuzz: no generator for ${n} option ${key}`);
    makeCases.push({ what: `${n}({ ${key}: bad })`, gen, call: (v) => engine.optim[n](x, { ...BASE[n], [key]: v } as never), names: named(key), runs: Math.ceil(RUNS / 2) });
  }
  makeCases.push(
    { what: `${n}({ unknown key })`, gen: unknownKey(known), call: (k) => engine.optim[n](x, { ...BASE[n], [k]: 1 } as never), names: (k: string) => keyRe(k), runs: Math.ceil(RUNS / 3) },
    { what: `${n}(x, options not an object)`, gen: notOptions, call: (v) => engine.optim[n](x, v as never), names: named('options'), runs: 6 },
    {
      what: `${n}(bad model)`,
      gen: fc.oneof(notNumber, fc.constantFrom<unknown>(null, undefined, 'gone', 'foreign')),
      call: (v) => engine.optim[n]((v === 'gone' ? gone : v === 'foreign' ? foreign : v) as never, { ...BASE[n] } as never),
      names: named('model'),
      runs: Math.ceil(RUNS / 3),
    },
    { what: `${n}({ fused: bad })`, gen: notBoolean, call: (v) => engine.optim[n](x, { ...BASE[n], fused: v } as never), names: named('fused'), runs: 10 },
    { what: `${n}({ guard: bad })`, gen: fc.oneof(notNumber, fc.constantFrom('Skip', 'none', 'zeros')), call: (v) => engine.optim[n](x, { ...BASE[n], guard: v } as never), names: named('guard'), runs: 10 },
    {
      what: `${n}({ groups: bad })`,
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, 'all', {}, [null], [{}], [{ offset: -1, length: 3 }], [{ offset: 0, length: 13 }], [{ offset: 0.5, length: 3 }], [{ offset: 0, length: 6 }, { offset: 3, length: 6 }]),
        fc.record({ offset: notNonNegInt, length: fc.constant(3) }).map((g) => [g]),
        fc.record({ offset: fc.constant(0), length: fc.oneof(notNonNegInt, fc.constantFrom(13, 2 ** 31)) }).map((g) => [g]),
      ),
      call: (v) => engine.optim[n](x, { ...BASE[n], groups: v } as never),
      names: named('groups'),
      runs: 20,
    },
  );
}

describe('fuzz: optimizer constructors', () => {
  fuzzCases(E, makeCases);
});

const stateOf = (o: Optimizer<any>) => () => [o.state(), o.stepCount, o.skippedSteps];
describe('fuzz: optimizer methods', () => {
  const methodCases: BadCase<any>[] = [];
  for (const n of NAMES) {
    methodCases.push({
      what: `${n}.loadState(bad state)`,
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 1, 'state', {}, []),
        fc.constantFrom(...NAMES.filter((m) => m !== n)).map((m) => ({ other: m })),
        fc.constantFrom('stepCount', 'kind', 'groups', 'buffers').map((k) => ({ drop: k })),
      ),
      call: (v) => {
        const o = opts[n];
        let s: unknown = v;
        if (v && typeof v === 'object' && 'other' in v) s = opts[(v as { other: Name }).other].state();
        if (v && typeof v === 'object' && 'drop' in v) {
          const st = o.state() as unknown as Record<string, unknown>;
          delete st[(v as { drop: string }).drop];
          s = st;
        }
        o.loadState(s as never);
      },
      names: named('state', 'loadState'),
      extra: () => stateOf(opts[n])(),
      runs: Math.ceil(RUNS / 3),
    });
  }
  methodCases.push(
    {
      what: 'sparseAdam.step(bad rows)',
      gen: fc.oneof(fc.constantFrom<unknown>(null, 'rows', 3, {}, [12], [-1], [0.5], [NaN], [0, 0], [0, 1, 2, 3, 0]), fc.array(fc.oneof(notNonNegInt, fc.integer({ min: 12, max: 1e9 })), { minLength: 1, maxLength: 3 })),
      call: (v) => opts.sparseAdam.step(v as number[]),
      names: named('rows'),
      extra: () => stateOf(opts.sparseAdam)(),
    },
    { what: 'disposed optimizer: step/state/zeroGrad', gen: fc.constantFrom('step', 'state', 'zeroGrad', 'loadState', 'snapshot'), call: (m) => (deadOpt as any)[m](m === 'loadState' ? opts.adam.state() : undefined), names: named('adam', 'dispose'), runs: 10 },
    { what: 'optimizer over a disposed model: step/zeroGrad/state', gen: fc.constantFrom('step', 'zeroGrad', 'snapshot'), call: (m) => (orphanOpt as any)[m](), names: named('model', 'dispose'), runs: 10 },
    { what: 'snapshot({ params: bad })', gen: notBoolean, call: (v) => opts.adam.snapshot({ params: v as boolean }), names: named('params'), extra: () => stateOf(opts.adam)() },
  );
  fuzzCases(E, methodCases);
});

describe('fuzz: fromTransform, clipping', () => {
  fuzzCases(E, [
    {
      what: 'fromTransform(x, bad transform)',
      gen: fc.oneof(notNumber, fc.constantFrom<unknown>(null, undefined, 'adam', { init: 1 }, { update: () => 0 })),
      call: (t) => engine.optim.fromTransform(x, t as never),
      names: named('transform'),
    },
    { what: 'clipGradNorm(x, bad maxNorm)', gen: notPositive, call: (v) => engine.optim.clipGradNorm(x, v as number), names: named('maxNorm') },
    { what: 'clipGradValue(x, bad clipValue)', gen: notPositive, call: (v) => engine.optim.clipGradValue(x, v as number), names: named('clipValue') },
    {
      what: 'clipGradNorm/Value(bad model)',
      gen: fc.tuple(fc.boolean(), fc.oneof(notNumber, fc.constantFrom<unknown>(null, undefined, 'gone', 'foreign'))),
      call: ([norm, v]) => {
        const m = (v === 'gone' ? gone : v === 'foreign' ? foreign : v) as never;
        return norm ? engine.optim.clipGradNorm(m, 1) : engine.optim.clipGradValue(m, 1);
      },
      names: named('model'),
    },
    {
      what: 'clipGradNorm(x, 1, { spans: bad })',
      gen: fc.constantFrom<unknown>(null, 'all', 3, [null], [{ offset: -1, length: 2 }], [{ offset: 0, length: 13 }], [{ offset: 11, length: 2 }], [{ offset: 0.5, length: 2 }], [{}]),
      call: (s) => engine.optim.clipGradNorm(x, 1, { spans: s as never }),
      names: named('spans'),
      runs: 20,
    },
    {
      what: 'clipGradNorm(x, 1, unknown option)',
      gen: unknownKey(['spans', 'errorIfNonfinite']),
      call: (k) => engine.optim.clipGradNorm(x, 1, { [k]: true } as never),
      names: (k: string) => keyRe(k),
      runs: 20,
    },
    {
      what: 'clipGradNorm/Value with another model\'s optimizer state untouched (mlp)',
      gen: notPositive,
      call: (v) => engine.optim.clipGradNorm(model, v as number),
      names: named('maxNorm'),
      runs: 20,
    },
  ]);
});
