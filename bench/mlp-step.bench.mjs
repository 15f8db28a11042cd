// bench/mlp-step: one MLP training step (forward + backward + Adam update),
// wasmgrad next to PyTorch, TensorFlow.js (wasm, cpu) and jax-js, side by side.
//
//   npm run build && node bench/mlp-step.bench.mjs [--short] [--rounds N] [--round-ms MS]
//        [--configs a,b] [--variants a,b] [--nodes /path/node22,/path/node24] [--out FILE] [--no-write]
//        [--section-from FILE] [--no-pause]
//
// A full run (no --short/--configs/--variants/--out) writes
// bench/results/mlp-step.json and the "MLP training step" section of
// bench/RESULTS.md; --section-from re-renders that section from a results file.
//
// Every implementation runs in its own child process (bench/mlp-step/child.mjs
// for JS, bench/mlp-step/torch_step.py for PyTorch) and the coordinator sends
// them commands in turn, so only one computes at a time: rounds interleave the
// variants (in a rotated order each round) and the figures are medians over
// rounds. Each round starts from the same initial parameters and a fresh Adam,
// takes 2 untimed steps, then times n steps (n calibrated per variant to about
// --round-ms). Before timing, every variant runs 5 steps from the same
// parameters on the same batches and its losses are compared with PyTorch's.
//
// Two rates per round: steps per wall-clock second (the figure asked for) and
// steps per CPU second of the child process (user + system time). On a shared,
// oversubscribed machine the wall figure drops with the load while the CPU
// figure stays close to the unloaded speed; both are reported with their
// medians and ratios to PyTorch, and the load average is recorded.
//
// Rows per runtime: wasmgrad also runs in headless Chromium (chromium-child.mjs
// drives a page through playwright-core), workerd (workerd-child.mjs), Deno and
// Bun (child.mjs as is), and other Node binaries given with --nodes.
//
// The timing loop is our own rather than tinybench's: tinybench times
// functions inside one process, and here each variant lives in its own process.
//
// PyTorch: `/usr/bin/python3` with torch (Debian python3-torch 1.13), one
// thread. Debian's torch calls the BLAS behind libblas.so.3; with the
// reference BLAS it is ~10x slower than with OpenBLAS. The bench looks for an
// OpenBLAS (MLP_STEP_OPENBLAS=<dir with libblas.so.3>, else the openblas
// directories Debian's libopenblas0-{serial,pthread} install, else
// ~/.cache/wasmgrad-bench/openblas/...) and, when the system BLAS is another
// one, runs PyTorch twice: with OpenBLAS (LD_LIBRARY_PATH, the anchor all
// ratios use) and as installed. Skipped with a note when torch is missing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandChild } from './mlp-step/command-child.mjs';
import { CONFIGS, makeProblem } from './mlp-step/problem.mjs';
import { variantList } from './mlp-step/variant-list.mjs';
import { cpuDescription, median } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const short = flag('--short');
const ROUNDS = Number(opt('--rounds', short ? 3 : 7));
const ROUND_MS = Number(opt('--round-ms', short ? 150 : 400));
const PAUSE = !flag('--no-pause');
const CHECK_STEPS = 5;
const CHECK_RTOL = 2e-3;
const OUT = opt('--out', join(repo, 'bench', 'results', 'mlp-step.json'));

// ---------------------------------------------------------------- child processes


// ---------------------------------------------------------------- statistics

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

// ---------------------------------------------------------------- one workload

