import { FormatError, ValueError } from '../errors.js';
import { fnv1a32, hex32 } from './codec.js';

/**
 * The safetensors format (huggingface/safetensors, docs "Format"):
 *
 *   8 bytes   N, the header length, u64 little-endian
 *   N bytes   JSON: { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
 *                     "__metadata__": { "<key>": "<string>" } }   (may be padded with spaces)
 *   rest      the tensor bytes, little-endian, offsets relative to the end of the header
 *
 * Tensors are written in the given order, contiguous, with no gaps. Only F32
 * is written; reading accepts F32 (and F64/F16/BF16 are rejected by name).
 *
 * Integrity: the format has no checksum field, so wasmgrad writes one into
 * `__metadata__` under `wasmgrad.checksum` (`fnv1a32:<8 hex digits>`): FNV-1a
 * over the tensor table (names, shapes, offsets, and the other metadata, in a
 * canonical JSON form) and then the data bytes. Reading checks it when it is
 * present (a flipped data byte is a `FormatError`); files from other writers
 * (PyTorch) have none and load as before.
 */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

const MAX_HEADER = 100_000_000;

/** The `__metadata__` key of wasmgrad's checksum. */
export const CHECKSUM_KEY = 'wasmgrad.checksum';

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

/** FNV-1a over the canonical tensor table and metadata (without the checksum), continued over the data section. */
function digest(entries: readonly Entry[], metadata: Record<string, string>, data: Uint8Array): string {
  const meta = Object.keys(metadata)
    .filter((k) => k !== CHECKSUM_KEY)
    .sort()
    .map((k) => [k, metadata[k]]);
  const table = [...entries].sort((a, b) => a.begin - b.begin || (a.name < b.name ? -1 : 1)).map((e) => [e.name, e.shape, e.begin, e.end]);
  const h = fnv1a32(new TextEncoder().encode(JSON.stringify([meta, table])));
  return `fnv1a32:${hex32(fnv1a32(data, h))}`;
}

/**
 * Encodes tensors (and string metadata) into safetensors bytes; with
 * `{ checksum: true }` the metadata gets `wasmgrad.checksum` (see above).
 */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}, options: { checksum?: boolean } = {}): Uint8Array {
  if (!Array.isArray(tensors)) throw new ValueError(`encodeSafetensors: tensors must be an array of { name, shape, data }, got ${String(tensors)}`);
  if (metadata === null || typeof metadata !== 'object') throw new ValueError(`encodeSafetensors: metadata must be an object of strings, got ${String(metadata)}`);
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ValueError(`encodeSafetensors: metadata "${k}" must be a string, got ${typeof v}`);
  }
  if (CHECKSUM_KEY in metadata) throw new ValueError(`encodeSafetensors: metadata "${CHECKSUM_KEY}" is reserved (pass { checksum: true })`);
  const meta = { ...metadata };
  if (Object.keys(meta).length > 0 || options.checksum) header.__metadata__ = meta;
  const entries: Entry[] = [];
  let offset = 0;
  for (const t of tensors as readonly NamedTensor[]) {
    const u = t as Partial<NamedTensor> | null;
    if (u === null || typeof u !== 'object' || typeof u.name !== 'string' || !Array.isArray(u.shape) || !(u.data instanceof Float32Array)) {
      throw new ValueError(`encodeSafetensors: each tensor must be { name: string, shape: number[], data: Float32Array }, got ${String(t)}`);
    }
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ValueError(`encodeSafetensors: "${t.name}" has an invalid shape [${t.shape.join(', ')}]`);
    if (t.name === '__metadata__' || t.name in header) throw new ValueError(`encodeSafetensors: duplicate or reserved tensor name "${t.name}"`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new ValueError(`encodeSafetensors: "${t.name}" has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${count}`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    entries.push({ name: t.name, shape: [...t.shape], begin: offset, end: offset + 4 * count });
    offset += 4 * count;
  }
  const body = new Uint8Array(offset);
  const bodyView = new DataView(body.buffer);
  let p = 0;
  for (const t of tensors as readonly NamedTensor[]) {
    for (let i = 0; i < t.data.length; i++, p += 4) bodyView.setFloat32(p, t.data[i], true);
  }
  if (options.checksum) meta[CHECKSUM_KEY] = digest(entries, meta, body);
  let json = JSON.stringify(header);
  // pad the header so the data starts on an 8-byte boundary (as the reference writer does)
  const raw = new TextEncoder().encode(json);
  const pad = (8 - ((8 + raw.length) % 8)) % 8;
  json += ' '.repeat(pad);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(body, 8 + head.length);
  return out;
}

/**
 * Decodes and fully validates safetensors bytes: header length within the
 * file, valid JSON, every entry with a known dtype, a shape of non-negative
 * integers, offsets inside the data, sizes matching the shapes, and the
 * tensors covering the data exactly with no overlap. Anything else is a
 * `FormatError` naming `file`.
 */
export function decodeSafetensors(bytes: Uint8Array, file = 'safetensors'): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`decodeSafetensors: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) throw new FormatError(`${file}: ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new FormatError(`${file}: header length ${n} exceeds the file (${bytes.length} bytes): truncated or not safetensors`);
  }
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new FormatError(`${file}: header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new FormatError(`${file}: header must be a JSON object`);
  const dataLen = bytes.length - 8 - headerLen;
  const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLen, dataLen);
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, e] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (e === null || typeof e !== 'object' || Object.values(e as object).some((v) => typeof v !== 'string')) {
        throw new FormatError(`${file}: __metadata__ must map strings to strings`);
      }
      metadata = e as Record<string, string>;
      continue;
    }
    const info = e as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (info === null || typeof info !== 'object') throw new FormatError(`${file}: entry "${name}" is not an object`);
    if (info.dtype !== 'F32') throw new FormatError(`${file}: tensor "${name}" has dtype ${JSON.stringify(info.dtype)}; only F32 is supported`);
    const shape = info.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new FormatError(`${file}: tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    const off = info.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new FormatError(`${file}: tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (off[1] - off[0] !== 4 * count) {
      throw new FormatError(`${file}: tensor "${name}" spans ${off[1] - off[0]} bytes, shape [${shape.join(', ')}] of F32 needs ${4 * count}`);
    }
    if (off[1] > dataLen) throw new FormatError(`${file}: tensor "${name}" ends at byte ${off[1]} of a ${dataLen}-byte data section: truncated`);
    entries.push({ name, shape: shape as number[], begin: off[0], end: off[1] });
  }
  // the tensors must tile the data section exactly
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const t of sorted) {
    if (t.begin !== at) throw new FormatError(`${file}: tensor "${t.name}" starts at byte ${t.begin}, expected ${at} (overlap or gap)`);
    at = t.end;
  }
  if (at !== dataLen) throw new FormatError(`${file}: tensors cover ${at} bytes but the data section has ${dataLen}`);
  const sum = metadata[CHECKSUM_KEY];
  if (sum !== undefined) {
    const actual = digest(entries, metadata, bytes.subarray(8 + headerLen));
    if (sum !== actual) throw new FormatError(`${file}: checksum mismatch (${CHECKSUM_KEY} is ${sum}, the content hashes to ${actual}): the file is corrupt`);
  }
  const tensors = entries.map(({ name, shape, begin, end }) => {
    const out = new Float32Array((end - begin) / 4);
    for (let i = 0; i < out.length; i++) out[i] = data.getFloat32(begin + 4 * i, true);
    return { name, shape, data: out };
  });
  return { tensors, metadata };
}
