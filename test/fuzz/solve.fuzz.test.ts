// Fuzz: engine.minimize (src/solve/) and the structure steps (src/structure/: prox, project,
// gradientSurgery). Every generated bad call must throw a WasmgradError naming the argument
// and change nothing: the wasm memory (the tensor a step would write, the gradients a
// surgery would sum), the arena's counters, and minimize's objective (never called).
import { beforeAll, describe } from 'vitest';
import { gradientSurgery, init, project, prox, type Engine, type Tensor } from '../../src/index.js';
import { fc, fuzzCases, keyRe, named, notBoolean, notFinite, notNonNegative, notNumber, notOptions, notPositive, unknownKey } from './fuzz.js';

let engine: Engine;
let other: Engine;
let w: Tensor, g1: Tensor, g2: Tensor, out: Tensor;
let bad: Record<string, Tensor>;
let calls = 0;
/** f(x) = Σ (x_i − 1)², gradient into g; counts its calls (a rejected minimize calls it never). */
const fun = (x: Float64Array, g?: Float64Array): number => {
  calls++;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += (x[i] - 1) ** 2;
    if (g) g[i] = 2 * (x[i] - 1);
  }
  return s;
};

beforeAll(async () => {
  engine = await init();
  other = await init();
  w = engine.tensor([3, 4], Array.from({ length: 12 }, (_, i) => i / 4 - 1.5));
  g1 = engine.tensor([12], Array.from({ length: 12 }, (_, i) => Math.sin(i)));
  g2 = engine.tensor([12], Array.from({ length: 12 }, (_, i) => Math.cos(i)));
  out = engine.tensor([12]);
  const dead = engine.tensor([12]);
  dead.dispose();
  bad = { dead, foreign: other.tensor([12]), short: engine.tensor([11]) };
});
const E = () => engine;
const lazy = (...keys: string[]) => fc.constantFrom(...keys).map((k) => ({ lazy: k }));
const resolve = (v: unknown): unknown => (v && typeof v === 'object' && 'lazy' in v ? bad[(v as { lazy: string }).lazy] : v);
const callsMade = () => calls;

const MIN_KEYS = ['method', 'hess', 'hessp', 'bounds', 'jac', 'tol', 'gtol', 'xtol', 'ftol', 'maxIter', 'maxEval', 'callback', 'signal', 'history', 'm', 'beta', 'lineSearch', 'initialRadius', 'maxRadius', 'adaptive', 'damping', 'core', 'prox', 'project', 'lipschitz'];

