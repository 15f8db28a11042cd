// L-BFGS over f32 flat buffers (torch.optim.LBFGS's memory and direction;
// Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4 and eq. 7.20).
//
//   f32_lbfgs_update    the curvature pair of the last move: y = g - g_prev,
//                       s = t*d, ys = yᵀs; when ys > 1e-10 the pair joins the
//                       history (the oldest leaves when it is full), rho = 1/ys,
//                       and the return is the new H_diag = ys / yᵀy; else -1
//   f32_lbfgs_two_loop  q <- H·q: the two-loop recursion over the history
//   f32_asum            sum_i |x[i]| (the first step's t = min(1, 1/|g|₁)·lr)
//
// The history: `count` pairs (s_i, y_i) of n floats, oldest first, addressed
// through two tables of m + 1 u32 byte offsets (sTab, yTab): entries 0 …
// count-1 are the live pairs, entry m is the spare that the next candidate is
// written into. Accepting a pair when count < m swaps the spare with entry
// count; when count == m the tables shift down by one (entry m moves to m-1,
// the newest) and the oldest slot becomes the spare. Only offsets move, never
// the vectors. rho (m f32) shifts with them; alpha is m f32 of scratch.
//
// Scalars are f32, as torch computes them on 0-d float tensors:
// rho_i = 1/ys_i, alpha_i = (s_iᵀq)·rho_i, beta = (y_iᵀr)·rho_i, H_diag = ys/yᵀy.
// The dot products are vector.ts's f32_dot (f32 lanes flushed to f64 per
// block), rounded to f32. Vectors: any alignment; q must not alias the history.
import { f32_axpy, f32_dot, f32_mul_scalar, f32_sub } from "./vector";

@inline function ptrAt(tab: usize, i: i32): usize {
  return <usize>load<u32>(tab + (<usize>i << 2));
}

/**
 * The candidate pair y = g - gPrev, s = t*d into the spare slots (entry m of
 * the tables); accepted when yᵀs > 1e-10 (torch's test). Returns ys/yᵀy (the
 * new H_diag) when accepted, -1 when not (the history is unchanged).
 */
export function f32_lbfgs_update(n: i32, m: i32, count: i32, g: usize, gPrev: usize, d: usize, sTab: usize, yTab: usize, rho: usize, t: f32): f32 {
  const s = ptrAt(sTab, m), y = ptrAt(yTab, m);
  f32_sub(n, g, gPrev, y);
  f32_mul_scalar(n, d, s, t);
  const ys = <f32>f32_dot(n, y, s);
  if (!(<f64>ys > 1e-10)) return -1;
  const yy = <f32>f32_dot(n, y, y);
  const r: f32 = <f32>1 / ys;
  if (count < m) {
    // swap the spare with the unused entry `count`
    store<u32>(sTab + (<usize>m << 2), load<u32>(sTab + (<usize>count << 2)));
    store<u32>(yTab + (<usize>m << 2), load<u32>(yTab + (<usize>count << 2)));
    store<u32>(sTab + (<usize>count << 2), <u32>s);
    store<u32>(yTab + (<usize>count << 2), <u32>y);
    store<f32>(rho + (<usize>count << 2), r);
  } else {
    const oldS = ptrAt(sTab, 0), oldY = ptrAt(yTab, 0);
    memory.copy(sTab, sTab + 4, <usize>m << 2);
    memory.copy(yTab, yTab + 4, <usize>m << 2);
    memory.copy(rho, rho + 4, <usize>(m - 1) << 2);
    store<f32>(rho + (<usize>(m - 1) << 2), r);
    store<u32>(sTab + (<usize>m << 2), <u32>oldS);
    store<u32>(yTab + (<usize>m << 2), <u32>oldY);
  }
  return ys / yy;
}

/**
 * q <- H·q, H the L-BFGS inverse-Hessian approximation of the `count` pairs
 * (oldest first) with H₀ = gamma·I:
 *   for i = count-1 … 0: alpha_i = rho_i·s_iᵀq;  q <- q - alpha_i·y_i
 *   q <- gamma·q
 *   for i = 0 … count-1: beta = rho_i·y_iᵀq;     q <- q + (alpha_i - beta)·s_i
 */
export function f32_lbfgs_two_loop(n: i32, count: i32, sTab: usize, yTab: usize, rho: usize, q: usize, alpha: usize, gamma: f32): void {
  for (let i = count - 1; i >= 0; i--) {
    const a: f32 = <f32>f32_dot(n, ptrAt(sTab, i), q) * load<f32>(rho + (<usize>i << 2));
    store<f32>(alpha + (<usize>i << 2), a);
    f32_axpy(n, ptrAt(yTab, i), q, -a);
  }
  f32_mul_scalar(n, q, q, gamma);
  for (let i = 0; i < count; i++) {
    const b: f32 = <f32>f32_dot(n, ptrAt(yTab, i), q) * load<f32>(rho + (<usize>i << 2));
    f32_axpy(n, ptrAt(sTab, i), q, load<f32>(alpha + (<usize>i << 2)) - b);
  }
}

/**
 * sum_i |x[i]|. SIMD: |x| in f32 lanes over blocks of 1024 elements, each
 * block's lanes joined (l0 + l1) + (l2 + l3) into an f64 total (as f32_sum);
 * the scalar twin adds into 4 f64 sums joined in a fixed order.
 */
export function f32_asum(n: i32, x: usize): f64 {
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const n4 = n & ~3;
    while (i < n4) {
      const end = min(i + 1024, n4);
      let a = f32x4.splat(0);
      for (; i < end; i += 4) a = f32x4.add(a, f32x4.abs(v128.load(x + (<usize>i << 2))));
      total += (<f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1)) + (<f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3));
    }
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      s0 += <f64>abs(load<f32>(x + o));
      s1 += <f64>abs(load<f32>(x + o, 4));
      s2 += <f64>abs(load<f32>(x + o, 8));
      s3 += <f64>abs(load<f32>(x + o, 12));
    }
    total = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) total += <f64>abs(load<f32>(x + (<usize>i << 2)));
  return total;
}
