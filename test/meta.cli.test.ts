// wasmgrad search, spawned as users run it (node dist/cli.js; built by npm test's pretest).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
function run(args: string[], cwd = tempDir('wasmgrad-search-')) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}
afterAll(removeTempDirs);

const job = ['search', '--data', 'moons', '--samples', '200', '--epochs', '3', '--budget', '6'];

describe('wasmgrad search', () => {
  it('--json: a line per trial, the same trials with --parallel 1 and 2, files written', () => {
    const lines = (r: ReturnType<typeof run>) => r.out.trim().split('\n').map((l) => JSON.parse(l));
    const a = run([...job, '--json', '--method', 'tournament']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const la = lines(a);
    expect(la[0]).toMatchObject({ type: 'start', data: 'moons', method: 'tournament', budget: 6, parallel: 1 });
    const trials = la.filter((l) => l.type === 'trial');
    expect(trials).toHaveLength(6);
    for (const t of trials) {
      expect(Object.keys(t.config).sort()).toEqual(['batchSize', 'lr', 'weightDecay', 'width']);
      expect(t.status).toBe('ok');
      expect(t.value).toBeGreaterThan(0);
    }
    const result = la[la.length - 1];
    expect(result.type).toBe('result');
    expect(result.best.value).toBe(Math.min(...trials.map((t) => t.value)));
    for (const f of ['search.json', 'search.svg']) expect(existsSync(join(a.cwd, 'wasmgrad-out', f)), f).toBe(true);
    expect(readFileSync(join(a.cwd, 'wasmgrad-out', 'search.svg'), 'utf8')).toContain('<svg');

    const b = run([...job, '--json', '--method', 'tournament', '--parallel', '2']);
    expect(b.err).toBe('');
    expect(b.code).toBe(0);
    const byId = (ls: { type: string; id: number }[]) => ls.filter((l) => l.type === 'trial').sort((x, y) => x.id - y.id).map(({ spent: _s, ...t }: Record<string, unknown>) => t);
    expect(byId(lines(b))).toEqual(byId(la));
  }, 240_000);

  it('a progress line per trial and a final table ordered by held-out loss; successive halving trains rungs with fewer epochs', () => {
    const r = run([...job, '--method', 'successive-halving', '--budget', '3', '--epochs', '9']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const trialLines = r.out.split('\n').filter((l) => l.startsWith('trial '));
    expect(trialLines.length).toBeGreaterThan(3);
    expect(trialLines.some((l) => / 1 ep /.test(l))).toBe(true);
    expect(r.out).toMatch(/trial +lr +weight decay +width +batch +held-out loss/);
    const values = r.out.split('\n').filter((l) => /^\d+ +\d\.\d\de[-+]\d/.test(l)).map((l) => Number(l.trim().split(/ +/).pop()));
    expect(values.length).toBeGreaterThan(0);
    expect([...values].sort((x, y) => x - y)).toEqual(values);
    expect(r.out).toMatch(/^best: trial \d+/m);
  }, 240_000);

  it('bad flags are usage errors (exit 2)', () => {
    for (const [args, msg] of [
      [['search', '--method', 'bayes'], /^search: --method must be one of random, grid/],
      [['search', '--budget', '0.5'], /^search: --budget must be ≥ 1/],
      [['search', '--lr', '0.1,0.01'], /^search: --lr must be LO,HI with 0 < LO < HI/],
      [['search', '--width', '64,8'], /^search: --width must be LO,HI with LO <= HI/],
    ] as const) {
      const r = run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });
});
