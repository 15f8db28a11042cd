// Seeded synthetic datasets. Each takes { n, seed, ... } and returns a Dataset;
// the same options give the same samples in every runtime (host-side f64 math,
// stored as f32).
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { Dataset, MAX_CLASSES } from './dataset.js';
import { Random } from './random.js';

export interface GeneratorOptions {
  /** number of samples (default 500) */
  n?: number;
  /** standard deviation of Gaussian noise added to the features (default per generator) */
  noise?: number;
  seed?: number;
}

/**
 * Checks that `options` is an object (or undefined) whose keys are all in
 * `allowed`: an unknown option (a typo, or `features` for `dim`) is a
 * `ValueError` naming it and the known ones, as the optimizers do.
 */
function known<T extends object>(op: string, options: T | undefined, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${op}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const [k, v] of Object.entries(options)) {
    if (!allowed.includes(k)) throw new ValueError(`${op}: unknown option '${k}' (options: ${allowed.join(', ')})`);
    if (v === null) throw new ValueError(`${op}: ${k} must be given a value or left out, got null`);
  }
  return options;
}

/** At most 2^24 samples, and at most 2^28 feature values (1 GiB of f32), so a typo cannot exhaust the heap. */
export const MAX_SAMPLES = 2 ** 24;
const MAX_VALUES = 2 ** 28;
function checkValues(op: string, n: number, d: number): void {
  if (n * d > MAX_VALUES) throw new ValueError(`${op}: n (${n}) × dim (${d}) = ${n * d} feature values exceed 2^28 = ${MAX_VALUES}`);
}
function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${describe(v)}`);
  return v;
}
function checkBoolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValueError(`${op}: ${name} must be true or false, got ${describe(v)}`);
  return v;
}
/** A non-empty array of finite numbers (length `len` when given). */
function checkNumbers(op: string, name: string, v: unknown, len?: number): number[] {
  if (!Array.isArray(v) || v.length < 1 || (len !== undefined && v.length !== len)) {
    throw new ValueError(`${op}: ${name} must be an array of ${len ?? 'at least 1'} finite numbers, got ${describe(v)}`);
  }
  v.forEach((x, i) => checkFinite(op, `${name}[${i}]`, x));
  return v;
}

function checkN(op: string, n: number, min = 1): number {
  if (!Number.isSafeInteger(n) || n < min || n > MAX_SAMPLES) throw new ValueError(`${op}: n must be an integer in [${min}, 2^24], got ${describe(n)}`);
  return n;
}
function checkDim(op: string, dim: unknown): number {
  if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 1 || dim > MAX_VALUES) throw new ValueError(`${op}: dim must be an integer in [1, 2^28], got ${describe(dim)}`);
  return dim;
}
function checkNonNeg(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ValueError(`${op}: ${name} must be a finite number ≥ 0, got ${describe(v)}`);
  return v;
}

/** Two interleaving half circles (scikit-learn's make_moons geometry), 2 classes, 2 features. */
export function twoMoons(options?: GeneratorOptions): Dataset {
  const { n = 500, noise = 0.1, seed = 0 } = known('twoMoons', options, ['n', 'noise', 'seed']);
  checkN('twoMoons', n);
  checkNonNeg('twoMoons', 'noise', noise);
  const r = new Random(seed, 'twoMoons');
  const x = new Float32Array(2 * n), y = new Int32Array(n);
  const nOuter = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    const outer = i < nOuter;
    const m = outer ? nOuter : n - nOuter;
    const t = (Math.PI * (outer ? i : i - nOuter)) / Math.max(1, m - 1);
    x[2 * i] = (outer ? Math.cos(t) : 1 - Math.cos(t)) + noise * r.normal();
    x[2 * i + 1] = (outer ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * r.normal();
    y[i] = outer ? 0 : 1;
  }
  return new Dataset(x, y, { numFeatures: 2, numClasses: 2, name: 'moons' });
}

/** Two concentric circles, radius 1 (class 0) and `factor` (class 1). */
export function circles(options?: GeneratorOptions & { factor?: number }): Dataset {
  const { n = 500, noise = 0.05, seed = 0, factor = 0.5 } = known('circles', options, ['n', 'noise', 'seed', 'factor']);
  checkN('circles', n);
  checkNonNeg('circles', 'noise', noise);
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) throw new ValueError(`circles: factor must be in (0, 1), got ${factor}`);
  const r = new Random(seed, 'circles');
  const x = new Float32Array(2 * n), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = 2 * Math.PI * r.uniform();
    const rad = c === 0 ? 1 : factor;
    x[2 * i] = rad * Math.cos(t) + noise * r.normal();
    x[2 * i + 1] = rad * Math.sin(t) + noise * r.normal();
    y[i] = c;
  }
  return new Dataset(x, y, { numFeatures: 2, numClasses: 2, name: 'circles' });
}

/**
 * `arms` interleaved spiral arms (class = arm), 2 features, radius in [0, 1]:
 * for arm k, point at radius r ∈ (0, 1]: angle θ = turns·2π·r + 2πk/arms (cs231n's spiral data).
 */
export function spirals(options?: GeneratorOptions & { arms?: number; turns?: number }): Dataset {
  const { n = 600, noise = 0.05, seed = 0, arms = 3, turns = 1 } = known('spirals', options, ['n', 'noise', 'seed', 'arms', 'turns']);
  checkN('spirals', n);
  checkNonNeg('spirals', 'noise', noise);
  if (!Number.isSafeInteger(arms) || arms < 2 || arms > n) throw new ValueError(`spirals: arms must be an integer in [2, n = ${n}], got ${describe(arms)}`);
  if (typeof turns !== 'number' || !(turns > 0 && Number.isFinite(turns))) throw new ValueError(`spirals: turns must be > 0, got ${turns}`);
  const r = new Random(seed, 'spirals');
  const x = new Float32Array(2 * n), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % arms;
    const rad = r.uniform() * 0.95 + 0.05;
    const t = turns * 2 * Math.PI * rad + (2 * Math.PI * k) / arms;
    x[2 * i] = rad * Math.cos(t) + noise * r.normal();
    x[2 * i + 1] = rad * Math.sin(t) + noise * r.normal();
    y[i] = k;
  }
  return new Dataset(x, y, { numFeatures: 2, numClasses: arms, name: 'spirals' });
}

/** XOR: points uniform in [−1, 1]², class 1 when the signs of the two coordinates differ. */
export function xor(options?: GeneratorOptions): Dataset {
  const { n = 400, noise = 0, seed = 0 } = known('xor', options, ['n', 'noise', 'seed']);
  checkN('xor', n);
  checkNonNeg('xor', 'noise', noise);
  const r = new Random(seed, 'xor');
  const x = new Float32Array(2 * n), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * r.uniform() - 1, b = 2 * r.uniform() - 1;
    y[i] = a * b < 0 ? 1 : 0;
    x[2 * i] = a + noise * r.normal();
    x[2 * i + 1] = b + noise * r.normal();
  }
  return new Dataset(x, y, { numFeatures: 2, numClasses: 2, name: 'xor' });
}

/** Isotropic Gaussian blobs: `centers` classes with means uniform in [−box, box]^dim and std `std`. */
export function blobs(options?: Omit<GeneratorOptions, 'noise'> & { centers?: number | number[][]; dim?: number; std?: number; box?: number }): Dataset {
  const o = known('blobs', options, ['n', 'seed', 'centers', 'dim', 'std', 'box']);
  const { n = 500, seed = 0, centers = 3, std = 0.5, box = 5 } = o;
  let dim = o.dim ?? 2;
  checkN('blobs', n);
  checkNonNeg('blobs', 'std', std);
  checkNonNeg('blobs', 'box', box);
  const r = new Random(seed, 'blobs');
  let means: number[][];
  if (Array.isArray(centers)) {
    means = centers;
    if (centers.length < 1 || centers.length > n) throw new ValueError(`blobs: centers must hold 1 to n = ${n} points, got ${centers.length}`);
    dim = Array.isArray(centers[0]) ? centers[0].length : 0;
    if (o.dim !== undefined && o.dim !== dim) throw new ValueError(`blobs: dim (${describe(o.dim)}) differs from the centers' dimension (${dim})`);
    centers.forEach((c, i) => checkNumbers('blobs', `centers[${i}]`, c, dim || undefined));
    checkValues('blobs', n, dim);
  } else {
    if (!Number.isSafeInteger(centers) || centers < 1 || centers > n) throw new ValueError(`blobs: centers must be an integer in [1, n = ${n}] or a list of points, got ${describe(centers)}`);
    checkDim('blobs', dim);
    checkValues('blobs', n, dim);
    means = Array.from({ length: centers }, () => Array.from({ length: dim }, () => (2 * r.uniform() - 1) * box));
  }
  const k = means.length;
  const x = new Float32Array(dim * n), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < dim; j++) x[i * dim + j] = means[c][j] + std * r.normal();
  }
  return new Dataset(x, y, { numFeatures: dim, numClasses: k, name: 'blobs', meta: { centers: means } });
}

