/**
 * The backward of a data-parallel step without a gradient reduction (nn/data-parallel.ts,
 * docs/threads.md "Data-parallel steps"), for models whose parameters all sit in Linear
 * layers whose dL/d(output) is a whole-batch buffer: every fused Linear → ReLU
 * (its D = dY·[Y > 0] lives in the layer's scratch, one row per batch row), and a plain
 * Linear that is the last layer (its D is the loss's dL/dy). Two phases, each a set of
 * programs (runtime/programs.ts) run at once on the calling thread and the workers:
 *
 *   chain  (rows: thread t takes rows r_t..r_{t+1}, whole units of 8) every layer from
 *          the top down to the lowest with parameters: D = dY·[Y > 0] (f32_relu_backward)
 *          for a Linear → ReLU, D = dY for the last Linear, then dX = D·W (f32_gemm_nn;
 *          not for the lowest layer); activations and dropout as their own backward;
 *   dW     (panels: thread t takes a panel of each weight gradient over the whole batch)
 *          dW = Dᵀ·X (f32_gemm_tn, beta 0) cut into panels of C along its longer side,
 *          units of 8 rows or 16 columns, as runtime/gemm-threads.ts cuts a GEMM; small
 *          products (below `minFlops`) and the bias gradients db = Σ_rows D
 *          (f32_col_sums) whole on the calling thread.
 *
 * Bits: dX and D are row-local, and each element of dW (and of db) is computed by the
 * same kernel over the whole batch in the same order as the one-thread backward
 * (f32_relu_backward_col_sums = f32_relu_backward + f32_col_sums, assembly/fused.ts), so
 * the gradients equal one thread's to the last bit, for any cut of rows or panels: the
 * cuts may follow the threads' measured speeds. There is nothing to reduce: no gradient
 * buffer per shard, no reduction pass.
 */
import type { Kernels } from '../runtime/kernels.js';
import type { Program, ProgramRunner } from '../runtime/programs.js';
import { LinearReluLayer } from './fused.js';
import { LinearLayer, type BoundLayer } from './layers.js';
import type { Plan } from './plan.js';

/** Split units of a weight gradient's panels: rows of C in blocks of 8, columns in blocks of 16 (runtime/gemm-threads.ts). */
const ROW_UNIT = 8;
const COL_UNIT = 16;

/**
 * Whether `layers` (bound, from `first`, the lowest with parameters) can run the panel
 * backward: every layer with parameters a Linear → ReLU, or a Linear whose output is the
 * model's (only alias layers above it).
 */
export function panelable(layers: readonly BoundLayer[], first: number): boolean {
  if (first < 0) return false;
  let top = layers.length - 1;
  while (top >= 0 && layers[top].alias) top--;
  for (let k = first; k < layers.length; k++) {
    const l = layers[k];
    if (l instanceof LinearLayer && k !== top) return false;
    if (l.numParams > 0 && !(l instanceof LinearLayer) && !(l instanceof LinearReluLayer)) return false;
  }
  return true;
}

export class PanelBackward {
  constructor(
    private readonly runner: ProgramRunner,
    private readonly rec: Readonly<Kernels>,
    /** the model's layers bound to the recorder and to the model's gradient buffer */
    private readonly layers: readonly BoundLayer[],
    private readonly first: number,
    private readonly outputSize: number,
    private readonly chain: Program[],
    private readonly dw: Program[],
    private readonly minFlops: number,
  ) {}

