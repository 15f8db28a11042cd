/**
 * Networks: initialization and the activation variance through depth (claim 14), and
 * dropout's effect on the curvature of a quadratic model (claim 17). The layers are
 * `engine.nn.sequential` of `layers.linear` (with the engine's initializers) and
 * `layers.activation` / `layers.dropout`; curvature is measured from the model's own
 * gradients averaged over the engine's dropout masks.
 */
import type { Engine } from '../engine.js';
import { calculateGain, initializers, type Initializer } from '../init/index.js';
import { layers } from '../nn/layers.js';
import type { ActivationName } from '../nn/layers.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { fmt, gaussian, stream } from './util.js';

/** E[h²] after each of `depth` layers linear(width) → act, from x ~ N(0, 1) (batch 128). */
function secondMoments(engine: Engine, act: ActivationName, init: Initializer, depth: number, width: number, seed: number): number[] {
  const batch = 128;
  let x = engine.tensor([batch, width], gaussian(stream(seed, 14), batch, width));
  const out: number[] = [];
  const models = [];
  for (let l = 0; l < depth; l++) {
    const m = engine.nn.sequential([layers.linear(width, width, { init }), layers.activation(act)], { seed: seed * 1000 + l });
    models.push(m);
    x = m.forward(x);
    let s = 0;
    for (const v of x.data) s += v * v;
    out.push(s / x.data.length);
  }
  for (const m of models) m.dispose();
  return out;
}

export const initVariance: Experiment = {
  name: 'init-activation-variance',
  title: 'He init for ReLU, Xavier for tanh: stable activations through depth',
  claim: 'He initialization keeps the second moment of ReLU activations constant with depth and Xavier initialization (with the tanh gain 5/3) keeps tanh activations at a stable level, while mismatched scales make them vanish (Xavier with ReLU) or explode (He with a linear network).',
  source: 'He, Zhang, Ren & Sun (ICCV 2015), §2.2; Glorot & Bengio (AISTATS 2010), §4.2; PyTorch torch.nn.init.calculate_gain',
  params: {
    depth: { default: 30, min: 6, max: 200, integer: true, help: 'layers' },
    width: { default: 256, min: 16, max: 2048, integer: true, help: 'width' },
    nets: { default: 3, min: 1, max: 50, integer: true, help: 'independent networks averaged' },
  },
  small: { depth: 20, width: 192 },
  stochastic: true,
  run(engine, p, seed) {
    const runs = [
      { name: 'ReLU, He', act: 'relu' as const, init: initializers.kaimingNormal({ nonlinearity: 'relu' }) },
      { name: 'tanh, Xavier (gain 5/3)', act: 'tanh' as const, init: initializers.xavierNormal({ gain: calculateGain('tanh') }) },
      { name: 'ReLU, Xavier', act: 'relu' as const, init: initializers.xavierNormal() },
      { name: 'linear, He', act: 'identity' as const, init: initializers.kaimingNormal({ nonlinearity: 'relu' }) },
    ].map((c) => {
      const qs = Array.from({ length: p.nets }, (_, i) => secondMoments(engine, c.act, c.init, p.depth, p.width, seed * 100 + i));
      return { ...c, q: qs[0].map((_, l) => qs.reduce((s, q) => s + q[l], 0) / p.nets) };
    });
    // ratio of the last layer to layer 5 (tanh settles on its fixed point in a few layers), per layer
    const ratio = (q: number[]) => q[q.length - 1] / q[4];
    const [he, xav, vanish, explode] = runs.map((r) => ratio(r.q));
    const span = p.depth - 5;
    const checks = [
      atMost(`ReLU + He: |log₂(E[h²]_L / E[h²]_5)| per layer`, Math.abs(Math.log2(he)) / span, 0.1),
      atMost(`tanh + Xavier(5/3): |log₂(E[h²]_L / E[h²]_5)| per layer`, Math.abs(Math.log2(xav)) / span, 0.1),
      atMost(`ReLU + Xavier: log₂ ratio per layer (halves: −1)`, Math.log2(vanish) / span, -0.8),
      atLeast(`linear + He: log₂ ratio per layer (doubles: +1)`, Math.log2(explode) / span, 0.8),
    ];
    return result(
      checks,
      runs.map((r) => ({ name: r.name, y: r.q.map((v) => Math.min(Math.max(v, 1e-30), 1e30)) })),
      { xLabel: 'layer', yLabel: 'E[h²]', logY: true },
      { header: ['activation, init', 'E[h²] layer 1', `E[h²] layer ${p.depth}`], rows: runs.map((r) => [r.name, fmt(r.q[0]), fmt(r.q[p.depth - 1])]) },
    );
  },
};

