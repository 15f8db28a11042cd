// The optimizer benchmark's cases and model, shared by bench/optim.bench.mjs
// (SIMD vs scalar vs plain JS) and bench/optim-core-ab.mjs (two builds of the core, same run).

/** A bare Parameterized over n floats, same data in every variant. */
export function model(e, n) {
  const paramsPtr = e.allocF32(n), gradsPtr = e.allocF32(n);
  const p = e.f32(paramsPtr, n), g = e.f32(gradsPtr, n);
  for (let i = 0; i < n; i++) {
    p[i] = Math.sin(i * 0.37) * 0.5;
    g[i] = Math.cos(i * 0.11) * 1e-3;
  }
  return { engine: e, numParameters: n, paramsPtr, gradsPtr };
}

/** [label, optimizer, options, bytes per parameter (reads + writes), js loop name or null] */
export const cases = [
  ['sgd', 'sgd', { lr: 0.01 }, 12, 'sgd'],
  ['sgd-momentum', 'sgd', { lr: 0.01, momentum: 0.9 }, 20, 'sgd-momentum'],
  ['sgd-heavyBall', 'sgd', { lr: 0.01, momentum: 0.9, heavyBall: true }, 20, null],
  ['adagrad', 'adagrad', { lr: 0.01 }, 20, 'adagrad'],
  ['rmsprop', 'rmsprop', { lr: 0.01 }, 20, 'rmsprop'],
  ['rmsprop-centered-mom', 'rmsprop', { lr: 0.01, centered: true, momentum: 0.9 }, 36, null],
  ['adam', 'adam', { lr: 1e-3 }, 28, 'adam'],
  ['adam-amsgrad', 'adam', { lr: 1e-3, amsgrad: true }, 36, null],
  ['adamw', 'adamw', { lr: 1e-3 }, 28, 'adamw'],
  ['adamax', 'adamax', { lr: 1e-3 }, 28, 'adamax'],
  ['nadam', 'nadam', { lr: 1e-3 }, 28, null],
  ['radam', 'radam', { lr: 1e-3 }, 28, null],
  ['adadelta', 'adadelta', { lr: 1 }, 28, 'adadelta'],
  ['langevin', 'langevin', { lr: 1e-3, temperature: 1e-4 }, 20, null],
  ['adam-chain', 'adam', { lr: 1e-3, fused: false }, 28, null],
];
