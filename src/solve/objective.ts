// The shape of a built-in objective (objectives.ts, glm.ts): one type, imported by both.
import type { Fun } from './problem.js';

export interface Objective {
  readonly name: string;
  readonly n: number;
  /** f(x); writes ∇f(x) into grad when given */
  readonly fun: Fun;
  /** writes ∇²f(x) row-major into H (n·n) */
  readonly hess: (x: Float64Array, H: Float64Array) => void;
  /** writes ∇²f(x)·p into out */
  readonly hessp: (x: Float64Array, p: Float64Array, out: Float64Array) => void;
  /** the standard start point (a fresh copy each read) */
  readonly x0: Float64Array;
  /** a minimizer (null when not known in closed form or when f is unbounded below) */
  readonly xmin: Float64Array | null;
  /** the minimum value (-Infinity when unbounded below; NaN when not known in closed form) */
  readonly fmin: number;
  /** frees the engine memory the objective holds (a GLM made with `{ core }`); a no-op for the others. Idempotent. */
  dispose(): void;
}
