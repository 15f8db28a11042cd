/**
 * The wire format between federated clients and the aggregator: safetensors
 * bodies (src/checkpoint/safetensors.ts) with wasmgrad's checksum, one F32
 * tensor and string metadata under `federated.*`.
 *
 *   POST /update   tensor "delta" [n]; metadata federated.client, federated.round,
 *                  federated.samples, federated.noise
 *   GET  /params   tensor "params" [n]; metadata federated.round, federated.rule,
 *                  federated.updates (accepted updates of the open round so far)
 *
 * Numbers travel as their shortest round-trip decimal strings (`String(x)`),
 * so a float64 noise estimate arrives with the same bits. Decoding checks the
 * format only (a FormatError for anything that is not such a body); whether
 * the values are acceptable is validate.ts's business.
 */
import { decodeSafetensors, encodeSafetensors } from '../checkpoint/safetensors.js';
import { FormatError } from '../errors.js';
import type { IncomingUpdate } from './validate.js';

export const UPDATE_TENSOR = 'delta';
export const PARAMS_TENSOR = 'params';

/** The global state as the aggregator publishes it. */
export interface GlobalParams {
  round: number;
  params: Float32Array;
  rule: string;
  /** updates accepted so far in the open round */
  updates: number;
}

export function encodeUpdate(u: IncomingUpdate): Uint8Array {
  const meta = {
    'federated.client': u.client,
    'federated.round': String(u.round),
    'federated.samples': String(u.samples),
    'federated.noise': String(u.noise),
  };
  return encodeSafetensors([{ name: UPDATE_TENSOR, shape: [u.delta.length], data: u.delta }], meta, { checksum: true });
}

/** A number from a metadata string: any JS number literal (NaN and Infinity included, for validation to refuse). */
function num(meta: Record<string, string>, key: string, what: string): number {
  const s = meta[key];
  if (typeof s !== 'string' || s.trim() === '') throw new FormatError(`${what}: metadata "${key}" is missing`);
  return Number(s);
}

function single(bytes: Uint8Array, name: string, what: string): { data: Float32Array; meta: Record<string, string> } {
  const file = decodeSafetensors(bytes, what);
  if (file.tensors.length !== 1 || file.tensors[0].name !== name) {
    throw new FormatError(`${what}: expected one tensor "${name}", got ${file.tensors.map((t) => `"${t.name}"`).join(', ') || 'none'}`);
  }
  const t = file.tensors[0];
  if (t.shape.length !== 1) throw new FormatError(`${what}: tensor "${name}" must be 1-D, got shape [${t.shape.join(', ')}]`);
  return { data: t.data, meta: file.metadata };
}

export function decodeUpdate(bytes: Uint8Array): IncomingUpdate {
  const what = 'update body';
  const { data, meta } = single(bytes, UPDATE_TENSOR, what);
  const client = meta['federated.client'];
  if (typeof client !== 'string') throw new FormatError(`${what}: metadata "federated.client" is missing`);
  return {
    client,
    round: num(meta, 'federated.round', what),
    samples: num(meta, 'federated.samples', what),
    noise: num(meta, 'federated.noise', what),
    delta: data,
  };
}

export function encodeParams(g: GlobalParams): Uint8Array {
  const meta = { 'federated.round': String(g.round), 'federated.rule': g.rule, 'federated.updates': String(g.updates) };
  return encodeSafetensors([{ name: PARAMS_TENSOR, shape: [g.params.length], data: g.params }], meta, { checksum: true });
}

export function decodeParams(bytes: Uint8Array): GlobalParams {
  const what = 'global parameters';
  const { data, meta } = single(bytes, PARAMS_TENSOR, what);
  const round = num(meta, 'federated.round', what);
  const updates = num(meta, 'federated.updates', what);
  if (!Number.isInteger(round) || round < 0 || !Number.isInteger(updates) || updates < 0) {
    throw new FormatError(`${what}: round ${meta['federated.round']} / updates ${meta['federated.updates']} are not counts`);
  }
  return { round, params: data, rule: meta['federated.rule'] ?? '', updates };
}
