// SGD-like optimizers, f32: plain SGD, SGD with momentum (PyTorch's form, with
// its transform twin, the momentum trace), heavy ball, Langevin dynamics.
//
//   f32_sgd             p <- p - lr*d                          (d = sign*g + wd*p)
//   f32_sgd_momentum    buf <- bs*buf + gs*d;  u = c1*d + c2*buf;  p <- p - lr*u
//   f32_tx_trace        the same on the update buffer: d = u;  u <- c1*d + c2*buf
//                       first step: bs = 0, gs = 1 (buf = d); later bs = momentum,
//                       gs = 1 - dampening. Nesterov: c1 = 1, c2 = momentum; plain:
//                       c1 = 0, c2 = 1 (torch.optim.SGD; optax.trace).
//   f32_sgd_heavy_ball  v <- beta*v - lr*d;  p <- p + v        (Polyak 1964)
//   f32_langevin        p <- p - lr*g + noise, with noise ~ N(0, 2*lr*T) drawn by
//                       the host into `noise` (f32_rng_normal) just before
//                       (the unadjusted Langevin algorithm, Roberts & Tweedie
//                       1996; with minibatch gradients SGLD, Welling & Teh 2011).
//
// Conventions (sign, wd, host-side factors, fused kernel vs transform twin),
// memory contract (n floats each, unaligned, no aliasing) and tails (4-lane
// SIMD body, scalar tail, same bits in both builds): optim_common.ts.

import { at } from "./memory";
import { emaAt, emaAt4, grad, grad4 } from "./optim_common";

/** SGD without momentum: p <- p - lr * (sign*g + wd*p) */
export function f32_sgd(n: i32, g: usize, p: usize, lr: f32, wd: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, grad4(vs, v128.load(at(g, i)), vwd, pv))));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    store<f32>(at(p, i), pv - lr * grad(sign, load<f32>(at(g, i)), wd, pv));
  }
}

/**
 * Momentum, fused (x = g, p updated) or as the transform twin (x = u, written
 * back; p, lr, wd, sign unused): buf <- bs*buf + gs*d; u = c1*d + c2*buf.
 */
@inline function momentum(fused: bool, n: i32, x: usize, p: usize, buf: usize, lr: f32, wd: f32, sign: f32, bs: f32, gs: f32, c1: f32, c2: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    const vbs = f32x4.splat(bs), vgs = f32x4.splat(gs), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
    for (; i + 4 <= n; i += 4) {
      const pv = fused ? v128.load(at(p, i)) : f32x4.splat(0);
      const d = fused ? grad4(vs, v128.load(at(x, i)), vwd, pv) : v128.load(at(x, i));
      const b = emaAt4(at(buf, i), vbs, vgs, d);
      const u = f32x4.add(f32x4.mul(vc1, d), f32x4.mul(vc2, b));
      if (fused) v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, u)));
      else v128.store(at(x, i), u);
    }
  }
  for (; i < n; i++) {
    const pv: f32 = fused ? load<f32>(at(p, i)) : 0;
    const d = fused ? grad(sign, load<f32>(at(x, i)), wd, pv) : load<f32>(at(x, i));
    const b = emaAt(at(buf, i), bs, gs, d);
    const u = c1 * d + c2 * b;
    if (fused) store<f32>(at(p, i), pv - lr * u);
    else store<f32>(at(x, i), u);
  }
}

/** SGD with momentum (PyTorch form): d = sign*g + wd*p; buf <- bs*buf + gs*d; p <- p - lr*(c1*d + c2*buf). */
export function f32_sgd_momentum(n: i32, g: usize, p: usize, buf: usize, lr: f32, wd: f32, sign: f32, bs: f32, gs: f32, c1: f32, c2: f32): void {
  momentum(true, n, g, p, buf, lr, wd, sign, bs, gs, c1, c2);
}

/** Trace (momentum) transform: buf <- bs*buf + gs*u; u <- c1*u + c2*buf. */
export function f32_tx_trace(n: i32, u: usize, buf: usize, bs: f32, gs: f32, c1: f32, c2: f32): void {
  momentum(false, n, u, 0, buf, 0, 0, 1, bs, gs, c1, c2);
}

/** Heavy ball (Polyak): d = sign*g + wd*p; v <- beta*v - lr*d; p <- p + v. */
export function f32_sgd_heavy_ball(n: i32, g: usize, p: usize, v: usize, lr: f32, wd: f32, sign: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vs = f32x4.splat(sign), vb = f32x4.splat(beta);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = grad4(vs, v128.load(at(g, i)), vwd, pv);
      const vv = f32x4.sub(f32x4.mul(vb, v128.load(at(v, i))), f32x4.mul(vlr, d));
      v128.store(at(v, i), vv);
      v128.store(at(p, i), f32x4.add(pv, vv));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = grad(sign, load<f32>(at(g, i)), wd, pv);
    const vv = beta * load<f32>(at(v, i)) - lr * d;
    store<f32>(at(v, i), vv);
    store<f32>(at(p, i), pv + vv);
  }
}

/** Langevin: p <- p - lr*g + noise (noise drawn by the host, see the header). */
export function f32_langevin(n: i32, g: usize, noise: usize, p: usize, lr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr);
    for (; i + 4 <= n; i += 4) {
      const q = f32x4.sub(v128.load(at(p, i)), f32x4.mul(vlr, v128.load(at(g, i))));
      v128.store(at(p, i), f32x4.add(q, v128.load(at(noise, i))));
    }
  }
  for (; i < n; i++) {
    const q = load<f32>(at(p, i)) - lr * load<f32>(at(g, i));
    store<f32>(at(p, i), q + load<f32>(at(noise, i)));
  }
}
