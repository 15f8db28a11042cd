// Losses, f32: each returns the unreduced sum of the per-element (or per-row)
// losses as f64 (accumulated in f64) and writes dL/dy = scale * d(loss)/dy
// into `grad`; the host picks `scale` from the reduction (1/n for a mean).
//
//   mse            l = (yhat - y)^2                         g = 2 (yhat - y)   (times scale)
//   huber(delta)   l = d^2/2 if |d| <= delta, else delta (|d| - delta/2);  g = clamp(d, -delta, delta)
//   bce_logits     l = max(z, 0) - z y + log(1 + e^-|z|)    g = sigmoid(z) - y
//   poisson_nll    l = e^z - y z  (log link, no Stirling term)   g = e^z - y
//   softmax_xent   per row of logits z (C classes), p = softmax(z), lse = log sum e^z:
//                  target t = (1 - eps) onehot(label) + eps/C   (label smoothing eps)
//                  l = sum_j t_j (lse - z_j),  g = p * sum_j t_j - t
//                  (the probability-target variant takes t = (1 - eps) target + eps/C)
//
// Memory contract: grad may alias the prediction exactly (never partially);
// labels are i32 in [0, C) (the host checks them with i32_find_out_of_range).
// These are scalar loops: the losses are O(batch x outputs), small next to GEMM.

import { ld, st } from "./memory";
import { pick64 } from "./select";

/** Index of the first x[i] outside [lo, hi), or -1. */
export function i32_find_out_of_range(n: i32, x: usize, lo: i32, hi: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<i32>(x + (<usize>i << 2));
    if (v < lo || v >= hi) return i;
  }
  return -1;
}

export function f32_mse(n: i32, yhat: usize, y: usize, grad: usize, scale: f32): f64 {
  let s: f64 = 0;
  const g2: f32 = <f32>2 * scale;
  for (let i = 0; i < n; i++) {
    const d = ld(yhat, i) - ld(y, i);
    s += <f64>d * <f64>d;
    st(grad, i, g2 * d);
  }
  return s;
}

export function f32_huber(n: i32, yhat: usize, y: usize, grad: usize, scale: f32, delta: f32): f64 {
  let s: f64 = 0;
  const dl = <f64>delta;
  for (let i = 0; i < n; i++) {
    const d = ld(yhat, i) - ld(y, i);
    const a = <f64>Mathf.abs(d);
    if (a <= dl) {
      s += 0.5 * a * a;
      st(grad, i, scale * d);
    } else {
      s += dl * (a - 0.5 * dl);
      st(grad, i, d > 0 ? scale * delta : -scale * delta);
    }
  }
  return s;
}

export function f32_bce_logits(n: i32, z: usize, y: usize, grad: usize, scale: f32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(z, i), t = <f64>ld(y, i);
    const e = Math.exp(-Math.abs(v));
    // picks, not selects (select.ts): the sign of the logits is data
    s += pick64(v > 0, v, 0) - v * t + Math.log1p(e);
    const sig = pick64(v >= 0, 1, e) / (1.0 + e);
    st(grad, i, <f32>(<f64>scale * (sig - t)));
  }
  return s;
}

export function f32_poisson_nll(n: i32, z: usize, y: usize, grad: usize, scale: f32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>ld(z, i), t = <f64>ld(y, i);
    const e = Math.exp(v);
    s += e - t * v;
    st(grad, i, <f32>(<f64>scale * (e - t)));
  }
  return s;
}

/** log sum_j exp(z_j) of one row, stable: max + log sum exp(z_j - max), in f64. */
@inline function rowLse(c: i32, zr: usize): f64 {
  let mx = ld(zr, 0);
  for (let j = 1; j < c; j++) { const v = ld(zr, j); if (v > mx) mx = v; }
  const m = <f64>mx;
  let se: f64 = 0;
  for (let j = 0; j < c; j++) se += Math.exp(<f64>ld(zr, j) - m);
  return m + Math.log(se);
}

/**
 * One row of the label variant: writes g_j = scale (p_j - t_j) and returns the row's loss
 * lse - (1 - eps) z_label - (eps/C) sum_j z_j.
 */
