// Fuzz: every schedule builder of `schedules` (options, unknown keys, the step argument),
// reduceOnPlateau / piController (update, loadState) and armijo (src/schedule/).
// Schedules need no engine; the engine fingerprint is still checked (nothing may reach it),
// and the stateful ones' state() must be unchanged by a rejected call.
import { beforeAll, describe } from 'vitest';
import { init, schedules, type Engine, type Schedule } from '../../src/index.js';
import {
  fc, fuzzCases, keyRe, named, notBoolean, notFinite, notNonNegInt, notOptions, notPositive, notPositiveInt, notNonNegative, outside, RUNS, unknownKey, type BadCase,
} from './fuzz.js';

let engine: Engine;
beforeAll(async () => {
  engine = await init();
});
const E = () => engine;

const cos = schedules.cosineAnnealing({ lr: 0.1, tMax: 10 });
const notSchedule = fc.constantFrom<unknown>(null, undefined, 0.1, 'cos', {}, [1]);
const badMilestones = fc.constantFrom<unknown>(null, 5, 'a', {}, [-1], [0.5], [NaN], [3, 3], [4, 2], ['1']);
const notUnitOpen = outside(0, 1, [1]);
/** Not a step count >= 1 (huge safe integers are valid counts here, unlike sizes). */
const notCount = notPositiveInt.filter((v) => !(Number.isSafeInteger(v) && (v as number) >= 1));

