// Plain-TS f64 references for the proximal operators and projections (assembly/prox.ts,
// assembly/project.ts), written from the textbook formulas, independent of the kernels:
// the simplex and the l1 ball use the sort-based algorithm (Held, Wolfe & Crowder 1974;
// Duchi et al. 2008, Fig. 1), not Condat's pivoting.

const f = Math.fround;

/** sign(x)·max(|x| − t, 0), zeros +0 (the kernels' x − clamp(x, −t, t); PyTorch's softshrink). */
export function softThreshold(x: ArrayLike<number>, t: number): number[] {
  return Array.from(x, (v) => Math.sign(v) * Math.max(Math.abs(v) - t, 0) + 0);
}

export function ridge(x: ArrayLike<number>, t: number): number[] {
  return Array.from(x, (v) => v / (1 + t));
}

export function elasticNet(x: ArrayLike<number>, t1: number, t2: number): number[] {
  return softThreshold(x, t1).map((v) => v / (1 + t2));
}

/** Group soft threshold over the given groups (lists of indices); other elements unchanged. */
export function groupLasso(x: ArrayLike<number>, groups: number[][], t: number): number[] {
  const out = Array.from(x);
  for (const g of groups) {
    let ss = 0;
    for (const i of g) ss += x[i] * x[i];
    const norm = Math.sqrt(ss);
    const s = norm <= t ? 0 : 1 - t / norm;
    for (const i of g) out[i] = x[i] * s;
  }
  return out;
}

export function rowGroups(m: number, n: number): number[][] {
  return Array.from({ length: m }, (_, r) => Array.from({ length: n }, (_, c) => r * n + c));
}

export function colGroups(m: number, n: number): number[][] {
  return Array.from({ length: n }, (_, c) => Array.from({ length: m }, (_, r) => r * n + c));
}

export function box(x: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): number[] {
  return Array.from(x, (v, i) => Math.min(Math.max(v, lo[i]), hi[i]));
}

export function l2Ball(x: ArrayLike<number>, r: number): number[] {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const norm = Math.sqrt(ss);
  return norm <= r ? Array.from(x) : Array.from(x, (v) => (v * r) / norm);
}

/** Round half to even, as wasm `nearest` does. */
function nearestEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The index m of the zero level (lo + step·m = 0 exactly, 0 ≤ m ≤ kmax), or −1: as the kernel decides it. */
export function gridZeroLevel(lo: number, step: number, kmax: number): number {
  const m = Math.round(-lo / step);
  return m >= 0 && m <= kmax && lo + step * m === 0 ? m : -1;
}

/**
 * The grid projection with each f32 operation rounded as the kernel rounds it (exact reference):
 * counted from the zero level when there is one, else from lo.
 */
export function grid(x: ArrayLike<number>, lo: number, step: number, kmax: number): number[] {
  const m = gridZeroLevel(lo, step, kmax);
  const o = m >= 0 ? 0 : lo, klo = m >= 0 ? -m : 0, khi = m >= 0 ? kmax - m : kmax;
  return Array.from(x, (v) => {
    const k = Math.min(Math.max(nearestEven(f(f(v - o) * f(1 / step))), klo), khi);
    return f(o + f(step * k));
  });
}

/** The grid's levels as the kernel computes them (k = 0..kmax). */
export function gridLevels(lo: number, step: number, kmax: number): number[] {
  const m = gridZeroLevel(lo, step, kmax);
  return Array.from({ length: kmax + 1 }, (_, k) => (m >= 0 ? f(0 + f(step * (k - m))) : f(lo + f(step * k))));
}

/** The simplex threshold τ by sorting: Σ max(v − τ, 0) = s. */
export function simplexThreshold(v: ArrayLike<number>, s: number): number {
  const u = Array.from(v).sort((a, b) => b - a);
  let sum = 0, tau = 0;
  for (let j = 0; j < u.length; j++) {
    sum += u[j];
    const t = (sum - s) / (j + 1);
    if (u[j] - t > 0) tau = t;
  }
  return tau;
}

export function simplex(x: ArrayLike<number>, s: number): number[] {
  const tau = simplexThreshold(x, s);
  return Array.from(x, (v) => Math.max(v - tau, 0));
}

export function l1Ball(x: ArrayLike<number>, r: number): number[] {
  let l1 = 0;
  for (let i = 0; i < x.length; i++) l1 += Math.abs(x[i]);
  if (l1 <= r) return Array.from(x);
  const tau = simplexThreshold(Array.from(x, Math.abs), r);
  return Array.from(x, (v) => Math.sign(v) * Math.max(Math.abs(v) - tau, 0) + 0);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
