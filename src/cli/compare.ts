import { makeDir, writeTextAtomic } from '../io/files.js';
import { compareChart } from '../plot/svg.js';
import { evaluate } from '../train/evaluate.js';
import { fit } from '../train/fit.js';
import { helpText, parseArgs, UsageError, type Flags } from './args.js';
import { buildModel, buildOptimizer, buildSchedule, DATA_FLAGS, MODEL_FLAGS, OPTIMIZERS, prepareData, SCHEDULES, stepsPerEpoch } from './common.js';
import { buildName, core } from './engine.js';
import type { Io } from './host.js';
import { dur, num, pct, progress, rate, table } from './progress.js';

const { schedule: _schedule, ...MODEL_REST } = MODEL_FLAGS;

export const COMPARE_FLAGS: Flags = {
  ...DATA_FLAGS,
  ...MODEL_REST,
  optimizers: { type: 'list', arg: 'NAME[@LR],…', default: ['sgd', 'momentum', 'rmsprop', 'adam'], choices: OPTIMIZERS, help: 'optimizers to run (name@lr sets its rate)' },
  schedules: { type: 'list', arg: 'NAME,…', default: ['constant'], choices: SCHEDULES, help: 'schedules to run (every optimizer × every schedule)' },
  epochs: { ...MODEL_FLAGS.epochs, default: 40 },
  out: { type: 'string', arg: 'DIR', default: 'wasmgrad-out', help: 'output folder: compare.svg, compare.json' },
  quiet: { type: 'bool', default: false, help: 'only the result table' },
  json: { type: 'bool', default: false, help: 'NDJSON output' },
};

export const COMPARE_HELP = helpText(
  'Usage: wasmgrad compare [options]',
  'Trains the same model on the same data (same initialization and batches) with several optimizers\n' +
    'and/or schedules; writes one SVG with every loss curve and prints a table of final metrics and time.\n' +
    'Example: wasmgrad compare --data moons --optimizers sgd@0.2,momentum,adam,adamw --schedules constant,cosine',
  COMPARE_FLAGS,
);

export async function compareCommand(argv: readonly string[], io: Io): Promise<void> {
  const o = parseArgs('compare', argv, COMPARE_FLAGS);
  if (o.help) {
    io.out(COMPARE_HELP);
    return;
  }
  if (o._.length > 0) throw new UsageError(`compare: unexpected argument "${o._[0]}" (see wasmgrad compare --help)`);
  if (o.quiet && o.json) throw new UsageError('compare: --quiet and --json exclude each other');
  const engine = await core(o.simd as string, o['relaxed-simd'] as string);
  const p = await prepareData(o, 'compare');
  const epochs = o.epochs as number, batchSize = o['batch-size'] as number;
  const total = epochs * stepsPerEpoch(p.train.length, batchSize, o['drop-last'] as boolean);
  const runs: { name: string; epochs: import('../train/fit.js').EpochRecord[]; heldOut: ReturnType<typeof evaluate> | null; seconds: number; stop: string }[] = [];
  const specs = (o.optimizers as string[]).flatMap((opt) => (o.schedules as string[]).map((s) => [opt, s] as const));
  if (o.json) io.out(`${JSON.stringify({ type: 'start', data: p.name, runs: specs.map(([a, b]) => `${a} ${b}`), epochs, batchSize, simd: engine.simd, relaxedSimd: engine.relaxedSimd })}\n`);
  else if (!o.quiet) io.out(`wasmgrad compare: ${p.name}, ${specs.length} runs × ${epochs} epochs, ${buildName(engine)} core\n`);
  for (const [optSpec, sched] of specs) {
    const model = buildModel(engine, o, p, 'compare');
    const { optimizer, name, lr } = buildOptimizer(engine, model, optSpec, o, 'compare');
    const label = (o.schedules as string[]).length > 1 ? `${name} + ${sched}` : name;
    const prog = progress(o.json ? 'json' : o.quiet ? 'quiet' : io.isTTY ? 'tty' : 'quiet', { write: io.out }, `${label.padEnd(18)} `);
    const t0 = performance.now();
    try {
      const h = await fit(model, {
        data: p.train, validation: p.test ?? undefined, optimizer, epochs, batchSize, dropLast: o['drop-last'] as boolean, seed: o.seed as number,
        schedule: buildSchedule(sched, lr, o, total, 'compare'), callbacks: prog,
      });
      prog.done();
      const seconds = (performance.now() - t0) / 1000;
      runs.push({ name: `${label} (lr ${lr})`, epochs: h.epochs, heldOut: p.test ? evaluate(model, p.test) : null, seconds, stop: h.stopReason });
    } catch (e) {
      prog.done();
      if ((e as Error).name !== 'DivergenceError') throw e;
      io.out(`${label}: diverged: ${(e as Error).message}\n`);
      runs.push({ name: `${label} (lr ${lr}, diverged)`, epochs: [], heldOut: null, seconds: (performance.now() - t0) / 1000, stop: 'diverged' });
    } finally {
      model.dispose();
      (optimizer as unknown as { dispose(): void }).dispose();
    }
  }
  const out = o.out as string;
  await makeDir(out);
  await writeTextAtomic(`${out}/compare.svg`, compareChart(runs.filter((r) => r.epochs.length > 0), { title: `${p.name}: ${p.test ? 'held-out' : 'training'} loss by optimizer` }));
  await writeTextAtomic(`${out}/compare.json`, JSON.stringify({ data: p.name, epochs, batchSize, runs }, null, 1));
  if (o.json) {
    io.out(`${JSON.stringify({ type: 'result', runs: runs.map((r) => ({ name: r.name, heldOut: r.heldOut, seconds: r.seconds, stop: r.stop, final: r.epochs[r.epochs.length - 1] })), files: [`${out}/compare.svg`, `${out}/compare.json`] })}\n`);
    return;
  }
  const cls = p.task === 'classification';
  const rows = runs.map((r) => {
    const last = r.epochs[r.epochs.length - 1];
    return [
      r.name,
      last ? num(last.loss) : '—',
      r.heldOut ? num(r.heldOut.loss) : '—',
      r.heldOut ? (cls ? pct(r.heldOut.accuracy) : r.heldOut.r2!.toFixed(4)) : '—',
      dur(r.seconds),
      last ? rate(last.samplesPerSec) : '—',
    ];
  });
  io.out(`\n${table(rows, ['run', 'train loss', 'held-out loss', cls ? 'held-out acc' : 'held-out R²', 'time', 'samples/s'])}\n\nwritten: ${out}/compare.svg, ${out}/compare.json\n`);
}
