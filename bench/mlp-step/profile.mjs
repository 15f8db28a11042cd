// Profile of one wasmgrad training step: which kernels run, how long each takes.
//
//   npm run build && node [--experimental-wasm-relaxed-simd] bench/mlp-step/profile.mjs [--build simd|scalar|relaxed]
//        [--sizes 784,256,128,10] [--batch 128] [--reps 7] [--json FILE]
//
// 1. Records the step: engine.kernels is swapped for a table of wrappers that
//    log (export name, arguments) before calling through, then one step of the
//    public API runs (model.lossAndGrad(x, labels, 'softmaxCrossEntropy') +
//    adam.step()). The log is the exact sequence of export calls the step makes.
// 2. Replays each logged call in isolation, in a loop over the same buffers
//    (the memory is as the step left it), and takes the fastest of several
//    repetitions of the process CPU time per call (the machine is shared: the
//    least disturbed repetition is the best estimate of the kernel's own cost).
//    GEMM calls get their GFLOP/s (2·m·n·k / time).
// 3. Times the whole step the same way, so the sum of the parts can be
//    compared with the step (the difference is JS overhead and cache effects).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const build = opt('--build', 'simd');
const sizes = opt('--sizes', '784,256,128,10').split(',').map(Number);
const batch = Number(opt('--batch', 128));
const REPS = Number(opt('--reps', 7));
const TARGET_MS = Number(opt('--target-ms', 60));

const { init } = await import(join(repo, 'dist', 'index.js'));
const engine = await init(build === 'scalar' ? { simd: false } : { simd: true, relaxedSimd: build === 'relaxed' });
if (build === 'relaxed' && engine.relaxedSimd !== true) throw new Error('no relaxed-SIMD build (Node 20: run with --experimental-wasm-relaxed-simd)');

// ---- 1. record
const original = engine.kernels;
let log = null;
const recording = {};
for (const [name, fn] of Object.entries(original)) {
  recording[name] =
    typeof fn === 'function'
      ? (...a) => {
          if (log) log.push({ name, args: a });
          return fn(...a);
        }
      : fn;
}
Object.defineProperty(engine, 'kernels', { value: Object.freeze(recording), configurable: true });

const model = engine.nn.mlp(sizes, { activation: 'relu', seed: 1 });
const opt_ = engine.optim.adam(model, { lr: 1e-3 });
const d0 = sizes[0], classes = sizes[sizes.length - 1];
const xs = new Float32Array(batch * d0);
for (let i = 0; i < xs.length; i++) xs[i] = ((i * 2654435761) % 1000) / 1000;
const x = engine.tensor([batch, d0], xs);
const y = new Int32Array(batch).map((_, i) => (i * 7) % classes);
const step = () => {
  model.lossAndGrad(x, y, 'softmaxCrossEntropy');
  opt_.step();
};
for (let i = 0; i < 5; i++) step(); // plans allocated, optimizer state created
log = [];
step();
const calls = log;
log = null;
Object.defineProperty(engine, 'kernels', { value: original, configurable: true });

// ---- 2. replay
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
function timeIt(fn) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= TARGET_MS / 4 || n >= 1 << 20) {
      n = Math.max(1, Math.round((n * TARGET_MS) / Math.max(ms, 1e-3)));
      break;
    }
    n *= 4;
  }
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((cpuMs() - t0) * 1000) / n);
  }
  return best;
}

function describe(c) {
  const a = c.args;
  if (c.name.startsWith('f32_gemm_')) {
    const [m, n, k, , , , , , , , beta] = a;
    return { shape: `m=${m} n=${n} k=${k}${beta ? ' beta=' + beta : ''}`, flops: 2 * m * n * k };
  }
  if (c.name.includes('gemm')) {
    const [m, n, k] = a;
    return { shape: `m=${m} n=${n} k=${k}`, flops: 2 * m * n * k };
  }
  return { shape: `(${a.filter((v) => Number.isInteger(v) && v < 1e6).slice(0, 3).join(', ')})`, flops: 0 };
}

const rows = calls.map((c, i) => {
  const fn = original[c.name];
  const us = timeIt(() => fn(...c.args));
  const { shape, flops } = describe(c);
  return { i, name: c.name, shape, us, gflops: flops ? flops / us / 1e3 : null };
});
const stepUs = timeIt(step);
const sum = rows.reduce((s, r) => s + r.us, 0);
const gemmUs = rows.filter((r) => r.gflops !== null).reduce((s, r) => s + r.us, 0);
const gemmFlops = calls.map(describe).reduce((s, d) => s + d.flops, 0);

console.log(`# profile: wasmgrad ${build}, MLP ${sizes.join('-')}, batch ${batch}, Adam; ${calls.length} export calls per step`);
console.log('| # | export | shape | µs | GFLOP/s | share |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.i} | ${r.name} | ${r.shape} | ${r.us.toFixed(1)} | ${r.gflops === null ? '' : r.gflops.toFixed(1)} | ${((100 * r.us) / sum).toFixed(1)}% |`);
}
console.log(`sum of isolated calls ${sum.toFixed(0)} µs; GEMM ${gemmUs.toFixed(0)} µs (${(gemmFlops / 1e6).toFixed(1)} MFLOP, ${(gemmFlops / gemmUs / 1e3).toFixed(1)} GFLOP/s); other ${(sum - gemmUs).toFixed(0)} µs`);
console.log(`whole step ${stepUs.toFixed(0)} µs = ${(1e6 / stepUs).toFixed(1)} steps/s (step − sum = ${(stepUs - sum).toFixed(0)} µs of JS and cache effects)`);

const out = opt('--json', null);
if (out) {
  writeFileSync(out, JSON.stringify({ build, sizes, batch, calls: rows, sumUs: sum, gemmUs, gemmFlops, stepUs }, null, 2) + '\n');
}
