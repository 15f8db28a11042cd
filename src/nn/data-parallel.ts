/**
 * A data-parallel `lossAndGrad` (docs/threads.md, "Data-parallel steps"): on a threaded
 * engine, the batch's rows are cut into one shard per thread, and each thread runs the
 * model's forward and backward on its shard; the gradients are summed into the model's
 * flat buffer, and the optimizer then takes one step as usual.
 *
 * One step, n rows in P shards (shard s = rows r_s ≤ i < r_{s+1}):
 *   0. the dropout masks of the whole batch, drawn on the calling thread in layer order
 *      (f32_dropout_mask: the same draws, in the same order, as one thread's forward);
 *   1. forward: thread s runs every layer on its rows (its rows of each activation,
 *      mask and pre-activation buffer of the model's plan: row-major, so the rows of
 *      all shards together are the one-thread buffers);
 *   2. the loss: a loss cut by rows (loss/index.ts, RowwiseLoss: softmax cross-entropy)
 *      at the end of each shard's forward, its rows' dL/dy and per-row losses, which the
 *      caller then sums in row order; any other loss on the whole batch by the caller
 *      (the one-thread call). Either way the value and dL/dy are one thread's;
 *   3. backward. A model whose parameters all sit in Linear → ReLU layers and a last
 *      Linear (an MLP with ReLU, dropout or not): the panel backward (panel-backward.ts),
 *      dL/d(pre-activation) by rows, then each weight gradient over the whole batch by
 *      panels: one thread's gradient bits, no reduction. Any other model: thread s from
 *      its rows of dL/dy, with gradBeta 0 into its own gradient buffer (shard 0 into the
 *      model's), through its own block of rows of the plan's ping-pong gradient buffers
 *      (rows r_s of width plan.gradWidth: the layers' widths differ, so a shard's rows at
 *      one width would overlap another's at the next); then
 *   4. the reduction g ← ((g_0 + g_1) + g_2) + …, elementwise, the parameters cut into
 *      one range per thread (which thread sums an element does not change its bits).
 * Each phase is a set of programs (runtime/programs.ts) recorded by the shard's own bound
 * layers (the model's specs bound to a recorder, bind.ts) and run at once: the first on
 * the calling thread, the others on the pool's workers; a phase returns when all are done.
 *
 * Cuts. With the panel backward and 2 threads each phase's cut (rows in units of 4,
 * panels) follows the threads' measured speeds (SplitShare, runtime/gemm-threads.ts: the
 * two vCPUs of a shared machine are not always equally fast); no result depends on it.
 * With shards and a reduction the rows are cut in equal parts of 8-row units (the cut
 * fixes the order of the gradient sums).
 *
 * Bits. A row of a GEMM's output is computed by the same micro-kernel over the same
 * blocks of k wherever the row lies, and shard edges fall on 4-row boundaries, so the
 * forward activations, the loss value, dL/dy and every input gradient equal one
 * thread's to the last bit (the first step's loss is one thread's). With the panel
 * backward so do the parameter gradients, and so every step. With shards and a
 * reduction the parameter gradients sum over the batch in another order (per shard,
 * then across shards), so they differ from one thread's by rounding, |Δg| ≲ n·u·Σ|terms|
 * (u = 2^-24); the order is fixed by the thread count, so a given count repeats its bits
 * run to run.
 *
 * Everything is allocated once (the P - 1 shard gradient buffers where there is a
 * reduction, the programs, the per-shard pointer tables): a step allocates nothing.
 */
import type { Core } from '../runtime/core.js';
import type { Kernels } from '../runtime/kernels.js';
import { DEFAULT_MIN_FLOPS, SplitShare } from '../runtime/gemm-threads.js';
import { programBytes, type Program, type ProgramRunner } from '../runtime/programs.js';
import { bindLayers } from './bind.js';
import { DropoutLayer, type BoundLayer, type LayerSpec } from './layers.js';
import { FIRST_COLUMNS_CALLS, FIRST_COLUMNS_MAX_ROWS, FirstColumns, firstColumnsFit } from './first-columns.js';
import { PanelBackward, panelable } from './panel-backward.js';
import type { Plan } from './plan.js';
import type { RowwiseLoss } from '../loss/index.js';

