// Node runs the smoke scenario in-process against the built universal entry
// (dist/index.js, built by `npm test`'s pretest); scripts/test-runtimes.mjs runs
// the same scenario in Node, Deno, Bun, Chromium and workerd.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { smoke } from './smoke.mjs';

describe('smoke scenario (Node, dist/index.js)', () => {
  it('trains with SIMD, and the forced-scalar engine ends at the same loss', async () => {
    const wasmgrad = await import('../../dist/index.js');
    const r = await smoke(wasmgrad);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.simd).toBe(true);
    expect(r.scalarSimd).toBe(false);
    expect(r.scenario).toBe('xorMlpAdam');
    expect(r.loss).toBeLessThan(0.05);
    expect(r.scenarios.map((s: { name: string }) => s.name)).toEqual(['xorMlpAdam', 'leastSquares']);
  });
});

describe('package.json exports', () => {
  // The package resolves itself by name (self-reference), as a dependent project would.
  const resolveAs = (conditions: string[]) =>
    execFileSync(process.execPath, [...conditions.flatMap((c) => ['-C', c]), '--input-type=module', '-e', "console.log(import.meta.resolve('wasmgrad'))"], {
      encoding: 'utf8',
    }).trim();

  it('gives Node, Deno, Bun and browsers the universal entry', () => {
    expect(resolveAs([])).toMatch(/\/dist\/index\.js$/);
    expect(resolveAs(['browser'])).toMatch(/\/dist\/index\.js$/);
  });

  it('gives workerd (and wrangler: workerd, worker, browser) the workerd entry', () => {
    expect(resolveAs(['workerd'])).toMatch(/\/dist\/workerd\/index\.js$/);
    expect(resolveAs(['workerd', 'worker', 'browser'])).toMatch(/\/dist\/workerd\/index\.js$/);
  });
});
