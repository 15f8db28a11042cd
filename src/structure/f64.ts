/**
 * The f64 host twins of the prox and projection kernels (assembly/prox.ts,
 * assembly/project.ts), for `minimize()`, whose vectors are host `Float64Array`s.
 * Each works in place on x[off, off + n) with the formula of its kernel, in f64:
 *
 *   l1:          x ← x − clamp(x, −t, t) = sign(x)·max(|x| − t, 0), zeros +0   t = ηλ
 *   l2:          x ← x / (1 + t)                                  t = ηλ
 *   elasticNet:  x ← soft(x, t1) / (1 + t2)
 *   groupLasso:  x_g ← 0 if ‖x_g‖ ≤ t, else (1 − t/‖x_g‖)·x_g    (rows, columns or index sets)
 *   box/clamp:   x ← min(max(x, lo), hi)
 *   l2Ball:      x ← x·r/‖x‖ when ‖x‖ > r
 *   grid:        x ← min(o + step·clamp(round_half_even((x − o)/step), klo, khi), max), counted from
 *                the zero level o = 0 when lo + step·m = 0 for a whole m ≤ kmax (klo = −m,
 *                khi = kmax − m), else from o = lo (klo = 0, khi = kmax), as the kernel counts
 *   simplex:     x ← max(x − τ, 0) with Σ max(x − τ, 0) = s
 *   l1Ball:      x ← sign(x)·max(|x| − τ, 0) with Σ max(|x| − τ, 0) = r, when ‖x‖₁ > r
 *
 * τ is found as the kernel finds it, without a sort: the lower bound
 * τ₀ = max((Σx − s)/n, max x − s), then Newton steps from below on
 * f(τ) = Σ max(x − τ, 0) − s over the entries above τ (Michelot, JOTA 1986), compacted
 * into `scratch` (n floats) until the set stops shrinking (at most n rounds).
 * Nothing here allocates; scratch is the caller's.
 */

export function proxL1(x: Float64Array, off: number, n: number, t: number): void {
  for (let i = off; i < off + n; i++) {
    const v = x[i];
    x[i] = v - Math.min(Math.max(v, -t), t);
  }
}

export function proxL2(x: Float64Array, off: number, n: number, t: number): void {
  const s = 1 / (1 + t);
  for (let i = off; i < off + n; i++) x[i] *= s;
}

export function proxElasticNet(x: Float64Array, off: number, n: number, t1: number, t2: number): void {
  proxL1(x, off, n, t1);
  proxL2(x, off, n, t2);
}

/** Σ|x| over the span. */
export function sumAbs(x: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let i = off; i < off + n; i++) s += Math.abs(x[i]);
  return s;
}

/** Σx² over the span. */
export function sumSq(x: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let i = off; i < off + n; i++) s += x[i] * x[i];
  return s;
}

function shrink(norm: number, t: number): number {
  return norm <= t ? 0 : 1 - t / norm;
}

/** Group lasso over the m rows of an [m, cols] matrix; returns Σ_g ‖x_g‖ before the step when `t` is NaN (then writes nothing). */
export function groupRows(x: Float64Array, off: number, m: number, cols: number, t: number): number {
  let total = 0;
  for (let r = 0; r < m; r++) {
    const o = off + r * cols, norm = Math.sqrt(sumSq(x, o, cols));
    total += norm;
    if (t !== t) continue;
    const s = shrink(norm, t);
    for (let i = o; i < o + cols; i++) x[i] *= s;
  }
  return total;
}

/** Group lasso over the columns of an [m, cols] matrix (norms: cols floats of scratch); as groupRows. */
export function groupColumns(x: Float64Array, off: number, m: number, cols: number, norms: Float64Array, t: number): number {
  norms.fill(0, 0, cols);
  for (let r = 0; r < m; r++) for (let c = 0; c < cols; c++) norms[c] += x[off + r * cols + c] ** 2;
  let total = 0;
  for (let c = 0; c < cols; c++) {
    norms[c] = Math.sqrt(norms[c]);
    total += norms[c];
    norms[c] = shrink(norms[c], t);
  }
  if (t === t) for (let r = 0; r < m; r++) for (let c = 0; c < cols; c++) x[off + r * cols + c] *= norms[c];
  return total;
}

