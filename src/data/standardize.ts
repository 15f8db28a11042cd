import { ShapeError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { Dataset } from './dataset.js';

/**
 * Per-feature standardization z = (x − mean) / std, fitted on the training
 * set (population std, f64 accumulation) and applied unchanged to the others.
 * A constant feature (std 0) gets std 1, so it maps to 0 instead of NaN.
 */
export class Standardizer {
  constructor(readonly mean: Float64Array, readonly std: Float64Array) {
    if (!(mean instanceof Float64Array)) throw new ValueError(`Standardizer: mean must be a Float64Array, got ${describe(mean)}`);
    if (!(std instanceof Float64Array)) throw new ValueError(`Standardizer: std must be a Float64Array, got ${describe(std)}`);
    if (mean.length !== std.length) throw new ShapeError(`Standardizer: mean has ${mean.length} values, std has ${std.length}`);
    for (let j = 0; j < mean.length; j++) {
      if (!Number.isFinite(mean[j])) throw new ValueError(`Standardizer: mean[${j}] is ${mean[j]}; must be finite`);
      if (!(std[j] > 0) || !Number.isFinite(std[j])) throw new ValueError(`Standardizer: std[${j}] is ${std[j]}; must be finite and > 0`);
    }
  }

  static fit(data: Dataset): Standardizer {
    if (!(data instanceof Dataset)) throw new ValueError(`Standardizer.fit: data must be a Dataset, got ${describe(data)}`);
    const { length: n, numFeatures: d, features: x } = data;
    if (n === 0) throw new ValueError(`Standardizer.fit: ${data.name} is empty`);
    const mean = new Float64Array(d), m2 = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const c = x[i * d + j] - mean[j];
        m2[j] += c * c;
      }
    }
    const std = m2.map((s) => Math.sqrt(s / n) || 1);
    return new Standardizer(mean, std);
  }

  /** The features standardized (a new array). */
  transformFeatures(features: Float32Array): Float32Array {
    if (!(features instanceof Float32Array)) throw new ValueError(`Standardizer.transformFeatures: features must be a Float32Array, got ${describe(features)}`);
    const d = this.mean.length;
    if (features.length % d !== 0) throw new ShapeError(`Standardizer: features length ${features.length} is not a multiple of ${d} features`);
    const out = new Float32Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const j = i % d;
      out[i] = (features[i] - this.mean[j]) / this.std[j];
    }
    return out;
  }

  transform(data: Dataset): Dataset {
    if (!(data instanceof Dataset)) throw new ValueError(`Standardizer.transform: data must be a Dataset, got ${describe(data)}`);
    if (data.numFeatures !== this.mean.length) {
      throw new ShapeError(`Standardizer: ${data.name} has ${data.numFeatures} features, fitted on ${this.mean.length}`);
    }
    return data.with({ features: this.transformFeatures(data.features) });
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: [...this.mean], std: [...this.std] };
  }

  static fromJSON(o: { mean: number[]; std: number[] }): Standardizer {
    if (o === null || typeof o !== 'object' || !Array.isArray(o.mean) || !Array.isArray(o.std)) {
      throw new ValueError(`Standardizer.fromJSON: expected { mean: number[], std: number[] }, got ${describe(o)}`);
    }
    for (const k of ['mean', 'std'] as const) {
      o[k].forEach((v, j) => {
        if (typeof v !== 'number') throw new ValueError(`Standardizer.fromJSON: ${k}[${j}] must be a number, got ${describe(v)}`);
      });
    }
    return new Standardizer(Float64Array.from(o.mean), Float64Array.from(o.std));
  }
}

/** Fits on `train`, applies to `train` and every other set given. */
export function standardize(train: Dataset, ...others: Dataset[]): { scaler: Standardizer; train: Dataset; others: Dataset[] } {
  const scaler = Standardizer.fit(train);
  return { scaler, train: scaler.transform(train), others: others.map((o) => scaler.transform(o)) };
}
