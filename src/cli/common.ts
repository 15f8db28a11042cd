// Shared by `train` and `compare`: data, model, optimizer and schedule from flags.
import { Dataset } from '../data/dataset.js';
import { loadCsvFile, loadIdxFiles } from '../data/files.js';
import { GENERATORS, type GeneratorName } from '../data/generators.js';
import { split } from '../data/split.js';
import { Standardizer } from '../data/standardize.js';
import type { Sequential } from '../nn/model.js';
import type { Engine } from '../engine.js';
import * as schedules from '../schedule/index.js';
import type { EpochSchedule } from '../train/fit.js';
import type { TrainOptimizer } from '../train/snapshot.js';
import { UsageError, type Flags } from './args.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'adamax', 'nadam', 'radam', 'rmsprop', 'adagrad', 'adadelta', 'lbfgs', 'newton'] as const;
export const SCHEDULES = ['constant', 'cosine', 'warmup-cosine', 'step', 'exponential', 'one-cycle', 'plateau'] as const;
export const ACTIVATIONS = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'gelu', 'gelu_tanh', 'softplus', 'identity'] as const;

/** Default learning rates per optimizer for the built-in tasks. */
export const DEFAULT_LR: Record<string, number> = {
  sgd: 0.1, momentum: 0.05, nesterov: 0.05, adam: 0.01, adamw: 0.01, adamax: 0.02, nadam: 0.01, radam: 0.01, rmsprop: 0.003, adagrad: 0.05, adadelta: 1, lbfgs: 1, newton: 1,
};

export const DATA_FLAGS: Flags = {
  data: { type: 'string', arg: 'NAME|PATH', default: 'spirals', help: `built-in dataset (${Object.keys(GENERATORS).join(', ')}) or a .csv / IDX file path` },
  labels: { type: 'string', arg: 'PATH', help: 'IDX labels file (with an IDX images file as --data)' },
  label: { type: 'string', arg: 'COL', help: 'CSV label column: 0-based index (negative from the end) or header name (default: last)' },
  delimiter: { type: 'string', arg: 'CHAR', default: ',', help: 'CSV delimiter' },
  task: { type: 'string', default: 'auto', choices: ['auto', 'classification', 'regression'], help: 'CSV label column: class ids (integers in [0, 2^24)), real values, or auto (class ids when every label is an integer ≥ 0)' },
  samples: { type: 'int', arg: 'N', min: 4, help: 'samples to generate for a built-in dataset (default 1500)' },
  noise: { type: 'number', arg: 'X', min: 0, help: 'noise of a built-in dataset' },
  arms: { type: 'int', arg: 'K', min: 2, default: 3, help: 'spiral arms (spirals)' },
  holdout: { type: 'number', arg: 'FRAC', default: 0.2, min: 0, max: 0.9, help: 'stratified held-out fraction, reported as validation' },
  standardize: { type: 'bool', default: true, help: 'standardize features (fitted on the training part); --no-standardize to keep them' },
  seed: { type: 'int', arg: 'N', default: 0, min: 0, help: 'seed of data, initialization and shuffling' },
};

export const MODEL_FLAGS: Flags = {
  layers: { type: 'ints', arg: 'W,…', help: 'layer widths after the input, ending with the output width (default 64,64,<outputs>)', min: 1 },
  activation: { type: 'string', default: 'relu', choices: ACTIVATIONS, help: 'hidden activation' },
  dropout: { type: 'number', arg: 'P', default: 0, min: 0, max: 0.95, help: 'dropout after each hidden activation' },
  epochs: { type: 'int', arg: 'N', default: 60, min: 1, help: 'epochs' },
  'batch-size': { type: 'int', arg: 'N', default: 32, min: 1, help: 'rows per step (the training-set size: full-batch GD)' },
  'drop-last': { type: 'bool', default: false, help: 'drop the last partial batch of each epoch' },
  lr: { type: 'number', arg: 'X', min: 0, help: 'learning rate (default per optimizer, e.g. adam 0.01, sgd 0.1)' },
  momentum: { type: 'number', arg: 'X', min: 0, max: 0.999999, help: 'momentum (sgd, rmsprop)' },
  'weight-decay': { type: 'number', arg: 'X', min: 0, help: 'weight decay' },
  beta1: { type: 'number', arg: 'X', min: 0, max: 0.999999, help: 'Adam-family β₁' },
  beta2: { type: 'number', arg: 'X', min: 0, max: 0.999999, help: 'Adam-family β₂' },
  eps: { type: 'number', arg: 'X', min: 1e-30, help: 'ε of adaptive optimizers' },
  schedule: { type: 'string', default: 'constant', choices: SCHEDULES, help: 'learning-rate schedule' },
  'max-iter': { type: 'int', arg: 'N', default: 20, min: 1, help: 'lbfgs: iterations per step (torch max_iter)' },
  'history-size': { type: 'int', arg: 'M', default: 10, min: 1, help: 'lbfgs: curvature pairs kept' },
  'line-search': { type: 'string', default: 'strong-wolfe', choices: ['strong-wolfe', 'none'], help: 'lbfgs: strong-Wolfe line search, or fixed steps of --lr' },
  damping: { type: 'number', arg: 'X', default: 1e-3, min: 0, help: 'newton: the first Levenberg-Marquardt damping λ' },
  warmup: { type: 'number', arg: 'FRAC', default: 0.05, min: 0, max: 0.9, help: 'warm-up share of all steps (warmup-cosine)' },
  'min-lr': { type: 'number', arg: 'X', default: 0, min: 0, help: 'final / minimum learning rate of cosine schedules and plateau' },
  gamma: { type: 'number', arg: 'X', min: 0, help: 'decay factor (step: per 1/3 of the run, default 0.1; exponential: per step, default to reach 1% at the end)' },
  patience: { type: 'int', arg: 'N', min: 1, help: 'early stopping: epochs without validation improvement (restores the best weights)' },
  simd: { type: 'string', default: 'auto', choices: ['auto', 'on', 'off'], help: 'which core build runs' },
  'relaxed-simd': { type: 'string', default: 'auto', choices: ['auto', 'on', 'off'], help: 'the relaxed-SIMD build (fused multiply-add GEMM); on Node 20 the CLI turns on V8\'s --experimental-wasm-relaxed-simd for itself' },
};