async function benchConfig(config, dir, variants) {
  const problem = makeProblem(config, dir, repo);
  const result = { name: config.name, sizes: config.sizes, batch: config.batch, variants: {} };
  if (problem.skip) {
    console.log(`\n## ${config.name}: skipped (${problem.skip})`);
    return { ...result, skipped: problem.skip };
  }
  result.data = problem.source;
  result.adam = { lr: problem.lr, betas: problem.betas, eps: problem.eps };
  console.log(`\n## ${config.name}: MLP ${config.sizes.join('-')}, batch ${config.batch}, ${problem.batches} batches of ${problem.source}`);

  const live = [];
  for (const v of variants) {
    const rec = { label: v.label };
    result.variants[v.name] = rec;
    if (v.skip) {
      rec.skipped = v.skip;
      console.log(`  ${v.name}: skipped (${v.skip})`);
      continue;
    }
    const child = new CommandChild(...v.spawnArgs(), repo);
    try {
      rec.info = (await child.send({ cmd: 'setup', problem })).info;
      rec.checkLosses = (await child.send({ cmd: 'check', steps: CHECK_STEPS })).losses;
      live.push({ v, child, rec });
    } catch (e) {
      rec.skipped = `failed: ${String(e.message ?? e).split('\n')[0]}`;
      console.log(`  ${v.name}: ${rec.skipped}`);
      child.close();
    }
  }

  // same parameters, same batches: the losses of the first steps must agree
  const ref = live.find((l) => l.v.name === 'pytorch') ?? live[0];
  for (const l of live) {
    let worst = 0;
    l.rec.checkLosses.forEach((x, i) => {
      const r = ref.rec.checkLosses[i];
      worst = Math.max(worst, Math.abs(x - r) / Math.max(1e-12, Math.abs(r)));
    });
    l.rec.checkMaxRelDiff = worst;
    l.rec.checkAgrees = worst <= CHECK_RTOL;
    if (!l.rec.checkAgrees) {
      console.log(`  WARNING ${l.v.name}: losses ${l.rec.checkLosses.map((x) => x.toFixed(6))} differ from ${ref.v.name} ${ref.rec.checkLosses.map((x) => x.toFixed(6))}`);
    }
  }

  // Only the variant being timed runs: the others' process trees are stopped (SIGSTOP), so an
  // idle browser or runtime takes no time slice from it (a 2-thread variant needs both cores;
  // with the other children live it measured ~7 % slower at b128). --no-pause keeps them live.
  let running = null;
  const runOnly = async (l, steps) => {
    if (PAUSE && running !== l) {
      for (const o of live) if (o !== l) o.child.pause();
      l.child.resume();
      running = l;
    }
    return l.child.send({ cmd: 'run', steps });
  };

  // calibration (also the warm-up): steps per round to last about ROUND_MS
  for (const l of live) {
    let n = 1, ms = 0;
    for (;;) {
      ms = (await runOnly(l, n)).ms;
      if (ms >= Math.min(200, ROUND_MS) || n >= 1 << 16) break;
      n *= 2;
    }
    l.steps = Math.max(2, Math.round((n / ms) * ROUND_MS));
    l.rates = [];
    l.cpuRates = [];
  }

  for (let r = 0; r < ROUNDS; r++) {
    const order = live.map((_, i) => live[(i + r) % live.length]);
    for (const l of order) {
      const { ms, cpuMs } = await runOnly(l, l.steps);
      l.rates.push((l.steps * 1000) / ms);
      l.cpuRates.push((l.steps * 1000) / cpuMs);
    }
  }
  for (const l of live) l.child.close();

  const torch = live.find((l) => l.v.name === 'pytorch');
  const torchMedian = torch ? median(torch.rates) : NaN;
  const torchCpuMedian = torch ? median(torch.cpuRates) : NaN;
  for (const l of live) {
    const m = median(l.rates), mc = median(l.cpuRates);
    Object.assign(l.rec, {
      stepsPerRound: l.steps,
      stepsPerSec: l.rates,
      median: m,
      msPerStep: 1000 / m,
      ratioToPytorch: m / torchMedian,
      stepsPerCpuSec: l.cpuRates,
      cpuMedian: mc,
      cpuRatioToPytorch: mc / torchCpuMedian,
    });
  }
  console.log(`  | implementation | steps/s (median of ${ROUNDS}) | min..max | ratio to PyTorch | steps per CPU-s | CPU ratio | losses agree |`);
  console.log('  |---|---|---|---|---|---|---|');
  for (const v of variants) {
    const rec = result.variants[v.name];
    if (rec.skipped) {
      console.log(`  | ${v.label} | skipped: ${rec.skipped} | | | | | |`);
      continue;
    }
    const lo = Math.min(...rec.stepsPerSec), hi = Math.max(...rec.stepsPerSec);
    console.log(
      `  | ${v.label} | ${fmt(rec.median)} | ${fmt(lo)}..${fmt(hi)} | ${fmt(rec.ratioToPytorch, 2)} | ${fmt(rec.cpuMedian)} | ${fmt(rec.cpuRatioToPytorch, 2)} | ${rec.checkAgrees ? 'yes' : 'NO'} (${rec.checkMaxRelDiff.toExponential(1)}) |`,
    );
  }
  return result;
}

