/**
 * L-BFGS for models, torch.optim.LBFGS step for step (torch 1.13's
 * lbfgs.py, after Schmidt's minFunc; Nocedal & Wright Alg. 7.4/7.5):
 * `opt.step(closure)`, where `closure()` recomputes the loss and writes the
 * gradient into the model's flat gradient buffer (`model.lossAndGrad(x, y,
 * loss)` does both) and returns the loss. One step runs up to `maxIter`
 * iterations:
 *
 *   g = ∇f(p);  stop at once when max|g| <= toleranceGrad
 *   repeat:  (s, y) = (t·d, g - g_prev) joins the history when yᵀs > 1e-10,
 *            H_diag = yᵀs/yᵀy;  d = -H·g by the two-loop recursion with
 *            H₀ = H_diag·I (d = -g at the very first iteration)
 *            t = min(1, 1/|g|₁)·lr at the very first iteration, else lr
 *            stop when gᵀd > -toleranceChange
 *            p <- p + t·d, t from the strong-Wolfe search (lbfgs-wolfe.ts) or
 *            fixed (then the closure runs again, except at the last iteration)
 *            stop after maxIter iterations or maxEval evaluations, when
 *            max|g| <= toleranceGrad, max|t·d| <= toleranceChange or
 *            |f - f_prev| < toleranceChange.
 *
 * The history, the direction and the two-loop recursion live in the core
 * (assembly's L-BFGS kernels over one arena block, lbfgs-memory.ts); the
 * host runs the control flow. As in torch, `d`, `t`, the history and the
 * counters carry over from one step() to the next, and step() returns the
 * loss of its first evaluation.
 *
 * Differences from torch: none in the method. Memory is planned at
 * creation for the full history ((2·historySize + 9)·n floats), where torch
 * grows its lists; the parameters are the model's one flat buffer (torch:
 * one param group, no per-parameter options; same here).
 *
 * Disposal: as the other optimizers, once the model is disposed every method
 * but dispose() throws StateError.
 */
