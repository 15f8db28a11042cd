// minimize() speed: L-BFGS on Rosenbrock n = 10⁴ (1000 iterations on every side: from
// (−1.2, 1, …) neither we nor scipy reach the minimum within L-BFGS-B's default 15000
// evaluations; the chained valley takes ~n iterations) and on L2 logistic regression
// (breast cancer 569 × 31; synthetic 10⁵ × 100) against scipy's L-BFGS-B (Debian
// python3-scipy, timed inside Python around `minimize` only, in the same run) and
// against the JS libraries where they have a method: fmin 0.0.4 (nonlinear CG,
// Polak-Ribière, stops at ‖g‖₂ <= 1e-5) and numeric 1.2.6 (`uncmin`, dense BFGS:
// only where n² doubles fit). Same start points; ours and scipy's with scipy's
// default tolerances (pgtol 1e-5, ftol 2.2e-9). Each figure is the median of
// ROUNDS runs, wall time per run; f and ‖g‖∞ at the end say whether the runs
// reached the same point.
//
// The objectives are the same formulas on both sides. Ours come in two homes
// (src/solve/glm.ts): plain JS loops over a Float64Array X ("JS objective": one pass
// over the rows per evaluation), and X in the engine's memory ("engine objective",
// engine.objectives.logisticRegression: blocked f64x2 gemv kernels with the link in
// the same pass, assembly/glm.ts). scipy's is numpy (X @ w and X.T @ r in BLAS; fun and
// jac are separate calls, so X is read three times per evaluation). For the data
// problems the objective dominates, so these figures compare whole runs, not the
// solvers' own overhead alone. CPU time (user + system of the process, Node's
// process.cpuUsage / Python's time.process_time) is quoted beside the wall time: the
// machine is shared, and a BLAS may use more than one thread.
//
//   npm run bench solvers   (or: npm run build && node bench/solvers.bench.mjs [--short])
// A full run writes bench/results/solvers.json and its own section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, minimize, objectives } from '../dist/index.js';
import { cpuDescription, median } from './util.mjs';

const short = process.argv.includes('--short');
const loadAtStart = loadavg().map((x) => x.toFixed(1)).join(' ');
const ROUNDS = short ? 1 : 3;
const engine = await init();
const require = createRequire(import.meta.url);

/** fmin's UMD build in a "type": "module" package: evaluated as a script (bench only). */
function loadFmin() {
  try {
    const src = readFileSync(require.resolve('fmin/build/fmin.js'), 'utf8');
    const exports = {};
    new Function('exports', 'module', src)(exports, { exports });
    return exports;
  } catch {
    return null;
  }
}
const fmin = loadFmin();
let numeric = null;
try {
  numeric = require('numeric');
} catch {
  numeric = null;
}

/** Reproducible data: a 32-bit LCG. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function breastCancer() {
  const rows = readFileSync(new URL('../test/data/breast_cancer.csv', import.meta.url), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
  const m = rows.length, d = rows[0].length - 1;
  const X = new Float64Array(m * (d + 1)), y = new Float64Array(m);
  for (let j = 0; j < d; j++) {
    let mean = 0, v = 0;
    for (const r of rows) mean += r[j] / m;
    for (const r of rows) v += (r[j] - mean) ** 2 / m;
    rows.forEach((r, i) => (X[i * (d + 1) + j] = (r[j] - mean) / Math.sqrt(v)));
  }
  rows.forEach((r, i) => ((X[i * (d + 1) + d] = 1), (y[i] = r[d])));
  return { X, y, m, d: d + 1 };
}

function synthetic(m, d) {
  const r = lcg(12345), X = new Float64Array(m * d), y = new Float64Array(m), w = Float64Array.from({ length: d }, () => r() * 2 - 1);
  for (let i = 0; i < m; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += (X[i * d + j] = r() * 2 - 1) * w[j];
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y, m, d };
}

const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-solvers-'));
const problems = [
  { name: 'Rosenbrock n = 10⁴, 1000 iterations', kind: 'rosen', ob: objectives.rosenbrock(10_000), n: 10_000, maxIter: 1000 },
  { name: 'logistic, breast cancer (569 × 31)', kind: 'logistic', data: breastCancer() },
  { name: `logistic, synthetic (${short ? '10⁴' : '10⁵'} × 100)`, kind: 'logistic', data: synthetic(short ? 10_000 : 100_000, 100) },
];
for (const p of problems) {
  if (p.kind === 'logistic') {
    p.ob = objectives.logisticRegression(p.data.X, p.data.y, 1e-2);
    p.obCore = engine.objectives.logisticRegression(p.data.X, p.data.y, 1e-2);
    p.n = p.data.d;
    p.file = join(dir, `${p.n}-${p.data.m}.bin`);
    writeFileSync(p.file, Buffer.concat([Buffer.from(p.data.X.buffer), Buffer.from(p.data.y.buffer)]));
  }
}

const gInf = (ob, x) => {
  const g = new Float64Array(ob.n);
  ob.fun(Float64Array.from(x), g);
  return Math.max(...Array.from(g, Math.abs));
};

/** Runs `once` once untimed, then ROUNDS times; the median wall and CPU time and the last run's outcome. */
function time(once) {
  const ms = [], cpu = [];
  let out = once(); // warm-up (JIT), not timed
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    out = once();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(ms), cpu: median(cpu), ...out };
}

