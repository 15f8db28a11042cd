// Test data kept in the repository (test/data/, sources and licences in its README.md).
// Tests read nothing outside the repository: a bare clone runs them.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of test/data/<name>; throws (never skips) when the file is missing. */
export function testData(name: string): string {
  const path = fileURLToPath(new URL(`./data/${name}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`test data ${name} not found: expected ${path} (test/data/ in the repository)`);
  return path;
}

/** breast_cancer.csv: the 30 features standardized (mean, population std) plus a column of ones (X row-major 569 × 31); labels 0/1. */
export function breastCancer(): { X: Float64Array; y: Float64Array } {
  const rows = readFileSync(testData('breast_cancer.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
  const m = rows.length, d = rows[0].length - 1;
  const X = new Float64Array(m * (d + 1)), y = new Float64Array(m);
  for (let j = 0; j < d; j++) {
    let mean = 0, v = 0;
    for (const r of rows) mean += r[j] / m;
    for (const r of rows) v += (r[j] - mean) ** 2 / m;
    const sd = Math.sqrt(v);
    rows.forEach((r, i) => (X[i * (d + 1) + j] = (r[j] - mean) / sd));
  }
  rows.forEach((r, i) => {
    X[i * (d + 1) + d] = 1;
    y[i] = r[d];
  });
  return { X, y };
}