describe('fuzz: engine.minimize', () => {
  fuzzCases(E, [
    { what: 'minimize(bad fun)', gen: fc.constantFrom<unknown>(null, undefined, 1, 'f', {}, [fun]), call: (f) => engine.minimize(f as never, [0, 0]), names: named('fun'), extra: callsMade },
    {
      what: 'minimize(fun, bad x0)',
      gen: fc.oneof(fc.constantFrom<unknown>(null, undefined, 1, 'x', {}, []), fc.array(fc.oneof(notFinite, fc.constant(0)), { minLength: 1, maxLength: 3 }).filter((a) => a.some((v) => typeof v !== 'number' || !Number.isFinite(v)))),
      call: (x0) => engine.minimize(fun, x0 as number[]),
      names: named('x0'),
      extra: callsMade,
    },
    {
      what: 'minimize(fun, x0, bad options)',
      gen: fc.oneof(
        notOptions.map((o) => ({ o, k: 'options' })),
        fc.oneof(notNumber, fc.constantFrom<unknown>('BFGS', 'lbfgs-b', 'newton-raphson', '')).map((v) => ({ o: { method: v }, k: 'method' })),
        fc.constantFrom<unknown>(false, 'central', 2, null).map((v) => ({ o: { jac: v }, k: 'jac' })),
        fc.constantFrom('hess', 'hessp', 'callback').chain((k) => fc.constantFrom<unknown>(1, 'f', {}, null).map((v) => ({ o: { [k]: v }, k }))),
        fc.constantFrom('tol', 'gtol', 'xtol', 'ftol').chain((k) => notNonNegative.map((v) => ({ o: { [k]: v }, k }))),
        fc.constantFrom('maxIter', 'maxEval').chain((k) => fc.oneof(notNumber, fc.constantFrom(NaN, -Infinity, -1, 0.5)).map((v) => ({ o: { [k]: v }, k }))),
        fc.oneof(notNumber, fc.constantFrom(NaN, -1, 0, 0.5)).map((v) => ({ o: { m: v }, k: 'm' })),
        fc.constantFrom<unknown>('PR', 'hs', 1, null).map((v) => ({ o: { beta: v }, k: 'beta' })),
        fc.constantFrom<unknown>('wolfe', 'armijo', 1, null).map((v) => ({ o: { lineSearch: v }, k: 'lineSearch' })),
        fc.constantFrom('initialRadius', 'maxRadius').chain((k) => notPositive.map((v) => ({ o: { method: 'trust-ncg', [k]: v }, k }))),
        fc.constantFrom('history', 'adaptive', 'damping').chain((k) => notBoolean.map((v) => ({ o: { [k]: v }, k }))),
        fc.constantFrom<unknown>(1, {}, 'abort', null).map((v) => ({ o: { signal: v }, k: 'signal' })),
        fc.constantFrom<unknown>(1, 'b', [0], [[0, 1]], [[1, 0], [0, 1]], [2, 1], [NaN, 1], [[0, 1], [0, 1], [0, 1]]).map((v) => ({ o: { method: 'lbfgsb', bounds: v }, k: 'bounds' })),
        fc.constant({ o: { method: 'bfgs', bounds: [0, 1] }, k: 'bounds' }),
        unknownKey(MIN_KEYS).map((k) => ({ o: { [k]: 1 }, k })),
      ),
      call: ({ o }) => engine.minimize(fun, [0, 0], o as never),
      names: ({ k }: { k: string }) => keyRe(k),
      extra: callsMade,
    },
  ]);
});

const notStepSize = fc.oneof(notFinite, fc.constantFrom(-1, -1e-9));
const badTensor = fc.oneof(notNumber, fc.constantFrom<unknown>(null, undefined), lazy('dead'));
/** For gradientSurgery, which needs all tensors of one engine: another engine's too. */
const badGrad = fc.oneof(badTensor, lazy('foreign'));

