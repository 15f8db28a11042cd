// GEMM benchmark: GFLOP/s of f32_gemm_* (SIMD, relaxed SIMD when the runtime
// has it, scalar) against a plain-JS triple loop and @tensorflow/tfjs-backend-wasm
// (one thread), on square n = 64..1024 and the MLP layer shapes, plus the
// machine's f32x4 mul+add peak (bench/peak.ts) so GEMM is quoted as a fraction
// of it. Variants are interleaved round by round; figures are medians over the
// rounds, and every ratio comes from the same run. The '2 threads' variant is
// init({ threads: 2 }) (the threads build: plain SIMD, GEMMs split across the
// calling thread and a worker, docs/threads.md); its ratio is to the SIMD row.
//
//   node bench/gemm.bench.mjs           full run: bench/results/gemm.json + the GEMM section of bench/RESULTS.md
//   node bench/gemm.bench.mjs --short   a few seconds: SIMD vs scalar on a few sizes (what `npm start` runs)
//   node bench/gemm.bench.mjs --problems 'n=1024:nn,MLP X·W'   only these rows (label[:form]), printed, nothing written
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { init } from '../dist/index.js';
import { cpuDescription, loadTfjsWasm, median, randomF32 } from './util.mjs';

const SHORT = process.argv.includes('--short');
const root = fileURLToPath(new URL('..', import.meta.url));
const path = (p) => root + p;

// ------------------------------------------------------------ problems

/** [label, form, m, n, k]: C[m, n] = op(A)[m, k] · op(B)[k, n] */
const ALL_PROBLEMS = SHORT
  ? [
      ['n=128', 'nn', 128, 128, 128],
      ['n=256', 'nn', 256, 256, 256],
      ['n=512', 'nn', 512, 512, 512],
      ['MLP Xᵀ·dY', 'tn', 784, 256, 128],
    ]
  : [
      ['n=64', 'nn', 64, 64, 64],
      ['n=128', 'nn', 128, 128, 128],
      ['n=256', 'nn', 256, 256, 256],
      ['n=512', 'nn', 512, 512, 512],
      ['n=512', 'nt', 512, 512, 512],
      ['n=512', 'tn', 512, 512, 512],
      ['n=512', 'tt', 512, 512, 512],
      ['n=1024', 'nn', 1024, 1024, 1024],
      ['n=1024', 'nt', 1024, 1024, 1024],
      ['n=1024', 'tn', 1024, 1024, 1024],
      ['MLP X·W', 'nn', 128, 256, 784],
      ['MLP dY·Wᵀ', 'nt', 128, 784, 256],
      ['MLP Xᵀ·dY', 'tn', 784, 256, 128],
    ];
const only = process.argv.includes('--problems') ? process.argv[process.argv.indexOf('--problems') + 1].split(',') : null;
const PROBLEMS = only
  ? ALL_PROBLEMS.filter(([label, form]) => only.some((o) => { const [l, f] = o.split(':'); return l === label && (!f || f === form); }))
  : ALL_PROBLEMS;
if (only && PROBLEMS.length === 0) throw new Error(`--problems ${only.join(',')}: no such rows (labels: ${[...new Set(ALL_PROBLEMS.map((p) => p[0]))].join(', ')})`);

const stored = (form, m, n, k) => ({
  ar: form[0] === 't' ? k : m,
  ac: form[0] === 't' ? m : k,
  br: form[1] === 't' ? n : k,
  bc: form[1] === 't' ? k : n,
});

// ------------------------------------------------------------ variants

/** A wasmgrad engine's raw kernel on arena buffers allocated once. */
function wasmVariant(engine, form, m, n, k, A, B) {
  const { ac, bc } = stored(form, m, n, k);
  const pa = engine.allocF32(A.length), pb = engine.allocF32(B.length), pc = engine.allocF32(m * n);
  engine.f32(pa, A.length).set(A);
  engine.f32(pb, B.length).set(B);
  const kern = engine.kernels[`f32_gemm_${form}`];
  return () => kern(m, n, k, pa, ac, pb, bc, pc, n, 1, 0);
}

/** Plain-JS triple loops, each form in its natural cache-friendly order. */
function plainVariant(form, m, n, k, A, B) {
  const C = new Float32Array(m * n);
  const lda = stored(form, m, n, k).ac, ldb = stored(form, m, n, k).bc;
  const loops = {
    nn() {
      C.fill(0);
      for (let i = 0; i < m; i++)
        for (let p = 0; p < k; p++) {
          const a = A[i * lda + p];
          for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * ldb + j];
        }
    },
    nt() {
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A[i * lda + p] * B[j * ldb + p];
          C[i * n + j] = s;
        }
    },
    tn() {
      C.fill(0);
      for (let p = 0; p < k; p++)
        for (let i = 0; i < m; i++) {
          const a = A[p * lda + i];
          for (let j = 0; j < n; j++) C[i * n + j] += a * B[p * ldb + j];
        }
    },
    tt() {
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += A[p * lda + i] * B[j * ldb + p];
          C[i * n + j] = s;
        }
    },
  };
  return loops[form];
}

