/**
 * Input-space attacks on a model: find x' in the ball B(x, eps) ∩ box that
 * raises the loss L(f(x'), y). With g = dL/dx' from `model.lossAndGrad(x', y,
 * loss, { inputGrad })` and the projection P onto B ∩ box, one step is
 *
 *   fgsm     x' = P(x + eps·sign(g(x)))                   linf; l2: x + eps·g/‖g‖ per example
 *            (Goodfellow, Shlens & Szegedy, "Explaining and harnessing adversarial
 *            examples", ICLR 2015), exactly one step
 *   pgd      x' ← P(x' + α·sign(g))      (linf)            (Madry et al., "Towards deep
 *            x' ← P(x' + α·g_r/‖g_r‖)    (l2, per row r)    learning models resistant to
 *                                                           adversarial attacks", ICLR 2018)
 *   ascent   x' ← P(x' + α·n·g)          plain projected gradient ascent; n·g is the
 *                                        gradient of the summed per-example loss when the
 *                                        loss is a batch mean (every loss's default)
 *   adam     x' ← P(Adam step of −n·g)   the attacker runs Adam (β = 0.9, 0.999, ε = 1e-8,
 *            bias-corrected; f32_adam with maximize) on the perturbation
 *   rmsprop  x' ← P(RMSProp step of −n·g) (α_rms = 0.99, ε = 1e-8; f32_rmsprop with maximize)
 *
 * P: linf: x' ← min(max(x', lo), hi) with lo = clamp(x − eps, box), hi = clamp(x + eps, box)
 * computed once per batch (f32_project_box: the exact projection onto the
 * intersection, a box). l2: δ = x' − x projected per row onto ‖δ‖ ≤ eps
 * (f32_project_l2_rows), then x' = clamp(x + δ, box): for x inside the box the clamp
 * only shrinks |δ| coordinate-wise, so x' stays in both sets.
 *
 * The loss returned is the loss at the final x' (the final iterate, as in Madry et
 * al.; not the best iterate). The model runs in eval mode during the attack (dropout
 * off) and is put back in its mode; its gradient buffer is overwritten (as by any
 * lossAndGrad). All buffers (x', g, the bounds or δ, the optimizer's moments, an RNG
 * state) are planned once for a batch capacity; a step allocates nothing.
 */
import { fmtShape, ShapeError, StateError, ValueError } from '../errors.js';
import { resolveLoss, type LossEntry } from '../loss/index.js';
import type { Core } from '../runtime/core.js';
import { checkTensor, Tensor } from '../runtime/tensor.js';
import { checkAttack, type AttackModel, type AttackOptions, type CheckedAttack } from './options.js';

export interface AttackResult {
  /** the perturbed batch [n, inputSize] */
  x: Tensor;
  /** the loss at the perturbed batch */
  loss: number;
}

const BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8, RMS_ALPHA = 0.99, RMS_EPS = 1e-8;

/** A reusable attack on one model with fixed options (`engine.adversarial.attacker`). */
export class Attacker {
  readonly options: Readonly<CheckedAttack>;
  private readonly core: Core;
  private cap = 0;
  /** xadv, g, a (linf lo / l2 δ), b (linf hi), m (adam m / rmsprop sq), v (adam v) */
  private bufs: number[] = [];
  private rngPtr: number;
  private n = -1;
  private xT: Tensor | null = null;
  private gOpt: { inputGrad: Tensor } | null = null;
  private _disposed = false;
  private lossCache: { labels: LossEntry | null; targets: LossEntry | null } = { labels: null, targets: null };

  constructor(readonly model: AttackModel, options: AttackOptions, op = 'attacker') {
    this.options = Object.freeze(checkAttack(op, model, options));
    this.core = model.engine;
    this.rngPtr = this.core.arena.alloc(16);
    const [lo, hi] = this.options.seed;
    this.core.kernels.rng_seed(this.rngPtr, lo, hi);
  }

