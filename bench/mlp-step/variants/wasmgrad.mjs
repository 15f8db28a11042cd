// wasmgrad in a Node, Deno or Bun child: the package's dist/index.js and the
// runner shared with the Chromium page (wasmgrad-runner.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wasmgradRunner } from './wasmgrad-runner.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function factory(options) {
  return async function create(problem, data) {
    const wasmgrad = await import(join(repo, 'dist', 'index.js'));
    return wasmgradRunner(wasmgrad, options)(problem, data);
  };
}
