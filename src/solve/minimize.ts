// minimize(fun, x0, options): scipy.optimize.minimize for JavaScript.
//
// Checks every input once (typed errors naming the argument, expected and actual
// value), evaluates the start point (a non-finite f or ∇f there is a ValueError),
// runs the method and returns scipy's OptimizeResult names. A non-finite value
// during the run ends it with success false and a message naming the iteration.
// With `options.core`, gd/cg/lbfgs keep their vectors in the core's arena (f64
// kernels, SIMD) when n >= 256, and 'newton' factors H there; every block is freed
// before minimize returns or throws, so the arena is left as it was.
// Bounds: 'lbfgsb', 'nelder-mead' (which clips its vertices) and the proximal methods
// (as a project.box step) take them; an x0 outside the box is clipped into it and the
// message says so, as scipy does. 'proximal-gradient', 'fista' and 'projected-gradient'
// (src/solve/proximal.ts) minimize f + g with g given by `prox` / `project` steps, on the host.
import { ShapeError, ValueError } from '../errors.js';
import { checkKnown, describe } from '../runtime/validate.js';
import { descent } from './descent.js';
import { lbfgsb } from './lbfgsb.js';
import { nelderMead } from './neldermead.js';
import { secondOrder } from './newton.js';
import { proximal } from './proximal.js';
import { F64Plan } from '../structure/common.js';
import { stepList } from '../structure/hook.js';
import { project } from '../structure/project.js';
import { allFinite, MESSAGES, METHODS, PROXIMAL_METHODS, Problem, type Fun, type MinimizeOptions, type MinimizeResult, type Outcome } from './problem.js';
import { coreSpace, hostSpace, type Space } from './space.js';

export type { Fun, Iterate, Method, MinimizeOptions, MinimizeResult } from './problem.js';

/** n at and above which gd/cg/lbfgs run their vector ops in the core (when one is given). */
export const CORE_MIN_N = 256;

const OP = 'minimize';

