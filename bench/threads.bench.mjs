// Threads benchmark (docs/threads.md): where a second thread pays.
//
// 1. GEMM split threshold: f32_gemm_* on one thread (the plain SIMD build) against
//    init({ threads: 2, threadsMinFlops: 0 }) (every call split by panels of C), over
//    square sizes and the MLP 784-256-128-10 layer shapes at batch 32/128/512, interleaved
//    rounds, medians. The suggested threshold is the smallest 2mnk above which every
//    measured shape gains at least 10 % (2 threads / 1 ≥ 1.1).
// 2. The training step: the MLP step (lossAndGrad + Adam) at batch 8-512 on one thread,
//    on 2 threads with the GEMMs split (model.parallel = 'gemm'), on 2 threads
//    data-parallel ('data') and as 'auto' picks, in the plain SIMD builds (one thread:
//    relaxedSimd false; threads: the plain threads build) and in the relaxed ones (the
//    relaxed build and the relaxed threads build), interleaved; steps/s and ratios to
//    one thread of the same build: which one 'auto' should pick (nn/data-parallel.ts,
//    autoMode: SOLO_MAX_FLOPS, DP_MIN_ROWS). The relaxed rows need a runtime that
//    validates relaxed SIMD (Node >= 22; Node 20 with --experimental-wasm-relaxed-simd).
//
// Thread ratios mean something only on a quiet machine: each run records the load
// average before and after; on a shared 2-vCPU machine a second thread gains only as
// much as the second core is free.
//
//   node bench/threads.bench.mjs            full run: bench/results/threads.json + the Threads section of bench/RESULTS.md
//   node bench/threads.bench.mjs --short    fewer shapes and rounds, prints only
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';
import { cpuDescription, median, randomF32, writeResultsSection } from './util.mjs';

const SHORT = process.argv.includes('--short');
const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = SHORT ? 5 : 9;
const now = () => performance.now();

// ------------------------------------------------------------ 1. GEMM split

/** [label, form, m, n, k] */
const GEMMS = [
  ...(SHORT ? [32, 64, 96, 128, 192, 256] : [16, 24, 32, 48, 64, 80, 96, 112, 128, 160, 192, 256, 384]).map((n) => [`n=${n}`, 'nn', n, n, n]),
  ...(SHORT ? [32, 128] : [32, 128, 512]).flatMap((b) => [
    [`b${b} X·W₁ᵀ`, 'nt', b, 256, 784],
    [`b${b} X·W₂ᵀ`, 'nt', b, 128, 256],
    [`b${b} X·W₃ᵀ`, 'nt', b, 10, 128],
    [`b${b} dW₁ = Dᵀ·X`, 'tn', 256, 784, b],
    [`b${b} dW₂`, 'tn', 128, 256, b],
    [`b${b} dX₂ = D·W₂`, 'nn', b, 256, 128],
  ]),
];

/** A timed loop of `reps` calls of f32_gemm_<form> on buffers allocated once in `e`. */
function gemmCall(e, form, m, n, k) {
  const ta = form[0] === 't', tb = form[1] === 't';
  const [ar, ac] = ta ? [k, m] : [m, k];
  const [br, bc] = tb ? [n, k] : [k, n];
  const a = e.arena.alloc(Math.max(ar * ac, 1) * 4), b = e.arena.alloc(Math.max(br * bc, 1) * 4), c = e.arena.alloc(Math.max(m * n, 1) * 4);
  e.f32(a, ar * ac).set(randomF32(ar * ac, 1));
  e.f32(b, br * bc).set(randomF32(br * bc, 2));
  const fn = e.kernels[`f32_gemm_${form}`];
  return (reps) => {
    const t = now();
    for (let i = 0; i < reps; i++) fn(m, n, k, a, ac, b, bc, c, n, 1, 0);
    return (now() - t) / reps;
  };
}

