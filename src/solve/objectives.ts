// Built-in test objectives for minimize(): value and gradient (`fun`), dense
// Hessian (`hess`), Hessian-vector product (`hessp`), a standard start point and
// the known minimum where there is one (null for the data-fitted problems, whose
// minimum comes from a solver). Formulas in each doc comment; plain f64 loops, except
// the GLMs (glm.ts), which also run in an engine's core.
import { ValueError } from '../errors.js';
import { glm, type GlmOptions } from './glm.js';
import type { Objective } from './objective.js';
import type { Fun } from './problem.js';

export type { Objective };

function make(name: string, n: number, fun: Fun, hess: Objective['hess'], x0: number[], xmin: number[] | null, fmin: number, hessp?: Objective['hessp']): Objective {
  const H = new Float64Array(n * n);
  const hp = hessp ?? ((x: Float64Array, p: Float64Array, out: Float64Array) => {
    hess(x, H);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += H[i * n + j] * p[j];
      out[i] = s;
    }
  });
  return {
    name, n, fun, hess, hessp: hp, fmin, dispose() {},
    get x0() { return Float64Array.from(x0); },
    get xmin() { return xmin ? Float64Array.from(xmin) : null; },
  };
}

/** f(x) = ½ Σ λ_i x_i² − Σ λ_i x_i (diagonal, eigenvalues λ > 0): minimum −½Σλ_i at x = 1; start 0. Condition number max λ / min λ. */
export function quadratic(eigenvalues: ArrayLike<number>): Objective {
  const lam = Float64Array.from(eigenvalues);
  const n = lam.length;
  if (n < 1 || !lam.every((v) => v > 0 && Number.isFinite(v))) throw new ValueError(`objectives.quadratic: eigenvalues must be finite numbers > 0, got [${Array.from(lam).join(', ')}]`);
  const fun: Fun = (x, g) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      f += 0.5 * lam[i] * x[i] * x[i] - lam[i] * x[i];
      if (g) g[i] = lam[i] * (x[i] - 1);
    }
    return f;
  };
  const hess = (_x: Float64Array, H: Float64Array) => {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = lam[i];
  };
  const hessp = (_x: Float64Array, p: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = lam[i] * p[i];
  };
  return make(`quadratic(n=${n})`, n, fun, hess, new Array(n).fill(0), new Array(n).fill(1), -0.5 * lam.reduce((a, b) => a + b, 0), hessp);
}

/** Rosenbrock, n-dimensional: Σ_{i<n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)²; minimum 0 at x = 1; start (−1.2, 1, −1.2, 1, …). */
export function rosenbrock(n = 2): Objective {
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`objectives.rosenbrock: n must be an integer >= 2, got ${n}`);
  const fun: Fun = (x, g) => {
    let f = 0;
    if (g) g.fill(0);
    for (let i = 0; i < n - 1; i++) {
      const a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
      f += 100 * a * a + b * b;
      if (g) {
        g[i] += -400 * x[i] * a - 2 * b;
        g[i + 1] += 200 * a;
      }
    }
    return f;
  };
  const hess = (x: Float64Array, H: Float64Array) => {
    H.fill(0);
    for (let i = 0; i < n - 1; i++) {
      H[i * n + i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
      H[i * n + i + 1] += -400 * x[i];
      H[(i + 1) * n + i] += -400 * x[i];
      H[(i + 1) * n + i + 1] += 200;
    }
  };
  const hessp = (x: Float64Array, p: Float64Array, out: Float64Array) => {
    out.fill(0);
    for (let i = 0; i < n - 1; i++) {
      out[i] += (1200 * x[i] * x[i] - 400 * x[i + 1] + 2) * p[i] - 400 * x[i] * p[i + 1];
      out[i + 1] += -400 * x[i] * p[i] + 200 * p[i + 1];
    }
  };
  return make(`rosenbrock(n=${n})`, n, fun, hess, Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)), new Array(n).fill(1), 0, hessp);
}

/** Builds a 2-D objective from f, ∇f and ∇²f written for (x, y). */
function twoD(name: string, f: (x: number, y: number) => number, grad: (x: number, y: number) => [number, number],
  hess: (x: number, y: number) => [number, number, number], x0: number[], xmin: number[] | null, fmin: number): Objective {
  return make(name, 2, (v, g) => {
    if (g) [g[0], g[1]] = grad(v[0], v[1]);
    return f(v[0], v[1]);
  }, (v, H) => {
    const [a, b, c] = hess(v[0], v[1]);
    H[0] = a; H[1] = b; H[2] = b; H[3] = c;
  }, x0, xmin, fmin);
}

/** Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; minimum 0 at (3, 0.5); start (1, 1). */
export function beale(): Objective {
  const c = [1.5, 2.25, 2.625];
  return twoD('beale', (x, y) => {
    let f = 0;
    for (let k = 0; k < 3; k++) f += (c[k] - x + x * y ** (k + 1)) ** 2;
    return f;
  }, (x, y) => {
    let gx = 0, gy = 0;
    for (let k = 0; k < 3; k++) {
      const r = c[k] - x + x * y ** (k + 1);
      gx += 2 * r * (y ** (k + 1) - 1);
      gy += 2 * r * x * (k + 1) * y ** k;
    }
    return [gx, gy];
  }, (x, y) => {
    let hxx = 0, hxy = 0, hyy = 0;
    for (let k = 0; k < 3; k++) {
      const p = k + 1, r = c[k] - x + x * y ** p;
      const rx = y ** p - 1, ry = x * p * y ** (p - 1);
      hxx += 2 * rx * rx;
      hxy += 2 * (ry * rx + r * p * y ** (p - 1));
      hyy += 2 * (ry * ry + r * x * p * (p - 1) * (p >= 2 ? y ** (p - 2) : 0));
    }
    return [hxx, hxy, hyy];
  }, [1, 1], [3, 0.5], 0);
}

