/**
 * The non-finite guard as a transform (the optimizer's own `guard` option
 * does the same on the gradient, before the step): one `f32_find_nonfinite`
 * pass, and `f32_zero_nonfinite` in mode 'zero'.
 */
import { ValueError } from '../errors.js';
import { checkOneOf } from '../runtime/validate.js';
import { type GradientTransformation, type TransformInstance, transform } from './transform.js';

/** Guard statistics of a `guardFinite` instance. */
export interface GuardReport {
  /** steps skipped (mode 'skip') or steps in which values were zeroed (mode 'zero') */
  skips: number;
  /** element index (within u) of the first non-finite value seen last time, or -1 */
  lastIndex: number;
}

/**
 * Non-finite guard. 'skip': if u has a NaN or Inf, the step is not applied (place the guard
 * first in the chain: then no state changes either) and the skip is counted; 'zero': the
 * non-finite values are replaced by 0 and the step goes on. `report()` gives the count and
 * the index of the first non-finite value.
 */
export function guardFinite(options: { mode?: 'skip' | 'zero' } = {}): GradientTransformation & { report(inst: TransformInstance): GuardReport } {
  if (options === null || typeof options !== 'object') throw new ValueError('guardFinite: options must be an object');
  const mode = checkOneOf('guardFinite', 'mode', options.mode ?? 'skip', ['skip', 'zero'] as const);
  const t = transform(
    'guardFinite',
    {},
    (s, u) => {
      const k = s.engine.kernels;
      const i = k.f32_find_nonfinite(s.n, u);
      s.scalars.lastIndex = i;
      if (i < 0) {
        s.count++;
        return true;
      }
      s.scalars.skips++;
      if (mode === 'skip') return false;
      k.f32_zero_nonfinite(s.n, u);
      s.count++;
      return true;
    },
    { scalars: { skips: 0, lastIndex: -1 } },
  );
  return {
    ...t,
    report(inst: TransformInstance): GuardReport {
      const st = inst.state();
      return { skips: st.scalars.skips, lastIndex: st.scalars.lastIndex };
    },
  };
}