import { StateError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { liveParams, type Parameterized } from '../runtime/params.js';
import { checkKnown, checkNumber, checkOptions, describe, POSITIVE, POSITIVE_INT, NON_NEGATIVE } from '../runtime/validate.js';
import type { OptimizerState } from './group.js';
import { LbfgsMemory } from './lbfgs-memory.js';
import { LbfgsSnapshot, type LbfgsScalars, loadLbfgsState, saveLbfgsState } from './lbfgs-state.js';
import { strongWolfe, type WolfeContext, type WolfeResult } from './lbfgs-wolfe.js';
import { checkLr, type LearningRate, lrAt } from './options.js';

export interface LbfgsOptions {
  /** step length (default 1); a number or a schedule of the step count */
  lr?: LearningRate;
  /** iterations per step() (default 20) */
  maxIter?: number;
  /** closure evaluations per step() (default floor(1.25·maxIter), torch's max_iter * 5 // 4) */
  maxEval?: number;
  /** stop when max|g| is at most this (default 1e-7) */
  toleranceGrad?: number;
  /** stop when the loss, the step or the slope change less than this (default 1e-9) */
  toleranceChange?: number;
  /** pairs (s, y) kept (default 100) */
  historySize?: number;
  /** null (fixed steps of lr, the default) or 'strongWolfe' */
  lineSearch?: null | 'strongWolfe';
}

export type { LbfgsScalars };

const KEYS = ['lr', 'maxIter', 'maxEval', 'toleranceGrad', 'toleranceChange', 'historySize', 'lineSearch'];

export class Lbfgs {
  readonly name = 'lbfgs';
  /** fit() hands this optimizer a closure over the batch instead of calling lossAndGrad itself */
  readonly needsClosure = true;
  readonly maxIter: number;
  readonly maxEval: number;
  readonly toleranceGrad: number;
  readonly toleranceChange: number;
  readonly historySize: number;
  readonly lineSearch: null | 'strongWolfe';
  /** @internal */
  readonly mem: LbfgsMemory;
  /** @internal the scalars (one object: snapshots save and restore it) */
  readonly s: LbfgsScalars & { step: number } = { nIter: 0, funcEvals: 0, t: 0, hDiag: 1, prevLoss: 0, historyCount: 0, step: 0 };
  private _lr: LearningRate;
  private readonly engine: Core;
  private closure: (() => number) | null = null;
  private readonly wolfe: WolfeContext;
  private readonly found: WolfeResult = { t: 0, loss: 0, evaluations: 0 };
  private disposed = false;

  constructor(readonly model: Parameterized, options: LbfgsOptions = {}) {
    const op = 'lbfgs';
    this.engine = liveParams(op, model).engine;
    const o = checkOptions(op, options);
    checkKnown(op, o, KEYS);
    this._lr = checkLr(op, o.lr ?? 1);
    this.maxIter = checkNumber(op, 'maxIter', o.maxIter ?? 20, POSITIVE_INT);
    this.maxEval = checkNumber(op, 'maxEval', o.maxEval ?? Math.floor((this.maxIter * 5) / 4), POSITIVE_INT);
    this.toleranceGrad = checkNumber(op, 'toleranceGrad', o.toleranceGrad ?? 1e-7, NON_NEGATIVE);
    this.toleranceChange = checkNumber(op, 'toleranceChange', o.toleranceChange ?? 1e-9, NON_NEGATIVE);
    this.historySize = checkNumber(op, 'historySize', o.historySize ?? 100, { ...POSITIVE_INT, max: 1e6 });
    const ls = o.lineSearch ?? null;
    if (ls !== null && ls !== 'strongWolfe') throw new ValueError(`lbfgs: lineSearch must be null or 'strongWolfe', got ${describe(ls)}`);
    this.lineSearch = ls;
    const mem = (this.mem = new LbfgsMemory(this.engine, model.numParameters, this.historySize));
    const k = this.engine.kernels, n = model.numParameters;
    this.wolfe = {
      k, n, d: mem.d, g: mem.g, gPrev: mem.gPrev, bg: [mem.b0, mem.b1],
      evaluate: (t) => {
        const P = this.model.paramsPtr;
        k.f32_copy(n, mem.x0, P);
        k.f32_axpy(n, mem.d, P, t);
        try {
          return this.call();
        } finally {
          k.f32_copy(n, mem.x0, P);
        }
      },
      grads: () => this.model.gradsPtr,
      toleranceChange: this.toleranceChange,
      bt: new Float64Array(2), bf: new Float64Array(2), bgtd: new Float64Array(2),
    };
  }

  /** The step length option (number or schedule); setting it is checked like the option. */
  get lr(): LearningRate {
    return this._lr;
  }
  set lr(v: LearningRate) {
    this._lr = checkLr('lbfgs', v);
  }

  /** step() calls made so far */
  get stepCount(): number {
    return this.s.step;
  }

  /** Iterations, evaluations, t, H_diag, prev_loss and the history length (a copy). */
  scalars(): LbfgsScalars {
    const { nIter, funcEvals, t, hDiag, prevLoss, historyCount } = this.s;
    return { nIter, funcEvals, t, hDiag, prevLoss, historyCount };
  }

  /** The history pairs, oldest first, as copies: s_i = old_stps, y_i = old_dirs, rho_i = 1/(y_iᵀs_i). */
  history(): { oldStps: Float32Array[]; oldDirs: Float32Array[]; ro: number[] } {
    this.live('history');
    const p = this.mem.pairs(this.s.historyCount), n = this.model.numParameters;
    return { oldStps: p.s.map((q) => this.engine.f32(q, n).slice()), oldDirs: p.y.map((q) => this.engine.f32(q, n).slice()), ro: p.rho };
  }

  /** The last direction d (a copy). */
  direction(): Float32Array {
    this.live('direction');
    return this.engine.f32(this.mem.d, this.model.numParameters).slice();
  }

  /** the closure's loss, checked to be a number (the gradient is then in the model's buffer) */
  private call(): number {
    const v = this.closure!();
    if (typeof v !== 'number') throw new ValueError(`lbfgs: the closure must return the loss as a number, got ${describe(v)}`);
    return v;
  }

  /**
   * One L-BFGS step: up to maxIter iterations, each re-evaluating `closure`
   * (which must write the gradient into the model's gradient buffer and return
   * the loss). Returns the loss of the first evaluation, as torch does.
   */
  step(closure?: () => number): number {
    this.live('step');
    if (typeof closure !== 'function') throw new ValueError(`lbfgs: step(closure) needs a function that recomputes the loss and gradients and returns the loss, got ${describe(closure)}`);
    const lr = lrAt('lbfgs', this._lr, this.s.step);
    this.closure = closure;
    try {
      return this.run(lr);
    } finally {
      this.closure = null;
    }
  }

  private run(lr: number): number {
    const k = this.engine.kernels, n = this.model.numParameters, st = this.s, mem = this.mem, m = this.historySize;
    const origLoss = this.call();
    let loss = origLoss, currentEvals = 1;
    st.funcEvals++;
    k.f32_copy(n, this.model.gradsPtr, mem.g);
    let optCond = k.f32_amax(n, mem.g) <= this.toleranceGrad;
    st.step++;
    if (optCond) return origLoss;
    let nIter = 0;
    while (nIter < this.maxIter) {
      nIter++;
      st.nIter++;
      if (st.nIter === 1) {
        k.f32_mul_scalar(n, mem.g, mem.d, -1);
        st.historyCount = 0;
        st.hDiag = 1;
      } else {
        const h = k.f32_lbfgs_update(n, m, st.historyCount, mem.g, mem.prevG, mem.d, mem.sTab, mem.yTab, mem.rho, st.t);
        if (h !== -1) {
          st.historyCount = Math.min(st.historyCount + 1, m);
          st.hDiag = h;
        }
        k.f32_mul_scalar(n, mem.g, mem.d, -1);
        k.f32_lbfgs_two_loop(n, st.historyCount, mem.sTab, mem.yTab, mem.rho, mem.d, mem.alpha, st.hDiag);
      }
      k.f32_copy(n, mem.g, mem.prevG);
      st.prevLoss = loss;
      if (st.nIter === 1) {
        const r = Math.fround(1 / Math.fround(k.f32_asum(n, mem.g)));
        st.t = r < 1 ? Math.fround(r * lr) : lr;
      } else st.t = lr;
      const gtd = Math.fround(k.f32_dot(n, mem.g, mem.d));
      if (gtd > -this.toleranceChange) break;
      let lsEvals = 0;
      const P = this.model.paramsPtr;
      if (this.lineSearch) {
        k.f32_copy(n, P, mem.x0);
        const r = strongWolfe(this.wolfe, st.t, loss, gtd, this.found);
        loss = r.loss;
        st.t = r.t;
        lsEvals = r.evaluations;
        k.f32_axpy(n, mem.d, this.model.paramsPtr, st.t);
        optCond = k.f32_amax(n, mem.g) <= this.toleranceGrad;
      } else {
        k.f32_axpy(n, mem.d, P, st.t);
        if (nIter !== this.maxIter) {
          loss = this.call();
          k.f32_copy(n, this.model.gradsPtr, mem.g);
          optCond = k.f32_amax(n, mem.g) <= this.toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === this.maxIter || currentEvals >= this.maxEval || optCond) break;
      if (Math.fround(k.f32_amax(n, mem.d) * Math.abs(st.t)) <= this.toleranceChange) break;
      if (Math.abs(loss - st.prevLoss) < this.toleranceChange) break;
    }
    return origLoss;
  }

  /** Sets the model's gradients to 0 (the closure usually overwrites them anyway). */
  zeroGrad(): void {
    this.live('zeroGrad');
    this.engine.kernels.f32_fill(this.model.numParameters, this.model.gradsPtr, 0);
  }

  /** A copy of the state as plain data (history as historySize·n floats, live pairs first). */
  state(): OptimizerState {
    this.live('state');
    return saveLbfgsState(this);
  }

  /** Restores a state from state() of an lbfgs optimizer with the same model size and historySize; validates before writing. */
  loadState(s: OptimizerState): void {
    this.live('loadState');
    loadLbfgsState(this, s);
  }

  /** The state copied into buffers planned now: take() / restore() allocate nothing. Dispose it when done. */
  snapshot(options: { params?: boolean } = {}): LbfgsSnapshot {
    this.live('snapshot');
    return new LbfgsSnapshot(this, options);
  }

  /** Frees the optimizer's memory. Idempotent; every other method throws StateError afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.mem.dispose();
  }

  /** @internal */
  live(what: string): void {
    if (this.disposed) throw new StateError(`lbfgs: ${what} after dispose()`);
    if (this.model.disposed === true) throw new StateError(`lbfgs: ${what}: the model was disposed; this optimizer cannot be used any more (dispose it too)`);
  }
}
