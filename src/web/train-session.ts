// The Train view's model, run in the worker: data (generated or CSV, split and
// standardized on the training part), an MLP from engine.nn, an optimizer from
// engine.optim with an lr schedule, a BatchLoader, and Evaluators for the
// full-data losses. One step is the library's flat run: batch into the arena,
// lossAndGrad, optional λ/2·‖θ‖² (l2Penalty) and global-norm clipping, then one
// fused optimizer kernel; a closure optimizer (L-BFGS) gets one step(closure) per
// batch instead, the closure re-evaluating that batch (with the L2 term) as fit()'s
// BatchClosure does, and a batch optimizer (Newton) one step(x, y, loss) per batch,
// as fit() drives `needsBatch` optimizers. Everything is planned when the session is built;
// moveTo() carries the run to another build's engine (parameters, optimizer state,
// RNG streams, position in the epoch) so the SIMD/scalar switch continues the run.
import {
  blobs, circles, clipGradNorm, Dataset, encodeCheckpoint, Evaluator, l2Penalty, lineChart, parseCsv, schedules, spirals, split,
  Standardizer, twoMoons, xor, BatchLoader, type Engine, type LearningRate, type Schedule, type Sequential, type Optimizer, type Tensor,
} from '../index.js';
import { newtonRefusal, OPTIMIZERS, optimizerOptions, type ScheduleName } from './options.js';
import type { BoundaryMessage, DataMessage, TrainPoint } from './protocol.js';
import type { TrainSettings } from './settings.js';

/** Generated or parsed data, split and standardized (the scaler is fitted on the training part). */
export interface Prepared {
  name: string;
  k: number;
  raw: { train: Dataset; test: Dataset };
  train: Dataset;
  test: Dataset;
  scaler: Standardizer;
}

export function generate(s: TrainSettings): Dataset {
  const o = { n: s.n, noise: s.noise, seed: s.seed };
  switch (s.dataset) {
    case 'spirals': return spirals({ ...o, noise: s.noise * 2, arms: 3 });
    case 'moons': return twoMoons({ ...o, noise: s.noise * 4 });
    case 'circles': return circles({ ...o, noise: s.noise * 2 });
    case 'xor': return xor({ ...o, noise: s.noise * 2 });
    case 'blobs': return blobs({ n: s.n, seed: s.seed, centers: 3, std: 0.6 + 20 * s.noise });
    default: throw new Error(`no generator for ${s.dataset}: drop a CSV file`);
  }
}

/** A CSV of two numeric feature columns and an integer class label (last column). */
export function fromCsv(text: string, file: string): Dataset {
  const d = parseCsv(text, { task: 'classification', file });
  if (d.numFeatures !== 2) throw new Error(`${file}: the playground plots 2 features, the file has ${d.numFeatures} (plus the label in the last column)`);
  return d;
}

export function prepare(data: Dataset, s: TrainSettings): Prepared {
  const { train, test } = split(data, { test: s.testFraction, stratify: true, seed: s.seed });
  const scaler = Standardizer.fit(train);
  return { name: data.name ?? s.dataset, k: data.numClasses, raw: { train, test }, train: scaler.transform(train), test: scaler.transform(test), scaler };
}

export function dataMessage(p: Prepared): DataMessage {
  const pts = (d: Dataset) => ({ x: d.features.slice(), y: (d.targets as Int32Array).slice() });
  return { type: 'train-data', name: p.name, k: p.k, train: pts(p.raw.train), test: pts(p.raw.test) };
}

export function makeSchedule(name: ScheduleName, lr: number, horizon: number, warmup: number): Schedule {
  switch (name) {
    case 'constant': return () => lr;
    case 'step': return schedules.step({ lr, stepSize: Math.max(1, Math.round(horizon / 4)), gamma: 0.5 });
    case 'exponential': return schedules.exponential({ lr, gamma: Math.pow(0.01, 1 / horizon) });
    case 'cosine': return schedules.cosineAnnealing({ lr, tMax: horizon, clamp: true });
    case 'warmupCosine': return schedules.warmupCosine({ lr, warmupSteps: Math.min(warmup, horizon - 1), totalSteps: horizon });
    case 'oneCycle': {
      const s = schedules.oneCycle({ maxLr: lr, totalSteps: horizon });
      return (t) => s(Math.min(t, horizon)); // held at the end instead of throwing past the horizon
    }
    case 'cyclic': return schedules.cyclic({ lr: lr / 10, maxLr: lr, stepSizeUp: Math.max(1, Math.round(horizon / 8)) });
  }
}

const GRID = 64;

/** Settings the session refuses with a message for the page (not a failure): e.g. a network too large for Newton. */
export class SettingsRefused extends Error {}

