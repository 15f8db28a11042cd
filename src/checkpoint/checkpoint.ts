import { FormatError, ValueError } from '../errors.js';
import type { ParameterRange, Parameterized } from '../runtime/params.js';
import { checkKnown, describe } from '../runtime/validate.js';
import { decodePlain, encodePlain, fnv1a, fnv1a32, hex32 } from './codec.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
import { checkStateShape, checkStateValues, checkWords } from './validate.js';

/**
 * A checkpoint is two parts (a documented choice, see docs/checkpoints.md):
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
 *
 * Integrity (docs/checkpoints.md): the weights file carries its own checksum
 * in `__metadata__` (`wasmgrad.checksum`, checked when present, so a
 * weights-only load detects a flipped byte too) and the model's layer kinds
 * (`wasmgrad.layers`); the sidecar ends with `checksum`, FNV-1a over its
 * canonical JSON (JSON.stringify of the parsed object without that key).
 * Decoding checks both hashes, the RNG states (4 u32 words, not all zero)
 * and the optimizer state's values (finite, second moments ≥ 0, integer
 * counts); applying checks the layer kinds and the optimizer state's
 * structure against the live model and optimizer, all before writing.
 */
export interface CheckpointModel extends Parameterized {
  parameterRanges(): ParameterRange[];
  parameters(): Float32Array;
  setParameters(values: ArrayLike<number>): void;
  rngState?(): Uint32Array;
  setRngState?(state: ArrayLike<number>): void;
  /** layer kinds in order (e.g. ['linear', 'relu', 'linear']): saved, and compared on load when both sides have them */
  readonly layerKinds?: readonly string[];
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
  /** the layer kinds the checkpoint was saved from (weights metadata or sidecar), when recorded */
  layers?: string[];
  /** sidecar content (absent when only a weights file was given) */
  optimizer?: unknown;
  training?: Record<string, unknown>;
  modelRng?: Uint32Array;
}

export const SIDECAR_FORMAT = 'wasmgrad-checkpoint';
export const SIDECAR_VERSION = 2;
export const LAYERS_KEY = 'wasmgrad.layers';

/** Serializes the model (and optionally optimizer and training state) to bytes and sidecar text. */
export function encodeCheckpoint(
  model: CheckpointModel,
  options: { optimizer?: CheckpointOptimizer; training?: Record<string, unknown>; metadata?: Record<string, string> } = {},
): EncodedCheckpoint {
  checkModel('encodeCheckpoint', model);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`encodeCheckpoint: options must be an object, got ${describe(options)}`);
  checkKnown('encodeCheckpoint', options, ['optimizer', 'training', 'metadata']);
  const { optimizer, training, metadata = {} } = options;
  if (optimizer !== undefined) checkOptimizer('encodeCheckpoint', optimizer);
  if (training !== undefined && (training === null || typeof training !== 'object' || Array.isArray(training))) throw new ValueError(`encodeCheckpoint: training must be an object, got ${describe(training)}`);
  if (metadata === null || typeof metadata !== 'object') throw new ValueError(`encodeCheckpoint: metadata must be an object of strings, got ${String(metadata)}`);
  for (const k of Object.keys(metadata)) {
    if (k.startsWith('wasmgrad.')) throw new ValueError(`encodeCheckpoint: metadata key "${k}" is reserved (keys starting with "wasmgrad.")`);
  }
  const values = model.parameters();
  const tensors: NamedTensor[] = model.parameterRanges().map((r) => {
    const count = r.shape.reduce((a, b) => a * b, 1);
    return { name: r.name, shape: [...r.shape], data: values.subarray(r.offset, r.offset + count) };
  });
  const layers = model.layerKinds ? [...model.layerKinds] : undefined;
  const meta: Record<string, string> = { format: 'pt', producer: 'wasmgrad', ...(layers ? { [LAYERS_KEY]: layers.join(',') } : {}), ...metadata };
  const weights = encodeSafetensors(tensors, meta, { checksum: true });
  const sidecar = {
    format: SIDECAR_FORMAT,
    version: SIDECAR_VERSION,
    weights: { bytes: weights.length, fnv1a: fnv1a(weights) },
    parameters: tensors.map((t) => ({ name: t.name, shape: t.shape })),
    layers,
    modelRng: model.rngState?.(),
    optimizer: optimizer?.state(),
    training,
  };
  return { weights, sidecar: sealJson(encodePlain(sidecar) as Record<string, unknown>) };
}

