/**
 * The aggregator's state machine behind HTTP, independent of where it runs:
 * the Durable Object of worker.ts gives it `ctx.storage`; tests give it a
 * MemoryStorage. Standard Fetch API only (Request/Response), no wasm.
 *
 *   POST /init            safetensors "params" [n] + metadata federated.config (JSON of
 *                         FederationOptions): creates the federation at round 0; 409 once created
 *   GET  /params[?round=r] the global parameters (safetensors, wire.ts); with round=r those after
 *                         round r closed, when still kept (404 otherwise)
 *   POST /update          one client update (wire.ts); 200 { ok, round, pending, closed } or a
 *                         rejection 4xx { ok: false, reason, message, round } (validate.ts)
 *   GET  /status          { round, dim, rule, quorum, pending, clients, accepted, applied, rejected, deadline }
 *   GET  /log?from=r      the closed rounds' logs from round r on (JSON)
 *
 * A round closes (aggregate.ts over the pending updates in arrival order) when
 * `quorum` updates are pending, or when its deadline has passed with at least
 * `minUpdates` pending (checked on every request and by the alarm; an update
 * that arrives past the deadline and makes `minUpdates` closes the round itself). Every
 * state change is one atomic batch of writes (store.ts), made after all reads,
 * so a process killed at any point leaves either the state before the request
 * or the state after it. Requests are handled one at a time (a promise chain),
 * so the logic does not rely on the Durable Object's input gates.
 */
import { WasmgradError } from '../errors.js';
import { aggregate, aggregationWeights, median } from './aggregate.js';
import { federationConfig, type FederationOptions } from './config.js';
import {
  chunkEntries, chunkKeys, pad, readChunks, writeBatch,
  type FederationConfig, type KvStorage, type PendingMeta, type RoundLog, type RoundState,
} from './store.js';
import { checkUpdate, reject, type Rejection } from './validate.js';
import { decodeUpdate, encodeParams, PARAMS_TENSOR } from './wire.js';
import { decodeSafetensors } from '../checkpoint/safetensors.js';

export interface AggregatorHooks {
  /** the clock (ms since the epoch) */
  now?: () => number;
  /** schedules the deadline check (a Durable Object's `ctx.storage.setAlarm`) */
  setAlarm?: (at: number) => Promise<void> | void;
  /** where rejections are logged (default console.log) */
  log?: (line: string) => void;
}

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const octets = (bytes: Uint8Array): Response => new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } });
const fail = (r: Rejection, round?: number): Response => json({ ok: false, reason: r.reason, message: r.message, round }, r.status);

