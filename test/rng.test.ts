// assembly/rng.ts and src/runtime/rng.ts: the stream against an independent plain-TS
// xoshiro128** + splitmix64, identical fills in both builds, state save/restore,
// and the statistics of the uniform and normal fills.
import { describe, expect, it } from 'vitest';
import { StateError, ValueError } from '../src/index.js';
import { BUILDS, engineFor, expectClose, type Build } from './helpers.js';

/** splitmix64 (Steele, Lea, Flood 2014; Vigna's reference), BigInt. */
function splitmix64(seed: bigint): () => bigint {
  const M = (1n << 64n) - 1n;
  let z = seed & M;
  return () => {
    z = (z + 0x9e3779b97f4a7c15n) & M;
    let x = z;
    x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & M;
    return x ^ (x >> 31n);
  };
}

/** The state the core's rng_seed documents: two splitmix64 outputs, each as (low word, high word). */
function refSeed(seed: number): Uint32Array {
  const sm = splitmix64(BigInt(seed));
  const a = sm(), b = sm();
  return Uint32Array.from([a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n], Number);
}

/** xoshiro128** 1.1 (Blackman & Vigna 2018), written from the paper's C reference. */
function refXoshiro(state: Uint32Array): () => number {
  const s = Uint32Array.from(state);
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

const SEEDS = [0, 1, 42, 2 ** 32 - 1, 2 ** 32, 123456789012345, Number.MAX_SAFE_INTEGER];

function moments(x: ArrayLike<number>): { mean: number; variance: number; kurtosis: number } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m4 /= n;
  return { mean, variance: m2, kurtosis: m4 / (m2 * m2) };
}

async function draw(build: Build, seed: number, kind: 'uniform' | 'normal', n: number, a = 0, b = 1) {
  const e = await engineFor(build);
  const rng = e.rng(seed);
  const t = e.tensor([n]);
  rng[kind](t, a, b);
  const out = t.toArray();
  t.dispose();
  rng.dispose();
  return out;
}

