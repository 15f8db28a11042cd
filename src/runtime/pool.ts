/**
 * The worker pool of a threaded engine: `workers` threads that each instantiate the
 * threads build of the core on the engine's shared memory and run GEMM panels posted
 * through a control block in that memory (layout: runtime/pool-worker.ts), or programs
 * of recorded core calls (runtime/programs.ts: the shards of a data-parallel step).
 *
 * `post(w, ...)` writes a job into worker w's slot, bumps its sequence number and wakes
 * it (`Atomics.notify`); `wait(count)` returns when workers 0..count-1 have stored that
 * number back: it polls their done words with `Atomics.load` for up to CALLER_SPIN_US,
 * then blocks in `Atomics.wait` (workers poll and sleep the same way: pool-worker.ts).
 * Nothing allocates per call. Only threads that may block own a pool (runtime/threads.ts
 * keeps a browser's main thread at 1), so the polling never runs on a page's main
 * thread. `postCall(w)` runs one call written into worker w's slot (split-threads.ts).
 * `dispose()` tells every worker to leave its loop and terminates it; the workers are
 * unref'd on Node, so a forgotten engine does not keep the process alive.
 */
import { StateError } from '../errors.js';
import { ALPHA, ARGS, BETA, CALL_AT, CALL_F64, DONE, ERR, NODE_WORKER_SOURCE, NOSPIN, OP, OP_CALL, OP_EXIT, OP_RUN, SEQ, SLOT_INTS, TIME, WEB_WORKER_SOURCE, WORKER_SPIN_US } from './pool-worker.js';
export { WORKER_SPIN_US };
import { nodeBuiltin, workerKind } from './threads.js';

/** The part of a Node or web Worker the pool uses. */
interface AnyWorker {
  postMessage(msg: unknown): void;
  terminate(): unknown;
  unref?(): void;
}

export interface PoolSetup {
  module: WebAssembly.Module;
  /** the module's bytes, posted instead where a runtime cannot clone a Module */
  bytes?: BufferSource;
  memory: WebAssembly.Memory;
  /** byte offset of the control block: `workers` slots of SLOT_INTS i32 */
  ctl: number;
  /** byte offset of each worker's GEMM scratch */
  scratch: number[];
  /** gemm_set_splat_a and gemm_set_tile_rows for the workers (same as the calling thread's instance) */
  splat: number;
  tile: number;
}

/** Bytes of the control block for `workers` workers. */
export const ctlBytes = (workers: number): number => workers * SLOT_INTS * 4;

/**
 * Microseconds the calling thread polls for the workers' panels before it sleeps in
 * Atomics.wait. The panels of one call are cut even, so the workers usually finish
 * within microseconds of the calling thread; sleeping would add a futex wake-up
 * (10-30 µs) to every call. Longer waits (a worker descheduled on a busy machine) fall
 * back to sleeping. 300 rather than 100: on a shared VM a worker's vCPU is sometimes held
 * back for 100-300 µs, which at 100 counted as a failure of polling (SPIN_WINDOW below) and
 * turned it off for 12-17 % of a quiet machine's training steps; at 300, 5-6 %. Alternated
 * processes, MLP 784-256-128-10 relaxed threads build, mean step (2026-12-04, 2-vCPU Zen 5): b32
 * -5.8 %, b128 -2.9 % (7 of 8 pairs faster), b512 -1.0 %; with 6 CPU-bound processes
 * beside it (load ~7) b32 +3 %, b128 within the noise.
 */
export const CALLER_SPIN_US = 300;

/**
 * Polling pays only while every thread has a core. On an oversubscribed machine a polling
 * thread burns the time slice the thread it waits for needs, and the kernel's scheduler
 * then favours threads that slept (measured on the 2-vCPU Zen 5 at load 12: a split
 * n = 16 GEMM took a median 150-470 µs with polling, 11-25 µs without). So the calling
 * thread counts waits whose polling ran out (the workers were not done within
 * CALLER_SPIN_US): SPIN_FAILS of them within SPIN_WINDOW waits turn polling off, on both
 * sides, for `backoff` waits (64, doubling each time up to 4096 while it keeps failing,
 * back to 64 after a window without failure); then it is tried again. The same idea as
 * libgomp's short spin count when there are more threads than CPUs, decided by outcome
 * since a page cannot see the machine's load.
 */
const SPIN_WINDOW = 16, SPIN_FAILS = 4, BACKOFF_MIN = 64, BACKOFF_MAX = 4096;

const clock: { now(): number } = typeof performance === 'object' ? performance : Date;
const hasPause = typeof (Atomics as { pause?: unknown }).pause === 'function';

/** Milliseconds a worker may take to start before init() gives up. */
const START_TIMEOUT_MS = 60_000;

