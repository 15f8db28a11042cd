// Bench-only (not part of the core ABI): the f32x4 multiply-add throughput of
// this machine, so GEMM can be quoted as a fraction of it. Compiled by
// bench/gemm.bench.mjs into build/peak.simd.wasm (mul + add) and
// build/peak.relaxed-simd.wasm (f32x4.relaxed_madd, fused). Two loops:
//
// - f32_peak_madd: 12 independent register-resident chains c = c * a + b (no
//   loop-invariant product to hoist; with 0 < a < 1 the values converge, so no
//   overflow or subnormals). 12 x 4 lanes x 2 = 96 flops per iteration;
//   12 accumulators + a + b fit the 15 vector registers V8 gives wasm.
// - f32_peak_kernel: the GEMM 4x8 micro-kernel body (8 accumulators, two v128
//   loads of B, four load32_splat of A) on 48 bytes that stay in L1: the
//   ceiling of the GEMM inner loop with its loads. 64 flops per iteration.
// - f32_peak_scalar: 12 independent scalar f32 chains c = c * a + b (mul then
//   add, as the scalar build's GEMM kernel does): the scalar build's ceiling.
//   24 flops per iteration. Plain scalar code: the same in every build.

/** x * a + b, fused in the relaxed build. */
@inline function madd(x: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, a, b);
  return f32x4.add(f32x4.mul(x, a), b);
}

/** Runs `iters` iterations (96 flops each); returns a checksum so nothing is dead code. */
export function f32_peak_madd(iters: i32, x: f32): f32 {
  if (ASC_FEATURE_SIMD) {
    const a = f32x4.splat(x);
    const b = f32x4.splat(1 - x);
    let c0 = f32x4.splat(0.1), c1 = f32x4.splat(0.2), c2 = f32x4.splat(0.3), c3 = f32x4.splat(0.4);
    let c4 = f32x4.splat(0.5), c5 = f32x4.splat(0.6), c6 = f32x4.splat(0.7), c7 = f32x4.splat(0.8);
    let c8 = f32x4.splat(0.9), c9 = f32x4.splat(1.0), c10 = f32x4.splat(1.1), c11 = f32x4.splat(1.2);
    for (let i = 0; i < iters; i++) {
      c0 = madd(c0, a, b); c1 = madd(c1, a, b); c2 = madd(c2, a, b); c3 = madd(c3, a, b);
      c4 = madd(c4, a, b); c5 = madd(c5, a, b); c6 = madd(c6, a, b); c7 = madd(c7, a, b);
      c8 = madd(c8, a, b); c9 = madd(c9, a, b); c10 = madd(c10, a, b); c11 = madd(c11, a, b);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
    const t = f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)));
    return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 3);
  }
  return 0;
}

/** Runs `iters` iterations (64 flops each) of the micro-kernel body on L1-resident data. */
export function f32_peak_kernel(iters: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const p = memory.data(48, 16);
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    for (let i = 0; i < iters; i++) {
      const b0 = v128.load(p);
      const b1 = v128.load(p, 16);
      let a = v128.load32_splat(p, 32);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(p, 36);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(p, 40);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(p, 44);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    }
    const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)), f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
    return f32x4.extract_lane(s, 0);
  }
  return 0;
}

/** Runs `iters` iterations (24 scalar flops each) of 12 independent f32 chains c = c * x + (1 - x). */
export function f32_peak_scalar(iters: i32, x: f32): f32 {
  const b: f32 = 1 - x;
  let c0: f32 = 0.1, c1: f32 = 0.2, c2: f32 = 0.3, c3: f32 = 0.4, c4: f32 = 0.5, c5: f32 = 0.6;
  let c6: f32 = 0.7, c7: f32 = 0.8, c8: f32 = 0.9, c9: f32 = 1.0, c10: f32 = 1.1, c11: f32 = 1.2;
  for (let i = 0; i < iters; i++) {
    c0 = c0 * x + b; c1 = c1 * x + b; c2 = c2 * x + b; c3 = c3 * x + b;
    c4 = c4 * x + b; c5 = c5 * x + b; c6 = c6 * x + b; c7 = c7 * x + b;
    c8 = c8 * x + b; c9 = c9 * x + b; c10 = c10 * x + b; c11 = c11 * x + b;
  }
  return ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
}
