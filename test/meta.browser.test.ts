// search({ parallel }) on browser Workers: headless Chromium (Debian's /usr/bin/chromium or
// CHROMIUM_PATH, driven by playwright-core with the harness of test/runtimes/chromium.mjs)
// loads test/runtimes/meta-search.html, which imports the built dist/index.js and runs every
// method with a { module, export } objective (test/fixtures/meta-objective.mjs) on module
// Workers. Checked: parallel 2 gives the same trials as parallel 1 and as in-process for the
// same seed; the Worker path is the one taken (the page spawns exactly the workers the pools
// ask for); aborting rejects with the reason and leaves no worker alive (Playwright's own
// list of the page's workers, page.workers(), is empty).
//
// .ci/run installs chromium with apt-get, so under CI a missing browser FAILS this test; on a
// machine without it (and CI unset) the test is skipped with the reason printed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs harness without types
import { CHROMIUM, CHROMIUM_ARGS, serve } from './runtimes/chromium.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HAVE = existsSync(CHROMIUM as string);
const SKIP = !HAVE && !process.env.CI;
if (SKIP) console.warn(`test/meta.browser.test.ts: SKIPPED, no Chromium at ${CHROMIUM} (apt-get install chromium or set CHROMIUM_PATH; .ci/run installs it)`);

interface Same { method: string; trials: number; ok: number; sameAsParallel1: boolean; sameAsInProcess: boolean; outOfOrder: boolean }
type PageGlobals = Record<string, unknown> & { metaStop(message: string): void };

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
async function until<T>(what: string, ms: number, probe: () => Promise<T | null | false>, problems: string[]): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== null && v !== false) return v;
    if (problems.length > 0) throw new Error(`${what}: the page failed:\n${problems.join('\n')}`);
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

describe.skipIf(SKIP)('search on browser Workers (headless Chromium)', () => {
  it('parallel 2 gives the trials of parallel 1 and in-process for every method; abort rejects and leaves no worker alive', async () => {
    if (!HAVE) throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs it with apt-get (or set CHROMIUM_PATH)`);
    if (!existsSync(join(ROOT, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (npm test does)');
    const { chromium } = await import('playwright-core');
    const server = (await serve(ROOT)) as Server;
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const profile = mkdtempSync(join(tmpdir(), 'wasmgrad-meta-browser-'));
    const problems: string[] = [];
    let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | null = null;
    try {
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
      const page = context.pages()[0] ?? (await context.newPage());
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(`${origin}/`) || url.startsWith('blob:')) return route.continue();
        problems.push(`blocked a request outside the test server: ${url}`);
        return route.abort();
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
      page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
      let spawned = 0;
      page.on('worker', () => spawned++);
      await page.goto(`${origin}/test/runtimes/meta-search.html`, { timeout: 30_000 });

      const result = await until('the same-trials runs', 90_000, () => page.evaluate(() => (window as unknown as Record<string, unknown>).metaSame ?? null), problems) as { ok: boolean; error?: string; same: Same[] };
      expect(result.error).toBeUndefined();
      expect(result.same.map((s) => s.method)).toEqual(['random', 'grid', 'tournament', 'replica-exchange', 'surrogate-acceptance', 'successive-halving']);
      for (const s of result.same) {
        expect(s.sameAsParallel1, s.method).toBe(true);
        expect(s.sameAsInProcess, s.method).toBe(true);
        expect(s.ok, s.method).toBe(s.trials);
        expect(s.trials, s.method).toBeGreaterThan(0);
      }
      console.log(`browser Workers: ${result.same.map((s) => `${s.method} ${s.trials} trials${s.outOfOrder ? ' (out of order)' : ''}`).join(', ')}`);

      await until('the never-ending search', 10_000, () => page.evaluate(() => (window as unknown as Record<string, unknown>).metaRunning === true), problems);
      // per method a pool of 2 (parallel 2) and one of 1 (parallel 1), in-process none; then the pool of 2
      await until('its 2 workers', 20_000, async () => page.workers().length === 2 && spawned === 3 * result.same.length + 2, problems).catch((e: Error) => {
        throw new Error(`${e.message} (alive ${page.workers().length}, spawned ${spawned}, expected ${3 * result.same.length + 2})`);
      });
      await page.evaluate(() => (window as unknown as PageGlobals).metaStop('stop'));
      const aborted = await until('the abort', 20_000, () => page.evaluate(() => (window as unknown as Record<string, unknown>).metaAborted ?? null), problems);
      expect(aborted).toEqual({ rejected: true, message: 'stop' });
      await until('no worker alive', 10_000, async () => page.workers().length === 0, problems);
      expect(problems).toEqual([]);
    } finally {
      await context?.close().catch(() => {});
      const closed = new Promise((ok) => server.close(ok));
      server.closeAllConnections();
      await closed;
      rmSync(profile, { recursive: true, force: true });
    }
  }, 180_000);
});
