// Deno: `node_modules/.bin/deno run --allow-read test/runtimes/deno.mjs` runs the
// smoke scenario against the built universal entry and prints one `SMOKE {json}` line.
import * as wasmgrad from '../../dist/index.js';
import { smoke } from './smoke.mjs';

const result = await smoke(wasmgrad);
console.log(`SMOKE ${JSON.stringify({ runtime: 'deno', version: Deno.version.deno, ...result })}`);
Deno.exit(result.ok ? 0 : 1);
