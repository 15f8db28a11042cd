/**
 * Parameter initializers, seeded from the core RNG (xoshiro128**, one 16-byte
 * state per model). Each fills one tensor of the flat parameter buffer in
 * place. Fan-in and fan-out are PyTorch's: for a weight `[out, in]`,
 * fan_in = in, fan_out = out.
 *
 * | name | distribution | reference |
 * | --- | --- | --- |
 * | `zeros`, `constant(v)` | all 0 / all v | |
 * | `uniform({a, b})` | U[a, b) (default U[0, 1)) | `nn.init.uniform_` |
 * | `normal({mean, std})` | N(mean, std²) (default N(0, 1)) | `nn.init.normal_` |
 * | `xavierUniform({gain})` | U(±gain·√(6/(fan_in+fan_out))) | Glorot & Bengio 2010 |
 * | `xavierNormal({gain})` | N(0, gain²·2/(fan_in+fan_out)) | |
 * | `kaimingUniform({a, mode, nonlinearity})` | U(±√3·gain/√fan) | He et al. 2015 |
 * | `kaimingNormal({a, mode, nonlinearity})` | N(0, gain²/fan) | |
 * | `orthogonal({gain})` | Q of the QR of a Gaussian matrix, sign-corrected, times gain | Saxe et al. 2014 |
 * | `linearDefault` | U(±1/√fan_in) for weight and bias (= kaiming_uniform with a = √5) | `nn.Linear.reset_parameters` |
 *
 * Kaiming defaults are PyTorch's: a = 0, mode 'fan_in', nonlinearity 'leaky_relu' (gain √2).
 */
import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import type { Core } from '../runtime/core.js';

/** Where and what an initializer fills: `rows × cols` floats at `ptr`, drawing from the RNG at `rngPtr`. */
export interface InitTarget {
  readonly engine: Core;
  /** byte offset of the 16-byte RNG state */
  readonly rngPtr: number;
  /** byte offset of the first element */
  readonly ptr: number;
  /** `[out, in]` for a weight, `[out]` for a bias */
  readonly shape: readonly number[];
  readonly fanIn: number;
  readonly fanOut: number;
}

export interface Initializer {
  readonly name: string;
  fill(target: InitTarget): void;
}

export type Nonlinearity = 'linear' | 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu' | 'conv1d' | 'conv2d' | 'conv3d';

