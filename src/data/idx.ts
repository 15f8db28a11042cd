import { FormatError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { Dataset, MAX_CLASSES } from './dataset.js';
import { gunzip, isGzip, readBytes, type ByteSource } from './source.js';

/** One IDX array: its element type and dimensions, values widened to numbers. */
export interface IdxArray {
  dtype: 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, [IdxArray['dtype'], number]> = {
  0x08: ['u8', 1],
  0x09: ['i8', 1],
  0x0b: ['i16', 2],
  0x0c: ['i32', 4],
  0x0d: ['f32', 4],
  0x0e: ['f64', 8],
};

/**
 * Decodes the IDX format (LeCun's MNIST files): bytes 0-1 zero, byte 2 the
 * element type, byte 3 the number of dimensions, then each dimension as a
 * big-endian u32, then the data, big-endian. The data must be exactly the
 * size the dimensions give; anything else is a `FormatError`.
 */
export function decodeIdx(bytes: Uint8Array, file = 'idx'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`decodeIdx: bytes must be a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 4) throw new FormatError(`${file}: ${bytes.length} bytes is too short for an IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(`${file}: bad IDX magic ${magic}; expected 00 00 <type> <rank>${isGzip(bytes) ? ' (the file is gzip-compressed: use loadIdx)' : ''}`);
  }
  const type = TYPES[bytes[2]];
  if (!type) throw new FormatError(`${file}: unknown IDX element type 0x${bytes[2].toString(16)} (expected 08, 09, 0b, 0c, 0d or 0e)`);
  const rank = bytes[3];
  const headerLen = 4 + 4 * rank;
  if (bytes.length < headerLen) throw new FormatError(`${file}: header declares ${rank} dimensions but the file has only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    shape.push(dim);
    count *= dim;
  }
  const [dtype, size] = type;
  const expected = headerLen + count * size;
  if (bytes.length !== expected) {
    throw new FormatError(`${file}: dimensions [${shape.join(', ')}] of ${dtype} need ${expected} bytes, the file has ${bytes.length}`);
  }
  let data: IdxArray['data'];
  switch (dtype) {
    case 'u8':
      data = bytes.slice(headerLen, expected);
      break;
    case 'i8':
      data = new Int8Array(bytes.slice(headerLen, expected).buffer);
      break;
    case 'i16':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(headerLen + 2 * i, false);
      break;
    case 'i32':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(headerLen + 4 * i, false);
      break;
    case 'f32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(headerLen + 4 * i, false);
      break;
    default:
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(headerLen + 8 * i, false);
  }
  return { dtype, shape, data };
}

/** Integer ranges of the integer element types (encodeIdx refuses values that would wrap). */
const INT_RANGE: Partial<Record<IdxArray['dtype'], [number, number]>> = {
  u8: [0, 255],
  i8: [-128, 127],
  i16: [-32768, 32767],
  i32: [-2147483648, 2147483647],
};

/**
 * Encodes an IDX file (tests, and exporting data for other tools). The
 * dtype must be one of the six IDX types, the shape at most 255 dimensions
 * of u32 sizes, the data exactly their product of values; integer types
 * take integers in their range and f32 values finite in f32 (no silent
 * wrap or overflow). Anything else is a `ValueError` naming the field.
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  if (array === null || typeof array !== 'object') throw new ValueError(`encodeIdx: expected { dtype, shape, data }, got ${describe(array)}`);
  const entry = Object.entries(TYPES).find(([, t]) => t[0] === array.dtype);
  if (!entry) throw new ValueError(`encodeIdx: dtype must be one of ${Object.values(TYPES).map((t) => t[0]).join(', ')}, got ${JSON.stringify(array.dtype)}`);
  const code = Number(entry[0]);
  const size = entry[1][1];
  const shape = array.shape;
  if (!Array.isArray(shape) || shape.length > 255 || shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw new ValueError(`encodeIdx: shape must be an array of at most 255 integers in [0, 2^32), got ${JSON.stringify(shape)}`);
  }
  const data = array.data as ArrayLike<number>;
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') throw new ValueError(`encodeIdx: data must be an array of numbers, got ${describe(data)}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new ValueError(`encodeIdx: data has ${data.length} values, shape needs ${count}`);
  const range = INT_RANGE[array.dtype];
  for (let i = 0; i < count; i++) {
    const x = data[i];
    const ok = range ? Number.isInteger(x) && x >= range[0] && x <= range[1] : typeof x === 'number' && (array.dtype === 'f64' || !Number.isFinite(x) || Number.isFinite(Math.fround(x)));
    if (!ok) throw new ValueError(`encodeIdx: data[${i}] = ${String(x)} does not fit ${array.dtype}${range ? ` (integers in [${range[0]}, ${range[1]}])` : ''}`);
  }
  const head = 4 + 4 * array.shape.length;
  const out = new Uint8Array(head + count * size);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = array.shape.length;
  array.shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const x = array.data[i], o = head + i * size;
    if (array.dtype === 'u8') v.setUint8(o, x);
    else if (array.dtype === 'i8') v.setInt8(o, x);
    else if (array.dtype === 'i16') v.setInt16(o, x, false);
    else if (array.dtype === 'i32') v.setInt32(o, x, false);
    else if (array.dtype === 'f32') v.setFloat32(o, x, false);
    else v.setFloat64(o, x, false);
  }
  return out;
}

/** Reads one IDX array from bytes or a `Response`, inflating gzip (`.gz`) when the bytes are gzip. */
export async function loadIdx(source: ByteSource, file = 'idx'): Promise<IdxArray> {
  let bytes = await readBytes(source, file);
  if (isGzip(bytes)) bytes = await gunzip(bytes, file);
  return decodeIdx(bytes, file);
}

export interface IdxDatasetOptions {
  /** multiplies every feature (default 1/255 for u8 images, else 1) */
  scale?: number;
  /** names for messages */
  imagesFile?: string;
  labelsFile?: string;
}

/**
 * Pairs an images array [n, ...] with a labels array [n] (MNIST layout):
 * features are the flattened images (scaled), labels are class ids.
 */
export function idxDataset(images: IdxArray, labels: IdxArray, options: IdxDatasetOptions = {}): Dataset {
  if (options === null || typeof options !== 'object') throw new ValueError(`idxDataset: options must be an object, got ${describe(options)}`);
  const { imagesFile = 'images', labelsFile = 'labels' } = options;
  for (const [name, a] of [['images', images], ['labels', labels]] as const) {
    if (a === null || typeof a !== 'object' || !Array.isArray(a.shape) || !ArrayBuffer.isView(a.data)) {
      throw new ValueError(`idxDataset: ${name} must be an IdxArray { dtype, shape, data } (from decodeIdx), got ${describe(a)}`);
    }
  }
  if (images.shape.length < 1) throw new FormatError(`${imagesFile}: images must have at least 1 dimension`);
  if (labels.shape.length !== 1) throw new FormatError(`${labelsFile}: labels must be 1-dimensional, got [${labels.shape.join(', ')}]`);
  const n = images.shape[0];
  if (labels.shape[0] !== n) throw new FormatError(`${labelsFile}: ${labels.shape[0]} labels for ${n} images in ${imagesFile}`);
  const scale = options.scale ?? (images.dtype === 'u8' ? 1 / 255 : 1);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new ValueError(`idxDataset: scale must be a finite number, got ${String(scale)}`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) {
    x[i] = images.data[i] * scale;
    if (!Number.isFinite(x[i])) {
      throw new FormatError(`${imagesFile}: value ${images.data[i]} at index ${i}${scale !== 1 ? ` (scaled by ${scale})` : ''} is not finite in f32 (|x| ≤ 3.4028235e38)`);
    }
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    if (!Number.isInteger(c) || c < 0 || c >= MAX_CLASSES) throw new FormatError(`${labelsFile}: label ${c} at index ${i} is not a class id (an integer in [0, 2^24 = ${MAX_CLASSES}))`);
    y[i] = c;
  }
  return new Dataset(x, y, { numFeatures: n > 0 ? x.length / n : 0, name: imagesFile });
}

/** Loads an MNIST-style pair of IDX sources into a Dataset. */
export async function loadIdxDataset(images: ByteSource, labels: ByteSource, options: IdxDatasetOptions = {}): Promise<Dataset> {
  const [a, b] = await Promise.all([loadIdx(images, options.imagesFile ?? 'images'), loadIdx(labels, options.labelsFile ?? 'labels')]);
  return idxDataset(a, b, options);
}

