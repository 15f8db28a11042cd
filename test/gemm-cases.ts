// The GEMM test cases shared by test/gemm.test.ts and test/threads.test.ts: the stored
// buffers of a case (NaN in the padding of A and B, a sentinel in C's), one raw kernel call
// through the engine's kernel table, and the check against a plain f64 reference with the
// gamma_k error bound, padding included.
import type { Engine } from '../src/index.js';
import { rng } from './helpers.js';

export const buildName = (e: Engine) => (e.relaxedSimd ? 'relaxed' : e.simd ? (e.kernels.gemm_splat_a() ? 'simd-splat' : 'simd') : 'scalar');

export type Form = 'nn' | 'nt' | 'tn' | 'tt';
export const FORMS: Form[] = ['nn', 'nt', 'tn', 'tt'];

/** A GEMM problem: op(A) m x k, op(B) k x n, C m x n, each stored in a buffer with row stride ld >= row length. */
export interface Case {
  form: Form;
  m: number;
  n: number;
  k: number;
  /** extra elements at the end of each stored row (the sub-matrix padding) */
  pad: number;
  alpha: number;
  beta: number;
  /** initial C: 'rand', or 'nan' (must not leak when beta == 0) */
  c0?: 'rand' | 'nan';
  /** fill A with NaN (must not be read when alpha == 0) */
  nanA?: boolean;
  seed: number;
}

/** Stored shapes [rows, cols] of A and B for a form. */
export function stored(c: Case): { ar: number; ac: number; br: number; bc: number } {
  const ta = c.form[0] === 't', tb = c.form[1] === 't';
  return { ar: ta ? c.k : c.m, ac: ta ? c.m : c.k, br: tb ? c.n : c.k, bc: tb ? c.k : c.n };
}

const SENTINEL = 12345.5;

/** The buffers of a case: padding of A and B is NaN (reading it would leak), padding of C a sentinel. */
export function makeData(c: Case) {
  const { ar, ac, br, bc } = stored(c);
  const lda = ac + c.pad, ldb = bc + c.pad, ldc = c.n + c.pad;
  const r = rng(c.seed);
  const fill = (rows: number, cols: number, ld: number, pad: number, val: () => number) => {
    const x = new Float32Array(rows * ld);
    for (let i = 0; i < rows; i++) for (let j = 0; j < ld; j++) x[i * ld + j] = j < cols ? val() : pad;
    return x;
  };
  const A = fill(ar, ac, lda, NaN, () => (c.nanA ? NaN : 2 * r() - 1));
  const B = fill(br, bc, ldb, NaN, () => 2 * r() - 1);
  const C = fill(c.m, c.n, ldc, SENTINEL, () => (c.c0 === 'nan' ? NaN : 2 * r() - 1));
  return { A, B, C, lda, ldb, ldc };
}

/**
 * Independent f64 reference: expected C buffer and a per-element error bound
 * (the classical gamma_k bound (k+2)u(|alpha| sum|a||b| + |beta c|), u = 2^-24, doubled).
 */
export function reference(c: Case, d: ReturnType<typeof makeData>) {
  const { A, B, C, lda, ldb, ldc } = d;
  const ta = c.form[0] === 't', tb = c.form[1] === 't';
  const out = Float64Array.from(C);
  const tol = new Float64Array(C.length);
  const u = 2 ** -24;
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0, sa = 0;
      if (c.alpha !== 0) {
        for (let p = 0; p < c.k; p++) {
          const a = ta ? A[p * lda + i] : A[i * lda + p];
          const b = tb ? B[j * ldb + p] : B[p * ldb + j];
          s += a * b;
          sa += Math.abs(a * b);
        }
      }
      const cij = C[i * ldc + j];
      const bc = c.beta === 0 ? 0 : c.beta * cij;
      out[i * ldc + j] = c.alpha * s + bc;
      tol[i * ldc + j] = 2 * (c.k + 2) * u * (Math.abs(c.alpha) * sa + Math.abs(bc)) + 1e-30;
    }
  }
  return { out, tol };
}

export function describeCase(c: Case): string {
  return `f32_gemm_${c.form} m=${c.m} n=${c.n} k=${c.k} pad=${c.pad} alpha=${c.alpha} beta=${c.beta}${c.c0 === 'nan' ? ' C0=NaN' : ''}${c.nanA ? ' A=NaN' : ''}`;
}

/** The C buffer after one raw GEMM call of case `c` (a copy). */
export function rawC(e: Engine, c: Case): Float32Array {
  const d = makeData(c);
  const mark = e.arena.mark();
  try {
    const pa = e.allocF32(d.A.length), pb = e.allocF32(d.B.length), pc = e.allocF32(d.C.length);
    e.f32(pa, d.A.length).set(d.A);
    e.f32(pb, d.B.length).set(d.B);
    e.f32(pc, d.C.length).set(d.C);
    e.kernels[`f32_gemm_${c.form}`](c.m, c.n, c.k, pa, d.lda, pb, d.ldb, pc, d.ldc, c.alpha, c.beta);
    return e.f32(pc, d.C.length).slice();
  } finally {
    e.arena.reset(mark);
  }
}

/** Runs one case through the raw kernel of `e` and checks every element of the C buffer (padding included). */
export function check(e: Engine, c: Case): void {
  const d = makeData(c);
  const { out, tol } = reference(c, d);
  const got = rawC(e, c);
  for (let idx = 0; idx < out.length; idx++) {
    const g = got[idx], x = out[idx];
    const inside = Math.floor(idx / d.ldc) < c.m && idx % d.ldc < c.n;
    const ok = inside ? Math.abs(g - x) <= tol[idx] : Object.is(g, d.C[idx]);
    if (!ok) {
      const where = `[${Math.floor(idx / d.ldc)}, ${idx % d.ldc}]${inside ? '' : ' (padding)'}`;
      throw new Error(`${describeCase(c)} (${buildName(e)}): C${where}: got ${g}, expected ${x} (tol ${tol[idx]})`);
    }
  }
}
