// The playground in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core, as test/runtimes/chromium.mjs does), against dist/web served by
// scripts/playground-serve.mjs on 127.0.0.1. Any request that leaves that origin is
// blocked and fails the test; after the first load the browser is put offline.
// Screenshots of the three views at desktop and phone width go to test/web/artifacts/
// (git-ignored). No timing is asserted except the "within 3 s / 20 s" bounds
// and "scalar shows fewer steps/s than SIMD" (a comparison in one run).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/index.js';
import { decodeHash, defaultSettings } from '../../src/web/settings.js';
// @ts-expect-error: plain .mjs scripts without types
import { buildWeb } from '../../scripts/playground-build.mjs';
// @ts-expect-error: plain .mjs scripts without types
import { serveStatic } from '../../scripts/playground-serve.mjs';
import { ARGS, CHROMIUM, sleep, until } from './harness.js';

const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = resolve(__dirname, 'artifacts');

let server: Server;
let context: BrowserContext;
let page: Page;
let origin = '';
let profile = '';
const problems: string[] = [];

const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim() ?? '';
const num = async (id: string) => Number.parseFloat(await text(id));

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/web/index.html')) || !existsSync(join(ROOT, 'dist/web/worker.js'))) {
    process.chdir(ROOT);
    await buildWeb(esbuild);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serveStatic(join(ROOT, 'dist/web'), 0);
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  profile = mkdtempSync(join(tmpdir(), 'wasmgrad-web-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 30_000, viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    problems.push(`request outside the test server: ${url}`);
    return route.abort();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  if (server) {
    const closed = new Promise((ok) => server.close(ok));
    server.closeAllConnections();
    await closed;
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Desktop and phone screenshots; at 360 px the page must not scroll sideways. */
async function screenshots(view: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${view}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 760 });
  await sleep(400);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${view} at 360 px`).toBeLessThanOrEqual(360);
  await page.screenshot({ path: join(ARTIFACTS, `${view}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await sleep(200);
}

async function axeViolations(): Promise<string[]> {
  // injected once (no navigation happens between the views)
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('playground (dist/web in headless Chromium)', () => {
  let firstLoss = '';

  it('loads with no console error or failed request, then keeps working offline', async () => {
    await page.goto(`${origin}/`, { timeout: 30_000 });
    await until('the engine is ready and the first loss is shown', 20_000, async () => (await text('loss-value')) !== '–' && (await text('loss-value')) !== '');
    firstLoss = await text('loss-value');
    expect(Number(firstLoss)).toBeGreaterThan(0.5); // 3 classes: ≈ ln 3 before training
    expect(await page.getByTestId('build-select').locator('option').allTextContents()).toContain('scalar');
    await context.setOffline(true);
    expect(problems).toEqual([]);
  }, 40_000);

  it('trains: the loss falls within 3 s and spirals test accuracy passes 90 % within 20 s', async () => {
    await page.getByTestId('train-start').click();
    await sleep(3000);
    expect(await num('loss-value')).toBeLessThan(Number(firstLoss));
    const acc = await until('test accuracy > 90 %', 17_000, async () => { const a = await num('test-accuracy'); return a > 90 ? a : null; });
    expect(acc).toBeGreaterThan(90);
    await screenshots('train'); // while it trains
  }, 35_000);

  it('pause stops the step counter; reset restores the first loss', async () => {
    await page.getByTestId('train-pause').click();
    await until('paused', 3000, async () => (await text('steps-per-second')) === '0');
    const steps = await text('train-steps');
    await sleep(800);
    expect(await text('train-steps')).toBe(steps);
    await page.getByTestId('train-reset').click();
    await until('reset to step 0', 3000, async () => (await text('train-steps')) === '0');
    expect(await text('loss-value')).toBe(firstLoss);
  }, 15_000);

  it('the scalar build keeps training and shows fewer steps/s than the SIMD build', async () => {
    const rate = async () => {
      const r: number[] = [];
      for (let i = 0; i < 4; i++) {
        await sleep(500);
        r.push(await num('steps-per-second'));
      }
      return r.sort((a, b) => a - b)[1] + r.sort((a, b) => a - b)[2];
    };
    await page.getByTestId('build-select').selectOption('simd');
    await page.getByTestId('train-start').click();
    await sleep(1200);
    const simd = await rate();
    await page.getByTestId('build-select').selectOption('scalar');
    await sleep(1200);
    const before = await num('train-steps');
    const scalar = await rate();
    expect(await num('train-steps')).toBeGreaterThan(before);
    await page.getByTestId('train-pause').click();
    console.log(`steps/s (median pair of 4 readings): SIMD ${simd / 2}, scalar ${scalar / 2}`);
    expect(scalar).toBeGreaterThan(0);
    expect(scalar, `steps/s: SIMD ${simd / 2}, scalar ${scalar / 2}`).toBeLessThan(simd);
    await page.getByTestId('build-select').selectOption('relaxed');
  }, 20_000);

  it('exports the model (safetensors + sidecar), the loss curves (SVG) and the settings (link)', async () => {
    const downloads: { name: string; bytes: Buffer }[] = [];
    const collect = (d: import('playwright-core').Download) => { d.path().then((p) => downloads.push({ name: d.suggestedFilename(), bytes: readFileSync(p!) })); };
    page.on('download', collect);
    await page.getByTestId('export-checkpoint').click();
    await until('both checkpoint files', 8000, async () => downloads.length >= 2);
    const weights = downloads.find((d) => d.name === 'model.safetensors')!.bytes;
    const sidecar = downloads.find((d) => d.name === 'checkpoint.json')!.bytes.toString('utf8');
    const ck = decodeCheckpoint(new Uint8Array(weights), sidecar);
    expect(ck.tensors.map((t) => `${t.name} ${t.shape.join('x')}`)).toEqual(['0.weight 32x2', '0.bias 32', '2.weight 32x32', '2.bias 32', '4.weight 3x32', '4.bias 3']);
    await page.getByTestId('export-svg').click();
    await until('the SVG file', 8000, async () => downloads.length >= 3);
    page.off('download', collect);
    const svg = downloads[2];
    expect(svg.name).toBe('loss-curves.svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg[\s\S]*train loss[\s\S]*<\/svg>\s*$/);
    await page.getByTestId('export-link').click();
    const link = await page.locator('#share-link').inputValue();
    expect(link.startsWith(`${origin}/#`)).toBe(true);
    expect(decodeHash(new URL(link).hash).settings).toEqual(defaultSettings());
  }, 20_000);

  it('trains on a CSV file, and names the problem in a bad one', async () => {
    const rows = ['x,y,label'];
    for (let i = 0; i < 60; i++) rows.push(`${(i % 2 ? 1 : -1) + 0.1 * Math.sin(i)},${0.2 * Math.cos(3 * i)},${i % 2}`);
    const csv = page.getByLabel('CSV file (x, y, class)');
    await csv.setInputFiles({ name: 'two.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await until('a fresh run on the CSV data', 5000, async () => (await text('train-steps')) === '0' && (await text('loss-value')) !== firstLoss);
    await page.getByTestId('train-step').click();
    await until('one step', 3000, async () => (await text('train-steps')) === '1');
    await csv.setInputFiles({ name: 'three.csv', mimeType: 'text/csv', buffer: Buffer.from('1,2,3,0\n4,5,6,1\n') });
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 3000 }).toContain('three.csv: the playground plots 2 features, the file has 3');
    await page.getByRole('combobox', { name: 'data set' }).selectOption('spirals');
    await until('back on spirals', 5000, async () => (await text('loss-value')) === firstLoss);
  }, 20_000);

  it('trains with L-BFGS (closure steps in the worker, full batch): the loss falls while the page keeps drawing', async () => {
    await page.getByTestId('optimizer-select').selectOption('lbfgs');
    await until('a fresh L-BFGS run', 5000, async () => (await text('train-steps')) === '0' && (await text('loss-value')) === firstLoss);
    await page.locator('[data-hyper="maxIter"]').fill('10');
    await page.locator('[data-hyper="maxIter"]').dispatchEvent('change');
    expect(await page.getByLabel('fused kernel (off: the chain of transforms)').isDisabled()).toBe(true);
    await page.getByTestId('train-start').click();
    const loss = await until('the L-BFGS loss below the first', 15_000, async () => { const l = await num('loss-value'); return l < Number(firstLoss) * 0.8 ? l : null; });
    expect(loss).toBeLessThan(Number(firstLoss));
    expect(page.url()).toContain('opt=lbfgs');
    expect(page.url()).toContain('h.maxIter=10');
    expect(await num('page-fps')).toBeGreaterThan(0); // the page is not blocked by the steps
    await page.getByTestId('train-pause').click();
    await until('paused', 3000, async () => (await text('steps-per-second')) === '0');
    await page.getByTestId('optimizer-select').selectOption('adam');
    await until('back on Adam', 5000, async () => (await text('loss-value')) === firstLoss);
  }, 30_000);

  it('trains with Newton (a small net on moons, started by keyboard); a network too large for it is refused in the page', async () => {
    const hidden = page.getByLabel('hidden layers (widths)');
    const setHidden = async (v: string) => { await hidden.fill(v); await hidden.dispatchEvent('change'); };
    await page.getByRole('combobox', { name: 'data set' }).selectOption('moons');
    await setHidden('8');
    await page.getByTestId('optimizer-select').selectOption('newton');
    expect(await page.getByLabel('L2 λ (adds λ/2·‖θ‖²)').isDisabled()).toBe(true);
    expect(await page.getByLabel('clip gradient norm (0: off)').isDisabled()).toBe(true);
    // a step, then a reset: the worker takes messages in order, so this is the new run's first loss
    await page.getByTestId('train-step').click();
    await until('a Newton step', 10_000, async () => (await text('train-steps')) === '1');
    await page.getByTestId('train-reset').click();
    await until('reset', 5000, async () => (await text('train-steps')) === '0');
    const first = Number(await page.getByTestId('loss-value').getAttribute('data-exact'));
    expect(first).toBeGreaterThan(0.5); // 2 classes: ≈ ln 2
    await page.getByTestId('tab-train').focus();
    await page.keyboard.press('Tab'); // into the panel: Start is its first control
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('train-start');
    await page.keyboard.press('Enter');
    const loss = await until('the Newton loss below half its first value', 20_000, async () => { const l = await num('loss-value'); return l < first / 2 ? l : null; });
    expect(loss).toBeLessThan(first / 2);
    expect(page.url()).toContain('opt=newton');
    await page.getByTestId('train-pause').click();
    await until('paused', 5000, async () => (await text('steps-per-second')) === '0');
    // 64, 64 is 4,482 parameters: refused with the reason, nothing to start
    await setHidden('64, 64');
    await expect.poll(() => text('train-message'), { timeout: 5000 }).toContain('MLP 2-64-64-2 has 4,482 parameters, more than the 2,048 of "max parameters"');
    expect(await page.getByTestId('train-message').isVisible()).toBe(true);
    expect(await page.getByTestId('train-start').isDisabled()).toBe(true);
    expect(await text('loss-value')).toBe('–');
    await page.screenshot({ path: join(ARTIFACTS, 'train-newton-refused.png'), fullPage: true });
    expect(await axeViolations()).toEqual([]);
    // back to the defaults: the message goes, the run is back
    await setHidden('32, 32');
    await page.getByTestId('optimizer-select').selectOption('adam');
    await page.getByRole('combobox', { name: 'data set' }).selectOption('spirals');
    await until('back on spirals with Adam', 10_000, async () => (await text('loss-value')) === firstLoss);
    expect(await page.getByTestId('train-message').isVisible()).toBe(false);
    expect(await page.getByTestId('train-start').isDisabled()).toBe(false);
    expect(problems).toEqual([]);
  }, 60_000);

  it('Train view: no serious or critical axe violation', async () => {
    expect(await axeViolations()).toEqual([]);
  }, 20_000);

  it('Race: on Rosenbrock every selected optimizer draws a path and Adam ends closer to (1, 1)', async () => {
    await page.getByTestId('tab-train').focus();
    await page.keyboard.press('ArrowRight'); // the tabs are keyboard-operable
    await expect.poll(() => page.getByTestId('tab-race').getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('race-landscape').selectOption('rosenbrock');
    await page.getByTestId('race-start').click();
    await until('the race ends (500 steps)', 15_000, async () => (await text('race-step')) === '500');
    const racers = ['gd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw', 'langevin', 'lbfgs', 'newton'];
    for (const name of racers) {
      const points = ((await page.getByTestId(`race-path-${name}`).getAttribute('points')) ?? '').trim().split(/\s+/);
      // a first-order racer has a vertex per step; a solver one per iteration until it converges
      expect(points.length, name).toBeGreaterThan(name === 'lbfgs' || name === 'newton' ? 5 : 100);
    }
    const adam = page.getByTestId('race-path-adam');
    const [sx, sy] = ((await adam.getAttribute('data-start')) ?? '').split(',').map(Number);
    const [fx, fy] = ((await adam.getAttribute('data-final')) ?? '').split(',').map(Number);
    expect(Math.hypot(fx - 1, fy - 1)).toBeLessThan(Math.hypot(sx - 1, sy - 1));
  }, 25_000);

  it('Race view: screenshots and no serious or critical axe violation; a click sets the start; still no error', async () => {
    await screenshots('race');
    expect(await axeViolations()).toEqual([]);
    // Rosenbrock's box is [-2, 2] × [-1, 3]: 3/4 across and 1/4 down is (1, 2)
    const box = (await page.getByTestId('race-plot').boundingBox())!;
    await page.getByTestId('race-plot').click({ position: { x: 0.75 * box.width, y: 0.25 * box.height } });
    expect(Number(await page.getByLabel('start x').inputValue())).toBeCloseTo(1, 1);
    expect(Number(await page.getByLabel('start y').inputValue())).toBeCloseTo(2, 1);
    await page.getByTestId('race-start').click();
    const from = await until('a path from the clicked start', 10_000, async () => page.getByTestId('race-path-adam').getAttribute('data-start'));
    expect(from.split(',').map(Number)).toEqual([Number(await page.getByLabel('start x').inputValue()), Number(await page.getByLabel('start y').inputValue())]);
    expect(problems).toEqual([]);
  }, 20_000);

  it('Experiments: runs an experiment of the gallery in the worker with its checks and plot; its counter-case fails', async () => {
    await page.getByTestId('tab-experiments').click();
    await expect.poll(() => page.getByTestId('tab-experiments').getAttribute('aria-selected')).toBe('true');
    const names = await page.getByTestId('experiment-select').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names).toContain('gd-step-size-threshold');
    await page.getByTestId('experiment-select').selectOption('gd-step-size-threshold');
    expect(await text('experiment-claim')).toMatch(/2\/L/);
    const verdict = async () => {
      await page.getByTestId('experiment-run').click();
      return until('a verdict', 20_000, async () => { const v = await text('experiment-verdict'); return v === 'pass' || v === 'fail' ? v : null; });
    };
    expect(await verdict()).toBe('pass');
    expect(await page.getByTestId('experiment-checks').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('experiment-plot').isVisible()).toBe(true);
    expect(page.url()).toContain('experiment=gd-step-size-threshold');
    await page.getByTestId('experiment-counter').click();
    expect(await page.locator('[data-param="below"]').inputValue()).toBe('2.05');
    expect(await verdict()).toBe('fail');
    await page.getByTestId('experiment-defaults').click();
    expect(await verdict()).toBe('pass');
  }, 60_000);

  it('Experiments view: screenshots and no serious or critical axe violation; still no error', async () => {
    await screenshots('experiments');
    expect(await axeViolations()).toEqual([]);
    expect(problems).toEqual([]);
  }, 20_000);
});
