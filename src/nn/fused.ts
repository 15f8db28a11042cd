/**
 * Linear (with bias) -> ReLU as one layer (bind.ts makes one of every such
 * pair in a model's spec list).
 *
 *   forward   Y = relu(X·Wᵀ + b)      f32_gemm_nt into Y, then f32_bias_relu in place
 *   backward  D = dY·[Y > 0]          f32_relu_backward_col_sums, which also writes
 *             db = β·db + Σ_rows D     the Linear's bias gradient in the same pass
 *             dW = β·dW + Dᵀ·X         f32_gemm_tn
 *             dX = D·W                 f32_gemm_nn (skipped when dx = 0)
 *
 * Same bits as the unfused pair (assembly/fused.ts states and test/fused.test.ts
 * checks it): the mask [Y > 0] equals [X·Wᵀ + b > 0], and the sums run in the
 * same order. The one scratch buffer (a row of `out` floats per batch row)
 * holds the pre-activation in check mode and D in backward.
 *
 * Check mode (`check` given) runs the pair unfused with the plain kernels
 * (f32_add_rowvec, f32_relu, f32_relu_backward, f32_col_sums) and reports
 * each buffer, so a non-finite value is pinned on the Linear or the ReLU; the
 * fused-vs-check-mode test uses it as the reference.
 */
import type { ActivationLayer, BoundLayer, FiniteCheck, LayerContext, LinearLayer } from './layers.js';

export class LinearReluLayer implements BoundLayer {
  readonly kind = 'linear+relu';
  readonly alias = false;
  readonly inSize: number;
  readonly outSize: number;
  readonly numParams: number;
  /** the pre-activation (check mode) and then dL/d(pre-activation) (backward) */
  readonly scratchPerRow: number;

  constructor(private readonly ctx: LayerContext, readonly linear: LinearLayer, readonly relu: ActivationLayer) {
    this.inSize = linear.inSize;
    this.outSize = linear.outSize;
    this.numParams = linear.numParams;
    this.scratchPerRow = linear.outSize;
  }

  forward(n: number, x: number, y: number, training: boolean, pre: number, check: FiniteCheck | null): void {
    const lin = this.linear, o = this.outSize;
    if (check) {
      lin.forward(n, x, pre, training, 0, check);
      this.relu.apply(n, pre, y);
      check(y, n * o, 1, 'relu', 'output');
      return;
    }
    lin.matmul(n, x, y);
    this.ctx.engine.kernels.f32_bias_relu(n, o, y, o, lin.b, y, o);
  }

  backward(n: number, x: number, y: number, dy: number, dx: number, training: boolean, d: number, gradBeta: number, check: FiniteCheck | null): void {
    const lin = this.linear, o = this.outSize;
    if (check) {
      // [y > 0] = [pre > 0], so the mask reads the output (the scratch now takes D)
      this.relu.applyBackward(n, y, y, dy, d);
      check(d, n * o, 1, 'relu', 'input gradient');
      lin.backward(n, x, 0, d, dx, training, 0, gradBeta, check);
      return;
    }
    this.ctx.engine.kernels.f32_relu_backward_col_sums(n, o, y, dy, d, lin.gb, gradBeta);
    lin.weightGrad(n, x, d, gradBeta);
    lin.inputGrad(n, d, dx, null);
  }
}
