// End to end: plain SGD on a fixed small MLP and fixed batches with the rate from
// each schedule, against torch SGD + the matching lr_scheduler (fixture
// test/fixtures/schedules_training.json from make_schedules.py). Checks that
// schedule(t) is the rate of the (t+1)-th update, that reduceOnPlateau reacts to
// the same losses, and that the parameters agree to 1e-5 relative.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schedules, type Schedule } from '../src/index.js';
import { BUILDS, engineFor, expectClose } from './helpers.js';

interface Spec {
  kind: string;
  options: Record<string, unknown>;
}
interface Run extends Spec {
  name: string;
  lr: number[];
  loss: number[];
  params: number[][];
  /** SGD momentum used at each step (runs with sgdMomentum: the schedule cycles it) */
  momentum?: number[];
  sgdMomentum?: boolean;
}
interface Training {
  torch: string;
  sizes: number[];
  init: number[];
  x: number[][];
  y: number[][];
  rows: number;
  steps: number;
  every: number;
  runs: Run[];
}

const fixture: Training = JSON.parse(readFileSync(new URL('./fixtures/schedules_training.json', import.meta.url), 'utf8'));

function build(spec: Spec): Schedule {
  const o = { ...spec.options };
  if (Array.isArray(o.schedules)) o.schedules = (o.schedules as Spec[]).map(build);
  return (schedules as unknown as Record<string, (o: unknown) => Schedule>)[spec.kind](o);
}

describe.each(BUILDS)('SGD with each schedule matches torch SGD + lr_scheduler on an MLP (%s build)', (build_) => {
  it('the fixture covers every scheduler at two base rates', () => {
    expect(fixture.runs.length).toBe(28);
    expect(new Set(fixture.runs.map((r) => r.kind)).size).toBe(12);
    expect(fixture.runs.filter((r) => r.sgdMomentum).length).toBe(4);
  });

  for (const run of fixture.runs) {
    it(run.name, async () => {
      const engine = await engineFor(build_);
      const [d0, , dL] = fixture.sizes;
      const model = engine.nn.mlp(fixture.sizes, { activation: 'tanh' });
      model.setParameters(fixture.init);
      const xs = fixture.x.map((b) => engine.tensor([fixture.rows, d0], b));
      const ys = fixture.y.map((b) => engine.tensor([fixture.rows, dL], b));
      const mse = engine.loss.mse({ reduction: 'mean' }); // torch MSELoss()
      const plateau = run.kind === 'reduceOnPlateau' ? schedules.reduceOnPlateau(run.options as never) : undefined;
      const schedule = plateau ? plateau.schedule : build(run);
      const n = model.numParameters;
      const k = engine.kernels;
      const buf = run.sgdMomentum ? engine.allocF32(n) : 0;
      for (let t = 0; t < fixture.steps; t++) {
        const lr = schedule(t);
        expectClose(`${run.name}: lr at step ${t}`, [lr], [run.lr[t]], { rtol: 1e-6, atol: 0 });
        const b = t % xs.length;
        const loss = model.lossAndGrad(xs[b], ys[b], mse);
        expectClose(`${run.name}: loss at step ${t}`, [loss], [run.loss[t]], { rtol: 1e-5, atol: 1e-7 });
        if (run.sgdMomentum) {
          // torch SGD momentum μ_t from the schedule: buf ← g (first step) | μ_t·buf + g; θ ← θ − η_t·buf
          const mu = (schedule as schedules.CycleSchedule).momentum(t);
          expectClose(`${run.name}: momentum at step ${t}`, [mu], [run.momentum![t]], { rtol: 1e-6, atol: 0 });
          if (t === 0) k.f32_copy(n, model.gradsPtr, buf);
          else {
            k.f32_scal(n, buf, mu);
            k.f32_axpy(n, model.gradsPtr, buf, 1);
          }
          k.f32_axpy(n, buf, model.paramsPtr, -lr);
        } else {
          k.f32_axpy(n, model.gradsPtr, model.paramsPtr, -lr); // θ ← θ − η_t ∇L (torch SGD)
        }
        plateau?.update(loss);
        if (t % fixture.every === fixture.every - 1) {
          const k = (t + 1) / fixture.every - 1;
          expectClose(`${run.name}: parameters after step ${t}`, model.parameters(), run.params[k], { rtol: 1e-5, atol: 1e-6 });
        }
      }
      if (plateau) expect(plateau.lr).toBeLessThan(run.lr[0]); // it did reduce mid-run
      if (buf) engine.arena.free(buf);
      model.dispose();
      for (const t of [...xs, ...ys]) t.dispose();
    });
  }
});

describe.each(BUILDS)('engine.optim.sgd({ lr: schedule }) reproduces the same torch runs (%s build)', (build_) => {
  // Scheduled rates may reach 0 (torch's PolynomialLR does at total_iters). The
  // momentum-cycling runs pass the schedule's .momentum as the optimizer's momentum,
  // on the fused path and on the chain (trace with a momentum schedule).
  const cases = fixture.runs.flatMap((r) => (r.sgdMomentum ? [true, false].map((fused) => ({ run: r, fused })) : [{ run: r, fused: true }]));
  for (const { run, fused } of cases) {
    it(`${run.name}${run.sgdMomentum ? (fused ? ' (momentum schedule, fused)' : ' (momentum schedule, chain)') : ''}`, async () => {
      const engine = await engineFor(build_);
      const [d0, , dL] = fixture.sizes;
      const model = engine.nn.mlp(fixture.sizes, { activation: 'tanh' });
      model.setParameters(fixture.init);
      const xs = fixture.x.map((b) => engine.tensor([fixture.rows, d0], b));
      const ys = fixture.y.map((b) => engine.tensor([fixture.rows, dL], b));
      const mse = engine.loss.mse({ reduction: 'mean' });
      const plateau = run.kind === 'reduceOnPlateau' ? schedules.reduceOnPlateau(run.options as never) : undefined;
      const lr = plateau ? plateau.schedule : build(run);
      const opt = engine.optim.sgd(model, run.sgdMomentum ? { lr, momentum: (lr as schedules.CycleSchedule).momentum, fused } : { lr });
      for (let t = 0; t < fixture.steps; t++) {
        expectClose(`${run.name}: optimizer lr at step ${t}`, [opt.currentLr], [run.lr[t]], { rtol: 1e-6, atol: 0 });
        const b = t % xs.length;
        const loss = model.lossAndGrad(xs[b], ys[b], mse);
        opt.step();
        plateau?.update(loss);
        if (t % fixture.every === fixture.every - 1) {
          const k = (t + 1) / fixture.every - 1;
          expectClose(`${run.name}: parameters after step ${t}`, model.parameters(), run.params[k], { rtol: 1e-5, atol: 1e-6 });
        }
      }
      expect(opt.stepCount).toBe(fixture.steps);
      opt.dispose();
      model.dispose();
      for (const t of [...xs, ...ys]) t.dispose();
    });
  }
});
