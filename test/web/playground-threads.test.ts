// The playground's threads in headless Chromium (issue 18 item 2, issue 19 item 1's
// browser part). dist/web is served twice by scripts/playground-serve.mjs: once with
// the cross-origin-isolation headers (COOP same-origin, COEP require-corp) and once
// without. Isolated, the page's worker makes the threaded engine (init({ threads: 2 }):
// the threads build on a shared memory, one pool worker beside the page's worker) and
// a run whose matrix products are above the split threshold (MLP 2-256-256-3, batch
// 256: 2·256·256·256 = 33.5 MFLOP per product) gives the same loss bits, step after
// step, as the one-thread SIMD build. Not isolated, the threaded build is not offered
// and the page says why (the library's fallback of threads: 'auto' to one thread).
// The page's main thread may not block in Atomics.wait (checked): the pool waits in
// the worker. No timing is asserted.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs scripts without types
import { buildWeb } from '../../scripts/playground-build.mjs';
// @ts-expect-error: plain .mjs scripts without types
import { serveStatic } from '../../scripts/playground-serve.mjs';
import { ARGS, CHROMIUM, until } from './harness.js';

const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = resolve(__dirname, 'artifacts');
// wide layers and batches, so that every training GEMM is split between the threads
const HASH = '#view=train&data=spirals&n=1000&hidden=256,256&batchSize=256';

const servers: Server[] = [];
let context: BrowserContext;
let profile = '';
const problems: string[] = [];

async function open(isolated: boolean): Promise<{ page: Page; origin: string }> {
  const server: Server = await serveStatic(join(ROOT, 'dist/web'), 0, { isolated });
  servers.push(server);
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  await page.goto(`${origin}/${HASH}`, { timeout: 30_000 });
  await until('the engine is ready', 30_000, async () => !['', '–'].includes((await page.getByTestId('loss-value').textContent()) ?? ''));
  return { page, origin };
}

const text = async (page: Page, id: string) => (await page.getByTestId(id).textContent())?.trim() ?? '';

/** From a reset, `steps` optimizer steps on `build`: the exact training loss after each (step 0 first). */
async function losses(page: Page, build: string, threads: number, steps: number): Promise<string[]> {
  await page.getByTestId('build-select').selectOption(build);
  await until(`the ${build} engine`, 30_000, async () => (await page.getByTestId('threads-note').getAttribute('data-threads')) === String(threads));
  // a step first, so that "step 0" below is the reset's report on this engine, not an earlier one
  await page.getByTestId('train-step').click();
  await until('a step', 10_000, async () => (await text(page, 'train-steps')) !== '0');
  await page.getByTestId('train-reset').click();
  await until('reset', 10_000, async () => (await text(page, 'train-steps')) === '0');
  const out = [(await page.getByTestId('loss-value').getAttribute('data-exact')) ?? ''];
  for (let i = 1; i <= steps; i++) {
    await page.getByTestId('train-step').click();
    await until(`step ${i}`, 10_000, async () => (await text(page, 'train-steps')) === String(i));
    out.push((await page.getByTestId('loss-value').getAttribute('data-exact')) ?? '');
  }
  return out;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/web/index.html')) || !existsSync(join(ROOT, 'dist/web/worker.js'))) {
    process.chdir(ROOT);
    await buildWeb(esbuild);
  }
  profile = mkdtempSync(join(tmpdir(), 'wasmgrad-web-threads-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 30_000, viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  for (const server of servers) {
    const closed = new Promise((ok) => server.close(ok));
    server.closeAllConnections();
    await closed;
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('playground threads (headless Chromium)', () => {
  it('cross-origin isolated: 2 threads in the worker give the one-thread SIMD loss (first step bit for bit, then within 1e-6)', async () => {
    const { page } = await open(true);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    // the page's main thread may not block: the pool can only wait in the worker
    expect(await page.evaluate(() => { try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0); return 'may block'; } catch { return 'refused'; } })).toBe('refused');
    expect(await page.locator('[data-testid="build-select"] option[value="threads"]').isDisabled()).toBe(false);
    expect(await text(page, 'threads-note')).toContain('cross-origin isolated');
    const simd = await losses(page, 'simd', 1, 3);
    const threads = await losses(page, 'threads', 2, 3);
    expect(await text(page, 'threads-note')).toMatch(/^2 threads/);
    console.log(`losses, steps 0-3: SIMD ${simd.join(' ')}; SIMD on 2 threads ${threads.join(' ')}`);
    expect(new Set(simd).size).toBe(4); // every step moved the loss
    // batch 256 on 2 threads is a data-parallel step (model.parallel 'auto', docs/threads.md): the first
    // loss is one thread's to the last bit, the later ones within rounding (the gradients sum in another order)
    expect(threads[0]).toBe(simd[0]); // f64 text of the f32 loss: every bit
    threads.forEach((v, i) => expect(Math.abs(Number(v) - Number(simd[i])), `step ${i}`).toBeLessThanOrEqual(1e-6 * Number(simd[i])));
    // and a run keeps training on two threads while the page draws
    const first = Number(simd[0]);
    await page.getByTestId('train-start').click();
    await until('the loss falls on 2 threads', 30_000, async () => Number(await page.getByTestId('loss-value').getAttribute('data-exact')) < first * 0.9);
    expect(Number(await text(page, 'page-fps'))).toBeGreaterThan(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'train-threads-desktop.png'), fullPage: true }); // docs/playground.md, Threads
    await page.getByTestId('train-pause').click();
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('not isolated: one thread, the threaded build is not offered, and the page says why', async () => {
    const { page } = await open(false);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
    expect(await page.locator('[data-testid="build-select"] option[value="threads"]').isDisabled()).toBe(true);
    await until('a report', 10_000, async () => (await page.getByTestId('threads-note').getAttribute('data-threads')) === '1');
    const note = await text(page, 'threads-note');
    expect(note).toMatch(/^one thread: /);
    expect(note).toMatch(/cross-origin isolated/);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
