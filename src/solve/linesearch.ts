// Line searches on φ(t) = f(x + t·d) for any descent direction d, given φ(0) and
// φ'(0) = ∇f(x)ᵀd < 0 (Nocedal & Wright, Numerical Optimization, 2nd ed., ch. 3).
//
// - backtracking: Armijo sufficient decrease φ(t) <= φ(0) + c1·t·φ'(0), t ← shrink·t
//   (Alg. 3.1; the same loop `schedules.armijo` uses, defined once here).
// - strongWolfe: sufficient decrease and the strong curvature condition
//   |φ'(t)| <= c2·|φ'(0)|, by bracketing (Alg. 3.5) and zoom (Alg. 3.6) with the
//   safeguarded cubic interpolation of eq. 3.59. Read for comparison: scipy's
//   `scalar_search_wolfe2` and torch's `_strong_wolfe` (not copied).
import { ValueError } from '../errors.js';

/** φ at step t: the value f(x + t·d) and the slope ∇f(x + t·d)ᵀd. */
export interface PhiValue {
  value: number;
  slope: number;
}

export interface LineSearchResult {
  /** the accepted step (0 when none was found: then `success` is false) */
  step: number;
  /** φ(step) */
  value: number;
  /** φ'(step) (NaN when only values were evaluated: backtracking) */
  slope: number;
  /** calls of φ made */
  evaluations: number;
  /** true when the step satisfies the search's conditions */
  success: boolean;
}

export interface SearchStart {
  /** φ(0); evaluated when omitted */
  value?: number;
  /** φ'(0) < 0; evaluated when omitted */
  slope?: number;
  /** first step tried (default 1) */
  initial?: number;
}

/** A line search: `search(phi, start?)`. */
export interface LineSearch {
  readonly name: 'backtracking' | 'strongWolfe';
  search(phi: (t: number) => PhiValue | number, start?: SearchStart): LineSearchResult;
}

function check(op: string, name: string, v: number, lo: number, hi: number): number {
  if (typeof v !== 'number' || !(v > lo && v < hi)) throw new ValueError(`${op}: ${name} must be a number in (${lo}, ${hi}), got ${String(v)}`);
  return v;
}

function checkStart(op: string, f0: number, slope: number): void {
  if (!Number.isFinite(f0)) throw new ValueError(`${op}: φ(0) = f(θ) must be finite, got ${f0}`);
  if (!Number.isFinite(slope) || slope > 0) {
    throw new ValueError(`${op}: the direction must be a descent direction: ∇f(θ)ᵀd must be finite and <= 0, got ${slope}`);
  }
}

/**
 * The Armijo backtracking loop: tries t = initial, shrink·initial, … until
 * φ(t) <= f0 + c1·t·slope, at most `maxTries` times. A zero slope returns step 0
 * with no evaluation; a positive or non-finite slope is a ValueError.
 */
export function backtrack(
  phi: (t: number) => number, f0: number, slope: number, c1: number, shrink: number, maxTries: number, initial: number, op = 'backtracking',
): LineSearchResult {
  checkStart(op, f0, slope);
  if (slope === 0) return { step: 0, value: f0, slope: 0, evaluations: 0, success: true };
  let t = initial;
  for (let k = 1; k <= maxTries; k++) {
    const f = phi(t);
    if (f <= f0 + c1 * t * slope) return { step: t, value: f, slope: NaN, evaluations: k, success: true };
    t *= shrink;
  }
  return { step: 0, value: f0, slope, evaluations: maxTries, success: false };
}

const valueOf = (r: PhiValue | number): number => (typeof r === 'number' ? r : r.value);

function slopeOf(op: string, r: PhiValue | number): PhiValue {
  if (typeof r === 'number' || typeof r?.slope !== 'number') throw new ValueError(`${op}: phi(t) must return { value, slope }, got ${typeof r === 'number' ? 'a number' : String(r)}`);
  return r;
}

export interface BacktrackingOptions {
  /** sufficient-decrease constant in (0, 1) (default 1e-4) */
  c1?: number;
  /** step multiplier after a rejection, in (0, 1) (default 0.5) */
  shrink?: number;
  /** evaluations before giving up (default 40) */
  maxTries?: number;
}

/** Backtracking (Armijo) line search; `phi(t)` may return a number or `{ value, slope }`. */
export function backtracking(options: BacktrackingOptions = {}): LineSearch {
  const op = 'lineSearch.backtracking';
  const c1 = check(op, 'c1', options.c1 ?? 1e-4, 0, 1);
  const shrink = check(op, 'shrink', options.shrink ?? 0.5, 0, 1);
  const maxTries = options.maxTries ?? 40;
  if (!Number.isInteger(maxTries) || maxTries < 1) throw new ValueError(`${op}: maxTries must be an integer >= 1, got ${maxTries}`);
  return {
    name: 'backtracking',
    search(phi, start = {}) {
      let f0 = start.value, s0 = start.slope, extra = 0;
      if (f0 === undefined || s0 === undefined) {
        const r = slopeOf(op, phi(0));
        f0 ??= r.value;
        s0 ??= r.slope;
        extra = 1;
      }
      const r = backtrack((t) => valueOf(phi(t)), f0, s0, c1, shrink, maxTries, start.initial ?? 1, op);
      return { ...r, evaluations: r.evaluations + extra };
    },
  };
}

