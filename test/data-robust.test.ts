// Hostile data (issue 12, items 3-6): huge or non-integer class labels, features
// outside the f32 range, bad arguments and silently ignored options in the data
// API. Every case is a typed error naming the argument (and the file, line and
// column for file contents), and a refused call changes nothing.
import { describe, expect, it } from 'vitest';
import {
  BatchLoader,
  blobs,
  Dataset,
  encodeIdx,
  FormatError,
  GENERATORS,
  idxDataset,
  parseCsv,
  Random,
  split,
  Standardizer,
  ValueError,
  WasmgradError,
} from '../src/index.js';
import { MAX_CLASSES } from '../src/data/dataset.js';
import { describe as show } from '../src/runtime/validate.js';
import { engineFor, fails } from './helpers.js';

describe('class labels are integers in [0, 2^24) (item 3)', () => {
  it('a huge label is a FormatError naming file, line and column, at once', () => {
    fails(FormatError, () => parseCsv('a,y\n1,0\n2,1e10\n3,1\n', { file: 'big.csv' }), 'big.csv: line 3, column 2: label 1e10 is not a class id', '2^24', "task: 'regression'");
    // the explicit task says the same, without the regression hint
    const m = fails(FormatError, () => parseCsv('1,0\n2,1e10\n', { file: 'big.csv', task: 'classification' }), 'big.csv: line 2, column 2: label 1e10');
    expect(m).not.toMatch(/regression/);
  });

  it('labels at and above 2^31 never wrap to negative numbers', () => {
    for (const big of ['2147483648', '4294967296', '4294967295', '9007199254740993']) {
      fails(FormatError, () => parseCsv(`1,0\n2,${big}\n`, { file: 'w.csv', task: 'classification' }), `w.csv: line 2, column 2: label ${big}`);
    }
    fails(ValueError, () => Dataset.fromRows([[1], [2]], [0, 2 ** 31], { classes: true }), 'label 1 is 2147483648, not a class id');
    fails(ValueError, () => Dataset.fromRows([[1]], [-1], { classes: true }), 'label 0 is -1');
  });

  it('the bound is exactly 2^24: 2^24 - 1 loads, 2^24 does not; numClasses may not exceed it', () => {
    expect(MAX_CLASSES).toBe(16777216);
    const ok = parseCsv(`1,0\n2,${MAX_CLASSES - 1}\n`);
    expect(ok.numClasses).toBe(MAX_CLASSES);
    expect(ok.targets[1]).toBe(MAX_CLASSES - 1);
    fails(FormatError, () => parseCsv(`1,0\n2,${MAX_CLASSES}\n`, { file: 'e.csv' }), 'e.csv: line 2, column 2: label 16777216');
    fails(ValueError, () => new Dataset(Float32Array.of(1), Int32Array.of(0), { numClasses: MAX_CLASSES + 1 }), 'numClasses must be an integer in [1, 2^24');
    fails(ValueError, () => new Dataset(Float32Array.of(1), Int32Array.of(MAX_CLASSES)), 'label 16777216 of sample 0 is not below the class-id bound');
    fails(ValueError, () => new Dataset(Float32Array.of(1), Int32Array.of(0), { numClasses: 2.5 }), 'numClasses');
  });

  it('a real-valued column of large integers parses with task: regression', () => {
    const d = parseCsv('1,20000000\n2,30000000\n', { task: 'regression' });
    expect(d.isClassification).toBe(false);
    expect([...d.targets]).toEqual([20000000, 30000000]);
  });

  it('IDX labels obey the same bound (FormatError naming the file and index)', () => {
    const images = { dtype: 'u8' as const, shape: [2, 1], data: Uint8Array.of(1, 2) };
    const labels = { dtype: 'i32' as const, shape: [2], data: Int32Array.of(0, MAX_CLASSES) };
    fails(FormatError, () => idxDataset(images, labels, { labelsFile: 'lab.idx' }), 'lab.idx: label 16777216 at index 1 is not a class id');
    const neg = { dtype: 'i32' as const, shape: [2], data: Int32Array.of(0, -2147483648) };
    fails(FormatError, () => idxDataset(images, neg, { labelsFile: 'lab.idx' }), 'lab.idx: label -2147483648 at index 1');
  });

  it('a stratified split of a dataset with a large class id stays small (memory in n, not in numClasses)', () => {
    const d = Dataset.fromRows([[0], [1], [2], [3], [4], [5]], Int32Array.of(0, 5_000_000, 0, 5_000_000, 0, 5_000_000));
    expect(d.numClasses).toBe(5_000_001);
    const s = split(d, { test: 0.5, stratify: true, seed: 1 });
    expect(s.test.length).toBe(3);
    expect([...s.test.targets].sort()).toEqual([0, 0, 5_000_000].sort());
    expect(s.train.numClasses).toBe(5_000_001);
  });
});

