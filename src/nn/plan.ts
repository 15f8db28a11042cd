/**
 * A model's activation plan: the buffers one batch of up to `cap` rows needs,
 * planned once in the arena.
 *
 * - acts[k + 1]: the output of layer k (N × width); an identity layer aliases
 *   its input, acts[0] is the caller's input (set per call);
 * - scratch[k]: per-row scratch a layer keeps between forward and backward
 *   (dropout masks, the fused Linear -> ReLU's pre-activation gradient);
 * - grads[k]: dL/d acts[k], two ping-pong buffers walking backward from the
 *   caller's dL/dy (0 = not computed: layers up to the first with parameters);
 * - dOut: the loss's dL/dy; labels: an i32 class-id buffer.
 */
import type { Arena } from '../runtime/arena.js';
import type { Tensor } from '../runtime/tensor.js';
import type { BoundLayer } from './layers.js';

export interface Plan {
  /** rows the buffers hold */
  cap: number;
  /** acts[k] = byte offset of the input of layer k (acts[0] is set per call); acts[L] = output */
  acts: number[];
  /** grads[k] = byte offset of dL/d acts[k]; 0 = not computed */
  grads: number[];
  /** per-layer scratch (dropout masks, fused pre-activation gradients) */
  scratch: number[];
  dOut: number;
  labels: number;
  blocks: number[];
  /** the output tensor handed out by forward, per batch size */
  out: Tensor | null;
}

/**
 * Plans the buffers for `cap` rows (at least 1). On a `MemoryError` every
 * block allocated so far is freed again and the error is rethrown.
 */
export function makePlan(arena: Arena, layers: readonly BoundLayer[], firstParam: number, outputSize: number, cap: number): Plan {
  const L = layers.length;
  const blocks: number[] = [];
  const alloc = (floats: number): number => {
    const p = arena.alloc(Math.max(floats, 1) * 4);
    blocks.push(p);
    return p;
  };
  try {
    const acts = new Array<number>(L + 1).fill(0);
    const scratch = new Array<number>(L).fill(0);
    const grads = new Array<number>(L + 1).fill(0);
    for (let k = 0; k < L; k++) {
      const l = layers[k];
      if (!l.alias) acts[k + 1] = alloc(cap * l.outSize);
      if (l.scratchPerRow > 0) scratch[k] = alloc(cap * l.scratchPerRow);
    }
    // input gradients: ping-pong between two buffers, walking backward from dOut (-1)
    let maxW = 0;
    for (let k = firstParam + 1; k < L; k++) maxW = Math.max(maxW, layers[k].inSize);
    const pp = maxW > 0 && firstParam >= 0 ? [alloc(cap * maxW), alloc(cap * maxW)] : [0, 0];
    let cur = -1; // which buffer holds dL/d acts[k+1]: -1 = dOut, 0/1 = pp
    for (let k = L - 1; k > firstParam; k--) {
      if (layers[k].alias) continue;
      cur = cur === 0 ? 1 : 0;
      grads[k] = pp[cur];
    }
    const dOut = alloc(cap * outputSize);
    const labels = alloc(cap);
    return { cap, acts, grads, scratch, dOut, labels, blocks, out: null };
  } catch (e) {
    for (const b of blocks) arena.free(b);
    throw e;
  }
}

/** Frees a plan's buffers. */
export function freePlan(arena: Arena, plan: Plan): void {
  for (const b of plan.blocks) arena.free(b);
}
