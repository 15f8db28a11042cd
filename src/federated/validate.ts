/**
 * Which client updates the aggregator accepts: a pure check of one decoded
 * update against the open round, returning either the update's norm or a
 * rejection with its HTTP status and a machine-readable reason. Nothing here
 * touches storage; the aggregator stores an update only after it passed.
 *
 * The rules, in the order they are checked (the first failing one is reported):
 *
 *   reason          status  when
 *   bad-client      400     the client id is not 1-64 characters of [A-Za-z0-9._-]
 *   wrong-round     409     the update is for another round than the open one (an old
 *                           round: the client was late; a future round: it is confused)
 *   duplicate       409     the client already has an update in this round (sent twice)
 *   wrong-length    422     the delta's length differs from the global parameters'
 *   bad-samples     422     the sample count is not an integer in [1, 2^31)
 *   bad-noise       422     the noise estimate is not a finite number ≥ 0
 *   non-finite      422     the delta holds NaN or ±Infinity (its first index is named)
 *   norm-outlier    422     ‖Δ‖₂ > maxNorm, or ‖Δ‖₂ > normRatio × the median update norm
 *                           of the last closed round (the relative test is skipped while
 *                           no round has closed, or with normRatio = 0)
 *
 * The relative rule looks only at the previous round, never at the updates
 * already pending, so whether an update is accepted does not depend on the
 * order in which the clients of a round arrive.
 */
import { norm2 } from './aggregate.js';

export type RejectReason =
  | 'bad-format'
  | 'bad-client'
  | 'wrong-round'
  | 'duplicate'
  | 'wrong-length'
  | 'bad-samples'
  | 'bad-noise'
  | 'non-finite'
  | 'norm-outlier'
  | 'too-large';

/** HTTP status of each rejection reason. */
export const REJECT_STATUS: Readonly<Record<RejectReason, number>> = {
  'bad-format': 400,
  'bad-client': 400,
  'wrong-round': 409,
  duplicate: 409,
  'wrong-length': 422,
  'bad-samples': 422,
  'bad-noise': 422,
  'non-finite': 422,
  'norm-outlier': 422,
  'too-large': 413,
};

export interface Rejection {
  ok: false;
  status: number;
  reason: RejectReason;
  message: string;
}

export interface Accepted {
  ok: true;
  /** ‖Δ‖₂ of the accepted update */
  norm: number;
}

/** A client's update as it arrives (decoded from the wire, not yet trusted). */
export interface IncomingUpdate {
  client: string;
  round: number;
  samples: number;
  noise: number;
  delta: Float32Array;
}

/** What the check needs to know about the open round. */
export interface RoundView {
  /** the open round's number */
  round: number;
  /** number of global parameters */
  dim: number;
  /** clients that already have an update pending in this round */
  clients: ReadonlySet<string>;
  /** median ‖Δ‖₂ of the last closed round's accepted updates (0: none yet) */
  normScale: number;
}

export interface UpdateLimits {
  /** reject ‖Δ‖₂ above normRatio × normScale (0 turns the relative test off) */
  normRatio: number;
  /** reject ‖Δ‖₂ above this (Infinity: no absolute bound) */
  maxNorm: number;
}

export const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function reject(reason: RejectReason, message: string): Rejection {
  return { ok: false, status: REJECT_STATUS[reason], reason, message };
}

/** Checks `u` against the open round `view` (see the table above). */
export function checkUpdate(u: IncomingUpdate, view: RoundView, limits: UpdateLimits): Accepted | Rejection {
  if (typeof u.client !== 'string' || !CLIENT_ID.test(u.client)) {
    return reject('bad-client', `client id must be 1-64 characters of [A-Za-z0-9._-], got ${JSON.stringify(String(u.client).slice(0, 80))}`);
  }
  if (u.round !== view.round) {
    const when = u.round < view.round ? 'an old round' : 'a round that has not opened';
    return reject('wrong-round', `update for round ${u.round} (${when}); the open round is ${view.round}`);
  }
  if (view.clients.has(u.client)) return reject('duplicate', `client "${u.client}" already sent its update for round ${view.round}`);
  if (u.delta.length !== view.dim) return reject('wrong-length', `delta has ${u.delta.length} values, the global parameters ${view.dim}`);
  if (!Number.isInteger(u.samples) || u.samples < 1 || u.samples >= 2 ** 31) {
    return reject('bad-samples', `samples must be an integer in [1, 2^31), got ${u.samples}`);
  }
  if (!Number.isFinite(u.noise) || u.noise < 0) return reject('bad-noise', `noise must be a finite number ≥ 0, got ${u.noise}`);
  for (let i = 0; i < u.delta.length; i++) {
    if (!Number.isFinite(u.delta[i])) return reject('non-finite', `delta[${i}] is ${u.delta[i]}; every value must be finite`);
  }
  const norm = norm2(u.delta);
  if (norm > limits.maxNorm) return reject('norm-outlier', `‖delta‖ = ${norm.toPrecision(6)} exceeds maxNorm ${limits.maxNorm}`);
  if (limits.normRatio > 0 && view.normScale > 0 && norm > limits.normRatio * view.normScale) {
    return reject(
      'norm-outlier',
      `‖delta‖ = ${norm.toPrecision(6)} exceeds ${limits.normRatio} × the last round's median update norm ${view.normScale.toPrecision(6)}`,
    );
  }
  return { ok: true, norm };
}
