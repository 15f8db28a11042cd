import { FormatError, ValueError } from '../errors.js';

/** Where bytes can come from in any runtime: memory, a fetch `Response`, a `Blob`, or a stream. */
export type ByteSource = Uint8Array | ArrayBuffer | ArrayBufferView | Response | Blob | ReadableStream<Uint8Array>;

/** Reads a source fully into a `Uint8Array` (no copy for a `Uint8Array`). */
export async function readBytes(source: ByteSource, what = 'source'): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new FormatError(`${what}: HTTP ${source.status} ${source.statusText} from ${source.url || 'response'}`);
    return new Uint8Array(await source.arrayBuffer());
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return new Uint8Array(await new Response(source).arrayBuffer());
  throw new ValueError(`${what}: expected bytes, a Response, a Blob or a ReadableStream, got ${typeof source}`);
}

/** Reads a source as UTF-8 text (a string is returned as is). */
export async function readText(source: ByteSource | string, what = 'source'): Promise<string> {
  if (typeof source === 'string') return source;
  return new TextDecoder('utf-8').decode(await readBytes(source, what));
}

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates gzip bytes with the platform's `DecompressionStream` (Node ≥ 18, Deno, Bun, browsers, workerd). */
export async function gunzip(bytes: Uint8Array, file = 'data'): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new FormatError(`${file}: is gzip-compressed but this runtime has no DecompressionStream; decompress it first`);
  }
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new FormatError(`${file}: corrupt gzip data (${(e as Error).message})`);
  }
}
