// `wasmgrad experiment`, spawned as users run it (node dist/cli.js, built by npm test's pretest):
// the JSON shapes of list and run, the SVG, exit 1 on a failing verdict, exit 2 on bad input.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { experiments } from '../src/index.js';
import { removeTempDirs, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], cwd = tempDir('wasmgrad-exp-')) {
  const r = spawnSync(process.execPath, [CLI, 'experiment', ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

afterAll(removeTempDirs);

describe('wasmgrad experiment', () => {
  it('list --json: an array of { name, title, claim, params } for every experiment', () => {
    const r = run(['list', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.map((d: { name: string }) => d.name)).toEqual(experiments.map((e) => e.name));
    expect(Object.keys(doc[0])).toEqual(['name', 'title', 'claim', 'params']);
    expect(doc[0].params).toEqual(experiments[0].params);
  });

  it('run NAME --json --out DIR: { name, verdict, checks, params, seed } and NAME.svg; a param flag and --seed are used', () => {
    const r = run(['run', 'gd-step-size-threshold', '--steps', '40', '--seed', '3', '--json', '--out', 'figs']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(['name', 'verdict', 'checks', 'params', 'seed']);
    expect(doc).toMatchObject({ name: 'gd-step-size-threshold', verdict: 'pass', seed: 3 });
    expect(doc.params.steps).toBe(40);
    for (const c of doc.checks) expect(Object.keys(c)).toEqual(['name', 'value', 'threshold', 'pass']);
    const svg = readFileSync(join(r.cwd, 'figs', 'gd-step-size-threshold.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
  });

  it('a counter-case prints the table and a FAIL verdict and exits 1', () => {
    const r = run(['run', 'gd-step-size-threshold', '--below', '2.05', '--steps', '40']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/verdict: FAIL/);
    expect(r.out).toMatch(/largest loss increase per step/);
    expect(existsSync(join(r.cwd, 'wasmgrad-out'))).toBe(false);
  });

  it('bad input is a usage error (exit 2): unknown experiment, unknown or out-of-range parameter, unknown subcommand', () => {
    expect(run(['run', 'no-such-experiment']).code).toBe(2);
    const unknown = run(['run', 'gd-step-size-threshold', '--nope', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--nope/);
    const range = run(['run', 'gd-step-size-threshold', '--steps', '1']);
    expect(range.code).toBe(2);
    expect(range.err).toMatch(/--steps must be ≥ 10/);
    expect(run(['frobnicate']).code).toBe(2);
  });

  it('run NAME --help names the claim and the parameters', () => {
    const r = run(['run', 'gd-condition-number', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Claim: /);
    expect(r.out).toMatch(/--kappa/);
  });
});
