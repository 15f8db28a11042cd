/**
 * A streaming Poisson regression (GLM with log link) whose rate has a burst.
 *
 * Stream: x_t ~ N(0, I_d), y_t ~ Poisson(exp(w*·x_t + b_t)), with b_t = b₀ except during a
 * burst, where it is b₀ + 3 (twenty times the rate). Model: engine.nn.linear(d, 1) with the
 * 'poissonNll' loss (torch's poisson_nll_loss, log input: exp(η) − y·η), one mini-batch per
 * step, each batch seen once (online learning).
 *
 * The effect: AdaGrad divides by the root of the SUM of squared gradients (Duchi, Hazan &
 * Singer 2011). The burst's gradients (∝ the rate) fill that sum for good, so after the burst
 * its effective step lr/√(Σg²) stays collapsed and the model is slow to come back to the
 * normal rate. RMSProp (Hinton 2012) and Adam (Kingma & Ba 2015) divide by an exponential
 * moving average that forgets the burst within ~1/(1 − β₂) steps, and recover. Headline:
 * each method's mean excess loss over the true rate's (the oracle's) in the window after the
 * burst, and before it; all three use the same learning rate.
 */
import type { Engine } from '../engine.js';
import { headlineLines, normal, uniform, type Example, type ExampleOptions, type ExampleResult } from './types.js';

/** Knuth's Poisson sampler (small rates; the burst's rate stays below ~200). */
function poisson(lambda: number, u: () => number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(u)));
  const l = Math.exp(-lambda);
  let k = 0, p = 1;
  do {
    k++;
    p *= u();
  } while (p > l);
  return k - 1;
}

/** The stream of `poissonStream`: T batches of B samples, their oracle losses and the burst's steps. */
export interface PoissonStream {
  /** features [T·B, d], row-major */
  X: Float32Array;
  /** counts [T·B] */
  Y: Float32Array;
  /** per step: the mean loss exp(η) − yη of the true log-rate η (the best any model can do) */
  oracle: Float64Array;
  wStar: number[];
  /** the burst's steps [start, end) */
  burst: [number, number];
}

/**
 * The stream of the example (also used by the gallery's experiment): x ~ N(0, I_d),
 * y ~ Poisson(exp(w*·x + b_t)), b_t = b0 + jump during steps [T/3, T/3 + T/9), b0 elsewhere;
 * w* ~ N(0, 0.3² I). The same seed gives the same stream.
 */
export function poissonStream(o: { T: number; B: number; d: number; b0: number; jump: number; seed: number }): PoissonStream {
  const { T, B, d, b0 } = o;
  const burst: [number, number] = [Math.round(T / 3), Math.round(T / 3) + Math.round(T / 9)];
  const u = uniform(o.seed);
  const wStar = Array.from({ length: d }, () => 0.3 * normal(u));
  const X = new Float32Array(T * B * d), Y = new Float32Array(T * B), oracle = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const b = t >= burst[0] && t < burst[1] ? b0 + o.jump : b0;
    let nll = 0;
    for (let r = 0; r < B; r++) {
      let eta = b;
      for (let j = 0; j < d; j++) {
        const v = normal(u);
        X[(t * B + r) * d + j] = v;
        eta += wStar[j] * v;
      }
      const y = poisson(Math.exp(eta), u);
      Y[t * B + r] = y;
      nll += Math.exp(eta) - y * eta;
    }
    oracle[t] = nll / B;
  }
  return { X, Y, oracle, wStar, burst };
}

type Method = 'adagrad' | 'rmsprop' | 'adam';

export const poissonBurst: Example = {
  name: 'poisson-burst',
  title: 'Streaming Poisson regression with a burst: AdaGrad vs RMSProp vs Adam',
  shows: "AdaGrad's effective step collapses for good after a burst; RMSProp and Adam recover",
  async run(e: Engine, o: ExampleOptions): Promise<ExampleResult> {
    const log = o.log ?? (() => {});
    const quick = o.quick ?? false;
    const d = 5, B = 16, T = quick ? 900 : 3000;
    const b0 = 0.5;
    // the stream, drawn once so every method sees the same batches
    const { X, Y, oracle, burst } = poissonStream({ T, B, d, b0, jump: 3, seed: o.seed ?? 0 });
    log(`stream: ${T} steps of ${B} samples, d = ${d}, log-rate w*·x + ${b0}; burst +3 (×${Math.exp(3).toFixed(0)} the rate) during steps ${burst[0]}-${burst[1] - 1}; lr 0.05 for all`);
    const lr = 0.05;
    const headline: Record<string, number> = {};
    const windows = { before: [Math.round(T / 6), burst[0]], after: [burst[1] + Math.round(T / 18), T] } as const;
    for (const m of ['adagrad', 'rmsprop', 'adam'] as Method[]) {
      const model = e.nn.linear(d, 1, { seed: o.seed ?? 0 });
      model.setParameters(new Float32Array(d + 1));
      const opt = m === 'adagrad' ? e.optim.adagrad(model, { lr }) : m === 'rmsprop' ? e.optim.rmsprop(model, { lr }) : e.optim.adam(model, { lr });
      const x = e.tensor([B, d]), y = e.tensor([B, 1]);
      const excess = new Float64Array(T);
      try {
        for (let t = 0; t < T; t++) {
          x.data.set(X.subarray(t * B * d, (t + 1) * B * d));
          y.data.set(Y.subarray(t * B, (t + 1) * B));
          excess[t] = model.lossAndGrad(x, y, 'poissonNll') - oracle[t];
          opt.step();
        }
      } finally {
        x.dispose();
        y.dispose();
        opt.dispose();
        model.dispose();
      }
      const mean = (w: readonly number[]): number => excess.subarray(w[0], w[1]).reduce((a, v) => a + v, 0) / (w[1] - w[0]);
      headline[`${m}.before`] = mean(windows.before);
      headline[`${m}.after`] = mean(windows.after);
      log(`${m.padEnd(8)} excess loss over the oracle: before the burst ${mean(windows.before).toFixed(4)}, after it ${mean(windows.after).toFixed(4)}`);
    }
    for (const l of headlineLines(headline)) log(l);
    return { headline };
  },
};
