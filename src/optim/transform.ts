/**
 * Optax-style gradient transformations over a flat update buffer: the base
 * types, the shared state plumbing, `chain` and `multiSteps` (Optax's
 * `base.py` + `combine.py` + `MultiSteps`).
 *
 * A transform is a pair `init` / `update`: `init(engine, n)` plans its state
 * (n-float buffers in the engine's arena, once) and returns an instance whose
 * `update(u, ctx)` rewrites the n updates at pointer `u` in place with one or
 * two kernel calls. `chain(a, b, ...)` runs them in order. An optimizer is
 * then: copy the gradient into u, run the chain, add u to the parameters.
 * `scaleByLearningRate` is the one place the sign flips (u <- -lr * u).
 *
 * Every transform keeps its own `count` (updates it has applied), as Optax
 * does, so a transform inside `multiSteps` counts inner steps.
 */
import { StateError, ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import { checkNumber, POSITIVE_INT } from '../runtime/validate.js';

/** What a transform sees besides the updates. */
export interface StepContext {
  /** optimizer steps taken before this one (0 on the first step) */
  step: number;
  /** the parameter group's learning rate at this step (used by scaleByLearningRate() without an argument) */
  lr: number;
  /** byte offset of the parameters that u updates (n floats) */
  params: number;
  /** row-sparse steps (sparseAdam): byte offset of the i32 row indices and their count */
  rows?: number;
  nrows?: number;
}

/** A transform's saved state: plain data. */
export interface TransformStateData {
  name: string;
  count: number;
  buffers: Record<string, Float32Array>;
  scalars: Record<string, number>;
  /** xoshiro128** state words, for transforms that draw noise */
  rng?: number[];
  inner?: TransformStateData[];
}

/**
 * Where a transform instance keeps its state, for copy-based snapshots that allocate
 * nothing per step (Optimizer.snapshot()): arena blocks (pointer, floats) copied with
 * one kernel call each, and the plain numbers (count, scalars) read and written in a
 * fixed order.
 */
export interface StateCells {
  /** [pointer, floats] of every state block (moments, accumulators, 4-word RNG states) */
  readonly blocks: readonly (readonly [number, number])[];
  /** how many numbers `saveNumbers` writes */
  readonly numbers: number;
  /** writes count and scalars into out[at ...]; returns the index after them */
  saveNumbers(out: Float64Array, at: number): number;
  /** reads them back from src[at ...]; returns the index after them */
  loadNumbers(src: Float64Array, at: number): number;
}

/** A transform planned for n floats on one engine. */
export interface TransformInstance {
  readonly name: string;
  /** Rewrites u in place; returns false when the step must not be applied (accumulating, or skipped by a guard). */
  update(u: number, ctx: StepContext): boolean;
  state(): TransformStateData;
  /** Restores a state from `state()`; validates everything before writing anything. */
  loadState(s: TransformStateData): void;
  /** Where the state lives (absent on user-written instances: snapshots then fall back to state()/loadState()). */
  cells?(): StateCells | undefined;
  dispose(): void;
}

export interface GradientTransformation {
  readonly name: string;
  init(engine: Core, n: number): TransformInstance;
}

/** Shared plumbing: n-float buffers, a count, scalars, optional rng; state()/loadState()/cells()/dispose(). */
export class Stateful implements TransformInstance {
  count = 0;
  scalars: Record<string, number> = {};
  readonly ptr: Record<string, number> = {};
  rng = 0;
  private disposed = false;

  constructor(
    readonly engine: Core,
    readonly n: number,
    readonly name: string,
    buffers: Record<string, number>,
    private readonly step: (self: Stateful, u: number, ctx: StepContext) => boolean,
    seed?: [number, number],
  ) {
    const k = engine.kernels;
    try {
      for (const [b, fill] of Object.entries(buffers)) {
        const p = engine.arena.alloc(n * 4);
        this.ptr[b] = p;
        k.f32_fill(n, p, fill);
      }
      if (seed) {
        this.rng = engine.arena.alloc(16);
        k.rng_seed(this.rng, seed[0], seed[1]);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  update(u: number, ctx: StepContext): boolean {
    if (this.disposed) throw new StateError(`${this.name}: used after dispose()`);
    return this.step(this, u, ctx);
  }

  state(): TransformStateData {
    const buffers: Record<string, Float32Array> = {};
    for (const [b, p] of Object.entries(this.ptr)) buffers[b] = this.engine.f32(p, this.n).slice();
    const s: TransformStateData = { name: this.name, count: this.count, buffers, scalars: { ...this.scalars } };
    if (this.rng) s.rng = Array.from(new Uint32Array(this.engine.memory.buffer, this.rng, 4));
    return s;
  }

  /** Throws unless `s` fits this instance. */
  validate(s: TransformStateData): void {
    if (!s || s.name !== this.name) throw new StateError(`${this.name}: loadState got the state of '${s?.name}'`);
    if (!Number.isInteger(s.count) || s.count < 0) throw new StateError(`${this.name}: state count must be a non-negative integer, got ${s.count}`);
    for (const b of Object.keys(this.ptr)) {
      const a = s.buffers?.[b];
      if (!(a instanceof Float32Array) || a.length !== this.n) {
        throw new StateError(`${this.name}: state buffer '${b}' must be a Float32Array of ${this.n}, got ${a ? `length ${a.length}` : 'none'}`);
      }
    }
    for (const k of Object.keys(this.scalars)) {
      if (typeof s.scalars?.[k] !== 'number') throw new StateError(`${this.name}: state scalar '${k}' is missing`);
    }
    if (this.rng && (!Array.isArray(s.rng) || s.rng.length !== 4)) throw new StateError(`${this.name}: state rng must be 4 words`);
  }

  loadState(s: TransformStateData): void {
    this.validate(s);
    this.write(s);
  }

  write(s: TransformStateData): void {
    this.count = s.count;
    for (const [b, p] of Object.entries(this.ptr)) this.engine.f32(p, this.n).set(s.buffers[b]);
    for (const k of Object.keys(this.scalars)) this.scalars[k] = s.scalars[k];
    if (this.rng) new Uint32Array(this.engine.memory.buffer, this.rng, 4).set(s.rng!);
  }

  cells(): StateCells {
    const blocks: [number, number][] = Object.values(this.ptr).map((p) => [p, this.n]);
    if (this.rng) blocks.push([this.rng, 4]);
    const keys = Object.keys(this.scalars);
    return {
      blocks,
      numbers: 1 + keys.length,
      saveNumbers: (out, at) => {
        out[at++] = this.count;
        for (let i = 0; i < keys.length; i++) out[at++] = this.scalars[keys[i]];
        return at;
      },
      loadNumbers: (src, at) => {
        this.count = src[at++];
        for (let i = 0; i < keys.length; i++) this.scalars[keys[i]] = src[at++];
        return at;
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of Object.values(this.ptr)) this.engine.arena.free(p);
    if (this.rng) this.engine.arena.free(this.rng);
  }
}

/** A transform from its name, buffers (name -> initial fill) and step function. */
export function transform(
  name: string,
  buffers: Record<string, number>,
  step: (self: Stateful, u: number, ctx: StepContext) => boolean,
  opts: { scalars?: Record<string, number>; seed?: [number, number] } = {},
): GradientTransformation {
  return {
    name,
    init(engine, n) {
      const s = new Stateful(engine, n, name, buffers, step, opts.seed);
      if (opts.scalars) s.scalars = { ...opts.scalars };
      return s;
    },
  };
}

/** The cells of several instances as one (undefined if one of them has none). */
function joinCells(parts: readonly TransformInstance[]): StateCells | undefined {
  const cs: StateCells[] = [];
  for (const p of parts) {
    const c = p.cells?.();
    if (!c) return undefined;
    cs.push(c);
  }
  return {
    blocks: cs.flatMap((c) => c.blocks),
    numbers: cs.reduce((a, c) => a + c.numbers, 0),
    saveNumbers(out, at) {
      for (let i = 0; i < cs.length; i++) at = cs[i].saveNumbers(out, at);
      return at;
    },
    loadNumbers(src, at) {
      for (let i = 0; i < cs.length; i++) at = cs[i].loadNumbers(src, at);
      return at;
    },
  };
}

/**
 * Gradient accumulation over k micro-batches (Optax MultiSteps): each update adds u to an
 * accumulator and returns false (nothing applied) until the k-th, which passes the mean
 * acc/k through `inner` and resets the accumulator.
 */
export function multiSteps(k: number, inner: GradientTransformation): GradientTransformation {
  checkNumber('multiSteps', 'k', k, POSITIVE_INT);
  return {
    name: 'multiSteps',
    init(engine, n) {
      const innerInst = inner.init(engine, n);
      const acc = transform('multiSteps', { acc: 0 }, (s, u, ctx) => {
        const kern = s.engine.kernels;
        kern.f32_axpby(s.n, u, s.ptr.acc, 1, 1);
        s.count++;
        if (s.count % k !== 0) return false;
        kern.f32_axpby(s.n, s.ptr.acc, u, 1 / k, 0);
        kern.f32_fill(s.n, s.ptr.acc, 0);
        return innerInst.update(u, ctx);
      }).init(engine, n) as Stateful;
      return {
        name: 'multiSteps',
        update: (u, ctx) => acc.update(u, ctx),
        state: () => ({ ...acc.state(), inner: [innerInst.state()] }),
        loadState(s) {
          acc.validate(s);
          if (!s.inner || s.inner.length !== 1) throw new StateError('multiSteps: state has no inner state');
          innerInst.loadState(s.inner[0]);
          acc.write(s);
        },
        cells: () => joinCells([acc, innerInst]),
        dispose() {
          acc.dispose();
          innerInst.dispose();
        },
      };
    },
  };
}

/** Runs transforms in order; stops (and reports false) at the first that returns false. */
export function chain(...transforms: GradientTransformation[]): GradientTransformation {
  for (let i = 0; i < transforms.length; i++) {
    const t = transforms[i];
    if (!t || typeof t.init !== 'function') throw new ValueError(`chain: argument ${i} is not a gradient transformation`);
  }
  const name = `chain(${transforms.map((t) => t.name).join(', ')})`;
  return {
    name,
    init(engine, n) {
      const parts: TransformInstance[] = [];
      try {
        for (const t of transforms) parts.push(t.init(engine, n));
      } catch (e) {
        for (const p of parts) p.dispose();
        throw e;
      }
      return {
        name,
        update(u, ctx) {
          for (const p of parts) if (!p.update(u, ctx)) return false;
          return true;
        },
        state: () => ({ name, count: 0, buffers: {}, scalars: {}, inner: parts.map((p) => p.state()) }),
        loadState(s) {
          if (!s || s.name !== name || !s.inner || s.inner.length !== parts.length) {
            throw new StateError(`${name}: loadState got the state of '${s?.name}'`);
          }
          // validate all parts first: a part's loadState validates before writing, so snapshot to undo
          const before = parts.map((p) => p.state());
          try {
            parts.forEach((p, i) => p.loadState(s.inner![i]));
          } catch (e) {
            parts.forEach((p, i) => p.loadState(before[i]));
            throw e;
          }
        },
        cells: () => joinCells(parts),
        dispose() {
          for (const p of parts) p.dispose();
        },
      };
    },
  };
}
