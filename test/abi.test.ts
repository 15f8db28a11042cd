// The ABI: both builds export exactly the functions of the `Kernels` interface
// (src/runtime/kernels.ts, generated at build time from asc's bindings by
// scripts/gen-kernels.mjs, read here as text), with the wasm function types its
// AssemblyScript signatures imply; the scalar build contains no SIMD
// instruction, the SIMD build does.
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, no declaration
import { kernelsSource, parseBindings } from '../scripts/gen-kernels.mjs';

const wasm = {
  simd: new Uint8Array(readFileSync(new URL('../build/wasmgrad.simd.wasm', import.meta.url))),
  scalar: new Uint8Array(readFileSync(new URL('../build/wasmgrad.scalar.wasm', import.meta.url))),
  relaxed: new Uint8Array(readFileSync(new URL('../build/wasmgrad.relaxed.wasm', import.meta.url))),
};

/** name -> number of parameters and whether a value is returned, from the interface text. */
function interfaceKernels(): Map<string, { params: number; returns: boolean }> {
  const text = readFileSync(new URL('../src/runtime/kernels.ts', import.meta.url), 'utf8');
  const body = /export interface Kernels \{([\s\S]*?)\n\}/.exec(text)?.[1];
  if (!body) throw new Error('kernels.ts: no `export interface Kernels { ... }`');
  const out = new Map<string, { params: number; returns: boolean }>();
  const code = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const m of code.matchAll(/^\s*(\w+)\(([^)]*)\)\s*:\s*(\w+)\s*;/gm)) {
    const params = m[2].trim() === '' ? 0 : m[2].split(',').length;
    out.set(m[1], { params, returns: m[3] !== 'void' });
  }
  return out;
}

/** name -> the wasm type its AssemblyScript signature in the interface's doc implies. */
function interfaceWasmTypes(): Map<string, string> {
  const text = readFileSync(new URL('../src/runtime/kernels.ts', import.meta.url), 'utf8');
  const wasmOf = (t: string): string => ({ i32: 'i32', usize: 'i32', u32: 'i32', f32: 'f32', f64: 'f64' })[t] ?? `?${t}`;
  const out = new Map<string, string>();
  for (const m of text.matchAll(/AssemblyScript: `(\w+)\(([^)]*)\): (\w+)`/g)) {
    const params = m[2] === '' ? [] : m[2].split(', ').map((p) => wasmOf(p.split(': ')[1]));
    out.set(m[1], `(${params.join(', ')}) -> (${m[3] === 'void' ? '' : wasmOf(m[3])})`);
  }
  return out;
}

type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
const VALTYPE: Record<number, ValType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

/**
 * The exported functions' types, read from the type (1), import (2), function (3)
 * and export (7) sections of the binary (wasm core spec, "Binary Format").
 */
function exportedTypes(bytes: Uint8Array): Map<string, string> {
  let pos = 8;
  const u32 = (): number => {
    let result = 0, shift = 0, b: number;
    do {
      b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  const name = (): string => {
    const len = u32();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  const types: string[] = [];
  const funcTypes: number[] = [];
  const exports = new Map<string, string>();
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (bytes[pos++] !== 0x60) throw new Error('type section: expected a function type');
        const params = Array.from({ length: u32() }, () => VALTYPE[bytes[pos++]]);
        const results = Array.from({ length: u32() }, () => VALTYPE[bytes[pos++]]);
        types.push(`(${params.join(', ')}) -> (${results.join(', ')})`);
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        name();
        name();
        const kind = bytes[pos++];
        if (kind !== 0) throw new Error('abi test: only function imports are expected (the core has none)');
        funcTypes.push(u32());
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const nm = name();
        const kind = bytes[pos++];
        const index = u32();
        exports.set(nm, kind === 0 ? types[funcTypes[index]] : `kind ${kind}`);
      }
    }
    pos = end;
  }
  return exports;
}

