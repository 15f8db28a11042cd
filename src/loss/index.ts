/**
 * Losses: each entry computes the loss value of predictions `ŷ` (`[n, k]`) and
 * writes dL/dŷ into a buffer, in one kernel call (assembly/loss.ts). Entries
 * are plain objects, usable by `model.lossAndGrad(x, y, entry)` or by name.
 *
 * | entry | value | reduction (default first) | PyTorch |
 * | --- | --- | --- | --- |
 * | `mse` | `1/(2n)·Σ‖ŷ−y‖²` ('half-mean', n = rows), `1/(n·k)·Σ(ŷ−y)²` ('mean'), `Σ(ŷ−y)²` ('sum') | half-mean, mean, sum | 'mean' = `MSELoss()` |
 * | `softmaxCrossEntropy` | `−Σ_j t_j log softmax(ŷ)_j` per row, labels or probabilities, label smoothing ε: t ← (1−ε)t + ε/k | mean over rows, sum | `CrossEntropyLoss(label_smoothing=ε)` |
 * | `bceWithLogits` | `max(z,0) − z·y + log(1+e^−|z|)` per element | mean over elements, sum | `BCEWithLogitsLoss` |
 * | `poissonNll` | `e^z − y·z` per element (log link, no Stirling term) | mean over elements, sum | `PoissonNLLLoss(log_input=True, full=False)` |
 * | `huber` | `d²/2` if `|d| ≤ δ` else `δ(|d| − δ/2)` | mean over elements, sum | `HuberLoss(delta=δ)` |
 *
 * `l2Penalty(model, λ)` adds `λ/2·‖w‖²` as a separate term: it returns the value
 * and adds `λ·w` to the gradient buffer.
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { liveParams, type Parameterized, type ParameterRange } from '../runtime/params.js';
import { checkBool, checkKnown, checkOptions, describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import type { Kernels } from '../runtime/kernels.js';
import { checkTensor, Tensor } from '../runtime/tensor.js';

/** Targets: class ids (one per row) or a tensor. */
export type Target = Int32Array | Tensor;

export interface LossEntry {
  readonly name: string;
  /** true when the targets may be class ids (an `Int32Array`, one per row) */
  readonly acceptsLabels: boolean;
  /** Throws a typed error unless `y` fits predictions of shape `[n, k]`. */
  check(op: string, n: number, k: number, y: Target): void;
  /**
   * Writes dL/dŷ into `gradPtr` (`n × k` floats, may be `yhatPtr`) and returns the
   * loss. `yPtr` points at the i32 labels (`labels` true) or the target floats.
   * Validation is the caller's (`check`, and label range).
   */
  apply(engine: Core, n: number, k: number, yhatPtr: number, yPtr: number, labels: boolean, gradPtr: number): number;
  /**
   * The loss's curvature for `model.hvp`: writes (∂²L/∂ŷ²)·r into `outPtr`
   * (`n × k` floats) at the predictions `yhatPtr` (assembly/curvature.ts).
   * Optional: an entry without it gets a central difference of `apply` there.
   */
  hvp?(engine: Core, n: number, k: number, yhatPtr: number, yPtr: number, labels: boolean, rPtr: number, outPtr: number): void;
  /**
   * @internal The loss cut by rows, for the shards of a data-parallel step (optional; without
   * it the step runs `apply` on the calling thread). The built-in softmax cross-entropy has it.
   */
  rows?: RowwiseLoss;
}

/**
 * @internal A loss whose rows a data-parallel step (nn/data-parallel.ts) computes on each shard's
 * thread: `record` records (on a program recorder's `kernels`) the call for rows
 * r..r+rows of a batch of n (pointers are the whole batch's), which writes their dL/dŷ
 * and each row's unreduced loss (f64) at rowLossPtr + 8·row; `value` then sums the n
 * row losses in row order, so the value equals `apply`'s to the last bit.
 */
export interface RowwiseLoss {
  record(kernels: Readonly<Kernels>, n: number, r: number, rows: number, k: number, yhatPtr: number, yPtr: number, labels: boolean, gradPtr: number, rowLossPtr: number): void;
  value(engine: Core, n: number, rowLossPtr: number): number;
}

export type LossName = 'mse' | 'softmaxCrossEntropy' | 'bceWithLogits' | 'poissonNll' | 'huber';

