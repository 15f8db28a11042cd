// The messages between the page (main.ts) and the worker (worker.ts).
import type { Check, ExperimentResult, ParamSpec, Params } from '../index.js';
import type { BuildName } from './options.js';
import type { RaceConfig } from './landscapes.js';
import type { TrainSettings } from './settings.js';

export type ToWorker =
  | { type: 'train-config'; settings: TrainSettings }
  | { type: 'train-csv'; text: string; name: string; settings: TrainSettings }
  | { type: 'train-run'; running: boolean }
  | { type: 'train-step' }
  | { type: 'train-reset' }
  | { type: 'build'; build: BuildName }
  | { type: 'export-checkpoint' }
  | { type: 'export-svg' }
  | { type: 'race-start'; config: RaceConfig }
  | { type: 'race-stop' }
  | { type: 'experiment-run'; name: string; params: Params; seed: number };

/** Whether the threaded build can run here, and why not (web/threads.ts). */
export interface ThreadsNote {
  available: boolean;
  note: string;
}

/** What the Experiments view needs to know of one experiment of the gallery. */
export interface ExperimentInfo {
  name: string;
  title: string;
  claim: string;
  source: string;
  params: Record<string, ParamSpec>;
  stochastic: boolean;
  counter: { params: Params; why: string } | null;
}

/** One finished run of an experiment, with its plot as an SVG document. */
export interface ExperimentMessage {
  type: 'experiment-result';
  name: string;
  verdict: 'pass' | 'fail';
  checks: Check[];
  table: ExperimentResult['table'];
  params: Params;
  seed: number;
  seconds: number;
  build: BuildName;
  svg: string;
}

/** One point of the Train view's history (full-data losses, evaluated in eval mode). */
export interface TrainPoint {
  step: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  lr: number;
}

export interface TrainReport {
  type: 'train-report';
  /** the point(s) evaluated since the last report */
  points: TrainPoint[];
  /** true when the history was cleared (a new config or a reset) */
  fresh: boolean;
  steps: number;
  epoch: number;
  running: boolean;
  stepsPerSecond: number;
  /** ‖W‖ of each Linear weight, PyTorch names */
  norms: { name: string; norm: number }[];
  build: BuildName;
  /** threads of the current engine (engine.threads.count) */
  threads: number;
}

export interface BoundaryMessage {
  type: 'train-boundary';
  /** grid resolution and extent in data coordinates */
  nx: number;
  ny: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  k: number;
  /** softmax probabilities, row-major from (x0, y1) top-left: nx·ny·k */
  probs: Float32Array;
}

export interface DataMessage {
  type: 'train-data';
  name: string;
  k: number;
  /** the points in data coordinates, train then test */
  train: { x: Float32Array; y: Int32Array };
  test: { x: Float32Array; y: Int32Array };
}

export interface RaceUpdate {
  type: 'race-update';
  /** per optimizer: the new points (x, y interleaved) and f(x) − f* at them */
  paths: { name: string; xy: number[]; gap: number[] }[];
  step: number;
  done: boolean;
}

export type FromWorker =
  | { type: 'ready'; builds: BuildName[]; build: BuildName; experiments: ExperimentInfo[]; threads: ThreadsNote }
  | ExperimentMessage
  | TrainReport
  /** the settings were refused (e.g. a network too large for Newton): no run until they change */
  | { type: 'train-refused'; message: string }
  | BoundaryMessage
  | DataMessage
  | RaceUpdate
  | { type: 'export'; kind: 'checkpoint'; weights: Uint8Array; sidecar: string }
  | { type: 'export'; kind: 'svg'; svg: string }
  | { type: 'error'; where: string; message: string };
