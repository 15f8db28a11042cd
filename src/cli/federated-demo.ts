// wasmgrad federated demo: federated digits with noisy clients, plain FedAvg against
// noise-weighted FedAvg on the same clients, updates and rounds.
//   wasmgrad federated demo [--clients 4] [--noisy 1] [--rounds 30] [--json] [--out DIR]
// Starts workerd with the aggregator (two federations, "plain" and "weighted"), spawns one
// client process per client (Node; --deno N of them under Deno), each training one model per
// federation on its shard; the noisy clients' labels are uniformly random. Prints the global
// validation loss of both federations per round as rounds close, then a table and an SVG.
import { encodeSafetensors } from '../checkpoint/safetensors.js';
import { Dataset } from '../data/dataset.js';
import { blobs } from '../data/generators.js';
import { loadCsvFile } from '../data/files.js';
import { Random } from '../data/random.js';
import { split } from '../data/split.js';
import { Standardizer } from '../data/standardize.js';
import { init } from '../engine.js';
import { NetworkError, WasmgradError } from '../errors.js';
import { createFederation, retryPolicy, request } from '../federated/http.js';
import { decodeParams } from '../federated/wire.js';
import { makeDir, writeTextAtomic } from '../io/files.js';
import { lineChart } from '../plot/svg.js';
import { evaluate } from '../train/evaluate.js';
import { helpText, parseArgs, UsageError, type Flags } from './args.js';
import { findBinary, startServer, type RunningServer } from './federated-server.js';
import { proc } from './host.js';
import type { Io } from './host.js';
import { table } from './progress.js';

export const DEMO_FLAGS: Flags = {
  clients: { type: 'int', default: 4, min: 2, max: 32, arg: 'N', help: 'number of client processes' },
  noisy: { type: 'int', default: 1, min: 0, max: 31, arg: 'N', help: 'how many of them have random labels' },
  rounds: { type: 'int', default: 30, min: 1, max: 10_000, arg: 'N', help: 'federated rounds' },
  deno: { type: 'int', default: 1, min: 0, max: 32, arg: 'N', help: 'how many clients run under Deno (the rest under Node)' },
  'local-epochs': { type: 'int', default: 1, min: 1, max: 1000, arg: 'N', help: 'local epochs per round' },
  lr: { type: 'number', default: 0.1, min: 0, arg: 'X', help: 'clients\' SGD learning rate' },
  'batch-size': { type: 'int', default: 32, min: 1, arg: 'N', help: 'local batch size' },
  hidden: { type: 'int', default: 32, min: 1, max: 4096, arg: 'N', help: 'hidden units of the MLP' },
  mu: { type: 'number', default: 0, min: 0, arg: 'X', help: 'FedProx proximal coefficient μ (0: FedAvg)' },
  data: { type: 'string', arg: 'FILE', help: 'a CSV (label last); default the digits data in test/data/, else blobs' },
  seed: { type: 'int', default: 0, min: 0, arg: 'N', help: 'seed of the split, the shards, the noise and the model' },
  out: { type: 'string', default: 'wasmgrad-out', arg: 'DIR', help: 'where federated.svg is written' },
  port: { type: 'int', default: 0, min: 0, max: 65535, arg: 'N', help: 'aggregator port (0: a free one)' },
  workerd: { type: 'string', arg: 'PATH', help: 'the workerd binary (default node_modules/.bin/workerd)' },
  'deno-bin': { type: 'string', arg: 'PATH', help: 'the deno binary (default node_modules/.bin/deno)' },
  timeout: { type: 'int', default: 900, min: 1, arg: 'S', help: 'give up after S seconds' },
  json: { type: 'bool', help: 'JSON lines; the last is { rounds, plain: {valLoss, valAccuracy}, weighted: {...} }' },
};