const PY = String.raw`
import json, sys, time
import numpy as np
from scipy.optimize import minimize, rosen, rosen_der
spec = json.loads(sys.argv[1]); rounds = int(sys.argv[2]); out = []
for p in spec:
    if p['kind'] == 'rosen':
        n = p['n']; f, g = rosen, rosen_der
        x0 = np.array([-1.2 if i % 2 == 0 else 1.0 for i in range(n)])
    else:
        m, d = p['m'], p['d']
        raw = np.fromfile(p['file'], dtype=np.float64); X = raw[:m * d].reshape(m, d); y = raw[m * d:]
        def f(w, X=X, y=y):
            z = X @ w
            return np.mean(np.logaddexp(0, z) - y * z) + 0.005 * w @ w
        def g(w, X=X, y=y):
            return X.T @ (1 / (1 + np.exp(-(X @ w))) - y) / X.shape[0] + 0.01 * w
        x0 = np.zeros(d)
    ts = []; cs = []
    for _ in range(rounds):
        c0 = time.process_time(); t0 = time.perf_counter(); r = minimize(f, x0, jac=g, method='L-BFGS-B', options=dict(maxiter=p['maxIter']) if p.get('maxIter') else None); ts.append((time.perf_counter() - t0) * 1e3); cs.append((time.process_time() - c0) * 1e3)
    out.append(dict(ms=float(np.median(ts)), cpu=float(np.median(cs)), fun=float(r.fun), nfev=int(r.nfev), nit=int(r.nit), gInf=float(np.max(np.abs(g(r.x))))))
print(json.dumps(out))
`;
const spec = problems.map((p) => ({ kind: p.kind, n: p.n, m: p.data?.m, d: p.data?.d, file: p.file, maxIter: p.maxIter }));
const py = spawnSync('/usr/bin/python3', ['-c', PY, JSON.stringify(spec), String(ROUNDS)], { encoding: 'utf8', maxBuffer: 1 << 24 });
const scipy = py.status === 0 ? JSON.parse(py.stdout) : null;
if (!scipy) console.warn(`scipy run failed: ${py.stderr.slice(0, 400)}`);
const scipyVersion = spawnSync('/usr/bin/python3', ['-c', 'import scipy, numpy; print(scipy.__version__, numpy.__version__)'], { encoding: 'utf8' }).stdout.trim();

