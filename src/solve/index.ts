// src/solve: minimize(), line searches, linear CG, dense f64 linear algebra and
// the built-in objectives. Imports only runtime/ and errors.
import type { Core } from '../runtime/core.js';
import { cg } from './cg.js';
import { cholesky, choleskySolve, eigh, solveTriangular } from './linalg.js';
import { backtracking, strongWolfe } from './linesearch.js';
import { minimize } from './minimize.js';
import { beale, booth, deepLinear, doubleWell, logisticRegression, poissonGlm, quadratic, rosenbrock, saddle } from './objectives.js';
import type { Fun, MinimizeOptions, MinimizeResult } from './problem.js';

export { minimize, CORE_MIN_N } from './minimize.js';
export { cg, type CgOptions, type CgResult, type MatVec } from './cg.js';
export type { CholeskyOptions, CholeskyResult, EighResult } from './linalg.js';
export type { Fun, Iterate, Method, MinimizeOptions, MinimizeResult } from './problem.js';
export type { LineSearch, LineSearchResult, PhiValue, SearchStart, BacktrackingOptions, StrongWolfeOptions } from './linesearch.js';
export type { Objective } from './objectives.js';
export type { GlmOptions } from './glm.js';
export { twoLoop, hostSpace, coreSpace, type VecOps, type Space } from './space.js';

/** Line searches: `lineSearch.backtracking({ c1, shrink })`, `lineSearch.strongWolfe({ c1, c2, maxIter })`. */
export const lineSearch = Object.freeze({ backtracking, strongWolfe });

/** Built-in test problems with gradient, Hessian, hvp, start point and known minimum. */
export const objectives = Object.freeze({ quadratic, rosenbrock, beale, booth, doubleWell, saddle, logisticRegression, poissonGlm, deepLinear });

/** `engine.objectives`: the built-ins, with the GLMs' X kept in this engine's memory and evaluated by its kernels (dispose them). */
export type EngineObjectives = typeof objectives;

/** The `engine.objectives` namespace bound to one core: `logisticRegression(X, y, l2)` and `poissonGlm` get `{ core }`. */
export function createObjectives(core: Core): EngineObjectives {
  return Object.freeze({
    ...objectives,
    logisticRegression: (X: ArrayLike<number>, y: ArrayLike<number>, l2?: number, o?: import('./glm.js').GlmOptions) => logisticRegression(X, y, l2, { core, ...o }),
    poissonGlm: (X: ArrayLike<number>, y: ArrayLike<number>, l2?: number, o?: import('./glm.js').GlmOptions) => poissonGlm(X, y, l2, { core, ...o }),
  });
}

/** `engine.linalg`: the core's dense f64 linear algebra on host Float64Arrays, and linear CG. */
export interface Linalg {
  cholesky(A: ArrayLike<number>, options?: import('./linalg.js').CholeskyOptions): import('./linalg.js').CholeskyResult;
  choleskySolve(L: ArrayLike<number>, b: ArrayLike<number>, out?: Float64Array): Float64Array;
  solveTriangular(L: ArrayLike<number>, b: ArrayLike<number>, options?: { transpose?: boolean }): Float64Array;
  eigh(A: ArrayLike<number>, options?: { tol?: number; maxSweeps?: number }): import('./linalg.js').EighResult;
  cg: typeof cg;
}

/** The `engine.linalg` namespace bound to one core. */
export function createLinalg(core: Core): Linalg {
  return Object.freeze({
    cholesky: (A, o) => cholesky(core, A, o),
    choleskySolve: (L, b, out) => choleskySolve(core, L, b, out),
    solveTriangular: (L, b, o) => solveTriangular(core, L, b, o),
    eigh: (A, o) => eigh(core, A, o),
    cg,
  } satisfies Linalg);
}

/** `engine.minimize`: minimize() with this core for its vectors and factorizations. */
export function bindMinimize(core: Core): (fun: Fun, x0: ArrayLike<number>, options?: MinimizeOptions) => MinimizeResult {
  // a non-object reaches minimize() as given, so it is refused there (spreading null would hide it)
  return (fun, x0, options = {}) => minimize(fun, x0, options === null || typeof options !== 'object' || Array.isArray(options) ? options : { core, ...options });
}
