// The objective as the solvers see it: counted evaluations (scipy's nfev, njev,
// nhev), finite-difference gradients and Hessian-vector products where the user
// gave none, the evaluation budget, the per-iteration hook (history, callback,
// AbortSignal) and the result in scipy's names.
import { ValueError } from '../errors.js';
import type { Core } from '../runtime/core.js';
import type { StructureStep } from '../structure/common.js';

/** f(x); when `grad` is passed, also writes ∇f(x) into it (no allocation per call needed). */
export type Fun = (x: Float64Array, grad?: Float64Array) => number;

export type Method =
  | 'gd' | 'cg' | 'bfgs' | 'lbfgs' | 'lbfgsb' | 'newton' | 'newton-cg' | 'trust-ncg' | 'nelder-mead'
  | 'proximal-gradient' | 'fista' | 'projected-gradient';
export const METHODS: readonly Method[] = [
  'gd', 'cg', 'bfgs', 'lbfgs', 'lbfgsb', 'newton', 'newton-cg', 'trust-ncg', 'nelder-mead', 'proximal-gradient', 'fista', 'projected-gradient',
];
/** The methods for f + g with g given by `prox` / `project` steps (src/solve/proximal.ts). */
export const PROXIMAL_METHODS: readonly Method[] = ['proximal-gradient', 'fista', 'projected-gradient'];

/** What `callback` and `history` see after each iteration (fresh copies). */
export interface Iterate {
  nit: number;
  x: Float64Array;
  fun: number;
  /** ∇f(x) (absent for Nelder-Mead) */
  jac?: Float64Array;
  nfev: number;
}

export interface MinimizeOptions {
  /** default 'bfgs', or 'lbfgsb' when `bounds` are given (as scipy) */
  method?: Method;
  /** dense Hessian: writes ∇²f(x) row-major into H (n·n) */
  hess?: (x: Float64Array, H: Float64Array) => void;
  /** Hessian-vector product: writes ∇²f(x)·p into out */
  hessp?: (x: Float64Array, p: Float64Array, out: Float64Array) => void;
  /** one [lo, hi] pair for every coordinate, or one pair per coordinate (±Infinity for none) */
  bounds?: readonly [number, number] | readonly (readonly [number, number])[];
  /** true (default): fun writes the gradient; '2-point' | '3-point': finite differences of f */
  jac?: true | '2-point' | '3-point';
  /** sets the method's main tolerance (gtol for gradient methods, xatol/fatol for Nelder-Mead) */
  tol?: number;
  gtol?: number;
  xtol?: number;
  ftol?: number;
  maxIter?: number;
  maxEval?: number;
  /** called after each iteration; returning true stops the run (status 99) */
  callback?: (iterate: Iterate) => boolean | void;
  /** checked after each iteration; when aborted the run stops (status 99) */
  signal?: AbortSignal;
  /** keep every iterate in `result.history` */
  history?: boolean;
  /** L-BFGS history size m (default 10, scipy's maxcor) */
  m?: number;
  /** nonlinear CG β: 'pr+' (Polak-Ribière+, default) or 'fr' (Fletcher-Reeves) */
  beta?: 'pr+' | 'fr';
  /** 'gd' only: 'backtracking' (default) or 'strongWolfe' */
  lineSearch?: 'backtracking' | 'strongWolfe';
  /** trust-ncg: initial and largest radius (defaults 1 and 1000, as scipy) */
  initialRadius?: number;
  maxRadius?: number;
  /** Nelder-Mead: Gao & Han's dimension-adapted coefficients (default true) */
  adaptive?: boolean;
  /** 'newton': allow Levenberg-Marquardt damping when H is not positive definite (default true) */
  damping?: boolean;
  /** a core whose f64 kernels and arena hold the vectors of gd/cg/lbfgs when n >= 256, and factor Newton's H */
  core?: Core;
  /**
   * 'proximal-gradient' | 'fista': the non-smooth part g as proximal steps (`prox.l1(λ)`,
   * `prox.groupLasso(λ, …)`, …, one or a list, each optionally `.on(regions)` of x); run in
   * f64 on the host, in order, after each gradient step with step size 1/L.
   */
  prox?: StructureStep | readonly StructureStep[];
  /** 'projected-gradient' (and the other two): constraints as projections (`project.simplex()`, …), after the prox. */
  project?: StructureStep | readonly StructureStep[];
  /** proximal methods: the first Lipschitz estimate L₀ of ∇f (default: from one gradient difference at x0) */
  lipschitz?: number;
}

/** scipy's OptimizeResult. status: 0 converged, 1 maxIter, 2 line search/precision loss, 3 non-finite, 4 maxEval, 99 stopped. */
export interface MinimizeResult {
  x: Float64Array;
  fun: number;
  jac?: Float64Array;
  nit: number;
  nfev: number;
  njev: number;
  nhev: number;
  success: boolean;
  status: number;
  message: string;
  history?: Iterate[];
}

export const MESSAGES: Record<number, string> = {
  0: 'Optimization terminated successfully.',
  1: 'Maximum number of iterations has been exceeded.',
  2: 'Desired error not necessarily achieved due to precision loss (the line search found no acceptable step).',
  3: 'NaN or infinite value encountered.',
  4: 'Maximum number of function evaluations has been exceeded.',
  99: 'Stopped by the callback or the abort signal.',
};

/** Why a run ended; the methods return one with the final point. */
export interface Outcome {
  status: number;
  /** extra words for the message (e.g. the iteration where a NaN appeared) */
  note?: string;
}

const EPS = 2.220446049250313e-16;

