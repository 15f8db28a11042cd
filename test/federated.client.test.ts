// src/federated/{client,prox,http}.ts: FedProx's proximal gradient against a plain-TS reference
// (both builds, nothing allocated per step), the residual-variance estimate, three clients (one
// with random labels) training against the in-process aggregator through an injected fetch, and
// the bad inputs: bad options, a URL that refuses connections, a server that never answers.
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../src/federated/aggregator.js';
import { client, residualVariance } from '../src/federated/client.js';
import { createFederation, pullParams, retryPolicy, status } from '../src/federated/http.js';
import { ProximalOptimizer } from '../src/federated/prox.js';
import { MemoryStorage } from '../src/federated/store.js';
import { blobs, Dataset, evaluate, NetworkError, predict, split, ValueError } from '../src/index.js';
import { BUILDS, engineFor, randArray } from './helpers.js';

for (const build of BUILDS) {
  describe(`FedProx's proximal term (${build})`, () => {
    it('steps with g + μ (w − w^t); μ = 0 is the wrapped optimizer; no allocation per step', async () => {
      const e = await engineFor(build);
      const n = 37;
      const w0 = randArray(n, 1);
      const x = e.vector(n, w0);
      const opt = new ProximalOptimizer(e.optim.sgd(x, { lr: 0.5 }), x, 0.3);
      let ref = Float64Array.from(w0);
      const used = e.arena.usedBytes;
      for (let t = 0; t < 5; t++) {
        const g = randArray(n, 10 + t);
        x.grads.set(g);
        opt.step();
        ref = ref.map((w, i) => w - 0.5 * (Math.fround(g[i] + Math.fround(0.3 * Math.fround(w - w0[i])))));
        x.params.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-5));
      }
      expect(e.arena.usedBytes).toBe(used);
      const y = e.vector(n, w0);
      const z = e.vector(n, w0);
      const plain = e.optim.sgd(y, { lr: 0.5 });
      const wrapped = new ProximalOptimizer(e.optim.sgd(z, { lr: 0.5 }), z, 0);
      const g = randArray(n, 3);
      y.grads.set(g);
      z.grads.set(g);
      plain.step();
      wrapped.step();
      expect(Array.from(z.params)).toEqual(Array.from(y.params));
      expect(() => new ProximalOptimizer(plain, y, -1)).toThrow(/mu must be a finite number >= 0, got -1/);
      wrapped.dispose();
      expect(() => wrapped.step()).toThrow(/disposed/);
    });
  });
}

describe('federated clients', () => {
  it('the residual variance is the per-class Brier score of the softmax outputs', async () => {
    const e = await engineFor('simd');
    const data = blobs({ n: 40, centers: 3, seed: 1 });
    const model = e.nn.mlp([2, 8, 3], { seed: 2 });
    const out = predict(model, data);
    let s = 0;
    for (let i = 0; i < data.length; i++) {
      const row = Array.from(out.subarray(3 * i, 3 * i + 3));
      const z = row.reduce((a, v) => a + Math.exp(v), 0);
      row.forEach((v, j) => (s += (Math.exp(v) / z - (data.targets[i] === j ? 1 : 0)) ** 2));
    }
    expect(residualVariance(model, data)).toBeCloseTo(s / (40 * 3), 12);
  });

  it('three clients, one with random labels, train a shared model; the noisy one reports more noise', async () => {
    const e = await engineFor('simd');
    const agg = new Aggregator(new MemoryStorage(), { log: () => {} });
    const fetch = (async (url: string | URL | Request, init?: RequestInit) => agg.handle(new Request(url, init))) as typeof globalThis.fetch;
    const retry = { fetch, retries: 0 };
    const { train, test } = split(blobs({ n: 600, centers: 3, seed: 3 }), { test: 0.25, seed: 0 });
    const shards = [0, 1, 2].map((k) => train.subset(Array.from({ length: 150 }, (_, i) => 3 * i + k)));
    const noisyTargets = Int32Array.from(shards[2].targets, (_, i) => (i * 7) % 3);
    const noisy = new Dataset(shards[2].features, noisyTargets, { numClasses: 3 });
    const init = e.nn.mlp([2, 16, 3], { seed: 5 });
    const url = 'http://aggregator.test';
    await createFederation(`${url}/fed/default/`, init.parameters(), { quorum: 3, rule: 'noiseWeighted' }, retryPolicy('t', retry));
    const clients = [shards[0], shards[1], noisy].map((data, k) => {
      const model = e.nn.mlp([2, 16, 3], { seed: 9 });
      return client({ url, id: `c${k}`, model, data, optimizer: e.optim.sgd(model, { lr: 0.1 }), localEpochs: 1, batchSize: 16, retry, pollMs: 1, mu: 0.01 });
    });
    const reports = await Promise.all(clients.map((c) => c.run(6)));
    expect(reports.flat().every((r) => r.outcome === 'accepted')).toBe(true);
    expect(await status(`${url}/fed/default/`, retryPolicy('t', retry))).toMatchObject({ round: 6, accepted: 18, applied: 18 });
    const last = reports.map((r) => r.at(-1)!.noise);
    expect(last[2]).toBeGreaterThan(2 * Math.max(last[0], last[1]));
    const g = await pullParams(`${url}/fed/default/`, retryPolicy('t', retry));
    init.setParameters(g.params);
    expect(evaluate(init, test).accuracy).toBeGreaterThan(0.9);
  });

  it('bad options are ValueErrors; a refused URL and a silent server are NetworkErrors after the retries, never a hang', async () => {
    const e = await engineFor('simd');
    const model = e.nn.mlp([2, 4, 3], { seed: 1 });
    const data = blobs({ n: 30, centers: 3 });
    const optimizer = e.optim.sgd(model, { lr: 0.1 });
    const base = { url: 'http://127.0.0.1:9', id: 'a', model, data, optimizer };
    expect(() => client({ ...base, url: 'ftp://x' })).toThrow(/url must be http or https/);
    expect(() => client({ ...base, id: 'a b' })).toThrow(ValueError);
    expect(() => client({ ...base, localEpochs: 0 })).toThrow(/localEpochs must be an integer >= 1, got 0/);
    expect(() => client({ ...base, retry: { retries: -1 } })).toThrow(/retry.retries must be an integer in \[0, 100\], got -1/);
    expect(() => client({ ...base, typo: 1 } as never)).toThrow(/unknown option 'typo'/);
    const refused = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof globalThis.fetch;
    let calls = 0;
    const c1 = client({ ...base, retry: { fetch: ((...a: Parameters<typeof refused>) => (calls++, refused(...a))) as typeof refused, retries: 3, baseDelayMs: 1 } });
    const err = await c1.round().catch((x) => x);
    expect(err).toBeInstanceOf(NetworkError);
    expect(calls).toBe(4);
    expect(err.message).toMatch(/http:\/\/127\.0\.0\.1:9\/fed\/default\/params did not answer after 4 attempt\(s\) \(last: ECONNREFUSED\)/);
    const silent = ((_: unknown, init?: RequestInit) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof globalThis.fetch;
    const c2 = client({ ...base, retry: { fetch: silent, retries: 1, baseDelayMs: 1, timeoutMs: 50 } });
    await expect(c2.round()).rejects.toThrow(/did not answer after 2 attempt\(s\) \(last: no answer within 50 ms\)/);
  });
});
