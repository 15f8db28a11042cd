// Bun: `node_modules/.bin/bun test/runtimes/bun.mjs` runs the smoke scenario
// against the built universal entry and prints one `SMOKE {json}` line.
import * as wasmgrad from '../../dist/index.js';
import { smoke } from './smoke.mjs';

const result = await smoke(wasmgrad);
console.log(`SMOKE ${JSON.stringify({ runtime: 'bun', version: Bun.version, ...result })}`);
process.exit(result.ok ? 0 : 1);
