// Independent plain-TS f64 references for networks and losses, and central
// finite differences, used by the nn/loss tests.

/** 2/√π ∫_a^b e^(−t²) dt by composite Simpson with m intervals. */
function simpson(a: number, b: number, m = 20000): number {
  const h = (b - a) / m;
  let s = Math.exp(-a * a) + Math.exp(-b * b);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * Math.exp(-((a + i * h) ** 2));
  return ((s * h) / 3) * (2 / Math.sqrt(Math.PI));
}

/** erfc(a) for a >= 0 as the tail integral on [a, a + 8] (Simpson error ~1e-16 relative here, no cancellation). */
export function erfcRef(a: number, m = 20000): number {
  return simpson(a, a + 8, m);
}

/** erf by Simpson integration: ∫ from 0 for |z| < 1, else 1 − erfc(|z|). */
export function erfRef(z: number): number {
  const a = Math.abs(z);
  const r = a < 1 ? simpson(0, a) : 1 - erfcRef(a);
  return z < 0 ? -r : r;
}

/**
 * Φ(x) with relative accuracy in the left tail. 2,000 Simpson intervals (relative
 * error < 1e-11, ample for f32 kernels and gradient checks) keep the network tests fast;
 * the erf kernel test uses the 20,000-interval erfRef.
 */
export function normCdfRef(x: number): number {
  const z = x / Math.SQRT2, a = Math.abs(z);
  if (a < 1) return 0.5 * (1 + (z < 0 ? -1 : 1) * simpson(0, a, 2000));
  return z < 0 ? 0.5 * erfcRef(a, 2000) : 1 - 0.5 * erfcRef(a, 2000);
}

export type ActName = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu' | 'gelu_tanh' | 'softplus' | 'identity';

/** f(x) in f64 (PyTorch's definitions; leakyRelu slope 0.01, softplus beta 1 threshold 20). */
export function actRef(name: ActName, x: number, slope = 0.01, beta = 1, threshold = 20): number {
  switch (name) {
    case 'relu': return x > 0 ? x : 0;
    case 'leakyRelu': return x > 0 ? x : slope * x;
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'gelu': return x * normCdfRef(x);
    case 'gelu_tanh': return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    case 'softplus': return beta * x > threshold ? x : Math.log1p(Math.exp(beta * x)) / beta;
    case 'identity': return x;
  }
}

export type RefLayer =
  | { type: 'linear'; in: number; out: number; bias: boolean }
  | { type: 'act'; name: ActName; slope?: number }
  | { type: 'dropout'; mask: ArrayLike<number> };

/** Forward of a layer list in f64; params in PyTorch order (W [out, in] row-major, then b). */
export function forwardRef(layers: RefLayer[], params: ArrayLike<number>, x: ArrayLike<number>, n: number, d0: number): { y: Float64Array; width: number } {
  let a = Float64Array.from(x);
  let w = d0;
  let off = 0;
  for (const l of layers) {
    if (l.type === 'linear') {
      const out = new Float64Array(n * l.out);
      const bOff = off + l.in * l.out;
      for (let r = 0; r < n; r++) {
        for (let o = 0; o < l.out; o++) {
          let s = l.bias ? params[bOff + o] : 0;
          for (let i = 0; i < l.in; i++) s += a[r * l.in + i] * params[off + o * l.in + i];
          out[r * l.out + o] = s;
        }
      }
      off += l.in * l.out + (l.bias ? l.out : 0);
      a = out;
      w = l.out;
    } else if (l.type === 'act') {
      a = a.map((v) => actRef(l.name, v, l.slope));
    } else {
      a = a.map((v, i) => v * l.mask[i]);
    }
  }
  return { y: a, width: w };
}

export type RefLoss = (y: Float64Array, n: number, k: number) => number;

export const lossRef = {
  mse: (t: ArrayLike<number>, reduction: 'half-mean' | 'mean' | 'sum' = 'half-mean'): RefLoss => (y, n, k) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += (y[i] - t[i]) ** 2;
    return reduction === 'sum' ? s : reduction === 'mean' ? s / (n * k) : s / (2 * n);
  },
  /** labels or probability rows; label smoothing eps; mean over rows */
  xent: (t: Int32Array | ArrayLike<number>, eps = 0, reduction: 'mean' | 'sum' = 'mean'): RefLoss => (y, n, k) => {
    let total = 0;
    for (let r = 0; r < n; r++) {
      let mx = -Infinity;
      for (let j = 0; j < k; j++) mx = Math.max(mx, y[r * k + j]);
      let se = 0;
      for (let j = 0; j < k; j++) se += Math.exp(y[r * k + j] - mx);
      const lse = mx + Math.log(se);
      for (let j = 0; j < k; j++) {
        const tj = t instanceof Int32Array ? (t[r] === j ? 1 : 0) : t[r * k + j];
        const ts = (1 - eps) * tj + eps / k;
        total += ts * (lse - y[r * k + j]);
      }
    }
    return reduction === 'sum' ? total : total / n;
  },
  bce: (t: ArrayLike<number>): RefLoss => (y) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const p = 1 / (1 + Math.exp(-y[i]));
      s += -(t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p));
    }
    return s / y.length;
  },
  poisson: (t: ArrayLike<number>): RefLoss => (y) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += Math.exp(y[i]) - t[i] * y[i];
    return s / y.length;
  },
  huber: (t: ArrayLike<number>, delta = 1): RefLoss => (y) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const a = Math.abs(y[i] - t[i]);
      s += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
    }
    return s / y.length;
  },
};

/** Central differences in f64 of f at p, step h·max(1, |p_i|). */
export function fdGrad(f: (p: Float64Array) => number, p0: ArrayLike<number>, h = 1e-6): Float64Array {
  const p = Float64Array.from(p0);
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i], step = h * Math.max(1, Math.abs(v));
    p[i] = v + step;
    const fp = f(p);
    p[i] = v - step;
    const fm = f(p);
    p[i] = v;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}

/**
 * Gradient comparison: the analytic gradient is computed in f32, so each entry
 * carries an absolute rounding error of order 1e-7 times the size of the terms
 * summed into it (|g| at most, and the largest gradient entry bounds that), while
 * the f64 central differences are exact to ~1e-9 here. Hence
 * |g - g_fd| <= 1e-4·|g_fd| + 2e-5·max|g_fd|: a wrong formula misses by O(1).
 */
export function gradTolerance(ref: ArrayLike<number>): { rtol: number; atol: number } {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]));
  return { rtol: 1e-4, atol: 2e-5 * Math.max(m, 1e-3) };
}
