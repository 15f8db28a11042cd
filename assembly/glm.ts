// Generalized linear models with L2 on a row-major design matrix X (m x d):
//
//   z = X w,   f(w) = scale * sum_i [A(z_i) - y_i z_i] + (l2 / 2) ||w||^2
//   grad f  = sum_i scale (mu_i - y_i) x_i + l2 w,        mu = A'(z)
//   H p     = sum_i scale A''(z_i) (x_i . p) x_i + l2 p
//
// kind 0: logistic, A(z) = log(1 + e^z) = max(z, 0) + log1p(e^-|z|), mu = sigma(z),
//         A'' = mu (1 - mu);  kind 1: Poisson (log link), A = mu = A'' = e^z.
// (McCullagh & Nelder, Generalized Linear Models, ch. 2; scale is 1/m for the mean.)
//
// X is read in blocks of `block` rows: z = X_b w (f64_gemv_n), the link over the
// block's rows in one scalar pass (exp/log1p have no SIMD form in wasm), then
// g += X_bᵀ t (f64_gemv_t) while the block is still in cache, so X streams from
// memory once per evaluation. Scratch `z` holds `block` doubles (hessp: 2 * block).
// The results do not depend on `block`: the loss sums over i in order, g and H
// accumulate over i in order (gemv_t's contract), and the dots are f64_dot's.
// The host (src/solve/glm.ts) checks sizes and plans the memory; a plain-TS
// twin of every formula and order is there too.

import { f64_dot } from "./linalg_blas";
import { f64_gemv_n, f64_gemv_t } from "./linalg_gemv";
import { pick64 } from "./select";

@inline function ldf(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline function stf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** g <- l2 * w (d entries), the start of every gradient and Hessian-vector product. */
function startGrad(d: i32, w: usize, g: usize, l2: f64): void {
  for (let j = 0; j < d; j++) stf(g, j, l2 * ldf(w, j));
}

/**
 * f(w), and when `grad` != 0 also grad f into g (d entries). y: m targets;
 * z: scratch of `block` doubles (block >= 1). Returns the value.
 */
export function f64_glm_fg(kind: i32, m: i32, d: i32, block: i32, x: usize, y: usize, w: usize, g: usize, z: usize, scale: f64, l2: f64, grad: i32): f64 {
  let s: f64 = 0;
  if (grad != 0) startGrad(d, w, g, l2);
  for (let i0 = 0; i0 < m; i0 += block) {
    const rows = min(block, m - i0);
    const xb = x + ((<usize>i0 * <usize>d) << 3), yb = y + (<usize>i0 << 3);
    f64_gemv_n(rows, d, xb, d, w, z, 1, 0);
    if (kind == 0) {
      for (let k = 0; k < rows; k++) {
        const zi = ldf(z, k), yi = ldf(yb, k);
        const e = Math.exp(-Math.abs(zi));
        // picks, not selects: the sign of z is data (select.ts)
        s += (pick64(zi > 0, zi, 0) + Math.log1p(e)) - yi * zi;
        if (grad != 0) stf(z, k, scale * (pick64(zi >= 0, 1, e) / (1 + e) - yi));
      }
    } else {
      for (let k = 0; k < rows; k++) {
        const zi = ldf(z, k), yi = ldf(yb, k);
        const e = Math.exp(zi);
        s += e - yi * zi;
        if (grad != 0) stf(z, k, scale * (e - yi));
      }
    }
    if (grad != 0) f64_gemv_t(rows, d, xb, d, z, g, 1, 1);
  }
  return scale * s + 0.5 * l2 * f64_dot(d, w, w);
}

/** A''(z_i) * scale for the block's rows, in place over z. */
function curvature(kind: i32, rows: i32, z: usize, scale: f64): void {
  for (let k = 0; k < rows; k++) {
    const zi = ldf(z, k);
    let c: f64;
    if (kind == 0) {
      const e = Math.exp(-Math.abs(zi));
      const mu = pick64(zi >= 0, 1, e) / (1 + e);
      c = mu * (1 - mu);
    } else {
      c = Math.exp(zi);
    }
    stf(z, k, scale * c);
  }
}

/** out <- H(w) p (d entries); z: scratch of 2 * block doubles. out must not overlap w or p. */
export function f64_glm_hessp(kind: i32, m: i32, d: i32, block: i32, x: usize, w: usize, p: usize, out: usize, z: usize, scale: f64, l2: f64): void {
  const u = z + (<usize>block << 3);
  startGrad(d, p, out, l2);
  for (let i0 = 0; i0 < m; i0 += block) {
    const rows = min(block, m - i0);
    const xb = x + ((<usize>i0 * <usize>d) << 3);
    f64_gemv_n(rows, d, xb, d, w, z, 1, 0);
    f64_gemv_n(rows, d, xb, d, p, u, 1, 0);
    curvature(kind, rows, z, scale);
    for (let k = 0; k < rows; k++) stf(u, k, ldf(z, k) * ldf(u, k));
    f64_gemv_t(rows, d, xb, d, u, out, 1, 1);
  }
}
