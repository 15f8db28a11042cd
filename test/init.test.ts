// src/init: statistics of every scheme on 512×512 weights within sampling error,
// orthogonality, gains, PyTorch's nn.Linear default, seeding, typed errors.
import { describe, expect, it } from 'vitest';
import { calculateGain, initializers as I, ValueError, type Initializer } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

function moments(v: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let s = 0, min = Infinity, max = -Infinity;
  for (const x of v) { s += x; min = Math.min(min, x); max = Math.max(max, x); }
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) ** 2;
  return { mean, variance: q / v.length, min, max };
}

/**
 * Sampling error: the mean has sd σ/√N; the sample variance has sd σ²·√(κ−1)/√N
 * with kurtosis κ = 3 (normal) or 9/5 (uniform). Allow 5 sd (a false alarm ~1e-6).
 */
function expectStats(what: string, v: Float32Array, variance: number, kind: 'normal' | 'uniform', mean = 0): void {
  const m = moments(v), n = v.length, sd = Math.sqrt(variance);
  const kappa = kind === 'normal' ? 3 : 9 / 5;
  expect(Math.abs(m.mean - mean), `${what} mean ${m.mean} vs ${mean}`).toBeLessThanOrEqual((5 * sd) / Math.sqrt(n) + 1e-12);
  expect(Math.abs(m.variance - variance), `${what} variance ${m.variance} vs ${variance}`).toBeLessThanOrEqual((5 * variance * Math.sqrt(kappa - 1)) / Math.sqrt(n) + 1e-12);
  if (kind === 'uniform') {
    const b = Math.sqrt(3 * variance);
    expect(m.min, `${what} min`).toBeGreaterThanOrEqual(mean - b * (1 + 1e-6));
    expect(m.max, `${what} max`).toBeLessThanOrEqual(mean + b * (1 + 1e-6));
  }
}

