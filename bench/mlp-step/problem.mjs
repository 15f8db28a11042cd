// The workloads of bench/mlp-step and the files every implementation reads.
//
// A problem is an MLP (sizes d0..dL, ReLU between layers, softmax
// cross-entropy, mean over the batch), a batch size, Adam hyperparameters, a
// pool of batches (x: f32 [N, d0] then y: i32 [N], N = batches * batch) and
// the initial parameters (f32, PyTorch state_dict order: per layer weight
// [out, in] row-major, then bias; init as torch.nn.Linear: U(-1/sqrt(in), 1/sqrt(in))).
// Every implementation starts from the same parameters and walks the same
// batches, so their losses can be compared step for step.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../util.mjs';

/** The workloads: the main one first. */
export const CONFIGS = [
  { name: 'mlp784-b128', sizes: [784, 256, 128, 10], batch: 128, data: 'synthetic' },
  { name: 'mlp784-b32', sizes: [784, 256, 128, 10], batch: 32, data: 'synthetic' },
  { name: 'mlp784-b512', sizes: [784, 256, 128, 10], batch: 512, data: 'synthetic' },
  { name: 'digits64-b128', sizes: [64, 64, 10], batch: 128, data: 'digits' },
];

export const ADAM = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 };

/** Samples in the synthetic pool (random labels, so the loss does not collapse to 0 within a bench). */
const SYNTHETIC_SAMPLES = 4096;

/**
 * Candidate locations of digits.csv: the shared datasets beside the repository
 * (<repo>/../shared/datasets, main checkout; one level up for worktrees), then
 * the copy kept in the repository (test/data, the same file), so a bare clone runs.
 */
export function datasetsDirs(repo) {
  return [join(repo, '..', 'shared', 'datasets'), join(repo, '..', '..', 'shared', 'datasets'), join(repo, 'test', 'data')];
}

function readDigits(repo) {
  for (const dir of datasetsDirs(repo)) {
    const file = join(dir, 'digits.csv');
    if (!existsSync(file)) continue;
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    const n = rows.length;
    const x = new Float32Array(n * 64);
    const y = new Int32Array(n);
    rows.forEach((line, i) => {
      const v = line.split(',').map(Number);
      for (let j = 0; j < 64; j++) x[i * 64 + j] = v[j] / 16;
      y[i] = v[64];
    });
    return { x, y, n, file };
  }
  return null;
}

/**
 * Writes the problem's files into `dir` and returns the problem (plain JSON),
 * or `{ skip: reason }` when its data is missing.
 */
export function makeProblem(config, dir, repo, seed = 1) {
  const { sizes, batch } = config;
  const d0 = sizes[0], classes = sizes[sizes.length - 1];
  let x, y, samples, source;
  if (config.data === 'digits') {
    const digits = readDigits(repo);
    if (!digits) return { skip: `digits.csv not found in ${datasetsDirs(repo).join(' or ')}` };
    samples = Math.floor(digits.n / batch) * batch;
    // a fixed shuffle so each batch mixes classes (the file is ordered in runs)
    const r = rng(seed + 7);
    const order = Array.from({ length: digits.n }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    x = new Float32Array(samples * d0);
    y = new Int32Array(samples);
    for (let i = 0; i < samples; i++) {
      x.set(digits.x.subarray(order[i] * d0, order[i] * d0 + d0), i * d0);
      y[i] = digits.y[order[i]];
    }
    source = digits.file;
  } else {
    samples = SYNTHETIC_SAMPLES;
    const r = rng(seed);
    x = new Float32Array(samples * d0);
    for (let i = 0; i < x.length; i++) x[i] = r(); // pixel-like values in [0, 1)
    y = new Int32Array(samples);
    for (let i = 0; i < samples; i++) y[i] = Math.floor(r() * classes);
    source = `synthetic U[0,1) features, random labels, seed ${seed}`;
  }
  let count = 0;
  for (let l = 0; l + 1 < sizes.length; l++) count += sizes[l + 1] * sizes[l] + sizes[l + 1];
  const params = new Float32Array(count);
  const r = rng(seed + 1000);
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l]);
    const n = sizes[l + 1] * sizes[l] + sizes[l + 1];
    for (let i = 0; i < n; i++) params[off + i] = (2 * r() - 1) * bound;
    off += n;
  }
  const dataFile = join(dir, `${config.name}.data.bin`);
  const paramsFile = join(dir, `${config.name}.params.bin`);
  const bytes = new Uint8Array(x.byteLength + y.byteLength);
  bytes.set(new Uint8Array(x.buffer), 0);
  bytes.set(new Uint8Array(y.buffer), x.byteLength);
  writeFileSync(dataFile, bytes);
  writeFileSync(paramsFile, new Uint8Array(params.buffer));
  return {
    ...config,
    ...ADAM,
    samples,
    batches: samples / batch,
    source,
    dataFile,
    paramsFile,
  };
}

/** Reads a problem's files: x (Float32Array [samples*d0]), y (Int32Array), params (Float32Array). */
export function loadProblem(problem) {
  const raw = readFileSync(problem.dataFile);
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const nx = problem.samples * problem.sizes[0];
  const x = new Float32Array(buf, 0, nx);
  const y = new Int32Array(buf, nx * 4, problem.samples);
  const p = readFileSync(problem.paramsFile);
  const params = new Float32Array(p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength));
  return { x, y, params };
}

/**
 * The flat parameters split per layer: { w: [out, in] row-major, wT: [in, out], b }.
 */
export function layers(problem, params) {
  const { sizes } = problem;
  const out = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nin = sizes[l], nout = sizes[l + 1];
    const w = params.slice(off, off + nin * nout);
    off += nin * nout;
    const b = params.slice(off, off + nout);
    off += nout;
    const wT = new Float32Array(nin * nout);
    for (let o = 0; o < nout; o++) for (let i = 0; i < nin; i++) wT[i * nout + o] = w[o * nin + i];
    out.push({ nin, nout, w, wT, b });
  }
  return out;
}

/** One-hot rows (f32 [n, classes]) of integer labels. */
export function oneHot(y, classes) {
  const out = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) out[i * classes + y[i]] = 1;
  return out;
}
