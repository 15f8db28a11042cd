import { FormatError, ValueError } from '../errors.js';
import { describe } from './validate.js';
import type { CoreSetup } from './core.js';
import { defaultValidator, supportsRelaxedSimd, supportsSimd, type Validator } from './features.js';
import { DEFAULT_MIN_FLOPS } from './gemm-threads.js';
import { relaxedTileRows } from './gemm-tile.js';
import { instantiateThreaded } from './init-threads.js';
import { sharedMemoryBuild } from './shared-module.js';
import { resolveThreads, type ThreadsOption } from './threads.js';

/** Where the wasm comes from: bytes (compiled here) or a precompiled module (workerd). */
export type WasmSource = BufferSource | WebAssembly.Module;

export interface InitOptions {
  /** 'auto' (default): SIMD when the runtime validates it; true/false force a build. */
  simd?: 'auto' | boolean;
  /**
   * 'auto' (default): the relaxed-SIMD build (fused multiply-add, ~1.3x GEMM) when SIMD is
   * used and the runtime validates relaxed SIMD (Node 20 only with
   * `--experimental-wasm-relaxed-simd`; Node >= 22, Deno, Bun, Chromium, workerd by default);
   * false: plain SIMD; true: require it (a ValueError where the runtime lacks it).
   * Results differ from plain SIMD in the last bits (one rounding per multiply-add).
   */
  relaxedSimd?: 'auto' | boolean;
  /** A build of the core to use instead of the bundled one (its own SIMD flag decides `engine.simd`). */
  wasm?: WasmSource;
  /** Upper bound of the engine's memory in MiB (default 2048). */
  maxMemoryMB?: number;
  /**
   * Threads for the GEMMs (docs/threads.md): 1 (default), a count, or 'auto' (the cores
   * the runtime reports). Above 1 the engine runs the threads build of the core (plain
   * SIMD, shared memory) with `threads - 1` workers; where shared memory or workers are
   * unavailable 'auto' falls back to 1 (`engine.threads.reason` says why) and an
   * explicit count is a ValueError.
   */
  threads?: ThreadsOption;
  /** @internal GEMMs below this many flops (2mnk) stay on the calling thread (tests set 0) */
  threadsMinFlops?: number;
  /** @internal feature validator, for tests that simulate a runtime without SIMD */
  validate?: Validator;
  /** @internal threads probe, for tests that simulate a runtime without shared memory */
  threadsProbe?: () => string | null;
}

/** The builds an entry point bundles. */
export interface BundledBuilds {
  simd: WasmSource;
  scalar: WasmSource;
  /** the SIMD build compiled with relaxed SIMD */
  relaxed?: WasmSource;
  /** the SIMD build with wasm threads and an imported shared memory (default: made from `simd`'s bytes, runtime/shared-module.ts) */
  threads?: WasmSource;
}

const DEFAULT_MAX_MB = 2048;

/**
 * Instantiates the core and returns what a `Core` (and so the `Engine` of `init()`) is
 * made from. Bytes are compiled only when no `WebAssembly.Module`
 * is at hand, since edge runtimes (workerd) forbid compiling bytes at run time.
 */
