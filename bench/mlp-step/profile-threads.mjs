// Where the time of a threaded training step goes (docs/threads.md, "Data-parallel steps").
//
//   node bench/mlp-step/profile-threads.mjs [--build relaxed|simd] [--batch 128] [--mode data|gemm|auto]
//        [--sizes 784,256,128,10] [--steps 400] [--rounds 5] [--batches 1] [--dist DIR (default: this checkout's dist)]
//
// Runs the MLP step (lossAndGrad softmax cross-entropy + Adam) on init({ threads: 2 }) with
// the pool's post and wait calls wrapped: each hand-off ("join": posts, the calling thread's
// own part, its wait for the workers) is timed, in step order, and so is the serial time
// between joins on the calling thread (recording programs, the loss, JS). Medians over the
// steps of each round, then the median round. Then, for a data-parallel step, each
// phase's programs are replayed alone on the calling thread (the workers idle): the cost of
// shard 0 against shard 1 of the same phase, with no second thread competing for memory.
// Then the column phase, the weight-gradient phase and the forward run on both threads at once,
// repeated with warm caches: against the replays alone, what running beside the other core costs.
// A one-thread step of the same build is timed in the same rounds for the ratio.
import { dirname, join } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { option } from '../util.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const opt = option;
const relaxed = opt('--build', 'relaxed') === 'relaxed';
const batch = Number(opt('--batch', 128));
const mode = opt('--mode', 'data');
const sizes = opt('--sizes', '784,256,128,10').split(',').map(Number);
// steps per round: each round restarts from the initial parameters and a fresh Adam; keep it under ~700
// (from there m turns subnormal in this model and Adam slows about twofold: docs/optimizers.md)
const STEPS = Number(opt('--steps', 400));
const ROUNDS = Number(opt('--rounds', 5));
// --batches N: step i trains on batch i mod N, as bench/mlp-step does (32 batches there: fresh inputs from L3 each step)
const BATCHES = Number(opt('--batches', 1));
const { init } = await import(join(opt('--dist', join(repo, 'dist')), 'index.js'));

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};
const load0 = os.loadavg();

function setup(e, parallel) {
  const xs = new Float32Array(batch * sizes[0]);
  const inputs = Array.from({ length: BATCHES }, (_, b) => {
    const x = e.tensor([batch, sizes[0]]);
    for (let i = 0; i < xs.length; i++) xs[i] = (((i + b * 7919) * 2654435761) % 1000) / 1000;
    e.f32(x.ptr, xs.length).set(xs);
    return x;
  });
  let at = 0;
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 7) % sizes[sizes.length - 1]);
  const model = e.nn.mlp(sizes, { activation: 'relu', seed: 1 });
  if (parallel) model.parallel = parallel;
  let adam = e.optim.adam(model, { lr: 1e-3 });
  const p0 = model.parameters();
  // reset(): the initial parameters and a fresh Adam, as bench/mlp-step does every round, so that no
  // round reaches the subnormal first moments of a long run (docs/optimizers.md, "Subnormal moments")
  const reset = () => {
    model.setParameters(p0);
    adam.dispose();
    adam = e.optim.adam(model, { lr: 1e-3 });
  };
  return { model, reset, step: () => (model.lossAndGrad(inputs[at++ % BATCHES], y, 'softmaxCrossEntropy'), adam.step()) };
}

const one = await init({ relaxedSimd: relaxed });
const two = await init({ threads: 2, relaxedSimd: relaxed });
const s1 = setup(one, null);
const s2 = setup(two, mode);
const pool = two.pool;
if (!pool) throw new Error('no pool');

