// wasmgrad: the public API as a user writes a training step, given the
// package's module (Node imports dist/index.js, the Chromium page imports it
// through an import map), so the same runner runs in every runtime:
//   model = engine.nn.mlp(sizes)   (ReLU between layers)
//   opt   = engine.optim.adam(model, { lr, betas, eps })
//   step  = model.lossAndGrad(x, labels, 'softmaxCrossEntropy'); opt.step()
// The batches live in the engine's memory as tensors (as the other
// implementations keep theirs on their device), labels as Int32Arrays.
//
// `relaxed: true` asks init() for the relaxed-SIMD build (Node 20 needs
// --experimental-wasm-relaxed-simd); the SIMD variant opts out of it explicitly.
/** The wasmgrad variants by name: which build init() is asked for. */
export const WASMGRAD_VARIANTS = {
  'wasmgrad-simd': { simd: true },
  'wasmgrad-relaxed': { simd: true, relaxed: true },
  'wasmgrad-scalar': { simd: false },
  'wasmgrad-threads2': { simd: true, threads: 2 },
  'wasmgrad-threads2-gemm': { simd: true, threads: 2, parallel: 'gemm' },
  'wasmgrad-relaxed-threads2': { simd: true, relaxed: true, threads: 2 },
};

/** The runner factory of a named variant; throws on an unknown name. */
export function wasmgradVariant(wasmgrad, name) {
  const options = WASMGRAD_VARIANTS[name];
  if (!options) throw new Error(`unknown variant ${name}; known: ${Object.keys(WASMGRAD_VARIANTS).join(', ')}`);
  return wasmgradRunner(wasmgrad, options);
}

export function wasmgradRunner(wasmgrad, { simd, relaxed = false, threads = 1, parallel }) {
  return async function create(problem, data) {
    const engine = await wasmgrad.init(simd ? { simd: true, relaxedSimd: relaxed, ...(threads > 1 ? { threads } : {}) } : { simd: false });
    if (relaxed && engine.relaxedSimd !== true) throw new Error('init did not give the relaxed-SIMD build');
    const { sizes, batch, batches } = problem;
    const d0 = sizes[0];
    const xs = [], ys = [];
    for (let i = 0; i < batches; i++) {
      xs.push(engine.tensor([batch, d0], data.x.subarray(i * batch * d0, (i + 1) * batch * d0)));
      ys.push(data.y.slice(i * batch, (i + 1) * batch));
    }
    const model = engine.nn.mlp(sizes, { activation: 'relu' });
    // model.parallel: 'auto' (default: the rule of docs/threads.md) or 'gemm' (GEMMs split by panels)
    if (parallel) model.parallel = parallel;
    let opt = null;
    const adamOptions = { lr: problem.lr, betas: problem.betas, eps: problem.eps };
    return {
      info: { simd: engine.simd, relaxedSimd: engine.relaxedSimd === true, build: threads > 1 ? (relaxed ? 'relaxed-threads' : 'threads') : relaxed ? 'relaxed' : simd ? 'simd' : 'scalar', threads: engine.threads?.count ?? 1, parallel: model.parallel ?? null },
      reset() {
        model.setParameters(data.params);
        if (opt) opt.dispose();
        opt = engine.optim.adam(model, adamOptions);
      },
      step(i, wantLoss) {
        const loss = model.lossAndGrad(xs[i], ys[i], 'softmaxCrossEntropy');
        opt.step();
        return wantLoss ? loss : undefined;
      },
      sync() {},
    };
  };
}

/** The problem's files as typed arrays (layout: bench/mlp-step/problem.mjs), from their bytes. */
export function problemData(problem, dataBytes, paramBytes) {
  const nx = problem.samples * problem.sizes[0];
  return {
    x: new Float32Array(dataBytes, 0, nx),
    y: new Int32Array(dataBytes, nx * 4, problem.samples),
    params: new Float32Array(paramBytes),
  };
}
