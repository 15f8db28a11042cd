// One optimizer step over 1M and 10M parameters: the fused kernel in the SIMD
// build vs the scalar build vs a plain-JS loop over Float32Arrays, against the
// copy bandwidth (f32_copy) measured in the same run. Reports medians of
// per-round medians (rounds interleave the variants) in ms and GB/s of memory
// traffic (bytes read + written per parameter x n).
//
//   npm run bench optim   (or: npm run build && node bench/optim.bench.mjs [--short])
//   node bench/optim.bench.mjs --from-json   rewrites the RESULTS.md section from bench/results/optim.json
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { init } from '../dist/index.js';
import { cases, model } from './optim-cases.mjs';
import { cpuDescription, writeResultsSection } from './util.mjs';

const short = process.argv.includes('--short');
const TITLE = '## Optimizer step (bench/optim.bench.mjs)';

/** Writes (or replaces) this suite's section of bench/RESULTS.md. */
function writeSection(res) {
  const f = (x, d = 2) => (x === undefined ? '–' : x.toFixed(d));
  const lines = [
    TITLE,
    '',
    `${res.machine}, single thread; ${res.date.slice(0, 16).replace('T', ' ')} UTC; load average ${res.loadStart} at the start and ${res.loadEnd} at the end`,
    '(the machine is shared: absolute figures move with the load; ratios and the copy bandwidth are measured in',
    'the same run, rounds interleave the variants, each figure is the median of 3 rounds). Times are CPU time per',
    'call (`process.cpuUsage` over a batch of calls): under load a 10 ms call is preempted far more often than a',
    '0.3 ms one, so wall-clock ratios overstate the gap (the wall-clock medians from tinybench are in the JSON).',
    'One `opt.step()` of the fused kernel (SIMD build, scalar build) vs a plain JS loop over `Float32Array`s with the',
    'same formula. GB/s counts bytes read + written per parameter (Adam: g, p, m, v read, p, m, v written = 28 B).',
    '"bound" is those bytes at the copy bandwidth (`f32_copy` over 2n floats, same run); "% of bound" = bound / SIMD time.',
    '`adam-chain` is the same Adam as the named chain of transforms (`fused: false`: copy g, scaleByAdam,',
    'scaleByLearningRate, add: 4 passes). Langevin is dominated by drawing n normals (`f32_rng_normal`, Box-Muller in f32).',
    '',
    '| optimizer | n | B/param | SIMD ms | SIMD GB/s | scalar ms | plain JS ms | copy GB/s | bound ms | % of bound | SIMD/scalar | SIMD/JS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of res.rows) {
    lines.push(`| ${r.optimizer} | ${r.n.toLocaleString('en')} | ${r.bytesPerParam} | ${f(r.simdMs)} | ${f(r.simdGBs, 1)} | ${f(r.scalarMs)} | ${f(r.jsMs)} | ${f(r.copyGBs, 1)} | ${f(r.boundMs)} | ${f(100 * r.simdOfBound, 0)}% | ${f(r.scalarMs / r.simdMs, 1)}× | ${r.jsMs ? f(r.jsMs / r.simdMs, 1) + '×' : '–'} |`);
  }
  lines.push('', 'Run: `npm run bench optim` (JSON: bench/results/optim.json).', '');
  writeResultsSection(TITLE, lines.slice(1));
}

if (process.argv.includes('--from-json')) {
  writeSection(JSON.parse(readFileSync('bench/results/optim.json', 'utf8')));
  process.exit(0);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const loadStart = loadavg().map((x) => x.toFixed(1)).join(' ');
const ROUNDS = short ? 1 : 3;
const TIME = short ? 150 : 400;
const SIZES = short ? [1 << 20] : [1_000_000, 10_000_000];

const engines = { simd: await init({ simd: true }), scalar: await init({ simd: false }) };

// Plain-JS loops (the formulas of the src/optim family files), state in Float32Arrays.
const b1 = 0.9, b2 = 0.999, eps = 1e-8;
const jsSteps = {
  sgd: (n, p, g, lr) => { for (let i = 0; i < n; i++) p[i] -= lr * g[i]; },
  'sgd-momentum': (n, p, g, lr, s) => { const b = s.a; for (let i = 0; i < n; i++) { b[i] = 0.9 * b[i] + g[i]; p[i] -= lr * b[i]; } },
  adagrad: (n, p, g, lr, s) => { const a = s.a; for (let i = 0; i < n; i++) { a[i] += g[i] * g[i]; p[i] -= (lr * g[i]) / (Math.sqrt(a[i]) + 1e-10); } },
  rmsprop: (n, p, g, lr, s) => { const a = s.a; for (let i = 0; i < n; i++) { a[i] = 0.99 * a[i] + 0.01 * g[i] * g[i]; p[i] -= (lr * g[i]) / (Math.sqrt(a[i]) + eps); } },
  adam: (n, p, g, lr, s) => {
    const m = s.a, v = s.b, t = ++s.t, c1 = lr / (1 - b1 ** t), c2 = 1 / Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (c1 * m[i]) / (Math.sqrt(v[i]) * c2 + eps);
    }
  },
  adamw: (n, p, g, lr, s) => {
    const m = s.a, v = s.b, t = ++s.t, c1 = lr / (1 - b1 ** t), c2 = 1 / Math.sqrt(1 - b2 ** t), d = 1 - lr * 0.01;
    for (let i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] = d * p[i] - (c1 * m[i]) / (Math.sqrt(v[i]) * c2 + eps);
    }
  },
  adamax: (n, p, g, lr, s) => {
    const m = s.a, u = s.b, t = ++s.t, c1 = lr / (1 - b1 ** t);
    for (let i = 0; i < n; i++) { m[i] = b1 * m[i] + (1 - b1) * g[i]; u[i] = Math.max(b2 * u[i], Math.abs(g[i]) + eps); p[i] -= (c1 * m[i]) / u[i]; }
  },
  adadelta: (n, p, g, lr, s) => {
    const a = s.a, d = s.b;
    for (let i = 0; i < n; i++) {
      a[i] = 0.9 * a[i] + 0.1 * g[i] * g[i];
      const dx = (Math.sqrt(d[i] + 1e-6) / Math.sqrt(a[i] + 1e-6)) * g[i];
      d[i] = 0.9 * d[i] + 0.1 * dx * dx;
      p[i] -= lr * dx;
    }
  },
};

