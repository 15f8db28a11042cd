import { loadCheckpoint, saveCheckpoint } from '../checkpoint/files.js';
import { FormatError } from '../errors.js';
import type { TrainingState } from '../train/fit.js';
import { buildName, core } from './engine.js';
import { makeDir, writeTextAtomic } from '../io/files.js';
import { plotDecisionBoundary } from '../plot/boundary.js';
import { lossCurves } from '../plot/svg.js';
import { evaluate } from '../train/evaluate.js';
import { fit, type History } from '../train/fit.js';
import { helpText, parseArgs, UsageError, type Flags } from './args.js';
import { buildModel, buildOptimizer, buildSchedule, DATA_FLAGS, MODEL_FLAGS, OPTIMIZERS, prepareData, stepsPerEpoch } from './common.js';
import { proc, type Io } from './host.js';
import { dur, num, pct, progress, rate, table, type Mode } from './progress.js';

export const TRAIN_FLAGS: Flags = {
  ...DATA_FLAGS,
  ...MODEL_FLAGS,
  schedule: { ...MODEL_FLAGS.schedule, default: 'warmup-cosine' },
  optimizer: { type: 'string', default: 'adam', choices: OPTIMIZERS, help: 'optimizer' },
  out: { type: 'string', arg: 'DIR', default: 'wasmgrad-out', help: 'output folder: history.json, history.csv, checkpoint/, loss.svg, boundary.svg' },
  resume: { type: 'string', arg: 'DIR', help: 'continue from a checkpoint folder written by train (same data/model/optimizer flags; --epochs is the new total)' },
  quiet: { type: 'bool', default: false, help: 'no per-epoch output, only the result' },
  json: { type: 'bool', default: false, help: 'one JSON object per epoch and one for the result (NDJSON)' },
};

export const TRAIN_HELP = helpText(
  'Usage: wasmgrad train [options]',
  'Trains an MLP and writes its history, a checkpoint (safetensors + sidecar JSON) and SVG plots.\n' +
    'With no options: spirals (3 arms, 1,500 points), MLP 2-64-64-3, Adam 0.01 with warm-up + cosine, 60 epochs.\n' +
    'Examples:\n' +
    '  wasmgrad train --data moons --layers 32,32,2 --optimizer sgd --lr 0.1 --schedule cosine\n' +
    '  wasmgrad train --data digits.csv --layers 64,10 --epochs 30 --out runs/digits\n' +
    '  wasmgrad train --data moons --layers 16,2 --optimizer lbfgs --epochs 20   (full batch, strong-Wolfe steps)\n' +
    '  wasmgrad train --data moons --layers 8,2 --optimizer newton --epochs 15   (full batch, damped Newton on the dense Hessian)',
  TRAIN_FLAGS,
);

export interface TrainResult {
  history: History;
  heldOut: { loss: number; accuracy?: number; r2?: number } | null;
  parameters: number;
  seconds: number;
}

