// The gallery (src/experiments/): every experiment at its small size passes in both builds,
// and every counter-case (parameters outside the claim's condition) fails. A stochastic
// experiment also runs with a second seed. Checks must be real comparisons: each has a
// finite threshold and a pass flag that agrees with its value.
import { describe, expect, it } from 'vitest';
import { experiments, findExperiment, reportJson, resolveParams, runExperiment, ValueError } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

const summary = (r: ReturnType<typeof runExperiment>): string =>
  r.checks.map((c) => `${c.pass ? 'ok  ' : 'FAIL'} ${c.name}: ${c.value} ${c.op} ${c.threshold}`).join('\n');

describe('the experiment registry', () => {
  it('has unique kebab-case names, a one-sentence claim, a source and sane parameters', () => {
    const names = new Set<string>();
    for (const e of experiments) {
      expect(e.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(names.has(e.name)).toBe(false);
      names.add(e.name);
      expect(e.claim.trim().endsWith('.')).toBe(true);
      expect(e.title.length).toBeGreaterThan(5);
      expect(e.source.length).toBeGreaterThan(10);
      for (const [k, s] of Object.entries(e.params)) {
        expect(s.min <= s.default && s.default <= s.max, `${e.name}.${k}`).toBe(true);
        if (s.integer) expect(Number.isInteger(s.default)).toBe(true);
      }
      resolveParams(e, e.small ?? {});
      if (e.counter) resolveParams(e, { ...e.small, ...e.counter.params });
    }
  });

  it('refuses unknown names, unknown parameters and values out of range', async () => {
    const engine = await engineFor('simd');
    const e = experiments[0];
    const [k, s] = Object.entries(e.params)[0];
    expect(() => findExperiment('no-such-thing')).toThrow(ValueError);
    expect(() => runExperiment(engine, e, { noSuchParam: 1 })).toThrow(/unknown parameter/);
    expect(() => runExperiment(engine, e, { [k]: s.max + 1 })).toThrow(new RegExp(`${k} must be`));
    expect(() => runExperiment(engine, e, {}, -1)).toThrow(/seed/);
  });
});

for (const build of BUILDS) {
  describe(`every experiment passes at its small size (${build})`, () => {
    for (const e of experiments) {
      it(e.name, async () => {
        const engine = await engineFor(build);
        const used = engine.arena.usedBytes;
        const r = runExperiment(engine, e, e.small);
        expect(engine.arena.usedBytes).toBe(used);
        expect(r.checks.length).toBeGreaterThan(0);
        for (const c of r.checks) {
          expect(Number.isFinite(c.threshold), c.name).toBe(true);
          expect(c.pass, c.name).toBe(c.op === '<=' ? c.value <= c.threshold : c.value >= c.threshold);
        }
        expect(r.verdict, summary(r)).toBe('pass');
        expect(r.series.length).toBeGreaterThan(0);
        const json = reportJson(r);
        expect(Object.keys(json)).toEqual(['name', 'verdict', 'checks', 'params', 'seed']);
        expect(Object.keys(json.checks[0])).toEqual(['name', 'value', 'threshold', 'pass']);
        if (e.stochastic) {
          const r2 = runExperiment(engine, e, e.small, 12345);
          expect(r2.verdict, summary(r2)).toBe('pass');
        }
      });
    }
  });
}

describe('counter-cases: outside the claim\'s condition the verdict fails (simd)', () => {
  for (const e of experiments.filter((x) => x.counter)) {
    it(`${e.name}: ${e.counter!.why}`, async () => {
      const engine = await engineFor('simd');
      const r = runExperiment(engine, e, { ...e.small, ...e.counter!.params });
      expect(r.verdict, summary(r)).toBe('fail');
    });
  }
});
