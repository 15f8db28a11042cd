/**
 * The source of one pool worker (runtime/pool.ts), as text: started with
 * `new Worker(source, { eval: true })` on Node and from a blob: URL as a module worker
 * elsewhere, so the package ships no second entry file.
 *
 * The worker instantiates the threads build on the shared memory, points its GEMM
 * scratch at its own block (`gemm_set_scratch`), answers 'ready', then serves jobs
 * from its slot of the control block until told to stop:
 *   slot (64 i32): [0] seq: the host bumps it to post a job; [1] done: the worker
 *   stores seq there when the job ends; [2] op: 0..3 = f32_gemm_nn/nt/tn/tt,
 *   4 = run a program, 5 = one call, -1 = exit; [3] error flag; GEMM: [4..12] m, n,
 *   k, a, lda, b, ldb, c, ldc; [13] alpha, [14] beta (f32 bits); program: [4] its
 *   byte offset, [5] its number of calls; one call: CALL_F64 f64 from byte 64 of the
 *   slot, the export's index and up to 15 arguments (a range of an elementwise
 *   kernel: runtime/split-threads.ts).
 * A program (runtime/programs.ts) is a run of core calls recorded in shared memory,
 * PROGRAM_STRIDE f64 per call: the function's index among the instance's exports
 * (module export order, the same in every instance), then its arguments.
 * The wait (docs/threads.md, "Waiting"): after a job, and after 'ready', the worker polls
 * its sequence word with `Atomics.load` for up to WORKER_SPIN_US microseconds (a job
 * posted meanwhile starts without a futex wake-up), then sleeps in `Atomics.wait`; it
 * does not poll while the host has set NOSPIN (pool.ts turns polling off where it fails).
 */

/** Slot layout shared with pool.ts. */
export const SLOT_INTS = 64;
/** One call: CALL_F64 f64 at i32 index CALL_AT of a slot (byte 64: 8-aligned, slots are 256 bytes from a 16-aligned base). */
export const CALL_AT = 16, CALL_F64 = 16;
export const SEQ = 0, DONE = 1, OP = 2, ERR = 3, ARGS = 4, ALPHA = 13, BETA = 14;
/** [15]: 1 when the host has turned polling off (an oversubscribed machine: pool.ts), 0 (the default) when on. */
export const NOSPIN = 15;
/** [48]: the last job's own time, ms (f32), written before `done`. */
export const TIME = 48;
export const OP_EXIT = -1;
export const OP_RUN = 4;
export const OP_CALL = 5;
/**
 * Microseconds a worker polls for its next job before it sleeps in Atomics.wait. A futex
 * wake-up costs some 10-30 µs (measured: a split n = 16 GEMM took 24 µs against 0.4 µs on
 * one thread), so polling pays when jobs come closer than that, as the GEMMs and phases of
 * one training step do; between steps or calls further apart the worker sleeps and costs
 * nothing. The same trade as libgomp's GOMP_SPINCOUNT (300,000 polls by default before a
 * futex wait) and LLVM OpenMP's KMP_BLOCKTIME (200 ms), kept short here because the worker
 * shares its core with whatever else the machine runs.
 */
export const WORKER_SPIN_US = 200;
/** f64 per recorded call: the export's index, then up to PROGRAM_STRIDE - 1 arguments (unused ones NaN, which a wasm function ignores). */
export const PROGRAM_STRIDE = 12;

const BODY = `
let started = false;
port.on((msg) => {
  if (started) return;
  started = true;
  let ex, ctl, f32, call;
  try {
    const mod = msg.module instanceof WebAssembly.Module ? msg.module : new WebAssembly.Module(msg.bytes);
    ex = new WebAssembly.Instance(mod, { env: { memory: msg.memory } }).exports;
    ex.gemm_set_splat_a(msg.splat);
    ex.gemm_set_tile_rows(msg.tile);
    ex.gemm_set_scratch(msg.scratch);
    ctl = new Int32Array(msg.memory.buffer, msg.ctl, ${SLOT_INTS});
    f32 = new Float32Array(msg.memory.buffer, msg.ctl, ${SLOT_INTS});
    call = new Float64Array(msg.memory.buffer, msg.ctl + ${CALL_AT * 4}, ${CALL_F64});
  } catch (e) {
    port.post({ error: String(e && e.message || e) });
    port.close();
    return;
  }
  const gemm = [ex.f32_gemm_nn, ex.f32_gemm_nt, ex.f32_gemm_tn, ex.f32_gemm_tt];
  const fns = Object.keys(ex).map((k) => ex[k]);
  let f64 = new Float64Array(msg.memory.buffer);
  const clock = typeof performance === 'object' ? performance : Date;
  const pause = typeof Atomics.pause === 'function';
  // read the sequence number before answering: the host may post the first job as soon as it hears 'ready'
  let last = Atomics.load(ctl, ${SEQ});
  port.post({ ready: true });
  for (;;) {
    // poll for up to WORKER_SPIN_US (the clock read every 64 polls), then sleep
    let seq = Atomics.load(ctl, ${SEQ});
    if (seq === last && Atomics.load(ctl, ${NOSPIN}) === 0) {
      const until = clock.now() + ${WORKER_SPIN_US / 1000};
      for (let i = 1; (seq = Atomics.load(ctl, ${SEQ})) === last; i++) {
        if ((i & 63) === 0 && clock.now() > until) break;
        if (pause) Atomics.pause();
      }
    }
    while (seq === last) {
      Atomics.wait(ctl, ${SEQ}, last);
      seq = Atomics.load(ctl, ${SEQ});
    }
    last = seq;
    const op = ctl[${OP}];
    if (op === ${OP_EXIT}) break;
    const t0 = clock.now();
    try {
      const a = ${ARGS};
      if (op === ${OP_CALL}) {
        const c = call;
        fns[c[0]](c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]);
      } else if (op === ${OP_RUN}) {
        const p = ctl[a] >>> 3, count = ctl[a + 1];
        // the memory may have grown since the view was made (a shared buffer is never detached, only shorter)
        if (f64.length < p + count * ${PROGRAM_STRIDE}) f64 = new Float64Array(msg.memory.buffer);
        for (let q = 0, i = p; q < count; q++, i += ${PROGRAM_STRIDE}) {
          fns[f64[i]](f64[i + 1], f64[i + 2], f64[i + 3], f64[i + 4], f64[i + 5], f64[i + 6], f64[i + 7], f64[i + 8], f64[i + 9], f64[i + 10], f64[i + 11]);
        }
      } else gemm[op](ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7], ctl[a + 8], f32[${ALPHA}], f32[${BETA}]);
      ctl[${ERR}] = 0;
    } catch (e) {
      ctl[${ERR}] = 1;
    }
    f32[${TIME}] = clock.now() - t0;
    Atomics.store(ctl, ${DONE}, seq);
    Atomics.notify(ctl, ${DONE});
  }
  Atomics.store(ctl, ${DONE}, last);
  Atomics.notify(ctl, ${DONE});
  port.close();
});
`;

/** Node: an eval worker (CommonJS, or ESM under --input-type=module: no require, so getBuiltinModule). */
export const NODE_WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const port = { on: (f) => parentPort.on('message', f), post: (m) => parentPort.postMessage(m), close: () => parentPort.close() };
${BODY}`;

/** Browsers, Deno, Bun: a module worker from a blob: URL. */
export const WEB_WORKER_SOURCE = `
const port = { on: (f) => { self.onmessage = (e) => f(e.data); }, post: (m) => self.postMessage(m), close: () => self.close() };
${BODY}`;
