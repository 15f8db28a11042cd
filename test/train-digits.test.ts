// Real data: 1,797 handwritten digits (UCI, test/data), 64 features, 10 classes.
import { describe, expect, it } from 'vitest';
import { fit, loadCsvFile, split, standardize } from '../src/index.js';
import { BUILDS, engineFor } from './helpers.js';
import { testData } from './test-data.js';

describe.each(BUILDS)('digits MLP (%s)', (build) => {
  it('reaches ≥ 95% accuracy on a stratified 25% hold-out', async () => {
    const engine = await engineFor(build);
    const data = await loadCsvFile(testData('digits.csv'));
    expect([data.length, data.numFeatures, data.numClasses]).toEqual([1797, 64, 10]);
    const parts = split(data, { test: 0.25, stratify: true, seed: 0 });
    const { train, others: [test] } = standardize(parts.train, parts.test);
    expect(test.length).toBe(449);
    const model = engine.nn.mlp([64, 64, 10], { seed: 1 });
    const optimizer = engine.optim.adam(model, { lr: 2e-3 });
    const h = await fit(model, { data: train, validation: test, optimizer, epochs: 25, batchSize: 32, seed: 2, trainMetrics: false });
    const acc = h.epochs[h.epochs.length - 1].valAccuracy!;
    console.log(`digits (${build}): held-out accuracy ${(100 * acc).toFixed(2)}% after ${h.epochs.length} epochs`);
    expect(acc).toBeGreaterThanOrEqual(0.95);
    model.dispose();
    optimizer.dispose();
  });
});
