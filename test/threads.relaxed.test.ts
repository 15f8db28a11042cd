// The relaxed threads build (docs/threads.md): made from the relaxed-SIMD build's bytes
// (runtime/shared-module.ts) and run by init({ threads }) wherever init() would run the
// relaxed build on one thread. Against the relaxed one-thread build, both paths of a
// threaded step: GEMMs split across the workers (to the last bit with beta = 0, within
// the stated tolerance with beta != 0) and training steps (GEMMs split: within the
// tolerance of docs/threads.md; data-parallel, a ReLU MLP: one thread's bits). Node 20 validates relaxed SIMD only with
// --experimental-wasm-relaxed-simd: there this file runs itself in a child Node given the
// flag (the workers share the process's V8 flags).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { init, type Engine } from '../src/index.js';
import { supportsRelaxedSimd } from '../src/runtime/features.js';
import { sharedMemoryBuild } from '../src/runtime/shared-module.js';
import { check, FORMS, makeData, rawC, reference, type Case } from './gemm-cases.js';
import { disposedAfterAll, inRelaxedChild, relErr, rng } from './helpers.js';

const RELAXED = supportsRelaxedSimd();

/** Shapes around the split units (8 rows, 16 columns), the 6x8 and 4x8 tiles and the cache blocks. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [9, 17, 3], [14, 33, 65], [26, 8, 13], [33, 7, 129], [100, 5, 31], [128, 256, 784],
  [784, 256, 128], [128, 10, 128], [134, 67, 300], [37, 520, 257], [257, 255, 600],
];

if (RELAXED) {
  const make = disposedAfterAll();
  const one = make({ relaxedSimd: true });
  const two = make({ threads: 2, threadsMinFlops: 0 });
  const three = make({ threads: 3, threadsMinFlops: 0, relaxedSimd: true });

  describe('relaxed threads build', () => {
    it("runs where init() would run the relaxed build: 'auto' and true; false gives the plain SIMD threads build", async () => {
      for (const e of [await two, await three]) {
        expect([e.simd, e.relaxedSimd, e.memory.buffer instanceof SharedArrayBuffer]).toEqual([true, true, true]);
        expect(e.kernels.gemm_tile_rows()).toBe((await one).kernels.gemm_tile_rows());
      }
      expect((await three).threads).toEqual({ count: 3, requested: 3 });
      const plain = await make({ threads: 2, relaxedSimd: false });
      expect([plain.relaxedSimd, plain.threads.count]).toEqual([false, 2]);
      const made = sharedMemoryBuild(new Uint8Array(readFileSync(new URL('../build/wasmgrad.relaxed.wasm', import.meta.url))));
      expect(WebAssembly.Module.imports(new WebAssembly.Module(made))).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    });

    it('split GEMMs match the f64 reference in all four forms and equal the relaxed one-thread bits when beta = 0', async () => {
      const ref = await one;
      let seed = 900;
      for (const e of [await two, await three]) {
        for (const [m, n, k] of SHAPES) {
          for (const form of FORMS) {
            const c: Case = { form, m, n, k, pad: seed % 2, alpha: seed % 3 === 0 ? 0.75 : 1, beta: 0, seed: seed++ };
            check(e, c);
            const want = rawC(ref, c), got = rawC(e, c);
            let diff = -1;
            for (let i = 0; i < want.length && diff < 0; i++) if (!Object.is(want[i], got[i])) diff = i;
            expect(diff, `f32_gemm_${form} m=${m} n=${n} k=${k} (${e.threads.count} threads): first differing index`).toBe(-1);
          }
        }
      }
    });

    it('with beta != 0 within 8u(|alpha|·sum|a·b| + |beta·c|) of one thread (edge tiles apply beta unfused)', async () => {
      const ref = await one;
      let seed = 1300;
      for (const e of [await two, await three]) {
        for (const [m, n, k] of SHAPES.filter(([m, n, k]) => m * n * k < 1e7)) {
          for (const form of FORMS) {
            const c: Case = { form, m, n, k, pad: 1, alpha: seed % 2 ? -1.5 : 1, beta: seed % 3 ? 0.5 : 1, seed: seed++ };
            check(e, c);
            const { tol } = reference(c, makeData(c));
            const want = rawC(ref, c), got = rawC(e, c);
            for (let i = 0; i < want.length; i++) {
              // tol = 2(k + 2)u(...): the stated bound is 8u(...) = tol · 4 / (k + 2)
              const bound = (tol[i] * 4) / (k + 2);
              if (!(Math.abs(got[i] - want[i]) <= bound)) expect.fail(`f32_gemm_${form} m=${m} n=${n} k=${k} [${i}]: ${got[i]} vs ${want[i]} (bound ${bound})`);
            }
          }
        }
      }
    });

    it("training steps, GEMM split ('gemm'): 8 SGD-momentum steps within 1e-5 relative of one thread; data-parallel ('data', the panel backward of a ReLU MLP): one thread's bits", async () => {
      const ref = await one, r = rng(11), n = 96, sizes = [100, 64, 48, 10];
      const x = Float32Array.from({ length: n * sizes[0] }, () => 2 * r() - 1);
      const y = Int32Array.from({ length: n }, () => Math.floor(r() * 10));
      const train = (e: Engine, mode: 'gemm' | 'data') => {
        const m = e.nn.mlp(sizes, { activation: 'relu', seed: 5 });
        m.setParameters(Float32Array.from({ length: m.numParameters }, (_, i) => Math.sin(i * 0.7) * 0.15));
        m.parallel = mode;
        const opt = e.optim.sgd(m, { lr: 0.1, momentum: 0.9 });
        const xt = e.tensor([n, sizes[0]], x), losses: number[] = [];
        for (let s = 0; s < 8; s++) {
          losses.push(m.lossAndGrad(xt, y, 'softmaxCrossEntropy'));
          opt.step();
        }
        const out = { losses, p: m.parameters(), g: m.gradients() };
        m.dispose();
        opt.dispose();
        xt.dispose();
        return out;
      };
      const base = train(ref, 'gemm');
      for (const e of [await two, await three]) {
        for (const mode of ['gemm', 'data'] as const) {
          const got = train(e, mode), what = `${e.threads.count} threads, ${mode}`;
          // the first loss: the forward is one thread's (beta = 0 products) on either path
          expect(got.losses[0], what).toBe(base.losses[0]);
          if (mode === 'data') {
            expect(got.losses, what).toEqual(base.losses);
            expect(got.p, `${what}: parameters`).toEqual(base.p);
          }
          expect(relErr(got.p, base.p), `${what}: parameters`).toBeLessThanOrEqual(1e-5);
          got.losses.forEach((v, i) => expect(Math.abs(v - base.losses[i]) / base.losses[i], `${what}: step ${i}`).toBeLessThanOrEqual(1e-5));
        }
      }
    });
  });
} else {
  inRelaxedChild('test/threads.relaxed.test.ts', 4, 110_000);
}
