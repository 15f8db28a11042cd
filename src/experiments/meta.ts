/**
 * Meta-optimization (claims 22 and 42): the implicit hypergradient of the validation loss
 * against its finite difference (`engine.meta.hypergradient`), and the evolutionary and
 * Metropolis search methods against random search at an equal budget (`search()`, async).
 */
import { linearRegression } from '../data/generators.js';
import { ValueError } from '../errors.js';
import { BENCHMARKS, noisy } from '../meta/benchmarks.js';
import { search, type SearchMethod, type SearchResult } from '../meta/search.js';
import { atLeast, atMost, result, type AsyncExperiment, type Experiment } from './types.js';
import { fmt, logspace, mean } from './util.js';

export const hypergradientImplicit: Experiment = {
  name: 'hypergradient-implicit',
  title: 'The implicit hypergradient equals the finite difference of the validation loss',
  claim: 'At the stationary point θ*(λ) of the training loss plus λ/2‖θ‖², implicit differentiation gives dL_val/dλ = −vᵀθ* with (H + λI)v = ∇L_val(θ*), and it equals the central finite difference of the validation loss of the retrained model.',
  source: 'Bengio, "Gradient-based optimization of hyperparameters", Neural Computation 12 (2000); Pedregosa, "Hyperparameter optimization with approximate gradient" (HOAG), ICML 2016, §2; Lorraine, Vicol & Duvenaud, AISTATS 2020',
  params: {
    hidden: { default: 6, min: 2, max: 32, integer: true, help: 'hidden width of the tanh MLP 3-h-1' },
    samples: { default: 80, min: 20, max: 1000, integer: true, help: 'training samples (validation: 5/8 as many)' },
    innerIters: { default: 5000, min: 1, max: 20000, integer: true, help: 'L-BFGS iterations of each inner training to θ*(λ) (Newton polish only when ≥ 100)' },
    rel: { default: 0.01, min: 1e-4, max: 0.2, help: 'relative step h of the finite difference: λ(1 ± h)' },
  },
  small: { samples: 60 },
  counter: { params: { innerIters: 3 }, why: 'three inner iterations stop far from θ*(λ): the implicit formula assumes stationarity' },
  run(engine, p, seed) {
    const weights = [0.8, -1.2, 0.5];
    const train = linearRegression({ n: p.samples, dim: 3, weights, bias: 0.3, noise: 0.3, seed: seed * 2 + 1 });
    const validation = linearRegression({ n: Math.round((p.samples * 5) / 8), dim: 3, weights, bias: 0.3, noise: 0.3, seed: seed * 2 + 2 });
    const model = engine.nn.mlp([3, p.hidden, 1], { activation: 'tanh', seed: seed + 1 });
    const start = model.parameters().slice();
    const inner = { tol: 1e-9, maxIter: p.innerIters, polish: p.innerIters >= 100 ? 8 : 0 };
    const lambdas = logspace(0.01, 0.3, 4);
    const implicit: number[] = [], fd: number[] = [], errs: number[] = [], stat: number[] = [];
    const rows: (string | number)[][] = [];
    try {
      for (const lambda of lambdas) {
        const opts = { model, train, validation, hyper: 'weightDecay' as const, inner, from: start };
        let r;
        try {
          r = engine.meta.hypergradient({ ...opts, value: lambda });
        } catch (e) {
          // away from θ*(λ) the Hessian may be indefinite: CG stops and no implicit hypergradient exists
          if (!(e instanceof ValueError && /not positive definite/.test(e.message))) throw e;
          implicit.push(NaN); fd.push(NaN); errs.push(Infinity); stat.push(Infinity);
          rows.push([fmt(lambda), '—', 'H + λI not positive definite', '—', '∞', '—', '—']);
          continue;
        }
        // retrain at λ(1 ± h) from θ*(λ) and difference the validation losses
        const up = engine.meta.hypergradient({ ...opts, value: lambda * (1 + p.rel), from: r.parameters });
        const down = engine.meta.hypergradient({ ...opts, value: lambda * (1 - p.rel), from: r.parameters });
        const d = (up.value - down.value) / (2 * lambda * p.rel);
        implicit.push(r.grad);
        fd.push(d);
        errs.push(Math.abs(r.grad - d) / Math.abs(d));
        stat.push(r.stationarity);
        rows.push([fmt(lambda), fmt(r.value), fmt(r.grad), fmt(d), fmt(errs.at(-1)!), r.cgIterations, fmt(r.stationarity)]);
      }
    } finally {
      model.dispose();
    }
    const checks = [
      atMost('max relative |implicit − finite difference| / |finite difference| over λ', Math.max(...errs), 1e-3),
      atMost('max ‖∇L_train(θ*) + λθ*‖ (stationarity of the inner solve)', Math.max(...stat), 1e-4),
      atLeast('min |dL_val/dλ| (the hypergradients are not ~0)', Math.min(...fd.map((v) => (Number.isNaN(v) ? 0 : Math.abs(v)))), 1e-4),
    ];
    return result(
      checks,
      [
        { name: 'implicit dL_val/dλ', x: lambdas, y: implicit },
        { name: 'central difference', x: lambdas, y: fd, dashed: true },
      ],
      { xLabel: 'weight decay λ', yLabel: 'dL_val/dλ' },
      { header: ['λ', 'L_val(θ*)', 'implicit', 'finite diff.', 'rel. error', 'CG iters', '‖∇‖ at θ*'], rows },
    );
  },
};

