// search({ parallel }) on the Worker path of Deno and Bun (the package's own binaries in
// node_modules/.bin; skipped where they are missing): same trials as in-process, abort
// rejects, and the process exits (no worker left to keep it alive).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = 'test/runtimes/meta-search.mjs';
const RUNTIMES: [string, string[]][] = [
  ['deno', ['run', '--allow-read', SCRIPT]],
  ['bun', [SCRIPT]],
];

describe('search on Deno and Bun workers', () => {
  for (const [name, args] of RUNTIMES) {
    const bin = `${ROOT}node_modules/.bin/${name}`;
    it.skipIf(!existsSync(bin))(name, () => {
      const r = spawnSync(bin, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      const line = r.stdout.split('\n').find((l) => l.startsWith('META '));
      expect(line, `${name}: ${r.stderr || r.stdout}`).toBeDefined();
      expect(JSON.parse(line!.slice(5))).toEqual({ same: true, trials: 12, aborted: true });
      expect(r.status).toBe(0);
    }, 150_000);
  }
});
