// Browser hygiene and the size budget, run by scripts/build.mjs after the entries are built.
//   1. src/index.ts bundles for `platform: 'browser'` with no Node built-in import
//      (a plugin names the importer; the metafile must list no external import)
//      and no top-level await (esbuild errors when the target lacks it).
//   2. No eval / new Function / Function(...) in any built entry, and no
//      import.meta (undefined in workerd).
//   3. The universal entry (dist/index.js: JS + every wasm build inlined) gzips under BUDGET_BYTES.
// Any failure throws, which fails the build.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { wasmLatin1 } from './wasm-latin1.mjs';

/**
 * 245 kB gzip for the universal entry (JS + every wasm build inlined, JS minified for whitespace
 * and syntax, scripts/build.mjs). History: 250 kB unminified until the data-parallel step (issue 19),
 * 256 with it, 260 with the GLM objective's kernels (issue 13); minifying brought the entry from
 * ~257 to ~229 kB, and the budget down to 245 kB so growth stays visible.
 */
export const BUDGET_BYTES = 245_000;

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** An esbuild plugin that fails on any import of a Node built-in, naming the importer. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.split('/')[0];
      if (!NODE_BUILTINS.has(args.path) && !NODE_BUILTINS.has(bare) && !args.path.startsWith('node:')) return undefined;
      return { errors: [{ text: `browser bundle: ${args.importer} imports the Node built-in "${args.path}"` }] };
    });
  },
};

/** Bundles `entry` for browsers in memory; throws on Node built-ins, externals or top-level await. */
export async function checkBrowserBundle(esbuild, entry = 'src/index.ts') {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    supported: { 'top-level-await': false },
    metafile: true,
    logLevel: 'silent',
    plugins: [noNodeBuiltins, wasmLatin1],
  });
  const externals = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  if (externals.length > 0) throw new Error(`browser bundle: imports left external: ${externals.join(', ')}`);
  checkNoEval(new TextDecoder().decode(result.outputFiles[0].contents), `browser bundle of ${entry}`);
}

/** Throws when `code` calls eval or builds a function from a string (a method named eval, `eval() {`, is fine). */
export function checkNoEval(code, what) {
  const hits = [/(?<![.\w$])eval\s*\((?!\s*\)\s*[{:])/, /\bnew\s+Function\s*\(/, /(?<![.\w$])Function\s*\(/]
    .map((re) => re.exec(code))
    .filter((m) => m !== null)
    .map((m) => JSON.stringify(code.slice(Math.max(0, m.index - 30), m.index + 30)));
  if (hits.length > 0) throw new Error(`${what}: eval or Function constructor found: ${hits.join(', ')}`);
}

const kB = (n) => `${(n / 1000).toFixed(1)} kB`;

/** Sizes of the built entries; throws when the universal one is over budget. Returns the summary line. */
export function checkSizes(dist = 'dist') {
  const universal = readFileSync(join(dist, 'index.js'));
  const gz = gzipSync(universal, { level: 9 }).length;
  const wd = join(dist, 'workerd');
  const wdFiles = readdirSync(wd).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  const wdRaw = wdFiles.reduce((s, f) => s + statSync(join(wd, f)).size, 0);
  const wdGz = wdFiles.reduce((s, f) => s + gzipSync(readFileSync(join(wd, f)), { level: 9 }).length, 0);
  const line =
    `bundle: dist/index.js ${kB(universal.length)}, gzip ${kB(gz)} (JS + ${wdFiles.length - 1} wasm builds inlined; budget ${kB(BUDGET_BYTES)} gzip); ` +
    `dist/workerd: ${kB(wdRaw)}, gzip ${kB(wdGz)} (JS + ${wdFiles.length - 1} wasm files)`;
  if (gz > BUDGET_BYTES) throw new Error(`${line}\nthe universal entry is over its gzip budget by ${kB(gz - BUDGET_BYTES)}`);
  return line;
}

/** All checks; prints the size line. */
export async function checkBundles(esbuild, dist = 'dist') {
  await checkBrowserBundle(esbuild);
  for (const f of ['index.js', 'workerd/index.js']) {
    const code = readFileSync(join(dist, f), 'utf8');
    checkNoEval(code, `${dist}/${f}`);
    if (/\bimport\.meta\b/.test(code)) throw new Error(`${dist}/${f}: uses import.meta, which is undefined in workerd`);
  }
  console.log(checkSizes(dist));
}