/** Each builder: valid base options and, per key, a generator of values it must refuse. */
interface Builder {
  build: (o: unknown) => unknown;
  base: Record<string, unknown>;
  bad: Record<string, fc.Arbitrary<unknown>>;
}
const B: Record<string, Builder> = {
  constant: { build: (o) => schedules.constant(o as never), base: { lr: 0.1 }, bad: { lr: notPositive, factor: notNonNegative, totalIters: notNonNegInt } },
  step: { build: (o) => schedules.step(o as never), base: { lr: 0.1, stepSize: 3 }, bad: { lr: notPositive, stepSize: notCount, gamma: notPositive } },
  multistep: { build: (o) => schedules.multistep(o as never), base: { lr: 0.1, milestones: [2, 5] }, bad: { lr: notPositive, milestones: badMilestones, gamma: notPositive } },
  exponential: { build: (o) => schedules.exponential(o as never), base: { lr: 0.1, gamma: 0.9 }, bad: { lr: notPositive, gamma: notPositive } },
  polynomial: { build: (o) => schedules.polynomial(o as never), base: { lr: 0.1, totalSteps: 10 }, bad: { lr: notPositive, totalSteps: notCount, power: notPositive, endLr: fc.oneof(notNonNegative, fc.constantFrom(0.2, 1)) } },
  linear: { build: (o) => schedules.linear(o as never), base: { lr: 0.1 }, bad: { lr: notPositive, startFactor: outside(0, 1), endFactor: outside(0, 1), totalIters: notCount } },
  cosineAnnealing: { build: (o) => schedules.cosineAnnealing(o as never), base: { lr: 0.1, tMax: 10 }, bad: { lr: notPositive, tMax: notPositive, etaMin: fc.oneof(notNonNegative, fc.constant(0.5)), clamp: notBoolean } },
  cosineWarmRestarts: { build: (o) => schedules.cosineWarmRestarts(o as never), base: { lr: 0.1, t0: 4 }, bad: { lr: notPositive, t0: notCount, tMult: notCount, etaMin: fc.oneof(notNonNegative, fc.constant(0.5)) } },
  sequential: {
    build: (o) => schedules.sequential(o as never),
    base: { schedules: [cos, cos], milestones: [5] },
    bad: { schedules: fc.oneof(notSchedule, fc.constantFrom<unknown>([], [cos, 1], [null])), milestones: fc.oneof(badMilestones, fc.constantFrom<unknown>([], [0], [2, 4])) },
  },
  chained: { build: (o) => schedules.chained(o as never), base: { schedules: [cos, schedules.step({ lr: 0.1, stepSize: 2 })] }, bad: { schedules: fc.oneof(notSchedule, fc.constantFrom<unknown>([], [cos, (t: number) => t], [cos, schedules.step({ lr: 0.2, stepSize: 2 })])) } },
  linearWarmup: { build: (o) => schedules.linearWarmup(cos, o as never), base: { warmupSteps: 3 }, bad: { warmupSteps: notCount, startFactor: outside(0, 1) } },
  warmupCosine: {
    build: (o) => schedules.warmupCosine(o as never),
    base: { lr: 0.1, warmupSteps: 2, totalSteps: 10 },
    bad: { lr: notPositive, warmupSteps: fc.oneof(notCount, fc.constantFrom(10, 11)), totalSteps: fc.oneof(notCount, fc.constant(2)), startFactor: outside(0, 1), etaMin: fc.oneof(notNonNegative, fc.constant(1)) },
  },
  cyclic: {
    build: (o) => schedules.cyclic(o as never),
    base: { lr: 0.01, maxLr: 0.1 },
    bad: {
      lr: notPositive, maxLr: fc.oneof(notPositive, fc.constant(0.001)), stepSizeUp: notCount, stepSizeDown: notCount,
      mode: fc.oneof(notBoolean, fc.constantFrom('exp_range', 'Triangular')), gamma: notPositive, baseMomentum: notUnitOpen, maxMomentum: notUnitOpen,
    },
  },
  oneCycle: {
    build: (o) => schedules.oneCycle(o as never),
    base: { maxLr: 0.1, totalSteps: 20 },
    bad: {
      maxLr: notPositive, totalSteps: notCount, pctStart: outside(0, 1), anneal: fc.oneof(notBoolean, fc.constantFrom('cosine', 'Linear')),
      divFactor: notPositive, finalDivFactor: notPositive, threePhase: notBoolean, baseMomentum: notUnitOpen, maxMomentum: notUnitOpen,
    },
  },
  reduceOnPlateau: {
    build: (o) => schedules.reduceOnPlateau(o as never),
    base: { lr: 0.1 },
    bad: {
      lr: notPositive, mode: fc.oneof(notBoolean, fc.constant('minimum')), factor: fc.oneof(notPositive, fc.constantFrom(1, 2)), patience: notNonNegInt, threshold: notNonNegative,
      thresholdMode: fc.oneof(notBoolean, fc.constant('relative')), cooldown: notNonNegInt, minLr: notNonNegative, eps: notNonNegative,
    },
  },
  piController: {
    build: (o) => schedules.piController(o as never),
    base: { lr: 0.1, setpoint: 0.5 },
    bad: { lr: notPositive, setpoint: notPositive, kp: notFinite, ki: notFinite, minLr: notPositive, maxLr: notPositive, error: fc.oneof(notBoolean, fc.constant('abs')) },
  },
  armijo: { build: (o) => schedules.armijo(o as never), base: {}, bad: { c: outside(0, 1, []), shrink: outside(0, 1, []), maxTries: notCount, initial: notPositive } },
};

const builderCases: BadCase<any>[] = [];
for (const [name, b] of Object.entries(B)) {
  for (const [key, gen] of Object.entries(b.bad)) {
    builderCases.push({ what: `${name}({ ${key}: bad })`, gen, call: (v) => b.build({ ...b.base, [key]: v }), names: named(key), runs: Math.ceil(RUNS / 4) });
  }
  builderCases.push(
    { what: `${name}({ unknown key })`, gen: unknownKey(Object.keys(b.bad)), call: (k) => b.build({ ...b.base, [k]: 1 }), names: (k: string) => keyRe(k), runs: Math.ceil(RUNS / 4) },
    { what: `${name}(options not an object)`, gen: notOptions, call: (o) => b.build(o), names: named('options'), runs: 6 },
  );
}
/** A missing required option is named too. */
for (const [name, b] of Object.entries(B)) {
  const required = Object.keys(b.base);
  if (required.length === 0) continue;
  builderCases.push({
    what: `${name}(a required option missing)`,
    gen: fc.constantFrom(...required),
    call: (k) => {
      const o = { ...b.base };
      delete o[k];
      return b.build(o);
    },
    names: (k: string) => named(k),
    runs: required.length,
  });
}

