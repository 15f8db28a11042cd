// The training-run comparison of the search methods (scripts/meta-digits.mjs, issue 15):
// the script's logic on a tiny budget (equal budget in epochs, the re-evaluation, the paired
// margins), and the committed 10-seed result (bench/results/meta-digits.json) against the
// table of docs/meta-optimization.md and the line of the README that quote it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';
import { engineFor } from './helpers.js';
import { testData } from './test-data.js';
// @ts-expect-error: plain .mjs script without types
import * as script from '../scripts/meta-digits.mjs';

const read = (rel: string) => readFileSync(new URL(`../${rel}`, import.meta.url), 'utf8');

interface SeedRow { seed: number; final: number; reevalFailures: number; trials: number; failed: number; spent: number; epochs: number; testAccuracy: number }
interface Row { method: string; seeds: SeedRow[]; mean: number; sd: number; margin?: number; marginSd?: number; relative?: number; wins?: number }

describe('scripts/meta-digits.mjs on a tiny budget', () => {
  it('every method spends at most budget × epochs epochs, each trial a whole number of them, and the best config is retrained', async () => {
    const engine = await engineFor('simd');
    const data = await lib.loadCsvFile(testData('digits.csv'));
    const sets = script.digitsSplits(lib, data.subset(Array.from({ length: 300 }, (_, i) => i)));
    expect([sets.train.length, sets.validation.length, sets.test.length]).toEqual([180, 60, 60]);
    const s = { seeds: 2, budget: 3, epochs: 3, eta: 3, hidden: 8, batchSize: 32, reevals: 1 };
    const { rows } = (await script.compareDigits(lib, engine, sets, s)) as { rows: Row[] };
    expect(rows.map((r) => r.method)).toEqual(script.METHODS);
    for (const r of rows) {
      expect(r.seeds).toHaveLength(2);
      for (const x of r.seeds) {
        expect(x.spent, r.method).toBeLessThanOrEqual(s.budget + 1e-9);
        expect(x.epochs, r.method).toBe(Math.round(x.spent * s.epochs)); // a trial of budget b trained b × epochs epochs
        expect(x.epochs).toBeLessThanOrEqual(s.budget * s.epochs);
        expect(Number.isFinite(x.final) || x.reevalFailures === s.reevals).toBe(true);
      }
    }
    // successive halving trains rungs of 1 and 3 epochs: more trials for the same epochs
    const sh = rows.find((r) => r.method === 'successive-halving')!;
    expect(sh.seeds[0].trials).toBeGreaterThan(s.budget);
    const table = script.digitsTable(rows) as string;
    expect(table.split('\n')).toHaveLength(2 + script.METHODS.length);
    expect(script.digitsMargins(rows)).toMatch(/^tournament [+−][\d.]+ %, replica-exchange .+, surrogate-acceptance .+, successive-halving .+ %$/);
  }, 120_000);

  it('a budget that is not a whole number of epochs fails the trial; epochs must be a power of eta', async () => {
    const engine = await engineFor('simd');
    const ledger = { epochs: 0 };
    const f = script.digitsObjective(lib, engine, null, { ...script.SETTINGS }, ledger);
    await expect(f({ lr: 0.1, momentum: 0.5, weightDecay: 1e-4 }, { budget: 0.5, seed: 0 })).rejects.toThrow('not a whole number of epochs');
    expect(ledger.epochs).toBe(0);
    expect(() => script.checkSettings({ ...script.SETTINGS, epochs: 10 })).toThrow('power of eta');
  });

  it('margins are paired by seed: random − method, its sd, the share of random\'s mean and the seeds won', () => {
    const seeds = (v: number[]) => v.map((final, seed) => ({ seed, final, testAccuracy: 0.9, trials: 30, epochs: 270 }));
    const rows = script.summarize([
      { method: 'random', seeds: seeds([1, 2, 3]) },
      { method: 'tournament', seeds: seeds([0.5, 2.5, 2]) },
    ]) as Row[];
    expect(rows[0].mean).toBe(2);
    expect(rows[1].margin).toBeCloseTo(1 / 3, 12); // (0.5 − 0.5 + 1) / 3
    expect(rows[1].marginSd).toBeCloseTo(Math.sqrt(((0.5 - 1 / 3) ** 2 + (-0.5 - 1 / 3) ** 2 + (1 - 1 / 3) ** 2) / 2), 12);
    expect(rows[1].relative).toBeCloseTo(1 / 6, 12);
    expect(rows[1].wins).toBe(2);
  });
});

describe('the committed comparison (bench/results/meta-digits.json)', () => {
  const committed = JSON.parse(read('bench/results/meta-digits.json')) as { settings: unknown; rows: Row[] };

  it('was made with the script\'s settings and methods, and its summary follows from the per-seed values', () => {
    expect(committed.settings).toEqual({ ...script.SETTINGS });
    expect(committed.rows.map((r) => r.method)).toEqual(script.METHODS);
    const again = script.summarize(committed.rows.map((r) => ({ method: r.method, seeds: r.seeds }))) as Row[];
    for (let i = 0; i < again.length; i++) {
      for (const k of ['mean', 'sd', 'margin', 'marginSd', 'relative', 'wins'] as const) expect(committed.rows[i][k], `${again[i].method} ${k}`).toBe(again[i][k]);
      expect(committed.rows[i].seeds).toHaveLength(script.SETTINGS.seeds);
      for (const x of committed.rows[i].seeds) expect(x.epochs).toBeLessThanOrEqual(script.SETTINGS.budget * script.SETTINGS.epochs);
    }
  });

  it('docs/meta-optimization.md has its table and the README its margins', () => {
    expect(read('docs/meta-optimization.md')).toContain(script.digitsTable(committed.rows));
    const margins = script.digitsMargins(committed.rows) as string;
    expect(read('docs/meta-optimization.md')).toContain(margins);
    expect(read('README.md')).toContain(margins);
  });
});
