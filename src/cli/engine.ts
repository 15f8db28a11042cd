import { init } from '../core.js';
import type { Engine } from '../runtime/engine.js';

/** The engine for --simd auto|on|off. */
export function core(simd: string): Promise<Engine> {
  return init({ simd: simd === 'auto' ? 'auto' : simd === 'on' });
}
