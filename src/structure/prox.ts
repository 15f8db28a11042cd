/**
 * Proximal operators: `prox.l1(λ)`, `prox.l2(λ)`, `prox.elasticNet(λ1, λ2)`,
 * `prox.groupLasso(λ, { groups })`. With step size η, `apply(x, η)` sets, in place,
 *
 *   x ← prox_{ηR}(x) = argmin_z η·R(z) + ½‖z − x‖²   (Parikh & Boyd 2014, §6)
 *
 * | step | R(x) | prox |
 * |---|---|---|
 * | `l1(λ)` | λ‖x‖₁ | sign(x)·max(\|x\| − ηλ, 0) (soft threshold; Tibshirani 1996) |
 * | `l2(λ)` | ½λ‖x‖² | x / (1 + ηλ) (ridge shrinkage) |
 * | `elasticNet(λ1, λ2)` | λ1‖x‖₁ + ½λ2‖x‖² | soft(x, ηλ1) / (1 + ηλ2) (Zou & Hastie 2005) |
 * | `groupLasso(λ, {groups})` | λ Σ_g ‖x_g‖₂ | x_g ← 0 if ‖x_g‖ ≤ ηλ, else (1 − ηλ/‖x_g‖)·x_g (Yuan & Lin 2006) |
 *
 * Zeros are exact zeros, +0 (x − clamp(x, −ηλ, ηλ): as PyTorch's softshrink; Optax keeps −0). Elementwise operators keep NaN as NaN; a group holding a NaN
 * becomes all NaN (its norm is NaN). Kernels: assembly/prox.ts (columns: assembly/prox_columns.ts).
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { checkKnown, describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import { type BoundF64, type BoundStep, nonNegative, simpleBound, simpleF64, StepBase } from './common.js';
import * as F from './f64.js';

class L1 extends StepBase {
  readonly kind = 'prox' as const;
  readonly name = 'l1';
  override get elementwise(): boolean {
    return true;
  }
  constructor(readonly lambda: number) {
    super();
    nonNegative('prox.l1', 'lambda', lambda);
  }
  bind(core: Core, n: number): BoundStep {
    const k = core.kernels;
    return simpleBound((p, eta) => k.f32_prox_l1(n, p, eta * this.lambda));
  }
  bindF64(n: number): BoundF64 {
    return simpleF64((x, o, eta) => F.proxL1(x, o, n, eta * this.lambda), (x, o) => this.lambda * F.sumAbs(x, o, n));
  }
}

class L2 extends StepBase {
  readonly kind = 'prox' as const;
  readonly name = 'l2';
  override get elementwise(): boolean {
    return true;
  }
  constructor(readonly lambda: number) {
    super();
    nonNegative('prox.l2', 'lambda', lambda);
  }
  bind(core: Core, n: number): BoundStep {
    const k = core.kernels;
    return simpleBound((p, eta) => k.f32_prox_l2(n, p, eta * this.lambda));
  }
  bindF64(n: number): BoundF64 {
    return simpleF64((x, o, eta) => F.proxL2(x, o, n, eta * this.lambda), (x, o) => 0.5 * this.lambda * F.sumSq(x, o, n));
  }
}

class ElasticNet extends StepBase {
  readonly kind = 'prox' as const;
  readonly name = 'elasticNet';
  override get elementwise(): boolean {
    return true;
  }
  constructor(readonly lambda1: number, readonly lambda2: number) {
    super();
    nonNegative('prox.elasticNet', 'lambda1', lambda1);
    nonNegative('prox.elasticNet', 'lambda2', lambda2);
  }
  bind(core: Core, n: number): BoundStep {
    const k = core.kernels;
    return simpleBound((p, eta) => k.f32_prox_elastic_net(n, p, eta * this.lambda1, eta * this.lambda2));
  }
  bindF64(n: number): BoundF64 {
    return simpleF64(
      (x, o, eta) => F.proxElasticNet(x, o, n, eta * this.lambda1, eta * this.lambda2),
      (x, o) => this.lambda1 * F.sumAbs(x, o, n) + 0.5 * this.lambda2 * F.sumSq(x, o, n),
    );
  }
}

/** Which groups the group lasso shrinks together. */
export interface GroupLassoOptions {
  /**
   * `'rows'`: each row of the [m, n] matrix (a Linear weight's output neuron: its incoming
   * weights; for rank > 2, each slice along the first axis); `'columns'`: each column
   * (an input feature's outgoing weights; rank 2); or explicit disjoint index sets of the
   * flat buffer (elements outside every set are left alone). Default `'rows'`.
   */
  groups?: 'rows' | 'columns' | readonly (readonly number[])[];
  /** The matrix shape, when the target's own shape is not it (e.g. a flat vector). */
  shape?: readonly number[];
}

