// Seeded random numbers: xoshiro128** (Blackman & Vigna, 2018), 32-bit output.
//
// The state is 4 u32 words (16 bytes) in linear memory at `state`, owned by
// the host, so every consumer (initializer, dropout, shuffling, noise) has its
// own stream and can save and restore it by copying 16 bytes. Seeding expands
// a 64-bit seed (lo, hi) with splitmix64. Everything here is integer math or f32
// math whose SIMD and scalar forms do the same IEEE operations in the same order,
// so both builds produce the same numbers bit for bit.

@inline function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
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

// rng_u32, f32_rng_uniform and f32_rng_normal run the xoshiro step on 4 locals and write the state back
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

// ---------------------------------------------------------------- normals
//
// Box-Muller in f32: z0 = r cos(2 pi u2), z1 = r sin(2 pi u2), r = sqrt(-2 ln u1), with
// u1 = (w1 >>> 8 + 1) / 2^24 in (0, 1] and u2 = (w2 >>> 8) / 2^24 in [0, 1) from two
// consecutive words of the stream. ln, sin and cos are evaluated by the polynomials
// below with the same f32 operations in the scalar helpers and their f32x4 twins, so
// both builds give the same bits (wasm f32 arithmetic is IEEE, never fused).
// ln: u = 2^e m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m-1)/(m+1),
// |s| <= 0.1716, by its series to s^9 (truncation < 1e-9). sin/cos: 4 u2 = q + f,
// q the nearest integer, x = f pi/2 in [-pi/4, pi/4], Taylor series to x^9 / x^10
// (truncation < 3e-10), then the quadrant q mod 4 swaps and negates them.

const LN2: f32 = 0.6931471805599453;
const HALF_PI: f32 = 1.5707963267948966;
const SQRT2: f32 = 1.4142135623730951;
const INV24: f32 = 1.0 / 16777216.0;

/** ln(u) for u in (0, 1] (normal floats). */
@inline function lnf(u: f32): f32 {
  const bits = reinterpret<i32>(u);
  let e = <f32>((bits >> 23) - 127);
  let m = reinterpret<f32>((bits & 0x7FFFFF) | 0x3F800000);
  if (m > SQRT2) { m = m * 0.5; e = e + 1; }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  const p = <f32>(1.0 / 3.0) + s2 * (<f32>0.2 + s2 * (<f32>(1.0 / 7.0) + s2 * <f32>(1.0 / 9.0)));
  return e * LN2 + (s + s * (s2 * p)) * 2;
}

@inline function sinPoly(x: f32, x2: f32): f32 {
  return x + x * (x2 * (<f32>(-1.0 / 6.0) + x2 * (<f32>(1.0 / 120.0) + x2 * (<f32>(-1.0 / 5040.0) + x2 * <f32>(1.0 / 362880.0)))));
}

@inline function cosPoly(x2: f32): f32 {
  return 1 + x2 * (<f32>-0.5 + x2 * (<f32>(1.0 / 24.0) + x2 * (<f32>(-1.0 / 720.0) + x2 * (<f32>(1.0 / 40320.0) + x2 * <f32>(-1.0 / 3628800.0)))));
}

/** One pair of words -> two normals at out, out + 4 (only the first when `one`). */
@inline function normalPair(w1: u32, w2: u32, out: usize, mean: f32, std: f32, one: bool): void {
  const u1 = (<f32>(w1 >>> 8) + 1) * INV24;
  const t = <f32>(w2 >>> 8) * INV24 * 4;
  const q = <i32>(t + 0.5);
  const x = (t - <f32>q) * HALF_PI;
  const x2 = x * x;
  const sx = sinPoly(x, x2), cx = cosPoly(x2);
  const swap = (q & 1) != 0;
  let c = swap ? sx : cx, sn = swap ? cx : sx;
  if (((q + 1) & 2) != 0) c = -c;
  if ((q & 2) != 0) sn = -sn;
  const r = Mathf.sqrt(lnf(u1) * -2);
  store<f32>(out, mean + std * (r * c));
  if (!one) store<f32>(out, mean + std * (r * sn), 4);
}

