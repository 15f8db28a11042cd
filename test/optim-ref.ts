// Independent plain-TS f64 references of the optimizers, written from the
// formulas in the PyTorch docs and the papers (not from src/optim): one step
// updates p (Float64Array) in place from gradient g; `st` holds the state.

export type State = Record<string, Float64Array | number>;
export type Opts = Record<string, any>;

const arr = (st: State, k: string, n: number, fill = 0): Float64Array => {
  if (!(st[k] instanceof Float64Array)) st[k] = new Float64Array(n).fill(fill);
  return st[k] as Float64Array;
};

/** d_i = (maximize ? -g : g) + wd * p */
function dir(p: Float64Array, g: Float64Array, o: Opts, wd = o.weightDecay ?? 0): Float64Array {
  const s = o.maximize ? -1 : 1;
  return p.map((pi, i) => s * g[i] + wd * pi);
}

export const ref: Record<string, (p: Float64Array, g: Float64Array, st: State, o: Opts, lr: number, t: number) => void> = {
  sgd(p, g, st, o, lr, t) {
    const n = p.length, mu = o.momentum ?? 0, damp = o.dampening ?? 0;
    const d = dir(p, g, o);
    if (mu === 0) {
      for (let i = 0; i < n; i++) p[i] -= lr * d[i];
      return;
    }
    const b = arr(st, 'buf', n);
    if (o.heavyBall) {
      for (let i = 0; i < n; i++) {
        b[i] = mu * b[i] - lr * d[i];
        p[i] += b[i];
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      b[i] = t === 1 ? d[i] : mu * b[i] + (1 - damp) * d[i];
      const u = o.nesterov ? d[i] + mu * b[i] : b[i];
      p[i] -= lr * u;
    }
  },
  adagrad(p, g, st, o, lr, t) {
    const n = p.length, s = arr(st, 's', n, o.initialAccumulatorValue ?? 0), eps = o.eps ?? 1e-10;
    const d = dir(p, g, o);
    const clr = lr / (1 + (t - 1) * (o.lrDecay ?? 0));
    for (let i = 0; i < n; i++) {
      s[i] += d[i] * d[i];
      p[i] -= (clr * d[i]) / (Math.sqrt(s[i]) + eps);
    }
  },
  rmsprop(p, g, st, o, lr) {
    const n = p.length, a = o.alpha ?? 0.99, eps = o.eps ?? 1e-8, mu = o.momentum ?? 0;
    const s = arr(st, 's', n), ga = arr(st, 'ga', n), b = arr(st, 'buf', n);
    const d = dir(p, g, o);
    for (let i = 0; i < n; i++) {
      s[i] = a * s[i] + (1 - a) * d[i] * d[i];
      let q = s[i];
      if (o.centered) {
        ga[i] = a * ga[i] + (1 - a) * d[i];
        q -= ga[i] * ga[i];
      }
      const u = d[i] / (Math.sqrt(q) + eps);
      if (mu > 0) {
        b[i] = mu * b[i] + u;
        p[i] -= lr * b[i];
      } else p[i] -= lr * u;
    }
  },
  adam(p, g, st, o, lr, t) {
    const n = p.length, [b1, b2] = o.betas ?? [0.9, 0.999], eps = o.eps ?? 1e-8, wd = o.weightDecay ?? 0;
    const m = arr(st, 'm', n), v = arr(st, 'v', n), vmax = arr(st, 'vmax', n);
    const bc = o.biasCorrection ?? true;
    const bc1 = bc ? 1 - b1 ** t : 1, bc2 = bc ? 1 - b2 ** t : 1;
    if (o.decoupled) for (let i = 0; i < n; i++) p[i] *= 1 - lr * wd;
    const d = dir(p, g, o, o.decoupled ? 0 : wd);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * d[i];
      v[i] = b2 * v[i] + (1 - b2) * d[i] * d[i];
      vmax[i] = Math.max(vmax[i], v[i]);
      const vv = o.amsgrad ? vmax[i] : v[i];
      p[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(vv) / Math.sqrt(bc2) + eps);
    }
  },
  adamax(p, g, st, o, lr, t) {
    const n = p.length, [b1, b2] = o.betas ?? [0.9, 0.999], eps = o.eps ?? 1e-8;
    const m = arr(st, 'm', n), u = arr(st, 'u', n);
    const d = dir(p, g, o);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * d[i];
      u[i] = Math.max(b2 * u[i], Math.abs(d[i]) + eps);
      p[i] -= ((lr / (1 - b1 ** t)) * m[i]) / u[i];
    }
  },
  nadam(p, g, st, o, lr, t) {
    const n = p.length, [b1, b2] = o.betas ?? [0.9, 0.999], eps = o.eps ?? 1e-8, psi = o.momentumDecay ?? 4e-3;
    const m = arr(st, 'm', n), v = arr(st, 'v', n);
    const muT = (k: number) => b1 * (1 - 0.5 * 0.96 ** (k * psi));
    // prod_{i<=t} mu_i, recomputed from scratch
    let prod = 1;
    for (let k = 1; k <= t; k++) prod *= muT(k);
    const d = dir(p, g, o);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * d[i];
      v[i] = b2 * v[i] + (1 - b2) * d[i] * d[i];
      const den = Math.sqrt(v[i] / (1 - b2 ** t)) + eps;
      p[i] -= (lr * (1 - muT(t)) * d[i]) / (1 - prod) / den + (lr * muT(t + 1) * m[i]) / (1 - prod * muT(t + 1)) / den;
    }
  },
  radam(p, g, st, o, lr, t) {
    const n = p.length, [b1, b2] = o.betas ?? [0.9, 0.999], eps = o.eps ?? 1e-8;
    const m = arr(st, 'm', n), v = arr(st, 'v', n);
    const d = dir(p, g, o);
    const rinf = 2 / (1 - b2) - 1;
    const rt = rinf - (2 * t * b2 ** t) / (1 - b2 ** t);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * d[i];
      v[i] = b2 * v[i] + (1 - b2) * d[i] * d[i];
      const mhat = m[i] / (1 - b1 ** t);
      if (rt > 5) {
        const r = Math.sqrt(((rt - 4) * (rt - 2) * rinf) / ((rinf - 4) * (rinf - 2) * rt));
        p[i] -= (lr * mhat * r * Math.sqrt(1 - b2 ** t)) / (Math.sqrt(v[i]) + eps);
      } else p[i] -= lr * mhat;
    }
  },
  adadelta(p, g, st, o, lr) {
    const n = p.length, rho = o.rho ?? 0.9, eps = o.eps ?? 1e-6;
    const s = arr(st, 's', n), acc = arr(st, 'acc', n);
    const d = dir(p, g, o);
    for (let i = 0; i < n; i++) {
      s[i] = rho * s[i] + (1 - rho) * d[i] * d[i];
      const dx = (Math.sqrt(acc[i] + eps) / Math.sqrt(s[i] + eps)) * d[i];
      acc[i] = rho * acc[i] + (1 - rho) * dx * dx;
      p[i] -= lr * dx;
    }
  },
};
ref.adamw = (p, g, st, o, lr, t) => ref.adam(p, g, st, { ...o, decoupled: true, weightDecay: o.weightDecay ?? 1e-2 }, lr, t);

/** Which reference a named optimizer uses. */
export const refFor = (name: string) => ref[name];
