// Regression examples: each call below is a counterexample the fuzz suite found
// (an untyped throw, a message not naming the argument, or a bad value accepted),
// kept as a plain test after the fix.
import { beforeAll, describe, it } from 'vitest';
import { blobs, encodeCheckpoint, evaluate, gradientSurgery, predict, project, prox, Dataset, illConditionedRegression, linearRegression, parseCsv, polynomialRegression, Random, randomLabels, spirals, Standardizer, init, layers, schedules, type Engine, type Optimizer, type ParameterVector, type Sequential, type Tensor } from '../../src/index.js';
import { expectRejected } from './fuzz.js';

let engine: Engine;
/** fixtures made before any fingerprint: a [1, 1] tensor, a [2] tensor, a 3-vector and an Adam over it, a [2, 2] model and an input */
let f: { t: Tensor; t2: Tensor; o2: Tensor; v: ParameterVector; opt: Optimizer<any>; m: Sequential; x: Tensor };
beforeAll(async () => {
  engine = await init();
  const v = engine.vector(3);
  f = { t: engine.tensor([1, 1]), t2: engine.tensor([2]), o2: engine.tensor([2]), v, opt: engine.optim.adam(v), m: engine.nn.mlp([2, 2]), x: engine.tensor([1, 2]) };
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
  // nn and losses (test/fuzz/nn.fuzz.test.ts)
  ['mlp activationOptions: null (was a TypeError)', (e) => e.nn.mlp([2, 3, 2], { activationOptions: null as never }), /activationOptions/],
  ['mlp init: [] (was accepted as the default)', (e) => e.nn.mlp([2, 2], { init: [] as never }), /init/],
  ['mlp init with an unknown key', (e) => e.nn.mlp([2, 2], { init: { weights: 1 } as never }), /init has an unknown key 'weights'/],
  ['mlp([2^31, 4, 2]): MemoryError naming the layer sizes', (e) => e.nn.mlp([2 ** 31, 4, 2]), /^mlp: layer sizes \[2147483648, 4, 2\] need 8589934606 parameters/],
  ['mlp([1e300, 4, 2]): MemoryError, not alloc\'s ValueError', (e) => e.nn.mlp([1e300, 4, 2]), /^mlp: layer sizes \[1e\+300, 4, 2\] need 4e\+300 parameters, more than any memory holds$/],
  ['sequential of a hand-written spec with out: 0 (was accepted)', (e) => e.nn.sequential([{ type: 'linear', in: 2, out: 0, bias: true } as never]), /^sequential: layer 0: linear: out must be a positive integer, got 0$/],
  ['sequential inputSize that does not fit names inputSize', (e) => e.nn.sequential([layers.linear(3, 2)], { inputSize: 5 }), /expects 3 inputs but inputSize is 5/],
  ['sequential inputSize 1.5', (e) => e.nn.sequential([layers.relu()], { inputSize: 1.5 }), /inputSize must be a positive integer, got 1\.5/],
  ['layers.activation with an unknown option', () => layers.activation('leakyRelu', { slop: 0.1 } as never), /unknown option 'slop'/],
  ['layers.linear(2, 2, null) (was a TypeError)', () => layers.linear(2, 2, null as never), /options must be an object/],
  ['lossAndGrad with the loss named __proto__ (was a TypeError)', () => f.m.lossAndGrad(f.x, f.x, '__proto__' as never), /unknown loss '__proto__'/],
  ['setRngState([null, 2, 3, 4]) (null was read as 0)', () => f.m.setRngState([null, 2, 3, 4] as never), /setRngState: state word 0 must be an integer in \[0, 2\^32\), got null/],
  ['setRngState([2^32 + 1, 0, 0, 0]) (wrapped to 1)', () => f.m.setRngState([2 ** 32 + 1, 0, 0, 0]), /state word 0/],
  ['mse(null) (was a TypeError)', (e) => e.loss.mse(null as never), /mse: options must be an object/],
  ['huber with an unknown option', (e) => e.loss.huber({ delt: 2 } as never), /huber: unknown option 'delt'/],
  ['l2Penalty weightsOnly: "" (was accepted)', (e) => e.loss.l2Penalty(f.m, 0.1, { weightsOnly: '' as never }), /weightsOnly must be true or false/],
  // schedules (test/fuzz/schedule.fuzz.test.ts)
  ['cosineAnnealing with an unknown option', () => schedules.cosineAnnealing({ lr: 0.1, tMax: 10, etamin: 0 } as never), /unknown option 'etamin'/],
  ['cosineAnnealing clamp: "yes" (was truthy)', () => schedules.cosineAnnealing({ lr: 0.1, tMax: 10, clamp: 'yes' as never }), /clamp must be true or false/],
  ['piController kp: null (was the default)', () => schedules.piController({ lr: 0.1, setpoint: 0.5, kp: null as never }), /kp must be given a value or left out, got null/],
  ['step stepSize 2^53 (not a safe integer)', () => schedules.step({ lr: 0.1, stepSize: 2 ** 53 }), /stepSize must be an integer >= 1/],
  ['a schedule at step 1e300', () => schedules.constant({ lr: 0.1 })(1e300), /step must be a non-negative integer/],
  // data (test/fuzz/data.fuzz.test.ts)
  ['spirals({ n: 2^53 }) (was a RangeError)', () => spirals({ n: 2 ** 53 }), /spirals: n must be an integer in \[1, 2\^24\]/],
  ['randomLabels n × dim beyond 2^28 values (would exhaust the heap)', () => randomLabels({ n: 2 ** 20, dim: 2 ** 10 }), /n \(1048576\) × dim \(1024\) = 1073741824 feature values exceed 2\^28/],
  ['blobs({ centers: [["a"]] }) (was a Dataset NaN error)', () => blobs({ centers: [['a']] as never }), /blobs: centers\[0\]\[0\] must be a finite number/],
  ['linearRegression({ weights: null }) (null was the default)', () => linearRegression({ weights: null as never }), /weights must be given a value or left out/],
  ['linearRegression({ bias: NaN }) names bias', () => linearRegression({ bias: NaN }), /bias must be a finite number, got NaN/],
  ['polynomialRegression({ expand: "" }) (was falsy)', () => polynomialRegression({ expand: '' as never }), /expand must be true or false/],
  ['randomLabels classes 2^24 + 1 names classes', () => randomLabels({ classes: 2 ** 24 + 1 }), /randomLabels: classes must be an integer in \[2, 2\^24\]/],
  ['illConditionedRegression({ noise: [] }) (was unchecked)', () => illConditionedRegression({ noise: [] as never }), /noise must be a finite number ≥ 0/],
  ['new Dataset(x, y, null) (was a TypeError)', () => new Dataset(new Float32Array(2), new Int32Array(1), null as never), /Dataset: options must be an object/],
  ['dataset.subset(null) (was a TypeError)', () => new Dataset(new Float32Array(2), new Int32Array(1)).subset(null as never), /indices must be an array/],
  ['Random.int(0) (returned 0)', () => new Random(1).int(0), /Random.int: n must be an integer in \[1, 2\^32\]/],
  ['Random.permutation(2^31)', () => new Random(1).permutation(2 ** 31), /Random.permutation: n must be an integer in \[0, 2\^31\)/],
  ['parseCsv delimiter "\\n" names the delimiter', () => parseCsv('a,y\n1,0\n', { delimiter: '\n' }), /delimiter/],
  // checkpoints, fit, minimize, structure (test/fuzz/train.fuzz.test.ts, solve.fuzz.test.ts)
  ['encodeCheckpoint with an unknown option', () => encodeCheckpoint(f.m, { optimiser: f.opt } as never), /encodeCheckpoint: unknown option 'optimiser'/],
  ['encodeCheckpoint training: [1] (an array was taken for an object)', () => encodeCheckpoint(f.m, { training: [1] as never }), /training must be an object, got \[1\]/],
  ['evaluate(model, null) (was a TypeError)', () => evaluate(f.m, null as never), /evaluate: data must be a Dataset, got null/],
  ['evaluate batchSize 0 (was accepted)', () => evaluate(f.m, new Dataset(new Float32Array(2), new Int32Array(1)), { batchSize: 0 }), /evaluate: batchSize must be an integer >= 1, got 0/],
  ['predict with an unknown option', () => predict(f.m, new Float32Array(2), { batchsize: 4 } as never), /predict: unknown option 'batchsize'/],
  ['minimize(fun, [[], 0]) ([] was read as 0)', (e) => e.minimize(() => 0, [[] as never, 0]), /x0\[0\] must be finite, got \[\]/],
  ['minimize with an unknown option', (e) => e.minimize(() => 0, [0], { maxiter: 3 } as never), /minimize: unknown option 'maxiter'/],
  ['engine.minimize(fun, x0, null) (null was spread away)', (e) => e.minimize(() => 0, [0], null as never), /minimize: options must be an object, got null/],
  ['minimize history: "" (was falsy)', (e) => e.minimize(() => 0, [0], { history: '' as never }), /history must be true or false/],
  ['prox.groupLasso with an unknown option (by for groups)', () => prox.groupLasso(0.1, { by: 'rows' } as never), /unknown option 'by'/],
  ['project.grid with an unknown option', () => project.grid({ step: 1, min: -1, max: 1, levels: 3 } as never), /unknown option 'levels'/],
  ['gradientSurgery.pcgrad(grads, out, null) (was a TypeError)', () => gradientSurgery.pcgrad([f.t2, f.t2], f.t2, null as never), /options must be an object/],
  ['gradientSurgery.pcgrad seed -1 (wrapped to 2^32 - 1)', () => gradientSurgery.pcgrad([f.t2, f.t2], f.o2, { seed: -1 }), /seed must be a non-negative safe integer/],
  ['Standardizer.fromJSON({ mean: ["0"] }) (was read as 0)', () => Standardizer.fromJSON({ mean: ['0'] as never, std: [1] }), /mean\[0\] must be a number, got the string "0"/],
];

describe('fuzz regressions', () => {
  for (const [what, call, names] of EXAMPLES) {
    it(what, () => expectRejected(engine, () => call(engine), names, () => f.opt.state(), what));
  }
});
