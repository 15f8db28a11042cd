import { StateError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { Tensor } from '../runtime/tensor.js';
import { describe } from '../runtime/validate.js';
import { Dataset } from './dataset.js';
import { checkStateWords, Random } from './random.js';

export interface BatchLoaderOptions {
  /** rows per batch, 1 ≤ batchSize (≤ n when dropLast) */
  batchSize: number;
  /** a new seeded permutation every epoch (default true) */
  shuffle?: boolean;
  /** drop the last partial batch (default false) */
  dropLast?: boolean;
  /** seed of the shuffling stream: a non-negative safe integer (default 0; −1, 1.5, NaN or '7' are a `ValueError`) */
  seed?: number;
}

const LOADER_KEYS = ['batchSize', 'shuffle', 'dropLast', 'seed'];

/**
 * One batch: `x` is a tensor [rows, d] in the engine's memory; `y` is the
 * class ids (`Int32Array`, classification) or a tensor [rows, k] (regression).
 * The objects are owned by the loader and refilled by the next `batch()` call.
 */
export interface Batch {
  x: Tensor;
  y: Int32Array | Tensor;
  rows: number;
}

/**
 * Feeds mini-batches of a dataset into buffers planned once in the arena.
 *
 * `startEpoch()` draws the epoch's permutation and gathers the shuffled
 * dataset into one contiguous host copy (once per epoch); `batch(b)` then
 * fills the arena buffers with a single `set` of a contiguous slice. Two
 * `Batch` objects (full and last partial) are made at construction, so a
 * step allocates nothing.
 */
export class BatchLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** batches per epoch */
  readonly numBatches: number;
  /** rows of the last batch (= batchSize unless partial) */
  readonly lastRows: number;
  private readonly rng: Random;
  private readonly xPtr: number;
  private readonly yPtr: number;
  private readonly full: Batch;
  private readonly last: Batch;
  private readonly gx: Float32Array;
  private readonly gy: Float32Array | Int32Array;
  private readonly perm: Int32Array;
  private ready = false;
  private disposed = false;
  private epochState: Uint32Array;

  constructor(readonly engine: Core, readonly data: Dataset, options: BatchLoaderOptions) {
    if (engine === null || typeof engine !== 'object' || typeof (engine as Partial<Core>).allocF32 !== 'function') {
      throw new ValueError(`BatchLoader: engine must be an engine from init(), got ${describe(engine)}`);
    }
    if (!(data instanceof Dataset)) throw new ValueError(`BatchLoader: data must be a Dataset, got ${describe(data)}`);
    if (options === null || typeof options !== 'object') throw new ValueError(`BatchLoader: options must be an object { batchSize, ... }, got ${describe(options)}`);
    for (const k of Object.keys(options)) {
      if (!LOADER_KEYS.includes(k)) throw new ValueError(`BatchLoader: unknown option '${k}' (options: ${LOADER_KEYS.join(', ')})`);
    }
    const { batchSize, shuffle = true, dropLast = false, seed = 0 } = options;
    if (typeof shuffle !== 'boolean') throw new ValueError(`BatchLoader: shuffle must be a boolean, got ${describe(shuffle)}`);
    if (typeof dropLast !== 'boolean') throw new ValueError(`BatchLoader: dropLast must be a boolean, got ${describe(dropLast)}`);
    const rng = new Random(seed, 'BatchLoader'); // checks the seed (seedWords) before anything is allocated
    const n = data.length;
    if (n === 0) throw new ValueError(`BatchLoader: ${data.name} has no samples`);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new ValueError(`BatchLoader: batchSize must be an integer ≥ 1, got ${describe(batchSize)}`);
    }
    if (dropLast && batchSize > n) {
      throw new ValueError(`BatchLoader: batchSize ${batchSize} is larger than the ${n} samples of ${data.name} with dropLast (no batch would remain)`);
    }
    const bs = Math.min(batchSize, n);
    this.batchSize = bs;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    const rem = n % bs;
    this.numBatches = dropLast || rem === 0 ? Math.floor(n / bs) : Math.ceil(n / bs);
    this.lastRows = dropLast || rem === 0 ? bs : rem;
    this.rng = rng;
    this.epochState = this.rng.state();
    const d = data.numFeatures, k = data.targetSize;
    const classification = data.isClassification;
    this.xPtr = engine.allocF32(bs * d);
    try {
      this.yPtr = classification ? -1 : engine.allocF32(bs * k);
    } catch (e) {
      engine.arena.free(this.xPtr); // a throwing constructor keeps nothing
      throw e;
    }
    const mkX = (r: number) => new Tensor(engine, this.xPtr, [r, d], false);
    if (classification) {
      const labels = new Int32Array(bs);
      this.full = { x: mkX(bs), y: labels, rows: bs };
      this.last = { x: mkX(this.lastRows), y: labels.subarray(0, this.lastRows), rows: this.lastRows };
    } else {
      this.full = { x: mkX(bs), y: new Tensor(engine, this.yPtr, [bs, k], false), rows: bs };
      this.last = { x: mkX(this.lastRows), y: new Tensor(engine, this.yPtr, [this.lastRows, k], false), rows: this.lastRows };
    }
    this.perm = new Int32Array(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
    this.gx = shuffle ? new Float32Array(n * d) : data.features;
    this.gy = shuffle ? (classification ? new Int32Array(n) : new Float32Array(n * k)) : data.targets;
  }

  /** Rows an epoch visits (n, or fewer with dropLast). */
  get samplesPerEpoch(): number {
    return (this.numBatches - 1) * this.batchSize + this.lastRows;
  }

  /**
   * Draws the epoch's order (when shuffling) and gathers the data in that order.
   * Call once per epoch before `batch()`.
   */
  startEpoch(): void {
    this.check();
    this.epochState = this.rng.state();
    if (this.shuffle) {
      const { perm, data, gx, gy } = this;
      for (let i = 0; i < perm.length; i++) perm[i] = i;
      this.rng.shuffle(perm);
      const d = data.numFeatures, k = data.targetSize;
      const x = data.features, y = data.targets;
      for (let j = 0; j < perm.length; j++) {
        const i = perm[j];
        gx.set(x.subarray(i * d, i * d + d), j * d);
        if (k === 1) gy[j] = y[i];
        else gy.set(y.subarray(i * k, i * k + k), j * k);
      }
    }
    this.ready = true;
  }

  /** Fills the arena buffers with batch `b` (0 ≤ b < numBatches) of the current epoch. */
  batch(b: number): Batch {
    this.check();
    if (!this.ready) throw new StateError('BatchLoader.batch: call startEpoch() first');
    if (!Number.isInteger(b) || !(b >= 0 && b < this.numBatches)) throw new ValueError(`BatchLoader.batch: index b = ${describe(b)} is not an integer in [0, ${this.numBatches})`);
    const out = b === this.numBatches - 1 ? this.last : this.full;
    const d = this.data.numFeatures, k = this.data.targetSize;
    const start = b * this.batchSize, end = start + out.rows;
    out.x.data.set(this.gx.subarray(start * d, end * d));
    if (out.y instanceof Int32Array) out.y.set((this.gy as Int32Array).subarray(start, end));
    else out.y.data.set(this.gy.subarray(start * k, end * k));
    return out;
  }

  /** The permutation of the current epoch (a copy). */
  order(): Int32Array {
    return this.perm.slice();
  }

  /** The shuffling state at the start of the current epoch (restoring it and calling `startEpoch()` replays the epoch). */
  epochRngState(): Uint32Array {
    return this.epochState.slice();
  }

  /** The shuffling state for the next `startEpoch()`. */
  rngState(): Uint32Array {
    return this.rng.state();
  }

  /** Restores `rngState()` (4 integers in [0, 2^32), not all zero; else `ValueError` and nothing changes); call `startEpoch()` next. */
  setRngState(state: ArrayLike<number>): void {
    this.check();
    this.rng.setState(checkStateWords('BatchLoader.setRngState', state));
    this.ready = false;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.arena.free(this.xPtr);
    if (this.yPtr >= 0) this.engine.arena.free(this.yPtr);
  }

  private check(): void {
    if (this.disposed) throw new StateError('BatchLoader: used after dispose()');
  }
}