const results = [];
problems.forEach((p, k) => {
  const ob = p.ob, rows = [];
  const ours = (label, opts, useEngine, objective = ob) => {
    const r = time(() => {
      const res = (useEngine ? engine.minimize : minimize)(objective.fun, objective.x0, opts);
      return { fun: res.fun, nfev: res.nfev, nit: res.nit, gInf: gInf(ob, res.x), ok: res.success };
    });
    rows.push({ solver: label, ...r });
  };
  const budget = p.maxIter ? { maxIter: p.maxIter } : {};
  const js = p.obCore ? ', JS objective' : '';
  ours(`wasmgrad lbfgs (host vectors${js})`, { method: 'lbfgs', ...budget }, false);
  ours(`wasmgrad lbfgs (engine: f64 SIMD kernels${js})`, { method: 'lbfgs', ...budget }, true);
  // lbfgsb rebuilds its compact matrices on the host each iteration (O(m²n)): left out at n = 10⁴
  if (ob.n <= 1000) ours(`wasmgrad lbfgsb${js ? ` (${js.slice(2)})` : ''}`, { method: 'lbfgsb' }, false);
  if (p.obCore) {
    ours('wasmgrad lbfgs (engine objective: X in the core)', { method: 'lbfgs' }, true, p.obCore);
    ours('wasmgrad lbfgsb (engine objective: X in the core)', { method: 'lbfgsb' }, true, p.obCore);
  }
  if (scipy) rows.push({ solver: `scipy ${scipyVersion.split(' ')[0]} L-BFGS-B`, ...scipy[k] });
  if (fmin) {
    rows.push({ solver: 'fmin 0.0.4 conjugateGradient', ...time(() => {
      let nfev = 0;
      const g = new Float64Array(ob.n);
      const wrapped = (x, gArr) => {
        nfev++;
        const v = ob.fun(Float64Array.from(x), g);
        for (let i = 0; i < ob.n; i++) gArr[i] = g[i];
        return v;
      };
      const r = fmin.conjugateGradient(wrapped, Array.from(ob.x0), { maxIterations: p.maxIter ?? 20000 });
      return { fun: r.fx, nfev, nit: NaN, gInf: gInf(ob, r.x) };
    }) });
  }
  if (numeric && ob.n <= 1000) {
    rows.push({ solver: 'numeric 1.2.6 uncmin (BFGS)', ...time(() => {
      let nfev = 0;
      const f = (x) => (nfev++, ob.fun(Float64Array.from(x)));
      const grad = (x) => {
        const g = new Float64Array(ob.n);
        nfev++;
        ob.fun(Float64Array.from(x), g);
        return Array.from(g);
      };
      const r = numeric.uncmin(f, Array.from(ob.x0), 1e-9, grad, 10000);
      return { fun: r.f, nfev, nit: r.iterations, gInf: gInf(ob, r.solution) };
    }) });
  }
  results.push({ problem: p.name, n: ob.n, rows });
  console.log(`\n${p.name} (n = ${ob.n})`);
  for (const r of rows) console.log(`  ${r.solver.padEnd(52)} ${r.ms.toFixed(1).padStart(9)} ms  cpu ${(r.cpu ?? NaN).toFixed(1).padStart(9)} ms  f ${r.fun.toExponential(6)}  |g|inf ${r.gInf.toExponential(1)}  nfev ${r.nfev}`);
});
rmSync(dir, { recursive: true, force: true });
for (const p of problems) p.obCore?.dispose();

if (!short) {
  const machine = `${cpuDescription()}, Node ${process.versions.node}, load ${loadAtStart} at the start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end`;
  writeFileSync('bench/results/solvers.json', JSON.stringify({ date: new Date().toISOString(), machine, scipy: scipyVersion, rounds: ROUNDS, results }, null, 1) + '\n');
  let section = `## Solvers: L-BFGS against scipy, fmin and numeric\n\nWritten by \`bench/solvers.bench.mjs\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine}; scipy/numpy ${scipyVersion}). Median wall time and CPU time (user + system) of ${ROUNDS} runs after one untimed warm-up run, from the same start; f, ‖g‖∞ and function evaluations at the end; "× scipy" is the wall-time ratio in this run.\n`;
  for (const r of results) {
    const sp = r.rows.find((x) => x.solver.startsWith('scipy'));
    section += `\n### ${r.problem} (n = ${r.n})\n\n| solver | time (ms) | CPU (ms) | × scipy | f | ‖g‖∞ | nfev |\n|---|---|---|---|---|---|---|\n`;
    for (const x of r.rows) section += `| ${x.solver} | ${x.ms.toFixed(1)} | ${(x.cpu ?? NaN).toFixed(1)} | ${sp ? (x.ms / sp.ms).toFixed(2) : '-'} | ${x.fun.toExponential(6)} | ${x.gInf.toExponential(1)} | ${x.nfev} |\n`;
  }
  section += `\nOn the data problems the objective is most of the time. "JS objective": X in a Float64Array, plain JS loops, one pass over the rows per evaluation; "engine objective" (\`engine.objectives.logisticRegression\`): X in the engine's memory, blocked f64x2 gemv kernels with the link in the same pass, so X streams from memory once per evaluation; scipy: numpy/BLAS, fun and jac separate (X read three times per evaluation). fmin and numeric get the JS objective. Below n = 256 the "engine" solver run keeps its vectors on the host too (CORE_MIN_N), so the first two lbfgs rows run the same code there.\n`;
  const file = 'bench/RESULTS.md';
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = old.indexOf('\n## Solvers: L-BFGS');
  const next = start < 0 ? -1 : old.indexOf('\n## ', start + 1);
  writeFileSync(file, start < 0 ? `${old.trimEnd()}\n\n${section}` : `${old.slice(0, start + 1)}${section}${next < 0 ? '' : old.slice(next)}`);
  console.log('wrote bench/results/solvers.json and its section of bench/RESULTS.md');
}
