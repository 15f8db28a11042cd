// The solvers' vectors: one interface, two homes.
//
// `VecOps<V>` is the BLAS-1 a solver needs (dot, nrm2, axpy, axpby, scal, copy).
// - `hostSpace(n)`: V = Float64Array, plain loops (small n, or no core).
// - `coreSpace(core, n, count)`: V = a byte offset of n doubles in the core's
//   arena, every op one f64 kernel call (SIMD); `count` vectors are planned in
//   ONE block at creation, and `dispose()` frees it (solvers call it in
//   `finally`, so the arena is as it was after a return or a throw).
// `fun` always sees host Float64Arrays: `load`/`store` copy between a vector
// and a host array through a view made at the call (the user's code may grow
// the memory, which detaches older views).
//
// The L-BFGS two-loop recursion (`twoLoop`) is written once over `VecOps<V>`,
// so an f32 space over the core's f32 kernels can reuse it.
import type { Core } from '../runtime/core.js';

/** BLAS-1 over vectors of type V (all of one length n). */
export interface VecOps<V> {
  readonly n: number;
  dot(x: V, y: V): number;
  nrm2(x: V): number;
  /** y <- alpha·x + y */
  axpy(alpha: number, x: V, y: V): void;
  /** y <- alpha·x + beta·y */
  axpby(alpha: number, x: V, beta: number, y: V): void;
  /** x <- alpha·x */
  scal(alpha: number, x: V): void;
  /** y <- x */
  copy(x: V, y: V): void;
}

/** A VecOps that also hands out planned vectors and moves them to and from host arrays. */
export interface Space<V> extends VecOps<V> {
  /** true when V is Float64Array (load/store are plain copies and vectors can be handed to fun) */
  readonly onHost: boolean;
  /** the next planned vector (zero-filled); throws past the planned count */
  vec(): V;
  /** host <- v */
  load(v: V, host: Float64Array): void;
  /** v <- host */
  store(host: Float64Array, v: V): void;
  /** Frees what the space allocated (idempotent). */
  dispose(): void;
}

/**
 * Σ x_i·y_i in the order of the core's f64_dot: 4 partial sums over i ≡ j (mod 4),
 * joined (s0 + s1) + (s2 + s3), then the tail; so host and core runs agree to the bit.
 */
function dot4(n: number, x: Float64Array, y: Float64Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  let t = (s0 + s1) + (s2 + s3);
  for (; i < n; i++) t += x[i] * y[i];
  return t;
}

/** Float64Array vectors with plain loops (the same arithmetic as the core's kernels). */
export function hostSpace(n: number): Space<Float64Array> {
  return {
    n,
    onHost: true,
    vec: () => new Float64Array(n),
    dot: (x, y) => dot4(n, x, y),
    nrm2(x) {
      const s = dot4(n, x, x);
      if (s > 1e-289 && s < Infinity) return Math.sqrt(s);
      let m = 0;
      for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(x[i]));
      if (!(m > 0) || m === Infinity) return Number.isNaN(s) ? s : m;
      let t = 0;
      for (let i = 0; i < n; i++) t += (x[i] / m) ** 2;
      return Math.sqrt(t) * m;
    },
    axpy(alpha, x, y) {
      for (let i = 0; i < n; i++) y[i] += alpha * x[i];
    },
    axpby(alpha, x, beta, y) {
      for (let i = 0; i < n; i++) y[i] = alpha * x[i] + beta * y[i];
    },
    scal(alpha, x) {
      for (let i = 0; i < n; i++) x[i] *= alpha;
    },
    copy: (x, y) => y.set(x),
    load: (v, host) => host.set(v),
    store: (host, v) => v.set(host),
    dispose() {},
  };
}

/** `count` vectors of n doubles in the core's arena (one block), ops as f64 kernel calls. */
export function coreSpace(core: Core, n: number, count: number): Space<number> {
  const k = core.kernels;
  const bytes = Math.max(16, Math.ceil((n * 8) / 16) * 16);
  const block = core.arena.alloc(bytes * count);
  new Float64Array(core.memory.buffer, block, (bytes * count) / 8).fill(0);
  let next = 0;
  let live = true;
  return {
    n,
    onHost: false,
    vec() {
      if (next >= count) throw new Error(`coreSpace: more than the ${count} planned vectors were asked for`);
      return block + bytes * next++;
    },
    dot: (x, y) => k.f64_dot(n, x, y),
    nrm2: (x) => k.f64_nrm2(n, x),
    axpy: (alpha, x, y) => k.f64_axpy(n, x, y, alpha),
    axpby: (alpha, x, beta, y) => k.f64_axpby(n, x, y, alpha, beta),
    scal: (alpha, x) => k.f64_scal(n, x, alpha),
    copy: (x, y) => k.f64_copy(n, x, y),
    load: (v, host) => host.set(new Float64Array(core.memory.buffer, v, n)),
    store: (host, v) => new Float64Array(core.memory.buffer, v, n).set(host),
    dispose() {
      if (live) core.arena.free(block);
      live = false;
    },
  };
}

/**
 * The L-BFGS two-loop recursion (Nocedal & Wright Alg. 7.4): on entry q = ∇f,
 * on exit q = H·∇f where H is the L-BFGS inverse-Hessian approximation built
 * from the last `count` pairs (s_i, y_i) with ρ_i = 1/(y_iᵀs_i), stored in the
 * rings S, Y, rho with the newest at index `newest`, and H₀ = gamma·I
 * (gamma = sᵀy/yᵀy of the newest pair, eq. 7.20). `alpha` is scratch (≥ count).
 *
 *   for i = newest … oldest: α_i = ρ_i s_iᵀq;  q ← q − α_i y_i
 *   q ← gamma·q
 *   for i = oldest … newest: β = ρ_i y_iᵀq;    q ← q + (α_i − β) s_i
 */
export function twoLoop<V>(
  ops: VecOps<V>, q: V, S: readonly V[], Y: readonly V[], rho: Float64Array, alpha: Float64Array, newest: number, count: number, gamma: number,
): void {
  const m = S.length;
  for (let j = 0; j < count; j++) {
    const i = (newest - j + m) % m;
    alpha[i] = rho[i] * ops.dot(S[i], q);
    ops.axpy(-alpha[i], Y[i], q);
  }
  ops.scal(gamma, q);
  for (let j = count - 1; j >= 0; j--) {
    const i = (newest - j + m) % m;
    const beta = rho[i] * ops.dot(Y[i], q);
    ops.axpy(alpha[i] - beta, S[i], q);
  }
}
