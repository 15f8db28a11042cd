// npm run bench [filter] [--flags]: runs every bench/*.bench.mjs in turn (each in
// its own Node process, so one suite's JIT state and memory do not skew the next).
// `filter` keeps the files whose name contains it; `--flags` are passed to each suite.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (suites.length === 0) {
  console.error(`bench: no bench/*.bench.mjs matches ${filters.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const f of suites) {
  console.log(`\n=== ${f} ${flags.join(' ')}`);
  const r = spawnSync(process.execPath, [...process.execArgv, dir + f, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${f} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
