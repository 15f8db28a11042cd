/**
 * Aggregation rules of federated averaging, as pure functions over plain
 * arrays (no engine: the aggregator Durable Object runs them in a worker with
 * no wasm, and tests call them directly).
 *
 * A client starts a round from the global parameters w, trains locally and
 * sends its update Δ_i = w_i − w with its sample count n_i and its estimated
 * residual variance σ²_i. The server moves the global parameters by the
 * weighted mean of the updates:
 *
 *   w ← w + η · Σ_i a_i Δ_i,   a_i = c_i / Σ_j c_j
 *
 * with the client weights c_i of the rule:
 *
 *   'fedavg'         c_i = n_i                      (McMahan et al. 2017, "Communication-Efficient
 *                                                    Learning of Deep Networks from Decentralized Data",
 *                                                    Algorithm 1: sample-weighted averaging)
 *   'noiseWeighted'  c_i = n_i / max(σ²_i, floor)    (inverse-variance weighting: each client's
 *                                                    update counts by the inverse of its residual
 *                                                    variance, so one noisy client cannot drag the
 *                                                    global model; equal variances give FedAvg back)
 *
 * η is the server learning rate (`serverLr`, 1 by default, i.e. plain FedAvg).
 * The sum runs in f64 in the order the updates are given (the aggregator gives
 * them in arrival order), so the same updates in the same order give the same
 * bits. FedProx's proximal term lives on the client (see prox.ts).
 */
import { ValueError } from '../errors.js';
import { checkNumber, checkOneOf, describe } from '../runtime/validate.js';

/** How the server weighs the clients' updates. */
export type AggregationRule = 'fedavg' | 'noiseWeighted';

export const RULES: readonly AggregationRule[] = ['fedavg', 'noiseWeighted'];

/** One client's contribution to a round. */
export interface ClientUpdate {
  /** local parameters minus the round's global parameters, one entry per parameter */
  delta: ArrayLike<number>;
  /** number of training samples behind the update (≥ 1) */
  samples: number;
  /** estimated residual variance of the client's data (≥ 0) */
  noise: number;
}

export interface AggregateOptions {
  /** server learning rate η (default 1) */
  serverLr?: number;
  /** lower bound on σ² in the noise-weighted rule (default 1e-6), so a perfect fit cannot take all the weight */
  noiseFloor?: number;
}

/**
 * The normalized weights a_i of `updates` under `rule` (they sum to 1).
 * Throws a ValueError for an empty list, a sample count that is not a
 * positive integer or a noise that is not a finite number ≥ 0.
 */
export function aggregationWeights(updates: readonly ClientUpdate[], rule: AggregationRule, options: AggregateOptions = {}): Float64Array {
  checkOneOf('aggregationWeights', 'rule', rule, RULES);
  const floor = checkNumber('aggregationWeights', 'noiseFloor', options.noiseFloor ?? 1e-6, { min: 0, minOpen: true });
  if (!Array.isArray(updates) || updates.length === 0) throw new ValueError(`aggregationWeights: updates must be a non-empty array, got ${describe(updates)}`);
  const c = new Float64Array(updates.length);
  let total = 0;
  for (let i = 0; i < updates.length; i++) {
    const { samples, noise } = updates[i];
    if (!Number.isSafeInteger(samples) || samples < 1) throw new ValueError(`aggregationWeights: updates[${i}].samples must be an integer ≥ 1, got ${describe(samples)}`);
    if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) throw new ValueError(`aggregationWeights: updates[${i}].noise must be a finite number ≥ 0, got ${describe(noise)}`);
    c[i] = rule === 'fedavg' ? samples : samples / Math.max(noise, floor);
    total += c[i];
  }
  for (let i = 0; i < c.length; i++) c[i] /= total;
  return c;
}

/**
 * The next global parameters: `global + η Σ a_i Δ_i` (f64 sums, in the given
 * order, rounded to f32 once). Writes into `out` when given (it may be
 * `global` itself) and returns it; otherwise returns a new Float32Array.
 * Every delta must have `global.length` entries.
 */
export function aggregate(
  global: Float32Array,
  updates: readonly ClientUpdate[],
  rule: AggregationRule,
  options: AggregateOptions = {},
  out?: Float32Array,
): Float32Array {
  const lr = checkNumber('aggregate', 'serverLr', options.serverLr ?? 1, { min: 0, minOpen: true });
  const a = aggregationWeights(updates, rule, options);
  const n = global.length;
  updates.forEach((u, i) => {
    if (u.delta?.length !== n) throw new ValueError(`aggregate: updates[${i}].delta has ${u.delta?.length} entries, the global parameters ${n}`);
  });
  if (out !== undefined && out.length !== n) throw new ValueError(`aggregate: out has ${out.length} entries, expected ${n}`);
  const sum = new Float64Array(n);
  for (let i = 0; i < updates.length; i++) {
    const d = updates[i].delta;
    const w = a[i];
    for (let k = 0; k < n; k++) sum[k] += w * d[k];
  }
  const result = out ?? new Float32Array(n);
  for (let k = 0; k < n; k++) result[k] = global[k] + lr * sum[k];
  return result;
}

/** The Euclidean norm of `x` (f64). */
export function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** The median of `xs` (the mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