/** Does binaryen's text of the module mention any SIMD type or instruction? */
function simdInstructions(bytes: Uint8Array): string[] {
  const mod = binaryen.readBinary(bytes);
  const text = mod.emitText();
  mod.dispose();
  return [...new Set(text.match(/\b(?:v128|[if](?:8x16|16x8|32x4|64x2))(?:\.\w+)?/g) ?? [])];
}

describe('ABI', () => {
  const iface = interfaceKernels();

  it('the interface text lists the kernels (the parser sees them)', () => {
    expect(iface.size).toBeGreaterThan(30);
    for (const k of ['f32_gemm_nn', 'f32_dot', 'f32_nrm2', 'f32_transpose', 'rng_seed', 'f32_rng_normal', 'mem_heap_base']) {
      expect(iface.has(k), k).toBe(true);
    }
    expect(iface.get('f32_gemm_nn')).toEqual({ params: 11, returns: false });
    expect(iface.get('f32_dot')).toEqual({ params: 3, returns: true });
  });

  it('the table is what the generator makes of the compiler\'s declaration (not edited by hand)', () => {
    const dts = readFileSync(new URL('../build/wasmgrad.simd.d.ts', import.meta.url), 'utf8');
    const fns = parseBindings(dts);
    const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    const text = readFileSync(new URL('../src/runtime/kernels.ts', import.meta.url), 'utf8');
    expect(text === kernelsSource(fns, read), 'src/runtime/kernels.ts is stale: run npm run build').toBe(true);
    expect(() => parseBindings(dts.replace('export function f32_dot(n: number', 'export function f32_dot(n: bigint'))).toThrow(/numbers/);
  });

  for (const build of ['simd', 'scalar', 'relaxed'] as const) {
    it(`the ${build} build's exports have the wasm types of the table's AssemblyScript signatures`, () => {
      const asTypes = interfaceWasmTypes();
      expect(asTypes.size).toBe(iface.size);
      const types = exportedTypes(wasm[build]);
      for (const [name, t] of asTypes) expect(types.get(name), name).toBe(t);
    });
  }

  for (const build of ['simd', 'scalar'] as const) {
    it(`the ${build} build exports exactly the Kernels interface, with matching arities`, () => {
      const module = new WebAssembly.Module(wasm[build]);
      const exports = WebAssembly.Module.exports(module);
      const funcs = exports.filter((x) => x.kind === 'function').map((x) => x.name).sort();
      expect(funcs).toEqual([...iface.keys()].sort());
      expect(exports.filter((x) => x.kind !== 'function')).toEqual([{ name: 'memory', kind: 'memory' }]);
      expect(WebAssembly.Module.imports(module)).toEqual([]);
      const types = exportedTypes(wasm[build]);
      for (const [name, { params, returns }] of iface) {
        const t = types.get(name)!;
        const [p, r] = t.slice(1, -1).split(') -> (');
        expect(p === '' ? 0 : p.split(', ').length, `${name} ${t}: parameters`).toBe(params);
        expect(r !== '', `${name} ${t}: returns a value`).toBe(returns);
        expect(t, `${name} crosses the boundary with numbers only`).not.toMatch(/i64|v128/);
      }
    });
  }

  it('both builds give every export the same wasm function type', () => {
    const a = exportedTypes(wasm.simd), b = exportedTypes(wasm.scalar);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [name, t] of a) expect(b.get(name), name).toBe(t);
  });

  it('the scalar build contains no SIMD instruction; the SIMD build does', () => {
    expect(simdInstructions(wasm.scalar)).toEqual([]);
    const simd = simdInstructions(wasm.simd);
    for (const op of ['v128.load', 'v128.store', 'f32x4.add', 'f32x4.mul']) expect(simd, op).toContain(op);
  });

  it('the build flag export agrees with the build', () => {
    for (const build of ['simd', 'scalar'] as const) {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm[build]), {});
      expect((inst.exports.build_simd as () => number)()).toBe(build === 'simd' ? 1 : 0);
    }
  });
});
