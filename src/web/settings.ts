// The Train view's settings: defaults, and the URL hash that shares them
// (`#train&data=moons&hidden=16,16&opt=adam&lr=0.01…`). Decoding is forgiving:
// an unknown key or a value out of range keeps the default, so an old or
// hand-edited link still opens.
import { ACTIVATIONS, DATASETS, defaultHypers, OPTIMIZERS, SCHEDULES, type DatasetName, type HyperValues, type ScheduleName } from './options.js';

export interface TrainSettings {
  dataset: DatasetName;
  /** number of points generated */
  n: number;
  noise: number;
  /** held-out fraction (stratified) */
  testFraction: number;
  /** hidden layer widths */
  hidden: number[];
  activation: (typeof ACTIVATIONS)[number];
  optimizer: string;
  hypers: HyperValues;
  /** fused kernel (true) or the named chain of transforms */
  fused: boolean;
  schedule: ScheduleName;
  /** steps over which a schedule runs (cosine's T, one-cycle's total, …) */
  horizon: number;
  warmup: number;
  batchSize: number;
  /** λ of the added λ/2·‖θ‖² term */
  l2: number;
  dropout: number;
  /** max global gradient norm; 0 = off */
  clip: number;
  seed: number;
}

export function defaultSettings(): TrainSettings {
  return {
    dataset: 'spirals',
    n: 600,
    noise: 0.02,
    testFraction: 0.25,
    hidden: [32, 32],
    activation: 'relu',
    optimizer: 'adam',
    hypers: defaultHypers('adam'),
    fused: true,
    schedule: 'constant',
    horizon: 3000,
    warmup: 100,
    batchSize: 32,
    l2: 0,
    dropout: 0,
    clip: 0,
    seed: 1,
  };
}

type Scalar = 'n' | 'noise' | 'testFraction' | 'horizon' | 'warmup' | 'batchSize' | 'l2' | 'dropout' | 'clip' | 'seed';
/** Bounds of the numeric settings: [min, max, integer]. */
export const BOUNDS: Record<Scalar, [number, number, boolean]> = {
  n: [20, 5000, true],
  noise: [0, 1, false],
  testFraction: [0.05, 0.9, false],
  horizon: [10, 1e6, true],
  warmup: [0, 1e5, true],
  batchSize: [1, 5000, true],
  l2: [0, 1, false],
  dropout: [0, 0.9, false],
  clip: [0, 1e3, false],
  seed: [0, 1e9, true],
};

export function clampScalar(key: Scalar, v: number): number | null {
  const [lo, hi, int] = BOUNDS[key];
  if (!Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) return null;
  return v;
}

/** Parses `16,16` into widths (1-6 layers of 1-256 units); null when malformed. */
export function parseHidden(text: string): number[] | null {
  const parts = text.split(/[\s,x×-]+/).filter((p) => p !== '');
  if (parts.length > 6) return null;
  const w = parts.map(Number);
  return w.every((u) => Number.isInteger(u) && u >= 1 && u <= 256) ? w : null;
}

/** The settings as a URL hash (without the leading '#'). */
export function encodeHash(view: string, s: TrainSettings): string {
  const p = new URLSearchParams();
  p.set('view', view);
  p.set('data', s.dataset);
  for (const k of Object.keys(BOUNDS) as Scalar[]) p.set(k, String(s[k]));
  p.set('hidden', s.hidden.join(','));
  p.set('act', s.activation);
  p.set('opt', s.optimizer);
  for (const [k, v] of Object.entries(s.hypers)) p.set(`h.${k}`, String(v));
  p.set('fused', String(s.fused));
  p.set('sched', s.schedule);
  return p.toString();
}

/** Settings (and the view) from a hash; every missing or bad entry keeps its default. */
export function decodeHash(hash: string): { view: string | null; settings: TrainSettings } {
  const s = defaultSettings();
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const data = p.get('data');
  if (data !== null && data in DATASETS && data !== 'csv') s.dataset = data as DatasetName;
  for (const k of Object.keys(BOUNDS) as Scalar[]) {
    const raw = p.get(k);
    const v = raw === null ? null : clampScalar(k, Number(raw));
    if (v !== null) s[k] = v;
  }
  const hidden = p.get('hidden');
  const h = hidden === null ? null : parseHidden(hidden);
  if (h !== null) s.hidden = h;
  const act = p.get('act');
  if (act !== null && (ACTIVATIONS as readonly string[]).includes(act)) s.activation = act as TrainSettings['activation'];
  const opt = p.get('opt');
  if (opt !== null && opt in OPTIMIZERS) {
    s.optimizer = opt;
    s.hypers = defaultHypers(opt);
  }
  for (const hyper of OPTIMIZERS[s.optimizer].hypers) {
    const raw = p.get(`h.${hyper.key}`);
    if (raw === null) continue;
    if (hyper.kind === 'bool') s.hypers[hyper.key] = raw === 'true';
    else if (Number.isFinite(Number(raw)) && Number(raw) >= (hyper.min ?? -Infinity) && Number(raw) <= (hyper.max ?? Infinity) && (hyper.step !== 1 || Number.isInteger(Number(raw)))) s.hypers[hyper.key] = Number(raw);
  }
  s.fused = p.get('fused') !== 'false';
  const sched = p.get('sched');
  if (sched !== null && sched in SCHEDULES) s.schedule = sched as ScheduleName;
  return { view: p.get('view'), settings: s };
}
