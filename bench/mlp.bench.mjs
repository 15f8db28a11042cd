// MLP training-step benchmark: forward + loss + backward (model.lossAndGrad) of an
// MLP 784-256-128-10 with ReLU and softmax cross-entropy at batch 128, in samples/s:
// wasmgrad SIMD vs scalar vs @tensorflow/tfjs-backend-wasm (one thread, the same
// network, loss and backward pass written with tf ops). Variants are interleaved round by round; figures are medians over
// the rounds and every ratio comes from the same run.
//
//   node bench/mlp.bench.mjs           full run: bench/results/mlp.json + the Networks section of bench/RESULTS.md
//   node bench/mlp.bench.mjs --short   a few seconds, prints only
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';
import { cpuDescription, loadTfjsWasm, median, randomF32 } from './util.mjs';

const SHORT = process.argv.includes('--short');
const root = fileURLToPath(new URL('..', import.meta.url));
const path = (p) => root + p;
const SIZES = [784, 256, 128, 10];
const BATCH = 128;
const ROUNDS = SHORT ? 3 : 15;
const MIN_MS = SHORT ? 150 : 400; // per variant per round

const X = randomF32(BATCH * SIZES[0], 1);
const LABELS = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % SIZES[3]);

/** Runs fn repeatedly for at least MIN_MS; returns ms per call. */
function time(fn) {
  fn();
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MIN_MS) {
    fn();
    calls++;
    t = performance.now();
  }
  return (t - t0) / calls;
}

async function wasmgradVariant(simd, relaxedSimd = false) {
  let e;
  try {
    e = await init({ simd, relaxedSimd });
  } catch (err) {
    console.error(`wasmgrad relaxed SIMD unavailable: ${err.message}`);
    return null;
  }
  const model = e.nn.mlp(SIZES, { activation: 'relu', seed: 1 });
  const x = e.tensor([BATCH, SIZES[0]], X);
  const loss = e.loss.softmaxCrossEntropy();
  return { label: `wasmgrad ${relaxedSimd ? 'relaxed SIMD' : simd ? 'SIMD' : 'scalar'}`, step: () => model.lossAndGrad(x, LABELS, loss) };
}

async function tfjsVariant() {
  const loaded = await loadTfjsWasm();
  if (!loaded) return null;
  const { tf, label } = loaded;
  const vars = [];
  for (let i = 0; i + 1 < SIZES.length; i++) {
    vars.push(tf.variable(tf.tensor2d(randomF32(SIZES[i] * SIZES[i + 1], 10 + i), [SIZES[i], SIZES[i + 1]])));
    vars.push(tf.variable(tf.tensor1d(randomF32(SIZES[i + 1], 20 + i))));
  }
  const x = tf.tensor2d(X, [BATCH, SIZES[0]]);
  const onehot = tf.oneHot(tf.tensor1d(LABELS, 'int32'), SIZES[3]);
  // The Node bundle of tfjs-core 4.22 registers no gradient functions (tf.variableGrads
  // throws), so the backward pass is written out with the same tf ops autodiff would use.
  const step = () => {
    const out = tf.tidy(() => {
      const [w1, b1, w2, b2, w3, b3] = vars;
      const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
      const z = tf.add(tf.matMul(h2, w3), b3);
      const logp = tf.logSoftmax(z);
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1)));
      const dz = tf.div(tf.sub(tf.exp(logp), onehot), BATCH);
      const dh2 = tf.mul(tf.matMul(dz, w3, false, true), tf.step(h2));
      const dh1 = tf.mul(tf.matMul(dh2, w2, false, true), tf.step(h1));
      return [loss, tf.matMul(x, dh1, true, false), tf.sum(dh1, 0), tf.matMul(h1, dh2, true, false), tf.sum(dh2, 0), tf.matMul(h2, dz, true, false), tf.sum(dz, 0)];
    });
    for (const t of out) {
      t.dataSync();
      t.dispose();
    }
  };
  return { label, step };
}

const variants = [await wasmgradVariant(true), await wasmgradVariant(true, true), await wasmgradVariant(false)].filter((v) => v !== null);
const tfjs = await tfjsVariant();
if (tfjs) variants.push(tfjs);

const ms = variants.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  variants.forEach((v, i) => ms[i].push(time(v.step)));
}
const fmt = (x, d = 1) => x.toFixed(d);
const rows = variants.map((v, i) => {
  const m = median(ms[i]);
  return { label: v.label, msPerStep: m, samplesPerSec: (BATCH * 1000) / m, min: Math.min(...ms[i]), max: Math.max(...ms[i]) };
});
const simdMs = rows[0].msPerStep;
const table = [
  '| variant | ms / step (median) | samples/s | steps/s | time / SIMD time |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.label} | ${fmt(r.msPerStep, 2)} (${fmt(r.min, 2)}-${fmt(r.max, 2)}) | ${fmt(r.samplesPerSec, 0)} | ${fmt(1000 / r.msPerStep, 0)} | ${fmt(r.msPerStep / simdMs, 2)}× |`),
].join('\n');
console.log(table);
if (SHORT) process.exit(0);

const machine = {
  cpu: cpuDescription(),
  cores: os.cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  loadavg: os.loadavg(),
};
const section = `## Networks: forward + backward of an MLP (lossAndGrad)

\`node bench/mlp.bench.mjs\` (\`npm run bench mlp\`), ${machine.date.slice(0, 10)}: ${machine.cpu}
(shared with other jobs; load average ${machine.loadavg.map((x) => x.toFixed(1)).join(' ')}), Node ${machine.node}${process.execArgv.length ? ` with \`${process.execArgv.join(' ')}\`` : ''}, single thread.
One step = \`model.lossAndGrad(x, labels, softmaxCrossEntropy)\`: forward, loss, zeroed and
accumulated gradients of MLP ${SIZES.join('-')} (ReLU) at batch ${BATCH} (~129 MFLOP of GEMM).
tfjs-backend-wasm runs the same forward, loss and backward as tf ops (matMul with transpose flags,\nrelu, logSoftmax; the Node bundle of tfjs-core registers no gradients, so \`tf.variableGrads\` is unavailable). Medians of ${ROUNDS} interleaved rounds
of >= ${MIN_MS} ms per variant (range in parentheses); the last column divides by wasmgrad SIMD's time.\nRelaxed SIMD (GEMM micro-kernel with \`f32x4.relaxed_madd\`) runs only under \`node --experimental-wasm-relaxed-simd\`.

${table}
`;
mkdirSync(path('bench/results'), { recursive: true });
writeFileSync(path('bench/results/mlp.json'), JSON.stringify({ machine, sizes: SIZES, batch: BATCH, rounds: ROUNDS, rows }, null, 2) + '\n');
const resultsFile = path('bench/RESULTS.md');
const old = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmark results\n\nEach section is written by its benchmark (`npm run bench [name]`).\n';
const start = old.indexOf('\n## Networks: forward + backward of an MLP (lossAndGrad)\n');
const next = start < 0 ? -1 : old.indexOf('\n## ', start + 1);
const updated = start < 0 ? `${old.trimEnd()}\n\n${section}` : `${old.slice(0, start + 1)}${section}${next < 0 ? '' : old.slice(next)}`;
writeFileSync(resultsFile, updated);
console.log('wrote bench/results/mlp.json and the Networks section of bench/RESULTS.md');