/** Group lasso over explicit index sets (group g: indices[offsets[g] .. offsets[g + 1])); as groupRows. */
export function groupSets(x: Float64Array, off: number, offsets: Int32Array, indices: Int32Array, t: number): number {
  let total = 0;
  for (let g = 0; g + 1 < offsets.length; g++) {
    let ss = 0;
    for (let j = offsets[g]; j < offsets[g + 1]; j++) ss += x[off + indices[j]] ** 2;
    const norm = Math.sqrt(ss);
    total += norm;
    if (t !== t) continue;
    const s = shrink(norm, t);
    for (let j = offsets[g]; j < offsets[g + 1]; j++) x[off + indices[j]] *= s;
  }
  return total;
}

export function clamp(x: Float64Array, off: number, n: number, lo: number, hi: number): void {
  for (let i = off; i < off + n; i++) x[i] = Math.min(Math.max(x[i], lo), hi);
}

/** Per-coordinate bounds: lo[i], hi[i] for x[off + i]. */
export function box(x: Float64Array, off: number, n: number, lo: Float64Array, hi: Float64Array): void {
  for (let i = 0; i < n; i++) x[off + i] = Math.min(Math.max(x[off + i], lo[i]), hi[i]);
}

/** Returns ‖x‖ (non-finite: nothing written). */
export function l2Ball(x: Float64Array, off: number, n: number, r: number): number {
  const norm = Math.sqrt(sumSq(x, off, n));
  if (Number.isFinite(norm) && norm > r) {
    const s = r / norm;
    for (let i = off; i < off + n; i++) x[i] *= s;
  }
  return norm;
}

export function grid(x: Float64Array, off: number, n: number, lo: number, step: number, kmax: number, hi: number): void {
  const m = gridZeroLevel(lo, step, kmax);
  const o = m >= 0 ? 0 : lo, klo = m >= 0 ? -m : 0, khi = m >= 0 ? kmax - m : kmax;
  for (let i = off; i < off + n; i++) {
    const q = (x[i] - o) / step;
    let k = Math.round(q);
    if (k - q === 0.5 && k % 2 !== 0) k -= 1;
    x[i] = Math.min(o + step * Math.min(Math.max(k, klo), khi), hi);
  }
}

/**
 * The index m of the grid's zero level (lo + step·m = 0 exactly for a whole m in [0, kmax]),
 * or −1 when 0 is not a level: the grid then counts from 0, not lo (the kernel's rule,
 * assembly/project.ts zeroLevel; with f32 lo and step the product is exact in f64).
 */
export function gridZeroLevel(lo: number, step: number, kmax: number): number {
  const m = Math.round(-lo / step);
  return m >= 0 && m <= kmax && lo + step * m === 0 ? m : -1;
}

/** τ with Σ max(v − τ, 0) = s over v = |x| (abs) or x, s > 0; NaN when the span holds a NaN or ±Inf. */
function threshold(x: Float64Array, off: number, n: number, scratch: Float64Array, s: number, abs: boolean): number {
  let sum = 0, max = -Infinity;
  for (let i = off; i < off + n; i++) {
    const v = abs ? Math.abs(x[i]) : x[i];
    sum += v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(sum)) return NaN;
  let tau = Math.max((sum - s) / n, max - s);
  // ≥ here: when max x − s rounds to max x, the largest entries are the active set
  let m = 0, S = 0;
  for (let i = off; i < off + n; i++) {
    const v = abs ? Math.abs(x[i]) : x[i];
    if (v >= tau) {
      scratch[m++] = v;
      S += v;
    }
  }
  for (;;) {
    tau = (S - s) / m;
    let m2 = 0, S2 = 0;
    for (let j = 0; j < m; j++) {
      const v = scratch[j];
      if (v > tau) {
        scratch[m2++] = v;
        S2 += v;
      }
    }
    if (m2 === m || m2 === 0) return tau;
    m = m2;
    S = S2;
  }
}

/** Projection onto {z ≥ 0, Σz = s}; returns τ, or NaN (nothing written) on a NaN or ±Inf. */
export function simplex(x: Float64Array, off: number, n: number, scratch: Float64Array, s: number): number {
  const tau = threshold(x, off, n, scratch, s, false);
  if (tau === tau) for (let i = off; i < off + n; i++) x[i] = Math.max(x[i] - tau, 0);
  return tau;
}

/** Projection onto ‖z‖₁ ≤ r; returns τ (0 when x is inside), or NaN (nothing written) on a NaN or ±Inf. */
export function l1Ball(x: Float64Array, off: number, n: number, scratch: Float64Array, r: number): number {
  const l1 = sumAbs(x, off, n);
  if (!Number.isFinite(l1)) return NaN;
  if (l1 <= r) return 0;
  if (r === 0) {
    x.fill(0, off, off + n);
    return Infinity;
  }
  const tau = threshold(x, off, n, scratch, r, true);
  proxL1(x, off, n, tau);
  return tau;
}
