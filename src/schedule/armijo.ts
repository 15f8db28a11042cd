// Backtracking line search with the Armijo (sufficient decrease) condition, as a
// step-size rule for gradient descent (Nocedal & Wright, Numerical Optimization,
// Algorithm 3.1):
//
//   t ← initial;  while f(θ + t·d) > f(θ) + c·t·∇f(θ)ᵀd:  t ← shrink·t
//
// d defaults to −∇f. Termination on any L-smooth f: with d = −∇f,
// f(θ − t∇f) ≤ f(θ) − t(1 − L t/2)‖∇f‖², so every t ≤ 2(1 − c)/L is accepted
// and the accepted step is ≥ min(initial, shrink · 2(1 − c)/L), reached after at
// most 1 + ⌈log(initial·L / (2(1 − c))) / log(1/shrink)⌉ tries.
// The loop itself is `backtrack` in src/solve/linesearch.ts (lineSearch.backtracking).
import { StateError, ValueError } from '../errors.js';
import { liveParams, type Parameterized } from '../runtime/params.js';
import { backtrack } from '../solve/linesearch.js';
import { checkNumber, type NumberRule, POSITIVE, POSITIVE_INT } from '../runtime/validate.js';
import { checkOptions } from './types.js';

/** (0, 1): both ends excluded */
const OPEN_UNIT: NumberRule = { min: 0, max: 1, minOpen: true, maxOpen: true };

export interface ArmijoOptions {
  /** sufficient-decrease constant, in (0, 1) (default 1e-4) */
  c?: number;
  /** step multiplier after a rejected try, in (0, 1) (default 0.5) */
  shrink?: number;
  /** tries before giving up (default 40) */
  maxTries?: number;
  /** first step tried (default 1) */
  initial?: number;
}

export interface ArmijoResult {
  /** the accepted step t (0 when none was accepted) */
  step: number;
  /** evaluations of f made (1 for an immediate acceptance) */
  tries: number;
  /** f at the accepted point (f(θ) when none was accepted) */
  value: number;
  /** false when maxTries steps were all rejected; θ is then left unchanged */
  accepted: boolean;
}

/**
 * The rule: `c`, `shrink`, `maxTries`, `initial`. Use `line` for a 1-D function
 * φ(t) = f(θ + t d), `search` for plain arrays (f64), `forParameters` for a
 * model's flat f32 buffers in the engine.
 */
export class Armijo {
  readonly c: number;
  readonly shrink: number;
  readonly maxTries: number;
  readonly initial: number;

  constructor(options: ArmijoOptions = {}) {
    const op = 'armijo';
    const o = checkOptions(op, options, ['c', 'shrink', 'maxTries', 'initial']);
    this.c = checkNumber(op, 'c', o.c ?? 1e-4, OPEN_UNIT);
    this.shrink = checkNumber(op, 'shrink', o.shrink ?? 0.5, OPEN_UNIT);
    this.maxTries = checkNumber(op, 'maxTries', o.maxTries ?? 40, POSITIVE_INT);
    this.initial = checkNumber(op, 'initial', o.initial ?? 1, POSITIVE);
  }

  /**
   * Backtracks on φ(t) = f(θ + t d) given φ(0) = f0 and φ'(0) = slope = ∇f(θ)ᵀd.
   * A zero slope (a stationary point) returns step 0, accepted, with no evaluation;
   * a positive slope is not a descent direction and throws.
   */
  line(phi: (t: number) => number, f0: number, slope: number): ArmijoResult {
    const r = backtrack(phi, f0, slope, this.c, this.shrink, this.maxTries, this.initial, 'armijo');
    return { step: r.step, tries: r.evaluations, value: r.value, accepted: r.success };
  }

  /**
   * One search on plain arrays: θ = x, f(θ) = fx, ∇f(θ) = grad, d = direction
   * (default −grad). Returns the result and the new point (x itself when rejected).
   * `f` receives a scratch array it must not keep.
   */
  search(
    f: (x: Float64Array) => number,
    x: ArrayLike<number>,
    fx: number,
    grad: ArrayLike<number>,
    direction?: ArrayLike<number>,
  ): ArmijoResult & { x: Float64Array } {
    const op = 'armijo.search';
    const n = x.length;
    if (grad.length !== n) throw new ValueError(`${op}: grad has length ${grad.length}, x has ${n}`);
    if (direction !== undefined && direction.length !== n) throw new ValueError(`${op}: direction has length ${direction.length}, x has ${n}`);
    const d = Float64Array.from(direction ?? grad);
    if (direction === undefined) for (let i = 0; i < n; i++) d[i] = -d[i];
    let slope = 0;
    for (let i = 0; i < n; i++) slope += grad[i] * d[i];
    const trial = new Float64Array(n);
    const r = this.line(
      (t) => {
        for (let i = 0; i < n; i++) trial[i] = x[i] + t * d[i];
        return f(trial);
      },
      fx,
      slope,
    );
    const out = Float64Array.from(x);
    if (r.accepted) for (let i = 0; i < n; i++) out[i] = x[i] + r.step * d[i];
    return { ...r, x: out };
  }

