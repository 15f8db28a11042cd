/**
 * torch.optim.LBFGS's strong-Wolfe line search (`_strong_wolfe`, itself a
 * port of Mark Schmidt's minFunc `WolfeLineSearch` through torch7's
 * lswolfe.lua), on the L-BFGS optimizer's f32 buffers. Same rules as
 * Nocedal & Wright Alg. 3.5/3.6 but torch's exact variant, which lbfgs.ts
 * must follow step for step: c1 = 1e-4, c2 = 0.9, at most 25 evaluations,
 *
 * - bracketing from t: stop with a bracket when Armijo fails
 *   (f(t) > f + c1·t·gtd) or, after the second trial, f(t) >= f(t_prev), or the
 *   slope turns non-negative; stop done when |gtd(t)| <= -c2·gtd; else the next
 *   t is the cubic minimizer of (t_prev, t) clamped to [t + 0.01(t - t_prev), 10t];
 * - zoom: cubic interpolation of the bracket ends; a trial within 10% of the
 *   bracket's width from an end twice in a row (or outside it) moves to 10% in;
 *   stop when |bracket|·max|d| < toleranceChange or the strong Wolfe
 *   conditions hold.
 *
 * The result is the bracket's low end: its step, loss and gradient (copied
 * into `g`). Scalars in f64 (torch mixes 0-d f32 tensors and Python floats).
 * Read for the semantics (not copied): torch/optim/lbfgs.py of torch 1.13.
 */
import type { Kernels } from '../runtime/kernels.js';

/** What the search works on (made once per optimizer; the arrays are reused). */
export interface WolfeContext {
  k: Kernels;
  n: number;
  /** direction d and the current gradient g (on return: the gradient at the accepted step) */
  d: number;
  g: number;
  /** scratch vectors for g_prev and the two bracket ends' gradients */
  gPrev: number;
  bg: [number, number];
  /** loss at x0 + t·d (the model's gradient buffer then holds its gradient) */
  evaluate(t: number): number;
  /** the model's gradient buffer */
  grads(): number;
  toleranceChange: number;
  /** bracket ends: steps, losses, slopes */
  bt: Float64Array;
  bf: Float64Array;
  bgtd: Float64Array;
}

export interface WolfeResult {
  t: number;
  loss: number;
  evaluations: number;
}

const C1 = 1e-4, C2 = 0.9, MAX_LS = 25;

/** The minimizer of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to [lo, hi] (default: between x1 and x2). */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, lo?: number, hi?: number): number {
  const xmin = lo ?? Math.min(x1, x2), xmax = hi ?? (x1 <= x2 ? x2 : x1);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, xmin), xmax);
  }
  return (xmin + xmax) / 2;
}

/** torch's `_strong_wolfe` from step t (f, gtd: loss and slope at t = 0; g holds the gradient there). */
export function strongWolfe(c: WolfeContext, t: number, f: number, gtd: number, out: WolfeResult): WolfeResult {
  const { k, n, d, g, gPrev, bg, bt, bf, bgtd } = c;
  const slope = (): number => Math.fround(k.f32_dot(n, c.grads(), d));
  const dNorm = k.f32_amax(n, d);
  k.f32_copy(n, g, gPrev);
  let fNew = c.evaluate(t);
  let evals = 1;
  let gtdNew = slope();
  let tPrev = 0, fPrev = f, gtdPrev = gtd;
  let done = false, lsIter = 0;
  /** bracket = [t_prev, t] with g_prev and the new gradient */
  const bracketPrev = (): void => {
    bt[0] = tPrev; bf[0] = fPrev; bgtd[0] = gtdPrev; k.f32_copy(n, gPrev, bg[0]);
    bt[1] = t; bf[1] = fNew; bgtd[1] = gtdNew; k.f32_copy(n, c.grads(), bg[1]);
  };
  while (lsIter < MAX_LS) {
    if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracketPrev();
      break;
    }
    if (Math.abs(gtdNew) <= -C2 * gtd) {
      // a one-point bracket: both ends the same point
      bt[0] = bt[1] = t; bf[0] = bf[1] = fNew; bgtd[0] = bgtd[1] = gtdNew;
      k.f32_copy(n, c.grads(), bg[0]);
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracketPrev();
      break;
    }
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, t + 0.01 * (t - tPrev), t * 10);
    tPrev = tmp; fPrev = fNew; gtdPrev = gtdNew;
    k.f32_copy(n, c.grads(), gPrev);
    fNew = c.evaluate(t);
    evals++;
    gtdNew = slope();
    lsIter++;
  }
  if (lsIter === MAX_LS) {
    // no bracket in 25 trials: [0, t] (torch leaves the slopes unset; the zoom does not run)
    bt[0] = 0; bf[0] = f; k.f32_copy(n, g, bg[0]);
    bt[1] = t; bf[1] = fNew; k.f32_copy(n, c.grads(), bg[1]);
  }
  let insufficient = false;
  let low = bf[0] <= bf[1] ? 0 : 1, high = 1 - low;
  while (!done && lsIter < MAX_LS) {
    if (Math.abs(bt[1] - bt[0]) * dNorm < c.toleranceChange) break;
    t = cubicInterpolate(bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1]);
    const hi = Math.max(bt[0], bt[1]), lo = Math.min(bt[0], bt[1]);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      // close to an end: the second time in a row (or at/outside an end), move 10% in
      if (insufficient || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufficient = false;
      } else insufficient = true;
    } else insufficient = false;
    fNew = c.evaluate(t);
    evals++;
    gtdNew = slope();
    lsIter++;
    if (fNew > f + C1 * t * gtd || fNew >= bf[low]) {
      bt[high] = t; bf[high] = fNew; bgtd[high] = gtdNew; k.f32_copy(n, c.grads(), bg[high]);
      low = bf[0] <= bf[1] ? 0 : 1;
      high = 1 - low;
    } else {
      if (Math.abs(gtdNew) <= -C2 * gtd) done = true;
      else if (gtdNew * (bt[high] - bt[low]) >= 0) {
        // the old high end becomes the new low end's partner
        bt[high] = bt[low]; bf[high] = bf[low]; bgtd[high] = bgtd[low]; k.f32_copy(n, bg[low], bg[high]);
      }
      bt[low] = t; bf[low] = fNew; bgtd[low] = gtdNew; k.f32_copy(n, c.grads(), bg[low]);
    }
  }
  k.f32_copy(n, bg[low], g);
  out.t = bt[low];
  out.loss = bf[low];
  out.evaluations = evals;
  return out;
}
