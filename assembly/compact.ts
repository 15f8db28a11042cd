// Branch-free compaction passes for the simplex / l1-ball threshold (project_threshold.ts):
// copy the values above a threshold into a list, with their f64 sum, the same list and the
// same sums in both builds (each SIMD lane mirrors one of the scalar loop's sums).
// Not part of the ABI (index.ts does not re-export this file). |v| is f32x4.abs (V8: one
// andps with a memory constant) except in bracket16's hot loop (a mask in a register).

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** 16 byte-shuffle patterns: entry m moves the f32 lanes set in the 4-bit mask m to the front, in order. */
const PACK: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0,
  8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 0, 0, 0,
  12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0,
  4, 5, 6, 7, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 0, 0, 0,
  8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
], 16);

/**
 * The lanes of v set in the 4-bit mask m, packed to the front (PACK's pattern m). Every index
 * is in 0..15, so the relaxed build's i8x16.relaxed_swizzle (one pshufb on x64; swizzle adds a
 * saturating add for out-of-range indices) gives the same bytes as i8x16.swizzle.
 */
@inline function pack(v: v128, m: i32): v128 {
  const idx = v128.load(<usize>m << 4, PACK); // PACK as the immediate offset: one add less per use
  return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(v, idx) : i8x16.swizzle(v, idx);
}

/** Σ of the values the last compaction kept (f64; four sums joined in a fixed order, both builds). */
export let keptSum: f64 = 0;
/** compactBracket: Σ and count of the values above hi; whether some value was NaN or ±Inf (also compactSparse). */
export let hiSum: f64 = 0;
export let hiCount: i32 = 0;
export let nonFinite: bool = false;

/**
 * Copies the values v_i > thr of src[0, n) (v = |src| when `useAbs`) to dst[0, kept) in
 * order and returns kept (dst may be src: the write index never passes the read index).
 * Branch-free: every value is written, the cursor advances by the comparison, and the kept
 * sum adds v·[v > thr] (a float select may become a branch in V8). Unrolled by 4 with four
 * sums so the f64 adds do not chain. SIMD: the kept lanes of each f32x4 are packed to the
 * front with one byte shuffle (PACK) and stored as 16 bytes (dst needs room for 3 floats
 * past the kept ones, which src = dst or dst of n floats gives).
 */
export function compact(n: i32, src: usize, dst: usize, thr: f64, useAbs: bool): i32 {
  let kept = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // the same comparisons (in f64) and the same four sums as the scalar loop below:
    // lane 0 of a = s0, lane 1 of a = s1, lane 0 of b = s2, lane 1 of b = s3
    const t2 = f64x2.splat(thr);
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      let v = v128.load(at(src, i));
      if (useAbs) v = f32x4.abs(v);
      const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3));
      const klo = f64x2.gt(lo, t2), khi = f64x2.gt(hi, t2);
      a = f64x2.add(a, v128.and(lo, klo));
      b = f64x2.add(b, v128.and(hi, khi));
      const bits = i64x2.bitmask(klo) | (i64x2.bitmask(khi) << 2);
      // the kept lanes to the front (PACK), all 16 bytes stored (kept ≤ i: never past what was read)
      v128.store(at(dst, kept), pack(v, bits));
      kept += popcnt<i32>(bits);
    }
    s0 = f64x2.extract_lane(a, 0); s1 = f64x2.extract_lane(a, 1);
    s2 = f64x2.extract_lane(b, 0); s3 = f64x2.extract_lane(b, 1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = at(src, i);
    let v0 = load<f32>(o), v1 = load<f32>(o, 4), v2 = load<f32>(o, 8), v3 = load<f32>(o, 12);
    if (useAbs) { v0 = abs<f32>(v0); v1 = abs<f32>(v1); v2 = abs<f32>(v2); v3 = abs<f32>(v3); }
    const k0 = <i32>(<f64>v0 > thr), k1 = <i32>(<f64>v1 > thr), k2 = <i32>(<f64>v2 > thr), k3 = <i32>(<f64>v3 > thr);
    store<f32>(at(dst, kept), v0); kept += k0;
    store<f32>(at(dst, kept), v1); kept += k1;
    store<f32>(at(dst, kept), v2); kept += k2;
    store<f32>(at(dst, kept), v3); kept += k3;
    s0 += <f64>v0 * <f64>k0; s1 += <f64>v1 * <f64>k1; s2 += <f64>v2 * <f64>k2; s3 += <f64>v3 * <f64>k3;
  }
  for (; i < n; i++) {
    let v = load<f32>(at(src, i));
    if (useAbs) v = abs<f32>(v);
    const k = <i32>(<f64>v > thr);
    store<f32>(at(dst, kept), v);
    kept += k;
    s0 += <f64>v * <f64>k;
  }
  keptSum = (s0 + s1) + (s2 + s3);
  return kept;
}

