// wasmgrad experiment: the gallery from the command line.
//   wasmgrad experiment list [--json]
//   wasmgrad experiment run NAME [--PARAM value ...] [--seed N] [--json] [--out DIR]
//   wasmgrad experiment --all [--seed N] [--json] [--out DIR]
// `run` prints the table, the checks and the verdict and writes NAME.svg; `--all` runs every
// experiment with a progress bar and a summary table and, with --out, writes the gallery
// (one SVG each, README.md and index.html). Exit 1 when a verdict fails.
import { experiments, findExperiment, reportJson, runExperimentAsync, type Experiment, type ExperimentReport } from '../experiments/index.js';
import { makeDir, writeTextAtomic } from '../io/files.js';
import { parseArgs, helpText, UsageError, type Flags } from './args.js';
import { core, buildName } from './engine.js';
import { experimentSvg } from '../experiments/plot.js';
import { galleryHtml, galleryMarkdown, val } from './gallery.js';
import type { Io } from './host.js';
import { table } from './progress.js';

const COMMON: Flags = {
  seed: { type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, arg: 'N', help: 'seed of the stochastic experiments' },
  json: { type: 'bool', help: 'print one JSON document' },
  out: { type: 'string', arg: 'DIR', help: 'write NAME.svg there (with --all: the whole gallery, README.md and index.html)' },
  simd: { type: 'string', default: 'auto', choices: ['auto', 'on', 'off'], help: 'which core build runs' },
};

export const EXPERIMENT_HELP = `Usage: wasmgrad experiment list [--json]
       wasmgrad experiment run NAME [--PARAM value ...] [--seed N] [--json] [--out DIR]
       wasmgrad experiment --all [--seed N] [--json] [--out DIR]

The gallery: each experiment checks one claim of the optimization literature on this
engine and passes or fails by named numeric checks. \`run NAME --help\` lists its parameters.
Exit code 1 when a verdict fails.
`;

/** camelCase parameter name -> --kebab-case flag */
const flagOf = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function paramFlags(e: Experiment): Flags {
  const f: Flags = {};
  for (const [k, s] of Object.entries(e.params)) f[flagOf(k)] = { type: s.integer ? 'int' : 'number', min: s.min, max: s.max, default: s.default, help: s.help };
  return f;
}

const kebab = (k: string): string => flagOf(k);

export async function experimentCommand(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(EXPERIMENT_HELP);
    return 0;
  }
  if (sub === 'list') return list(rest, io);
  if (sub === 'run') return run(rest, io);
  if (sub === '--all') return all(rest, io);
  throw new UsageError(`experiment: unknown subcommand "${sub}" (list, run NAME, --all; see wasmgrad experiment --help)`);
}

function list(argv: readonly string[], io: Io): number {
  const o = parseArgs('experiment list', argv, { json: COMMON.json });
  if (o.help) {
    io.out('Usage: wasmgrad experiment list [--json]\n');
    return 0;
  }
  if (o._.length > 0) throw new UsageError(`experiment list: unexpected argument "${o._[0]}"`);
  if (o.json) {
    const doc = experiments.map((e) => ({ name: e.name, title: e.title, claim: e.claim, params: e.params }));
    io.out(`${JSON.stringify(doc, null, 1)}\n`);
  } else io.out(`${table(experiments.map((e) => [e.name, e.title]), ['experiment', 'title'], 'left')}\n\n${experiments.length} experiments; wasmgrad experiment run NAME --help for one's claim and parameters\n`);
  return 0;
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const name = argv[0];
  if (name === undefined || name.startsWith('-')) throw new UsageError('experiment run: needs the experiment NAME first (see wasmgrad experiment list)');
  let e: Experiment;
  try {
    e = findExperiment(name);
  } catch {
    throw new UsageError(`experiment run: unknown experiment "${name}" (see wasmgrad experiment list)`);
  }
  const pf = paramFlags(e);
  for (const k of Object.keys(pf)) if (k in COMMON) throw new Error(`experiment ${e.name}: parameter --${k} shadows a common option`);
  const o = parseArgs(`experiment run ${name}`, argv.slice(1), { ...COMMON, ...pf });
  if (o.help) {
    io.out(helpText(`Usage: wasmgrad experiment run ${e.name} [options]`, `${e.title}\n\nClaim: ${e.claim}\nSource: ${e.source}`, { ...pf, ...COMMON }));
    return 0;
  }
  if (o._.length > 0) throw new UsageError(`experiment run: unexpected argument "${o._[0]}"`);
  const params = Object.fromEntries(Object.keys(e.params).map((k) => [k, o[kebab(k)] as number]));
  const engine = await core(o.simd as string, 'auto');
  const r = await runExperimentAsync(engine, e, params, o.seed as number);
  const files: string[] = [];
  if (o.out !== undefined) {
    await makeDir(o.out as string);
    files.push(`${o.out}/${e.name}.svg`);
    await writeTextAtomic(files[0], experimentSvg(e, r));
  }
  if (o.json) io.out(`${JSON.stringify(reportJson(r))}\n`);
  else {
    io.out(`${e.title} (${buildName(engine)} core, seed ${r.seed}, ${r.seconds.toFixed(2)} s)\nClaim: ${e.claim}\nSource: ${e.source}\n\n`);
    io.out(`${table(r.table.rows.map((row) => row.map(String)), r.table.header)}\n\n`);
    io.out(`${checkTable(r)}\n\nverdict: ${r.verdict.toUpperCase()}\n`);
    if (files.length) io.out(`written: ${files.join(', ')}\n`);
  }
  return r.verdict === 'pass' ? 0 : 1;
}