/** Medians (ms per call) of interleaved rounds of each variant, each sample about `sampleMs` long. */
function interleave(fns, rounds, sampleMs) {
  const reps = fns.map((f) => {
    f(2);
    const t = f(3);
    return Math.max(1, Math.min(100000, Math.round(sampleMs / Math.max(t, 1e-4))));
  });
  const samples = fns.map(() => []);
  for (let r = 0; r < rounds; r++) fns.forEach((f, i) => samples[i].push(f(reps[i])));
  return samples.map(median);
}

const load0 = os.loadavg();
const one = await init({ simd: true, relaxedSimd: false });
const two = await init({ threads: 2, threadsMinFlops: 0, relaxedSimd: false });
const gemmRows = [];
for (const [label, form, m, n, k] of GEMMS) {
  const marks = [one.arena.mark(), two.arena.mark()];
  const [t1, t2] = interleave([gemmCall(one, form, m, n, k), gemmCall(two, form, m, n, k)], ROUNDS, SHORT ? 10 : 25);
  one.arena.reset(marks[0]);
  two.arena.reset(marks[1]);
  const row = { label, form, m, n, k, mflop: (2 * m * n * k) / 1e6, us1: t1 * 1000, us2: t2 * 1000, ratio: t1 / t2 };
  gemmRows.push(row);
  console.log(`${label.padEnd(16)} ${form} ${row.mflop.toFixed(2).padStart(8)} MFLOP  1 thread ${row.us1.toFixed(1).padStart(9)} µs  2 threads ${row.us2.toFixed(1).padStart(9)} µs  ${row.ratio.toFixed(2)}x`);
}
// the threshold: the smallest flop count above which every shape gains >= 10 %
const byFlops = [...gemmRows].sort((a, b) => a.mflop - b.mflop);
let threshold = null;
for (let i = byFlops.length - 1; i >= 0 && byFlops[i].ratio >= 1.1; i--) threshold = byFlops[i].mflop;

// ------------------------------------------------------------ 2. MLP step

const SIZES = [784, 256, 128, 10];
const P = SIZES.slice(1).reduce((p, w, i) => p + (SIZES[i] + 1) * w, 0);
const BATCHES = SHORT ? [16, 32, 128] : [8, 16, 32, 64, 128, 512];
async function stepVariant(e, mode, batch) {
  const x = e.tensor([batch, SIZES[0]], randomF32(batch * SIZES[0], 3));
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  const model = e.nn.mlp(SIZES, { activation: 'relu', seed: 1 });
  if (mode) model.parallel = mode;
  const opt = e.optim.adam(model, { lr: 1e-3 });
  const fn = (reps) => {
    const t = now();
    for (let i = 0; i < reps; i++) {
      model.lossAndGrad(x, y, 'softmaxCrossEntropy');
      opt.step();
    }
    return (now() - t) / reps;
  };
  fn.dispose = () => {
    model.dispose();
    opt.dispose();
    x.dispose();
  };
  return fn;
}

const RELAXED = (await init()).relaxedSimd; // 'auto' picks relaxed SIMD where the runtime validates it
const builds = [{ name: 'simd', one, two: await init({ threads: 2, relaxedSimd: false }) }];
if (RELAXED) builds.push({ name: 'relaxed', one: await init({ relaxedSimd: true }), two: await init({ threads: 2, relaxedSimd: true }) });
const stepRows = [];
for (const batch of BATCHES) {
  for (const b of builds) {
    const fns = [await stepVariant(b.one, null, batch), await stepVariant(b.two, 'gemm', batch), await stepVariant(b.two, 'data', batch), await stepVariant(b.two, 'auto', batch)];
    const [t1, tg, td, ta] = interleave(fns, ROUNDS, SHORT ? 60 : 150);
    fns.forEach((f) => f.dispose());
    const row = { build: b.name, batch, one: 1000 / t1, gemm: 1000 / tg, data: 1000 / td, auto: 1000 / ta };
    stepRows.push(row);
    const r = (v) => `${v.toFixed(0)} (${(v / row.one).toFixed(2)}x)`;
    console.log(`MLP step ${b.name} b${batch}: 1 thread ${row.one.toFixed(0)} steps/s, 2 threads gemm ${r(row.gemm)}, data ${r(row.data)}, auto ${r(row.auto)}`);
  }
}
const load1 = os.loadavg();
one.dispose();
two.dispose();
for (const b of builds) b.two.dispose();

