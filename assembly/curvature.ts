// Curvature kernels, f32: the second-order pieces of Pearlmutter's R-operator
// (exact Hessian-vector products, src/nn/hvp.ts) that the first-order kernels
// do not already give.
//
// Activations: the R-pass of backward dx = dy * f'(x) is
//   R{dx} = R{dy} * f'(x) + dy * f''(x) * R{x}
// The first term is the activation's backward kernel applied to R{dy}; these
// kernels add the second:  dx[i] += dy[i] * rx[i] * f''(x[i])
//   tanh        f'' = -2 y (1 - y^2)                      (from y = tanh x)
//   sigmoid     f'' = y (1 - y) (1 - 2 y)                 (from y = sigmoid x)
//   gelu        f'' = phi(x) (2 - x^2), phi the N(0, 1) density
//   gelu_tanh   u = sqrt(2/pi)(x + 0.044715 x^3), t = tanh u, u' = du/dx, u'' = 6 sqrt(2/pi) 0.044715 x
//               f'' = (1 - t^2) (u' - x t u'^2 + x u'' / 2)
//   softplus    f'' = beta s (1 - s), s = sigmoid(beta x); 0 where beta x > threshold (PyTorch's
//               softplus_double_backward)
// relu and leaky relu have f'' = 0 (almost everywhere; torch's double backward says the same):
// no kernel.
//
// Losses: out = H * r, H the Hessian of the loss in the prediction (times the
// host's reduction `scale`, as the loss kernels in loss.ts):
//   mse           2 r                           (the host uses f32_mul_scalar)
//   huber(delta)  r * [|yhat - y| <= delta]
//   bce_logits    r * s (1 - s), s = sigmoid(z)
//   poisson_nll   r * e^z
//   softmax_xent  per row, p = softmax(z), T = sum_j t_j (1 for class ids):
//                 out = T (p * r - p (p . r))
//
// Memory contract: outputs may alias an input exactly, never partially. Scalar
// loops in f64 per element, like loss.ts: O(batch x width) next to the GEMMs
// of the same pass; the scalar build and the SIMD build run the same code.

import { ld, st } from "./memory";

@inline function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

// ---- activations: dx += dy * rx * f''(x) ----

export function f32_tanh_second_acc(n: i32, y: usize, rx: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(y, i);
    st(dx, i, <f32>(<f64>ld(dx, i) + <f64>ld(dy, i) * <f64>ld(rx, i) * (-2.0 * v * (1.0 - v * v))));
  }
}

export function f32_sigmoid_second_acc(n: i32, y: usize, rx: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(y, i);
    st(dx, i, <f32>(<f64>ld(dx, i) + <f64>ld(dy, i) * <f64>ld(rx, i) * (v * (1.0 - v) * (1.0 - 2.0 * v))));
  }
}

export function f32_gelu_second_acc(n: i32, x: usize, rx: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    const d2 = 0.3989422804014327 * Math.exp(-0.5 * v * v) * (2.0 - v * v);
    st(dx, i, <f32>(<f64>ld(dx, i) + <f64>ld(dy, i) * <f64>ld(rx, i) * d2));
  }
}

const K0: f64 = 0.7978845608028654; // sqrt(2/pi)
const K1: f64 = 0.044715;

export function f32_gelu_tanh_second_acc(n: i32, x: usize, rx: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    const t = Math.tanh(K0 * (v + K1 * v * v * v));
    const u1 = K0 * (1.0 + 3.0 * K1 * v * v);
    const u2 = 6.0 * K0 * K1 * v;
    const d2 = (1.0 - t * t) * (u1 - v * t * u1 * u1 + 0.5 * v * u2);
    st(dx, i, <f32>(<f64>ld(dx, i) + <f64>ld(dy, i) * <f64>ld(rx, i) * d2));
  }
}

export function f32_softplus_second_acc(n: i32, x: usize, rx: usize, dy: usize, dx: usize, beta: f32, threshold: f32): void {
  const b = <f64>beta;
  for (let i = 0; i < n; i++) {
    const bx = b * <f64>ld(x, i);
    if (bx > <f64>threshold) continue;
    const s = sigmoid64(bx);
    st(dx, i, <f32>(<f64>ld(dx, i) + <f64>ld(dy, i) * <f64>ld(rx, i) * (b * s * (1.0 - s))));
  }
}

// ---- losses: out = scale * H r ----

export function f32_huber_hvp(n: i32, yhat: usize, y: usize, r: usize, out: usize, scale: f32, delta: f32): void {
  for (let i = 0; i < n; i++) {
    const d = ld(yhat, i) - ld(y, i);
    st(out, i, Mathf.abs(d) <= delta ? scale * ld(r, i) : 0);
  }
}

export function f32_bce_logits_hvp(n: i32, z: usize, r: usize, out: usize, scale: f32): void {
  for (let i = 0; i < n; i++) {
    const s = sigmoid64(<f64>ld(z, i));
    st(out, i, <f32>(<f64>scale * s * (1.0 - s) * <f64>ld(r, i)));
  }
}

export function f32_poisson_nll_hvp(n: i32, z: usize, r: usize, out: usize, scale: f32): void {
  for (let i = 0; i < n; i++) {
    st(out, i, <f32>(<f64>scale * Math.exp(<f64>ld(z, i)) * <f64>ld(r, i)));
  }
}

/** One row: out = T (p * r - p (p . r)), p = softmax(z), in f64. */
@inline function softmaxHvpRow(c: i32, zr: usize, rr: usize, or: usize, t: f64): void {
  let mx = ld(zr, 0);
  for (let j = 1; j < c; j++) { const v = ld(zr, j); if (v > mx) mx = v; }
  const m = <f64>mx;
  let se: f64 = 0, pr: f64 = 0;
  for (let j = 0; j < c; j++) {
    const e = Math.exp(<f64>ld(zr, j) - m);
    se += e;
    pr += e * <f64>ld(rr, j);
  }
  pr /= se;
  for (let j = 0; j < c; j++) {
    const p = Math.exp(<f64>ld(zr, j) - m) / se;
    st(or, j, <f32>(t * p * (<f64>ld(rr, j) - pr)));
  }
}

/** Softmax cross-entropy with class ids (T = 1 per row, label smoothing included); m rows of c logits. */
export function f32_softmax_xent_hvp(m: i32, c: i32, logits: usize, r: usize, out: usize, scale: f32): void {
  for (let i = 0; i < m; i++) {
    const o = <usize>i * <usize>c << 2;
    softmaxHvpRow(c, logits + o, r + o, out + o, <f64>scale);
  }
}

/** Softmax cross-entropy with probability targets: T = sum_j ((1 - eps) t_j + eps/c) per row. */
export function f32_softmax_xent_probs_hvp(m: i32, c: i32, logits: usize, target: usize, r: usize, out: usize, scale: f32, smoothing: f32): void {
  const eps = <f64>smoothing;
  for (let i = 0; i < m; i++) {
    const o = <usize>i * <usize>c << 2;
    let tsum: f64 = 0;
    for (let j = 0; j < c; j++) tsum += (1.0 - eps) * <f64>ld(target + o, j) + eps / <f64>c;
    softmaxHvpRow(c, logits + o, r + o, out + o, <f64>scale * tsum);
  }
}