describe('values outside the f32 range (item 4)', () => {
  it('a feature or target of 1e39 is a FormatError with line and column, not Infinity', () => {
    fails(FormatError, () => parseCsv('a,b,y\n1,2,0\n3,1e39,1\n', { file: 'f.csv' }), 'f.csv: line 3, column 2: "1e39" is outside the f32 range');
    fails(FormatError, () => parseCsv('1,2,0.5\n3,4,-1e39\n', { file: 'r.csv' }), 'r.csv: line 2, column 3: "-1e39" is outside the f32 range');
    // the largest f32 and values that round to it load
    const d = parseCsv('3.4028235e38,0\n-3.4028234e38,1\n1e-50,0\n');
    expect(d.features[0]).toBe(Math.fround(3.4028235e38));
    expect(d.features[2]).toBe(0);
  });

  it('IDX f64 images beyond f32 are a FormatError naming the file and index', () => {
    const images = { dtype: 'f64' as const, shape: [2, 1], data: Float64Array.of(1, 1e39) };
    const labels = { dtype: 'u8' as const, shape: [2], data: Uint8Array.of(0, 1) };
    fails(FormatError, () => idxDataset(images, labels, { imagesFile: 'img.idx' }), 'img.idx: value 1e+39 at index 1 is not finite in f32');
  });
});

describe('bad arguments are typed errors naming the argument (item 5, data)', () => {
  it('parseCsv: text that is not a string, options that are not options', () => {
    fails(ValueError, () => parseCsv(null as unknown as string), 'parseCsv: text must be a string, got null');
    fails(ValueError, () => parseCsv(new TextEncoder().encode('1,0\n') as unknown as string), 'parseCsv: text must be a string, got a Uint8Array of 4 (use loadCsv for bytes)');
    fails(ValueError, () => parseCsv('1,0\n', null as never), 'parseCsv: options must be an object, got null');
  });

  it('Standardizer: fit(null), transform(null), bad moments', () => {
    fails(ValueError, () => Standardizer.fit(null as unknown as Dataset), 'Standardizer.fit: data must be a Dataset, got null');
    const s = Standardizer.fit(Dataset.fromRows([[1], [3]], [0, 1], { classes: true }));
    fails(ValueError, () => s.transform(undefined as unknown as Dataset), 'Standardizer.transform: data must be a Dataset, got undefined');
    fails(ValueError, () => new Standardizer(Float64Array.of(0), Float64Array.of(0)), 'std[0] is 0');
    fails(ValueError, () => Standardizer.fromJSON(null as never), 'Standardizer.fromJSON');
  });

  it('encodeIdx: unknown dtype, bad shape, values that would wrap', () => {
    fails(ValueError, () => encodeIdx({ dtype: 'u16', shape: [1], data: Uint8Array.of(1) } as never), 'encodeIdx: dtype must be one of u8, i8, i16, i32, f32, f64, got "u16"');
    fails(ValueError, () => encodeIdx({ dtype: 'u8', shape: [-1], data: Uint8Array.of(1) } as never), 'encodeIdx: shape');
    fails(ValueError, () => encodeIdx({ dtype: 'u8', shape: [2], data: Int32Array.of(1, 300) } as never), 'encodeIdx: data[1] = 300 does not fit u8');
    fails(ValueError, () => encodeIdx({ dtype: 'i16', shape: [1], data: Float64Array.of(0.5) } as never), 'data[0] = 0.5 does not fit i16');
    fails(ValueError, () => encodeIdx({ dtype: 'f32', shape: [1], data: Float64Array.of(1e39) } as never), 'data[0] = 1e+39 does not fit f32');
    fails(ValueError, () => encodeIdx(null as never), 'encodeIdx: expected { dtype, shape, data }, got null');
  });

  it('idxDataset: arguments that are not IDX arrays', () => {
    fails(ValueError, () => idxDataset(null as never, null as never), 'idxDataset: images must be an IdxArray');
  });
});

