// Each proximal operator and projection (assembly/prox*.ts, assembly/project*.ts) at 1M and
// 10M floats, SIMD and scalar builds, against two baselines measured in the same run:
//   "copy"            f32_copy of the same n floats (n read + n written, what an in-place op must move at least);
//   "same-bytes copy" f32_copy moving as many bytes as the op reads + writes, for ops that must
//                     read more than x once (box with tensor bounds: x, lo, hi read, x written = a copy
//                     of 2n floats; l2Ball and column group lasso: a norm pass, then a scaling pass =
//                     1.5n; simplex / l1 ball: a threshold pass, then the final pass = 1.5n at least).
// Each call starts from the same random input: a batch times (restore + op), another restores
// only (the restore is that copy), and op = the difference. CPU time (process.cpuUsage) per
// call, medians of ROUNDS rounds that interleave the variants.
//
//   npm run bench prox   (or: npm run build && node bench/prox.bench.mjs)   full run: writes
//                        bench/results/prox.json and the RESULTS.md section
//   node bench/prox.bench.mjs [--short] [--only <label text>] [--n <size>]   prints only
//   node bench/prox.bench.mjs --from-json   rewrites the RESULTS.md section from bench/results/prox.json
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cpuDescription, median, randomF32 } from './util.mjs';

const short = process.argv.includes('--short');
// --only <text>: the cases whose label contains it; --n <count>: one size; WASMGRAD_DIST: another build's dist/index.js
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const nAt = process.argv.indexOf('--n');
const full = !short && only === undefined && nAt < 0; // only a full run writes the JSON and RESULTS.md
const { init } = await import(process.env.WASMGRAD_DIST ?? '../dist/index.js');
const TITLE = '## Proximal operators and projections (bench/prox.bench.mjs)';

/** The issue's bar for an op: ≤ 5× a copy for simplex / l1 ball, ≤ 1.3× for the others. */
const barOf = (op) => (/simplex|l1Ball/.test(op) ? 5 : 1.3);

function writeSection(res) {
  const f = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));
  const lines = [
    TITLE,
    '',
    `${res.machine}; ${res.date.slice(0, 16).replace('T', ' ')} UTC; load average ${res.loadStart} at the start and ${res.loadEnd} at the end`,
    `(shared machine: absolute figures move with the load, ratios are measured in the same run). CPU time per call, median of ${res.rounds} rounds.`,
    '"copy" is `f32_copy` of the same n floats (n read + n written, what an in-place op must move at least); "× copy" = SIMD time / copy time.',
    '"same bytes" is `f32_copy` of k·n floats, moving as many bytes as the op must read + write (k in the table: box with tensor',
    'bounds reads x, lo, hi and writes x, k = 2; l2Ball and column group lasso read x for the norms and again to scale it, k = 1.5;',
    'row group lasso does too but a row (4 kB) is re-read from L1; simplex / l1 ball read x for τ, then read and write it, k = 1.5).',
    'The issue asks ≤ 1.3× a copy of the same bytes for the elementwise ones and ≤ 5× a copy for simplex / l1 ball; "meets" says',
    'which reading holds: "copy" (n floats: the strict one), "same bytes" (only against the k·n copy), "no".',
    'At 1M the data sits in cache and the copy is `memory.copy` at cache bandwidth, so ratios there are harsher than at 10M (memory-bound).',
    '',
    '| op | n | SIMD ms | scalar ms | copy ms | × copy | k | same-bytes copy ms | × same bytes | meets | SIMD/scalar |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const r of res.rows) {
    const bar = barOf(r.op), vsCopy = r.simdMs / r.copyMs, vsSame = r.sameMs === undefined ? vsCopy : r.simdMs / r.sameMs;
    const meets = r.op.startsWith('(') ? '' : vsCopy <= bar ? 'copy' : vsSame <= bar ? 'same bytes' : 'no';
    lines.push(`| ${r.op} | ${r.n.toLocaleString('en')} | ${f(r.simdMs, 3)} | ${f(r.scalarMs, 3)} | ${f(r.copyMs, 3)} | ${f(vsCopy)}× | ${r.k ?? 1} | ${r.sameMs === undefined ? '–' : f(r.sameMs, 3)} | ${r.sameMs === undefined ? '–' : `${f(vsSame)}×`} | ${meets} | ${f(r.scalarMs / r.simdMs, 1)}× |`);
  }
  lines.push('', 'Run: `npm run bench prox` (JSON: bench/results/prox.json).', '');
  const path = 'bench/RESULTS.md';
  let md = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = md.indexOf(TITLE);
  if (start >= 0) {
    const next = md.indexOf('\n## ', start + TITLE.length);
    md = md.slice(0, start) + lines.join('\n') + (next >= 0 ? md.slice(next + 1) : '');
  } else md = md.replace(/\n*$/, '\n\n') + lines.join('\n');
  writeFileSync(path, md);
}

if (process.argv.includes('--from-json')) {
  writeSection(JSON.parse(readFileSync('bench/results/prox.json', 'utf8')));
  process.exit(0);
}

