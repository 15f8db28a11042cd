/**
 * Euclidean projections x ← P_C(x) = argmin_{z ∈ C} ‖z − x‖₂, in place:
 *
 * | step | C | P_C(x) |
 * |---|---|---|
 * | `box(lo, hi)` | lo ≤ z ≤ hi (numbers, per-parameter tensors or arrays) | min(max(x, lo), hi) |
 * | `nonNegative()` | z ≥ 0 | max(x, 0) |
 * | `l2Ball(r)` | ‖z‖₂ ≤ r | x·r/‖x‖ when ‖x‖ > r |
 * | `l1Ball(r)` | ‖z‖₁ ≤ r | sign(x)·max(\|x\| − τ, 0), Σ max(\|x\| − τ, 0) = r (Duchi et al. 2008) |
 * | `simplex(s)` | z ≥ 0, Σz = s | max(x − τ, 0), Σ max(x − τ, 0) = s (Held et al. 1974; Michelot 1986) |
 * | `grid({ step, min, max })` | {min + k·step ≤ max} | the nearest level (not convex: quantization by projection, e.g. ternary {−s, 0, s}); counted from the zero level when 0 is one (ties to the even multiple of step, as PyTorch's fake quantization rounds), else from min |
 *
 * τ is found without a sort, in expected linear time (assembly/project_threshold.ts). `box` and `grid`
 * keep NaN as NaN elementwise; `l2Ball`, `l1Ball` and `simplex` throw `ValueError` on a
 * NaN or ±Inf and write nothing. A projection ignores the step size.
 */
import { ShapeError, ValueError } from '../errors.js';
import { describe, checkKnown } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import { Tensor } from '../runtime/tensor.js';
import { type BoundF64, type BoundStep, nonNegative, sameSize, simpleBound, simpleF64, StepBase } from './common.js';
import * as F from './f64.js';

/** Per-parameter bounds: a tensor (read at every run), or numbers (copied at construction). */
type Bound = number | Tensor | Float64Array;

