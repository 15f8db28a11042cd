// `wasmgrad train --optimizer newton`, spawned as users run it (dist/cli.js): full batch and a
// constant step length by default (one damped Newton step on the batch's dense Hessian per
// epoch), a checkpoint that resumes; a model too large for the dense Hessian and bad flag
// values are usage errors (exit 2).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], cwd = tempDir('wasmgrad-cli-newton-')) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}
const lines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l));

afterAll(removeTempDirs);

describe('wasmgrad train --optimizer newton', () => {
  it('full batch, constant lr: moons to ≥ 95% held-out in 15 steps; resumes from its checkpoint', () => {
    const r = run(['train', '--data', 'moons', '--layers', '8,2', '--activation', 'tanh', '--optimizer', 'newton', '--epochs', '15', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const l = lines(r.out);
    const start = l[0], epochs = l.filter((e) => e.type === 'epoch'), result = l[l.length - 1];
    expect(start).toMatchObject({ type: 'start', optimizer: 'newton', lr: 1, schedule: 'constant', batchSize: start.train });
    expect(epochs.length).toBe(15);
    expect(epochs[14].loss).toBeLessThan(0.5 * epochs[0].loss);
    expect(result.heldOut.accuracy).toBeGreaterThanOrEqual(0.95);
    const again = run(['train', '--data', 'moons', '--layers', '8,2', '--activation', 'tanh', '--optimizer', 'newton', '--epochs', '18', '--json', '--resume', join(r.cwd, 'wasmgrad-out', 'checkpoint')], r.cwd);
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect(lines(again.out).filter((e) => e.type === 'epoch').length).toBe(3);
  });

  it('a model too large for the dense Hessian, and a bad damping, are usage errors', () => {
    const r = run(['train', '--data', 'moons', '--optimizer', 'newton']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/maxParameters = 2048.*smaller --layers/);
    const d = run(['train', '--data', 'moons', '--layers', '8,2', '--optimizer', 'newton', '--damping', '-1']);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/damping/);
  });
});
