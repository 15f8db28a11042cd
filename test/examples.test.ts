// The runnable examples (src/examples): each one's headline effect at quick sizes, in both
// builds, and `wasmgrad example` spawned as users run it (list, NAME --json, bad input).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsvFile, ValueError } from '../src/index.js';
import { examples, findExample } from '../src/examples/index.js';
import { BUILDS, engineFor, removeTempDirs, tempDir } from './helpers.js';
import { testData } from './test-data.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'example', ...args], { cwd: tempDir('wasmgrad-ex-'), encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
afterAll(removeTempDirs);

const run = async (build: (typeof BUILDS)[number], name: string) => {
  const e = await engineFor(build);
  const lines: string[] = [];
  const digits = findExample(name).data?.includes('digits') ? await loadCsvFile(testData('digits.csv')) : undefined;
  const r = await findExample(name).run(e, { quick: true, seed: 0, log: (l) => lines.push(l), data: { digits } });
  console.log(`${name} (${build}):\n${lines.join('\n')}`);
  return r.headline;
};

for (const b of BUILDS) {
  describe(`examples: headline effects (${b}, quick sizes)`, () => {
    it("text-bag: rare words' rows learn faster (relative to frequent ones) under sparse Adam and Adam than under SGD", async () => {
      const h = await run(b, 'text-bag');
      expect(h['sparseAdam.rareOverFrequent']).toBeGreaterThan(2 * h['sgd.rareOverFrequent']);
      expect(h['adam.rareOverFrequent']).toBeGreaterThan(2 * h['sgd.rareOverFrequent']);
      for (const m of ['sparseAdam', 'adam', 'sgd']) expect(h[`${m}.accuracy`]).toBeGreaterThan(0.8);
    });

    it('poisson-burst: after the burst AdaGrad stays far off while RMSProp and Adam recover', async () => {
      const h = await run(b, 'poisson-burst');
      expect(h['adagrad.after']).toBeGreaterThan(5 * h['rmsprop.after']);
      expect(h['adagrad.after']).toBeGreaterThan(5 * h['adam.after']);
      expect(h['adagrad.after']).toBeGreaterThan(10 * h['adagrad.before']);
    });

    it("multitask: the summed gradient raises task A's loss; PCGrad and MGDA lower both", async () => {
      const h = await run(b, 'multitask');
      expect(h['sum.taskA']).toBeGreaterThan(1.5);
      expect(h['sum.taskB']).toBeLessThan(1);
      for (const m of ['pcgrad', 'mgda']) {
        expect(h[`${m}.taskA`], m).toBeLessThan(1);
        expect(h[`${m}.taskB`], m).toBeLessThan(1);
      }
    });

    it('adversarial-digits: adversarial training raises robust accuracy', async () => {
      const h = await run(b, 'adversarial-digits');
      expect(h['adversarial.robust']).toBeGreaterThan(h['plain.robust'] + 0.15);
      expect(h['adversarial.clean']).toBeGreaterThan(0.85);
    });

    it("federated-digits: noise-weighted FedAvg all but drops the random-label client and ends with a lower validation loss than plain FedAvg", async () => {
      const h = await run(b, 'federated-digits');
      expect(h['plain.noisyWeight']).toBeGreaterThan(0.2);
      expect(h['weighted.noisyWeight']).toBeLessThan(0.2 * h['plain.noisyWeight']);
      expect(h['weighted.valLoss']).toBeLessThan(0.75 * h['plain.valLoss']);
      expect(h['weighted.valAccuracy']).toBeGreaterThan(0.85);
    });
  });
}

describe('the example registry and `wasmgrad example`', () => {
  it('names are unique kebab-case; findExample refuses an unknown name with the list', () => {
    const names = examples.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(names).toEqual(expect.arrayContaining(['text-bag', 'poisson-burst', 'multitask', 'adversarial-digits', 'federated-digits']));
    expect(() => findExample('nope')).toThrow(ValueError);
    expect(() => findExample('nope')).toThrow(/'text-bag'/);
  });

  it('list --json, NAME --quick --json, and exit 2 on an unknown example', () => {
    const l = cli(['list', '--json']);
    expect(l.code).toBe(0);
    expect(JSON.parse(l.out).map((d: { name: string }) => d.name)).toEqual(examples.map((e) => e.name));
    const r = cli(['multitask', '--quick', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.name).toBe('multitask');
    expect(doc.headline['sum.taskA']).toBeGreaterThan(1.5);
    const t = cli(['multitask', '--quick']);
    expect(t.out).toMatch(/pcgrad task A loss/);
    expect(t.out).toMatch(/sum\.taskA\s+2\.\d+/);
    const f = cli(['federated-digits', '--quick', '--json']); // digits from test/data/ next to dist/ (the default --data)
    expect(f.err).toBe('');
    expect(f.code).toBe(0);
    const fh = JSON.parse(f.out).headline;
    expect(fh['weighted.valLoss']).toBeLessThan(fh['plain.valLoss']);
    expect(fh['weighted.noisyWeight']).toBeLessThan(fh['plain.noisyWeight']);
    const bad = cli(['nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown example "nope"/);
  });
});