  /**
   * The rule over a model's flat buffers (f32, in the engine): see
   * `ParameterLineSearch`. `evaluate()` returns the loss at the current
   * parameters (it need not compute gradients).
   */
  forParameters(model: Parameterized, evaluate: () => number, options: { direction?: number } = {}): ParameterLineSearch {
    return new ParameterLineSearch(this, model, evaluate, options.direction);
  }
}

/**
 * Armijo GD step on a `Parameterized`: given f(θ) with ∇f(θ) in `gradsPtr`,
 * `step(f0)` saves θ (and ∇f, unless a direction is given) into buffers planned
 * once in the arena, tries θ = backup + t·d with the engine's `f32_copy` /
 * `f32_axpy` kernels, calls `evaluate()` at each trial, and leaves θ at the
 * accepted point (or restores it when no step is accepted). d = −∇f unless a
 * direction buffer (a pointer to numParameters floats) was given. Because ∇f
 * is saved, `evaluate()` may overwrite the gradient buffer (e.g. call
 * `model.lossAndGrad`); it must not change θ or the direction buffer.
 */
export class ParameterLineSearch {
  private backup: number;
  /** saved ∇f(θ) (0 when a direction buffer is used) */
  private grad = 0;
  private disposed = false;

  constructor(
    readonly rule: Armijo,
    readonly model: Parameterized,
    private readonly evaluate: () => number,
    private readonly direction?: number,
  ) {
    const op = 'armijo.forParameters';
    liveParams(op, model);
    if (typeof evaluate !== 'function') throw new ValueError(`${op}: evaluate must be a function () => loss, got ${typeof evaluate}`);
    const n = model.numParameters;
    if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: model.numParameters must be an integer >= 0, got ${n}`);
    if (direction !== undefined && !model.engine.arena.owns(direction, n * 4)) {
      throw new ValueError(`${op}: direction must be a live arena block of ${n} floats, got pointer ${direction}`);
    }
    this.backup = model.engine.arena.alloc(n * 4);
    if (direction === undefined) this.grad = model.engine.arena.alloc(n * 4);
  }

  /** One search from the current θ; `f0` = f(θ), with ∇f(θ) already in the gradient buffer. */
  step(f0: number): ArmijoResult {
    if (this.disposed) throw new StateError('armijo: step() after dispose()');
    if (this.model.disposed === true) throw new StateError('armijo: step(): the model was disposed; this line search cannot be used any more');
    const { engine, numParameters: n, paramsPtr: p, gradsPtr: g } = this.model;
    const k = engine.kernels;
    const d = this.direction;
    const saved = this.grad;
    const slope = d === undefined ? -k.f32_sumsq(n, g) : k.f32_dot(n, g, d);
    // validate before touching θ
    if (!Number.isFinite(f0)) throw new ValueError(`armijo: f(θ) must be finite, got ${f0}`);
    if (!Number.isFinite(slope) || slope > 0) {
      throw new ValueError(`armijo: the direction must be a descent direction: ∇f(θ)ᵀd must be finite and <= 0, got ${slope}`);
    }
    k.f32_copy(n, p, this.backup);
    if (d === undefined) k.f32_copy(n, g, saved);
    const r = this.rule.line(
      (t) => {
        k.f32_copy(n, this.backup, p);
        if (d === undefined) k.f32_axpy(n, saved, p, -t);
        else k.f32_axpy(n, d, p, t);
        return this.evaluate();
      },
      f0,
      slope,
    );
    if (!r.accepted || r.step === 0) k.f32_copy(n, this.backup, p);
    return r;
  }

  /** Frees the saved buffers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.engine.arena.free(this.backup);
    if (this.grad !== 0) this.model.engine.arena.free(this.grad);
  }
}

/** Builds the Armijo backtracking rule. */
export function armijo(options: ArmijoOptions = {}): Armijo {
  return new Armijo(options);
}
