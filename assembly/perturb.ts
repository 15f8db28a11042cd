// Kernels of input-space attacks (src/adversarial/), f32:
//
//   sign              y[i] = sign(x[i]): 1 for x > 0, -1 for x < 0, x itself otherwise
//                     (±0 stays ±0, NaN stays NaN: torch.sign's values)
//   rows_normalize    each row of an [m, n] row-major matrix: x_r <- x_r / ‖x_r‖₂
//                     (rows of norm 0 or a non-finite norm are left as they are)
//   project_l2_rows   each row onto the ball ‖z‖₂ ≤ r: x_r <- x_r · f32(r/‖x_r‖) when ‖x_r‖ > r
//                     (a non-finite norm writes nothing), f32_project_l2_ball per row
//
// Used by the signed step of FGSM/PGD (Goodfellow et al. 2015; Madry et al. 2018) and the
// per-example L2 step and projection. Memory contract: sizes in elements, no alignment
// needed; sign's y may alias x exactly; the row kernels work in place on a dense
// [m, n] block (leading dimension n). Norms are f32_sumsq's (f64 sums; the two builds
// may differ in their last bits there, vector.ts). sign: the SIMD body selects by the
// same comparisons as its scalar twin, so both builds give the same bits.

import { f32_sumsq } from "./norms";
import { f32_mul_scalar } from "./vector";
import { f32_project_l2_ball } from "./project";
import { pick } from "./select";

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** y <- sign(x) elementwise (±0 and NaN kept). */
export function f32_sign(n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1), mone = f32x4.splat(-1), zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(at(x, i));
      const s = v128.bitselect(one, v, f32x4.gt(v, zero));
      v128.store(at(y, i), v128.bitselect(mone, s, f32x4.lt(v, zero)));
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(at(x, i));
    // v > 0 ? 1 : v < 0 ? -1 : v, picked as i32 bits (select.ts)
    store<i32>(at(y, i), pick(v > 0, 1, pick(v < 0, -1, load<i32>(at(x, i)))));
  }
}

/** Each row of x [m, n]: x_r <- x_r · f32(1/‖x_r‖₂) when 0 < ‖x_r‖ < ∞. */
export function f32_rows_normalize(m: i32, n: i32, x: usize): void {
  for (let r = 0; r < m; r++) {
    const row = x + (<usize>r * <usize>n << 2);
    const norm = Math.sqrt(f32_sumsq(n, row));
    if (norm > 0 && norm < Infinity) f32_mul_scalar(n, row, row, <f32>(1 / norm));
  }
}

/** Each row of x [m, n] onto the ball ‖z‖₂ ≤ r (f32_project_l2_ball per row). */
export function f32_project_l2_rows(m: i32, n: i32, x: usize, r: f32): void {
  for (let k = 0; k < m; k++) f32_project_l2_ball(n, x + (<usize>k * <usize>n << 2), r);
}
