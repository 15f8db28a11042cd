// Every code block marked runnable in README.md and docs/*.md runs against the built
// package (dist/, made by `npm test`'s pretest); a failure names the file and line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mapPackageImports, runBlock, runnableBlocks, type DocBlock } from './doc-blocks.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const BLOCKS: DocBlock[] = FILES.flatMap((f) => runnableBlocks(readFileSync(join(ROOT, f), 'utf8'), f));

function expectRuns(block: DocBlock) {
  const r = runBlock(block, DIST);
  if (!r.ok) throw new Error(`${r.where}: the ${block.lang} block starting at ${block.file}:${block.line} failed\n${r.output.trim().split('\n').slice(-25).join('\n')}`);
}

describe('runnable documentation blocks', () => {
  it('the package is built and the README marks its quick starts runnable', () => {
    expect(existsSync(join(DIST, 'index.js')), 'dist/index.js is missing: run `npm run build` (npm test does)').toBe(true);
    expect(existsSync(join(DIST, 'cli.js')), 'dist/cli.js is missing: run `npm run build`').toBe(true);
    const readme = BLOCKS.filter((b) => b.file === 'README.md').map((b) => b.lang);
    // train in code, the CLI, an edge worker, the SIMD-vs-scalar benchmark
    expect(readme.length).toBeGreaterThanOrEqual(4);
    expect(readme).toContain('sh');
  });

  for (const block of BLOCKS) {
    it(`${block.file}:${block.line} (${block.lang})`, () => expectRuns(block));
  }
});

describe('the block runner', () => {
  const md = [
    '# t', '', '```ts', 'throw new Error("not marked");', '```', '',
    '```ts runnable', 'const a: number = 1;', 'if (a !== 2) throw new Error("boom");', '```',
    '~~~js runnable', 'import { init } from "wasmgrad";', 'const e = await init({ simd: false });', 'if (e.simd) throw new Error("scalar expected");', '~~~',
    '```sh runnable', 'wasmgrad --help > /dev/null', 'false', 'echo never', '```',
    '```js runnable', 'export default { async fetch() { return new Response("no", { status: 500 }); } };', '```',
    '```py runnable', 'print(1)', '```',
  ].join('\n');
  const blocks = runnableBlocks(md, 'x.md');

  it('finds only marked blocks, with their opening line and language', () => {
    expect(blocks.map((b) => [b.line, b.lang])).toEqual([[7, 'ts'], [11, 'js'], [16, 'sh'], [21, 'js'], [24, 'py']]);
  });

  it('maps the package name to the built entry', () => {
    expect(mapPackageImports(`import { init } from 'wasmgrad';\nconst m = await import("wasmgrad");\nimport 'wasmgrad';`, 'file:///d/index.js'))
      .toBe(`import { init } from "file:///d/index.js";\nconst m = await import("file:///d/index.js");\nimport "file:///d/index.js";`);
    expect(mapPackageImports(`import x from 'wasmgrad-other';`, 'file:///d/index.js')).toBe(`import x from 'wasmgrad-other';`);
  });

  it('reports the file and line of the statement that throws, and passes a good block', () => {
    const [ts, js, sh, worker, py] = blocks.map((b) => runBlock(b, DIST));
    expect(ts).toMatchObject({ ok: false, where: 'x.md:9' });
    expect(ts.output).toMatch(/boom/);
    expect(js.ok, js.output).toBe(true);
    expect(sh).toMatchObject({ ok: false, where: 'x.md:18' });
    expect(sh.output).not.toMatch(/never/);
    expect(worker.ok).toBe(false);
    expect(worker.output).toMatch(/fetch handler answered 500/);
    expect(py).toMatchObject({ ok: false, where: 'x.md:24' });
  });
});
