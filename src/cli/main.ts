// wasmgrad command line: train, compare, bench. Exit codes: 0 ok, 1 runtime
// failure (bad file, divergence), 2 usage error (unknown flag, bad value).
import { FormatError, IoError, NetworkError, RejectedError, WasmgradError } from '../errors.js';
import { UsageError } from './args.js';
import { benchCommand } from './bench.js';
import { compareCommand } from './compare.js';
import { exampleCommand } from './example.js';
import { experimentCommand } from './experiment.js';
import { searchCommand } from './search.js';
import { federatedCommand } from './federated.js';
import { nodeIo, proc, type Io } from './host.js';
import { trainCommand } from './train.js';

export const MAIN_HELP = `Usage: wasmgrad <command> [options]

Commands:
  train     train an MLP on a built-in dataset or a CSV/IDX file; writes history, checkpoint and plots
  compare   the same model and data with several optimizers and/or schedules; one SVG, one table
  bench     the benchmark summary (bench/RESULTS.md, bench/results/*.json)
  experiment  the gallery: list, run NAME, --all (claims of the optimization literature, checked)
  example   runnable examples: list, NAME (text classifier, Poisson burst, multi-task, adversarial digits, federated digits)
  search    tune lr, weight decay, width and batch size of train (random, grid, tournament, ...)
  federated   federated averaging: serve (the aggregator in local workerd), demo (plain vs noise-weighted FedAvg)

Run \`wasmgrad <command> --help\` for its options. \`wasmgrad\` alone runs \`train\` with its defaults.
`;

export async function main(argv: readonly string[], io: Io, cliUrl: string): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined) {
      await trainCommand([], io);
      return 0;
    }
    switch (cmd) {
      case 'train':
        await trainCommand(rest, io);
        return 0;
      case 'compare':
        await compareCommand(rest, io);
        return 0;
      case 'bench':
        return await benchCommand(rest, io, cliUrl);
      case 'experiment':
        return await experimentCommand(rest, io);
      case 'example':
        return await exampleCommand(rest, io, cliUrl);
      case 'search':
        await searchCommand(rest, io, cliUrl);
        return 0;
      case 'federated':
        return await federatedCommand(rest, io, cliUrl);
      case '--help':
      case '-h':
      case 'help':
        io.out(MAIN_HELP);
        return 0;
      case '--version':
        io.out('wasmgrad 0.1.0\n');
        return 0;
      default:
        throw new UsageError(`wasmgrad: unknown command "${cmd}" (train, compare, bench, experiment, example, search, federated; see wasmgrad --help)`);
    }
  } catch (e) {
    const err = e as Error;
    if (e instanceof UsageError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    if (e instanceof WasmgradError) {
      // bad values that reached the library (e.g. a schedule option) are usage errors; bad files, file-system
      // failures and training failures are not
      io.err(`wasmgrad: ${err.name}: ${err.message}\n`);
      return e instanceof FormatError || e instanceof IoError || e instanceof NetworkError || e instanceof RejectedError || err.name === 'DivergenceError' || err.name === 'MemoryError' ? 1 : 2;
    }
    io.err(`wasmgrad: ${err.stack ?? err.message}\n`);
    return 1;
  }
}

const p = proc();
main(p.argv.slice(2), nodeIo(), import.meta.url).then((code) => {
  p.exitCode = code;
});