function checkTensorTarget(op: string, n: number, k: number, y: Target, name: string): void {
  if (!(y instanceof Tensor)) {
    throw new ValueError(`${op}: ${name} needs a target tensor [${n}, ${k}], got ${y instanceof Int32Array ? 'an Int32Array of class ids' : typeof y}`);
  }
  if (y.disposed) throw new ValueError(`${op}: target ${fmtShape(y.shape)} was used after dispose()`);
  const ok = (y.rank === 2 && y.shape[0] === n && y.shape[1] === k) || (k === 1 && y.rank === 1 && y.shape[0] === n);
  if (!ok) throw new ShapeError(`${op}: ${name} target is ${fmtShape(y.shape)}, output is ${fmtShape([n, k])}`);
}

function reductionOf(op: string, r: unknown, allowed: readonly string[]): string {
  if (!allowed.includes(r as string)) {
    throw new ValueError(`${op}: reduction must be ${allowed.map((a) => `'${a}'`).join(' | ')}, got ${typeof r === 'string' ? r : describe(r)}`);
  }
  return r as string;
}

/** Elementwise losses over all n·k elements: mean divides by n·k. */
function elementwise(
  name: string,
  reduction: string,
  call: (engine: Core, len: number, yhat: number, y: number, grad: number, scale: number) => number,
  hvpCall: (engine: Core, len: number, yhat: number, y: number, r: number, out: number, scale: number) => void,
): LossEntry {
  return {
    name,
    acceptsLabels: false,
    check: (op, n, k, y) => checkTensorTarget(op, n, k, y, name),
    apply: (engine, n, k, yhat, y, _labels, grad) => {
      const len = n * k;
      const scale = reduction === 'sum' ? 1 : len > 0 ? 1 / len : 0;
      return scale * call(engine, len, yhat, y, grad, scale);
    },
    hvp: (engine, n, k, yhat, y, _labels, r, out) => {
      const len = n * k;
      hvpCall(engine, len, yhat, y, r, out, reduction === 'sum' ? 1 : len > 0 ? 1 / len : 0);
    },
  };
}

/** An options argument of a loss builder: an object with only the `names` keys (a typo is an error, as for the optimizers). */
function lossOptions<T extends object>(op: string, o: T | undefined, names: readonly string[]): T {
  const v = checkOptions(op, o);
  checkKnown(op, v, names);
  return v;
}

export interface MseOptions {
  /** 'half-mean' (default): 1/(2n)·Σ‖ŷ−y‖² with n rows; 'mean': over all elements (torch MSELoss); 'sum' */
  reduction?: 'half-mean' | 'mean' | 'sum';
}

export function mse(options?: MseOptions): LossEntry {
  const { reduction = 'half-mean' } = lossOptions('mse', options, ['reduction']);
  reductionOf('mse', reduction, ['half-mean', 'mean', 'sum']);
  const scaleOf = (n: number, k: number): number =>
    reduction === 'sum' ? 1 : reduction === 'mean' ? (n * k > 0 ? 1 / (n * k) : 0) : n > 0 ? 1 / (2 * n) : 0;
  return {
    name: 'mse',
    acceptsLabels: false,
    check: (op, n, k, y) => checkTensorTarget(op, n, k, y, 'mse'),
    apply: (engine, n, k, yhat, y, _labels, grad) => {
      return scaleOf(n, k) * engine.kernels.f32_mse(n * k, yhat, y, grad, scaleOf(n, k));
    },
    hvp: (engine, n, k, _yhat, _y, _labels, r, out) => engine.kernels.f32_mul_scalar(n * k, r, out, 2 * scaleOf(n, k)),
  };
}

export interface CrossEntropyOptions {
  /** ε in [0, 1]: targets become (1−ε)·t + ε/k (torch's label_smoothing); default 0 */
  labelSmoothing?: number;
  /** 'mean' over rows (default) or 'sum' */
  reduction?: 'mean' | 'sum';
}

