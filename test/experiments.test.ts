// The gallery (src/experiments/): every experiment at its small size passes in both builds,
// and every counter-case (parameters outside the claim's condition) fails. A stochastic
// experiment also runs with a second seed. Every experiment runs through runExperimentAsync
// (the form that runs the async ones too); runExperiment, the synchronous form, refuses them. Checks must be real comparisons: each has a
// finite threshold and a pass flag that agrees with its value.
import { describe, expect, it } from 'vitest';
import { atLeast, result } from '../src/experiments/types.js';
import { experiments, findExperiment, reportJson, resolveParams, runExperiment, runExperimentAsync, ValueError, type AsyncExperiment } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

const summary = (r: Awaited<ReturnType<typeof runExperimentAsync>>): string =>
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
    await expect(runExperimentAsync(engine, e, { noSuchParam: 1 })).rejects.toThrow(/unknown parameter/);
  });

  it('the async form: runExperimentAsync awaits an async run inside the arena mark; runExperiment refuses it', async () => {
    const engine = await engineFor('simd');
    const used = engine.arena.usedBytes;
    const tick: AsyncExperiment = {
      name: 'async-tick', title: 'an async experiment', claim: 'It awaits.', source: 'this test',
      params: { n: { default: 3, min: 1, max: 10, integer: true, help: 'size' } },
      async: true,
      async run(en, p) {
        const v = en.vector(p.n); // allocated before an await, released after the run
        await new Promise((r) => setTimeout(r, 1));
        return result([atLeast('size', v.numParameters, p.n)], [{ name: 'y', y: [1, 2] }], { xLabel: 'x', yLabel: 'y' }, { header: ['n'], rows: [[p.n]] });
      },
    };
    const r = await runExperimentAsync(engine, tick, { n: 4 }, 2);
    expect([r.verdict, r.params.n, r.seed]).toEqual(['pass', 4, 2]);
    expect(engine.arena.usedBytes).toBe(used);
    expect(() => runExperiment(engine, tick)).toThrow(/asynchronous.*runExperimentAsync/);
    // the sync experiments run through either form with the same result
    const e = findExperiment('momentum-low-pass');
    expect((await runExperimentAsync(engine, e, e.small)).checks).toEqual(runExperiment(engine, e, e.small).checks);
  });
});

for (const build of BUILDS) {
  describe(`every experiment passes at its small size (${build})`, () => {
    for (const e of experiments) {
      it(e.name, async () => {
        const engine = await engineFor(build);
        const used = engine.arena.usedBytes;
        const r = await runExperimentAsync(engine, e, e.small);
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
          const r2 = await runExperimentAsync(engine, e, e.small, 12345);
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
      const r = await runExperimentAsync(engine, e, { ...e.small, ...e.counter!.params });
      expect(r.verdict, summary(r)).toBe('fail');
    });
  }
});
