import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeIdx,
  encodeIdx,
  FormatError,
  idxDataset,
  loadCsv,
  loadCsvFile,
  loadIdx,
  loadIdxDataset,
  loadIdxFiles,
  parseCsv,
} from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers.js';
import { testData } from './test-data.js';

const DIGITS = testData('digits.csv');

function formatError(f: () => unknown): FormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError');
}

afterAll(removeTempDirs);

describe('CSV', () => {
  it('parses with or without header, any delimiter, label by index or name', () => {
    const a = parseCsv('x1,x2,y\n1,2,0\n3,4,1\n\n5,6,1\n');
    expect([a.length, a.numFeatures, a.numClasses]).toEqual([3, 2, 2]);
    expect([...a.features]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...a.targets]).toEqual([0, 1, 1]);
    const b = parseCsv('y;x1;x2\r\n1;0.5;-2e3\r\n0;"7";8\r\n', { delimiter: ';', label: 'y' });
    expect([...b.features]).toEqual([0.5, -2000, 7, 8]);
    expect([...b.targets]).toEqual([1, 0]);
    const c = parseCsv('2.5,1,0\n-1,3,1\n', { header: false, label: 0 });
    expect(c.isClassification).toBe(false);
    expect([...c.targets]).toEqual([2.5, -1]);
    expect([...c.features]).toEqual([1, 0, 3, 1]);
    const d = parseCsv('1,2,3\n4,5,6\n', { task: 'regression' });
    expect(d.isClassification).toBe(false);
    expect(parseCsv('1,2,3\n4,5,6\n', { label: -3 }).numClasses).toBe(5);
  });

  it('names file, line and column in every error', () => {
    expect(formatError(() => parseCsv('a,b,y\n1,2,0\n3,4\n', { file: 'r.csv' })).message).toBe('r.csv: line 3 has 2 columns, expected 3 (from the header)');
    expect(formatError(() => parseCsv('1,2,0\n3,x,1\n', { file: 'n.csv' })).message).toBe('n.csv: line 2, column 2: "x" is not a number');
    expect(formatError(() => parseCsv('1,2,0\n3,,1\n', { file: 'm.csv' })).message).toBe('m.csv: line 2, column 2: missing value ""');
    expect(formatError(() => parseCsv('1,NA,0\n', { header: false, file: 'm.csv' })).message).toMatch(/line 1, column 2: missing value "NA"/);
    expect(formatError(() => parseCsv('a,b\n1,2\n', { label: 'y', file: 'h.csv' })).message).toBe('h.csv: no label column "y" in the header (a, b)');
    expect(formatError(() => parseCsv('1,2\n', { label: 5, file: 'h.csv' })).message).toMatch(/label column 5 does not exist; rows have 2 columns/);
    expect(formatError(() => parseCsv('1,2\n', { label: 'y', file: 'h.csv' })).message).toMatch(/given by name, but the file has no header/);
    expect(formatError(() => parseCsv('1,0.5\n', { task: 'classification', file: 'c.csv' })).message).toBe('c.csv: line 1, column 2: label 0.5 is not a class id (an integer in [0, 2^24 = 16777216))');
    expect(formatError(() => parseCsv('a,b\n', { file: 'e.csv' })).message).toBe('e.csv: no data rows');
    expect(formatError(() => parseCsv('1\n2\n', { file: 'w.csv' })).message).toMatch(/at least 2 columns/);
  });

  it('loads from bytes, a Response and a path; the real digits file', async () => {
    const text = 'a,b,y\n1,2,0\n3,4,1\n';
    expect((await loadCsv(new TextEncoder().encode(text))).length).toBe(2);
    expect((await loadCsv(new Response(text))).length).toBe(2);
    const dir = tempDir('wasmgrad-csv-');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b,y\n1,2,0\n3,oops,1\n');
    await expect(loadCsvFile(bad)).rejects.toThrow(`${bad}: line 3, column 2: "oops" is not a number`);
    await expect(loadCsvFile(join(dir, 'none.csv'))).rejects.toThrow(/none\.csv: cannot read \(ENOENT\)/);
    const digits = await loadCsvFile(DIGITS);
    expect([digits.length, digits.numFeatures, digits.numClasses]).toEqual([1797, 64, 10]);
  });
});