for (const build of BUILDS) {
  describe(`rng (${build})`, () => {
    it('seeds as splitmix64 and draws the xoshiro128** stream of the reference', async () => {
      const e = await engineFor(build);
      for (const seed of SEEDS) {
        const rng = e.rng(seed);
        const want = refSeed(seed);
        expect(Array.from(rng.state()), `state of seed ${seed}`).toEqual(Array.from(want));
        const next = refXoshiro(want);
        const n = 1001;
        const out = e.arena.alloc(n * 4);
        e.kernels.rng_u32(n, rng.ptr, out);
        const got = new Uint32Array(e.memory.buffer, out, n);
        for (let i = 0; i < n; i++) {
          const w = next();
          if (got[i] !== w) throw new Error(`rng_u32 seed ${seed}: word ${i} is ${got[i]}, reference ${w}`);
        }
        e.arena.free(out);
        rng.dispose();
      }
    });

    it('uniform(lo, hi) is lo + (hi - lo) · (top 24 bits / 2^24), in f32', async () => {
      const e = await engineFor(build);
      for (const [lo, hi] of [[0, 1], [-1, 1], [-0.05, 0.05], [3, 3]]) {
        const t = e.tensor([517]);
        e.rng(7).uniform(t, lo, hi);
        const next = refXoshiro(refSeed(7));
        const f = Math.fround;
        const want = Array.from({ length: 517 }, () => f(f(f(f(hi) - f(lo)) * ((next() >>> 8) / 16777216)) + f(lo)));
        expect(Array.from(t.data), `uniform(${lo}, ${hi})`).toEqual(want);
        for (const v of t.data) expect(v >= f(lo) && v <= f(hi)).toBe(true);
      }
    });

    it('normal(mean, std) is Box-Muller over the same stream (odd n drops the last of a pair)', async () => {
      const e = await engineFor(build);
      for (const n of [0, 1, 2, 3, 4, 5, 17, 1001]) {
        const t = e.tensor([n]);
        const rng = e.rng(99);
        rng.normal(t, 2, 3);
        const next = refXoshiro(refSeed(99));
        const want: number[] = [];
        while (want.length < n) {
          const u1 = ((next() >>> 8) + 1) / 16777216;
          const u2 = (next() >>> 8) / 16777216;
          const r = Math.sqrt(-2 * Math.log(u1));
          want.push(2 + 3 * r * Math.cos(2 * Math.PI * u2), 2 + 3 * r * Math.sin(2 * Math.PI * u2));
        }
        expectClose(`f32_rng_normal ${build} n=${n}`, t.data, want.slice(0, n), { rtol: 1e-6, atol: 1e-6 });
        // the stream advanced by ceil(n / 2) pairs of words
        const after = refXoshiro(refSeed(99));
        for (let i = 0; i < 2 * Math.ceil(n / 2); i++) after();
        const check = e.arena.alloc(16);
        e.kernels.rng_u32(1, rng.ptr, check);
        expect(new Uint32Array(e.memory.buffer, check, 1)[0], `position after normal n=${n}`).toBe(after());
        e.arena.free(check);
        rng.dispose();
        t.dispose();
      }
    });

    it('state() and setState() replay the same numbers', async () => {
      const e = await engineFor(build);
      const rng = e.rng(2024);
      const t = e.tensor([333]);
      rng.normal(t); // advance
      const saved = rng.state();
      const a = rng.uniform(t, -2, 2).toArray();
      const b = rng.normal(e.tensor([7])).toArray();
      rng.setState(saved);
      expect(rng.uniform(t, -2, 2).toArray()).toEqual(a);
      expect(rng.normal(e.tensor([7])).toArray()).toEqual(b);
      // a copy into another stream replays too
      const other = e.rng(1);
      other.setState(saved);
      expect(other.uniform(e.tensor([333]), -2, 2).toArray()).toEqual(a);
      // saved is a copy, not a view
      expect(Array.from(saved)).not.toEqual(Array.from(rng.state()));
    });

    it('uniform and normal statistics for n = 1e5 are within sampling error', async () => {
      const n = 100_000;
      const u = moments(await draw(build, 5, 'uniform', n, 0, 1));
      // sd of the mean sqrt(1/12/n) = 9.1e-4; of the variance sqrt((1/80 - 1/144)/n) = 2.4e-4: 5 sd
      expect(Math.abs(u.mean - 0.5)).toBeLessThan(4.6e-3);
      expect(Math.abs(u.variance - 1 / 12)).toBeLessThan(1.2e-3);
      expect(Math.abs(u.kurtosis - 1.8)).toBeLessThan(0.02);
      const g = moments(await draw(build, 6, 'normal', n + 1, 0, 1));
      // sd of the mean 1/sqrt(n); of the variance sqrt(2/n); of the kurtosis sqrt(24/n): 5 sd
      expect(Math.abs(g.mean)).toBeLessThan(0.016);
      expect(Math.abs(g.variance - 1)).toBeLessThan(0.023);
      expect(Math.abs(g.kurtosis - 3)).toBeLessThan(0.078);
      const s = moments(await draw(build, 6, 'normal', 20_001, -1, 0.5));
      expect(Math.abs(s.mean + 1)).toBeLessThan(0.018);
      expect(Math.abs(Math.sqrt(s.variance) - 0.5)).toBeLessThan(0.013);
      // 16 equal bins of U[0, 1): chi-square with 15 degrees of freedom, p < 1e-4 above 42.6
      const x = await draw(build, 8, 'uniform', n, 0, 1);
      const bins = new Array(16).fill(0);
      for (const v of x) bins[Math.floor(v * 16)]++;
      const chi2 = bins.reduce((a, c) => a + (c - n / 16) ** 2 / (n / 16), 0);
      expect(chi2).toBeLessThan(42.6);
    });

    it('validates seeds, parameters and state, and refuses use after dispose', async () => {
      const e = await engineFor(build);
      for (const bad of [-1, 1.5, NaN, 2 ** 53, '3', null]) {
        expect(() => e.rng(bad as number), `seed ${String(bad)}`).toThrow(ValueError);
      }
      expect(() => e.rng(-1)).toThrow('rng: seed must be a non-negative safe integer, got -1');
      const rng = e.rng(3);
      const t = e.tensor([4], [9, 9, 9, 9]);
      expect(() => rng.uniform(t, 1, 0)).toThrow('rng.uniform: need finite lo <= hi, got lo = 1, hi = 0');
      expect(() => rng.normal(t, 0, -1)).toThrow(/std must be finite and >= 0, got -1/);
      expect(() => rng.normal(t, NaN)).toThrow(ValueError);
      expect(() => rng.setState([1, 2, 3])).toThrow(/4 words, got length 3/);
      expect(() => rng.setState([0, 0, 0, 0])).toThrow(/all-zero/);
      expect(() => rng.setState([1, 2, 3, 2 ** 32])).toThrow(/word 3/);
      const other = await engineFor(build === 'simd' ? 'scalar' : 'simd');
      expect(() => rng.uniform(other.tensor([2]))).toThrow(StateError);
      expect(Array.from(t.data)).toEqual([9, 9, 9, 9]); // nothing written by the failed calls
      const s0 = rng.state();
      rng.dispose();
      rng.dispose();
      expect(() => rng.uniform(t)).toThrow(StateError);
      expect(() => rng.state()).toThrow(/after dispose/);
      expect(s0.length).toBe(4);
    });
  });
}

