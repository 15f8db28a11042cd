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
    expect(fixture.runs.length).toBe(24);
    expect(new Set(fixture.runs.map((r) => r.kind)).size).toBe(12);
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
      for (let t = 0; t < fixture.steps; t++) {
        const lr = schedule(t);
        expectClose(`${run.name}: lr at step ${t}`, [lr], [run.lr[t]], { rtol: 1e-6, atol: 0 });
        const b = t % xs.length;
        const loss = model.lossAndGrad(xs[b], ys[b], mse);
        expectClose(`${run.name}: loss at step ${t}`, [loss], [run.loss[t]], { rtol: 1e-5, atol: 1e-7 });
        engine.kernels.f32_axpy(n, model.gradsPtr, model.paramsPtr, -lr); // θ ← θ − η_t ∇L (torch SGD)
        plateau?.update(loss);
        if (t % fixture.every === fixture.every - 1) {
          const k = (t + 1) / fixture.every - 1;
          expectClose(`${run.name}: parameters after step ${t}`, model.parameters(), run.params[k], { rtol: 1e-5, atol: 1e-6 });
        }
      }
      if (plateau) expect(plateau.lr).toBeLessThan(run.lr[0]); // it did reduce mid-run
      model.dispose();
      for (const t of [...xs, ...ys]) t.dispose();
    });
  }
});
