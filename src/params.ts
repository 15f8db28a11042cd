import type { Engine } from './runtime/engine.js';

/**
 * Anything with one flat f32 parameter buffer and one flat gradient buffer of
 * the same length in the engine's memory (a model, or a bare parameter vector
 * for optimization experiments). Optimizers, clipping and checkpoints work on
 * this, so one optimizer step is one kernel call over the whole buffer.
 *
 * The order and layout are PyTorch's `state_dict`: per layer, weight
 * `[out, in]` row-major, then bias.
 */
export interface Parameterized {
  readonly engine: Engine;
  /** number of f32 parameters */
  readonly numParameters: number;
  /** byte offset of the flat parameter buffer (16-byte aligned) */
  readonly paramsPtr: number;
  /** byte offset of the flat gradient buffer (16-byte aligned, same length) */
  readonly gradsPtr: number;
}

/** One named tensor inside the flat buffer, in elements. */
export interface ParameterRange {
  /** PyTorch state_dict name, e.g. `0.weight` */
  name: string;
  /** offset in elements from the start of the flat buffer */
  offset: number;
  shape: number[];
}
