/**
 * Federated digits with one noisy client, in one process: `wasmgrad federated demo` without
 * workerd and client processes. Each federation's aggregator is the state machine the Durable
 * Object runs (src/federated/aggregator.ts) over an in-memory store; the clients are
 * `federated.client` (pull, local fit, push Δ with n_i and σ²_i), reaching the aggregators
 * through an injected fetch, so the example runs in any runtime.
 *
 * The demo's defaults: the standardized digits training rows (stratified 75/25 split) dealt
 * round-robin over 4 clients, the last with uniformly random labels; MLP 64-32-10, local SGD
 * lr 0.1, batch 32, 1 local epoch per round; quorum 4; 30 rounds (quick: 12). Two federations
 * train side by side on the same clients, each client training one model per federation:
 *
 *   plain FedAvg     c_i = n_i                   (McMahan et al., AISTATS 2017, Algorithm 1)
 *   noise-weighted   c_i = n_i / max(σ²_i, 1e-6)  (σ²_i the client's residual variance after
 *                                                 local training, the Brier score per class)
 *
 * and w ← w + Σ_i c_i Δ_i / Σ_j c_j (src/federated/aggregate.ts). The aggregator's norm-outlier
 * rejection is off (normRatio 0) so that the rules' weights, not a rejection, make the
 * difference. Headline: each federation's validation loss and accuracy after the last round,
 * and the weight the noisy client had in the last round.
 */
import { Dataset } from '../data/dataset.js';
import { Random } from '../data/random.js';
import { split } from '../data/split.js';
import { Standardizer } from '../data/standardize.js';
import type { Engine } from '../engine.js';
import { ValueError } from '../errors.js';
import { Aggregator } from '../federated/aggregator.js';
import { client, type FederatedClient } from '../federated/client.js';
import { createFederation, pullParams, request, retryPolicy } from '../federated/http.js';
import { MemoryStorage } from '../federated/store.js';
import { evaluate } from '../train/evaluate.js';
import { headlineLines, type Example, type ExampleOptions, type ExampleResult } from './types.js';

const FEDERATIONS = [['plain', 'fedavg'], ['weighted', 'noiseWeighted']] as const;

export const federatedDigits: Example = {
  name: 'federated-digits',
  title: 'Federated digits with a noisy client: FedAvg vs noise-weighted FedAvg',
  shows: 'weighting each client by the inverse of its residual variance keeps a client with random labels from dragging the global model',
  data: ['digits'],
  async run(e: Engine, o: ExampleOptions): Promise<ExampleResult> {
    const log = o.log ?? (() => {});
    const raw = o.data?.digits;
    if (!raw) throw new ValueError('example federated-digits: needs the digits data set (options.data.digits; the CLI reads --data)');
    const seed = o.seed ?? 0;
    const k = 4, rounds = o.quick ? 12 : 30;
    const s = split(raw, { test: 0.25, stratify: true, seed });
    const scaler = Standardizer.fit(s.train);
    const train = scaler.transform(s.train), val = scaler.transform(s.test!);
    const perm = new Random(seed, 'federated-digits').permutation(train.length);
    const noise = new Random(seed + 1, 'federated-digits labels');
    const shards = Array.from({ length: k }, (_, c) => {
      const d = train.subset(Array.from(perm).filter((_, i) => i % k === c));
      if (c < k - 1) return d;
      return new Dataset(d.features, Int32Array.from(d.targets, () => noise.int(train.numClasses)), { numFeatures: d.numFeatures, numClasses: train.numClasses });
    });
    const layers = [train.numFeatures, 32, train.numClasses];
    log(`digits: ${train.length} training rows over ${k} clients (the last with random labels), ${val.length} validation rows; MLP ${layers.join('-')}, local SGD lr 0.1, batch 32, 1 epoch per round, ${rounds} rounds`);

    // one aggregator per federation, in memory, behind an in-process fetch (routes /fed/<name>/...)
    const aggs = new Map(FEDERATIONS.map(([name]) => [name, new Aggregator(new MemoryStorage(), { log: () => {} })]));
    const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const req = new Request(url, init);
      const agg = aggs.get(new URL(req.url).pathname.split('/')[2] as 'plain');
      return agg ? agg.handle(req) : new Response('{"ok":false,"reason":"not-found"}', { status: 404 });
    }) as typeof globalThis.fetch;
    const retry = { fetch, retries: 0 };
    const policy = retryPolicy('example federated-digits', retry);
    const url = 'http://aggregator.local';
    const base = (f: string): string => `${url}/fed/${f}/`;
    const global = e.nn.mlp(layers, { seed });
    const owned: { dispose(): void }[] = [global];
    try {
      for (const [name, rule] of FEDERATIONS) await createFederation(base(name), global.parameters(), { quorum: k, rule, normRatio: 0, keepRounds: rounds }, policy);
      // per client, one model and optimizer per federation; a round of each federation in turn (as the demo's client processes)
      const drivers = shards.map((data, c) => {
        const id = `client-${c}${c === k - 1 ? '-noisy' : ''}`;
        const clients: FederatedClient[] = FEDERATIONS.map(([federation]) => {
          const model = e.nn.mlp(layers, { seed });
          const optimizer = e.optim.sgd(model, { lr: 0.1 });
          const fc = client({ url, federation, id, model, data, optimizer, batchSize: 32, seed: seed + 100 + c, retry, pollMs: 1 });
          owned.push(fc, optimizer, model);
          return fc;
        });
        return async (): Promise<void> => {
          for (let r = 0; r < rounds; r++) for (const fc of clients) await fc.round();
        };
      });
      await Promise.all(drivers.map((d) => d()));

      // the global validation loss per round, both federations side by side (parameters kept after each round)
      const score = async (f: string, r: number) => {
        global.setParameters((await pullParams(base(f), policy, r)).params);
        return evaluate(global, val);
      };
      log(`round  plain FedAvg (val loss, acc)  noise-weighted (val loss, acc)`);
      const headline: Record<string, number> = {};
      for (let r = 0; r < rounds; r++) {
        const [p, w] = [await score('plain', r), await score('weighted', r)];
        log(`${String(r + 1).padStart(5)}  ${p.loss.toFixed(4).padStart(18)} ${(100 * p.accuracy!).toFixed(1).padStart(6)}%  ${w.loss.toFixed(4).padStart(22)} ${(100 * w.accuracy!).toFixed(1).padStart(6)}%`);
        if (r === rounds - 1) {
          for (const [name, ev] of [['plain', p], ['weighted', w]] as const) {
            headline[`${name}.valLoss`] = ev.loss;
            headline[`${name}.valAccuracy`] = ev.accuracy!;
          }
        }
      }
      for (const [name] of FEDERATIONS) {
        const res = JSON.parse(new TextDecoder().decode(await request('example federated-digits', `${base(name)}log?from=${rounds - 1}`, { method: 'GET' }, policy)));
        const last = (res as { rounds: { updates: { client: string; weight: number }[] }[] }).rounds.at(-1)!;
        headline[`${name}.noisyWeight`] = last.updates.find((u) => u.client.endsWith('-noisy'))!.weight;
      }
      log(`the noisy client's weight in the last round: plain ${headline['plain.noisyWeight'].toFixed(3)}, noise-weighted ${headline['weighted.noisyWeight'].toFixed(3)}`);
      for (const l of headlineLines(headline)) log(l);
      return { headline };
    } finally {
      for (const x of owned) x.dispose();
    }
  },
};
