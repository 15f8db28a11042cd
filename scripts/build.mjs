// npm run build: the core twice from one source (SIMD and scalar), then the host.
//   build/wasmgrad.simd.wasm, build/wasmgrad.scalar.wasm   (asc, targets in asconfig.json)
//   build/wasmgrad.relaxed.wasm   the SIMD build with relaxed SIMD (fused multiply-add)
//   build/wasmgrad.threads.wasm   the SIMD build with wasm threads on an imported shared memory (not bundled:
//                                 the host makes the same bytes from the SIMD build, src/runtime/shared-module.ts)
//   src/runtime/kernels.ts   the host's kernel table, generated from the SIMD build's
//                            bindings declaration (scripts/gen-kernels.mjs)
//   dist/index.js            universal entry, every bundled wasm build inlined as bytes (scripts/wasm-latin1.mjs)
//   dist/workerd/index.js    workerd entry, wasm as sibling files imported as modules
//   dist/cli.js              the command line (Node), bin "wasmgrad"
//   dist/federated/worker.js the federated aggregator (Durable Object) for workerd and wrangler, no wasm
//   dist/federated/client.js the client process of `wasmgrad federated demo` (Node and Deno), wasm inlined
//   dist/types/              generated .d.ts
//   dist/web/                the playground, a static site (scripts/playground-build.mjs)
// then browser hygiene and the gzip size budget (scripts/check-bundle.mjs).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { checkBundles } from './check-bundle.mjs';
import { buildWeb } from './playground-build.mjs';
import { generateKernels } from './gen-kernels.mjs';
import { wasmLatin1 } from './wasm-latin1.mjs';

const bin = (name) => `node_modules/.bin/${name}`;
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

mkdirSync('build', { recursive: true });
for (const target of ['simd', 'scalar', 'relaxed', 'threads']) {
  // the SIMD build also writes its bindings (.d.ts, .js; the wasm is the same bytes)
  const bindings = target === 'simd' ? ['--bindings', 'raw'] : [];
  run(bin('asc'), ['assembly/index.ts', '--config', 'asconfig.json', '--target', target, ...bindings]);
}
generateKernels('build/wasmgrad.simd.d.ts', 'src/runtime/kernels.ts');

if (process.argv.includes('--wasm-only')) process.exit(0);

rmSync('dist', { recursive: true, force: true });
const common = {
  entryPoints: { index: 'src/index.ts' },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  // whitespace and syntax only: identifiers keep their names, so stack traces and the typed
  // errors' `name` (new.target.name) read as in the source; ~11 % less gzip for the universal entry
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
await esbuild.build({ ...common, outdir: 'dist', platform: 'neutral', plugins: [wasmLatin1] });
await esbuild.build({
  ...common,
  outdir: 'dist/workerd',
  platform: 'neutral',
  loader: { '.wasm': 'copy' },
  assetNames: '[name]',
});
// the CLI (bin "wasmgrad"): Node only, both wasm inlined
await esbuild.build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', 'search-objective': 'src/cli/search-objective.ts' },
  outdir: 'dist',
  platform: 'node',
  target: 'node20',
  plugins: [wasmLatin1],
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync('dist/cli.js', 0o755);
// federated averaging: the aggregator worker (pure JS, runs in workerd) and the demo's client process
await esbuild.build({ ...common, entryPoints: { worker: 'src/federated/worker.ts' }, outdir: 'dist/federated', platform: 'neutral' });
await esbuild.build({ ...common, entryPoints: { client: 'src/cli/federated-client.ts' }, outdir: 'dist/federated', platform: 'node', target: 'node20', plugins: [wasmLatin1] });
await checkBundles(esbuild);
console.log(await buildWeb(esbuild));
run(bin('tsc'), ['-p', 'tsconfig.json']);