interface NodeBits {
  fs: { existsSync(p: string): boolean; mkdtempSync(p: string): string; writeFileSync(p: string, d: string | Uint8Array): void; rmSync(p: string, o: object): void };
  os: { tmpdir(): string };
  cp: { spawn(cmd: string, args: string[], o: object): { pid?: number; kill(s?: string): boolean; on(e: 'exit', f: (c: number | null) => void): void; stdout: { on(e: 'data', f: (b: unknown) => void): void }; stderr: { on(e: 'data', f: (b: unknown) => void): void } } };
  execPath: string;
}

const node = async <T>(name: string): Promise<T> => (await import(/* @vite-ignore */ ['node', name].join(':'))) as T;

interface Eval { valLoss: number; valAccuracy: number }

/** Shards `train` over `k` clients (round-robin over a seeded permutation); the last `noisy` get random labels. */
function shards(train: Dataset, k: number, noisy: number, seed: number): { data: Dataset; noisy: boolean }[] {
  const perm = new Random(seed, 'federated demo').permutation(train.length);
  const rnd = new Random(seed + 1, 'federated demo labels');
  return Array.from({ length: k }, (_, c) => {
    const idx = Array.from(perm).filter((_, i) => i % k === c);
    const data = train.subset(idx);
    const isNoisy = c >= k - noisy;
    if (!isNoisy) return { data, noisy: false };
    const labels = Int32Array.from(data.targets, () => rnd.int(train.numClasses));
    return { data: new Dataset(data.features, labels, { numClasses: train.numClasses }), noisy: true };
  });
}