describe('IDX', () => {
  const images = { dtype: 'u8' as const, shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) };
  const labels = { dtype: 'u8' as const, shape: [3], data: Uint8Array.of(7, 0, 3) };

  it('decodes the MNIST layout, every element type, big-endian', () => {
    const bytes = encodeIdx(images);
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 8, 3, 0, 0, 0, 3]);
    const back = decodeIdx(bytes);
    expect(back.shape).toEqual([3, 2, 2]);
    expect([...back.data]).toEqual([...images.data]);
    for (const [dtype, C] of [['i8', Int8Array], ['i16', Int16Array], ['i32', Int32Array], ['f32', Float32Array], ['f64', Float64Array]] as const) {
      const data = C.from([-3, 0, 100, 7]);
      const arr = decodeIdx(encodeIdx({ dtype, shape: [2, 2], data }));
      expect(arr.dtype).toBe(dtype);
      expect([...arr.data]).toEqual([...data]);
    }
    const f = decodeIdx(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0));
    expect([...f.data]).toEqual([1]); // 1.0f big-endian
    const ds = idxDataset(decodeIdx(bytes), decodeIdx(encodeIdx(labels)));
    expect([ds.length, ds.numFeatures, ds.numClasses]).toEqual([3, 4, 8]);
    expect(ds.features[1]).toBeCloseTo(20 / 255, 6);
  });

  it('rejects a bad magic, unknown type and a size mismatch', () => {
    const bytes = encodeIdx(images);
    const m = bytes.slice();
    m[0] = 1;
    expect(formatError(() => decodeIdx(m, 'img.idx')).message).toBe('img.idx: bad IDX magic 01 00 08 03; expected 00 00 <type> <rank>');
    const t = bytes.slice();
    t[2] = 0x0a;
    expect(formatError(() => decodeIdx(t, 'img.idx')).message).toMatch(/unknown IDX element type 0xa/);
    expect(formatError(() => decodeIdx(bytes.subarray(0, bytes.length - 1), 'img.idx')).message).toBe(
      'img.idx: dimensions [3, 2, 2] of u8 need 28 bytes, the file has 27',
    );
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    expect(formatError(() => decodeIdx(extra, 'img.idx')).message).toMatch(/need 28 bytes, the file has 29/);
    expect(formatError(() => decodeIdx(Uint8Array.of(0, 0, 8, 2, 0), 'img.idx')).message).toMatch(/declares 2 dimensions/);
    expect(formatError(() => idxDataset(decodeIdx(bytes), { dtype: 'u8', shape: [2], data: Uint8Array.of(1, 2) }, { labelsFile: 'lab.idx' })).message).toBe(
      'lab.idx: 2 labels for 3 images in images',
    );
  });

  it('inflates gzip through DecompressionStream; from a Response and from paths', async () => {
    const gz = new Uint8Array(gzipSync(encodeIdx(images)));
    expect((await loadIdx(gz)).shape).toEqual([3, 2, 2]);
    expect((await loadIdx(new Response(gz))).shape).toEqual([3, 2, 2]);
    const bad = gz.slice(0, gz.length - 6);
    await expect(loadIdx(bad, 'broken.gz')).rejects.toThrow(FormatError);
    const ds = await loadIdxDataset(gz, encodeIdx(labels));
    expect(ds.length).toBe(3);
    const dir = tempDir('wasmgrad-idx-');
    writeFileSync(join(dir, 'img.gz'), gz);
    writeFileSync(join(dir, 'lab'), encodeIdx(labels));
    const fromFiles = await loadIdxFiles(join(dir, 'img.gz'), join(dir, 'lab'));
    expect([...fromFiles.targets]).toEqual([7, 0, 3]);
  });
});
