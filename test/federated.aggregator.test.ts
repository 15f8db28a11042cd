// src/federated/aggregator.ts over an in-memory store (the same code the Durable Object runs):
// rounds close at quorum or at the deadline (an injected clock), the new global parameters are
// aggregate() of the updates in arrival order, every rejection is a 4xx with a JSON reason and
// changes nothing but the rejection counter, kept rounds serve GET /params?round=r.
import { describe, expect, it } from 'vitest';
import { aggregate } from '../src/federated/aggregate.js';
import { Aggregator } from '../src/federated/aggregator.js';
import { MemoryStorage } from '../src/federated/store.js';
import { decodeParams, encodeUpdate } from '../src/federated/wire.js';
import { encodeSafetensors } from '../src/checkpoint/safetensors.js';
import type { FederationOptions } from '../src/federated/config.js';

const URL0 = 'http://agg/fed/t/';
const seeded = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;

async function setup(options: Partial<FederationOptions> = {}, dim = 10, clock = { t: 1000 }) {
  const storage = new MemoryStorage();
  const logs: string[] = [];
  const agg = new Aggregator(storage, { now: () => clock.t, log: (l) => logs.push(l) });
  const params = Float32Array.from({ length: dim }, seeded(7));
  const body = encodeSafetensors([{ name: 'params', shape: [dim], data: params }], { 'federated.config': JSON.stringify({ quorum: 3, ...options }) });
  const res = await agg.handle(new Request(`${URL0}init`, { method: 'POST', body }));
  expect(res.status).toBe(200);
  const call = async (path: string, body?: Uint8Array) => agg.handle(new Request(`${URL0}${path}`, body ? { method: 'POST', body } : {}));
  const push = async (client: string, round: number, delta: Float32Array, samples = 10, noise = 0.1) =>
    call('update', encodeUpdate({ client, round, samples, noise, delta }));
  const global = async () => decodeParams(new Uint8Array(await (await call('params')).arrayBuffer()));
  const status = async () => (await call('status')).json() as Promise<Record<string, any>>;
  return { storage, agg, params, call, push, global, status, logs, clock };
}

const deltas = (n: number, dim: number, seed = 1) => Array.from({ length: n }, () => Float32Array.from({ length: dim }, seeded(seed++)));

