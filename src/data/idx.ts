import { FormatError, ValueError } from '../errors.js';
import { Dataset } from './dataset.js';
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

/** Encodes an IDX file (tests, and exporting data for other tools). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)][0] === array.dtype));
  const size = TYPES[code][1];
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) throw new ValueError(`encodeIdx: data has ${array.data.length} values, shape needs ${count}`);
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
  const { imagesFile = 'images', labelsFile = 'labels' } = options;
  if (images.shape.length < 1) throw new FormatError(`${imagesFile}: images must have at least 1 dimension`);
  if (labels.shape.length !== 1) throw new FormatError(`${labelsFile}: labels must be 1-dimensional, got [${labels.shape.join(', ')}]`);
  const n = images.shape[0];
  if (labels.shape[0] !== n) throw new FormatError(`${labelsFile}: ${labels.shape[0]} labels for ${n} images in ${imagesFile}`);
  const scale = options.scale ?? (images.dtype === 'u8' ? 1 / 255 : 1);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] * scale;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i];
    if (!Number.isInteger(c) || c < 0) throw new FormatError(`${labelsFile}: label ${c} at index ${i} is not a class id`);
    y[i] = c;
  }
  return new Dataset(x, y, { numFeatures: n > 0 ? x.length / n : 0, name: imagesFile });
}

/** Loads an MNIST-style pair of IDX sources into a Dataset. */
export async function loadIdxDataset(images: ByteSource, labels: ByteSource, options: IdxDatasetOptions = {}): Promise<Dataset> {
  const [a, b] = await Promise.all([loadIdx(images, options.imagesFile ?? 'images'), loadIdx(labels, options.labelsFile ?? 'labels')]);
  return idxDataset(a, b, options);
}
