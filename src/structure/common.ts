/**
 * What the proximal operators and projections share: the step interface, regions of a
 * flat buffer, argument checks, and `StepPlan`, which binds a list of steps to the regions
 * of one buffer of one core (all checks and allocations up front) and runs them.
 *
 * A step descriptor (`prox.l1(λ)`, `project.simplex()`, ...) holds numbers only and
 * needs no engine until it is applied: `apply(tensor, stepSize)` plans on the tensor's
 * core, runs, and frees what it planned; an optimizer plans once at construction.
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import { checkTensor, Tensor } from '../runtime/tensor.js';

/**
 * A part of a flat buffer, in elements: `{ offset, length }` (a `Span`), or a
 * `model.parameterRanges()` entry `{ name, offset, shape }` (whose shape the row and
 * column group lasso use).
 */
export type Region =
  | { offset: number; length: number; shape?: readonly number[]; name?: string }
  | { offset: number; shape: readonly number[]; name?: string; length?: number };

/** A region checked against a buffer of known length. */
export interface ResolvedRegion {
  offset: number;
  length: number;
  /** the region's own shape (`[length]` when none was given) */
  shape: readonly number[];
  name: string;
}

/** One step bound to `length` floats of one core: run it on the floats at `ptr`. */
export interface BoundStep {
  /** Runs in place. `stepSize` ≥ 0 scales the prox weight; projections ignore it. */
  run(ptr: number, stepSize: number): void;
  /** true when `run` throws on a NaN or ±Inf input (after checking, before writing) */
  readonly rejectsNonFinite: boolean;
  /** Frees what binding allocated (scratch, index sets). Idempotent. */
  dispose(): void;
}

/** A proximal operator or a projection, applied in place after a gradient step. */
export interface StructureStep {
  readonly kind: 'prox' | 'project';
  /** `l1`, `groupLasso`, `simplex`, ... */
  readonly name: string;
  /** The regions this step is restricted to (all of the buffer when undefined). */
  readonly regions: readonly Region[] | undefined;
  /** true when each element is mapped on its own (splitting the buffer changes nothing) */
  readonly elementwise: boolean;
  /**
   * In place on `tensor` (of any engine): x ← prox_{stepSize·R}(x) for a prox (default
   * stepSize 1), x ← P_C(x) for a projection. Checks everything first: a call that throws
   * has written nothing. Returns `tensor`.
   */
  apply(tensor: Tensor, stepSize?: number): Tensor;
  /** The same step restricted to some regions of the buffer it is applied to. */
  on(regions: Region | readonly Region[]): StructureStep;
  /**
   * @internal Binds the step to `n` floats of `core` whose shape is `shape`: checks the
   * sizes and allocates scratch. `where` names the target in error messages.
   */
  bind(core: Core, n: number, shape: readonly number[], where: string): BoundStep;
  /**
   * @internal The f64 host twin of `bind` (src/structure/f64.ts) for `minimize()`:
   * the same checks, scratch allocated here once.
   */
  bindF64(n: number, shape: readonly number[], where: string): BoundF64;
}

/** One step bound to `length` entries of a host Float64Array (f64 twin of BoundStep). */
export interface BoundF64 {
  /** Runs in place on x[off, off + length); throws ValueError (nothing written) where the core's run would. */
  run(x: Float64Array, off: number, stepSize: number): void;
  /** R(x) of a prox (λ‖x‖₁, ½λ‖x‖², λΣ‖x_g‖, ...); 0 for a projection (the indicator at a feasible point). */
  value(x: Float64Array, off: number): number;
}

/** Base of every step: region restriction and `apply` over a `StepPlan`. */
export abstract class StepBase implements StructureStep {
  abstract readonly kind: 'prox' | 'project';
  abstract readonly name: string;
  regions: readonly Region[] | undefined = undefined;
  get elementwise(): boolean {
    return false;
  }

