/**
 * `engine.optim.multiTask(model, optimizer, { method })`: training one model (a shared
 * trunk and heads in one flat parameter buffer) on several task losses at once.
 *
 * `step(tasks)` runs each task's forward and backward (`model.lossAndGrad(x, y, loss)`),
 * copies its gradient, times its weight, into the task's own planned buffer, combines the
 * k buffers into the model's gradient buffer by gradient surgery (surgery.ts: 'pcgrad',
 * 'mgda' or the 'sum' baseline) and calls `optimizer.step()`. It reports the losses, the
 * pairwise cosines of the task gradients and how many conflicts PCGrad projected.
 *
 * Buffers (k·n floats and PCGrad's work buffer) are planned on the first step, and again
 * only if the number of tasks changes; a step allocates nothing otherwise.
 */
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';
import type { Parameterized } from '../runtime/params.js';
import type { Tensor } from '../runtime/tensor.js';
import { SURGERY_METHODS, type SurgeryMethod, SurgeryPlan, type SurgeryReport } from './surgery.js';

/** What multiTask needs from a model: a flat buffer and a loss-and-gradient call (engine.nn models). */
export interface MultiTaskModel extends Parameterized {
  lossAndGrad(x: Tensor, y: never, loss: never): number;
}

/** One task of a step: a batch, its targets and loss, and an optional weight (default 1). */
export interface Task {
  x: Tensor;
  /** what `model.lossAndGrad` takes as targets (a Tensor or Int32Array class ids) */
  y: unknown;
  /** a loss name or entry, as `model.lossAndGrad` takes it (default 'mse') */
  loss?: unknown;
  /** multiplies this task's gradient before the combination (≥ 0, default 1) */
  weight?: number;
}

export interface MultiTaskOptions {
  /** 'pcgrad' (default), 'mgda' or 'sum' */
  method?: SurgeryMethod;
  /** seed of PCGrad's random task orders (default 0) */
  seed?: number;
}

/** What one multi-task step did. */
export interface MultiTaskReport extends SurgeryReport {
  /** each task's loss before the step */
  losses: number[];
}

export class MultiTask {
  readonly method: SurgeryMethod;
  private plan: SurgeryPlan | undefined;
  private bufs: number[] = [];
  private seed: number;

  constructor(readonly core: Core, readonly model: MultiTaskModel, readonly optimizer: { step(): unknown }, options: MultiTaskOptions = {}) {
    const op = 'optim.multiTask';
    if (model?.engine !== core) throw new ValueError(`${op}: model must belong to this engine`);
    if (typeof model.lossAndGrad !== 'function') throw new ValueError(`${op}: model must have lossAndGrad(x, y, loss) (an engine.nn model)`);
    if (typeof optimizer?.step !== 'function') throw new ValueError(`${op}: optimizer must have step()`);
    const method = options.method ?? 'pcgrad';
    if (!SURGERY_METHODS.includes(method)) throw new ValueError(`${op}: method must be one of ${SURGERY_METHODS.join(', ')}, got ${describe(method)}`);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new ValueError(`${op}: seed must be an integer, got ${describe(seed)}`);
    this.method = method;
    this.seed = seed;
  }

  /** One step on all tasks: per-task gradients, surgery into the model's gradient, optimizer.step(). */
  step(tasks: readonly Task[]): MultiTaskReport {
    const op = 'multiTask.step';
    if (!Array.isArray(tasks) || tasks.length < 2) {
      throw new ValueError(`${op}: tasks must be an array of at least 2 tasks, got ${describe(tasks)}`);
    }
    tasks.forEach((t, i) => {
      if (t === null || typeof t !== 'object') throw new ValueError(`${op}: tasks[${i}] must be { x, y, loss, weight? }`);
      const w = t.weight ?? 1;
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ValueError(`${op}: tasks[${i}].weight must be a finite number ≥ 0, got ${describe(w)}`);
    });
    const k = tasks.length, n = this.model.numParameters;
    if (this.plan === undefined || this.plan.k !== k) this.replan(k);
    const kern = this.core.kernels;
    const g = this.model.gradsPtr;
    const losses: number[] = [];
    for (let i = 0; i < k; i++) {
      const t = tasks[i];
      losses.push(this.model.lossAndGrad(t.x, t.y as never, (t.loss ?? 'mse') as never));
      const w = t.weight ?? 1;
      if (w === 1) kern.f32_copy(n, g, this.bufs[i]);
      else kern.f32_mul_scalar(n, g, this.bufs[i], w);
    }
    const report = this.plan!.run(this.bufs, g);
    this.optimizer.step();
    return { ...report, cosines: report.cosines.slice(), weights: report.weights.slice(), losses };
  }

  /** The task-order stream's state (PCGrad), to save with the optimizer state. */
  state(): { method: SurgeryMethod; orderState: number } {
    return { method: this.method, orderState: this.plan ? this.plan.orderState[0] : this.seed >>> 0 };
  }

  /** Restores what `state()` returned. */
  setState(s: { method: SurgeryMethod; orderState: number }): void {
    if (s?.method !== this.method || !Number.isInteger(s.orderState)) {
      throw new ValueError(`multiTask.setState: expected { method: '${this.method}', orderState }, got ${JSON.stringify(s)}`);
    }
    this.seed = s.orderState;
    if (this.plan) this.plan.orderState[0] = s.orderState >>> 0;
  }

  private replan(k: number): void {
    const n = this.model.numParameters;
    const order = this.plan ? this.plan.orderState[0] : this.seed >>> 0;
    this.dispose();
    try {
      for (let i = 0; i < k; i++) this.bufs.push(this.core.allocF32(Math.max(1, n)));
      this.plan = new SurgeryPlan(this.core, this.method, k, n, order | 0);
      this.plan.orderState[0] = order;
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Frees the task buffers. Idempotent; the next step plans again. */
  dispose(): void {
    for (const p of this.bufs.splice(0)) this.core.arena.free(p);
    this.plan?.dispose();
    this.plan = undefined;
  }
}