export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly f32: Float32Array;
  private readonly seq: number[];
  /** calls[w]: worker w's one-call area (below the arena: the view never needs renewing) */
  readonly calls: Float64Array[];
  private disposed = false;
  /** adaptive polling (SPIN_WINDOW): on/off, the current window's waits and failures, waits left off, the next backoff */
  private spinning = true;
  private window = 0;
  private fails = 0;
  private offLeft = 0;
  private backoff = BACKOFF_MIN;
  /** clock.now() when the last wait returned */
  private lastEnd = -Infinity;

  private constructor(private readonly workers: AnyWorker[], setup: PoolSetup) {
    this.ctl = new Int32Array(setup.memory.buffer, setup.ctl, workers.length * SLOT_INTS);
    this.f32 = new Float32Array(setup.memory.buffer, setup.ctl, workers.length * SLOT_INTS);
    this.calls = workers.map((_, w) => new Float64Array(setup.memory.buffer, setup.ctl + 4 * (w * SLOT_INTS + CALL_AT), CALL_F64));
    this.seq = workers.map((_, w) => this.ctl[w * SLOT_INTS + SEQ]);
  }

  /** Starts one worker per scratch block and resolves when every one has instantiated the core. */
  static async start(setup: PoolSetup): Promise<ThreadPool> {
    const started: AnyWorker[] = [];
    try {
      await Promise.all(setup.scratch.map((scratch, w) => startWorker(setup, w, scratch, started)));
    } catch (e) {
      for (const wk of started) void wk.terminate();
      throw e;
    }
    for (const wk of started) wk.unref?.();
    return new ThreadPool(started, setup);
  }

  /** Workers in the pool (the calling thread not counted); 0 once disposed. */
  get size(): number {
    return this.disposed ? 0 : this.workers.length;
  }

  /** Posts GEMM `op` (0..3 = nn, nt, tn, tt) to worker `w`; the arguments are f32_gemm_*'s. */
  post(w: number, op: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, alpha: number, beta: number): void {
    const ctl = this.ctl, s = w * SLOT_INTS, x = s + ARGS;
    ctl[s + OP] = op;
    ctl[x] = m; ctl[x + 1] = n; ctl[x + 2] = k;
    ctl[x + 3] = a; ctl[x + 4] = lda; ctl[x + 5] = b; ctl[x + 6] = ldb; ctl[x + 7] = c; ctl[x + 8] = ldc;
    this.f32[s + ALPHA] = alpha;
    this.f32[s + BETA] = beta;
    this.wake(w);
  }

  /** Posts to worker `w` the program of `count` calls at byte offset `ptr` (runtime/programs.ts). */
  postRun(w: number, ptr: number, count: number): void {
    const ctl = this.ctl, s = w * SLOT_INTS;
    ctl[s + OP] = OP_RUN;
    ctl[s + ARGS] = ptr;
    ctl[s + ARGS + 1] = count;
    this.wake(w);
  }

  /** Posts to worker `w` the call written in `calls[w]` (the export's index, then its arguments). */
  postCall(w: number): void {
    this.ctl[w * SLOT_INTS + OP] = OP_CALL;
    this.wake(w);
  }

  private wake(w: number): void {
    const ctl = this.ctl, s = w * SLOT_INTS;
    const seq = (this.seq[w] = (this.seq[w] + 1) | 0);
    Atomics.store(ctl, s + SEQ, seq);
    Atomics.notify(ctl, s + SEQ);
  }

  /** Blocks until workers 0..count-1 have finished what was posted to them; throws if one failed. */
  wait(count: number): void {
    const ctl = this.ctl;
    if (count <= 0) return;
    let failed = -1, until = -1, polls = 0, sleep = !this.spinning, ranOut = false;
    for (let w = 0; w < count; w++) {
      const s = w * SLOT_INTS, want = this.seq[w];
      for (;;) {
        const done = Atomics.load(ctl, s + DONE);
        if (done === want) break;
        if (!sleep) {
          // poll (the clock read every 64 polls) until CALLER_SPIN_US are spent, then sleep
          if (until < 0) until = clock.now() + CALLER_SPIN_US / 1000;
          if ((++polls & 63) !== 0 || clock.now() <= until) {
            if (hasPause) (Atomics as unknown as { pause(): void }).pause();
            continue;
          }
          sleep = ranOut = true;
        }
        Atomics.wait(ctl, s + DONE, done);
      }
      if (ctl[s + ERR] !== 0 && failed < 0) failed = w;
    }
    this.adapt(ranOut);
    this.lastEnd = clock.now();
    if (failed >= 0) throw new StateError(`threads: worker ${failed} failed running its job (a GEMM panel or a program)`);
  }

  /** Polling on or off from the outcome of the last wait (see SPIN_WINDOW). */
  private adapt(ranOut: boolean): void {
    if (!this.spinning) {
      if (--this.offLeft <= 0) this.setSpinning(true);
      return;
    }
    this.window++;
    if (ranOut && ++this.fails >= SPIN_FAILS) {
      this.setSpinning(false);
      this.offLeft = this.backoff;
      this.backoff = Math.min(2 * this.backoff, BACKOFF_MAX);
    } else if (this.window >= SPIN_WINDOW) {
      if (this.fails === 0) this.backoff = BACKOFF_MIN;
      this.window = this.fails = 0;
    }
  }

  private setSpinning(on: boolean): void {
    this.spinning = on;
    this.window = this.fails = 0;
    for (let w = 0; w < this.workers.length; w++) Atomics.store(this.ctl, w * SLOT_INTS + NOSPIN, on ? 0 : 1);
  }

  /**
   * Whether the workers are most likely still polling: polling is on and the last wait
   * returned less than half their polling budget ago. A job posted to a sleeping worker
   * waits for a futex wake-up, and on a busy machine for a time slice (milliseconds), so
   * work that may as well stay on the calling thread (split-threads.ts) is split only then.
   */
  warm(): boolean {
    return this.spinning && clock.now() - this.lastEnd < WORKER_SPIN_US / 2000;
  }

  /** Milliseconds worker `w`'s last job took on the worker (its own time: the wake-up not included); read after `wait`. */
  jobMs(w: number): number {
    return this.f32[w * SLOT_INTS + TIME];
  }

  /** Whether the threads poll before they sleep now (false while the adaptive rule has turned it off). */
  get polling(): boolean {
    return this.spinning;
  }

  /** Ends every worker (idempotent). GEMMs then run on the calling thread only. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let w = 0; w < this.workers.length; w++) {
      const s = w * SLOT_INTS;
      this.ctl[s + OP] = OP_EXIT;
      Atomics.store(this.ctl, s + SEQ, (this.seq[w] + 1) | 0);
      Atomics.notify(this.ctl, s + SEQ);
      void this.workers[w].terminate();
    }
  }
}

/** Starts worker `w`, posts it the module and memory, and resolves on its 'ready'. */
function startWorker(setup: PoolSetup, w: number, scratch: number, started: AnyWorker[]): Promise<void> {
  const kind = workerKind();
  let worker: AnyWorker;
  let listen: (onMessage: (data: unknown) => void, onError: (e: unknown) => void) => void;
  let url: string | undefined;
  if (kind === 'node') {
    type NodeWorker = AnyWorker & { on(ev: string, f: (x: unknown) => void): void };
    const { Worker } = nodeBuiltin<{ Worker: new (src: string, o: object) => NodeWorker }>('node:worker_threads')!;
    const nw = new Worker(NODE_WORKER_SOURCE, { eval: true, name: `wasmgrad-gemm-${w}` });
    listen = (onMessage, onError) => {
      nw.on('message', onMessage);
      nw.on('error', onError);
    };
    worker = nw;
  } else if (kind === 'web') {
    type WebWorker = AnyWorker & { onmessage: ((e: { data: unknown }) => void) | null; onerror: ((e: unknown) => void) | null };
    const W = (globalThis as unknown as { Worker: new (u: string, o: object) => WebWorker }).Worker;
    url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
    const ww = new W(url, { type: 'module', name: `wasmgrad-gemm-${w}` });
    listen = (onMessage, onError) => {
      ww.onmessage = (e) => onMessage(e.data);
      ww.onerror = (e) => onError((e as { message?: string }).message ?? e);
    };
    worker = ww;
  } else {
    return Promise.reject(new StateError('threads: this runtime has no Worker API'));
  }
  started.push(worker);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => settle(new StateError(`threads: worker ${w} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const settle = (err?: unknown) => {
      clearTimeout(timer);
      if (url !== undefined) URL.revokeObjectURL(url);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new StateError(`threads: worker ${w} failed to start: ${String(err)}`));
    };
    listen(
      (data) => {
        const d = data as { ready?: boolean; error?: string };
        if (d.ready) settle();
        else settle(new StateError(`threads: worker ${w} could not instantiate the core: ${d.error}`));
      },
      (e) => settle(e),
    );
    const msg = { module: setup.module as WebAssembly.Module | undefined, bytes: undefined as BufferSource | undefined, memory: setup.memory, ctl: setup.ctl + ctlBytes(w), scratch, splat: setup.splat, tile: setup.tile };
    try {
      worker.postMessage(msg);
    } catch (e) {
      // a runtime that cannot clone a WebAssembly.Module: post the bytes instead
      if (setup.bytes === undefined) return settle(e);
      msg.module = undefined;
      msg.bytes = setup.bytes;
      worker.postMessage(msg);
    }
  });
}