export async function instantiateCore(builds: BundledBuilds | null, options: InitOptions = {}): Promise<CoreSetup> {
  const { simd = 'auto', relaxedSimd = 'auto', wasm, maxMemoryMB = DEFAULT_MAX_MB, validate = defaultValidator } = options;
  if (simd !== 'auto' && simd !== true && simd !== false) {
    throw new ValueError(`init: simd must be 'auto', true or false, got ${describe(simd)}`);
  }
  if (relaxedSimd !== 'auto' && relaxedSimd !== true && relaxedSimd !== false) {
    throw new ValueError(`init: relaxedSimd must be 'auto', true or false, got ${describe(relaxedSimd)}`);
  }
  if (relaxedSimd === true && simd === false) {
    throw new ValueError('init: relaxedSimd is true but simd is false; relaxed SIMD needs the SIMD build');
  }
  if (typeof maxMemoryMB !== 'number' || !(maxMemoryMB > 0) || maxMemoryMB > 65536) {
    throw new ValueError(`init: maxMemoryMB must be in (0, 65536], got ${describe(maxMemoryMB)}`);
  }
  const relaxedValidates = supportsRelaxedSimd(validate);
  // a relaxed threads build is made from the relaxed build's bytes (shared-module.ts), never from a precompiled Module
  const relaxedThreads = builds !== null && builds.relaxed !== undefined && !(builds.relaxed instanceof WebAssembly.Module) && relaxedValidates;
  const threads = resolveThreads(
    options.threads,
    {
      simd: wasm === undefined && (simd === 'auto' ? supportsSimd(validate) : simd),
      custom: wasm !== undefined,
      hasThreadsBuild: builds !== null && (builds.threads !== undefined || !(builds.simd instanceof WebAssembly.Module)),
      relaxedRequired: relaxedSimd === true && !relaxedThreads,
    },
    options.threadsProbe,
  );
  const { threadsMinFlops = DEFAULT_MIN_FLOPS } = options;
  if (typeof threadsMinFlops !== 'number' || !(threadsMinFlops >= 0)) {
    throw new ValueError(`init: threadsMinFlops must be a number >= 0, got ${describe(threadsMinFlops)}`);
  }
  let source: WasmSource;
  if (wasm !== undefined) {
    if (!(wasm instanceof WebAssembly.Module || wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm))) {
      throw new ValueError(`init: wasm must be the core's bytes (ArrayBuffer, Uint8Array) or a WebAssembly.Module, got ${describe(wasm)}`);
    }
    source = wasm;
  } else {
    if (builds === null) throw new ValueError('init: no bundled core in this entry; pass options.wasm');
    const useSimd = simd === 'auto' ? supportsSimd(validate) : simd;
    const hasRelaxed = builds.relaxed !== undefined && relaxedValidates;
    if (relaxedSimd === true && !hasRelaxed) {
      throw new ValueError(
        'init: relaxedSimd is true but this runtime does not validate relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)',
      );
    }
    const useRelaxed = useSimd && relaxedSimd !== false && hasRelaxed;
    if (threads.count > 1) {
      source = useRelaxed && relaxedThreads ? sharedMemoryBuild(bytesOf(builds.relaxed as BufferSource)) : (builds.threads ?? sharedMemoryBuild(bytesOf(builds.simd as BufferSource)));
    } else source = useRelaxed ? builds.relaxed! : useSimd ? builds.simd : builds.scalar;
  }
  let module: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) module = source;
  else {
    try {
      module = await WebAssembly.compile(source);
    } catch (e) {
      if (wasm === undefined) throw e;
      throw new FormatError(`init: wasm is not a WebAssembly module this runtime can compile (${(e as Error).name}: ${(e as Error).message})`);
    }
  }
  if (wasm !== undefined) checkCoreModule(module);
  if (threads.count > 1) {
    const maxBytes = Math.floor(maxMemoryMB * 1048576);
    const splat = relaxedValidates ? 1 : 0;
    const bytes = source instanceof WebAssembly.Module ? undefined : source;
    // the relaxed threads build's tile, on every thread (gemm-tile.ts; no effect in the plain SIMD build)
    const t = await instantiateThreaded(module, bytes, threads.count, maxBytes, splat, relaxedTileRows());
    return { instance: t.instance, simd: true, maxMemoryBytes: maxBytes, heapBase: t.heapBase, threads, pool: t.pool, threadsMinFlops };
  }
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, {});
  } catch (e) {
    if (wasm === undefined) throw e;
    throw new FormatError(`init: wasm could not be instantiated (${(e as Error).name}: ${(e as Error).message})`);
  }
  const isSimd = (instance.exports.build_simd as () => number)() === 1;
  if (wasm !== undefined && simd === true && !isSimd) {
    throw new ValueError('init: simd is true but the given wasm is the scalar build');
  }
  if (wasm !== undefined && relaxedSimd === true && (instance.exports.build_relaxed_simd as () => number)() !== 1) {
    throw new ValueError('init: relaxedSimd is true but the given wasm is not the relaxed-SIMD build');
  }
  // The plain SIMD build's GEMM: pre-splatted A where the engine validates relaxed SIMD (newer
  // engines compile that kernel faster), broadcast A elsewhere (Node 20); same bits either way.
  if (isSimd) (instance.exports.gemm_set_splat_a as (on: number) => void)(relaxedValidates ? 1 : 0);
  // The relaxed build's GEMM tile: 6x8 where the engine keeps its 15 registers, else 4x8 (gemm-tile.ts).
  const setTile = instance.exports.gemm_set_tile_rows;
  if (typeof setTile === 'function' && (instance.exports.build_relaxed_simd as () => number)() === 1) setTile(relaxedTileRows());
  return { instance, simd: isSimd, maxMemoryBytes: Math.floor(maxMemoryMB * 1048576), threads };
}

/** A BufferSource as a Uint8Array over the same bytes. */
function bytesOf(b: BufferSource): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The exports the host reads before anything else: the memory and the build's identity (see Kernels). */
const IDENTITY: [string, 'memory' | 'function'][] = [
  ['memory', 'memory'],
  ['mem_heap_base', 'function'],
  ['build_simd', 'function'],
  ['build_relaxed_simd', 'function'],
  ['gemm_set_splat_a', 'function'],
  ['gemm_splat_a', 'function'],
];

/**
 * Checks that a module given as `options.wasm` looks like a build of the core: it
 * imports nothing (the core is built with the stub runtime and no imports) and exports
 * the memory and the identity functions. A `FormatError` names what is missing, so a
 * wrong file fails here rather than as a TypeError at the first kernel call.
 */
function checkCoreModule(module: WebAssembly.Module): void {
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    const i = imports[0];
    throw new FormatError(`init: wasm is not the wasmgrad core: it imports ${i.module}.${i.name} (${i.kind}${imports.length > 1 ? ` and ${imports.length - 1} more` : ''}); the core imports nothing`);
  }
  const kinds = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const missing = IDENTITY.filter(([name, kind]) => kinds.get(name) !== kind).map(([name, kind]) => `${name} (${kind})`);
  if (missing.length > 0) throw new FormatError(`init: wasm is not the wasmgrad core: it does not export ${missing.join(', ')}`);
}

