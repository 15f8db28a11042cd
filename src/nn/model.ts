/**
 * A feed-forward model: a plain list of bound layers (bind.ts; a Linear ->
 * ReLU pair is one fused layer, fused.ts) over one flat parameter buffer and
 * one flat gradient buffer (PyTorch state_dict order and layout), with the
 * activations of a batch planned once in the arena (plan.ts).
 *
 * The plan holds a batch capacity N (the largest batch seen so far). A batch
 * of n ≤ N rows uses the same buffers; a larger batch frees the plan and
 * plans again once. So after the first call at a batch size, forward /
 * backward / lossAndGrad allocate nothing.
 */
import { DivergenceError, fmtShape, MemoryError, ShapeError, StateError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { resolveLoss, type LossEntry, type LossName, type Target } from '../loss/index.js';
import type { Parameterized, ParameterRange } from '../runtime/params.js';
import type { Core } from '../runtime/core.js';
import { LINE } from '../runtime/arena.js';
import { checkStateWords, seedWords } from '../runtime/rng.js';
import { checkTensor, Tensor } from '../runtime/tensor.js';
import { bindLayers, checkSpecs, initLinears, parameterRanges, type BoundLayers } from './bind.js';
import type { BoundLayer, FiniteCheck, LayerSpec } from './layers.js';
import { extendPlan, inputGradPtr, type BackwardOptions } from './input-grad.js';
import { HvpOperator } from './hvp.js';
import type { DataParallel } from './data-parallel.js';
import { ShardChoice, type ParallelMode } from './parallel-mode.js';
import { freePlan, makePlan, type Plan } from './plan.js';

export interface ModelOptions {
  /** seed of the model's RNG (initialization, then dropout masks); default 0 */
  seed?: number;
  /** width of the input when the first layer is not linear */
  inputSize?: number;
}

export class Sequential implements Parameterized {
  readonly numParameters: number;
  readonly paramsPtr: number;
  readonly gradsPtr: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** true: forward uses dropout masks; false (eval): dropout is the identity */
  training = true;
  /**
   * Check mode: after every layer's forward and backward, and after the loss,
   * throw a `DivergenceError` naming the layer and the first non-finite value.
   * Costs one extra pass over each buffer; off by default.
   */
  checkFinite = false;

  /** the bound layers, in order (a Linear(bias) -> ReLU pair is one LinearReluLayer) */
  private readonly layers: BoundLayer[];
  private readonly specs: readonly LayerSpec[];
  private readonly linears: BoundLayers['linears'];
  /** checks[j]: check mode's hook for layer j, naming the spec index in messages */
  private readonly checks: FiniteCheck[];
  private readonly rngPtr: number;
  private plan: Plan | null = null;
  private _disposed = false;
  private steps = 0;
  /** was the last forward run in training mode (backward must use the same masks) */
  private forwardTraining = true;
  /** index of the first layer with parameters: layers before it need no input gradient */
  private readonly firstParam: number;
  /** index of the lowest non-identity layer: it writes dL/dx when input gradients are asked for */
  private readonly firstActive: number;
  /** true: `lossAndGrad` and `backward` accept `{ inputGrad }` (dL/dx, input-grad.ts) */
  readonly inputGradients = true;
  /** `parallel` and the data-parallel step's buffers, made on the first sharded step (data-parallel.ts) */
  private readonly shards = new ShardChoice(() => ({ ...this, specs: this.specs, layers: this.layers, firstParam: this.firstParam, rngPtr: this.rngPtr }));

  /** @internal use engine.nn.* */
  constructor(readonly engine: Core, readonly kind: string, specs: readonly LayerSpec[], options: ModelOptions = {}) {
    const { seed = 0, inputSize } = options;
    const [seedLo, seedHi] = seedWords(kind, seed);
    const sizes = checkSpecs(kind, specs, inputSize);
    this.inputSize = sizes.inputSize;
    this.outputSize = sizes.outputSize;
    this.numParameters = sizes.numParameters;
    this.specs = Object.freeze([...specs]);
    const nParams = sizes.numParameters;

    // all or nothing: a MemoryError allocates nothing and does not grow the memory
    const sizeText = `layer sizes [${sizes.widths.join(', ')}] need ${nParams} parameters`;
    if (!Number.isSafeInteger(nParams * 8)) throw new MemoryError(`${kind}: ${sizeText}, more than any memory holds`, nParams * 8, engine.arena.maxBytes - engine.arena.usedBytes);
    try {
      [this.paramsPtr, this.gradsPtr, this.rngPtr] = engine.arena.allocAll([nParams * 4, nParams * 4, 16], LINE);
    } catch (e) {
      if (!(e instanceof MemoryError)) throw e;
      throw new MemoryError(`${kind}: ${sizeText} (${nParams * 8} bytes with gradients): ${e.message}`, e.requested, e.available);
    }
    const bound = bindLayers({ engine, rngPtr: this.rngPtr }, this.specs, this.inputSize, this.paramsPtr, this.gradsPtr);
    this.layers = bound.layers;
    this.linears = bound.linears;
    this.checks = bound.start.map((first) => (ptr, len, part, kind, what) => this.checkBuffer(ptr, len, `layer ${first + part} (${kind}) ${what}`));
    this.firstParam = this.layers.findIndex((l) => l.numParams > 0);
    this.firstActive = this.layers.findIndex((l) => !l.alias);
    const k = engine.kernels;
    k.rng_seed(this.rngPtr, seedLo, seedHi);
    initLinears(engine, kind, this.rngPtr, this.linears);
    k.f32_fill(nParams, this.gradsPtr, 0);
  }

  // ---- parameters ----

  /** Named ranges of the flat buffers, as torch `nn.Sequential(...).state_dict()` names them. */
  parameterRanges(): ParameterRange[] {
    return parameterRanges(this.specs);
  }

  parameters(): Float32Array {
    this.live('parameters');
    return this.engine.f32(this.paramsPtr, this.numParameters).slice();
  }

  gradients(): Float32Array {
    this.live('gradients');
    return this.engine.f32(this.gradsPtr, this.numParameters).slice();
  }

  setParameters(values: ArrayLike<number>): void {
    this.live('setParameters');
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new ValueError(`${this.kind}: setParameters needs an array of ${this.numParameters} numbers, got ${describe(values)}`);
    }
    if (values.length !== this.numParameters) {
      throw new ShapeError(`${this.kind}: setParameters got ${values.length} values, the model has ${this.numParameters} parameters`);
    }
    // every value checked before one is written: numbers finite in f32 (1e39 would become Infinity)
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
        throw new ValueError(`${this.kind}: setParameters: value ${i} must be a finite f32 number, got ${describe(v)}`);
      }
    }
    this.engine.f32(this.paramsPtr, this.numParameters).set(values);
  }

  zeroGrad(): void {
    this.live('zeroGrad');
    this.engine.kernels.f32_fill(this.numParameters, this.gradsPtr, 0);
  }

  train(): this {
    this.training = true;
    return this;
  }

  /**
   * How `lossAndGrad` uses a threaded engine's threads (docs/threads.md; no effect on one
   * thread): 'auto' (default) keeps a small step on the calling thread, else shards the
   * batch (data-parallel.ts) when each thread gets 32 rows, else splits the GEMMs; 'gemm' always splits the
   * GEMMs (one thread's bits); 'data' shards every batch of at least 16 rows (the
   * parameter gradients then sum in another order: within rounding of one thread).
   * Check mode and input gradients always take the GEMM path.
   */
  get parallel(): ParallelMode {
    return this.shards.mode;
  }

  set parallel(mode: ParallelMode) {
    this.shards.setMode(this.kind, mode);
  }

  /** Evaluation mode (dropout off). */
  eval(): this {
    this.training = false;
    return this;
  }

  /** The 4 words of the RNG state (dropout masks); a copy. */
  rngState(): Uint32Array {
    this.live('rngState');
    return new Uint32Array(this.engine.memory.buffer, this.rngPtr, 4).slice();
  }

  setRngState(s: ArrayLike<number>): void {
    this.live('setRngState');
    const w = checkStateWords(`${this.kind}: setRngState`, s);
    new Uint32Array(this.engine.memory.buffer, this.rngPtr, 4).set(w);
  }

  // ---- forward, backward ----

  /** The model's output for `x` ([n, inputSize]); the tensor belongs to the model and is valid until the next forward. */
  forward(x: Tensor): Tensor {
    const n = this.checkInput('forward', x);
    const plan = this.ensurePlan(n);
    this.runForward(plan, n, x.ptr);
    return this.outTensor(plan, n);
  }

  /**
   * Accumulates dL/dθ into the gradient buffer for dL/dy = dOut ([n, outputSize]) of the
   * last forward; with `{ inputGrad }` also writes dL/dx into that tensor (input-grad.ts).
   */
  backward(dOut: Tensor, options?: BackwardOptions): void {
    this.live('backward');
    checkTensor(this.engine, this.kind, 'dOut', dOut, 2);
    const plan = this.plan;
    if (plan === null || plan.acts[0] === 0) throw new StateError(`${this.kind}: backward needs a forward first`);
    const n = this.lastN;
    if (dOut.shape[0] !== n || dOut.shape[1] !== this.outputSize) {
      throw new ShapeError(`${this.kind}: dOut is ${fmtShape(dOut.shape)}, the last forward gave ${fmtShape([n, this.outputSize])}`);
    }
    const ig = inputGradPtr(this.engine, `${this.kind}: backward`, options, n, this.inputSize, null, dOut);
    if (ig !== 0) extendPlan(this.engine.arena, plan, this.layers, this.firstParam, this.firstActive);
    this.runBackward(plan, n, dOut.ptr, 1, ig);
  }

  /**
   * One call from batch to gradients: zeroes the gradients, runs forward, the
   * loss (writing dL/dy into the plan) and backward, and returns the loss.
   * `y` is an Int32Array of class ids (classification) or a target tensor.
   * With `{ inputGrad }` ([n, inputSize]) it also writes dL/dx there (input-grad.ts).
   */
  lossAndGrad(x: Tensor, y: Target, loss: LossName | LossEntry = 'mse', options?: BackwardOptions): number {
    const n = this.checkInput('lossAndGrad', x);
    const entry = resolveLoss(this.kind, loss);
    const labels = y instanceof Int32Array;
    if (labels && !entry.acceptsLabels) {
      throw new ValueError(`${this.kind}: loss '${entry.name}' needs a target tensor [${n}, ${this.outputSize}], got an Int32Array of class ids`);
    }
    entry.check(this.kind, n, this.outputSize, y);
    if (!labels) checkTensor(this.engine, this.kind, 'y', y);
    // everything is checked before the plan grows or a buffer is written: a call that throws changes nothing
    if (labels) checkClassIds(this.kind, y, this.outputSize);
    const ig = inputGradPtr(this.engine, `${this.kind}: lossAndGrad`, options, n, this.inputSize, x, y);
    const dp = ig === 0 && !this.checkFinite ? this.shards.pick(this.engine, n) : null;
    const plan = this.ensurePlan(n);
    if (ig !== 0) extendPlan(this.engine.arena, plan, this.layers, this.firstParam, this.firstActive);
    let yPtr: number;
    if (labels) {
      this.engine.i32(plan.labels, n).set(y);
      yPtr = plan.labels;
    } else yPtr = (y as Tensor).ptr;
    // a loss cut by rows runs on each shard's thread at the end of its forward (data-parallel.ts)
    const rowwise = dp !== null && entry.rows !== undefined ? entry.rows : null;
    if (dp !== null && rowwise !== null) dp.withLoss(rowwise, yPtr, labels);
    this.runForward(plan, n, x.ptr, dp);
    const outPtr = plan.acts[this.layers.length];
    const value = rowwise !== null ? rowwise.value(this.engine, n, plan.rowLoss) : entry.apply(this.engine, n, this.outputSize, outPtr, yPtr, labels, plan.dOut);
    this.steps++;
    if (this.checkFinite) {
      if (!Number.isFinite(value)) throw new DivergenceError(`${this.kind}: loss '${entry.name}' is ${value}`, -1, this.steps);
      this.checkBuffer(plan.dOut, n * this.outputSize, `loss '${entry.name}' gradient`);
    }
    // every parameter's gradient is written by the backward below: overwrite (beta = 0)
    // instead of zero-filling the buffer and accumulating (same bits, one pass less)
    if (dp !== null) dp.backward(plan, this.forwardTraining);
    else this.runBackward(plan, n, plan.dOut, 0, ig);
    return value;
  }

  /** H·v at (x, y), exact (Pearlmutter's R-operator, hvp.ts), into `out` (new Float64Array by default); model state unchanged. */
  hvp<T extends Float64Array | Float32Array = Float64Array>(x: Tensor, y: Target, loss: LossName | LossEntry, v: ArrayLike<number>, out?: T): T {
    const op = this.hvpOperator(x, y, loss);
    try { return op.apply(v, out); } finally { op.dispose(); }
  }

  /** The operator v ↦ H·v at (x, y) for many products (engine.curvature); dispose it when done. */
  hvpOperator(x: Tensor, y: Target, loss: LossName | LossEntry = 'mse'): HvpOperator {
    this.live('hvp');
    return new HvpOperator({ ...this, layers: this.layers, firstParam: this.firstParam, rngPtr: this.rngPtr, engine: this.engine }, x, y, loss);
  }

  /** Frees the parameters, gradients and plan. Using the model afterwards throws StateError. */
  dispose(): void {
    if (this._disposed) return;
    this.freePlan();
    this.shards.dispose();
    const a = this.engine.arena;
    a.free(this.paramsPtr);
    a.free(this.gradsPtr);
    a.free(this.rngPtr);
    this._disposed = true;
  }

  /** true after dispose(): optimizers, clipping and penalties over this model then refuse to act */
  get disposed(): boolean {
    return this._disposed;
  }

  /** Layer kinds in order (for messages and summaries). */
  get layerKinds(): string[] {
    return this.specs.map((s) => (s.type === 'activation' ? s.name : s.type));
  }

  // ---- internals ----

  private lastN = 0;

  private live(op: string): void {
    if (this._disposed) throw new StateError(`${this.kind}: ${op} after dispose()`);
  }

  private checkInput(op: string, x: Tensor): number {
    this.live(op);
    checkTensor(this.engine, this.kind, 'x', x, 2);
    if (x.shape[1] !== this.inputSize) {
      throw new ShapeError(`${this.kind}: input has ${x.shape[1]} features, layer 0 expects ${this.inputSize}`);
    }
    return x.shape[0];
  }

  /** dp: the shards of a data-parallel step (data-parallel.ts), already split for n rows */
  private runForward(plan: Plan, n: number, x: number, dp: DataParallel | null = null): void {
    const L = this.layers.length;
    const acts = plan.acts;
    acts[0] = x;
    const training = this.training;
    this.forwardTraining = training;
    this.lastN = n;
    if (dp !== null) return dp.forward(plan, n, training);
    const checking = this.checkFinite;
    for (let k = 0; k < L; k++) {
      const l = this.layers[k];
      if (l.alias) acts[k + 1] = acts[k];
      else l.forward(n, acts[k], acts[k + 1], training, plan.scratch[k], checking ? this.checks[k] : null);
    }
  }

  /**
   * gradBeta 1: accumulate into the gradient buffer (backward); 0: overwrite it (lossAndGrad).
   * inputGrad ≠ 0: also write dL/dx there (the plan then has input-gradient buffers).
   */
  private runBackward(plan: Plan, n: number, dOut: number, gradBeta: number, inputGrad: number): void {
    const acts = plan.acts, grads = plan.grads;
    const training = this.forwardTraining;
    const L = this.layers.length;
    const checking = this.checkFinite;
    const stop = inputGrad !== 0 ? 0 : this.firstParam;
    let dy = dOut;
    for (let k = L - 1; k >= 0 && k >= stop; k--) {
      const l = this.layers[k];
      if (l.alias) continue;
      // the lowest layer writes dL/dx (or nothing); below the first parameter no buffer is needed without it
      const dx = k === this.firstActive ? inputGrad : k === this.firstParam && inputGrad === 0 ? 0 : grads[k];
      l.backward(n, acts[k], acts[k + 1], dy, dx, training, plan.scratch[k], gradBeta, checking ? this.checks[k] : null);
      dy = dx;
    }
    // a model of identity layers only: dL/dx = dL/dy
    if (inputGrad !== 0 && this.firstActive < 0) this.engine.kernels.f32_copy(n * this.inputSize, dOut, inputGrad);
  }

  private checkBuffer(ptr: number, len: number, what: string): void {
    const m = this.engine.kernels.f32_amax(len, ptr);
    if (Number.isFinite(m)) return;
    const v = this.engine.f32(ptr, len);
    let i = 0;
    while (i < len && Number.isFinite(v[i])) i++;
    throw new DivergenceError(`${this.kind}: ${what} has a non-finite value ${v[i]} at element ${i} (step ${this.steps})`, -1, this.steps);
  }

  private outTensor(plan: Plan, n: number): Tensor {
    const ptr = plan.acts[this.layers.length];
    if (plan.out === null || plan.out.shape[0] !== n || plan.out.ptr !== ptr) {
      plan.out = new Tensor(this.engine, ptr, [n, this.outputSize], false);
    }
    return plan.out;
  }

  private freePlan(): void {
    if (this.plan === null) return;
    freePlan(this.engine.arena, this.plan);
    this.plan = null;
  }

  /** The plan for n rows: the current one when it holds n rows, else a new one (plan.ts). */
  private ensurePlan(n: number): Plan {
    if (this.plan !== null && this.plan.cap >= n) return this.plan;
    const plan = makePlan(this.engine.arena, this.layers, this.firstParam, this.outputSize, Math.max(n, 1));
    this.freePlan();
    this.plan = plan;
    return plan;
  }
}

/**
 * Class ids must lie in [0, k). Checked on the caller's array before any
 * buffer is written, so a rejected call leaves the label buffer as it was:
 * n integer compares (validation, not arithmetic on the data; well under 1%
 * of a step's time), the loss itself runs in the core.
 */
function checkClassIds(op: string, y: Int32Array, k: number): void {
  for (let i = 0; i < y.length; i++) {
    if (y[i] < 0 || y[i] >= k) throw new ValueError(`${op}: label ${y[i]} at index ${i} is out of range [0, ${k})`);
  }
}
