/**
 * Structure in training (src/structure): the group-lasso proximal step and proximal GD
 * (claim 19), projected GD onto a quantization grid (claim 20) and PCGrad's gradient
 * surgery on two conflicting tasks (claim 21). Runs use the optimizers' `prox` and
 * `project` options, `prox.groupLasso(...).apply` and `engine.optim.multiTask`.
 */
import { project, prox } from '../structure/index.js';
import { atLeast, atMost, type Experiment, result } from './types.js';
import { dot, fmt, gaussian, norm, stream } from './util.js';

export const groupLasso: Experiment = {
  name: 'group-lasso-support',
  title: 'The group-lasso prox zeroes whole groups; proximal GD finds the support',
  claim: 'The group-lasso proximal step sets every group whose norm is at most ηλ exactly to zero and shrinks the others by (1 − ηλ/‖x_g‖), and proximal gradient descent with it recovers the support of a group-sparse regression.',
  source: 'Yuan & Lin, JRSS B 68 (2006); Parikh & Boyd, "Proximal Algorithms" (2014), §6.5.4; Beck & Teboulle, SIAM J. Imaging Sci. 2 (2009) (ISTA)',
  params: {
    groups: { default: 12, min: 2, max: 200, integer: true, help: 'groups of 4 coefficients' },
    active: { default: 3, min: 1, max: 200, integer: true, help: 'groups with non-zero true coefficients' },
    lambda: { default: 0.1, min: 0, max: 10, help: 'λ' },
    steps: { default: 500, min: 50, max: 20000, integer: true, help: 'proximal GD steps' },
  },
  small: { steps: 300 },
  stochastic: true,
  counter: { params: { lambda: 0 }, why: 'λ = 0 is plain least squares: no group becomes zero' },
  run(engine, p, seed) {
    const s = 4, d = p.groups * s, m = 3 * d;
    const r = stream(seed, 19);
    const groups = Array.from({ length: p.groups }, (_, g) => Array.from({ length: s }, (_, j) => g * s + j));
    // 1. one prox step on a random vector against the formula
    const v = gaussian(r, d, 1, 0.5);
    const t = engine.tensor([d], v);
    const eta = 0.7;
    prox.groupLasso(p.lambda, { groups }).apply(t, eta);
    let formulaErr = 0, partial = 0;
    for (const g of groups) {
      const ng = Math.sqrt(g.reduce((a, i) => a + v[i] * v[i], 0));
      const f = ng <= eta * p.lambda ? 0 : 1 - (eta * p.lambda) / ng;
      const zeros = g.filter((i) => t.data[i] === 0).length;
      if (zeros > 0 && zeros < s) partial++;
      for (const i of g) formulaErr = Math.max(formulaErr, Math.abs(t.data[i] - f * v[i]));
    }
    // 2. proximal GD on ½‖Xw − y‖²/m + λΣ‖w_g‖ (sgd with the prox option, lr 1/L)
    const X = gaussian(r, m, d);
    const wTrue = new Float64Array(d);
    for (let g = 0; g < Math.min(p.active, p.groups); g++) for (const i of groups[g]) wTrue[i] = (r.uniform() < 0.5 ? -1 : 1) * (0.5 + r.uniform());
    const y = Array.from({ length: m }, (_, i) => dot(X.subarray(i * d, (i + 1) * d), wTrue) + 0.1 * r.normal());
    const w = engine.vector(d);
    let L = 0; // ‖X‖²/m bound by the Frobenius norm
    for (const x of X) L += (x * x) / m;
    const lr = 1 / Math.min(L, 4 * (1 + Math.sqrt(d / m)) ** 2);
    const opt = engine.optim.sgd(w, { lr, prox: prox.groupLasso(p.lambda, { groups }) });
    const res = new Float64Array(m), curve: number[] = [];
    for (let k = 0; k < p.steps; k++) {
      for (let i = 0; i < m; i++) res[i] = dot(X.subarray(i * d, (i + 1) * d), w.params) - y[i];
      curve.push(0.5 * dot(res, res) / m + p.lambda * groups.reduce((a, g) => a + Math.sqrt(g.reduce((b, i) => b + w.params[i] ** 2, 0)), 0));
      w.grads.fill(0);
      for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) w.grads[j] += (res[i] * X[i * d + j]) / m;
      opt.step();
    }
    let wrong = 0, zeroGroups = 0;
    groups.forEach((g, gi) => {
      const zero = g.every((i) => w.params[i] === 0);
      if (zero) zeroGroups++;
      if (zero !== gi >= p.active) wrong++;
    });
    const checks = [
      atMost('one prox step: max |x_i − formula|', formulaErr, 1e-6),
      atMost('one prox step: groups partly zero', partial, 0),
      atMost('proximal GD: groups whose zero/non-zero status is wrong', wrong, 0),
      atLeast('proximal GD: groups exactly zero', zeroGroups, p.groups - p.active),
    ];
    return result(checks, [{ name: 'objective', y: curve }], { xLabel: 'proximal GD step', yLabel: '½‖Xw − y‖²/m + λΣ‖w_g‖', logY: true }, {
      header: ['group', 'true ‖w_g‖', 'found ‖w_g‖'],
      rows: groups.map((g, gi) => [gi, fmt(Math.sqrt(g.reduce((a, i) => a + wTrue[i] ** 2, 0))), fmt(Math.sqrt(g.reduce((a, i) => a + w.params[i] ** 2, 0)))]),
    });
  },
};

