import { helpText, parseArgs, UsageError, type Flags } from './args.js';
import { proc, type Io } from './host.js';
import { table } from './progress.js';

export const BENCH_FLAGS: Flags = {
  run: { type: 'bool', default: false, help: 'run the benchmark suites (bench/run.mjs, minutes) instead of summarizing saved results' },
  dir: { type: 'string', arg: 'DIR', help: 'the package folder holding bench/ (default: found from the CLI file, then the current folder)' },
};

export const BENCH_HELP = helpText(
  'Usage: wasmgrad bench [options] [filter]',
  'Prints the benchmark summary: bench/RESULTS.md and the figures in bench/results/*.json\n(measured on the machine named there). --run runs the suites first (needs the repository checkout).',
  BENCH_FLAGS,
);

interface NodeFsSync {
  existsSync(p: string): boolean;
  readdirSync(p: string): string[];
  readFileSync(p: string, enc: 'utf8'): string;
}

export async function benchCommand(argv: readonly string[], io: Io, cliUrl: string): Promise<number> {
  const o = parseArgs('bench', argv, BENCH_FLAGS);
  if (o.help) {
    io.out(BENCH_HELP);
    return 0;
  }
  const fs = (await import(/* @vite-ignore */ ['node', 'fs'].join(':'))) as NodeFsSync;
  const candidates = o.dir ? [o.dir as string] : [new URL('..', cliUrl).pathname.replace(/\/$/, ''), proc().cwd()];
  const root = candidates.find((d) => fs.existsSync(`${d}/bench`));
  if (!root) throw new UsageError(`bench: no bench/ folder in ${candidates.join(' or ')} (use --dir)`);
  if (o.run) {
    const cp = (await import(/* @vite-ignore */ ['node', 'child_process'].join(':'))) as {
      spawnSync(cmd: string, args: string[], o: { stdio: 'inherit' }): { status: number | null };
    };
    if (!fs.existsSync(`${root}/bench/run.mjs`)) throw new UsageError(`bench: ${root}/bench/run.mjs not found`);
    const r = cp.spawnSync((proc() as unknown as { execPath: string }).execPath, [`${root}/bench/run.mjs`, ...o._], { stdio: 'inherit' });
    return r.status ?? 1;
  }
  let printed = false;
  if (fs.existsSync(`${root}/bench/RESULTS.md`)) {
    io.out(fs.readFileSync(`${root}/bench/RESULTS.md`, 'utf8').trimEnd() + '\n');
    printed = true;
  }
  const dir = `${root}/bench/results`;
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).filter((f) => o._.length === 0 || o._.some((x) => f.includes(x))).sort() : [];
  for (const f of files) {
    let rows: string[][] = [];
    try {
      rows = summarize(JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8')));
    } catch (e) {
      io.out(`\n${f}: unreadable (${(e as Error).message})\n`);
      continue;
    }
    if (rows.length > 0) {
      io.out(`\n${f}\n${table(rows.slice(0, 40))}\n`);
      printed = true;
    }
  }
  if (!printed) io.out(`bench: no results yet in ${root}/bench (run \`npm run bench\` or \`wasmgrad bench --run\`)\n`);
  return 0;
}

/** Flattens a results JSON into name/value rows: arrays of objects become one row per entry. */
function summarize(v: unknown): string[][] {
  const rows: string[][] = [];
  const list = Array.isArray(v) ? v : Array.isArray((v as { results?: unknown }).results) ? (v as { results: unknown[] }).results : null;
  if (list) {
    for (const r of list) {
      if (r && typeof r === 'object') {
        const e = Object.entries(r as Record<string, unknown>).filter(([, x]) => typeof x === 'string' || typeof x === 'number');
        if (e.length > 0) rows.push([String(e[0][1]), e.slice(1).map(([k, x]) => `${k} ${typeof x === 'number' ? Number(x.toPrecision(4)) : x}`).join(', ')]);
      }
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (typeof x === 'number' || typeof x === 'string') rows.push([k, String(x)]);
  }
  return rows;
}