/** Booth: (x + 2y − 7)² + (2x + y − 5)²; minimum 0 at (1, 3); start (0, 0). */
export function booth(): Objective {
  return twoD('booth', (x, y) => (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    (x, y) => [2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)],
    () => [10, 8, 10], [0, 0], [1, 3], 0);
}

/** Double well: (x² − 1)² + y²; minima 0 at (±1, 0), a saddle at the origin; start (0.5, 0.5) (→ (1, 0)). */
export function doubleWell(): Objective {
  return twoD('doubleWell', (x, y) => (x * x - 1) ** 2 + y * y, (x, y) => [4 * x * (x * x - 1), 2 * y],
    (x) => [12 * x * x - 4, 0, 2], [0.5, 0.5], [1, 0], 0);
}

/** Saddle: ½(x² − y²); a saddle point at the origin, unbounded below (fmin −∞); start (1, 1e-3). */
export function saddle(): Objective {
  return twoD('saddle', (x, y) => 0.5 * (x * x - y * y), (x, y) => [x, -y], () => [1, 0, -1], [1, 1e-3], null, -Infinity);
}

/**
 * L2-regularized logistic regression, labels y ∈ {0, 1}, mean loss: f(w) = (1/m) Σ [log(1 + e^{z_i}) − y_i z_i] + (λ/2)‖w‖²,
 * z = X·w (X row-major m·d; see glm.ts). Start 0; minimum from a solver. `{ core: engine }` (or
 * `engine.objectives.logisticRegression`) keeps X in the engine's memory and evaluates with its kernels; `dispose()` frees it.
 */
export function logisticRegression(X: ArrayLike<number>, y: ArrayLike<number>, l2 = 1e-2, options?: GlmOptions): Objective {
  return glm('logisticRegression', X, y, l2, false, options);
}

/** L2-regularized Poisson regression with log link, counts y >= 0, mean loss (f = (1/m) Σ [e^{z_i} − y_i z_i] + (λ/2)‖w‖²; see glm.ts). Start 0. */
export function poissonGlm(X: ArrayLike<number>, y: ArrayLike<number>, l2 = 1e-2, options?: GlmOptions): Objective {
  return glm('poissonGlm', X, y, l2, true, options);
}

/**
 * Deep linear least squares of depth L with width 1: f(w) = (1/2m) Σ_i (w_L⋯w_1·x_i − y_i)²
 * on the data (x_i, y_i = target·x_i), x_i = i/m. Minimum 0 on the manifold ∏w = target
 * (a non-isolated minimum: ∇²f is singular there); start w = 0.5·1. With P = ∏w,
 * P_k = ∏_{j≠k} w_j, r_i = P x_i − y_i: ∂f/∂w_k = (1/m) Σ r_i x_i P_k,
 * ∂²f/∂w_k∂w_l = (1/m) Σ x_i² P_k P_l + r_i x_i P_kl (P_kl = ∏_{j≠k,l} w_j, P_kk = 0).
 */
export function deepLinear(depth = 3, target = 2, m = 16): Objective {
  if (!Number.isInteger(depth) || depth < 1) throw new ValueError(`objectives.deepLinear: depth must be an integer >= 1, got ${depth}`);
  const xs = Float64Array.from({ length: m }, (_, i) => (i + 1) / m);
  let sxx = 0;
  for (const x of xs) sxx += x * x;
  sxx /= m;
  // Σ r_i x_i / m = (P − target)·sxx and Σ r_i² / 2m = (P − target)²·sxx / 2
  const prodExcept = (w: Float64Array, k: number, l = -1) => {
    let p = 1;
    for (let j = 0; j < depth; j++) if (j !== k && j !== l) p *= w[j];
    return p;
  };
  const fun: Fun = (w, g) => {
    const P = prodExcept(w, -1), e = P - target;
    if (g) for (let k = 0; k < depth; k++) g[k] = e * sxx * prodExcept(w, k);
    return 0.5 * e * e * sxx;
  };
  const hess = (w: Float64Array, H: Float64Array) => {
    const e = prodExcept(w, -1) - target;
    for (let k = 0; k < depth; k++) for (let l = 0; l < depth; l++) {
      H[k * depth + l] = sxx * prodExcept(w, k) * prodExcept(w, l) + (k === l ? 0 : e * sxx * prodExcept(w, k, l));
    }
  };
  const xmin = new Array(depth).fill(Math.sign(target) * Math.abs(target) ** (1 / depth));
  if (target < 0 && depth % 2 === 0) xmin[0] = -xmin[0];
  return make(`deepLinear(depth=${depth})`, depth, fun, hess, new Array(depth).fill(0.5), xmin, 0);
}
