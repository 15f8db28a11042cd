// Activations, forward and backward, f32, elementwise over n elements.
//
//   relu        y = max(x, 0)                      dx = dy * [x > 0]
//   leaky_relu  y = x > 0 ? x : slope * x          dx = dy * (x > 0 ? 1 : slope)
//   tanh        y = tanh(x)                        dx = dy * (1 - y^2)        (from y)
//   sigmoid     y = 1 / (1 + e^-x)                 dx = dy * y * (1 - y)      (from y)
//   gelu        y = x * Phi(x) = x/2 (1 + erf(x/sqrt2))        (PyTorch's default, exact)
//               dx = dy * (Phi(x) + x * phi(x)),  phi(x) = e^(-x^2/2) / sqrt(2 pi)
//   gelu_tanh   y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)  (approximate='tanh')
//   softplus    y = log(1 + e^(beta x)) / beta, or x when beta x > threshold (PyTorch)
//               dx = dy * sigmoid(beta x), or dy when beta x > threshold
//   dropout     mask = u >= p ? 1/(1-p) : 0 with u ~ U[0,1) from the core RNG; y = x * mask
//               (inverted dropout; backward is dx = dy * mask, i.e. f32_mul);
//               f32_dropout_mask draws the same mask alone (then y = x * mask is f32_mul)
//
// Memory contract: outputs may alias inputs exactly (y == x, dx == dy), never
// partially; no alignment needed. Backward kernels read the input x or the
// output y as named in their signature. Transcendental functions are computed
// in f64 per element (correctness first: results are the f32 rounding of an
// f64 evaluation); the purely arithmetic kernels have an f32x4 body with a
// scalar tail, and the scalar build runs the tail loop only.

import { ld, st } from "./memory";
import { stPick } from "./select";
import { f32_rng_uniform } from "./rng";

// ---- erf in f64 (relative error < 1e-13, checked against an independent reference in tests) ----

/** erfc(a) for a >= 2.5 by the Laplace continued fraction
 *  erfc(a) = e^(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), 40 levels. */
function erfcLarge(a: f64): f64 {
  let f = a;
  for (let k = 40; k >= 1; k--) f = a + (<f64>k * 0.5) / f;
  return Math.exp(-a * a) / (1.7724538509055159 * f);
}

/** erf(z) for 0 <= z < 2.5 by the all-positive series (Abramowitz & Stegun 7.1.6)
 *  erf(z) = 2/sqrt(pi) e^(-z^2) sum_n 2^n z^(2n+1) / (1*3*...*(2n+1)). */
function erfSmall(z: f64): f64 {
  const z2 = z * z;
  let term = z, sum = z;
  for (let n = 1; n < 100; n++) {
    term *= (2.0 * z2) / <f64>(2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return 1.1283791670955126 * Math.exp(-z2) * sum;
}

/** erf(z), f64. */
export function f64_erf(z: f64): f64 {
  const a = Math.abs(z);
  const r = a < 2.5 ? erfSmall(a) : 1.0 - erfcLarge(a);
  return z < 0 ? -r : r;
}

/** Phi(x) = (1 + erf(x/sqrt2))/2, accurate in the far left tail too. */
@inline function normCdf(x: f64): f64 {
  const z = x * 0.7071067811865476;
  return z < -2.5 ? 0.5 * erfcLarge(-z) : 0.5 * (1.0 + f64_erf(z));
}

// ---- relu, leaky relu (f32x4 bodies) ----

export function f32_relu(n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, f32x4.max(v128.load(x + o), z));
    }
  }
  for (; i < n; i++) { const v = ld(x, i); stPick(y, i, v > 0, v, 0); }
}

export function f32_relu_backward(n: i32, x: usize, dy: usize, dx: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), z)));
    }
  }
  for (; i < n; i++) stPick(dx, i, ld(x, i) > 0, ld(dy, i), 0);
}

export function f32_leaky_relu(n: i32, x: usize, y: usize, slope: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0), s = f32x4.splat(slope);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(x + o);
      v128.store(y + o, v128.bitselect(v, f32x4.mul(v, s), f32x4.gt(v, z)));
    }
  }
  for (; i < n; i++) { const b = load<i32>(x + (<usize>i << 2)), v = reinterpret<f32>(b); stPick(y, i, !(v > 0), v * slope, b); }
}

