/**
 * Layers: plain specs (what `engine.nn.layers.*` returns) and their bound forms
 * inside a model, with forward and backward side by side. A bound layer holds
 * byte offsets into the model's flat parameter and gradient buffers; the model
 * hands it the activation pointers of its plan.
 *
 * Linear (PyTorch layout, W is [out, in] row-major):
 *   forward   Y = X·Wᵀ + b            f32_gemm_nt, then f32_add_rowvec
 *             (Linear with bias -> ReLU is one layer of its own, see fused.ts)
 *   backward  dW += dYᵀ·X             f32_gemm_tn with beta = 1
 *             db += Σ_rows dY          f32_col_sums with beta = 1
 *             dX  = dY·W               f32_gemm_nn (skipped for the first layer with parameters)
 */
import { ValueError } from '../errors.js';
import { checkKnown, checkOptions, describe } from '../runtime/validate.js';
import { resolveInit, type Initializer, type InitName, type LinearInit } from '../init/index.js';
import type { Core } from '../runtime/core.js';

export type ActivationName = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu' | 'gelu_tanh' | 'softplus' | 'identity';

export interface LinearSpec {
  readonly type: 'linear';
  readonly in: number;
  readonly out: number;
  readonly bias: boolean;
  readonly init?: InitName | Initializer | Partial<LinearInit>;
}
export interface ActivationSpec {
  readonly type: 'activation';
  readonly name: ActivationName;
  /** leakyRelu negative slope (default 0.01) */
  readonly slope?: number;
  /** softplus beta (default 1) and threshold (default 20) */
  readonly beta?: number;
  readonly threshold?: number;
}
export interface DropoutSpec {
  readonly type: 'dropout';
  readonly p: number;
}
export type LayerSpec = LinearSpec | ActivationSpec | DropoutSpec;

const ACTIVATIONS: readonly ActivationName[] = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh', 'softplus', 'identity'];

function posInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${op}: ${name} must be a positive integer, got ${describe(v)}`);
  return v;
}

/** Layer constructors for `engine.nn.sequential([...])`. */
export const layers = {
  linear(inFeatures: number, outFeatures: number, options?: { bias?: boolean; init?: LinearSpec['init'] }): LinearSpec {
    const o = checkOptions('linear', options);
    checkKnown('linear', o, ['bias', 'init']);
    const { bias = true, init } = o;
    posInt('linear', 'in', inFeatures);
    posInt('linear', 'out', outFeatures);
    if (typeof bias !== 'boolean') throw new ValueError(`linear: bias must be a boolean, got ${describe(bias)}`);
    resolveInit('linear', init);
    return Object.freeze({ type: 'linear', in: inFeatures, out: outFeatures, bias, init });
  },
  activation(name: ActivationName, options?: { slope?: number; beta?: number; threshold?: number }): ActivationSpec {
    if (!ACTIVATIONS.includes(name)) {
      throw new ValueError(`activation: name must be one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${typeof name === 'string' ? `'${name}'` : describe(name)}`);
    }
    const o = checkOptions(`${name}: activationOptions`, options);
    checkKnown(`${name}: activationOptions`, o, ['slope', 'beta', 'threshold']);
    const { slope = 0.01, beta = 1, threshold = 20 } = o;
    for (const [k, v] of [['slope', slope], ['beta', beta], ['threshold', threshold]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${name}: ${k} must be a finite number, got ${describe(v)}`);
    }
    if (beta === 0) throw new ValueError(`softplus: beta must be non-zero, got 0`);
    return Object.freeze({ type: 'activation', name, slope, beta, threshold });
  },
  relu: (): ActivationSpec => layers.activation('relu'),
  leakyRelu: (slope = 0.01): ActivationSpec => layers.activation('leakyRelu', { slope }),
  tanh: (): ActivationSpec => layers.activation('tanh'),
  sigmoid: (): ActivationSpec => layers.activation('sigmoid'),
  /** exact GELU, x·Φ(x) (PyTorch's default) */
  gelu: (): ActivationSpec => layers.activation('gelu'),
  /** GELU with the tanh approximation (PyTorch `approximate='tanh'`) */
  geluTanh: (): ActivationSpec => layers.activation('gelu_tanh'),
  softplus: ({ beta = 1, threshold = 20 }: { beta?: number; threshold?: number } = {}): ActivationSpec =>
    layers.activation('softplus', { beta, threshold }),
  identity: (): ActivationSpec => layers.activation('identity'),
  /** inverted dropout: keeps each element with probability 1 − p and scales it by 1/(1 − p) in training mode */
  dropout(p = 0.5): DropoutSpec {
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new ValueError(`dropout: p must be in [0, 1), got ${describe(p)}`);
    return Object.freeze({ type: 'dropout', p });
  },
} as const;

