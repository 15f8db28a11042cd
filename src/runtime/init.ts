import { ValueError } from '../errors.js';
import { Engine } from './engine.js';
import { defaultValidator, supportsSimd, type Validator } from './features.js';

/** Where the wasm comes from: bytes (compiled here) or a precompiled module (workerd). */
export type WasmSource = BufferSource | WebAssembly.Module;

export interface InitOptions {
  /** 'auto' (default): SIMD when the runtime validates it; true/false force a build. */
  simd?: 'auto' | boolean;
  /** A build of the core to use instead of the bundled one (its own SIMD flag decides `engine.simd`). */
  wasm?: WasmSource;
  /** Upper bound of the engine's memory in MiB (default 2048). */
  maxMemoryMB?: number;
  /** @internal feature validator, for tests that simulate a runtime without SIMD */
  validate?: Validator;
}

/** The two builds an entry point bundles. */
export interface BundledBuilds {
  simd: WasmSource;
  scalar: WasmSource;
}

const DEFAULT_MAX_MB = 2048;

/**
 * Instantiates the core. Bytes are compiled only when no `WebAssembly.Module`
 * is at hand, since edge runtimes (workerd) forbid compiling bytes at run time.
 */
export async function initWith(builds: BundledBuilds | null, options: InitOptions = {}): Promise<Engine> {
  const { simd = 'auto', wasm, maxMemoryMB = DEFAULT_MAX_MB, validate = defaultValidator } = options;
  if (simd !== 'auto' && simd !== true && simd !== false) {
    throw new ValueError(`init: simd must be 'auto', true or false, got ${String(simd)}`);
  }
  if (typeof maxMemoryMB !== 'number' || !(maxMemoryMB > 0) || maxMemoryMB > 65536) {
    throw new ValueError(`init: maxMemoryMB must be in (0, 65536], got ${String(maxMemoryMB)}`);
  }
  let source: WasmSource;
  if (wasm !== undefined) {
    source = wasm;
  } else {
    if (builds === null) throw new ValueError('init: no bundled core in this entry; pass options.wasm');
    const useSimd = simd === 'auto' ? supportsSimd(validate) : simd;
    source = useSimd ? builds.simd : builds.scalar;
  }
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  const isSimd = (instance.exports.build_simd as () => number)() === 1;
  if (wasm !== undefined && simd === true && !isSimd) {
    throw new ValueError('init: simd is true but the given wasm is the scalar build');
  }
  return new Engine(instance, isSimd, Math.floor(maxMemoryMB * 1048576));
}
