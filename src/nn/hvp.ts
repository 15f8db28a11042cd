/**
 * Exact Hessian-vector products of a model's loss, H·v with H = ∂²L/∂θ² over
 * the flat parameters θ, by forward-over-reverse differentiation: Pearlmutter's
 * R-operator R{f} = d/dε f(θ + εv) at ε = 0 (B. A. Pearlmutter, "Fast exact
 * multiplication by the Hessian", Neural Computation 6(1), 1994), applied to
 * the forward pass and then to the backward pass. H·v = R{∂L/∂θ}.
 *
 * Forward, per layer (x its input, y its output, V the direction's slice):
 *   Linear      R{y} = R{x}·Wᵀ + x·V_Wᵀ + V_b                 f32_gemm_nt ×2, f32_add_rowvec
 *   activation  R{y} = f'(x)·R{x}                              the layer's backward kernel
 *   dropout     R{y} = mask·R{x}  (the mask held fixed)        f32_mul
 * Loss: R{g} = (∂²ℓ/∂ŷ²)·R{ŷ}                                 the entry's `hvp` (assembly/curvature.ts)
 * Backward, g = ∂L/∂y and R{g} walking down:
 *   Linear      R{∂W} = R{g}ᵀ·x + gᵀ·R{x},  R{∂b} = Σ_rows R{g}   f32_gemm_tn ×2, f32_col_sums
 *               R{∂x} = R{g}·W + g·V_W                         f32_gemm_nn ×2
 *   activation  R{∂x} = f'(x)·R{g} + f''(x)·R{x}·g             backward kernel + f32_*_second_acc
 *   dropout     R{∂x} = mask·R{g}
 * ReLU and leaky ReLU have f'' = 0 almost everywhere (exact, as torch's double
 * backward). Every built-in loss has an exact curvature kernel; a custom loss
 * entry without `hvp` gets a central difference of its gradient,
 * (∇ℓ(ŷ + εr) − ∇ℓ(ŷ − εr))/(2ε), the one inexact piece.
 *
 * The operator runs its own forward and backward once (its buffers, not the
 * model's plan: the model's activations, gradients and RNG state are left as
 * they were). Dropout in training mode draws the masks the model's next
 * forward would draw and puts the RNG state back, so every product of one
 * operator, and of successive calls at the same state, uses one fixed mask.
 * Each `apply` then costs about two forward passes (7 GEMMs per Linear).
 */
import { ShapeError, ValueError } from '../errors.js';
import { checkLabels, resolveLoss, type LossEntry, type LossName, type Target } from '../loss/index.js';
import type { Core } from '../runtime/core.js';
import { checkTensor, type Tensor } from '../runtime/tensor.js';
import { describe } from '../runtime/validate.js';
import { LinearReluLayer } from './fused.js';
import { ActivationLayer, DropoutLayer, LinearLayer, type BoundLayer } from './layers.js';

/** What the operator needs of a model (Sequential hands it its internals). */
export interface HvpModel {
  readonly engine: Core;
  readonly kind: string;
  readonly layers: readonly BoundLayer[];
  /** index of the first layer with parameters */
  readonly firstParam: number;
  readonly paramsPtr: number;
  readonly gradsPtr: number;
  readonly rngPtr: number;
  readonly training: boolean;
  readonly numParameters: number;
  readonly inputSize: number;
  readonly outputSize: number;
}

/** v ↦ H·v at one batch (x, y) and the current parameters. Dispose when done. */
export class HvpOperator {
  /** the loss at (x, y) */
  readonly value: number;
  readonly numParameters: number;
  private readonly m: HvpModel;
  private readonly entry: LossEntry;
  private readonly n: number;
  private readonly labels: boolean;
  private readonly yPtr: number;
  private readonly blocks: number[];
  /** acts[k]: input of layer k; gs[k]: ∂L/∂acts[k] (0 = not kept); rs[k]: R{acts[k]} buffer (0 = R is zero) */
  private readonly acts: number[];
  private readonly gs: number[];
  private readonly rs: number[];
  private readonly scratch: number[];
  /** per fused layer: ∂L/∂(pre-activation) */
  private readonly dpre: number[];
  private readonly rg: [number, number];
  private readonly tmp: number;
  private readonly vPtr: number;
  private readonly outPtr: number;
  private readonly fd: number[];
  private disposed = false;

