/**
 * `federated.client({ url, model, data, optimizer, localEpochs, ... })`: one
 * participant of a federation. Each round it pulls the global parameters,
 * trains locally with fit() (optionally with FedProx's proximal term, prox.ts),
 * and pushes its update Δ = w_local − w_global with its sample count and an
 * estimate of its residual variance:
 *
 *   classification  σ² = 1/(n·K) Σ_i ‖softmax(f(x_i)) − onehot(y_i)‖²   (the Brier score per class)
 *   regression      σ² = 1/(n·K) Σ_i ‖f(x_i) − y_i‖²
 *
 * on its own data after local training (or `noise: number | (model, data) => number`).
 * A client that already pushed for the open round waits (polling, bounded by
 * `waitMs`) until the round closes; a push refused as 'wrong-round' (the
 * round closed by deadline without it) is reported, not thrown. Every HTTP
 * call follows the retry policy of http.ts: never a hang, a NetworkError when
 * the aggregator does not answer.
 */
import { ValueError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { checkKnown, checkNumber, describe } from '../runtime/validate.js';
import { predict } from '../train/evaluate.js';
import { fit } from '../train/fit.js';
import type { LossSpec, TrainModel } from '../train/model.js';
import type { TrainOptimizer } from '../train/snapshot.js';
import { RejectedError } from '../errors.js';
import { federationUrl, pullParams, pushUpdate, retryPolicy, type RetryPolicy } from './http.js';
import { ProximalOptimizer } from './prox.js';
import { CLIENT_ID } from './validate.js';
import type { GlobalParams } from './wire.js';

export interface FederatedClientOptions {
  /** the aggregator's base URL, e.g. "http://127.0.0.1:8787" */
  url: string;
  /** the federation (Durable Object) name (default "default") */
  federation?: string;
  /** this client's id, 1-64 characters of [A-Za-z0-9._-] */
  id: string;
  model: TrainModel;
  data: Dataset;
  optimizer: TrainOptimizer;
  /** local epochs per round (default 1) */
  localEpochs?: number;
  batchSize?: number;
  loss?: LossSpec;
  /** FedProx's μ (default 0: plain local SGD/Adam/...) */
  mu?: number;
  /** the noise estimate sent with each update: 'residual' (default), a number, or a function */
  noise?: 'residual' | number | ((model: TrainModel, data: Dataset) => number);
  /** seed of local shuffling (round r uses seed + r) */
  seed?: number;
  retry?: RetryPolicy;
  /** longest wait for a round to close, ms (default 120000) */
  waitMs?: number;
  /** polling interval while waiting, ms (default 50) */
  pollMs?: number;
}

/** What one round did on this client. */
export interface RoundReport {
  round: number;
  /** mean training loss of the last local epoch */
  loss: number;
  noise: number;
  samples: number;
  /** accepted: counted in the round; late: the round closed before the update arrived */
  outcome: 'accepted' | 'late';
  closed: boolean;
}

const KEYS = ['url', 'federation', 'id', 'model', 'data', 'optimizer', 'localEpochs', 'batchSize', 'loss', 'mu', 'noise', 'seed', 'retry', 'waitMs', 'pollMs'];

/** The residual variance of `model` on `data` (see the header). */
export function residualVariance(model: TrainModel, data: Dataset): number {
  const out = predict(model, data);
  const k = model.outputSize;
  const n = data.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (data.isClassification) {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, out[i * k + j]);
      let z = 0;
      for (let j = 0; j < k; j++) z += Math.exp(out[i * k + j] - max);
      const y = data.targets[i];
      for (let j = 0; j < k; j++) {
        const r = Math.exp(out[i * k + j] - max) / z - (j === y ? 1 : 0);
        s += r * r;
      }
    } else {
      for (let j = 0; j < k; j++) {
        const r = out[i * k + j] - data.targets[i * k + j];
        s += r * r;
      }
    }
  }
  return s / (n * k);
}

export class FederatedClient {
  readonly id: string;
  readonly base: string;
  private readonly o: FederatedClientOptions;
  private readonly policy: ReturnType<typeof retryPolicy>;
  private readonly prox: ProximalOptimizer;
  /** the last round this client pushed for (-1: none) */
  private pushed = -1;

