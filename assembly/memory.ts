// Memory: the facts the host needs to plan its arena (exported), and the
// element-address helpers every kernel file uses (@inline, not exported by
// index.ts: they never cross the boundary).
//
// Pointers are usize byte offsets; element i of an f32 (or i32) array at p is
// at p + 4i. No alignment is needed anywhere: v128.load/store are
// unaligned-safe in wasm (the alignment immediate is only a hint).

/** First byte after the core's static data; the host arena starts above it. */
export function mem_heap_base(): usize {
  return __heap_base;
}

/** 1 when this build was compiled with 128-bit SIMD, 0 for the scalar twin. */
export function build_simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** 1 when this build was compiled with relaxed SIMD (f32x4.relaxed_madd), else 0. */
export function build_relaxed_simd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Byte address of element i of a 4-byte array at p: p + 4i. */
@inline export function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** p[i], f32. */
@inline export function ld(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** p[i] <- v, f32. */
@inline export function st(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

/** Fixed-order lane reduction of an f32x4 into f64: (l0 + l1) + (l2 + l3) (vector.ts, norms.ts). */
@inline export function hsum(v: v128): f64 {
  return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) +
    (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}
