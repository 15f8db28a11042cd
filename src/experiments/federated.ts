/**
 * Federated averaging with one noisy client (claim 29): the server rules of src/federated
 * (pure functions, the ones the aggregator runs) over rounds simulated in process, each
 * client training an `engine.nn.linear` model locally and reporting its residual variance.
 */
import { linearRegression } from '../data/generators.js';
import { aggregate, aggregationWeights, type AggregationRule, type ClientUpdate } from '../federated/aggregate.js';
import { residualVariance } from '../federated/client.js';
import { atMost, type Experiment, result } from './types.js';
import { fmt, mean, stream } from './util.js';

export const noiseWeightedFederated: Experiment = {
  name: 'federated-noise-weighted',
  title: 'Noise-weighted federated averaging beats FedAvg with one noisy client',
  claim: "When one client's labels are much noisier than the others', weighting each client's update by n_i/σ²_i (its inverse residual variance) gives a global model with a lower test error than FedAvg's n_i weights, which let the noisy client drag the average.",
  source: 'McMahan et al., "Communication-efficient learning of deep networks from decentralized data", AISTATS 2017, Algorithm 1 (FedAvg); inverse-variance weighting: Hartung, Knapp & Sinha, "Statistical Meta-Analysis with Applications" (2008), §4.1',
  params: {
    clients: { default: 5, min: 2, max: 20, integer: true, help: 'clients (the last one is the noisy one)' },
    noisySd: { default: 3, min: 0, max: 20, help: "label noise sd of the noisy client" },
    cleanSd: { default: 0.1, min: 0, max: 5, help: 'label noise sd of the other clients' },
    rounds: { default: 20, min: 1, max: 200, integer: true, help: 'federated rounds' },
    repeats: { default: 6, min: 1, max: 50, integer: true, help: 'independent federations (data draws), averaged' },
  },
  small: { repeats: 4 },
  stochastic: true,
  counter: { params: { noisySd: 0.1 }, why: 'every client has the same noise: the noise weights are the sample weights of FedAvg' },
  run(engine, p, seed) {
    const d = 5, n = 40, localSteps = 5, lr = 0.1;
    const rules: AggregationRule[] = ['fedavg', 'noiseWeighted'];
    const curves: Record<string, number[][]> = { fedavg: [], noiseWeighted: [] };
    const finals: Record<string, number[]> = { fedavg: [], noiseWeighted: [] };
    const noisyWeight: Record<string, number[]> = { fedavg: [], noiseWeighted: [] };
    const model = engine.nn.linear(d, 1, { seed });
    const opt = engine.optim.sgd(model, { lr });
    try {
      for (let rep = 0; rep < p.repeats; rep++) {
        const r = stream(seed, 2900 + rep);
        const wStar = Array.from({ length: d }, () => r.normal());
        const data = Array.from({ length: p.clients }, (_, i) =>
          linearRegression({ n, dim: d, weights: wStar, noise: i === p.clients - 1 ? p.noisySd : p.cleanSd, seed: (seed * 131 + rep * 17 + i) % 2 ** 31 }));
        const tensors = data.map((ds) => ({ x: engine.tensor([n, d], ds.features), y: engine.tensor([n, 1], ds.targets) }));
        try {
          for (const rule of rules) {
            const global = new Float32Array(d + 1);
            const curve: number[] = [];
            let last: ClientUpdate[] = [];
            for (let round = 0; round < p.rounds; round++) {
              last = data.map((ds, i) => {
                model.setParameters(global);
                for (let s = 0; s < localSteps; s++) {
                  model.lossAndGrad(tensors[i].x, tensors[i].y, 'mse');
                  opt.step();
                }
                const local = model.parameters();
                return { delta: local.map((v, k) => v - global[k]), samples: n, noise: residualVariance(model, ds) };
              });
              aggregate(global, last, rule, {}, global);
              // test error of a linear model on x ~ N(0, I) with noiseless labels: ‖w − w*‖² + b²
              let err = global[d] ** 2;
              for (let k = 0; k < d; k++) err += (global[k] - wStar[k]) ** 2;
              curve.push(err);
            }
            curves[rule].push(curve);
            finals[rule].push(curve.at(-1)!);
            noisyWeight[rule].push(aggregationWeights(last, rule).at(-1)!);
          }
        } finally {
          for (const t of tensors) {
            t.x.dispose();
            t.y.dispose();
          }
        }
      }
    } finally {
      opt.dispose();
      model.dispose();
    }
    const ratio = mean(finals.noiseWeighted) / mean(finals.fedavg);
    const checks = [
      atMost('noise-weighted mean test error / FedAvg\'s', ratio, 0.2),
      atMost('noise-weighted: the noisy client\'s weight in the last round', mean(noisyWeight.noiseWeighted), 0.5 / p.clients),
    ];
    const x = Array.from({ length: p.rounds }, (_, i) => i + 1);
    const meanCurve = (rule: string): number[] => x.map((_, i) => mean(curves[rule].map((c) => c[i])));
    return result(
      checks,
      [
        { name: 'FedAvg (n_i)', x, y: meanCurve('fedavg') },
        { name: 'noise-weighted (n_i/σ²_i)', x, y: meanCurve('noiseWeighted') },
      ],
      { xLabel: 'round', yLabel: 'test error ‖w − w*‖² + b² (mean over federations)', logY: true },
      {
        header: ['rule', 'final test error (mean)', 'noisy client\'s weight', 'clean client\'s weight'],
        rows: rules.map((rule) => [rule, fmt(mean(finals[rule])), fmt(mean(noisyWeight[rule])), fmt((1 - mean(noisyWeight[rule])) / (p.clients - 1))]),
      },
    );
  },
};
