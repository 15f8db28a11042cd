// Runnable code blocks in the documentation (README.md, docs/*.md): extraction and execution.
// The convention (docs/README.md, "Runnable code blocks"): a fenced block whose info string
// has the word `runnable` after the language, e.g. ```ts runnable, is a complete program
// that must run against the built package. Languages: ts, js (an ES module; `from 'wasmgrad'`
// is mapped to dist/index.js; a default export with a `fetch` method, as a Cloudflare worker
// has, is called once with a GET request and must answer 2xx), and sh (bash, in an empty
// temporary directory, with `npx wasmgrad` / `wasmgrad` running dist/cli.js).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';

export interface DocBlock {
  /** the file as given, e.g. `README.md` or `docs/optimizers.md` */
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  code: string;
}

export interface BlockResult {
  ok: boolean;
  /** `file:line` of the failing line when the error names one, else of the opening fence */
  where: string;
  output: string;
}

export const LANGS = ['ts', 'js', 'sh'] as const;

/** Every fenced block (``` or ~~~) whose info string has the word `runnable`. */
export function runnableBlocks(text: string, file: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const words = open[2].trim().split(/\s+/).filter(Boolean);
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) j++;
    if (words.includes('runnable')) {
      blocks.push({ file, line: i + 1, lang: words[0] ?? '', code: lines.slice(i + 1, j).join('\n') });
    }
    i = j;
  }
  return blocks;
}

/** Maps imports of the package name to the built entry. */
export function mapPackageImports(code: string, entryUrl: string): string {
  return code.replace(/(\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])wasmgrad\2/gm, (_m, pre) => `${pre}${JSON.stringify(entryUrl)}`);
}

const HARNESS = `const m = await import('./block.mjs');
if (m.default && typeof m.default.fetch === 'function') {
  const res = await m.default.fetch(new Request('http://localhost/'), {}, { waitUntil() {}, passThroughOnException() {} });
  if (!(res instanceof Response) || !res.ok) throw new Error('fetch handler answered ' + (res && res.status));
  console.log(await res.text());
}
`;

/**
 * Runs one block in a child process (Node for ts/js, bash for sh) in a fresh temporary
 * directory. `dist` is the absolute path of the built package's dist/ folder.
 */
export function runBlock(block: DocBlock, dist: string, timeoutMs = 60_000): BlockResult {
  const dir = mkdtempSync(join(tmpdir(), 'wasmgrad-doc-'));
  try {
    let r;
    if (block.lang === 'ts' || block.lang === 'js') {
      const mapped = mapPackageImports(block.code, pathToFileURL(join(dist, 'index.js')).href);
      const js = transformSync(mapped, { loader: block.lang, format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: 'block.' + block.lang }).code;
      writeFileSync(join(dir, 'block.mjs'), js);
      writeFileSync(join(dir, 'harness.mjs'), HARNESS);
      r = spawnSync(process.execPath, ['--enable-source-maps', 'harness.mjs'], { cwd: dir, encoding: 'utf8', timeout: timeoutMs });
    } else if (block.lang === 'sh') {
      const bin = join(dir, '.bin');
      const shim = join(bin, 'wasmgrad');
      spawnSync('mkdir', [bin]);
      writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(dist, 'cli.js'))} "$@"\n`);
      chmodSync(shim, 0o755);
      // line 1 is the trap, so the block's line k is LINENO k + 1
      const script = `trap 'echo "doc-block-line: $((LINENO - 1))" >&2' ERR\n${block.code.replace(/\bnpx wasmgrad\b/g, 'wasmgrad')}`;
      r = spawnSync('bash', ['-eo', 'pipefail', '-c', script], {
        cwd: dir, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CI: '1' },
      });
    } else {
      return { ok: false, where: `${block.file}:${block.line}`, output: `unknown language "${block.lang}" for a runnable block (one of ${LANGS.join(', ')})` };
    }
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
    if (r.status === 0 && !r.error) return { ok: true, where: `${block.file}:${block.line}`, output };
    const at = /block\.(?:ts|js):(\d+)/.exec(output) ?? /doc-block-line: (\d+)/.exec(output);
    const where = `${block.file}:${at ? block.line + Number(at[1]) : block.line}`;
    return { ok: false, where, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
