import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { checkStateWords, seedWords } from '../runtime/rng.js';

/** 4 u32 words, not all zero (moved to runtime/rng.ts; the model's setRngState checks the same). */
export { checkStateWords } from '../runtime/rng.js';

/**
 * A small seeded generator for the host side of data handling (shuffles,
 * generators, splits): xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32, the same family as the core's RNG. Its whole state is four u32
 * words, so shuffling can be saved in a checkpoint and restored exactly.
 */
export class Random {
  private readonly s = new Uint32Array(4);

  /** `seed`: a non-negative safe integer (checked by `seedWords`; `op` names the caller in the error). */
  constructor(seed = 0, op = 'Random') {
    this.seed(seed, op);
  }

  /** Resets the state from a seed, a non-negative safe integer (its low and high 32-bit words are mixed). */
  seed(seed: number, op = 'Random.seed'): void {
    const [lo, hi] = seedWords(op, seed);
    let z = lo ^ hi;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      this.s[i] = (t ^ (t >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** A copy of the 4-word state. */
  state(): Uint32Array {
    return this.s.slice();
  }

  /** Restores a state from `state()`: 4 integers in [0, 2^32), not all zero (`ValueError` otherwise, state unchanged). */
  setState(state: ArrayLike<number>, op = 'Random.setState'): void {
    this.s.set(checkStateWords(op, state));
  }

  /** Next 32-bit word. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection); n an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 4294967296) throw new ValueError(`Random.int: n must be an integer in [1, 2^32], got ${describe(n)}`);
    return this.below(n);
  }

  private below(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    let x: number;
    do x = this.nextU32();
    while (x >= limit);
    return x % n;
  }

  /** Standard normal (Box-Muller, one value per call). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle of `a` in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new ValueError(`Random.permutation: n must be an integer in [0, 2^31), got ${describe(n)}`);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
