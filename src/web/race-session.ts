// The Race view's run, in the worker: every selected first-order racer is a real
// optimizer of engine.optim over its own engine.vector(2), all from the same start.
// Each step writes ∇f(x, y) of the landscape (plus N(0, σ²) noise on the noisy bowl,
// from a seeded stream per racer) into the vector's gradient buffer and calls step().
// L-BFGS and Newton are engine.minimize runs (exact gradient, and the exact Hessian
// for Newton) made when the race starts; their iterates are revealed one per step.
import { Random, type Engine, type LearningRate, type Optimizer, type ParameterVector } from '../index.js';
import { LANDSCAPES, RACERS, type RaceConfig } from './landscapes.js';
import type { RaceUpdate } from './protocol.js';

interface Racer {
  name: string;
  x: ParameterVector | null;
  opt: Optimizer<{ lr?: LearningRate }> | null;
  /** a solver's iterates (x, y pairs), from the start on */
  iterates: number[] | null;
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
      const land = LANDSCAPES[config.landscape];
      for (const [i, r] of config.racers.entries()) {
        const noise = new Random(config.seed + 101 * i);
        const solver = RACERS[r.name]?.solver;
        if (solver !== undefined) {
          if (land.noisy) continue; // deterministic methods: not raced on a noisy gradient
          this.racers.push({ name: r.name, x: null, opt: null, iterates: this.solve(solver), noise, out: false });
          continue;
        }
        const x = engine.vector(2, config.start);
        this.racers.push({ name: r.name, x, opt: build(engine, r.name, x, r.lr, r.extra), iterates: null, noise, out: false });
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** engine.minimize from the start, at most `steps` iterations; the iterates as x, y pairs. */
  private solve(method: 'lbfgs' | 'newton'): number[] {
    const { config } = this;
    const land = LANDSCAPES[config.landscape], p = config.params;
    const fun = (x: Float64Array, g?: Float64Array) => {
      if (g) land.grad(x[0], x[1], p, g);
      return land.f(x[0], x[1], p);
    };
    const hess = (x: Float64Array, H: Float64Array) => land.hess(x[0], x[1], p, H);
    const r = this.engine.minimize(fun, config.start, { method, maxIter: config.steps, gtol: 1e-9, history: true, ...(method === 'newton' ? { hess } : {}) });
    return [config.start[0], config.start[1], ...(r.history ?? []).flatMap((it) => [it.x[0], it.x[1]])];
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
        if (r.iterates !== null) {
          const k = 2 * (this.step + s + 1);
          if (k >= r.iterates.length) continue; // converged (or stopped) earlier
          const [x, y] = [r.iterates[k], r.iterates[k + 1]];
          paths[i].xy.push(x, y);
          paths[i].gap.push(Math.max(land.f(x, y, p) - land.fMin, 0));
          continue;
        }
        if (r.x === null || r.opt === null) continue;
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
      r.opt?.dispose();
      r.x?.dispose();
    }
    this.racers.length = 0;
  }
}