export async function federatedDemo(argv: readonly string[], io: Io, cliUrl: string): Promise<number> {
  const o = parseArgs('federated demo', argv, DEMO_FLAGS);
  if (o.help) {
    io.out(helpText('wasmgrad federated demo [options]', 'Federated digits with noisy clients: plain FedAvg vs noise-weighted FedAvg, side by side.', DEMO_FLAGS));
    return 0;
  }
  if (o._.length > 0) throw new UsageError(`federated demo: unexpected argument "${o._[0]}"`);
  const k = o.clients as number, noisy = o.noisy as number, rounds = o.rounds as number, denoN = o.deno as number;
  if (noisy >= k) throw new UsageError(`federated demo: --noisy (${noisy}) must be less than --clients (${k})`);
  if (denoN > k) throw new UsageError(`federated demo: --deno (${denoN}) must be at most --clients (${k})`);
  const seed = o.seed as number;
  const fs = await node<NodeBits['fs']>('fs');
  const os = await node<NodeBits['os']>('os');
  const cp = await node<NodeBits['cp']>('child_process');
  const root = new URL('..', cliUrl).pathname.replace(/\/$/, '');
  const clientJs = `${root}/dist/federated/client.js`;
  const workerd = (o.workerd as string | undefined) ?? (await findBinary('workerd', root, proc().cwd()));
  const deno = (o['deno-bin'] as string | undefined) ?? (await findBinary('deno', root, proc().cwd()));
  if (!fs.existsSync(clientJs)) throw new UsageError(`federated demo: ${clientJs} is missing (npm run build)`);
  if (denoN > 0 && !fs.existsSync(deno)) throw new UsageError(`federated demo: no deno at ${deno} (pass --deno-bin PATH, or --deno 0)`);

  // data: digits (or blobs), stratified hold-out, standardized with the training statistics
  const digits = `${root}/test/data/digits.csv`;
  const file = (o.data as string | undefined) ?? (fs.existsSync(digits) ? digits : undefined);
  const all = file ? await loadCsvFile(file) : blobs({ n: 2000, centers: 10, dim: 16, std: 2, seed });
  if (!all.isClassification) throw new UsageError(`federated demo: ${file} is not a classification dataset`);
  const s = split(all, { test: 0.25, stratify: true, seed });
  const scaler = Standardizer.fit(s.train);
  const train = scaler.transform(s.train), val = scaler.transform(s.test);
  const parts = shards(train, k, noisy, seed);

  const engine = await init();
  const layers = [train.numFeatures, o.hidden as number, train.numClasses];
  const model = engine.nn.mlp(layers, { seed });
  const tmp = fs.mkdtempSync(`${os.tmpdir()}/wasmgrad-federated-`);
  const procs: { kill(s?: string): boolean }[] = [];
  let server: RunningServer | null = null;
  try {
    server = await startServer({ storageDir: `${tmp}/storage`, port: o.port as number, workerd, worker: `${root}/dist/federated/worker.js` });
    const policy = retryPolicy('federated demo', { retries: 4 });
    const base = (f: string): string => `${server!.url}/fed/${f}/`;
    const fedOpts = { quorum: k, keepRounds: rounds, normRatio: 0 };
    await createFederation(base('plain'), model.parameters(), { ...fedOpts, rule: 'fedavg' }, policy);
    await createFederation(base('weighted'), model.parameters(), { ...fedOpts, rule: 'noiseWeighted' }, policy);
    if (!o.json) io.out(`aggregator: workerd on ${server.url} (storage ${tmp}/storage); ${k} clients (${noisy} noisy, ${denoN} under Deno), ${rounds} rounds, ${all.name} ${train.length} train / ${val.length} validation\n`);

    // the clients
    const exits: Promise<{ id: string; code: number | null; err: string; runtime: string }>[] = [];
    const lastNoise = new Map<string, Record<string, number>>();
    parts.forEach((p, c) => {
      const id = `client-${c}${p.noisy ? '-noisy' : ''}`;
      const shard = `${tmp}/${id}.safetensors`;
      fs.writeFileSync(shard, encodeSafetensors([
        { name: 'features', shape: [p.data.length, p.data.numFeatures], data: p.data.features },
        { name: 'labels', shape: [p.data.length], data: Float32Array.from(p.data.targets) },
      ]));
      const cfg = { url: server!.url, id, shard, layers, seed: seed + 100 + c, lr: o.lr, localEpochs: o['local-epochs'], batchSize: o['batch-size'], rounds, federations: ['plain', 'weighted'], mu: o.mu, waitMs: (o.timeout as number) * 1000 };
      fs.writeFileSync(`${tmp}/${id}.json`, JSON.stringify(cfg));
      const useDeno = c < denoN;
      const [cmd, args] = useDeno ? [deno, ['run', '--quiet', '--allow-read', '--allow-net', clientJs, `${tmp}/${id}.json`]] : [(proc() as unknown as { execPath: string }).execPath, [clientJs, `${tmp}/${id}.json`]];
      const child = cp.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      procs.push(child);
      let err = '', buf = '', runtime = useDeno ? 'deno' : 'node';
      child.stderr.on('data', (b) => (err += String(b)));
      child.stdout.on('data', (b) => {
        buf += String(b);
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            const m = JSON.parse(line);
            if (m.done) runtime = m.runtime;
            else lastNoise.set(id, { ...lastNoise.get(id), [m.federation]: m.noise, samples: p.data.length });
          } catch { /* not ours */ }
        }
      });
      exits.push(new Promise((resolve) => child.on('exit', (code) => resolve({ id, code, err, runtime }))));
    });
    let finished = false;
    const allExited = Promise.all(exits).then((r) => ((finished = true), r));

    // per round, as rounds close: the global validation loss of both federations
    const history: { plain: Eval[]; weighted: Eval[] } = { plain: [], weighted: [] };
    const deadline = Date.now() + (o.timeout as number) * 1000;
    const kept = async (f: string, r: number): Promise<Float32Array | null> => {
      try {
        return decodeParams(await request('federated demo', `${base(f)}params?round=${r}`, { method: 'GET' }, policy)).params;
      } catch (e) {
        if (e instanceof WasmgradError && !(e instanceof NetworkError)) return null;
        throw e;
      }
    };
    const score = (p: Float32Array): Eval => {
      model.setParameters(p);
      const ev = evaluate(model, val);
      return { valLoss: ev.loss, valAccuracy: ev.accuracy ?? NaN };
    };
    if (!o.json) io.out(`${'round'.padStart(5)}  ${'plain FedAvg'.padStart(22)}  ${'noise-weighted'.padStart(22)}\n${''.padStart(5)}  ${'val loss   acc'.padStart(22)}  ${'val loss   acc'.padStart(22)}\n`);
    for (let r = 0; r < rounds;) {
      const [a, b] = [await kept('plain', r), await kept('weighted', r)];
      if (a && b) {
        const pe = score(a), we = score(b);
        history.plain.push(pe);
        history.weighted.push(we);
        if (o.json) io.out(`${JSON.stringify({ round: r + 1, plain: pe, weighted: we })}\n`);
        else io.out(`${String(r + 1).padStart(5)}  ${pe.valLoss.toFixed(4).padStart(14)} ${(100 * pe.valAccuracy).toFixed(1).padStart(6)}%  ${we.valLoss.toFixed(4).padStart(14)} ${(100 * we.valAccuracy).toFixed(1).padStart(6)}%\n`);
        r++;
        continue;
      }
      if (finished) {
        const bad = (await allExited).filter((x) => x.code !== 0);
        throw new WasmgradError(`federated demo: the clients stopped before round ${r + 1} closed${bad.map((x) => `\n${x.id} (exit ${x.code}): ${x.err.trim().slice(-1500)}`).join('')}`);
      }
      if (Date.now() > deadline) throw new NetworkError(`federated demo: round ${r + 1} did not close within --timeout ${o.timeout} s`, server.url, 1);
      await new Promise((res) => setTimeout(res, 100));
    }
    const ends = await allExited;
    const failed = ends.filter((x) => x.code !== 0);
    if (failed.length > 0) throw new WasmgradError(`federated demo: ${failed.map((x) => `${x.id} exited with ${x.code}: ${x.err.trim().slice(-1500)}`).join('\n')}`);

    // the last round's weights per client, from the aggregator's round log
    const weights = async (f: string): Promise<Map<string, number>> => {
      const log = JSON.parse(new TextDecoder().decode(await request('federated demo', `${base(f)}log?from=${rounds - 1}`, { method: 'GET' }, policy)));
      return new Map((log.rounds.at(-1)?.updates ?? []).map((u: { client: string; weight: number }) => [u.client, u.weight]));
    };
    const [wp, ww] = [await weights('plain'), await weights('weighted')];
    const last = (h: Eval[]): Eval => h[h.length - 1];
    const best = (h: Eval[]): number => Math.min(...h.map((e) => e.valLoss));
    await makeDir(o.out as string);
    const svg = lineChart([
      { name: 'plain FedAvg', y: history.plain.map((e) => e.valLoss) },
      { name: 'noise-weighted FedAvg', y: history.weighted.map((e) => e.valLoss) },
    ], { title: `federated ${all.name}: ${k} clients, ${noisy} with random labels`, xLabel: 'round', yLabel: 'global validation loss' });
    const svgPath = `${o.out as string}/federated.svg`;
    await writeTextAtomic(svgPath, svg);
    if (o.json) {
      const { plain, weighted } = { plain: last(history.plain), weighted: last(history.weighted) };
      io.out(`${JSON.stringify({ rounds, plain, weighted })}\n`);
      return 0;
    }
    io.out(`\n${table([
      ['plain FedAvg', last(history.plain).valLoss.toFixed(4), best(history.plain).toFixed(4), `${(100 * last(history.plain).valAccuracy).toFixed(1)}%`],
      ['noise-weighted', last(history.weighted).valLoss.toFixed(4), best(history.weighted).toFixed(4), `${(100 * last(history.weighted).valAccuracy).toFixed(1)}%`],
    ], ['rule', 'final val loss', 'best val loss', 'final val acc'])}\n\n`);
    io.out(`${table(ends.map((x) => [
      x.id, x.runtime, String(lastNoise.get(x.id)?.samples ?? ''), (lastNoise.get(x.id)?.weighted ?? NaN).toFixed(4),
      (wp.get(x.id) ?? NaN).toFixed(3), (ww.get(x.id) ?? NaN).toFixed(3),
    ]), ['client', 'runtime', 'samples', 'noise σ²', 'weight plain', 'weight weighted'])}\n\n`);
    io.out(`wrote ${svgPath}\n`);
    return 0;
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