export const gridProjection: Experiment = {
  name: 'projected-gd-grid',
  title: 'Projected GD onto a quantization grid (BinaryConnect)',
  claim: 'Projected gradient descent onto a quantization grid in the BinaryConnect form (the gradient at the projected weights updates full-precision weights) trains a model whose weights all lie on the grid, reaching a loss of the order of that of the rounded unconstrained solution; the hard projection after each step stalls once the steps are smaller than half the grid spacing.',
  source: 'Courbariaux, Bengio & David, "BinaryConnect" (NeurIPS 2015); Bertsekas, Nonlinear Programming (2016), §3.3 (projected gradient)',
  params: {
    step: { default: 0.25, min: 0.01, max: 2, help: 'grid spacing (levels from −2 to 2)' },
    lr: { default: 0.3, min: 1e-3, max: 1, help: 'learning rate' },
    steps: { default: 200, min: 10, max: 20000, integer: true, help: 'steps' },
  },
  small: { steps: 100 },
  stochastic: true,
  run(engine, p, seed) {
    const r = stream(seed, 20);
    const d = 8, m = 64;
    const Xd = gaussian(r, m, d), wTrue = gaussian(r, d, 1);
    const X = engine.tensor([m, d], Xd);
    const Yd = Array.from({ length: m }, (_, i) => dot(Xd.subarray(i * d, (i + 1) * d), wTrue));
    const y = engine.tensor([m, 1], Yd);
    const grid = project.grid({ step: p.step, min: -2, max: 2 });
    // quantize: BinaryConnect (the gradient at the on-grid weights moves full-precision weights;
    // the model holds their projection); project: the hard projection after each step
    const train = (mode: 'quantize' | 'project') => {
      const model = engine.nn.linear(d, 1, { bias: false, seed });
      const opt = engine.optim.sgd(model, { lr: p.lr, [mode]: grid });
      const curve: number[] = [];
      for (let k = 0; k < p.steps; k++) {
        curve.push(model.lossAndGrad(X, y, 'mse'));
        opt.step();
      }
      return { model, curve, final: model.lossAndGrad(X, y, 'mse'), w: model.parameters().slice() };
    };
    const hard = train('project');
    hard.model.dispose();
    const { model, curve, final, w } = train('quantize');
    const off = Math.max(...Array.from(w, (v) => Math.abs(v - (-2 + p.step * Math.round((v + 2) / p.step)))));
    // the unconstrained solution is wTrue (noise-free); its rounding to the grid
    const rounded = Array.from(wTrue, (v) => Math.min(2, Math.max(-2, -2 + p.step * Math.round((v + 2) / p.step))));
    model.setParameters(rounded);
    const roundLoss = model.lossAndGrad(X, y, 'mse');
    model.dispose();
    const checks = [
      atMost('max distance of a weight to its nearest grid level', off, 1e-6),
      atMost('final loss / initial loss', final / curve[0], 0.05),
      atMost('final loss: quantize / hard projection', final / Math.max(hard.final, 1e-30), 0.5),
    ];
    return result(
      checks,
      [
        { name: 'projected GD, BinaryConnect (quantize)', y: curve },
        { name: 'hard projection after each step (project)', y: hard.curve },
        { name: 'rounded least squares', y: curve.map(() => roundLoss), dashed: true },
      ],
      { xLabel: 'step', yLabel: 'mse', logY: true },
      {
        header: ['weight', 'quantize (on the grid)', 'project (on the grid)', 'unconstrained'],
        rows: Array.from(w, (v, i) => [i, fmt(v), fmt(hard.w[i]), fmt(wTrue[i])]).concat([['final mse', fmt(final), fmt(hard.final), '0']]),
      },
    );
  },
};