/** What the session needs of a batch optimizer (optim.newton). */
interface BatchStepper {
  step(x: Tensor, y: Int32Array | Tensor, loss: 'softmaxCrossEntropy'): number;
}

export class TrainSession {
  readonly model: Sequential;
  readonly optimizer: Optimizer<{ lr?: LearningRate }>;
  readonly schedule: Schedule;
  private readonly loader: BatchLoader;
  private readonly evalTrain: Evaluator;
  private readonly evalTest: Evaluator;
  private readonly grid: Tensor;
  private readonly box: [number, number, number, number];
  steps = 0;
  epoch = 0;
  private batchIndex = 0;
  readonly history: TrainPoint[] = [];
  /** true for a closure optimizer (L-BFGS): step(closure) per batch, no clipping */
  readonly closure: boolean;
  /** true for a batch optimizer (Newton): step(x, y, loss) per batch, no clipping, no L2 term */
  readonly batch: boolean;
  /** steps the worker runs between two looks at the clock (one for L-BFGS and Newton, whose steps are many evaluations) */
  readonly burst: number;
  private cx: Tensor | null = null;
  private cy: Int32Array | Tensor | null = null;
  private first = NaN;
  /**
   * The batch's loss and gradients (λ/2·‖θ‖² included), for a closure optimizer:
   * made once, so no allocation per step. Its first call per step returns the
   * loss step() has just computed (the gradients of that point are in the buffer).
   */
  private readonly batchLoss = (): number => {
    if (!Number.isNaN(this.first)) {
      const v = this.first;
      this.first = NaN;
      return v;
    }
    let loss = this.model.lossAndGrad(this.cx!, this.cy!, 'softmaxCrossEntropy');
    if (this.settings.l2 > 0) loss += l2Penalty(this.model, this.settings.l2);
    return loss;
  };

