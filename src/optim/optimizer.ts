/**
 * A torch-like optimizer over a Parameterized's flat buffers: parameter
 * groups (contiguous spans with their own hyperparameters), `step()`,
 * `zeroGrad()`, a settable `lr` (number or schedule), `state()` /
 * `loadState()`, and an optional non-finite guard.
 *
 * Each group owns its state buffers, planned once in the arena. `step()` is
 * one fused kernel call per group (default), or, with `fused: false`, the
 * optimizer's named chain of transforms: copy g into an update buffer u,
 * run the chain on u, then p <- p + u.
 */
import { ShapeError, StateError, ValueError } from '../errors.js';
import type { Parameterized } from '../runtime/params.js';
import type { Core } from '../runtime/core.js';
import { check, type LearningRate } from './options.js';
import type { FusedStep, Rule } from './rules.js';
import type { StepContext, TransformInstance, TransformStateData } from './transforms.js';

/** A span of the flat buffer with optional hyperparameter overrides (as torch param_groups). */
export type ParamGroupSpec<O> = { offset: number; length: number } & Partial<O>;

/** Options every optimizer takes besides its hyperparameters. */
export interface CommonOptions<O> {
  /** one fused kernel per group (default true), or the named chain of transforms */
  fused?: boolean;
  /** non-finite guard on the gradient: 'skip' the step (nothing changes) or 'zero' the bad entries */
  guard?: 'skip' | 'zero';
  /** with guard 'skip', also undo a step that makes a parameter non-finite (costs a copy of params and state per step) */
  guardParams?: boolean;
  /** parameter groups (default: one group over all parameters) */
  groups?: ParamGroupSpec<O>[];
}

/** Where and when the guard last found a non-finite value. */
export interface SkipReport {
  /** the optimizer step (stepCount) at which it happened */
  step: number;
  /** element index in the flat buffer of the first non-finite value */
  index: number;
  where: 'gradient' | 'parameter';
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
}

/** the momentum-like hyperparameter of a group: `momentum`, else `betas[0]` */
function momentumOf(o: object): unknown {
  const x = o as { momentum?: unknown; betas?: unknown[] };
  return x.momentum !== undefined ? x.momentum : Array.isArray(x.betas) ? x.betas[0] : undefined;
}

const COMMON_KEYS = ['fused', 'guard', 'guardParams', 'groups'] as const;

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
    this._lr = check.lr(this.name, v);
  }

  /** The lr value at optimizer step `step`. */
  lrAt(step: number): number {
    const v = this._lr;
    return typeof v === 'number' ? v : check.lrValue(this.name, v(step), step);
  }
}

export class Optimizer<O extends { lr?: LearningRate }> {
  readonly paramGroups: readonly ParamGroup<O>[];
  readonly fused: boolean;
  readonly guard: 'skip' | 'zero' | null;
  readonly guardParams: boolean;
  /** steps applied so far (skipped steps do not count) */
  stepCount = 0;
  /** steps skipped (guard 'skip'), or steps whose gradient had entries zeroed (guard 'zero') */
  skippedSteps = 0;
  lastSkip: SkipReport | null = null;
  private readonly engine: Core;
  private readonly blocks: number[] = [];
  private u = 0;
  private disposed = false;
  /** per-group lr values of the current step (reused: a step creates no objects) */
  private readonly lrs: number[] = [];

