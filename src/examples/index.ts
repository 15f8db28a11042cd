/**
 * The registry of runnable examples (`wasmgrad example list`, `wasmgrad example NAME`).
 * To add one: write `src/examples/<name>.ts` exporting an `Example` (types.ts), import it
 * here and append it to `examples`; give it a test of its headline effect.
 */
import { ValueError } from '../errors.js';
import { adversarialDigits } from './adversarial-digits.js';
import { federatedDigits } from './federated-digits.js';
import { multitask } from './multitask.js';
import { poissonBurst } from './poisson-burst.js';
import { textBag } from './text-bag.js';
import type { Example } from './types.js';

export const examples: readonly Example[] = [
  textBag,
  poissonBurst,
  multitask,
  adversarialDigits,
  federatedDigits,
];

/** The example called `name` (ValueError listing the names when there is none). */
export function findExample(name: string): Example {
  const e = examples.find((x) => x.name === name);
  if (!e) throw new ValueError(`example: unknown example '${name}', expected one of ${examples.map((x) => `'${x.name}'`).join(', ')}`);
  return e;
}

export type { Example, ExampleOptions, ExampleResult } from './types.js';
