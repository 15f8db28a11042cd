// Fused optimizer updates, f32: one pass over a range of the flat buffers.
//
// Each kernel reads the gradient g, updates its state buffers and the
// parameters p in place, element by element, with PyTorch's formulas
// (torch.optim 1.13, single-tensor forms; see src/optim/rules.ts for the
// per-optimizer doc). Step-dependent factors (bias corrections, decayed
// learning rates) are computed on the host in f64 and passed in as f32, and so
// are the complements 1 - beta (omb1, omb2, oma, omr): 1 - f32(0.999) is off
// by 1.3e-5 relative, which biases v and drifts the trajectory visibly.
// `sign` is +1, or -1 for `maximize` (g <- sign * g, exact).
// L2 weight decay `wd` is applied to the gradient first: d = sign*g + wd*p.
//
// Memory contract: all buffers have n floats, no alignment needed (v128 loads
// are unaligned-safe), no buffer aliases another. SIMD body over 4 lanes, then
// the scalar tail; the scalar build runs the tail loop over everything. Both
// bodies do the same f32 operations in the same order, so both builds give
// the same bits.

@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** SGD without momentum: p <- p - lr * (sign*g + wd*p) */
export function f32_sgd(n: i32, g: usize, p: usize, lr: f32, wd: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, d)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    store<f32>(at(p, i), pv - lr * d);
  }
}

/**
 * SGD with momentum (PyTorch form): d = sign*g + wd*p; buf <- bs*buf + gs*d;
 * u = c1*d + c2*buf; p <- p - lr*u.
 * First step: bs = 0, gs = 1 (buf = d); later bs = momentum, gs = 1 - dampening.
 * Nesterov: c1 = 1, c2 = momentum; plain: c1 = 0, c2 = 1.
 */
export function f32_sgd_momentum(n: i32, g: usize, p: usize, buf: usize, lr: f32, wd: f32, sign: f32, bs: f32, gs: f32, c1: f32, c2: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    const vbs = f32x4.splat(bs), vgs = f32x4.splat(gs), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      const b = f32x4.add(f32x4.mul(vbs, v128.load(at(buf, i))), f32x4.mul(vgs, d));
      v128.store(at(buf, i), b);
      const u = f32x4.add(f32x4.mul(vc1, d), f32x4.mul(vc2, b));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, u)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const b = bs * load<f32>(at(buf, i)) + gs * d;
    store<f32>(at(buf, i), b);
    const u = c1 * d + c2 * b;
    store<f32>(at(p, i), pv - lr * u);
  }
}

/** Heavy ball (Polyak): d = sign*g + wd*p; v <- beta*v - lr*d; p <- p + v. */
export function f32_sgd_heavy_ball(n: i32, g: usize, p: usize, v: usize, lr: f32, wd: f32, sign: f32, beta: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vs = f32x4.splat(sign), vb = f32x4.splat(beta);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      const vv = f32x4.sub(f32x4.mul(vb, v128.load(at(v, i))), f32x4.mul(vlr, d));
      v128.store(at(v, i), vv);
      v128.store(at(p, i), f32x4.add(pv, vv));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const vv = beta * load<f32>(at(v, i)) - lr * d;
    store<f32>(at(v, i), vv);
    store<f32>(at(p, i), pv + vv);
  }
}

/** Adagrad: d = sign*g + wd*p; s <- s + d*d; p <- p - clr * d / (sqrt(s) + eps). */
export function f32_adagrad(n: i32, g: usize, p: usize, s: usize, clr: f32, eps: f32, wd: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(clr), veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      const ss = f32x4.add(v128.load(at(s, i)), f32x4.mul(d, d));
      v128.store(at(s, i), ss);
      const u = f32x4.div(d, f32x4.add(f32x4.sqrt(ss), veps));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, u)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const ss = load<f32>(at(s, i)) + d * d;
    store<f32>(at(s, i), ss);
    const u = d / (Mathf.sqrt(ss) + eps);
    store<f32>(at(p, i), pv - clr * u);
  }
}

/**
 * RMSprop: d = sign*g + wd*p; sq <- a*sq + (1-a)*d^2;
 * centered: ga <- a*ga + (1-a)*d, den = sqrt(sq - ga^2) + eps; else den = sqrt(sq) + eps;
 * momentum: buf <- mom*buf + d/den, p <- p - lr*buf; else p <- p - lr*d/den.
 * flags: bit 0 = centered (ga used), bit 1 = momentum (buf used). Unused pointers are not touched.
 */
