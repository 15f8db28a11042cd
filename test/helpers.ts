// Shared test helpers: engines for both builds, a seeded f64 reference RNG, tolerant comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, type Engine } from '../src/index.js';

export const BUILDS = ['simd', 'scalar'] as const;
export type Build = (typeof BUILDS)[number];

const engines = new Map<Build, Promise<Engine>>();
/** One shared engine per build per test file. */
export function engineFor(build: Build): Promise<Engine> {
  let e = engines.get(build);
  if (!e) {
    e = init({ simd: build === 'simd' });
    engines.set(build, e);
  }
  return e;
}

/** mulberry32: a small seeded generator for test data (independent of the core's RNG). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform numbers in [lo, hi) from seed, as f32-representable values. */
export function randArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** The STYLE.md boundary sweep of lengths. */
export const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 64, 97, 1000, 1009];

/**
 * Asserts |actual - expected| <= max(atol, rtol * |expected|) elementwise; the
 * message names the kernel, the index, the shape and both values.
 */
export function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= Math.max(atol, rtol * Math.abs(e)))) {
      throw new Error(`${what}: index ${i} of ${expected.length}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

const tempDirs: string[] = [];
/** A fresh directory under os.tmpdir() named `<prefix>XXXXXX`; removed by `removeTempDirs` (register it with `afterAll`). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory `tempDir` made in this test file: `afterAll(removeTempDirs)`. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