/** y = x·w + b + noise with x ~ N(0, I_d); the true w and b are in `meta`. */
export function linearRegression(options?: GeneratorOptions & { dim?: number; weights?: number[]; bias?: number }): Dataset {
  const { n = 200, noise = 0.1, seed = 0, dim = 5, weights, bias = 0 } = known('linearRegression', options, ['n', 'noise', 'seed', 'dim', 'weights', 'bias']);
  checkN('linearRegression', n);
  checkDim('linearRegression', dim);
  checkNonNeg('linearRegression', 'noise', noise);
  checkFinite('linearRegression', 'bias', bias);
  if (weights !== undefined) checkNumbers('linearRegression', 'weights', weights, options?.dim === undefined ? undefined : dim);
  checkValues('linearRegression', n, weights?.length ?? dim);
  const r = new Random(seed, 'linearRegression');
  const w = weights ?? Array.from({ length: dim }, () => r.normal());
  const d = w.length;
  const x = new Float32Array(d * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = bias;
    for (let j = 0; j < d; j++) {
      const v = r.normal();
      x[i * d + j] = v;
      s += Math.fround(v) * w[j];
    }
    y[i] = s + noise * r.normal();
  }
  return new Dataset(x, y, { numFeatures: d, name: 'linear', meta: { weights: w, bias } });
}