function positive(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw new ValueError(`${OP}: ${name} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

function count(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(Number.isInteger(v) || v === Infinity) || v < 0) throw new ValueError(`${OP}: ${name} must be an integer >= 0, got ${String(v)}`);
  return v;
}

function parseBounds(b: MinimizeOptions['bounds'], n: number): [Float64Array, Float64Array] {
  if (!Array.isArray(b)) throw new ValueError(`${OP}: bounds must be [lo, hi] or an array of n [lo, hi] pairs, got ${typeof b}`);
  const single = b.length === 2 && typeof b[0] === 'number';
  if (!single && b.length !== n) throw new ShapeError(`${OP}: bounds has ${b.length} pairs, x0 has length ${n}`);
  const lo = new Float64Array(n), hi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pair = (single ? b : b[i]) as readonly [number, number];
    if (!Array.isArray(pair) || pair.length !== 2) throw new ValueError(`${OP}: bounds[${i}] must be a [lo, hi] pair, got ${String(pair)}`);
    const [l, h] = [pair[0] ?? -Infinity, pair[1] ?? Infinity];
    if (typeof l !== 'number' || typeof h !== 'number' || Number.isNaN(l) || Number.isNaN(h)) throw new ValueError(`${OP}: bounds[${i}] must hold numbers, got [${l}, ${h}]`);
    if (l > h) throw new ValueError(`${OP}: bounds[${i}] has lo ${l} > hi ${h}`);
    [lo[i], hi[i]] = [l, h];
  }
  return [lo, hi];
}

/** Minimizes fun from x0; see MinimizeOptions for the methods and options, MinimizeResult for the result. */
/** The options minimize() knows (MinimizeOptions): any other key is a typo, refused as the optimizers refuse one. */
const OPTION_KEYS: readonly string[] = [
  'method', 'hess', 'hessp', 'bounds', 'jac', 'tol', 'gtol', 'xtol', 'ftol', 'maxIter', 'maxEval', 'callback', 'signal', 'history',
  'm', 'beta', 'lineSearch', 'initialRadius', 'maxRadius', 'adaptive', 'damping', 'core', 'prox', 'project', 'lipschitz',
];

export function minimize(fun: Fun, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  if (typeof fun !== 'function') throw new ValueError(`${OP}: fun must be a function (x, grad?) => number, got ${typeof fun}`);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`${OP}: options must be an object, got ${describe(options)}`);
  checkKnown(OP, options, OPTION_KEYS);
  if (!x0 || typeof x0.length !== 'number' || x0.length < 1) throw new ShapeError(`${OP}: x0 must be an array of at least 1 number, got ${x0 && typeof x0 === 'object' ? `length ${x0.length}` : typeof x0}`);
  const n = x0.length;
  for (let i = 0; i < n; i++) if (typeof x0[i] !== 'number' || !Number.isFinite(x0[i])) throw new ValueError(`${OP}: x0[${i}] must be finite, got ${describe(x0[i])}`);
  const x = Float64Array.from(x0);
  const o = options;
  const method = o.method ?? (o.bounds !== undefined ? 'lbfgsb' : 'bfgs');
  if (!METHODS.includes(method)) throw new ValueError(`${OP}: method must be one of ${METHODS.map((m) => `'${m}'`).join(', ')}, got ${String(method)}`);
  if (o.jac !== undefined && o.jac !== true && o.jac !== '2-point' && o.jac !== '3-point') throw new ValueError(`${OP}: jac must be true, '2-point' or '3-point', got ${String(o.jac)}`);
  for (const name of ['hess', 'hessp', 'callback'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') throw new ValueError(`${OP}: ${name} must be a function, got ${typeof o[name]}`);
  }
  for (const name of ['history', 'adaptive', 'damping'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') throw new ValueError(`${OP}: ${name} must be true or false, got ${describe(o[name])}`);
  }
  if (o.signal !== undefined && typeof o.signal?.aborted !== 'boolean') throw new ValueError(`${OP}: signal must be an AbortSignal`);
  if (method === 'newton' && o.core === undefined) throw new ValueError(`${OP}: method 'newton' factors H in the core: pass options.core (an engine), or use engine.minimize`);
  const tol = o.tol === undefined ? undefined : positive('tol', o.tol, 0);
  const gtol = positive('gtol', o.gtol, tol ?? (method === 'trust-ncg' ? 1e-4 : 1e-5));
  const xtol = positive('xtol', o.xtol, tol ?? (method === 'nelder-mead' ? 1e-4 : 1e-5));
  const ftol = positive('ftol', o.ftol, tol ?? (method === 'nelder-mead' ? 1e-4 : 2.220446049250313e-9));
  const lbfgsLike = method === 'lbfgs' || method === 'lbfgsb';
  const proximalMethod = PROXIMAL_METHODS.includes(method);
  const maxIter = count('maxIter', o.maxIter, lbfgsLike ? 15000 : method === 'gd' || proximalMethod ? Math.max(1000, 200 * n) : 200 * n);
  const maxEval = count('maxEval', o.maxEval, lbfgsLike ? 15000 : method === 'nelder-mead' ? 200 * n : Infinity);
  const m = count('m', o.m, 10);
  if (m < 1) throw new ValueError(`${OP}: m (the L-BFGS history size) must be >= 1, got ${m}`);
  if (o.beta !== undefined && o.beta !== 'pr+' && o.beta !== 'fr') throw new ValueError(`${OP}: beta must be 'pr+' or 'fr', got ${String(o.beta)}`);
  if (o.lineSearch !== undefined && o.lineSearch !== 'backtracking' && o.lineSearch !== 'strongWolfe') throw new ValueError(`${OP}: lineSearch must be 'backtracking' or 'strongWolfe', got ${String(o.lineSearch)}`);
  const initialRadius = positive('initialRadius', o.initialRadius, 1), maxRadius = positive('maxRadius', o.maxRadius, 1000);
  if (!(initialRadius > 0) || initialRadius > maxRadius) throw new ValueError(`${OP}: initialRadius must be in (0, maxRadius = ${maxRadius}], got ${initialRadius}`);
  const steps = proximalSteps(method, o);
  let lo: Float64Array | undefined, hi: Float64Array | undefined, clipped: number[] = [];
  if (o.bounds !== undefined) {
    if (method !== 'lbfgsb' && method !== 'nelder-mead' && !proximalMethod) {
      throw new ValueError(`${OP}: method '${method}' does not take bounds; use 'lbfgsb', 'nelder-mead' or 'projected-gradient'`);
    }
    [lo, hi] = parseBounds(o.bounds, n);
    for (let i = 0; i < n; i++) {
      const c = Math.min(hi[i], Math.max(lo[i], x[i]));
      if (c !== x[i]) clipped.push(i);
      x[i] = c;
    }
  } else if (method === 'lbfgsb') {
    [lo, hi] = [new Float64Array(n).fill(-Infinity), new Float64Array(n).fill(Infinity)];
  }
  const P = new Problem(method === 'nelder-mead' && lo ? clipFun(fun, lo, hi!) : fun, n, { ...o, maxEval }, lo, hi);
  // the start point
  const g = new Float64Array(n);
  let f0: number;
  if (method === 'nelder-mead') {
    f0 = P.f(x);
  } else {
    if (o.jac === undefined || o.jac === true) g.fill(NaN);
    f0 = P.fg(x, g);
    if (!Number.isFinite(f0)) throw new ValueError(`${OP}: f(x0) must be finite, got ${f0}`);
    if (!allFinite(g)) {
      const i = g.findIndex((v) => !Number.isFinite(v));
      if ((o.jac === undefined || o.jac === true) && g.every((v) => Number.isNaN(v))) throw new ValueError(`${OP}: fun did not write the gradient into its second argument; write it, or pass jac: '2-point' (finite differences)`);
      throw new ValueError(`${OP}: the gradient at x0 must be finite, got ∇f(x0)[${i}] = ${g[i]}`);
    }
  }
  if (!Number.isFinite(f0)) throw new ValueError(`${OP}: f(x0) must be finite, got ${f0}`);
  let out: Outcome & { fun: number };
  if (proximalMethod) {
    if (lo) steps.push(project.box(lo, hi!));
    const plan = new F64Plan(steps, n, OP);
    out = proximal(P, plan, x, g, f0, { accelerated: method === 'fista', gtol, maxIter, lipschitz: o.lipschitz });
  } else if (method === 'nelder-mead') {
    out = nelderMead(P, x, f0, { xatol: xtol, fatol: ftol, maxIter, adaptive: o.adaptive ?? true });
  } else if (method === 'lbfgsb') {
    out = lbfgsb(P, x, g, f0, { gtol, ftol, maxIter, m });
  } else if (method === 'newton' || method === 'newton-cg' || method === 'trust-ncg') {
    out = secondOrder(P, x, g, f0, { method, gtol, xtol, maxIter, damping: o.damping ?? true, initialRadius, maxRadius, core: o.core });
  } else {
    const onCore = o.core !== undefined && n >= CORE_MIN_N && method !== 'bfgs';
    const S: Space<number> | Space<Float64Array> = onCore ? coreSpace(o.core!, n, 5 + 2 * m) : hostSpace(n);
    try {
      out = descent<number | Float64Array>(P, S as Space<number | Float64Array>, x, g, f0, {
        method: method as 'gd' | 'cg' | 'bfgs' | 'lbfgs', gtol, ftol, maxIter, m, beta: o.beta ?? 'pr+', lineSearch: o.lineSearch ?? (method === 'gd' ? 'backtracking' : 'strongWolfe'),
      });
    } finally {
      S.dispose();
    }
  }
  let message = out.note ? `${MESSAGES[out.status].replace(/\.$/, '')} (${out.note}).` : MESSAGES[out.status];
  if (clipped.length > 0) message += ` x0 was outside the bounds and was clipped into them at coordinate${clipped.length > 1 ? 's' : ''} ${clipped.join(', ')}.`;
  const result: MinimizeResult = {
    x, fun: out.fun, nit: P.nit, nfev: P.nfev, njev: P.njev, nhev: P.nhev, success: out.status === 0, status: out.status, message,
  };
  if (method !== 'nelder-mead') result.jac = g;
  if (P.history) result.history = P.history;
  return result;
}

/** The prox and projection steps of a proximal method (checked); refuses them for the other methods. */
function proximalSteps(method: string, o: MinimizeOptions) {
  const given = o.prox !== undefined || o.project !== undefined;
  if (!PROXIMAL_METHODS.includes(method as never)) {
    if (given) throw new ValueError(`${OP}: method '${method}' takes no prox or project; use 'proximal-gradient', 'fista' or 'projected-gradient'`);
    if (o.lipschitz !== undefined) throw new ValueError(`${OP}: lipschitz is an option of 'proximal-gradient', 'fista' and 'projected-gradient', not of '${method}'`);
    return [];
  }
  if (o.lipschitz !== undefined && (typeof o.lipschitz !== 'number' || !(o.lipschitz > 0) || o.lipschitz === Infinity)) {
    throw new ValueError(`${OP}: lipschitz must be a finite number > 0, got ${String(o.lipschitz)}`);
  }
  if (method === 'projected-gradient') {
    if (o.prox !== undefined) throw new ValueError(`${OP}: method 'projected-gradient' takes project (or bounds), not prox; use 'proximal-gradient' or 'fista' for prox`);
    if (o.project === undefined && o.bounds === undefined) throw new ValueError(`${OP}: method 'projected-gradient' needs project (e.g. project.simplex()) or bounds`);
  }
  return [...stepList(OP, 'prox', 'prox', o.prox), ...stepList(OP, 'project', 'project', o.project)];
}

/** Nelder-Mead with bounds evaluates f at the vertex clipped into the box (scipy clips its simplex). */
function clipFun(fun: Fun, lo: Float64Array, hi: Float64Array): Fun {
  return (y) => {
    for (let i = 0; i < y.length; i++) y[i] = Math.min(hi[i], Math.max(lo[i], y[i]));
    return fun(y);
  };
}
