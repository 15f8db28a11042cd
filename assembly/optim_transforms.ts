// Gradient transforms, f32: the pieces of Optax-style chains, each one pass
// that rewrites the update buffer u in place and updates its own state
// (src/optim/transforms.ts), plus clipping and non-finite checks (global norms
// use vector.ts's f32_sumsq).
//
// Formulas follow PyTorch's conventions (eps outside the square root, bias
// corrections and the complements 1 - beta computed on the host in f64 and
// passed as f32).
// Memory contract: every buffer has n floats, no alignment needed, no buffer
// aliases another. SIMD body over 4 lanes, scalar tail; the scalar build runs
// the tail loop over everything; both do the same f32 operations in order.

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** x <- min(max(x, lo), hi) (NaN stays NaN, like torch.clamp). */
export function f32_clip(n: i32, x: usize, lo: f32, hi: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    for (; i + 4 <= n; i += 4) v128.store(at(x, i), f32x4.min(f32x4.max(v128.load(at(x, i)), vlo), vhi));
  }
  for (; i < n; i++) store<f32>(at(x, i), Mathf.min(Mathf.max(load<f32>(at(x, i)), lo), hi));
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

/** Adam moments: m <- b1*m + (1-b1)*u; v <- b2*v + (1-b2)*u^2; u <- (m*c1) / (sqrt(v)*ibc2 + eps), c1 = 1/bc1. */
export function f32_tx_adam(n: i32, u: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, c1: f32, ibc2: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), vc1 = f32x4.splat(c1), vib = f32x4.splat(ibc2);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
      v128.store(at(m, i), mm);
      v128.store(at(v, i), vv);
      v128.store(at(u, i), f32x4.div(f32x4.mul(mm, vc1), f32x4.add(f32x4.mul(f32x4.sqrt(vv), vib), veps)));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    store<f32>(at(u, i), (mm * c1) / (Mathf.sqrt(vv) * ibc2 + eps));
  }
}

/** As f32_tx_adam with AMSGrad: vmax <- max(vmax, v) in the denominator. */
export function f32_tx_adam_amsgrad(n: i32, u: usize, m: usize, v: usize, vmax: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, c1: f32, ibc2: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), vc1 = f32x4.splat(c1), vib = f32x4.splat(ibc2);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
      const vm = f32x4.max(v128.load(at(vmax, i)), vv);
      v128.store(at(m, i), mm);
      v128.store(at(v, i), vv);
      v128.store(at(vmax, i), vm);
      v128.store(at(u, i), f32x4.div(f32x4.mul(mm, vc1), f32x4.add(f32x4.mul(f32x4.sqrt(vm), vib), veps)));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    const vm = Mathf.max(load<f32>(at(vmax, i)), vv);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    store<f32>(at(vmax, i), vm);
    store<f32>(at(u, i), (mm * c1) / (Mathf.sqrt(vm) * ibc2 + eps));
  }
}

/**
 * RMS scaling (PyTorch convention, eps outside the root): s <- a*s + (1-a)*u^2;
 * centered (flags & 1): ga <- a*ga + (1-a)*u, u <- u / (sqrt(s - ga^2) + eps); else u <- u / (sqrt(s) + eps).
 */
export function f32_tx_rms(n: i32, u: usize, s: usize, ga: usize, alpha: f32, oma: f32, eps: f32, flags: i32): void {
  const centered = (flags & 1) != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(alpha), vo = f32x4.splat(oma), veps = f32x4.splat(eps);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const ss = f32x4.add(f32x4.mul(va, v128.load(at(s, i))), f32x4.mul(vo, f32x4.mul(d, d)));
      v128.store(at(s, i), ss);
      let q = ss;
      if (centered) {
        const a = f32x4.add(f32x4.mul(va, v128.load(at(ga, i))), f32x4.mul(vo, d));
        v128.store(at(ga, i), a);
        q = f32x4.sub(ss, f32x4.mul(a, a));
      }
      v128.store(at(u, i), f32x4.div(d, f32x4.add(f32x4.sqrt(q), veps)));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const ss = alpha * load<f32>(at(s, i)) + oma * (d * d);
    store<f32>(at(s, i), ss);
    let q = ss;
    if (centered) {
      const a = alpha * load<f32>(at(ga, i)) + oma * d;
      store<f32>(at(ga, i), a);
      q = ss - a * a;
    }
    store<f32>(at(u, i), d / (Mathf.sqrt(q) + eps));
  }
}

/** AdaGrad scaling: s <- s + u^2; u <- u / (sqrt(s) + eps). */
export function f32_tx_adagrad(n: i32, u: usize, s: usize, eps: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const veps = f32x4.splat(eps);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const ss = f32x4.add(v128.load(at(s, i)), f32x4.mul(d, d));
      v128.store(at(s, i), ss);
      v128.store(at(u, i), f32x4.div(d, f32x4.add(f32x4.sqrt(ss), veps)));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const ss = load<f32>(at(s, i)) + d * d;
    store<f32>(at(s, i), ss);
    store<f32>(at(u, i), d / (Mathf.sqrt(ss) + eps));
  }
}

