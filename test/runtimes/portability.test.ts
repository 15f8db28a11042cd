// The host is runtime-neutral: no module under src/ touches fs, fetch, process,
// import.meta.url, Node built-ins, Deno/Bun globals or eval, except the few
// runtime-specific modules on the allow-list below (never imported by
// src/index.ts; the build's browser pass checks that the public entry reaches
// no Node built-in). The loaders are src/engine.ts (one per target: its `.wasm`
// imports become bytes or a WebAssembly.Module, decided by the build).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runtime-specific modules allowed to use what the rest of src/ must not (path prefixes, relative to the repo). */
export const ALLOW = [
  'src/cli/', // the command-line tool runs in Node only
  'src/io/', // file paths for Node, Deno and Bun: imports node:fs lazily, only when a path function is called
  'src/runtime/pool-worker.ts', // the threads pool's worker source, as text: Node's flavour reaches worker_threads through process.getBuiltinModule inside the worker
  'src/runtime/workers.ts', // search's worker pool: Worker from a Blob URL, or node:worker_threads imported lazily; null elsewhere
  'src/federated/worker.ts', // the Durable Object entry for workerd / Cloudflare (built to dist/federated/worker.js, not imported by index.ts)
];

/** [what, pattern] matched against code with comments removed. */
const FORBIDDEN: [string, RegExp][] = [
  ['process', /\bprocess\s*[.[]/],
  ['import.meta', /\bimport\.meta\b/],
  ['fetch', /(?<![.\w])fetch\s*\(/],
  ['require', /(?<![.\w])require\s*\(/],
  ['a Node built-in import', /\bfrom\s*['"](node:|(fs|path|os|url|child_process|worker_threads|crypto|zlib|stream|util|http|https|net|module)(\/[\w/]*)?['"])/],
  ['a dynamic Node built-in import', /\bimport\s*\(\s*['"](node:|fs|path|os)/],
  ['a dynamic import of a computed specifier', /\bimport\s*\(\s*(?!['"`])/],
  ['__dirname/__filename', /\b__(dirname|filename)\b/],
  ['Buffer', /(?<![.\w])Buffer\s*[.(]/],
  ['Deno', /\bDeno\s*\./],
  ['Bun', /\bBun\s*\./],
  ['eval', /(?<![.\w])eval\s*\((?!\s*\)\s*[{:])/], // a method named eval is fine
  ['new Function', /\bnew\s+Function\s*\(|(?<![.\w])Function\s*\(/],
  ['top-level await', /^await\b|^(const|let|var)\s+[^=]+=\s*await\b/m],
];

/** Blanks out comments (block and line), keeping line numbers. */
export function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sources(p) : /\.(ts|mts|js|mjs)$/.test(d.name) ? [p] : [];
  });
}

export function violations(rel: string, code: string): string[] {
  const lines = stripComments(code).split('\n');
  const found: string[] = [];
  lines.forEach((line, i) => {
    for (const [what, re] of FORBIDDEN) {
      if (re.test(line)) found.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
    }
  });
  return found;
}

describe('portability of src/', () => {
  const files = sources(join(ROOT, 'src')).map((p) => relative(ROOT, p).split('\\').join('/'));

  it('finds the sources', () => {
    expect(files).toContain('src/index.ts');
    expect(files).toContain('src/engine.ts');
  });

  it('uses no runtime-specific API outside the allow-list', () => {
    const found = files
      .filter((f) => !ALLOW.some((a) => f.startsWith(a)))
      .flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('the check catches what it should (and not comments)', () => {
    const bad = [
      "import { readFileSync } from 'node:fs';",
      "import fs from 'fs';",
      'const u = new URL("x.wasm", import.meta.url);',
      '  const r = await fetch(url);',
      'if (process.env.X) {}',
      'const f = new Function("return 1");',
      'eval("1")',
      'await init();',
      'Deno.readFile(p)',
      "  const fs = await import(['node', 'fs'].join(':'));",
    ];
    for (const line of bad) expect(violations('x.ts', line), line).toHaveLength(1);
    expect(violations('x.ts', '// fetch(url), process.env and import.meta.url are fine in comments')).toEqual([]);
    expect(violations('x.ts', 'const r = res.fetch(x); const ok = await step();')).toEqual([]);
    expect(violations('x.ts', '  eval(): this {')).toEqual([]);
    expect(violations('x.ts', '  model.eval();')).toEqual([]);
  });
});
