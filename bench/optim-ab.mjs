// A/B of one optimizer step between two builds of the package (e.g. main before and after a
// refactor), in ONE run: for every optimizer of bench/optim.bench.mjs (plus guardParams and the
// chain path), rounds alternate A and B (ABBA order), each a batch of step() calls timed by CPU
// time (process.cpuUsage); the figure is the median over rounds. Same data, same n, same engine
// options on both sides. Writes bench/results/optim-ab.json and prints a Markdown table.
//
//   node bench/optim-ab.mjs A/dist/index.js B/dist/index.js [--n 1000000] [--rounds 9] [--build simd|scalar] [--out bench/results/optim-ab.json] [--only adam,radam]
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './util.mjs';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const [pathA, pathB] = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (!pathA || !pathB) {
  console.error('usage: node bench/optim-ab.mjs A/index.js B/index.js [--n N] [--rounds R] [--build simd|scalar]');
  process.exit(2);
}
const n = Number(flag('--n', 1_000_000));
const ROUNDS = Number(flag('--rounds', 9));
const simd = flag('--build', 'simd') === 'simd';
const load = async (p) => (await import(pathToFileURL(resolve(p)).href)).init({ simd });
const engines = { A: await load(pathA), B: await load(pathB) };

/** A bare Parameterized over n floats, same data on both sides. */
function model(e) {
  const paramsPtr = e.allocF32(n), gradsPtr = e.allocF32(n);
  const p = e.f32(paramsPtr, n), g = e.f32(gradsPtr, n);
  for (let i = 0; i < n; i++) {
    p[i] = Math.sin(i * 0.37) * 0.5;
    g[i] = Math.cos(i * 0.11) * 1e-3;
  }
  return { engine: e, numParameters: n, paramsPtr, gradsPtr, disposed: false };
}

const cases = [
  ['sgd', 'sgd', { lr: 0.01 }],
  ['sgd-momentum', 'sgd', { lr: 0.01, momentum: 0.9 }],
  ['sgd-heavyBall', 'sgd', { lr: 0.01, momentum: 0.9, heavyBall: true }],
  ['adagrad', 'adagrad', { lr: 0.01 }],
  ['rmsprop', 'rmsprop', { lr: 0.01 }],
  ['rmsprop-centered-mom', 'rmsprop', { lr: 0.01, centered: true, momentum: 0.9 }],
  ['adam', 'adam', { lr: 1e-3 }],
  ['adam-amsgrad', 'adam', { lr: 1e-3, amsgrad: true }],
  ['adamw', 'adamw', { lr: 1e-3 }],
  ['adamax', 'adamax', { lr: 1e-3 }],
  ['nadam', 'nadam', { lr: 1e-3 }],
  ['radam', 'radam', { lr: 1e-3 }],
  ['adadelta', 'adadelta', { lr: 1 }],
  ['langevin', 'langevin', { lr: 1e-3, temperature: 1e-4 }],
  ['adam-chain', 'adam', { lr: 1e-3, fused: false }],
  ['sgd-momentum-chain', 'sgd', { lr: 0.01, momentum: 0.9, fused: false }],
  ['adam-guardParams', 'adam', { lr: 1e-3, guard: 'skip', guardParams: true }],
];

const only = flag('--only', '');
const models = { A: model(engines.A), B: model(engines.B) };
const rows = [];
for (const [label, name, options] of cases) {
  if (only && !only.split(',').includes(label)) continue;
  const opt = { A: engines.A.optim[name](models.A, options), B: engines.B.optim[name](models.B, options) };
  for (const s of ['A', 'B']) for (let i = 0; i < 5; i++) opt[s].step(); // warm up
  // a batch of about 60 ms per round on the first side
  const t0 = performance.now();
  opt.A.step();
  const reps = Math.max(5, Math.ceil(60 / Math.max(0.01, performance.now() - t0)));
  const cpu = { A: [], B: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 === 0 ? ['A', 'B', 'B', 'A'] : ['B', 'A', 'A', 'B']) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) opt[s].step();
      const c = process.cpuUsage(c0);
      cpu[s].push((c.user + c.system) / 1000 / reps);
    }
  }
  const a = median(cpu.A), b = median(cpu.B);
  // noise: the spread of each side's rounds (interquartile range relative to the median)
  const iqr = (xs) => {
    const s = [...xs].sort((x, y) => x - y);
    return (s[Math.floor(0.75 * (s.length - 1))] - s[Math.floor(0.25 * (s.length - 1))]) / median(xs);
  };
  rows.push({ optimizer: label, aMs: a, bMs: b, ratio: b / a, aIqr: iqr(cpu.A), bIqr: iqr(cpu.B) });
  console.log(`${label.padEnd(22)} A ${a.toFixed(3)} ms  B ${b.toFixed(3)} ms  B/A ${(b / a).toFixed(3)}  (IQR A ${(100 * iqr(cpu.A)).toFixed(0)}%, B ${(100 * iqr(cpu.B)).toFixed(0)}%)`);
  opt.A.dispose();
  opt.B.dispose();
}

const res = { n, build: simd ? 'simd' : 'scalar', rounds: ROUNDS, node: process.versions.node, load: loadavg().map((x) => x.toFixed(1)).join(' '), date: new Date().toISOString(), a: pathA, b: pathB, rows };
mkdirSync('bench/results', { recursive: true });
writeFileSync(flag('--out', 'bench/results/optim-ab.json'), JSON.stringify(res, null, 1));
console.log(`\n| optimizer | A ms | B ms | B/A | IQR A | IQR B |\n|---|---:|---:|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.optimizer} | ${r.aMs.toFixed(3)} | ${r.bMs.toFixed(3)} | ${r.ratio.toFixed(3)} | ${(100 * r.aIqr).toFixed(0)}% | ${(100 * r.bIqr).toFixed(0)}% |`);