describe('fuzz: schedule builders', () => {
  fuzzCases(E, builderCases);
});

const built: Record<string, Schedule> = {
  constant: schedules.constant({ lr: 0.1 }),
  multistep: schedules.multistep({ lr: 0.1, milestones: [2] }),
  cosineWarmRestarts: schedules.cosineWarmRestarts({ lr: 0.1, t0: 3, tMult: 2 }),
  sequential: schedules.sequential({ schedules: [cos, cos], milestones: [3] }),
  warmupCosine: schedules.warmupCosine({ lr: 0.1, warmupSteps: 2, totalSteps: 10 }),
  cyclic: schedules.cyclic({ lr: 0.01, maxLr: 0.1 }),
  oneCycle: schedules.oneCycle({ maxLr: 0.1, totalSteps: 20 }),
};
const plateau = schedules.reduceOnPlateau({ lr: 0.1, patience: 1 });
plateau.update(1);
const pi = schedules.piController({ lr: 0.1, setpoint: 0.5 });
pi.update(0.4);

describe('fuzz: schedule calls and stateful schedules', () => {
  fuzzCases(E, [
    {
      what: 'schedule(bad step)',
      gen: fc.tuple(fc.constantFrom(...Object.keys(built)), fc.oneof(notNonNegInt.filter((v) => v !== 2 ** 53), fc.constantFrom(-0.5))),
      call: ([n, t]) => built[n](t as number),
      names: named('step'),
    },
    { what: 'oneCycle(step past totalSteps)', gen: fc.integer({ min: 21, max: 1e6 }), call: (t) => built.oneCycle(t), names: named('step', 'totalSteps'), runs: 10 },
    { what: 'cyclic.momentum(bad step)', gen: notNonNegInt, call: (t) => (built.cyclic as ReturnType<typeof schedules.cyclic>).momentum(t as number), names: named('step') },
    { what: 'reduceOnPlateau.update(bad metric)', gen: fc.constantFrom<unknown>(null, undefined, '1', {}, [1], () => 1), call: (m) => plateau.update(m as number), names: named('metric'), extra: () => plateau.state() },
    {
      what: 'reduceOnPlateau.loadState(bad state)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 1, 'state', {}, pi.state()),
        fc.record({ k: fc.constant('lr'), v: notPositive }),
        fc.record({ k: fc.constant('best'), v: fc.constantFrom<unknown>(NaN, null, '1', undefined) }),
        fc.record({ k: fc.constantFrom('numBadEpochs', 'cooldownCounter', 'updates'), v: notNonNegInt }),
      ),
      call: (v) => plateau.loadState((v && typeof v === 'object' && 'k' in v ? { ...plateau.state(), [(v as { k: string }).k]: (v as { v: unknown }).v } : v) as never),
      names: (v: unknown) => (v && typeof v === 'object' && 'k' in v ? named((v as { k: string }).k) : named('state')),
      extra: () => plateau.state(),
    },
    { what: 'piController.update(bad signal)', gen: fc.oneof(notFinite, fc.constantFrom(0, -1)), call: (s) => pi.update(s as number), names: named('signal'), extra: () => pi.state() },
    {
      what: 'piController.loadState(bad state)',
      gen: fc.oneof(
        fc.constantFrom<unknown>(null, undefined, 1, 'state', {}, plateau.state()),
        fc.record({ k: fc.constant('lr'), v: fc.oneof(notPositive, fc.constantFrom(1e-9, 1e9)) }),
        fc.record({ k: fc.constantFrom('integral', 'lastError'), v: notFinite }),
        fc.record({ k: fc.constant('updates'), v: notNonNegInt }),
      ),
      call: (v) => pi.loadState((v && typeof v === 'object' && 'k' in v ? { ...pi.state(), [(v as { k: string }).k]: (v as { v: unknown }).v } : v) as never),
      names: (v: unknown) => (v && typeof v === 'object' && 'k' in v ? named((v as { k: string }).k, 'minLr') : named('state')),
      extra: () => pi.state(),
    },
  ]);
});