export function softmaxCrossEntropy(options?: CrossEntropyOptions): LossEntry {
  const { labelSmoothing = 0, reduction = 'mean' } = lossOptions('softmaxCrossEntropy', options, ['labelSmoothing', 'reduction']);
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new ValueError(`softmaxCrossEntropy: labelSmoothing must be in [0, 1], got ${describe(labelSmoothing)}`);
  }
  reductionOf('softmaxCrossEntropy', reduction, ['mean', 'sum']);
  // the factor of dL/dŷ and of the summed value: 1/n for the mean over rows
  const scaleOf = (n: number): number => (reduction === 'sum' ? 1 : n > 0 ? 1 / n : 0);
  return {
    name: 'softmaxCrossEntropy',
    acceptsLabels: true,
    check: (op, n, k, y) => {
      if (y instanceof Int32Array) {
        if (y.length !== n) throw new ShapeError(`${op}: softmaxCrossEntropy has ${y.length} labels for ${n} rows`);
        if (k < 1) throw new ShapeError(`${op}: softmaxCrossEntropy needs at least one class, output is ${fmtShape([n, k])}`);
      } else checkTensorTarget(op, n, k, y, 'softmaxCrossEntropy');
    },
    apply: (engine, n, k, yhat, y, labels, grad) => {
      const scale = scaleOf(n);
      const kern = engine.kernels;
      const s = labels
        ? kern.f32_softmax_xent(n, k, yhat, y, grad, scale, labelSmoothing)
        : kern.f32_softmax_xent_probs(n, k, yhat, y, grad, scale, labelSmoothing);
      return scale * s;
    },
    hvp: (engine, n, k, yhat, y, labels, r, out) => {
      const scale = scaleOf(n);
      if (labels) engine.kernels.f32_softmax_xent_hvp(n, k, yhat, r, out, scale);
      else engine.kernels.f32_softmax_xent_probs_hvp(n, k, yhat, y, r, out, scale, labelSmoothing);
    },
    rows: {
      record: (kern, n, r, rows, k, yhat, y, labels, grad, rowLoss) => {
        const scale = scaleOf(n), at = 4 * r * k;
        if (labels) kern.f32_softmax_xent_rows(rows, k, yhat + at, y + 4 * r, grad + at, scale, labelSmoothing, rowLoss + 8 * r);
        else kern.f32_softmax_xent_probs_rows(rows, k, yhat + at, y + at, grad + at, scale, labelSmoothing, rowLoss + 8 * r);
      },
      value: (engine, n, rowLoss) => scaleOf(n) * engine.kernels.f64_sum_ordered(n, rowLoss),
    },
  };
}

export interface ElementwiseOptions {
  /** 'mean' over all elements (default) or 'sum' */
  reduction?: 'mean' | 'sum';
}

export function bceWithLogits(options?: ElementwiseOptions): LossEntry {
  const { reduction = 'mean' } = lossOptions('bceWithLogits', options, ['reduction']);
  reductionOf('bceWithLogits', reduction, ['mean', 'sum']);
  return elementwise('bceWithLogits', reduction, (e, len, z, y, g, s) => e.kernels.f32_bce_logits(len, z, y, g, s),
    (e, len, z, _y, r, o, s) => e.kernels.f32_bce_logits_hvp(len, z, r, o, s));
}

export function poissonNll(options?: ElementwiseOptions): LossEntry {
  const { reduction = 'mean' } = lossOptions('poissonNll', options, ['reduction']);
  reductionOf('poissonNll', reduction, ['mean', 'sum']);
  return elementwise('poissonNll', reduction, (e, len, z, y, g, s) => e.kernels.f32_poisson_nll(len, z, y, g, s),
    (e, len, z, _y, r, o, s) => e.kernels.f32_poisson_nll_hvp(len, z, r, o, s));
}

export function huber(options?: ElementwiseOptions & { delta?: number }): LossEntry {
  const { delta = 1, reduction = 'mean' } = lossOptions('huber', options, ['delta', 'reduction']);
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) {
    throw new ValueError(`huber: delta must be a positive finite number, got ${describe(delta)}`);
  }
  reductionOf('huber', reduction, ['mean', 'sum']);
  return elementwise('huber', reduction, (e, len, d, y, g, s) => e.kernels.f32_huber(len, d, y, g, s, delta),
    (e, len, d, y, r, o, s) => e.kernels.f32_huber_hvp(len, d, y, r, o, s, delta));
}

const byName: Record<LossName, () => LossEntry> = {
  mse: () => mse(),
  softmaxCrossEntropy: () => softmaxCrossEntropy(),
  bceWithLogits: () => bceWithLogits(),
  poissonNll: () => poissonNll(),
  huber: () => huber(),
};

/** A loss entry from a name (default options) or the entry itself. */
export function resolveLoss(op: string, loss: LossName | LossEntry | undefined): LossEntry {
  if (typeof loss === 'string') {
    const f = Object.hasOwn(byName, loss) ? byName[loss as LossName] : undefined;
    if (!f) throw new ValueError(`${op}: unknown loss '${loss}', expected one of ${Object.keys(byName).map((k) => `'${k}'`).join(', ')}`);
    return f();
  }
  if (loss && typeof loss === 'object' && typeof loss.apply === 'function' && typeof loss.check === 'function') return loss;
  throw new ValueError(`${op}: loss must be a name or an entry of engine.loss, got ${describe(loss)}`);
}

/**
 * Evaluates `loss` once outside a model: returns the value and, when `grad`
 * (a tensor shaped like `yhat`) is given, writes dL/dŷ into it.
 */
