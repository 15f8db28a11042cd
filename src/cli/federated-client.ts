/**
 * One client process of `wasmgrad federated demo` (built to
 * dist/federated/client.js; run by Node or by Deno):
 *
 *   node dist/federated/client.js CONFIG.json
 *   deno run --allow-read --allow-net dist/federated/client.js CONFIG.json
 *
 * CONFIG names the aggregator URL, this client's id, its shard (a safetensors
 * file with "features" [n, d] and "labels" [n]), the model and the training
 * settings, and the federations to join. Per round and federation it trains
 * one FederatedClient and prints one JSON line
 * `{ "client", "federation", "round", "loss", "noise", "outcome" }`; the last
 * line is `{ "done": true, "runtime" }`. Errors go to stderr with exit code 1.
 */
import { decodeSafetensors } from '../checkpoint/safetensors.js';
import { Dataset } from '../data/dataset.js';
import { init } from '../engine.js';
import { client } from '../federated/client.js';
import { readFileBytes } from '../io/files.js';

export interface ClientConfig {
  url: string;
  id: string;
  shard: string;
  layers: number[];
  seed: number;
  lr: number;
  localEpochs: number;
  batchSize: number;
  rounds: number;
  federations: string[];
  mu?: number;
  waitMs?: number;
}

interface Host {
  args: string[];
  runtime: string;
  write(s: string): void;
  fail(s: string): void;
}

function host(): Host {
  const g = globalThis as unknown as {
    Deno?: { args: string[]; version: { deno: string }; exit(c: number): never };
    process?: { argv: string[]; versions: { node: string }; stdout: { write(s: string): void }; stderr: { write(s: string): void }; exitCode?: number };
  };
  if (g.Deno) {
    return {
      args: g.Deno.args, runtime: `deno ${g.Deno.version.deno}`,
      write: (s) => console.log(s.replace(/\n$/, '')),
      fail: (s) => { console.error(s); g.Deno!.exit(1); },
    };
  }
  const p = g.process!;
  return {
    args: p.argv.slice(2), runtime: `node ${p.versions.node}`,
    write: (s) => p.stdout.write(s),
    fail: (s) => { p.stderr.write(`${s}\n`); p.exitCode = 1; },
  };
}

export async function runClient(h: Host): Promise<void> {
  const cfg = JSON.parse(new TextDecoder().decode(await readFileBytes(h.args[0]))) as ClientConfig;
  const file = decodeSafetensors(await readFileBytes(cfg.shard), cfg.shard);
  const features = file.tensors.find((t) => t.name === 'features')!;
  const labels = file.tensors.find((t) => t.name === 'labels')!;
  const engine = await init();
  const data = new Dataset(features.data, Int32Array.from(labels.data), { numFeatures: features.shape[1], numClasses: cfg.layers.at(-1) });
  const clients = cfg.federations.map((federation) => {
    const model = engine.nn.mlp(cfg.layers, { seed: cfg.seed });
    return client({
      url: cfg.url, federation, id: cfg.id, model, data, optimizer: engine.optim.sgd(model, { lr: cfg.lr }),
      localEpochs: cfg.localEpochs, batchSize: cfg.batchSize, seed: cfg.seed, mu: cfg.mu ?? 0, waitMs: cfg.waitMs,
    });
  });
  for (let r = 0; r < cfg.rounds; r++) {
    for (let f = 0; f < clients.length; f++) {
      const rep = await clients[f].round();
      h.write(`${JSON.stringify({ client: cfg.id, federation: cfg.federations[f], round: rep.round, loss: rep.loss, noise: rep.noise, outcome: rep.outcome })}\n`);
    }
  }
  h.write(`${JSON.stringify({ done: true, client: cfg.id, runtime: h.runtime })}\n`);
}

const h = host();
runClient(h).catch((e) => h.fail(`federated client: ${(e as Error)?.stack ?? e}`));
