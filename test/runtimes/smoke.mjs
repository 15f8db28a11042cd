// The smoke scenario every runtime runs (Node, Deno, Bun, Chromium, workerd).
//
// Plain ESM with no imports: the caller passes the package's namespace
// (`import * as wasmgrad from 'wasmgrad'`), so the same file runs wherever the
// package loads and touches nothing but the public API.
//
//   const result = await smoke(wasmgrad);
//   result.ok, result.loss0, result.loss, result.simd, result.scalarLoss, result.failures
//   (result.relaxedSimd: engine.relaxedSimd where the engine has that flag, else null;
//   result.tileRows: the relaxed build's GEMM tile height init() chose, 4 or 6, else null)
//
// Scenarios (each trains once on the SIMD engine chosen by `init()` and once on
// a forced-scalar engine, and checks: the loss fell below its bound, `init()`
// picked SIMD, the scalar engine reports `simd === false`, and both builds end
// at the same loss within tolerance):
//   xorMlpAdam    the main one: engine.nn.mlp([2, 16, 16, 2]), 200 full-batch
//                 engine.optim.adam steps on the built-in XOR data (200 points),
//                 softmax cross-entropy; also checks training accuracy.
//   leastSquares  full-batch gradient descent on 1/(2n)·‖Xw − y‖² with
//                 engine.matmul and BLAS-1 kernels (needs only the core).

/** mulberry32 (src/runtime/mulberry32.ts; copied, since this file runs alone in every runtime): the same data everywhere. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An MLP classifier on XOR, trained by Adam on the full batch:
 *   model = mlp([2, 16, 16, 2], relu), loss = mean softmax cross-entropy,
 *   200 × (lossAndGrad, adam.step) with lr 0.03 (PyTorch defaults otherwise).
 * Chance level is ln 2 ≈ 0.693; the run ends near 2e-3.
 */
export async function xorMlpAdam(engine, wasmgrad, { steps = 200, lr = 0.03, n = 200, seed = 3 } = {}) {
  const data = wasmgrad.xor({ n, seed });
  const model = engine.nn.mlp([2, 16, 16, 2], { activation: 'relu', seed: 1 });
  const opt = engine.optim.adam(model, { lr });
  const x = engine.tensor([data.length, data.numFeatures], data.features);
  const loss = () => model.lossAndGrad(x, data.targets, 'softmaxCrossEntropy');
  const loss0 = loss();
  opt.step();
  for (let step = 1; step < steps; step++) {
    loss();
    opt.step();
  }
  const final = loss();
  const logits = model.forward(x).toArray();
  let correct = 0;
  for (let i = 0; i < data.length; i++) {
    const predicted = logits[2 * i + 1] > logits[2 * i] ? 1 : 0;
    if (predicted === data.targets[i]) correct++;
  }
  opt.dispose();
  model.dispose();
  x.dispose();
  return { loss0, loss: final, steps, accuracy: correct / data.length };
}

/**
 * Least squares by gradient descent, every step a flat run of kernel calls:
 *   r = X·w − y,  L = 1/(2n)·rᵀr,  g = (1/n)·Xᵀr,  w ← w − lr·g.
 * X is 64×8 uniform in [−1, 1), y = X·w* (consistent, so the minimum is 0).
 */
export async function leastSquares(engine, _wasmgrad, { steps = 200, lr = 0.5, seed = 7 } = {}) {
  const n = 64, d = 8;
  const r = rng(seed);
  const xs = Array.from({ length: n * d }, () => 2 * r() - 1);
  const wStar = Array.from({ length: d }, () => 2 * r() - 1);
  const ys = Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += xs[i * d + j] * wStar[j];
    return s;
  });
  const X = engine.tensor([n, d], xs);
  const y = engine.tensor([n, 1], ys);
  const w = engine.tensor([d, 1]);
  const res = engine.tensor([n, 1]);
  const g = engine.tensor([d, 1]);
  const k = engine.kernels;
  const residualLoss = () => {
    engine.matmul(X, w, { out: res });
    k.f32_sub(n, res.ptr, y.ptr, res.ptr);
    return k.f32_dot(n, res.ptr, res.ptr) / (2 * n);
  };
  const losses = [];
  for (let step = 0; step < steps; step++) {
    losses.push(residualLoss());
    engine.matmul(X, res, { transA: true, alpha: 1 / n, out: g });
    k.f32_axpy(d, g.ptr, w.ptr, -lr);
  }
  const loss = residualLoss();
  for (const t of [X, y, w, res, g]) t.dispose();
  return { loss0: losses[0], loss, steps };
}

