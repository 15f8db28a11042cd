// Shared pieces of the fuzz suite (test/fuzz/*.test.ts): the engine-state
// fingerprint, the property "a bad call throws a typed error naming the argument
// and changes nothing", and generators of bad arguments.
//
// Runs per property: WASMGRAD_FUZZ_RUNS (default 25; more: e.g. 1000); seed: WASMGRAD_FUZZ_SEED.
// A failure prints fast-check's counterexample and the seed/path to replay it.
import fc from 'fast-check';
import { appendFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { WasmgradError, type Engine } from '../../src/index.js';

export { fc };
export const RUNS = Math.max(1, Number(process.env.WASMGRAD_FUZZ_RUNS) || 25);
export const SEED = Number(process.env.WASMGRAD_FUZZ_SEED) || 20261202;

/**
 * Generated cases run by this test file (every call checked by fuzzCases).
 * With WASMGRAD_FUZZ_COUNT=<file>, each fuzz file appends `<count> <first case>`
 * to it when done (how the suite's total in docs/engine.md was counted).
 */
let cases_ = 0;
afterAll(() => {
  const out = process.env.WASMGRAD_FUZZ_COUNT;
  if (out && cases_ > 0) appendFileSync(out, `${cases_} ${firstCase}\n`);
});
let firstCase = '';

/**
 * Everything a call could change: the used region of the wasm memory (bytes 0
 * up to the arena's top, i.e. the core's static data, every parameter,
 * gradient, optimizer moment, RNG state and plan buffer) except the contents
 * of free blocks (undefined by contract), the arena's counters, and `extra()`:
 * host-side state (optimizer state(), loader RNG, model mode).
 *
 * The bytes are copied into one scratch buffer reused by every check (a fresh
 * copy per check costs page faults: ~10 ms for the core's 650 kB on a loaded
 * machine, against ~0.01 ms for a copy into memory already touched), and the
 * memory after the call is compared with it in place, range by range between
 * the free blocks.
 */
export interface Fingerprint {
  /** a view of the scratch copy: valid until the next fingerprint */
  bytes: Uint8Array;
  counters: string;
  extra: string;
}

let scratch = new Uint8Array(0);

export function fingerprint(engine: Engine, extra?: () => unknown): Fingerprint {
  const a = engine.arena;
  const top = a.topBytes;
  if (scratch.length < top) scratch = new Uint8Array(Math.max(top, 2 * scratch.length));
  const bytes = scratch.subarray(0, top);
  bytes.set(new Uint8Array(engine.memory.buffer, 0, top));
  return { bytes, counters: counters(engine), extra: extra ? stable(extra()) : '' };
}

function counters(engine: Engine): string {
  const a = engine.arena;
  return JSON.stringify({
    used: a.usedBytes,
    top: a.topBytes,
    live: a.liveBlocks,
    capacity: a.capacityBytes,
    grows: a.growCount,
    free: a.freeBlocks(),
  });
}

/** The first byte outside the free blocks where the live memory differs from `before` (-1: none). Counters must be equal. */
function firstChange(engine: Engine, before: Uint8Array): number {
  const live = new Uint8Array(engine.memory.buffer, 0, before.length);
  const free = [...engine.arena.freeBlocks()].sort((x, y) => x[0] - y[0]);
  let at = 0;
  const check = (lo: number, hi: number): number => {
    if (hi <= lo || Buffer.compare(before.subarray(lo, hi), live.subarray(lo, hi)) === 0) return -1;
    for (let i = lo; i < hi; i++) if (before[i] !== live[i]) return i;
    return -1;
  };
  for (const [p, size] of free) {
    const c = check(at, p);
    if (c >= 0) return c;
    at = Math.max(at, p + size);
  }
  return check(at, before.length);
}

/** JSON with typed arrays as arrays and NaN/Infinity kept distinct. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>, String);
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    if (typeof x === 'function') return 'fn';
    return x;
  });
}

/** Short text of a generated value for failure messages. */
export function show(v: unknown): string {
  try {
    return fc.stringify(v);
  } catch {
    return String(v);
  }
}

/**
 * Runs `call` and checks: it throws a WasmgradError subclass, the message
 * matches `names` (the argument's name), and the fingerprint is unchanged.
 */
export function expectRejected(engine: Engine, call: () => unknown, names: RegExp, extra?: () => unknown, label = ''): void {
  const before = fingerprint(engine, extra);
  let error: unknown = undefined;
  let threw = false;
  try {
    call();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) throw new Error(`${label}: accepted (no error thrown)`);
  if (!(error instanceof WasmgradError)) throw new Error(`${label}: untyped throw ${String(error)}`);
  if (!names.test(error.message)) throw new Error(`${label}: message does not name ${names}: ${error.message}`);
  const after = counters(engine);
  expect(after, `${label}: arena counters changed (${error.message})`).toBe(before.counters);
  const at = firstChange(engine, before.bytes);
  expect(at, `${label}: memory byte ${at} changed (${error.message})`).toBe(-1);
  expect(extra ? stable(extra()) : '', `${label}: host state changed (${error.message})`).toBe(before.extra);
}

/** One bad-argument case: `gen` makes bad values, `call(v)` uses one, `names` must be in the message. */
export interface BadCase<T = unknown> {
  /** shown as the test name */
  what: string;
  gen: fc.Arbitrary<T>;
  call: (v: T) => unknown;
  names: RegExp | ((v: T) => RegExp);
  /** host-side state to compare too */
  extra?: () => unknown;
  /** runs per property (default RUNS) */
  runs?: number;
}

/** Declares one vitest test per case: a seeded fast-check property over its generator. */
export function fuzzCases(engine: () => Engine, cases: BadCase<any>[]): void {
  for (const c of cases) {
    it(c.what, () => {
      const e = engine();
      fc.assert(
        fc.property(c.gen, (v) => {
          cases_++;
          firstCase ||= c.what;
          const names = typeof c.names === 'function' ? c.names(v) : c.names;
          expectRejected(e, () => c.call(v), names, c.extra, `${c.what} with ${show(v)}`);
        }),
        { numRuns: c.runs ?? RUNS, seed: SEED },
      );
    });
  }
}

/** The async twin of `expectRejected`: `call` returns a promise that must reject (or throws at once). */
export async function expectRejectedAsync(engine: Engine, call: () => unknown, names: RegExp, extra?: () => unknown, label = ''): Promise<void> {
  const before = fingerprint(engine, extra);
  const beforeBytes = before.bytes.slice(); // the scratch copy is shared: keep this one across the await
  let error: unknown = undefined;
  let threw = false;
  try {
    await call();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (!threw) throw new Error(`${label}: accepted (no error thrown)`);
  if (!(error instanceof WasmgradError)) throw new Error(`${label}: untyped throw ${String(error)}`);
  if (!names.test(error.message)) throw new Error(`${label}: message does not name ${names}: ${error.message}`);
  expect(counters(engine), `${label}: arena counters changed (${error.message})`).toBe(before.counters);
  const at = firstChange(engine, beforeBytes);
  expect(at, `${label}: memory byte ${at} changed (${error.message})`).toBe(-1);
  expect(extra ? stable(extra()) : '', `${label}: host state changed (${error.message})`).toBe(before.extra);
}

/** `fuzzCases` for calls that return promises (fit, saveCheckpoint, loadCheckpoint). */
export function fuzzCasesAsync(engine: () => Engine, cases: BadCase<any>[]): void {
  for (const c of cases) {
    it(c.what, async () => {
      const e = engine();
      await fc.assert(
        fc.asyncProperty(c.gen, async (v) => {
          cases_++;
          firstCase ||= c.what;
          const names = typeof c.names === 'function' ? c.names(v) : c.names;
          await expectRejectedAsync(e, () => c.call(v), names, c.extra, `${c.what} with ${show(v)}`);
        }),
        { numRuns: c.runs ?? RUNS, seed: SEED },
      );
    });
  }
}

// ---- generators of bad values ----

/** Values that are not numbers at all. */
export const notNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, 'abc', '1', '', () => 1, {}, [], [1], true, false, 1n, new Float32Array(1), { valueOf: () => 1 }),
  fc.string(),
  fc.array(fc.double(), { maxLength: 3 }),
);
/** NaN and the infinities. */
export const nonFinite = fc.constantFrom(NaN, Infinity, -Infinity);
/** Finite negative numbers, large and small. */
export const negative = fc.oneof(fc.constantFrom(-1, -1e-30, -1e300, -Number.MAX_VALUE), fc.double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }));
/** Finite numbers that are not integers. */
export const fractional = fc.oneof(fc.constantFrom(0.5, 1.5, 1e-300, 2 ** 40 + 0.5), fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)));
/** Integers too big to be sizes (beyond 2^31, 2^53). */
export const huge = fc.constantFrom(2 ** 31, 2 ** 32 + 1, 2 ** 53, 2 ** 60, 1e300, Number.MAX_VALUE);

