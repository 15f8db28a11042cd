// Shared test helpers: engines for both builds, a seeded f64 reference RNG, tolerant comparison.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, type Engine } from '../src/index.js';
import { mulberry32 } from '../src/runtime/mulberry32.js';

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
export const rng: (seed: number) => () => number = mulberry32;

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

/**
 * Kernel-test scratch, registered on the enclosing describe: before each test `open()` gives the
 * engine (passed to `setEngine`) and the arena is marked; after it, rewound. put(data, off) copies
 * data to a fresh block at byte offset `off` from a 16-byte boundary (32 bytes of slack) and returns
 * the pointer; get(p, n) copies n elements back out. f32 elements by default, f64 with `f64: true`.
 */
export function arenaScratch<T extends Float32Array | Float64Array = Float32Array>(
  open: () => Promise<Engine>,
  setEngine: (e: Engine) => void,
  f64 = false,
) {
  let e: Engine | undefined;
  let mark = 0;
  beforeEach(async () => {
    e = await open();
    mark = e.arena.mark();
    setEngine(e);
  });
  afterEach(() => e?.arena.reset(mark));
  const view = (p: number, n: number) => (f64 ? new Float64Array(e!.memory.buffer, p, n) : e!.f32(p, n)) as T;
  const put = (data: ArrayLike<number>, off = 0): number => {
    const p = e!.arena.alloc(data.length * (f64 ? 8 : 4) + 32) + off;
    view(p, data.length).set(data);
    return p;
  };
  const get = (p: number, n: number): T => view(p, n).slice() as T;
  return { put, get };
}

/** arenaScratch over f32 for one of BUILDS. */
export const kernelScratch = (build: Build, setEngine: (e: Engine) => void) => arenaScratch(() => engineFor(build), setEngine);

/** A factory of engines that are all disposed after the enclosing file or describe (threads tests: workers must end). */
export function disposedAfterAll(): (options: Parameters<typeof init>[0]) => Promise<Engine> {
  const engines: Engine[] = [];
  afterAll(() => engines.forEach((e) => e.dispose()));
  return async (options) => {
    const e = await init(options);
    engines.push(e);
    return e;
  };
}

/** Runs f, expects an error of class C whose message matches every pattern; returns the message. */
export function fails(C: new (...a: never[]) => Error, f: () => unknown, ...patterns: (RegExp | string)[]): string {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${C.name}`).toBeInstanceOf(C);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
  return msg;
}

/** max |a - b| / max |b| */
export function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

/**
 * For a test file of the relaxed-SIMD build where vitest's Node does not validate relaxed
 * SIMD (Node 20 does only behind --experimental-wasm-relaxed-simd): one test that runs
 * `file` (repository-relative) in a child Node given the flag and expects its `tests` to pass.
 */
export function inRelaxedChild(file: string, tests: number, timeoutMs: number): void {
  describe(`${file} in a child Node with --experimental-wasm-relaxed-simd`, () => {
    it('passes the file in the child', () => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', 'node_modules/vitest/vitest.mjs', 'run', file], {
        cwd: root,
        encoding: 'utf8',
        timeout: timeoutMs,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.status, `child vitest exit status; output:\n${out}`).toBe(0);
      const passed = /Tests\s+(\d+) passed/.exec(out);
      expect(passed && Number(passed[1]), `tests passed in the child; output:\n${out}`).toBe(tests);
    });
  });
}
