// Seeded random numbers: xoshiro128** (Blackman & Vigna, 2018), 32-bit output.
//
// The state is 4 u32 words (16 bytes) in linear memory at `state`, owned by
// the host, so every consumer (initializer, dropout, shuffling, noise) has its
// own stream and can save and restore it by copying 16 bytes. Seeding expands
// a 64-bit seed (lo, hi) with splitmix64. Everything here is integer or scalar
// float math, so both builds produce the same numbers bit for bit.

@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

/** Next 32-bit output; advances the state. */
@inline function next(state: usize): u32 {
  const s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  let n2 = s2 ^ s0;
  let n3 = s3 ^ s1;
  const n1 = s1 ^ n2;
  const n0 = s0 ^ n3;
  n2 ^= t;
  n3 = rotl(n3, 11);
  store<u32>(state, n0); store<u32>(state, n1, 4); store<u32>(state, n2, 8); store<u32>(state, n3, 12);
  return result;
}

/** Seeds the 16-byte state at `state` from the 64-bit seed hi:lo via splitmix64. */
export function rng_seed(state: usize, lo: u32, hi: u32): void {
  let z: u64 = (<u64>hi << 32) | <u64>lo;
  for (let i = 0; i < 2; i++) {
    z += 0x9E3779B97F4A7C15;
    let x = z;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
    x = x ^ (x >> 31);
    store<u32>(state + (<usize>i << 3), <u32>x);
    store<u32>(state + (<usize>i << 3) + 4, <u32>(x >> 32));
  }
  // xoshiro must not start from the all-zero state
  if ((load<u32>(state) | load<u32>(state, 4) | load<u32>(state, 8) | load<u32>(state, 12)) == 0) store<u32>(state, 1);
}

// rng_u32 and f32_rng_uniform run `next` on 4 locals and write the state back
// at the end (with the state in memory, every store to `out` might alias it,
// so the engine reloaded it each step: 10-40% slower). `out` must not overlap
// the 16-byte state.

/** The xoshiro128** output function of the second state word. */
@inline function xoshiroOut(s1: u32): u32 {
  return rotl(s1 * 5, 7) * 9;
}

/** out[i] <- next 32-bit words (for the host: shuffles, integer draws). */
export function rng_u32(n: i32, state: usize, out: usize): void {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    store<u32>(out + (<usize>i << 2), xoshiroOut(s1));
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}

/** out[i] ~ U[lo, hi): lo + (hi - lo) * u, u = (top 24 bits) / 2^24, in f32 (rounding may give hi itself when |lo| >> hi - lo). */
export function f32_rng_uniform(n: i32, state: usize, out: usize, lo: f32, hi: f32): void {
  const w = hi - lo;
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    const u = <f32>(xoshiroOut(s1) >>> 8) * (<f32>1.0 / <f32>16777216.0);
    store<f32>(out + (<usize>i << 2), lo + w * u);
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}

/** out[i] ~ N(mean, std^2), Box-Muller in f64 (two outputs per pair of uniforms). */
export function f32_rng_normal(n: i32, state: usize, out: usize, mean: f32, std: f32): void {
  let i = 0;
  while (i < n) {
    // u1 in (0, 1]: avoids log(0)
    const u1: f64 = (<f64>(next(state) >>> 8) + 1.0) * (1.0 / 16777216.0);
    const u2: f64 = <f64>(next(state) >>> 8) * (1.0 / 16777216.0);
    const r = Math.sqrt(-2.0 * Math.log(u1));
    const th = 2.0 * Math.PI * u2;
    store<f32>(out + (<usize>i << 2), <f32>(<f64>mean + <f64>std * r * Math.cos(th)));
    i++;
    if (i < n) {
      store<f32>(out + (<usize>i << 2), <f32>(<f64>mean + <f64>std * r * Math.sin(th)));
      i++;
    }
  }
}