/** JSON text of `body` with a last key `checksum`: FNV-1a of JSON.stringify(body). */
function sealJson(body: Record<string, unknown>): string {
  const text = JSON.stringify(body);
  return `${text.slice(0, -1)},"checksum":"fnv1a32:${hex32(fnv1a32(new TextEncoder().encode(text)))}"}`;
}

/** Parses sealed JSON and checks its checksum (over the canonical JSON of everything but `checksum`). */
function openJson(text: string, where: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FormatError(`${where}: must be a JSON object`);
  const { checksum, ...body } = raw as Record<string, unknown>;
  if (body.format !== SIDECAR_FORMAT) throw new FormatError(`${where}: format must be "${SIDECAR_FORMAT}", got ${JSON.stringify(body.format)}`);
  if (body.version !== SIDECAR_VERSION) throw new FormatError(`${where}: version ${JSON.stringify(body.version)} is not supported (expected ${SIDECAR_VERSION})`);
  const actual = `fnv1a32:${hex32(fnv1a32(new TextEncoder().encode(JSON.stringify(body))))}`;
  if (checksum !== actual) throw new FormatError(`${where}: checksum mismatch (the file says ${JSON.stringify(checksum)}, its content hashes to ${actual}): the file is corrupt or was edited`);
  return body;
}

/**
 * Parses and validates a checkpoint (weights alone, or weights + sidecar):
 * both checksums, the pairing hash, RNG states and optimizer-state values.
 * Writes nothing; every problem is a `FormatError` naming the file.
 */
export function decodeCheckpoint(weights: Uint8Array, sidecar?: string, file = 'checkpoint'): DecodedCheckpoint {
  if (!(weights instanceof Uint8Array)) throw new ValueError(`decodeCheckpoint: weights must be the Uint8Array of a safetensors file, got ${describe(weights)}`);
  if (sidecar !== undefined && typeof sidecar !== 'string') throw new ValueError(`decodeCheckpoint: sidecar must be the checkpoint.json text or undefined, got ${describe(sidecar)}`);
  if (typeof file !== 'string') throw new ValueError(`decodeCheckpoint: file must be a string, got ${describe(file)}`);
  const { tensors, metadata } = decodeSafetensors(weights, `${file}/model.safetensors`);
  const metaLayers = metadata[LAYERS_KEY] !== undefined ? metadata[LAYERS_KEY].split(',') : undefined;
  if (sidecar === undefined) return { tensors, metadata, layers: metaLayers };
  const where = `${file}/checkpoint.json`;
  const s = decodePlain(openJson(sidecar, where), where) as Record<string, unknown>;
  const w = s.weights as { bytes?: unknown; fnv1a?: unknown } | undefined;
  if (!w || w.bytes !== weights.length || w.fnv1a !== fnv1a(weights)) {
    throw new FormatError(`${where}: belongs to a weights file of ${w?.bytes} bytes (hash ${w?.fnv1a}); model.safetensors has ${weights.length} bytes (hash ${fnv1a(weights)})`);
  }
  const layers = s.layers;
  if (layers !== undefined && !(Array.isArray(layers) && layers.every((k) => typeof k === 'string'))) throw new FormatError(`${where}: layers must be an array of layer kinds`);
  const rng = s.modelRng === undefined ? undefined : checkWords(s.modelRng, 'modelRng', where);
  const training = s.training;
  if (training !== undefined && (training === null || typeof training !== 'object' || Array.isArray(training))) throw new FormatError(`${where}: training must be an object`);
  if (s.optimizer !== undefined) checkStateValues(s.optimizer, where);
  return {
    tensors,
    metadata,
    layers: (layers as string[] | undefined) ?? metaLayers,
    optimizer: s.optimizer,
    training: training as Record<string, unknown> | undefined,
    modelRng: rng,
  };
}

/**
 * Checks a decoded checkpoint against the model (every `state_dict` name
 * present once with the model's shape, nothing extra, every value finite,
 * the same layer kinds when both sides record them) and returns the flat
 * parameter vector in the model's order. Throws `FormatError`; writes nothing.
 */
