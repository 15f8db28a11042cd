/**
 * Euclidean projections x ← P_C(x) = argmin_{z ∈ C} ‖z − x‖₂, in place:
 *
 * | step | C | P_C(x) |
 * |---|---|---|
 * | `box(lo, hi)` | lo ≤ z ≤ hi (numbers or per-parameter tensors) | min(max(x, lo), hi) |
 * | `nonNegative()` | z ≥ 0 | max(x, 0) |
 * | `l2Ball(r)` | ‖z‖₂ ≤ r | x·r/‖x‖ when ‖x‖ > r |
 * | `l1Ball(r)` | ‖z‖₁ ≤ r | sign(x)·max(\|x\| − τ, 0), Σ max(\|x\| − τ, 0) = r (Duchi et al. 2008) |
 * | `simplex(s)` | z ≥ 0, Σz = s | max(x − τ, 0), Σ max(x − τ, 0) = s (Held et al. 1974; Michelot 1986) |
 * | `grid({ step, min, max })` | {min + k·step ≤ max} | the nearest level (not convex: quantization by projection, e.g. ternary {−s, 0, s}) |
 *
 * τ is found without a sort, in expected linear time (assembly/project.ts). `box` and `grid`
 * keep NaN as NaN elementwise; `l2Ball`, `l1Ball` and `simplex` throw `ValueError` on a
 * NaN or ±Inf and write nothing. A projection ignores the step size.
 */
import { ShapeError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import { Tensor } from '../runtime/tensor.js';
import { type BoundStep, nonNegative, sameSize, simpleBound, StepBase } from './common.js';

class Box extends StepBase {
  readonly kind = 'project' as const;
  readonly name: string;
  override get elementwise(): boolean {
    return typeof this.lo === 'number' && typeof this.hi === 'number';
  }
  constructor(readonly lo: number | Tensor, readonly hi: number | Tensor, name = 'box') {
    super();
    this.name = name;
    for (const [arg, v] of [['lo', lo], ['hi', hi]] as const) {
      if (!(v instanceof Tensor) && (typeof v !== 'number' || Number.isNaN(v))) {
        throw new ValueError(`project.box: ${arg} must be a number or a Tensor, got ${describe(v)}`);
      }
    }
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) throw new ValueError(`project.box: lo (${lo}) must be ≤ hi (${hi})`);
  }

  bind(core: Core, n: number, _shape: readonly number[], where: string): BoundStep {
    const k = core.kernels;
    const { lo, hi } = this;
    if (typeof lo === 'number' && typeof hi === 'number') return simpleBound((p) => k.f32_project_clamp(n, p, lo, hi));
    // per-parameter bounds: checked once here (the bound tensors are read at every run)
    const bound = (arg: string, v: number | Tensor): { ptr: number; free(): void } => {
      if (v instanceof Tensor) return { ptr: sameSize(core, where, `box ${arg}`, v, n).ptr, free() {} };
      const ptr = core.allocF32(n);
      core.kernels.f32_fill(n, ptr, v);
      return { ptr, free: () => core.arena.free(ptr) };
    };
    let l: { ptr: number; free(): void } | undefined, h: { ptr: number; free(): void } | undefined;
    try {
      l = bound('lo', lo);
      h = bound('hi', hi);
      const lv = core.f32(l.ptr, n), hv = core.f32(h.ptr, n);
      for (let i = 0; i < n; i++) {
        if (!(lv[i] <= hv[i])) throw new ValueError(`${where}: box needs lo ≤ hi at every index, got lo ${lv[i]} and hi ${hv[i]} at index ${i}`);
      }
    } catch (e) {
      h?.free();
      l?.free();
      throw e;
    }
    const lp = l.ptr, hp = h.ptr, lf = l, hf = h;
    let live = true;
    return {
      rejectsNonFinite: false,
      run: (p) => k.f32_project_box(n, p, lp, hp),
      dispose() {
        if (!live) return;
        live = false;
        lf.free();
        hf.free();
      },
    };
  }
}

class L2Ball extends StepBase {
  readonly kind = 'project' as const;
  readonly name = 'l2Ball';
  constructor(readonly radius: number) {
    super();
    nonNegative('project.l2Ball', 'radius', radius);
  }
  bind(core: Core, n: number, _shape: readonly number[], where: string): BoundStep {
    const k = core.kernels;
    return simpleBound((p) => {
      const norm = k.f32_project_l2_ball(n, p, this.radius);
      if (!Number.isFinite(norm)) throw new ValueError(`${where}: l2Ball: the target's norm is ${norm} (a NaN or ±Inf inside); nothing was written`);
    }, true);
  }
}

