/**
 * A federation's configuration: the defaults and the one check, shared by the
 * aggregator (which refuses a bad `POST /init` with HTTP 400) and the client
 * helpers that create a federation.
 */
import { ValueError } from '../errors.js';
import { checkKnown, checkNumber, checkOneOf, describe } from '../runtime/validate.js';
import { RULES } from './aggregate.js';
import type { FederationConfig } from './store.js';

/** What `POST /init` accepts (everything but `quorum` has a default). */
export interface FederationOptions {
  /** 'fedavg' (default) or 'noiseWeighted' */
  rule?: 'fedavg' | 'noiseWeighted';
  /** close a round as soon as this many updates are pending (required, ≥ 1) */
  quorum: number;
  /** at the deadline, close with at least this many updates (default 1, ≤ quorum) */
  minUpdates?: number;
  /** ms from a round's opening to its deadline; 0 (default): no deadline */
  roundTimeoutMs?: number;
  /** reject ‖Δ‖ above normRatio × last round's median norm (default 10; 0: off) */
  normRatio?: number;
  /** reject ‖Δ‖ above this (default Infinity) */
  maxNorm?: number;
  /** server learning rate η (default 1) */
  serverLr?: number;
  /** σ² floor of the noise-weighted rule (default 1e-6) */
  noiseFloor?: number;
  /** keep the global parameters of the last N closed rounds for `GET /params?round=r` (default 0) */
  keepRounds?: number;
}

const KEYS = ['rule', 'quorum', 'minUpdates', 'roundTimeoutMs', 'normRatio', 'maxNorm', 'serverLr', 'noiseFloor', 'keepRounds'];

/** The checked configuration of a federation over `dim` parameters; a ValueError names the bad option. */
export function federationConfig(dim: number, options: FederationOptions): FederationConfig {
  const op = 'federation';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${op}: options must be an object, got ${describe(options)}`);
  checkKnown(op, options, KEYS);
  checkNumber(op, 'dim', dim, { min: 1, integer: true });
  const quorum = checkNumber(op, 'quorum', options.quorum, { min: 1, integer: true });
  const minUpdates = checkNumber(op, 'minUpdates', options.minUpdates ?? 1, { min: 1, max: quorum, integer: true });
  const maxNorm = options.maxNorm ?? Infinity;
  if (maxNorm !== Infinity) checkNumber(op, 'maxNorm', maxNorm, { min: 0, minOpen: true });
  return {
    dim,
    rule: checkOneOf(op, 'rule', options.rule ?? 'fedavg', RULES),
    quorum,
    minUpdates,
    roundTimeoutMs: checkNumber(op, 'roundTimeoutMs', options.roundTimeoutMs ?? 0, { min: 0, integer: true }),
    normRatio: checkNumber(op, 'normRatio', options.normRatio ?? 10, { min: 0 }),
    maxNorm: maxNorm === Infinity ? null : maxNorm,
    serverLr: checkNumber(op, 'serverLr', options.serverLr ?? 1, { min: 0, minOpen: true }),
    noiseFloor: checkNumber(op, 'noiseFloor', options.noiseFloor ?? 1e-6, { min: 0, minOpen: true }),
    keepRounds: checkNumber(op, 'keepRounds', options.keepRounds ?? 0, { min: 0, max: 100_000, integer: true }),
  };
}
