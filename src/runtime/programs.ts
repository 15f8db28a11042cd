/**
 * Programs: runs of core calls recorded in shared memory, so that the pool's workers
 * replay on their own instances what host code (a model's layers) would have called.
 * A data-parallel training step records one program per batch shard
 * (nn/data-parallel.ts) and runs them at once: the first on the calling thread, the
 * others on workers 0, 1, ….
 *
 * Recording: `recorder` is a table shaped like `Kernels` whose functions write each call
 * into the program being recorded (`begin(program)`) instead of running it. Layout of a
 * program: PROGRAM_STRIDE f64 per call, the function's index among the instance's
 * exports (module export order: the same in every instance of the module), then its
 * arguments (integers and f32 values are exact in f64; unused ones NaN, which a wasm
 * function ignores). Return values are dropped: only calls whose result nobody reads
 * (forward, backward, sums into buffers) may be recorded.
 *
 * Nothing here allocates per call or per step: programs live in arena blocks their owner
 * allocates once, and the recorder's functions are made once per engine.
 */
import { StateError } from '../errors.js';
import type { Kernels } from './kernels.js';
import type { ThreadPool } from './pool.js';
import { PROGRAM_STRIDE } from './pool-worker.js';

export { PROGRAM_STRIDE };

const clock: { now(): number } = typeof performance === 'object' ? performance : Date;

/** Bytes of a program of `calls` calls. */
export const programBytes = (calls: number): number => calls * PROGRAM_STRIDE * 8;

/** A program buffer: `cap` calls at byte offset `ptr` (8-aligned, in the engine's memory); `count` recorded. */
export interface Program {
  readonly ptr: number;
  readonly cap: number;
  count: number;
}

type Fn = (...args: number[]) => unknown;
type Rec = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number) => void;

export class ProgramRunner {
  /** a `Kernels`-shaped table that records calls into the program given to `begin` */
  readonly recorder: Readonly<Kernels>;
  private readonly fns: Fn[];
  private readonly memory: WebAssembly.Memory;
  private view: Float64Array;
  private target: Program | null = null;
  /**
   * Milliseconds of the last `run`: the calling thread's part (posts and its own program),
   * the whole run, and worker 0's own time for its program (the wake-up not included).
   */
  ownMs = 0;
  allMs = 0;
  workerMs = 0;

  /** @internal made by Core for a threaded engine */
  constructor(exports: WebAssembly.Exports, private readonly pool: ThreadPool) {
    const names = Object.keys(exports);
    this.fns = names.map((k) => exports[k] as Fn);
    this.memory = exports.memory as WebAssembly.Memory;
    this.view = new Float64Array(this.memory.buffer);
    const rec: Record<string, unknown> = { memory: this.memory };
    names.forEach((name, index) => {
      if (typeof exports[name] !== 'function') return;
      const f: Rec = (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) => this.push(index, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
      rec[name] = f;
    });
    this.recorder = Object.freeze(rec) as unknown as Kernels;
  }

  /** Threads a run can use: the calling thread and the pool's workers (1 once the pool is disposed). */
  get threads(): number {
    return this.pool.size + 1;
  }

  /** Starts recording into `program` (its previous calls are dropped). */
  begin(program: Program): void {
    program.count = 0;
    this.target = program;
    this.ensureView(program.ptr, program.cap);
  }

  /** Stops recording. */
  end(): void {
    this.target = null;
  }

  /**
   * Runs `programs[0..count)` at once: programs[0] on the calling thread, programs[p] on
   * worker p - 1; returns when every one has finished (the calling thread blocks in
   * Atomics.wait). A worker whose program trapped makes this throw a StateError, after
   * every worker is done: none is left running. Sets `ownMs`, `allMs` and `workerMs` (the
   * calling thread's part, from the first post; the whole run; worker 0's part), for shares that adapt to the
   * threads' speeds (nn/data-parallel.ts).
   */
  run(programs: readonly Program[], count: number): void {
    if (count - 1 > this.pool.size) throw new StateError(`threads: ${count} programs for ${this.pool.size + 1} threads`);
    const t0 = clock.now();
    for (let p = 1; p < count; p++) this.pool.postRun(p - 1, programs[p].ptr, programs[p].count);
    try {
      this.replay(programs[0]);
      this.ownMs = clock.now() - t0;
    } finally {
      this.pool.wait(count - 1);
    }
    this.allMs = clock.now() - t0;
    this.workerMs = count > 1 ? this.pool.jobMs(0) : 0;
  }

  /** Runs `program` on the calling thread. */
  replay(program: Program): void {
    const f = this.ensureView(program.ptr, program.count), fns = this.fns;
    for (let q = 0, i = program.ptr >>> 3; q < program.count; q++, i += PROGRAM_STRIDE) {
      fns[f[i]](f[i + 1], f[i + 2], f[i + 3], f[i + 4], f[i + 5], f[i + 6], f[i + 7], f[i + 8], f[i + 9], f[i + 10], f[i + 11]);
    }
  }

  private push(index: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number): void {
    const t = this.target;
    if (t === null) throw new StateError('threads: a kernel call on the recorder outside begin()/end()');
    if (t.count >= t.cap) throw new StateError(`threads: a program of ${t.cap} calls is full`);
    const f = this.view;
    let i = (t.ptr >>> 3) + t.count++ * PROGRAM_STRIDE;
    f[i++] = index;
    f[i++] = a0; f[i++] = a1; f[i++] = a2; f[i++] = a3; f[i++] = a4; f[i++] = a5;
    f[i++] = a6; f[i++] = a7; f[i++] = a8; f[i++] = a9; f[i] = a10;
  }

  /** The f64 view, made again when the memory has grown past it. */
  private ensureView(ptr: number, calls: number): Float64Array {
    if (this.view.length < (ptr >>> 3) + calls * PROGRAM_STRIDE) this.view = new Float64Array(this.memory.buffer);
    return this.view;
  }
}
