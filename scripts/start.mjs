// npm start: the main job (wasmgrad train with its defaults). Builds first
// unless dist/cli.js is newer than every source file, so a second run starts at once.
// Extra arguments go to `wasmgrad train` (npm start -- --epochs 10).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (p) => {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((m, f) => Math.max(m, newest(join(p, f))), 0);
};
const sources = ['src', 'assembly', 'scripts/build.mjs', 'asconfig.json', 'package.json'].filter(existsSync);
const stale = !existsSync('dist/cli.js') || Math.max(...sources.map(newest)) > statSync('dist/cli.js').mtimeMs;
if (stale) {
  console.log('npm start: building (sources changed since the last build)…');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
const r = spawnSync(process.execPath, ['dist/cli.js', 'train', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
