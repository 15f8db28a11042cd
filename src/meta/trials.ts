/**
 * Trials and the context every search method runs in: the budget ledger, the
 * evaluation of a batch of proposed points (in-process or on workers), failure
 * recording, the best-so-far curve.
 *
 * Budget accounting is the same for every method: a trial with budget b costs
 * b (1 = one full evaluation, fractions = cheap rungs of successive halving),
 * failed trials included, and the trials of a search cost at most its budget.
 * A trial's seed is a hash of the search seed and the trial id, so the trials
 * of a search do not depend on the order in which results arrive.
 */
import type { Random } from '../data/random.js';
import type { Config, Space } from './space.js';
import { decode } from './space.js';

/** What the objective is told about one trial. */
export interface TrialContext {
  /** the trial's allowance: 1 for one full evaluation, a fraction for a cheap rung */
  budget: number;
  /** a seed for the trial's own randomness (data order, initialization, noise) */
  seed: number;
  /** aborted when the search is */
  signal: AbortSignal;
}

/** The loss of a config (lower is better); sync or async. */
export type ObjectiveFn = (config: Config, ctx: TrialContext) => number | Promise<number>;

/** One evaluation of the objective. */
export interface Trial {
  /** 0, 1, 2, ... in the order the method proposed them */
  id: number;
  config: Config;
  budget: number;
  seed: number;
  /** the loss; NaN when the trial failed */
  value: number;
  status: 'ok' | 'failed';
  /** the error's message when the objective threw or returned a non-finite value */
  error?: string;
  /** method-specific labels: generation, chain, rung, candidate, ... */
  tag?: Record<string, number | string>;
}

/** A point the method wants evaluated. */
export interface TrialRequest {
  /** the point in the unit cube (see space.ts) */
  u: Float64Array;
  budget?: number;
  tag?: Record<string, number | string>;
}

/** A point of the best-so-far curve, one per trial in id order. */
export interface HistoryPoint {
  trials: number;
  /** budget spent so far */
  spent: number;
  /** the method's best value so far (Infinity before the first full-budget success) */
  value: number;
  /** id of the trial whose config is the best so far (-1 before the first) */
  best: number;
}

/** Runs trials: in-process or on a pool of workers; results in request order. */
export interface Executor {
  run(trials: Trial[], onDone: (t: Trial) => void): Promise<void>;
  close(): Promise<void>;
}

/** The u32 seed of trial `id` of a search seeded with `seed` (splitmix32 of both). */
export function trialSeed(seed: number, id: number): number {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.floor(seed / 4294967296) ^ Math.imul(id + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Runs one trial of `fn` in this thread; never throws (a failure is recorded in the trial). */
export async function evaluateTrial(fn: ObjectiveFn, t: Trial, signal: AbortSignal): Promise<void> {
  try {
    const v = await fn({ ...t.config }, { budget: t.budget, seed: t.seed, signal });
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      t.status = 'failed';
      t.error = `objective returned ${typeof v === 'number' ? String(v) : typeof v}, expected a finite number`;
    } else {
      t.value = v;
      t.status = 'ok';
    }
  } catch (e) {
    t.status = 'failed';
    t.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

/** Runs trials in this thread, up to `concurrency` (async objectives) at a time. */
export function inProcessExecutor(fn: ObjectiveFn, signal: AbortSignal, concurrency: number): Executor {
  return {
    async run(trials, onDone) {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < trials.length) {
          if (signal.aborted) return;
          const t = trials[next++];
          await evaluateTrial(fn, t, signal);
          onDone(t);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, trials.length) }, lane));
    },
    async close() {},
  };
}

/** A loss used for comparisons: failed trials rank last. */
export const rank = (t: Trial): number => (t.status === 'ok' ? t.value : Infinity);

const EPS = 1e-9;

/** The context a method runs in. */
export class SearchContext {
  readonly trials: Trial[] = [];
  readonly history: HistoryPoint[] = [];
  /** method-specific report (acceptance rates, swaps, rungs, ...) */
  readonly info: Record<string, unknown> = {};
  spent = 0;
  best: { config: Config; value: number; trial: number } | null = null;
  /** false when the method sets the best itself (surrogate acceptance) */
  autoBest = true;

  constructor(
    readonly space: Space,
    readonly names: readonly string[],
    readonly budget: number,
    readonly seed: number,
    readonly rng: Random,
    private readonly executor: Executor,
    private readonly signal: AbortSignal,
    private readonly onTrial?: (t: Trial, progress: { spent: number; budget: number; best: number }) => void,
  ) {}

  /** Budget left. */
  remaining(): number {
    return Math.max(0, this.budget - this.spent);
  }

  /** Whether a trial of budget `b` still fits. */
  fits(b = 1): boolean {
    return this.spent + b <= this.budget + EPS;
  }

  /**
   * Evaluates the requests that fit in the budget (in order; the rest are
   * dropped) and returns their trials in request order.
   */
  async evaluate(reqs: readonly TrialRequest[]): Promise<Trial[]> {
    this.checkAbort();
    const batch: Trial[] = [];
    let planned = this.spent;
    for (const r of reqs) {
      const b = r.budget ?? 1;
      if (planned + b > this.budget + EPS) break;
      planned += b;
      const id = this.trials.length + batch.length;
      batch.push({ id, config: decode(this.space, this.names, r.u), budget: b, seed: trialSeed(this.seed, id), value: NaN, status: 'failed', ...(r.tag ? { tag: r.tag } : {}) });
    }
    if (batch.length === 0) return batch;
    let spentLive = this.spent;
    await this.executor.run(batch, (t) => {
      spentLive += t.budget;
      this.onTrial?.(t, { spent: spentLive, budget: this.budget, best: this.best?.value ?? Infinity });
    });
    this.checkAbort();
    for (const t of batch) {
      this.trials.push(t);
      this.spent += t.budget;
      if (this.autoBest && t.status === 'ok' && t.budget >= 1 - EPS && (this.best === null || t.value < this.best.value)) {
        this.best = { config: t.config, value: t.value, trial: t.id };
      }
      this.history.push({ trials: this.trials.length, spent: this.spent, value: this.best?.value ?? Infinity, best: this.best?.trial ?? -1 });
    }
    return batch;
  }

  /** Sets the best (for methods whose best is an estimate, not one trial's value) and the last history point. */
  setBest(config: Config, value: number, trial: number): void {
    this.best = { config, value, trial };
    const last = this.history[this.history.length - 1];
    if (last) {
      last.value = value;
      last.best = trial;
    }
  }

  private checkAbort(): void {
    if (this.signal.aborted) throw this.signal.reason ?? new Error('search: aborted');
  }
}
