// One wasmgrad variant of the bench/mlp-step workload in headless Chromium.
//
//   node bench/mlp-step/chromium-child.mjs <variant>    (wasmgrad-simd | wasmgrad-relaxed | wasmgrad-scalar)
//
// Same line protocol as child.mjs (setup, check, run, exit on stdin, one JSON
// reply per line on stdout). This process serves dist/, bench/mlp-step/ and
// the problem's two files on 127.0.0.1, opens a page that loads the package
// through an import map (as the README's browser set-up does) and forwards
// each command to page.mjs, which runs it inside the page. Wall time is
// measured in the page (performance.now()); CPU time is the page's main
// thread time from the DevTools protocol (Performance.getMetrics ThreadTime).
// Chromium: CHROMIUM_PATH or /usr/bin/chromium, driven by playwright-core.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveCommands } from './protocol.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' };
const PAGE = `<!doctype html><meta charset="utf-8"><title>mlp-step</title><link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "wasmgrad": "/dist/index.js" } }</script>
<script type="module" src="/bench/mlp-step/page.mjs"></script>`;

const variant = process.argv[2];
let files = null; // the problem's data and parameter files, known at setup
let browser = null;
let page = null;
let cdp = null;

function serve() {
  const served = [join(repo, 'dist'), join(repo, 'bench', 'mlp-step')];
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      const problemFile = { '/problem/data.bin': files?.data, '/problem/params.bin': files?.params }[path];
      const file = problemFile ?? resolve(repo, normalize(path.slice(1)));
      if (!problemFile && !served.some((dir) => file.startsWith(dir + sep))) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok, fail) => server.on('error', fail).listen(0, '127.0.0.1', () => ok(server)));
}

async function threadTimeMs() {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const t = metrics.find((m) => m.name === 'ThreadTime');
  return t ? t.value * 1000 : NaN;
}

async function handle(msg) {
  switch (msg.cmd) {
    case 'setup': {
      files = { data: msg.problem.dataFile, params: msg.problem.paramsFile };
      const server = await serve();
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], headless: true });
      page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60_000 }).catch(() => {
        throw new Error(`the bench page did not load: ${errors.join('; ') || 'timeout'}`);
      });
      cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const r = await page.evaluate(([v, p]) => window.bench.setup(v, p), [variant, msg.problem]);
      return { info: { ...r.info, chromium: browser.version() } };
    }
    case 'check':
      return page.evaluate((steps) => window.bench.check(steps), msg.steps);
    case 'run': {
      const c0 = await threadTimeMs();
      const { ms } = await page.evaluate((steps) => window.bench.run(steps), msg.steps);
      return { ms, cpuMs: (await threadTimeMs()) - c0 };
    }
    default:
      throw new Error(`unknown command ${msg.cmd}`);
  }
}

await serveCommands(handle);
await browser?.close();
process.exit(0);
