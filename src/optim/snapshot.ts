/**
 * A copy of an optimizer's whole state (and optionally of the parameters it
 * updates) held in arena buffers planned once, refreshed by `take()` and put
 * back by `restore()` with one `f32_copy` per block: no allocation per step.
 * It is what `guardParams` and fit()'s divergence guard use.
 *
 * Covered: every group's state buffers (moments, accumulators), its 4-word
 * RNG state and scalars, every transform's buffers, counts and scalars (chain
 * path), the step and skip counters, the last skip report and each group's lr
 * (a number or a schedule). A chain holding a user-written transform without
 * `cells()` is covered through state()/loadState(), which copies into new
 * arrays (the one case that allocates).
 */
import { StateError } from '../errors.js';
import type { LearningRate } from './options.js';
import type { OptimizerParts } from './state.js';
import type { SkipReport } from './group.js';
import type { StateCells, TransformStateData } from './transform.js';

export class OptimizerSnapshot {
  /** [src, dst, floats] per block */
  private readonly copies: number[] = [];
  private readonly blocks: number[] = [];
  /** the parameter copy of each group (when `params`) */
  private readonly paramBlocks: number[] = [];
  private readonly cells: (StateCells | null)[] = [];
  private readonly numbers: Float64Array;
  private readonly generic: (TransformStateData | null)[];
  private readonly lrs: LearningRate[];
  private step = 0;
  private skipped = 0;
  private lastSkip: SkipReport | null = null;
  private taken = false;
  private disposed = false;

  /** @internal use `optimizer.snapshot()` */
  constructor(
    private readonly o: OptimizerParts,
    /** also copy the parameters of every group's span (needs the model's paramsPtr at take/restore) */
    private readonly params: (() => number) | null,
  ) {
    const e = o.engine;
    let numbers = 0;
    try {
      for (const g of o.groups) {
        const add = (src: number, n: number): void => {
          const dst = e.allocF32(n);
          this.blocks.push(dst);
          this.copies.push(src, dst, n);
        };
        for (const p of Object.values(g.buf)) add(p, g.length);
        if (g.rng) add(g.rng, 4);
        numbers += Object.keys(g.scalars).length;
        const c = g.chain ? (g.chain.cells?.() ?? null) : null;
        this.cells.push(c);
        if (c) {
          for (const [p, n] of c.blocks) add(p, n);
          numbers += c.numbers;
        }
        if (params) {
          this.paramBlocks.push(e.allocF32(g.length));
          this.blocks.push(this.paramBlocks[this.paramBlocks.length - 1]);
        }
      }
    } catch (err) {
      this.dispose();
      throw err;
    }
    this.numbers = new Float64Array(numbers);
    this.generic = o.groups.map(() => null);
    this.lrs = o.groups.map((g) => g.lr);
  }

  /** Copies the current state (and parameters) into the snapshot. */
  take(): void {
    this.live();
    const { o } = this;
    const k = o.engine.kernels;
    const c = this.copies;
    for (let i = 0; i < c.length; i += 3) k.f32_copy(c[i + 2], c[i], c[i + 1]);
    let at = 0;
    for (let gi = 0; gi < o.groups.length; gi++) {
      const g = o.groups[gi];
      for (const name in g.scalars) this.numbers[at++] = g.scalars[name];
      const cells = this.cells[gi];
      if (cells) at = cells.saveNumbers(this.numbers, at);
      else if (g.chain) this.generic[gi] = g.chain.state();
      this.lrs[gi] = g.lr;
    }
    if (this.params) this.copyParams(true);
    this.step = o.counts.step;
    this.skipped = o.counts.skipped;
    this.lastSkip = o.counts.lastSkip;
    this.taken = true;
  }

  /** Puts the snapshot back. Returns false (changing nothing) when none was taken. */
  restore(): boolean {
    this.live();
    if (!this.taken) return false;
    const { o } = this;
    const k = o.engine.kernels;
    const c = this.copies;
    for (let i = 0; i < c.length; i += 3) k.f32_copy(c[i + 2], c[i + 1], c[i]);
    let at = 0;
    for (let gi = 0; gi < o.groups.length; gi++) {
      const g = o.groups[gi];
      for (const name in g.scalars) g.scalars[name] = this.numbers[at++];
      const cells = this.cells[gi];
      if (cells) at = cells.loadNumbers(this.numbers, at);
      else if (g.chain) g.chain.loadState(this.generic[gi]!);
      g.lr = this.lrs[gi];
    }
    if (this.params) this.copyParams(false);
    o.counts.step = this.step;
    o.counts.skipped = this.skipped;
    o.counts.lastSkip = this.lastSkip;
    return true;
  }

  /** Frees the snapshot's buffers. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.blocks) this.o.engine.arena.free(b);
    this.blocks.length = 0;
  }

  private copyParams(save: boolean): void {
    const { o } = this;
    const k = o.engine.kernels;
    const P = this.params!();
    for (let gi = 0; gi < o.groups.length; gi++) {
      const g = o.groups[gi], p = P + g.offset * 4, dst = this.paramBlocks[gi];
      if (save) k.f32_copy(g.length, p, dst);
      else k.f32_copy(g.length, dst, p);
    }
  }

  private live(): void {
    if (this.disposed) throw new StateError(`${this.o.name}: snapshot used after dispose()`);
  }
}
