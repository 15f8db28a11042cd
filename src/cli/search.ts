// wasmgrad search: tunes lr, weight decay, width and batch size of `train` with one of the
// search methods at an equal budget (full evaluations = --epochs each); a line per trial,
// a final table, search.json and search.svg (best so far).
import { makeDir, writeTextAtomic } from '../io/files.js';
import { search, METHODS, type SearchMethod, type SearchResult } from '../meta/search.js';
import { space } from '../meta/space.js';
import type { Trial } from '../meta/trials.js';
import { searchChart } from '../plot/search.js';
import { helpText, parseArgs, UsageError, type Flags } from './args.js';
import { ACTIVATIONS, DATA_FLAGS, OPTIMIZERS } from './common.js';
import { proc, type Io } from './host.js';
import { dur, num, table } from './progress.js';
import { trainTrial, trialEpochs, type SearchSettings } from './search-objective.js';

export const SEARCH_FLAGS: Flags = {
  ...DATA_FLAGS,
  method: { type: 'string', default: 'random', choices: METHODS, help: 'search method' },
  budget: { type: 'number', arg: 'B', default: 20, min: 1, help: 'budget in full trainings (--epochs each); every method spends at most this' },
  parallel: { type: 'int', arg: 'N', default: 1, min: 1, max: 64, help: 'trials at once, on N worker threads (1: in this process)' },
  'search-seed': { type: 'int', arg: 'N', default: 0, min: 0, help: 'seed of the search (its proposals and the trials\' seeds)' },
  epochs: { type: 'int', arg: 'N', default: 20, min: 1, help: 'epochs of a full-budget trial (successive halving gives cheap rungs fewer)' },
  optimizer: { type: 'string', default: 'adamw', choices: OPTIMIZERS.filter((n) => n !== 'newton'), help: 'optimizer of every trial (not newton: its Hessian is for small models)' },
  depth: { type: 'int', arg: 'N', default: 2, min: 1, max: 8, help: 'hidden layers of the MLP (each of the searched width)' },
  activation: { type: 'string', default: 'relu', choices: ACTIVATIONS, help: 'hidden activation' },
  lr: { type: 'list', arg: 'LO,HI', default: ['1e-4', '0.3'], help: 'log-uniform range of the learning rate' },
  'weight-decay': { type: 'list', arg: 'LO,HI', default: ['1e-6', '0.1'], help: 'log-uniform range of the weight decay' },
  width: { type: 'ints', arg: 'LO,HI', default: [8, 128], min: 1, help: 'integer range of the hidden width' },
  'batch-size': { type: 'ints', arg: 'N,…', default: [16, 32, 64, 128], min: 1, help: 'batch sizes to choose from' },
  simd: { type: 'string', default: 'auto', choices: ['auto', 'on', 'off'], help: 'which core build runs' },
  'relaxed-simd': { type: 'string', default: 'auto', choices: ['auto', 'on', 'off'], help: 'the relaxed-SIMD build' },
  out: { type: 'string', arg: 'DIR', default: 'wasmgrad-out', help: 'output folder: search.json, search.svg' },
  json: { type: 'bool', default: false, help: 'NDJSON: one object per trial and one for the result' },
};

export const SEARCH_HELP = helpText(
  'Usage: wasmgrad search [options]',
  'Tunes the learning rate, weight decay, hidden width and batch size of an MLP (as `train` builds it)\n' +
    'by minimizing the held-out loss; prints a line per trial and a table of the best trials.\n' +
    'Example: wasmgrad search --data moons --method successive-halving --budget 30 --parallel 2',
  SEARCH_FLAGS,
);

function range(name: string, v: string[]): [number, number] {
  const x = v.map(Number);
  if (x.length !== 2 || !x.every((y) => y > 0 && Number.isFinite(y)) || !(x[0] < x[1])) throw new UsageError(`search: --${name} must be LO,HI with 0 < LO < HI, got "${v.join(',')}"`);
  return [x[0], x[1]];
}

const fmt = (c: Trial['config']): string => `lr ${(c.lr as number).toExponential(2)}  wd ${(c.weightDecay as number).toExponential(2)}  width ${String(c.width).padStart(3)}  batch ${String(c.batchSize).padStart(3)}`;