  constructor(model: HvpModel, x: Tensor, y: Target, loss: LossName | LossEntry = 'mse') {
    const e = model.engine, op = `${model.kind}: hvp`;
    checkTensor(e, op, 'x', x, 2);
    if (x.shape[1] !== model.inputSize) throw new ShapeError(`${op}: input has ${x.shape[1]} features, layer 0 expects ${model.inputSize}`);
    const n = x.shape[0], K = model.outputSize, entry = resolveLoss(op, loss);
    const labels = y instanceof Int32Array;
    if (labels && !entry.acceptsLabels) throw new ValueError(`${op}: loss '${entry.name}' needs a target tensor [${n}, ${K}], got an Int32Array of class ids`);
    entry.check(op, n, K, y);
    if (!labels) checkTensor(e, op, 'y', y);
    this.m = model;
    this.entry = entry;
    this.n = n;
    this.labels = labels;
    this.numParameters = model.numParameters;
    const L = model.layers.length, f = Math.max(model.firstParam, 0), rows = Math.max(n, 1);
    // one allocation: [slot index] per buffer, then pointers
    const sizes: number[] = [];
    const slot = (floats: number): number => sizes.push(Math.max(floats, 1) * 4) - 1;
    const actS: number[] = [-1], gS: number[] = new Array(L + 1).fill(-1), rS: number[] = new Array(L + 1).fill(-1);
    const scrS: number[] = [], dpreS: number[] = [];
    let maxW = model.inputSize;
    for (let k = 0; k < L; k++) {
      const l = model.layers[k];
      maxW = Math.max(maxW, l.outSize);
      actS.push(l.alias ? actS[k] : slot(rows * l.outSize));
      scrS.push(l instanceof DropoutLayer ? slot(rows * l.inSize) : -1);
      dpreS.push(l instanceof LinearReluLayer ? slot(rows * l.outSize) : -1);
      if (k >= f) rS[k + 1] = l.alias ? rS[k] : slot(rows * l.outSize);
    }
    gS[L] = slot(rows * K);
    for (let k = L - 1; k > f; k--) gS[k] = model.layers[k].alias ? gS[k + 1] : slot(rows * model.layers[k].inSize);
    const rgS = [slot(rows * maxW), slot(rows * maxW)], tmpS = slot(rows * maxW);
    const P = model.numParameters, vS = slot(P), outS = slot(P), yS = slot(labels ? rows : 0), rngS = slot(4);
    const fdS = entry.hvp ? [] : [slot(rows * K), slot(rows * K), slot(rows * K)];
    const b = (this.blocks = e.arena.allocAll(sizes));
    const at = (i: number): number => (i < 0 ? 0 : b[i]);
    this.acts = actS.map(at);
    this.acts[0] = x.ptr;
    this.gs = gS.map(at);
    this.rs = rS.map(at);
    this.scratch = scrS.map(at);
    this.dpre = dpreS.map(at);
    this.rg = [b[rgS[0]], b[rgS[1]]];
    this.tmp = b[tmpS];
    this.vPtr = b[vS];
    this.outPtr = b[outS];
    this.fd = fdS.map(at);
    try {
      if (labels) {
        e.i32(b[yS], n).set(y);
        checkLabels(e, op, b[yS], y, K);
        this.yPtr = b[yS];
      } else this.yPtr = (y as Tensor).ptr;
      const k = e.kernels;
      k.f32_copy(4, model.rngPtr, b[rngS]);
      try {
        this.value = this.forwardBackward();
      } finally {
        k.f32_copy(4, b[rngS], model.rngPtr);
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /**
   * Writes H·v into `out` (a new Float64Array of numParameters by default) and returns it.
   * `v`: numParameters finite numbers (rounded to f32).
   */
  apply<T extends Float64Array | Float32Array = Float64Array>(v: ArrayLike<number>, out?: T): T {
    const P = this.numParameters, op = `${this.m.kind}: hvp`;
    if (this.disposed) throw new ValueError(`${op}: the operator was disposed`);
    if (v === null || typeof v !== 'object' || typeof v.length !== 'number') throw new ValueError(`${op}: v must be an array of ${P} numbers, got ${describe(v)}`);
    if (v.length !== P) throw new ShapeError(`${op}: v has ${v.length} values, the model has ${P} parameters`);
    if (out !== undefined && !((out instanceof Float64Array || out instanceof Float32Array) && out.length === P)) {
      throw new ShapeError(`${op}: out must be a Float64Array or Float32Array of ${P}, got ${describe(out)}`);
    }
    const e = this.m.engine;
    const vv = e.f32(this.vPtr, P);
    vv.set(v);
    if (!Number.isFinite(e.kernels.f32_amax(P, this.vPtr))) throw new ValueError(`${op}: v must be finite (in f32)`);
    const res = (out ?? new Float64Array(P)) as T;
    if (P > 0) this.rPass();
    res.set(e.f32(this.outPtr, P));
    return res;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.blocks) this.m.engine.arena.free(p);
  }

  /** The plain forward, the loss gradient and the backward, keeping every ∂L/∂acts[k]; returns the loss. */
  private forwardBackward(): number {
    const { layers, training } = this.m, n = this.n, L = layers.length, k = this.m.engine.kernels;
    const acts = this.acts, gs = this.gs;
    for (let j = 0; j < L; j++) {
      if (layers[j].alias) acts[j + 1] = acts[j];
      else layers[j].forward(n, acts[j], acts[j + 1], training, this.scratch[j], null);
    }
    const value = this.entry.apply(this.m.engine, n, this.m.outputSize, acts[L], this.yPtr, this.labels, gs[L]);
    const f = this.m.firstParam;
    for (let j = L - 1; j >= f && f >= 0; j--) {
      const l = layers[j], g = gs[j + 1], dx = j > f ? gs[j] : 0;
      if (l.alias) continue;
      if (l instanceof LinearReluLayer) {
        k.f32_relu_backward(n * l.outSize, acts[j + 1], g, this.dpre[j]);
        if (dx) l.linear.inputGrad(n, this.dpre[j], dx, null);
      } else if (l instanceof LinearLayer) {
        if (dx) l.inputGrad(n, g, dx, null);
      } else if (dx) l.backward(n, acts[j], acts[j + 1], g, dx, training, this.scratch[j], 0, null);
    }
    return value;
  }

  /** R-forward, loss curvature, R-backward: H·v from vPtr into outPtr. */
  private rPass(): void {
    const { layers, training, engine } = this.m, n = this.n, L = layers.length, k = engine.kernels;
    const acts = this.acts, rs = this.rs, f = this.m.firstParam;
    const vOf = (p: number): number => this.vPtr + (p - this.m.paramsPtr);
    for (let j = f; j < L; j++) {
      const l = layers[j], rx = j === f ? 0 : rs[j], ry = rs[j + 1], len = n * l.outSize;
      if (l.alias) continue;
      const lin = l instanceof LinearReluLayer ? l.linear : l instanceof LinearLayer ? l : null;
      if (lin) {
        const i = lin.inSize, o = lin.outSize;
        k.f32_gemm_nt(n, o, i, acts[j], i, vOf(lin.w), i, ry, o, 1, 0);
        if (rx) k.f32_gemm_nt(n, o, i, rx, i, lin.w, i, ry, o, 1, 1);
        if (lin.bias) k.f32_add_rowvec(n, o, ry, o, vOf(lin.b), ry, o);
        if (l instanceof LinearReluLayer) k.f32_relu_backward(len, acts[j + 1], ry, ry);
      } else if (l instanceof ActivationLayer) l.applyBackward(n, acts[j], acts[j + 1], rx, ry);
      else if (training && (l as DropoutLayer).p > 0) k.f32_mul(len, rx, this.scratch[j], ry);
      else k.f32_copy(len, rx, ry);
    }
    let rg = this.rg[0];
    this.lossCurvature(rs[L], rg);
    const outOf = (p: number): number => this.outPtr + (p - this.m.gradsPtr);
    for (let j = L - 1, cur = 0; j >= f; j--) {
      const l = layers[j], x = acts[j], y = acts[j + 1], g = this.gs[j + 1], rx = j === f ? 0 : rs[j];
      if (l.alias) continue;
      const rdx = j > f ? this.rg[1 - cur] : 0, len = n * l.inSize;
      const lin = l instanceof LinearReluLayer ? l.linear : l instanceof LinearLayer ? l : null;
      if (lin) {
        const i = lin.inSize, o = lin.outSize;
        let d = g, rd = rg;
        if (l instanceof LinearReluLayer) {
          d = this.dpre[j];
          k.f32_relu_backward(n * o, y, rg, this.tmp);
          rd = this.tmp;
        }
        k.f32_gemm_tn(o, i, n, rd, o, x, i, outOf(lin.gw), i, 1, 0);
        if (rx) k.f32_gemm_tn(o, i, n, d, o, rx, i, outOf(lin.gw), i, 1, 1);
        if (lin.bias) k.f32_col_sums(n, o, rd, o, outOf(lin.gb), 0);
        if (rdx) {
          k.f32_gemm_nn(n, i, o, rd, o, lin.w, i, rdx, i, 1, 0);
          k.f32_gemm_nn(n, i, o, d, o, vOf(lin.w), i, rdx, i, 1, 1);
        }
      } else if (!rdx) continue;
      else if (l instanceof ActivationLayer) {
        l.applyBackward(n, x, y, rg, rdx);
        if (rx) this.second(l, len, x, y, rx, g, rdx);
      } else if (training && (l as DropoutLayer).p > 0) k.f32_mul(len, rg, this.scratch[j], rdx);
      else k.f32_copy(len, rg, rdx);
      if (rdx) {
        rg = rdx;
        cur = 1 - cur;
      }
    }
  }

  /** dx += f''(x)·rx·g for the activations with curvature. */
  private second(l: ActivationLayer, len: number, x: number, y: number, rx: number, g: number, dx: number): void {
    const k = this.m.engine.kernels;
    switch (l.kind) {
      case 'tanh': return k.f32_tanh_second_acc(len, y, rx, g, dx);
      case 'sigmoid': return k.f32_sigmoid_second_acc(len, y, rx, g, dx);
      case 'gelu': return k.f32_gelu_second_acc(len, x, rx, g, dx);
      case 'gelu_tanh': return k.f32_gelu_tanh_second_acc(len, x, rx, g, dx);
      case 'softplus': return k.f32_softplus_second_acc(len, x, rx, g, dx, l.beta, l.threshold);
      default: return; // relu, leakyRelu: f'' = 0; identity is an alias
    }
  }

  /** out = (∂²ℓ/∂ŷ²)·r: the entry's exact kernel, else a central difference of its gradient. */
  private lossCurvature(r: number, out: number): void {
    const e = this.m.engine, n = this.n, K = this.m.outputSize, len = n * K, yhat = this.acts[this.m.layers.length];
    if (this.entry.hvp) return this.entry.hvp(e, n, K, yhat, this.yPtr, this.labels, r, out);
    const k = e.kernels, [shifted, gp, gm] = this.fd;
    const rMax = k.f32_amax(len, r);
    if (!(rMax > 0)) return k.f32_fill(len, out, 0);
    // ε balances truncation (ε²) against f32 rounding (u/ε): about u^(1/3) of the scale of ŷ
    const eps = (5e-3 * Math.max(1, k.f32_amax(len, yhat))) / rMax;
    for (const [sign, g] of [[1, gp], [-1, gm]] as const) {
      k.f32_copy(len, yhat, shifted);
      k.f32_axpy(len, r, shifted, sign * eps);
      this.entry.apply(e, n, K, shifted, this.yPtr, this.labels, g);
    }
    k.f32_sub(len, gp, gm, out);
    k.f32_scal(len, out, 1 / (2 * eps));
  }
}
