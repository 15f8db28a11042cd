// Memory facts the host needs to plan its arena.

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