export const dropoutCurvature: Experiment = {
  name: 'dropout-curvature',
  title: 'Dropout scales the curvature as the keep probability predicts',
  claim: 'Inverted dropout with keep probability q on the inputs of a linear model under squared loss multiplies the diagonal of the expected Hessian by 1/q and leaves its off-diagonal entries unchanged (an adaptive L2 penalty).',
  source: 'Wager, Wang & Liang, "Dropout training as adaptive regularization" (NeurIPS 2013), §2; Srivastava et al., JMLR 15 (2014), §9',
  params: {
    keep: { default: 0.5, min: 0.1, max: 1, help: 'keep probability q' },
    masks: { default: 400, min: 50, max: 100000, integer: true, help: 'dropout masks averaged per direction' },
    train: { default: 1, min: 0, max: 1, integer: true, help: '1: training mode (dropout on); 0: eval mode' },
  },
  small: { masks: 250 },
  stochastic: true,
  counter: { params: { train: 0 }, why: 'in eval mode dropout is the identity: the curvature is not scaled' },
  run(engine, p, seed) {
    const d = 6, n = 64;
    const r = stream(seed, 17);
    const Xd = gaussian(r, n, d);
    const x = engine.tensor([n, d], Xd), y = engine.tensor([n, 1]);
    const drop = 1 - p.keep;
    const model = engine.nn.sequential([layers.dropout(Math.min(drop, 0.999)), layers.linear(d, 1, { bias: false })], { seed });
    if (p.train) model.train();
    else model.eval();
    // half-mean mse = (1/2n)Σ(wᵀx̃)², y = 0: ∇ = (1/n)Σ x̃x̃ᵀw, linear in w, so column j of E[H] is E[∇] at w = e_j
    const H = new Float64Array(d * d);
    for (let j = 0; j < d; j++) {
      model.setParameters(Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)));
      for (let t = 0; t < p.masks; t++) {
        model.lossAndGrad(x, y, 'mse');
        const g = model.gradients();
        for (let i = 0; i < d; i++) H[i * d + j] += g[i] / p.masks;
      }
    }
    model.dispose();
    // prediction: H_ij = (1/n)Σ x_i x_j, diagonal divided by q
    let diagErr = 0, offErr = 0, scale = 0;
    const ratios: number[] = [];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (Xd[k * d + i] * Xd[k * d + j]) / n;
      scale = Math.max(scale, Math.abs(s));
      if (i === j) {
        ratios.push(H[i * d + i] / s);
        diagErr = Math.max(diagErr, Math.abs(H[i * d + i] / (s / p.keep) - 1));
      } else offErr = Math.max(offErr, Math.abs(H[i * d + j] - s));
    }
    const checks = [
      atMost('max_i |H_ii(measured) / (H_ii(no dropout)/q) − 1|', diagErr, 0.05),
      atMost('max_{i≠j} |H_ij(measured) − H_ij(no dropout)| / max |H|', offErr / scale, 0.05),
    ];
    return result(
      checks,
      [
        { name: 'H_ii(dropout) / H_ii(no dropout)', y: ratios },
        { name: '1/q', y: ratios.map(() => 1 / p.keep), dashed: true },
      ],
      { xLabel: 'coordinate i', yLabel: 'diagonal curvature ratio' },
      { header: ['i', 'measured ratio', '1/q'], rows: ratios.map((v, i) => [i, fmt(v), fmt(1 / p.keep)]) },
    );
  },
};