export async function searchCommand(argv: readonly string[], io: Io, cliUrl: string): Promise<SearchResult | null> {
  const o = parseArgs('search', argv, SEARCH_FLAGS);
  if (o.help) {
    io.out(SEARCH_HELP);
    return null;
  }
  if (o._.length > 0) throw new UsageError(`search: unexpected argument "${o._[0]}" (see wasmgrad search --help)`);
  const w = o.width as number[];
  if (w.length !== 2 || !(w[0] <= w[1])) throw new UsageError(`search: --width must be LO,HI with LO <= HI, got "${w.join(',')}"`);
  const sp = {
    lr: space.logUniform(...range('lr', o.lr as string[])),
    weightDecay: space.logUniform(...range('weight-decay', o['weight-decay'] as string[])),
    width: space.int(w[0], w[1]),
    batchSize: space.choice(o['batch-size'] as number[]),
  };
  const dataFlags = Object.fromEntries(Object.keys(DATA_FLAGS).map((k) => [k, o[k]]));
  const settings: SearchSettings = {
    flags: dataFlags, optimizer: o.optimizer as string, depth: o.depth as number, activation: o.activation as string,
    epochs: o.epochs as number, simd: o.simd as string, relaxedSimd: o['relaxed-simd'] as string,
  };
  const parallel = o.parallel as number;
  const budget = o.budget as number;
  const method = o.method as SearchMethod;
  const objective = parallel > 1
    ? { module: `${new URL('./search-objective.js', cliUrl).href}?s=${encodeURIComponent(JSON.stringify(settings))}`, export: 'objective' }
    : (config: Trial['config'], ctx: { budget: number; seed: number }) => trainTrial(settings, config, ctx);
  if (o.json) io.out(`${JSON.stringify({ type: 'start', data: o.data, method, budget, parallel, epochs: o.epochs, optimizer: o.optimizer, space: sp })}\n`);
  else io.out(`wasmgrad search: ${o.data}, ${method}, budget ${budget} × ${o.epochs} epochs, ${parallel > 1 ? `${parallel} workers` : 'in-process'}\n`);
  const ctl = new AbortController();
  const onInt = (): void => ctl.abort(new UsageError('search: interrupted'));
  proc().on('SIGINT', onInt);
  const t0 = performance.now();
  let result: SearchResult;
  try {
    result = await search({
      space: sp, objective, budget, method, parallel, seed: o['search-seed'] as number, signal: ctl.signal,
      onTrial: (t, p) => {
        if (o.json) {
          io.out(`${JSON.stringify({ type: 'trial', ...t, epochs: trialEpochs(t.budget, o.epochs as number), spent: p.spent })}\n`);
          return;
        }
        const frac = Math.min(1, p.spent / p.budget);
        const bar = '█'.repeat(Math.round(frac * 20)).padEnd(20, '░');
        const v = t.status === 'ok' ? `val_loss ${num(t.value)}` : `failed: ${t.error}`;
        io.out(`trial ${String(t.id).padStart(3)}  ${bar} ${(100 * frac).toFixed(0).padStart(3)}%  ${String(trialEpochs(t.budget, o.epochs as number)).padStart(3)} ep  ${fmt(t.config)}  ${v}\n`);
      },
    });
  } finally {
    (proc().off ?? proc().removeListener)?.call(proc(), 'SIGINT', onInt);
  }
  const seconds = (performance.now() - t0) / 1000;
  const out = o.out as string;
  await makeDir(out);
  await writeTextAtomic(`${out}/search.json`, JSON.stringify({ data: o.data, settings, result }, null, 1));
  await writeTextAtomic(`${out}/search.svg`, searchChart([{ name: method, results: [result] }], { title: `Best so far — ${o.data}, ${method}`, yLabel: 'held-out loss' }));
  const files = [`${out}/search.json`, `${out}/search.svg`];
  if (o.json) {
    io.out(`${JSON.stringify({ type: 'result', best: result.best, trials: result.trials.length, failed: result.trials.filter((t) => t.status === 'failed').length, spent: result.spent, seconds, files })}\n`);
    return result;
  }
  // the final table: the best full-budget trials, ordered by value then id
  const top = result.trials.filter((t) => t.status === 'ok' && t.budget >= 1 - 1e-9).sort((a, b) => a.value - b.value || a.id - b.id).slice(0, 10);
  const rows = top.map((t) => [String(t.id), (t.config.lr as number).toExponential(2), (t.config.weightDecay as number).toExponential(2), String(t.config.width), String(t.config.batchSize), num(t.value)]);
  io.out(`\n${table(rows, ['trial', 'lr', 'weight decay', 'width', 'batch', 'held-out loss'])}\n\n`);
  io.out(`best: trial ${result.best.trial}, ${fmt(result.best.config)}, held-out loss ${num(result.best.value)}\n`);
  io.out(`${result.trials.length} trials (${result.trials.filter((t) => t.status === 'failed').length} failed), budget ${result.spent.toFixed(2)} of ${budget}, ${dur(seconds)}\nwritten: ${files.join(', ')}\n`);
  return result;
}
