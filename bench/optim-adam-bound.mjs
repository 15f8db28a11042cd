// Quick check of the fused-Adam bar: one Adam step over 10M parameters (28 B/param moved)
// against f32_copy of the same traffic (14 B/param read + 14 written), median of 21, SIMD build.
// node bench/optim-adam-bound.mjs   (after npm run build)
import { init } from '../dist/index.js';
const e = await init({ relaxedSimd: false });
const n = 10_000_000;
const params = e.arena.alloc(n * 4), grads = e.arena.alloc(n * 4);
const model = { engine: e, numParameters: n, paramsPtr: params, gradsPtr: grads };
e.f32(params, n).fill(0.5); e.f32(grads, n).fill(0.01);
const opt = e.optim.adam(model, { lr: 1e-3 });
const src = e.arena.alloc(n * 14), dst = e.arena.alloc(n * 14);
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
const ta = [], tc = [];
for (let r = 0; r < 5; r++) { opt.step(); e.kernels.f32_copy(7 * n / 2, src, dst); }
for (let r = 0; r < 21; r++) {
  let t = performance.now(); opt.step(); ta.push(performance.now() - t);
  t = performance.now(); e.kernels.f32_copy(7 * n / 2 * 1, src, dst); tc.push(performance.now() - t);
}
const a = med(ta), c = med(tc);
// copy of 14n bytes read + 14n written = 28 bytes/param moved, the same traffic as Adam
console.log(JSON.stringify({ adam10M_ms: a.toFixed(2), adamGBs: (28 * n / a / 1e6).toFixed(1), copySameBytes_ms: c.toFixed(2), copyGBs: (28 * n / c / 1e6).toFixed(1), adamOverCopy: (a / c).toFixed(2) }));