/** The counted objective of one minimize() run. */
export class Problem {
  nfev = 0;
  njev = 0;
  nhev = 0;
  nit = 0;
  readonly history: Iterate[] | undefined;
  private readonly fdMode: false | '2-point' | '3-point';
  private readonly xt: Float64Array;
  private readonly g1: Float64Array;

  constructor(
    private readonly fun: Fun,
    readonly n: number,
    readonly options: MinimizeOptions,
    readonly lo: Float64Array | undefined,
    readonly hi: Float64Array | undefined,
  ) {
    this.fdMode = options.jac === undefined || options.jac === true ? false : options.jac;
    this.history = options.history ? [] : undefined;
    this.xt = new Float64Array(n);
    this.g1 = new Float64Array(n);
  }

  get maxEval(): number {
    return this.options.maxEval ?? Infinity;
  }

  get outOfBudget(): boolean {
    return this.nfev >= this.maxEval;
  }

  /** f(x); a non-number is a ValueError (NaN and ±Infinity pass: the methods handle them). */
  f(x: Float64Array): number {
    this.nfev++;
    const v = this.fun(x);
    if (typeof v !== 'number') throw new ValueError(`minimize: fun must return a number, got ${v === null ? 'null' : typeof v} at evaluation ${this.nfev}`);
    return v;
  }

  /** f(x) and ∇f(x) into g (the user's gradient, or finite differences). */
  fg(x: Float64Array, g: Float64Array): number {
    if (!this.fdMode) {
      this.nfev++;
      this.njev++;
      const v = this.fun(x, g);
      if (typeof v !== 'number') throw new ValueError(`minimize: fun must return a number, got ${v === null ? 'null' : typeof v} at evaluation ${this.nfev}`);
      return v;
    }
    const v = this.f(x);
    this.njev++;
    this.fdGradient(x, v, g);
    return v;
  }

  /**
   * Finite differences (scipy's approx_derivative steps): 2-point
   * (f(x + h e_i) − f(x)) / h with h = √ε·max(1, |x_i|), flipped to −h at an upper
   * bound; 3-point (f(x + h e_i) − f(x − h e_i)) / 2h with h = ε^(1/3)·max(1, |x_i|),
   * one-sided where a bound is within h.
   */
  private fdGradient(x: Float64Array, fx: number, g: Float64Array): void {
    const xt = this.xt;
    xt.set(x);
    const three = this.fdMode === '3-point';
    for (let i = 0; i < this.n; i++) {
      let h = (three ? Math.cbrt(EPS) : Math.sqrt(EPS)) * Math.max(1, Math.abs(x[i]));
      const up = this.hi ? this.hi[i] : Infinity, down = this.lo ? this.lo[i] : -Infinity;
      if (three && x[i] + h <= up && x[i] - h >= down) {
        xt[i] = x[i] + h;
        const fp = this.f(xt);
        xt[i] = x[i] - h;
        const fm = this.f(xt);
        g[i] = (fp - fm) / (2 * h);
      } else {
        if (x[i] + h > up) h = -h;
        xt[i] = x[i] + h;
        g[i] = (this.f(xt) - fx) / h;
      }
      xt[i] = x[i];
    }
  }

  /** out = ∇²f(x)·p: the user's hessp, else their dense hess, else (∇f(x + h·p) − ∇f(x)) / h with g = ∇f(x). */
  hessp(x: Float64Array, g: Float64Array, p: Float64Array, out: Float64Array, H?: Float64Array): void {
    const o = this.options;
    if (o.hessp) {
      this.nhev++;
      o.hessp(x, p, out);
      return;
    }
    if (o.hess && H) {
      const n = this.n;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += H[i * n + j] * p[j];
        out[i] = s;
      }
      return;
    }
    let pn = 0, xn = 0;
    for (let i = 0; i < this.n; i++) {
      pn += p[i] * p[i];
      xn += x[i] * x[i];
    }
    pn = Math.sqrt(pn);
    if (pn === 0) {
      out.fill(0);
      return;
    }
    const h = (Math.sqrt(EPS) * (1 + Math.sqrt(xn))) / pn;
    for (let i = 0; i < this.n; i++) this.xt[i] = x[i] + h * p[i];
    this.fg(this.xt, this.g1);
    for (let i = 0; i < this.n; i++) out[i] = (this.g1[i] - g[i]) / h;
  }

  /** The user's dense Hessian (counted), or columns of finite-difference hessp, symmetrized. */
  hess(x: Float64Array, g: Float64Array, H: Float64Array): void {
    const n = this.n, o = this.options;
    if (o.hess) {
      this.nhev++;
      o.hess(x, H);
      return;
    }
    const e = new Float64Array(n), col = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e.fill(0);
      e[j] = 1;
      this.hessp(x, g, e, col);
      for (let i = 0; i < n; i++) H[i * n + j] = col[i];
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = (H[i * n + j] + H[j * n + i]) / 2;
  }

  /** After an iteration: count it, record it, ask the callback and the signal. True means stop (status 99). */
  iterate(x: Float64Array, fx: number, g?: Float64Array): boolean {
    this.nit++;
    const { callback, signal } = this.options;
    if (this.history || callback) {
      const it: Iterate = { nit: this.nit, x: x.slice(), fun: fx, nfev: this.nfev };
      if (g) it.jac = g.slice();
      this.history?.push(it);
      if (callback && callback({ ...it, x: it.x.slice(), jac: it.jac?.slice() }) === true) return true;
    }
    return signal?.aborted === true;
  }
}

/** ‖v‖_∞ (NaN if any entry is NaN). */
export function normInf(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]);
    if (!(a <= m)) m = a;
  }
  return m;
}

/** True when every entry is finite. */
export function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
