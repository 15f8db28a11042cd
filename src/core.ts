import relaxed from '../build/wasmgrad.relaxed.wasm';
import scalar from '../build/wasmgrad.scalar.wasm';
import simd from '../build/wasmgrad.simd.wasm';
import type { Engine } from './runtime/engine.js';
import { initWith, type InitOptions } from './runtime/init.js';

/**
 * Creates an engine: one instance of the core with its own memory.
 *
 * ```ts
 * const engine = await init();              // SIMD when the runtime has it
 * const scalar = await init({ simd: false }); // the scalar twin
 * const plain = await init({ relaxedSimd: false }); // SIMD without relaxed SIMD
 * ```
 */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initWith({ simd, scalar, relaxed }, options);
}
