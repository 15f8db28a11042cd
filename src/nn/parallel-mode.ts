/**
 * How a threaded engine runs a model's `lossAndGrad` (`model.parallel`, docs/threads.md
 * "Which mode 'auto' picks"): the 'auto' rule, and the model's choice that makes its
 * data-parallel step (nn/data-parallel.ts) on the first sharded step.
 */
import { MemoryError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { describe } from '../runtime/validate.js';
import { cutsFirstByColumns, DataParallel, type ShardedModel } from './data-parallel.js';
import { FIRST_COLUMNS_MAX_ROWS } from './first-columns.js';

/** How a threaded engine runs `lossAndGrad`: 'auto' (the rule below), 'gemm' (one forward, GEMMs split by panels), 'data' (shards). */
export type ParallelMode = 'auto' | 'gemm' | 'data';

/**
 * The 'auto' rule (docs/threads.md, "Which mode 'auto' picks"), from the step's work
 * W = 6·n·numParameters flops (forward 2nP, backward 4nP: the products of a dense
 * model) and the rows per thread:
 *   W < SOLO_MAX_FLOPS            the calling thread alone (a step this small gains
 *                                 less from a second thread than the hand-offs cost);
 *   else n ≥ threads·DP_MIN_ROWS  data-parallel;
 *   else, for a model whose data-parallel step has no reduction and cuts its first
 *   layer by columns (`columns`: the panel backward, panel-backward.ts, and
 *   first-columns.ts, up to FIRST_COLUMNS_MAX_ROWS rows), from one row unit per
 *   thread (n ≥ threads·8) data-parallel too;
 *   else                          one forward, GEMMs split by panels.
 * The measurement behind it: bench/threads.bench.mjs (the MLP step on one thread, GEMMs
 * split, data-parallel, at b8-b512) and the "Threads" section of bench/RESULTS.md: with
 * the column cut, data-parallel beat the split GEMMs at b16, b32 and b64 in both builds
 * (2026-12-03 23:11, 2026-12-04 15:22 and 21:31 runs; at 17:39 everywhere but the relaxed
 * build at b64, by 2 %: docs/threads.md).
 */
export const DP_MIN_ROWS = 64;
/** Rows per thread from which 'auto' runs a `columns` model data-parallel: one 8-row unit (data-parallel.ts). */
export const DP_MIN_ROWS_COLUMNS = 8;
export const SOLO_MAX_FLOPS = 12e6;

/**
 * Which way 'auto' runs a step of n rows of a model of `params` parameters on `threads`
 * threads; `columns`: the model's data-parallel step has the panel backward and the first
 * layer's column cut (`cutsFirstByColumns`, data-parallel.ts).
 */
export function autoMode(n: number, params: number, threads: number, columns = false): 'solo' | 'data' | 'gemm' {
  if (6 * n * params < SOLO_MAX_FLOPS) return 'solo';
  if (n >= threads * DP_MIN_ROWS) return 'data';
  return columns && n <= FIRST_COLUMNS_MAX_ROWS && n >= threads * DP_MIN_ROWS_COLUMNS ? 'data' : 'gemm';
}

/** `cutsFirstByColumns` for a model's own bound layers. */
const columnsOf = (m: ShardedModel, threads: number): boolean => cutsFirstByColumns(m.layers, m.firstParam, threads);

/**
 * A model's `parallel` mode and its data-parallel step, made on the first sharded step.
 * `pick(engine, n)` gives the step for n rows, or null for the one-forward path (one
 * thread, or GEMMs split by panels): 'gemm' never shards; 'auto' follows `autoMode`
 * (its 'solo' is the data-parallel step cut into one shard: every product on the calling
 * thread); 'data' shards whenever there are two threads and two units of rows. When
 * 'auto' cannot get the buffers (a MemoryError), it splits GEMMs from then on; 'data'
 * throws the MemoryError (nothing else has changed).
 */
export class ShardChoice {
  mode: ParallelMode = 'auto';
  private dp: DataParallel | null = null;
  /** the one-shard step of 'auto' below SOLO_MAX_FLOPS (programs only: no extra gradient buffer) */
  private solo: DataParallel | null = null;
  private refused = false;
  private params: number | undefined;
  private columns: boolean | undefined;

  constructor(private readonly model: () => ShardedModel) {}

  setMode(kind: string, mode: ParallelMode): void {
    if (mode !== 'auto' && mode !== 'gemm' && mode !== 'data') {
      throw new ValueError(`${kind}: parallel must be 'auto', 'gemm' or 'data', got ${describe(mode)}`);
    }
    this.mode = mode;
  }

  pick(engine: Core, n: number): DataParallel | null {
    const runner = engine.programs, mode = this.mode;
    if (mode === 'gemm' || runner === null || runner.threads < 2) return null;
    const how = mode === 'auto' ? autoMode(n, (this.params ??= this.model().numParameters), runner.threads, (this.columns ??= columnsOf(this.model(), runner.threads))) : 'data';
    if (how === 'gemm') return null;
    const solo = how === 'solo';
    let dp = solo ? this.solo : this.dp;
    if (dp === null) {
      if (this.refused && mode === 'auto') return null;
      const m = this.model();
      if (m.numParameters === 0) return null;
      try {
        dp = new DataParallel(m, runner, solo ? 1 : runner.threads);
      } catch (e) {
        if (!(e instanceof MemoryError) || mode === 'data') throw e;
        this.refused = true;
        return null;
      }
      if (solo) this.solo = dp;
      else this.dp = dp;
    }
    return dp.split(n) >= (solo ? 1 : 2) ? dp : null;
  }

  dispose(): void {
    this.dp?.dispose();
    this.solo?.dispose();
    this.dp = this.solo = null;
  }
}