for (const build of BUILDS) {
  describe(`initializers (${build})`, () => {
    const weightOf = async (inF: number, outF: number, init: Initializer | Parameters<typeof I.constant>[0] | object, seed = 1) => {
      const e = await engineFor(build);
      const m = e.nn.linear(inF, outF, { init: init as Initializer, seed });
      const p = m.parameters();
      m.dispose();
      return { w: p.subarray(0, inF * outF), b: p.subarray(inF * outF) };
    };
    const N = 512;

    it('PyTorch nn.Linear default: W and b ~ U(±1/√fan_in)', async () => {
      const { w, b } = await weightOf(N, N, 'default');
      expectStats('linear default W', w, 1 / (3 * N), 'uniform');
      expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(N));
      expect(new Set(b).size).toBe(N);
    });

    it('zeros, constant, uniform, normal', async () => {
      expect((await weightOf(N, N, I.zeros())).w.every((v) => v === 0)).toBe(true);
      expect((await weightOf(8, 4, I.constant(0.25))).w.every((v) => v === 0.25)).toBe(true);
      expectStats('uniform(-2, 4)', (await weightOf(N, N, I.uniform({ a: -2, b: 4 }))).w, 36 / 12, 'uniform', 1);
      expectStats('normal(0.5, 2)', (await weightOf(N, N, I.normal({ mean: 0.5, std: 2 }))).w, 4, 'normal', 0.5);
    });

    it('Xavier/Glorot: Var = gain²·2/(fan_in + fan_out)', async () => {
      expectStats('xavierUniform', (await weightOf(N, N, 'xavierUniform')).w, 2 / (2 * N), 'uniform');
      expectStats('xavierNormal gain 2', (await weightOf(N, N, I.xavierNormal({ gain: 2 }))).w, (4 * 2) / (2 * N), 'normal');
      // rectangular: fan_in = 256, fan_out = 512
      expectStats('xavierUniform 256→512', (await weightOf(256, 512, I.xavierUniform())).w, 2 / 768, 'uniform');
    });

    it('He/Kaiming: Var = gain²/fan, a for leaky ReLU, mode fan_in/fan_out', async () => {
      expectStats('kaimingNormal', (await weightOf(N, N, 'kaimingNormal')).w, 2 / N, 'normal');
      expectStats('kaimingUniform', (await weightOf(N, N, 'kaimingUniform')).w, 2 / N, 'uniform');
      expectStats('kaimingNormal a=0.2', (await weightOf(N, N, I.kaimingNormal({ a: 0.2 }))).w, 2 / (1 + 0.04) / N, 'normal');
      expectStats('kaimingNormal fan_out', (await weightOf(256, 512, I.kaimingNormal({ mode: 'fan_out' }))).w, 2 / 512, 'normal');
      expectStats('kaimingNormal fan_in', (await weightOf(256, 512, I.kaimingNormal({ mode: 'fan_in' }))).w, 2 / 256, 'normal');
      expectStats('kaimingUniform tanh', (await weightOf(N, N, I.kaimingUniform({ nonlinearity: 'tanh' }))).w, 25 / 9 / N, 'uniform');
      // nn.Linear's default is kaiming_uniform with a = √5: U(±1/√fan_in)
      expectStats('kaimingUniform a=√5', (await weightOf(N, N, I.kaimingUniform({ a: Math.sqrt(5) }))).w, 1 / (3 * N), 'uniform');
    });

    it('orthogonal: WᵀW = gain²·I (square, tall and wide), entries of the right scale', async () => {
      for (const [inF, outF, gain] of [[64, 64, 1], [30, 50, 1], [50, 30, 2], [1, 7, 1], [7, 1, 1]]) {
        const { w } = await weightOf(inF, outF, I.orthogonal({ gain }), 5);
        // W is [out, in]: rows are outputs. Orthonormal columns when out >= in, rows otherwise.
        const rows = outF, cols = inF, k = Math.min(rows, cols);
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            let s = 0;
            if (rows >= cols) for (let r = 0; r < rows; r++) s += w[r * cols + a] * w[r * cols + b];
            else for (let c = 0; c < cols; c++) s += w[a * cols + c] * w[b * cols + c];
            const want = a === b ? gain * gain : 0;
            if (Math.abs(s - want) > 1e-5 * gain * gain) throw new Error(`orthogonal [${outF}, ${inF}]: (WᵀW)[${a}, ${b}] = ${s}, expected ${want}`);
          }
        }
        if (k > 1) expect(w.filter((v) => Math.abs(v) > 1e-3).length).toBeGreaterThan(w.length / 2);
      }
      // Haar-distributed entries of a 512×512 orthogonal matrix have variance 1/512
      expectStats('orthogonal 512', (await weightOf(N, N, 'orthogonal')).w, 1 / N, 'normal');
    });

    it('seeded: same seed same weights, different seed different weights; bias zeros for a named init', async () => {
      const a = await weightOf(16, 8, 'xavierNormal', 3), b = await weightOf(16, 8, 'xavierNormal', 3), c = await weightOf(16, 8, 'xavierNormal', 4);
      expect(a.w).toEqual(b.w);
      expect(a.w).not.toEqual(c.w);
      expect(a.b.every((v) => v === 0)).toBe(true);
      const d = await weightOf(16, 8, { weight: I.zeros(), bias: I.constant(3) });
      expect(d.w.every((v) => v === 0) && d.b.every((v) => v === 3)).toBe(true);
    });
  });
}

describe('initializers: gains and errors', () => {
  it('calculateGain matches torch.nn.init.calculate_gain', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(calculateGain('selu')).toBe(0.75);
    expect(() => calculateGain('swish' as never)).toThrow(ValueError);
  });
  it('typed errors for bad options', async () => {
    const e = await engineFor('simd');
    expect(() => I.uniform({ a: 2, b: 1 })).toThrow('uniform: a must be <= b, got a=2, b=1');
    expect(() => I.normal({ std: -1 })).toThrow(/std must be a finite non-negative number/);
    expect(() => I.kaimingNormal({ mode: 'fan_avg' as never })).toThrow(/mode must be 'fan_in' or 'fan_out'/);
    expect(() => e.nn.mlp([3, 2], { init: 'lecun' as never })).toThrow(/init must be one of/);
  });
});