function tfVariant(tf, form, m, n, k, A, B) {
  const { ar, ac, br, bc } = stored(form, m, n, k);
  const a = tf.tensor2d(A, [ar, ac]);
  const b = tf.tensor2d(B, [br, bc]);
  return () => {
    const c = tf.matMul(a, b, form[0] === 't', form[1] === 't');
    c.dataSync();
    c.dispose();
  };
}

// ------------------------------------------------------------ peak

/**
 * Compiles bench/peak.ts (mul + add; relaxed_madd when the runtime validates it)
 * and returns its two loops per build as variants of about 3 ms per call
 * (register-resident chains, and the GEMM micro-kernel body on L1 data). They
 * run inside every round, so they see the same machine load as the GEMMs.
 */
function peakVariants() {
  const out = {};
  const asc = path('node_modules/.bin/asc');
  for (const [suffix, feature] of [['', 'simd'], ['Relaxed', 'relaxed-simd']]) {
    const file = path(`build/peak.${feature}.wasm`);
    execFileSync(asc, [path('bench/peak.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--use', 'abort=', '--enable', feature, '-o', file]);
    let exp;
    try {
      exp = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {}).exports;
    } catch {
      continue; // relaxed SIMD is not enabled in this runtime
    }
    const chains = () => exp.f32_peak_madd(PEAK_ITERS, 0.999);
    chains.flops = 96 * PEAK_ITERS;
    const kernel = () => exp.f32_peak_kernel(PEAK_ITERS);
    kernel.flops = 64 * PEAK_ITERS;
    out[`peakChains${suffix}`] = chains;
    out[`peakKernel${suffix}`] = kernel;
    if (!suffix) {
      const scalar = () => exp.f32_peak_scalar(PEAK_ITERS, 0.999);
      scalar.flops = 24 * PEAK_ITERS;
      out.peakScalar = scalar;
    }
  }
  return out;
}
const PEAK_ITERS = 1e6;

// ------------------------------------------------------------ harness

/** Runs every variant once per round (order rotated each round); returns median ms per variant. */
async function measure(variants, rounds, timeMs) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time: timeMs, iterations: 1, warmup: r === 0, warmupTime: timeMs / 4, warmupIterations: 1 });
    for (let i = 0; i < names.length; i++) {
      const v = names[(i + r) % names.length];
      bench.add(v, variants[v]);
    }
    await bench.run();
    for (const t of bench.tasks) {
      if (t.result.state !== 'completed') throw new Error(`${t.name}: ${t.result.state} ${t.result.error ?? ''}`);
      samples[t.name].push(t.result.latency.p50);
    }
  }
  return Object.fromEntries(names.map((v) => [v, median(samples[v])]));
}

const fmt = (x, d = 1) => (x === undefined ? '–' : x.toFixed(d));

// ------------------------------------------------------------ main

const engines = { simd: await init({ simd: true, relaxedSimd: false }), scalar: await init({ simd: false }) };
try {
  const relaxed = await init({ relaxedSimd: true });
  if (relaxed.relaxedSimd) engines.relaxed = relaxed;
} catch {
  // no relaxed build in this runtime (Node 20 without --experimental-wasm-relaxed-simd)
}
try {
  engines.threads2 = await init({ threads: 2, relaxedSimd: false });
} catch (e) {
  console.error(`no 2-thread engine here: ${e.message}`);
}
const tfjs = SHORT ? null : await loadTfjsWasm();
const rounds = SHORT ? 3 : 5;
const peaks = SHORT ? {} : peakVariants();