/** The f32x4 twin of lnf, lane by lane the same operations. */
@inline function lnf4(u: v128): v128 {
  const bits = u;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_s(bits, 23), i32x4.splat(127)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x7FFFFF)), i32x4.splat(0x3F800000));
  const big = f32x4.gt(m, f32x4.splat(SQRT2));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = v128.bitselect(f32x4.add(e, f32x4.splat(1)), e, big);
  const one = f32x4.splat(1);
  const s = f32x4.div(f32x4.sub(m, one), f32x4.add(m, one));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.add(f32x4.splat(<f32>(1.0 / 7.0)), f32x4.mul(s2, f32x4.splat(<f32>(1.0 / 9.0))));
  p = f32x4.add(f32x4.splat(0.2), f32x4.mul(s2, p));
  p = f32x4.add(f32x4.splat(<f32>(1.0 / 3.0)), f32x4.mul(s2, p));
  const lm = f32x4.mul(f32x4.add(s, f32x4.mul(s, f32x4.mul(s2, p))), f32x4.splat(2));
  return f32x4.add(f32x4.mul(e, f32x4.splat(LN2)), lm);
}

/** Four pairs of words (w1 lanes, w2 lanes) -> eight normals at out (pair j at out + 8 j). */
@inline function normalPairs4(w1: v128, w2: v128, out: usize, vmean: v128, vstd: v128): void {
  const u1 = f32x4.mul(f32x4.add(f32x4.convert_i32x4_u(i32x4.shr_u(w1, 8)), f32x4.splat(1)), f32x4.splat(INV24));
  const t = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(w2, 8)), f32x4.splat(INV24)), f32x4.splat(4));
  const q = i32x4.trunc_sat_f32x4_s(f32x4.add(t, f32x4.splat(0.5)));
  const x = f32x4.mul(f32x4.sub(t, f32x4.convert_i32x4_s(q)), f32x4.splat(HALF_PI));
  const x2 = f32x4.mul(x, x);
  let sx = f32x4.mul(x2, f32x4.splat(<f32>(1.0 / 362880.0)));
  sx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>(-1.0 / 5040.0)), sx));
  sx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>(1.0 / 120.0)), sx));
  sx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>(-1.0 / 6.0)), sx));
  sx = f32x4.add(x, f32x4.mul(x, sx));
  let cx = f32x4.mul(x2, f32x4.splat(<f32>(-1.0 / 3628800.0)));
  cx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>(1.0 / 40320.0)), cx));
  cx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>(-1.0 / 720.0)), cx));
  cx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>(1.0 / 24.0)), cx));
  cx = f32x4.mul(x2, f32x4.add(f32x4.splat(<f32>-0.5), cx));
  cx = f32x4.add(f32x4.splat(1), cx);
  const zero = i32x4.splat(0);
  const swap = i32x4.ne(v128.and(q, i32x4.splat(1)), zero);
  const sign = i32x4.splat(0x80000000);
  let c = v128.bitselect(sx, cx, swap), sn = v128.bitselect(cx, sx, swap);
  c = v128.xor(c, v128.and(i32x4.ne(v128.and(i32x4.add(q, i32x4.splat(1)), i32x4.splat(2)), zero), sign));
  sn = v128.xor(sn, v128.and(i32x4.ne(v128.and(q, i32x4.splat(2)), zero), sign));
  const r = f32x4.sqrt(f32x4.mul(lnf4(u1), f32x4.splat(-2)));
  const z0 = f32x4.add(vmean, f32x4.mul(vstd, f32x4.mul(r, c)));
  const z1 = f32x4.add(vmean, f32x4.mul(vstd, f32x4.mul(r, sn)));
  v128.store(out, v128.shuffle<f32>(z0, z1, 0, 4, 1, 5));
  v128.store(out, v128.shuffle<f32>(z0, z1, 2, 6, 3, 7), 16);
}

/** out[i] ~ N(mean, std^2), Box-Muller in f32 (two outputs per pair of words; odd n drops the last). */
export function f32_rng_normal(n: i32, state: usize, out: usize, mean: f32, std: f32): void {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vmean = f32x4.splat(mean), vstd = f32x4.splat(std);
    for (; i + 8 <= n; i += 8) {
      let w1 = i32x4.splat(0), w2 = i32x4.splat(0);
      w1 = i32x4.replace_lane(w1, 0, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w2 = i32x4.replace_lane(w2, 0, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w1 = i32x4.replace_lane(w1, 1, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w2 = i32x4.replace_lane(w2, 1, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w1 = i32x4.replace_lane(w1, 2, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w2 = i32x4.replace_lane(w2, 2, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w1 = i32x4.replace_lane(w1, 3, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      w2 = i32x4.replace_lane(w2, 3, xoshiroOut(s1)); { const t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11); }
      normalPairs4(w1, w2, out + (<usize>i << 2), vmean, vstd);
    }
  }
  for (; i < n; i += 2) {
    const a = xoshiroOut(s1);
    let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    const b = xoshiroOut(s1);
    t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
    normalPair(a, b, out + (<usize>i << 2), mean, std, i + 1 == n);
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}