export class Aggregator {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly storage: KvStorage, private readonly hooks: AggregatorHooks = {}) {
    this.now = hooks.now ?? Date.now;
    this.log = hooks.log ?? ((l) => console.log(l));
  }

  /** Runs `f` after every earlier request has finished (one request at a time). */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const r = this.queue.then(f, f);
    this.queue = r.catch(() => undefined);
    return r;
  }

  /** Answers one HTTP request (the routes above). */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/\/+$/, '').split('/').pop() ?? '';
    try {
      if (request.method === 'POST' && (path === 'update' || path === 'init')) {
        // the body is read before taking the turn: a slow or vanished client blocks nobody
        let body: Uint8Array;
        try {
          body = new Uint8Array(await request.arrayBuffer());
        } catch (e) {
          return fail(reject('bad-format', `the body could not be read: ${(e as Error).message}`));
        }
        return await this.serial(() => (path === 'init' ? this.init(body) : this.update(body)));
      }
      if (request.method === 'GET' && path === 'params') return await this.serial(() => this.params(url.searchParams.get('round')));
      if (request.method === 'GET' && path === 'status') return await this.serial(() => this.status());
      if (request.method === 'GET' && path === 'log') return await this.serial(() => this.logs(Number(url.searchParams.get('from') ?? 0)));
      return json({ ok: false, reason: 'not-found', message: `no route ${request.method} ${url.pathname}` }, 404);
    } catch (e) {
      this.log(JSON.stringify({ event: 'error', message: String((e as Error)?.stack ?? e) }));
      return json({ ok: false, reason: 'internal', message: String((e as Error)?.message ?? e) }, 500);
    }
  }

  /** The deadline check, for a Durable Object's alarm(). */
  alarm(): Promise<void> {
    return this.serial(async () => {
      const s = await this.load();
      if (s) await this.closeIfDue(s.config, s.state);
    });
  }

  private async load(): Promise<{ config: FederationConfig; state: RoundState } | null> {
    const got = await this.storage.get<unknown>(['config', 'state']);
    const config = got.get('config') as FederationConfig | undefined;
    const state = got.get('state') as RoundState | undefined;
    return config && state ? { config, state } : null;
  }

  private async init(body: Uint8Array): Promise<Response> {
    if (await this.load()) return json({ ok: false, reason: 'initialized', message: 'the federation already exists' }, 409);
    let config: FederationConfig;
    let params: Float32Array;
    try {
      const file = decodeSafetensors(body, 'init body');
      const t = file.tensors.find((x) => x.name === PARAMS_TENSOR);
      if (!t || file.tensors.length !== 1) throw new WasmgradError(`init body: expected one tensor "${PARAMS_TENSOR}"`);
      params = t.data;
      const opts = JSON.parse(file.metadata['federated.config'] ?? 'null') as FederationOptions;
      config = federationConfig(params.length, opts);
      for (let i = 0; i < params.length; i++) if (!Number.isFinite(params[i])) throw new WasmgradError(`init body: params[${i}] is ${params[i]}`);
    } catch (e) {
      return json({ ok: false, reason: 'bad-config', message: (e as Error).message }, 400);
    }
    const now = this.now();
    const state: RoundState = {
      round: 0, seq: 0, openedAt: now, deadline: config.roundTimeoutMs > 0 ? now + config.roundTimeoutMs : 0,
      normScale: 0, accepted: 0, applied: 0, rejected: {},
    };
    await writeBatch(this.storage, chunkEntries('params:', params, { config, state }), []);
    if (state.deadline > 0) await this.hooks.setAlarm?.(state.deadline);
    return json({ ok: true, round: 0, dim: config.dim, rule: config.rule });
  }

  private notCreated(): Response {
    return json({ ok: false, reason: 'not-initialized', message: 'no federation here yet: POST /init first' }, 404);
  }

  private async params(roundParam: string | null): Promise<Response> {
    const s = await this.load();
    if (!s) return this.notCreated();
    const { config } = s;
    const state = (await this.closeIfDue(config, s.state)) ?? s.state;
    if (roundParam !== null) {
      const r = Number(roundParam);
      const kept = Number.isInteger(r) && r >= 0 ? await readChunks(this.storage, `hist:${pad(r)}:`, config.dim) : undefined;
      if (!kept) return json({ ok: false, reason: 'not-kept', message: `the parameters after round ${roundParam} are not kept (keepRounds ${config.keepRounds}, open round ${state.round})` }, 404);
      return octets(encodeParams({ round: r + 1, params: kept, rule: config.rule, updates: 0 }));
    }
    const params = await readChunks(this.storage, 'params:', config.dim);
    if (!params) throw new WasmgradError('storage: the global parameters are missing');
    const pending = await this.storage.list({ prefix: 'pending:' });
    return octets(encodeParams({ round: state.round, params, rule: config.rule, updates: pending.size }));
  }

  private async status(): Promise<Response> {
    const s = await this.load();
    if (!s) return this.notCreated();
    const state = (await this.closeIfDue(s.config, s.state)) ?? s.state;
    const pending = await this.storage.list<PendingMeta>({ prefix: 'pending:' });
    const { dim, rule, quorum, minUpdates, roundTimeoutMs } = s.config;
    return json({
      ok: true, round: state.round, dim, rule, quorum, minUpdates, roundTimeoutMs, deadline: state.deadline,
      pending: pending.size, clients: [...pending.keys()].map((k) => k.slice('pending:'.length)),
      accepted: state.accepted, applied: state.applied, rejected: state.rejected, normScale: state.normScale,
    });
  }

  private async logs(from: number): Promise<Response> {
    const all = await this.storage.list<RoundLog>({ prefix: 'log:' });
    const start = Number.isFinite(from) ? from : 0;
    return json({ ok: true, rounds: [...all.values()].filter((l) => l.round >= start) });
  }

  private async update(body: Uint8Array): Promise<Response> {
    const s = await this.load();
    if (!s) return this.notCreated();
    const { config } = s;
    const state = (await this.closeIfDue(config, s.state)) ?? s.state;
    const refuse = async (r: Rejection): Promise<Response> => {
      this.log(JSON.stringify({ event: 'rejected', round: state.round, reason: r.reason, message: r.message }));
      state.rejected[r.reason] = (state.rejected[r.reason] ?? 0) + 1;
      await writeBatch(this.storage, { state }, []);
      return fail(r, state.round);
    };
    if (body.length > 8 * config.dim + 65536) return refuse(reject('too-large', `${body.length} bytes is more than an update of ${config.dim} values needs`));
    let u;
    try {
      u = decodeUpdate(body);
    } catch (e) {
      return refuse(reject('bad-format', (e as Error).message));
    }
    const pending = await this.storage.list<PendingMeta>({ prefix: 'pending:' });
    const clients = new Set([...pending.keys()].map((k) => k.slice('pending:'.length)));
    const limits = { normRatio: config.normRatio, maxNorm: config.maxNorm ?? Infinity };
    const verdict = checkUpdate(u, { round: state.round, dim: config.dim, clients, normScale: state.normScale }, limits);
    if (!verdict.ok) return refuse(verdict);
    const meta: PendingMeta = { seq: state.seq, samples: u.samples, noise: u.noise, norm: verdict.norm };
    state.seq++;
    state.accepted++;
    const round = state.round;
    // at quorum, or past the deadline once this update makes minUpdates (the alarm may have found too few)
    const overdue = state.deadline > 0 && this.now() >= state.deadline && pending.size + 1 >= config.minUpdates;
    if (pending.size + 1 >= config.quorum || overdue) {
      pending.set(`pending:${u.client}`, meta);
      await this.close(config, state, pending, pending.size >= config.quorum ? 'quorum' : 'deadline', { client: u.client, delta: u.delta });
      return json({ ok: true, round, pending: 0, closed: true });
    }
    await writeBatch(this.storage, chunkEntries(`delta:${u.client}:`, u.delta, { state, [`pending:${u.client}`]: meta }), []);
    return json({ ok: true, round, pending: pending.size + 1, closed: false });
  }

  /** Closes the open round when its deadline has passed with enough updates; returns the new state, or null. */
  private async closeIfDue(config: FederationConfig, state: RoundState): Promise<RoundState | null> {
    if (state.deadline === 0 || this.now() < state.deadline) return null;
    const pending = await this.storage.list<PendingMeta>({ prefix: 'pending:' });
    if (pending.size < config.minUpdates) return null;
    await this.close(config, state, pending, 'deadline');
    return state;
  }

  /**
   * Folds the pending updates (arrival order) into the global parameters and
   * opens the next round: every read first, then one batch of writes.
   * `fresh` is an update accepted by this very request (not yet stored).
   */
  private async close(
    config: FederationConfig, state: RoundState, pending: Map<string, PendingMeta>, closedBy: RoundLog['closedBy'],
    fresh?: { client: string; delta: Float32Array },
  ): Promise<void> {
    const entries = [...pending].map(([k, m]) => ({ client: k.slice('pending:'.length), ...m })).sort((a, b) => a.seq - b.seq);
    const updates = [];
    for (const e of entries) {
      const delta = e.client === fresh?.client ? fresh.delta : await readChunks(this.storage, `delta:${e.client}:`, config.dim);
      if (!delta) throw new WasmgradError(`storage: the update of client "${e.client}" is missing`);
      updates.push({ delta, samples: e.samples, noise: e.noise });
    }
    const params = await readChunks(this.storage, 'params:', config.dim);
    if (!params) throw new WasmgradError('storage: the global parameters are missing');
    const opts = { serverLr: config.serverLr, noiseFloor: config.noiseFloor };
    const next = aggregate(params, updates, config.rule, opts);
    const weights = aggregationWeights(updates, config.rule, opts);
    const now = this.now();
    const log: RoundLog = {
      round: state.round, closedBy, closedAt: now,
      updates: entries.map((e, i) => ({ client: e.client, seq: e.seq, samples: e.samples, noise: e.noise, norm: e.norm, weight: weights[i] })),
    };
    const puts = chunkEntries('params:', next, { [`log:${pad(state.round)}`]: log });
    const deletes = entries.flatMap((e) => [`pending:${e.client}`, ...chunkKeys(`delta:${e.client}:`, config.dim)]);
    if (config.keepRounds > 0) {
      chunkEntries(`hist:${pad(state.round)}:`, next, puts);
      if (state.round >= config.keepRounds) deletes.push(...chunkKeys(`hist:${pad(state.round - config.keepRounds)}:`, config.dim));
    }
    state.normScale = median(entries.map((e) => e.norm));
    state.applied += entries.length;
    state.round++;
    state.openedAt = now;
    state.deadline = config.roundTimeoutMs > 0 ? now + config.roundTimeoutMs : 0;
    puts.state = state;
    await writeBatch(this.storage, puts, deletes);
    if (state.deadline > 0) await this.hooks.setAlarm?.(state.deadline);
  }
}