export interface Prepared {
  name: string;
  train: Dataset;
  test: Dataset | null;
  /** the raw training + test data (2-D plots) */
  raw: Dataset;
  scaler: Standardizer | null;
  task: 'classification' | 'regression';
  outputs: number;
}

const isPath = (s: string): boolean => /[/\\.]/.test(s);

/** Builds or loads the dataset, splits off the hold-out and standardizes. */
export async function prepareData(o: Record<string, unknown>, cmd: string): Promise<Prepared> {
  const name = o.data as string;
  const seed = o.seed as number;
  let data: Dataset;
  if (name in GENERATORS) {
    const gen = GENERATORS[name as GeneratorName] as (opts: Record<string, unknown>) => Dataset;
    const opts: Record<string, unknown> = { n: (o.samples as number | undefined) ?? 1500, seed };
    // blobs calls its noise std; random-labels has none
    if (o.noise !== undefined && name === 'random-labels') throw new UsageError(`${cmd}: --noise does not apply to random-labels`);
    if (o.noise !== undefined) opts[name === 'blobs' ? 'std' : 'noise'] = o.noise;
    if (name === 'spirals') opts.arms = o.arms;
    data = gen(opts);
  } else if (isPath(name)) {
    if (o.labels !== undefined) data = await loadIdxFiles(name, o.labels as string);
    else if (/\.(idx\d?|ubyte)(\.gz)?$/i.test(name) || /-idx\d-ubyte/.test(name)) throw new UsageError(`${cmd}: IDX images ${name} need --labels PATH`);
    else {
      const label = o.label as string | undefined;
      data = await loadCsvFile(name, {
        delimiter: o.delimiter as string,
        task: o.task as 'auto',
        label: label === undefined ? undefined : /^-?\d+$/.test(label) ? Number(label) : label,
      });
    }
  } else {
    throw new UsageError(`${cmd}: --data must be a built-in dataset (${Object.keys(GENERATORS).join(', ')}) or a file path, got "${name}"`);
  }
  const holdout = o.holdout as number;
  let train = data, test: Dataset | null = null;
  if (holdout > 0) {
    const s = split(data, { test: holdout, stratify: data.isClassification, seed });
    train = s.train;
    test = s.test;
  }
  let scaler: Standardizer | null = null;
  if (o.standardize) {
    scaler = Standardizer.fit(train);
    train = scaler.transform(train);
    if (test) test = scaler.transform(test);
  }
  return {
    name: data.name,
    train,
    test,
    raw: data,
    scaler,
    task: data.isClassification ? 'classification' : 'regression',
    outputs: data.isClassification ? data.numClasses : data.targetSize,
  };
}

export function buildModel(engine: Engine, o: Record<string, unknown>, p: Prepared, cmd: string): Sequential {
  const layers = (o.layers as number[] | undefined) ?? [64, 64, p.outputs];
  const last = layers[layers.length - 1];
  if (last !== p.outputs) {
    throw new UsageError(`${cmd}: --layers must end with the output width ${p.outputs} (${p.task === 'classification' ? `classes of ${p.name}` : 'target values'}), got ${layers.join(',')}`);
  }
  return engine.nn.mlp([p.train.numFeatures, ...layers], { activation: o.activation as 'relu', dropout: o.dropout as number, seed: o.seed as number });
}

