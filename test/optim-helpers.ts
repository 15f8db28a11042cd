// Helpers for the optimizer tests: a bare Parameterized, fixed gradient
// sequences, and runners for our optimizers and the f64 references.
import type { Engine } from '../src/index.js';
import type { Parameterized } from '../src/runtime/params.js';
import { type Opts, refFor, type State } from './optim-ref.js';
import { randArray } from './helpers.js';

export interface Bare extends Parameterized {
  params(): Float32Array;
  grads(): Float32Array;
}

/** A bare parameter vector with its gradient buffer, filled from `init`. */
export function bare(e: Engine, n: number, init?: ArrayLike<number>): Bare {
  const paramsPtr = e.allocF32(n), gradsPtr = e.allocF32(n);
  const m: Bare = {
    engine: e,
    numParameters: n,
    paramsPtr,
    gradsPtr,
    params: () => e.f32(paramsPtr, n),
    grads: () => e.f32(gradsPtr, n),
  };
  m.params().set(init ?? randArray(n, 7));
  m.grads().fill(0);
  return m;
}

/** The configurations every optimizer test sweeps: [name, options]. */
export const CONFIGS: [string, Opts][] = [
  ['sgd', { lr: 0.1 }],
  ['sgd', { lr: 0.1, weightDecay: 0.05, maximize: true }],
  ['sgd', { lr: 0.1, momentum: 0.9 }],
  ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01 }],
  ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true, maximize: true }],
  ['sgd', { lr: 0.1, momentum: 0.9, heavyBall: true, weightDecay: 0.01 }],
  ['adagrad', { lr: 0.1 }],
  ['adagrad', { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.01, maximize: true }],
  ['rmsprop', { lr: 0.01 }],
  ['rmsprop', { lr: 0.01, momentum: 0.5 }],
  ['rmsprop', { lr: 0.01, centered: true }],
  ['rmsprop', { lr: 0.01, centered: true, momentum: 0.9, weightDecay: 0.01, maximize: true }],
  ['adam', { lr: 0.01 }],
  ['adam', { lr: 0.01, amsgrad: true, weightDecay: 0.1 }],
  ['adam', { lr: 0.01, biasCorrection: false, maximize: true, betas: [0.8, 0.99] }],
  ['adamw', { lr: 0.01 }],
  ['adamw', { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true }],
  ['adamax', { lr: 0.01, weightDecay: 0.01 }],
  ['adamax', { lr: 0.01, maximize: true }],
  ['nadam', { lr: 0.01, weightDecay: 0.01 }],
  ['nadam', { lr: 0.01, momentumDecay: 0.1 }],
  ['radam', { lr: 0.01, weightDecay: 0.01 }],
  ['adadelta', { lr: 1 }],
  ['adadelta', { lr: 0.5, weightDecay: 0.01, rho: 0.95, maximize: true }],
];

export const label = (name: string, o: Opts): string => `${name} ${JSON.stringify(o)}`;

/** The gradient of step s (fixed, independent of the parameters): U(-1, 1), with a few larger entries. */
export function gradAt(n: number, s: number): Float32Array {
  const g = randArray(n, 1000 + s);
  for (let i = s % 7; i < n; i += 7) g[i] *= 10;
  return g;
}

/** Runs the f64 reference for `steps` steps of fixed gradients; lr may depend on the step. */
export function runRef(name: string, o: Opts, p0: ArrayLike<number>, steps: number, lrAt?: (s: number) => number): Float64Array {
  const p = Float64Array.from(p0);
  const st: State = {};
  for (let s = 0; s < steps; s++) {
    const g = Float64Array.from(gradAt(p.length, s));
    refFor(name)(p, g, st, o, lrAt ? lrAt(s) : o.lr, s + 1);
  }
  return p;
}

export type AnyOpt = ReturnType<Engine['optim']['adam']>;
export const make = (e: Engine, name: string, model: ReturnType<typeof bare>, o: object): AnyOpt =>
  (e.optim as unknown as Record<string, (m: unknown, o: object) => AnyOpt>)[name](model, o);

/** Runs our optimizer for `steps` steps of the fixed gradients. */
export function run(e: Engine, name: string, o: object, p0: Float32Array, steps: number, fused = true, from = 0, opt?: AnyOpt, model?: ReturnType<typeof bare>) {
  const m = model ?? bare(e, p0.length, p0);
  const op = opt ?? make(e, name, m, { ...o, fused });
  for (let s = from; s < from + steps; s++) {
    m.grads().set(gradAt(p0.length, s));
    op.step();
  }
  return { m, op, p: m.params().slice() };
}