/** Trace (momentum): buf <- bs*buf + gs*u; u <- c1*u + c2*buf (see f32_sgd_momentum for the coefficients). */
export function f32_tx_trace(n: i32, u: usize, buf: usize, bs: f32, gs: f32, c1: f32, c2: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vbs = f32x4.splat(bs), vgs = f32x4.splat(gs), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const b = f32x4.add(f32x4.mul(vbs, v128.load(at(buf, i))), f32x4.mul(vgs, d));
      v128.store(at(buf, i), b);
      v128.store(at(u, i), f32x4.add(f32x4.mul(vc1, d), f32x4.mul(vc2, b)));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const b = bs * load<f32>(at(buf, i)) + gs * d;
    store<f32>(at(buf, i), b);
    store<f32>(at(u, i), c1 * d + c2 * b);
  }
}

/** Adamax scaling: m <- b1*m + (1-b1)*u; r <- max(b2*r, |u| + eps); u <- (m*c1) / r, c1 = 1/bc1. */
export function f32_tx_adamax(n: i32, u: usize, m: usize, r: usize, b1: f32, b2: f32, omb1: f32, eps: f32, c1: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), veps = f32x4.splat(eps), vc1 = f32x4.splat(c1);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const rr = f32x4.max(f32x4.mul(vb2, v128.load(at(r, i))), f32x4.add(f32x4.abs(d), veps));
      v128.store(at(m, i), mm);
      v128.store(at(r, i), rr);
      v128.store(at(u, i), f32x4.div(f32x4.mul(mm, vc1), rr));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const rr = Mathf.max(b2 * load<f32>(at(r, i)), Mathf.abs(d) + eps);
    store<f32>(at(m, i), mm);
    store<f32>(at(r, i), rr);
    store<f32>(at(u, i), (mm * c1) / rr);
  }
}

/** NAdam scaling: m, v as Adam; den = sqrt(v)*ibc2 + eps; u <- cg*u/den + cm*m/den (cg, cm without lr). */
export function f32_tx_nadam(n: i32, u: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, cg: f32, cm: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), vib = f32x4.splat(ibc2), vcg = f32x4.splat(cg), vcm = f32x4.splat(cm);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
      v128.store(at(m, i), mm);
      v128.store(at(v, i), vv);
      const den = f32x4.add(f32x4.mul(f32x4.sqrt(vv), vib), veps);
      v128.store(at(u, i), f32x4.add(f32x4.mul(vcg, f32x4.div(d, den)), f32x4.mul(vcm, f32x4.div(mm, den))));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    const den = Mathf.sqrt(vv) * ibc2 + eps;
    store<f32>(at(u, i), cg * (d / den) + cm * (mm / den));
  }
}

/** RAdam scaling: m, v as Adam; rectified (rect != 0): u <- a*m/(sqrt(v) + eps), else u <- a*m. */
export function f32_tx_radam(n: i32, u: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, a: f32, rect: i32): void {
  const on: f32 = rect != 0 ? 1 : 0, off: f32 = 1 - on;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), va = f32x4.splat(a), von = f32x4.splat(on), voff = f32x4.splat(off);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
      v128.store(at(m, i), mm);
      v128.store(at(v, i), vv);
      const den = f32x4.add(f32x4.mul(von, f32x4.add(f32x4.sqrt(vv), veps)), voff);
      v128.store(at(u, i), f32x4.mul(va, f32x4.div(mm, den)));
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    const den = on * (Mathf.sqrt(vv) + eps) + off;
    store<f32>(at(u, i), a * (mm / den));
  }
}

/** Adadelta scaling: s <- r*s + (1-r)*u^2; dx = sqrt(acc + eps)/sqrt(s + eps) * u; acc <- r*acc + (1-r)*dx^2; u <- dx. */
export function f32_tx_adadelta(n: i32, u: usize, s: usize, acc: usize, rho: f32, omr: f32, eps: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vr = f32x4.splat(rho), vo = f32x4.splat(omr), veps = f32x4.splat(eps);
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(at(u, i));
      const ss = f32x4.add(f32x4.mul(vr, v128.load(at(s, i))), f32x4.mul(vo, f32x4.mul(d, d)));
      v128.store(at(s, i), ss);
      const a = v128.load(at(acc, i));
      const dx = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, veps)), f32x4.sqrt(f32x4.add(ss, veps))), d);
      v128.store(at(acc, i), f32x4.add(f32x4.mul(vr, a), f32x4.mul(vo, f32x4.mul(dx, dx))));
      v128.store(at(u, i), dx);
    }
  }
  for (; i < n; i++) {
    const d = load<f32>(at(u, i));
    const ss = rho * load<f32>(at(s, i)) + omr * (d * d);
    store<f32>(at(s, i), ss);
    const a = load<f32>(at(acc, i));
    const dx = (Mathf.sqrt(a + eps) / Mathf.sqrt(ss + eps)) * d;
    store<f32>(at(acc, i), rho * a + omr * (dx * dx));
    store<f32>(at(u, i), dx);
  }
}

/** u <- c*u + a*x (scale and add: weight decay u + wd*p, noise u + xi, accumulation acc + u). */
export function f32_tx_axpby(n: i32, x: usize, u: usize, a: f32, c: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vc = f32x4.splat(c);
    for (; i + 4 <= n; i += 4) {
      v128.store(at(u, i), f32x4.add(f32x4.mul(vc, v128.load(at(u, i))), f32x4.mul(va, v128.load(at(x, i)))));
    }
  }
  for (; i < n; i++) store<f32>(at(u, i), c * load<f32>(at(u, i)) + a * load<f32>(at(x, i)));
}
