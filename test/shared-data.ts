// Locates ../shared/datasets/<name> beside the repository (as CI clones it);
// in a git worktree nested deeper, the nearest ancestor folder that has
// shared/datasets/<name> is used. Throws (never skips) when it is absent.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function sharedDataset(name: string): string {
  const beside = fileURLToPath(new URL(`../../shared/datasets/${name}`, import.meta.url));
  if (existsSync(beside)) return beside;
  let dir = dirname(fileURLToPath(new URL('..', import.meta.url)));
  for (;;) {
    const p = join(dir, 'shared', 'datasets', name);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) throw new Error(`test data ${name} not found: expected ${beside} (../shared/datasets beside the repository)`);
    dir = up;
  }
}