  abstract bind(core: Core, n: number, shape: readonly number[], where: string): BoundStep;
  abstract bindF64(n: number, shape: readonly number[], where: string): BoundF64;

  on(regions: Region | readonly Region[]): StructureStep {
    const list = Array.isArray(regions) ? [...(regions as readonly Region[])] : [regions as Region];
    list.forEach((r, i) => checkRegionShape(`${this.name}.on`, `regions[${i}]`, r));
    const copy = Object.create(Object.getPrototypeOf(this)) as StepBase;
    Object.assign(copy, this);
    copy.regions = Object.freeze(list);
    return Object.freeze(copy);
  }

  apply(tensor: Tensor, stepSize = 1): Tensor {
    const op = `${this.kind}.${this.name}.apply`;
    if (!(tensor instanceof Tensor)) throw new ValueError(`${op}: tensor must be a Tensor, got ${describe(tensor)}`);
    checkTensor(tensor.engine, op, 'tensor', tensor);
    const plan = new StepPlan(tensor.engine, [this], tensor.size, tensor.shape, op);
    try {
      plan.run(tensor.ptr, stepSize);
    } finally {
      plan.dispose();
    }
    return tensor;
  }
}

/** Throws unless `r` looks like a region (numbers checked again against the buffer at bind). */
function checkRegionShape(op: string, name: string, r: unknown): void {
  const o = r as { offset?: unknown; length?: unknown; shape?: unknown } | null;
  if (o === null || typeof o !== 'object' || !Number.isInteger(o.offset) || (o.length === undefined && !Array.isArray(o.shape))) {
    throw new ValueError(`${op}: ${name} must be { offset, length } or a parameterRanges() entry { name, offset, shape }, got ${JSON.stringify(r)}`);
  }
}

/** Checks `regions` against a buffer of `total` floats (default: the whole buffer with `shape`). */
export function resolveRegions(op: string, regions: readonly Region[] | undefined, total: number, shape: readonly number[]): ResolvedRegion[] {
  if (regions === undefined) return [{ offset: 0, length: total, shape, name: 'the whole buffer' }];
  return regions.map((r, i) => {
    const sh = r.shape === undefined ? undefined : [...r.shape];
    const fromShape = sh?.reduce((a, b) => a * b, 1);
    const length = r.length ?? fromShape ?? NaN;
    const name = r.name ?? `regions[${i}]`;
    if (!Number.isInteger(r.offset) || !Number.isInteger(length) || r.offset < 0 || length < 0 || r.offset + length > total) {
      throw new ShapeError(`${op}: ${name} must lie inside a buffer of ${total} floats, got offset ${r.offset} and length ${length}`);
    }
    if (fromShape !== undefined && fromShape !== length) {
      throw new ShapeError(`${op}: ${name} has length ${length} but shape ${fmtShape(sh!)} holds ${fromShape}`);
    }
    return { offset: r.offset, length, shape: sh ?? [length], name };
  });
}

/**
 * A list of steps bound to one buffer of `total` floats (shape `shape`) of one core: every
 * (step, region) pair is checked and bound at construction; `run(ptr, stepSize)` applies
 * them in order. When a step can reject non-finite input and more than one pair runs, the
 * regions are scanned first (`f32_find_nonfinite`), so a throwing run writes nothing.
 */
export class StepPlan {
  private readonly bound: { step: StructureStep; region: ResolvedRegion; b: BoundStep }[] = [];
  private readonly prescan: boolean;
  private readonly sizes: number[] = [];

