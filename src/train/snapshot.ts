import type { Parameterized } from '../runtime/params.js';

/** What fit() needs from an optimizer (engine.optim.* objects satisfy it). */
export interface TrainOptimizer {
  step(): boolean | void;
  zeroGrad?(): void;
  lr: number | ((step: number) => number);
  readonly stepCount: number;
  state(): unknown;
  loadState(state: never): void;
}

interface FusedGroup {
  length: number;
  buf: Record<string, number>;
  scalars: Record<string, number>;
  rng: number;
  chain: unknown;
}

/**
 * A copy of the parameters and the optimizer state, kept in buffers planned
 * once in the arena and refreshed with `f32_copy` before every step, so a
 * step whose loss turns out non-finite can be undone without allocating.
 *
 * For the fused optimizers of engine.optim the state buffers are copied
 * kernel-to-kernel (plus a few scalars); for any other optimizer the
 * snapshot falls back to `state()` / `loadState()` (which copies into new
 * arrays: slower, documented).
 */
export class Snapshot {
  private readonly params: number;
  private readonly blocks: number[] = [];
  private readonly fused: { src: number; dst: number; n: number }[] | null = null;
  private readonly scalars: Record<string, number>[] = [];
  private readonly groups: FusedGroup[] = [];
  private stepCount = 0;
  private skipped = 0;
  private generic: unknown = null;
  private taken = false;

  constructor(readonly model: Parameterized, readonly optimizer: TrainOptimizer) {
    const e = model.engine;
    this.params = e.allocF32(model.numParameters);
    this.blocks.push(this.params);
    const groups = (optimizer as unknown as { paramGroups?: FusedGroup[]; fused?: boolean }).paramGroups;
    const fused = (optimizer as unknown as { fused?: boolean }).fused;
    if (fused === true && Array.isArray(groups) && groups.every((g) => g && typeof g.buf === 'object' && !g.chain)) {
      this.fused = [];
      for (const g of groups) {
        this.groups.push(g);
        this.scalars.push({ ...g.scalars });
        for (const src of Object.values(g.buf)) {
          const dst = e.allocF32(g.length);
          this.blocks.push(dst);
          this.fused.push({ src, dst, n: g.length });
        }
        if (g.rng) {
          const dst = e.allocF32(4);
          this.blocks.push(dst);
          this.fused.push({ src: g.rng, dst, n: 4 });
        }
      }
    }
  }

  /** Copies the current parameters and optimizer state into the snapshot. */
  take(): void {
    const k = this.model.engine.kernels;
    k.f32_copy(this.model.numParameters, this.model.paramsPtr, this.params);
    if (this.fused) {
      for (const c of this.fused) k.f32_copy(c.n, c.src, c.dst);
      for (let i = 0; i < this.groups.length; i++) Object.assign(this.scalars[i], this.groups[i].scalars);
      this.stepCount = this.optimizer.stepCount;
      this.skipped = (this.optimizer as unknown as { skippedSteps: number }).skippedSteps;
    } else {
      this.generic = this.optimizer.state();
    }
    this.taken = true;
  }

  /** Puts the snapshot back (no-op when none was taken). Returns whether something was restored. */
  restore(): boolean {
    if (!this.taken) return false;
    const k = this.model.engine.kernels;
    k.f32_copy(this.model.numParameters, this.params, this.model.paramsPtr);
    if (this.fused) {
      for (const c of this.fused) k.f32_copy(c.n, c.dst, c.src);
      for (let i = 0; i < this.groups.length; i++) Object.assign(this.groups[i].scalars, this.scalars[i]);
      const o = this.optimizer as unknown as { stepCount: number; skippedSteps: number };
      o.stepCount = this.stepCount;
      o.skippedSteps = this.skipped;
    } else {
      this.optimizer.loadState(this.generic as never);
    }
    return true;
  }

  dispose(): void {
    for (const b of this.blocks) this.model.engine.arena.free(b);
    this.blocks.length = 0;
  }
}