@inline function xentRow(c: i32, zr: usize, lab: i32, gr: usize, scale: f32, eps: f64, off: f64): f64 {
  const lse = rowLse(c, zr);
  let zsum: f64 = 0;
  for (let j = 0; j < c; j++) zsum += <f64>ld(zr, j);
  // p_j = exp(z_j - lse); g_j = scale (p_j - t_j)
  for (let j = 0; j < c; j++) {
    const p = Math.exp(<f64>ld(zr, j) - lse);
    const t = (j == lab ? 1.0 - eps : 0.0) + off;
    st(gr, j, <f32>(<f64>scale * (p - t)));
  }
  return lse - (1.0 - eps) * <f64>ld(zr, lab) - off * zsum;
}

/** One row of the probability variant: writes g_j = scale (p_j sum_i t_i - t_j) and returns lse sum_j t_j - sum_j t_j z_j. */
@inline function xentProbsRow(c: i32, zr: usize, tr: usize, gr: usize, scale: f32, eps: f64, off: f64): f64 {
  const lse = rowLse(c, zr);
  let tsum: f64 = 0, tz: f64 = 0;
  for (let j = 0; j < c; j++) {
    const t = (1.0 - eps) * <f64>ld(tr, j) + off;
    tsum += t;
    tz += t * <f64>ld(zr, j);
  }
  for (let j = 0; j < c; j++) {
    const p = Math.exp(<f64>ld(zr, j) - lse);
    const t = (1.0 - eps) * <f64>ld(tr, j) + off;
    st(gr, j, <f32>(<f64>scale * (p * tsum - t)));
  }
  return lse * tsum - tz;
}

@inline function rowAt(base: usize, r: i32, c: i32): usize {
  return base + (<usize>r * <usize>c << 2);
}

/** Cross-entropy of softmax(logits) with integer labels; m rows of c logits. */
export function f32_softmax_xent(m: i32, c: i32, logits: usize, labels: usize, grad: usize, scale: f32, smoothing: f32): f64 {
  let total: f64 = 0;
  const eps = <f64>smoothing, off = eps / <f64>c;
  for (let r = 0; r < m; r++) {
    total += xentRow(c, rowAt(logits, r, c), load<i32>(labels + (<usize>r << 2)), rowAt(grad, r, c), scale, eps, off);
  }
  return total;
}

/** Cross-entropy of softmax(logits) with probability (or one-hot) targets, m x c. */
export function f32_softmax_xent_probs(m: i32, c: i32, logits: usize, target: usize, grad: usize, scale: f32, smoothing: f32): f64 {
  let total: f64 = 0;
  const eps = <f64>smoothing, off = eps / <f64>c;
  for (let r = 0; r < m; r++) total += xentProbsRow(c, rowAt(logits, r, c), rowAt(target, r, c), rowAt(grad, r, c), scale, eps, off);
  return total;
}

/**
 * f32_softmax_xent on rows of a batch (a data-parallel step's shard): the same dL/dy,
 * and each row's loss (f64) into rowLoss[r] instead of their sum; f64_sum_ordered
 * over a whole batch's rowLoss then gives f32_softmax_xent's total to the last bit.
 */
export function f32_softmax_xent_rows(m: i32, c: i32, logits: usize, labels: usize, grad: usize, scale: f32, smoothing: f32, rowLoss: usize): void {
  const eps = <f64>smoothing, off = eps / <f64>c;
  for (let r = 0; r < m; r++) {
    const v = xentRow(c, rowAt(logits, r, c), load<i32>(labels + (<usize>r << 2)), rowAt(grad, r, c), scale, eps, off);
    store<f64>(rowLoss + (<usize>r << 3), v);
  }
}

/** f32_softmax_xent_probs on rows of a batch, each row's loss into rowLoss[r] (see f32_softmax_xent_rows). */
export function f32_softmax_xent_probs_rows(m: i32, c: i32, logits: usize, target: usize, grad: usize, scale: f32, smoothing: f32, rowLoss: usize): void {
  const eps = <f64>smoothing, off = eps / <f64>c;
  for (let r = 0; r < m; r++) {
    store<f64>(rowLoss + (<usize>r << 3), xentProbsRow(c, rowAt(logits, r, c), rowAt(target, r, c), rowAt(grad, r, c), scale, eps, off));
  }
}

/** ((0 + x_0) + x_1) + … + x_{n-1}, f64, in index order: the losses' own order of summation. */
export function f64_sum_ordered(n: i32, x: usize): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += load<f64>(x + (<usize>i << 3));
  return s;
}
