import { fmtShape, ShapeError, StateError, ValueError } from '../errors.js';
import type { Core } from './core.js';

/**
 * A (pointer, shape) handle into the engine's memory, f32, row-major.
 *
 * `data` is a live `Float32Array` over the tensor's memory: reading it after
 * memory has grown gives a fresh view (views over the old buffer are detached
 * by `memory.grow`), so never keep a `data` array across calls that allocate.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  private _view: Float32Array | null = null;
  private _ptr: number;
  private readonly owned: boolean;

  /** @internal use `engine.tensor(shape, data)` */
  constructor(readonly engine: Core, ptr: number, shape: readonly number[], owned: boolean) {
    this._ptr = ptr;
    this.shape = Object.freeze([...shape]);
    this.size = shape.reduce((a, b) => a * b, 1);
    this.owned = owned;
  }

  /** Byte offset of element 0. Throws after `dispose()`. */
  get ptr(): number {
    if (this._ptr < 0) throw new StateError(`tensor ${fmtShape(this.shape)}: used after dispose()`);
    return this._ptr;
  }

  get disposed(): boolean {
    return this._ptr < 0;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A live view of the elements (re-derived when memory has grown). */
  get data(): Float32Array {
    const buf = this.engine.memory.buffer;
    if (this._view === null || this._view.buffer !== buf) {
      this._view = new Float32Array(buf, this.ptr, this.size);
    }
    if (this._ptr < 0) throw new StateError(`tensor ${fmtShape(this.shape)}: used after dispose()`);
    return this._view;
  }

  /** A copy of the elements as a plain `Float32Array` that outlives the tensor. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** Copies `values` (length `size`) into the tensor. */
  set(values: ArrayLike<number>): this {
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new ValueError(`tensor.set: values must be an array-like of ${this.size} numbers, got ${describe(values)}`);
    }
    if (values.length !== this.size) {
      throw new ShapeError(`tensor.set: values has length ${values.length}, tensor ${fmtShape(this.shape)} has ${this.size} elements`);
    }
    this.data.set(values);
    return this;
  }

  /** Returns the memory to the engine. Using the tensor afterwards throws `StateError`. Idempotent. */
  dispose(): void {
    if (this._ptr < 0) return;
    if (this.owned) this.engine.arena.free(this._ptr);
    this._ptr = -1;
    this._view = null;
  }
}

/** Throws unless `t` is a live tensor of `core` (optionally of rank `rank`); returns it. */
export function checkTensor(core: Core, op: string, name: string, t: unknown, rank?: number): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${describe(t)}`);
  if (t.engine !== core) throw new StateError(`${op}: ${name} belongs to another engine`);
  if (t.disposed) throw new StateError(`${op}: ${name} ${fmtShape(t.shape)} was used after dispose()`);
  if (rank !== undefined && t.rank !== rank) {
    throw new ShapeError(`${op}: ${name} must have rank ${rank}, got ${fmtShape(t.shape)} (rank ${t.rank})`);
  }
  return t;
}

/** `null`, `undefined`, `an array`, `a function`, `the number 3`, ... for error messages. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return typeof v;
}