/** Shard rows come in units of 8 (the split unit of runtime/gemm-threads.ts, a multiple of the micro-tile's rows). */
const ROW_UNIT = 8;
/**
 * Shards are cut at multiples of 4 rows (the plain build's 4x8 micro-tile: every row of a
 * GEMM's output then falls in the same kind of tile as in the unsplit call; the relaxed
 * build's products, beta 0, give the same bits whichever tile a row falls in), so that a
 * 2-thread cut can follow the threads' speeds in steps of 4 rows (3 % of a batch of 128).
 */
const CUT_UNIT = 4;

/** The phases whose 2-thread split adapts (SplitShare classes): forward rows, backward chain rows, weight-gradient panels, the first layer's columns. */
const FWD = 0, CHAIN = 1, DW = 2, FIRST = 3;

/** What a data-parallel step needs from its model (a Sequential). */
export interface ShardedModel {
  readonly engine: Core;
  readonly specs: readonly LayerSpec[];
  readonly inputSize: number;
  readonly outputSize: number;
  readonly numParameters: number;
  readonly paramsPtr: number;
  readonly gradsPtr: number;
  readonly rngPtr: number;
  /** the model's own bound layers (dropout masks are drawn through them) */
  readonly layers: readonly BoundLayer[];
  readonly firstParam: number;
}

/**
 * Whether a data-parallel step over `layers` (bound; `first`: the lowest with parameters) on
 * P threads runs the panel backward and cuts its first layer by columns (first-columns.ts):
 * no reduction, and each row of W₁ touched by one thread ('auto' shards such a model from
 * fewer rows: parallel-mode.ts).
 */
export function cutsFirstByColumns(layers: readonly BoundLayer[], first: number, P: number): boolean {
  return P >= 2 && panelable(layers, first) && firstColumnsFit(layers, first, P);
}

export class DataParallel {
  /** threads this instance was planned for */
  readonly threads: number;
  private readonly runner: ProgramRunner;
  private readonly rec: Readonly<Kernels>;
  /** shards[s]: the model's layers bound to the recorder and to shard s's gradient buffer */
  private readonly shards: BoundLayer[][];
  /** gradient buffer of each shard (shard 0: the model's) */
  private readonly grads: number[];
  private readonly fwd: Program[];
  private readonly bwd: Program[];
  private readonly red: Program[];
  /** per shard: its pointer to each layer's input (acts[s][k]) and scratch, filled by forward */
  private readonly acts: number[][];
  private readonly scratch: number[][];
  /** rows[s]: first row of shard s; rows[parts] = n */
  private readonly rows: number[];
  private parts = 0;
  private n = 0;
  private readonly blocks: number[];
  /** the backward without a reduction, for the models it can run (panel-backward.ts); null: shards and a reduction */
  private readonly panels: PanelBackward | null;
  /** the first layer cut by output columns (first-columns.ts; with the panel backward); null: by rows like the others */
  private readonly cols: FirstColumns | null;
  /** `cols` when this step's forward cut the first layer by columns, else null */
  private colsUsed: FirstColumns | null = null;
  /** the calling thread's share of each phase with 2 threads (FWD, CHAIN, DW), adapted to the threads' speeds */
  private readonly share = new SplitShare();
  /** the loss the next forward records on each shard (withLoss), its targets and whether they are class ids */
  private loss: RowwiseLoss | null = null;
  private lossTargets = 0;
  private lossLabels = false;

