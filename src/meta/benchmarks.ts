/**
 * Synthetic benchmarks for hyperparameter search (Dixon & Szegő 1978; the
 * definitions of Surjanovic & Bingham's Virtual Library of Simulation
 * Experiments), with a noisy variant whose noise shrinks with the budget,
 * like a validation loss measured after more epochs.
 */
import { Random } from '../data/random.js';
import { space, type Config, type Space } from './space.js';
import type { TrialContext } from './trials.js';

/** Branin-Hoo on x1 ∈ [-5, 10], x2 ∈ [0, 15]: a(x2 - b x1² + c x1 - r)² + s(1 - t) cos x1 + s. */
export function branin(x1: number, x2: number): number {
  const a = 1, b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, r = 6, s = 10, t = 1 / (8 * Math.PI);
  return a * (x2 - b * x1 * x1 + c * x1 - r) ** 2 + s * (1 - t) * Math.cos(x1) + s;
}
/** Global minimum of Branin (at (-π, 12.275), (π, 2.275), (9.42478, 2.475)). */
export const BRANIN_MIN = 0.39788735772973816;

const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];
const H_ALPHA = [1, 1.2, 3, 3.2];

/** Hartmann-6 on [0, 1]^6: -Σ_i α_i exp(-Σ_j A_ij (x_j - P_ij)²), P = 1e-4 × the table. */
export function hartmann6(x: ArrayLike<number>): number {
  let f = 0;
  for (let i = 0; i < 4; i++) {
    let e = 0;
    for (let j = 0; j < 6; j++) e += H_A[i][j] * (x[j] - H_P[i][j] * 1e-4) ** 2;
    f -= H_ALPHA[i] * Math.exp(-e);
  }
  return f;
}
/** Global minimum of Hartmann-6 (at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573)). */
export const HARTMANN6_MIN = -3.3223680114155147;

/** A benchmark problem: its space, its exact loss and its minimum. */
export interface Benchmark {
  name: string;
  space: Space;
  f(config: Config): number;
  min: number;
}

export const BENCHMARKS: readonly Benchmark[] = [
  { name: 'branin', space: { x1: space.uniform(-5, 10), x2: space.uniform(0, 15) }, f: (c) => branin(c.x1 as number, c.x2 as number), min: BRANIN_MIN },
  {
    name: 'hartmann6',
    space: Object.fromEntries(Array.from({ length: 6 }, (_, j) => [`x${j + 1}`, space.uniform(0, 1)])),
    f: (c) => hartmann6(Array.from({ length: 6 }, (_, j) => c[`x${j + 1}`] as number)),
    min: HARTMANN6_MIN,
  },
];

/**
 * The noisy objective of a benchmark: f(config) + sd / √budget · z, z ~ N(0, 1)
 * drawn from the trial's seed (so a trial is reproducible).
 */
export function noisy(b: Benchmark, sd: number): (config: Config, ctx: TrialContext) => number {
  return (config, { budget, seed }) => b.f(config) + (sd / Math.sqrt(budget)) * new Random(seed).normal();
}
