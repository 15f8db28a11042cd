// meta-optimization: hyperparameter search (and, later, hypergradients)
export { space, type Space, type Dim, type Config, type UniformDim, type LogUniformDim, type IntDim, type ChoiceDim } from './space.js';
export { search, METHODS, type SearchMethod, type SearchOptions, type SearchResult, type SearchProgress, type ModuleObjective } from './search.js';
export type { Trial, TrialContext, ObjectiveFn, HistoryPoint } from './trials.js';
export { metropolisAcceptance, swapAcceptance, type ReplicaOptions, type ReplicaEvent } from './replica.js';
export type { TournamentOptions } from './tournament.js';
export type { SurrogateOptions } from './surrogate.js';
export type { HalvingOptions } from './halving.js';
export { hypergradient, HYPERS, type HyperName, type HypergradientOptions, type HypergradientResult, type InnerOptions } from './hypergradient.js';
export { tuneHyper, type TuneHyperOptions, type TuneHyperResult, type TuneStep } from './tune.js';
export type { MetaModel } from './objective.js';

import type { Core } from '../runtime/core.js';
import { hypergradient as hg, type HypergradientOptions as HO, type HypergradientResult as HR } from './hypergradient.js';
import { tuneHyper as th, type TuneHyperOptions as TO, type TuneHyperResult as TR } from './tune.js';

/** `engine.meta`: hypergradients and the tuner bound to one engine. */
export interface Meta {
  hypergradient(options: HO): HR;
  tuneHyper(options: TO): TR;
}
export function createMeta(core: Core): Meta {
  return Object.freeze({ hypergradient: (o: HO) => hg(core, o), tuneHyper: (o: TO) => th(core, o) });
}
