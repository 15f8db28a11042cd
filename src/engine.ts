import relaxed from '../build/wasmgrad.relaxed.wasm';
import scalar from '../build/wasmgrad.scalar.wasm';
import simd from '../build/wasmgrad.simd.wasm';
import { fmtShape, ShapeError, ValueError } from './errors.js';
import { checkBool, checkKnown, checkNumber, checkOptions, describe } from './runtime/validate.js';
import { allocNamed, Core } from './runtime/core.js';
import { instantiateCore, type InitOptions } from './runtime/init.js';
import { ParameterVector } from './runtime/params.js';
import { Rng } from './runtime/rng.js';
import { checkTensor, Tensor } from './runtime/tensor.js';
import { createNN, type NN } from './nn/index.js';
import { createLossNamespace, type LossNamespace } from './loss/index.js';
import { createOptim, type Optim } from './optim/index.js';
import { bindMinimize, createLinalg, createObjectives, type EngineObjectives, type Linalg } from './solve/index.js';
import { createCurvature, type Curvature } from './curvature/index.js';
import { createAdversarial, type Adversarial } from './adversarial/index.js';
import type { Fun, MinimizeOptions, MinimizeResult } from './solve/index.js';
import { createMeta, type Meta } from './meta/index.js';

/**
 * Creates an engine: one instance of the core with its own memory.
 *
 * ```ts
 * const engine = await init();              // SIMD when the runtime has it
 * const scalar = await init({ simd: false }); // the scalar twin
 * const plain = await init({ relaxedSimd: false }); // SIMD without relaxed SIMD
 * ```
 */
export async function init(options: InitOptions = {}): Promise<Engine> {
  return new Engine(await instantiateCore({ simd, scalar, relaxed }, options));
}

export interface MatmulOptions {
  /** use Aᵀ (default false) */
  transA?: boolean;
  /** use Bᵀ (default false) */
  transB?: boolean;
  /** default 1 */
  alpha?: number;
  /** default 0; non-zero needs `out`, whose contents are then scaled and added to */
  beta?: number;
  /** the result tensor [m, n]; must not share memory with a or b */
  out?: Tensor;
}


