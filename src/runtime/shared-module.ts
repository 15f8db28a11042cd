/**
 * The threads build from the SIMD build's bytes. asc's threads target (asconfig.json
 * "threads": `--enable simd,threads --importMemory --sharedMemory --zeroFilledMemory`)
 * emits the very same sections as the SIMD build (types, functions, globals, exports,
 * code, data: the core uses no atomic instruction; the host does the waiting) except
 * that the memory section becomes an import of a shared memory `env.memory` (initial
 * 32 pages, maximum 65536). Rewriting that one section here gives asc's threads build
 * byte for byte (test/threads.test.ts checks it), so the universal entry inlines the
 * SIMD bytes once instead of a fourth ~20 kB (gzip) copy.
 *
 * The relaxed threads build is made the same way from the relaxed build's bytes (asc
 * has no such target; the rewrite is the same one section): init({ threads }) runs it
 * where it would run the relaxed build on one thread. Its static data fits the same 32
 * initial pages (the GEMM scratch, 912 KiB, is the bulk of it in every build).
 *
 * Binary format: WebAssembly Core Specification 2.0, 5.5 (modules: sections in id
 * order, each `id size:u32 contents`; the import section (2) comes before the function
 * section (3); limits flag 0x03 = shared with a maximum, threads proposal).
 */
import { FormatError } from '../errors.js';

/** The threads build's declared memory: initial and maximum pages (asconfig.json "threads"). */
export const THREADS_INITIAL_PAGES = 32;
export const THREADS_MAXIMUM_PAGES = 65536;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
};

const name = (s: string): number[] => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/** `bytes` (a SIMD or relaxed-SIMD core build with one memory of its own and no imports) with that memory imported as shared `env.memory`. */
export function sharedMemoryBuild(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const body = [1, ...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(THREADS_INITIAL_PAGES), ...uleb(THREADS_MAXIMUM_PAGES)];
  const importSection = new Uint8Array([2, ...uleb(body.length), ...body]);
  let p = 8;
  let replaced = false;
  while (p < bytes.length) {
    const start = p;
    const id = bytes[p++];
    let size = 0, shift = 0, b: number;
    do {
      b = bytes[p++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    const end = p + size;
    if (id === 2) throw new FormatError('threads: the SIMD build imports something; expected a core with no imports');
    if (id === 5) {
      if (bytes[p] !== 1) throw new FormatError('threads: the SIMD build declares more than one memory');
      parts.push(importSection);
      replaced = true;
    } else {
      parts.push(bytes.subarray(start, end));
      // the import section goes right after the type section; the memory section is dropped
    }
    p = end;
  }
  if (!replaced) throw new FormatError('threads: the SIMD build has no memory section');
  // move the import section to its place: after the type section (id 1)
  const typeAt = parts.findIndex((s, i) => i > 0 && s[0] === 1);
  const importAt = parts.indexOf(importSection);
  parts.splice(importAt, 1);
  parts.splice(typeAt < 0 ? 1 : typeAt + 1, 0, importSection);
  const out = new Uint8Array(parts.reduce((n, s) => n + s.length, 0));
  let o = 0;
  for (const s of parts) {
    out.set(s, o);
    o += s.length;
  }
  return out;
}