  /**
   * Attacks the batch (x [n, inputSize], y class ids or targets). The returned tensor
   * belongs to the attacker and holds the batch until the next run. Allocates only
   * when n exceeds every batch seen so far. `finalLoss` false skips the last
   * forward-backward (the loss is then NaN): adversarial training computes it anyway.
   */
  run(x: Tensor, y: Int32Array | Tensor, finalLoss = true): AttackResult {
    const { model, core } = this;
    const k = core.kernels;
    const o = this.options;
    if (this._disposed) throw new StateError('attacker: run after dispose()');
    checkTensor(core, 'attack', 'x', x, 2);
    if (this.bufs.length > 0 && (x.ptr === this.bufs[0] || x.ptr === this.bufs[1])) {
      throw new ValueError("attack: x must not be the attacker's own output (copy it first)");
    }
    if (x.shape[1] !== model.inputSize) throw new ShapeError(`attack: x is ${fmtShape(x.shape)}, the model's input has ${model.inputSize} features`);
    const n = x.shape[0], d = model.inputSize, nd = n * d;
    const loss = this.lossFor(y);
    this.ensure(n);
    const [xa, g, a, b, m, v] = this.bufs;
    const xp = x.ptr;
    const wasTraining = model.training;
    model.eval();
    try {
      k.f32_copy(nd, xp, xa);
      if (o.norm === 'linf') {
        k.f32_sub_scalar(nd, xp, a, o.eps);
        k.f32_project_clamp(nd, a, o.lo, o.hi);
        k.f32_add_scalar(nd, xp, b, o.eps);
        k.f32_project_clamp(nd, b, o.lo, o.hi);
      }
      if (o.randomStart && o.eps > 0) {
        if (o.norm === 'linf') k.f32_rng_uniform(nd, this.rngPtr, g, -o.eps, o.eps);
        else k.f32_rng_normal(nd + (nd & 1), this.rngPtr, g, 0, o.eps / Math.sqrt(d));
        k.f32_add(nd, xa, g, xa);
        this.project(n, xp);
      }
      if (o.method === 'adam' || o.method === 'rmsprop') {
        k.f32_fill(nd, m, 0);
        if (o.method === 'adam') k.f32_fill(nd, v, 0);
      }
      const gOpt = this.gOpt!;
      const xT = this.xT!;
      const alpha = o.stepSize;
      for (let t = 1; t <= o.steps && o.eps > 0; t++) {
        model.lossAndGrad(xT, y, loss, gOpt);
        switch (o.method) {
          case 'fgsm':
          case 'pgd':
            if (o.norm === 'linf') k.f32_sign(nd, g, g);
            else k.f32_rows_normalize(n, d, g);
            k.f32_axpy(nd, g, xa, alpha);
            break;
          case 'ascent':
            k.f32_axpy(nd, g, xa, alpha * n);
            break;
          case 'adam': {
            k.f32_scal(nd, g, n);
            const bc1 = 1 - BETA1 ** t, bc2 = 1 - BETA2 ** t;
            k.f32_adam(nd, g, xa, m, v, alpha / bc1, BETA1, BETA2, 1 - BETA1, 1 - BETA2, ADAM_EPS, 1 / Math.sqrt(bc2), 0, 1, -1);
            break;
          }
          case 'rmsprop':
            k.f32_scal(nd, g, n);
            k.f32_rmsprop(nd, g, xa, m, 0, 0, alpha, RMS_ALPHA, 1 - RMS_ALPHA, RMS_EPS, 0, -1, 0, 0);
            break;
        }
        this.project(n, xp);
      }
      const value = finalLoss ? model.lossAndGrad(xT, y, loss) : NaN;
      return { x: xT, loss: value };
    } finally {
      if (wasTraining) model.train();
    }
  }

  /** Frees the attacker's buffers. Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    const arena = this.core.arena;
    for (const p of this.bufs) arena.free(p);
    arena.free(this.rngPtr);
    this.bufs = [];
    this._disposed = true;
  }

  get disposed(): boolean {
    return this._disposed;
  }

  /** x' ← P(x') (file header). */
  private project(n: number, xp: number): void {
    const k = this.core.kernels, o = this.options, d = this.model.inputSize, nd = n * d;
    const [xa, , a, b] = this.bufs;
    if (o.norm === 'linf') {
      k.f32_project_box(nd, xa, a, b);
      return;
    }
    k.f32_sub(nd, xa, xp, a);
    k.f32_project_l2_rows(n, d, a, o.eps);
    k.f32_add(nd, xp, a, xa);
    if (o.lo > -Infinity || o.hi < Infinity) k.f32_project_clamp(nd, xa, o.lo, o.hi);
  }

  /** The loss entry for this kind of target (checked once per kind). */
  private lossFor(y: Int32Array | Tensor): LossEntry {
    if (this.options.loss !== null) return this.options.loss;
    const labels = y instanceof Int32Array;
    const c = this.lossCache;
    if (labels) return (c.labels ??= resolveLoss('attack', 'softmaxCrossEntropy'));
    return (c.targets ??= resolveLoss('attack', 'mse'));
  }

  /** Buffers for n rows (one allocation when n grows past the capacity) and the tensors over them. */
  private ensure(n: number): void {
    const core = this.core, d = this.model.inputSize;
    if (n > this.cap) {
      const o = this.options;
      const moments = o.method === 'adam' ? 2 : o.method === 'rmsprop' ? 1 : 0;
      const bytes = Math.max(n * d + 1, 2) * 4; // +1: an odd count for the normal RNG's pairs
      const sizes = [bytes, bytes, bytes, o.norm === 'linf' ? bytes : 4, moments >= 1 ? bytes : 4, moments >= 2 ? bytes : 4];
      const bufs = core.arena.allocAll(sizes);
      for (const p of this.bufs) core.arena.free(p);
      this.bufs = bufs;
      this.cap = n;
      this.n = -1;
    }
    if (this.n !== n) {
      this.xT = new Tensor(core, this.bufs[0], [n, d], false);
      this.gOpt = { inputGrad: new Tensor(core, this.bufs[1], [n, d], false) };
      this.n = n;
    }
  }
}