/** What a bound layer needs from its model. */
export interface LayerContext {
  readonly engine: Core;
  /** byte offset of the model's 16-byte RNG state */
  readonly rngPtr: number;
  /** true: dropout masks are drawn beforehand (`DropoutLayer.drawMask`, the shards of nn/data-parallel.ts); forward applies them */
  readonly presetMasks?: boolean;
}

/**
 * Check mode's hook (`model.checkFinite`): throws `DivergenceError` when
 * [ptr, ptr + 4·len) holds a non-finite value. `part` is the sub-layer that
 * wrote it (0 for a plain layer; 0 or 1 in a fused pair), named with `kind`.
 */
export type FiniteCheck = (ptr: number, len: number, part: number, kind: string, what: 'output' | 'input gradient' | 'parameter gradient') => void;

/**
 * A layer inside a model. Pointers are byte offsets; n is the batch size.
 * `check` is null outside check mode; in check mode a layer reports each
 * buffer it wrote (and a fused layer runs unfused, so a non-finite value is
 * pinned on one sub-layer).
 */
export interface BoundLayer {
  /** 'linear', 'relu', … (for messages) */
  readonly kind: string;
  readonly inSize: number;
  readonly outSize: number;
  /** true when the output is the input (identity, dropout in eval mode decides per call) */
  readonly alias: boolean;
  readonly numParams: number;
  /** floats of per-row scratch this layer keeps between forward and backward (dropout mask) */
  readonly scratchPerRow: number;
  forward(n: number, x: number, y: number, training: boolean, scratch: number, check: FiniteCheck | null): void;
  /**
   * dx = 0 means: do not compute the input gradient. `gradBeta` = 1
   * accumulates into the parameter gradients (backward's contract), 0
   * overwrites them (lossAndGrad, which would zero them first).
   */
  backward(n: number, x: number, y: number, dy: number, dx: number, training: boolean, scratch: number, gradBeta: number, check: FiniteCheck | null): void;
}

export class LinearLayer implements BoundLayer {
  readonly kind = 'linear';
  readonly alias = false;
  readonly scratchPerRow = 0;
  readonly numParams: number;
  readonly inSize: number;
  readonly outSize: number;
  readonly bias: boolean;

  constructor(
    private readonly ctx: LayerContext,
    spec: LinearSpec,
    /** byte offsets of W and b in the parameter buffer, and of dW and db in the gradient buffer */
    readonly w: number,
    readonly gw: number,
  ) {
    this.inSize = spec.in;
    this.outSize = spec.out;
    this.bias = spec.bias;
    this.numParams = spec.in * spec.out + (spec.bias ? spec.out : 0);
  }

  get b(): number { return this.w + this.inSize * this.outSize * 4; }
  get gb(): number { return this.gw + this.inSize * this.outSize * 4; }

  forward(n: number, x: number, y: number, _training: boolean, _scratch: number, check: FiniteCheck | null): void {
    this.matmul(n, x, y);
    if (this.bias) this.ctx.engine.kernels.f32_add_rowvec(n, this.outSize, y, this.outSize, this.b, y, this.outSize);
    check?.(y, n * this.outSize, 0, 'linear', 'output');
  }

  backward(n: number, x: number, _y: number, dy: number, dx: number, _training: boolean, _scratch: number, gradBeta: number, check: FiniteCheck | null): void {
    this.weightGrad(n, x, dy, gradBeta);
    if (this.bias) this.ctx.engine.kernels.f32_col_sums(n, this.outSize, dy, this.outSize, this.gb, gradBeta);
    this.inputGrad(n, dy, dx, check);
  }

  /** Y = X·Wᵀ, without the bias (f32_gemm_nt). */
  matmul(n: number, x: number, y: number): void {
    const i = this.inSize, o = this.outSize;
    this.ctx.engine.kernels.f32_gemm_nt(n, o, i, x, i, this.w, i, y, o, 1, 0);
  }

  /** dW = gradBeta·dW + dYᵀ·X (f32_gemm_tn); the bias gradient is the caller's. */
  weightGrad(n: number, x: number, dy: number, gradBeta: number): void {
    const i = this.inSize, o = this.outSize;
    this.ctx.engine.kernels.f32_gemm_tn(o, i, n, dy, o, x, i, this.gw, i, 1, gradBeta);
  }

  /** dX = dY·W (f32_gemm_nn) when dx ≠ 0; in check mode reports dW, db and dX. */
  inputGrad(n: number, dy: number, dx: number, check: FiniteCheck | null): void {
    const i = this.inSize, o = this.outSize;
    if (dx !== 0) this.ctx.engine.kernels.f32_gemm_nn(n, i, o, dy, o, this.w, i, dx, i, 1, 0);
    if (check) {
      check(this.gw, this.numParams, 0, 'linear', 'parameter gradient');
      if (dx !== 0) check(dx, n * i, 0, 'linear', 'input gradient');
    }
  }
}

export class ActivationLayer implements BoundLayer {
  readonly numParams = 0;
  readonly scratchPerRow = 0;
  readonly alias: boolean;
  readonly kind: ActivationName;
  readonly slope: number;
  readonly beta: number;
  readonly threshold: number;