/**
 * Σ src[0, n) in f64 with compact()'s four lane sums and join, so that for a list whose
 * values all pass the threshold it gives compact()'s keptSum bit for bit, without the
 * compares and stores (the bracket's collected values: all > lo).
 */
export function listSum(n: i32, src: usize): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(src, i));
      a = f64x2.add(a, f64x2.promote_low_f32x4(v));
      b = f64x2.add(b, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
    }
    s0 = f64x2.extract_lane(a, 0); s1 = f64x2.extract_lane(a, 1);
    s2 = f64x2.extract_lane(b, 0); s3 = f64x2.extract_lane(b, 1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = at(src, i);
    s0 += <f64>load<f32>(o); s1 += <f64>load<f32>(o, 4); s2 += <f64>load<f32>(o, 8); s3 += <f64>load<f32>(o, 12);
  }
  for (; i < n; i++) s0 += <f64>load<f32>(at(src, i));
  return (s0 + s1) + (s2 + s3);
}

/** compactSparse's exact look at x[i, i + len): v > thr kept (index order), |x| bits into sparseBits. */
let sparseBits: i32 = 0;
function sparseLook(x: usize, i: i32, len: i32, dst: usize, kept: i32, thr: f64, useAbs: bool): i32 {
  for (let l = i; l < i + len; l++) {
    let v = load<f32>(at(x, l));
    sparseBits = max(sparseBits, reinterpret<i32>(v) & 0x7fffffff);
    if (useAbs) v = abs<f32>(v);
    if (<f64>v > thr) { store<f32>(at(dst, kept), v); kept++; keptSum += <f64>v; }
  }
  return kept;
}

/**
 * compact() for a threshold few values pass: copies the values v_i > thr of x (v = |x|
 * when `useAbs`) to dst in order, returns their count, leaves their sum (f64, in index
 * order, both builds) in keptSum and sets nonFinite when some x_i is NaN or ±Inf. SIMD: 16
 * values per step are tested against an f32 threshold tf just below thr (a filter: v > thr
 * implies v > tf), and only a step the filter flags is looked at value by value with the
 * exact f64 test (sparseLook, which also sees non-finite values). The filter also flags
 * NaN and +Inf: for |x| one integer compare of the bits (|x| orders as its bit pattern,
 * and NaN/Inf patterns are the largest); for x, "not v ≤ tf" (NaN compares false), and
 * −∞ is caught by a running pmin.
 */
