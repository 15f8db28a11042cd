// scripts/wasm-latin1.mjs: a .wasm import bundled as a byte-per-character string gives back
// exactly the file's bytes: every byte value, NUL before a digit (not an octal escape), the
// characters a string literal must escape, and the core's own builds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script (plain ESM, no types)
import { wasmLatin1 } from '../scripts/wasm-latin1.mjs';

const dir = mkdtempSync(join(tmpdir(), 'wasm-latin1-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles an import of each file with the plugin (as scripts/build.mjs does), loads it, returns the Uint8Arrays. */
async function roundTrip(files: string[]): Promise<Uint8Array[]> {
  const entry = join(dir, `entry${files.length}.js`);
  writeFileSync(entry, files.map((f, i) => `import b${i} from ${JSON.stringify(f)};`).join('\n') + `\nexport default [${files.map((_, i) => `b${i}`).join(', ')}];\n`);
  const out = join(dir, `out${files.length}.mjs`);
  await esbuild.build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', minifyWhitespace: true, minifySyntax: true, logLevel: 'silent', plugins: [wasmLatin1] });
  return (await import(pathToFileURL(out).href)).default as Uint8Array[];
}

describe('wasm bundled as a byte-per-character string', () => {
  it('gives back every byte value, NUL before digits and the escaped characters', async () => {
    const bytes = [...Array.from({ length: 256 }, (_, i) => i), 0, 0x31, 0, 0x39, 0, 0x30, 0x5c, 0x22, 0x0a, 0x0d, 0x5c, 0x6e, 0x0, 0x0, 0x37, 0xff, 0];
    const file = join(dir, 'all.wasm');
    writeFileSync(file, Uint8Array.from(bytes));
    const [got] = await roundTrip([file]);
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Array.from(got)).toEqual(bytes);
  });

  it("gives back the core's builds byte for byte", async () => {
    const files = ['relaxed', 'simd', 'scalar'].map((b) => join(process.cwd(), 'build', `wasmgrad.${b}.wasm`));
    const got = await roundTrip(files);
    files.forEach((f, i) => expect(Buffer.from(got[i]).equals(readFileSync(f)), f).toBe(true));
  });
});