  constructor(readonly core: Core, steps: readonly StructureStep[], readonly total: number, shape: readonly number[], op: string) {
    try {
      for (const step of steps) {
        for (const region of resolveRegions(op, step.regions, total, shape)) {
          this.bound.push({ step, region, b: step.bind(core, region.length, region.shape, `${op} (${region.name})`) });
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.prescan = this.bound.length > 1 && this.bound.some((x) => x.b.rejectsNonFinite);
  }

  /**
   * Runs every bound step in place on the buffer at byte offset `ptr`, each prox weight
   * times `stepSize` (or times `stepSize(offset)` for the region starting at `offset`).
   */
  run(ptr: number, stepSize: number | ((offset: number) => number)): void {
    const sizes = this.sizes;
    for (let i = 0; i < this.bound.length; i++) {
      const s = typeof stepSize === 'function' ? stepSize(this.bound[i].region.offset) : stepSize;
      if (typeof s !== 'number' || !(s >= 0) || s === Infinity) {
        throw new ValueError(`${this.bound[i].step.kind}.${this.bound[i].step.name}: stepSize must be a finite number ≥ 0, got ${describe(s)}`);
      }
      sizes[i] = s;
    }
    if (this.prescan) {
      for (const { step, region } of this.bound) {
        const at = this.core.kernels.f32_find_nonfinite(region.length, ptr + region.offset * 4);
        if (at >= 0) throw new ValueError(`${step.kind}.${step.name}: ${region.name} holds a non-finite value at index ${at}; nothing was written`);
      }
    }
    for (let i = 0; i < this.bound.length; i++) this.bound[i].b.run(ptr + this.bound[i].region.offset * 4, sizes[i]);
  }

  dispose(): void {
    for (const { b } of this.bound.splice(0)) b.dispose();
  }
}

/**
 * The f64 twin of StepPlan, over a host Float64Array of `total` entries (for `minimize()`):
 * every (step, region) pair bound at construction; `run` and `value` allocate nothing.
 * Steps that reject non-finite input (simplex, balls) check their own span before writing
 * it; a step before them may have written (minimize() runs the plan on its own scratch
 * vectors, whose entries are finite).
 */
export class F64Plan {
  private readonly bound: { step: StructureStep; region: ResolvedRegion; b: BoundF64 }[] = [];

  constructor(steps: readonly StructureStep[], readonly total: number, op: string) {
    for (const step of steps) {
      for (const region of resolveRegions(op, step.regions, total, [total])) {
        this.bound.push({ step, region, b: step.bindF64(region.length, region.shape, `${op} (${region.name})`) });
      }
    }
  }

  get size(): number {
    return this.bound.length;
  }

  /** Every step in order, in place on x, each prox weight times `stepSize`. */
  run(x: Float64Array, stepSize: number): void {
    for (let i = 0; i < this.bound.length; i++) this.bound[i].b.run(x, this.bound[i].region.offset, stepSize);
  }

  /** Σ R(x) over the prox steps (projections add 0). */
  value(x: Float64Array): number {
    let v = 0;
    for (let i = 0; i < this.bound.length; i++) v += this.bound[i].b.value(x, this.bound[i].region.offset);
    return v;
  }
}

/** An f64 step with no memory of its own. */
export function simpleF64(run: (x: Float64Array, off: number, stepSize: number) => void, value: (x: Float64Array, off: number) => number = () => 0): BoundF64 {
  return { run, value };
}

/** A bound step with no memory of its own. */
export function simpleBound(run: (ptr: number, stepSize: number) => void, rejectsNonFinite = false): BoundStep {
  return { run, rejectsNonFinite, dispose() {} };
}

/** Throws unless `v` is a finite number ≥ 0 (> 0 when `strict`). */
export function nonNegative(op: string, name: string, v: unknown, strict = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (strict && v === 0)) {
    throw new ValueError(`${op}: ${name} must be a finite number ${strict ? '> 0' : '≥ 0'}, got ${describe(v)}`);
  }
  return v;
}

/** Throws unless `t` is a live tensor of `core` with `n` elements. */
export function sameSize(core: Core, op: string, name: string, t: unknown, n: number): Tensor {
  const x = checkTensor(core, op, name, t);
  if (x.size !== n) throw new ShapeError(`${op}: ${name} has ${x.size} elements, the target has ${n}`);
  return x;
}