export function evaluateLoss(engine: Core, loss: LossName | LossEntry, yhat: Tensor, y: Target, grad?: Tensor): number {
  const entry = resolveLoss('loss', loss);
  checkTensor(engine, 'loss', 'yhat', yhat);
  const n = yhat.rank === 1 ? yhat.shape[0] : yhat.shape[0];
  const k = yhat.rank === 1 ? 1 : yhat.size / Math.max(1, n);
  if (yhat.rank > 2) throw new ShapeError(`loss: yhat must have rank 1 or 2, got ${fmtShape(yhat.shape)}`);
  entry.check('loss', n, k, y);
  if (y instanceof Tensor) checkTensor(engine, 'loss', 'y', y);
  if (grad !== undefined) {
    checkTensor(engine, 'loss', 'grad', grad);
    if (grad.size !== yhat.size) throw new ShapeError(`loss: grad is ${fmtShape(grad.shape)}, yhat is ${fmtShape(yhat.shape)}`);
  }
  const temp: number[] = [];
  try {
    let yPtr: number;
    const labels = y instanceof Int32Array;
    if (labels) {
      yPtr = engine.arena.alloc(n * 4);
      temp.push(yPtr);
      engine.i32(yPtr, n).set(y);
      checkLabels(engine, 'loss', yPtr, y, k);
    } else yPtr = (y as Tensor).ptr;
    let gPtr: number;
    if (grad !== undefined) gPtr = grad.ptr;
    else {
      gPtr = engine.arena.alloc(n * k * 4);
      temp.push(gPtr);
    }
    return entry.apply(engine, n, k, yhat.ptr, yPtr, labels, gPtr);
  } finally {
    for (const p of temp) engine.arena.free(p);
  }
}

/** Throws `ValueError` naming the first label outside [0, k) (labels copied at `ptr`). */
export function checkLabels(engine: Core, op: string, ptr: number, labels: Int32Array, k: number): void {
  const bad = engine.kernels.i32_find_out_of_range(labels.length, ptr, 0, k);
  if (bad >= 0) throw new ValueError(`${op}: label ${labels[bad]} at index ${bad} is out of range [0, ${k})`);
}

/**
 * L2 penalty `λ/2·‖w‖²` over the parameters of `target` (all of them, or only
 * the ranges whose name ends in `weight` with `weightsOnly`): returns the value
 * and adds `λ·w` to the gradient buffer (call after the gradients are computed).
 */
export function l2Penalty(
  target: Parameterized & { parameterRanges?: () => ParameterRange[] },
  lambda: number,
  options?: { weightsOnly?: boolean },
): number {
  liveParams('l2Penalty', target, undefined, 'target');
  const { weightsOnly = false } = lossOptions('l2Penalty', options, ['weightsOnly']);
  checkBool('l2Penalty', 'weightsOnly', weightsOnly);
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new ValueError(`l2Penalty: lambda must be a finite non-negative number, got ${describe(lambda)}`);
  }
  const k = target.engine.kernels;
  const spans: [number, number][] = [];
  if (weightsOnly) {
    if (typeof target.parameterRanges !== 'function') throw new ValueError('l2Penalty: weightsOnly needs a target with parameterRanges()');
    for (const r of target.parameterRanges()) {
      if (r.name.endsWith('weight')) spans.push([r.offset, r.shape.reduce((a, b) => a * b, 1)]);
    }
  } else spans.push([0, target.numParameters]);
  let sq = 0;
  for (const [off, len] of spans) {
    const p = target.paramsPtr + off * 4;
    sq += k.f32_dot(len, p, p);
    if (lambda !== 0) k.f32_axpy(len, p, target.gradsPtr + off * 4, lambda);
  }
  return 0.5 * lambda * sq;
}

/** The `engine.loss` namespace. */
export interface LossNamespace {
  mse: typeof mse;
  softmaxCrossEntropy: typeof softmaxCrossEntropy;
  bceWithLogits: typeof bceWithLogits;
  poissonNll: typeof poissonNll;
  huber: typeof huber;
  l2Penalty: typeof l2Penalty;
  /** value (and dL/dŷ into `grad`) of a loss outside a model */
  evaluate(loss: LossName | LossEntry, yhat: Tensor, y: Target, grad?: Tensor): number;
}

export function createLossNamespace(engine: Core): LossNamespace {
  return Object.freeze({
    mse,
    softmaxCrossEntropy,
    bceWithLogits,
    poissonNll,
    huber,
    /** l2Penalty over a live model of this engine (StateError for a disposed one or another engine's) */
    l2Penalty: ((target, lambda, options) => l2Penalty(liveParams('l2Penalty', target, engine, 'target') as typeof target, lambda, options)) as typeof l2Penalty,
    evaluate: (loss: LossName | LossEntry, yhat: Tensor, y: Target, grad?: Tensor) => evaluateLoss(engine, loss, yhat, y, grad),
  });
}
