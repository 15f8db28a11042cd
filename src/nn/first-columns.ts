/**
 * The first layer of a data-parallel step cut by its output columns (nn/data-parallel.ts,
 * docs/threads.md "Data-parallel steps"): thread t computes columns c_t..c_{t+1} of
 * Y₁ = X·W₁ᵀ for the whole batch (the rows c_t..c_{t+1} of W₁: its own weights), then in
 * the backward the same rows of dW₁ = D₁ᵀ·X, and the optimizer's 2-thread split gives it
 * the same rows of W₁ to update (runtime/split-threads.ts, `SplitHint`). The bias (and
 * the ReLU of a Linear → ReLU) follow in the row phase, on each shard's rows.
 *
 * Why: cut by rows, every thread reads all of W₁ (the largest weight matrix) in its
 * forward, and the optimizer then writes each line of W₁ that both cores hold; cut by
 * columns, a row of W₁ is read, differentiated and updated by one thread only. Measured
 * on the 2-vCPU Zen 5 (2026-12-03, relaxed threads build, MLP 784-256-128-10, b128, the
 * layer-1 forward, dW₁ and Adam on W₁ in a loop: bench/mlp-step/first-layer-cut.mjs):
 * 1199-1250 µs against 1346-1401 µs cut by rows in spells when the two vCPUs share lines
 * slowly (Adam 111-116 against 161-230 µs), equal (1079-1111 µs) when they do not.
 *
 * Bits: columns are cut in units of 16 (runtime/gemm-threads.ts's column unit), the rows
 * are the whole batch as in the one-thread call, so every element of Y₁ and dW₁ is
 * computed by the same kernel over the same blocks of k as on one thread.
 */
import type { Kernels } from '../runtime/kernels.js';
import type { Program, ProgramRunner } from '../runtime/programs.js';
import type { SplitHint } from '../runtime/split-threads.js';
import { LinearReluLayer } from './fused.js';
import { LinearLayer, type BoundLayer } from './layers.js';

/** Columns of Y₁ (rows of W₁) are cut in units of 16, as runtime/gemm-threads.ts cuts columns. */
const COL_UNIT = 16;

/**
 * Batches of at most this many rows cut the first layer by columns. Each thread then packs
 * every row of X for its product (the relaxed build packs A pre-splatted, 16 bytes per
 * element), where a row cut packs only its own rows, so the gain shrinks with the batch:
 * layer-1 loops (see above) equal at 160 rows, 0.5 % slower at 256, 2 % at 512; whole
 * steps at b512 5-8 % slower (2026-12-03).
 */
export const FIRST_COLUMNS_MAX_ROWS = 160;

/** Calls in one thread's program of the column phase: one product. */
export const FIRST_COLUMNS_CALLS = 1;

/**
 * Whether layer `first` (the lowest with parameters) can be cut by columns with `parts`
 * threads: a Linear or Linear → ReLU fed by the model's input (every layer below it an
 * alias), with at least one unit of columns per thread.
 */
export function firstColumnsFit(layers: readonly BoundLayer[], first: number, parts: number): boolean {
  if (first < 0 || first >= layers.length) return false;
  for (let k = 0; k < first; k++) if (!layers[k].alias) return false;
  const l = layers[first];
  return (l instanceof LinearReluLayer || l instanceof LinearLayer) && Math.floor(l.outSize / COL_UNIT) >= parts;
}

export class FirstColumns {
  /** column cut points of the last run: thread t owns columns cuts[t]..cuts[t+1] of Y₁ (rows of W₁, dW₁) */
  readonly cuts: number[];
  private readonly lin: LinearLayer;

  constructor(
    private readonly runner: ProgramRunner,
    private readonly rec: Readonly<Kernels>,
    private readonly layer: LinearReluLayer | LinearLayer,
    private readonly programs: Program[],
    private readonly hint: SplitHint,
  ) {
    this.lin = layer instanceof LinearReluLayer ? layer.linear : layer;
    this.cuts = new Array<number>(programs.length + 1).fill(0);
  }

  /** Units of columns: the calling thread's adaptive share is counted in these. */
  get units(): number {
    return Math.ceil(this.layer.outSize / COL_UNIT);
  }

  /**
   * The column phase: Y₁[:, cuts[t]..cuts[t+1]) = X·W₁[cuts[t]..cuts[t+1])ᵀ on thread t of
   * `parts`, n rows (x: the model's input, y: the layer's output buffer); `mine`: the
   * calling thread's units when parts = 2 (else equal parts). Tells the optimizer's split
   * where the worker's rows of W₁ start (2 threads).
   */
  run(n: number, x: number, y: number, parts: number, mine: number): void {
    const lin = this.lin, o = lin.outSize, i = lin.inSize, units = this.units, cuts = this.cuts;
    for (let t = 0; t <= parts; t++) {
      const u = t === 0 ? 0 : t === parts ? units : parts === 2 ? mine : Math.floor((t * units) / parts);
      cuts[t] = Math.min(o, u * COL_UNIT);
    }
    for (let t = 0; t < parts; t++) {
      const c0 = cuts[t], c1 = cuts[t + 1];
      this.runner.begin(this.programs[t]);
      this.rec.f32_gemm_nt(n, c1 - c0, i, x, i, lin.w + 4 * c0 * i, i, y + 4 * c0, o, 1, 0);
      this.runner.end();
    }
    this.runner.run(this.programs, parts);
    this.hint.cut = parts === 2 ? lin.w + 4 * cuts[1] * i : 0;
  }

  /** Records, for `rows` rows of the layer's output at `y`, what follows the product: the bias (and the ReLU). */
  recordRows(rows: number, y: number): void {
    const lin = this.lin, o = lin.outSize;
    if (this.layer instanceof LinearReluLayer) this.rec.f32_bias_relu(rows, o, y, o, lin.b, y, o);
    else if (lin.bias) this.rec.f32_add_rowvec(rows, o, y, o, lin.b, y, o);
  }
}