  constructor(options: FederatedClientOptions) {
    const op = 'federated.client';
    if (options === null || typeof options !== 'object') throw new ValueError(`${op}: options must be an object, got ${describe(options)}`);
    checkKnown(op, options, KEYS);
    this.base = federationUrl(op, options.url, options.federation ?? 'default');
    if (typeof options.id !== 'string' || !CLIENT_ID.test(options.id)) throw new ValueError(`${op}: id must be 1-64 characters of [A-Za-z0-9._-], got ${describe(options.id)}`);
    if (!options.model || typeof options.model.lossAndGrad !== 'function') throw new ValueError(`${op}: model must be a model (engine.nn), got ${describe(options.model)}`);
    if (!options.data || typeof options.data.length !== 'number' || options.data.length < 1) throw new ValueError(`${op}: data must be a non-empty Dataset, got ${describe(options.data)}`);
    checkNumber(op, 'localEpochs', options.localEpochs ?? 1, { min: 1, integer: true });
    checkNumber(op, 'waitMs', options.waitMs ?? 120_000, { min: 0 });
    checkNumber(op, 'pollMs', options.pollMs ?? 50, { min: 1 });
    const noise = options.noise ?? 'residual';
    if (noise !== 'residual' && typeof noise !== 'function') checkNumber(op, 'noise', noise, { min: 0 });
    this.policy = retryPolicy(op, options.retry);
    this.id = options.id;
    this.o = options;
    this.prox = new ProximalOptimizer(options.optimizer, options.model, options.mu ?? 0);
  }

  /** The global parameters of the open round. */
  pull(): Promise<GlobalParams> {
    return pullParams(this.base, this.policy);
  }

  /** Waits until the open round is one this client has not pushed for; returns its parameters. */
  async nextRound(): Promise<GlobalParams> {
    const limit = Date.now() + (this.o.waitMs ?? 120_000);
    for (;;) {
      const g = await this.pull();
      if (g.round > this.pushed) return g;
      if (Date.now() > limit) {
        throw new RejectedError(`federated.client: round ${g.round} did not close within ${this.o.waitMs ?? 120_000} ms (waitMs)`, 408, 'round-timeout', g.round, 1);
      }
      await new Promise((r) => setTimeout(r, this.o.pollMs ?? 50));
    }
  }

  /** One round: wait for a new round, load it, train locally, push the update. */
  async round(): Promise<RoundReport> {
    const g = await this.nextRound();
    const { model, data } = this.o;
    if (g.params.length !== model.numParameters) {
      throw new ValueError(`federated.client: the federation has ${g.params.length} parameters, the model ${model.numParameters}`);
    }
    (model as unknown as { setParameters(v: ArrayLike<number>): void }).setParameters(g.params);
    this.prox.setAnchor();
    const history = await fit(model, {
      data, optimizer: this.prox, epochs: this.o.localEpochs ?? 1, batchSize: this.o.batchSize, loss: this.o.loss,
      seed: (this.o.seed ?? 0) + g.round,
    });
    const local = (model as unknown as { parameters(): Float32Array }).parameters();
    const delta = new Float32Array(local.length);
    for (let i = 0; i < delta.length; i++) delta[i] = local[i] - g.params[i];
    const n = this.o.noise ?? 'residual';
    const noise = n === 'residual' ? residualVariance(model, data) : typeof n === 'function' ? n(model, data) : n;
    const report = { round: g.round, loss: history.epochs.at(-1)?.loss ?? NaN, noise, samples: data.length };
    this.pushed = g.round;
    try {
      const r = await pushUpdate(this.base, { client: this.id, round: g.round, samples: data.length, noise, delta }, this.policy);
      return { ...report, outcome: 'accepted', closed: r.closed };
    } catch (e) {
      if (e instanceof RejectedError && e.reason === 'wrong-round') return { ...report, outcome: 'late', closed: false };
      throw e;
    }
  }

  /** `rounds` rounds one after the other. */
  async run(rounds: number): Promise<RoundReport[]> {
    checkNumber('federated.client.run', 'rounds', rounds, { min: 1, integer: true });
    const out: RoundReport[] = [];
    for (let r = 0; r < rounds; r++) out.push(await this.round());
    return out;
  }

  /** Frees the FedProx buffers (the model and optimizer stay the caller's). */
  dispose(): void {
    this.prox.dispose();
  }
}

/** `federated.client(options)`: see FederatedClient. */
export function client(options: FederatedClientOptions): FederatedClient {
  return new FederatedClient(options);
}
