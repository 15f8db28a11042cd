/**
 * Gradient clipping, written once for both forms: over a Parameterized's flat
 * gradient buffer with PyTorch's semantics (torch.nn.utils.clip_grad_norm_ /
 * clip_grad_value_, optionally restricted to spans, e.g. from
 * model.parameterRanges()), and as transforms of an update buffer
 * (clipByGlobalNorm, clipByValue) for chains.
 */
import { ShapeError, ValueError } from '../errors.js';
import { liveParams, type Parameterized } from '../runtime/params.js';
import { checkKnown, checkNumber, checkOptions, describe, POSITIVE } from '../runtime/validate.js';
import { type GradientTransformation, transform } from './transform.js';

/** A span of the flat buffer, in elements. */
export interface Span {
  offset: number;
  length: number;
}

/** PyTorch's clip_grad_norm_ factor: min(1, maxNorm / (norm + 1e-6)) (NaN when the norm is). */
const clipFactor = (norm: number, maxNorm: number): number => Math.min(1, maxNorm / (norm + 1e-6));

function spansOf(op: string, model: Parameterized, spans?: readonly Span[]): Span[] {
  const n = model.numParameters;
  if (spans === undefined) return [{ offset: 0, length: n }];
  if (!Array.isArray(spans)) throw new ValueError(`${op}: spans must be an array of {offset, length}, got ${describe(spans)}`);
  return spans.map((s, i) => {
    if (!s || !Number.isInteger(s.offset) || !Number.isInteger(s.length) || s.offset < 0 || s.length < 0 || s.offset + s.length > n) {
      throw new ShapeError(`${op}: spans[${i}] must lie inside [0, ${n}), got offset ${describe(s?.offset)} and length ${describe(s?.length)}`);
    }
    return { offset: s.offset, length: s.length };
  });
}

function sumsq(model: Parameterized, spans: readonly Span[]): number {
  const k = model.engine.kernels;
  let s = 0;
  for (const sp of spans) s += k.f32_sumsq(sp.length, model.gradsPtr + sp.offset * 4);
  return s;
}

/** The 2-norm of the gradient over the spans (all of it by default), summed in f64 per 256-element block. */
export function gradNorm(model: Parameterized, spans?: readonly Span[]): number {
  liveParams('gradNorm', model);
  return Math.sqrt(sumsq(model, spansOf('gradNorm', model, spans)));
}

/**
 * torch.nn.utils.clip_grad_norm_(max_norm, norm_type=2): total = ||g|| over all spans;
 * g <- g * min(1, maxNorm / (total + 1e-6)). Returns the total norm before clipping.
 * A non-finite norm scales by NaN as torch does, unless errorIfNonfinite (then throws, changing nothing).
 */
export function clipGradNorm(model: Parameterized, maxNorm: number, options: { spans?: readonly Span[]; errorIfNonfinite?: boolean } = {}): number {
  liveParams('clipGradNorm', model);
  checkNumber('clipGradNorm', 'maxNorm', maxNorm, POSITIVE);
  checkKnown('clipGradNorm', checkOptions('clipGradNorm', options), ['spans', 'errorIfNonfinite']);
  const spans = spansOf('clipGradNorm', model, options.spans);
  const total = Math.sqrt(sumsq(model, spans));
  if (options.errorIfNonfinite && !Number.isFinite(total)) throw new ValueError(`clipGradNorm: the gradient norm is ${total}, not finite`);
  const c = clipFactor(total, maxNorm);
  const k = model.engine.kernels;
  for (const sp of spans) {
    const p = model.gradsPtr + sp.offset * 4;
    k.f32_axpby(sp.length, p, p, 0, c);
  }
  return total;
}

/** torch.nn.utils.clip_grad_value_(clip_value): g <- clamp(g, -clipValue, clipValue). */
export function clipGradValue(model: Parameterized, clipValue: number, options: { spans?: readonly Span[] } = {}): void {
  liveParams('clipGradValue', model);
  checkNumber('clipGradValue', 'clipValue', clipValue, POSITIVE);
  checkKnown('clipGradValue', checkOptions('clipGradValue', options), ['spans']);
  const k = model.engine.kernels;
  for (const sp of spansOf('clipGradValue', model, options.spans)) k.f32_clip(sp.length, model.gradsPtr + sp.offset * 4, -clipValue, clipValue);
}

/**
 * Clip by global norm, PyTorch's clip_grad_norm_ convention: u <- u * min(1, maxNorm / (||u|| + 1e-6)).
 * (Optax's clip_by_global_norm scales by maxNorm/||u|| only when ||u|| > maxNorm.)
 * The norm is over this transform's n floats (one parameter group).
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation {
  checkNumber('clipByGlobalNorm', 'maxNorm', maxNorm, POSITIVE);
  return transform('clipByGlobalNorm', {}, (s, u) => {
    const k = s.engine.kernels;
    k.f32_axpby(s.n, u, u, 0, clipFactor(Math.sqrt(k.f32_sumsq(s.n, u)), maxNorm));
    s.count++;
    return true;
  });
}

/** Clip by value (PyTorch clip_grad_value_, Optax clip): u <- clamp(u, -maxDelta, maxDelta). */
export function clipByValue(maxDelta: number): GradientTransformation {
  checkNumber('clipByValue', 'maxDelta', maxDelta, POSITIVE);
  return transform('clipByValue', {}, (s, u) => {
    s.engine.kernels.f32_clip(s.n, u, -maxDelta, maxDelta);
    s.count++;
    return true;
  });
}
