// The objective of `wasmgrad search`: train an MLP with a trial's lr, weight decay,
// width and batch size for budget × --epochs epochs and return its held-out loss.
// Built as its own bundle (dist/search-objective.js) so that workers can import it:
// the settings travel in the module URL's query (?s=<JSON>), read by `objective`.
import type { Engine } from '../engine.js';
import type { Config } from '../meta/space.js';
import type { TrialContext } from '../meta/trials.js';
import { fit } from '../train/fit.js';
import { evaluate } from '../train/evaluate.js';
import { buildOptimizer, prepareData, type Prepared } from './common.js';
import { core } from './engine.js';

/** What every trial shares: the data flags, the optimizer, depth, activation, full-budget epochs, core build. */
export interface SearchSettings {
  flags: Record<string, unknown>;
  optimizer: string;
  depth: number;
  activation: string;
  epochs: number;
  simd: string;
  relaxedSimd: string;
}

let cached: { key: string; setup: Promise<{ engine: Engine; p: Prepared }> } | null = null;

function setup(s: SearchSettings): Promise<{ engine: Engine; p: Prepared }> {
  const key = JSON.stringify(s);
  if (cached?.key !== key) {
    cached = { key, setup: (async () => ({ engine: await core(s.simd, s.relaxedSimd), p: await prepareData(s.flags, 'search') }))() };
  }
  return cached.setup;
}

/** The number of epochs of a trial: max(1, round(budget × epochs)). */
export const trialEpochs = (budget: number, epochs: number): number => Math.max(1, Math.round(budget * epochs));

/** Trains one trial; returns the held-out loss after the last epoch (the training loss without a hold-out). */
export async function trainTrial(s: SearchSettings, config: Config, ctx: Pick<TrialContext, 'budget' | 'seed'>): Promise<number> {
  const { engine, p } = await setup(s);
  const width = config.width as number;
  const model = engine.nn.mlp([p.train.numFeatures, ...new Array<number>(s.depth).fill(width), p.outputs], { activation: s.activation as 'relu', seed: ctx.seed });
  const { optimizer } = buildOptimizer(engine, model, s.optimizer, { lr: config.lr, 'weight-decay': config.weightDecay }, 'search');
  try {
    const h = await fit(model, {
      data: p.train,
      validation: p.test ?? undefined,
      optimizer,
      epochs: trialEpochs(ctx.budget, s.epochs),
      batchSize: config.batchSize as number,
      seed: ctx.seed,
    });
    const last = h.epochs[h.epochs.length - 1];
    return p.test ? (last.valLoss ?? evaluate(model, p.test).loss) : last.loss;
  } finally {
    model.dispose();
    (optimizer as unknown as { dispose?(): void }).dispose?.();
  }
}

/** The worker entry: settings from this module's URL (`?s=<JSON>`). */
export function objective(config: Config, ctx: TrialContext): Promise<number> {
  const s = new URL(import.meta.url).searchParams.get('s');
  if (s === null) throw new Error('search-objective: the module URL carries no settings (?s=)');
  return trainTrial(JSON.parse(s) as SearchSettings, config, ctx);
}
