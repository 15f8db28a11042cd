// src/federated/{aggregate,validate,wire}.ts: the aggregation rules against a plain f64
// reference, the update checks (one test per rejection reason), and the safetensors wire
// format round trip. No engine, no worker: these are the pure functions the aggregator runs.
import { describe, expect, it } from 'vitest';
import { aggregate, aggregationWeights, median, norm2, type ClientUpdate } from '../src/federated/aggregate.js';
import { checkUpdate, REJECT_STATUS, type IncomingUpdate, type RoundView } from '../src/federated/validate.js';
import { decodeParams, decodeUpdate, encodeParams, encodeUpdate } from '../src/federated/wire.js';
import { encodeSafetensors } from '../src/checkpoint/safetensors.js';
import { FormatError, ValueError } from '../src/errors.js';

const seeded = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;

function updates(n: number, dim: number, seed = 1): ClientUpdate[] {
  const r = seeded(seed);
  return Array.from({ length: n }, (_, i) => ({ delta: Float32Array.from({ length: dim }, r), samples: 10 + 7 * i, noise: 0.1 * (i + 1) }));
}

describe('aggregation rules', () => {
  it('FedAvg weighs by sample count: global + Σ (n_i / Σn) Δ_i, in f64', () => {
    const g = Float32Array.from({ length: 13 }, seeded(9));
    const us = updates(4, 13);
    const total = us.reduce((s, u) => s + u.samples, 0);
    const out = aggregate(g, us, 'fedavg');
    for (let k = 0; k < 13; k++) {
      let s = 0;
      for (const u of us) s += (u.samples / total) * u.delta[k];
      expect(out[k]).toBe(Math.fround(g[k] + s));
    }
    expect(Array.from(aggregationWeights(us, 'fedavg'))).toEqual(us.map((u) => u.samples / total));
  });

  it('noise-weighted: c_i = n_i / σ²_i; equal noise gives FedAvg; one noisy client gets little weight', () => {
    const us = updates(4, 5);
    const c = us.map((u) => u.samples / u.noise);
    const sum = c.reduce((a, b) => a + b, 0);
    const w = aggregationWeights(us, 'noiseWeighted');
    c.forEach((ci, i) => expect(w[i]).toBeCloseTo(ci / sum, 15));
    const equal = us.map((u) => ({ ...u, noise: 0.3 }));
    const a = aggregationWeights(equal, 'noiseWeighted');
    const b = aggregationWeights(equal, 'fedavg');
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 15));
    // 3 clean clients (σ² = 0.05) and one with σ² = 5: the noisy one weighs 1/301 of an equal split
    const mixed = [0.05, 0.05, 0.05, 5].map((noise) => ({ delta: [0], samples: 100, noise }));
    expect(aggregationWeights(mixed, 'noiseWeighted')[3]).toBeCloseTo(0.01 / 3.01, 12);
    // a perfect fit (σ² = 0) is clamped by the floor instead of dividing by zero
    const w0 = aggregationWeights([{ delta: [0], samples: 1, noise: 0 }, { delta: [0], samples: 1, noise: 1 }], 'noiseWeighted', { noiseFloor: 0.5 });
    expect(w0[0]).toBeCloseTo(2 / 3, 15);
  });

  it('the server learning rate scales the step; out may alias global; the order is the given one', () => {
    const g = new Float32Array([1, 2, 3]);
    const us: ClientUpdate[] = [{ delta: [1, 1, 1], samples: 1, noise: 1 }, { delta: [3, 3, 3], samples: 3, noise: 1 }];
    expect(Array.from(aggregate(g, us, 'fedavg', { serverLr: 0.5 }))).toEqual([2.25, 3.25, 4.25]);
    const same = aggregate(g, us, 'fedavg', {}, g);
    expect(same).toBe(g);
    expect(Array.from(g)).toEqual([3.5, 4.5, 5.5]);
  });

  it('bad input is a ValueError naming the argument, and nothing is written', () => {
    const g = new Float32Array(3);
    const ok = { delta: [0, 0, 0], samples: 2, noise: 0.1 };
    expect(() => aggregationWeights([], 'fedavg')).toThrow(/updates must be a non-empty array/);
    expect(() => aggregationWeights([ok], 'mean' as never)).toThrow(/aggregationWeights: rule must be one of 'fedavg', 'noiseWeighted', got 'mean'/);
    expect(() => aggregationWeights([{ ...ok, samples: 0 }], 'fedavg')).toThrow(/updates\[0\]\.samples must be an integer ≥ 1, got 0/);
    expect(() => aggregationWeights([{ ...ok, noise: NaN }], 'fedavg')).toThrow(/updates\[0\]\.noise must be a finite number ≥ 0, got NaN/);
    expect(() => aggregate(g, [ok, { ...ok, delta: [1, 2] }], 'fedavg', {}, g)).toThrow(ValueError);
    expect(() => aggregate(g, [ok], 'fedavg', { serverLr: 0 })).toThrow(/serverLr must be/);
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });

  it('norm2 and median', () => {
    expect(norm2([3, 4])).toBe(5);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('update validation', () => {
  const view: RoundView = { round: 3, dim: 4, clients: new Set(['a']), normScale: 1 };
  const limits = { normRatio: 10, maxNorm: Infinity };
  const good: IncomingUpdate = { client: 'b', round: 3, samples: 20, noise: 0.5, delta: new Float32Array([0.5, 0.5, 0.5, 0.5]) };
  const check = (patch: Partial<IncomingUpdate>, v: RoundView = view, l = limits) => checkUpdate({ ...good, ...patch }, v, l);

  it('accepts a good update and reports its norm', () => {
    expect(check({})).toEqual({ ok: true, norm: 1 });
  });

  it.each([
    ['bad-client', { client: 'has space' }, 400, /client id must be/],
    ['bad-client', { client: '' }, 400, /client id/],
    ['wrong-round', { round: 2 }, 409, /round 2 \(an old round\); the open round is 3/],
    ['wrong-round', { round: 4 }, 409, /has not opened/],
    ['duplicate', { client: 'a' }, 409, /already sent its update for round 3/],
    ['wrong-length', { delta: new Float32Array(5) }, 422, /delta has 5 values, the global parameters 4/],
    ['bad-samples', { samples: 0 }, 422, /samples must be an integer/],
    ['bad-samples', { samples: 1.5 }, 422, /samples/],
    ['bad-noise', { noise: NaN }, 422, /noise must be a finite number ≥ 0, got NaN/],
    ['bad-noise', { noise: -1 }, 422, /noise/],
    ['non-finite', { delta: new Float32Array([0, 0, NaN, 0]) }, 422, /delta\[2\] is NaN/],
    ['non-finite', { delta: new Float32Array([Infinity, 0, 0, 0]) }, 422, /delta\[0\] is Infinity/],
    ['norm-outlier', { delta: new Float32Array([20, 0, 0, 0]) }, 422, /exceeds 10 × the last round's median update norm 1/],
  ] as const)('%s (%o) -> HTTP %i', (reason, patch, status, message) => {
    const r = check(patch as Partial<IncomingUpdate>);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(reason);
    expect(r.status).toBe(status);
    expect(REJECT_STATUS[reason]).toBe(status);
    expect(r.message).toMatch(message);
  });

  it('the relative norm test is off before the first round closes and with normRatio 0; maxNorm is absolute', () => {
    const big = { delta: new Float32Array([20, 0, 0, 0]) };
    expect(check(big, { ...view, normScale: 0 }).ok).toBe(true);
    expect(check(big, view, { normRatio: 0, maxNorm: Infinity }).ok).toBe(true);
    const r = check(big, { ...view, normScale: 0 }, { normRatio: 10, maxNorm: 19 });
    expect(r.ok ? '' : r.message).toMatch(/exceeds maxNorm 19/);
  });
});

describe('wire format (safetensors)', () => {
  it('an update round-trips bit for bit, the noise as a float64', () => {
    const u: IncomingUpdate = { client: 'node-1', round: 7, samples: 123, noise: 0.1 + 0.2, delta: Float32Array.from({ length: 37 }, seeded(3)) };
    const back = decodeUpdate(encodeUpdate(u));
    expect(back).toEqual(u);
    expect(back.noise).toBe(0.30000000000000004);
  });

  it('NaN and a missing field decode (validation refuses them), other tensors and garbage are FormatErrors', () => {
    const u: IncomingUpdate = { client: 'c', round: 1, samples: 1, noise: NaN, delta: new Float32Array([NaN, 1]) };
    const back = decodeUpdate(encodeUpdate(u));
    expect(back.noise).toBeNaN();
    expect(back.delta[0]).toBeNaN();
    expect(() => decodeUpdate(new Uint8Array([1, 2, 3]))).toThrow(FormatError);
    const other = encodeSafetensors([{ name: 'weights', shape: [2], data: new Float32Array(2) }], { 'federated.client': 'c' });
    expect(() => decodeUpdate(other)).toThrow(/expected one tensor "delta", got "weights"/);
    const noRound = encodeSafetensors([{ name: 'delta', shape: [2], data: new Float32Array(2) }], { 'federated.client': 'c' });
    expect(() => decodeUpdate(noRound)).toThrow(/metadata "federated.round" is missing/);
    const flipped = encodeUpdate({ ...u, noise: 1 });
    flipped[flipped.length - 1] ^= 1;
    expect(() => decodeUpdate(flipped)).toThrow(/checksum mismatch/);
  });

  it('global parameters round-trip', () => {
    const g = { round: 12, params: Float32Array.from({ length: 9 }, seeded(5)), rule: 'noiseWeighted', updates: 3 };
    expect(decodeParams(encodeParams(g))).toEqual(g);
  });
});