/**
 * One input x ~ U[−1, 1], y = Σ_p c_p x^p + noise. Features are the powers
 * x, x², …, x^degree when `expand` (default), else just x.
 */
export function polynomialRegression(options?: GeneratorOptions & { coefficients?: number[]; expand?: boolean }): Dataset {
  const { n = 200, noise = 0.1, seed = 0, coefficients = [0, 1, -2, 0.5], expand = true } = known('polynomialRegression', options, ['n', 'noise', 'seed', 'coefficients', 'expand']);
  checkN('polynomialRegression', n);
  checkNonNeg('polynomialRegression', 'noise', noise);
  checkNumbers('polynomialRegression', 'coefficients', coefficients);
  checkBoolean('polynomialRegression', 'expand', expand);
  checkValues('polynomialRegression', n, coefficients.length);
  const r = new Random(seed, 'polynomialRegression');
  const degree = coefficients.length - 1;
  const d = expand ? Math.max(1, degree) : 1;
  const x = new Float32Array(d * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = 2 * r.uniform() - 1;
    let s = 0;
    for (let p = degree; p >= 0; p--) s = s * t + coefficients[p];
    for (let j = 0; j < d; j++) x[i * d + j] = t ** (j + 1);
    y[i] = s + noise * r.normal();
  }
  return new Dataset(x, y, { numFeatures: d, name: 'polynomial', meta: { coefficients } });
}

/** Gaussian features with labels drawn uniformly at random: nothing to learn, only to memorize. */
export function randomLabels(options?: Omit<GeneratorOptions, 'noise'> & { dim?: number; classes?: number }): Dataset {
  const { n = 200, seed = 0, dim = 10, classes = 2 } = known('randomLabels', options, ['n', 'seed', 'dim', 'classes']);
  checkN('randomLabels', n);
  checkDim('randomLabels', dim);
  checkValues('randomLabels', n, dim);
  if (!Number.isSafeInteger(classes) || classes < 2 || classes > MAX_CLASSES) throw new ValueError(`randomLabels: classes must be an integer in [2, 2^24], got ${describe(classes)}`);
  const r = new Random(seed, 'randomLabels');
  const x = new Float32Array(dim * n), y = new Int32Array(n);
  for (let i = 0; i < n * dim; i++) x[i] = r.normal();
  for (let i = 0; i < n; i++) y[i] = r.int(classes);
  return new Dataset(x, y, { numFeatures: dim, numClasses: classes, name: 'random-labels' });
}

/**
 * Linear regression whose feature j has scale condition^(j/(d−1)): feature
 * scales span `condition` (default 1e4), so the Hessian XᵀX/n has condition
 * number ≈ condition². y = Σ_j w_j x_j + noise with x_j = s_j·z_j, z ~ N(0, 1), w ~ N(0, 1)/s_j.
 */
export function illConditionedRegression(options?: GeneratorOptions & { dim?: number; condition?: number }): Dataset {
  const { n = 500, noise = 0.01, seed = 0, dim = 10, condition = 1e4 } = known('illConditionedRegression', options, ['n', 'noise', 'seed', 'dim', 'condition']);
  checkN('illConditionedRegression', n);
  checkDim('illConditionedRegression', dim);
  checkValues('illConditionedRegression', n, dim);
  checkNonNeg('illConditionedRegression', 'noise', noise);
  if (typeof condition !== 'number' || !(condition >= 1 && Number.isFinite(condition))) throw new ValueError(`illConditionedRegression: condition must be ≥ 1, got ${condition}`);
  const r = new Random(seed, 'illConditionedRegression');
  const scales = Array.from({ length: dim }, (_, j) => condition ** (dim > 1 ? j / (dim - 1) : 0));
  const w = scales.map((s) => r.normal() / s);
  const x = new Float32Array(dim * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const v = Math.fround(scales[j] * r.normal());
      x[i * dim + j] = v;
      s += v * w[j];
    }
    y[i] = s + noise * r.normal();
  }
  return new Dataset(x, y, { numFeatures: dim, name: 'ill-conditioned', meta: { scales, weights: w } });
}

/** The built-in datasets by name (CLI and docs). */
export const GENERATORS = {
  spirals,
  moons: twoMoons,
  circles,
  xor,
  blobs,
  linear: linearRegression,
  polynomial: polynomialRegression,
  'random-labels': randomLabels,
  'ill-conditioned': illConditionedRegression,
} as const;
export type GeneratorName = keyof typeof GENERATORS;
