// The Chromium side of bench/mlp-step/chromium-child.mjs: the same commands as
// child.mjs (setup, check, run), run inside the page, timed with
// performance.now(). Loaded by the page that chromium-child.mjs serves.
import * as wasmgrad from 'wasmgrad';
import { problemData, wasmgradVariant } from './variants/wasmgrad-runner.mjs';

let runner = null;
let batches = 1;

const bytes = async (url) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
};

window.bench = {
  async setup(variant, problem) {
    const create = wasmgradVariant(wasmgrad, variant);
    const data = problemData(problem, await bytes('/problem/data.bin'), await bytes('/problem/params.bin'));
    runner = await create(problem, data);
    batches = problem.batches;
    return { info: { ...runner.info, userAgent: navigator.userAgent } };
  },
  check(steps) {
    runner.reset();
    const losses = [];
    for (let i = 0; i < steps; i++) losses.push(runner.step(i % batches, true));
    runner.reset();
    return { losses };
  },
  run(steps) {
    runner.reset();
    runner.step(0, false);
    runner.step(1 % batches, false);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) runner.step((i + 2) % batches, false);
    return { ms: performance.now() - t0 };
  },
};
window.benchReady = true;
