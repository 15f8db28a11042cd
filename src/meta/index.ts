// meta-optimization: hyperparameter search (and, later, hypergradients)
export { space, type Space, type Dim, type Config, type UniformDim, type LogUniformDim, type IntDim, type ChoiceDim } from './space.js';
export { search, METHODS, type SearchMethod, type SearchOptions, type SearchResult, type SearchProgress, type ModuleObjective } from './search.js';
export type { Trial, TrialContext, ObjectiveFn, HistoryPoint } from './trials.js';
export { metropolisAcceptance, swapAcceptance, type ReplicaOptions, type ReplicaEvent } from './replica.js';
export type { TournamentOptions } from './tournament.js';
export type { SurrogateOptions } from './surrogate.js';
export type { HalvingOptions } from './halving.js';
