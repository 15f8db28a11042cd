// npm run playground [-- --port N] [-- --no-isolation]: builds the core (when assembly/
// changed) and dist/web/, then serves dist/web on http://127.0.0.1:N/ (default 8017)
// and prints the URL. The page is served cross-origin isolated (COOP/COEP), so the
// worker may run the core on 2 threads; --no-isolation serves it as a plain static
// host would (one thread). Ctrl-C stops it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { buildWeb } from './playground-build.mjs';
import { serveStatic } from './playground-serve.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--port');
const port = at >= 0 ? Number(args[at + 1]) : 8017;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be an integer in [0, 65535], got ${args[at + 1]}`);
  process.exit(2);
}

const newest = (dir) => Math.max(...readdirSync(dir, { recursive: true }).map((f) => statSync(`${dir}/${f}`).mtimeMs));
const wasm = ['simd', 'scalar', 'relaxed'].map((b) => `build/wasmgrad.${b}.wasm`);
if (!wasm.every(existsSync) || Math.min(...wasm.map((f) => statSync(f).mtimeMs)) < newest('assembly')) {
  execFileSync(process.execPath, ['scripts/build.mjs', '--wasm-only'], { stdio: 'inherit' });
}
console.log(await buildWeb(esbuild));
const isolated = !args.includes('--no-isolation');
const server = await serveStatic('dist/web', port, { isolated });
console.log(`playground: http://127.0.0.1:${server.address().port}/${isolated ? ' (cross-origin isolated: 2 threads available)' : ''}`);
