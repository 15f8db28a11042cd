// Node: `node test/runtimes/node.mjs` runs the smoke scenario against the built
// universal entry and prints one `SMOKE {json}` line (exit code 1 on failure).
import * as wasmgrad from '../../dist/index.js';
import { smoke } from './smoke.mjs';

const result = await smoke(wasmgrad);
console.log(`SMOKE ${JSON.stringify({ runtime: 'node', version: process.versions.node, ...result })}`);
process.exitCode = result.ok ? 0 : 1;
