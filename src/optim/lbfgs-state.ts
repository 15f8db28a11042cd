/**
 * The L-BFGS optimizer's state as plain data, and its snapshot in planned
 * buffers: the same two mechanisms the other optimizers have (state.ts,
 * snapshot.ts), so checkpoints, fit()'s divergence guard and resume work
 * unchanged.
 *
 * The plain data is an `OptimizerState` (format 'wasmgrad.optimizer/1', name
 * 'lbfgs', one group over the whole model) whose group holds torch's state:
 * scalars { nIter, funcEvals, t, hDiag, prevLoss, historyCount } and buffers
 * { d, prevFlatGrad (n floats), oldStps, oldDirs (historySize·n floats: the
 * historyCount live pairs first, oldest first, then zeros), ro (historySize
 * floats) }. Fixed sizes, so a checkpoint of a run fits a fresh optimizer with
 * the same options (the checkpoint's structure check compares them).
 */
import { StateError } from '../errors.js';
import { checkBool, checkKnown, checkOptions, describe } from '../runtime/validate.js';
import type { GroupState, OptimizerState } from './group.js';
import type { Parameterized } from '../runtime/params.js';
import type { LbfgsMemory } from './lbfgs-memory.js';
import { checkLr, type LearningRate } from './options.js';
import { stateValueProblem } from './state-values.js';

/** The counters and scalars of the state (torch's state entries). */
export interface LbfgsScalars {
  /** iterations over all steps (torch's state['n_iter']) */
  nIter: number;
  /** closure evaluations over all steps (state['func_evals']) */
  funcEvals: number;
  /** the last step length (state['t']) */
  t: number;
  /** the initial inverse-Hessian scale yᵀs/yᵀy (state['H_diag']) */
  hDiag: number;
  /** the loss before the last iteration's move (state['prev_loss']) */
  prevLoss: number;
  /** pairs in the history (len(state['old_dirs'])) */
  historyCount: number;
}

/** What this file sees of the optimizer (lbfgs.ts). */
export interface LbfgsParts {
  readonly model: Parameterized;
  readonly mem: LbfgsMemory;
  readonly s: LbfgsScalars & { step: number };
  readonly historySize: number;
  lr: LearningRate;
  scalars(): LbfgsScalars;
  live(what: string): void;
}

const SCALARS: readonly (keyof LbfgsScalars)[] = ['nIter', 'funcEvals', 't', 'hDiag', 'prevLoss', 'historyCount'];

