/**
 * Full-batch losses and gradients of a model over a dataset, in f64 on the
 * host side, for hypergradients: L(θ) + λ/2 ‖θ‖² and its gradient
 * ∇L(θ) + λθ (PyTorch's weight-decay convention), and Hessian-vector products
 * (∇²L(θ) + λI)·v: exact by the model's R-operator (`model.hvp`, src/nn/hvp.ts)
 * when `mode` is 'exact', or by a central difference of gradients,
 *
 *   H·v ≈ (g(θ + h u) − g(θ − h u)) / (2h) · ‖v‖,   u = v / ‖v‖
 *
 * (error O(h²) from the third derivative; exact for a quadratic loss, e.g.
 * ridge regression, whatever h; the f32 rounding of g contributes ~1e-7/h).
 */
import type { Dataset } from '../data/dataset.js';
import { allocNamed, type Core } from '../runtime/core.js';
import { Tensor } from '../runtime/tensor.js';
import type { LossSpec, TrainModel } from '../train/model.js';
import { checkFit, defaultLoss } from '../train/model.js';

/** What hypergradients need of a model (engine.nn models have it). */
export interface MetaModel extends TrainModel {
  readonly numParameters: number;
  parameters(): Float32Array;
  setParameters(values: ArrayLike<number>): void;
  gradients(): Float32Array;
  /** exact H·v at the current parameters (engine.nn models); without it, central differences */
  hvp?(x: Tensor, y: Tensor | Int32Array, loss: LossSpec, v: ArrayLike<number>, out?: Float64Array): Float64Array;
}

export type HvpMode = 'exact' | 'central-difference';

/** A dataset as one batch in the engine's memory. */
export class FullBatch {
  readonly x: Tensor;
  readonly y: Tensor | Int32Array;
  readonly loss: LossSpec;

  constructor(core: Core, op: string, model: MetaModel, readonly data: Dataset, what: string, loss?: LossSpec) {
    checkFit(op, model, data, what);
    this.loss = loss ?? defaultLoss(data);
    this.x = tensor(core, [data.length, data.numFeatures], data.features);
    this.y = data.isClassification ? Int32Array.from(data.targets) : tensor(core, [data.length, data.targetSize], data.targets);
  }

  dispose(): void {
    this.x.dispose();
    if (this.y instanceof Tensor) this.y.dispose();
  }
}

function tensor(core: Core, shape: number[], data: ArrayLike<number>): Tensor {
  const t = new Tensor(core, allocNamed(core, shape[0] * shape[1], 'hypergradient: a full batch'), shape, true);
  t.data.set(data);
  return t;
}

/** Loss and gradient (f64) of `batch` at θ, plus λ/2‖θ‖² and λθ. */
export class LossFn {
  evaluations = 0;
  constructor(readonly model: MetaModel, readonly batch: FullBatch, readonly mode: HvpMode = 'central-difference') {}

  /** L(θ) + λ/2‖θ‖²; writes ∇L(θ) + λθ into `grad` when given. */
  value(theta: Float64Array, lambda: number, grad?: Float64Array): number {
    this.model.setParameters(theta);
    const L = this.model.lossAndGrad(this.batch.x, this.batch.y, this.batch.loss);
    this.evaluations++;
    let sq = 0;
    for (let i = 0; i < theta.length; i++) sq += theta[i] * theta[i];
    if (grad) {
      const g = this.model.gradients();
      for (let i = 0; i < theta.length; i++) grad[i] = g[i] + lambda * theta[i];
    }
    return L + 0.5 * lambda * sq;
  }

  /** out = (∇²L(θ) + λI)·v by a central difference of gradients with step h along v/‖v‖. */
  hvp(theta: Float64Array, v: Float64Array, lambda: number, h: number, out: Float64Array): Float64Array {
    const n = theta.length;
    let nv = 0;
    for (let i = 0; i < n; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    if (nv === 0) return out.fill(0);
    if (this.mode === 'exact') {
      this.model.setParameters(theta);
      this.model.hvp!(this.batch.x, this.batch.y, this.batch.loss, v, out);
      for (let i = 0; i < n; i++) out[i] += lambda * v[i];
      return out;
    }
    const tp = new Float64Array(n), gp = new Float64Array(n), gm = new Float64Array(n);
    for (let i = 0; i < n; i++) tp[i] = theta[i] + (h * v[i]) / nv;
    this.value(tp, 0, gp);
    for (let i = 0; i < n; i++) tp[i] = theta[i] - (h * v[i]) / nv;
    this.value(tp, 0, gm);
    for (let i = 0; i < n; i++) out[i] = ((gp[i] - gm[i]) / (2 * h)) * nv + lambda * v[i];
    return out;
  }
}
