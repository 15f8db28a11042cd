// The aggregator Durable Object in real workerd with on-disk storage (dist/federated/worker.js,
// started by src/cli/federated-server.ts on free loopback ports), issue 16's reliability items:
//   - kill -9 mid-round (after acknowledged updates, and with an update in flight), restart on
//     the same storage: it continues from the last committed state, and the final parameters
//     equal, bit for bit, an uninterrupted run given the same updates in the same order;
//   - a client that disconnects mid-body, sends twice, sends for an old round, sends NaN or a
//     wrong-sized body never changes the global state;
//   - 50 concurrent clients x 20 rounds: no update lost or double-counted (counted by the
//     server's counters and its per-round logs).
//   - a round closes at its deadline by the alarm, with no request.
// Nothing here asserts a duration; every wait is bounded (start-up, retries, polling).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, claimPort, type RunningServer } from '../src/cli/federated-server.js';
import { aggregate } from '../src/federated/aggregate.js';
import { createFederation, pullParams, pushUpdate, retryPolicy, status } from '../src/federated/http.js';
import type { FederationOptions } from '../src/federated/config.js';
import { NetworkError, RejectedError } from '../src/errors.js';

const ROOT = resolve(__dirname, '..');
const WORKER = join(ROOT, 'dist/federated/worker.js');
const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
const dirs: string[] = [];
const servers: RunningServer[] = [];
const policy = retryPolicy('test', { retries: 3, baseDelayMs: 20, timeoutMs: 20_000 });