// ---- event log: per step, per join: t_post (first post), t_wait0, t_wait1
const MAXJ = 16;
const ev = new Float64Array(STEPS * MAXJ * 3);
let step = 0, j = 0, posted = -1;
const now = () => performance.now();
for (const name of ['post', 'postRun', 'postCall']) {
  const f = pool[name].bind(pool);
  pool[name] = (...a) => {
    if (posted < 0) posted = now();
    return f(...a);
  };
}
const wait = pool.wait.bind(pool);
let stepStart = 0;
const stepT0 = new Float64Array(STEPS), stepT1 = new Float64Array(STEPS);
pool.wait = (c) => {
  const t0 = now();
  wait(c);
  const t1 = now();
  if (j < MAXJ) {
    const o = (step * MAXJ + j) * 3;
    ev[o] = posted; ev[o + 1] = t0; ev[o + 2] = t1;
  }
  j++;
  posted = -1;
};
const joins = [];
for (let i = 0; i < 50; i++) s2.step();
for (let i = 0; i < 50; i++) s1.step();
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  s1.reset();
  s2.reset();
  for (let i = 0; i < 20; i++) s1.step(), s2.step();
  // one thread
  let t = now();
  for (let i = 0; i < STEPS; i++) s1.step();
  const one_ms = (now() - t) / STEPS;
  // two threads, logged
  let nj = 0;
  ev.fill(0);
  for (step = 0; step < STEPS; step++) {
    j = 0;
    stepT0[step] = now();
    s2.step();
    stepT1[step] = now();
    nj = Math.max(nj, j);
  }
  const per = [];
  for (let q = 0; q < nj; q++) {
    const own = [], waited = [], before = [];
    for (let s = 0; s < STEPS; s++) {
      const o = (s * MAXJ + q) * 3;
      if (ev[o + 2] === 0) continue; // this step had fewer joins (e.g. Adam unsplit while the workers slept)
      const prevEnd = q === 0 ? stepT0[s] : ev[o - 1];
      own.push(ev[o + 1] - ev[o]);
      waited.push(ev[o + 2] - ev[o + 1]);
      before.push(ev[o] - prevEnd);
    }
    per.push({ before: median(before), own: median(own), wait: median(waited), steps: own.length });
  }
  // the tail: the slowest tenth of the steps, and how much longer each join took in them than its median
  const order = [...stepT1.keys()].sort((a, b) => stepT1[b] - stepT0[b] - (stepT1[a] - stepT0[a]));
  const slow = order.slice(0, Math.max(1, Math.floor(STEPS / 10)));
  const slowExtra = per.map((p, q) => {
    let x = 0, c = 0;
    for (const s of slow) {
      const o = (s * MAXJ + q) * 3;
      if (ev[o + 2] === 0) continue;
      x += ev[o + 2] - (q === 0 ? stepT0[s] : ev[o - 1]) - (p.before + p.own + p.wait);
      c++;
    }
    return c ? x / c : 0;
  });
  const after = [], total = [];
  for (let s = 0; s < STEPS; s++) {
    let q = nj - 1;
    while (q > 0 && ev[(s * MAXJ + q) * 3 + 2] === 0) q--;
    after.push(stepT1[s] - ev[(s * MAXJ + q) * 3 + 2]);
    total.push(stepT1[s] - stepT0[s]);
  }
  const mean = total.reduce((a, b) => a + b, 0) / total.length, sorted = [...total].sort((a, b) => a - b);
  rounds.push({ one_ms, two_ms: median(total), per, after: median(after), mean, p90: sorted[Math.floor(0.9 * sorted.length)], p99: sorted[Math.floor(0.99 * sorted.length)], slowExtra });
}
rounds.sort((a, b) => a.two_ms - b.two_ms);
const mid = rounds[rounds.length >> 1];
const panels = mode === 'data' && s2.model.shards?.dp?.panels;
const cols = mode === 'data' && s2.model.shards?.dp?.colsUsed; // the first layer cut by columns (src/nn/first-columns.ts)
const names = mode === 'data' ? (panels ? [...(cols ? ['layer 1'] : []), 'forward', 'chain', 'dW', 'adam'] : ['forward', 'backward', 'reduce', 'adam']) : [];
console.log(`${relaxed ? 'relaxed' : 'simd'} b${batch} mode ${mode}: load ${load0.map((v) => v.toFixed(2)).join(' ')} -> ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`one thread ${mid.one_ms.toFixed(3)} ms/step (${(1000 / mid.one_ms).toFixed(0)}/s); two threads median step ${mid.two_ms.toFixed(3)} ms (${(1000 / mid.two_ms).toFixed(0)}/s), ${(mid.one_ms / mid.two_ms).toFixed(2)}x  (rounds: ${rounds.map((r) => (r.one_ms / r.two_ms).toFixed(2)).join(' ')})`);
let sum = 0;
mid.per.forEach((p, q) => {
  sum += p.before + p.own + p.wait;
  console.log(`  join ${q} ${(names[q] ?? '').padEnd(9)} serial before ${(p.before * 1000).toFixed(0).padStart(5)} µs   own ${(p.own * 1000).toFixed(0).padStart(5)} µs   wait ${(p.wait * 1000).toFixed(0).padStart(5)} µs  (${p.steps} of ${STEPS} steps)`);
});
console.log(`  after last join ${(mid.after * 1000).toFixed(0)} µs; sum of medians ${((sum + mid.after) * 1000).toFixed(0)} µs`);
console.log(`  two threads: mean step ${mid.mean.toFixed(3)} ms, p90 ${mid.p90.toFixed(3)}, p99 ${mid.p99.toFixed(3)}; in the slowest tenth each join took longer than its median by ${mid.slowExtra.map((x, q) => `${names[q] ?? q} ${(x * 1000).toFixed(0)}`).join(', ')} µs`);

// ---- each phase's programs alone on the calling thread (data-parallel only)
const dp = s2.model.shards?.dp;
if (mode === 'data' && dp && !dp.share) {
  // the replay reads the step's private fields (share, panels, programs): not there, nothing to replay
  console.log('  (per-phase replay skipped: the data-parallel step\'s fields are not reachable in this dist)');
} else if (mode === 'data' && dp) {
  const runner = two.programs;
  const alone = (p) => {
    for (let i = 0; i < 20; i++) runner.replay(p);
    const ts = [];
    for (let r = 0; r < 7; r++) {
      const t = now();
      for (let i = 0; i < 100; i++) runner.replay(p);
      ts.push((now() - t) / 100);
    }
    return median(ts) * 1000;
  };
  console.log(`  the calling thread's shares (forward, chain, dW, layer 1 columns): ${[0, 1, 2, 3].map((c) => dp.share.get(c).toFixed(3)).join(', ')}`);
  // the first layer's column phase (private fields of nn/first-columns.ts), when this step cut it by columns
  const colPrograms = dp.colsUsed?.programs;
  if (colPrograms) console.log(`  layer 1 columns alone on the calling thread: ${colPrograms.slice(0, dp.parts).map((p, s) => `part ${s} ${alone(p).toFixed(0)} µs`).join(', ')}`);
  // the same programs on both threads at once, repeated (warm caches): what running beside the other core costs
  const together = (ps) => {
    for (let i = 0; i < 20; i++) runner.run(ps, dp.parts);
    const ts = [];
    for (let r = 0; r < 7; r++) {
      const t = now();
      for (let i = 0; i < 100; i++) runner.run(ps, dp.parts);
      ts.push((now() - t) / 100);
    }
    return median(ts) * 1000;
  };
  if (colPrograms) console.log(`  layer 1 columns on both threads, repeated: ${together(colPrograms.slice(0, dp.parts)).toFixed(0)} µs`);
  if (dp.panels?.dw) console.log(`  dw on both threads, repeated: ${together(dp.panels.dw.slice(0, dp.parts)).toFixed(0)} µs`);
  console.log(`  fwd on both threads, repeated: ${together(dp.fwd.slice(0, dp.parts)).toFixed(0)} µs`);
  for (const ph of ['fwd', 'bwd', 'red', 'dw']) {
    const ps = ph === 'dw' ? dp.panels?.dw ?? [] : dp[ph];
    if (ps.length === 0) continue;
    console.log(`  ${ph} alone on the calling thread: ${ps.slice(0, dp.parts).map((p, s) => `shard ${s} ${alone(p).toFixed(0)} µs (${p.count} calls)`).join(', ')}`);
  }
}
one.dispose();
two.dispose();
