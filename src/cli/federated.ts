// wasmgrad federated: the aggregator Durable Object in local workerd, and the demo.
//   wasmgrad federated serve [--port 8787] [--host 127.0.0.1] [--storage DIR] [--workerd PATH]
//   wasmgrad federated demo [--clients 4] [--noisy 1] [--rounds 30] [--json] ...
// `serve` runs until Ctrl-C (or SIGTERM), then stops workerd; the storage directory keeps the
// federations (restart on the same --storage to continue). A port in use is a NetworkError (exit 1).
import { helpText, parseArgs, UsageError, type Flags } from './args.js';
import { federatedDemo } from './federated-demo.js';
import { findBinary, startServer } from './federated-server.js';
import { proc, type Io } from './host.js';

export const FEDERATED_HELP = `Usage: wasmgrad federated serve [--port N] [--storage DIR]
       wasmgrad federated demo [--clients 4] [--noisy 1] [--rounds 30] [--json]

serve  runs the federated aggregator (a Durable Object, dist/federated/worker.js) in local
       workerd with on-disk storage; clients use federated.client({ url, ... })
demo   federated digits with noisy clients: plain FedAvg vs noise-weighted FedAvg, Node and
       Deno client processes, per-round validation loss, a table and an SVG

Run \`wasmgrad federated serve --help\` or \`demo --help\` for the options. Docs: docs/federated.md
`;

const SERVE_FLAGS: Flags = {
  port: { type: 'int', default: 8787, min: 0, max: 65535, arg: 'N', help: 'port to listen on (0: a free one)' },
  host: { type: 'string', default: '127.0.0.1', arg: 'ADDR', help: 'address to listen on' },
  storage: { type: 'string', default: 'wasmgrad-federated', arg: 'DIR', help: 'Durable Object storage directory (kept across restarts)' },
  workerd: { type: 'string', arg: 'PATH', help: 'the workerd binary (default node_modules/.bin/workerd of the package)' },
};

export async function federatedCommand(argv: readonly string[], io: Io, cliUrl: string): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(FEDERATED_HELP);
    return 0;
  }
  if (sub === 'serve') return serve(rest, io, cliUrl);
  if (sub === 'demo') return federatedDemo(rest, io, cliUrl);
  throw new UsageError(`federated: unknown subcommand "${sub}" (serve, demo; see wasmgrad federated --help)`);
}

async function serve(argv: readonly string[], io: Io, cliUrl: string): Promise<number> {
  const o = parseArgs('federated serve', argv, SERVE_FLAGS);
  if (o.help) {
    io.out(helpText('wasmgrad federated serve [options]', 'Runs the federated aggregator in local workerd until Ctrl-C.', SERVE_FLAGS));
    return 0;
  }
  if (o._.length > 0) throw new UsageError(`federated serve: unexpected argument "${o._[0]}"`);
  const root = new URL('..', cliUrl).pathname.replace(/\/$/, '');
  const server = await startServer({
    storageDir: o.storage as string,
    port: o.port as number,
    host: o.host as string,
    workerd: (o.workerd as string | undefined) ?? (await findBinary('workerd', root, proc().cwd())),
    worker: `${root}/dist/federated/worker.js`,
    onOutput: (text) => io.out(text), // the aggregator's log lines ({"event":"rejected",...})
  });
  io.out(`federated aggregator on ${server.url} (workerd pid ${server.pid}, storage ${o.storage})\n` +
    `  routes: ${server.url}/fed/<name>/(init|params|update|status|log); Ctrl-C stops\n`);
  const p = proc();
  const stop = new Promise<string>((resolve) => {
    p.on('SIGINT', () => resolve('interrupted'));
    (p as unknown as { on(e: 'SIGTERM', f: () => void): void }).on('SIGTERM', () => resolve('terminated'));
  });
  const why = await Promise.race([stop, server.exited.then((e) => `workerd exited (code ${e.code}, signal ${e.signal})`)]);
  await server.stop();
  io.out(`stopped: ${why}\n`);
  return why.startsWith('workerd') ? 1 : 0;
}
