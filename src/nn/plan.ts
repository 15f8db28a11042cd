/**
 * A model's activation plan: the buffers one batch of up to `cap` rows needs,
 * planned once in the arena.
 *
 * - acts[k + 1]: the output of layer k (N × width); an identity layer aliases
 *   its input, acts[0] is the caller's input (set per call);
 * - scratch[k]: per-row scratch a layer keeps between forward and backward
 *   (dropout masks, the fused Linear -> ReLU's pre-activation gradient);
 * - grads[k]: dL/d acts[k], two ping-pong buffers walking backward from the
 *   caller's dL/dy (0 = not computed: layers up to the first with parameters,
 *   until input gradients are asked for: input-grad.ts then adds two buffers
 *   for the layers below, once);
 * - dOut: the loss's dL/dy; labels: an i32 class-id buffer; rowLoss: each row's loss
 *   (f64), written by the shards of a data-parallel step (loss/index.ts, RowwiseLoss).
 */
import { LINE, type Arena } from '../runtime/arena.js';
import type { Tensor } from '../runtime/tensor.js';
import type { BoundLayer } from './layers.js';

export interface Plan {
  /** rows the buffers hold */
  cap: number;
  /** acts[k] = byte offset of the input of layer k (acts[0] is set per call); acts[L] = output */
  acts: number[];
  /** grads[k] = byte offset of dL/d acts[k]; 0 = not computed */
  grads: number[];
  /** floats per row of each ping-pong gradient buffer (the widest input above the first layer with parameters) */
  gradWidth: number;
  /** per-layer scratch (dropout masks, fused pre-activation gradients) */
  scratch: number[];
  dOut: number;
  labels: number;
  rowLoss: number;
  blocks: number[];
  /** the output tensor handed out by forward, per batch size */
  out: Tensor | null;
  /** true once input-grad.ts has given every layer above the lowest non-identity one a gradient buffer */
  inputGrads: boolean;
}

/**
 * Plans the buffers for `cap` rows (at least 1), all in one `arena.allocAll`:
 * a `MemoryError` allocates nothing and does not grow the memory.
 */
export function makePlan(arena: Arena, layers: readonly BoundLayer[], firstParam: number, outputSize: number, cap: number): Plan {
  const L = layers.length;
  // first the sizes (floats) and where each block goes, then one allocation
  const sizes: number[] = [];
  const slot = (floats: number): number => sizes.push(Math.max(floats, 1) * 4) - 1;
  const actSlot = new Array<number>(L + 1).fill(-1);
  const scratchSlot = new Array<number>(L).fill(-1);
  for (let k = 0; k < L; k++) {
    const l = layers[k];
    if (!l.alias) actSlot[k + 1] = slot(cap * l.outSize);
    if (l.scratchPerRow > 0) scratchSlot[k] = slot(cap * l.scratchPerRow);
  }
  // input gradients: ping-pong between two buffers, walking backward from the caller's dL/dy
  let maxW = 0;
  for (let k = firstParam + 1; k < L; k++) maxW = Math.max(maxW, layers[k].inSize);
  const ppSlot = maxW > 0 && firstParam >= 0 ? [slot(cap * maxW), slot(cap * maxW)] : null;
  const dOutSlot = slot(cap * outputSize);
  const labelsSlot = slot(cap);
  const rowLossSlot = slot(2 * cap);
  // on cache lines: data-parallel threads write these on either side of row and column cuts
  const blocks = arena.allocAll(sizes, LINE);

  const at = (i: number): number => (i < 0 ? 0 : blocks[i]);
  const acts = actSlot.map(at);
  const scratch = scratchSlot.map(at);
  const grads = new Array<number>(L + 1).fill(0);
  const pp = ppSlot ? [blocks[ppSlot[0]], blocks[ppSlot[1]]] : [0, 0];
  let cur = -1; // which buffer holds dL/d acts[k+1]: -1 = dOut, 0/1 = pp
  for (let k = L - 1; k > firstParam; k--) {
    if (layers[k].alias) continue;
    cur = cur === 0 ? 1 : 0;
    grads[k] = pp[cur];
  }
  return { cap, acts, grads, gradWidth: maxW, scratch, dOut: blocks[dOutSlot], labels: blocks[labelsSlot], rowLoss: blocks[rowLossSlot], blocks, out: null, inputGrads: false };
}

/** Frees a plan's buffers. */
export function freePlan(arena: Arena, plan: Plan): void {
  for (const b of plan.blocks) arena.free(b);
}