export const pcgrad: Experiment = {
  name: 'pcgrad-conflicts',
  title: 'PCGrad removes conflicting components; both task losses fall',
  claim: "PCGrad's combined gradient has a non-negative inner product with every task gradient, so a step along it does not raise any task's loss to first order, and on two conflicting tasks of unequal scale both losses fall, where the plain sum sacrifices the smaller task.",
  source: 'Yu, Kumar, Gupta, Levine, Hausman & Finn, "Gradient Surgery for Multi-Task Learning" (NeurIPS 2020), §3 and Theorem 1',
  params: {
    method: { default: 1, min: 0, max: 1, integer: true, help: '1: PCGrad; 0: the plain sum' },
    ratio: { default: 10, min: 1, max: 1000, help: 'scale of task 1 over task 2' },
    steps: { default: 200, min: 10, max: 10000, integer: true, help: 'steps' },
  },
  small: { steps: 100 },
  counter: { params: { method: 0 }, why: 'the plain sum follows the large task and raises the small one' },
  run(engine, p) {
    // a linear model w ∈ R²; task i: mse of x·w against targets of its own w_i, from (0.2, 0.2), off the Pareto set
    const model = engine.nn.linear(2, 1, { bias: false });
    model.setParameters([0.2, 0.2]);
    const mk = (wt: number[], scale: number, salt: number) => {
      const r = stream(0, salt);
      const Xd = gaussian(r, 16, 2, scale);
      return { x: engine.tensor([16, 2], Xd), y: engine.tensor([16, 1], Array.from({ length: 16 }, (_, i) => Xd[2 * i] * wt[0] + Xd[2 * i + 1] * wt[1])) };
    };
    const t1 = { ...mk([0, 1], Math.sqrt(p.ratio), 211), loss: 'mse' }, t2 = { ...mk([1, 0], 1, 212), loss: 'mse' };
    const opt = engine.optim.sgd(model, { lr: 0.02 / p.ratio });
    const mt = engine.optim.multiTask(model, opt, { method: p.method ? 'pcgrad' : 'sum' });
    const l1: number[] = [], l2: number[] = [];
    let worst = Infinity, conflicts = 0;
    for (let k = 0; k < p.steps; k++) {
      model.lossAndGrad(t1.x, t1.y, 'mse');
      const g1 = Float64Array.from(model.gradients());
      model.lossAndGrad(t2.x, t2.y, 'mse');
      const g2 = Float64Array.from(model.gradients());
      const rep = mt.step([t1, t2]);
      conflicts += rep.conflicts;
      const out = model.gradients();
      worst = Math.min(worst, dot(out, g1) / (norm(out) * norm(g1) + 1e-30), dot(out, g2) / (norm(out) * norm(g2) + 1e-30));
      l1.push(rep.losses[0]);
      l2.push(rep.losses[1]);
    }
    model.dispose();
    const checks = [
      atLeast('steps whose task gradients conflict (cos < 0)', conflicts, 1),
      atLeast('min over steps and tasks of cos(combined, task gradient)', worst, -1e-6),
      atMost('task 1: final / initial loss', l1[l1.length - 1] / l1[0], 0.99),
      atMost('task 2: final / initial loss', l2[l2.length - 1] / l2[0], 0.99),
    ];
    return result(checks, [{ name: 'task 1 (large)', y: l1 }, { name: 'task 2 (small)', y: l2 }], { xLabel: 'step', yLabel: 'task loss', logY: true }, {
      header: ['task', 'initial loss', 'final loss'],
      rows: [['1', fmt(l1[0]), fmt(l1[l1.length - 1])], ['2', fmt(l2[0]), fmt(l2[l2.length - 1])]],
    });
  },
};