/** The scenarios, main one first: its numbers are the result's top-level fields. */
export const SCENARIOS = [
  {
    name: 'xorMlpAdam',
    run: xorMlpAdam,
    /** final loss must be below this (chance is ln 2 ≈ 0.693) */
    absBound: 0.05,
    /** and the training accuracy at least this */
    minAccuracy: 0.97,
    /**
     * SIMD vs scalar after 200 steps: the builds round differently (relaxed
     * SIMD fuses multiply-adds), and the difference grows over the run
     * (measured ~3e-6 on a loss of 2.2e-3); a wrong kernel lands far outside.
     */
    rtol: 0.05,
    atol: 1e-4,
  },
  {
    name: 'leastSquares',
    run: leastSquares,
    /** final loss must be below this fraction of the first */
    relBound: 1e-4,
    /** SIMD and scalar final losses agree within max(atol·loss0, rtol·|loss|) */
    rtol: 1e-3,
    atol: 1e-6,
  },
];

/**
 * Runs every scenario on `await wasmgrad.init()` (expected to pick SIMD) and on
 * `await wasmgrad.init({ simd: false })`. Never throws: errors become failures.
 */
export async function smoke(wasmgrad, { scenarios = SCENARIOS } = {}) {
  const failures = [];
  const results = [];
  let simd = null;
  let relaxedSimd = null;
  let scalarSimd = null;
  let tileRows = null;
  try {
    const engine = await wasmgrad.init();
    const scalar = await wasmgrad.init({ simd: false });
    simd = engine.simd;
    relaxedSimd = engine.relaxedSimd ?? null;
    scalarSimd = scalar.simd;
    if (relaxedSimd === true && typeof engine.kernels?.gemm_tile_rows === 'function') tileRows = engine.kernels.gemm_tile_rows();
    if (simd !== true) failures.push(`init() picked the scalar build (engine.simd = ${simd}); SIMD expected`);
    if (scalarSimd !== false) failures.push(`init({ simd: false }) gave engine.simd = ${scalarSimd}`);
    for (const sc of scenarios) {
      const res = { name: sc.name, ok: false };
      results.push(res);
      try {
        const a = await sc.run(engine, wasmgrad);
        const b = await sc.run(scalar, wasmgrad);
        Object.assign(res, { loss0: a.loss0, loss: a.loss, scalarLoss: b.loss, steps: a.steps });
        if (a.accuracy !== undefined) res.accuracy = a.accuracy;
        const before = failures.length;
        const bound = sc.absBound ?? sc.relBound * a.loss0;
        if (!(Number.isFinite(a.loss0) && a.loss0 > 0)) failures.push(`${sc.name}: initial loss ${a.loss0} is not positive`);
        if (!(a.loss <= bound)) {
          failures.push(`${sc.name}: loss ${a.loss} after ${a.steps} steps is not below ${bound} (from ${a.loss0})`);
        }
        if (sc.minAccuracy !== undefined && !(a.accuracy >= sc.minAccuracy)) {
          failures.push(`${sc.name}: training accuracy ${a.accuracy} is below ${sc.minAccuracy}`);
        }
        const tol = Math.max(sc.atol * a.loss0, sc.rtol * Math.abs(a.loss));
        if (!(Math.abs(a.loss - b.loss) <= tol)) {
          failures.push(`${sc.name}: SIMD loss ${a.loss} and scalar loss ${b.loss} differ by more than ${tol}`);
        }
        res.ok = failures.length === before;
      } catch (e) {
        failures.push(`${sc.name}: ${describe(e)}`);
      }
    }
  } catch (e) {
    failures.push(describe(e));
  }
  const main = results[0] ?? {};
  return {
    ok: failures.length === 0 && results.length === scenarios.length,
    scenario: main.name,
    loss0: main.loss0,
    loss: main.loss,
    scalarLoss: main.scalarLoss,
    steps: main.steps,
    accuracy: main.accuracy,
    simd,
    relaxedSimd,
    scalarSimd,
    tileRows,
    scenarios: results,
    failures,
  };
}

function describe(e) {
  return e instanceof Error ? `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
}
