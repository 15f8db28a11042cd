import { FormatError, ValueError } from '../errors.js';
import type { ParameterRange, Parameterized } from '../runtime/params.js';
import { decodePlain, encodePlain, fnv1a } from './codec.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';

/**
 * A checkpoint is two parts (a documented choice, see README "Checkpoints"):
 *
 * - `model.safetensors`: the parameters under PyTorch `state_dict` names and
 *   layouts (`0.weight` [out, in], `0.bias` [out], …), F32, metadata
 *   `{ format: "pt" }`, so `safetensors.torch.load_file` + `load_state_dict`
 *   read it as is;
 * - `checkpoint.json` (the sidecar): everything else needed to continue a run
 *   bit for bit — optimizer state (typed arrays as base64 of their bytes),
 *   training position (epoch, step, batch), RNG states (model dropout,
 *   shuffling), schedule state — plus the byte length and FNV-1a hash of the
 *   weights file it belongs to, so a mismatched pair is detected.
 */
export interface CheckpointModel extends Parameterized {
  parameterRanges(): ParameterRange[];
  parameters(): Float32Array;
  setParameters(values: ArrayLike<number>): void;
  rngState?(): Uint32Array;
  setRngState?(state: ArrayLike<number>): void;
}

export interface CheckpointOptimizer {
  state(): unknown;
  loadState(state: never): void;
}

export interface EncodedCheckpoint {
  /** the safetensors bytes */
  weights: Uint8Array;
  /** the sidecar JSON text */
  sidecar: string;
}

export interface DecodedCheckpoint {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
  /** sidecar content (absent when only a weights file was given) */
  optimizer?: unknown;
  training?: Record<string, unknown>;
  modelRng?: Uint32Array;
}

export const SIDECAR_FORMAT = 'wasmgrad-checkpoint';
export const SIDECAR_VERSION = 1;

/** Serializes the model (and optionally optimizer and training state) to bytes and sidecar text. */
export function encodeCheckpoint(
  model: CheckpointModel,
  options: { optimizer?: CheckpointOptimizer; training?: Record<string, unknown>; metadata?: Record<string, string> } = {},
): EncodedCheckpoint {
  const values = model.parameters();
  const tensors: NamedTensor[] = model.parameterRanges().map((r) => {
    const count = r.shape.reduce((a, b) => a * b, 1);
    return { name: r.name, shape: [...r.shape], data: values.subarray(r.offset, r.offset + count) };
  });
  const weights = encodeSafetensors(tensors, { format: 'pt', producer: 'wasmgrad', ...options.metadata });
  const sidecar = {
    format: SIDECAR_FORMAT,
    version: SIDECAR_VERSION,
    weights: { bytes: weights.length, fnv1a: fnv1a(weights) },
    parameters: tensors.map((t) => ({ name: t.name, shape: t.shape })),
    modelRng: model.rngState?.(),
    optimizer: options.optimizer?.state(),
    training: options.training,
  };
  return { weights, sidecar: JSON.stringify(encodePlain(sidecar)) };
}

