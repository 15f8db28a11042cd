// Guards on a buffer, f32: clipping by value and non-finite checks, used by
// clipping (src/optim/clip.ts), the transform chains and the divergence guards
// (global norms use vector.ts's f32_sumsq).
//
//   f32_clip             x <- min(max(x, lo), hi)   (NaN stays NaN, like torch.clamp)
//   f32_find_nonfinite   index of the first NaN or +-Inf, or -1: x*0 is 0 for finite x,
//                        NaN otherwise, and NaN != 0
//   f32_zero_nonfinite   NaN and +-Inf -> 0, returns how many
//
// Memory contract: x has n floats, no alignment needed, in place. Tails:
// f32_clip and f32_find_nonfinite have a SIMD body (4 and 16 lanes) and a
// scalar tail; the scalar build runs the tail over everything (same result).
// f32_zero_nonfinite is a scalar loop (it runs only after a guard fired).

import { at } from "./memory";
import { minMaxBits } from "./select";
import { f32_project_clamp } from "./project";

/**
 * x <- min(max(x, lo), hi) (NaN stays NaN, like torch.clamp). With bounds that are neither 0 nor
 * NaN (clipping by value: ±c) that is f32_project_clamp's pmin(pmax(x, lo), hi), whose ±0 rule
 * differs only against a zero bound: one instruction per bound where f32x4.min/max are
 * sequences in V8 (1M floats: 0.075 against 0.38 ms). Otherwise the wasm min and max.
 */
export function f32_clip(n: i32, x: usize, lo: f32, hi: f32): void {
  if (lo != 0 && hi != 0 && lo == lo && hi == hi) {
    f32_project_clamp(n, x, lo, hi);
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) v128.store(at(x, i), f32x4.min(f32x4.max(v128.load(at(x, i)), vlo), vhi));
  }
  // Mathf.min/max are compares and branches in V8 (mispredicted on random data): the same
  // result picked as i32 bits (select.ts)
  const lob = reinterpret<i32>(lo), hib = reinterpret<i32>(hi);
  for (; i < n; i++) store<i32>(at(x, i), minMaxBits(load<i32>(at(x, i)), lob, hib));
}

/** Index of the first NaN or ±Inf in x, or -1 when all are finite. */
export function f32_find_nonfinite(n: i32, x: usize): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; i + 16 <= n; i += 16) {
      // x*0 is 0 for finite x and NaN otherwise; NaN != 0
      const a = f32x4.mul(v128.load(at(x, i)), zero), b = f32x4.mul(v128.load(at(x, i + 4)), zero);
      const c = f32x4.mul(v128.load(at(x, i + 8)), zero), d = f32x4.mul(v128.load(at(x, i + 12)), zero);
      const any = v128.or(v128.or(f32x4.ne(a, zero), f32x4.ne(b, zero)), v128.or(f32x4.ne(c, zero), f32x4.ne(d, zero)));
      if (v128.any_true(any)) break;
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    if (v * 0 != 0) return i;
  }
  return -1;
}

/** Replaces every NaN or ±Inf in x by 0; returns how many were replaced. */
export function f32_zero_nonfinite(n: i32, x: usize): i32 {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(at(x, i));
    if (v * 0 != 0) {
      store<f32>(at(x, i), 0);
      c++;
    }
  }
  return c;
}
