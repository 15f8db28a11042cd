// Hyperparameters as schedules inside an optimizer: SGD's momentum and Adam/AdamW's betas[0]
// follow a function of the step (oneCycle-style cycling), against f64 loops, with exact resume.
import { describe, expect, it } from 'vitest';
import { StateError, ValueError } from '../src/index.js';
import { BUILDS, engineFor, expectClose, randArray } from './helpers.js';
import { bare, gradAt, make, run } from './optim-helpers.js';

describe('SGD momentum as a schedule (oneCycle-style momentum cycling)', () => {
  const mu = (t: number): number => 0.95 - 0.1 * Math.min(t, 10) / 10; // 0.95 -> 0.85 then constant
  for (const build of BUILDS) {
    for (const fused of [true, false]) {
      it(`${build} ${fused ? 'fused' : 'chain'}: matches an f64 loop with mu_t; save/load mid-run equals not stopping`, async () => {
        const e = await engineFor(build);
        const n = 37, lr = 0.05, p0 = randArray(n, 21);
        // f64 reference: buf = g (t = 0) | mu_t*buf + g; p -= lr*buf
        const ref = Float64Array.from(p0), buf = new Float64Array(n);
        for (let t = 0; t < 20; t++) {
          const g = gradAt(n, t);
          for (let i = 0; i < n; i++) {
            buf[i] = t === 0 ? g[i] : mu(t) * buf[i] + g[i];
            ref[i] -= lr * buf[i];
          }
        }
        const whole = run(e, 'sgd', { lr, momentum: mu }, p0, 20, fused).p;
        expectClose(`sgd momentum schedule ${fused ? 'fused' : 'chain'}`, whole, ref, { rtol: 2e-5, atol: 2e-6 });
        const first = run(e, 'sgd', { lr, momentum: mu }, p0, 10, fused);
        const st = first.op.state();
        expect(st.groups[0].momentum).toBe(null);
        const m2 = bare(e, n, first.p);
        const op2 = make(e, 'sgd', m2, { lr, momentum: mu, fused });
        op2.loadState(st);
        const resumed = run(e, 'sgd', {}, p0, 10, fused, 10, op2, m2).p;
        expect(Array.from(resumed)).toEqual(Array.from(whole));
        // a numeric-momentum state does not load into a scheduled-momentum optimizer
        const op3 = make(e, 'sgd', bare(e, n, p0), { lr, momentum: 0.9, fused });
        expect(() => op2.loadState(op3.state())).toThrow(StateError);
      });
    }
    it(`${build}: a momentum schedule value outside [0, 1) throws at that step and changes nothing`, async () => {
      const e = await engineFor(build);
      for (const fused of [true, false]) {
        const n = 9, p0 = randArray(n, 3);
        const m = bare(e, n, p0);
        const op = make(e, 'sgd', m, { lr: 0.1, momentum: (t: number) => (t < 2 ? 0.9 : 1), nesterov: true, fused });
        m.grads().set(gradAt(n, 0));
        op.step();
        op.step();
        const before = m.params().slice(), st = op.state();
        expect(() => op.step()).toThrow(ValueError);
        expect(() => op.step()).toThrow(/sgd: the momentum schedule returned 1 at step 2; expected a number in \[0, 1\)/);
        expect(Array.from(m.params())).toEqual(Array.from(before));
        expect(op.stepCount).toBe(2);
        expect(op.state().groups[0].buffers).toEqual(st.groups[0].buffers);
        expect(JSON.stringify(op.state().groups[0].chain ?? null)).toBe(JSON.stringify(st.groups[0].chain ?? null));
      }
    });
  }
});

describe('Adam / AdamW betas[0] as a schedule (beta1 cycling)', () => {
  const b1At = (t: number): number => 0.95 - 0.1 * Math.min(t, 10) / 10;
  for (const build of BUILDS) {
    for (const name of ['adam', 'adamw'] as const) {
      for (const fused of [true, false]) {
        it(`${build} ${name} ${fused ? 'fused' : 'chain'}: matches an f64 loop with beta1_t (torch reads betas each step); save/load resumes`, async () => {
          const e = await engineFor(build);
          const n = 29, lr = 0.01, b2 = 0.99, eps = 1e-8, wd = name === 'adamw' ? 0.1 : 0.05, p0 = randArray(n, 8);
          const ref = Float64Array.from(p0), m = new Float64Array(n), v = new Float64Array(n);
          for (let s = 0; s < 20; s++) {
            const g = gradAt(n, s), b1 = b1At(s), t = s + 1;
            for (let i = 0; i < n; i++) {
              const d = name === 'adam' ? g[i] + wd * ref[i] : g[i];
              if (name === 'adamw') ref[i] *= 1 - lr * wd;
              m[i] = b1 * m[i] + (1 - b1) * d;
              v[i] = b2 * v[i] + (1 - b2) * d * d;
              ref[i] -= (lr / (1 - b1 ** t)) * (m[i] / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps));
            }
          }
          const o = { lr, betas: [b1At, b2], eps, weightDecay: wd };
          const whole = run(e, name, o, p0, 20, fused).p;
          expectClose(`${name} beta1 schedule ${fused ? 'fused' : 'chain'}`, whole, ref, { rtol: 2e-5, atol: 2e-6 });
          const first = run(e, name, o, p0, 10, fused);
          const st = first.op.state();
          expect(st.groups[0].momentum).toBe(null);
          const mdl = bare(e, n, first.p);
          const op2 = make(e, name, mdl, { ...o, fused });
          op2.loadState(st);
          expect(Array.from(run(e, name, {}, p0, 10, fused, 10, op2, mdl).p)).toEqual(Array.from(whole));
        });
      }
    }
    it(`${build}: a beta1 schedule value outside [0, 1) throws at that step and changes nothing`, async () => {
      const e = await engineFor(build);
      for (const fused of [true, false]) {
        const n = 9, p0 = randArray(n, 4);
        const mdl = bare(e, n, p0);
        const op = make(e, 'adam', mdl, { lr: 0.1, betas: [(t: number) => (t < 1 ? 0.9 : -0.1), 0.999], fused });
        mdl.grads().set(gradAt(n, 0));
        op.step();
        const before = mdl.params().slice(), st = op.state();
        expect(() => op.step()).toThrow(/adam: the betas\[0\] schedule returned -0.1 at step 1; expected a number in \[0, 1\)/);
        expect(Array.from(mdl.params())).toEqual(Array.from(before));
        expect(op.stepCount).toBe(1);
        expect(JSON.stringify(op.state().groups[0].chain ?? null)).toBe(JSON.stringify(st.groups[0].chain ?? null));
      }
      expect(() => make(e, 'adam', bare(e, 3, randArray(3, 1)), { betas: [() => 0.9, 1] })).toThrow(/betas\[1\] must be in \[0, 1\), got 1/);
    });
  }
});
