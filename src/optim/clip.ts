/**
 * Gradient clipping over a Parameterized's flat gradient buffer, with
 * PyTorch's semantics (torch.nn.utils.clip_grad_norm_ / clip_grad_value_),
 * optionally restricted to spans (e.g. from model.parameterRanges()).
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Parameterized } from '../runtime/params.js';
import { check } from './options.js';

/** A span of the flat buffer, in elements. */
export interface Span {
  offset: number;
  length: number;
}

function spansOf(op: string, model: Parameterized, spans?: readonly Span[]): Span[] {
  const n = model.numParameters;
  if (spans === undefined) return [{ offset: 0, length: n }];
  if (!Array.isArray(spans)) throw new ValueError(`${op}: spans must be an array of {offset, length}`);
  return spans.map((s, i) => {
    if (!s || !Number.isInteger(s.offset) || !Number.isInteger(s.length) || s.offset < 0 || s.length < 0 || s.offset + s.length > n) {
      throw new ShapeError(`${op}: spans[${i}] must lie inside [0, ${n}), got offset ${s?.offset} and length ${s?.length}`);
    }
    return { offset: s.offset, length: s.length };
  });
}

/** The 2-norm of the gradient over the spans (all of it by default), summed in f64 per 256-element block. */
export function gradNorm(model: Parameterized, spans?: readonly Span[]): number {
  const k = model.engine.kernels;
  let s = 0;
  for (const sp of spansOf('gradNorm', model, spans)) s += k.f32_sumsq(sp.length, model.gradsPtr + sp.offset * 4);
  return Math.sqrt(s);
}

/**
 * torch.nn.utils.clip_grad_norm_(max_norm, norm_type=2): total = ||g|| over all spans;
 * g <- g * min(1, maxNorm / (total + 1e-6)). Returns the total norm before clipping.
 * A non-finite norm scales by NaN as torch does, unless errorIfNonfinite (then throws, changing nothing).
 */
export function clipGradNorm(model: Parameterized, maxNorm: number, options: { spans?: readonly Span[]; errorIfNonfinite?: boolean } = {}): number {
  check.positive('clipGradNorm', 'maxNorm', maxNorm);
  const spans = spansOf('clipGradNorm', model, options.spans);
  const total = gradNorm(model, spans);
  if (options.errorIfNonfinite && !Number.isFinite(total)) throw new ValueError(`clipGradNorm: the gradient norm is ${total}, not finite`);
  const c = Math.min(1, maxNorm / (total + 1e-6));
  const k = model.engine.kernels;
  for (const sp of spans) {
    const p = model.gradsPtr + sp.offset * 4;
    k.f32_tx_axpby(sp.length, p, p, 0, c);
  }
  return total;
}

/** torch.nn.utils.clip_grad_value_(clip_value): g <- clamp(g, -clipValue, clipValue). */
export function clipGradValue(model: Parameterized, clipValue: number, options: { spans?: readonly Span[] } = {}): void {
  check.positive('clipGradValue', 'clipValue', clipValue);
  const k = model.engine.kernels;
  for (const sp of spansOf('clipGradValue', model, options.spans)) k.f32_clip(sp.length, model.gradsPtr + sp.offset * 4, -clipValue, clipValue);
}
