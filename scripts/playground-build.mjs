// The playground's static build (src/web/ → dist/web/): main.js (the page),
// worker.js (the engine, every wasm build inlined as bytes, as in dist/index.js),
// app.css (the page's style with uPlot's), index.html. No CDN, no fetch of its
// own: the folder works from any static host and offline.
//   import { buildWeb } from './playground-build.mjs'; await buildWeb(esbuild);
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { wasmLatin1 } from './wasm-latin1.mjs';

export async function buildWeb(esbuild, { out = 'dist/web' } = {}) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, minify: true, format: 'esm', target: 'es2022', platform: 'browser', logLevel: 'warning', legalComments: 'eof' };
  await esbuild.build({ ...common, entryPoints: { main: 'src/web/main.ts' }, outdir: out });
  await esbuild.build({ ...common, entryPoints: { worker: 'src/web/worker.ts' }, outdir: out, plugins: [wasmLatin1] });
  await esbuild.build({ ...common, entryPoints: { app: 'src/web/style.css' }, outdir: out });
  copyFileSync('src/web/index.html', join(out, 'index.html'));
  return webSizes(out);
}

/** `dist/web: 612.3 kB, gzip 201.0 kB (main.js 40.1 kB / 13.2 kB gzip, …)`. */
export function webSizes(out = 'dist/web') {
  const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  const files = readdirSync(out).sort().map((f) => {
    const b = readFileSync(join(out, f));
    return { f, raw: b.length, gz: gzipSync(b, { level: 9 }).length };
  });
  const raw = files.reduce((s, x) => s + x.raw, 0), gz = files.reduce((s, x) => s + x.gz, 0);
  return `${out}: ${kB(raw)}, gzip ${kB(gz)} (${files.map((x) => `${x.f} ${kB(x.raw)} / ${kB(x.gz)} gzip`).join(', ')})`;
}