  /** `threads`: the shards planned for (1: the whole step on the calling thread, no extra gradient buffer) */
  constructor(private readonly m: ShardedModel, runner: ProgramRunner, threads = runner.threads) {
    const P = (this.threads = threads);
    const L = m.layers.length;
    this.runner = runner;
    this.rec = runner.recorder;
    const ctx = { engine: { kernels: this.rec } as unknown as Core, rngPtr: m.rngPtr, presetMasks: true };
    const bound = bindLayers(ctx, m.specs, m.inputSize, m.paramsPtr, m.gradsPtr).layers;
    // the panel backward needs no gradient buffer per shard (panel-backward.ts)
    const panels = P >= 2 && panelable(bound, m.firstParam);
    const extra = panels ? 0 : P - 1;
    const cols = cutsFirstByColumns(bound, m.firstParam, P);
    // a forward program: the layers' calls (2·L + 1 at most) and one for the loss on the shard's rows
    const fwdCap = 2 * L + 2, bwdCap = 3 * L + 1, redCap = P, dwCap = 2 * L + 1, colCap = cols ? FIRST_COLUMNS_CALLS : 0;
    const sizes = [...Array.from({ length: extra }, () => m.numParameters * 4), programBytes(P * (fwdCap + bwdCap + (panels ? dwCap : redCap) + colCap))];
    const blocks = (this.blocks = m.engine.arena.allocAll(sizes));
    this.grads = [m.gradsPtr, ...blocks.slice(0, extra)];
    let at = blocks[extra];
    const program = (cap: number): Program => {
      const p = { ptr: at, cap, count: 0 };
      at += programBytes(cap);
      return p;
    };
    this.fwd = Array.from({ length: P }, () => program(fwdCap));
    this.bwd = Array.from({ length: P }, () => program(bwdCap));
    this.red = panels ? [] : Array.from({ length: P }, () => program(redCap));
    this.panels = panels ? new PanelBackward(runner, this.rec, bound, m.firstParam, m.outputSize, this.bwd, Array.from({ length: P }, () => program(dwCap)), DEFAULT_MIN_FLOPS) : null;
    const first = bound[m.firstParam] as ConstructorParameters<typeof FirstColumns>[2];
    this.cols = cols ? new FirstColumns(runner, this.rec, first, Array.from({ length: P }, () => program(colCap)), m.engine.splitHint) : null;
    this.shards = this.grads.map((g, s) => (s === 0 ? bound : bindLayers(ctx, m.specs, m.inputSize, m.paramsPtr, g).layers));
    while (this.shards.length < P) this.shards.push(bound);
    this.acts = Array.from({ length: P }, () => new Array<number>(L + 1).fill(0));
    this.scratch = Array.from({ length: P }, () => new Array<number>(L).fill(0));
    this.rows = new Array<number>(P + 1).fill(0);
  }

  /**
   * Cuts n rows into shards of whole 8-row units, at most one per thread planned for;
   * returns their number. One shard: the whole step on the calling thread (its products
   * unsplit: the recorded calls are the core's own).
   */
  split(n: number): number {
    const units = Math.ceil(n / ROW_UNIT);
    this.n = n;
    return (this.parts = Math.max(1, Math.min(this.threads, this.runner.threads, units)));
  }

  /**
   * Cuts the rows for phase `cls` (FWD or CHAIN). With the panel backward and 2 threads
   * the calling thread's share adapts to the threads' measured speeds (SplitShare, as for
   * a split GEMM), in units of CUT_UNIT rows: no result depends on the cut. With shards and
   * a reduction the cut fixes the order of the gradient sums: equal parts of 8-row units,
   * so a thread count repeats its bits. Returns the calling thread's units.
   */
  private cutRows(cls: number): number {
    const n = this.n, parts = this.parts, rows = this.rows;
    const adapt = parts === 2 && this.panels !== null, unit = adapt ? CUT_UNIT : ROW_UNIT, units = Math.ceil(n / unit);
    const mine = adapt ? this.share.units(cls, units) : Math.floor(units / parts);
    for (let s = 1; s < parts; s++) rows[s] = (adapt ? mine : Math.floor((s * units) / parts)) * unit;
    rows[0] = 0;
    rows[parts] = n;
    return mine;
  }

  /** Learns the calling thread's share of phase `cls` from the last run (2 threads, panel backward): `mine` and `theirs` units. */
  private learn(cls: number, mine: number, theirs: number): void {
    if (this.parts === 2 && this.panels !== null) this.share.balance(cls, mine, theirs, this.runner.ownMs, this.runner.allMs, this.runner.workerMs);
  }

  /**
   * Has the next `forward` end each shard's program with `loss` on its rows (targets at
   * `y`: class ids when `labels`), writing plan.dOut and plan.rowLoss; the caller then
   * takes the value from `loss.value` (the rows summed in order).
   */
  withLoss(loss: RowwiseLoss, y: number, labels: boolean): void {
    this.loss = loss;
    this.lossTargets = y;
    this.lossLabels = labels;
  }