/** Anything that is not a finite number > 0 (0 and -0 included). */
export const notPositive = fc.oneof(notNumber, nonFinite, negative, fc.constantFrom(0, -0));
/** Anything that is not a finite number >= 0. */
export const notNonNegative = fc.oneof(notNumber, nonFinite, negative);
/** Anything that is not a finite number. */
export const notFinite = fc.oneof(notNumber, nonFinite);
/** Anything that is not a safe integer >= 0 (used for seeds, counts, sizes that may be 0). */
export const notNonNegInt = fc.oneof(notNumber, nonFinite, negative, fractional, fc.constantFrom(2 ** 53, 1e300));
/** Anything that is not an integer >= 1 of a sane size. */
export const notPositiveInt = fc.oneof(notNonNegInt, fc.constantFrom(0, -0), huge);
/** Finite numbers outside [lo, hi] (or touching an open side given as `open`). */
export function outside(lo: number, hi: number, open: number[] = []): fc.Arbitrary<unknown> {
  const out = fc.oneof(
    fc.double({ max: lo, noNaN: true, noDefaultInfinity: true, maxExcluded: !open.includes(lo) }),
    fc.double({ min: hi, noNaN: true, noDefaultInfinity: true, minExcluded: !open.includes(hi) }),
  );
  return fc.oneof(notFinite, out);
}
/** Anything that is not a boolean. */
export const notBoolean = fc.oneof(fc.constantFrom<unknown>(null, 0, 1, 'true', 'false', NaN, {}, [], () => true), fc.string());
/** An option key that is not in `known` (typos, other optimizers' names, prototype names). */
export function unknownKey(known: readonly string[]): fc.Arbitrary<string> {
  const typos = known.flatMap((k) => [k.toUpperCase(), `${k}s`, k.slice(1), `_${k}`]);
  const pool = [...typos, 'learningRate', 'lr_', 'beta', 'weight_decay', 'toString', 'foo', 'momentun', 'step', ''];
  return fc.oneof(fc.constantFrom(...pool), fc.string({ minLength: 1, maxLength: 8 })).filter((k) => !known.includes(k) && k !== '__proto__');
}
/** `{ ...base, [key]: 1 }` for an unknown key. */
export function withUnknownKey(base: Record<string, unknown>, known: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return unknownKey(known).map((k) => ({ ...base, [k]: 1 }));
}
/** Things that are not option objects. */
export const notOptions = fc.constantFrom<unknown>(null, 1, 'abc', true, () => ({}), NaN);
/** Regex that matches the name `n` as a word (e.g. `lr`, `betas[0]`). */
export function named(...n: string[]): RegExp {
  return new RegExp(n.map((s) => `\\b${s.replace(/[[\]().*+?^$|\\]/g, '\\$&')}`).join('|'));
}
/** Escapes an option key for a RegExp (keys may be any string). */
export function keyRe(k: string): RegExp {
  return new RegExp(k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
