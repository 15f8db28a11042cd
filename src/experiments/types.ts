/**
 * What an experiment of the gallery is: a claim of the optimization literature, its
 * source, parameters with defaults and ranges, and `run(engine, params, seed)`, which
 * uses the engine's real APIs and returns the plot's series, a table and the named
 * numeric checks that decide the verdict (pass when every check passes).
 *
 * An experiment that awaits (e.g. one that calls `search()`) says `async: true` and returns
 * a Promise; the others stay synchronous.
 *
 * A check compares a measured value with a threshold (`value <= threshold`,
 * `value >= threshold`); every check can fail, and where the claim has a condition
 * the experiment names a counter-case (parameters outside it) whose verdict fails.
 */
import type { Engine } from '../engine.js';

/** One numeric parameter: its default and its closed range. */
export interface ParamSpec {
  default: number;
  min: number;
  max: number;
  /** only integers (sizes, counts, 0/1 switches) */
  integer?: boolean;
  /** what it is, in a few words */
  help: string;
}

export type Params = Record<string, number>;

/** A named numeric comparison. `op` says how value is compared with threshold. */
export interface Check {
  name: string;
  value: number;
  threshold: number;
  pass: boolean;
  op: '<=' | '>=';
}

/** One line of the plot (x is 1..n unless given). */
export interface ExperimentSeries {
  name: string;
  y: number[];
  x?: number[];
  dashed?: boolean;
}

/** What `run` returns. */
export interface ExperimentResult {
  series: ExperimentSeries[];
  /** axes of the plot */
  plot: { xLabel: string; yLabel: string; logY?: boolean };
  table: { header: string[]; rows: (string | number)[][] };
  checks: Check[];
  verdict: 'pass' | 'fail';
}

/** What every experiment has, whichever way it runs. */
interface ExperimentBase {
  /** kebab-case, unique */
  name: string;
  title: string;
  /** the claim, one sentence */
  claim: string;
  /** paper or textbook section */
  source: string;
  params: Record<string, ParamSpec>;
  /** true when the result depends on the seed (it averages over repetitions) */
  stochastic?: boolean;
  /** smaller parameters for the test suite (still passing) */
  small?: Params;
  /** parameters outside the claim's condition: the verdict must then be 'fail' */
  counter?: { params: Params; why: string };
}

/** An experiment whose run returns its result (most of them). */
export interface SyncExperiment extends ExperimentBase {
  async?: false;
  run(engine: Engine, params: Params, seed: number): ExperimentResult;
}

/**
 * An experiment whose run awaits (an API of the engine that is async, e.g. `search()`):
 * `async: true` and a run that returns a Promise. `runExperimentAsync` runs it;
 * `runExperiment`, the synchronous form, refuses it.
 */
export interface AsyncExperiment extends ExperimentBase {
  async: true;
  run(engine: Engine, params: Params, seed: number): Promise<ExperimentResult>;
}

export type Experiment = SyncExperiment | AsyncExperiment;

/** value <= threshold (NaN fails). */
export function atMost(name: string, value: number, threshold: number): Check {
  return { name, value, threshold, pass: value <= threshold, op: '<=' };
}

/** value >= threshold (NaN fails). */
export function atLeast(name: string, value: number, threshold: number): Check {
  return { name, value, threshold, pass: value >= threshold, op: '>=' };
}

/** The result with its verdict: pass when every check passes. */
export function result(
  checks: Check[],
  series: ExperimentSeries[],
  plot: ExperimentResult['plot'],
  table: ExperimentResult['table'],
): ExperimentResult {
  return { series, plot, table, checks, verdict: checks.length > 0 && checks.every((c) => c.pass) ? 'pass' : 'fail' };
}
