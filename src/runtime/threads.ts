/**
 * `init({ threads })`: how many threads an engine's GEMMs may use, and why fewer.
 *
 * A threaded engine runs a threads build of the core (an imported shared memory; made
 * from the relaxed-SIMD build's bytes where init() would pick that build, else from the
 * plain SIMD build's: runtime/shared-module.ts) on the calling thread and on `count - 1` workers that instantiate the
 * same module on the same memory (runtime/pool.ts). That needs, in this runtime:
 * - `SharedArrayBuffer` and a shared `WebAssembly.Memory` (a page must be cross-origin
 *   isolated: `Cross-Origin-Opener-Policy: same-origin` and
 *   `Cross-Origin-Embedder-Policy: require-corp`);
 * - a Worker: the global `Worker` (browsers, Deno, Bun) or Node's `worker_threads`
 *   (reached with `process.getBuiltinModule`, Node >= 20.16; workerd has neither);
 * - `Atomics.wait` on the calling thread: the call stays synchronous and blocks while the
 *   workers run their panels, which a browser's main thread may not do. There threads
 *   stay at 1; an engine created in a Worker may use them.
 * Where one is missing, `threads: 'auto'` falls back to 1 and `engine.threads.reason`
 * says which; an explicit `threads: n > 1` is a `ValueError` with the same reason.
 */
import { ValueError } from '../errors.js';
import { describe } from './validate.js';

/** What `init({ threads })` accepts: a count >= 1, or 'auto' (the cores this runtime reports). */
export type ThreadsOption = number | 'auto';

/** `engine.threads`: the threads this engine's GEMMs use. */
export interface ThreadsInfo {
  /** threads the GEMMs run on, the calling thread included (1 = no workers) */
  readonly count: number;
  /** what `init()` was given (default 1) */
  readonly requested: ThreadsOption;
  /** why `count` is 1 although 'auto' asked for more; absent when nothing held it back */
  readonly reason?: string;
}

/** The most threads an engine takes (workers cost memory: 912 KiB of GEMM scratch each). */
export const MAX_THREADS = 64;

type NodeProcess = { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
const nodeProcess = (): NodeProcess | undefined => (globalThis as { process?: NodeProcess }).process;

/** A Node built-in without an import statement (the browser bundle imports none): undefined outside Node >= 20.16. */
export function nodeBuiltin<T>(id: string): T | undefined {
  const p = nodeProcess();
  if (typeof p?.getBuiltinModule !== 'function') return undefined;
  try {
    return p.getBuiltinModule(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/** Logical cores this runtime reports (navigator.hardwareConcurrency, Node's os.availableParallelism), at least 1. */
export function availableCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let n = nav?.hardwareConcurrency;
  if (typeof n !== 'number' || !(n >= 1)) n = nodeBuiltin<{ availableParallelism?: () => number }>('node:os')?.availableParallelism?.();
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}

/** The Worker flavour this runtime offers, or null. */
export function workerKind(): 'web' | 'node' | null {
  if (typeof (globalThis as { Worker?: unknown }).Worker === 'function') return 'web';
  if (nodeBuiltin<{ Worker?: unknown }>('node:worker_threads')?.Worker !== undefined) return 'node';
  return null;
}

/** Why this runtime (or thread) cannot run a threaded engine, or null when it can. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'SharedArrayBuffer is not available (a page must be cross-origin isolated: COOP same-origin and COEP require-corp)';
  }
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
  } catch (e) {
    return `this runtime cannot make a shared WebAssembly.Memory (${(e as Error).message})`;
  }
  if (workerKind() === null) {
    return 'this runtime has no Worker API (no global Worker, no node:worker_threads): workerd, or Node < 20.16';
  }
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return "this thread may not block in Atomics.wait (a browser's main thread): create the engine in a Worker to use threads";
  }
  return null;
}

/**
 * Resolves `init({ threads })` (with the build init() picked: threads need the SIMD build
 * and the bundled threads twin). Throws a `ValueError` for a malformed option, or for an
 * explicit count > 1 that this runtime cannot run; 'auto' falls back to 1 with a reason.
 */
export function resolveThreads(
  requested: unknown,
  build: { simd: boolean; custom: boolean; hasThreadsBuild: boolean; relaxedRequired: boolean },
  probe: () => string | null = threadsUnavailable,
  cores: () => number = availableCores,
): ThreadsInfo {
  if (requested === undefined) return { count: 1, requested: 1 };
  const ok = requested === 'auto' || (typeof requested === 'number' && Number.isInteger(requested) && requested >= 1 && requested <= MAX_THREADS);
  if (!ok) throw new ValueError(`init: threads must be an integer in [1, ${MAX_THREADS}] or 'auto', got ${describe(requested)}`);
  const req = requested as ThreadsOption;
  if (req === 1) return { count: 1, requested: 1 };
  const want = req === 'auto' ? Math.min(cores(), MAX_THREADS) : req;
  let reason: string | null = null;
  if (build.custom) reason = 'a custom core (options.wasm) has no threads build';
  else if (!build.simd) reason = 'the threads build is a SIMD build; the scalar twin runs on one thread';
  else if (build.relaxedRequired) reason = 'relaxedSimd is true, and no relaxed threads build can be made here (it needs the relaxed build as bytes and a runtime that validates relaxed SIMD)';
  else if (!build.hasThreadsBuild) reason = 'this entry bundles no threads build of the core';
  else reason = probe();
  if (reason === null && want === 1) reason = 'this runtime reports one core';
  if (reason === null) return { count: want, requested: req };
  if (req !== 'auto') throw new ValueError(`init: threads is ${req} but this engine cannot use threads: ${reason}`);
  return { count: 1, requested: req, reason };
}