export function f32_leaky_relu_backward(n: i32, x: usize, dy: usize, dx: usize, slope: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0), s = f32x4.splat(slope);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const g = v128.load(dy + o);
      v128.store(dx + o, v128.bitselect(g, f32x4.mul(g, s), f32x4.gt(v128.load(x + o), z)));
    }
  }
  for (; i < n; i++) { const b = load<i32>(dy + (<usize>i << 2)); stPick(dx, i, !(ld(x, i) > 0), reinterpret<f32>(b) * slope, b); }
}

// ---- tanh, sigmoid ----

export function f32_tanh(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) st(y, i, <f32>Math.tanh(<f64>ld(x, i)));
}

/** dx = dy * (1 - y^2), y = tanh(x) */
export function f32_tanh_backward(n: i32, y: usize, dy: usize, dx: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(y + o);
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.sub(one, f32x4.mul(v, v))));
    }
  }
  for (; i < n; i++) { const v = ld(y, i); st(dx, i, ld(dy, i) * (1 - v * v)); }
}

@inline function sigmoid64(x: f64): f64 {
  if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1.0 + e);
}

export function f32_sigmoid(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) st(y, i, <f32>sigmoid64(<f64>ld(x, i)));
}

/** dx = dy * y * (1 - y), y = sigmoid(x) */
export function f32_sigmoid_backward(n: i32, y: usize, dy: usize, dx: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(y + o);
      v128.store(dx + o, f32x4.mul(v128.load(dy + o), f32x4.mul(v, f32x4.sub(one, v))));
    }
  }
  for (; i < n; i++) { const v = ld(y, i); st(dx, i, ld(dy, i) * v * (1 - v)); }
}

// ---- gelu (exact and tanh form) ----

export function f32_gelu(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    st(y, i, <f32>(v * normCdf(v)));
  }
}

export function f32_gelu_backward(n: i32, x: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    const d = normCdf(v) + v * 0.3989422804014327 * Math.exp(-0.5 * v * v);
    st(dx, i, <f32>(<f64>ld(dy, i) * d));
  }
}

const K0: f64 = 0.7978845608028654; // sqrt(2/pi)
const K1: f64 = 0.044715;

export function f32_gelu_tanh(n: i32, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    st(y, i, <f32>(0.5 * v * (1.0 + Math.tanh(K0 * (v + K1 * v * v * v)))));
  }
}

export function f32_gelu_tanh_backward(n: i32, x: usize, dy: usize, dx: usize): void {
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    const t = Math.tanh(K0 * (v + K1 * v * v * v));
    const d = 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * K0 * (1.0 + 3.0 * K1 * v * v);
    st(dx, i, <f32>(<f64>ld(dy, i) * d));
  }
}

// ---- softplus (PyTorch: beta, threshold) ----

export function f32_softplus(n: i32, x: usize, y: usize, beta: f32, threshold: f32): void {
  const b = <f64>beta;
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(x, i);
    const bx = b * v;
    st(y, i, bx > <f64>threshold ? <f32>v : <f32>(Math.log1p(Math.exp(bx)) / b));
  }
}

export function f32_softplus_backward(n: i32, x: usize, dy: usize, dx: usize, beta: f32, threshold: f32): void {
  const b = <f64>beta;
  for (let i = 0; i < n; i++) {
    const bx = b * <f64>ld(x, i);
    const g = ld(dy, i);
    st(dx, i, bx > <f64>threshold ? g : <f32>(<f64>g * sigmoid64(bx)));
  }
}

// ---- dropout ----

/** mask[i] = (u_i >= p) / (1 - p) with u_i ~ U[0,1) drawn from the RNG at `state`
 *  (n draws, in order); y = x * mask. p in [0, 1); p == 0 keeps everything. */
export function f32_dropout(n: i32, state: usize, x: usize, mask: usize, y: usize, p: f32): void {
  f32_rng_uniform(n, state, mask, 0, 1);
  const keep: f32 = <f32>1 / (<f32>1 - p);
  for (let i = 0; i < n; i++) {
    stPick(mask, i, ld(mask, i) >= p, keep, 0); // read back as f32 below (see select.ts)
    st(y, i, ld(x, i) * ld(mask, i));
  }
}

/** The mask of f32_dropout alone (the same n draws, the same values), for a batch whose
 *  shards apply it later with f32_mul (nn/data-parallel.ts): mask[i] = (u_i >= p) / (1 - p). */
export function f32_dropout_mask(n: i32, state: usize, mask: usize, p: f32): void {
  f32_rng_uniform(n, state, mask, 0, 1);
  const keep: f32 = <f32>1 / (<f32>1 - p);
  for (let i = 0; i < n; i++) stPick(mask, i, ld(mask, i) >= p, keep, 0);
}
