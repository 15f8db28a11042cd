// wasmgrad federated serve | demo, spawned as users run them (node dist/cli.js): serve answers on
// its port and stops on SIGINT, a port in use is exit 1 with a NetworkError, the demo (3 clients,
// one under Deno, one noisy, 2 rounds) prints JSON lines whose last one has the documented shape,
// writes its SVG, and refuses bad flags with exit 2. Bounded waits only, no timing asserts.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'wasmgrad-fedcli-'));
  dirs.push(d);
  return d;
};

function run(args: string[], timeoutMs = 240_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => (clearTimeout(t), resolve({ code, out, err })));
  });
}

describe('wasmgrad federated', () => {
  it('serve answers, stops on SIGINT; a port in use is exit 1 with a NetworkError', async () => {
    const storage = temp();
    const child = spawn(process.execPath, [CLI, 'federated', 'serve', '--port', '0', '--storage', storage], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const t0 = Date.now();
    while (!/federated aggregator on (http:\S+)/.test(out) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
    const url = /federated aggregator on (http:\S+)/.exec(out)![1];
    expect(await (await fetch(`${url}/`)).json()).toEqual({ ok: true, service: 'wasmgrad-federated' });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped: interrupted/);

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const r = await run(['federated', 'serve', '--port', String(port), '--storage', storage], 60_000);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`NetworkError: federated serve: 127\\.0\\.0\\.1:${port} is already in use`));
  });

  it('demo --json: per-round lines, then { rounds, plain, weighted }; Node and Deno clients; an SVG', async () => {
    const out = temp();
    const r = await run(['federated', 'demo', '--clients', '3', '--noisy', '1', '--rounds', '2', '--deno', '1', '--json', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.round)).toEqual([1, 2, undefined]);
    const last = lines.at(-1);
    expect(Object.keys(last)).toEqual(['rounds', 'plain', 'weighted']);
    expect(last.rounds).toBe(2);
    for (const k of ['plain', 'weighted']) {
      expect(Object.keys(last[k])).toEqual(['valLoss', 'valAccuracy']);
      expect(last[k].valLoss).toBeGreaterThan(0);
      expect(last[k].valAccuracy).toBeGreaterThanOrEqual(0);
    }
    expect(existsSync(join(out, 'federated.svg'))).toBe(true);
    expect(readFileSync(join(out, 'federated.svg'), 'utf8')).toMatch(/noise-weighted FedAvg/);
  });

  it('bad flags are usage errors (exit 2)', async () => {
    const a = await run(['federated', 'demo', '--clients', '3', '--noisy', '3'], 60_000);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--noisy \(3\) must be less than --clients \(3\)/);
    const b = await run(['federated', 'launch'], 60_000);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/unknown subcommand "launch"/);
  });
});