  /** Phases 0 and 1: the masks, then every shard's forward (after `split(n)`), and the loss set by `withLoss`; plan.acts[0] is the input. */
  forward(plan: Plan, n: number, training: boolean): void {
    const layers = this.m.layers, L = layers.length, acts = plan.acts, loss = this.loss;
    this.loss = null;
    for (let k = 0; k < L; k++) {
      const l = layers[k];
      if (l.alias) acts[k + 1] = acts[k];
      else if (training && l instanceof DropoutLayer && l.p > 0) l.drawMask(n, plan.scratch[k]);
    }
    const cols = (this.colsUsed = this.parts >= 2 && n <= FIRST_COLUMNS_MAX_ROWS ? this.cols : null), first = this.m.firstParam;
    if (cols !== null) {
      const units = cols.units, mine = this.parts === 2 ? this.share.units(FIRST, units) : 0;
      cols.run(n, acts[first], acts[first + 1], this.parts, mine);
      this.learn(FIRST, mine, units - mine);
    } else this.m.engine.splitHint.cut = 0;
    const runner = this.runner, mine = this.cutRows(FWD);
    for (let s = 0; s < this.parts; s++) {
      const r = this.rows[s], rows = this.rows[s + 1] - r;
      const sa = this.acts[s], sc = this.scratch[s], shard = this.shards[s];
      sa[0] = acts[0] + 4 * r * this.m.inputSize;
      runner.begin(this.fwd[s]);
      for (let k = 0; k < L; k++) {
        const l = shard[k];
        if (l.alias) {
          sa[k + 1] = sa[k];
          continue;
        }
        sa[k + 1] = acts[k + 1] + 4 * r * l.outSize;
        sc[k] = plan.scratch[k] === 0 ? 0 : plan.scratch[k] + 4 * r * l.scratchPerRow;
        if (cols !== null && k === first) cols.recordRows(rows, sa[k + 1]);
        else l.forward(rows, sa[k], sa[k + 1], training, sc[k], null);
      }
      if (loss !== null) loss.record(this.rec, n, r, rows, this.m.outputSize, acts[L], this.lossTargets, this.lossLabels, plan.dOut, plan.rowLoss);
      runner.end();
    }
    runner.run(this.fwd, this.parts);
    this.learn(FWD, mine, Math.ceil(n / CUT_UNIT) - mine);
  }

  /** Phases 3 and 4: every shard's backward from plan.dOut, then the sum into the model's gradients (or the panel backward). */
  backward(plan: Plan, training: boolean): void {
    const runner = this.runner, first = this.m.firstParam, parts = this.parts;
    const pb = this.panels;
    if (pb !== null && parts >= 2) {
      const units = Math.ceil(this.n / CUT_UNIT), mine = this.cutRows(CHAIN);
      pb.runChain(plan, this.rows, parts, training);
      this.learn(CHAIN, mine, units - mine);
      const frac = this.share.get(DW);
      pb.runWeights(plan, this.n, parts, frac, this.colsUsed !== null ? this.colsUsed.cuts : null);
      this.learn(DW, frac, 1 - frac);
      return;
    }
    for (let s = 0; s < parts; s++) {
      const r = this.rows[s], rows = this.rows[s + 1] - r;
      const sa = this.acts[s], sc = this.scratch[s], shard = this.shards[s];
      let dy = plan.dOut + 4 * r * this.m.outputSize;
      runner.begin(this.bwd[s]);
      for (let k = shard.length - 1; k >= first; k--) {
        const l = shard[k];
        if (l.alias) continue;
        const dx = k === first ? 0 : plan.grads[k] + 4 * r * plan.gradWidth;
        l.backward(rows, sa[k], sa[k + 1], dy, dx, training, sc[k], 0, null);
        dy = dx;
      }
      runner.end();
    }
    runner.run(this.bwd, parts);
    // g_0 += g_1, then += g_2, …: one range of the parameters per thread, 16-byte aligned
    const len = this.m.numParameters, g = this.grads;
    for (let t = 0; t < parts; t++) {
      const a = Math.floor((t * len) / parts / 4) * 4, b = t + 1 === parts ? len : Math.floor(((t + 1) * len) / parts / 4) * 4;
      runner.begin(this.red[t]);
      for (let s = 1; s < parts && b > a; s++) this.rec.f32_add(b - a, g[0] + 4 * a, g[s] + 4 * a, g[0] + 4 * a);
      runner.end();
    }
    runner.run(this.red, parts);
  }

  /** Frees the shard gradient buffers and the programs. */
  dispose(): void {
    for (const b of this.blocks) this.m.engine.arena.free(b);
    this.blocks.length = 0;
  }
}
