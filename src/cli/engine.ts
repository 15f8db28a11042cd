import { init, type Engine } from '../engine.js';
import { supportsRelaxedSimd } from '../runtime/features.js';
import { proc } from './host.js';

/** The V8 flag that lets Node 20 (V8 11.3) validate relaxed SIMD; Node >= 22 needs none. */
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * The engine for --simd and --relaxed-simd auto|on|off. The CLI owns its process, so
 * unless relaxed SIMD or SIMD is off it may turn on V8's relaxed-SIMD flag for itself
 * (the library never does): this must happen before anything is compiled. 'auto' falls
 * back to plain SIMD where the runtime still does not validate it; 'on' then fails in init.
 */
export async function core(simd: string, relaxedSimd: string): Promise<Engine> {
  if (simd !== 'off' && relaxedSimd !== 'off' && !supportsRelaxedSimd()) await allowRelaxedSimd();
  return init({
    simd: simd === 'auto' ? 'auto' : simd === 'on',
    relaxedSimd: relaxedSimd === 'auto' ? 'auto' : relaxedSimd === 'on',
  });
}

async function allowRelaxedSimd(): Promise<void> {
  if (proc().versions?.node === undefined) return;
  // computed specifier: src/ is type-checked without Node's types (as in bench.ts)
  const v8 = (await import(/* @vite-ignore */ ['node', 'v8'].join(':'))) as { setFlagsFromString(flags: string): void };
  v8.setFlagsFromString(RELAXED_FLAG);
}

/** Which core build runs, for the start lines. */
export const buildName = (engine: Engine): string => (engine.relaxedSimd ? 'relaxed-SIMD' : engine.simd ? 'SIMD' : 'scalar');
