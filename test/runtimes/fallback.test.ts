// Scalar fallback: a runtime without SIMD (simulated by a validator that says
// no) gets the scalar build, reports it, and trains every smoke scenario to the
// same loss as the SIMD build.
import { describe, expect, it } from 'vitest';
import * as wasmgrad from '../../src/index.js';
import { SCENARIOS } from './smoke.mjs';

describe('scalar fallback', () => {
  it('init() picks scalar when SIMD does not validate, and engine.simd says so', async () => {
    const probes: Uint8Array[] = [];
    const e = await wasmgrad.init({ validate: (b) => (probes.push(b), false) });
    expect(e.simd).toBe(false);
    expect(probes.length).toBeGreaterThan(0);
  });

  for (const sc of SCENARIOS) {
    it(`trains ${sc.name} on the fallback engine like on the SIMD engine`, async () => {
      const fallback = await wasmgrad.init({ validate: () => false });
      const simd = await wasmgrad.init();
      expect(simd.simd).toBe(true);
      const a = await sc.run(fallback, wasmgrad);
      const b = await sc.run(simd, wasmgrad);
      const bound = sc.absBound ?? sc.relBound * a.loss0;
      expect(a.loss, `${sc.name}: fallback loss ${a.loss} from ${a.loss0}, bound ${bound}`).toBeLessThanOrEqual(bound);
      const tol = Math.max(sc.atol * b.loss0, sc.rtol * Math.abs(b.loss));
      expect(Math.abs(a.loss - b.loss), `${sc.name}: fallback ${a.loss} vs SIMD ${b.loss}`).toBeLessThanOrEqual(tol);
    });
  }
});
