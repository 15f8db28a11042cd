// bench/workerd-vs-node: the MLP step (bench/mlp-step's workload) in workerd and in Node on the same
// build, rounds interleaved, to find where workerd's gap to Node comes from (issue 19 item 4).
//
//   npm run build && node bench/workerd-vs-node.bench.mjs [--configs mlp784-b128,mlp784-b512]
//        [--builds relaxed,simd] [--runs node,workerd,node:--no-liftoff,workerd:--no-liftoff]
//        [--rounds 8] [--round-ms 400] [--warm-ms 3000] [--node /tmp/n24/package/bin/node] [--out FILE]
//
// Each run is `runtime[:flag+flag...]`: V8 flags for that child (Node: on its command line; workerd:
// `v8Flags` in its config.capnp, as a self-hosted deployer would set them). Every child is its own
// process (bench/mlp-step/child.mjs for Node, bench/mlp-step/workerd-child.mjs for workerd, where
// the steps are timed around the request and the CPU time is workerd's own from /proc).
//
// Per child: setup, the 5-step loss check, then "first": the first 20 steps timed (Liftoff code and
// the tier-up in flight), then a warm-up of --warm-ms of steps (every function that runs in a
// step has by then tiered up to TurboFan), then steps per round calibrated to --round-ms and
// --rounds rounds in a rotated order across all children. Round r pins every child (all its
// threads, with taskset) to vCPU r mod 2: on this shared host one vCPU at a time runs some 25 %
// slower for tens of seconds (bench/RESULTS.md, session 8), so the rounds of a pair compare on the
// same vCPU within a second or two. Reported: medians over rounds of steps per wall second and per
// CPU second (user + system of the whole process, all threads: so a TurboFan compile on a
// background thread counts), and each workerd run's ratio to the Node run with the same flags and
// build (else Node without flags): the median of the per-round ratios (paired), by CPU time and by
// wall time, and by CPU time on each vCPU. Runtime `deno` (child.mjs in node_modules/.bin/deno,
// flags as --v8-flags) is a third V8, between Node's and workerd's. Flags worth comparing:
// --no-liftoff (TurboFan only), --no-wasm-bounds-checks (workerd enables no trap handler, so its
// wasm code checks bounds explicitly; unsafe, measurement only) and, on Node,
// --wasm-enforce-bounds-checks (Node's code with workerd's checks); "tile4" is this bench's own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandChild } from './mlp-step/command-child.mjs';
import { CONFIGS, makeProblem } from './mlp-step/problem.mjs';
import { cpuDescription, median } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const ROUNDS = Number(opt('--rounds', 8)); // even: as many rounds on each vCPU
const ROUND_MS = Number(opt('--round-ms', 400));
const WARM_MS = Number(opt('--warm-ms', 3000));
const FIRST_STEPS = 20;
const NODE = opt('--node', '/tmp/n24/package/bin/node');
const DENO = join(repo, 'node_modules', '.bin', 'deno');
const configs = opt('--configs', 'mlp784-b128,mlp784-b512').split(',').map((n) => {
  const c = CONFIGS.find((x) => x.name === n);
  if (!c) throw new Error(`unknown config ${n}; known: ${CONFIGS.map((x) => x.name).join(', ')}`);
  return c;
});
const builds = opt('--builds', 'relaxed,simd').split(',');
const runs = opt('--runs', 'node,workerd,node:--no-liftoff,workerd:--no-liftoff').split(',').map((s) => {
  const [runtime, flags = ''] = s.split(':');
  if (!['node', 'workerd', 'deno'].includes(runtime)) throw new Error(`unknown runtime ${runtime}`);
  return { runtime, flags: flags ? flags.split('+') : [] };
});

function workerdVersions() {
  const pkg = JSON.parse(readFileSync(join(repo, 'node_modules', 'workerd', 'package.json'), 'utf8')).version;
  // the V8 version is a string of the binary (workerd has no --version for V8)
  const bin = readFileSync(join(repo, 'node_modules', 'workerd', 'bin', 'workerd')).toString('latin1');
  const v8 = /\0(1\d\.\d+\.\d+\.\d+)\0/.exec(bin)?.[1] ?? '?';
  return { workerd: pkg, v8 };
}

