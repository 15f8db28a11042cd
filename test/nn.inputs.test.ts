// Inputs the networks used to accept silently (issue 12, item 6): values
// that are not finite f32 numbers in setParameters, unknown options on
// engine.matmul and the engine.nn builders (refused as the optimizers refuse
// them, in the same words).
import { describe, expect, it } from 'vitest';
import { ValueError } from '../src/index.js';
import { engineFor } from './helpers.js';

describe('nn and matmul refuse what they would ignore', () => {
  it('setParameters: NaN, ±Infinity, beyond f32, strings; nothing written', async () => {
    const e = await engineFor('simd');
    const m = e.nn.mlp([2, 3, 2], { seed: 1 });
    const p0 = m.parameters();
    for (const [bad, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [1e39, '1e+39'], ['0.5', 'the string "0.5"'], [null, 'null']] as const) {
      const v: unknown[] = Array.from(p0);
      v[4] = bad;
      expect(() => m.setParameters(v as number[])).toThrow(ValueError);
      expect(() => m.setParameters(v as number[])).toThrow(`mlp: setParameters: value 4 must be a finite f32 number, got ${shown}`);
      expect(m.parameters()).toEqual(p0);
    }
    m.setParameters(Array.from(p0, (x) => x * 2));
    expect(m.parameters()).toEqual(p0.map((x) => x * 2));
    m.dispose();
  });

  it('unknown options and non-object options', async () => {
    const e = await engineFor('simd');
    const a = e.tensor([2, 2], [1, 2, 3, 4]);
    const used = e.arena.usedBytes;
    expect(() => e.matmul(a, a, { lr: 0.1 } as never)).toThrow("matmul: unknown option 'lr'; expected one of transA, transB, alpha, beta, out");
    expect(() => e.matmul(a, a, null as never)).toThrow(/^matmul: options must be an object, got null$/);
    expect(() => e.nn.mlp([2, 3], { lr: 0.1 } as never)).toThrow("mlp: unknown option 'lr'; expected one of activation, activationOptions, init, dropout, bias, seed");
    expect(() => e.nn.linear(2, 3, { activation: 'relu' } as never)).toThrow("linear: unknown option 'activation'; expected one of bias, init, seed");
    expect(() => e.nn.deepLinear([2, 3], { dropout: 0.1 } as never)).toThrow("deepLinear: unknown option 'dropout'");
    expect(() => e.nn.sequential([e.nn.layers.linear(2, 3)], { seeds: 1 } as never)).toThrow("sequential: unknown option 'seeds'; expected one of seed, inputSize");
    expect(() => e.nn.mlp([2, 3], 5 as never)).toThrow(ValueError);
    expect(e.arena.usedBytes).toBe(used);
    expect(Array.from(e.matmul(a, a, { transB: true }).toArray())).toEqual([5, 11, 11, 25]);
    a.dispose();
  });
});
