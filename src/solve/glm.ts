// GLM objectives (L2 logistic and Poisson regression) in two homes:
//   - on the host: X in a Float64Array, one pass over its rows per evaluation;
//   - in a core (`{ core: engine }`, or engine.objectives): X copied once into the
//     engine's arena, every fun/hessp one kernel call (assembly/glm.ts: blocked
//     f64_gemv_n / f64_gemv_t on f64x2 lanes, the link in one scalar pass).
// Both run the same formulas in the same order (the kernels' contract, assembly/glm.ts):
// their results differ only where Math.exp/log1p round differently (V8's and
// AssemblyScript's; each within 1 ulp).
//
// Memory: a core objective owns one arena block (X, y and its vectors), like a model:
// it is the caller's; `dispose()` frees it, and using it afterwards is a StateError.
// minimize() never allocates or frees it.
import { MemoryError, ShapeError, StateError, ValueError } from '../errors.js';
import { Core } from '../runtime/core.js';
import { checkKnown, describe } from '../runtime/validate.js';
import type { Objective } from './objective.js';
import type { Fun } from './problem.js';

/** Options of objectives.logisticRegression / poissonGlm. */
export interface GlmOptions {
  /** an engine: X lives in its memory and every evaluation runs its kernels (call `dispose()` when done) */
  core?: Core;
}

const LOGISTIC = 0, POISSON = 1;

/** Rows of X per block of the core kernels: about 32 KiB of X, so the second read (gemv_t) hits L1. */
export function glmBlock(m: number, d: number): number {
  return Math.max(1, Math.min(m, Math.floor(4096 / Math.max(1, d))));
}

/** Checks a row-major design matrix X (m·d), targets y (m) and l2; returns [m, d]. */
function data(op: string, X: ArrayLike<number>, y: ArrayLike<number>, l2: number): [number, number] {
  if (!X || typeof X.length !== 'number') throw new ValueError(`${op}: X must be an array-like of m·d numbers, got ${describe(X)}`);
  if (!y || typeof y.length !== 'number') throw new ValueError(`${op}: y must be an array-like of m numbers, got ${describe(y)}`);
  const m = y.length;
  if (m < 1 || X.length % m !== 0) throw new ShapeError(`${op}: X must hold m·d numbers for the m = ${m} targets, got ${X.length}`);
  if (typeof l2 !== 'number' || !(l2 >= 0) || !Number.isFinite(l2)) throw new ValueError(`${op}: l2 must be a finite number >= 0, got ${describe(l2)}`);
  return [m, X.length / m];
}

/** Σ x_i·y_i over n entries from offsets ox, oy in f64_dot's order (4 strided partial sums, then the tail). */
function dot4(n: number, x: Float64Array, ox: number, y: Float64Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += x[ox + j] * y[j];
    s1 += x[ox + j + 1] * y[j + 1];
    s2 += x[ox + j + 2] * y[j + 2];
    s3 += x[ox + j + 3] * y[j + 3];
  }
  let t = (s0 + s1) + (s2 + s3);
  for (; j < n; j++) t += x[ox + j] * y[j];
  return t;
}

/** scale·A''(z) (logistic μ(1 − μ), Poisson e^z). */
function curvature(kind: number, z: number, scale: number): number {
  if (kind === POISSON) return scale * Math.exp(z);
  const e = Math.exp(-Math.abs(z)), mu = z >= 0 ? 1 / (1 + e) : e / (1 + e);
  return scale * (mu * (1 - mu));
}

/** The host twin of assembly/glm.ts: one pass over the rows of X per call. */
function hostGlm(kind: number, m: number, d: number, X: Float64Array, Y: Float64Array, l2: number) {
  const scale = 1 / m;
  const fun: Fun = (w, g) => {
    let s = 0;
    if (g) for (let j = 0; j < d; j++) g[j] = l2 * w[j];
    for (let i = 0, off = 0; i < m; i++, off += d) {
      const z = dot4(d, X, off, w), yi = Y[i];
      let t: number;
      if (kind === LOGISTIC) {
        const e = Math.exp(-Math.abs(z));
        s += ((z > 0 ? z : 0) + Math.log1p(e)) - yi * z;
        if (!g) continue;
        t = scale * ((z >= 0 ? 1 / (1 + e) : e / (1 + e)) - yi);
      } else {
        const e = Math.exp(z);
        s += e - yi * z;
        if (!g) continue;
        t = scale * (e - yi);
      }
      for (let j = 0; j < d; j++) g[j] += t * X[off + j];
    }
    return scale * s + 0.5 * l2 * dot4(d, w, 0, w);
  };
  const hessp = (w: Float64Array, p: Float64Array, out: Float64Array) => {
    for (let j = 0; j < d; j++) out[j] = l2 * p[j];
    for (let i = 0, off = 0; i < m; i++, off += d) {
      const t = curvature(kind, dot4(d, X, off, w), scale) * dot4(d, X, off, p);
      for (let j = 0; j < d; j++) out[j] += t * X[off + j];
    }
  };
  const hess = (w: Float64Array, H: Float64Array) => denseHessian(kind, m, d, X, 0, w, H, scale, l2);
  return { fun, hess, hessp, dispose() {} };
}

/**
 * H = Σ_i scale·A''(z_i) x_i x_iᵀ + l2·I from X at element offset `ox` (a host array, or a view
 * of the core's memory): the upper triangle accumulates over i in order, then l2 joins the
 * diagonal and the lower triangle is mirrored. On the host in both homes (only 'newton' asks for
 * H, of a d×d that is small by then; the core's bytes are spent on fun and hessp).
 */
