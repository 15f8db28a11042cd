// npm run test:runtimes: the smoke scenario (test/runtimes/smoke.mjs) in every
// runtime, against the built package (run `npm run build` first; `npm test` does).
//
//   node scripts/test-runtimes.mjs [node,deno,bun,chromium,workerd]
//
// One line per runtime (name, version, ok/FAIL, loss, simd), the reasons of a
// failure below it, then `N passed, M failed`; exit code 1 on any failure.
// Runtimes run one after the other, each with a timeout, and each runner stops
// the processes it started.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChromium } from '../test/runtimes/chromium.mjs';
import { parseSmokeLine, run } from '../test/runtimes/util.mjs';
import { runWorkerd } from '../test/runtimes/workerd.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIMEOUT_MS = Number(process.env.WASMGRAD_RUNTIME_TIMEOUT_MS ?? 180_000);
const bin = (name) => resolve(ROOT, 'node_modules/.bin', name);

/** A runtime whose script prints a `SMOKE {json}` line. */
function cli(runtime, cmd, args) {
  return async () => {
    const r = await run(cmd, args, { cwd: ROOT, timeoutMs: TIMEOUT_MS });
    const parsed = parseSmokeLine(r.stdout);
    const why = r.timedOut ? `timed out after ${TIMEOUT_MS} ms` : r.error ? String(r.error.message) : `exit code ${r.code}${r.signal ? `, signal ${r.signal}` : ''}`;
    if (parsed === null) {
      return { runtime, ok: false, failures: [`no SMOKE line (${why})`, tail(r.stderr || r.stdout)] };
    }
    if (r.code !== 0 && parsed.ok) return { ...parsed, ok: false, failures: [...(parsed.failures ?? []), why] };
    return parsed;
  };
}

const RUNTIMES = {
  node: cli('node', process.execPath, ['test/runtimes/node.mjs']),
  deno: cli('deno', bin('deno'), ['run', '--allow-read', 'test/runtimes/deno.mjs']),
  bun: cli('bun', bin('bun'), ['test/runtimes/bun.mjs']),
  chromium: () => runChromium({ root: ROOT, timeoutMs: TIMEOUT_MS }),
  workerd: () => runWorkerd({ root: ROOT, timeoutMs: TIMEOUT_MS }),
};

function tail(text, lines = 15) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

const fmt = (x) => (typeof x === 'number' ? x.toPrecision(4) : String(x));

const wanted = process.argv[2] ? process.argv[2].split(',') : Object.keys(RUNTIMES);
const unknown = wanted.filter((n) => !(n in RUNTIMES));
if (unknown.length > 0) {
  console.error(`unknown runtime(s) ${unknown.join(', ')}; known: ${Object.keys(RUNTIMES).join(', ')}`);
  process.exit(2);
}
if (!existsSync(resolve(ROOT, 'dist/index.js')) || !existsSync(resolve(ROOT, 'dist/workerd/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

let passed = 0;
let failed = 0;
for (const name of wanted) {
  const t0 = Date.now();
  let r;
  try {
    r = await RUNTIMES[name]();
  } catch (e) {
    r = { runtime: name, ok: false, failures: [String(e?.stack ?? e)] };
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.ok) passed++;
  else failed++;
  console.log(
    `${name.padEnd(9)} ${String(r.version ?? '?').padEnd(14)} ${r.ok ? 'ok  ' : 'FAIL'}  ` +
      `${r.scenario ?? '-'} loss ${fmt(r.loss0)} -> ${fmt(r.loss)} (scalar ${fmt(r.scalarLoss)})` +
      `${r.accuracy !== undefined ? ` acc ${fmt(r.accuracy)}` : ''}  simd ${r.simd}${r.relaxedSimd ? ` (relaxed${r.tileRows ? `, ${r.tileRows}x8 tile` : ''})` : ''}  ${secs}s`,
  );
  for (const s of r.scenarios?.slice(1) ?? []) {
    console.log(`${''.padEnd(25)} ${s.ok ? 'ok  ' : 'FAIL'}  ${s.name} loss ${fmt(s.loss0)} -> ${fmt(s.loss)} (scalar ${fmt(s.scalarLoss)})`);
  }
  for (const f of r.failures ?? []) console.log(`    ${f.replaceAll('\n', '\n    ')}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
