// Regression examples: each call below is a counterexample the fuzz suite found
// (an untyped throw, a message not naming the argument, or a bad value accepted),
// kept as a plain test after the fix.
import { beforeAll, describe, it } from 'vitest';
import { init, type Engine, type Optimizer, type ParameterVector, type Tensor } from '../../src/index.js';
import { expectRejected } from './fuzz.js';

let engine: Engine;
/** fixtures made before any fingerprint: a [1, 1] tensor, a [2] tensor, a 3-vector and an Adam over it */
let f: { t: Tensor; t2: Tensor; v: ParameterVector; opt: Optimizer<any> };
beforeAll(async () => {
  engine = await init();
  const v = engine.vector(3);
  f = { t: engine.tensor([1, 1]), t2: engine.tensor([2]), v, opt: engine.optim.adam(v) };
});

type Example = [what: string, call: (e: Engine) => unknown, names: RegExp];
const EXAMPLES: Example[] = [
  ['tensor data given as a string of the right length', (e) => e.tensor([2, 3], 'abcdef' as never), /data/],
  ['tensor.set(null) (was a TypeError)', () => f.t2.set(null as never), /values/],
  ['matmul options null (was a TypeError)', (e) => e.matmul(f.t, f.t, null as never), /options/],
  ['matmul transA not a boolean', (e) => e.matmul(f.t, f.t, { transA: '' as never }), /transA/],
  ['matmul unknown option lr', (e) => e.matmul(f.t, f.t, { lr: 1 } as never), /'lr'/],
  ['vector(2^31): MemoryError naming n', (e) => e.vector(2 ** 31), /\bn = 2147483648/],
  ['tensor of 2^40 floats: MemoryError naming the shape', (e) => e.tensor([2 ** 20, 2 ** 20]), /shape \[1048576, 1048576\]/],
  ['optimizer groups: null', (e) => e.optim.adam(f.v, { groups: null as never }), /groups/],
  ['snapshot({ params: null })', () => f.opt.snapshot({ params: null as never }), /params/],
  ['clipGradNorm unknown option', (e) => e.optim.clipGradNorm(f.v, 1, { ' ': true } as never), /' '/],
  ['clipGradValue options not an object', (e) => e.optim.clipGradValue(f.v, 1, 'spans' as never), /options/],
];

describe('fuzz regressions', () => {
  for (const [what, call, names] of EXAMPLES) {
    it(what, () => expectRejected(engine, () => call(engine), names, () => f.opt.state(), what));
  }
});
