// Composition: one schedule after another (torch SequentialLR, Optax join_schedules),
// products of schedules (torch ChainedScheduler), and linear warm-up around any schedule.
import { ValueError } from '../errors.js';
import { checkMilestones, cosineAnnealing, countAtMost } from './basic.js';
import { checkOptions, makeSchedule, type Schedule } from './types.js';
import { checkNumber, checkOrder, describe, NON_NEGATIVE, POSITIVE, POSITIVE_INT, UNIT } from '../runtime/validate.js';

function checkSchedules(op: string, v: unknown, min: number): Schedule[] {
  if (!Array.isArray(v)) throw new ValueError(`${op}: schedules must be an array of schedules, got ${describe(v)}`);
  if (v.length < min) throw new ValueError(`${op}: schedules must hold at least ${min} schedule(s), got ${v.length}`);
  v.forEach((s, i) => {
    if (typeof s !== 'function') throw new ValueError(`${op}: schedules[${i}] must be a function (step) => lr, got ${typeof s}`);
  });
  return [...v] as Schedule[];
}

export interface SequentialOptions {
  /** k schedules, each started at its own step 0 when its turn comes */
  schedules: readonly Schedule[];
  /** k − 1 switch steps: positive integers, strictly increasing */
  milestones: readonly number[];
}

/**
 * η(t) = s_i(t − m_i), i = number of milestones ≤ t, m_0 = 0 (torch
 * `SequentialLR`, Optax `join_schedules`): schedule i restarts from its own
 * step 0 at milestone i.
 */
export function sequential(options: SequentialOptions): Schedule {
  const op = 'sequential';
  const o = checkOptions(op, options, ['schedules', 'milestones']);
  const list = checkSchedules(op, o.schedules, 1);
  const ms = checkMilestones(op, 'milestones', o.milestones, 1);
  if (ms.length !== list.length - 1) {
    throw new ValueError(`${op}: milestones must hold schedules.length − 1 = ${list.length - 1} steps, got ${ms.length}`);
  }
  return makeSchedule(op, list[0].baseLr, (t) => {
    const i = countAtMost(ms, t);
    return list[i](i === 0 ? t : t - ms[i - 1]);
  });
}

export interface ChainedOptions {
  /** schedules built here from the same base lr */
  schedules: readonly Schedule[];
}

/**
 * η(t) = lr · Π_i s_i(t)/lr: every member's factor applies at once (torch
 * `ChainedScheduler`, whose members each multiply the current rate by their own
 * step factor). The members must come from these builders and share one base
 * `lr`. torch's recursive `CosineAnnealingLR` past `T_max` adds rather than
 * multiplies, so a chain holding one agrees with torch only up to `T_max`.
 */
export function chained(options: ChainedOptions): Schedule {
  const op = 'chained';
  const o = checkOptions(op, options, ['schedules']);
  const list = checkSchedules(op, o.schedules, 1);
  const base = list[0].baseLr;
  list.forEach((s, i) => {
    if (s.baseLr === undefined || !(s.baseLr > 0)) {
      throw new ValueError(`${op}: schedules[${i}] has no base lr (build it with a wasmgrad schedule builder)`);
    }
    if (s.baseLr !== base) {
      throw new ValueError(`${op}: schedules[${i}] has base lr ${s.baseLr} but schedules[0] has ${base}; the members must share one lr`);
    }
  });
  const lr = base as number;
  return makeSchedule(op, lr, (t) => {
    let v = lr;
    for (const s of list) v *= s(t) / lr;
    return v;
  });
}

export interface LinearWarmupOptions {
  /** length of the ramp in steps (a positive integer) */
  warmupSteps: number;
  /** the ramp starts at startFactor · schedule(0) (in [0, 1]; default 1/3, torch LinearLR's) */
  startFactor?: number;
}

/**
 * Linear warm-up in front of `schedule`:
 * η(t) = s(0) · (f + (1 − f) · t/W) for t < W, then s(t − W).
 * Equals torch `SequentialLR([LinearLR(start_factor=f, total_iters=W), S], milestones=[W])`
 * whenever S starts at its base lr (every builder here unless given a start factor).
 */
export function linearWarmup(schedule: Schedule, options: LinearWarmupOptions): Schedule {
  const op = 'linearWarmup';
  if (typeof schedule !== 'function') throw new ValueError(`${op}: schedule must be a function (step) => lr, got ${typeof schedule}`);
  const o = checkOptions(op, options, ['warmupSteps', 'startFactor']);
  const w = checkNumber(op, 'warmupSteps', o.warmupSteps, POSITIVE_INT);
  const f = checkNumber(op, 'startFactor', o.startFactor ?? 1 / 3, UNIT);
  const peak = schedule(0);
  return makeSchedule(op, schedule.baseLr ?? peak, (t) => (t < w ? peak * (f + ((1 - f) * t) / w) : schedule(t - w)));
}

export interface WarmupCosineOptions {
  /** peak rate, reached at the end of the warm-up */
  lr: number;
  /** warm-up length in steps (a positive integer, < totalSteps) */
  warmupSteps: number;
  /** warm-up plus decay, in steps */
  totalSteps: number;
  /** the ramp starts at startFactor · lr (default 1/3, as linearWarmup) */
  startFactor?: number;
  /** the floor reached at totalSteps and held after (default 0) */
  etaMin?: number;
}

/**
 * Linear warm-up then cosine decay to etaMin at totalSteps, held after (Optax
 * `warmup_cosine_decay_schedule(init_value=lr·startFactor, peak_value=lr,
 * warmup_steps, decay_steps=totalSteps, end_value=etaMin)`).
 */
export function warmupCosine(options: WarmupCosineOptions): Schedule {
  const op = 'warmupCosine';
  const o = checkOptions(op, options, ['lr', 'warmupSteps', 'totalSteps', 'startFactor', 'etaMin']);
  const lr = checkNumber(op, 'lr', o.lr, POSITIVE);
  const w = checkNumber(op, 'warmupSteps', o.warmupSteps, POSITIVE_INT);
  const total = checkNumber(op, 'totalSteps', o.totalSteps, POSITIVE_INT);
  checkOrder(op, w < total, 'warmupSteps', w, '<', 'totalSteps', total);
  const etaMin = checkNumber(op, 'etaMin', o.etaMin ?? 0, NON_NEGATIVE);
  const cos = cosineAnnealing({ lr, tMax: total - w, etaMin, clamp: true });
  const s = linearWarmup(cos, { warmupSteps: w, startFactor: o.startFactor ?? 1 / 3 });
  return makeSchedule(op, lr, s);
}