export function checkpointParameters(model: CheckpointModel, ckpt: DecodedCheckpoint, file = 'checkpoint'): Float32Array {
  checkModel('checkpointParameters', model);
  if (ckpt === null || typeof ckpt !== 'object' || !Array.isArray(ckpt.tensors)) {
    throw new ValueError(`checkpointParameters: ckpt must be a decoded checkpoint (from decodeCheckpoint), got ${describe(ckpt)}`);
  }
  const kinds = model.layerKinds;
  if (ckpt.layers && kinds && ckpt.layers.join(',') !== kinds.join(',')) {
    throw new FormatError(`${file}: was saved from a model with layers ${ckpt.layers.join(', ')}; this model has ${kinds.join(', ')}`);
  }
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
 * Loads a decoded checkpoint into the model (and optimizer). Validate
 * everything, then write: the parameters, the layer kinds, the model RNG
 * state and the optimizer state's structure (against the optimizer's own
 * `state()`) are all checked first; then the optimizer state is loaded
 * (its `loadState` validates before writing), then the parameters and the
 * RNG state. Should a write still fail, what was written is restored, so a
 * call that throws leaves model and optimizer as they were.
 */
export function applyCheckpoint(
  model: CheckpointModel,
  ckpt: DecodedCheckpoint,
  options: { optimizer?: CheckpointOptimizer; file?: string } = {},
): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`applyCheckpoint: options must be an object, got ${describe(options)}`);
  checkKnown('applyCheckpoint', options, ['optimizer', 'file']);
  const file = options.file ?? 'checkpoint';
  const optimizer = options.optimizer;
  if (optimizer !== undefined) checkOptimizer('applyCheckpoint', optimizer);
  const flat = checkpointParameters(model, ckpt, file);
  const rng = ckpt.modelRng === undefined ? undefined : checkWords(ckpt.modelRng, 'modelRng', file);
  let optBefore: unknown;
  if (optimizer) {
    if (ckpt.optimizer === undefined) throw new FormatError(`${file}: has no optimizer state to load`);
    optBefore = optimizer.state();
    checkStateValues(ckpt.optimizer, file);
    checkStateShape(optBefore, ckpt.optimizer, 'optimizer', `${file}: optimizer state does not fit this optimizer`);
  }
  // everything is validated; write, restoring on an unexpected failure
  const paramsBefore = model.parameters();
  const rngBefore = rng && model.setRngState ? model.rngState?.() : undefined;
  let step = 0;
  try {
    if (optimizer) {
      try {
        optimizer.loadState(ckpt.optimizer as never);
      } catch (e) {
        if (e instanceof FormatError) throw e;
        throw new FormatError(`${file}: optimizer state does not fit this optimizer (${(e as Error).message})`);
      }
      step = 1;
    }
    model.setParameters(flat);
    step = 2;
    if (rng && model.setRngState) model.setRngState(rng);
  } catch (e) {
    if (step >= 2) model.setParameters(paramsBefore);
    if (step >= 2 && rngBefore && model.setRngState) model.setRngState(rngBefore);
    if (step >= 1 && optimizer) optimizer.loadState(optBefore as never);
    throw e;
  }
}

/** The model parameters only, as safetensors bytes (PyTorch can load them with safetensors.torch.load_file). */
export function encodeWeights(model: CheckpointModel): Uint8Array {
  return encodeCheckpoint(model).weights;
}

export function assertDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir === '') throw new ValueError(`checkpoint: directory must be a non-empty path, got ${JSON.stringify(dir)}`);
  return dir;
}

function checkModel(op: string, model: unknown): void {
  const m = model as Partial<CheckpointModel> | null;
  if (m === null || typeof m !== 'object' || typeof m.parameterRanges !== 'function' || typeof m.parameters !== 'function' || typeof m.setParameters !== 'function') {
    throw new ValueError(`${op}: model must be a model (parameterRanges, parameters, setParameters), got ${describe(model)}`);
  }
}

function checkOptimizer(op: string, opt: unknown): void {
  const o = opt as Partial<CheckpointOptimizer> | null;
  if (o === null || typeof o !== 'object' || typeof o.state !== 'function' || typeof o.loadState !== 'function') {
    throw new ValueError(`${op}: optimizer must have state() and loadState(), got ${describe(opt)}`);
  }
}