function denseHessian(kind: number, m: number, d: number, X: Float64Array, ox: number, w: Float64Array, H: Float64Array, scale: number, l2: number): void {
  H.fill(0, 0, d * d);
  for (let i = 0, off = ox; i < m; i++, off += d) {
    const c = curvature(kind, dot4(d, X, off, w), scale);
    for (let a = 0; a < d; a++) {
      const s = c * X[off + a], row = a * d;
      for (let b = a; b < d; b++) H[row + b] += s * X[off + b];
    }
  }
  for (let a = 0; a < d; a++) {
    H[a * d + a] += l2;
    for (let b = 0; b < a; b++) H[a * d + b] = H[b * d + a];
  }
}

/** The core home: one arena block [X | y | w | p | out | scratch], kernels from assembly/glm.ts. */
function coreGlm(op: string, name: string, core: Core, kind: number, m: number, d: number, X: ArrayLike<number>, y: ArrayLike<number>, l2: number) {
  const pad = (n: number) => Math.ceil(n / 2) * 2; // doubles, so every part stays 16-byte aligned
  const block = glmBlock(m, d);
  const sizes = [pad(m * d), pad(m), pad(d), pad(d), pad(d), pad(2 * block)];
  const total = sizes.reduce((a, b) => a + b, 0);
  let base: number;
  try {
    base = core.arena.alloc(total * 8);
  } catch (e) {
    if (e instanceof MemoryError) throw new MemoryError(`${op}: X (${m}×${d} doubles) and its vectors need ${total * 8} bytes: ${e.message}`, e.requested, e.available);
    throw e;
  }
  const at: number[] = [];
  sizes.reduce((o, s) => (at.push(o), o + s * 8), base);
  const [pX, pY, pW, pP, pOut, pZ] = at;
  const k = core.kernels, scale = 1 / m;
  let view = new Float64Array(core.memory.buffer);
  view.set(X, pX / 8);
  view.set(y, pY / 8);
  let live = true;
  /** the whole memory as f64 (re-made after a memory.grow), after checking the objective is live and x has length d */
  const mem = (what: string, x: Float64Array): Float64Array => {
    if (!live) throw new StateError(`${name}: ${what} after dispose()`);
    if (x.length !== d) throw new ShapeError(`${name}: ${what} needs a vector of length ${d}, got ${x.length}`);
    if (view.buffer !== core.memory.buffer) view = new Float64Array(core.memory.buffer);
    return view;
  };
  const copyOut = (v: Float64Array, p: number, out: Float64Array, n: number) => {
    for (let j = 0, o = p / 8; j < n; j++) out[j] = v[o + j];
  };
  const fun: Fun = (w, g) => {
    const v = mem('fun', w);
    v.set(w, pW / 8);
    const f = k.f64_glm_fg(kind, m, d, block, pX, pY, pW, pOut, pZ, scale, l2, g ? 1 : 0);
    if (g) copyOut(v, pOut, g, d);
    return f;
  };
  const hessp = (w: Float64Array, p: Float64Array, out: Float64Array) => {
    const v = mem('hessp', w);
    if (p.length !== d) throw new ShapeError(`${name}: hessp needs p of length ${d}, got ${p.length}`);
    v.set(w, pW / 8);
    v.set(p, pP / 8);
    k.f64_glm_hessp(kind, m, d, block, pX, pW, pP, pOut, pZ, scale, l2);
    copyOut(v, pOut, out, d);
  };
  const hess = (w: Float64Array, H: Float64Array) => denseHessian(kind, m, d, mem('hess', w), pX / 8, w, H, scale, l2);
  const dispose = () => {
    if (live) core.arena.free(base);
    live = false;
  };
  return { fun, hess, hessp, dispose };
}

/**
 * A GLM with L2: f(w) = (1/m) Σ_i [A(z_i) − y_i z_i] + (λ/2)‖w‖², z = X·w (X row-major m·d).
 * Logistic: A(z) = log(1 + e^z), μ = σ(z), A'' = μ(1 − μ). Poisson: A(z) = e^z, μ = A'' = e^z.
 * ∇f = Xᵀ(μ − y)/m + λw;  ∇²f = Xᵀ diag(A''(z)) X / m + λI  (McCullagh & Nelder, ch. 2).
 */
export function glm(name: string, X: ArrayLike<number>, y: ArrayLike<number>, l2: number, poisson: boolean, options: GlmOptions = {}): Objective {
  const op = `objectives.${name}`;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${op}: options must be an object, got ${describe(options)}`);
  checkKnown(op, options, ['core']);
  const core = options.core;
  if (core !== undefined && !(core instanceof Core)) throw new ValueError(`${op}: options.core must be an engine (from init()), got ${describe(core)}`);
  const [m, d] = data(op, X, y, l2);
  const kind = poisson ? POISSON : LOGISTIC;
  const full = `${name}(m=${m}, d=${d}${core ? ', core' : ''})`;
  const impl = core
    ? coreGlm(op, full, core, kind, m, d, X, y, l2)
    : hostGlm(kind, m, d, Float64Array.from(X), Float64Array.from(y), l2);
  return {
    name: full, n: d, fun: impl.fun, hess: impl.hess, hessp: impl.hessp, fmin: NaN, xmin: null, dispose: impl.dispose,
    get x0() { return new Float64Array(d); },
  };
}