describe('rng in both builds', () => {
  it('gives identical uniform, normal and u32 draws, bit for bit, for the same seed', async () => {
    for (const seed of [0, 17, 2 ** 40 + 3]) {
      for (const n of [1, 3, 4, 1000, 1001]) {
        expect(await draw('simd', seed, 'uniform', n, -3, 5)).toEqual(await draw('scalar', seed, 'uniform', n, -3, 5));
        const a = await draw('simd', seed, 'normal', n, 0.5, 2);
        const b = await draw('scalar', seed, 'normal', n, 0.5, 2);
        expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
      }
    }
  });
});

/** The xoshiro128** state whose first two output words are w1, w2 (the output depends on s1 only). */
function stateFor(w1: number, w2: number): number[] {
  // w = rotl(s1 * 5, 7) * 9 (mod 2^32)  =>  s1 = rotr(w * 9^-1, 7) * 5^-1
  const pre = (w: number) => {
    const x = Math.imul(w, 0x38e38e39) >>> 0;
    return Math.imul(((x >>> 7) | (x << 25)) >>> 0, 0xcccccccd) >>> 0;
  };
  const s1 = pre(w1), s1next = pre(w2), s0 = 0x12345678;
  // one step: s1' = s1 ^ s2 ^ s0
  return [s0, s1, (s1 ^ s1next ^ s0) >>> 0, 0x9e3779b9];
}

describe('normal draws at the edges of Box-Muller (f32 evaluation)', () => {
  // u1 = (w1 >>> 8) + 1) / 2^24: w1 = 0 gives the largest radius sqrt(-2 ln 2^-24) = 5.77, w1 = ~0 gives u1 = 1 (r = 0);
  // u2 = (w2 >>> 8) / 2^24 on the quadrant boundaries k/8 (x = +-pi/4 after reduction) and at its largest
  const W1 = [0, 0xff, 0x100, 0x7fffffff, 0xffffff00, 0xffffffff];
  const W2 = [0, 0x200000 << 8, 0x400000 << 8, 0x600000 << 8, 0x800000 << 8, (0xa00000 << 8) >>> 0, (0xe00000 << 8) >>> 0, 0xffffffff];
  it('stay within 3 f32 ulp-sized errors (3e-7 * max(1, |z|)) of the f64 formula, identical in both builds', async () => {
    const got: Record<string, number[]> = {};
    for (const build of BUILDS) {
      const e = await engineFor(build);
      const out: number[] = [];
      for (const w1 of W1) {
        for (const w2 of W2) {
          const rng = e.rng(1);
          rng.setState(stateFor(w1, w2));
          const t = e.tensor([2]);
          rng.normal(t, 0, 1);
          out.push(...t.data);
          const u1 = ((w1 >>> 8) + 1) / 16777216, u2 = (w2 >>> 8) / 16777216;
          const r = Math.sqrt(-2 * Math.log(u1));
          const want = [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
          for (let k = 0; k < 2; k++) {
            const err = Math.abs(t.data[k] - want[k]);
            expect(err, `${build} w1=${w1.toString(16)} w2=${w2.toString(16)} z${k}: got ${t.data[k]}, want ${want[k]}`).toBeLessThanOrEqual(3e-7 * Math.max(1, Math.abs(want[k])));
          }
          rng.dispose();
        }
      }
      got[build] = out;
    }
    expect(got.simd).toEqual(got.scalar);
    // the crafted states did produce the edge words: the largest radius, and u1 = 1 (r = 0, z = 0)
    expect(Math.max(...got.simd.map(Math.abs))).toBeGreaterThan(5.76);
    expect(got.simd.slice(-2 * W2.length).every((z) => z === 0)).toBe(true);
  });

  it('the SIMD path (8 at a time) and the pairwise path agree bit for bit over 2^16 draws', async () => {
    for (const seed of [3, 2 ** 33 + 5]) {
      const a = await draw('simd', seed, 'normal', 65536, -1, 0.5);
      const b = await draw('scalar', seed, 'normal', 65536, -1, 0.5);
      expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
    }
  });
});
