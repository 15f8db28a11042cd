/**
 * The gallery: every experiment in one registry, and `runExperiment`, which checks the
 * parameters, runs one experiment in an arena scope (everything it allocated is released
 * after it, even when it throws) and reports the verdict with its checks.
 *
 * ```ts
 * import { init, experiments, runExperiment } from 'wasmgrad';
 * const engine = await init();
 * const report = runExperiment(engine, 'gd-step-size-threshold', { steps: 50 });
 * report.verdict; // 'pass'
 * ```
 */
import type { Engine } from '../engine.js';
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { armijoTerminates, piHoldsSetpoint } from './control.js';
import { conditioning, stepSizeThreshold, warmup } from './gd.js';
import { cgIsMomentum, lowPass, momentumStability, nesterovVsHeavyBall } from './momentum.js';
import type { Check, Experiment, ExperimentResult, Params } from './types.js';

export type { Check, Experiment, ExperimentResult, ExperimentSeries, ParamSpec, Params } from './types.js';

/** Every experiment, in the order of the claims. */
export const experiments: readonly Experiment[] = Object.freeze([
  stepSizeThreshold,
  armijoTerminates,
  warmup,
  conditioning,
  momentumStability,
  lowPass,
  nesterovVsHeavyBall,
  cgIsMomentum,
  piHoldsSetpoint,
]);

/** The experiment called `name` (ValueError naming the known ones otherwise). */
export function findExperiment(name: string): Experiment {
  const e = experiments.find((x) => x.name === name);
  if (!e) throw new ValueError(`experiment: unknown name ${describe(name)}; known: ${experiments.map((x) => x.name).join(', ')}`);
  return e;
}

/** The defaults of `e` overridden by `params`, each checked against its range. */
export function resolveParams(e: Experiment, params: Params = {}): Params {
  const op = `experiment ${e.name}`;
  if (params === null || typeof params !== 'object') throw new ValueError(`${op}: params must be an object of numbers, got ${describe(params)}`);
  for (const k of Object.keys(params)) {
    if (!(k in e.params)) throw new ValueError(`${op}: unknown parameter ${describe(k)}; known: ${Object.keys(e.params).join(', ')}`);
  }
  const out: Params = {};
  for (const [k, s] of Object.entries(e.params)) {
    const v = params[k] ?? s.default;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < s.min || v > s.max || (s.integer && !Number.isInteger(v))) {
      throw new ValueError(`${op}: ${k} must be ${s.integer ? 'an integer ' : 'a number '}in [${s.min}, ${s.max}], got ${describe(v)}`);
    }
    out[k] = v;
  }
  return out;
}

/** What one run reports (the JSON of `wasmgrad experiment run --json` is its first five fields). */
export interface ExperimentReport extends ExperimentResult {
  name: string;
  params: Params;
  seed: number;
  /** wall time of the run in seconds */
  seconds: number;
}

/** Runs experiment `e` (or the one named) with `params` over the defaults and `seed` (default 0). */
export function runExperiment(engine: Engine, e: Experiment | string, params: Params = {}, seed = 0): ExperimentReport {
  const exp = typeof e === 'string' ? findExperiment(e) : e;
  const p = resolveParams(exp, params);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`experiment ${exp.name}: seed must be a non-negative integer, got ${describe(seed)}`);
  const mark = engine.arena.mark();
  const t0 = performance.now();
  try {
    const r = exp.run(engine, p, seed);
    return { name: exp.name, params: p, seed, ...r, seconds: (performance.now() - t0) / 1000 };
  } finally {
    engine.arena.reset(mark);
  }
}

/** The JSON document of one run: `{ name, verdict, checks: [{ name, value, threshold, pass }], params, seed }`. */
export function reportJson(r: ExperimentReport): { name: string; verdict: 'pass' | 'fail'; checks: Omit<Check, 'op'>[]; params: Params; seed: number } {
  return {
    name: r.name,
    verdict: r.verdict,
    checks: r.checks.map((c) => ({ name: c.name, value: c.value, threshold: c.threshold, pass: c.pass })),
    params: r.params,
    seed: r.seed,
  };
}
