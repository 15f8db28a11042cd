// PyTorch parity (test/fixtures/make_nn.py, torch 1.13): an MLP [5, 6, 4, 3] with given
// weights and inputs, every activation × every loss: output, loss value, all gradients.
//
// Tolerance: the fixtures are torch's float64 evaluation of the same float32 weights and
// inputs, i.e. the exact answer; our forward and backward run in f32. Each entry must
// satisfy |ours − torch| <= 1e-5·|torch| + 1e-6·max|torch of that tensor|: relative 1e-5
// for every entry of normal size, with an absolute floor one millionth of the tensor's
// largest entry for entries that cancel to near zero (f32 cannot give those a small
// relative error: their absolute error is ~1e-7 of the terms summed into them).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActivationName, Engine, LossEntry, Tensor } from '../src/index.js';
import { BUILDS, engineFor, expectClose } from './helpers.js';

interface Fixture {
  torch: string;
  sizes: number[];
  n: number;
  names: string[];
  x: number[];
  params: number[];
  targets: Record<'reg' | 'labels' | 'probs' | 'bits' | 'counts', number[]>;
  cases: { activation: ActivationName; loss: string; options: Record<string, unknown>; target: 'reg' | 'labels' | 'probs' | 'bits' | 'counts'; value: number; output: number[]; grads: number[] }[];
}
const fx: Fixture = JSON.parse(readFileSync(new URL('./fixtures/nn_torch.json', import.meta.url), 'utf8'));

function tol(ref: ArrayLike<number>): { rtol: number; atol: number } {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ref[i]));
  return { rtol: 1e-5, atol: 1e-6 * m };
}

function lossEntry(e: Engine, name: string, options: Record<string, unknown>): LossEntry {
  const f = (e.loss as unknown as Record<string, (o: unknown) => LossEntry>)[name];
  return f(options);
}

for (const build of BUILDS) {
  describe(`PyTorch ${fx.torch} parity: MLP ${JSON.stringify(fx.sizes)} (${build})`, () => {
    for (const c of fx.cases) {
      it(`${c.activation} + ${c.loss} ${JSON.stringify(c.options)}`, async () => {
        const e = await engineFor(build);
        const { sizes, n } = fx;
        const model = e.nn.mlp(sizes, { activation: c.activation });
        expect(model.parameterRanges().map((r) => r.name)).toEqual(fx.names);
        model.setParameters(fx.params);
        const x = e.tensor([n, sizes[0]], fx.x);
        const k = sizes[sizes.length - 1];
        const raw = fx.targets[c.target];
        const y: Int32Array | Tensor = c.target === 'labels' ? Int32Array.from(raw) : e.tensor([n, k], raw);
        const value = model.lossAndGrad(x, y, lossEntry(e, c.loss, c.options));
        const what = `${c.activation} + ${c.loss}`;
        expectClose(`${what}: output`, model.forward(x).data, c.output, tol(c.output));
        expectClose(`${what}: loss`, [value], [c.value], { rtol: 1e-5, atol: 0 });
        for (const r of model.parameterRanges()) {
          const len = r.shape.reduce((a, b) => a * b, 1);
          const ref = c.grads.slice(r.offset, r.offset + len);
          expectClose(`${what}: grad ${r.name}`, model.gradients().subarray(r.offset, r.offset + len), ref, tol(ref));
        }
        model.dispose();
        x.dispose();
        if (!(y instanceof Int32Array)) y.dispose();
      });
    }
  });
}
