// Chromium: headless Debian chromium driven by playwright-core against a page
// served by a tiny node:http server on 127.0.0.1 (random free port). The page
// imports dist/index.js as a module script (through an import map, as the
// README shows) and runs the smoke scenario; the
// result is read back with page.evaluate. Any request that leaves the server's
// origin is blocked and reported (the package needs no network).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { withTimeout } from './util.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};
/** Only these folders of the repository are served (test/fixtures: the objectives of test/runtimes/meta-search.html). */
const SERVED = ['dist', join('test', 'runtimes'), join('test', 'fixtures')];

/** Serves `/` = test/runtimes/page.html and files under SERVED from `root`. */
export function serve(root) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      const rel = path === '/' ? join('test', 'runtimes', 'page.html') : normalize(path.slice(1));
      const file = resolve(root, rel);
      if (!SERVED.some((dir) => file.startsWith(resolve(root, dir) + sep)) || req.method !== 'GET') {
        res.writeHead(404).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

/** Runs the smoke page; resolves `{ runtime, version, ...smokeResult }`, never hangs past `timeoutMs`. */
export async function runChromium({ root = process.cwd(), timeoutMs = 120_000 } = {}) {
  const { chromium } = await import('playwright-core');
  const server = await serve(root);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = await mkdtemp(join(tmpdir(), 'wasmgrad-chromium-'));
  let context = null;
  const problems = [];
  try {
    context = await withTimeout(
      chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 }),
      40_000,
      'chromium launch',
    );
    const version = context.browser()?.version() ?? (await chromiumVersion(context));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin + '/')) return route.continue();
      problems.push(`blocked a request outside the test server: ${url}`);
      return route.abort();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    await page.goto(`${origin}/`, { timeout: 30_000 });
    const result = await withTimeout(
      (async () => {
        // Poll so that a page that failed to load reports its errors instead of waiting for the full timeout.
        for (;;) {
          const r = await page.evaluate(() => window.smokeResult ?? null);
          if (r !== null) return r;
          if (problems.length > 0) return { ok: false, failures: [] };
          await new Promise((ok) => setTimeout(ok, 100));
        }
      })(),
      timeoutMs,
      'chromium smoke page',
    );
    const failures = [...(result.failures ?? []), ...problems];
    return { runtime: 'chromium', version, ...result, ok: result.ok && failures.length === 0, failures };
  } finally {
    await context?.close().catch(() => {});
    const closed = new Promise((ok) => server.close(ok));
    server.closeAllConnections();
    await closed;
    await rm(profile, { recursive: true, force: true });
  }
}

async function chromiumVersion(context) {
  const page = await context.newPage();
  const ua = await page.evaluate(() => navigator.userAgent);
  await page.close();
  return /Chrome\/([\d.]+)/.exec(ua)?.[1] ?? 'unknown';
}

// `node test/runtimes/chromium.mjs` runs it alone and prints the `SMOKE {json}` line.
if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runChromium().catch((e) => ({ runtime: 'chromium', ok: false, failures: [String(e?.stack ?? e)] }));
  console.log(`SMOKE ${JSON.stringify(r)}`);
  process.exitCode = r.ok ? 0 : 1;
}