export async function trainCommand(argv: readonly string[], io: Io, defaults: Record<string, unknown> = {}): Promise<TrainResult | null> {
  const o = { ...parseArgs('train', argv, TRAIN_FLAGS), ...defaults };
  if (o.help) {
    io.out(TRAIN_HELP);
    return null;
  }
  if (o._.length > 0) throw new UsageError(`train: unexpected argument "${o._[0]}" (see wasmgrad train --help)`);
  if (o.quiet && o.json) throw new UsageError('train: --quiet and --json exclude each other');
  const mode: Mode = o.json ? 'json' : o.quiet ? 'quiet' : io.isTTY ? 'tty' : 'plain';
  const engine = await core(o.simd as string, o['relaxed-simd'] as string);
  const p = await prepareData(o, 'train');
  if (['lbfgs', 'newton'].includes(String(o.optimizer).split('@')[0])) {
    // L-BFGS and Newton are full-batch methods: one step per epoch over all training rows,
    // at a constant step length, unless --batch-size / --schedule say otherwise
    const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
    if (!given.has('batch-size') && defaults['batch-size'] === undefined) o['batch-size'] = p.train.length;
    if (!given.has('schedule') && defaults.schedule === undefined) o.schedule = 'constant';
  }
  const model = buildModel(engine, o, p, 'train');
  const { optimizer, name: optName, lr } = buildOptimizer(engine, model, o.optimizer as string, o, 'train');
  const epochs = o.epochs as number;
  const batchSize = o['batch-size'] as number;
  if (o['drop-last'] && batchSize > p.train.length) {
    throw new UsageError(`train: --batch-size ${batchSize} is larger than the ${p.train.length} training samples with --drop-last`);
  }
  const total = epochs * stepsPerEpoch(p.train.length, batchSize, o['drop-last'] as boolean);
  const schedule = buildSchedule(o.schedule as string, lr, o, total, 'train');
  const horizon: Horizon = { schedule: o.schedule as string, epochs, steps: total };
  const widths = [p.train.numFeatures, ...((o.layers as number[] | undefined) ?? [64, 64, p.outputs])];
  const desc = `MLP ${widths.join('-')} ${o.activation}, ${model.numParameters.toLocaleString('en-US')} parameters; ${optName} lr ${lr} ${o.schedule}; ${epochs} epochs × batch ${batchSize}; ${buildName(engine)} core`;
  if (mode === 'json') io.out(`${JSON.stringify({ type: 'start', data: p.name, train: p.train.length, heldOut: p.test?.length ?? 0, model: widths, optimizer: optName, lr, schedule: o.schedule, epochs, batchSize, simd: engine.simd, relaxedSimd: engine.relaxedSimd })}\n`);
  else if (mode !== 'quiet') io.out(`wasmgrad: ${p.name} (${p.train.length} train / ${p.test?.length ?? 0} held out, ${p.train.numFeatures} features, ${p.task === 'classification' ? `${p.outputs} classes` : 'regression'})\n          ${desc}\n`);
  let resume: TrainingState | undefined;
  if (o.resume !== undefined) {
    const ck = await loadCheckpoint(o.resume as string, model, { optimizer });
    const t = ck.training as (TrainingState & { model?: number[]; horizon?: Horizon }) | undefined;
    if (!t || !Array.isArray(t.records)) throw new FormatError(`${o.resume}: the checkpoint has no training state to resume from`);
    if (t.model && t.model.join(',') !== widths.join(',')) throw new FormatError(`${o.resume}: was trained as MLP ${t.model.join('-')}, the flags give ${widths.join('-')}`);
    if (t.epoch >= epochs) throw new UsageError(`train: the checkpoint in ${o.resume} has already done ${t.epoch} epochs; give --epochs larger than that`);
    checkHorizon(o.resume as string, t.horizon, horizon);
    resume = t;
    if (mode !== 'quiet' && mode !== 'json') io.out(`          resuming from ${o.resume} after epoch ${t.epoch}${t.batch ? `, batch ${t.batch}` : ''}\n`);
  }
  const prog = progress(mode, { write: io.out });
  const ctl = new AbortController();
  const onInt = (): void => ctl.abort();
  proc().on('SIGINT', onInt);
  const t0 = performance.now();
  let history: History;
  try {
    history = await fit(model, {
      data: p.train,
      validation: p.test ?? undefined,
      optimizer,
      schedule,
      epochs,
      batchSize,
      dropLast: o['drop-last'] as boolean,
      seed: o.seed as number,
      earlyStopping: o.patience !== undefined ? { patience: o.patience as number, restoreBest: true } : undefined,
      callbacks: prog,
      signal: ctl.signal,
      resume,
    });
  } finally {
    (proc().off ?? proc().removeListener)?.call(proc(), 'SIGINT', onInt);
    prog.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  const heldOut = p.test ? evaluate(model, p.test) : null;
  const trainEval = evaluate(model, p.train);
  // outputs: a failed run threw above and wrote nothing
  const out = o.out as string;
  await makeDir(out);
  const last = history.epochs[history.epochs.length - 1];
  await writeTextAtomic(`${out}/history.json`, JSON.stringify({ data: p.name, model: widths, optimizer: optName, lr, schedule: o.schedule, epochs: history.epochs, stopReason: history.stopReason, bestEpoch: history.bestEpoch, heldOut, seconds }, null, 1));
  await writeTextAtomic(`${out}/history.csv`, historyCsv(history));
  await saveCheckpoint(`${out}/checkpoint`, model, {
    optimizer,
    training: { ...(history.state as unknown as Record<string, unknown>), scaler: p.scaler?.toJSON(), model: widths, activation: o.activation, horizon },
    metadata: { data: p.name, optimizer: optName },
  });
  const files = ['history.json', 'history.csv', 'checkpoint/model.safetensors', 'checkpoint/checkpoint.json', 'loss.svg'];
  await writeTextAtomic(`${out}/loss.svg`, lossCurves(history.epochs, { title: `Loss — ${p.name}, ${optName}` }));
  if (p.task === 'classification' && p.raw.numFeatures === 2) {
    const scaler = p.scaler;
    const svg = plotDecisionBoundary(model, p.raw, {
      title: `Decision boundary — ${p.name}${heldOut?.accuracy !== undefined ? `, held-out accuracy ${pct(heldOut.accuracy)}` : ''}`,
      transform: scaler ? (f) => scaler.transformFeatures(f) : undefined,
    });
    await writeTextAtomic(`${out}/boundary.svg`, svg);
    files.push('boundary.svg');
  }
  const result = { history, heldOut, parameters: model.numParameters, seconds };
  if (mode === 'json') {
    io.out(`${JSON.stringify({ type: 'result', stopReason: history.stopReason, epochs: history.epochs.length, train: trainEval, heldOut, seconds, samplesPerSec: last?.samplesPerSec, out, files })}\n`);
  } else {
    const rows: string[][] = [
      ['data', p.name],
      ['model', `MLP ${widths.join('-')} (${o.activation}), ${model.numParameters.toLocaleString('en-US')} parameters`],
      ['optimizer', `${optName}, lr ${lr}, schedule ${o.schedule}`],
      ['epochs', `${history.epochs.length}${history.stopReason !== 'completed' ? ` (${history.stopReason})` : ''}, batch ${batchSize}, ${last?.steps ?? 0} steps`],
      ['train loss', num(trainEval.loss) + (trainEval.accuracy !== undefined ? `, accuracy ${pct(trainEval.accuracy)}` : `, R² ${trainEval.r2!.toFixed(4)}`)],
    ];
    if (heldOut) rows.push([`held-out (${p.test!.length})`, num(heldOut.loss) + (heldOut.accuracy !== undefined ? `, accuracy ${pct(heldOut.accuracy)}` : `, R² ${heldOut.r2!.toFixed(4)}`)]);
    rows.push(['time', `${dur(seconds)}, ${rate(last?.samplesPerSec ?? 0)} samples/s (training steps)`]);
    files.forEach((f, i) => rows.push([i === 0 ? 'written' : '', `${out}/${f}`]));
    io.out(`\n${table(rows)}\n`);
  }
  return result;
}

function historyCsv(h: History): string {
  const cols = ['epoch', 'loss', 'accuracy', 'r2', 'valLoss', 'valAccuracy', 'valR2', 'lr', 'steps', 'time', 'samplesPerSec'] as const;
  const present = cols.filter((c) => h.epochs.some((e) => e[c] !== undefined));
  return [present.join(','), ...h.epochs.map((e) => present.map((c) => (e[c] === undefined ? '' : String(e[c]))).join(','))].join('\n') + '\n';
}

/** The schedule a run was planned with: its name and the step count its shape depends on. */
interface Horizon {
  schedule: string;
  epochs: number;
  steps: number;
}

/**
 * Resume continues the run a checkpoint was planned as, exactly: the same
 * schedule over the same horizon. A schedule whose shape depends on the step
 * count (all but constant and plateau) would be stretched by a new --epochs,
 * so that is refused (a new run, without --resume, starts from scratch).
 */
function checkHorizon(dir: string, saved: Horizon | undefined, now: Horizon): void {
  if (saved === undefined) return; // a checkpoint from before horizons were stored
  const stretched = saved.steps !== now.steps && now.schedule !== 'constant' && now.schedule !== 'plateau';
  if (saved.schedule !== now.schedule || stretched) {
    throw new UsageError(
      `train: the checkpoint in ${dir} was planned as --schedule ${saved.schedule} over ${saved.epochs} epochs (${saved.steps} steps); ` +
        `--schedule ${now.schedule} over ${now.epochs} epochs (${now.steps} steps) would not continue it exactly. ` +
        `A resumed run keeps the interrupted run's schedule: give --epochs ${saved.epochs} and the same flags, or start a new run (constant and plateau allow a new --epochs)`,
    );
  }
}