function nodeVersions() {
  const r = spawnSync(NODE, ['-p', 'JSON.stringify({ node: process.version, v8: process.versions.v8 })'], { encoding: 'utf8' });
  return JSON.parse(r.stdout);
}

/** Pins every thread of `pid` to `cpu` (Linux taskset; a no-op where it is missing). */
function pin(pid, cpu) {
  spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}


function startChild(run, build) {
  const variant = `wasmgrad-${build}`;
  if (run.runtime === 'node') return new CommandChild(NODE, [...run.flags, join(here, 'mlp-step', 'child.mjs'), variant], process.env, repo);
  if (run.runtime === 'deno') {
    const v8 = run.flags.length ? [`--v8-flags=${run.flags.join(',')}`] : [];
    return new CommandChild(DENO, ['run', '-A', '--quiet', ...v8, join(here, 'mlp-step', 'child.mjs'), variant], process.env, repo);
  }
  // pseudo-flag "tile4": workerd's user agent hidden, so init() takes the relaxed build's 4x8 tile
  // (gemm-tile.ts's choice for engines it does not know, as before workerd was recognised)
  const prelude = run.flags.includes('tile4') ? "Object.defineProperty(navigator, 'userAgent', { value: 'unknown' });" : '';
  const env = { ...process.env, MLP_STEP_WORKERD_FLAGS: JSON.stringify(run.flags.filter((f) => f !== 'tile4')), MLP_STEP_WORKERD_PRELUDE: prelude };
  return new CommandChild(NODE, [join(here, 'mlp-step', 'workerd-child.mjs'), variant], env, repo);
}

const label = (l) => `${l.run.runtime}${l.run.flags.length ? ' ' + l.run.flags.join(' ') : ''}, ${l.build}`;
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

async function benchConfig(config, dir) {
  const problem = makeProblem(config, dir, repo);
  const live = [];
  for (const build of builds) {
    for (const run of runs) {
      const child = startChild(run, build);
      const t0 = performance.now();
      const setup = await child.send({ cmd: 'setup', problem });
      const setupMs = performance.now() - t0;
      const pid = setup.workerdPid ?? child.proc.pid;
      if (setup.userAgent !== undefined) console.log(`  ${run.runtime} ${run.flags.join(' ')}, ${build}: navigator.userAgent = ${JSON.stringify(setup.userAgent)}`);
      const losses = (await child.send({ cmd: 'check', steps: 5 })).losses;
      live.push({ run, build, child, pid, setupMs, losses, rates: [], cpuRates: [] });
    }
  }
  const ref = live[0].losses;
  for (const l of live) {
    const worst = Math.max(...l.losses.map((x, i) => Math.abs(x - ref[i]) / Math.abs(ref[i])));
    if (worst > 2e-3) console.log(`  WARNING ${label(l)}: losses differ from ${label(live[0])} by ${worst}`);
  }
  // the first steps, then the warm-up (a child at a time, so the tier-up has the machine)
  for (const l of live) {
    const first = await l.child.send({ cmd: 'run', steps: FIRST_STEPS });
    l.firstRate = (FIRST_STEPS * 1000) / first.ms;
    l.firstCpuRate = (FIRST_STEPS * 1000) / first.cpuMs;
    let n = 4, spent = 0, ms = 0;
    while (spent < WARM_MS) {
      ms = (await l.child.send({ cmd: 'run', steps: n })).ms;
      spent += ms;
      if (ms < 200) n *= 2;
    }
    l.steps = Math.max(2, Math.round((n / ms) * ROUND_MS));
  }
  const cpus = Math.min(2, availableParallelism());
  for (let r = 0; r < ROUNDS; r++) {
    for (const l of live) pin(l.pid, r % cpus);
    for (let i = 0; i < live.length; i++) {
      const l = live[(i + r) % live.length];
      const { ms, cpuMs } = await l.child.send({ cmd: 'run', steps: l.steps });
      l.rates.push((l.steps * 1000) / ms);
      l.cpuRates.push((l.steps * 1000) / cpuMs);
    }
  }
  for (const l of live) l.child.close();
  return live.map((l) => ({
    runtime: l.run.runtime, flags: l.run.flags, build: l.build, setupMs: l.setupMs,
    first: l.firstRate, firstCpu: l.firstCpuRate, steps: l.steps,
    wall: median(l.rates), cpu: median(l.cpuRates), rates: l.rates, cpuRates: l.cpuRates,
  }));
}