/** simplex and l1Ball: a threshold found in scratch (n floats, planned at bind). */
class Threshold extends StepBase {
  readonly kind = 'project' as const;
  constructor(readonly name: 'simplex' | 'l1Ball', readonly size: number) {
    super();
    nonNegative(`project.${name}`, name === 'simplex' ? 's' : 'radius', size, name === 'simplex');
  }
  bind(core: Core, n: number, _shape: readonly number[], where: string): BoundStep {
    if (this.name === 'simplex' && n === 0) throw new ShapeError(`${where}: simplex of an empty buffer (no point sums to ${this.size})`);
    const k = core.kernels;
    const scratch = core.allocF32(Math.max(1, n));
    const f = this.name === 'simplex' ? k.f32_project_simplex : k.f32_project_l1_ball;
    let live = true;
    return {
      rejectsNonFinite: true,
      run: (p) => {
        const tau = f(n, p, scratch, this.size);
        if (Number.isNaN(tau)) throw new ValueError(`${where}: ${this.name}: the target holds a NaN or ±Inf; nothing was written`);
      },
      dispose() {
        if (!live) return;
        live = false;
        core.arena.free(scratch);
      },
    };
  }
}

/** Levels min + k·step, k = 0..⌊(max − min)/step⌋. */
export interface GridOptions {
  step: number;
  min: number;
  max: number;
}

class Grid extends StepBase {
  readonly kind = 'project' as const;
  readonly name = 'grid';
  override get elementwise(): boolean {
    return true;
  }
  readonly step: number;
  readonly min: number;
  readonly max: number;
  /** index of the top level */
  readonly kmax: number;
  constructor(options: GridOptions) {
    super();
    const op = 'project.grid';
    if (options === null || typeof options !== 'object') throw new ValueError(`${op}: options must be { step, min, max }, got ${describe(options)}`);
    const { step, min, max } = options;
    nonNegative(op, 'step', step, true);
    for (const [arg, v] of [['min', min], ['max', max]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${arg} must be a finite number, got ${describe(v)}`);
    }
    if (min > max) throw new ValueError(`${op}: min (${min}) must be ≤ max (${max})`);
    // the levels as the kernel computes them: f32(min) + f32(step)·k
    const lo = Math.fround(min), st = Math.fround(step);
    let kmax = Math.floor((max - min) / step);
    while (Math.fround(lo + Math.fround(st * (kmax + 1))) <= max) kmax++;
    while (kmax > 0 && Math.fround(lo + Math.fround(st * kmax)) > max) kmax--;
    if (kmax > 1 << 24) throw new ValueError(`${op}: (max − min)/step is ${kmax}, more levels than f32 counts exactly (2^24)`);
    this.step = step;
    this.min = min;
    this.max = max;
    this.kmax = kmax;
  }
  bind(core: Core, n: number): BoundStep {
    const k = core.kernels;
    return simpleBound((p) => k.f32_project_grid(n, p, this.min, this.step, this.kmax));
  }
}

/** The projections (descriptors: no engine needed until `apply`). */
export const project = Object.freeze({
  /** onto lo ≤ x ≤ hi; lo and hi are numbers (±Infinity allowed) or tensors of the target's size. */
  box: (lo: number | Tensor, hi: number | Tensor) => Object.freeze(new Box(lo, hi)),
  /** onto x ≥ 0. */
  nonNegative: () => Object.freeze(new Box(0, Infinity, 'nonNegative')),
  /** onto ‖x‖₂ ≤ radius. */
  l2Ball: (radius: number) => Object.freeze(new L2Ball(radius)),
  /** onto ‖x‖₁ ≤ radius. */
  l1Ball: (radius: number) => Object.freeze(new Threshold('l1Ball', radius)),
  /** onto {x ≥ 0, Σx = s} (s > 0, default 1). */
  simplex: (s = 1) => Object.freeze(new Threshold('simplex', s)),
  /** to the nearest level min + k·step ≤ max (ternary: { step: s, min: −s, max: s }). */
  grid: (options: GridOptions) => Object.freeze(new Grid(options)),
});
