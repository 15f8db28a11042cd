// The Adam family, f32: Adam / AdamW (Kingma & Ba 2015; Loshchilov & Hutter
// 2019), AMSGrad (Reddi et al. 2018), Adamax (Kingma & Ba, sec. 7), NAdam
// (Dozat 2016, PyTorch's momentum-decay form), RAdam (Liu et al. 2020), and
// SparseAdam. Each fused kernel comes with its transform twin, from one body
// (fused: d = sign*g + wd*p, NAdam/RAdam d = g + wd*p; twin: d = u).
//
//   moments (all but Adamax): m <- b1*m + (1-b1)*d;  v <- b2*v + (1-b2)*d^2   (ema, optim_common.ts)
//   adam     AdamW first p <- decay*p (decay = 1 - lr*wd, else 1);
//            amsgrad: vmax <- max(vmax, v) replaces v below;  den = sqrt(v)*ibc2 + eps
//            fused: p <- p - lrt * (m / den), lrt = lr/bc1, ibc2 = 1/sqrt(bc2)
//            twin:  u <- (m * c1) / den, c1 = 1/bc1
//   adamax   m as above; r <- max(b2*r, |d| + eps);  fused: p <- p - clr * (m / r), clr = lr/bc1;
//            twin: u <- (m * c1) / r
//   nadam    den = sqrt(v)*ibc2 + eps;  fused: p <- (p - cg*(d/den)) - cm*(m/den);
//            twin: u <- cg*(d/den) + cm*(m/den), cg = lr(1-mu_t)/(1-prod mu),
//            cm = lr mu_{t+1}/(1 - prod mu * mu_{t+1}) (the twin's without lr)
//   radam    rectified (rect != 0): dir = a * (m / (sqrt(v) + eps)), a = lr*r_t*sqrt(bc2)/bc1;
//            else dir = a * m, a = lr/bc1.  fused: p <- p - dir;  twin: u <- dir (a without lr)
//   sparse_adam  lazy, over the rows listed (PyTorch's SparseAdam, its own form of the
//            moments): m <- m + (1-b1)(d - m); v <- v + (1-b2)(d^2 - v);
//            p <- p - step * m / (sqrt(v) + eps), step = lr*sqrt(bc2)/bc1.
//
// Conventions (sign, wd, host-side factors and complements), memory contract
// (n floats each, unaligned, no aliasing) and tails (4-lane SIMD body, scalar
// tail, same bits in both builds): optim_common.ts. SparseAdam: rows are i32
// indices into a [rows, dim] table, distinct; other rows are not touched.

import { at } from "./memory";
import { emaAt, emaAt4, grad, grad4 } from "./optim_common";

/**
 * How far ahead (floats, 1 KiB) the fused SIMD loop rewrites p with its own value, one
 * vector per 64-byte line. After a data-parallel step both cores have read every weight
 * (the forward), so each line of p is shared, and a core's first store to it must first
 * invalidate the other core's copy. Issued from the Adam loop, those upgrades queue
 * behind its loads and stores; issued one line per 16 floats, 1 KiB ahead, they overlap
 * with the arithmetic. Same bits (a line is rewritten with the bytes just read; the range
 * is this call's own). Measured (Zen 5, 2 threads, MLP 784-256-128-10, b128): Adam right
 * after a 2-thread backward 416-469 -> 297-339 µs on one thread, 208-227 -> 180-197 µs
 * split; after a 1-thread step unchanged (165-170 µs).
 */
const AHEAD: i32 = 256;

/** Adam's denominator, one vector: with ams, vmax <- max(vmax, v) at address vmax is used for v. */
@inline function adamDen4(ams: bool, vmax: usize, vv: v128, vib: v128, veps: v128): v128 {
  if (ams) {
    vv = f32x4.max(v128.load(vmax), vv);
    v128.store(vmax, vv);
  }
  return f32x4.add(f32x4.mul(f32x4.sqrt(vv), vib), veps);
}

