import { ShapeError, ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';

/**
 * The bound on class ids: a label is an integer in [0, MAX_CLASSES) and
 * `numClasses` ≤ MAX_CLASSES = 2^24 = 16,777,216 (every id is then exact in
 * f32 too). Files with larger labels are refused (`FormatError` naming the
 * file, line and column), never wrapped to negative numbers.
 */
export const MAX_CLASSES = 2 ** 24;

/** Class ids (classification) or real targets, `targetSize` per sample (regression). */
export type Targets = Float32Array | Int32Array;

export interface DatasetOptions {
  /** d, the number of features per sample (default: features.length / targets rows) */
  numFeatures?: number;
  /** classification: number of classes (default: max label + 1) */
  numClasses?: number;
  /** a name for messages and plots */
  name?: string;
  /** free-form facts about the data (e.g. a generator's true weights) */
  meta?: Record<string, unknown>;
}

/**
 * n samples of d features (`features`: n×d row-major `Float32Array`) with
 * targets: an `Int32Array` of n class ids in [0, numClasses) for
 * classification, or a `Float32Array` of n×k real values for regression.
 * Validated once at construction; immutable by convention (methods return
 * new datasets).
 */
export class Dataset {
  readonly features: Float32Array;
  readonly targets: Targets;
  /** n */
  readonly length: number;
  /** d */
  readonly numFeatures: number;
  /** k: values per target row (1 for class ids) */
  readonly targetSize: number;
  /** number of classes; 0 for regression */
  readonly numClasses: number;
  readonly name: string;
  readonly meta: Record<string, unknown>;

  constructor(features: Float32Array, targets: Targets, options: DatasetOptions = {}) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`Dataset: options must be an object, got ${describe(options)}`);
    if (!(features instanceof Float32Array)) {
      throw new ValueError(`Dataset: features must be a Float32Array (n×d row-major), got ${describe(features)}`);
    }
    if (!(targets instanceof Int32Array) && !(targets instanceof Float32Array)) {
      throw new ValueError(`Dataset: targets must be an Int32Array of class ids or a Float32Array of values, got ${describe(targets)}`);
    }
    const classification = targets instanceof Int32Array;
    let n: number, d: number, k: number;
    if (classification) {
      n = targets.length;
      d = options.numFeatures ?? (n > 0 ? features.length / n : 0);
      k = 1;
    } else if (options.numFeatures !== undefined) {
      d = options.numFeatures;
      n = d > 0 ? features.length / d : targets.length;
      k = n > 0 ? targets.length / n : 1;
    } else {
      n = targets.length;
      d = n > 0 ? features.length / n : 0;
      k = 1;
    }
    if (!Number.isInteger(d) || d < 0 || !Number.isInteger(n) || n * d !== features.length) {
      throw new ShapeError(
        `Dataset: features has ${features.length} values, which is not n×d for n = ${n} target rows` +
          (options.numFeatures !== undefined ? ` and numFeatures = ${options.numFeatures}` : ''),
      );
    }
    if (!Number.isInteger(k) || n * k !== targets.length) {
      throw new ShapeError(`Dataset: targets has ${targets.length} values, which is not a whole number of values for each of the ${n} samples`);
    }
    for (let i = 0; i < features.length; i++) {
      if (!Number.isFinite(features[i])) {
        throw new ValueError(`Dataset: features[${Math.floor(i / d)}, ${i % d}] is ${features[i]}; every feature must be finite`);
      }
    }
    let numClasses = 0;
    if (classification) {
      const nc = options.numClasses;
      if (nc !== undefined && (typeof nc !== 'number' || !Number.isInteger(nc) || nc < 1 || nc > MAX_CLASSES)) {
        throw new ValueError(`Dataset: numClasses must be an integer in [1, 2^24 = ${MAX_CLASSES}], got ${String(nc)}`);
      }
      let max = -1;
      for (let i = 0; i < n; i++) {
        const c = targets[i];
        if (c < 0) throw new ValueError(`Dataset: label ${c} of sample ${i} is negative; class ids start at 0`);
        if (c >= MAX_CLASSES) throw new ValueError(`Dataset: label ${c} of sample ${i} is not below the class-id bound 2^24 = ${MAX_CLASSES}`);
        if (c > max) max = c;
      }
      numClasses = nc ?? max + 1;
      if (numClasses < 1) throw new ValueError(`Dataset: numClasses must be a positive integer, got ${numClasses} (no labels to infer it from)`);
      if (max >= numClasses) {
        const i = targets.indexOf(max);
        throw new ValueError(`Dataset: label ${max} of sample ${i} is out of range for numClasses = ${numClasses}`);
      }
    } else {
      for (let i = 0; i < targets.length; i++) {
        if (!Number.isFinite(targets[i])) throw new ValueError(`Dataset: target ${i} is ${targets[i]}; targets must be finite`);
      }
    }
    this.features = features;
    this.targets = targets;
    this.length = n;
    this.numFeatures = d;
    this.targetSize = k;
    this.numClasses = numClasses;
    this.name = options.name ?? 'dataset';
    this.meta = options.meta ?? {};
  }

  /** Builds a dataset from rows of numbers; integer `targets` given as `Int32Array` or `{ classes: true }` are class ids. */
  static fromRows(
    rows: readonly (readonly number[])[],
    targets: readonly number[] | readonly (readonly number[])[] | Targets,
    options: DatasetOptions & { classes?: boolean } = {},
  ): Dataset {
    const n = rows.length;
    const d = n > 0 ? rows[0].length : (options.numFeatures ?? 0);
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      if (rows[i].length !== d) throw new ShapeError(`Dataset.fromRows: row ${i} has ${rows[i].length} features, row 0 has ${d}`);
      x.set(rows[i], i * d);
    }
    let y: Targets;
    if (targets instanceof Int32Array || targets instanceof Float32Array) y = targets;
    else if (targets.length > 0 && Array.isArray(targets[0])) {
      const t = targets as readonly (readonly number[])[];
      const k = t[0].length;
      y = new Float32Array(t.length * k);
      t.forEach((r, i) => {
        if (r.length !== k) throw new ShapeError(`Dataset.fromRows: target row ${i} has ${r.length} values, row 0 has ${k}`);
        y.set(r, i * k);
      });
    } else {
      const t = targets as readonly number[];
      if (options.classes) {
        for (let i = 0; i < t.length; i++) {
          const c = t[i];
          if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= MAX_CLASSES) {
            throw new ValueError(`Dataset.fromRows: label ${i} is ${String(c)}, not a class id (an integer in [0, 2^24))`);
          }
        }
        y = Int32Array.from(t);
      } else y = Float32Array.from(t);
    }
    return new Dataset(x, y, { ...options, numFeatures: d });
  }

  get isClassification(): boolean {
    return this.targets instanceof Int32Array;
  }

  /** The samples at `indices`, in that order (a copy). */
  subset(indices: ArrayLike<number>, name = this.name): Dataset {
    if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
      throw new ValueError(`Dataset.subset: indices must be an array of sample indices, got ${describe(indices)}`);
    }
    const d = this.numFeatures, k = this.targetSize, m = indices.length;
    const x = new Float32Array(m * d);
    const y = this.isClassification ? new Int32Array(m) : new Float32Array(m * k);
    for (let j = 0; j < m; j++) {
      const i = indices[j];
      if (!Number.isInteger(i) || i < 0 || i >= this.length) {
        throw new ValueError(`Dataset.subset: index ${i} at position ${j} is out of range [0, ${this.length})`);
      }
      x.set(this.features.subarray(i * d, i * d + d), j * d);
      y.set(this.targets.subarray(i * k, i * k + k), j * k);
    }
    return new Dataset(x, y, { numFeatures: d, numClasses: this.numClasses || undefined, name, meta: this.meta });
  }

  /** Samples per class (classification only). */
  classCounts(): number[] {
    if (!this.isClassification) throw new ValueError(`classCounts: ${this.name} is a regression dataset`);
    const c = new Array<number>(this.numClasses).fill(0);
    for (let i = 0; i < this.length; i++) c[this.targets[i]]++;
    return c;
  }

  /** The class ids as one-hot rows, n×numClasses. */
  oneHot(): Float32Array {
    if (!this.isClassification) throw new ValueError(`oneHot: ${this.name} is a regression dataset`);
    return oneHot(this.targets as Int32Array, this.numClasses);
  }

  /** The same features with different targets or features (validated again). */
  with(parts: { features?: Float32Array; targets?: Targets; name?: string }): Dataset {
    return new Dataset(parts.features ?? this.features, parts.targets ?? this.targets, {
      numFeatures: this.numFeatures,
      numClasses: (parts.targets ?? this.targets) instanceof Int32Array ? this.numClasses || undefined : undefined,
      name: parts.name ?? this.name,
      meta: this.meta,
    });
  }
}

/** One-hot rows (n×numClasses) of class ids. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new ValueError(`oneHot: label ${c} at ${i} is out of range [0, ${numClasses})`);
    out[i * numClasses + c] = 1;
  }
  return out;
}

