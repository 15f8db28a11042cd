import { ValueError } from '../errors.js';
import { describe } from '../runtime/validate.js';
import { Dataset } from './dataset.js';
import { Random } from './random.js';

export interface SplitOptions {
  /** fraction (0..1) or count of samples held out for validation (default 0) */
  validation?: number;
  /** fraction (0..1) or count of samples held out for testing (default 0) */
  test?: number;
  /** keep each class's share in every part (classification only; default false) */
  stratify?: boolean;
  /** shuffle before splitting (default true) */
  shuffle?: boolean;
  seed?: number;
}

export interface Split {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/**
 * Splits into train / validation / test. Sizes are rounded per part
 * (per class when stratified, with the remainders assigned so the totals
 * match round(fraction·n)). The same seed gives the same split.
 */
export function split(data: Dataset, options: SplitOptions = {}): Split {
  if (!(data instanceof Dataset)) throw new ValueError(`split: data must be a Dataset, got ${describe(data)}`);
  if (options === null || typeof options !== 'object') throw new ValueError(`split: options must be an object, got ${describe(options)}`);
  for (const k of Object.keys(options)) {
    if (!SPLIT_KEYS.includes(k)) throw new ValueError(`split: unknown option '${k}' (options: ${SPLIT_KEYS.join(', ')})`);
  }
  const { validation = 0, test = 0, stratify = false, shuffle = true, seed = 0 } = options;
  if (typeof stratify !== 'boolean') throw new ValueError(`split: stratify must be a boolean, got ${describe(stratify)}`);
  if (typeof shuffle !== 'boolean') throw new ValueError(`split: shuffle must be a boolean, got ${describe(shuffle)}`);
  const n = data.length;
  const nVal = count('validation', validation, n);
  const nTest = count('test', test, n);
  if (nVal + nTest > n) throw new ValueError(`split: validation (${nVal}) + test (${nTest}) exceed the ${n} samples`);
  if (stratify && !data.isClassification) throw new ValueError(`split: stratify needs class labels; ${data.name} is a regression dataset`);
  const rng = new Random(seed, 'split');
  const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const parts: number[][] = [[], [], []]; // test, validation, train
  if (!stratify) {
    order.forEach((i, j) => parts[j < nTest ? 0 : j < nTest + nVal ? 1 : 2].push(i));
  } else {
    // per class present (memory in n, not in numClasses), in shuffled order; largest-remainder apportionment so totals are exact
    const slot = new Map<number, number[]>();
    for (const i of order) {
      const c = data.targets[i];
      let list = slot.get(c);
      if (!list) slot.set(c, (list = []));
      list.push(i);
    }
    const byClass = [...slot.keys()].sort((a, b) => a - b).map((c) => slot.get(c)!);
    const takeTest = apportion(byClass.map((c) => c.length), nTest, n);
    const rest = byClass.map((c, k) => c.length - takeTest[k]);
    const takeVal = apportion(rest, nVal, n - nTest);
    byClass.forEach((c, k) => {
      c.forEach((i, j) => parts[j < takeTest[k] ? 0 : j < takeTest[k] + takeVal[k] ? 1 : 2].push(i));
    });
    // keep the shuffled order inside each part
    const rank = new Int32Array(n);
    order.forEach((i, j) => (rank[i] = j));
    for (const p of parts) p.sort((a, b) => rank[a] - rank[b]);
  }
  return {
    test: data.subset(parts[0], `${data.name} (test)`),
    validation: data.subset(parts[1], `${data.name} (validation)`),
    train: data.subset(parts[2], `${data.name} (train)`),
  };
}

const SPLIT_KEYS = ['validation', 'test', 'stratify', 'shuffle', 'seed'];

function count(name: string, v: number, n: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ValueError(`split: ${name} must be a fraction in [0, 1) or a count, got ${v}`);
  if (v < 1) return Math.round(v * n);
  if (!Number.isInteger(v) || v > n) throw new ValueError(`split: ${name} count must be an integer ≤ ${n}, got ${v}`);
  return v;
}

/** Splits `total` across groups in proportion to `sizes` (of sum `n`), never exceeding a group's size. */
function apportion(sizes: number[], total: number, n: number): number[] {
  if (n === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * total) / n);
  const take = exact.map(Math.floor);
  let left = total - take.reduce((a, b) => a + b, 0);
  const order = exact.map((e, k) => [e - Math.floor(e), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = 0; left > 0 && r < 2 * order.length; r++) {
    const k = order[r % order.length][1];
    if (take[k] < sizes[k]) {
      take[k]++;
      left--;
    }
  }
  return take;
}