  constructor(private readonly ctx: LayerContext, spec: ActivationSpec, readonly inSize: number) {
    this.kind = spec.name;
    this.alias = spec.name === 'identity';
    this.slope = spec.slope ?? 0.01;
    this.beta = spec.beta ?? 1;
    this.threshold = spec.threshold ?? 20;
  }

  get outSize(): number { return this.inSize; }

  forward(n: number, x: number, y: number, _training: boolean, _scratch: number, check: FiniteCheck | null): void {
    this.apply(n, x, y);
    check?.(y, n * this.inSize, 0, this.kind, 'output');
  }

  backward(n: number, x: number, y: number, dy: number, dx: number, _training: boolean, _scratch: number, _gradBeta: number, check: FiniteCheck | null): void {
    if (dx === 0) return;
    this.applyBackward(n, x, y, dy, dx);
    check?.(dx, n * this.inSize, 0, this.kind, 'input gradient');
  }

  /** y = f(x) elementwise. */
  apply(n: number, x: number, y: number): void {
    const k = this.ctx.engine.kernels, len = n * this.inSize;
    switch (this.kind) {
      case 'relu': return k.f32_relu(len, x, y);
      case 'leakyRelu': return k.f32_leaky_relu(len, x, y, this.slope);
      case 'tanh': return k.f32_tanh(len, x, y);
      case 'sigmoid': return k.f32_sigmoid(len, x, y);
      case 'gelu': return k.f32_gelu(len, x, y);
      case 'gelu_tanh': return k.f32_gelu_tanh(len, x, y);
      case 'softplus': return k.f32_softplus(len, x, y, this.beta, this.threshold);
      case 'identity': return;
    }
  }

  /** dx = dy·f'(x) elementwise (from y where f' is a function of the output). */
  applyBackward(n: number, x: number, y: number, dy: number, dx: number): void {
    const k = this.ctx.engine.kernels, len = n * this.inSize;
    switch (this.kind) {
      case 'relu': return k.f32_relu_backward(len, x, dy, dx);
      case 'leakyRelu': return k.f32_leaky_relu_backward(len, x, dy, dx, this.slope);
      case 'tanh': return k.f32_tanh_backward(len, y, dy, dx);
      case 'sigmoid': return k.f32_sigmoid_backward(len, y, dy, dx);
      case 'gelu': return k.f32_gelu_backward(len, x, dy, dx);
      case 'gelu_tanh': return k.f32_gelu_tanh_backward(len, x, dy, dx);
      case 'softplus': return k.f32_softplus_backward(len, x, dy, dx, this.beta, this.threshold);
      case 'identity': return;
    }
  }
}

/**
 * Inverted dropout. Training: mask = [u ≥ p]/(1 − p) with u ~ U[0, 1) drawn
 * from the model's RNG (n·width draws per forward, row-major), y = x·mask, and
 * the mask is kept for backward (dx = dy·mask). Eval mode: y = x (copied).
 * With `ctx.presetMasks` (a data-parallel shard) the mask is already drawn for the
 * whole batch (`drawMask`, on the calling thread) and forward is y = x·mask (f32_mul:
 * the same product as f32_dropout's).
 */
export class DropoutLayer implements BoundLayer {
  readonly kind = 'dropout';
  readonly numParams = 0;
  readonly alias = false;
  readonly scratchPerRow: number;

  constructor(private readonly ctx: LayerContext, readonly p: number, readonly inSize: number) {
    this.scratchPerRow = inSize;
  }

  get outSize(): number { return this.inSize; }

  forward(n: number, x: number, y: number, training: boolean, mask: number, check: FiniteCheck | null): void {
    const k = this.ctx.engine.kernels, len = n * this.inSize;
    if (!(training && this.p > 0)) k.f32_copy(len, x, y);
    else if (this.ctx.presetMasks) k.f32_mul(len, x, mask, y);
    else k.f32_dropout(len, this.ctx.rngPtr, x, mask, y, this.p);
    check?.(y, len, 0, 'dropout', 'output');
  }

  /** Draws forward's mask for n rows alone (f32_dropout_mask: the same draws and values as f32_dropout); training mode with p > 0 only. */
  drawMask(n: number, mask: number): void {
    this.ctx.engine.kernels.f32_dropout_mask(n * this.inSize, this.ctx.rngPtr, mask, this.p);
  }

  backward(n: number, _x: number, _y: number, dy: number, dx: number, training: boolean, mask: number, _gradBeta: number, check: FiniteCheck | null): void {
    if (dx === 0) return;
    const k = this.ctx.engine.kernels, len = n * this.inSize;
    if (training && this.p > 0) k.f32_mul(len, dy, mask, dx);
    else k.f32_copy(len, dy, dx);
    check?.(dx, len, 0, 'dropout', 'input gradient');
  }
}
