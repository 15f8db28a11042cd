import { ValueError } from '../errors.js';
import { describe } from './validate.js';
import type { CoreSetup } from './core.js';
import { defaultValidator, supportsRelaxedSimd, supportsSimd, type Validator } from './features.js';

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
  /** @internal feature validator, for tests that simulate a runtime without SIMD */
  validate?: Validator;
}

/** The builds an entry point bundles. */
export interface BundledBuilds {
  simd: WasmSource;
  scalar: WasmSource;
  /** the SIMD build compiled with relaxed SIMD */
  relaxed?: WasmSource;
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
  let source: WasmSource;
  if (wasm !== undefined) {
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
    source = useRelaxed ? builds.relaxed! : useSimd ? builds.simd : builds.scalar;
  }
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
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
  return { instance, simd: isSimd, maxMemoryBytes: Math.floor(maxMemoryMB * 1048576) };
}
