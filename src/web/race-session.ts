// The Race view's run, in the worker: every selected racer is a real optimizer of
// engine.optim over its own engine.vector(2), all from the same start. Each step
// writes ∇f(x, y) of the landscape (plus N(0, σ²) noise on the noisy bowl, from a
// seeded stream per racer) into the vector's gradient buffer and calls step().
import { Random, type Engine, type LearningRate, type Optimizer, type ParameterVector } from '../index.js';
import { LANDSCAPES, type RaceConfig } from './landscapes.js';
import type { RaceUpdate } from './protocol.js';

interface Racer {
  name: string;
  x: ParameterVector;
  opt: Optimizer<{ lr?: LearningRate }>;
  noise: Random;
  /** stopped: left the box by far or became non-finite */
  out: boolean;
}

/** Options of engine.optim.<method> for a racer. */
function build(engine: Engine, name: string, x: ParameterVector, lr: number, extra: number): Optimizer<{ lr?: LearningRate }> {
  const o = engine.optim;
  switch (name) {
    case 'gd': return o.sgd(x, { lr });
    case 'momentum': return o.sgd(x, { lr, momentum: extra });
    case 'nesterov': return o.sgd(x, { lr, momentum: extra, nesterov: true });
    case 'adagrad': return o.adagrad(x, { lr });
    case 'rmsprop': return o.rmsprop(x, { lr });
    case 'adam': return o.adam(x, { lr });
    case 'adamw': return o.adamw(x, { lr, weightDecay: extra });
    case 'langevin': return o.langevin(x, { lr, temperature: extra, seed: 7 });
    default: throw new Error(`unknown racer ${name}`);
  }
}

export class RaceSession {
  private readonly racers: Racer[] = [];
  private readonly g = new Float64Array(2);
  step = 0;

  constructor(readonly engine: Engine, readonly config: RaceConfig) {
    try {
      for (const [i, r] of config.racers.entries()) {
        const x = engine.vector(2, config.start);
        this.racers.push({ name: r.name, x, opt: build(engine, r.name, x, r.lr, r.extra), noise: new Random(config.seed + 101 * i), out: false });
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** The start point as a first update (so every path has its first vertex). */
  first(): RaceUpdate {
    const land = LANDSCAPES[this.config.landscape];
    const [x, y] = this.config.start;
    const gap = Math.max(land.f(x, y, this.config.params) - land.fMin, 0);
    return { type: 'race-update', step: 0, done: false, paths: this.racers.map((r) => ({ name: r.name, xy: [x, y], gap: [gap] })) };
  }

  /** `count` steps of every racer; the points they reached. */
  advance(count: number): RaceUpdate {
    const { config, g } = this;
    const land = LANDSCAPES[config.landscape];
    const p = config.params;
    const [bx0, bx1, by0, by1] = land.box;
    const span = Math.max(bx1 - bx0, by1 - by0);
    const paths = this.racers.map((r) => ({ name: r.name, xy: [] as number[], gap: [] as number[] }));
    const n = Math.min(count, config.steps - this.step);
    for (let s = 0; s < n; s++) {
      for (const [i, r] of this.racers.entries()) {
        if (r.out) continue;
        const v = r.x.params;
        land.grad(v[0], v[1], p, g);
        if (land.noisy) {
          g[0] += p.sigma * r.noise.normal();
          g[1] += p.sigma * r.noise.normal();
        }
        r.x.grads.set(g);
        r.opt.step();
        const w = r.x.params;
        const fx = land.f(w[0], w[1], p);
        // a diverged racer stops where it left the picture (10 box widths away), or at a non-finite value
        if (!Number.isFinite(fx) || Math.abs(w[0]) > 10 * span || Math.abs(w[1]) > 10 * span) r.out = true;
        if (!Number.isFinite(fx)) continue;
        paths[i].xy.push(w[0], w[1]);
        paths[i].gap.push(Math.max(fx - land.fMin, 0));
      }
    }
    this.step += n;
    return { type: 'race-update', step: this.step, done: this.step >= config.steps, paths };
  }

  dispose(): void {
    for (const r of this.racers) {
      r.opt.dispose();
      r.x.dispose();
    }
    this.racers.length = 0;
  }
}