/** Parses and validates a checkpoint (weights alone, or weights + sidecar). Writes nothing. */
export function decodeCheckpoint(weights: Uint8Array, sidecar?: string, file = 'checkpoint'): DecodedCheckpoint {
  const { tensors, metadata } = decodeSafetensors(weights, `${file}/model.safetensors`);
  if (sidecar === undefined) return { tensors, metadata };
  const where = `${file}/checkpoint.json`;
  let raw: unknown;
  try {
    raw = JSON.parse(sidecar);
  } catch (e) {
    throw new FormatError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  const s = decodePlain(raw, where) as Record<string, unknown>;
  if (s === null || typeof s !== 'object' || s.format !== SIDECAR_FORMAT) throw new FormatError(`${where}: format must be "${SIDECAR_FORMAT}", got ${JSON.stringify((s as { format?: unknown })?.format)}`);
  if (s.version !== SIDECAR_VERSION) throw new FormatError(`${where}: version ${JSON.stringify(s.version)} is not supported (expected ${SIDECAR_VERSION})`);
  const w = s.weights as { bytes?: unknown; fnv1a?: unknown } | undefined;
  if (!w || w.bytes !== weights.length || w.fnv1a !== fnv1a(weights)) {
    throw new FormatError(`${where}: belongs to a weights file of ${w?.bytes} bytes (hash ${w?.fnv1a}); model.safetensors has ${weights.length} bytes (hash ${fnv1a(weights)})`);
  }
  const rng = s.modelRng;
  if (rng !== undefined && !(rng instanceof Uint32Array && rng.length === 4)) throw new FormatError(`${where}: modelRng must be 4 u32 words`);
  const training = s.training;
  if (training !== undefined && (training === null || typeof training !== 'object')) throw new FormatError(`${where}: training must be an object`);
  return { tensors, metadata, optimizer: s.optimizer, training: training as Record<string, unknown> | undefined, modelRng: rng as Uint32Array | undefined };
}

/**
 * Checks a decoded checkpoint against the model (every `state_dict` name
 * present once with the model's shape, nothing extra) and returns the flat
 * parameter vector in the model's order. Throws `FormatError`; writes nothing.
 */
export function checkpointParameters(model: CheckpointModel, ckpt: DecodedCheckpoint, file = 'checkpoint'): Float32Array {
  const ranges = model.parameterRanges();
  const byName = new Map(ckpt.tensors.map((t) => [t.name, t]));
  const flat = new Float32Array(model.numParameters);
  for (const r of ranges) {
    const t = byName.get(r.name);
    if (!t) throw new FormatError(`${file}: tensor "${r.name}" [${r.shape.join(', ')}] is missing (file has ${[...byName.keys()].join(', ') || 'no tensors'})`);
    if (t.shape.length !== r.shape.length || t.shape.some((d, i) => d !== r.shape[i])) {
      throw new FormatError(`${file}: tensor "${r.name}" is [${t.shape.join(', ')}] in the file, the model expects [${r.shape.join(', ')}]`);
    }
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new FormatError(`${file}: tensor "${r.name}" element ${i} is ${t.data[i]}`);
    }
    flat.set(t.data, r.offset);
    byName.delete(r.name);
  }
  if (byName.size > 0) throw new FormatError(`${file}: tensors ${[...byName.keys()].join(', ')} are not parameters of this model`);
  return flat;
}

/**
 * Loads a decoded checkpoint into the model (and optimizer). Everything is
 * validated first; the optimizer state is loaded before the parameters, so if
 * it is rejected nothing has changed.
 */
export function applyCheckpoint(
  model: CheckpointModel,
  ckpt: DecodedCheckpoint,
  options: { optimizer?: CheckpointOptimizer; file?: string } = {},
): void {
  const file = options.file ?? 'checkpoint';
  const flat = checkpointParameters(model, ckpt, file);
  if (options.optimizer) {
    if (ckpt.optimizer === undefined) throw new FormatError(`${file}: has no optimizer state to load`);
    try {
      options.optimizer.loadState(ckpt.optimizer as never);
    } catch (e) {
      if (e instanceof FormatError) throw e;
      throw new FormatError(`${file}: optimizer state does not fit this optimizer (${(e as Error).message})`);
    }
  }
  model.setParameters(flat);
  if (ckpt.modelRng && model.setRngState) model.setRngState(ckpt.modelRng);
}

/** The model parameters only, as safetensors bytes (PyTorch can load them with safetensors.torch.load_file). */
export function encodeWeights(model: CheckpointModel): Uint8Array {
  return encodeCheckpoint(model).weights;
}

export function assertDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir === '') throw new ValueError(`checkpoint: directory must be a non-empty path, got ${JSON.stringify(dir)}`);
  return dir;
}