const SEARCHERS: readonly SearchMethod[] = ['tournament', 'replica-exchange', 'surrogate-acceptance'];

/** True regret f(config) − min of the best-so-far config after each of `budget` evaluations. */
function regretCurve(r: SearchResult, f: (c: SearchResult['best']['config']) => number, min: number, budget: number): number[] {
  const out: number[] = [];
  let h = 0, best = -1;
  for (let k = 1; k <= budget; k++) {
    while (h < r.history.length && r.history[h].spent <= k + 1e-9) best = r.history[h++].best;
    out.push(best < 0 ? NaN : f(r.trials[best].config) - min);
  }
  return out;
}

const NOISE: Record<string, number> = { branin: 0.4, hartmann6: 0.1 };

export const searchBeatsRandom: AsyncExperiment = {
  name: 'search-beats-random',
  title: 'Tournament selection, replica exchange and noisy-surrogate acceptance beat random search',
  claim: 'At an equal budget of noisy evaluations, tournament selection, replica exchange and surrogate acceptance find configurations with a lower true regret than random search, on average over repetitions and problems.',
  source: 'Bergstra & Bengio, "Random search for hyper-parameter optimization", JMLR 13 (2012); Goldberg & Deb (1991) (tournament selection); Swendsen & Wang (1986), Earl & Deem (2005) (replica exchange); Birattari et al., "A racing algorithm for configuring metaheuristics", GECCO 2002 (acceptance on evidence); Dixon & Szegő (1978) (Branin, Hartmann-6)',
  params: {
    budget: { default: 60, min: 10, max: 400, integer: true, help: 'evaluations per search (every method)' },
    repeats: { default: 40, min: 2, max: 200, integer: true, help: 'searches per method and problem (seeds), averaged' },
    noise: { default: 1, min: 0, max: 50, help: 'evaluation noise sd as a multiple of 0.4 (Branin, f ∈ [0.4, 300]) and 0.1 (Hartmann-6, f ∈ [-3.3, 0])' },
    randomFactor: { default: 1, min: 1, max: 50, integer: true, help: "random search's budget as a multiple of the others' (1: equal budgets)" },
  },
  stochastic: true,
  async: true,
  counter: { params: { randomFactor: 10 }, why: 'random search with 10× the budget: the budgets are not equal' },
  async run(_engine, p, seed) {
    const methods = ['random', ...SEARCHERS] as SearchMethod[];
    const ratios: Record<string, number[]> = Object.fromEntries(SEARCHERS.map((m) => [m, []]));
    const rows: (string | number)[][] = [];
    const series: { name: string; x: number[]; y: number[]; dashed?: boolean }[] = [];
    for (const b of BENCHMARKS) {
      const objective = noisy(b, NOISE[b.name] * p.noise);
      const finals: Record<string, number[]> = {};
      for (const method of methods) {
        const budget = method === 'random' ? p.budget * p.randomFactor : p.budget;
        const curves: number[][] = [];
        finals[method] = [];
        for (let k = 0; k < p.repeats; k++) {
          const r = await search({ space: b.space, objective, budget, method, seed: seed * 1000 + k });
          finals[method].push(b.f(r.best.config) - b.min);
          curves.push(regretCurve(r, b.f, b.min, budget));
        }
        if (b.name === 'branin') {
          const y = curves[0].map((_, i) => mean(curves.map((c) => c[i]).filter(Number.isFinite)));
          series.push({ name: `${method} (Branin)`, x: y.map((_, i) => i + 1), y, dashed: method === 'random' });
        }
      }
      const base = mean(finals.random);
      for (const m of methods) {
        const ratio = mean(finals[m]) / base;
        if (m !== 'random') ratios[m].push(ratio);
        rows.push([b.name, m, m === 'random' ? p.budget * p.randomFactor : p.budget, fmt(mean(finals[m])), fmt(ratio), m === 'random' ? '—' : finals[m].filter((v, i) => v < finals.random[i]).length]);
      }
    }
    const checks = SEARCHERS.map((m) => atMost(`${m}: mean regret / random's (mean over Branin and Hartmann-6)`, mean(ratios[m]), 0.95));
    return result(checks, series, { xLabel: 'evaluations', yLabel: 'mean true regret of the best so far (Branin)', logY: true }, {
      header: ['problem', 'method', 'budget', 'mean regret', '/ random', `of ${p.repeats} seeds better than random`],
      rows,
    });
  },
};
