import type { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import type { LossEntry } from '../loss/index.js';
import { AdversarialBatches } from './adversarial.js';
import { bestEpochOf, EarlyStopping, endEpoch } from './epoch-end.js';
import { Evaluator } from './evaluate.js';
import type { TrainModel } from './model.js';
import { batchesPerEpoch, checkOptions, checkResume, splitData, type CheckedOptions } from './options.js';
import { saveProgress, startProgress, type Progress } from './resume.js';
import { Snapshot } from './snapshot.js';
import { BatchClosure, batchEnd, needsClosure, trainStep } from './step.js';
import type { BatchInfo, EarlyState, FitOptions, History } from './types.js';

export type { BatchInfo, EarlyState, EpochRecord, EpochSchedule, FitCallbacks, FitOptions, History, TrainingState } from './types.js';

const now = (): number => (globalThis.performance?.now() ?? Date.now()) / 1000;
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * Trains `model` with `optimizer` on mini-batches of `data` for `epochs`
 * epochs and returns the history.
 *
 * Each step: the loader fills the planned batch buffers, `model.lossAndGrad`
 * computes the loss and gradients, the snapshot copies parameters and
 * optimizer state (divergence guard), `optimizer.step()` updates. A
 * non-finite loss throws `DivergenceError` (epoch and step named) after
 * restoring the last finite step. An aborted `signal` or a callback stops
 * between steps; the history's `state` continues the run exactly.
 *
 * The phases live beside this file: options.ts (validation and defaults),
 * step.ts (one step), epoch-end.ts (evaluation, early stopping, callbacks),
 * resume.ts (the state that continues a run).
 */
export async function fit(model: TrainModel, options: FitOptions): Promise<History> {
  const o = checkOptions(model, options);
  const { train, val } = splitData(model, o);
  const batchSize = o.batchSize ?? Math.min(32, train.length);
  if (o.resume !== undefined) checkResume(o.resume, o.epochs, batchesPerEpoch(train.length, batchSize, o.dropLast));
  const wasTraining = model.training;
  try {
    return await run(model, o, train, val, batchSize);
  } catch (e) {
    // a run that throws (divergence, a callback, a bad batch) leaves the model in the mode it had
    if (wasTraining) model.train();
    else model.eval();
    throw e;
  }
}

/** The run itself: setup, the epoch loop, the state that continues it. */
async function run(model: TrainModel, o: CheckedOptions, train: Dataset, val: Dataset | null, batchSize: number): Promise<History> {
  const { optimizer, epochs, callbacks, lossEntry } = o;
  const loader = new BatchLoader(model.engine, train, { batchSize, shuffle: o.shuffle, dropLast: o.dropLast, seed: o.seed });
  const cleanup: (() => void)[] = [() => loader.dispose()];
  try {
    const evalBs = o.evalBatchSize ?? Math.max(loader.batchSize, 512);
    const valEval = val && val.length > 0 ? evaluator(model, val, lossEntry, evalBs, cleanup) : null;
    const trainEval = o.trainMetrics ? evaluator(model, train, lossEntry, evalBs, cleanup) : null;
    const snapshot = o.divergenceGuard ? new Snapshot(model, optimizer) : null;
    const closure = needsClosure(optimizer) ? new BatchClosure() : null;
    if (snapshot) cleanup.push(() => snapshot.dispose());
    const adv = o.adversarial ? new AdversarialBatches(model, o.adversarial, lossEntry) : null;
    if (adv) cleanup.push(() => adv.dispose());

    const epochSchedule = o.schedule && typeof o.schedule === 'object' ? o.schedule : null;
    if (typeof o.schedule === 'function') optimizer.lr = o.schedule;
    else if (epochSchedule) optimizer.lr = epochSchedule.schedule;

    const r = o.resume;
    const p: Progress = startProgress(r, o.earlyStopping !== undefined);
    if (r?.schedule !== undefined && epochSchedule) epochSchedule.loadState(r.schedule as never);
    const early = o.earlyStopping ? new EarlyStopping(model, o.earlyStopping, p as Progress & { early: EarlyState }) : null;
    if (early) cleanup.push(() => early.dispose());
    const ctx = { optimizer, trainEval, valEval, epochSchedule, early, callbacks, now };

    if (r) loader.setRngState(r.epochRng);
    let epochRng = loader.rngState();
    let stopReason: History['stopReason'] = 'completed';
    const info: BatchInfo = { epoch: 0, batch: 0, batches: loader.numBatches, loss: 0, rows: 0, step: 0 };
    for (const c of callbacks) c.onTrainBegin?.({ epochs, batchesPerEpoch: loader.numBatches, samplesPerEpoch: loader.samplesPerEpoch, startEpoch: p.epoch });
    model.train();
    let lastYield = now();
    let stopAfterEpoch = false;

    outer: while (p.epoch < epochs) {
      const epochStart = now();
      epochRng = loader.rngState();
      loader.startEpoch();
      let t0 = now();
      for (let b = p.batch; b < loader.numBatches; b++) {
        if (o.signal?.aborted) {
          p.trainTime += now() - t0;
          p.batch = b;
          stopReason = 'aborted';
          break outer;
        }
        const { x, y, rows } = loader.batch(b);
        const loss = trainStep(model, optimizer, lossEntry, snapshot, adv ? adv.batch(x, y) : x, y, p.epoch, b, loader.numBatches, closure);
        p.lossSum += loss * rows;
        p.samples += rows;
        if (callbacks.length > 0 && batchEnd(callbacks, info, p.epoch, b, loss, rows, optimizer.stepCount)) {
          stopReason = 'callback';
          if (b + 1 < loader.numBatches) {
            p.trainTime += now() - t0;
            p.batch = b + 1;
            break outer;
          }
          stopAfterEpoch = true;
        }
        // let timers, I/O and abort signals run during long epochs
        const t = now();
        if (t - lastYield > 0.1) {
          p.trainTime += t - t0;
          await tick();
          lastYield = t0 = now();
        }
      }
      p.trainTime += now() - t0;
      const reason = await endEpoch(ctx, p, epochStart, stopAfterEpoch);
      if (reason !== null) {
        stopReason = reason;
        break;
      }
      await tick();
      lastYield = now();
    }
    early?.finish(stopReason);
    const bestEpoch = bestEpochOf(p.records, p.early);
    // at an epoch boundary the state is the loader's now, before the next epoch draws its
    // permutation; an abort is seen inside an epoch, whose start state epochRng already is
    if (p.batch === 0 && stopReason !== 'aborted') epochRng = loader.rngState();
    const state = saveProgress(p, epochRng, early?.bestParams(), epochSchedule?.state());
    const history: History = { epochs: p.records, stopReason, bestEpoch, state };
    for (const c of callbacks) c.onTrainEnd?.(history);
    return history;
  } finally {
    for (const f of cleanup.reverse()) f();
  }
}

/** An evaluator over `data`, disposed with the run. */
function evaluator(model: TrainModel, data: Dataset, loss: LossEntry, batchSize: number, cleanup: (() => void)[]): Evaluator {
  const ev = new Evaluator(model, data, { loss, batchSize });
  cleanup.push(() => ev.dispose());
  return ev;
}