afterAll(async () => {
  for (const s of servers) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function serve(dir?: string): Promise<{ server: RunningServer; dir: string }> {
  const storageDir = dir ?? mkdtempSync(join(tmpdir(), 'wasmgrad-fed-'));
  if (!dir) dirs.push(storageDir);
  const server = await startServer({ storageDir, workerd: WORKERD, worker: WORKER });
  servers.push(server);
  return { server, dir: storageDir };
}

const base = (s: RunningServer, name = 'test') => `${s.url}/fed/${name}/`;
const seeded = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const DIM = 20000; // two storage chunks (16384 floats each)

/** The deterministic update of client c in round r. */
const updateOf = (r: number, c: number) => ({
  client: `client-${c}`, round: r, samples: 10 + c, noise: 0.05 * (c + 1),
  delta: Float32Array.from({ length: DIM }, seeded(1000 * r + c + 1)).map((x) => x * 0.01),
});

describe('the aggregator in workerd (on-disk Durable Object storage)', () => {
  const init = Float32Array.from({ length: DIM }, seeded(42));
  const options: FederationOptions = { quorum: 3, rule: 'noiseWeighted' };
  const ROUNDS = 4;

  it('survives kill -9 mid-round: restarted on the same storage it ends bit-identical to an uninterrupted run', async () => {
    // the uninterrupted run
    const a = await serve();
    await createFederation(base(a.server), init, options, policy);
    for (let r = 0; r < ROUNDS; r++) for (let c = 0; c < 3; c++) await pushUpdate(base(a.server), updateOf(r, c), policy);
    const expected = await pullParams(base(a.server), policy);
    expect(expected.round).toBe(ROUNDS);
    // the same updates against the plain rule in TS, as a cross-check of the worker's arithmetic
    let ref = init;
    for (let r = 0; r < ROUNDS; r++) ref = aggregate(ref, [0, 1, 2].map((c) => updateOf(r, c)), 'noiseWeighted');
    expect(Array.from(expected.params)).toEqual(Array.from(ref));

    // the interrupted run: kill -9 after round 1's first update was acknowledged ...
    const b = await serve();
    await createFederation(base(b.server), init, options, policy);
    for (const [r, c] of [[0, 0], [0, 1], [0, 2], [1, 0]]) await pushUpdate(base(b.server), updateOf(r, c), policy);
    await b.server.kill9();
    let s2 = (await serve(b.dir)).server;
    expect(await status(base(s2), policy)).toMatchObject({ round: 1, pending: 1, accepted: 4, applied: 3 });
    // ... and again with round 1's second update in flight: it landed or it did not; the resend settles it
    const inflight = pushUpdate(base(s2), updateOf(1, 1), retryPolicy('test', { retries: 0 })).catch((e) => e);
    await s2.kill9();
    const first = await inflight;
    s2 = (await serve(b.dir)).server;
    const resend = await pushUpdate(base(s2), updateOf(1, 1), policy).then(() => 'accepted', (e: RejectedError) => e.reason);
    expect(['accepted', 'duplicate']).toContain(resend);
    if (first instanceof Error) expect(first).toBeInstanceOf(NetworkError);
    else expect(resend).toBe('duplicate'); // acknowledged before the kill, so it was durable
    for (const [r, c] of [[1, 2], [2, 0], [2, 1], [2, 2], [3, 0], [3, 1], [3, 2]]) await pushUpdate(base(s2), updateOf(r, c), policy);
    const got = await pullParams(base(s2), policy);
    expect(got.round).toBe(ROUNDS);
    expect(Buffer.from(got.params.buffer).equals(Buffer.from(expected.params.buffer))).toBe(true);
    expect(await status(base(s2), policy)).toMatchObject({ accepted: 12, applied: 12, pending: 0 });
  });

  it('a client that disconnects, sends twice, sends for an old round, NaN or a wrong size never changes the state', async () => {
    const { server } = await serve();
    const b = base(server, 'bad');
    await createFederation(b, new Float32Array(100).fill(1), { quorum: 2 }, policy);
    await pushUpdate(b, { client: 'x', round: 0, samples: 5, noise: 0.1, delta: new Float32Array(100).fill(0.5) }, policy);
    await pushUpdate(b, { client: 'y', round: 0, samples: 5, noise: 0.1, delta: new Float32Array(100).fill(0.5) }, policy);
    await pushUpdate(b, { client: 'x', round: 1, samples: 5, noise: 0.1, delta: new Float32Array(100).fill(0.25) }, policy);
    const before = await pullParams(b, policy);
    const st0 = await status(b, policy);
    const refused = async (u: Parameters<typeof pushUpdate>[1]) =>
      pushUpdate(b, u, retryPolicy('t', { retries: 0 })).then(() => 'accepted', (e: RejectedError) => `${e.status} ${e.reason}`);
    const d = new Float32Array(100).fill(0.1);
    expect(await refused({ client: 'x', round: 1, samples: 5, noise: 0.1, delta: d })).toBe('409 duplicate');
    expect(await refused({ client: 'z', round: 0, samples: 5, noise: 0.1, delta: d })).toBe('409 wrong-round');
    expect(await refused({ client: 'z', round: 1, samples: 5, noise: 0.1, delta: d.map((v, i) => (i === 7 ? NaN : v)) })).toBe('422 non-finite');
    expect(await refused({ client: 'z', round: 1, samples: 5, noise: 0.1, delta: new Float32Array(99) })).toBe('422 wrong-length');
    // a client that goes away in the middle of its body
    await new Promise<void>((done, fail) => {
      const port = Number(new URL(server.url).port);
      const sock = connect(port, '127.0.0.1', () => {
        sock.write(`POST /fed/bad/update HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n`);
        sock.write(Buffer.alloc(5000, 7), () => { sock.destroy(); done(); });
      });
      sock.on('error', fail);
    });
    const after = await pullParams(b, policy);
    expect(Array.from(after.params)).toEqual(Array.from(before.params));
    const st1 = await status(b, policy);
    expect(st1).toMatchObject({ round: st0.round, pending: st0.pending, accepted: st0.accepted, applied: st0.applied, clients: ['x'] });
    // the federation still works: z's good update closes round 1
    expect(await refused({ client: 'z', round: 1, samples: 5, noise: 0.1, delta: d })).toBe('accepted');
    expect((await pullParams(b, policy)).round).toBe(2);
  });

  it('50 concurrent clients x 20 rounds: none lost or double-counted', async () => {
    const { server } = await serve();
    const b = base(server, 'load');
    const n = 50;
    const rounds = 20;
    await createFederation(b, new Float32Array(64), { quorum: n, rule: 'fedavg' }, policy);
    for (let r = 0; r < rounds; r++) {
      const results = await Promise.all(Array.from({ length: n }, (_, c) =>
        pushUpdate(b, { client: `c${c}`, round: r, samples: 1 + (c % 3), noise: 0.1, delta: new Float32Array(64).fill(((c % 5) + 1) / 64) }, policy)));
      expect(results.filter((x) => x.closed)).toHaveLength(1);
    }
    expect(await status(b, policy)).toMatchObject({ round: rounds, pending: 0, accepted: n * rounds, applied: n * rounds });
    const logs = (await (await fetch(`${b}log`)).json()).rounds as { round: number; updates: { client: string }[] }[];
    expect(logs.map((l) => l.round)).toEqual(Array.from({ length: rounds }, (_, r) => r));
    for (const l of logs) expect(new Set(l.updates.map((u) => u.client)).size).toBe(n);
    // Σ_c (n_c / Σn) δ_c per round, 20 rounds
    const total = Array.from({ length: n }, (_, c) => 1 + (c % 3)).reduce((s, x) => s + x, 0);
    const step = Array.from({ length: n }, (_, c) => ((1 + (c % 3)) / total) * (((c % 5) + 1) / 64)).reduce((s, x) => s + x, 0);
    const g = await pullParams(b, policy);
    for (const v of g.params) expect(v).toBeCloseTo(rounds * step, 5);
  });

  it("a round closes at its deadline (by the Durable Object's alarm when no request comes)", async () => {
    const { server } = await serve();
    const b = base(server, 'deadline');
    // (an update that arrives after the deadline closes the round itself: the test passes either way, and exercises the alarm when the machine keeps up)
    await createFederation(b, new Float32Array(8), { quorum: 5, roundTimeoutMs: 1000 }, policy);
    await pushUpdate(b, { client: 'a', round: 0, samples: 1, noise: 1, delta: new Float32Array(8).fill(1) }, policy);
    // GET /log has no side effect (it never closes a round), so only the alarm can make round 0's log appear
    let logs: { round: number; closedBy: string }[] = [];
    for (let i = 0; i < 600 && logs.length === 0; i++) {
      logs = (await (await fetch(`${b}log`)).json()).rounds;
      if (logs.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(logs).toMatchObject([{ round: 0, closedBy: 'deadline' }]);
    expect(await status(b, policy)).toMatchObject({ round: 1, applied: 1 });
  });

  it('a port in use is a NetworkError (EADDRINUSE); a URL that does not answer is a NetworkError after the retries', async () => {
    const { server } = await serve();
    const port = Number(new URL(server.url).port);
    await expect(claimPort(port, '127.0.0.1')).rejects.toMatchObject({ name: 'NetworkError', code: 'EADDRINUSE' });
    const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-fed-'));
    dirs.push(dir);
    await expect(startServer({ storageDir: dir, workerd: WORKERD, worker: WORKER, port })).rejects.toThrow(/already in use/);
    const free = await claimPort(0, '127.0.0.1');
    const quick = retryPolicy('t', { retries: 2, baseDelayMs: 5, timeoutMs: 2000 });
    const e = await pullParams(`http://127.0.0.1:${free}/fed/x/`, quick).catch((x) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect(e.attempts).toBe(3);
    expect(e.message).toMatch(/did not answer after 3 attempt\(s\) \(last: ECONNREFUSED\)/);
  });
});
