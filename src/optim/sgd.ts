/**
 * The SGD family: momentum as a transform (`trace`), SGD (plain, PyTorch
 * momentum, Nesterov, heavy ball) and the unadjusted Langevin algorithm
 * (SGD plus Gaussian noise). Kernels: assembly's SGD family file
 * (f32_sgd, f32_sgd_momentum, f32_sgd_heavy_ball, f32_tx_trace, f32_langevin).
 */
import { ValueError } from '../errors.js';
import { checkBool, checkNumber, NON_NEGATIVE, UNIT } from '../runtime/validate.js';
import { type LearningRate, type Momentum, momentumAt, type Schedule } from './options.js';
import { prefix, type Rule, sgn } from './rule.js';
import { addNoise, scaleByLearningRate } from './scale.js';
import { chain, type GradientTransformation, transform } from './transform.js';

export interface TraceOptions {
  /** a number >= 0, or a schedule of the step count (each value in [0, 1)) */
  momentum: number | Schedule;
  /** default 0 */
  dampening?: number;
  /** default false */
  nesterov?: boolean;
}

/** momentum (a number >= 0 or a schedule), dampening in [0, 1], nesterov: the checks trace() and sgd share */
function checkTrace(op: string, o: { momentum?: Momentum; dampening?: number; nesterov?: boolean }): void {
  if (typeof o.momentum !== 'function') checkNumber(op, 'momentum', o.momentum, NON_NEGATIVE);
  checkNumber(op, 'dampening', o.dampening, UNIT);
  checkBool(op, 'nesterov', o.nesterov);
}

/**
 * Momentum, PyTorch's form (torch.optim.SGD; Nesterov: Sutskever et al. 2013):
 * first update buf = u, then buf <- mu*buf + (1 - dampening)*u; u <- buf, or
 * u + mu*buf with Nesterov. Placed after scaleByLearningRate (and with dampening
 * 0), this is the heavy-ball form v <- mu*v - lr*g (Polyak 1964). Kernel
 * arguments (a, b, c, d): buf <- a*buf + b*u; u <- c*u + d*buf, with a = 0, b = 1
 * on the first step; sgd's fused kernel takes the same four.
 */
export function trace(options: TraceOptions): GradientTransformation {
  const { momentum, dampening = 0, nesterov = false } = options;
  checkTrace('trace', { momentum, dampening, nesterov });
  const c1 = nesterov ? 1 : 0;
  return transform('trace', { buf: 0 }, (s, u) => {
    const first = s.count === 0;
    const mu = momentumAt('trace', 'momentum', momentum, s.count);
    s.engine.kernels.f32_tx_trace(s.n, u, s.ptr.buf, first ? 0 : mu, first ? 1 : 1 - dampening, c1, nesterov ? mu : 1);
    s.count++;
    return true;
  });
}

export interface SgdOptions {
  /** required */
  lr?: LearningRate;
  /** a number >= 0, or a schedule (step) => number in [0, 1) read every step (e.g. schedules.oneCycle(...).momentum) */
  momentum?: Momentum;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** use the heavy-ball form v <- momentum*v - lr*d; p <- p + v (needs dampening 0, no Nesterov) */
  heavyBall?: boolean;
}

/** momentum on: a schedule, or a number > 0 */
const hasMomentum = (o: SgdOptions): boolean => typeof o.momentum === 'function' || o.momentum! > 0;

/**
 * SGD (torch.optim.SGD): d = ±g + wd*p; without momentum p <- p - lr*d (plain,
 * full-batch GD); with momentum mu, `trace` on d then p <- p - lr*u.
 * heavyBall: v <- mu*v - lr*d; p <- p + v. With a constant lr it is the same
 * method, v = -lr*buf; when lr changes, PyTorch's form applies the new lr to the
 * whole buffer (past gradients included) while heavy ball keeps past velocities at
 * their old lr. Optax's sgd is trace() then scale; Keras's SGD momentum is the
 * heavy-ball form.
 */