export function f32_rmsprop(n: i32, g: usize, p: usize, sq: usize, ga: usize, buf: usize, lr: f32, alpha: f32, oma: f32, eps: f32, wd: f32, sign: f32, mom: f32, flags: i32): void {
  const centered = (flags & 1) != 0, useMom = (flags & 2) != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), va = f32x4.splat(alpha), voma = f32x4.splat(oma), veps = f32x4.splat(eps);
    const vwd = f32x4.splat(wd), vs = f32x4.splat(sign), vm = f32x4.splat(mom);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      const s = f32x4.add(f32x4.mul(va, v128.load(at(sq, i))), f32x4.mul(voma, f32x4.mul(d, d)));
      v128.store(at(sq, i), s);
      let den: v128;
      if (centered) {
        const a = f32x4.add(f32x4.mul(va, v128.load(at(ga, i))), f32x4.mul(voma, d));
        v128.store(at(ga, i), a);
        den = f32x4.add(f32x4.sqrt(f32x4.sub(s, f32x4.mul(a, a))), veps);
      } else {
        den = f32x4.add(f32x4.sqrt(s), veps);
      }
      let u = f32x4.div(d, den);
      if (useMom) {
        u = f32x4.add(f32x4.mul(vm, v128.load(at(buf, i))), u);
        v128.store(at(buf, i), u);
      }
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, u)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const s = alpha * load<f32>(at(sq, i)) + oma * (d * d);
    store<f32>(at(sq, i), s);
    let den: f32;
    if (centered) {
      const a = alpha * load<f32>(at(ga, i)) + oma * d;
      store<f32>(at(ga, i), a);
      den = Mathf.sqrt(s - a * a) + eps;
    } else {
      den = Mathf.sqrt(s) + eps;
    }
    let u = d / den;
    if (useMom) {
      u = mom * load<f32>(at(buf, i)) + u;
      store<f32>(at(buf, i), u);
    }
    store<f32>(at(p, i), pv - lr * u);
  }
}

// Adam / AdamW: p <- decay*p (AdamW: decay = 1 - lr*wd, else 1); d = sign*g + wd*p (Adam's L2);
// m <- b1*m + (1-b1)*d; v <- b2*v + (1-b2)*d^2;
// p <- p - lrt * m / (sqrt(v)*ibc2 + eps), with lrt = lr/bc1 and ibc2 = 1/sqrt(bc2).
// amsgrad (the _amsgrad variant): vmax <- max(vmax, v) replaces v in the denominator.

/**
 * The SIMD loop of Adam / AdamW, with `plain` (no L2, no maximize: d = g) and `ams` constant
 * after inlining. The plain form keeps three constants and four operations fewer per vector,
 * so V8 holds every constant in a register (no spills, no splats rebuilt in the loop):
 * ~2.4x faster over cached state in Node 20, ~15% in Node 24. Same formula, same bits.
 * Returns the index where the scalar tail starts.
 */
@inline function adamSimd(
  plain: bool, ams: bool, n: i32, g: usize, p: usize, m: usize, v: usize, vmax: usize,
  lrt: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32,
): i32 {
  const vlr = f32x4.splat(lrt), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
  const veps = f32x4.splat(eps), vib = f32x4.splat(ibc2), vdec = f32x4.splat(decay);
  const vwd = f32x4.splat(wd), vs = f32x4.splat(sign); // unused (and dropped) when plain
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let pv = f32x4.splat(0), d = v128.load(at(g, i));
    if (!plain) {
      pv = f32x4.mul(vdec, v128.load(at(p, i)));
      d = f32x4.add(f32x4.mul(vs, d), f32x4.mul(vwd, pv));
    }
    const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
    v128.store(at(m, i), mm);
    v128.store(at(v, i), vv);
    let dv = vv;
    if (ams) {
      dv = f32x4.max(v128.load(at(vmax, i)), vv);
      v128.store(at(vmax, i), dv);
    }
    const den = f32x4.add(f32x4.mul(f32x4.sqrt(dv), vib), veps);
    // plain: p is read here, late, which keeps fewer vectors live across the sqrt and div
    if (plain) pv = f32x4.mul(vdec, v128.load(at(p, i)));
    v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, f32x4.div(mm, den))));
  }
  return i;
}

/** The scalar twin (and the SIMD tail) of adamSimd, from element i on. */
@inline function adamScalar(
  ams: bool, i: i32, n: i32, g: usize, p: usize, m: usize, v: usize, vmax: usize,
  lrt: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32,
): void {
  for (; i < n; i++) {
    const pv = decay * load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    let dv = vv;
    if (ams) {
      dv = Mathf.max(load<f32>(at(vmax, i)), vv);
      store<f32>(at(vmax, i), dv);
    }
    const den = Mathf.sqrt(dv) * ibc2 + eps;
    store<f32>(at(p, i), pv - lrt * (mm / den));
  }
}