export function saveLbfgsState(o: LbfgsParts): OptimizerState {
  const e = o.model.engine, n = o.model.numParameters, mem = o.mem;
  const { oldStps, oldDirs, ro } = mem.save(o.s.historyCount);
  const group: GroupState = {
    offset: 0,
    length: n,
    lr: typeof o.lr === 'number' ? o.lr : null,
    scalars: o.scalars() as unknown as Record<string, number>,
    buffers: { d: e.f32(mem.d, n).slice(), prevFlatGrad: e.f32(mem.prevG, n).slice(), oldStps, oldDirs, ro },
  };
  return { format: 'wasmgrad.optimizer/1', name: 'lbfgs', path: 'fused', numParameters: n, stepCount: o.s.step, skippedSteps: 0, groups: [group] };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Validates `s` against the optimizer (everything) and then writes it. */
export function loadLbfgsState(o: LbfgsParts, s: OptimizerState): void {
  const op = 'lbfgs: loadState';
  const n = o.model.numParameters, m = o.historySize;
  if (!s || typeof s !== 'object' || s.format !== 'wasmgrad.optimizer/1') throw new StateError(`${op} needs an OptimizerState (format 'wasmgrad.optimizer/1'), got ${describe(s?.format)}`);
  if (s.name !== 'lbfgs') throw new StateError(`${op} got the state of a '${s.name}' optimizer`);
  if (s.numParameters !== n) throw new StateError(`${op} got the state of a model with ${s.numParameters} parameters, this one has ${n}`);
  if (!isCount(s.stepCount)) throw new StateError(`${op}: stepCount must be a non-negative integer, got ${describe(s.stepCount)}`);
  if (!Array.isArray(s.groups) || s.groups.length !== 1) throw new StateError(`${op}: an lbfgs state has 1 group, got ${describe(s.groups?.length)}`);
  const g = s.groups[0];
  if (g?.offset !== 0 || g.length !== n) throw new StateError(`${op}: the group must span [0, ${n}), got [${g?.offset}, +${g?.length})`);
  const want: Record<string, number> = { d: n, prevFlatGrad: n, oldStps: m * n, oldDirs: m * n, ro: m };
  for (const [name, len] of Object.entries(want)) {
    const a = g.buffers?.[name];
    if (!(a instanceof Float32Array) || a.length !== len) {
      const hint = name === 'ro' || name.startsWith('old') ? ` (historySize ${m})` : '';
      throw new StateError(`${op}: buffer '${name}' must be a Float32Array of ${len}${hint}, got ${a instanceof Float32Array ? `length ${a.length}` : describe(a)}`);
    }
  }
  const sc = g.scalars ?? {};
  for (const name of SCALARS) {
    const v = sc[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new StateError(`${op}: scalar '${name}' must be a finite number, got ${describe(v)}`);
  }
  for (const name of ['nIter', 'funcEvals', 'historyCount']) {
    if (!isCount(sc[name])) throw new StateError(`${op}: scalar '${name}' must be a non-negative integer, got ${describe(sc[name])}`);
  }
  const bad = stateValueProblem(s, 'state');
  if (bad) throw new StateError(`${op}: ${bad}`);
  if (sc.historyCount > m) throw new StateError(`${op}: historyCount ${sc.historyCount} exceeds historySize ${m}`);
  if (g.lr !== null && g.lr !== undefined && typeof o.lr === 'number') checkLr('lbfgs', g.lr, 'state lr');
  // everything checked: write
  const e = o.model.engine, mem = o.mem, b = g.buffers;
  e.f32(mem.d, n).set(b.d);
  e.f32(mem.prevG, n).set(b.prevFlatGrad);
  mem.load(sc.historyCount, b.oldStps, b.oldDirs, b.ro);
  for (const name of SCALARS) o.s[name] = sc[name];
  o.s.step = s.stepCount;
  if (typeof g.lr === 'number' && typeof o.lr === 'number') o.lr = g.lr;
}

/**
 * The optimizer's persistent memory (history, tables, d, prevFlatGrad) and
 * scalars copied into a buffer planned at creation (plus the parameters with
 * `params: true`): take() and restore() are one f32_copy each and allocate
 * nothing. The copy is (2·historySize + 4)·n floats: with a large history it is
 * as big as the optimizer.
 */
export class LbfgsSnapshot {
  private readonly block: number;
  private readonly paramBlock: number;
  private readonly saved: { nIter: number; funcEvals: number; t: number; hDiag: number; prevLoss: number; historyCount: number; step: number };
  private lr: unknown;
  private taken = false;
  private disposed = false;

  /** @internal use `optimizer.snapshot()` */
  constructor(
    private readonly o: LbfgsParts,
    options: { params?: boolean },
  ) {
    const op = 'lbfgs.snapshot';
    const opts = checkOptions(op, options);
    checkKnown(op, opts, ['params']);
    const params = opts.params === undefined ? false : checkBool(op, 'params', opts.params);
    const e = o.model.engine;
    const [block, pb = 0] = e.arena.allocAll(params ? [o.mem.persistentFloats * 4, o.model.numParameters * 4] : [o.mem.persistentFloats * 4]);
    this.block = block;
    this.paramBlock = pb;
    this.saved = { ...o.s };
    this.lr = o.lr;
  }

  /** Copies the current state (and parameters) into the snapshot. */
  take(): void {
    this.alive();
    const o = this.o, k = o.model.engine.kernels;
    k.f32_copy(o.mem.persistentFloats, o.mem.block, this.block);
    if (this.paramBlock) k.f32_copy(o.model.numParameters, o.model.paramsPtr, this.paramBlock);
    Object.assign(this.saved, o.s);
    this.lr = o.lr;
    this.taken = true;
  }

  /** Puts the snapshot back; false (changing nothing) when none was taken. */
  restore(): boolean {
    this.alive();
    if (!this.taken) return false;
    const o = this.o, k = o.model.engine.kernels;
    k.f32_copy(o.mem.persistentFloats, this.block, o.mem.block);
    if (this.paramBlock) k.f32_copy(o.model.numParameters, this.paramBlock, o.model.paramsPtr);
    Object.assign(o.s, this.saved);
    o.lr = this.lr as number;
    return true;
  }

  /** Frees the snapshot's buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const a = this.o.model.engine.arena;
    a.free(this.block);
    if (this.paramBlock) a.free(this.paramBlock);
  }

  private alive(): void {
    if (this.disposed) throw new StateError('lbfgs: snapshot used after dispose()');
    this.o.live('snapshot');
  }
}
