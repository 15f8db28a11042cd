// wasmgrad example: the runnable examples (src/examples).
//   wasmgrad example list [--json]
//   wasmgrad example NAME [--quick] [--seed N] [--json] [--data FILE] [--simd auto|on|off]
// NAME prints its lines and headline numbers; --json prints one document { name, headline }.
import { loadCsvFile } from '../data/files.js';
import { examples, findExample, type Example } from '../examples/index.js';
import { parseArgs, helpText, UsageError, type Flags } from './args.js';
import { buildName, core } from './engine.js';
import type { Io } from './host.js';
import { table } from './progress.js';

const FLAGS: Flags = {
  quick: { type: 'bool', help: 'small sizes (seconds)' },
  seed: { type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, arg: 'N', help: 'seed of the data and models' },
  json: { type: 'bool', help: 'print one JSON document { name, headline }' },
  data: { type: 'string', arg: 'FILE', help: 'the data file of an example that needs one (digits: test/data/digits.csv of the repository)' },
  simd: { type: 'string', default: 'auto', choices: ['auto', 'on', 'off'], help: 'which core build runs' },
};

export const EXAMPLE_HELP = `Usage: wasmgrad example list [--json]
       wasmgrad example NAME [--quick] [--seed N] [--json] [--data FILE]

Runnable examples: each trains with the library's real APIs and prints its headline numbers.
`;

export async function exampleCommand(argv: readonly string[], io: Io, cliUrl: string): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(`${EXAMPLE_HELP}\n${listText()}\n`);
    return 0;
  }
  if (sub === 'list') {
    const o = parseArgs('example list', rest, { json: FLAGS.json });
    if (o._.length > 0) throw new UsageError(`example list: unexpected argument "${o._[0]}"`);
    if (o.json) io.out(`${JSON.stringify(examples.map((e) => ({ name: e.name, title: e.title, shows: e.shows, data: e.data ?? [] })), null, 1)}\n`);
    else io.out(`${listText()}\n`);
    return 0;
  }
  let ex: Example;
  try {
    ex = findExample(sub);
  } catch {
    throw new UsageError(`example: unknown example "${sub}" (see wasmgrad example list)`);
  }
  const o = parseArgs(`example ${sub}`, rest, FLAGS);
  if (o.help) {
    io.out(helpText(`Usage: wasmgrad example ${ex.name} [options]`, `${ex.title}\nShows: ${ex.shows}`, FLAGS));
    return 0;
  }
  if (o._.length > 0) throw new UsageError(`example ${sub}: unexpected argument "${o._[0]}"`);
  const data: { digits?: Awaited<ReturnType<typeof loadCsvFile>> } = {};
  if (ex.data?.includes('digits')) {
    const path = (o.data as string | undefined) ?? decodeURIComponent(new URL('../test/data/digits.csv', cliUrl).pathname);
    data.digits = await loadCsvFile(path);
  }
  const engine = await core(o.simd as string, 'auto');
  const json = o.json === true;
  if (!json) io.out(`${ex.title} (${buildName(engine)} core, seed ${o.seed}${o.quick ? ', quick' : ''})\n`);
  const r = await ex.run(engine, { quick: o.quick === true, seed: o.seed as number, data, log: json ? undefined : (l) => io.out(`${l}\n`) });
  if (json) io.out(`${JSON.stringify({ name: ex.name, headline: r.headline })}\n`);
  return 0;
}

function listText(): string {
  return `${table(examples.map((e) => [e.name, e.title]), ['example', 'title'], 'left')}\n\n${examples.length} examples; wasmgrad example NAME runs one`;
}