/** PyTorch's `nn.init.calculate_gain`. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'sigmoid': case 'conv1d': case 'conv2d': case 'conv3d': return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': {
      const s = param ?? 0.01;
      return Math.sqrt(2 / (1 + s * s));
    }
    case 'selu': return 3 / 4;
    default: throw new ValueError(`calculateGain: unknown nonlinearity ${typeof nonlinearity === 'string' ? `'${nonlinearity}'` : describe(nonlinearity)}`);
  }
}

const size = (t: InitTarget): number => t.shape.reduce((a, b) => a * b, 1);

function uniformFill(t: InitTarget, lo: number, hi: number): void {
  t.engine.kernels.f32_rng_uniform(size(t), t.rngPtr, t.ptr, lo, hi);
}
function normalFill(t: InitTarget, mean: number, std: number): void {
  t.engine.kernels.f32_rng_normal(size(t), t.rngPtr, t.ptr, mean, std);
}
function finite(op: string, name: string, v: number, positive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && v < 0)) {
    throw new ValueError(`${op}: ${name} must be a finite${positive ? ' non-negative' : ''} number, got ${describe(v)}`);
  }
  return v;
}

export const zeros: Initializer = { name: 'zeros', fill: (t) => t.engine.kernels.f32_fill(size(t), t.ptr, 0) };

export function constant(value: number): Initializer {
  finite('constant', 'value', value);
  return { name: 'constant', fill: (t) => t.engine.kernels.f32_fill(size(t), t.ptr, value) };
}

export function uniform({ a = 0, b = 1 }: { a?: number; b?: number } = {}): Initializer {
  finite('uniform', 'a', a);
  finite('uniform', 'b', b);
  if (!(a <= b)) throw new ValueError(`uniform: a must be <= b, got a=${a}, b=${b}`);
  return { name: 'uniform', fill: (t) => uniformFill(t, a, b) };
}

export function normal({ mean = 0, std = 1 }: { mean?: number; std?: number } = {}): Initializer {
  finite('normal', 'mean', mean);
  finite('normal', 'std', std, true);
  return { name: 'normal', fill: (t) => normalFill(t, mean, std) };
}

export function xavierUniform({ gain = 1 }: { gain?: number } = {}): Initializer {
  finite('xavierUniform', 'gain', gain, true);
  return {
    name: 'xavierUniform',
    fill: (t) => {
      const bound = gain * Math.sqrt(6 / Math.max(1, t.fanIn + t.fanOut));
      uniformFill(t, -bound, bound);
    },
  };
}

export function xavierNormal({ gain = 1 }: { gain?: number } = {}): Initializer {
  finite('xavierNormal', 'gain', gain, true);
  return { name: 'xavierNormal', fill: (t) => normalFill(t, 0, gain * Math.sqrt(2 / Math.max(1, t.fanIn + t.fanOut))) };
}

export interface KaimingOptions {
  /** negative slope of the leaky ReLU that follows (only for 'leaky_relu'); default 0 */
  a?: number;
  /** default 'fan_in' (preserves the forward variance); 'fan_out' preserves the backward one */
  mode?: 'fan_in' | 'fan_out';
  /** default 'leaky_relu' (with a = 0: gain √2, as PyTorch) */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: InitTarget, a: number, mode: string, nonlinearity: Nonlinearity): number {
  const fan = mode === 'fan_in' ? t.fanIn : t.fanOut;
  if (fan === 0) return 0;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

function kaimingCheck(op: string, o: KaimingOptions): Required<KaimingOptions> {
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = o;
  finite(op, 'a', a);
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new ValueError(`${op}: mode must be 'fan_in' or 'fan_out', got ${typeof mode === 'string' ? `'${mode}'` : describe(mode)}`);
  calculateGain(nonlinearity, a);
  return { a, mode, nonlinearity };
}

export function kaimingUniform(options: KaimingOptions = {}): Initializer {
  const { a, mode, nonlinearity } = kaimingCheck('kaimingUniform', options);
  return {
    name: 'kaimingUniform',
    fill: (t) => {
      const bound = Math.sqrt(3) * kaimingStd('kaimingUniform', t, a, mode, nonlinearity);
      uniformFill(t, -bound, bound);
    },
  };
}

export function kaimingNormal(options: KaimingOptions = {}): Initializer {
  const { a, mode, nonlinearity } = kaimingCheck('kaimingNormal', options);
  return { name: 'kaimingNormal', fill: (t) => normalFill(t, 0, kaimingStd('kaimingNormal', t, a, mode, nonlinearity)) };
}

/**
 * Orthogonal (Saxe et al. 2014), as `torch.nn.init.orthogonal_`: draw a Gaussian
 * `rows × cols` matrix (transposed when rows < cols), take Q of its QR
 * decomposition with the signs of diag(R) folded in (so Q is unique and
 * Haar-distributed), transpose back, multiply by `gain`. The QR is Householder
 * in f64 on the host (initialization is not a training step).
 */
export function orthogonal({ gain = 1 }: { gain?: number } = {}): Initializer {
  finite('orthogonal', 'gain', gain, true);
  return {
    name: 'orthogonal',
    fill: (t) => {
      const rows = t.shape[0] ?? 1;
      const cols = t.shape.length > 1 ? size(t) / rows : 1;
      if (rows * cols === 0) return;
      normalFill(t, 0, 1);
      const view = t.engine.f32(t.ptr, rows * cols);
      const tr = rows < cols;
      const m = tr ? cols : rows, n = tr ? rows : cols; // m >= n
      const a = new Float64Array(m * n); // m x n row-major
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        if (tr) a[j * n + i] = view[i * cols + j];
        else a[i * n + j] = view[i * cols + j];
      }
      const q = householderQ(a, m, n);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        view[i * cols + j] = gain * (tr ? q[j * n + i] : q[i * n + j]);
      }
    },
  };
}