export function compactSparse(n: i32, x: usize, dst: usize, thr: f64, useAbs: bool): i32 {
  let kept = 0;
  keptSum = 0;
  sparseBits = 0;
  let low: f32 = Infinity;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const tf = <f32>(thr - abs(thr) * 1e-6 - 1e-30);
    if (useAbs) {
      const tb = i32x4.splat(max(reinterpret<i32>(tf), 0));
      for (; i + 16 <= n; i += 16) {
        const p = at(x, i);
        const f0 = i32x4.gt_s(f32x4.abs(v128.load(p)), tb), f1 = i32x4.gt_s(f32x4.abs(v128.load(p, 16)), tb);
        const f2 = i32x4.gt_s(f32x4.abs(v128.load(p, 32)), tb), f3 = i32x4.gt_s(f32x4.abs(v128.load(p, 48)), tb);
        if (v128.any_true(v128.or(v128.or(f0, f1), v128.or(f2, f3)))) kept = sparseLook(x, i, 16, dst, kept, thr, true);
      }
    } else {
      const t4 = f32x4.splat(tf);
      let m = f32x4.splat(Infinity);
      for (; i + 16 <= n; i += 16) {
        const p = at(x, i);
        const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
        m = f32x4.pmin(m, f32x4.pmin(f32x4.pmin(v0, v1), f32x4.pmin(v2, v3)));
        const le = v128.and(v128.and(f32x4.le(v0, t4), f32x4.le(v1, t4)), v128.and(f32x4.le(v2, t4), f32x4.le(v3, t4)));
        if (!i32x4.all_true(le)) kept = sparseLook(x, i, 16, dst, kept, thr, false);
      }
      low = min(min(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), min(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
    }
  }
  kept = sparseLook(x, i, n - i, dst, kept, thr, useAbs);
  nonFinite = sparseBits >= 0x7f800000 || low == -Infinity;
  return kept;
}

/** bracket16's results beside the index it returns (kept, count above hi, max |x| bits, the four lane sums). */
let bKept = 0, bCount = 0, bBad = 0;
let bSum0: f64 = 0, bSum1: f64 = 0, bSum2: f64 = 0, bSum3: f64 = 0;

/**
 * compactBracket's SIMD body over 16 values per step; returns where it stopped. With `useAbs`
 * the values are |x| (sign bit clear) and lo > 0 (the caller's check), so v > lo and v > hi
 * are i32 compares of the bit patterns, exact for finite v (a NaN |x| orders above +Inf and
 * counts as above hi; nonFinite then discards everything): integer-pipe instructions instead
 * of FP compares; max |x| is not tracked per step (a non-finite |x| lies above hi; the same
 * bBad). 1M floats, 4% in (lo, hi]: 0.25 against 0.30 ms (float compares and tracking).
 */
@inline function bracket16(n: i32, x: usize, dst: usize, lo: f32, hi: f32, useAbs: bool): i32 {
  let kept = 0, i = 0;
  const tl = useAbs ? i32x4.splat(reinterpret<i32>(lo)) : f32x4.splat(lo);
  // hi = +Inf compares as f32.MAX_VALUE (the same for finite v), so that +Inf |x| is above it
  const th = useAbs ? i32x4.splat(min(reinterpret<i32>(hi), 0x7f7fffff)) : f32x4.splat(hi);
  let a = f64x2.splat(0), b = f64x2.splat(0), c = i32x4.splat(0), bad = i32x4.splat(0);
  // |v| = v & mask, 0x7fffffff built from n ≥ 0 so that no compiler sees a constant to reload
  const mask = i32x4.splat(0x7fffffff + (n >> 31));
  for (; i + 16 <= n; i += 16) {
    const p = at(x, i);
    let v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
    const b0 = v128.and(v0, mask), b1 = v128.and(v1, mask), b2 = v128.and(v2, mask), b3 = v128.and(v3, mask);
    if (useAbs) { v0 = b0; v1 = b1; v2 = b2; v3 = b3; }
    else bad = i32x4.max_s(bad, i32x4.max_s(i32x4.max_s(b0, b1), i32x4.max_s(b2, b3)));
    const m0 = gt(v0, th, useAbs), m1 = gt(v1, th, useAbs), m2 = gt(v2, th, useAbs), m3 = gt(v3, th, useAbs);
    const h = f32x4.add(f32x4.add(v128.and(v0, m0), v128.and(v1, m1)), f32x4.add(v128.and(v2, m2), v128.and(v3, m3)));
    a = f64x2.add(a, f64x2.promote_low_f32x4(h));
    b = f64x2.add(b, f64x2.promote_low_f32x4(f32x4.shuffle(h, h, 2, 3, 2, 3)));
    c = i32x4.sub(c, i32x4.add(i32x4.add(m0, m1), i32x4.add(m2, m3)));
    let m = i32x4.bitmask(v128.andnot(gt(v0, tl, useAbs), m0));
    v128.store(at(dst, kept), pack(v0, m));
    kept += popcnt<i32>(m);
    m = i32x4.bitmask(v128.andnot(gt(v1, tl, useAbs), m1));
    v128.store(at(dst, kept), pack(v1, m));
    kept += popcnt<i32>(m);
    m = i32x4.bitmask(v128.andnot(gt(v2, tl, useAbs), m2));
    v128.store(at(dst, kept), pack(v2, m));
    kept += popcnt<i32>(m);
    m = i32x4.bitmask(v128.andnot(gt(v3, tl, useAbs), m3));
    v128.store(at(dst, kept), pack(v3, m));
    kept += popcnt<i32>(m);
  }
  bSum0 = f64x2.extract_lane(a, 0); bSum1 = f64x2.extract_lane(a, 1);
  bSum2 = f64x2.extract_lane(b, 0); bSum3 = f64x2.extract_lane(b, 1);
  bCount = (i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1)) + (i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3));
  bBad = max(max(i32x4.extract_lane(bad, 0), i32x4.extract_lane(bad, 1)), max(i32x4.extract_lane(bad, 2), i32x4.extract_lane(bad, 3)));
  if (useAbs) { // a non-finite |x| made the sum above hi NaN or +Inf: only then is x scanned
    bBad = 0;
    if (!((bSum0 + bSum1) + (bSum2 + bSum3) < Infinity)) for (let l = 0; l < i; l++) bBad = max(bBad, load<i32>(at(x, l)) & 0x7fffffff);
  }
  bKept = kept;
  return i;
}

/** v > t per lane: an i32 compare of the bit patterns for non-negative values (`bits`), else the f32 compare. */
@inline function gt(v: v128, t: v128, bits: bool): v128 {
  return bits ? i32x4.gt_s(v, t) : f32x4.gt(v, t);
}