@inline function adamDen(ams: bool, vmax: usize, vv: f32, ibc2: f32, eps: f32): f32 {
  if (ams) {
    vv = Mathf.max(load<f32>(vmax), vv);
    store<f32>(vmax, vv);
  }
  return Mathf.sqrt(vv) * ibc2 + eps;
}

/**
 * The SIMD loop of Adam / AdamW / AMSGrad and its twin, with `fused`, `plain`
 * (no L2, no maximize: d = g) and `ams` constant after inlining. The plain form
 * keeps three constants and four operations fewer per vector, so V8 holds every
 * constant in a register (no spills, no splats rebuilt in the loop): ~2.4x
 * faster over cached state in Node 20, ~15% in Node 24. Same formula, same bits.
 * `lr` is lrt (fused) or c1 (twin). Returns the index where the scalar tail starts.
 */
@inline function adamSimd(
  fused: bool, plain: bool, ams: bool, n: i32, x: usize, p: usize, m: usize, v: usize, vmax: usize,
  lr: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32,
): i32 {
  const vlr = f32x4.splat(lr), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
  const veps = f32x4.splat(eps), vib = f32x4.splat(ibc2), vdec = f32x4.splat(decay);
  const vwd = f32x4.splat(wd), vs = f32x4.splat(sign); // unused (and dropped) when plain
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    if (fused && (i & 15) == 0 && i + AHEAD + 4 <= n) {
      const q = at(p, i + AHEAD); // see AHEAD
      v128.store(q, v128.load(q));
    }
    let pv = f32x4.splat(0), d: v128;
    if (fused && !plain) {
      pv = f32x4.mul(vdec, v128.load(at(p, i)));
      d = grad4(vs, v128.load(at(x, i)), vwd, pv);
    } else d = v128.load(at(x, i));
    const mm = emaAt4(at(m, i), vb1, vo1, d);
    const den = adamDen4(ams, at(vmax, i), emaAt4(at(v, i), vb2, vo2, f32x4.mul(d, d)), vib, veps);
    if (fused) {
      // plain: p is read here, late, which keeps fewer vectors live across the sqrt and div
      if (plain) pv = f32x4.mul(vdec, v128.load(at(p, i)));
      v128.store(at(p, i), f32x4.sub(pv, f32x4.mul(vlr, f32x4.div(mm, den))));
    } else {
      v128.store(at(x, i), f32x4.div(f32x4.mul(mm, vlr), den));
    }
  }
  return i;
}

/** The scalar twin (and the SIMD tail) of adamSimd, from element i on. */
@inline function adamScalar(
  fused: bool, ams: bool, i: i32, n: i32, x: usize, p: usize, m: usize, v: usize, vmax: usize,
  lr: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32,
): void {
  for (; i < n; i++) {
    let pv: f32 = 0, d: f32;
    if (fused) {
      pv = decay * load<f32>(at(p, i));
      d = grad(sign, load<f32>(at(x, i)), wd, pv);
    } else d = load<f32>(at(x, i));
    const mm = emaAt(at(m, i), b1, omb1, d);
    const den = adamDen(ams, at(vmax, i), emaAt(at(v, i), b2, omb2, d * d), ibc2, eps);
    if (fused) store<f32>(at(p, i), pv - lr * (mm / den));
    else store<f32>(at(x, i), (mm * lr) / den);
  }
}