/** The paired (per-round) ratios of `r` to the Node run with the same build and flags (else Node without flags). */
function pairOf(rows, r) {
  if (r.runtime === 'node') return null;
  const nodes = rows.filter((x) => x.runtime === 'node' && x.build === r.build);
  const node = nodes.find((x) => x.flags.join() === r.flags.join()) ?? nodes.find((x) => x.flags.length === 0);
  if (!node) return null;
  const cpu = r.cpuRates.map((x, i) => x / node.cpuRates[i]);
  return {
    wall: median(r.rates.map((x, i) => x / node.rates[i])),
    cpu: median(cpu),
    // by CPU time, the rounds on vCPU 0 and on vCPU 1 apart (round r ran on vCPU r mod 2)
    cpuByVcpu: [0, 1].map((c) => median(cpu.filter((_, i) => i % 2 === c))),
  };
}

function report(name, rows) {
  console.log(`\n## ${name}\n`);
  console.log('| run | build | setup ms | first 20 steps/s | steps/s (wall) | steps/CPU-s | /Node wall | /Node CPU | CPU, vCPU 0 / 1 |');
  // ratios: medians of the per-round ratios to the Node run with the same flags (else none) and build
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    r.ratio = pairOf(rows, r);
    const ratio = (k) => (r.ratio ? fmt(r.ratio[k], 2) : '');
    const flags = r.flags.length ? ' ' + r.flags.join(' ') : '';
    console.log(`| ${r.runtime}${flags} | ${r.build} | ${fmt(r.setupMs, 0)} | ${fmt(r.first)} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${ratio('wall')} | ${ratio('cpu')} | ${r.ratio ? r.ratio.cpuByVcpu.map((x) => fmt(x, 2)).join(' / ') : ''} |`);
  }
}

function denoVersions() {
  const r = spawnSync(DENO, ['--version'], { encoding: 'utf8' });
  return { deno: /deno ([\d.]+)/.exec(r.stdout ?? '')?.[1] ?? null, v8: /v8 (\S+)/.exec(r.stdout ?? '')?.[1] ?? null };
}

const versions = { node: nodeVersions(), workerd: workerdVersions(), deno: runs.some((r) => r.runtime === 'deno') ? denoVersions() : null };
const started = new Date().toISOString();
const load0 = loadavg();
console.log(`${cpuDescription()}; ${started}; load ${load0.map((x) => x.toFixed(2)).join(' ')}`);
console.log(`Node ${versions.node.node} (V8 ${versions.node.v8}), workerd ${versions.workerd.workerd} (V8 ${versions.workerd.v8})${versions.deno ? `, Deno ${versions.deno.deno} (V8 ${versions.deno.v8})` : ''}; ${ROUNDS} rounds of ${ROUND_MS} ms after ${WARM_MS} ms of warm-up per child`);
const dir = mkdtempSync(join(tmpdir(), 'workerd-vs-node-'));
const results = {};
try {
  for (const c of configs) {
    results[c.name] = await benchConfig(c, dir);
    report(c.name, results[c.name]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const load1 = loadavg();
console.log(`\nload at the end ${load1.map((x) => x.toFixed(2)).join(' ')}; ${new Date().toISOString()}`);
const out = opt('--out', null);
if (out) writeFileSync(out, JSON.stringify({ started, cpu: cpuDescription(), load: [load0, load1], versions, rounds: ROUNDS, roundMs: ROUND_MS, warmMs: WARM_MS, results }, null, 2));
