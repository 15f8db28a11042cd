// Plain data <-> JSON with typed arrays kept bit for bit: a typed array becomes
// { "$f32": "<base64 of its little-endian bytes>" } (likewise $f64, $i32, $u32, $u8),
// and non-finite numbers become { "$num": "NaN" | "Infinity" | "-Infinity" }.
import { FormatError } from '../errors.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;
const TAGS: [string, Ctor][] = [
  ['$f32', Float32Array],
  ['$f64', Float64Array],
  ['$i32', Int32Array],
  ['$u32', Uint32Array],
  ['$u8', Uint8Array],
];

/** Base64 of bytes (btoa exists in every supported runtime). */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(b64: string, what = 'base64'): Uint8Array {
  let s: string;
  try {
    s = atob(b64);
  } catch {
    throw new FormatError(`${what}: invalid base64`);
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A JSON-ready copy of plain data with typed arrays and non-finite numbers encoded. */
export function encodePlain(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (value === null || typeof value !== 'object') return value;
  for (const [tag, C] of TAGS) {
    if (value instanceof C) {
      const v = value as InstanceType<Ctor>;
      // copy, so the bytes are the array's own even for a subarray; typed arrays are little-endian on every supported platform
      return { [tag]: toBase64(new Uint8Array(v.slice().buffer)) };
    }
  }
  if (Array.isArray(value)) return value.map(encodePlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodePlain(v);
  return out;
}

/** Inverse of `encodePlain`. */
export function decodePlain(value: unknown, what = 'json'): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => decodePlain(v, what));
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0];
    const v = (value as Record<string, unknown>)[k];
    if (k === '$num') {
      if (v !== 'NaN' && v !== 'Infinity' && v !== '-Infinity') throw new FormatError(`${what}: bad $num ${JSON.stringify(v)}`);
      return Number(v);
    }
    const entry = TAGS.find(([t]) => t === k);
    if (entry) {
      if (typeof v !== 'string') throw new FormatError(`${what}: ${k} must hold a base64 string`);
      const bytes = fromBase64(v, what);
      const C = entry[1];
      if (bytes.length % C.BYTES_PER_ELEMENT !== 0) throw new FormatError(`${what}: ${k} has ${bytes.length} bytes, not a multiple of ${C.BYTES_PER_ELEMENT}`);
      return new C(bytes.buffer as ArrayBuffer, 0, bytes.length / C.BYTES_PER_ELEMENT);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = decodePlain(v, what);
  return out;
}

/**
 * FNV-1a, 32 bits (Fowler, Noll, Vo; IETF draft-eastlake-fnv): h = 2166136261;
 * for each byte b: h = (h XOR b) * 16777619 mod 2^32. Continues from `h` when
 * given, so several parts hash as one stream. Any change of one byte changes
 * the hash (each step is a bijection of h); other accidental changes go
 * unnoticed with probability 2^-32. A checksum against corruption, not a
 * defence against deliberate tampering.
 */
export function fnv1a32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** FNV-1a 32-bit hash of bytes, as 8 hex digits (detects a weights file that does not match its sidecar). */
export function fnv1a(bytes: Uint8Array): string {
  return hex32(fnv1a32(bytes));
}

export function hex32(h: number): string {
  return (h >>> 0).toString(16).padStart(8, '0');
}