describe('fuzz: prox, project, gradientSurgery', () => {
  fuzzCases(E, [
    {
      what: 'prox.* / project.* (bad parameters)',
      gen: fc.oneof(
        fc.constantFrom('l1', 'l2').chain((n) => fc.oneof(notFinite, fc.constantFrom(-1)).map((v) => ({ make: () => (prox as any)[n](v), k: 'lambda' }))),
        fc.oneof(notFinite, fc.constantFrom(-1)).map((v) => ({ make: () => prox.elasticNet(v as number, 0.1), k: 'lambda1' })),
        fc.oneof(notFinite, fc.constantFrom(-1)).map((v) => ({ make: () => prox.elasticNet(0.1, v as number), k: 'lambda2' })),
        fc.oneof(notFinite, fc.constantFrom(-1)).map((v) => ({ make: () => prox.groupLasso(v as number), k: 'lambda' })),
        fc.constantFrom<unknown>(null, 1, 'rows').map((v) => ({ make: () => prox.groupLasso(0.1, v as never), k: 'options' })),
        unknownKey(['groups', 'shape']).map((key) => ({ make: () => prox.groupLasso(0.1, { [key]: 1 } as never), k: key })),
        fc.constantFrom<unknown>('diagonal', 1, null, [[0, 1], [1, 2]], [[-1]], [['a']]).map((v) => ({ make: () => prox.groupLasso(0.1, { groups: v } as never), k: 'groups' })),
        fc.constantFrom<unknown>([NaN, 1], ['a', 1], [2, 1], [null, 1]).map(([lo, hi]) => ({ make: () => project.box(lo as number, hi as number), k: 'lo|hi' })),
        fc.constantFrom('l2Ball', 'l1Ball').chain((n) => notNonNegative.filter((v) => v !== undefined).map((v) => ({ make: () => (project as any)[n](v), k: 'radius' }))),
        notPositive.filter((v) => v !== undefined).map((v) => ({ make: () => project.simplex(v as number), k: 's' })),
        fc.constantFrom<unknown>(null, 1, {}, { step: 0, min: -1, max: 1 }, { step: 1, min: 1, max: -1 }, { step: 1, min: NaN, max: 1 }, { step: 1e-30, min: -1, max: 1 }).map((v) => ({ make: () => project.grid(v as never), k: 'options|step|min|max' })),
        unknownKey(['step', 'min', 'max']).map((key) => ({ make: () => project.grid({ step: 1, min: -1, max: 1, [key]: 1 } as never), k: key })),
      ),
      call: ({ make }) => make(),
      names: ({ k }: { k: string }) => new RegExp(k.split('|').map((s) => s.replace(/[.*+?^${}()[\]\\]/g, '\\$&')).join('|')),
    },
    {
      what: 'step.apply(bad tensor or stepSize)',
      gen: fc.oneof(badTensor.map((t) => ({ t, k: 'tensor' })), notStepSize.map((s) => ({ s, k: 'stepSize' }))),
      call: (v: { t?: unknown; s?: unknown }) => prox.l1(0.1).apply(('t' in v ? resolve(v.t) : w) as Tensor, ('s' in v ? v.s : 1) as number),
      names: ({ k }: { k: string }) => named(k),
    },
    {
      what: 'step.on(bad regions) and regions that do not fit the tensor',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, 1, 'w', {}, [{}], [{ offset: 0.5, length: 2 }], [{ offset: 'a', length: 2 }]).map((r) => ({ r, at: 'on' })),
        fc.constantFrom<unknown>({ offset: -1, length: 2 }, { offset: 0, length: 13 }, { offset: 11, length: 2 }, [{ offset: 0, length: 6 }, { offset: 3, length: 6 }], { offset: 0, shape: [5, 5] }).map((r) => ({ r, at: 'apply' })),
      ),
      call: ({ r }) => prox.groupLasso(0.1, { groups: 'rows' }).on(r as never).apply(w),
      names: named('regions', 'region', 'offset', 'length', 'shape', 'overlap'),
    },
    { what: 'project.box with tensor bounds of another size', gen: fc.constantFrom('lo', 'hi'), call: (k) => (k === 'lo' ? project.box(bad.short, 1) : project.box(0, bad.short)).apply(g1), names: (k: string) => named(k), runs: 4 },
    {
      what: 'gradientSurgery.*(bad grads or out)',
      gen: fc.tuple(
        fc.constantFrom('sum', 'pcgrad', 'mgda'),
        fc.oneof(
          fc.constantFrom<unknown>(null, 1, [], 'g').map((g) => ({ g, k: 'grads' })),
          fc.oneof(badGrad, lazy('short')).map((t) => ({ g: ['g1', t], k: 'grads' })),
          fc.oneof(badGrad, lazy('short')).map((t) => ({ o: t, k: 'out' })),
          fc.constant({ o: 'g1', k: 'out' }),
        ),
      ),
      call: ([m, v]: [string, { g?: unknown; o?: unknown }]) => {
        const grads = 'g' in v ? (Array.isArray(v.g) ? v.g.map((x) => (x === 'g1' ? g1 : resolve(x))) : v.g) : [g1, g2];
        const o = 'o' in v ? (v.o === 'g1' ? g1 : resolve(v.o)) : out;
        return (gradientSurgery as any)[m](grads, o);
      },
      names: ([, v]: [string, { k: string }]) => named(v.k),
    },
    { what: 'gradientSurgery.pcgrad(grads, out, bad options)', gen: fc.oneof(notOptions.map((o) => ({ o, k: 'options' })), fc.constantFrom<unknown>(-1, 0.5, 'x', null).map((s) => ({ o: { seed: s }, k: 'seed' })), unknownKey(['seed']).map((key) => ({ o: { [key]: 1 }, k: key }))), call: ({ o }) => gradientSurgery.pcgrad([g1, g2], out, o as never), names: ({ k }: { k: string }) => keyRe(k) },
  ]);
});