/** Adam / AdamW fused (twin: plain, no p), then the scalar tail. */
@inline function adam(
  fused: bool, ams: bool, n: i32, x: usize, p: usize, m: usize, v: usize, vmax: usize,
  lr: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    if (!fused || (wd == 0 && sign == 1)) i = adamSimd(fused, true, ams, n, x, p, m, v, vmax, lr, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
    else i = adamSimd(fused, false, ams, n, x, p, m, v, vmax, lr, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
  }
  adamScalar(fused, ams, i, n, x, p, m, v, vmax, lr, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
}

export function f32_adam(n: i32, g: usize, p: usize, m: usize, v: usize, lrt: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32): void {
  adam(true, false, n, g, p, m, v, 0, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
}

export function f32_adam_amsgrad(n: i32, g: usize, p: usize, m: usize, v: usize, vmax: usize, lrt: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, decay: f32, sign: f32): void {
  adam(true, true, n, g, p, m, v, vmax, lrt, b1, b2, omb1, omb2, eps, ibc2, wd, decay, sign);
}

/** Adam scaling: the moments; u <- (m*c1) / (sqrt(v)*ibc2 + eps). */
export function f32_tx_adam(n: i32, u: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, c1: f32, ibc2: f32): void {
  adam(false, false, n, u, 0, m, v, 0, c1, b1, b2, omb1, omb2, eps, ibc2, 0, 1, 1);
}

/** As f32_tx_adam with AMSGrad: vmax <- max(vmax, v) in the denominator. */
export function f32_tx_adam_amsgrad(n: i32, u: usize, m: usize, v: usize, vmax: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, c1: f32, ibc2: f32): void {
  adam(false, true, n, u, 0, m, v, vmax, c1, b1, b2, omb1, omb2, eps, ibc2, 0, 1, 1);
}

/** The rule codes of `variant` (compile-time constants after inlining). */
const ADAMAX = 0, NADAM = 1, RADAM = 2;

/**
 * One body for Adamax, NAdam and RAdam, fused (x = g, p updated) or as the
 * transform twin (x = u, written back). v is Adamax's r. `a` is Adamax's clr
 * (twin: c1) or RAdam's a; cg, cm are NAdam's; rect is RAdam's.
 */
@inline function variant(
  rule: i32, fused: bool, n: i32, x: usize, p: usize, m: usize, v: usize,
  a: f32, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, sign: f32, cg: f32, cm: f32, rect: i32,
): void {
  // RAdam: den = sqrt(v) + eps when rectified, exactly 1 otherwise
  const on: f32 = rect != 0 ? 1 : 0, off: f32 = 1 - on;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const va = f32x4.splat(a), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(omb1), vo2 = f32x4.splat(omb2);
    const veps = f32x4.splat(eps), vib = f32x4.splat(ibc2), vwd = f32x4.splat(wd), vs = f32x4.splat(sign);
    const vcg = f32x4.splat(cg), vcm = f32x4.splat(cm), von = f32x4.splat(on), voff = f32x4.splat(off);
    for (; i + 4 <= n; i += 4) {
      let pv = f32x4.splat(0), d: v128;
      if (fused) {
        pv = v128.load(at(p, i));
        const gv = v128.load(at(x, i));
        d = rule == ADAMAX ? grad4(vs, gv, vwd, pv) : f32x4.add(gv, f32x4.mul(vwd, pv));
      } else d = v128.load(at(x, i));
      const mm = emaAt4(at(m, i), vb1, vo1, d);
      let out: v128;
      if (rule == ADAMAX) {
        const r = f32x4.max(f32x4.mul(vb2, v128.load(at(v, i))), f32x4.add(f32x4.abs(d), veps));
        v128.store(at(v, i), r);
        out = fused ? f32x4.sub(pv, f32x4.mul(va, f32x4.div(mm, r))) : f32x4.div(f32x4.mul(mm, va), r);
      } else if (rule == NADAM) {
        const den = adamDen4(false, 0, emaAt4(at(v, i), vb2, vo2, f32x4.mul(d, d)), vib, veps);
        const gd = f32x4.mul(vcg, f32x4.div(d, den)), md = f32x4.mul(vcm, f32x4.div(mm, den));
        out = fused ? f32x4.sub(f32x4.sub(pv, gd), md) : f32x4.add(gd, md);
      } else {
        const vv = emaAt4(at(v, i), vb2, vo2, f32x4.mul(d, d));
        const dir = f32x4.mul(va, f32x4.div(mm, f32x4.add(f32x4.mul(von, f32x4.add(f32x4.sqrt(vv), veps)), voff)));
        out = fused ? f32x4.sub(pv, dir) : dir;
      }
      v128.store(at(fused ? p : x, i), out);
    }
  }
  for (; i < n; i++) {
    let pv: f32 = 0, d: f32;
    if (fused) {
      pv = load<f32>(at(p, i));
      const gv = load<f32>(at(x, i));
      d = rule == ADAMAX ? grad(sign, gv, wd, pv) : gv + wd * pv;
    } else d = load<f32>(at(x, i));
    const mm = emaAt(at(m, i), b1, omb1, d);
    let out: f32;
    if (rule == ADAMAX) {
      const r = Mathf.max(b2 * load<f32>(at(v, i)), Mathf.abs(d) + eps);
      store<f32>(at(v, i), r);
      out = fused ? pv - a * (mm / r) : (mm * a) / r;
    } else if (rule == NADAM) {
      const den = adamDen(false, 0, emaAt(at(v, i), b2, omb2, d * d), ibc2, eps);
      const gd = cg * (d / den), md = cm * (mm / den);
      out = fused ? (pv - gd) - md : gd + md;
    } else {
      const vv = emaAt(at(v, i), b2, omb2, d * d);
      const dir = a * (mm / (on * (Mathf.sqrt(vv) + eps) + off));
      out = fused ? pv - dir : dir;
    }
    store<f32>(at(fused ? p : x, i), out);
  }
}

/** Adamax: d = sign*g + wd*p; m <- b1*m + (1-b1)*d; u <- max(b2*u, |d| + eps); p <- p - clr*m/u (clr = lr/bc1). */
export function f32_adamax(n: i32, g: usize, p: usize, m: usize, u: usize, clr: f32, b1: f32, b2: f32, omb1: f32, eps: f32, wd: f32, sign: f32): void {
  variant(ADAMAX, true, n, g, p, m, u, clr, b1, b2, omb1, 0, eps, 0, wd, sign, 0, 0, 0);
}

/** Adamax scaling: m <- b1*m + (1-b1)*u; r <- max(b2*r, |u| + eps); u <- (m*c1) / r, c1 = 1/bc1. */
export function f32_tx_adamax(n: i32, u: usize, m: usize, r: usize, b1: f32, b2: f32, omb1: f32, eps: f32, c1: f32): void {
  variant(ADAMAX, false, n, u, 0, m, r, c1, b1, b2, omb1, 0, eps, 0, 0, 1, 0, 0, 0);
}

/** NAdam: d = g + wd*p; the moments; p <- p - cg*d/den - cm*m/den (file header). */
export function f32_nadam(n: i32, g: usize, p: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, wd: f32, cg: f32, cm: f32): void {
  variant(NADAM, true, n, g, p, m, v, 0, b1, b2, omb1, omb2, eps, ibc2, wd, 1, cg, cm, 0);
}

/** NAdam scaling: the moments; u <- cg*u/den + cm*m/den (cg, cm without lr). */
export function f32_tx_nadam(n: i32, u: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, ibc2: f32, cg: f32, cm: f32): void {
  variant(NADAM, false, n, u, 0, m, v, 0, b1, b2, omb1, omb2, eps, ibc2, 0, 1, cg, cm, 0);
}

/** RAdam: d = g + wd*p; the moments; p <- p - a*m/(sqrt(v) + eps) when rectified, else p - a*m. */
export function f32_radam(n: i32, g: usize, p: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, wd: f32, a: f32, rect: i32): void {
  variant(RADAM, true, n, g, p, m, v, a, b1, b2, omb1, omb2, eps, 0, wd, 1, 0, 0, rect);
}

/** RAdam scaling: the moments; u <- a*m/(sqrt(v) + eps) when rectified, else a*m. */
export function f32_tx_radam(n: i32, u: usize, m: usize, v: usize, b1: f32, b2: f32, omb1: f32, omb2: f32, eps: f32, a: f32, rect: i32): void {
  variant(RADAM, false, n, u, 0, m, v, a, b1, b2, omb1, omb2, eps, 0, 0, 1, 0, 0, rect);
}

/** SparseAdam (lazy, PyTorch semantics) over the k distinct rows listed in `rows` (file header). */
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
