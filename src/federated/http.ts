/**
 * The client side of the wire: bounded HTTP calls to an aggregator with a
 * retry policy. Nothing here can hang: every attempt has a timeout
 * (`AbortSignal.timeout`), the number of attempts is bounded, and the waits
 * between them grow exponentially up to a cap:
 *
 *   wait before attempt k+1 = min(maxDelayMs, baseDelayMs · 2^(k-1))
 *
 * A connection failure, a timeout or a 5xx answer is retried; a 4xx answer
 * is the server's verdict and is not (RejectedError with its JSON reason).
 * When every attempt failed: NetworkError naming the URL, the attempts and
 * the last cause. Retrying a POST is safe: the aggregator refuses a second
 * update of the same client in a round ('duplicate'), which `pushUpdate`
 * reads as "the earlier attempt landed".
 */
import { NetworkError, RejectedError, ValueError } from '../errors.js';
import { checkKnown, checkNumber, describe } from '../runtime/validate.js';
import type { FederationOptions } from './config.js';
import type { IncomingUpdate } from './validate.js';
import { decodeParams, encodeUpdate, PARAMS_TENSOR, type GlobalParams } from './wire.js';
import { encodeSafetensors } from '../checkpoint/safetensors.js';

export interface RetryPolicy {
  /** attempts after the first (default 4) */
  retries?: number;
  /** first wait between attempts, ms (default 100) */
  baseDelayMs?: number;
  /** longest wait between attempts, ms (default 2000) */
  maxDelayMs?: number;
  /** time limit of one attempt, ms (default 10000) */
  timeoutMs?: number;
  /** the fetch function (default the runtime's global fetch; tests pass a failing one) */
  fetch?: typeof globalThis.fetch;
}

type Policy = Required<RetryPolicy>;

export function retryPolicy(op: string, p: RetryPolicy = {}): Policy {
  if (p === null || typeof p !== 'object') throw new ValueError(`${op}: retry must be an object, got ${describe(p)}`);
  checkKnown(op, p, ['retries', 'baseDelayMs', 'maxDelayMs', 'timeoutMs', 'fetch']);
  if (p.fetch !== undefined && typeof p.fetch !== 'function') throw new ValueError(`${op}: retry.fetch must be a function, got ${describe(p.fetch)}`);
  return {
    retries: checkNumber(op, 'retry.retries', p.retries ?? 4, { min: 0, max: 100, integer: true }),
    baseDelayMs: checkNumber(op, 'retry.baseDelayMs', p.baseDelayMs ?? 100, { min: 0 }),
    maxDelayMs: checkNumber(op, 'retry.maxDelayMs', p.maxDelayMs ?? 2000, { min: 0 }),
    timeoutMs: checkNumber(op, 'retry.timeoutMs', p.timeoutMs ?? 10_000, { min: 1 }),
    // fetch is standard in every runtime wasmgrad supports (Node >= 18, Deno, Bun, browsers, workerd)
    fetch: p.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  };
}

/** `http(s)://host[:port]/fed/<name>/` for a base URL and a federation name. */
export function federationUrl(op: string, url: unknown, name: unknown): string {
  if (typeof url !== 'string') throw new ValueError(`${op}: url must be a string like "http://127.0.0.1:8787", got ${describe(url)}`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ValueError(`${op}: url must be an absolute http(s) URL, got ${describe(url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ValueError(`${op}: url must be http or https, got ${describe(url)}`);
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    throw new ValueError(`${op}: federation must be 1-64 characters of [A-Za-z0-9._-], got ${describe(name)}`);
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}/fed/${name}/`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One request with the policy; resolves with a 2xx response's bytes, or throws RejectedError / NetworkError. */
export async function request(op: string, url: string, init: { method: string; body?: Uint8Array }, policy: Policy): Promise<Uint8Array> {
  let last = '';
  let attempt = 0;
  for (; attempt <= policy.retries; attempt++) {
    if (attempt > 0) await sleep(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
    let res: Response;
    try {
      res = await policy.fetch(url, { method: init.method, body: init.body as BodyInit | undefined, signal: AbortSignal.timeout(policy.timeoutMs) });
    } catch (e) {
      const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      last = err.name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(e));
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      last = `the response body broke off (${(e as Error).message})`;
      continue;
    }
    if (res.ok) return bytes;
    if (res.status >= 500) {
      last = `HTTP ${res.status}`;
      continue;
    }
    let body: { reason?: string; message?: string; round?: number } = {};
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      body = { message: new TextDecoder().decode(bytes).slice(0, 200) };
    }
    throw new RejectedError(`${op}: ${init.method} ${url} was refused with HTTP ${res.status} (${body.reason ?? 'no reason'}): ${body.message ?? ''}`, res.status, body.reason ?? 'unknown', body.round, attempt + 1);
  }
  throw new NetworkError(`${op}: ${url} did not answer after ${attempt} attempt(s) (last: ${last}); check that the aggregator runs (wasmgrad federated serve)`, url, attempt);
}

/** GET the global parameters (of the open round, or kept after round `round`). */
export async function pullParams(base: string, policy: Policy, round?: number): Promise<GlobalParams> {
  const q = round === undefined ? '' : `?round=${round}`;
  return decodeParams(await request('federated.pull', `${base}params${q}`, { method: 'GET' }, policy));
}

export interface PushResult {
  /** the round the update was for */
  round: number;
  /** whether this update closed the round */
  closed: boolean;
  /** true when a retry was refused as 'duplicate': an earlier attempt of the same update landed */
  resent: boolean;
}

/** POST one update; a retried update refused as duplicate counts as delivered. */
export async function pushUpdate(base: string, u: IncomingUpdate, policy: Policy): Promise<PushResult> {
  try {
    const r = JSON.parse(new TextDecoder().decode(await request('federated.push', `${base}update`, { method: 'POST', body: encodeUpdate(u) }, policy)));
    return { round: u.round, closed: r.closed === true, resent: false };
  } catch (e) {
    if (e instanceof RejectedError && e.reason === 'duplicate' && e.attempts > 1) return { round: u.round, closed: false, resent: true };
    throw e;
  }
}

/** POST /init: creates the federation with `params` as round 0's global parameters. */
export async function createFederation(base: string, params: Float32Array, options: FederationOptions, policy: Policy): Promise<void> {
  const body = encodeSafetensors([{ name: PARAMS_TENSOR, shape: [params.length], data: params }], { 'federated.config': JSON.stringify(options) }, { checksum: true });
  await request('federated.create', `${base}init`, { method: 'POST', body }, policy);
}

/** GET /status as JSON. */
export async function status(base: string, policy: Policy): Promise<Record<string, unknown>> {
  return JSON.parse(new TextDecoder().decode(await request('federated.status', `${base}status`, { method: 'GET' }, policy)));
}