  constructor(readonly engine: Engine, readonly settings: TrainSettings, readonly data: Prepared) {
    const s = settings;
    const refused = newtonRefusal(s.optimizer, s.hypers, s.hidden, data.k);
    if (refused !== null) throw new SettingsRefused(refused);
    this.model = engine.nn.mlp([2, ...s.hidden, data.k], { activation: s.activation, dropout: s.dropout, seed: s.seed });
    const lr = Number(s.hypers.lr);
    this.schedule = makeSchedule(s.schedule, lr, Math.max(2, s.horizon), s.warmup);
    const make = (engine.optim as unknown as Record<string, (m: Sequential, o: object) => Optimizer<{ lr?: LearningRate }>>)[s.optimizer];
    this.closure = OPTIMIZERS[s.optimizer].closure === true;
    this.batch = OPTIMIZERS[s.optimizer].batch === true;
    this.burst = this.closure || this.batch ? 1 : 4;
    const options = optimizerOptions(s.optimizer, s.hypers, s.schedule === 'constant' ? lr : this.schedule);
    this.optimizer = make(this.model, this.closure || this.batch ? options : { ...options, fused: s.fused });
    const fullBatch = (this.closure || this.batch) && s.hypers.fullBatch !== false;
    this.loader = new BatchLoader(engine, data.train, { batchSize: fullBatch ? data.train.length : Math.min(s.batchSize, data.train.length), shuffle: true, seed: s.seed });
    this.evalTrain = new Evaluator(this.model, data.train);
    this.evalTest = new Evaluator(this.model, data.test);
    this.box = boxOf(data.raw.train, data.raw.test);
    const [x0, x1, y0, y1] = this.box;
    const g = new Float32Array(GRID * GRID * 2);
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        g[2 * (r * GRID + c)] = x0 + ((c + 0.5) / GRID) * (x1 - x0);
        g[2 * (r * GRID + c) + 1] = y1 - ((r + 0.5) / GRID) * (y1 - y0);
      }
    }
    this.grid = engine.tensor([GRID * GRID, 2], data.scaler.transformFeatures(g));
  }

  /** One optimizer step on the next batch (Newton: step(x, y, loss), which evaluates the batch itself); returns the batch loss. */
  step(): number {
    const { loader } = this;
    if (this.batchIndex === 0) loader.startEpoch();
    const { x, y } = loader.batch(this.batchIndex);
    const loss = this.batch ? (this.optimizer as unknown as BatchStepper).step(x, y, 'softmaxCrossEntropy') : this.firstOrder(x, y);
    this.steps++;
    if (++this.batchIndex === loader.numBatches) {
      this.batchIndex = 0;
      this.epoch++;
    }
    return loss;
  }

  /** The batch's loss and gradients (with the L2 term), then the optimizer's step: plain, or L-BFGS's step(closure). */
  private firstOrder(x: Tensor, y: Int32Array | Tensor): number {
    const { settings: s, model } = this;
    let loss = model.lossAndGrad(x, y, 'softmaxCrossEntropy');
    if (s.l2 > 0) loss += l2Penalty(model, s.l2);
    if (this.closure) {
      this.cx = x;
      this.cy = y;
      this.first = loss;
      try {
        (this.optimizer as unknown as { step(closure: () => number): number }).step(this.batchLoss);
      } finally {
        this.cx = this.cy = null;
        this.first = NaN;
      }
    } else {
      if (s.clip > 0) clipGradNorm(model, s.clip);
      this.optimizer.step();
    }
    return loss;
  }

  /** Full-data losses and accuracies now, appended to the history. */
  evaluate(): TrainPoint {
    const tr = this.evalTrain.run();
    const te = this.evalTest.run();
    const p: TrainPoint = {
      step: this.steps,
      trainLoss: tr.loss,
      testLoss: te.loss,
      trainAccuracy: tr.accuracy ?? NaN,
      testAccuracy: te.accuracy ?? NaN,
      lr: this.schedule(this.steps),
    };
    this.history.push(p);
    return p;
  }

  /** ‖W‖₂ (Frobenius) of each Linear weight: one f32_nrm2 kernel call each. */
  norms(): { name: string; norm: number }[] {
    const k = this.engine.kernels;
    return this.model
      .parameterRanges()
      .filter((r) => r.name.endsWith('weight'))
      .map((r) => ({ name: r.name, norm: k.f32_nrm2(r.shape[0] * r.shape[1], this.model.paramsPtr + 4 * r.offset) }));
  }

  /** Class probabilities over a GRID×GRID raster of the data's box (eval mode). */
  boundary(): BoundaryMessage {
    const k = this.data.k;
    const out = this.model.eval().forward(this.grid).data;
    this.model.train();
    const probs = new Float32Array(GRID * GRID * k);
    for (let i = 0; i < GRID * GRID; i++) {
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, out[i * k + j]);
      let z = 0;
      for (let j = 0; j < k; j++) z += probs[i * k + j] = Math.exp(out[i * k + j] - m);
      for (let j = 0; j < k; j++) probs[i * k + j] /= z;
    }
    const [x0, x1, y0, y1] = this.box;
    return { type: 'train-boundary', nx: GRID, ny: GRID, x0, x1, y0, y1, k, probs };
  }

  /** The same run continued on another engine (another build): state copied, this one disposed. */
  moveTo(engine: Engine): TrainSession {
    const next = new TrainSession(engine, this.settings, this.data);
    next.model.setParameters(this.model.parameters());
    next.model.setRngState(this.model.rngState());
    next.optimizer.loadState(this.optimizer.state());
    next.loader.setRngState(this.loader.rngState());
    next.steps = this.steps;
    next.epoch = this.epoch;
    next.history.push(...this.history);
    // the epoch in progress: restart it from the same shuffling state
    if (this.batchIndex !== 0) {
      next.loader.setRngState(this.loader.epochRngState());
      next.loader.startEpoch();
      next.batchIndex = this.batchIndex;
    }
    this.dispose();
    return next;
  }

  checkpoint(): { weights: Uint8Array; sidecar: string } {
    return encodeCheckpoint(this.model, { optimizer: this.optimizer, training: { steps: this.steps, epoch: this.epoch, settings: { ...this.settings } } });
  }

  lossSvg(): string {
    const h = this.history;
    const x = h.map((p) => p.step);
    return lineChart(
      [
        { name: 'train loss', x, y: h.map((p) => p.trainLoss) },
        { name: 'test loss', x, y: h.map((p) => p.testLoss), dashed: true },
      ],
      { title: `${this.data.name}: MLP ${[2, ...this.settings.hidden, this.data.k].join('-')}, ${this.settings.optimizer}`, xLabel: 'step', yLabel: 'cross-entropy' },
    );
  }

  dispose(): void {
    this.grid.dispose();
    this.evalTest.dispose();
    this.evalTrain.dispose();
    this.loader.dispose();
    (this.optimizer as { dispose?(): void }).dispose?.(); // Newton holds nothing to free
    this.model.dispose();
  }
}

function boxOf(...sets: Dataset[]): [number, number, number, number] {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const d of sets) {
    const f = d.features;
    for (let i = 0; i < f.length; i += 2) {
      x0 = Math.min(x0, f[i]); x1 = Math.max(x1, f[i]);
      y0 = Math.min(y0, f[i + 1]); y1 = Math.max(y1, f[i + 1]);
    }
  }
  const mx = 0.1 * (x1 - x0 || 1), my = 0.1 * (y1 - y0 || 1);
  return [x0 - mx, x1 + mx, y0 - my, y1 + my];
}