export const sgdRule: Rule<SgdOptions> = {
  name: 'sgd',
  defaults: { lr: undefined, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, heavyBall: false },
  schedulable: ['lr', 'momentum'],
  validate(o) {
    checkTrace('sgd', o);
    checkNumber('sgd', 'weightDecay', o.weightDecay, NON_NEGATIVE);
    checkBool('sgd', 'maximize', o.maximize);
    checkBool('sgd', 'heavyBall', o.heavyBall);
    if (o.nesterov && (!hasMomentum(o) || o.dampening !== 0)) {
      throw new ValueError(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
    if (o.heavyBall && (o.nesterov || o.dampening !== 0)) {
      throw new ValueError(`sgd: heavyBall needs nesterov false and dampening 0, got nesterov ${o.nesterov} and dampening ${o.dampening}`);
    }
  },
  buffers: (o): Record<string, number> => (hasMomentum(o) ? { buf: 0 } : {}),
  prepare(o, step) {
    momentumAt('sgd', 'momentum', o.momentum!, step);
  },
  fused({ k, n, g, p, buf, o, lr, t }) {
    const s = sgn(o.maximize!), wd = o.weightDecay!;
    const mu = momentumAt('sgd', 'momentum', o.momentum!, t - 1);
    if (!hasMomentum(o)) k.f32_sgd(n, g, p, lr, wd, s);
    else if (o.heavyBall) k.f32_sgd_heavy_ball(n, g, p, buf.buf, lr, wd, s, mu);
    else {
      const first = t === 1;
      k.f32_sgd_momentum(n, g, p, buf.buf, lr, wd, s, first ? 0 : mu, first ? 1 : 1 - o.dampening!, o.nesterov ? 1 : 0, o.nesterov ? mu : 1);
    }
  },
  chain(o) {
    const mu = o.momentum!;
    const parts = prefix(o.maximize!, o.weightDecay!);
    if (!hasMomentum(o)) return chain(...parts, scaleByLearningRate());
    if (o.heavyBall) return chain(...parts, scaleByLearningRate(), trace({ momentum: mu }));
    return chain(...parts, trace({ momentum: mu, dampening: o.dampening, nesterov: o.nesterov }), scaleByLearningRate());
  },
};

export interface LangevinOptions {
  lr?: LearningRate;
  /** T >= 0; T = 0 is plain gradient descent */
  temperature?: number;
  /** seed of the noise stream (group i uses the stream (seed, i)) */
  seed?: number;
}

/** the noise scale of a Langevin step: sqrt(2 * lr * T) */
const langevinSd = (lr: number, temperature: number): number => Math.sqrt(2 * lr * temperature);

/**
 * Unadjusted Langevin algorithm (Roberts & Tweedie 1996; SGLD: Welling & Teh 2011):
 * p <- p - lr*g + sqrt(2*lr*T) * xi, xi ~ N(0, I) from the core's xoshiro128** stream
 * (Box-Muller), so its stationary density is approximately exp(-L/T). Not in PyTorch.
 * The chain form is scaleByLearningRate then addNoise with the same stream.
 */
export const langevinRule: Rule<LangevinOptions> = {
  name: 'langevin',
  defaults: { lr: 1e-3, temperature: 1, seed: 0 },
  schedulable: ['lr'],
  validate(o) {
    checkNumber('langevin', 'temperature', o.temperature, NON_NEGATIVE);
    checkNumber('langevin', 'seed', o.seed, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  },
  buffers: () => ({}),
  rng: true,
  scratch: true,
  fused({ k, n, g, p, o, lr, rng, scratch }) {
    k.f32_rng_normal(n, rng, scratch, 0, langevinSd(lr, o.temperature!));
    k.f32_langevin(n, g, scratch, p, lr);
  },
  chain: (o, group) => chain(scaleByLearningRate(), addNoise({ stddev: (_c, lr) => langevinSd(lr, o.temperature!), seed: o.seed! + group * 4294967296 })),
};
