// project.grid against PyTorch's fake quantization (test/fixtures/make_fake_quant.py): a grid
// whose levels include 0 is an affine quantization grid (scale = step, zero point = the index
// of the zero level), and torch.fake_quantize_per_tensor_affine rounds x·(1/scale) to the
// nearest integer from the zero point, ties to even, as the kernel does from the zero level.
// Bit for bit in both builds (the relaxed build, picked by default where the engine has it,
// in test/project.relaxed.test.ts against the plain SIMD bits), ties and signed zeros included.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { project } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';

interface Case { step: number; min: number; max: number; x: number[]; want: number[] }
const fx: { torch: string; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/fake_quant.json', import.meta.url), 'utf8'));

for (const build of BUILDS) {
  describe(`project.grid = torch.fake_quantize_per_tensor_affine (torch ${fx.torch}, ${build})`, () => {
    it('every case, bit for bit', async () => {
      const e = await engineFor(build);
      for (const { step, min, max, x, want } of fx.cases) {
        const t = e.tensor([x.length], x);
        project.grid({ step, min, max }).apply(t);
        expect(Array.from(t.data), `grid step ${step} [${min}, ${max}]`).toEqual(want);
        t.dispose();
      }
    });
  });
}
