/**
 * Multi-task gradient combination over k flat task gradients g_1..g_k of length n:
 *
 * - `sum`: d = Σ g_i (the baseline).
 * - `pcgrad` (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS 2020, Alg. 1):
 *   for each task i, g_i' = g_i; for each other task j in a random order (seeded, drawn
 *   afresh for each i): if ⟨g_i', g_j⟩ < 0, g_i' ← g_i' − ⟨g_i', g_j⟩/‖g_j‖² · g_j
 *   (projection onto the normal plane of g_j, against the original g_j); d = Σ g_i'.
 *   With 2 tasks each projected gradient is orthogonal to the other original gradient, so
 *   ⟨g_i', g_j⟩ ≥ 0 (up to f32 rounding); with k > 2 only the last projection is
 *   guaranteed, as the paper states.
 * - `mgda` (Désidéri, "Multiple-gradient descent algorithm", C. R. Math. 2012; Sener &
 *   Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018, Alg. 2):
 *   d = Σ α_i g_i with α = argmin ‖Σ α_i g_i‖² over the probability simplex, the min-norm
 *   point of the convex hull: closed form for 2 tasks, α = clamp(⟨g_2 − g_1, g_2⟩ /
 *   ‖g_1 − g_2‖², 0, 1); Frank-Wolfe with exact line search on the Gram matrix for k > 2,
 *   until its duality gap is below 1e-12·max‖g_i‖². Then ⟨d, g_i⟩ ≥ ‖d‖² ≥ 0 for every i
 *   (a common descent direction, or d = 0 at a Pareto-stationary point).
 *
 * The Gram matrix comes from k(k+1)/2 `f32_dot` calls (f64 results); PCGrad adds a dot and
 * an axpy per pair; everything else is k×k arithmetic on the host.
 */
import { ShapeError, ValueError } from '../errors.js';
import { checkKnown, describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import { mulberry32Next } from '../runtime/mulberry32.js';
import { seedWords } from '../runtime/rng.js';
import { checkTensor, Tensor } from '../runtime/tensor.js';

export type SurgeryMethod = 'sum' | 'pcgrad' | 'mgda';
export const SURGERY_METHODS: readonly SurgeryMethod[] = ['sum', 'pcgrad', 'mgda'];

/** What one combination found. */
export interface SurgeryReport {
  method: SurgeryMethod;
  /** number of tasks */
  k: number;
  /** k×k cosines of the task gradients as given, row-major (NaN where a gradient is zero) */
  cosines: Float64Array;
  /** task pairs whose gradients have a negative inner product */
  conflicts: number;
  /** projections PCGrad made (0 for sum and mgda) */
  projected: number;
  /** the combination's weights: MGDA's α (on the simplex), 1 for sum and pcgrad */
  weights: Float64Array;
}

/**
 * Combination planned for k gradients of n floats on one core: one n-float work buffer
 * (PCGrad's g_i'), a reused report and the order stream's state. `run` allocates nothing.
 */
export class SurgeryPlan {
  readonly report: SurgeryReport;
  /** the task-order stream (PCGrad); saved and restored by multiTask */
  readonly orderState = new Uint32Array(1);
  private readonly gram: Float64Array;
  private readonly order: number[];
  private work: number;

  constructor(readonly core: Core, readonly method: SurgeryMethod, readonly k: number, readonly n: number, seed = 0) {
    if (!SURGERY_METHODS.includes(method)) throw new ValueError(`gradientSurgery: method must be one of ${SURGERY_METHODS.join(', ')}, got ${describe(method)}`);
    seedWords('gradientSurgery', seed); // a non-negative safe integer, as every seed
    this.orderState[0] = seed >>> 0;
    this.gram = new Float64Array(k * k);
    this.order = [];
    this.work = method === 'pcgrad' ? core.allocF32(Math.max(1, n)) : -1;
    this.report = { method, k, cosines: new Float64Array(k * k), conflicts: 0, projected: 0, weights: new Float64Array(k).fill(1) };
  }

  /** Combines the k gradients at `ptrs` into `out` (which overlaps none of them); returns the reused report. */
  run(ptrs: readonly number[], out: number): SurgeryReport {
    const { k, n, gram: M, report } = this;
    const kern = this.core.kernels;
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) M[i * k + j] = M[j * k + i] = kern.f32_dot(n, ptrs[i], ptrs[j]);
    }
    let conflicts = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) report.cosines[i * k + j] = M[i * k + j] / Math.sqrt(M[i * k + i] * M[j * k + j]);
      for (let j = i + 1; j < k; j++) if (M[i * k + j] < 0) conflicts++;
    }
    report.conflicts = conflicts;
    report.projected = 0;
    if (this.method === 'sum') {
      kern.f32_copy(n, ptrs[0], out);
      for (let i = 1; i < k; i++) kern.f32_add(n, out, ptrs[i], out);
    } else if (this.method === 'pcgrad') {
      kern.f32_fill(n, out, 0);
      for (let i = 0; i < k; i++) {
        kern.f32_copy(n, ptrs[i], this.work);
        this.shuffledOthers(i);
        for (const j of this.order) {
          if (!(M[j * k + j] > 0)) continue;
          const d = kern.f32_dot(n, this.work, ptrs[j]);
          if (d < 0) {
            kern.f32_axpy(n, ptrs[j], this.work, -d / M[j * k + j]);
            report.projected++;
          }
        }
        kern.f32_add(n, out, this.work, out);
      }
    } else {
      minNormWeights(M, k, report.weights);
      kern.f32_fill(n, out, 0);
      for (let i = 0; i < k; i++) if (report.weights[i] !== 0) kern.f32_axpy(n, ptrs[i], out, report.weights[i]);
    }
    return report;
  }

  /** this.order ← the tasks other than i in a random order (Fisher-Yates on the seeded stream). */
  private shuffledOthers(i: number): void {
    const o = this.order;
    o.length = 0;
    for (let j = 0; j < this.k; j++) if (j !== i) o.push(j);
    for (let a = o.length - 1; a > 0; a--) {
      const b = mulberry32Next(this.orderState) % (a + 1);
      const t = o[a];
      o[a] = o[b];
      o[b] = t;
    }
  }

  dispose(): void {
    if (this.work >= 0) this.core.arena.free(this.work);
    this.work = -1;
  }
}