  constructor(
    readonly model: Parameterized,
    readonly rule: Rule<O>,
    options: O & CommonOptions<O>,
  ) {
    const op = rule.name;
    if (!model || typeof model.numParameters !== 'number' || typeof model.paramsPtr !== 'number' || !model.engine) {
      throw new ValueError(`${op}: model must be a Parameterized (numParameters, paramsPtr, gradsPtr, engine)`);
    }
    this.engine = model.engine;
    if (options === null || typeof options !== 'object') throw new ValueError(`${op}: options must be an object, got ${String(options)}`);
    check.known(op, options, [...Object.keys(rule.defaults), ...COMMON_KEYS]);
    const { fused = true, guard, guardParams = false, groups, ...hyper } = options;
    check.bool(op, 'fused', fused);
    check.bool(op, 'guardParams', guardParams);
    if (guard !== undefined && guard !== 'skip' && guard !== 'zero') throw new ValueError(`${op}: guard must be 'skip' or 'zero', got ${String(guard)}`);
    if (guardParams && guard !== 'skip') throw new ValueError(`${op}: guardParams needs guard 'skip', got guard ${String(guard)}`);
    if (!fused && !rule.chain) throw new ValueError(`${op}: fused must be true (${op} has no chain form)`);
    const base = this.resolve({ ...rule.defaults, ...(hyper as Partial<O>) });
    const n = model.numParameters;
    const specs = groups ?? [{ offset: 0, length: n } as ParamGroupSpec<O>];
    if (!Array.isArray(specs) || specs.length === 0) throw new ValueError(`${op}: groups must be a non-empty array of {offset, length, ...options}`);
    const made: ParamGroup<O>[] = [];
    const spans: [number, number][] = [];
    specs.forEach((spec, i) => {
      const { offset, length, ...over } = spec as ParamGroupSpec<O>;
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > n) {
        throw new ShapeError(`${op}: groups[${i}] must be a span inside [0, ${n}) with length >= 0, got offset ${offset} and length ${length}`);
      }
      for (const [o2, l2] of spans) {
        if (offset < o2 + l2 && o2 < offset + length) throw new ShapeError(`${op}: groups[${i}] [${offset}, ${offset + length}) overlaps [${o2}, ${o2 + l2})`);
      }
      spans.push([offset, length]);
      check.known(`${op}: groups[${i}]`, over, Object.keys(rule.defaults));
      const o = this.resolve({ ...base, ...(over as unknown as Partial<O>) });
      if (rule.sparse && length % (o as { dim?: number }).dim! !== 0) {
        throw new ShapeError(`${op}: groups[${i}] has ${length} elements, not a multiple of dim ${(o as { dim?: number }).dim}`);
      }
      made.push(new ParamGroup<O>(op, offset, length, o));
    });
    this.paramGroups = made;
    this.fused = fused;
    this.guard = guard ?? null;
    this.guardParams = guardParams;
    try {
      this.plan();
    } catch (e) {
      this.release();
      throw e;
    }
  }

  private resolve(o: O): O {
    const op = this.rule.name;
    if (o.lr === undefined) throw new ValueError(`${op}: lr is required`);
    check.lr(op, o.lr);
    this.rule.validate(o);
    return Object.freeze({ ...o });
  }

  private alloc(bytes: number): number {
    const p = this.engine.arena.alloc(bytes);
    this.blocks.push(p);
    return p;
  }

  /** Plans every buffer once. */
  private plan(): void {
    const k = this.engine.kernels;
    let maxLen = 0;
    this.paramGroups.forEach((grp, gi) => {
      const n = grp.length;
      maxLen = Math.max(maxLen, n);
      if (this.rule.sparse) grp.rows = this.alloc(Math.max(1, n / (grp.options as { dim?: number }).dim!) * 4);
      if (this.fused) {
        for (const [name, fill] of Object.entries(this.rule.buffers(grp.options))) {
          const p = this.alloc(n * 4);
          k.f32_fill(n, p, fill);
          grp.buf[name] = p;
        }
        grp.scalars = { ...(this.rule.scalars ?? {}) };
        if (this.rule.rng) {
          grp.rng = this.alloc(16);
          const seed = (grp.options as { seed?: number }).seed ?? 0;
          k.rng_seed(grp.rng, seed >>> 0, gi + Math.floor(seed / 4294967296));
        }
        if (this.rule.scratch) grp.scratch = this.alloc(n * 4);
        grp.args = {
          k, n, g: 0, p: 0, buf: grp.buf, o: grp.options, lr: 0, t: 0, scalars: grp.scalars,
          rng: grp.rng, scratch: grp.scratch, rows: grp.rows, nrows: 0,
        };
      } else {
        grp.chain = this.rule.chain!(grp.options, gi).init(this.engine, n);
      }
    });
    if (!this.fused) this.u = this.alloc(maxLen * 4);
  }

  private release(): void {
    for (const g of this.paramGroups ?? []) g.chain?.dispose();
    for (const p of this.blocks) this.engine.arena.free(p);
    this.blocks.length = 0;
  }

  private live(what: string): void {
    if (this.disposed) throw new StateError(`${this.rule.name}: ${what} after dispose()`);
  }

  /** Group 0's learning rate (number or schedule); setting it sets group 0's. */
  get lr(): LearningRate {
    return this.paramGroups[0].lr;
  }
  set lr(v: LearningRate) {
    this.paramGroups[0].lr = v;
  }

  /** Group 0's lr value at the next step. */
  get currentLr(): number {
    return this.paramGroups[0].lrAt(this.stepCount);
  }

  /**
   * One optimizer step over every group. `rows` (sparseAdam only): the distinct row
   * indices whose gradient is non-zero. Returns false when the step was not applied
   * (guard skip, or a chain that is accumulating).
   */
  step(rows?: ArrayLike<number>): boolean {
    this.live('step');
    const op = this.rule.name;
    const k = this.engine.kernels;
    const t = this.stepCount + 1;
    // evaluate (and validate) every group's lr before writing anything
    const lrs = this.lrs;
    for (let i = 0; i < this.paramGroups.length; i++) {
      lrs[i] = this.paramGroups[i].lrAt(this.stepCount);
      this.rule.prepare?.(this.paramGroups[i].options as O, this.stepCount);
    }
    let nrows = 0;
    if (this.rule.sparse) nrows = this.loadRows(rows);
    else if (rows !== undefined) throw new ValueError(`${op}: step() takes no rows (only sparseAdam does)`);
    const P = this.model.paramsPtr, G = this.model.gradsPtr;
    if (this.guard) {
      let zeroed = false;
      for (const g of this.paramGroups) {
        const gp = G + g.offset * 4;
        const i = k.f32_find_nonfinite(g.length, gp);
        if (i < 0) continue;
        this.lastSkip = { step: this.stepCount, index: g.offset + i, where: 'gradient' };
        if (this.guard === 'skip') {
          this.skippedSteps++;
          return false;
        }
        k.f32_zero_nonfinite(g.length, gp);
        zeroed = true;
      }
      if (zeroed) this.skippedSteps++;
    }
    const snap = this.guardParams ? this.state() : null;
    const snapParams = this.guardParams ? this.paramGroups.map((g) => this.engine.f32(P + g.offset * 4, g.length).slice()) : null;
    let applied = false;
    this.paramGroups.forEach((g, gi) => {
      const p = P + g.offset * 4, gp = G + g.offset * 4;
      if (this.fused) {
        const a = g.args!;
        a.g = gp;
        a.p = p;
        a.lr = lrs[gi];
        a.t = t;
        a.nrows = nrows;
        this.rule.fused(a);
        applied = true;
      } else {
        k.f32_copy(g.length, gp, this.u);
        const c = g.ctx;
        c.step = this.stepCount;
        c.lr = lrs[gi];
        c.params = p;
        if (this.rule.sparse) {
          c.rows = g.rows;
          c.nrows = nrows;
        }
        if (g.chain!.update(this.u, c)) {
          k.f32_tx_axpby(g.length, this.u, p, 1, 1);
          applied = true;
        }
      }
    });
    if (snap) {
      for (const g of this.paramGroups) {
        const i = k.f32_find_nonfinite(g.length, P + g.offset * 4);
        if (i < 0) continue;
        this.loadState(snap);
        this.paramGroups.forEach((h, j) => this.engine.f32(P + h.offset * 4, h.length).set(snapParams![j]));
        this.lastSkip = { step: this.stepCount, index: g.offset + i, where: 'parameter' };
        this.skippedSteps++;
        return false;
      }
    }
    if (applied) this.stepCount++;
    return applied;
  }

  /** Validates rows against every group's table and writes them as i32; returns the count. */
  private loadRows(rows: ArrayLike<number> | undefined): number {
    const op = this.rule.name;
    if (rows === undefined || rows === null || typeof rows.length !== 'number') throw new ValueError(`${op}: step(rows) needs the row indices of the gradient`);
    const m = rows.length;
    for (const g of this.paramGroups) {
      const nrows = g.length / (g.options as { dim?: number }).dim!;
      if (m > nrows) throw new ValueError(`${op}: ${m} rows given, the table has ${nrows}`);
      const seen = new Set<number>();
      for (let i = 0; i < m; i++) {
        const r = rows[i];
        if (!Number.isInteger(r) || r < 0 || r >= nrows) throw new ValueError(`${op}: rows[${i}] must be an integer in [0, ${nrows}), got ${r}`);
        if (seen.has(r)) throw new ValueError(`${op}: rows[${i}] = ${r} is repeated; rows must be distinct`);
        seen.add(r);
      }
    }
    for (const g of this.paramGroups) this.engine.i32(g.rows, m).set(rows);
    return m;
  }

  /** Sets the gradients of every group's span to 0. */
  zeroGrad(): void {
    this.live('zeroGrad');
    for (const g of this.paramGroups) this.engine.kernels.f32_fill(g.length, this.model.gradsPtr + g.offset * 4, 0);
  }

  /** A copy of the optimizer's state as plain data. */
  state(): OptimizerState {
    this.live('state');
    return {
      format: 'wasmgrad.optimizer/1',
      name: this.rule.name,
      path: this.fused ? 'fused' : 'chain',
      numParameters: this.model.numParameters,
      stepCount: this.stepCount,
      skippedSteps: this.skippedSteps,
      groups: this.paramGroups.map((g) => {
        const buffers: Record<string, Float32Array> = {};
        for (const [name, p] of Object.entries(g.buf)) buffers[name] = this.engine.f32(p, g.length).slice();
        const s: GroupState = { offset: g.offset, length: g.length, lr: typeof g.lr === 'number' ? g.lr : null, scalars: { ...g.scalars }, buffers };
        const mo = momentumOf(g.options);
        if (mo !== undefined) s.momentum = typeof mo === 'number' ? mo : null;
        if (g.rng) s.rng = Array.from(new Uint32Array(this.engine.memory.buffer, g.rng, 4));
        if (g.chain) s.chain = g.chain.state();
        return s;
      }),
    };
  }

  /**
   * Restores a state from `state()` of an optimizer of the same kind, path, model size and
   * groups. Everything is validated before anything is written. A numeric lr in the state
   * replaces the group's lr when that is a number (a schedule stays).
   */
  loadState(s: OptimizerState): void {
    this.live('loadState');
    const op = this.rule.name;
    if (!s || s.format !== 'wasmgrad.optimizer/1') throw new StateError(`${op}: loadState needs an OptimizerState (format 'wasmgrad.optimizer/1'), got ${String(s?.format)}`);
    if (s.name !== op) throw new StateError(`${op}: loadState got the state of a '${s.name}' optimizer`);
    const path = this.fused ? 'fused' : 'chain';
    if (s.path !== path) throw new StateError(`${op}: loadState got a '${s.path}' state, this optimizer runs the '${path}' path`);
    if (s.numParameters !== this.model.numParameters) {
      throw new StateError(`${op}: loadState got the state of a model with ${s.numParameters} parameters, this one has ${this.model.numParameters}`);
    }
    if (!Number.isInteger(s.stepCount) || s.stepCount < 0) throw new StateError(`${op}: state stepCount must be a non-negative integer, got ${s.stepCount}`);
    if (!Array.isArray(s.groups) || s.groups.length !== this.paramGroups.length) {
      throw new StateError(`${op}: state has ${s.groups?.length} groups, this optimizer has ${this.paramGroups.length}`);
    }
    const undo: TransformStateData[] = [];
    this.paramGroups.forEach((g, i) => {
      const gs = s.groups[i];
      if (gs.offset !== g.offset || gs.length !== g.length) {
        throw new StateError(`${op}: state group ${i} spans [${gs.offset}, +${gs.length}), this one [${g.offset}, +${g.length})`);
      }
      for (const name of Object.keys(g.buf)) {
        const a = gs.buffers?.[name];
        if (!(a instanceof Float32Array) || a.length !== g.length) {
          throw new StateError(`${op}: state group ${i} buffer '${name}' must be a Float32Array of ${g.length}, got ${a ? `length ${a.length}` : 'none'}`);
        }
      }
      for (const name of Object.keys(g.scalars)) {
        if (typeof gs.scalars?.[name] !== 'number') throw new StateError(`${op}: state group ${i} scalar '${name}' is missing`);
      }
      if (g.rng && (!Array.isArray(gs.rng) || gs.rng.length !== 4)) throw new StateError(`${op}: state group ${i} rng must be 4 words`);
      if (gs.lr !== null && typeof g.lr === 'number') check.lr(op, gs.lr, `state group ${i} lr`);
      const mo = momentumOf(g.options);
      if (mo !== undefined && gs.momentum !== undefined && (gs.momentum === null) !== (typeof mo === 'function')) {
        throw new StateError(`${op}: state group ${i} momentum is ${gs.momentum === null ? 'a schedule' : gs.momentum}, this optimizer's is ${typeof mo === 'function' ? 'a schedule' : mo}`);
      }
      if (g.chain && !gs.chain) throw new StateError(`${op}: state group ${i} has no chain state`);
    });
    // chain states validate themselves on load; undo the loaded ones if a later one throws
    try {
      this.paramGroups.forEach((g, i) => {
        if (!g.chain) return;
        const before = g.chain.state();
        g.chain.loadState(s.groups[i].chain!);
        undo.push(before);
      });
    } catch (e) {
      undo.forEach((st, i) => this.paramGroups[i].chain!.loadState(st));
      throw e;
    }
    this.paramGroups.forEach((g, i) => {
      const gs = s.groups[i];
      for (const [name, p] of Object.entries(g.buf)) this.engine.f32(p, g.length).set(gs.buffers[name]);
      for (const name of Object.keys(g.scalars)) g.scalars[name] = gs.scalars[name];
      if (g.rng) new Uint32Array(this.engine.memory.buffer, g.rng, 4).set(gs.rng!);
      if (gs.lr !== null && typeof g.lr === 'number') g.lr = gs.lr;
    });
    this.stepCount = s.stepCount;
    this.skippedSteps = s.skippedSteps ?? 0;
  }

  /** Frees every buffer. Idempotent; the optimizer throws StateError afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
  }
}
