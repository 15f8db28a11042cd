// Branch-free picks between two f32 values for the scalar loops (the scalar build, and the
// tails of the SIMD builds).
//
// V8's optimizing tier (TurboFan, x64) compiles an f32 `select` (what `c ? a : b` on floats
// becomes) into a compare and a branch, and `f32.min`/`f32.max` into a sequence with branches
// for NaN and ±0; on data whose condition is random the branch mispredicts about half the time.
// An i32 select becomes cmov. Measured (lab module, scalar build, Node 24, Zen 5, 1M uniform
// floats in [-1, 1), clamped to ±0.25): f32 selects 6.5 ms, Mathf.min/max 6.8 ms, i32 selects
// of the bit patterns 0.84 ms. So the scalar loops pick the bit patterns as i32.
//
// binaryen turns select(reinterpret(a), reinterpret(b)) back into reinterpret(select(a, b)), an
// f32 select again, when both arms are reinterpreted floats. So the second arm comes in as bits
// (an i32 load, a constant, a local, an earlier pick) and a pick feeds a store (stPick), a
// compare or integer operations (clampBits; the soft threshold's copysign in prox.ts).

/** The bits of `cond ? a : b`, b given as bits: an i32 select (cmov, not a branch). */
@inline export function pick(cond: bool, a: f32, b: i32): i32 {
  return select<i32>(reinterpret<i32>(a), b, cond);
}

/** p[i] <- cond ? a : b (b as bits), picked as i32. */
@inline export function stPick(p: usize, i: i32, cond: bool, a: f32, b: i32): void {
  store<i32>(p + (<usize>i << 2), pick(cond, a, b));
}

/**
 * The bits of f32x4.pmin(f32x4.pmax(v, lo), hi) for one float, all three given as bits (the
 * caller loads or hoists them as i32): v < lo ? lo : v, then hi < that ? hi : that, compared
 * as floats (NaN stays NaN, ±0 as the selects order them), picked as i32.
 */
@inline export function clampBits(v: i32, lo: i32, hi: i32): i32 {
  const b = select<i32>(lo, v, reinterpret<f32>(v) < reinterpret<f32>(lo));
  return select<i32>(hi, b, reinterpret<f32>(hi) < reinterpret<f32>(b));
}

/**
 * The bits of f32.min(f32.max(v, lo), hi) (wasm's min and max: NaN if v is NaN, max(−0, +0) =
 * +0, min(−0, +0) = −0), all three as bits, picked as i32: a larger value wins, equal values
 * (±0 against ∓0, or the same bits) give the AND of the bits for the max and the OR for the
 * min, and a NaN v is kept.
 */
@inline export function minMaxBits(v: i32, lo: i32, hi: i32): i32 {
  const x = reinterpret<f32>(v), l = reinterpret<f32>(lo), h = reinterpret<f32>(hi);
  let b = select<i32>(v, lo, x > l);
  b = select<i32>(v & lo, b, x == l);
  b = select<i32>(v, b, x != x);
  const y = reinterpret<f32>(b);
  let c = select<i32>(b, hi, y < h);
  c = select<i32>(b | hi, c, y == h);
  return select<i32>(b, c, y != y);
}

/**
 * `cond ? a : b` for f64, picked as i64 bits and read back (an f64 select is a branch too). One
 * arm is a constant: binaryen folds a select back to f64 only when both arms are reinterpreted
 * values.
 */
@inline export function pick64(cond: bool, a: f64, b: f64): f64 {
  return reinterpret<f64>(select<i64>(reinterpret<i64>(a), reinterpret<i64>(b), cond));
}
