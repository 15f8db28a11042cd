/**
 * Online learning with a burst (claim 28): the streaming Poisson GLM of the
 * `poisson-burst` example (its data stream, not its runner), trained by AdaGrad and Adam at
 * the same learning rate, with each optimizer's effective rate read from its state.
 */
import { poissonStream } from '../examples/poisson-burst.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, mean } from './util.js';

/** AdaGrad: lr/(√s + ε) with s = Σg²; Adam: lr/(√v̂ + ε) with v̂ = v/(1 − β₂ᵗ) (the factor on m̂). Mean over parameters. */
function effectiveRate(method: 'adagrad' | 'adam', buffers: Record<string, Float32Array>, lr: number, t: number, beta2: number): number {
  const sq = method === 'adagrad' ? buffers.s : buffers.v;
  const corr = method === 'adagrad' ? 1 : 1 - beta2 ** t;
  let s = 0;
  for (let i = 0; i < sq.length; i++) s += lr / (Math.sqrt(sq[i] / corr) + (method === 'adagrad' ? 1e-10 : 1e-8));
  return s / sq.length;
}

export const poissonBurstRates: Experiment = {
  name: 'poisson-burst-adagrad-adam',
  title: "A Poisson burst: AdaGrad's effective rate stays collapsed, Adam's recovers",
  claim: "On a streaming Poisson GLM whose rate jumps for a while, AdaGrad's effective rate lr/√(Σg²) collapses for good (the burst's large gradients stay in the sum), while Adam's lr/√v̂ forgets the burst and recovers, so after the burst Adam tracks the true rate and AdaGrad does not.",
  source: 'Duchi, Hazan & Singer, "Adaptive subgradient methods", JMLR 12 (2011); Kingma & Ba, "Adam", ICLR 2015, §2; Tieleman & Hinton (2012), RMSProp lecture 6.5; McCullagh & Nelder, "Generalized Linear Models" (1989), §6.2',
  params: {
    jump: { default: 3, min: 0, max: 4, help: 'the burst adds this to the log-rate (3: ×20 the rate)' },
    steps: { default: 3000, min: 450, max: 20000, integer: true, help: 'stream length T (burst during [T/3, T/3 + T/9))' },
    lr: { default: 0.05, min: 1e-3, max: 0.5, help: 'learning rate of both optimizers' },
    beta2: { default: 0.99, min: 0.9, max: 0.9999, help: "Adam's β₂: it forgets the burst within ~1/(1 − β₂) steps" },
  },
  small: { steps: 1500 },
  stochastic: true,
  counter: { params: { jump: 0 }, why: 'no burst: nothing collapses AdaGrad beyond its 1/√t decay, and Adam has nothing to recover from' },
  run(engine, p, seed) {
    const d = 5, B = 16, T = p.steps;
    const { X, Y, oracle, burst } = poissonStream({ T, B, d, b0: 0.5, jump: p.jump, seed });
    const before = burst[0] - 1, after = burst[1] + Math.round(T / 18);
    const every = Math.max(1, Math.round(T / 150));
    const rates: Record<string, number[]> = {}, excess: Record<string, Float64Array> = {}, at: Record<string, Float64Array> = {};
    const xs: number[] = [];
    for (let t = 0; t < T; t += every) xs.push(t + 1);
    for (const m of ['adagrad', 'adam'] as const) {
      const model = engine.nn.linear(d, 1, { seed });
      model.setParameters(new Float32Array(d + 1));
      const opt = m === 'adagrad' ? engine.optim.adagrad(model, { lr: p.lr }) : engine.optim.adam(model, { lr: p.lr, betas: [0.9, p.beta2] });
      const x = engine.tensor([B, d]), y = engine.tensor([B, 1]);
      const ex = new Float64Array(T), r = new Float64Array(T);
      rates[m] = [];
      try {
        for (let t = 0; t < T; t++) {
          x.data.set(X.subarray(t * B * d, (t + 1) * B * d));
          y.data.set(Y.subarray(t * B, (t + 1) * B));
          ex[t] = model.lossAndGrad(x, y, 'poissonNll') - oracle[t];
          opt.step();
          // the rate after step t+1: before the burst, at the end, and every few steps for the plot
          if (t % every === 0 || t === before || t === T - 1) {
            r[t] = effectiveRate(m, opt.state().groups[0].buffers, p.lr, t + 1, p.beta2);
            if (t % every === 0) rates[m].push(r[t]);
          }
        }
      } finally {
        x.dispose();
        y.dispose();
        opt.dispose();
        model.dispose();
      }
      excess[m] = ex;
      at[m] = r;
    }
    const win = (a: Float64Array, lo: number, hi: number): number => mean(a.subarray(lo, hi));
    // AdaGrad's rate decays as 1/√t without a burst (s grows linearly): its collapse is measured against that trend
    const trend = Math.sqrt((before + 1) / T);
    const adagradCollapse = at.adagrad[T - 1] / at.adagrad[before] / trend;
    const adamRecovery = at.adam[T - 1] / at.adam[before];
    const adamLow = Math.min(...rates.adam.filter((_, i) => xs[i] > burst[0]));
    const exAfter = { adagrad: win(excess.adagrad, after, T), adam: win(excess.adam, after, T) };
    const checks = [
      atMost("AdaGrad: rate at the end / rate before the burst, over the 1/√t trend √(t_before/T)", adagradCollapse, 0.3),
      atLeast("Adam: rate at the end / rate before the burst", adamRecovery, 0.5),
      atLeast("Adam: rate at the end / its lowest after the burst began", at.adam[T - 1] / adamLow, 2),
      atMost("Adam's mean excess loss after the burst / AdaGrad's", exAfter.adam / exAfter.adagrad, 0.2),
    ];
    const rows = (['adagrad', 'adam'] as const).map((m) => [
      m, fmt(at[m][before]), fmt(at[m][T - 1]), fmt(at[m][T - 1] / at[m][before]),
      fmt(win(excess[m], Math.round(T / 6), burst[0])), fmt(win(excess[m], after, T)),
    ]);
    return result(
      checks,
      [
        { name: 'AdaGrad lr/√(Σg²)', x: xs, y: rates.adagrad },
        { name: 'Adam lr/√v̂', x: xs, y: rates.adam },
        { name: `burst (steps ${burst[0]}-${burst[1] - 1})`, x: [burst[0], burst[0], burst[1], burst[1]], y: [Math.min(...rates.adagrad), Math.max(...rates.adam), Math.max(...rates.adam), Math.min(...rates.adagrad)], dashed: true },
      ],
      { xLabel: 'step', yLabel: 'effective rate (mean over parameters)', logY: true },
      { header: ['optimizer', 'rate before burst', 'rate at end', 'end / before', 'excess loss before', 'excess loss after'], rows },
    );
  },
};
