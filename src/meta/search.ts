/**
 * `search()`: hyperparameter search by evaluation only, at an equal budget for
 * every method (see trials.ts for the accounting).
 *
 * ```ts
 * const result = await search({
 *   space: { lr: space.logUniform(1e-4, 1e-1), width: space.int(8, 64) },
 *   objective: (config, { budget, seed }) => trainAndValidate(config, budget, seed),
 *   budget: 60, method: 'tournament', seed: 1,
 * });
 * result.best; // { config, value, trial }
 * ```
 *
 * Methods: 'random', 'grid' (basic.ts), 'tournament' (tournament.ts),
 * 'replica-exchange' (replica.ts), 'surrogate-acceptance' (surrogate.ts),
 * 'successive-halving' (halving.ts). The same seed gives the same trials.
 */
import { SearchError, ValueError } from '../errors.js';
import { Random } from '../data/random.js';
import { seedWords } from '../runtime/rng.js';
import { checkSpace, type Config, type Space } from './space.js';
import { SearchContext, type HistoryPoint, type ObjectiveFn, type Trial } from './trials.js';
import { makeExecutor, type ModuleObjective } from './parallel.js';
import { gridSearch, randomSearch } from './basic.js';
import { tournamentSearch, type TournamentOptions } from './tournament.js';
import { replicaExchange, type ReplicaOptions } from './replica.js';
import { surrogateAcceptance, type SurrogateOptions } from './surrogate.js';
import { successiveHalving, type HalvingOptions } from './halving.js';

export const METHODS = ['random', 'grid', 'tournament', 'replica-exchange', 'surrogate-acceptance', 'successive-halving'] as const;
export type SearchMethod = (typeof METHODS)[number];

export type { ModuleObjective };

export interface SearchProgress {
  spent: number;
  budget: number;
  /** the best value before this trial's batch */
  best: number;
}

export interface SearchOptions {
  space: Space;
  objective: ObjectiveFn | ModuleObjective;
  /** total budget in full evaluations (>= 1); every method spends at most this */
  budget: number;
  /** default 'random' */
  method?: SearchMethod;
  /** default 0 */
  seed?: number;
  /**
   * trials run at once (default 1). A `{ module, export }` objective runs on
   * this many workers (in-process where the runtime has none); a function
   * objective runs in-process, this many async calls at a time. The trials are
   * the same for every value.
   */
  parallel?: number;
  /** run a `{ module, export }` objective in this thread even where workers exist (default false) */
  inProcess?: boolean;
  signal?: AbortSignal;
  /** called as each trial finishes (in completion order) */
  onTrial?: (trial: Trial, progress: SearchProgress) => void;
  /** the method's own options */
  options?: TournamentOptions & ReplicaOptions & SurrogateOptions & HalvingOptions;
}

export interface SearchResult {
  method: SearchMethod;
  best: { config: Config; value: number; trial: number };
  /** every trial, in id order, failed ones included */
  trials: Trial[];
  /** best so far after each trial */
  history: HistoryPoint[];
  budget: number;
  spent: number;
  /** method-specific report (acceptance rates, swaps, rungs, levels, ...) */
  info: Record<string, unknown>;
}

/** Validates the options; returns them with defaults. Throws `ValueError` naming the option. */
export function checkSearchOptions(o: SearchOptions): Required<Omit<SearchOptions, 'signal' | 'onTrial' | 'options' | 'inProcess'>> & { names: string[] } {
  if (o === null || typeof o !== 'object') throw new ValueError(`search: options must be an object, got ${o === null ? 'null' : typeof o}`);
  const names = checkSpace('search', o.space);
  const { objective } = o;
  const isModule = objective !== null && typeof objective === 'object' && (typeof objective.module === 'string' || objective.module instanceof URL) && typeof objective.export === 'string';
  if (typeof objective !== 'function' && !isModule) {
    throw new ValueError(`search: objective must be a function (config, { budget, seed, signal }) => loss or { module, export }, got ${objective === null ? 'null' : typeof objective}`);
  }
  if (typeof o.budget !== 'number' || !Number.isFinite(o.budget) || o.budget < 1) {
    throw new ValueError(`search: budget must be a finite number >= 1 (full evaluations), got ${typeof o.budget === 'number' ? o.budget : typeof o.budget}`);
  }
  const method = o.method ?? 'random';
  if (!METHODS.includes(method)) throw new ValueError(`search: method must be one of ${METHODS.join(', ')}, got ${String(method)}`);
  const seed = o.seed ?? 0;
  seedWords('search', seed);
  const parallel = o.parallel ?? 1;
  if (typeof parallel !== 'number' || !Number.isInteger(parallel) || parallel < 1 || parallel > 256) {
    throw new ValueError(`search: parallel must be an integer in [1, 256], got ${typeof parallel === 'number' ? parallel : typeof parallel}`);
  }
  if (o.onTrial !== undefined && typeof o.onTrial !== 'function') throw new ValueError(`search: onTrial must be a function, got ${typeof o.onTrial}`);
  if (o.options !== undefined && (o.options === null || typeof o.options !== 'object')) throw new ValueError(`search: options must be an object, got ${o.options === null ? 'null' : typeof o.options}`);
  return { space: o.space, objective, budget: o.budget, method, seed, parallel, names };
}

/**
 * Runs a search (see the file header). Resolves with every trial and the best;
 * rejects with `SearchError` when every trial failed (or none at full budget
 * succeeded), with `ValueError` on bad options (before any trial), and with the
 * signal's reason when aborted.
 */
export async function search(options: SearchOptions): Promise<SearchResult> {
  const o = checkSearchOptions(options);
  const signal = options.signal ?? new AbortController().signal;
  if (signal.aborted) throw signal.reason;
  const executor = await makeExecutor(o.objective, o.parallel, signal, options.inProcess === true);
  const ctx = new SearchContext(o.space, o.names, o.budget, o.seed, new Random(o.seed, 'search'), executor, signal, options.onTrial);
  const mo = options.options ?? {};
  try {
    switch (o.method) {
      case 'random': await randomSearch(ctx); break;
      case 'grid': await gridSearch(ctx); break;
      case 'tournament': await tournamentSearch(ctx, mo); break;
      case 'replica-exchange': await replicaExchange(ctx, mo); break;
      case 'surrogate-acceptance': await surrogateAcceptance(ctx, mo); break;
      case 'successive-halving': await successiveHalving(ctx, mo); break;
    }
  } finally {
    await executor.close();
  }
  const failed = ctx.trials.filter((t) => t.status === 'failed');
  if (ctx.best === null) {
    const why = ctx.trials.length === 0 ? 'no trial fit in the budget' : failed.length === ctx.trials.length ? `all ${ctx.trials.length} trials failed` : 'no full-budget trial succeeded';
    throw new SearchError(`search (${o.method}): ${why}${failed.length ? `; first error: ${failed[0].error}` : ''}`, ctx.trials);
  }
  return { method: o.method, best: ctx.best, trials: ctx.trials, history: ctx.history, budget: o.budget, spent: ctx.spent, info: ctx.info };
}