describe('the aggregator state machine', () => {
  it('closes a round at quorum with aggregate() of the updates in arrival order', async () => {
    const s = await setup({ rule: 'noiseWeighted' });
    const d = deltas(3, 10);
    expect(await (await s.push('a', 0, d[0], 10, 0.5)).json()).toEqual({ ok: true, round: 0, pending: 1, closed: false });
    await s.push('b', 0, d[1], 20, 0.1);
    expect((await s.global()).updates).toBe(2);
    expect(await (await s.push('c', 0, d[2], 5, 2)).json()).toEqual({ ok: true, round: 0, pending: 0, closed: true });
    const g = await s.global();
    expect(g.round).toBe(1);
    const expected = aggregate(s.params, [
      { delta: d[0], samples: 10, noise: 0.5 }, { delta: d[1], samples: 20, noise: 0.1 }, { delta: d[2], samples: 5, noise: 2 },
    ], 'noiseWeighted');
    expect(Array.from(g.params)).toEqual(Array.from(expected));
    const st = await s.status();
    expect(st).toMatchObject({ round: 1, pending: 0, accepted: 3, applied: 3, rule: 'noiseWeighted' });
    // nothing of the round is left in storage but its log
    expect([...s.storage.map.keys()].filter((k) => k.startsWith('pending:') || k.startsWith('delta:'))).toEqual([]);
    const log = await (await s.call('log')).json();
    expect(log.rounds[0]).toMatchObject({ round: 0, closedBy: 'quorum' });
    expect(log.rounds[0].updates.map((u: { client: string }) => u.client)).toEqual(['a', 'b', 'c']);
  });

  it('every rejection is a 4xx with a JSON reason, logged, and leaves the state as it was', async () => {
    const s = await setup({ maxNorm: 100 });
    await s.push('a', 0, new Float32Array(10).fill(0.1));
    const before = new Map([...s.storage.map].filter(([k]) => k !== 'state'));
    const bad: [string, Promise<Response>, number, string][] = [
      ['twice', s.push('a', 0, new Float32Array(10)), 409, 'duplicate'],
      ['old round', s.push('b', -1, new Float32Array(10)), 409, 'wrong-round'],
      ['future round', s.push('b', 1, new Float32Array(10)), 409, 'wrong-round'],
      ['NaN', s.push('b', 0, new Float32Array(10).fill(NaN)), 422, 'non-finite'],
      ['wrong size', s.push('b', 0, new Float32Array(11)), 422, 'wrong-length'],
      ['noise NaN', s.push('b', 0, new Float32Array(10), 10, NaN), 422, 'bad-noise'],
      ['samples 0', s.push('b', 0, new Float32Array(10), 0), 422, 'bad-samples'],
      ['huge', s.push('b', 0, new Float32Array(10).fill(1000)), 422, 'norm-outlier'],
      ['garbage', s.call('update', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])), 400, 'bad-format'],
      ['too large', s.call('update', new Uint8Array(200_000)), 413, 'too-large'],
    ];
    for (const [what, p, status, reason] of bad) {
      const r = await p;
      expect(r.status, what).toBe(status);
      const body = await r.json();
      expect(body, what).toMatchObject({ ok: false, reason, round: 0 });
      expect(typeof body.message).toBe('string');
    }
    expect(new Map([...s.storage.map].filter(([k]) => k !== 'state'))).toEqual(before);
    const st = await s.status();
    expect(st).toMatchObject({ round: 0, pending: 1, accepted: 1, applied: 0 });
    expect(st.rejected).toEqual({ duplicate: 1, 'wrong-round': 2, 'non-finite': 1, 'wrong-length': 1, 'bad-noise': 1, 'bad-samples': 1, 'norm-outlier': 1, 'bad-format': 1, 'too-large': 1 });
    expect(s.logs.filter((l) => JSON.parse(l).event === 'rejected')).toHaveLength(10);
  });

  it('the relative norm rule uses the last closed round; init twice, unknown routes and a bad config are refused', async () => {
    const s = await setup({ quorum: 2, normRatio: 5 });
    await s.push('a', 0, new Float32Array(10).fill(1));
    await s.push('b', 0, new Float32Array(10).fill(1));
    const r = await s.push('a', 1, new Float32Array(10).fill(6));
    expect(await r.json()).toMatchObject({ reason: 'norm-outlier' });
    expect((await s.push('a', 1, new Float32Array(10).fill(4))).status).toBe(200);
    const again = await s.call('init', encodeSafetensors([{ name: 'params', shape: [1], data: new Float32Array(1) }], { 'federated.config': '{"quorum":1}' }));
    expect(again.status).toBe(409);
    expect((await s.call('nothing')).status).toBe(404);
    const fresh = new Aggregator(new MemoryStorage(), { log: () => {} });
    for (const cfg of ['{"quorum":0}', '{"quorum":2,"rule":"median"}', '{"quorum":2,"typo":1}', 'not json']) {
      const res = await fresh.handle(new Request(`${URL0}init`, { method: 'POST', body: encodeSafetensors([{ name: 'params', shape: [1], data: new Float32Array(1) }], { 'federated.config': cfg }) }));
      expect(res.status, cfg).toBe(400);
      expect((await res.json()).reason).toBe('bad-config');
    }
    expect((await fresh.handle(new Request(`${URL0}params`))).status).toBe(404);
  });

  it('closes at the deadline with at least minUpdates pending, not before', async () => {
    const clock = { t: 1000 };
    const s = await setup({ quorum: 5, minUpdates: 2, roundTimeoutMs: 500 }, 10, clock);
    await s.push('a', 0, new Float32Array(10).fill(1));
    clock.t = 2000;
    expect((await s.status()).round).toBe(0); // past the deadline, but only one update
    // the update that makes minUpdates past the deadline closes the round at once
    expect(await (await s.push('b', 0, new Float32Array(10).fill(3))).json()).toMatchObject({ closed: true, round: 0 });
    await s.agg.alarm(); // a late alarm finds nothing to do
    const st = await s.status();
    expect(st).toMatchObject({ round: 1, applied: 2, deadline: 2500 });
    const g = await s.global();
    expect(g.params[0]).toBeCloseTo(s.params[0] + 2, 6);
    expect(((await (await s.call('log')).json()).rounds[0]).closedBy).toBe('deadline');
    // a client late for round 0 is told so
    expect(await (await s.push('c', 0, new Float32Array(10))).json()).toMatchObject({ reason: 'wrong-round', round: 1 });
    // the alarm alone closes a round whose deadline passed with enough updates
    await s.push('a', 1, new Float32Array(10));
    await s.push('b', 1, new Float32Array(10));
    clock.t = 3000;
    expect((await (await s.call('log')).json()).rounds).toHaveLength(1);
    await s.agg.alarm();
    expect((await (await s.call('log')).json()).rounds.map((l: { closedBy: string }) => l.closedBy)).toEqual(['deadline', 'deadline']);
  });

  it('keeps the last keepRounds global parameters for GET /params?round=r', async () => {
    const s = await setup({ quorum: 1, keepRounds: 2 });
    const seen: Float32Array[] = [];
    for (let r = 0; r < 4; r++) {
      await s.push('a', r, new Float32Array(10).fill(r + 1));
      seen.push((await s.global()).params);
    }
    expect((await s.call('params?round=0')).status).toBe(404);
    expect((await s.call('params?round=1')).status).toBe(404);
    for (const r of [2, 3]) {
      const g = decodeParams(new Uint8Array(await (await s.call(`params?round=${r}`)).arrayBuffer()));
      expect(g.round).toBe(r + 1);
      expect(Array.from(g.params)).toEqual(Array.from(seen[r]));
    }
  });

  it('50 concurrent clients x 5 rounds in process: every update counted once', async () => {
    const s = await setup({ quorum: 50 }, 33);
    for (let r = 0; r < 5; r++) {
      const res = await Promise.all(Array.from({ length: 50 }, (_, i) => s.push(`c${i}`, r, new Float32Array(33).fill(0.001 * i))));
      expect(res.map((x) => x.status)).toEqual(new Array(50).fill(200));
    }
    expect(await s.status()).toMatchObject({ round: 5, accepted: 250, applied: 250, pending: 0 });
  });
});