class GroupLasso extends StepBase {
  readonly kind = 'prox' as const;
  readonly name = 'groupLasso';
  readonly groups: 'rows' | 'columns' | readonly (readonly number[])[];
  readonly shape: readonly number[] | undefined;
  private readonly flat: Int32Array | undefined;
  private readonly offsets: Int32Array | undefined;
  private maxIndex = -1;

  constructor(readonly lambda: number, options: GroupLassoOptions = {}) {
    super();
    const op = 'prox.groupLasso';
    nonNegative(op, 'lambda', lambda);
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${op}: options must be an object, got ${describe(options)}`);
    checkKnown(op, options, ['groups', 'shape']);
    if (options.groups === null) throw new ValueError(`${op}: groups must be 'rows', 'columns' or index sets, got null`);
    const groups = options.groups ?? 'rows';
    if (options.shape !== undefined) {
      if (!Array.isArray(options.shape) || !options.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new ShapeError(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(options.shape)}`);
      }
      this.shape = Object.freeze([...options.shape]);
    }
    if (groups === 'rows' || groups === 'columns') {
      this.groups = groups;
    } else if (Array.isArray(groups)) {
      const seen = new Map<number, number>();
      const offsets = [0];
      const flat: number[] = [];
      groups.forEach((g, gi) => {
        if (!Array.isArray(g) && !ArrayBuffer.isView(g)) throw new ValueError(`${op}: groups[${gi}] must be an array of indices, got ${typeof g}`);
        for (const i of g as ArrayLike<number> & Iterable<number>) {
          if (!Number.isInteger(i) || i < 0 || i > 0x7fffffff) throw new ValueError(`${op}: groups[${gi}] holds ${describe(i)}, not an index (an integer ≥ 0)`);
          const other = seen.get(i);
          if (other !== undefined) throw new ValueError(`${op}: groups[${other}] and groups[${gi}] overlap at index ${i}; groups must be disjoint`);
          seen.set(i, gi);
          flat.push(i);
          if (i > this.maxIndex) this.maxIndex = i;
        }
        offsets.push(flat.length);
      });
      this.groups = Object.freeze(groups.map((g) => Object.freeze([...g])));
      this.flat = Int32Array.from(flat);
      this.offsets = Int32Array.from(offsets);
    } else {
      throw new ValueError(`${op}: groups must be 'rows', 'columns' or an array of index arrays, got ${JSON.stringify(groups)}`);
    }
  }

  /** The layout on a target of n floats: explicit sets, or the [m, cols] matrix of 'rows' / 'columns'. */
  private layout(n: number, shape: readonly number[], where: string): { m: number; cols: number } | null {
    if (this.flat !== undefined) {
      if (this.maxIndex >= n) throw new ShapeError(`${where}: groups hold index ${this.maxIndex}, outside the ${n} floats of the target`);
      return null;
    }
    const sh = this.shape ?? shape;
    const size = sh.reduce((a, b) => a * b, 1);
    if (size !== n) throw new ShapeError(`${where}: groupLasso shape ${fmtShape(sh)} holds ${size} floats, the target has ${n}`);
    if (this.groups === 'rows') {
      if (sh.length < 2) throw new ShapeError(`${where}: groupLasso groups 'rows' needs a matrix (rank ≥ 2), got shape ${fmtShape(sh)}; pass { shape }`);
      return { m: sh[0], cols: sh[0] === 0 ? 0 : n / sh[0] };
    }
    if (sh.length !== 2) throw new ShapeError(`${where}: groupLasso groups 'columns' needs a matrix (rank 2), got shape ${fmtShape(sh)}; pass { shape }`);
    return { m: sh[0], cols: sh[1] };
  }

  bindF64(n: number, shape: readonly number[], where: string): BoundF64 {
    const mat = this.layout(n, shape, where);
    const lambda = this.lambda;
    if (mat === null) {
      const offsets = this.offsets!, flat = this.flat!;
      return simpleF64((x, o, eta) => void F.groupSets(x, o, offsets, flat, eta * lambda), (x, o) => lambda * F.groupSets(x, o, offsets, flat, NaN));
    }
    const { m, cols } = mat;
    if (this.groups === 'rows') return simpleF64((x, o, eta) => void F.groupRows(x, o, m, cols, eta * lambda), (x, o) => lambda * F.groupRows(x, o, m, cols, NaN));
    const norms = new Float64Array(cols);
    return simpleF64((x, o, eta) => void F.groupColumns(x, o, m, cols, norms, eta * lambda), (x, o) => lambda * F.groupColumns(x, o, m, cols, norms, NaN));
  }

  bind(core: Core, n: number, shape: readonly number[], where: string): BoundStep {
    const k = core.kernels;
    const mat = this.layout(n, shape, where);
    if (mat === null) {
      const flat = this.flat!;
      const g = this.offsets!.length - 1;
      const po = core.allocF32(g + 1);
      let pi: number;
      try {
        pi = core.allocF32(Math.max(1, flat.length));
      } catch (e) {
        core.arena.free(po);
        throw e;
      }
      core.i32(po, g + 1).set(this.offsets!);
      core.i32(pi, flat.length).set(flat);
      let live = true;
      return {
        rejectsNonFinite: false,
        run: (p, eta) => k.f32_prox_group_lasso_sets(g, po, pi, p, eta * this.lambda),
        dispose() {
          if (!live) return;
          live = false;
          core.arena.free(pi);
          core.arena.free(po);
        },
      };
    }
    const { m, cols } = mat;
    if (this.groups === 'rows') return simpleBound((p, eta) => k.f32_prox_group_lasso_rows(m, cols, p, eta * this.lambda));
    const scratch = core.arena.alloc(12 * Math.max(1, cols)); // n f64 sums + n f32 block sums
    let live = true;
    return {
      rejectsNonFinite: false,
      run: (p, eta) => k.f32_prox_group_lasso_cols(m, cols, p, scratch, eta * this.lambda),
      dispose() {
        if (!live) return;
        live = false;
        core.arena.free(scratch);
      },
    };
  }
}

/** The proximal operators (descriptors: no engine needed until `apply`). */
export const prox = Object.freeze({
  /** prox of λ‖x‖₁: soft threshold by ηλ. */
  l1: (lambda: number) => Object.freeze(new L1(lambda)),
  /** prox of ½λ‖x‖²: x / (1 + ηλ). */
  l2: (lambda: number) => Object.freeze(new L2(lambda)),
  /** prox of λ1‖x‖₁ + ½λ2‖x‖²: soft(x, ηλ1) / (1 + ηλ2). */
  elasticNet: (lambda1: number, lambda2: number) => Object.freeze(new ElasticNet(lambda1, lambda2)),
  /** prox of λ Σ_g ‖x_g‖₂ over rows, columns or explicit disjoint index sets. */
  groupLasso: (lambda: number, options: GroupLassoOptions = {}) => Object.freeze(new GroupLasso(lambda, options)),
});
