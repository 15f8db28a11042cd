import { StateError, ValueError } from '../errors.js';
import { allocNamed, type Core } from './core.js';
import { describe } from './validate.js';

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
  readonly engine: Core;
  /** number of f32 parameters */
  readonly numParameters: number;
  /** byte offset of the flat parameter buffer (16-byte aligned) */
  readonly paramsPtr: number;
  /** byte offset of the flat gradient buffer (16-byte aligned, same length) */
  readonly gradsPtr: number;
  /**
   * true once `dispose()` has returned the buffers to the arena. Everything that
   * writes through `paramsPtr` / `gradsPtr` (optimizers, clipping, penalties)
   * checks it first and throws `StateError` instead of writing into freed memory.
   */
  readonly disposed: boolean;
}

/**
 * Throws unless `m` is a live Parameterized (of `core`, when given): a missing model or
 * something else is a ValueError that says so; a disposed one, or one of another engine,
 * a StateError. Returns `m`.
 */
export function liveParams(op: string, m: unknown, core?: Core, name = 'model'): Parameterized {
  if (m === null || m === undefined) throw new ValueError(`${op}: the ${name} is missing (got ${describe(m)}); pass a model or engine.vector(n)`);
  const x = m as Partial<Parameterized>;
  if (typeof m !== 'object' || typeof x.numParameters !== 'number' || !x.engine) {
    throw new ValueError(`${op}: ${name} must be a Parameterized (a model or engine.vector(n): numParameters, paramsPtr, gradsPtr, engine), got ${describe(m)}`);
  }
  if (x.disposed === true) throw new StateError(`${op}: the ${name} was disposed; its buffers are freed`);
  if (core !== undefined && x.engine !== core) throw new StateError(`${op}: the ${name} belongs to another engine`);
  return m as Parameterized;
}

/** One named tensor inside the flat buffer, in elements. */
export interface ParameterRange {
  /** PyTorch state_dict name, e.g. `0.weight` */
  name: string;
  /** offset in elements from the start of the flat buffer */
  offset: number;
  shape: number[];
}

/**
 * A bare parameter vector: `n` f32 parameters and their gradients, two arena blocks.
 * Made by `engine.vector(n, values)`; `params` and `grads` are live views (re-derived
 * when memory grows, so never keep one across calls that allocate).
 */
export class ParameterVector implements Parameterized {
  readonly numParameters: number;
  private _paramsPtr: number;
  private _gradsPtr: number;

  /** @internal use `engine.vector(n, values)` */
  constructor(readonly engine: Core, n: number, values?: ArrayLike<number>) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new ValueError(`vector: n must be a positive integer, got ${typeof n === 'number' ? n : typeof n}`);
    }
    if (values !== undefined && (values === null || typeof values !== 'object' || values.length !== n)) {
      const got = values === null || typeof values !== 'object' ? describe(values) : `length ${values.length}`;
      throw new ValueError(`vector: values must be an array-like of ${n} numbers, got ${got}`);
    }
    this.numParameters = n;
    this._paramsPtr = allocNamed(engine, n, `vector: n = ${n}`);
    try {
      this._gradsPtr = allocNamed(engine, n, `vector: n = ${n} (gradients)`);
    } catch (e) {
      engine.arena.free(this._paramsPtr);
      throw e;
    }
    const p = this.params;
    if (values === undefined) p.fill(0);
    else p.set(values);
    this.grads.fill(0);
  }

  get disposed(): boolean {
    return this._paramsPtr < 0;
  }

  get paramsPtr(): number {
    if (this._paramsPtr < 0) throw new StateError(`vector(${this.numParameters}): used after dispose()`);
    return this._paramsPtr;
  }

  get gradsPtr(): number {
    if (this._gradsPtr < 0) throw new StateError(`vector(${this.numParameters}): used after dispose()`);
    return this._gradsPtr;
  }

  /** A live view of the parameters. */
  get params(): Float32Array {
    return this.engine.f32(this.paramsPtr, this.numParameters);
  }

  /** A live view of the gradients. */
  get grads(): Float32Array {
    return this.engine.f32(this.gradsPtr, this.numParameters);
  }

  /** Returns both blocks to the arena. Idempotent. */
  dispose(): void {
    if (this._paramsPtr < 0) return;
    this.engine.arena.free(this._gradsPtr);
    this.engine.arena.free(this._paramsPtr);
    this._paramsPtr = this._gradsPtr = -1;
  }
}
