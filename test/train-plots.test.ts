// SVG plots (src/plot/): structure, scales, merging, and a real decision boundary.
import { describe, expect, it } from 'vitest';
import { compareChart, decisionBoundary, fit, lineChart, lossCurves, niceTicks, plotDecisionBoundary, twoMoons } from '../src/index.js';
import { engineFor } from './helpers.js';

/** Every tag closes in order (a small well-formedness check; no DOM parser in Node). */
function wellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) {
      const top = stack.pop();
      if (top !== name) throw new Error(`svg: </${name}> closes <${top}>`);
    } else stack.push(name);
  }
  if (stack.length) throw new Error(`svg: unclosed ${stack.join(', ')}`);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
}

describe('plots', () => {
  it('niceTicks gives 1-2-5 steps covering the range', () => {
    const t = niceTicks(0, 1);
    expect(t.length).toBe(6);
    t.forEach((v, i) => expect(v).toBeCloseTo(0.2 * i, 12));
    expect(niceTicks(3, 97, 5)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it('line charts: one path per series, escaped legend, log scale for wide ranges, NaN gaps skipped', () => {
    const svg = lineChart([{ name: 'a<b', y: [1, 0.5, 0.25] }, { name: 'c', y: [2, NaN, 1], dashed: true }], { title: 'T & U', yLabel: 'loss' });
    wellFormed(svg);
    expect((svg.match(/<path /g) ?? []).length).toBe(2);
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('T &amp; U');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).not.toContain('(log scale)');
    const wide = lineChart([{ name: 'x', y: [100, 1, 0.01] }], { yLabel: 'loss' });
    expect(wide).toContain('(log scale)');
    expect(svg).not.toMatch(/NaN/);
    const lc = lossCurves([{ epoch: 1, loss: 1, valLoss: 1.2 }, { epoch: 2, loss: 0.5, valLoss: 0.7 }]);
    wellFormed(lc);
    expect(lc).toContain('validation loss');
    const cmp = compareChart([
      { name: 'sgd', epochs: [{ epoch: 1, loss: 1 }] },
      { name: 'adam', epochs: [{ epoch: 1, loss: 0.5 }] },
    ]);
    wellFormed(cmp);
    expect(cmp).toContain('Training loss by run');
    expect((cmp.match(/<circle /g) ?? []).length).toBe(2); // one-point series are drawn as dots
  });

  it('decision boundary merges equal cells of a row and draws every point in range', () => {
    const grid = { xMin: 0, xMax: 1, yMin: 0, yMax: 1, nx: 4, ny: 2, classes: Int32Array.of(0, 0, 1, 1, 2, 2, 2, 2) };
    const svg = decisionBoundary(grid, { features: Float32Array.of(0.1, 0.1, 0.9, 0.9, 5, 5), labels: Int32Array.of(0, 1, 2) });
    wellFormed(svg);
    const cells = svg.slice(svg.indexOf('<g '), svg.indexOf('</g>'));
    expect((cells.match(/<rect /g) ?? []).length).toBe(3);
    expect((svg.match(/<circle /g) ?? []).length).toBe(2);
  });

  it('a trained 2-D classifier: the grid matches the model and the plot is well formed', async () => {
    const engine = await engineFor('simd');
    const data = twoMoons({ n: 200, noise: 0.05, seed: 3 });
    const model = engine.nn.mlp([2, 16, 2], { seed: 1 });
    const optimizer = engine.optim.adam(model, { lr: 0.02 });
    await fit(model, { data, optimizer, epochs: 30, batchSize: 20 });
    const svg = plotDecisionBoundary(model, data, { resolution: 40, title: 'moons' });
    wellFormed(svg);
    const fills = new Set([...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="(#[0-9A-Fa-f]{6})"/g)].map((m) => m[1]));
    expect(fills.size).toBe(2);
    expect((svg.match(/<circle /g) ?? []).length).toBe(200);
    model.dispose();
    optimizer.dispose();
  });
});
