/**
 * A torch-like optimizer over a Parameterized's flat buffers: parameter
 * groups (contiguous spans with their own hyperparameters, group.ts),
 * `step()`, `zeroGrad()`, a settable `lr` (number or schedule), `state()` /
 * `loadState()` (plain data, state.ts), `snapshot()` (a copy in planned
 * buffers, snapshot.ts), and an optional non-finite guard.
 *
 * Each group owns its state buffers, planned once in the arena. `step()` is
 * one fused kernel call per group (default), or, with `fused: false`, the
 * optimizer's named chain of transforms: copy g into an update buffer u,
 * run the chain on u, then p <- p + u.
 *
 * Disposal: an optimizer holds pointers into its model's buffers, so once the
 * model (or vector) is disposed the optimizer is unusable: every method but
 * `dispose()` throws `StateError` ("the model was disposed") before touching
 * memory, since the freed blocks may already hold another tensor. The model
 * does not wait for its optimizers (disposing it is always allowed; dispose
 * the optimizer too to return its own state buffers to the arena).
 */
import { StateError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { liveParams, type Parameterized } from '../runtime/params.js';
import { checkBool, checkKnown, checkOptions, describe } from '../runtime/validate.js';
import { COMMON_KEYS, type CommonOptions, type Counters, makeGroups, type OptimizerState, type ParamGroup, type ParamGroupSpec, type SkipReport, writeRows } from './group.js';
import { checkLr, checkNoSchedule, type LearningRate } from './options.js';
import type { Rule } from './rule.js';
import { OptimizerSnapshot } from './snapshot.js';
import { StructureHook } from '../structure/hook.js';
import { loadState, type OptimizerParts, saveState } from './state.js';

export class Optimizer<O extends { lr?: LearningRate }> {
  readonly paramGroups: readonly ParamGroup<O>[];
  readonly fused: boolean;
  readonly guard: 'skip' | 'zero' | null;
  readonly guardParams: boolean;
  private readonly engine: Core;
  private readonly counts: Counters = { step: 0, skipped: 0, lastSkip: null };
  private readonly blocks: number[] = [];
  private u = 0;
  private disposed = false;
  /** per-group lr values of the current step (reused: a step creates no objects) */
  private readonly lrs: number[] = [];
  /** the view state.ts and snapshot.ts work on */
  private readonly parts: OptimizerParts;
  /** guardParams: the copy of params and state taken before each step */
  private guardSnap: OptimizerSnapshot | null = null;
  /** prox / project / quantize after each applied step (src/structure/hook.ts) */
  private structure: StructureHook | null = null;
  /** the lr of the group holding element `offset` in the current step (for the structure hook) */
  private readonly lrOf = (offset: number): number => {
    const gs = this.paramGroups;
    for (let i = gs.length - 1; i > 0; i--) if (offset >= gs[i].offset && offset < gs[i].offset + gs[i].length) return this.lrs[i];
    return this.lrs[0];
  };

  constructor(
    readonly model: Parameterized,
    readonly rule: Rule<O>,
    options: O & CommonOptions<O>,
  ) {
    const op = rule.name;
    this.engine = liveParams(op, model).engine;
    if (options === null || typeof options !== 'object') throw new ValueError(`${op}: options must be an object, got ${describe(options)}`);
    checkKnown(op, options, [...Object.keys(rule.defaults), ...COMMON_KEYS]);
    const { fused = true, guard, guardParams = false, groups, prox, project, quantize, ...hyper } = options;
    checkBool(op, 'fused', fused);
    checkBool(op, 'guardParams', guardParams);
    if (guard !== undefined && guard !== 'skip' && guard !== 'zero') throw new ValueError(`${op}: guard must be 'skip' or 'zero', got ${describe(guard)}`);
    if (guardParams && guard !== 'skip') throw new ValueError(`${op}: guardParams needs guard 'skip', got guard ${describe(guard)}`);
    if (!fused && !rule.chain) throw new ValueError(`${op}: fused must be true (${op} has no chain form)`);
    const base = this.resolve(op, { ...rule.defaults, ...(hyper as Partial<O>) });
    const n = model.numParameters;
    const made = makeGroups<O>(op, n, groups === undefined ? [{ offset: 0, length: n } as ParamGroupSpec<O>] : groups, Object.keys(rule.defaults), rule.sparse === true, (where, over) =>
      this.resolve(where, { ...base, ...over }),
    );
    this.paramGroups = made;
    this.fused = fused;
    this.guard = guard ?? null;
    this.guardParams = guardParams;
    this.parts = { name: op, fused, numParameters: n, engine: this.engine, counts: this.counts, groups: made as unknown as OptimizerParts['groups'] };
    try {
      this.plan();
      if (guardParams) this.guardSnap = new OptimizerSnapshot(this.parts, () => this.model.paramsPtr);
      this.structure = StructureHook.from(op, this.engine, model, { prox, project, quantize }, made);
    } catch (e) {
      this.release();
      throw e;
    }
  }

  private resolve(where: string, o: O): O {
    const op = this.rule.name;
    if (o.lr === undefined) throw new ValueError(`${where}: lr is required`);
    checkNoSchedule(op, o, this.rule.schedulable);
    checkLr(op, o.lr);
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
    this.guardSnap?.dispose();
    this.structure?.dispose();
    for (const g of this.paramGroups ?? []) g.chain?.dispose();
    for (const p of this.blocks) this.engine.arena.free(p);
    this.blocks.length = 0;
  }

  /** Throws StateError after dispose() or once the model is disposed (its buffers may hold other data by now). */
  private live(what: string): void {
    if (this.disposed) throw new StateError(`${this.rule.name}: ${what} after dispose()`);
    if (this.model.disposed === true) throw new StateError(`${this.rule.name}: ${what}: the model was disposed; this optimizer cannot be used any more (dispose it too)`);
  }

  /** steps applied so far (skipped steps do not count) */
  get stepCount(): number {
    return this.counts.step;
  }

  /** steps skipped (guard 'skip'), or steps whose gradient had entries zeroed (guard 'zero') */
  get skippedSteps(): number {
    return this.counts.skipped;
  }

  /** where and when the guard last found a non-finite value */
  get lastSkip(): SkipReport | null {
    return this.counts.lastSkip;
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
    return this.paramGroups[0].lrAt(this.counts.step);
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
    const c = this.counts;
    const t = c.step + 1;
    // evaluate (and validate) every group's lr before writing anything
    const lrs = this.lrs;
    for (let i = 0; i < this.paramGroups.length; i++) {
      lrs[i] = this.paramGroups[i].lrAt(c.step);
      this.rule.prepare?.(this.paramGroups[i].options as O, c.step);
    }
    let nrows = 0;
    if (this.rule.sparse) nrows = writeRows(op, this.engine, this.paramGroups, rows);
    else if (rows !== undefined) throw new ValueError(`${op}: step() takes no rows (only sparseAdam does)`);
    const P = this.model.paramsPtr, G = this.model.gradsPtr;
    if (this.guard) {
      let zeroed = false;
      for (const g of this.paramGroups) {
        const gp = G + g.offset * 4;
        const i = k.f32_find_nonfinite(g.length, gp);
        if (i < 0) continue;
        c.lastSkip = { step: c.step, index: g.offset + i, where: 'gradient' };
        if (this.guard === 'skip') {
          c.skipped++;
          return false;
        }
        k.f32_zero_nonfinite(g.length, gp);
        zeroed = true;
      }
      if (zeroed) c.skipped++;
    }
    this.guardSnap?.take();
    let applied = false;
    for (let gi = 0; gi < this.paramGroups.length; gi++) {
      const g = this.paramGroups[gi];
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
        const x = g.ctx;
        x.step = c.step;
        x.lr = lrs[gi];
        x.params = p;
        if (this.rule.sparse) {
          x.rows = g.rows;
          x.nrows = nrows;
        }
        if (g.chain!.update(this.u, x)) {
          k.f32_axpby(g.length, this.u, p, 1, 1);
          applied = true;
        }
      }
    }
    if (this.guardSnap) {
      for (const g of this.paramGroups) {
        const i = k.f32_find_nonfinite(g.length, P + g.offset * 4);
        if (i < 0) continue;
        this.guardSnap.restore();
        c.lastSkip = { step: c.step, index: g.offset + i, where: 'parameter' };
        c.skipped++;
        return false;
      }
    }
    if (applied) this.structure?.afterStep(this.lrOf);
    if (applied) c.step++;
    return applied;
  }

  /** Sets the gradients of every group's span to 0. */
  zeroGrad(): void {
    this.live('zeroGrad');
    for (const g of this.paramGroups) this.engine.kernels.f32_fill(g.length, this.model.gradsPtr + g.offset * 4, 0);
  }

  /** A copy of the optimizer's state as plain data (buffers copied into new Float32Arrays). */
  state(): OptimizerState {
    this.live('state');
    const s = saveState(this.parts);
    if (this.structure?.stateful) s.quantize = this.structure.state();
    return s;
  }

  /**
   * Restores a state from `state()` of an optimizer of the same kind, path, model size and
   * groups. Everything is validated before anything is written. A numeric lr in the state
   * replaces the group's lr when that is a number (a schedule stays).
   */
  loadState(s: OptimizerState): void {
    this.live('loadState');
    if (this.structure?.stateful) this.structure.check(`${this.rule.name}: loadState`, s?.quantize);
    loadState(this.parts, s);
    if (this.structure?.stateful) this.structure.load(s.quantize!);
  }

  /**
   * A snapshot of the whole state (counters, lrs, buffers, RNG, transform state) in
   * buffers planned now: `take()` copies into it, `restore()` puts it back, neither
   * allocates. With `params: true` it also copies the parameters of every group's span.
   * Dispose it when done (disposing the optimizer does not free it).
   */
  snapshot(options: { params?: boolean } = {}): OptimizerSnapshot {
    this.live('snapshot');
    const o = checkOptions(`${this.rule.name}.snapshot`, options);
    checkKnown(`${this.rule.name}.snapshot`, o, ['params']);
    const params = o.params === undefined ? false : checkBool(this.rule.name, 'snapshot params', o.params);
    return new OptimizerSnapshot(this.parts, params ? () => this.model.paramsPtr : null);
  }

  /** Frees every buffer. Idempotent; the optimizer throws StateError afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.release();
  }
}

export type { CommonOptions, GroupState, OptimizerState, ParamGroupSpec, SkipReport } from './group.js';
export { ParamGroup } from './group.js';
export { OptimizerSnapshot } from './snapshot.js';