const rows = [];
for (const [label, form, m, n, k] of PROBLEMS) {
  const { ar, ac, br, bc } = stored(form, m, n, k);
  const A = randomF32(ar * ac, 1), B = randomF32(br * bc, 2);
  const variants = {};
  for (const [name, e] of Object.entries(engines)) {
    const mark = e.arena.mark();
    variants[name] = wasmVariant(e, form, m, n, k, A, B);
    variants[name].mark = mark;
  }
  const big = m * n * k >= 1024 ** 3;
  if (!SHORT && !big) variants.plainjs = plainVariant(form, m, n, k, A, B);
  if (tfjs) variants.tfjs = tfVariant(tfjs.tf, form, m, n, k, A, B);
  Object.assign(variants, peaks);
  const ms = await measure(variants, big ? 3 : rounds, SHORT ? 60 : 150);
  for (const [name, e] of Object.entries(engines)) e.arena.reset(variants[name].mark);
  const flops = 2 * m * n * k;
  const gflops = Object.fromEntries(Object.entries(ms).map(([v, t]) => [v, (variants[v].flops ?? flops) / (t * 1e6)]));
  const row = { label, form, m, n, k, gflops };
  row.simdOverScalar = gflops.simd / gflops.scalar;
  if (gflops.threads2) row.threads2OverSimd = gflops.threads2 / gflops.simd;
  if (gflops.plainjs) row.simdOverPlainJs = gflops.simd / gflops.plainjs;
  if (gflops.tfjs) row.simdOverTfjs = gflops.simd / gflops.tfjs;
  // the peak of a build: the faster of its two mul+add loops, in this problem's rounds
  if (gflops.peakChains) gflops.peak = Math.max(gflops.peakChains, gflops.peakKernel);
  if (gflops.peakChainsRelaxed) gflops.peakRelaxed = Math.max(gflops.peakChainsRelaxed, gflops.peakKernelRelaxed);
  if (gflops.peak) row.fractionOfPeak = gflops.simd / gflops.peak;
  if (gflops.relaxed && gflops.peakRelaxed) row.relaxedFractionOfPeak = gflops.relaxed / gflops.peakRelaxed;
  if (gflops.peakScalar) row.scalarFractionOfPeak = gflops.scalar / gflops.peakScalar;
  rows.push(row);
  const g = gflops;
  console.log(
    `${label.padEnd(11)} ${form}  simd ${fmt(g.simd).padStart(5)}  ${g.relaxed ? `relaxed ${fmt(g.relaxed).padStart(5)}  ` : ''}` +
      `scalar ${fmt(g.scalar).padStart(5)}  ${g.threads2 ? `2 threads ${fmt(g.threads2).padStart(5)}  ` : ''}${g.plainjs ? `js ${fmt(g.plainjs).padStart(5)}  ` : ''}` +
      `${g.tfjs ? `tfjs ${fmt(g.tfjs).padStart(5)}  ` : ''}GFLOP/s   simd/scalar ${fmt(row.simdOverScalar, 2)}x${row.threads2OverSimd ? `  2 threads/simd ${fmt(row.threads2OverSimd, 2)}x` : ''}`,
  );
}

/** tn / nn: the weight-gradient form against the forward form, same run. */
const find = (label, form) => rows.find((r) => r.label === label && r.form === form);
const tnOverNn = {};
if (find('n=512', 'tn') && find('n=512', 'nn')) tnOverNn['n=512'] = find('n=512', 'tn').gflops.simd / find('n=512', 'nn').gflops.simd;
if (find('MLP Xᵀ·dY', 'tn') && find('MLP X·W', 'nn')) tnOverNn.MLP = find('MLP Xᵀ·dY', 'tn').gflops.simd / find('MLP X·W', 'nn').gflops.simd;

const machine = {
  cpu: cpuDescription(),
  cores: os.cpus().length,
  node: process.version,
  v8: process.versions.v8,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  loadavg: os.loadavg(),
  date: new Date().toISOString(),
  execArgv: [...process.execArgv, ...(process.env.NODE_OPTIONS ? [process.env.NODE_OPTIONS] : [])],
};

if (SHORT || only) {
  console.log(`load average ${machine.loadavg.map((x) => x.toFixed(1)).join(' ')}`);
  if (only) process.exit(0);
  console.log(`\n${machine.cpu}, Node ${machine.node}; medians of ${rounds} interleaved rounds (npm run bench for the full table)`);
  process.exit(0);
}

