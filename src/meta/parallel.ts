/**
 * Executors for `search({ parallel })`. A `{ module, export }` objective runs
 * on a pool of `parallel` workers (runtime/workers.ts: Node worker_threads,
 * Deno/Bun/browser Worker); where the runtime has no workers (workerd) the
 * module is imported here and run in-process. A function objective cannot
 * cross to a worker: it runs in-process, `parallel` async calls at a time.
 *
 * The trials do not depend on `parallel`: a method proposes a batch, the batch
 * is evaluated (in any order), and the method reads the results by trial id.
 * Aborting terminates every worker at once.
 */
import { ValueError } from '../errors.js';
import { createWorkerPool, importModule } from '../runtime/workers.js';
import { evaluateTrial, inProcessExecutor, type Executor, type ObjectiveFn, type Trial } from './trials.js';

export interface ModuleObjective {
  module: string | URL;
  export: string;
}

/** The executor for an objective; `inProcess: true` forces in-process evaluation of a module objective. */
export async function makeExecutor(objective: ObjectiveFn | ModuleObjective, parallel: number, signal: AbortSignal, inProcess = false): Promise<Executor> {
  if (typeof objective === 'function') return inProcessExecutor(objective, signal, parallel);
  const module = String(objective.module);
  const name = objective.export;
  const pool = inProcess ? null : await createWorkerPool(parallel);
  if (pool === null) {
    const mod = await importModule(module);
    const fn = mod[name];
    if (typeof fn !== 'function') throw new ValueError(`search: objective.export '${name}' of ${module} must be a function, got ${typeof fn}`);
    return inProcessExecutor(fn as ObjectiveFn, signal, parallel);
  }
  const onAbort = (): void => void pool.close();
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    async run(trials, onDone) {
      await Promise.all(
        trials.map(async (t: Trial) => {
          if (signal.aborted) return;
          const r = await pool.call({ module, export: name, args: [{ ...t.config }, { budget: t.budget, seed: t.seed }] });
          if (signal.aborted) return;
          // the same checks as in-process: a non-finite value or a throw fails the trial
          await evaluateTrial(() => {
            if (!r.ok) throw Object.assign(new Error(r.error), { name: 'WorkerError' });
            return r.value as number;
          }, t, signal);
          if (!r.ok) t.error = r.error;
          onDone(t);
        }),
      );
    },
    async close() {
      signal.removeEventListener('abort', onAbort);
      await pool.close();
    },
  };
}