const loadStart = loadavg().map((x) => x.toFixed(1)).join(' ');
const ROUNDS = short ? 1 : 5;
const SIZES = nAt >= 0 ? [Number(process.argv[nAt + 1])] : short ? [1 << 20] : [1_000_000, 10_000_000];
const engines = { simd: await init({ simd: true }), scalar: await init({ simd: false }) };

/** [label, (kernels, n, x, scratch, lo, hi) => void, k: the same-bytes copy moves k·n floats (1: only the plain copy)] */
const cases = [
  ['prox.l1', (k, n, x) => k.f32_prox_l1(n, x, 0.1)],
  ['prox.l2', (k, n, x) => k.f32_prox_l2(n, x, 0.1)],
  ['prox.elasticNet', (k, n, x) => k.f32_prox_elastic_net(n, x, 0.1, 0.1)],
  ['prox.groupLasso rows (×1000)', (k, n, x) => k.f32_prox_group_lasso_rows(n / 1000, 1000, x, 0.5), 1.5],
  ['prox.groupLasso columns (×1000)', (k, n, x, s) => k.f32_prox_group_lasso_cols(n / 1000, 1000, x, s, 0.5), 1.5],
  ['project.box (numbers)', (k, n, x) => k.f32_project_clamp(n, x, -0.25, 0.25)],
  ['(f32_clip, for comparison)', (k, n, x) => k.f32_clip(n, x, -0.25, 0.25)],
  ['project.box (tensors)', (k, n, x, s, lo, hi) => k.f32_project_box(n, x, lo, hi), 2],
  ['project.grid (ternary)', (k, n, x) => k.f32_project_grid(n, x, -0.25, 0.25, 2)],
  ['project.l2Ball', (k, n, x) => k.f32_project_l2_ball(n, x, 1), 1.5],
  ['project.simplex', (k, n, x, s) => k.f32_project_simplex(n, x, s, 1), 1.5],
  ['project.l1Ball r=1', (k, n, x, s) => k.f32_project_l1_ball(n, x, s, 1), 1.5],
  ['project.l1Ball r=n/8', (k, n, x, s) => k.f32_project_l1_ball(n, x, s, n / 8), 1.5],
];

const rows = [];
for (const n of SIZES) {
  const data = randomF32(n, 7);
  const buf = {};
  for (const [b, e] of Object.entries(engines)) {
    const src = e.allocF32(n), x = e.allocF32(n), s = e.allocF32(2 * n), lo = e.allocF32(n), hi = e.allocF32(n);
    const big = b === 'simd' ? e.allocF32(2 * n) : 0; // the same-bytes copy's destination (its source: s)
    e.f32(src, n).set(data);
    e.kernels.f32_fill(n, lo, -0.25);
    e.kernels.f32_fill(n, hi, 0.25);
    buf[b] = { e, src, x, s, lo, hi, big };
  }
  const reps = Math.max(3, Math.round(2e8 / n / (short ? 4 : 1)));
  const time = (f) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) f();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / reps;
  };
  for (const [label, op, k = 1] of cases) {
    if (only !== undefined && !label.includes(only)) continue;
    const t = { simd: [], scalar: [], copy: [], same: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const b of r % 2 ? ['scalar', 'simd'] : ['simd', 'scalar']) {
        const { e, src, x, s, lo, hi, big } = buf[b];
        const kn = e.kernels;
        const restore = () => kn.f32_copy(n, src, x);
        for (let w = 0; w < 2; w++) { restore(); op(kn, n, x, s, lo, hi); } // warm-up (tier-up)
        const both = time(() => { restore(); op(kn, n, x, s, lo, hi); });
        const copy = time(restore);
        t[b].push(both - copy);
        if (b === 'simd') {
          t.copy.push(copy);
          if (k !== 1) { const m = Math.round(k * n); kn.f32_copy(m, s, big); t.same.push(time(() => kn.f32_copy(m, s, big))); }
        }
      }
    }
    const row = { op: label, n, simdMs: median(t.simd), scalarMs: median(t.scalar), copyMs: median(t.copy) };
    if (k !== 1) Object.assign(row, { k, sameMs: median(t.same) });
    rows.push(row);
    const same = k === 1 ? '' : `, ${(row.simdMs / row.sameMs).toFixed(2)}× a copy of ${k}n floats (${row.sameMs.toFixed(3)} ms)`;
    console.log(`${label.padEnd(32)} n=${String(n).padStart(8)}  simd ${row.simdMs.toFixed(3)} ms  scalar ${row.scalarMs.toFixed(3)} ms  copy ${row.copyMs.toFixed(3)} ms  (${(row.simdMs / row.copyMs).toFixed(2)}× copy${same})`);
  }
  for (const { e, src, x, s, lo, hi, big } of Object.values(buf)) for (const p of [big, hi, lo, s, x, src]) if (p) e.arena.free(p);
}
if (full) {
  mkdirSync('bench/results', { recursive: true });
  const res = {
    machine: `${cpuDescription()}, shared, Node ${process.versions.node}, single thread`,
    date: new Date().toISOString(),
    loadStart,
    loadEnd: loadavg().map((x) => x.toFixed(1)).join(' '),
    rounds: ROUNDS,
    rows,
  };
  writeFileSync('bench/results/prox.json', JSON.stringify(res, null, 1));
  writeSection(res);
}
