// `wasmgrad train --optimizer lbfgs`, spawned as users run it (dist/cli.js): full batch and a
// constant step length by default (one step(closure) = up to --max-iter iterations per
// epoch), strong-Wolfe steps; mini-batches and fixed steps on request; a checkpoint that
// resumes; bad flag values are usage errors (exit 2).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], cwd = tempDir('wasmgrad-cli-lbfgs-')) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}
const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l));

afterAll(removeTempDirs);

describe('wasmgrad train --optimizer lbfgs', () => {
  it('full batch, constant lr, strong Wolfe: moons to ≥ 95% held-out in 15 steps; resumes from its checkpoint', () => {
    const r = run(['train', '--data', 'moons', '--layers', '16,2', '--activation', 'tanh', '--optimizer', 'lbfgs', '--epochs', '15', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const l = lines(r.out);
    const start = l[0], epochs = l.filter((e) => e.type === 'epoch'), result = l[l.length - 1];
    expect(start).toMatchObject({ type: 'start', optimizer: 'lbfgs', lr: 1, schedule: 'constant', batchSize: start.train });
    expect(epochs.length).toBe(15);
    expect(epochs[14].loss).toBeLessThan(0.5 * epochs[0].loss);
    expect(result.heldOut.accuracy).toBeGreaterThanOrEqual(0.95);
    const hist = JSON.parse(readFileSync(join(r.cwd, 'wasmgrad-out', 'history.json'), 'utf8'));
    expect(hist.epochs[14].steps).toBe(15);
    const again = run(['train', '--data', 'moons', '--layers', '16,2', '--activation', 'tanh', '--optimizer', 'lbfgs', '--epochs', '18', '--json', '--resume', join(r.cwd, 'wasmgrad-out', 'checkpoint')], r.cwd);
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect(lines(again.out).filter((e) => e.type === 'epoch').length).toBe(3);
  });

  it('mini-batches and fixed steps on request', () => {
    const r = run(['train', '--data', 'moons', '--layers', '8,2', '--optimizer', 'lbfgs', '--batch-size', '128', '--line-search', 'none', '--lr', '0.3', '--max-iter', '5', '--history-size', '4', '--epochs', '3', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const l = lines(r.out);
    expect(l[0]).toMatchObject({ optimizer: 'lbfgs', lr: 0.3, batchSize: 128 });
    expect(l.filter((e) => e.type === 'epoch').length).toBe(3);
  });

  it('bad values are usage errors', () => {
    const r = run(['train', '--optimizer', 'lbfgs', '--line-search', 'armijo']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line-search/);
    const m = run(['train', '--optimizer', 'lbfgs', '--max-iter', '0']);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/max-iter/);
  });
});
