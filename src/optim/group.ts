/**
 * Parameter groups (torch's param_groups): a contiguous span of the flat
 * buffer with its own hyperparameters and its own state buffers, and the
 * plain-data shapes of an optimizer's saved state.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { checkKnown, describe } from '../runtime/validate.js';
import type { StructureStep } from '../structure/common.js';
import type { QuantizeState, StructureOption } from '../structure/hook.js';
import { checkLr, type LearningRate, lrAt } from './options.js';
import type { FusedStep } from './rule.js';
import type { StepContext, TransformInstance, TransformStateData } from './transform.js';

/** A span of the flat buffer with optional hyperparameter overrides (as torch param_groups). */
export type ParamGroupSpec<O> = { offset: number; length: number } & Partial<O>;

/** Options every optimizer takes besides its hyperparameters. */
export interface CommonOptions<O> {
  /** one fused kernel per group (default true), or the named chain of transforms */
  fused?: boolean;
  /** non-finite guard on the gradient: 'skip' the step (nothing changes) or 'zero' the bad entries */
  guard?: 'skip' | 'zero';
  /** with guard 'skip', also undo a step that makes a parameter non-finite (a copy of params and state per step, into buffers planned once) */
  guardParams?: boolean;
  /** parameter groups (default: one group over all parameters) */
  groups?: ParamGroupSpec<O>[];
  /** proximal steps after each update, with the step's lr (src/structure/hook.ts) */
  prox?: StructureOption;
  /** projections after each update (and after the prox) */
  project?: StructureOption;
  /** BinaryConnect-style quantization: full-precision weights kept, the model holds their projection */
  quantize?: StructureStep;
}

export const COMMON_KEYS = ['fused', 'guard', 'guardParams', 'groups', 'prox', 'project', 'quantize'] as const;

/** Where and when the guard last found a non-finite value. */
export interface SkipReport {
  /** the optimizer step (stepCount) at which it happened */
  step: number;
  /** element index in the flat buffer of the first non-finite value */
  index: number;
  where: 'gradient' | 'parameter';
}

/** The counters of an optimizer (one object, so a snapshot can save and restore them). */
export interface Counters {
  /** steps applied so far (skipped steps do not count) */
  step: number;
  /** steps skipped (guard 'skip'), or steps whose gradient had entries zeroed (guard 'zero') */
  skipped: number;
  lastSkip: SkipReport | null;
}

export interface GroupState {
  offset: number;
  length: number;
  /** the lr if it is a number (a schedule is code: it is not saved) */
  lr: number | null;
  /** the `momentum` option (sgd, rmsprop) or betas[0] (Adam family) if it is a number, null for a schedule (it resumes from stepCount) */
  momentum?: number | null;
  scalars: Record<string, number>;
  buffers: Record<string, Float32Array>;
  rng?: number[];
  chain?: TransformStateData;
}

/** Plain data: numbers, strings and Float32Array buffers. */
export interface OptimizerState {
  format: 'wasmgrad.optimizer/1';
  name: string;
  path: 'fused' | 'chain';
  numParameters: number;
  stepCount: number;
  skippedSteps: number;
  groups: GroupState[];
  /** the `quantize` option's full-precision rest, when it is set */
  quantize?: QuantizeState;
}

/** the momentum-like hyperparameter of a group: `momentum`, else `betas[0]` */
export function momentumOf(o: object): unknown {
  const x = o as { momentum?: unknown; betas?: unknown[] };
  return x.momentum !== undefined ? x.momentum : Array.isArray(x.betas) ? x.betas[0] : undefined;
}

export class ParamGroup<O extends { lr?: LearningRate }> {
  private _lr: LearningRate;
  /** @internal state buffer pointers */
  buf: Record<string, number> = {};
  /** @internal per-group scalar state */
  scalars: Record<string, number> = {};
  /** @internal */
  chain: TransformInstance | null = null;
  /** @internal */
  rng = 0;
  /** @internal */
  scratch = 0;
  /** @internal */
  rows = 0;
  /** @internal the fused kernel's arguments, made once and updated per step */
  args: FusedStep<O> | null = null;
  /** @internal the chain's step context, made once and updated per step */
  ctx: StepContext = { step: 0, lr: 0, params: 0 };