const rows = [];
for (const n of SIZES) {
  const models = { simd: model(engines.simd, n), scalar: model(engines.scalar, n) };
  // copy bandwidth: f32_copy of 2 x n floats (16 bytes of traffic per parameter), same run
  const copyN = 2 * n;
  const src = engines.simd.allocF32(copyN), dst = engines.simd.allocF32(copyN);
  const jsP = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5);
  const jsG = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11) * 1e-3);
  for (const [label, name, options, bytes, jsName] of cases) {
    const opts = { simd: engines.simd.optim[name](models.simd, options), scalar: engines.scalar.optim[name](models.scalar, options) };
    const jsState = { a: new Float32Array(n), b: new Float32Array(n), t: 0 };
    // wall clock (tinybench) and CPU time (process.cpuUsage over a batch of calls): on a shared
    // machine a long call is preempted more often than a short one, so CPU time is the fairer figure
    const wall = { simd: [], scalar: [], js: [], copy: [] }, cpu = { simd: [], scalar: [], js: [], copy: [] };
    const call = {
      copy: () => engines.simd.kernels.f32_copy(copyN, src, dst),
      simd: () => opts.simd.step(),
      scalar: () => opts.scalar.step(),
      js: jsName ? () => jsSteps[jsName](n, jsP, jsG, 1e-3, jsState) : null,
    };
    for (let r = 0; r < ROUNDS; r++) {
      const bench = new Bench({ time: TIME, warmupTime: 100 });
      const order = r % 2 === 0 ? ['copy', 'simd', 'scalar', 'js'] : ['js', 'scalar', 'simd', 'copy'];
      for (const v of order) if (call[v]) bench.add(v, call[v]);
      await bench.run();
      for (const t of bench.tasks) wall[t.name].push(t.result.latency.p50);
      for (const v of order) {
        if (!call[v]) continue;
        const reps = Math.max(3, Math.ceil(TIME / 4 / Math.max(0.05, med(wall[v]))));
        const c0 = process.cpuUsage();
        for (let i = 0; i < reps; i++) call[v]();
        const c = process.cpuUsage(c0);
        cpu[v].push((c.user + c.system) / 1000 / reps);
      }
    }
    const copyGBs = (8 * copyN) / (med(cpu.copy) * 1e6);
    const row = { optimizer: label, n, bytesPerParam: bytes, copyGBs, copyWallGBs: (8 * copyN) / (med(wall.copy) * 1e6) };
    for (const v of ['simd', 'scalar', 'js']) {
      if (cpu[v].length === 0) continue;
      row[`${v}Ms`] = med(cpu[v]);
      row[`${v}WallMs`] = med(wall[v]);
      row[`${v}GBs`] = (bytes * n) / (row[`${v}Ms`] * 1e6);
    }
    row.boundMs = (bytes * n) / (copyGBs * 1e6);
    row.simdOfBound = row.boundMs / row.simdMs;
    rows.push(row);
    const f = (x, d = 2) => (x === undefined ? '   -  ' : x.toFixed(d).padStart(7));
    console.log(
      `${label.padEnd(21)} n=${String(n).padStart(8)}  simd ${f(row.simdMs)} ms ${f(row.simdGBs, 1)} GB/s  scalar ${f(row.scalarMs)} ms  js ${f(row.jsMs)} ms` +
        `  copy ${copyGBs.toFixed(1)} GB/s -> bound ${row.boundMs.toFixed(2)} ms (simd at ${(100 * row.simdOfBound).toFixed(0)}%)  [wall: simd ${f(row.simdWallMs)} js ${f(row.jsWallMs)}]`,
    );
    opts.simd.dispose();
    opts.scalar.dispose();
  }
  engines.simd.arena.free(src);
  engines.simd.arena.free(dst);
}
if (!short) {
  mkdirSync('bench/results', { recursive: true });
  const res = {
    machine: cpuDescription() + ', Node ' + process.versions.node,
    date: new Date().toISOString(),
    loadStart,
    loadEnd: loadavg().map((x) => x.toFixed(1)).join(' '),
    rows,
  };
  writeFileSync('bench/results/optim.json', JSON.stringify(res, null, 1));
  writeSection(res);
}
