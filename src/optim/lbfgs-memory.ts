/**
 * The arena memory of an L-BFGS optimizer (lbfgs.ts): ONE block planned when
 * the optimizer is made, laid out so that everything that persists between
 * steps comes first and a snapshot is one `f32_copy` of that prefix.
 *
 *   persistent:  sTab, yTab   (m + 1) u32 byte offsets of the history slots
 *                             (entries 0 … count-1 live, oldest first; entry m the
 *                             spare the next candidate is written into)
 *                rho          m f32, 1/yᵀs of each live pair (same order)
 *                alpha        m f32, scratch of the two-loop recursion
 *                d            the last direction (torch's state['d'])
 *                prevG        the gradient the last direction was computed from
 *                slots        2(m + 1) vectors: the history pairs and the spares
 *   scratch:     g            the current flat gradient (torch's flat_grad)
 *                x0           the parameters at the start of a line search
 *                gPrev, b0, b1  the strong-Wolfe search's kept gradients
 *
 * Vectors are n floats at a stride padded to 4 floats (16-byte aligned).
 * torch holds the same state as Python lists of tensors; its memory grows to
 * (2·historySize + 3)·n floats, this block has that from the start
 * ((2m + 9)·n floats plus the tables): a training step allocates nothing.
 */
import type { Core } from '../runtime/core.js';
import { allocNamed } from '../runtime/core.js';

const pad4 = (k: number): number => Math.ceil(k / 4) * 4;

export class LbfgsMemory {
  readonly block: number;
  /** floats in the persistent prefix (what a snapshot copies) */
  readonly persistentFloats: number;
  readonly stride: number;
  readonly sTab: number;
  readonly yTab: number;
  readonly rho: number;
  readonly alpha: number;
  readonly d: number;
  readonly prevG: number;
  readonly g: number;
  readonly x0: number;
  readonly gPrev: number;
  readonly b0: number;
  readonly b1: number;
  private readonly slots: number;

  constructor(
    private readonly core: Core,
    readonly n: number,
    readonly m: number,
  ) {
    const stride = (this.stride = pad4(n));
    const tab = pad4(m + 1), sc = pad4(m);
    const head = 2 * tab + 2 * sc;
    const persistent = head + stride * (2 + 2 * (m + 1));
    const total = persistent + 5 * stride;
    this.block = allocNamed(core, total, `lbfgs: ${n} parameters × historySize ${m}`);
    this.persistentFloats = persistent;
    const b = this.block;
    this.sTab = b;
    this.yTab = b + tab * 4;
    this.rho = b + 2 * tab * 4;
    this.alpha = this.rho + sc * 4;
    const vec = (i: number): number => b + (head + i * stride) * 4;
    this.d = vec(0);
    this.prevG = vec(1);
    this.slots = vec(2);
    const scratch = 2 + 2 * (m + 1);
    this.g = vec(scratch);
    this.x0 = vec(scratch + 1);
    this.gPrev = vec(scratch + 2);
    this.b0 = vec(scratch + 3);
    this.b1 = vec(scratch + 4);
    core.kernels.f32_fill(total, b, 0);
    this.layout();
  }

  /** the i-th history vector of kind 0 (s) or 1 (y), i in [0, m] (m the spare) */
  private slot(kind: 0 | 1, i: number): number {
    return this.slots + (kind * (this.m + 1) + i) * this.stride * 4;
  }

  /** The canonical tables: entry i -> slot i (what a fresh optimizer and loadState start from). */
  layout(): void {
    const words = new Uint32Array(this.core.memory.buffer, this.sTab, 2 * pad4(this.m + 1));
    const off = pad4(this.m + 1);
    for (let i = 0; i <= this.m; i++) {
      words[i] = this.slot(0, i);
      words[off + i] = this.slot(1, i);
    }
  }

  /** The live pairs, oldest first: [s_i, y_i] pointers and rho values (a copy). */
  pairs(count: number): { s: number[]; y: number[]; rho: number[] } {
    const off = pad4(this.m + 1);
    const words = new Uint32Array(this.core.memory.buffer, this.sTab, 2 * off);
    const rho = this.core.f32(this.rho, this.m);
    const out = { s: [] as number[], y: [] as number[], rho: [] as number[] };
    for (let i = 0; i < count; i++) {
      out.s.push(words[i]);
      out.y.push(words[off + i]);
      out.rho.push(rho[i]);
    }
    return out;
  }

  /** oldStps / oldDirs as m·n floats (the live pairs first, oldest first, then zeros) and ro as m floats. */
  save(count: number): { oldStps: Float32Array; oldDirs: Float32Array; ro: Float32Array } {
    const { n, m } = this;
    const oldStps = new Float32Array(m * n), oldDirs = new Float32Array(m * n), ro = new Float32Array(m);
    const p = this.pairs(count);
    for (let i = 0; i < count; i++) {
      oldStps.set(this.core.f32(p.s[i], n), i * n);
      oldDirs.set(this.core.f32(p.y[i], n), i * n);
      ro[i] = p.rho[i];
    }
    return { oldStps, oldDirs, ro };
  }

  /** The inverse of save (sizes checked by the caller): canonical tables, the pairs into slots 0 … count-1. */
  load(count: number, oldStps: Float32Array, oldDirs: Float32Array, ro: Float32Array): void {
    const { n, m } = this;
    this.layout();
    for (let i = 0; i <= m; i++) {
      const s = this.core.f32(this.slot(0, i), n), y = this.core.f32(this.slot(1, i), n);
      if (i < count) {
        s.set(oldStps.subarray(i * n, (i + 1) * n));
        y.set(oldDirs.subarray(i * n, (i + 1) * n));
      } else {
        s.fill(0);
        y.fill(0);
      }
    }
    const r = this.core.f32(this.rho, m);
    r.fill(0);
    r.set(ro.subarray(0, count));
  }

  /** Zeroes every vector and table entry and lays the tables out again (a fresh optimizer). */
  clear(): void {
    this.core.kernels.f32_fill(this.persistentFloats, this.block, 0);
    this.layout();
  }

  dispose(): void {
    this.core.arena.free(this.block);
  }
}
