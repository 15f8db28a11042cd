/**
 * Input gradients: `model.lossAndGrad(x, y, loss, { inputGrad })` and
 * `model.backward(dOut, { inputGrad })` also write dL/dx into `inputGrad`.
 *
 * Without the option, backward stops at the first layer with parameters (its
 * input gradient feeds nothing). With it, the chain rule runs on down to the
 * input: every layer k computes dL/d acts[k] = J_kᵀ · dL/d acts[k+1] with its
 * own backward (Linear: dX = dY·W, f32_gemm_nn; activations: dY·f'(X);
 * dropout: dY·mask with the forward's mask), ping-ponging through two more
 * buffers added to the plan (`extendPlan`), and the lowest non-identity layer
 * writes straight into the caller's tensor. For a mean-
 * reduced loss this is torch's `x.grad` after `loss.backward()` (checked
 * against torch 1.13 in test/nn.input-grad.test.ts).
 *
 * The first call with `inputGrad` adds the two buffers to the plan once
 * (the activations stay, so `forward` then `backward(dOut, { inputGrad })`
 * works); later calls allocate nothing.
 */
import { fmtShape, ShapeError, ValueError } from '../errors.js';
import { LINE, type Arena } from '../runtime/arena.js';
import type { Core } from '../runtime/core.js';
import { checkTensor, Tensor } from '../runtime/tensor.js';
import { checkKnown, checkOptions } from '../runtime/validate.js';
import type { BoundLayer } from './layers.js';
import type { Plan } from './plan.js';

export interface BackwardOptions {
  /** a tensor [n, inputSize] that receives dL/dx (overwritten); must not share memory with x or y */
  inputGrad?: Tensor;
}

const KEYS = ['inputGrad'] as const;

/**
 * Validates `options` of `op` for a batch `x` (and target `y` when a tensor);
 * returns the byte offset of the input-gradient tensor, or 0 when none is asked for.
 */
export function inputGradPtr(core: Core, op: string, options: BackwardOptions | undefined, n: number, inputSize: number, x: Tensor | null, y: unknown): number {
  if (options === undefined) return 0;
  const o = checkOptions(op, options);
  checkKnown(op, o, KEYS);
  const g = o.inputGrad;
  if (g === undefined) return 0;
  checkTensor(core, op, 'inputGrad', g, 2);
  if (g.shape[0] !== n || g.shape[1] !== inputSize) {
    throw new ShapeError(`${op}: inputGrad must be ${fmtShape([n, inputSize])} (the shape of x), got ${fmtShape(g.shape)}`);
  }
  if (x !== null && overlaps(g, x)) throw new ValueError(`${op}: inputGrad must not share memory with x`);
  if (y instanceof Tensor && overlaps(g, y)) throw new ValueError(`${op}: inputGrad must not share memory with y`);
  return g.ptr;
}

function overlaps(a: Tensor, b: Tensor): boolean {
  const a0 = a.ptr, a1 = a0 + a.size * 4;
  const b0 = b.ptr, b1 = b0 + b.size * 4;
  return a.size > 0 && b.size > 0 && a0 < b1 && b0 < a1;
}

/**
 * Gives the layers k with firstActive < k <= top (top = the first layer with
 * parameters, or the last layer when none has any) a gradient buffer, from two
 * new blocks of cap × (their widest input) that alternate walking down. Their
 * dL/dy comes from a buffer of the plan or dOut, never from the new blocks,
 * so the first new block written never aliases its input. One
 * `arena.allocAll`: a MemoryError leaves the plan as it was.
 */
export function extendPlan(arena: Arena, plan: Plan, layers: readonly BoundLayer[], firstParam: number, firstActive: number): void {
  if (plan.inputGrads) return;
  const top = firstParam >= 0 ? firstParam : layers.length - 1;
  let maxW = 0;
  for (let k = firstActive + 1; k <= top; k++) if (!layers[k].alias) maxW = Math.max(maxW, layers[k].inSize);
  if (firstActive >= 0 && maxW > 0) {
    const pp = arena.allocAll([plan.cap * maxW * 4, plan.cap * maxW * 4], LINE);
    let cur = 1;
    for (let k = top; k > firstActive; k--) {
      if (layers[k].alias) continue;
      cur ^= 1;
      plan.grads[k] = pp[cur];
    }
    plan.blocks.push(...pp);
  }
  plan.inputGrads = true;
}