export function f32_adam(n: i32, g: usize, p: usize, m: usize, v: usize, lrt: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (wd == 0 && sign == 1) i = adamSimd(true, false, n, g, p, m, v, 0, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
    else i = adamSimd(false, false, n, g, p, m, v, 0, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
  }
  adamScalar(false, i, n, g, p, m, v, 0, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
}

export function f32_adam_amsgrad(n: i32, g: usize, p: usize, m: usize, v: usize, vmax: usize, lrt: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (wd == 0 && sign == 1) i = adamSimd(true, true, n, g, p, m, v, vmax, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
    else i = adamSimd(false, true, n, g, p, m, v, vmax, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
  }
  adamScalar(true, i, n, g, p, m, v, vmax, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
}

/** Adamax: d = sign*g + wd*p; m <- b1*m + (1-b1)*d; u <- max(b2*u, |d| + eps); p <- p - clr*m/u (clr = lr/bc1). */
export function f32_adamax(n: i32, g: usize, p: usize, m: usize, u: usize, clr: f32, b1: f32, b2: f32, omb1: f32, eps: f32, wd: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(clr), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1);
    const veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const uu = f32x4.max(f32x4.mul(vb2, v128.load(at(u, i))), f32x4.add(f32x4.abs(d), veps));
      v128.store(at(m, i), mm);
      v128.store(at(u, i), uu);
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, f32x4.div(mm, uu))));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const uu = Mathf.max(b2 * load<f32>(at(u, i)), Mathf.abs(d) + eps);
    store<f32>(at(m, i), mm);
    store<f32>(at(u, i), uu);
    store<f32>(at(p, i), pv - clr * (mm / uu));
  }
}

/**
 * NAdam: d = g + wd*p; m, v as Adam; den = sqrt(v)*ibc2 + eps;
 * p <- p - cg*d/den - cm*m/den with cg = lr(1-mu_t)/(1-prod mu), cm = lr mu_{t+1}/(1-prod mu * mu_{t+1}).
 */
export function f32_nadam(n: i32, g: usize, p: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, cg: f32, cm: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), vib = f32x4.splat(ibc2), vwd = f32x4.splat(wd), vcg = f32x4.splat(cg), vcm = f32x4.splat(cm);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(v128.load(at(g, i)), f32x4.mul(vwd, pv));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
      v128.store(at(m, i), mm);
      v128.store(at(v, i), vv);
      const den = f32x4.add(f32x4.mul(f32x4.sqrt(vv), vib), veps);
      const q = f32x4.sub(pv, f32x4.mul(vcg, f32x4.div(d, den)));
      v128.store(at(p, i), f32x4.sub(q, f32x4.mul(vcm, f32x4.div(mm, den))));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = load<f32>(at(g, i)) + wd * pv;
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    const den = Mathf.sqrt(vv) * ibc2 + eps;
    const q = pv - cg * (d / den);
    store<f32>(at(p, i), q - cm * (mm / den));
  }
}

/**
 * RAdam: d = g + wd*p; m, v as Adam; rectified (rect != 0): p <- p - a*m/(sqrt(v) + eps)
 * with a = lr*r_t*sqrt(bc2)/bc1; else p <- p - a*m with a = lr/bc1.
 */
export function f32_radam(n: i32, g: usize, p: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, wd: f32, a: f32, rect: i32): void {
  const on: f32 = rect != 0 ? 1 : 0, off: f32 = 1 - on;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), vwd = f32x4.splat(wd), va = f32x4.splat(a);
    const von = f32x4.splat(on), voff = f32x4.splat(off);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(v128.load(at(g, i)), f32x4.mul(vwd, pv));
      const mm = f32x4.add(f32x4.mul(vb1, v128.load(at(m, i))), f32x4.mul(vo1, d));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.mul(vo2, f32x4.mul(d, d)));
      v128.store(at(m, i), mm);
      v128.store(at(v, i), vv);
      // den = sqrt(v) + eps when rectified, exactly 1 otherwise
      const den = f32x4.add(f32x4.mul(von, f32x4.add(f32x4.sqrt(vv), veps)), voff);
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(va, f32x4.div(mm, den))));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = load<f32>(at(g, i)) + wd * pv;
    const mm = b1 * load<f32>(at(m, i)) + omb1 * d;
    const vv = b2 * load<f32>(at(v, i)) + omb2 * (d * d);
    store<f32>(at(m, i), mm);
    store<f32>(at(v, i), vv);
    const den = on * (Mathf.sqrt(vv) + eps) + off;
    store<f32>(at(p, i), pv - a * (mm / den));
  }
}

