import { StateError, ValueError } from '../errors.js';
import { describe } from './validate.js';
import type { Core } from './core.js';
import { checkTensor, type Tensor } from './tensor.js';

const TWO32 = 4294967296;

/** Checks a seed: a non-negative safe integer (up to 2^53 - 1). Returns its [lo, hi] 32-bit words. */
export function seedWords(op: string, seed: unknown): [number, number] {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new ValueError(`${op}: seed must be a non-negative safe integer, got ${describe(seed)}`);
  }
  return [seed % TWO32, Math.floor(seed / TWO32)];
}

/**
 * Checks a 4-word xoshiro128** state: an array-like of 4 integers in
 * [0, 2^32), not all zero (the all-zero state is a fixed point). Returns a copy.
 */
export function checkStateWords(op: string, state: unknown): Uint32Array {
  const s = state as ArrayLike<number> | null;
  if (s === null || typeof s !== 'object' || typeof s.length !== 'number') {
    throw new ValueError(`${op}: state must be 4 u32 words, got ${s === null ? 'null' : typeof s}`);
  }
  if (s.length !== 4) throw new ValueError(`${op}: state must be 4 u32 words, got ${s.length}`);
  let any = 0;
  for (let i = 0; i < 4; i++) {
    const w = s[i];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w >= TWO32) {
      throw new ValueError(`${op}: state word ${i} must be an integer in [0, 2^32), got ${String(w)}`);
    }
    any ||= w;
  }
  if (any === 0) throw new ValueError(`${op}: the all-zero state is not a valid xoshiro128** state`);
  return Uint32Array.from(s);
}

/**
 * A seeded stream of the core's xoshiro128** generator (assembly/rng.ts).
 *
 * The generator's state is 4 u32 words (16 bytes) in the engine's memory,
 * owned by this object; seeding expands the 64-bit seed with splitmix64. Same
 * seed, same numbers, in both builds and every runtime. `state()` /
 * `setState()` copy the 16 bytes, so a stream can be saved and replayed.
 *
 * ```ts
 * const rng = engine.rng(42);
 * rng.normal(weights, 0, 0.02);
 * const saved = rng.state();
 * ```
 */
export class Rng {
  private _ptr: number;

  /** @internal use `engine.rng(seed)` */
  constructor(readonly engine: Core, seed: number) {
    const [lo, hi] = seedWords('rng', seed);
    this._ptr = engine.arena.alloc(16);
    engine.kernels.rng_seed(this._ptr, lo, hi);
  }

  /** Byte offset of the 16-byte state (for kernels that draw from this stream, e.g. dropout). */
  get ptr(): number {
    if (this._ptr < 0) throw new StateError('rng: used after dispose()');
    return this._ptr;
  }

  get disposed(): boolean {
    return this._ptr < 0;
  }

  /** Fills `out` with U[lo, hi) draws (24 random bits each; lo + (hi - lo)·u rounded to f32). Returns `out`. */
  uniform(out: Tensor, lo = 0, hi = 1): Tensor {
    const ptr = this.ptr;
    checkTensor(this.engine, 'rng.uniform', 'out', out);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo <= hi)) {
      throw new ValueError(`rng.uniform: need finite lo <= hi, got lo = ${lo}, hi = ${hi}`);
    }
    this.engine.kernels.f32_rng_uniform(out.size, ptr, out.ptr, lo, hi);
    return out;
  }

  /**
   * Fills `out` with N(mean, std²) draws (Box-Muller, evaluated in f32 with the same
   * operations in both builds: each pair of uniforms gives two values; an odd count
   * discards the last one). Returns `out`.
   */
  normal(out: Tensor, mean = 0, std = 1): Tensor {
    const ptr = this.ptr;
    checkTensor(this.engine, 'rng.normal', 'out', out);
    if (!Number.isFinite(mean)) throw new ValueError(`rng.normal: mean must be finite, got ${mean}`);
    if (!Number.isFinite(std) || std < 0) throw new ValueError(`rng.normal: std must be finite and >= 0, got ${std}`);
    this.engine.kernels.f32_rng_normal(out.size, ptr, out.ptr, mean, std);
    return out;
  }

  /** A copy of the 4 state words. */
  state(): Uint32Array {
    return new Uint32Array(this.engine.memory.buffer, this.ptr, 4).slice();
  }

  /** Restores 4 state words from `state()`; the stream continues from there. Not all zero. */
  setState(s: ArrayLike<number>): void {
    const ptr = this.ptr;
    if (s === null || typeof s !== 'object' || s.length !== 4) {
      throw new ValueError(`rng.setState: state must have 4 words, got ${s === null || typeof s !== 'object' ? describe(s) : `length ${s.length}`}`);
    }
    let any = 0;
    for (let i = 0; i < 4; i++) {
      const w = s[i];
      if (!Number.isInteger(w) || w < 0 || w >= TWO32) {
        throw new ValueError(`rng.setState: word ${i} must be an integer in [0, 2^32), got ${w}`);
      }
      any ||= w;
    }
    if (any === 0) throw new ValueError('rng.setState: the all-zero state is not a valid xoshiro128** state');
    new Uint32Array(this.engine.memory.buffer, ptr, 4).set(s);
  }

  /** Returns the state block to the arena. Using the rng afterwards throws `StateError`. Idempotent. */
  dispose(): void {
    if (this._ptr < 0) return;
    this.engine.arena.free(this._ptr);
    this._ptr = -1;
  }
}