class Box extends StepBase {
  readonly kind = 'project' as const;
  readonly name: string;
  readonly lo: Bound;
  readonly hi: Bound;
  override get elementwise(): boolean {
    return typeof this.lo === 'number' && typeof this.hi === 'number';
  }
  constructor(lo: number | Tensor | ArrayLike<number>, hi: number | Tensor | ArrayLike<number>, name = 'box') {
    super();
    this.name = name;
    const check = (arg: string, v: unknown): Bound => {
      if (v instanceof Tensor || (typeof v === 'number' && !Number.isNaN(v))) return v;
      if (v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
        const a = Float64Array.from(v as ArrayLike<number>);
        const bad = a.findIndex((e) => Number.isNaN(e));
        if (bad >= 0) throw new ValueError(`project.box: ${arg}[${bad}] must be a number, got ${describe((v as ArrayLike<unknown>)[bad])}`);
        return a;
      }
      throw new ValueError(`project.box: ${arg} must be a number, a Tensor or an array of numbers, got ${describe(v)}`);
    };
    this.lo = check('lo', lo);
    this.hi = check('hi', hi);
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) throw new ValueError(`project.box: lo (${lo}) must be ≤ hi (${hi})`);
  }

  /** Both bounds as n host values, checked lo ≤ hi (tensors read now); null when both are numbers. */
  private hostBounds(n: number, where: string, core?: Core): [Float64Array, Float64Array] | null {
    if (typeof this.lo === 'number' && typeof this.hi === 'number') return null;
    const get = (arg: string, v: Bound): Float64Array => {
      if (typeof v === 'number') return new Float64Array(n).fill(v);
      if (v instanceof Tensor) return Float64Array.from(sameSize(core ?? v.engine, where, `box ${arg}`, v, n).data);
      if (v.length !== n) throw new ShapeError(`${where}: box ${arg} has ${v.length} entries, the target has ${n}`);
      return v;
    };
    const lv = get('lo', this.lo), hv = get('hi', this.hi);
    for (let i = 0; i < n; i++) {
      if (!(lv[i] <= hv[i])) throw new ValueError(`${where}: box needs lo ≤ hi at every index, got lo ${lv[i]} and hi ${hv[i]} at index ${i}`);
    }
    return [lv, hv];
  }

  bindF64(n: number, _shape: readonly number[], where: string): BoundF64 {
    const b = this.hostBounds(n, where);
    if (b === null) {
      const lo = this.lo as number, hi = this.hi as number;
      return simpleF64((x, o) => F.clamp(x, o, n, lo, hi));
    }
    const [lv, hv] = b;
    return simpleF64((x, o) => F.box(x, o, n, lv, hv));
  }

  bind(core: Core, n: number, _shape: readonly number[], where: string): BoundStep {
    const k = core.kernels;
    const { lo, hi } = this;
    if (typeof lo === 'number' && typeof hi === 'number') return simpleBound((p) => k.f32_project_clamp(n, p, lo, hi));
    const host = this.hostBounds(n, where, core)!;
    // per-parameter bounds: a tensor is read at every run; numbers and arrays are copied into the arena (as f32)
    const bound = (v: Bound, values: Float64Array): { ptr: number; free(): void } => {
      if (v instanceof Tensor) return { ptr: v.ptr, free() {} };
      const ptr = core.allocF32(Math.max(1, n));
      core.f32(ptr, n).set(values);
      return { ptr, free: () => core.arena.free(ptr) };
    };
    let l: { ptr: number; free(): void } | undefined, h: { ptr: number; free(): void } | undefined;
    try {
      l = bound(lo, host[0]);
      h = bound(hi, host[1]);
    } catch (e) {
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
  bindF64(n: number, _shape: readonly number[], where: string): BoundF64 {
    return simpleF64((x, o) => {
      const norm = F.l2Ball(x, o, n, this.radius);
      if (!Number.isFinite(norm)) throw new ValueError(`${where}: l2Ball: the target's norm is ${norm} (a NaN or ±Inf inside); nothing was written`);
    });
  }
}

/** simplex and l1Ball: a threshold found in scratch (n floats, planned at bind). */
class Threshold extends StepBase {
  readonly kind = 'project' as const;
  constructor(readonly name: 'simplex' | 'l1Ball', readonly size: number) {
    super();
    nonNegative(`project.${name}`, name === 'simplex' ? 's' : 'radius', size, name === 'simplex');
  }
  bindF64(n: number, _shape: readonly number[], where: string): BoundF64 {
    if (this.name === 'simplex' && n === 0) throw new ShapeError(`${where}: simplex of an empty buffer (no point sums to ${this.size})`);
    const scratch = new Float64Array(n);
    const f = this.name === 'simplex' ? F.simplex : F.l1Ball;
    return simpleF64((x, o) => {
      if (Number.isNaN(f(x, o, n, scratch, this.size))) throw new ValueError(`${where}: ${this.name}: the target holds a NaN or ±Inf; nothing was written`);
    });
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
    checkKnown(op, options, ['step', 'min', 'max']);
    const { step, min, max } = options;
    nonNegative(op, 'step', step, true);
    for (const [arg, v] of [['min', min], ['max', max]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${arg} must be a finite number, got ${describe(v)}`);
    }
    if (min > max) throw new ValueError(`${op}: min (${min}) must be ≤ max (${max})`);
    // the levels as the kernel computes them: f32(step)·(k − m) + 0 from the zero level m when
    // 0 is a level (then kmax ≥ m, as level m = 0 ≤ max), else f32(min) + f32(step)·k
    const lo = Math.fround(min), st = Math.fround(step);
    const m = max >= 0 ? F.gridZeroLevel(lo, st, Infinity) : -1;
    const level = (k: number): number => (m >= 0 ? Math.fround(Math.fround(st * (k - m)) + 0) : Math.fround(lo + Math.fround(st * k)));
    let kmax = Math.floor((max - min) / step);
    while (level(kmax + 1) <= max) kmax++;
    while (kmax > 0 && level(kmax) > max) kmax--;
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
  /** In f64 the levels are min + k·step (k ≤ ⌊(max − min)/step⌋ up to 1e-12 relative), capped at max. */
  bindF64(n: number): BoundF64 {
    const { min, step, max } = this;
    const kmax = Math.floor(((max - min) / step) * (1 + 1e-12));
    return simpleF64((x, o) => F.grid(x, o, n, min, step, kmax, max));
  }
}

/** The projections (descriptors: no engine needed until `apply`). */
export const project = Object.freeze({
  /** onto lo ≤ x ≤ hi; lo and hi are numbers (±Infinity allowed), tensors or arrays of the target's size. */
  box: (lo: number | Tensor | ArrayLike<number>, hi: number | Tensor | ArrayLike<number>) => Object.freeze(new Box(lo, hi)),
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