/** α = argmin αᵀMα over the probability simplex (M the k×k Gram matrix), into `alpha`. */
export function minNormWeights(M: Float64Array, k: number, alpha: Float64Array): void {
  if (k === 2) {
    const den = M[0] - 2 * M[1] + M[3];
    const a = den > 0 ? Math.min(1, Math.max(0, (M[3] - M[1]) / den)) : 0.5;
    alpha[0] = a;
    alpha[1] = 1 - a;
    return;
  }
  let maxDiag = 0;
  for (let i = 0; i < k; i++) maxDiag = Math.max(maxDiag, M[i * k + i]);
  alpha.fill(1 / k);
  const Ma = new Float64Array(k);
  for (let it = 0; it < 10000; it++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += M[i * k + j] * alpha[j];
      Ma[i] = s;
    }
    let aMa = 0;
    for (let i = 0; i < k; i++) aMa += alpha[i] * Ma[i];
    let t = 0;
    for (let i = 1; i < k; i++) if (Ma[i] < Ma[t]) t = i;
    if (aMa - Ma[t] <= 1e-12 * maxDiag) break; // Frank-Wolfe duality gap
    // exact line search on (1 − γ)α + γe_t: minimise ‖(1 − γ)v + γg_t‖²
    const den = aMa - 2 * Ma[t] + M[t * k + t];
    const gamma = den > 0 ? Math.min(1, Math.max(0, (aMa - Ma[t]) / den)) : 1;
    for (let i = 0; i < k; i++) alpha[i] *= 1 - gamma;
    alpha[t] += gamma;
  }
}

/** Checks grads (≥ 2 live tensors of one engine and one size) and out; returns the core and n. */
function checkArgs(op: string, grads: unknown, out: unknown): { core: Core; n: number; list: Tensor[]; outT: Tensor } {
  if (!Array.isArray(grads) || grads.length < 2) {
    throw new ValueError(`${op}: grads must be an array of at least 2 task gradients, got ${describe(grads)}`);
  }
  if (!(grads[0] instanceof Tensor)) throw new ValueError(`${op}: grads[0] must be a Tensor`);
  const core = grads[0].engine;
  const list = grads.map((g, i) => checkTensor(core, op, `grads[${i}]`, g));
  const n = list[0].size;
  list.forEach((g, i) => {
    if (g.size !== n) throw new ShapeError(`${op}: grads[${i}] has ${g.size} elements, grads[0] has ${n}; all task gradients must have the same length`);
  });
  const outT = checkTensor(core, op, 'out', out);
  if (outT.size !== n) throw new ShapeError(`${op}: out has ${outT.size} elements, the gradients have ${n}`);
  list.forEach((g, i) => {
    if (n > 0 && outT.ptr < g.ptr + 4 * n && g.ptr < outT.ptr + 4 * n) throw new ValueError(`${op}: out must not share memory with grads[${i}]`);
  });
  return { core, n, list, outT };
}

function once(method: SurgeryMethod, grads: readonly Tensor[], out: Tensor, seed = 0): SurgeryReport {
  const op = `gradientSurgery.${method}`;
  const { core, n, list, outT } = checkArgs(op, grads, out);
  const plan = new SurgeryPlan(core, method, list.length, n, seed);
  try {
    const r = plan.run(list.map((g) => g.ptr), outT.ptr);
    return { ...r, cosines: r.cosines.slice(), weights: r.weights.slice() };
  } finally {
    plan.dispose();
  }
}

/** Gradient surgery on k task gradients (tensors of any one engine), written into `out`. */
export const gradientSurgery = Object.freeze({
  /** out = Σ g_i (the baseline). */
  sum: (grads: readonly Tensor[], out: Tensor): SurgeryReport => once('sum', grads, out),
  /** PCGrad (Yu et al. 2020): project each g_i off every g_j it conflicts with, in a seeded random order; out = Σ g_i'. */
  pcgrad: (grads: readonly Tensor[], out: Tensor, options: { seed?: number } = {}): SurgeryReport => {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`gradientSurgery.pcgrad: options must be an object, got ${describe(options)}`);
    checkKnown('gradientSurgery.pcgrad', options, ['seed']);
    return once('pcgrad', grads, out, options.seed === undefined ? 0 : options.seed);
  },
  /** MGDA (Désidéri 2012; Sener & Koltun 2018): out = the min-norm point of the convex hull of the g_i. */
  mgda: (grads: readonly Tensor[], out: Tensor): SurgeryReport => once('mgda', grads, out),
});