  constructor(
    readonly name: string,
    /** offset in elements */
    readonly offset: number,
    /** number of elements */
    readonly length: number,
    /** validated hyperparameters (lr included) */
    readonly options: Readonly<O>,
  ) {
    this._lr = options.lr as LearningRate;
  }

  /** The learning rate: a number or a schedule (step) => number. */
  get lr(): LearningRate {
    return this._lr;
  }
  set lr(v: LearningRate) {
    this._lr = checkLr(this.name, v);
  }

  /** The lr value at optimizer step `step`. */
  lrAt(step: number): number {
    return lrAt(this.name, this._lr, step);
  }
}

/**
 * Makes the groups of an optimizer `op` over n parameters from `specs`: each a span inside
 * [0, n) that overlaps no other, with known option names; `resolve` merges a group's
 * overrides into the base options and validates them; sparse rules need whole rows of `dim`.
 */
export function makeGroups<O extends { lr?: LearningRate }>(
  op: string,
  n: number,
  specs: unknown,
  known: readonly string[],
  sparse: boolean,
  resolve: (where: string, over: Partial<O>) => O,
): ParamGroup<O>[] {
  if (!Array.isArray(specs) || specs.length === 0) throw new ValueError(`${op}: groups must be a non-empty array of {offset, length, ...options}, got ${describe(specs)}`);
  const made: ParamGroup<O>[] = [];
  const spans: [number, number][] = [];
  specs.forEach((spec, i) => {
    const { offset, length, ...over } = spec as ParamGroupSpec<O>;
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > n) {
      throw new ShapeError(`${op}: groups[${i}] must be a span inside [0, ${n}) with length >= 0, got offset ${describe(offset)} and length ${describe(length)}`);
    }
    for (const [o2, l2] of spans) {
      if (offset < o2 + l2 && o2 < offset + length) throw new ShapeError(`${op}: groups[${i}] [${offset}, ${offset + length}) overlaps [${o2}, ${o2 + l2})`);
    }
    spans.push([offset, length]);
    checkKnown(`${op}: groups[${i}]`, over, known);
    const o = resolve(`${op}: groups[${i}]`, over as unknown as Partial<O>);
    const dim = (o as { dim?: number }).dim;
    if (sparse && length % dim! !== 0) throw new ShapeError(`${op}: groups[${i}] has ${length} elements, not a multiple of dim ${dim}`);
    made.push(new ParamGroup<O>(op, offset, length, o));
  });
  return made;
}

/** sparseAdam's step(rows): validates the distinct row indices against every group's table [rows, dim], writes them as i32 into each group's row buffer and returns their count. */
export function writeRows<O extends { lr?: LearningRate }>(op: string, engine: Core, groups: readonly ParamGroup<O>[], rows: ArrayLike<number> | undefined): number {
  if (rows === undefined || rows === null || typeof rows.length !== 'number') throw new ValueError(`${op}: step(rows) needs the row indices of the gradient`);
  const m = rows.length;
  for (const g of groups) {
    const nrows = g.length / (g.options as { dim?: number }).dim!;
    if (m > nrows) throw new ValueError(`${op}: ${m} rows given, the table has ${nrows}`);
    const seen = new Set<number>();
    for (let i = 0; i < m; i++) {
      const r = rows[i];
      if (!Number.isInteger(r) || r < 0 || r >= nrows) throw new ValueError(`${op}: rows[${i}] must be an integer in [0, ${nrows}), got ${describe(r)}`);
      if (seen.has(r)) throw new ValueError(`${op}: rows[${i}] = ${r} is repeated; rows must be distinct`);
      seen.add(r);
    }
  }
  for (const g of groups) engine.i32(g.rows, m).set(rows);
  return m;
}
