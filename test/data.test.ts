import { describe, expect, it } from 'vitest';
import {
  BatchLoader,
  blobs,
  circles,
  Dataset,
  GENERATORS,
  illConditionedRegression,
  linearRegression,
  oneHot,
  polynomialRegression,
  Random,
  randomLabels,
  ShapeError,
  split,
  spirals,
  standardize,
  Standardizer,
  twoMoons,
  ValueError,
  xor,
} from '../src/index.js';
import { BUILDS, engineFor, expectClose } from './helpers.js';

describe('Random', () => {
  it('is deterministic, seed-dependent and restorable', () => {
    const a = new Random(42), b = new Random(42), c = new Random(43);
    const xa = Array.from({ length: 10 }, () => a.nextU32());
    const xb = Array.from({ length: 10 }, () => b.nextU32());
    const xc = Array.from({ length: 10 }, () => c.nextU32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    const s = a.state();
    const next = [a.uniform(), a.normal(), a.int(7)];
    a.setState(s);
    expect([a.uniform(), a.normal(), a.int(7)]).toEqual(next);
  });

  it('gives uniform draws with the right moments and unbiased integers', () => {
    const r = new Random(1);
    let s = 0, s2 = 0;
    const counts = new Array(5).fill(0);
    const N = 20000;
    for (let i = 0; i < N; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
      counts[r.int(5)]++;
    }
    expect(Math.abs(s / N - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(s2 / N - 1 / 3)).toBeLessThan(0.01);
    for (const c of counts) expect(Math.abs(c / N - 0.2)).toBeLessThan(0.015);
    let m = 0, v = 0;
    for (let i = 0; i < N; i++) {
      const z = r.normal();
      m += z;
      v += z * z;
    }
    expect(Math.abs(m / N)).toBeLessThan(0.03);
    expect(Math.abs(v / N - 1)).toBeLessThan(0.04);
  });

  it('permutation is a permutation', () => {
    const p = new Random(3).permutation(100);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('Dataset', () => {
  it('infers n, d, classes and validates', () => {
    const d = new Dataset(new Float32Array(12), new Int32Array([0, 2, 1, 0]));
    expect([d.length, d.numFeatures, d.numClasses, d.targetSize, d.isClassification]).toEqual([4, 3, 3, 1, true]);
    const r = new Dataset(new Float32Array(12), new Float32Array(8), { numFeatures: 3 });
    expect([r.length, r.numFeatures, r.targetSize, r.numClasses]).toEqual([4, 3, 2, 0]);
    expect(() => new Dataset(new Float32Array(7), new Int32Array(2))).toThrow(ShapeError);
    expect(() => new Dataset(new Float32Array(6), new Int32Array([0, -1]))).toThrow(/label -1 of sample 1 is negative/);
    expect(() => new Dataset(new Float32Array(6), new Int32Array([0, 3]), { numClasses: 3 })).toThrow(/label 3 of sample 1 is out of range for numClasses = 3/);
    expect(() => new Dataset(Float32Array.of(0, NaN), new Int32Array([0]))).toThrow(/features\[0, 1\] is NaN/);
    expect(() => new Dataset([1, 2] as unknown as Float32Array, new Int32Array([0]))).toThrow(ValueError);
    expect(() => new Dataset(new Float32Array(6), new Float32Array(5), { numFeatures: 3 })).toThrow(/targets has 5 values/);
  });

  it('fromRows, subset, classCounts, oneHot', () => {
    const d = Dataset.fromRows([[1, 2], [3, 4], [5, 6]], [1, 0, 1], { classes: true });
    expect(d.classCounts()).toEqual([1, 2]);
    const s = d.subset([2, 0]);
    expect([...s.features]).toEqual([5, 6, 1, 2]);
    expect([...s.targets]).toEqual([1, 1]);
    expect([...d.oneHot()]).toEqual([0, 1, 1, 0, 0, 1]);
    expect(() => d.subset([3])).toThrow(/index 3 at position 0 is out of range/);
    expect(() => oneHot([0, 2], 2)).toThrow(/label 2 at 1 is out of range/);
    const reg = Dataset.fromRows([[1], [2]], [[1, 2], [3, 4]]);
    expect(reg.targetSize).toBe(2);
    expect(() => Dataset.fromRows([[1, 2], [3]], [0, 1])).toThrow(/row 1 has 1 features, row 0 has 2/);
  });
});

describe('split', () => {
  const data = blobs({ n: 400, centers: 4, seed: 5 });

  it('partitions without overlap, sizes exact, deterministic', () => {
    const s = split(data, { validation: 0.2, test: 0.1, seed: 1 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([280, 80, 40]);
    const s2 = split(data, { validation: 0.2, test: 0.1, seed: 1 });
    expect(s2.train.features).toEqual(s.train.features);
    // every row appears exactly once
    const key = (ds: Dataset, i: number) => `${ds.features[2 * i]},${ds.features[2 * i + 1]}`;
    const all = new Set<string>();
    for (const part of [s.train, s.validation, s.test]) for (let i = 0; i < part.length; i++) all.add(key(part, i));
    expect(all.size).toBe(400);
  });

  it('stratifies: every part keeps the class shares', () => {
    const unbalanced = Dataset.fromRows(
      Array.from({ length: 103 }, (_, i) => [i]),
      Array.from({ length: 103 }, (_, i) => (i < 80 ? 0 : i < 100 ? 1 : 2)),
      { classes: true },
    );
    const s = split(unbalanced, { test: 0.25, stratify: true, seed: 9 });
    expect(s.test.length).toBe(26);
    const c = s.test.classCounts();
    expect(Math.abs(c[0] - 80 * 0.25)).toBeLessThanOrEqual(1);
    expect(Math.abs(c[1] - 20 * 0.25)).toBeLessThanOrEqual(1);
    expect(c[2]).toBeLessThanOrEqual(1);
    expect(s.train.length + s.test.length).toBe(103);
  });

  it('rejects bad fractions', () => {
    expect(() => split(data, { validation: 0.6, test: 0.5 })).toThrow(/exceed/);
    expect(() => split(data, { test: -0.1 })).toThrow(ValueError);
    expect(() => split(linearRegression({ n: 10 }), { test: 0.2, stratify: true })).toThrow(/stratify needs class labels/);
  });
});

describe('standardize', () => {
  it('fits on train, applies the same transform to the others', () => {
    const d = illConditionedRegression({ n: 300, dim: 4, condition: 1e3, seed: 2 });
    const s = split(d, { test: 0.3, seed: 0 });
    const { scaler, train, others } = standardize(s.train, s.test);
    for (let j = 0; j < 4; j++) {
      let m = 0, v = 0;
      for (let i = 0; i < train.length; i++) m += train.features[i * 4 + j];
      m /= train.length;
      for (let i = 0; i < train.length; i++) v += (train.features[i * 4 + j] - m) ** 2;
      expect(Math.abs(m)).toBeLessThan(1e-5);
      expect(Math.abs(v / train.length - 1)).toBeLessThan(1e-4);
    }
    const t0 = (s.test.features[1] - scaler.mean[1]) / scaler.std[1];
    expectClose('standardize test', [others[0].features[1]], [t0]);
    expect(others[0].targets).toBe(s.test.targets);
    const constant = Dataset.fromRows([[1, 5], [2, 5]], [0, 1], { classes: true });
    expect([...Standardizer.fit(constant).transform(constant).features]).toEqual([-1, 0, 1, 0]);
    expect(() => scaler.transform(twoMoons({ n: 10 }))).toThrow(/has 2 features, fitted on 4/);
  });
});

describe('generators', () => {
  it('are deterministic and have the stated shapes', () => {
    for (const [name, g] of Object.entries(GENERATORS)) {
      const a = (g as (o: object) => Dataset)({ n: 60, seed: 3 });
      const b = (g as (o: object) => Dataset)({ n: 60, seed: 3 });
      const c = (g as (o: object) => Dataset)({ n: 60, seed: 4 });
      expect(a.length, name).toBe(60);
      expect(a.features, name).toEqual(b.features);
      expect(a.features, name).not.toEqual(c.features);
    }
  });

  it('have their geometry', () => {
    const s = spirals({ n: 300, arms: 3, noise: 0 });
    expect(s.numClasses).toBe(3);
    expect(s.classCounts()).toEqual([100, 100, 100]);
    for (let i = 0; i < s.length; i++) expect(Math.hypot(s.features[2 * i], s.features[2 * i + 1])).toBeLessThanOrEqual(1.0001);
    const c = circles({ n: 100, noise: 0, factor: 0.3 });
    for (let i = 0; i < c.length; i++) {
      const r = Math.hypot(c.features[2 * i], c.features[2 * i + 1]);
      expectClose('circles radius', [r], [c.targets[i] === 0 ? 1 : 0.3], { rtol: 1e-5 });
    }
    const x = xor({ n: 200 });
    for (let i = 0; i < x.length; i++) expect(x.targets[i]).toBe(x.features[2 * i] * x.features[2 * i + 1] < 0 ? 1 : 0);
    const m = twoMoons({ n: 101 });
    expect(m.classCounts()).toEqual([51, 50]);
    const lin = linearRegression({ n: 50, dim: 3, noise: 0, weights: [1, -2, 0.5], bias: 3 });
    for (let i = 0; i < 50; i++) {
      const f = lin.features;
      expectClose('linear', [lin.targets[i]], [3 + f[3 * i] - 2 * f[3 * i + 1] + 0.5 * f[3 * i + 2]], { rtol: 1e-5, atol: 1e-5 });
    }
    const poly = polynomialRegression({ n: 20, noise: 0, coefficients: [1, 0, 2] });
    expect(poly.numFeatures).toBe(2);
    for (let i = 0; i < 20; i++) expectClose('poly', [poly.targets[i]], [1 + 2 * poly.features[2 * i] ** 2], { rtol: 1e-5 });
    const rl = randomLabels({ n: 1000, classes: 4, dim: 3 });
    for (const k of rl.classCounts()) expect(Math.abs(k - 250)).toBeLessThan(60);
    const ill = illConditionedRegression({ n: 2000, dim: 3, condition: 100 });
    const sd = (j: number) => Math.sqrt(Array.from({ length: 2000 }, (_, i) => ill.features[i * 3 + j] ** 2).reduce((a, b) => a + b) / 2000);
    expect(sd(2) / sd(0)).toBeGreaterThan(80);
    expect(sd(2) / sd(0)).toBeLessThan(120);
  });

  it('reject bad options', () => {
    expect(() => spirals({ n: 0 })).toThrow(/n must be an integer in \[1, 2\^24\], got 0/);
    expect(() => spirals({ arms: 1 })).toThrow(/arms/);
    expect(() => twoMoons({ noise: -1 })).toThrow(/noise/);
    expect(() => circles({ factor: 2 })).toThrow(/factor/);
  });
});

describe.each(BUILDS)('BatchLoader (%s)', (build) => {
  it('visits every row once per epoch, in a seeded order, keeping or dropping the last batch', async () => {
    const engine = await engineFor(build);
    const n = 23, d = 3;
    const x = Float32Array.from({ length: n * d }, (_, i) => i);
    const data = new Dataset(x, Int32Array.from({ length: n }, (_, i) => i % 4), { numFeatures: d });
    for (const dropLast of [false, true]) {
      const loader = new BatchLoader(engine, data, { batchSize: 5, shuffle: true, dropLast, seed: 7 });
      expect(loader.numBatches).toBe(dropLast ? 4 : 5);
      expect(loader.lastRows).toBe(dropLast ? 5 : 3);
      const seen: number[] = [];
      loader.startEpoch();
      for (let b = 0; b < loader.numBatches; b++) {
        const batch = loader.batch(b);
        expect(batch.x.shape).toEqual([batch.rows, d]);
        const xs = batch.x.data;
        const ys = batch.y as Int32Array;
        expect(ys.length).toBe(batch.rows);
        for (let r = 0; r < batch.rows; r++) {
          const row = xs[r * d] / d;
          expect(xs[r * d + 2]).toBe(row * d + 2);
          expect(ys[r]).toBe(row % 4);
          seen.push(row);
        }
      }
      expect(seen.length).toBe(dropLast ? 20 : 23);
      expect(new Set(seen).size).toBe(seen.length);
      const order1 = loader.order();
      loader.startEpoch();
      expect(loader.order()).not.toEqual(order1);
      loader.dispose();
    }
  });

  it('replays an epoch from a saved shuffling state and allocates nothing per step', async () => {
    const engine = await engineFor(build);
    const data = linearRegression({ n: 50, dim: 4, seed: 1 });
    const loader = new BatchLoader(engine, data, { batchSize: 8, seed: 3 });
    loader.startEpoch();
    const s = loader.rngState();
    loader.startEpoch();
    const order = loader.order();
    const firstY = Float32Array.from((loader.batch(0).y as { data: Float32Array }).data);
    loader.setRngState(s);
    loader.startEpoch();
    expect(loader.order()).toEqual(order);
    expect(Float32Array.from((loader.batch(0).y as { data: Float32Array }).data)).toEqual(firstY);
    const top = engine.arena.topBytes, grows = engine.arena.growCount;
    for (let e = 0; e < 20; e++) {
      loader.startEpoch();
      for (let b = 0; b < loader.numBatches; b++) loader.batch(b);
    }
    expect(engine.arena.topBytes).toBe(top);
    expect(engine.arena.growCount).toBe(grows);
    // unshuffled: the data in order
    const plain = new BatchLoader(engine, data, { batchSize: 50, shuffle: false });
    plain.startEpoch();
    expect(plain.batch(0).x.toArray()).toEqual(data.features);
    plain.dispose();
    loader.dispose();
  });

  it('rejects batch size 0, fractional, and > n with dropLast', async () => {
    const engine = await engineFor(build);
    const data = twoMoons({ n: 10 });
    expect(() => new BatchLoader(engine, data, { batchSize: 0 })).toThrow(/batchSize must be an integer ≥ 1, got 0/);
    expect(() => new BatchLoader(engine, data, { batchSize: 2.5 })).toThrow(ValueError);
    expect(() => new BatchLoader(engine, data, { batchSize: 11, dropLast: true })).toThrow(/batchSize 11 is larger than the 10 samples/);
    const big = new BatchLoader(engine, data, { batchSize: 11 });
    expect([big.numBatches, big.batchSize, big.lastRows]).toEqual([1, 10, 10]);
    big.dispose();
    const l = new BatchLoader(engine, data, { batchSize: 4 });
    expect(() => l.batch(0)).toThrow(/startEpoch/);
    l.dispose();
    expect(() => l.startEpoch()).toThrow(/after dispose/);
  });
});
