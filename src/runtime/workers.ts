/**
 * A small pool of workers that call an export of an ES module: the ONE
 * runtime-specific module of parallel search. Browsers, Deno and Bun get
 * module `Worker`s made from a Blob URL; Node gets `node:worker_threads`
 * (imported lazily, through a specifier bundlers leave alone); a runtime with
 * neither (workerd) gets `null`, and the caller runs in-process.
 *
 * The worker body is inline (no separate file to ship or resolve): it imports
 * `module` once, then for each task calls `module[export](...args)` and posts
 * back the value or the error's `name: message`. A task's last argument, when
 * it is an object, gets a `signal` (an AbortSignal local to the worker).
 * `close()` terminates every worker at once, running tasks included.
 */

/** One call of an export of a module on a worker. */
export interface WorkerTask {
  module: string;
  export: string;
  args: unknown[];
}

export type WorkerReply = { ok: true; value: unknown } | { ok: false; error: string };

export interface WorkerPool {
  readonly size: number;
  /** 'web' (Worker) or 'node' (worker_threads) */
  readonly kind: 'web' | 'node';
  call(task: WorkerTask): Promise<WorkerReply>;
  /** terminates every worker; pending and later calls resolve with an error reply */
  close(): Promise<void>;
}

const BODY = `
const cache = new Map();
async function run(m) {
  try {
    let mod = cache.get(m.module);
    if (!mod) { mod = import(m.module); cache.set(m.module, mod); }
    const fn = (await mod)[m.export];
    if (typeof fn !== 'function') throw new TypeError('export ' + m.export + ' of ' + m.module + ' is not a function');
    const args = m.args;
    const last = args[args.length - 1];
    if (last !== null && typeof last === 'object') last.signal = new AbortController().signal;
    const value = await fn(...args);
    return { id: m.id, ok: true, value };
  } catch (e) {
    return { id: m.id, ok: false, error: e && e.name ? e.name + ': ' + e.message : String(e) };
  }
}`;
const NODE_BODY = `${BODY}
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async (m) => parentPort.postMessage(await run(m)));`;
const WEB_BODY = `${BODY}
self.onmessage = async (ev) => self.postMessage(await run(ev.data));`;

interface Handle {
  post(m: unknown): void;
  terminate(): Promise<unknown> | void;
}
type Spawn = (onMessage: (m: { id: number } & WorkerReply) => void, onDeath: (why: string) => void) => Handle;

const live = new Set<Handle>();
/** Workers of all pools alive in this thread now (a diagnostic: tests check aborts leave none). */
export function liveWorkers(): number {
  return live.size;
}

async function spawner(): Promise<{ kind: 'web' | 'node'; spawn: Spawn } | null> {
  const g = globalThis as unknown as { Worker?: new (url: string, o: { type: 'module' }) => WebWorker; Blob?: typeof Blob; URL: typeof URL };
  if (typeof g.Worker === 'function' && typeof g.Blob === 'function' && typeof g.URL?.createObjectURL === 'function') {
    const url = g.URL.createObjectURL(new g.Blob([WEB_BODY], { type: 'text/javascript' }));
    const W = g.Worker;
    return {
      kind: 'web',
      spawn(onMessage, onDeath) {
        const w = new W(url, { type: 'module' });
        w.onmessage = (ev) => onMessage(ev.data as { id: number } & WorkerReply);
        w.onerror = (ev) => onDeath(`worker error: ${ev.message ?? 'unknown'}`);
        return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
      },
    };
  }
  let wt: { Worker: new (code: string, o: { eval: true }) => NodeWorker };
  try {
    wt = (await import(/* @vite-ignore */ ['node', 'worker_threads'].join(':'))) as typeof wt;
  } catch {
    return null;
  }
  return {
    kind: 'node',
    spawn(onMessage, onDeath) {
      const w = new wt.Worker(NODE_BODY, { eval: true });
      w.on('message', (m) => onMessage(m as { id: number } & WorkerReply));
      w.on('error', (e) => onDeath(`worker error: ${e instanceof Error ? e.message : String(e)}`));
      w.on('exit', (code) => onDeath(`worker exited with code ${code}`));
      return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
    },
  };
}

interface WebWorker {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: { message?: string }) => void) | null;
  postMessage(m: unknown): void;
  terminate(): void;
}
interface NodeWorker {
  on(ev: 'message' | 'error' | 'exit', f: (x: unknown) => void): void;
  postMessage(m: unknown): void;
  terminate(): Promise<number>;
}

/** A pool of `n` workers, or `null` when this runtime has none. */
export async function createWorkerPool(n: number): Promise<WorkerPool | null> {
  const s = await spawner();
  if (s === null) return null;
  interface Slot { h: Handle; busy: { id: number; resolve: (r: WorkerReply) => void } | null }
  const slots: Slot[] = [];
  const queue: { task: WorkerTask; resolve: (r: WorkerReply) => void }[] = [];
  let nextId = 0;
  let closed = false;

  const dispatch = (): void => {
    for (const slot of slots) {
      if (closed || queue.length === 0) return;
      if (slot.busy) continue;
      const { task, resolve } = queue.shift()!;
      const id = nextId++;
      slot.busy = { id, resolve };
      slot.h.post({ id, ...task });
    }
  };
  const make = (slot: Slot): Handle => {
    const h = s.spawn(
      (m) => {
        if (slot.busy?.id !== m.id) return;
        const { resolve } = slot.busy;
        slot.busy = null;
        resolve(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
        dispatch();
      },
      (why) => {
        if (!live.delete(h)) return; // terminated on purpose, or already handled
        void h.terminate();
        slot.busy?.resolve({ ok: false, error: why });
        slot.busy = null;
        if (!closed) {
          slot.h = make(slot);
          dispatch();
        }
      },
    );
    live.add(h);
    return h;
  };
  for (let i = 0; i < n; i++) {
    const slot: Slot = { h: null as unknown as Handle, busy: null };
    slot.h = make(slot);
    slots.push(slot);
  }
  return {
    size: n,
    kind: s.kind,
    call(task) {
      if (closed) return Promise.resolve({ ok: false, error: 'worker pool closed' });
      return new Promise((resolve) => {
        queue.push({ task, resolve });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const done = slots.map((slot) => {
        live.delete(slot.h);
        slot.busy?.resolve({ ok: false, error: 'worker pool closed' });
        slot.busy = null;
        return slot.h.terminate();
      });
      for (const q of queue.splice(0)) q.resolve({ ok: false, error: 'worker pool closed' });
      await Promise.all(done);
    },
  };
}

/** Imports an ES module by URL in this thread (the in-process fallback of a `{ module, export }` objective). */
export function importModule(url: string): Promise<Record<string, unknown>> {
  return import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;
}