/**
 * Adadelta: d = sign*g + wd*p; sq <- r*sq + (1-r)*d^2; dx = sqrt(acc + eps)/sqrt(sq + eps) * d;
 * acc <- r*acc + (1-r)*dx^2; p <- p - lr*dx.
 */
export function f32_adadelta(n: i32, g: usize, p: usize, sq: usize, acc: usize, lr: f32, rho: f32, omr: f32, eps: f32, wd: f32, sign: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr), vr = f32x4.splat(rho), vo = f32x4.splat(omr), veps = f32x4.splat(eps);
    const vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    for (; i + 4 <= n; i += 4) {
      const pv = v128.load(at(p, i));
      const d = f32x4.add(f32x4.mul(vs, v128.load(at(g, i))), f32x4.mul(vwd, pv));
      const s = f32x4.add(f32x4.mul(vr, v128.load(at(sq, i))), f32x4.mul(vo, f32x4.mul(d, d)));
      v128.store(at(sq, i), s);
      const a = v128.load(at(acc, i));
      const dx = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, veps)), f32x4.sqrt(f32x4.add(s, veps))), d);
      v128.store(at(acc, i), f32x4.add(f32x4.mul(vr, a), f32x4.mul(vo, f32x4.mul(dx, dx))));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, dx)));
    }
  }
  for (; i < n; i++) {
    const pv = load<f32>(at(p, i));
    const d = sign * load<f32>(at(g, i)) + wd * pv;
    const s = rho * load<f32>(at(sq, i)) + omr * (d * d);
    store<f32>(at(sq, i), s);
    const a = load<f32>(at(acc, i));
    const dx = (Mathf.sqrt(a + eps) / Mathf.sqrt(s + eps)) * d;
    store<f32>(at(acc, i), rho * a + omr * (dx * dx));
    store<f32>(at(p, i), pv - lr * dx);
  }
}

/**
 * Langevin (unadjusted Langevin algorithm): p <- p - lr*g + noise, where the host
 * fills `noise` with N(0, 2*lr*T) from the core RNG (f32_rng_normal) just before.
 */
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

/**
 * SparseAdam (lazy, PyTorch semantics) over a table [rows, dim]: for each of the k
 * distinct row indices in `rows` (i32), with d = sign*g of that row:
 * m <- m + (1-b1)(d - m); v <- v + (1-b2)(d^2 - v); p <- p - step * m / (sqrt(v) + eps),
 * step = lr*sqrt(bc2)/bc1. Other rows, and their moments, are untouched.
 */
export function f32_sparse_adam(k: i32, dim: i32, rows: usize, g: usize, p: usize, m: usize, v: usize, step: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, sign: f32): void {
  for (let r = 0; r < k; r++) {
    const base = <i32>load<i32>(rows + (<usize>r << 2)) * dim;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      const vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2), veps = f32x4.splat(eps), vst = f32x4.splat(step), vs = f32x4.splat(sign);
      for (; j + 4 <= dim; j += 4) {
        const e = base + j;
        const d = f32x4.mul(vs, v128.load(at(g, e)));
        const m0 = v128.load(at(m, e)), v0 = v128.load(at(v, e));
        const mm = f32x4.add(m0, f32x4.mul(vo1, f32x4.sub(d, m0)));
        const vv = f32x4.add(v0, f32x4.mul(vo2, f32x4.sub(f32x4.mul(d, d), v0)));
        v128.store(at(m, e), mm);
        v128.store(at(v, e), vv);
        const den = f32x4.add(f32x4.sqrt(vv), veps);
        v128.store(at(p, e), f32x4.sub(v128.load(at(p, e)), f32x4.mul(vst, f32x4.div(mm, den))));
      }
    }
    for (; j < dim; j++) {
      const e = base + j;
      const d = sign * load<f32>(at(g, e));
      const m0 = load<f32>(at(m, e)), v0 = load<f32>(at(v, e));
      const mm = m0 + omb1 * (d - m0);
      const vv = v0 + omb2 * (d * d - v0);
      store<f32>(at(m, e), mm);
      store<f32>(at(v, e), vv);
      const den = Mathf.sqrt(vv) + eps;
      store<f32>(at(p, e), load<f32>(at(p, e)) - step * (mm / den));
    }
  }
}
