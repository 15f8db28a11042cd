// An esbuild plugin that inlines a .wasm import as its bytes, like esbuild's `binary` loader,
// but written as a JS string with one character per byte (U+0000..U+00FF) instead of base64.
//
// Why: the size budget is the gzip of dist/index.js (scripts/check-bundle.mjs), and gzip finds
// the core's repeated byte runs in the byte-per-character form but not across base64's 6-bit
// groups, which shift with every byte's position. Measured on the three builds of 2026-12-03
// (relaxed 56.0 kB, SIMD 55.1 kB, scalar 36.6 kB; gzip -9 of the raw bytes 71.0 kB): the
// bundled strings gzip to 89.4 kB as base64 and to 82.2 kB this way (esbuild prints the
// non-ASCII characters as \xNN escapes, so the output stays ASCII). Decoding is one
// charCodeAt per byte when the module loads, run once and so not optimized: a module
// holding the three builds imported in 11.1-11.5 ms against 10.2-10.9 ms with esbuild's
// base64 decoder (Node 24, three runs each): about 1 ms more at start-up for 7 kB less gzip.
import { readFileSync } from 'node:fs';

/** The bytes as the body of a double-quoted JS string literal: one character per byte. */
export function latin1Literal(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x22) s += '\\"';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    // \0 before a digit would read as a legacy octal escape
    else if (c === 0x00) s += i + 1 < bytes.length && bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39 ? '\\x00' : '\\0';
    else s += String.fromCharCode(c);
  }
  return s;
}

/** The plugin: every `import bytes from '….wasm'` gets a Uint8Array of the file's bytes. */
export const wasmLatin1 = {
  name: 'wasm-latin1',
  setup(build) {
    build.onLoad({ filter: /\.wasm$/ }, (args) => {
      const bytes = readFileSync(args.path);
      const contents =
        `const s = "${latin1Literal(bytes)}", n = ${bytes.length}, bytes = new Uint8Array(n);\n` +
        'for (let i = 0; i < n; i++) bytes[i] = s.charCodeAt(i);\n' +
        'export default bytes;\n';
      return { contents, loader: 'js' };
    });
  },
};
