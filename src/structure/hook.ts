/**
 * The optimizers' `prox`, `project` and `quantize` options: one hook run after each applied
 * step, over the model's flat parameter buffer.
 *
 * - `prox`: x ← prox_{ηR}(x) with η the learning rate of the step, per parameter group (an
 *   elementwise step without regions is split by group; a region must lie in one group): proximal SGD, θ ← prox_{ηR}(θ − η∇f(θ)) (Beck &
 *   Teboulle 2009; Duchi & Singer 2009). For adaptive methods (Adam, RMSprop, ...) the prox
 *   also uses the scalar η, not the per-coordinate step η/(√v̂ + ε): the simple "proximal
 *   Adam" of e.g. Yun et al. 2021 without preconditioning; ηλ is the threshold.
 * - `project`: x ← P_C(x) after the update (projected gradient methods), after the prox.
 * - `quantize`: a projection Q (usually `project.grid`) in BinaryConnect style (Courbariaux,
 *   Bengio & David, NeurIPS 2015): full-precision weights W are kept, the model's buffer holds
 *   Q(W) for the forward and backward passes, and the gradient at Q(W) updates W (the
 *   straight-through estimator). The hook keeps r = W − Q(W): after the optimizer has moved
 *   the buffer from Q(W) to Q(W) + Δ, W ← (Q(W) + Δ) + r, the buffer ← Q(W) and r ← W − Q(W)
 *   (four passes, no allocation). Making the optimizer quantizes the buffer (r holds the
 *   rest). Terms of the update that read the parameters (weight decay) see Q(W). r is saved
 *   and restored with the optimizer's state. The hard alternative is `project: Q`.
 *
 * A prox or projection that throws on a non-finite parameter (simplex, l1Ball, l2Ball) does
 * so after the optimizer's update was written; `guard: 'skip', guardParams: true` keeps such
 * a step from happening.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import type { Parameterized } from '../runtime/params.js';
import { resolveRegions, StepPlan, type StructureStep } from './common.js';

/** A span of the flat buffer (an optimizer's parameter group). */
export interface Span {
  offset: number;
  length: number;
}

/** One step or a list of steps. */
export type StructureOption = StructureStep | readonly StructureStep[];

export interface StructureOptions {
  prox?: StructureOption;
  project?: StructureOption;
  quantize?: StructureStep;
}

/** What the optimizer's state carries for `quantize`. */
export interface QuantizeState {
  /** r = W − Q(W), the full-precision rest of every parameter */
  residual: Float32Array;
}

/** The steps of a `prox` / `project` option, checked (a ValueError names the argument). */
export function stepList(op: string, name: string, kind: 'prox' | 'project', v: StructureOption | undefined): StructureStep[] {
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? [...(v as readonly StructureStep[])] : [v as StructureStep];
  arr.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof (s as StructureStep).bind !== 'function' || (s as StructureStep).kind !== kind) {
      throw new ValueError(`${op}: ${name}${Array.isArray(v) ? `[${i}]` : ''} must be a ${kind === 'prox' ? 'prox.* step (e.g. prox.l1(1e-4))' : 'project.* step (e.g. project.nonNegative())'}, got ${s === null ? 'null' : typeof s === 'object' ? `a ${String((s as StructureStep).kind)} step` : typeof s}`);
    }
  });
  return arr;
}

export class StructureHook {
  private readonly plan: StepPlan | null;
  private readonly qplan: StepPlan | null;
  private residual = -1;
  private readonly n: number;

  /** Returns null when no structure option is set. */
  static from(op: string, core: Core, model: Parameterized, options: StructureOptions, groups: readonly Span[]): StructureHook | null {
    const given = [...stepList(op, 'prox', 'prox', options.prox), ...stepList(op, 'project', 'project', options.project)];
    const q = options.quantize;
    if (q !== undefined) stepList(op, 'quantize', 'project', q);
    if (given.length === 0 && q === undefined) return null;
    const n = model.numParameters;
    // each region takes the lr of one parameter group: split elementwise steps by group, refuse regions across groups
    const steps = given.map((s) => (s.regions === undefined && groups.length > 1 && s.elementwise ? s.on(groups) : s));
    for (const s of steps) {
      for (const r of resolveRegions(op, s.regions, n, [n])) {
        const inside = groups.some((g) => r.offset >= g.offset && r.offset + r.length <= g.offset + g.length);
        if (!inside && groups.length > 1) {
          throw new ValueError(`${op}: ${s.kind}.${s.name} on ${r.name} [${r.offset}, ${r.offset + r.length}) spans several parameter groups, whose lrs differ; restrict it to one group with .on(...)`);
        }
      }
    }
    return new StructureHook(op, core, model, steps, q);
  }

  private constructor(op: string, readonly core: Core, readonly model: Parameterized, steps: StructureStep[], q: StructureStep | undefined) {
    const n = (this.n = model.numParameters);
    let plan: StepPlan | null = null, qplan: StepPlan | null = null;
    try {
      plan = steps.length ? new StepPlan(core, steps, n, [n], op) : null;
      if (q !== undefined) {
        qplan = new StepPlan(core, [q], n, [n], `${op} quantize`);
        this.residual = core.allocF32(Math.max(1, n));
        const k = core.kernels, P = model.paramsPtr;
        k.f32_copy(n, P, this.residual);
        qplan.run(P, 1);
        k.f32_sub(n, this.residual, P, this.residual);
      }
    } catch (e) {
      plan?.dispose();
      qplan?.dispose();
      if (this.residual >= 0) core.arena.free(this.residual);
      throw e;
    }
    this.plan = plan;
    this.qplan = qplan;
  }

  /** true when the hook holds state (the quantization residual). */
  get stateful(): boolean {
    return this.residual >= 0;
  }

  /** After an applied step: W ← buffer + r (quantize), prox and projections with each region's lr, then buffer ← Q(W), r ← W − Q(W). */
  afterStep(lrOf: (offset: number) => number): void {
    const k = this.core.kernels, n = this.n, P = this.model.paramsPtr, r = this.residual;
    if (r >= 0) k.f32_add(n, P, r, P);
    this.plan?.run(P, lrOf);
    if (this.qplan) {
      k.f32_copy(n, P, r);
      this.qplan.run(P, 1);
      k.f32_sub(n, r, P, r);
    }
  }

  state(): QuantizeState {
    return { residual: this.core.f32(this.residual, this.n).slice() };
  }

  /** Checks a saved `QuantizeState` (before anything is written). */
  check(op: string, s: unknown): void {
    const q = s as QuantizeState | undefined;
    if (!q || !(q.residual instanceof Float32Array) || q.residual.length !== this.n) {
      throw new ShapeError(`${op}: the state's quantize.residual must be a Float32Array of ${this.n} floats, got ${q?.residual instanceof Float32Array ? q.residual.length : typeof q?.residual}`);
    }
  }

  load(s: QuantizeState): void {
    this.core.f32(this.residual, this.n).set(s.residual);
  }

  dispose(): void {
    this.plan?.dispose();
    this.qplan?.dispose();
    if (this.residual >= 0) this.core.arena.free(this.residual);
    this.residual = -1;
  }
}
