// The first layer of a data-parallel step cut by rows or by output columns (src/nn/first-columns.ts,
// docs/threads.md "Data-parallel steps"): a loop of the three phases that touch W1 in a training step,
// each a pair of recorded programs run on 2 threads, medians per phase.
//
//   node bench/mlp-step/first-layer-cut.mjs [--build relaxed|simd] [--batch 128] [--rounds 8] [--dist DIR]
//
//   rows:    forward Y1 = X·W1ᵀ by rows of X (each thread reads all of W1), dW1 by columns (the panel
//            cut along its longer side), Adam on W1 cut in halves of the flat buffer;
//   columns: forward by columns of Y1 (each thread its rows of W1), dW1 by the same rows, Adam on
//            the same rows: a row of W1 is read, differentiated and written by one core.
// MLP 784-256-… layer 1 (W1: 256 × 784). Rounds alternate the two cuts; each round: 30 untimed
// iterations, then 200 timed.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, option } from '../util.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const opt = option;
const relaxed = opt('--build', 'relaxed') === 'relaxed';
const B = Number(opt('--batch', 128)), ROUNDS = Number(opt('--rounds', 8)), I = 784, O = 256, half = O / 2;
const { init } = await import(join(opt('--dist', join(repo, 'dist')), 'index.js'));

const e = await init({ threads: 2, relaxedSimd: relaxed });
const run = e.programs, rec = run.recorder;
const alloc = (n) => e.arena.allocAll([n * 4])[0];
const X = alloc(B * I), W = alloc(O * I), Y = alloc(B * O), D = alloc(B * O), G = alloc(O * I), M = alloc(O * I), V = alloc(O * I);
const fill = (p, n, s) => {
  const v = e.f32(p, n);
  for (let i = 0; i < n; i++) v[i] = (Math.random() - 0.5) * s;
};
fill(X, B * I, 1); fill(W, O * I, 0.1); fill(D, B * O, 0.01);
/** one recorded program per thread: fn(t) records thread t's calls */
const pair = (fn) => {
  const ps = [0, 1].map(() => ({ ptr: e.arena.allocAll([12 * 8 * 4])[0], cap: 4, count: 0 }));
  for (let t = 0; t < 2; t++) {
    run.begin(ps[t]);
    fn(t);
    run.end();
  }
  return ps;
};
const adam = (n, off) => rec.f32_adam(n, G + off, W + off, M + off, V + off, 1e-4, 0.9, 0.999, 0.1, 0.001, 1e-8, 1, 0, 1, -1);
const cuts = {
  rows: {
    fwd: pair((t) => rec.f32_gemm_nt(B / 2, O, I, X + 4 * t * (B / 2) * I, I, W, I, Y + 4 * t * (B / 2) * O, O, 1, 0)),
    dw: pair((t) => rec.f32_gemm_tn(O, I / 2, B, D, O, X + 4 * t * (I / 2), I, G + 4 * t * (I / 2), I, 1, 0)),
    adam: pair((t) => adam(half * I, 4 * t * half * I)),
  },
  columns: {
    fwd: pair((t) => rec.f32_gemm_nt(B, half, I, X, I, W + 4 * t * half * I, I, Y + 4 * t * half, O, 1, 0)),
    dw: pair((t) => rec.f32_gemm_tn(half, I, B, D + 4 * t * half, O, X, I, G + 4 * t * half * I, I, 1, 0)),
    adam: pair((t) => adam(half * I, 4 * t * half * I)),
  },
};
const now = () => performance.now();
function iteration(c, acc) {
  const t0 = now();
  run.run(c.fwd, 2);
  const t1 = now();
  run.run(c.dw, 2);
  const t2 = now();
  run.run(c.adam, 2);
  const t3 = now();
  acc.fwd.push(t1 - t0); acc.dw.push(t2 - t1); acc.adam.push(t3 - t2); acc.all.push(t3 - t0);
}
const phases = ['fwd', 'dw', 'adam', 'all'];
const res = { rows: [], columns: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const name of r % 2 ? ['columns', 'rows'] : ['rows', 'columns']) {
    const acc = Object.fromEntries(phases.map((p) => [p, []]));
    const junk = Object.fromEntries(phases.map((p) => [p, []]));
    for (let i = 0; i < 30; i++) iteration(cuts[name], junk);
    for (let i = 0; i < 200; i++) iteration(cuts[name], acc);
    res[name].push(Object.fromEntries(phases.map((p) => [p, median(acc[p]) * 1000])));
  }
}
console.log(`first layer cut, ${relaxed ? 'relaxed' : 'simd'} threads build, batch ${B}, µs per iteration (median of ${ROUNDS} round medians):`);
for (const name of ['rows', 'columns']) {
  console.log(`  ${name.padEnd(8)} ${phases.map((p) => `${p} ${median(res[name].map((x) => x[p])).toFixed(0).padStart(5)}`).join('   ')}`);
}
e.dispose();