/**
 * The thin Q (m × n, m >= n) of A = QR with diag(R) >= 0, by Householder
 * reflections in f64. A is overwritten.
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = [];
  const sign = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const akk = a[k * n + k];
    const alpha = akk > 0 ? -norm : norm; // R[k,k] = alpha
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * n + k];
    v[0] -= alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i] * v[i];
    if (vn > 0) {
      // A[k:, k:] -= 2 v (vᵀ A) / (vᵀ v)
      for (let j = k; j < n; j++) {
        let s = 0;
        for (let i = k; i < m; i++) s += v[i - k] * a[i * n + j];
        s = (2 * s) / vn;
        for (let i = k; i < m; i++) a[i * n + j] -= s * v[i - k];
      }
    }
    vs.push(vn > 0 ? v.map((x) => x / Math.sqrt(vn)) : v.fill(0));
    sign[k] = a[k * n + k] < 0 ? -1 : 1; // sign of R[k,k]
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of I, then columns scaled by sign(R_kk)
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k] * q[i * n + j];
      s *= 2;
      for (let i = k; i < m; i++) q[i * n + j] -= s * v[i - k];
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] *= sign[j];
  return q;
}

/** PyTorch's `nn.Linear` default: weight and bias U(±1/√fan_in) (0 when fan_in = 0). */
export const linearDefault: Initializer = {
  name: 'linearDefault',
  fill: (t) => {
    const bound = t.fanIn > 0 ? 1 / Math.sqrt(t.fanIn) : 0;
    uniformFill(t, -bound, bound);
  },
};

/** The initializers by name (strings accepted by `mlp({ init })`), with default arguments. */
export const initializers = {
  zeros: () => zeros,
  constant,
  uniform,
  normal,
  xavierUniform,
  xavierNormal,
  kaimingUniform,
  kaimingNormal,
  orthogonal,
  linearDefault: () => linearDefault,
  calculateGain,
} as const;

export type InitName = 'default' | 'zeros' | 'xavierUniform' | 'xavierNormal' | 'kaimingUniform' | 'kaimingNormal' | 'orthogonal' | 'linearDefault';

/** Weight and bias initializers of a linear layer. */
export interface LinearInit {
  weight: Initializer;
  bias: Initializer;
}

/**
 * Resolves the `init` option of a model: a name, an initializer (weights; bias
 * then zeros), or `{ weight, bias }`. `'default'` / undefined is PyTorch's
 * nn.Linear default for both.
 */
export function resolveInit(op: string, init: InitName | Initializer | Partial<LinearInit> | undefined): LinearInit {
  if (init === undefined || init === 'default' || init === 'linearDefault') return { weight: linearDefault, bias: linearDefault };
  if (typeof init === 'string') {
    const names: Record<string, () => Initializer> = {
      zeros: () => zeros,
      xavierUniform: () => xavierUniform(),
      xavierNormal: () => xavierNormal(),
      kaimingUniform: () => kaimingUniform(),
      kaimingNormal: () => kaimingNormal(),
      orthogonal: () => orthogonal(),
    };
    const f = names[init];
    if (!f) throw new ValueError(`${op}: init must be one of 'default', ${Object.keys(names).map((k) => `'${k}'`).join(', ')} or an initializer, got '${init}'`);
    return { weight: f(), bias: zeros };
  }
  if (typeof init === 'object' && init !== null && !Array.isArray(init)) {
    if ('fill' in init && typeof (init as Initializer).fill === 'function') return { weight: init as Initializer, bias: zeros };
    for (const k of Object.keys(init)) {
      if (k !== 'weight' && k !== 'bias') throw new ValueError(`${op}: init has an unknown key '${k}'; an init object has weight and bias initializers`);
    }
    const w = (init as Partial<LinearInit>).weight ?? linearDefault;
    const b = (init as Partial<LinearInit>).bias ?? ((init as Partial<LinearInit>).weight ? zeros : linearDefault);
    if (typeof w?.fill !== 'function' || typeof b?.fill !== 'function') throw new ValueError(`${op}: init.weight and init.bias must be initializers`);
    return { weight: w, bias: b };
  }
  throw new ValueError(`${op}: init must be a name or an initializer, got ${describe(init)}`);
}
