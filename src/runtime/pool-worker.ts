/**
 * The source of one pool worker (runtime/pool.ts), as text: started with
 * `new Worker(source, { eval: true })` on Node and from a blob: URL as a module worker
 * elsewhere, so the package ships no second entry file.
 *
 * The worker instantiates the threads build on the shared memory, points its GEMM
 * scratch at its own block (`gemm_set_scratch`), answers 'ready', then serves jobs
 * from its slot of the control block until told to stop:
 *   slot (16 i32): [0] seq: the host bumps it to post a job; [1] done: the worker
 *   stores seq there when the job ends; [2] op: 0..3 = f32_gemm_nn/nt/tn/tt, -1 = exit;
 *   [3] error flag; [4..12] m, n, k, a, lda, b, ldb, c, ldc; [13] alpha, [14] beta (f32 bits).
 * The wait is `Atomics.wait` (workers may block); nothing spins.
 */

/** Slot layout shared with pool.ts. */
export const SLOT_INTS = 16;
export const SEQ = 0, DONE = 1, OP = 2, ERR = 3, ARGS = 4, ALPHA = 13, BETA = 14;
export const OP_EXIT = -1;

const BODY = `
let started = false;
port.on((msg) => {
  if (started) return;
  started = true;
  let ex, ctl, f32, base;
  try {
    const mod = msg.module instanceof WebAssembly.Module ? msg.module : new WebAssembly.Module(msg.bytes);
    ex = new WebAssembly.Instance(mod, { env: { memory: msg.memory } }).exports;
    ex.gemm_set_splat_a(msg.splat);
    ex.gemm_set_scratch(msg.scratch);
    ctl = new Int32Array(msg.memory.buffer, msg.ctl, ${SLOT_INTS});
    f32 = new Float32Array(msg.memory.buffer, msg.ctl, ${SLOT_INTS});
  } catch (e) {
    port.post({ error: String(e && e.message || e) });
    port.close();
    return;
  }
  const gemm = [ex.f32_gemm_nn, ex.f32_gemm_nt, ex.f32_gemm_tn, ex.f32_gemm_tt];
  // read the sequence number before answering: the host may post the first job as soon as it hears 'ready'
  let last = Atomics.load(ctl, ${SEQ});
  port.post({ ready: true });
  for (;;) {
    Atomics.wait(ctl, ${SEQ}, last);
    const seq = Atomics.load(ctl, ${SEQ});
    if (seq === last) continue;
    last = seq;
    const op = ctl[${OP}];
    if (op === ${OP_EXIT}) break;
    try {
      const a = ${ARGS};
      gemm[op](ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7], ctl[a + 8], f32[${ALPHA}], f32[${BETA}]);
      ctl[${ERR}] = 0;
    } catch (e) {
      ctl[${ERR}] = 1;
    }
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