const has = (v) => rows.some((r) => r.gflops[v] !== undefined);
const cols = [
  ['SIMD', (r) => fmt(r.gflops.simd)],
  ...(has('relaxed') ? [['relaxed SIMD', (r) => fmt(r.gflops.relaxed)]] : []),
  ['scalar', (r) => fmt(r.gflops.scalar)],
  ...(has('threads2') ? [['SIMD, 2 threads', (r) => fmt(r.gflops.threads2)], ['2 threads / 1', (r) => `${fmt(r.threads2OverSimd, 2)}×`]] : []),
  ['plain JS', (r) => fmt(r.gflops.plainjs)],
  ...(has('tfjs') ? [['tfjs-wasm', (r) => fmt(r.gflops.tfjs)]] : []),
  ['SIMD/scalar', (r) => `${fmt(r.simdOverScalar, 2)}×`],
  ['SIMD/JS', (r) => (r.simdOverPlainJs ? `${fmt(r.simdOverPlainJs, 1)}×` : '–')],
  ...(has('tfjs') ? [['SIMD/tfjs', (r) => `${fmt(r.simdOverTfjs, 2)}×`]] : []),
  ['SIMD % of peak', (r) => (r.fractionOfPeak ? `${fmt(100 * r.fractionOfPeak, 0)}%` : '–')],
  ...(has('relaxed') && has('peakRelaxed') ? [['relaxed % of its peak', (r) => (r.relaxedFractionOfPeak ? `${fmt(100 * r.relaxedFractionOfPeak, 0)}%` : '–')]] : []),
  ...(has('peakScalar') ? [['scalar % of its peak', (r) => (r.scalarFractionOfPeak ? `${fmt(100 * r.scalarFractionOfPeak, 0)}%` : '–')]] : []),
];
const table = [
  `| problem | form | ${cols.map((c) => c[0]).join(' | ')} |`,
  `|---|---|${cols.map(() => '---:').join('|')}|`,
  ...rows.map((r) => `| ${r.label} (${r.m}×${r.k}·${r.k}×${r.n}) | ${r.form} | ${cols.map((c) => c[1](r)).join(' | ')} |`),
].join('\n');
/** The peak over the whole run: the median of its per-problem medians. */
const peak = {};
for (const [name, label] of [
  ['peakChains', 'mul+add chains'],
  ['peakKernel', 'mul+add micro-kernel on L1'],
  ['peak', 'mul+add (the faster)'],
  ['peakChainsRelaxed', 'relaxed_madd chains'],
  ['peakKernelRelaxed', 'relaxed_madd micro-kernel on L1'],
  ['peakRelaxed', 'relaxed_madd (the faster)'],
  ['peakScalar', 'scalar f32 mul+add chains'],
]) {
  const xs = rows.map((r) => r.gflops[name]).filter((x) => x !== undefined);
  if (xs.length) peak[label] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}
const peakLine = Object.entries(peak)
  .map(([k, v]) => `${k} ${fmt(v.median)} GFLOP/s (range ${fmt(v.min)}-${fmt(v.max)} over the problems)`)
  .join('; ');
const section = `## GEMM

\`node bench/gemm.bench.mjs\` (\`npm run bench gemm\`), ${machine.date.slice(0, 10)}: ${machine.cpu}
(shared with other jobs; load average ${machine.loadavg.map((x) => x.toFixed(1)).join(' ')}),
Node ${machine.node}${machine.execArgv.length ? ` with \`${machine.execArgv.join(' ')}\`` : ''}, single thread except "SIMD, 2 threads"
(\`init({ threads: 2 })\`: the threads build, plain SIMD, on the calling thread and one worker; "2 threads / 1" is its ratio to
the SIMD column in the same rounds, and on a shared 2-vCPU machine it is bounded by how much of the second core is free). GFLOP/s = 2mnk / time, medians of
${rounds} interleaved rounds (3 for n = 1024); ratios from the same run. ${tfjs ? tfjs.label : 'tfjs-backend-wasm not available'}.
Plain JS is skipped at n = 1024.

f32x4 peak (bench/peak.ts: 12 register-resident multiply-add chains, and the GEMM micro-kernel
body on L1-resident data; both run inside every round, and a problem's "% of peak" uses the faster
of the two as measured in its own rounds): ${peakLine}.
tn / nn (the weight gradient against the forward product, SIMD): ${Object.entries(tnOverNn)
  .map(([k, v]) => `${k} ${fmt(v, 2)}`)
  .join(', ')}.

${table}

Reading this table: the machine is shared, and under a high load average the time-slicing evicts
the L2-resident packed blocks, which depresses n ≥ 512 far more than the small sizes; compare the
ratios within a row, and the load average above: a row where every build (scalar included) falls
together was slowed by the machine, not by a kernel. "% of peak" uses the faster of the two peak
loops of that build as measured in the row's own rounds; values above 100% mean that even that
reference was slowed in those rounds.
`;
console.log(`\npeak: ${peakLine}\ntn/nn: ${JSON.stringify(tnOverNn)}\n\n${table}`);

mkdirSync(path('bench/results'), { recursive: true });
writeFileSync(path('bench/results/gemm.json'), JSON.stringify({ machine, peak, tfjs: tfjs?.label ?? null, rounds, tnOverNn, rows }, null, 2) + '\n');

// Replace (or append) this benchmark's own section of bench/RESULTS.md.
const resultsFile = path('bench/RESULTS.md');
const old = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmark results\n\nEach section is written by its benchmark (`npm run bench [name]`).\n';
const start = old.indexOf('\n## GEMM\n');
let next = start < 0 ? -1 : old.indexOf('\n## ', start + 1);
const updated =
  start < 0 ? `${old.trimEnd()}\n\n${section}` : `${old.slice(0, start + 1)}${section}${next < 0 ? '' : old.slice(next)}`;
writeFileSync(resultsFile, updated);
console.log('wrote bench/results/gemm.json and the GEMM section of bench/RESULTS.md');