// ---------------------------------------------------------------- main

const sectionFrom = opt('--section-from', null);
if (sectionFrom) {
  // re-render the RESULTS.md section from a results file, measure nothing
  writeSection(JSON.parse(readFileSync(sectionFrom, 'utf8')));
  console.log(`wrote the "MLP training step" section of bench/RESULTS.md from ${sectionFrom}`);
  process.exit(0);
}

const variants = variantList({ nodes: opt('--nodes', null), only: opt('--variants', null) });
const only = opt('--configs', null);
const configs = only ? CONFIGS.filter((c) => only.split(',').includes(c.name)) : CONFIGS;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cpuDescription: cpuDescription(),
  logicalCores: cpus().length,
  node: process.version,
  v8: process.versions.v8,
  platform: `${process.platform} ${process.arch}`,
  date: new Date().toISOString(),
  loadAverageAtStart: loadavg(),
};
console.log(`# mlp-step on ${machine.cpu} (${machine.logicalCores} logical cores), Node ${machine.node}; ${ROUNDS} rounds of ~${ROUND_MS} ms per variant; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const dir = mkdtempSync(join(tmpdir(), 'mlp-step-'));
const results = [];
try {
  for (const c of configs) results.push(await benchConfig(c, dir, variants));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const doc = {
  bench: 'mlp-step',
  description: 'one training step (forward + backward + Adam update) of a ReLU MLP with softmax cross-entropy; steps/s, medians over interleaved rounds',
  machine,
  rounds: ROUNDS,
  roundMs: ROUND_MS,
  checkSteps: CHECK_STEPS,
  loadAverageAtEnd: loadavg(),
  configs: results,
};
if (!flag('--no-write')) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(doc, null, 2) + '\n');
  console.log(`\nwrote ${OUT}`);
  if (!short && !opt('--configs', null) && !opt('--variants', null) && !opt('--out', null)) {
    writeSection(doc);
    console.log('wrote the "MLP training step" section of bench/RESULTS.md');
  }
}

/** The markdown table of one workload. */
function table(cfg) {
  const lines = [
    `| implementation | steps/s | ratio to PyTorch | best round | steps per CPU-second | CPU ratio | ms/step | losses agree (max rel. diff) |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const rec of Object.values(cfg.variants)) {
    if (rec.skipped) {
      lines.push(`| ${rec.label} | skipped: ${rec.skipped} | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${rec.label} | ${fmt(rec.median)} | ${fmt(rec.ratioToPytorch, 2)} | ${fmt(Math.max(...rec.stepsPerSec))} | ${fmt(rec.cpuMedian)} | ${fmt(rec.cpuRatioToPytorch, 2)} | ${fmt(rec.msPerStep, 2)} | ${rec.checkAgrees ? 'yes' : 'NO'} (${rec.checkMaxRelDiff.toExponential(1)}) |`,
    );
  }
  return lines.join('\n');
}