  /** The chain phase over `rows` (rows[t]..rows[t+1] for thread t of `parts`), from plan.dOut. */
  runChain(plan: Plan, rows: readonly number[], parts: number, training: boolean): void {
    const runner = this.runner, rec = this.rec, layers = this.layers, first = this.first, gw = plan.gradWidth;
    for (let t = 0; t < parts; t++) {
      const r = rows[t], m = rows[t + 1] - r;
      let dy = plan.dOut + 4 * r * this.outputSize;
      runner.begin(this.chain[t]);
      for (let k = layers.length - 1; k >= first && m > 0; k--) {
        const l = layers[k];
        if (l.alias) continue;
        const dx = k === first ? 0 : plan.grads[k] + 4 * r * gw;
        if (l instanceof LinearReluLayer || l instanceof LinearLayer) {
          const o = l.outSize, i = l.inSize;
          let d = dy;
          if (l instanceof LinearReluLayer) {
            d = plan.scratch[k] + 4 * r * o;
            rec.f32_relu_backward(m * o, plan.acts[k + 1] + 4 * r * o, dy, d);
          }
          const w = l instanceof LinearReluLayer ? l.linear.w : l.w;
          if (dx !== 0) rec.f32_gemm_nn(m, i, o, d, o, w, i, dx, i, 1, 0);
        } else {
          const sc = plan.scratch[k] === 0 ? 0 : plan.scratch[k] + 4 * r * l.scratchPerRow;
          l.backward(m, plan.acts[k] + 4 * r * l.inSize, plan.acts[k + 1] + 4 * r * l.outSize, dy, dx, training, sc, 0, null);
        }
        dy = dx;
      }
      runner.end();
    }
    runner.run(this.chain, parts);
  }

  /**
   * The dW phase over n rows: each thread's panel of every large weight gradient, the
   * calling thread's panels `frac` of each product's units (2 threads; more: equal parts).
   * `firstRows` (the first layer cut by columns, nn/first-columns.ts): thread t takes rows
   * firstRows[t]..firstRows[t+1] of the lowest layer's dW, the rows of W it computed.
   */
  runWeights(plan: Plan, n: number, parts: number, frac: number, firstRows: readonly number[] | null): void {
    const runner = this.runner, rec = this.rec, layers = this.layers;
    for (let t = 0; t < parts; t++) {
      runner.begin(this.dw[t]);
      for (let k = layers.length - 1; k >= this.first; k--) {
        const l = layers[k];
        if (l.alias || l.numParams === 0) continue;
        const lin = l instanceof LinearReluLayer ? l.linear : (l as LinearLayer);
        const o = lin.outSize, i = lin.inSize, x = plan.acts[k], g = lin.gw;
        const d = l instanceof LinearReluLayer ? plan.scratch[k] : plan.dOut;
        if (t === 0 && lin.bias) rec.f32_col_sums(n, o, d, o, lin.gb, 0);
        if (k === this.first && firstRows !== null) {
          const r0 = firstRows[t], r1 = firstRows[t + 1];
          if (r1 > r0) rec.f32_gemm_tn(r1 - r0, i, n, d + 4 * r0, o, x, i, g + 4 * r0 * i, i, 1, 0);
          continue;
        }
        const um = Math.ceil(o / ROW_UNIT), un = Math.ceil(i / COL_UNIT);
        const byRows = um >= un, units = byRows ? um : un;
        if (2 * o * i * n < this.minFlops || units < parts) {
          if (t === 0) rec.f32_gemm_tn(o, i, n, d, o, x, i, g, i, 1, 0);
          continue;
        }
        const cut = (s: number): number =>
          s === 0 ? 0 : s === parts ? units : parts === 2 ? Math.min(units - 1, Math.max(1, Math.round(frac * units))) : Math.floor((s * units) / parts);
        const unit = byRows ? ROW_UNIT : COL_UNIT, total = byRows ? o : i;
        const s0 = cut(t) * unit, s1 = Math.min(total, cut(t + 1) * unit);
        if (s1 <= s0) continue;
        // Dᵀ is op(A) (D is n × o): rows s0..s1 of C take columns s0..s1 of D; columns of C take columns of X
        if (byRows) rec.f32_gemm_tn(s1 - s0, i, n, d + 4 * s0, o, x, i, g + 4 * s0 * i, i, 1, 0);
        else rec.f32_gemm_tn(o, s1 - s0, n, d, o, x + 4 * s0, i, g + 4 * s0, i, 1, 0);
      }
      runner.end();
    }
    runner.run(this.dw, parts);
  }
}
