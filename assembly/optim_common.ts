// What every optimizer kernel shares (optim_sgd.ts, optim_adagrad.ts,
// optim_adam.ts): the gradient as the rules see it, and the exponential moving
// average that every moment estimate is made of, written once here in its SIMD
// and scalar forms. @inline helpers only; index.ts exports nothing from here.
//
// Conventions of the optimizer kernels (PyTorch's formulas, torch.optim 1.13
// single-tensor forms; src/optim/rules.ts has the per-optimizer doc):
// - `sign` is +1, or -1 for `maximize` (g <- sign*g, exact). L2 weight decay
//   `wd` is applied to the gradient first: d = sign*g + wd*p.
// - Step-dependent factors (bias corrections, decayed learning rates) are
//   computed on the host in f64 and passed in as f32, and so are the
//   complements 1 - beta (omb1, omb2, oma, omr): 1 - f32(0.999) is off by
//   1.3e-5 relative, which biases v and drifts the trajectory visibly.
// - A fused kernel f32_<rule> reads g, updates its state and p in place. Its
//   transform twin f32_tx_<rule> (a link of an Optax-style chain,
//   src/optim/transforms.ts) runs the same rule on the update buffer u:
//   d = u, and the rule's direction is written back to u (no lr, wd, sign).
//   Both come from one @inline body with `fused` a compile-time constant.
//
// Memory contract of every optimizer kernel: all buffers have n floats, no
// alignment needed (v128 loads are unaligned-safe), no buffer aliases another.
// Tails: SIMD body over 4 lanes, then the scalar tail from where it stopped;
// the scalar build runs the tail loop over everything. Both bodies do the same
// f32 operations in the same order (no FMA), so both builds give the same bits.

/** d = sign*g + wd*p, one vector. */
@inline export function grad4(vs: v128, g: v128, vwd: v128, pv: v128): v128 {
  return f32x4.add(f32x4.mul(vs, g), f32x4.mul(vwd, pv));
}

/** d = sign*g + wd*p. */
@inline export function grad(sign: f32, g: f32, wd: f32, pv: f32): f32 {
  return sign * g + wd * pv;
}

/**
 * The moment update, one vector: s' = b*s + omb*x with omb = 1 - b from the host.
 * Adam's m (x = d) and v (x = d^2), RMSprop's and Adadelta's averages, the
 * momentum trace (b = momentum, omb = 1 - dampening) are all this.
 */
@inline export function ema4(b: v128, omb: v128, s: v128, x: v128): v128 {
  return f32x4.add(f32x4.mul(b, s), f32x4.mul(omb, x));
}

/** s' = b*s + omb*x, the scalar twin of ema4. */
@inline export function ema(b: f32, omb: f32, s: f32, x: f32): f32 {
  return b * s + omb * x;
}

/** ema4 of the state vector at byte address a, stored back; returns the new value. */
@inline export function emaAt4(a: usize, b: v128, omb: v128, x: v128): v128 {
  const s = ema4(b, omb, v128.load(a), x);
  v128.store(a, s);
  return s;
}

/** ema of the state at byte address a, stored back; returns the new value. */
@inline export function emaAt(a: usize, b: f32, omb: f32, x: f32): f32 {
  const s = ema(b, omb, load<f32>(a), x);
  store<f32>(a, s);
  return s;
}