/** Replaces (or appends) this benchmark's section of bench/RESULTS.md; other sections stay as they are. */
function writeSection(doc) {
  const m = doc.machine;
  const torch = doc.configs.flatMap((c) => Object.values(c.variants)).find((v) => v.info?.torch);
  const parts = [
    '## MLP training step',
    '',
    `\`node bench/mlp-step.bench.mjs\` (\`npm run bench:mlp-step\`), ${m.date.slice(0, 10)}: ${m.cpuDescription ?? m.cpu}`,
    `(shared with other jobs; load average ${m.loadAverageAtStart.map((x) => x.toFixed(1)).join(' ')} at the start,`,
    `${doc.loadAverageAtEnd.map((x) => x.toFixed(1)).join(' ')} at the end), Node ${m.node}, one thread everywhere except the "2 threads" rows. One step = forward + backward +`,
    'Adam update (lr 1e-3, betas 0.9/0.999, eps 1e-8) of a ReLU MLP with softmax cross-entropy (mean over the batch).',
    `Medians of ${doc.rounds} interleaved rounds of ~${doc.roundMs} ms per implementation; every implementation runs in its own`,
    'process and starts each round from the same parameters; while one is timed, the others\' process trees are stopped',
    '(SIGSTOP), so an idle browser or runtime takes no time slice from it. "steps per CPU-second" divides by the process CPU time',
    'instead of wall time (less sensitive to the other jobs on this machine). "best round": the fastest round, the',
    'least disturbed by the machine\'s other tenants (their load comes in bursts that can halve a round). "losses agree": the first 5 losses from',
    'the same parameters and batches, against PyTorch\'s.',
    '',
    torch ? `PyTorch: ${torch.info.torch}, ${torch.info.threads} thread, BLAS ${torch.info.blas}${torch.info.openblasCore ? ` (OpenBLAS kernels: ${torch.info.openblasCore}; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this process)` : ""}.` : 'PyTorch: not run.',
    torch?.info.blas?.startsWith('/usr/lib/')
      ? 'Debian\'s python3-torch calls whatever provides libblas.so.3; here that is Debian\'s OpenBLAS (libopenblas0),'
      : 'Debian\'s python3-torch calls whatever provides libblas.so.3; with the reference BLAS PyTorch is ~10x slower, so the',
    torch?.info.blas?.startsWith('/usr/lib/')
      ? 'so no second PyTorch row is needed. TensorFlow.js: tfjs-core + gradients + backends bundled by esbuild from their'
      : 'anchor runs with OpenBLAS (put first on LD_LIBRARY_PATH of the PyTorch process only) and the row "as installed" is PyTorch with the system libblas.so.3. TensorFlow.js: tfjs-core + gradients + backends bundled by esbuild from their',
    'ESM sources (the Node bundle of tfjs-core registers no gradients). jax-js: Node has no global `Worker`, so its',
    'wasm backend runs on one thread.',
    '',
    'The rows for other runtimes run the same wasmgrad step (bench/mlp-step/variants/wasmgrad-runner.mjs) there:',
    'Chromium in a headless page (bench/mlp-step/chromium-child.mjs; wall time from performance.now() in the page, CPU',
    'time = the page\'s main-thread time from the DevTools protocol); workerd through a local `workerd serve`',
    '(bench/mlp-step/workerd-child.mjs; a worker\'s clock stands still while it computes, so the steps are timed',
    'around the request and the CPU column repeats the wall time); Deno, Bun and other Node versions with child.mjs',
    'unchanged. Relaxed SIMD needs no flag there: init() picks it by default in Node >= 22, Chromium, workerd, Deno and',
    'Bun. Deno does not enable V8\'s',
    'WebAssembly trap handler (https://github.com/denoland/deno/issues/35658), so its wasm code carries an explicit',
    'bounds check on every memory access: its GEMM runs about a quarter slower than Chromium\'s with plain SIMD and a',
    'tenth slower with relaxed SIMD (bench/gemm-runtimes.bench.mjs).',
    '',
  ];
  for (const cfg of doc.configs) {
    parts.push(`### ${cfg.name}: MLP ${cfg.sizes.join('-')}, batch ${cfg.batch}`);
    parts.push('');
    if (cfg.skipped) {
      parts.push(`Skipped: ${cfg.skipped}.`, '');
      continue;
    }
    parts.push(`Data: ${cfg.data}.`, '', table(cfg), '');
  }
  const section = parts.join('\n');
  const file = join(repo, 'bench', 'RESULTS.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\nEach section is written by its benchmark (`npm run bench [name]`).\n';
  const start = old.indexOf('\n## MLP training step\n');
  const next = start < 0 ? -1 : old.indexOf('\n## ', start + 1);
  const updated = start < 0 ? `${old.trimEnd()}\n\n${section}` : `${old.slice(0, start + 1)}${section}${next < 0 ? '' : old.slice(next)}`;
  writeFileSync(file, updated);
}