/**
 * One pass over x for a bracket lo ≤ τ ≤ hi (f32 bounds, so the f32 comparisons are exact):
 * the values v > hi (v = |x| when `useAbs`) are only summed (hiSum) and counted (hiCount);
 * the values lo < v ≤ hi are copied to dst in order (returns their count; dst needs n
 * floats); nonFinite is set when some x_i is NaN or ±Inf. 16 values per step: the four
 * f32x4 of v·[v > hi] are added in f32 ((h0 + h1) + (h2 + h3), per lane), then that f32x4
 * in f64 to four lane sums joined as in compact() (the scalar loop does the same roundings
 * in the same order, so both builds give the same bits; the f32 adds of 4 values cost at
 * most ~2 ulps of the sum of those 4, far below the 1e-6 the sampled path is held to).
 * SIMD packs the candidate lanes of each f32x4 to the front with one byte shuffle (PACK),
 * stores all 16 bytes and moves the cursor by the popcount.
 */
export function compactBracket(n: i32, x: usize, dst: usize, lo: f32, hi: f32, useAbs: bool): i32 {
  let kept = 0, count = 0, mb: i32 = 0;
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // the loop twice, so that `useAbs` is a constant in each (V8 does not unswitch loops)
    i = useAbs ? bracket16(n, x, dst, lo, hi, true) : bracket16(n, x, dst, lo, hi, false);
    kept = bKept; count = bCount; mb = bBad;
    s0 = bSum0; s1 = bSum1; s2 = bSum2; s3 = bSum3;
  }
  for (; i + 16 <= n; i += 16) {
    // lane j of the SIMD step: (h[j] + h[4 + j]) + (h[8 + j] + h[12 + j]) in f32, then into s_j
    let h0: f32 = 0, h1: f32 = 0, h2: f32 = 0, h3: f32 = 0, g0: f32 = 0, g1: f32 = 0, g2: f32 = 0, g3: f32 = 0;
    for (let q = 0; q < 4; q++) {
      const o = at(x, i + 4 * q);
      let v0 = load<f32>(o), v1 = load<f32>(o, 4), v2 = load<f32>(o, 8), v3 = load<f32>(o, 12);
      mb = max(mb, max(max(reinterpret<i32>(v0) & 0x7fffffff, reinterpret<i32>(v1) & 0x7fffffff),
        max(reinterpret<i32>(v2) & 0x7fffffff, reinterpret<i32>(v3) & 0x7fffffff)));
      if (useAbs) { v0 = abs<f32>(v0); v1 = abs<f32>(v1); v2 = abs<f32>(v2); v3 = abs<f32>(v3); }
      const k0 = <i32>(v0 > hi), k1 = <i32>(v1 > hi), k2 = <i32>(v2 > hi), k3 = <i32>(v3 > hi);
      count += (k0 + k1) + (k2 + k3);
      // k ? v : +0 as a mask of the bits (a float select is a branch in V8: select.ts)
      const w0 = reinterpret<f32>(reinterpret<i32>(v0) & -k0), w1 = reinterpret<f32>(reinterpret<i32>(v1) & -k1);
      const w2 = reinterpret<f32>(reinterpret<i32>(v2) & -k2), w3 = reinterpret<f32>(reinterpret<i32>(v3) & -k3);
      if (q == 0) { h0 = w0; h1 = w1; h2 = w2; h3 = w3; } // h = w0 + w1, g = w2 + w3, then h + g
      else if (q == 1) { h0 += w0; h1 += w1; h2 += w2; h3 += w3; }
      else if (q == 2) { g0 = w0; g1 = w1; g2 = w2; g3 = w3; }
      else { h0 += g0 + w0; h1 += g1 + w1; h2 += g2 + w2; h3 += g3 + w3; }
      store<f32>(at(dst, kept), v0); kept += <i32>(v0 > lo) & (k0 ^ 1);
      store<f32>(at(dst, kept), v1); kept += <i32>(v1 > lo) & (k1 ^ 1);
      store<f32>(at(dst, kept), v2); kept += <i32>(v2 > lo) & (k2 ^ 1);
      store<f32>(at(dst, kept), v3); kept += <i32>(v3 > lo) & (k3 ^ 1);
    }
    s0 += <f64>h0; s1 += <f64>h1; s2 += <f64>h2; s3 += <f64>h3;
  }
  for (; i < n; i++) {
    let v = load<f32>(at(x, i));
    mb = max(mb, reinterpret<i32>(v) & 0x7fffffff);
    if (useAbs) v = abs<f32>(v);
    const h = <i32>(v > hi);
    s0 += <f64>v * <f64>h;
    count += h;
    store<f32>(at(dst, kept), v);
    kept += <i32>(v > lo) & (h ^ 1);
  }
  hiSum = (s0 + s1) + (s2 + s3);
  hiCount = count;
  nonFinite = mb >= 0x7f800000;
  return kept;
}
