/**
 * Multi-task regression with conflicting targets: summed gradients vs PCGrad (and MGDA).
 *
 * One shared linear model y = w·x + b serves two tasks on the same inputs: task A wants
 * y = a·x, task B (weighted 4×) wants y = c·x with c pointing away from a (a·c < 0).
 * `engine.optim.multiTask(model, sgd, { method })` runs both tasks' lossAndGrad each step and
 * combines their gradients: 'sum' adds them, so the heavier task B wins and A's loss RISES;
 * 'pcgrad' (Yu et al., "Gradient surgery for multi-task learning", NeurIPS 2020) projects
 * each task's gradient off the other's where they conflict, so each step is a descent
 * direction for both and both losses fall; 'mgda' (Désidéri 2012; Sener & Koltun 2018) takes
 * the min-norm convex combination, likewise a common descent direction. Headline: each task's
 * final loss over its initial loss, per method.
 */
import type { Engine } from '../engine.js';
import { headlineLines, uniform, type Example, type ExampleOptions, type ExampleResult } from './types.js';

type Method = 'sum' | 'pcgrad' | 'mgda';

export const multitask: Example = {
  name: 'multitask',
  title: 'Multi-task regression with conflicting targets: summed gradients vs PCGrad',
  shows: "with summed gradients the weaker task's loss rises; PCGrad and MGDA lower both",
  async run(e: Engine, o: ExampleOptions): Promise<ExampleResult> {
    const log = o.log ?? (() => {});
    const quick = o.quick ?? false;
    const n = quick ? 64 : 256, d = 4, steps = quick ? 20 : 40;
    const u = uniform(o.seed ?? 0);
    const X = Float32Array.from({ length: n * d }, () => 2 * u() - 1);
    const a = [1, 0.5, -0.3, 0.2], c = [-1, 0.2, 0.8, 0.6];
    const target = (w: number[]): Float32Array => Float32Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + wj * X[i * d + j], 0));
    log(`${n} samples, d = ${d}; task A: y = a·x, task B (weight 4): y = c·x, a·c = ${a.reduce((s, v, j) => s + v * c[j], 0).toFixed(2)}; SGD lr 0.05, ${steps} steps from w = 0`);
    const x = e.tensor([n, d], X), ya = e.tensor([n, 1], target(a)), yb = e.tensor([n, 1], target(c));
    const headline: Record<string, number> = {};
    try {
      for (const m of ['sum', 'pcgrad', 'mgda'] as Method[]) {
        const model = e.nn.linear(d, 1, { seed: 2 });
        model.setParameters(new Float32Array(d + 1));
        const opt = e.optim.sgd(model, { lr: 0.05 });
        const mt = e.optim.multiTask(model, opt, { method: m, seed: o.seed ?? 0 });
        const la: number[] = [], lb: number[] = [];
        let conflicts = 0;
        try {
          for (let s = 0; s < steps; s++) {
            const r = mt.step([{ x, y: ya, loss: 'mse' }, { x, y: yb, loss: 'mse', weight: 4 }]);
            la.push(r.losses[0]);
            lb.push(r.losses[1]);
            conflicts += r.conflicts;
          }
          la.push(model.lossAndGrad(x, ya, 'mse'));
          lb.push(model.lossAndGrad(x, yb, 'mse'));
        } finally {
          mt.dispose();
          opt.dispose();
          model.dispose();
        }
        headline[`${m}.taskA`] = la[la.length - 1] / la[0];
        headline[`${m}.taskB`] = lb[lb.length - 1] / lb[0];
        log(`${m.padEnd(6)} task A loss ${la[0].toFixed(3)} -> ${la[la.length - 1].toFixed(3)}, task B ${lb[0].toFixed(3)} -> ${lb[lb.length - 1].toFixed(3)}; conflicting steps ${conflicts}/${steps}`);
      }
    } finally {
      for (const t of [x, ya, yb]) t.dispose();
    }
    for (const l of headlineLines(headline)) log(l);
    return { headline };
  },
};
