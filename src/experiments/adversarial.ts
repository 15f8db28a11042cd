/**
 * Adaptive attackers and adversarial training (claim 30), on Tsipras et al.'s data with one
 * robust and many weak features: `engine.adversarial` attacks a trained MLP by plain
 * projected ascent and by Adam and RMSProp on the perturbation, at the same step size; then
 * a model trained on the Adam attacker's examples is attacked again.
 */
import { Dataset } from '../data/dataset.js';
import { evaluate } from '../train/evaluate.js';
import { atLeast, type Experiment, result } from './types.js';
import { fmt, mean, stream } from './util.js';

const METHODS = ['ascent', 'rmsprop', 'adam'] as const;

/**
 * Tsipras et al.'s robust/non-robust features (ICLR 2019, §2.1): label s = ±1, one robust
 * feature x₀ = s with probability p (else −s) and d weak features x_j ~ N(ηs, 1), η = 2/√d.
 * The weak features together predict s almost surely, but an ε ≥ 2η shift flips each of them.
 */
function robustFeatures(n: number, d: number, p: number, seed: number): Dataset {
  const r = stream(seed, 3000);
  const eta = 2 / Math.sqrt(d);
  const x = new Float32Array(n * (d + 1)), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = r.uniform() < 0.5 ? -1 : 1;
    y[i] = s > 0 ? 1 : 0;
    x[i * (d + 1)] = r.uniform() < p ? s : -s;
    for (let j = 1; j <= d; j++) x[i * (d + 1) + j] = eta * s + r.normal();
  }
  return new Dataset(x, y, { numFeatures: d + 1, numClasses: 2, name: 'robust-features' });
}

export const adaptiveAttacker: Experiment = {
  name: 'adam-attacker-adversarial-training',
  title: 'An Adam attacker finds stronger perturbations; training against it raises robust accuracy',
  claim: 'In an ε-ball around the inputs of a trained classifier, an attacker that runs Adam or RMSProp on the perturbation reaches a higher loss than plain projected gradient ascent at the same step size and number of steps, and a model trained on the Adam attacker\'s examples has a higher accuracy under that attack than a plainly trained one.',
  source: 'Madry et al., "Towards deep learning models resistant to adversarial attacks", ICLR 2018, §2-3; Goodfellow, Shlens & Szegedy, ICLR 2015; Kingma & Ba (2015) and Tieleman & Hinton (2012) for the attacker\'s step; Croce & Hein, "Reliable evaluation of adversarial robustness", ICML 2020, §3 (step-size-free attacks); Tsipras et al., "Robustness may be at odds with accuracy", ICLR 2019, §2.1 (the data)',
  params: {
    eps: { default: 0.6, min: 0, max: 3, help: 'radius of the linf ball (2η = 0.57 flips a weak feature; the robust one keeps its sign below 1)' },
    steps: { default: 10, min: 1, max: 50, integer: true, help: 'attack steps' },
    stepSize: { default: 0.15, min: 1e-4, max: 1, help: 'α of every attacker' },
    trainSteps: { default: 400, min: 20, max: 3000, integer: true, help: 'full-batch Adam steps of each model' },
    repeats: { default: 2, min: 1, max: 20, integer: true, help: 'data sets and models, averaged' },
    samples: { default: 400, min: 50, max: 4000, integer: true, help: 'examples in the training set and in the test set' },
  },
  // the test size: half the examples, one repeat, half the attack steps (at twice the step); the
  // training steps stay (fewer leave the adversarially trained model at chance for some seeds)
  small: { samples: 200, repeats: 1, steps: 5, stepSize: 0.3 },
  stochastic: true,
  counter: { params: { eps: 0 }, why: 'ε = 0: the ball is a point, no attacker can move and adversarial training is plain training' },
  run(engine, p, seed) {
    const D = 51, K = 2, n = p.samples;
    const loss: Record<string, number[]> = { clean: [], ascent: [], rmsprop: [], adam: [] };
    const robust: Record<string, number[]> = { plain: [], adversarial: [] };
    const clean: Record<string, number[]> = { plain: [], adversarial: [] };
    const curves: Record<string, number[]> = { plain: [], adversarial: [] };
    const every = Math.max(1, Math.round(p.trainSteps / 25));
    const attack = (method: (typeof METHODS)[number]) => ({ eps: p.eps, method, steps: p.steps, stepSize: p.stepSize });
    for (let rep = 0; rep < p.repeats; rep++) {
      const s = (seed * 97 + rep * 13) % 2 ** 31;
      const train = robustFeatures(n, D - 1, 0.9, s);
      const test = robustFeatures(n, D - 1, 0.9, s + 1);
      const x = engine.tensor([n, D], train.features), y = Int32Array.from(train.targets);
      const xt = engine.tensor([n, D], test.features), yt = Int32Array.from(test.targets);
      try {
        for (const kind of ['plain', 'adversarial'] as const) {
          const model = engine.nn.mlp([D, 32, K], { seed: s + 2 });
          const opt = engine.optim.adam(model, { lr: 0.01 });
          const attacker = engine.adversarial.attacker(model, attack('adam'));
          try {
            for (let t = 0; t < p.trainSteps; t++) {
              const xa = kind === 'adversarial' ? attacker.run(x, y, false).x : x;
              model.lossAndGrad(xa, y, 'softmaxCrossEntropy');
              opt.step();
              if (rep === 0 && t % every === 0) {
                curves[kind].push(evaluate(model, test, { attack: attack('adam') }).robustAccuracy!);
              }
            }
            const ev = evaluate(model, test, { attack: attack('adam') });
            robust[kind].push(ev.robustAccuracy!);
            clean[kind].push(ev.accuracy!);
            if (kind === 'plain') {
              loss.clean.push(model.lossAndGrad(xt, yt, 'softmaxCrossEntropy'));
              for (const m of METHODS) {
                const r = engine.adversarial.attack(model, xt, yt, attack(m));
                loss[m].push(r.loss);
                r.x.dispose();
              }
            }
          } finally {
            attacker.dispose();
            opt.dispose();
            model.dispose();
          }
        }
      } finally {
        x.dispose();
        xt.dispose();
      }
    }
    const gain = mean(loss.ascent) - mean(loss.clean);
    const checks = [
      atLeast('Adam attacker: loss gain over the clean loss / plain ascent\'s', (mean(loss.adam) - mean(loss.clean)) / gain, 2),
      atLeast('RMSProp attacker: loss gain / plain ascent\'s', (mean(loss.rmsprop) - mean(loss.clean)) / gain, 2),
      atLeast('robust accuracy under the Adam attack: adversarially trained − plain', mean(robust.adversarial) - mean(robust.plain), 0.25),
    ];
    const xs = curves.plain.map((_, i) => i * every + 1);
    return result(
      checks,
      [
        { name: 'plain training', x: xs, y: curves.plain },
        { name: 'training on Adam-attacker examples', x: xs, y: curves.adversarial },
      ],
      { xLabel: 'training step', yLabel: 'test accuracy under the Adam attack' },
      {
        header: ['quantity', 'mean over repeats'],
        rows: [
          ['test loss: clean', fmt(mean(loss.clean))],
          ...METHODS.map((m) => [`test loss: ${m} attack`, fmt(mean(loss[m]))]),
          ['plain model: clean / robust accuracy', `${fmt(mean(clean.plain))} / ${fmt(mean(robust.plain))}`],
          ['adversarially trained: clean / robust accuracy', `${fmt(mean(clean.adversarial))} / ${fmt(mean(robust.adversarial))}`],
        ],
      },
    );
  },
};
