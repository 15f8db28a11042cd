// FISTA against ISTA (minimize 'fista' vs 'proximal-gradient') on the ill-conditioned
// lasso of test/solve.proximal.test.ts: F(x_k) − F* per iteration, on log-log axes
// (x = log10 k), with Beck & Teboulle's (2009) bounds ηL‖x0 − x*‖²/(2k) (ISTA, Thm 3.1)
// and 2ηL‖x0 − x*‖²/(k + 1)² (FISTA, Thm 4.4), η = 2 the backtracking factor.
// Writes docs/img/fista-vs-ista.svg and prints the iteration counts the docs quote.
// Run after `npm run build`: node scripts/fista-plot.mjs
import { writeFileSync } from 'node:fs';
import { rng } from '../bench/util.mjs'; // mulberry32, as test/helpers.ts rng()
import { lineChart, minimize, prox } from '../dist/index.js';

// the problem of the test: m = 50 samples, p = 100 correlated features scaled by 1/(1 + j/3)
const m = 50, p = 100, lambda = 0.01;
const rand = rng(5);
const randn = () => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
const w = new Float64Array(p);
[2, 11, 30, 55].forEach((j, k) => (w[j] = [3, -2, 1.5, -1][k]));
const A = new Float64Array(m * p), b = new Float64Array(m), r = new Float64Array(m);
for (let i = 0; i < m; i++) {
  const c = randn();
  for (let j = 0; j < p; j++) {
    const s = 1 / (1 + j / 3);
    A[i * p + j] = s * randn() + s * 0.7 * c;
  }
}
for (let i = 0; i < m; i++) {
  let s = 0;
  for (let j = 0; j < p; j++) s += A[i * p + j] * w[j];
  b[i] = s + 0.01 * randn();
}
const fun = (x, grad) => {
  let f = 0;
  for (let i = 0; i < m; i++) {
    let s = -b[i];
    for (let j = 0; j < p; j++) s += A[i * p + j] * x[j];
    r[i] = s;
    f += s * s;
  }
  if (grad) {
    grad.fill(0);
    for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) grad[j] += (A[i * p + j] * r[i]) / m;
  }
  return f / (2 * m);
};

const star = minimize(fun, new Float64Array(p), { method: 'fista', prox: prox.l1(lambda), gtol: 1e-12, maxIter: 100000 });
const K = 2000;
const runs = {};
for (const method of ['proximal-gradient', 'fista']) {
  const res = minimize(fun, new Float64Array(p), { method, prox: prox.l1(lambda), gtol: 0, maxIter: K, history: true });
  // below 1e-13·F* the gap is rounding: not drawn
  runs[method] = res.history.map((h) => (h.fun - star.fun > 1e-13 * star.fun ? h.fun - star.fun : NaN));
  const reach = (rel) => runs[method].findIndex((g) => !(g > rel * star.fun)) + 1;
  console.log(`${method}: iterations to F − F* ≤ 1e-3·F*: ${reach(1e-3)}, 1e-6: ${reach(1e-6)}, 1e-9: ${reach(1e-9)}; nfev over ${K} iterations ${res.nfev}`);
}
let d2 = 0;
for (let j = 0; j < p; j++) d2 += star.x[j] ** 2;
// L of the final run: the largest eigenvalue of AᵀA/m bounds it; use the backtracked estimate's bound 2L (η = 2)
let L = 0;
{
  const v = new Float64Array(p).fill(1), u = new Float64Array(p);
  for (let it = 0; it < 200; it++) {
    u.fill(0);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += A[i * p + j] * v[j];
      for (let j = 0; j < p; j++) u[j] += (A[i * p + j] * s) / m;
    }
    let n = 0;
    for (let j = 0; j < p; j++) n += u[j] ** 2;
    L = Math.sqrt(n);
    for (let j = 0; j < p; j++) v[j] = u[j] / L;
  }
}
const ks = Array.from({ length: K }, (_, i) => i + 1);
const lk = ks.map((k) => Math.log10(k));
const svg = lineChart(
  [
    { name: 'ISTA (proximal-gradient)', x: lk, y: runs['proximal-gradient'] },
    { name: 'FISTA', x: lk, y: runs.fista },
    { name: 'ISTA bound ηL‖x0−x*‖²/2k', x: lk, y: ks.map((k) => (2 * L * d2) / (2 * k)), dashed: true },
    { name: 'FISTA bound 2ηL‖x0−x*‖²/(k+1)²', x: lk, y: ks.map((k) => (2 * 2 * L * d2) / (k + 1) ** 2), dashed: true },
  ],
  { title: 'Lasso (m = 50, p = 100, ill-conditioned): F(x_k) − F*', xLabel: 'log10 k (iteration)', yLabel: 'F(x_k) − F*', logY: true, width: 760, height: 440 },
);
writeFileSync(new URL('../docs/img/fista-vs-ista.svg', import.meta.url), svg + '\n');
console.log(`L = ${L.toPrecision(4)}, ‖x*‖² = ${d2.toPrecision(4)}, F* = ${star.fun}; wrote docs/img/fista-vs-ista.svg`);
