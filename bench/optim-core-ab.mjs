// Before/after of the core: one optimizer step (opt.step(), the public API)
// with two builds of the wasm core in the same run, rounds interleaving them,
// so a refactor of assembly/optim_*.ts can show that no step got slower. The
// host is the current dist/ for both (init({ wasm })); only the core differs.
// (bench/optim-ab.mjs compares two whole packages, host included.)
//
//   npm run build && node bench/optim-core-ab.mjs OLD_DIR [NEW_DIR=build] [--n 1000000] [--rounds 7] [--scalar] [--only REGEX] [--write]
//
// Cases: bench/optim-cases.mjs (the fused kernels and the Adam chain) plus the
// chain form (fused: false: the f32_tx_* transforms) of every rule that has one.
// Each figure is the median over rounds of the CPU time per call
// (process.cpuUsage over a batch of calls, as bench/optim.bench.mjs); "new/old"
// is the median of the per-round ratios, with their min and max as the noise.
// --write puts the table into bench/RESULTS.md and bench/results/optim-core-ab.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { init } from '../dist/index.js';
import { cases, model } from './optim-cases.mjs';
import { median, writeResultsSection } from './util.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const dirs = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && ['--n', '--rounds', '--only'].includes(argv[i - 1])));
const [oldDir, newDir = 'build'] = dirs;
if (!oldDir) {
  console.error('usage: node bench/optim-core-ab.mjs OLD_DIR [NEW_DIR] [--n N] [--rounds R] [--scalar] [--write]');
  process.exit(2);
}
const N = opt('--n', 1_000_000), ROUNDS = opt('--rounds', 7), TIME = 120;
const builds = argv.includes('--scalar') ? ['simd', 'scalar'] : ['simd'];

/** The chain form of the rules that have one: the transform twins. */
const chains = [
  ['sgd-momentum chain', 'sgd', { lr: 0.01, momentum: 0.9, fused: false }],
  ['adagrad chain', 'adagrad', { lr: 0.01, fused: false }],
  ['rmsprop-centered chain', 'rmsprop', { lr: 0.01, centered: true, fused: false }],
  ['adam-amsgrad chain', 'adam', { lr: 1e-3, amsgrad: true, fused: false }],
  ['adamax chain', 'adamax', { lr: 1e-3, fused: false }],
  ['nadam chain', 'nadam', { lr: 1e-3, fused: false }],
  ['radam chain', 'radam', { lr: 1e-3, fused: false }],
  ['adadelta chain', 'adadelta', { lr: 1, fused: false }],
];
const only = argv.includes('--only') ? new RegExp(argv[argv.indexOf('--only') + 1]) : null;
const all = [...cases.map(([label, name, options]) => [label, name, options]), ...chains].filter(([label]) => !only || only.test(label));

/** CPU ms per call of f, over about TIME ms. */
function cpuPerCall(f) {
  for (let i = 0; i < 3; i++) f();
  const t0 = performance.now();
  f();
  const reps = Math.max(3, Math.ceil(TIME / Math.max(0.02, performance.now() - t0)));
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}

const loadStart = loadavg().map((x) => x.toFixed(1)).join(' ');
const rows = [];
for (const build of builds) {
  const bytes = (dir) => readFileSync(join(dir, `wasmgrad.${build}.wasm`));
  const eng = { old: await init({ wasm: bytes(oldDir) }), new: await init({ wasm: bytes(newDir) }) };
  for (const [label, name, options] of all) {
    const o = {};
    try {
      for (const v of ['old', 'new']) o[v] = eng[v].optim[name](model(eng[v], N), options);
    } catch (err) {
      console.log(`${label}: skipped (${err.message})`);
      continue;
    }
    const t = { old: [], new: [] }, ratio = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of r % 2 ? ['new', 'old'] : ['old', 'new']) t[v].push(cpuPerCall(() => o[v].step()));
      ratio.push(t.new[r] / t.old[r]);
    }
    const row = { build, case: label, n: N, oldMs: median(t.old), newMs: median(t.new), ratio: median(ratio), min: Math.min(...ratio), max: Math.max(...ratio) };
    rows.push(row);
    console.log(`${build.padEnd(6)} ${label.padEnd(24)} old ${row.oldMs.toFixed(3)} ms  new ${row.newMs.toFixed(3)} ms  new/old ${row.ratio.toFixed(3)} [${row.min.toFixed(2)}, ${row.max.toFixed(2)}]`);
    for (const v of ['old', 'new']) o[v].dispose();
  }
}

if (argv.includes('--write')) {
  const res = {
    machine: `${cpus()[0].model} (${cpus().length} cores, shared), Node ${process.versions.node}`,
    date: new Date().toISOString(),
    loadStart,
    loadEnd: loadavg().map((x) => x.toFixed(1)).join(' '),
    rounds: ROUNDS,
    rows,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/optim-core-ab.json', JSON.stringify(res, null, 1));
  const TITLE = '## Optimizer step, two builds of the core in one run (bench/optim-core-ab.mjs)';
  const lines = [
    '',
    `${res.machine}; ${res.date.slice(0, 16).replace('T', ' ')} UTC; load average ${res.loadStart} at the start and ${res.loadEnd} at the end.`,
    `One \`opt.step()\` over n = ${N.toLocaleString('en')} parameters, old and new core interleaved in ${ROUNDS} rounds (CPU ms per call, medians);`,
    'new/old is the median of the per-round ratios, [min, max] of them the noise. "chain" rows run the `fused: false` form (the f32_tx_* transforms).',
    '',
    '| build | case | old ms | new ms | new/old | per-round range |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.build} | ${r.case} | ${r.oldMs.toFixed(3)} | ${r.newMs.toFixed(3)} | ${r.ratio.toFixed(3)} | ${r.min.toFixed(2)} to ${r.max.toFixed(2)} |`),
    '',
  ];
  writeResultsSection(TITLE, lines);
}