function checkTable(r: ExperimentReport): string {
  return table(r.checks.map((c) => [c.name, val(c.value), `${c.op} ${val(c.threshold)}`, c.pass ? 'pass' : 'FAIL']), ['check', 'measured', 'threshold', '']);
}

async function all(argv: readonly string[], io: Io): Promise<number> {
  const o = parseArgs('experiment --all', argv, COMMON);
  if (o.help) {
    io.out(helpText('Usage: wasmgrad experiment --all [options]', 'Runs every experiment of the gallery with its defaults.', COMMON));
    return 0;
  }
  if (o._.length > 0) throw new UsageError(`experiment --all: unexpected argument "${o._[0]}"`);
  const engine = await core(o.simd as string, 'auto');
  const tty = io.isTTY && !o.json;
  const done: [Experiment, ExperimentReport][] = [];
  const t0 = performance.now();
  for (let i = 0; i < experiments.length; i++) {
    const e = experiments[i];
    if (tty) {
      const w = 24, fill = Math.round((i / experiments.length) * w);
      io.out(`\r\x1b[2K${'█'.repeat(fill)}${'░'.repeat(w - fill)} ${i}/${experiments.length}  ${e.name}`);
    }
    const r = await runExperimentAsync(engine, e, {}, o.seed as number);
    done.push([e, r]);
    if (!tty && !o.json) io.out(`${r.verdict === 'pass' ? 'pass' : 'FAIL'}  ${e.name}  (${r.seconds.toFixed(2)} s)\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (tty) io.out('\r\x1b[2K');
  if (o.out !== undefined) {
    const dir = o.out as string;
    await makeDir(dir);
    for (const [e, r] of done) await writeTextAtomic(`${dir}/${e.name}.svg`, experimentSvg(e, r));
    const note = `Run on the ${buildName(engine)} core with each experiment's default parameters and seed ${o.seed}.`;
    await writeTextAtomic(`${dir}/README.md`, galleryMarkdown(done, note));
    await writeTextAtomic(`${dir}/index.html`, galleryHtml(done, note));
  }
  const failed = done.filter(([, r]) => r.verdict !== 'pass');
  if (o.json) io.out(`${JSON.stringify(done.map(([, r]) => reportJson(r)))}\n`);
  else {
    const rows = done.map(([e, r]) => [e.name, r.verdict === 'pass' ? 'pass' : 'FAIL', `${r.checks.filter((c) => c.pass).length}/${r.checks.length}`, r.seconds.toFixed(2)]);
    io.out(`${table(rows, ['experiment', 'verdict', 'checks', 'seconds'])}\n\n${done.length - failed.length} of ${done.length} pass (${buildName(engine)} core, ${seconds.toFixed(1)} s)${o.out !== undefined ? `; gallery written to ${o.out}/` : ''}\n`);
    for (const [e, r] of failed) io.out(`\n${e.name}:\n${checkTable(r)}\n`);
  }
  return failed.length === 0 ? 0 : 1;
}
