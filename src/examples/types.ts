/**
 * What a runnable example is (`wasmgrad example NAME`): a name, a title, the effect it
 * shows in one sentence, and `run(engine, options)`, which trains with the engine's real
 * APIs, prints its lines through `log` and returns its headline numbers (the test of each
 * example checks its headline effect on those numbers, with `quick` sizes).
 */
import type { Dataset } from '../data/dataset.js';
import type { Engine } from '../engine.js';
import { mulberry32 } from '../runtime/mulberry32.js';

export interface ExampleOptions {
  /** small sizes (tests, a quick look); default false */
  quick?: boolean;
  /** seed of the data and the models; default 0 */
  seed?: number;
  /** where the lines go (the CLI prints them); default: nowhere */
  log?: (line: string) => void;
  /** the data sets an example declares in `data`, loaded by the caller */
  data?: Partial<Record<'digits', Dataset>>;
}

export interface ExampleResult {
  /** the numbers the example is about, by name (printed, and returned by --json) */
  headline: Record<string, number>;
}

export interface Example {
  /** kebab-case, unique */
  name: string;
  title: string;
  /** the effect it shows, one sentence */
  shows: string;
  /** data sets the caller must load (the CLI reads them from files) */
  data?: readonly 'digits'[];
  run(engine: Engine, options: ExampleOptions): Promise<ExampleResult>;
}

/** A seeded uniform generator for example data (mulberry32; independent of the core's RNG). */
export function uniform(seed: number): () => number {
  return mulberry32(seed ^ 0x9e3779b9);
}

/** A standard normal draw from a uniform generator (Box-Muller). */
export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** `name  value` lines for a headline (3 significant digits). */
export function headlineLines(h: Record<string, number>): string[] {
  const w = Math.max(...Object.keys(h).map((k) => k.length));
  return Object.entries(h).map(([k, v]) => `${k.padEnd(w)}  ${Number.isInteger(v) ? v : v.toPrecision(4)}`);
}