/** `name` or `name@lr` → optimizer on the model. */
export function buildOptimizer(engine: Engine, model: Sequential, spec: string, o: Record<string, unknown>, cmd: string): { optimizer: TrainOptimizer; name: string; lr: number } {
  const [name, lrText] = spec.split('@');
  if (!(OPTIMIZERS as readonly string[]).includes(name)) throw new UsageError(`${cmd}: unknown optimizer "${name}" (one of ${OPTIMIZERS.join(', ')})`);
  let lr = (o.lr as number | undefined) ?? DEFAULT_LR[name];
  if (lrText !== undefined) {
    lr = Number(lrText);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new UsageError(`${cmd}: learning rate in "${spec}" must be a positive number`);
  }
  if (!(lr > 0)) throw new UsageError(`${cmd}: --lr must be > 0, got ${lr}`);
  const opts: Record<string, unknown> = { lr };
  const wd = o['weight-decay'];
  if (wd !== undefined) opts.weightDecay = wd;
  const betas = (): void => {
    if (o.beta1 !== undefined || o.beta2 !== undefined) opts.betas = [(o.beta1 as number | undefined) ?? 0.9, (o.beta2 as number | undefined) ?? 0.999];
    if (o.eps !== undefined) opts.eps = o.eps;
  };
  const op = engine.optim;
  let optimizer: TrainOptimizer;
  switch (name) {
    case 'sgd':
      if (o.momentum !== undefined) opts.momentum = o.momentum;
      optimizer = op.sgd(model, opts as never);
      break;
    case 'momentum':
    case 'nesterov':
      opts.momentum = o.momentum ?? 0.9;
      opts.nesterov = name === 'nesterov';
      optimizer = op.sgd(model, opts as never);
      break;
    case 'rmsprop':
      if (o.momentum !== undefined) opts.momentum = o.momentum;
      if (o.eps !== undefined) opts.eps = o.eps;
      optimizer = op.rmsprop(model, opts as never);
      break;
    case 'adagrad':
    case 'adadelta':
      if (o.eps !== undefined) opts.eps = o.eps;
      optimizer = op[name](model, opts as never);
      break;
    case 'lbfgs':
      // one step(closure) per batch (src/train/step.ts BatchClosure); train uses the full batch unless --batch-size is given
      opts.maxIter = o['max-iter'];
      opts.historySize = o['history-size'];
      opts.lineSearch = o['line-search'] === 'none' ? null : 'strongWolfe';
      optimizer = op.lbfgs(model, opts as never) as unknown as TrainOptimizer;
      break;
    case 'newton':
      // one step(x, y, loss) per batch (the batch's dense Hessian; src/train/step.ts); full batch by default, as lbfgs
      opts.damping = o.damping;
      try {
        optimizer = op.newton(model, opts as never) as unknown as TrainOptimizer;
      } catch (e) {
        if (e instanceof Error && /maxParameters/.test(e.message)) throw new UsageError(`${cmd}: ${e.message}; newton is for small models: pass smaller --layers (e.g. --layers 16,<outputs>)`);
        throw e;
      }
      break;
    default:
      betas();
      optimizer = op[name as 'adam'](model, opts as never);
  }
  return { optimizer, name: lrText !== undefined ? spec : name, lr };
}

export function buildSchedule(kind: string, lr: number, o: Record<string, unknown>, totalSteps: number, cmd: string): ((s: number) => number) | EpochSchedule | undefined {
  const minLr = Math.min(o['min-lr'] as number, lr);
  switch (kind) {
    case 'constant':
      return undefined;
    case 'cosine':
      return schedules.cosineAnnealing({ lr, tMax: totalSteps, etaMin: minLr, clamp: true });
    case 'warmup-cosine': {
      const w = Math.max(1, Math.min(totalSteps - 1, Math.round((o.warmup as number) * totalSteps)));
      if (totalSteps < 2) throw new UsageError(`${cmd}: warmup-cosine needs at least 2 steps`);
      return schedules.warmupCosine({ lr, warmupSteps: w, totalSteps, etaMin: minLr });
    }
    case 'step':
      return schedules.step({ lr, stepSize: Math.max(1, Math.ceil(totalSteps / 3)), gamma: (o.gamma as number | undefined) ?? 0.1 });
    case 'exponential':
      return schedules.exponential({ lr, gamma: (o.gamma as number | undefined) ?? 0.01 ** (1 / Math.max(1, totalSteps)) });
    case 'one-cycle':
      return schedules.oneCycle({ maxLr: lr, totalSteps: totalSteps + 1 });
    case 'plateau':
      return schedules.reduceOnPlateau({ lr, patience: 3, factor: 0.5, minLr });
    default:
      throw new UsageError(`${cmd}: unknown schedule "${kind}" (one of ${SCHEDULES.join(', ')})`);
  }
}

export function stepsPerEpoch(n: number, batchSize: number, dropLast: boolean): number {
  const bs = Math.min(batchSize, n);
  return dropLast ? Math.floor(n / bs) : Math.ceil(n / bs);
}