// ------------------------------------------------------------ report

const la = (l) => l.map((v) => v.toFixed(1)).join(' ');
const machine = { cpu: cpuDescription(), node: process.version, date: new Date().toISOString(), loadBefore: load0, loadAfter: load1 };
const f2 = (v) => v.toFixed(2);
const lines = [
  '',
  `\`node bench/threads.bench.mjs\`, ${machine.date.slice(0, 16).replace('T', ' ')} UTC: ${machine.cpu}, Node ${machine.node};`,
  `load average ${la(load0)} before, ${la(load1)} after (1, 5, 15 min). ${ROUNDS} interleaved rounds, medians. On a shared`,
  'machine the "2 / 1" ratios are bounded by how much of the second core is free: quote them only with the load.',
  '',
  '### GEMM: one thread against every call split by panels of C (`threadsMinFlops: 0`)',
  '',
  '| shape | form | MFLOP (2mnk) | 1 thread | 2 threads | 2 / 1 |',
  '|---|---|---:|---:|---:|---:|',
  ...gemmRows.map((r) => `| ${r.label} (${r.m}×${r.n}×${r.k}) | ${r.form} | ${r.mflop.toFixed(2)} | ${r.us1.toFixed(1)} µs | ${r.us2.toFixed(1)} µs | ${f2(r.ratio)}× |`),
  '',
  threshold === null
    ? 'No measured shape gained 10 % from a second thread in this run: no threshold can be read from it.'
    : `Every shape from ${threshold.toFixed(2)} MFLOP up gained at least 10 % in this run: a split threshold near that (the default \`threadsMinFlops\` is ${4} MFLOP; runtime/gemm-threads.ts).`,
  '',
  '### MLP 784-256-128-10 step (lossAndGrad + Adam), steps/s',
  '',
  'Plain SIMD: one thread `init({ relaxedSimd: false })`, two threads the plain threads build; relaxed: the relaxed build and the',
  'relaxed threads build (made from its bytes). Ratios are to one thread of the same build, in the same interleaved rounds.',
  '',
  '| build | batch | 1 thread | 2 threads, GEMMs split | 2 threads, data-parallel | 2 threads, \'auto\' | gemm / 1 | data / 1 | auto / 1 |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...stepRows.map((r) => `| ${r.build} | ${r.batch} | ${r.one.toFixed(0)} | ${r.gemm.toFixed(0)} | ${r.data.toFixed(0)} | ${r.auto.toFixed(0)} | ${f2(r.gemm / r.one)}× | ${f2(r.data / r.one)}× | ${f2(r.auto / r.one)}× |`),
  '',
  `\`model.parallel = 'auto'\` follows the rule of nn/parallel-mode.ts (autoMode; docs/threads.md): the calling thread alone below a work threshold in 6·n·P flops (this MLP: P = ${P} parameters), else data-parallel from a number of rows per thread, else the GEMMs split.`,
  '',
];
console.log(lines.join('\n'));
if (!SHORT) {
  mkdirSync(root + 'bench/results', { recursive: true });
  writeFileSync(root + 'bench/results/threads.json', JSON.stringify({ machine, rounds: ROUNDS, gemm: gemmRows, threshold, steps: stepRows }, null, 2) + '\n');
  writeResultsSection('## Threads', lines, root + 'bench/RESULTS.md');
  console.log('wrote bench/results/threads.json and the Threads section of bench/RESULTS.md');
}