/** Checks that `shape` is an array of non-negative integers; returns a copy. */
export function checkShape(op: string, name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: ${name} must be an array of sizes, got ${describe(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: ${name}[${i}] must be a non-negative integer, got ${describe(d)} in ${fmtShape(shape as number[])}`);
    }
  }
  return [...shape] as number[];
}

/**
 * The public facade made by `init()`: a `Core` (instance, memory, arena, kernels) with the
 * user-facing calls and namespaces. Everything that owns memory (tensors, models,
 * optimizers) is made from an engine. This is the top of the runtime: the layers it
 * gathers (nn, loss, optim, ...) type against `Core` and never import this file.
 */
export class Engine extends Core {
  private _nn: NN | undefined;
  /** Networks: `engine.nn.mlp([...])`, `linear`, `deepLinear`, `sequential`, `layers`, `init`. */
  get nn(): NN {
    return (this._nn ??= createNN(this));
  }

  private _loss: LossNamespace | undefined;
  /** Losses: `engine.loss.mse({ reduction })`, `softmaxCrossEntropy`, …, `l2Penalty`, `evaluate`. */
  get loss(): LossNamespace {
    return (this._loss ??= createLossNamespace(this));
  }

  private _optim: Optim | undefined;
  /** Optimizers, transforms and clipping (src/optim), made on first use. */
  get optim(): Optim {
    return (this._optim ??= createOptim(this));
  }

  private _minimize: ((fun: Fun, x0: ArrayLike<number>, options?: MinimizeOptions) => MinimizeResult) | undefined;
  /**
   * scipy's `minimize` bound to this engine (src/solve): gd/cg/lbfgs keep their vectors in
   * its arena (f64 kernels) for n >= 256, 'newton' factors H in it; the arena is left as found.
   */
  get minimize(): (fun: Fun, x0: ArrayLike<number>, options?: MinimizeOptions) => MinimizeResult {
    return (this._minimize ??= bindMinimize(this));
  }

  private _objectives: EngineObjectives | undefined;
  /** The built-in objectives (src/solve); `logisticRegression` and `poissonGlm` keep X in this engine's memory and run its kernels: dispose() them when done. */
  get objectives(): EngineObjectives {
    return (this._objectives ??= createObjectives(this));
  }

  private _adversarial: Adversarial | undefined;
  /** Attacks on a model's inputs: `engine.adversarial.attack(model, x, y, { eps, norm, method, steps })` (src/adversarial). */
  get adversarial(): Adversarial {
    return (this._adversarial ??= createAdversarial(this));
  }

  private _meta: Meta | undefined;
  /** Meta-optimization: `engine.meta.hypergradient({...})`, `engine.meta.tuneHyper({...})` (src/meta). */
  get meta(): Meta {
    return (this._meta ??= createMeta(this));
  }

  private _linalg: Linalg | undefined;
  /** Dense f64 linear algebra in the core: `cholesky`, `choleskySolve`, `solveTriangular`, `eigh`, and linear `cg`. */
  get linalg(): Linalg {
    return (this._linalg ??= createLinalg(this));
  }

  private _curvature: Curvature | undefined;
  /** Curvature of a model's loss over its parameters (src/curvature): `hessian`, `topEigenvalues`, `eigh`, `conditionNumber`, `classifyStationaryPoint`. */
  get curvature(): Curvature {
    return (this._curvature ??= createCurvature(this));
  }

  /**
   * A new f32 tensor of `shape`, zero-filled, or filled from `data` (any array-like
   * of `size` numbers).
   */
  tensor(shape: readonly number[], data?: ArrayLike<number>): Tensor {
    const dims = checkShape('tensor', 'shape', shape);
    const size = dims.reduce((a, b) => a * b, 1);
    if (data !== undefined && (data === null || typeof data !== 'object' || typeof data.length !== 'number')) {
      throw new ValueError(`tensor: data must be an array-like of ${size} numbers, got ${describe(data)}`);
    }
    if (data !== undefined && data.length !== size) {
      throw new ShapeError(`tensor: data has length ${data.length} but shape ${fmtShape(dims)} needs ${size}`);
    }
    const ptr = allocNamed(this, size, `tensor: shape ${fmtShape(dims)}`);
    const t = new Tensor(this, ptr, dims, true);
    if (data !== undefined) t.data.set(data);
    else t.data.fill(0);
    return t;
  }

  /** A seeded random stream (xoshiro128**) whose 16-byte state lives in this engine's arena. */
  rng(seed: number): Rng {
    return new Rng(this, seed);
  }

  /**
   * A bare parameter vector of `n` f32 values (zero-filled, or copied from `values`) with
   * its gradient buffer: a `Parameterized` that every optimizer, clipping call and schedule
   * accepts, for optimization experiments without a network.
   *
   * ```ts
   * const x = engine.vector(2, [-1.5, 2]);
   * const opt = engine.optim.adam(x, { lr: 0.1 });
   * x.grads.set([2 * x.params[0], 2 * x.params[1]]); // ∇ of ‖x‖²
   * opt.step();
   * ```
   */
  vector(n: number, values?: ArrayLike<number>): ParameterVector {
    return new ParameterVector(this, n, values);
  }

  /** Throws unless `t` is a live tensor of this engine (optionally of rank `rank`). */
  checkTensor(op: string, name: string, t: unknown, rank?: number): Tensor {
    return checkTensor(this, op, name, t, rank);
  }

  /**
   * `out = alpha · op(a) · op(b) + beta · out`, row-major, op ∈ {identity, transpose}.
   * Returns `out` (a new tensor when not given).
   */
  matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
    checkKnown('matmul', checkOptions('matmul', options), MATMUL_OPTIONS);
    const { transA = false, transB = false, alpha = 1, beta = 0, out } = options;
    checkTensor(this, 'matmul', 'a', a, 2);
    checkTensor(this, 'matmul', 'b', b, 2);
    checkBool('matmul', 'transA', transA);
    checkBool('matmul', 'transB', transB);
    checkNumber('matmul', 'alpha', alpha);
    checkNumber('matmul', 'beta', beta);
    const [ar, ac] = a.shape;
    const [br, bc] = b.shape;
    const m = transA ? ac : ar;
    const k = transA ? ar : ac;
    const kb = transB ? bc : br;
    const n = transB ? br : bc;
    if (k !== kb) {
      throw new ShapeError(
        `matmul: a is ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} and b is ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''}; inner dimensions ${k} and ${kb} differ`,
      );
    }
    let c: Tensor;
    if (out !== undefined) {
      c = checkTensor(this, 'matmul', 'out', out, 2);
      if (c.shape[0] !== m || c.shape[1] !== n) {
        throw new ShapeError(`matmul: out must be ${fmtShape([m, n])}, got ${fmtShape(c.shape)}`);
      }
      for (const [name, t] of [['a', a], ['b', b]] as const) {
        if (overlaps(c, t)) throw new ValueError(`matmul: out must not share memory with ${name}`);
      }
    } else {
      if (beta !== 0) throw new ValueError(`matmul: beta is ${beta} but no out was given to accumulate into`);
      c = this.tensor([m, n]);
    }
    const kern = this.kernels;
    const gemm = transA ? (transB ? kern.f32_gemm_tt : kern.f32_gemm_tn) : transB ? kern.f32_gemm_nt : kern.f32_gemm_nn;
    gemm(m, n, k, a.ptr, ac, b.ptr, bc, c.ptr, n, alpha, beta);
    return c;
  }
}

const MATMUL_OPTIONS = ['transA', 'transB', 'alpha', 'beta', 'out'] as const;

function overlaps(x: Tensor, y: Tensor): boolean {
  const x0 = x.ptr, x1 = x0 + x.size * 4;
  const y0 = y.ptr, y1 = y0 + y.size * 4;
  return x.size > 0 && y.size > 0 && x0 < y1 && y0 < x1;
}
