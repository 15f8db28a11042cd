// The AdaGrad family, f32: per-coordinate step sizes from a running sum or
// average of squared gradients. Each fused kernel comes with its transform
// twin, from one body (d = sign*g + wd*p fused; d = u in the twin).
//
//   adagrad    s <- s + d^2;  dir = d / (sqrt(s) + eps)            (Duchi et al. 2011)
//   rmsprop    sq <- a*sq + (1-a)*d^2;  centered: ga <- a*ga + (1-a)*d,
//              dir = d / (sqrt(sq - ga^2) + eps), else d / (sqrt(sq) + eps)
//              (Hinton 2012; centered: Graves 2013). Fused only: momentum
//              buf <- mom*buf + dir, dir = buf.
//   adadelta   sq <- r*sq + (1-r)*d^2;  dir = sqrt(acc + eps)/sqrt(sq + eps) * d;
//              acc <- r*acc + (1-r)*dir^2                          (Zeiler 2012)
//   fused: p <- p - lr*dir (adagrad: lr decayed by the host, clr);  twin: u <- dir.
//
// eps is outside the root (PyTorch; Optax's scale_by_rms puts it inside by default).
// Conventions (sign, wd, host-side factors and complements), memory contract
// (n floats each, unaligned, no aliasing; rmsprop's unused ga, buf are not
// touched) and tails (4-lane SIMD body, scalar tail, same bits in both
// builds): optim_common.ts.

import { at } from "./memory";
import { ema, ema4, emaAt, emaAt4, grad, grad4 } from "./optim_common";

/** AdaGrad direction, one vector: s <- s + d^2 at address s; returns d / (sqrt(s) + eps). */
@inline function adagradDir4(s: usize, d: v128, veps: v128): v128 {
  const ss = f32x4.add(v128.load(s), f32x4.mul(d, d));
  v128.store(s, ss);
  return f32x4.div(d, f32x4.add(f32x4.sqrt(ss), veps));
}

@inline function adagradDir(s: usize, d: f32, eps: f32): f32 {
  const ss = load<f32>(s) + d * d;
  store<f32>(s, ss);
  return d / (Mathf.sqrt(ss) + eps);
}

/** RMS direction, one vector: sq (and ga when centered) updated in place; returns d / (sqrt(...) + eps). */
@inline function rmsDir4(centered: bool, sq: usize, ga: usize, d: v128, va: v128, voma: v128, veps: v128): v128 {
  let q = emaAt4(sq, va, voma, f32x4.mul(d, d));
  if (centered) {
    const a = emaAt4(ga, va, voma, d);
    q = f32x4.sub(q, f32x4.mul(a, a));
  }
  return f32x4.div(d, f32x4.add(f32x4.sqrt(q), veps));
}

@inline function rmsDir(centered: bool, sq: usize, ga: usize, d: f32, alpha: f32, oma: f32, eps: f32): f32 {
  let q = emaAt(sq, alpha, oma, d * d);
  if (centered) {
    const a = emaAt(ga, alpha, oma, d);
    q = q - a * a;
  }
  return d / (Mathf.sqrt(q) + eps);
}

/** Adadelta direction, one vector: sq and acc updated in place; returns dx. */
@inline function adadeltaDir4(sq: usize, acc: usize, d: v128, vr: v128, vo: v128, veps: v128): v128 {
  const s = emaAt4(sq, vr, vo, f32x4.mul(d, d));
  const a = v128.load(acc);
  const dx = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, veps)), f32x4.sqrt(f32x4.add(s, veps))), d);
  v128.store(acc, ema4(vr, vo, a, f32x4.mul(dx, dx)));
  return dx;
}

@inline function adadeltaDir(sq: usize, acc: usize, d: f32, rho: f32, omr: f32, eps: f32): f32 {
  const s = emaAt(sq, rho, omr, d * d);
  const a = load<f32>(acc);
  const dx = (Mathf.sqrt(a + eps) / Mathf.sqrt(s + eps)) * d;
  store<f32>(acc, ema(rho, omr, a, dx * dx));
  return dx;
}

/** The rule codes of `body` (compile-time constants after inlining). */
const ADAGRAD = 0, RMSPROP = 1, ADADELTA = 2;

/**
 * One body for the three rules, fused (x = g, p updated) or as the transform
 * twin (x = u, written back). s1, s2, s3: the rule's state buffers (adagrad s;
 * rmsprop sq, ga, buf; adadelta sq, acc); h1, h2: its rates (rmsprop alpha, oma;
 * adadelta rho, omr). flags: bit 0 = centered, bit 1 = momentum (rmsprop).
 */