describe('seeds and options the data API used to accept silently (item 6, data)', () => {
  it('parseCsv refuses an unknown task, header or option', () => {
    fails(ValueError, () => parseCsv('1,0\n', { task: 'clustering' as never }), "parseCsv: task must be 'classification', 'regression' or 'auto', got \"clustering\"");
    fails(ValueError, () => parseCsv('1,0\n', { header: 'maybe' as never }), "parseCsv: header must be true, false or 'auto', got \"maybe\"");
    fails(ValueError, () => parseCsv('1,0\n', { labels: 0 } as never), "parseCsv: unknown option 'labels'");
  });

  it('generators refuse unknown options (blobs({ features }) used to ignore it) and bad seeds', () => {
    fails(ValueError, () => blobs({ features: 20 } as never), "blobs: unknown option 'features' (options: n, seed, centers, dim, std, box)");
    expect(blobs({ dim: 20, n: 6 }).numFeatures).toBe(20);
    for (const [name, gen] of Object.entries(GENERATORS)) {
      fails(ValueError, () => (gen as (o: object) => unknown)({ seed: -1 }), 'seed must be a non-negative safe integer, got -1');
      fails(ValueError, () => (gen as (o: object) => unknown)({ typo: 1 }), "unknown option 'typo'", name === 'moons' ? 'twoMoons' : name === 'linear' ? 'linearRegression' : '');
    }
  });

  it('Random and split take the same seeds as everything else (seedWords)', () => {
    for (const seed of [-1, 1.5, NaN, 'abc', 2 ** 53]) {
      fails(ValueError, () => new Random(seed as number), `Random: seed must be a non-negative safe integer, got ${show(seed)}`);
    }
    const d = Dataset.fromRows([[0], [1], [2], [3]], [0, 1, 0, 1], { classes: true });
    fails(ValueError, () => split(d, { test: 0.5, seed: -1 }), 'split: seed');
    fails(ValueError, () => split(d, { tests: 0.5 } as never), "split: unknown option 'tests'");
    // large seeds keep the stream they always had (low and high words mixed)
    expect(new Random(2 ** 32 + 5).state()).toEqual(new Random(4).state());
  });

  it('Random.setState refuses short, non-integer and all-zero states; the state is unchanged', () => {
    const r = new Random(3);
    const before = r.state();
    fails(ValueError, () => r.setState([1, 2]), 'Random.setState: state must be 4 u32 words, got 2');
    fails(ValueError, () => r.setState([0, 0, 0, 0]), 'all-zero');
    fails(ValueError, () => r.setState([1, 2, 3, 2 ** 32]), 'state word 3');
    fails(ValueError, () => r.setState([1, 2, 3, 0.5]), 'state word 3');
    expect(r.state()).toEqual(before);
  });
});

describe.each(['simd', 'scalar'] as const)('BatchLoader arguments (%s)', (build) => {
  const data = Dataset.fromRows([[1, 2], [3, 4], [5, 6]], [0, 1, 0], { classes: true });

  it('refuses a null dataset, bad options and bad seeds, allocating nothing', async () => {
    const engine = await engineFor(build);
    const used = engine.arena.usedBytes, top = engine.arena.topBytes, blocks = engine.arena.liveBlocks;
    fails(ValueError, () => new BatchLoader(engine, null as unknown as Dataset, { batchSize: 2 }), 'BatchLoader: data must be a Dataset, got null');
    fails(ValueError, () => new BatchLoader(null as never, data, { batchSize: 2 }), 'BatchLoader: engine must be an engine from init(), got null');
    fails(ValueError, () => new BatchLoader(engine, data, undefined as never), 'BatchLoader: options must be an object');
    fails(ValueError, () => new BatchLoader(engine, data, { batchSize: 2, shufle: false } as never), "BatchLoader: unknown option 'shufle'");
    fails(ValueError, () => new BatchLoader(engine, data, { batchSize: 2, shuffle: 'no' as never }), 'BatchLoader: shuffle must be a boolean');
    for (const seed of [-1, 'abc', NaN, 1.5, Infinity]) {
      fails(ValueError, () => new BatchLoader(engine, data, { batchSize: 2, seed: seed as number }), `BatchLoader: seed must be a non-negative safe integer, got ${show(seed)}`);
    }
    expect([engine.arena.usedBytes, engine.arena.topBytes, engine.arena.liveBlocks]).toEqual([used, top, blocks]);
  });

  it('setRngState([1, 2]) and other bad states are a ValueError; the stream is unchanged', async () => {
    const engine = await engineFor(build);
    const loader = new BatchLoader(engine, data, { batchSize: 2, seed: 7 });
    const before = loader.rngState();
    for (const bad of [[1, 2], [0, 0, 0, 0], null, [1, 2, 3, -1], 'abcd']) {
      const e = fails(ValueError, () => loader.setRngState(bad as never), 'BatchLoader.setRngState: ');
      expect(e.length).toBeGreaterThan(30);
    }
    expect(loader.rngState()).toEqual(before);
    loader.startEpoch();
    const order = loader.order();
    const again = new BatchLoader(engine, data, { batchSize: 2, seed: 7 });
    again.startEpoch();
    expect(again.order()).toEqual(order);
    loader.dispose();
    again.dispose();
    expect(() => loader.setRngState(before)).toThrow(WasmgradError);
  });
});
