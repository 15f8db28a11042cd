/**
 * The gallery: every experiment in one registry, and `runExperiment` (synchronous) /
 * `runExperimentAsync` (any experiment), which check the parameters, run one experiment in
 * an arena scope (everything it allocated is released after it, even when it throws) and
 * report the verdict with its checks.
 *
 * ```ts
 * import { init, experiments, runExperiment, runExperimentAsync } from 'wasmgrad';
 * const engine = await init();
 * const report = runExperiment(engine, 'gd-step-size-threshold', { steps: 50 });
 * report.verdict; // 'pass'
 * // every experiment, including the async ones (e.g. 'search-beats-random', which awaits search()):
 * const r = await runExperimentAsync(engine, 'search-beats-random');
 * ```
 */
import type { Engine } from '../engine.js';
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { armijoTerminates, piHoldsSetpoint } from './control.js';
import { conditioning, stepSizeThreshold, warmup } from './gd.js';
import { cgIsMomentum, lowPass, momentumStability, nesterovVsHeavyBall } from './momentum.js';
import { adaptiveAttacker } from './adversarial.js';
import { adamBiasCorrection, clipBeforeAdam, lazyAdam, rareFeature, scaledFeature } from './adaptive.js';
import { noiseWeightedFederated } from './federated.js';
import { femAssembly, stationaryPoints } from './hessians.js';
import { deepLinearBottleneck, deepLinearInterpolates, deepLinearOverdetermined, randomLabelsChance } from './linear-nets.js';
import { hypergradientImplicit, searchBeatsRandom } from './meta.js';
import { dropoutCurvature, initVariance } from './networks.js';
import { poissonBurstRates } from './online.js';
import { clipping, earlyStoppingRidge, inducedOneNorm, l2Convexifies } from './regularization.js';
import { riskAverseStep } from './risk.js';
import { eulerVsAdams, newtonQuadratic, noisyObjective } from './second-order.js';
import { cyclicEscape, langevinEscape, minibatchUnbiased, scheduleBasins } from './stochastic.js';
import { groupLasso, gridProjection, pcgrad } from './structure.js';
import type { Check, Experiment, ExperimentResult, Params } from './types.js';

export type { AsyncExperiment, Check, Experiment, ExperimentResult, ExperimentSeries, ParamSpec, Params, SyncExperiment } from './types.js';

/** Every experiment, in the order of the claims. */
export const experiments: readonly Experiment[] = Object.freeze([
  stepSizeThreshold, // 1
  armijoTerminates, // 2
  warmup, // 3
  conditioning, // 4
  minibatchUnbiased, // 5
  langevinEscape, // 6
  momentumStability, // 7
  adamBiasCorrection, // 8
  scheduleBasins, // 9
  deepLinearInterpolates, // 10
  deepLinearBottleneck, // 11
  deepLinearOverdetermined, // 12
  randomLabelsChance, // 13
  initVariance, // 14
  clipping, // 15
  earlyStoppingRidge, // 16
  dropoutCurvature, // 17
  rareFeature, // 18
  groupLasso, // 19
  gridProjection, // 20
  pcgrad, // 21
  hypergradientImplicit, // 22
  piHoldsSetpoint, // 23
  cyclicEscape, // 24
  scaledFeature, // 25
  clipBeforeAdam, // 26
  lazyAdam, // 27
  poissonBurstRates, // 28
  noiseWeightedFederated, // 29
  adaptiveAttacker, // 30
  riskAverseStep, // 31
  lowPass, // 32
  nesterovVsHeavyBall, // 33
  l2Convexifies, // 34
  newtonQuadratic, // 35
  inducedOneNorm, // 36
  femAssembly, // 37
  eulerVsAdams, // 38
  cgIsMomentum, // 39
  stationaryPoints, // 40
  noisyObjective, // 41
  searchBeatsRandom, // 42
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

/** The experiment, its checked parameters and seed (throws before anything runs). */
function prepare(e: Experiment | string, params: Params, seed: number): [Experiment, Params] {
  const exp = typeof e === 'string' ? findExperiment(e) : e;
  const p = resolveParams(exp, params);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError(`experiment ${exp.name}: seed must be a non-negative integer, got ${describe(seed)}`);
  return [exp, p];
}

/**
 * Runs experiment `e` (or the one named) with `params` over the defaults and `seed` (default 0).
 * Synchronous: an experiment with `async: true` is refused (a ValueError naming
 * `runExperimentAsync`, which runs every experiment).
 */
export function runExperiment(engine: Engine, e: Experiment | string, params: Params = {}, seed = 0): ExperimentReport {
  const [exp, p] = prepare(e, params, seed);
  if (exp.async) throw new ValueError(`runExperiment: experiment ${exp.name} is asynchronous (its run returns a Promise); run it with runExperimentAsync`);
  const mark = engine.arena.mark();
  const t0 = performance.now();
  try {
    const r = exp.run(engine, p, seed);
    return { name: exp.name, params: p, seed, ...r, seconds: (performance.now() - t0) / 1000 };
  } finally {
    engine.arena.reset(mark);
  }
}

/**
 * Runs any experiment, synchronous or not, and resolves with its report (rejects with the
 * same errors `runExperiment` throws). The arena mark is held until the run settles: the
 * caller must not allocate on `engine` meanwhile (the CLI runs one experiment at a time; the
 * playground's worker holds its other messages back).
 */
export async function runExperimentAsync(engine: Engine, e: Experiment | string, params: Params = {}, seed = 0): Promise<ExperimentReport> {
  const [exp, p] = prepare(e, params, seed);
  const mark = engine.arena.mark();
  const t0 = performance.now();
  try {
    const r = await exp.run(engine, p, seed);
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
