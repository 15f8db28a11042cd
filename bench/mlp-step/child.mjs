// One JS implementation of the bench/mlp-step workload, in its own process.
//
//   node bench/mlp-step/child.mjs <variant>
//
// Same line protocol as torch_step.py (one JSON command per stdin line, one
// JSON reply per stdout line): setup, check, run, exit. The coordinator
// (bench/mlp-step.bench.mjs) starts one child per variant, so the variants do
// not share a heap, a wasm memory or a JIT, and sends them commands in turn.
//
// A variant module exports `create(problem, data)` returning
//   { info, reset(), step(i, wantLoss) -> loss | undefined, sync() }
// where step i trains on batch i mod problem.batches; reset restores the
// initial parameters and a fresh optimizer state.
import { serveCommands } from './protocol.mjs';
import { loadProblem } from './problem.mjs';

const VARIANTS = {
  'tfjs-wasm': () => import('./variants/tfjs.mjs').then((m) => m.factory('wasm')),
  'tfjs-cpu': () => import('./variants/tfjs.mjs').then((m) => m.factory('cpu')),
  'jax-js': () => import('./variants/jaxjs.mjs').then((m) => m.create),
  'wasmgrad-simd': () => import('./variants/wasmgrad.mjs').then((m) => m.factory({ simd: true })),
  'wasmgrad-scalar': () => import('./variants/wasmgrad.mjs').then((m) => m.factory({ simd: false })),
  'wasmgrad-relaxed': () => import('./variants/wasmgrad.mjs').then((m) => m.factory({ simd: true, relaxed: true })),
  'wasmgrad-threads2': () => import('./variants/wasmgrad.mjs').then((m) => m.factory({ simd: true, threads: 2 })),
  'wasmgrad-threads2-gemm': () => import('./variants/wasmgrad.mjs').then((m) => m.factory({ simd: true, threads: 2, parallel: 'gemm' })),
  'wasmgrad-relaxed-threads2': () => import('./variants/wasmgrad.mjs').then((m) => m.factory({ simd: true, relaxed: true, threads: 2 })),
};

const name = process.argv[2];
let runner = null;
let batches = 1;

async function handle(msg) {
  switch (msg.cmd) {
    case 'setup': {
      const make = VARIANTS[name];
      if (!make) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
      const create = await make();
      runner = await create(msg.problem, loadProblem(msg.problem));
      batches = msg.problem.batches;
      return { info: runner.info ?? {} };
    }
    case 'check': {
      await runner.reset();
      const losses = [];
      for (let i = 0; i < msg.steps; i++) losses.push(await runner.step(i % batches, true));
      await runner.reset();
      return { losses };
    }
    case 'run': {
      await runner.reset();
      runner.step(0, false);
      runner.step(1 % batches, false);
      await runner.sync();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < msg.steps; i++) runner.step((i + 2) % batches, false);
      await runner.sync();
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      return { ms, cpuMs: (c.user + c.system) / 1000 };
    }
    default:
      throw new Error(`unknown command ${msg.cmd}`);
  }
}

await serveCommands(handle);
process.exit(0);
