/**
 * A model's spec list: checked (every entry a spec, widths chain), bound to
 * the model's flat parameter and gradient buffers in PyTorch order (each
 * Linear with bias that a ReLU follows fused into one `LinearReluLayer`),
 * initialized, and named as torch names the state_dict.
 */
import { ShapeError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { resolveInit, type InitTarget } from '../init/index.js';
import type { Core } from '../runtime/core.js';
import type { ParameterRange } from '../runtime/params.js';
import { LinearReluLayer } from './fused.js';
import { ActivationLayer, DropoutLayer, layers, LinearLayer, type BoundLayer, type LayerContext, type LayerSpec, type LinearSpec } from './layers.js';

/** The sizes a spec list gives a model. */
export interface SpecSizes {
  inputSize: number;
  outputSize: number;
  numParameters: number;
  /** the input width, then each linear layer's output width (for messages) */
  widths: number[];
}

/**
 * A spec rebuilt by its `layers.*` constructor, so one written by hand is
 * checked as strictly as one made by `engine.nn.layers` (a ValueError naming
 * the layer's index and the field).
 */
function recheck(kind: string, k: number, s: LayerSpec): void {
  try {
    if (s.type === 'linear') layers.linear(s.in, s.out, { bias: s.bias, init: s.init });
    else if (s.type === 'activation') layers.activation(s.name, { slope: s.slope, beta: s.beta, threshold: s.threshold });
    else layers.dropout(s.p);
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(`${kind}: layer ${k}: ${e.message}`);
    throw e;
  }
}

/** Checks `specs` for model `kind` (input width: the first linear's `in`, or `inputSize`). */
export function checkSpecs(kind: string, specs: readonly LayerSpec[], inputSize: number | undefined): SpecSizes {
  if (!Array.isArray(specs) || specs.length === 0) throw new ValueError(`${kind}: specs must be a non-empty array of layers, got ${describe(specs)}`);
  if (inputSize !== undefined && (typeof inputSize !== 'number' || !Number.isInteger(inputSize) || inputSize < 1)) {
    throw new ValueError(`${kind}: inputSize must be a positive integer, got ${describe(inputSize)}`);
  }
  for (let k = 0; k < specs.length; k++) {
    const s = specs[k];
    if (!s || typeof s !== 'object' || !['linear', 'activation', 'dropout'].includes(s.type)) {
      throw new ValueError(`${kind}: layer ${k} is not a layer spec (use engine.nn.layers.*), got ${describe(s)}`);
    }
    recheck(kind, k, s);
  }
  const firstLinear = specs.find((s) => s.type === 'linear');
  let width = inputSize ?? (firstLinear?.type === 'linear' ? firstLinear.in : undefined);
  if (width === undefined) throw new ValueError(`${kind}: cannot infer the input width (no linear layer); pass inputSize`);
  const input = width;
  const widths = [width];
  let nParams = 0;
  for (let k = 0; k < specs.length; k++) {
    const s = specs[k];
    if (s.type === 'linear') {
      if (s.in !== width) {
        throw new ShapeError(`${kind}: layer ${k} (linear) expects ${s.in} inputs but ${widths.length === 1 ? `inputSize is ${width}` : `layer ${k - 1} gives ${width}`}`);
      }
      width = s.out;
      widths.push(width);
      nParams += s.in * s.out + (s.bias ? s.out : 0);
    }
  }
  return { inputSize: input, outputSize: width, numParameters: nParams, widths };
}

/** A model's layers bound to its buffers. */
export interface BoundLayers {
  layers: BoundLayer[];
  /** start[j]: index in the spec list of bound layer j's first spec (names in messages) */
  start: number[];
  /** the linear layers in spec order, with their specs (initialization) */
  linears: { layer: LinearLayer; spec: LinearSpec }[];
}

/**
 * Binds `specs` (checked by `checkSpecs`; `width` is the input's) to the
 * parameter and gradient buffers in PyTorch order, fusing every Linear with
 * bias that a ReLU follows into one `LinearReluLayer`.
 */
export function bindLayers(ctx: LayerContext, specs: readonly LayerSpec[], width: number, params: number, grads: number): BoundLayers {
  const out: BoundLayers = { layers: [], start: [], linears: [] };
  let off = 0;
  for (let k = 0; k < specs.length; k++) {
    const s = specs[k];
    out.start.push(k);
    if (s.type === 'linear') {
      const lin = new LinearLayer(ctx, s, params + off * 4, grads + off * 4);
      off += lin.numParams;
      out.linears.push({ layer: lin, spec: s });
      const next = specs[k + 1];
      if (s.bias && next?.type === 'activation' && next.name === 'relu') {
        out.layers.push(new LinearReluLayer(ctx, lin, new ActivationLayer(ctx, next, lin.outSize)));
        k++;
      } else out.layers.push(lin);
    } else if (s.type === 'activation') out.layers.push(new ActivationLayer(ctx, s, width));
    else out.layers.push(new DropoutLayer(ctx, s.p, width));
    width = out.layers[out.layers.length - 1].outSize;
  }
  return out;
}

/** Fills every linear layer's weight and bias with its spec's initializer, drawing from the model's RNG. */
export function initLinears(engine: Core, kind: string, rngPtr: number, linears: BoundLayers['linears']): void {
  for (const { layer: l, spec: s } of linears) {
    const init = resolveInit(kind, s.init);
    const base = { engine, rngPtr, fanIn: l.inSize, fanOut: l.outSize };
    init.weight.fill({ ...base, ptr: l.w, shape: [l.outSize, l.inSize] } satisfies InitTarget);
    if (l.bias) init.bias.fill({ ...base, ptr: l.b, shape: [l.outSize] } satisfies InitTarget);
  }
}

/** Named ranges of the flat parameter buffer, as torch `nn.Sequential(...).state_dict()` names them (`k.weight`, `k.bias`). */
export function parameterRanges(specs: readonly LayerSpec[]): ParameterRange[] {
  const out: ParameterRange[] = [];
  let off = 0;
  specs.forEach((s, k) => {
    if (s.type !== 'linear') return;
    out.push({ name: `${k}.weight`, offset: off, shape: [s.out, s.in] });
    off += s.out * s.in;
    if (s.bias) {
      out.push({ name: `${k}.bias`, offset: off, shape: [s.out] });
      off += s.out;
    }
  });
  return out;
}
