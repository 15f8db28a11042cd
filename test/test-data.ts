// Test data kept in the repository (test/data/, sources and licences in its README.md).
// Tests read nothing outside the repository: a bare clone runs them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of test/data/<name>; throws (never skips) when the file is missing. */
export function testData(name: string): string {
  const path = fileURLToPath(new URL(`./data/${name}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`test data ${name} not found: expected ${path} (test/data/ in the repository)`);
  return path;
}
