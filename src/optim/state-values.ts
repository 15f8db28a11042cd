/**
 * The values an optimizer state may hold, whatever the optimizer: every f32
 * buffer finite (no NaN or ±Infinity), every second-moment buffer
 * (`NON_NEGATIVE_BUFFERS`, inside a `buffers` object) ≥ 0, every step counter
 * a non-negative integer, `skippedSteps` ≤ `stepCount`, every number in
 * `scalars` finite, every `rng` 4 u32 words not all zero. `loadState` (every
 * optimizer) and the checkpoint decoder both check them before writing.
 */
import { describe } from '../runtime/validate.js';

/**
 * State buffers that hold running sums of squares or maxima of magnitudes,
 * so every element must be ≥ 0: `v`, `vmax` (Adam, AMSGrad, NAdam, RAdam),
 * `s` (Adagrad, RMSprop, Adadelta), `acc` (Adadelta), `u` / `r` (Adamax's
 * infinity norm, fused and chain). A negative value there would make the
 * next step take the square root of a negative number.
 */
export const NON_NEGATIVE_BUFFERS: readonly string[] = ['v', 'vmax', 's', 'acc', 'u', 'r'];

/** Keys that count steps: non-negative integers. */
const COUNTS = ['stepCount', 'skippedSteps', 'count'];

/** What is wrong with 4 xoshiro128** words at `path` (4 integers in [0, 2^32), not all zero), or undefined. */
export function wordsProblem(v: unknown, path: string): string | undefined {
  const a = v as ArrayLike<unknown> | null;
  const ok = a !== null && typeof a === 'object' && a.length === 4 && Array.from(a).every((w) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < 4294967296);
  if (!ok) return `${path} must be 4 u32 words, got ${describe(v)}`;
  const w = a as ArrayLike<number>;
  if ((w[0] | w[1] | w[2] | w[3]) === 0) return `${path} is the all-zero state, which xoshiro128** never leaves`;
  return undefined;
}

/** The first bad value of an optimizer state (a message naming its path under `root`), or undefined. */
export function stateValueProblem(state: unknown, root = 'optimizer'): string | undefined {
  const p = walk(state, root, '');
  if (p) return p;
  const s = state as { stepCount?: unknown; skippedSteps?: unknown } | null;
  if (s && typeof s === 'object' && typeof s.stepCount === 'number' && typeof s.skippedSteps === 'number' && s.skippedSteps > s.stepCount) {
    return `${root}.skippedSteps (${s.skippedSteps}) exceeds ${root}.stepCount (${s.stepCount})`;
  }
  return undefined;
}

function walk(v: unknown, path: string, key: string): string | undefined {
  if (v instanceof Float32Array || v instanceof Float64Array) {
    const nonNeg = NON_NEGATIVE_BUFFERS.includes(key) && /\.buffers\.[a-z]+$/.test(path);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) return `${path}[${i}] is ${x}; optimizer state must be finite`;
      if (nonNeg && x < 0) return `${path}[${i}] is ${x}; a second-moment buffer must be ≥ 0`;
    }
    return undefined;
  }
  if (typeof v === 'number') {
    if (COUNTS.includes(key) && !(Number.isInteger(v) && v >= 0)) return `${path} is ${v}; a step count must be a non-negative integer`;
    if (/\.scalars\.[^.]+$/.test(path) && !Number.isFinite(v)) return `${path} is ${v}; must be finite`;
    return undefined;
  }
  if (Array.isArray(v)) {
    if (key === 'rng') return wordsProblem(v, path);
    for (let i = 0; i < v.length; i++) {
      const p = walk(v[i], `${path}[${i}]`, '');
      if (p) return p;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    for (const [k, x] of Object.entries(v)) {
      const p = walk(x, `${path}.${k}`, k);
      if (p) return p;
    }
  }
  return undefined;
}
