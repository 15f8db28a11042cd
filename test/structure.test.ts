// src/structure/{prox,project,common}.ts: the descriptors applied to tensors of both builds
// (against the f64 references of test/prox-ref.ts), regions, per-parameter box bounds,
// index-set groups, and every bad input of issue 14 as a typed error that writes nothing.
import { describe, expect, it } from 'vitest';
import { prox, project, ShapeError, StateError, ValueError, type Engine } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';
import * as ref from './prox-ref.js';

for (const build of BUILDS) {
  describe(`prox and project descriptors (${build})`, () => {
    const setup = async (): Promise<Engine> => engineFor(build);

    it('apply(tensor, η) uses η·λ; projections ignore η; descriptors are engine-free and reusable', async () => {
      const e = await setup();
      const x = randArray(103, 1, -2, 2);
      const l1 = prox.l1(0.5);
      expectClose('l1', l1.apply(e.tensor([103], x), 0.4).data, ref.softThreshold(x, Math.fround(0.2)), { rtol: 1e-6, atol: 1e-7 });
      expectClose('l1 default η = 1', l1.apply(e.tensor([103], x)).data, ref.softThreshold(x, 0.5), { rtol: 1e-6, atol: 1e-7 });
      expectClose('l2', prox.l2(2).apply(e.tensor([103], x), 0.25).data, ref.ridge(x, 0.5), { rtol: 1e-6, atol: 1e-7 });
      expectClose('elastic', prox.elasticNet(1, 2).apply(e.tensor([103], x), 0.1).data, ref.elasticNet(x, Math.fround(0.1), Math.fround(0.2)), { rtol: 1e-6, atol: 1e-7 });
      expectClose('simplex', project.simplex(2).apply(e.tensor([103], x), 123).data, ref.simplex(x, 2), { rtol: 1e-5, atol: 1e-6 });
      expectClose('l1Ball', project.l1Ball(3).apply(e.tensor([103], x)).data, ref.l1Ball(x, 3), { rtol: 1e-5, atol: 1e-6 });
      expectClose('l2Ball', project.l2Ball(1).apply(e.tensor([103], x)).data, ref.l2Ball(x, 1), { rtol: 1e-6, atol: 1e-7 });
      expect(Array.from(project.nonNegative().apply(e.tensor([103], x)).data)).toEqual(Array.from(x, (v) => Math.max(v, 0)));
      expect(Array.from(project.box(-1, 0.5).apply(e.tensor([103], x)).data)).toEqual(Array.from(x, (v) => Math.min(Math.max(v, -1), 0.5)));
      const ternary = project.grid({ step: 0.5, min: -0.5, max: 0.5 });
      expect(ternary.kmax).toBe(2);
      expect(new Set(ternary.apply(e.tensor([103], x)).data)).toEqual(new Set([-0.5, 0, 0.5]));
      expect(project.grid({ step: 0.3, min: 0, max: 1 }).kmax).toBe(3);
      // counted from the zero level: a tie between two levels goes to the even multiple of step
      // (±s/2 → 0 on the ternary grid, where counting from min = −s would give ±s), as PyTorch's fake quantization rounds; without a zero level, from min
      expect(Array.from(project.grid({ step: 0.5, min: -0.5, max: 0.5 }).apply(e.tensor([6], [0.25, -0.25, 0.75, -0.75, 0.26, -1.3])).data)).toEqual([0, 0, 0.5, -0.5, 0.5, -0.5]);
      expect(Array.from(project.grid({ step: 1, min: -0.5, max: 1.5 }).apply(e.tensor([3], [0, 1, 0.2])).data)).toEqual([-0.5, 1.5, 0.5]);
      const used = e.arena.usedBytes;
      project.simplex().apply(e.tensor([103], x)).dispose();
      expect(e.arena.usedBytes, 'apply frees its scratch').toBeLessThanOrEqual(used + 512);
    });

    it('groupLasso: rows, columns (shape from the tensor or the option), index sets', async () => {
      const e = await setup();
      const x = randArray(6 * 7, 2, -1, 1);
      expectClose('rows', prox.groupLasso(1).apply(e.tensor([6, 7], x), 0.5).data, ref.groupLasso(x, ref.rowGroups(6, 7), 0.5), { rtol: 2e-6, atol: 1e-7 });
      expectClose('columns', prox.groupLasso(1, { groups: 'columns' }).apply(e.tensor([6, 7], x), 0.5).data, ref.groupLasso(x, ref.colGroups(6, 7), 0.5), { rtol: 2e-6, atol: 1e-7 });
      expectClose('columns, shape option', prox.groupLasso(1, { groups: 'columns', shape: [6, 7] }).apply(e.tensor([42], x), 0.5).data, ref.groupLasso(x, ref.colGroups(6, 7), 0.5), { rtol: 2e-6, atol: 1e-7 });
      const sets = [[0, 5, 9], [41], [10, 11, 12, 13]];
      expectClose('sets', prox.groupLasso(0.3, { groups: sets }).apply(e.tensor([42], x)).data, ref.groupLasso(x, sets, 0.3), { rtol: 2e-6, atol: 1e-7 });
    });

    it('on(regions): only the listed spans change; parameterRanges() entries carry their shape', async () => {
      const e = await setup();
      const model = e.nn.mlp([5, 4, 3], { seed: 3 });
      const ranges = model.parameterRanges();
      const before = model.parameters().slice();
      const t = e.tensor([model.numParameters], before);
      prox.groupLasso(0.4).on(ranges[0]).apply(t, 1);
      prox.l1(0.1).on([{ offset: ranges[1].offset, length: 4 }]).apply(t);
      const w = ranges[0], wn = 4 * 5;
      const want = ref.groupLasso(before.subarray(0, wn), ref.rowGroups(4, 5), 0.4);
      expectClose('weight rows', t.data.subarray(0, wn), want, { rtol: 2e-6, atol: 1e-7 });
      expectClose('bias l1', t.data.subarray(ranges[1].offset, ranges[1].offset + 4), ref.softThreshold(before.subarray(ranges[1].offset, ranges[1].offset + 4), Math.fround(0.1)), { rtol: 1e-6, atol: 1e-7 });
      expect(Array.from(t.data.subarray(ranges[2].offset)), 'the rest untouched').toEqual(Array.from(before.subarray(ranges[2].offset)));
      expect(w.shape).toEqual([4, 5]);
    });

    it('box with per-parameter tensors', async () => {
      const e = await setup();
      const x = randArray(37, 3, -2, 2), lo = randArray(37, 4, -1, 0), hi = randArray(37, 5, 0, 1);
      const t = e.tensor([37], x);
      project.box(e.tensor([37], lo), e.tensor([37], hi)).apply(t);
      expect(Array.from(t.data)).toEqual(ref.box(x, lo, hi));
      const t2 = e.tensor([37], x);
      project.box(-0.5, e.tensor([37], hi)).apply(t2);
      expect(Array.from(t2.data)).toEqual(ref.box(x, Array(37).fill(-0.5), hi));
    });

    it('bad input: typed errors naming the argument, and nothing written', async () => {
      const e = await setup();
      const bad: [() => unknown, unknown, RegExp][] = [
        [() => prox.l1(-1), ValueError, /lambda must be a finite number ≥ 0, got -1/],
        [() => prox.l2(NaN), ValueError, /lambda/],
        [() => prox.elasticNet(1, -2), ValueError, /lambda2/],
        [() => prox.groupLasso(-0.1), ValueError, /lambda/],
        [() => prox.groupLasso(1, { groups: [[0, 1], [1, 2]] }), ValueError, /groups\[0\] and groups\[1\] overlap at index 1/],
        [() => prox.groupLasso(1, { groups: [[0, -1]] }), ValueError, /groups\[0\] holds -1/],
        [() => prox.groupLasso(1, { groups: 'diagonal' as never }), ValueError, /groups must be/],
        [() => project.l2Ball(-1), ValueError, /radius/],
        [() => project.l1Ball(-1), ValueError, /radius/],
        [() => project.simplex(0), ValueError, /s must be a finite number > 0, got 0/],
        [() => project.box(1, 0), ValueError, /lo \(1\) must be ≤ hi \(0\)/],
        [() => project.grid({ step: 0, min: -1, max: 1 }), ValueError, /step must be a finite number > 0/],
        [() => project.grid({ step: -1, min: -1, max: 1 }), ValueError, /step/],
        [() => project.grid({ step: 1, min: 1, max: -1 }), ValueError, /min \(1\) must be ≤ max \(-1\)/],
      ];
      for (const [f, type, msg] of bad) {
        expect(f).toThrow(type as never);
        expect(f).toThrow(msg);
      }
      const x = randArray(10, 9, -1, 1);
      const t = e.tensor([10], x);
      const unchanged = (f: () => unknown, type: unknown, msg: RegExp): void => {
        expect(f).toThrow(type as never);
        expect(f).toThrow(msg);
        expect(Array.from(t.data), `${msg}: nothing written`).toEqual(Array.from(x));
      };
      unchanged(() => prox.groupLasso(1, { groups: [[0], [10]] }).apply(t), ShapeError, /index 10, outside the 10 floats/);
      unchanged(() => prox.groupLasso(1).apply(t), ShapeError, /needs a matrix/);
      unchanged(() => prox.groupLasso(1, { shape: [3, 3] }).apply(t), ShapeError, /holds 9 floats, the target has 10/);
      unchanged(() => prox.l1(1).apply(t, -1), ValueError, /stepSize must be a finite number ≥ 0/);
      unchanged(() => project.box(e.tensor([9]), 1).apply(t), ShapeError, /box lo has 9 elements, the target has 10/);
      unchanged(() => project.box(e.tensor([10], Array(10).fill(2)), e.tensor([10], Array(10).fill(1))).apply(t), ValueError, /lo ≤ hi at every index/);
      unchanged(() => prox.l1(1).on({ offset: 8, length: 5 }).apply(t), ShapeError, /inside a buffer of 10 floats/);
      unchanged(() => project.simplex().apply(e.tensor([0])), ShapeError, /empty/);
      expect(() => prox.l1(1).apply([1, 2] as never)).toThrow(ValueError);
      const gone = e.tensor([3]);
      gone.dispose();
      expect(() => prox.l1(1).apply(gone)).toThrow(StateError);
      // NaN inside a tensor to project onto a ball or the simplex: a typed error, nothing written
      for (const step of [project.simplex(), project.l1Ball(0.1), project.l2Ball(0.1)]) {
        for (const v of [NaN, Infinity]) {
          const y = Array.from(x);
          y[7] = v;
          const u = e.tensor([10], y);
          expect(() => step.apply(u)).toThrow(ValueError);
          expect(Array.from(u.data)).toEqual(y);
        }
      }
      // two regions, the second holding the NaN: the first is not written either
      const y = Array.from(x);
      y[8] = NaN;
      const u = e.tensor([10], y);
      expect(() => project.simplex().on([{ offset: 0, length: 5 }, { offset: 5, length: 5 }]).apply(u)).toThrow(/non-finite value at index 3; nothing was written/);
      expect(Array.from(u.data)).toEqual(y);
    });
  });
}

it('apply works on tensors of any engine (the descriptor binds to the tensor’s core)', async () => {
  const [a, b] = await Promise.all([engineFor('simd'), engineFor('scalar')]);
  const p = project.simplex(1);
  const x = randArray(9, 1, 0, 1);
  expect(Array.from(p.apply(a.tensor([9], x)).data)).toEqual(Array.from(p.apply(b.tensor([9], x)).data));
});