export interface StrongWolfeOptions {
  /** sufficient decrease, 0 < c1 < c2 (default 1e-4) */
  c1?: number;
  /** curvature, c1 < c2 < 1 (default 0.9; 0.1-0.4 suits nonlinear CG) */
  c2?: number;
  /** evaluations of φ at most (default 25) */
  maxIter?: number;
  /** largest step tried (default 1e10) */
  maxStep?: number;
}

/**
 * The minimizer of the cubic through (a, fa, ga) and (b, fb, gb) (N&W eq. 3.59),
 * clamped to [lo, hi]; the midpoint of [lo, hi] when the cubic has no minimizer.
 */
export function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number, lo: number, hi: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const sq = d1 * d1 - ga * gb;
  if (sq >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(sq);
    const t = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2));
    if (Number.isFinite(t)) return Math.min(Math.max(t, lo), hi);
  }
  return (lo + hi) / 2;
}

/** Strong-Wolfe line search (N&W Alg. 3.5 + 3.6); `phi(t)` returns `{ value, slope }`. */
export function strongWolfe(options: StrongWolfeOptions = {}): LineSearch {
  const op = 'lineSearch.strongWolfe';
  const c1 = check(op, 'c1', options.c1 ?? 1e-4, 0, 1);
  const c2 = check(op, 'c2', options.c2 ?? 0.9, c1, 1);
  const maxIter = options.maxIter ?? 25;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ValueError(`${op}: maxIter must be an integer >= 1, got ${maxIter}`);
  const maxStep = options.maxStep ?? 1e10;
  if (!(maxStep > 0)) throw new ValueError(`${op}: maxStep must be > 0, got ${maxStep}`);
  return {
    name: 'strongWolfe',
    search(phi, start = {}) {
      let evals = 0;
      const call = (t: number): PhiValue => {
        evals++;
        const r = slopeOf(op, phi(t));
        return { value: r.value, slope: r.slope };
      };
      let f0 = start.value, g0 = start.slope;
      if (f0 === undefined || g0 === undefined) {
        const r = call(0);
        f0 ??= r.value;
        g0 ??= r.slope;
      }
      checkStart(op, f0, g0);
      if (g0 === 0) return { step: 0, value: f0, slope: 0, evaluations: evals, success: true };
      const armijo = (t: number, f: number) => f <= f0 + c1 * t * g0;
      const curvature = (g: number) => Math.abs(g) <= -c2 * g0;
      const done = (t: number, r: PhiValue): LineSearchResult => ({ step: t, value: r.value, slope: r.slope, evaluations: evals, success: true });
      // bracketing phase (Alg. 3.5)
      let tPrev = 0, fPrev = f0, gPrev = g0;
      let t = Math.min(start.initial ?? 1, maxStep);
      let lo = 0, flo = f0, glo = g0, hi = NaN, fhi = NaN, ghi = NaN;
      let bracketed = false;
      while (evals < maxIter) {
        const r = call(t);
        if (!Number.isFinite(r.value) || !armijo(t, r.value) || (tPrev > 0 && r.value >= fPrev)) {
          [lo, flo, glo, hi, fhi, ghi] = [tPrev, fPrev, gPrev, t, r.value, r.slope];
          bracketed = true;
          break;
        }
        if (curvature(r.slope)) return done(t, r);
        if (r.slope >= 0) {
          [lo, flo, glo, hi, fhi, ghi] = [t, r.value, r.slope, tPrev, fPrev, gPrev];
          bracketed = true;
          break;
        }
        if (t >= maxStep) {
          lo = t; flo = r.value; glo = r.slope;
          break;
        }
        // extrapolate: the cubic's minimizer, kept within [t + 0.01(t - tPrev), 10t]
        const next = Math.min(cubicMin(tPrev, fPrev, gPrev, t, r.value, r.slope, t + 0.01 * (t - tPrev), 10 * t), maxStep);
        [tPrev, fPrev, gPrev, t] = [t, r.value, r.slope, next];
        lo = tPrev; flo = fPrev; glo = gPrev;
      }
      // zoom phase (Alg. 3.6): lo satisfies sufficient decrease and has the lowest value seen
      while (bracketed && evals < maxIter) {
        const a = Math.min(lo, hi), b = Math.max(lo, hi), width = b - a;
        if (width <= 1e-12 * b) break;
        // interpolate with finite data only, keeping away from the ends (else bisect)
        const tj = Number.isFinite(fhi) && Number.isFinite(ghi)
          ? cubicMin(lo, flo, glo, hi, fhi, ghi, a + 0.1 * width, b - 0.1 * width)
          : (a + b) / 2;
        const r = call(tj);
        if (!Number.isFinite(r.value) || !armijo(tj, r.value) || r.value >= flo) {
          [hi, fhi, ghi] = [tj, r.value, r.slope];
        } else {
          if (curvature(r.slope)) return done(tj, r);
          if (r.slope * (hi - lo) >= 0) [hi, fhi, ghi] = [lo, flo, glo];
          [lo, flo, glo] = [tj, r.value, r.slope];
        }
      }
      // no strong-Wolfe point within maxIter: report the best sufficient-decrease step
      return lo > 0
        ? { step: lo, value: flo, slope: glo, evaluations: evals, success: false }
        : { step: 0, value: f0, slope: g0, evaluations: evals, success: false };
    },
  };
}