@inline function body(
  rule: i32, fused: bool, n: i32, x: usize, p: usize, s1: usize, s2: usize, s3: usize,
  lr: f32, h1: f32, h2: f32, eps: f32, wd: f32, sign: f32, mom: f32, flags: i32,
): void {
  const centered = (flags & 1) != 0, useMom = fused && (flags & 2) != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), v1 = f32x4.splat(h1), v2 = f32x4.splat(h2), veps = f32x4.splat(eps);
    const vwd = f32x4.splat(wd), vs = f32x4.splat(sign), vm = f32x4.splat(mom);
    for (; i + 4 <= n; i += 4) {
      const pv = fused ? v128.load(at(p, i)) : f32x4.splat(0);
      const d = fused ? grad4(vs, v128.load(at(x, i)), vwd, pv) : v128.load(at(x, i));
      let u: v128;
      if (rule == ADAGRAD) u = adagradDir4(at(s1, i), d, veps);
      else if (rule == RMSPROP) u = rmsDir4(centered, at(s1, i), at(s2, i), d, v1, v2, veps);
      else u = adadeltaDir4(at(s1, i), at(s2, i), d, v1, v2, veps);
      if (rule == RMSPROP && useMom) {
        u = f32x4.add(f32x4.mul(vm, v128.load(at(s3, i))), u);
        v128.store(at(s3, i), u);
      }
      if (fused) v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, u)));
      else v128.store(at(x, i), u);
    }
  }
  for (; i < n; i++) {
    const pv: f32 = fused ? load<f32>(at(p, i)) : 0;
    const d = fused ? grad(sign, load<f32>(at(x, i)), wd, pv) : load<f32>(at(x, i));
    let u: f32;
    if (rule == ADAGRAD) u = adagradDir(at(s1, i), d, eps);
    else if (rule == RMSPROP) u = rmsDir(centered, at(s1, i), at(s2, i), d, h1, h2, eps);
    else u = adadeltaDir(at(s1, i), at(s2, i), d, h1, h2, eps);
    if (rule == RMSPROP && useMom) {
      u = mom * load<f32>(at(s3, i)) + u;
      store<f32>(at(s3, i), u);
    }
    if (fused) store<f32>(at(p, i), pv - lr * u);
    else store<f32>(at(x, i), u);
  }
}

/** Adagrad: d = sign*g + wd*p; s <- s + d*d; p <- p - clr * d / (sqrt(s) + eps). */
export function f32_adagrad(n: i32, g: usize, p: usize, s: usize, clr: f32, eps: f32, wd: f32, sign: f32): void {
  body(ADAGRAD, true, n, g, p, s, 0, 0, clr, 0, 0, eps, wd, sign, 0, 0);
}

/** AdaGrad scaling: s <- s + u^2; u <- u / (sqrt(s) + eps). */
export function f32_tx_adagrad(n: i32, u: usize, s: usize, eps: f32): void {
  body(ADAGRAD, false, n, u, 0, s, 0, 0, 0, 0, 0, eps, 0, 1, 0, 0);
}

/**
 * RMSprop: d = sign*g + wd*p; the RMS direction (file header); momentum (flags & 2):
 * buf <- mom*buf + dir, p <- p - lr*buf; else p <- p - lr*dir. Unused pointers are not touched.
 */
export function f32_rmsprop(n: i32, g: usize, p: usize, sq: usize, ga: usize, buf: usize, lr: f32, alpha: f32, oma: f32, eps: f32, wd: f32, sign: f32, mom: f32, flags: i32): void {
  body(RMSPROP, true, n, g, p, sq, ga, buf, lr, alpha, oma, eps, wd, sign, mom, flags);
}

/** RMS scaling: s <- a*s + (1-a)*u^2; centered (flags & 1) as f32_rmsprop; u <- the RMS direction. */
export function f32_tx_rms(n: i32, u: usize, s: usize, ga: usize, alpha: f32, oma: f32, eps: f32, flags: i32): void {
  body(RMSPROP, false, n, u, 0, s, ga, 0, 0, alpha, oma, eps, 0, 1, 0, flags & 1);
}

/** Adadelta: d = sign*g + wd*p; the Adadelta direction dx (file header); p <- p - lr*dx. */
export function f32_adadelta(n: i32, g: usize, p: usize, sq: usize, acc: usize, lr: f32, rho: f32, omr: f32, eps: f32, wd: f32, sign: f32): void {
  body(ADADELTA, true, n, g, p, sq, acc, 0, lr, rho, omr, eps, wd, sign, 0, 0);
}

/** Adadelta scaling: u <- the Adadelta direction of u (file header). */
export function f32_tx_adadelta(n: i32, u: usize, s: usize, acc: usize, rho: f32, omr: f32, eps: f32): void {
  body(ADADELTA, false, n, u, 0, s, acc, 0, 0, rho, omr, eps, 0, 1, 0, 0);
}
