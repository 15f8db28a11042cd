// init({ wasm }) with something that is not the core (issue 12, item 5): typed
// errors naming the argument instead of a raw CompileError, LinkError or TypeError.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, init, ValueError } from '../src/index.js';

async function rejects(C: new (...a: never[]) => Error, p: Promise<unknown>, ...parts: string[]): Promise<string> {
  let err: unknown;
  await p.catch((e) => (err = e));
  expect(err, `expected ${C.name}`).toBeInstanceOf(C);
  const msg = (err as Error).message;
  for (const s of parts) expect(msg).toContain(s);
  return msg;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe('init({ wasm }) refuses what is not the core', () => {
  it('a value that is not bytes or a module: ValueError', async () => {
    await rejects(ValueError, init({ wasm: 42 as never }), 'init: wasm must be the core\'s bytes (ArrayBuffer, Uint8Array) or a WebAssembly.Module, got 42');
    await rejects(ValueError, init({ wasm: null as never }), 'got null');
    await rejects(ValueError, init({ wasm: 'wasmgrad.wasm' as never }), 'got the string "wasmgrad.wasm"');
  });

  it('garbage bytes: FormatError, not a raw CompileError', async () => {
    await rejects(FormatError, init({ wasm: Uint8Array.of(1, 2, 3, 4, 5) }), 'init: wasm is not a WebAssembly module this runtime can compile (CompileError:');
    await rejects(FormatError, init({ wasm: new Uint8Array(0) }), 'init: wasm is not a WebAssembly module');
    // a truncated core
    const core = new Uint8Array(readFileSync(new URL('../build/wasmgrad.scalar.wasm', import.meta.url)));
    await rejects(FormatError, init({ wasm: core.subarray(0, core.length >> 1) }), 'CompileError');
  });

  it('a valid module that is not the core: FormatError naming what is missing', async () => {
    // the empty module
    await rejects(FormatError, init({ wasm: Uint8Array.from(HEADER) }), 'init: wasm is not the wasmgrad core: it does not export memory (memory), mem_heap_base (function)');
    // a module importing env.f: () -> ()
    const importing = Uint8Array.from([...HEADER, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00]);
    await rejects(FormatError, init({ wasm: importing }), 'init: wasm is not the wasmgrad core: it imports env.f (function); the core imports nothing');
    // the same as a precompiled WebAssembly.Module (the workerd path)
    await rejects(FormatError, init({ wasm: await WebAssembly.compile(Uint8Array.from(HEADER)) }), 'does not export memory');
  });

  it('the real core, as bytes and as a module, still loads', async () => {
    const bytes = new Uint8Array(readFileSync(new URL('../build/wasmgrad.scalar.wasm', import.meta.url)));
    const a = await init({ wasm: bytes });
    expect(a.simd).toBe(false);
    const b = await init({ wasm: await WebAssembly.compile(bytes) });
    expect([...b.tensor([2], [1, 2]).toArray()]).toEqual([1, 2]);
  });
});
