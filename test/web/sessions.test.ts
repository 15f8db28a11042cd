// The playground's worker-side logic in Node (no browser): the Train session
// learns spirals with the default settings, carries a run across builds, and
// the Race racers are the library's optimizers on the landscapes' exact
// gradients; the URL hash round-trips the settings.
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, init } from '../../src/index.js';
import { LANDSCAPES, RACERS, defaultLr, type RaceConfig } from '../../src/web/landscapes.js';
import { OPTIMIZERS, defaultHypers, mlpParameters } from '../../src/web/options.js';
import { RaceSession } from '../../src/web/race-session.js';
import { decodeHash, defaultSettings, encodeHash, parseHidden } from '../../src/web/settings.js';
import { fromCsv, generate, prepare, SettingsRefused, TrainSession } from '../../src/web/train-session.js';

describe('Train session', () => {
  it('learns spirals with the default settings (held-out accuracy > 90 %)', async () => {
    const engine = await init();
    const s = defaultSettings();
    const t = new TrainSession(engine, s, prepare(generate(s), s));
    const first = t.evaluate();
    for (let i = 0; i < 2000; i++) t.step();
    const last = t.evaluate();
    expect(last.trainLoss).toBeLessThan(first.trainLoss / 5);
    expect(last.testAccuracy).toBeGreaterThan(0.9);
    expect(t.norms().map((n) => n.name)).toEqual(['0.weight', '2.weight', '4.weight']);
    const b = t.boundary();
    expect(b.probs.length).toBe(b.nx * b.ny * 3);
    t.dispose();
  });

  it('continues a run on another build (state moved, same trajectory up to rounding)', async () => {
    const simd = await init({ relaxedSimd: false });
    const scalar = await init({ simd: false });
    const s = { ...defaultSettings(), dropout: 0.1, optimizer: 'langevin', hypers: defaultHypers('langevin') };
    const data = prepare(generate(s), s);
    const a = new TrainSession(simd, s, data);
    let b = new TrainSession(simd, s, data);
    for (let i = 0; i < 30; i++) { a.step(); b.step(); }
    b = b.moveTo(scalar);
    expect(b.engine).toBe(scalar);
    for (let i = 0; i < 30; i++) { a.step(); b.step(); }
    const pa = a.model.parameters(), pb = b.model.parameters();
    let worst = 0;
    for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i] - pb[i]));
    expect(worst).toBeLessThan(1e-3);
    expect(b.steps).toBe(60);
    a.dispose(); b.dispose();
  });

  it('builds every optimizer of the form with its default hyperparameters, fused and chained', async () => {
    const engine = await init();
    for (const name of Object.keys(OPTIMIZERS)) {
      const { closure, batch } = OPTIMIZERS[name];
      for (const fused of closure || batch ? [true] : [true, false]) {
        // Newton on a small network, for a few full-batch steps (each forms the dense Hessian)
        const s = { ...defaultSettings(), optimizer: name, hypers: defaultHypers(name), fused, schedule: 'warmupCosine' as const, l2: 1e-4, clip: 1, ...(batch ? { hidden: [8, 8] } : {}) };
        const t = new TrainSession(engine, s, prepare(generate(s), s));
        const first = t.evaluate();
        for (let i = 0; i < (batch ? 5 : 200); i++) t.step();
        expect(t.evaluate().trainLoss, `${name} fused=${fused}`).toBeLessThan(first.trainLoss);
        t.dispose();
      }
    }
  });

  it('L-BFGS: one step(closure) per full batch, the first evaluation reused; continues on another build', async () => {
    const simd = await init({ relaxedSimd: false });
    const scalar = await init({ simd: false });
    const s = { ...defaultSettings(), dataset: 'moons' as const, hidden: [16], activation: 'tanh' as const, optimizer: 'lbfgs', hypers: defaultHypers('lbfgs'), clip: 1 };
    const data = prepare(generate(s), s);
    const t = new TrainSession(simd, s, data);
    expect([t.closure, t.burst]).toEqual([true, 1]);
    const first = t.evaluate();
    t.step();
    // one step = one epoch (the full batch); the closure ran at most maxEval = 25 times, the first for free
    expect([t.steps, t.epoch]).toEqual([1, 1]);
    const lb = t.optimizer as unknown as { scalars(): { funcEvals: number; nIter: number } };
    expect(lb.scalars().funcEvals).toBeLessThanOrEqual(25);
    expect(lb.scalars().nIter).toBeGreaterThan(1);
    for (let i = 0; i < 9; i++) t.step();
    const last = t.evaluate();
    expect(last.trainLoss).toBeLessThan(first.trainLoss / 3);
    expect(last.testAccuracy).toBeGreaterThan(0.95);
    // the same run continued on the scalar build: the history pairs move with the parameters
    const a = new TrainSession(simd, s, data);
    let b = new TrainSession(simd, s, data);
    for (let i = 0; i < 3; i++) { a.step(); b.step(); }
    b = b.moveTo(scalar);
    a.step(); b.step();
    expect(Math.abs(a.evaluate().trainLoss - b.evaluate().trainLoss)).toBeLessThan(1e-4);
    // fixed steps (no line search) and mini-batches: one step per batch
    const m = { ...s, batchSize: 50, hypers: { ...defaultHypers('lbfgs'), lr: 0.1, maxIter: 5, lineSearch: false, fullBatch: false } };
    const u = new TrainSession(simd, m, data);
    const u0 = u.evaluate().trainLoss;
    for (let i = 0; i < 20; i++) u.step();
    expect(u.epoch).toBe(2);
    expect(u.evaluate().trainLoss).toBeLessThan(u0);
    for (const x of [t, a, b, u]) x.dispose();
  });
});

describe('Newton in the Train session', () => {
  it('one step(x, y, loss) per full batch: moons > 95 % in 10 steps; continues on another build with its damping', async () => {
    const simd = await init({ relaxedSimd: false });
    const scalar = await init({ simd: false });
    const s = { ...defaultSettings(), dataset: 'moons' as const, hidden: [8], activation: 'tanh' as const, optimizer: 'newton', hypers: defaultHypers('newton'), clip: 1, l2: 0.01 };
    const data = prepare(generate(s), s);
    const t = new TrainSession(simd, s, data);
    expect([t.batch, t.closure, t.burst, t.model.numParameters]).toEqual([true, false, 1, mlpParameters([8], 2)]);
    const first = t.evaluate();
    const f0 = t.step();
    expect(f0).toBeCloseTo(first.trainLoss, 5); // the loss before the step, on the whole training set (no L2 term)
    expect([t.steps, t.epoch]).toEqual([1, 1]);
    const nt = t.optimizer as unknown as { last: { accepted: boolean } | null; damping: number };
    expect(nt.last?.accepted).toBe(true);
    for (let i = 0; i < 9; i++) t.step();
    const last = t.evaluate();
    expect(last.trainLoss).toBeLessThan(first.trainLoss / 3);
    expect(last.testAccuracy).toBeGreaterThan(0.95);
    // the exports: the checkpoint carries Newton's state (λ), the SVG its name
    const ck = t.checkpoint();
    expect(decodeCheckpoint(ck.weights, ck.sidecar).tensors.map((x) => x.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(ck.sidecar).toContain('"newton"');
    expect(t.lossSvg()).toContain('newton');
    // moved to the scalar build: parameters and λ carry over, the next step agrees up to rounding
    const a = new TrainSession(simd, s, data);
    let b = new TrainSession(simd, s, data);
    for (let i = 0; i < 3; i++) { a.step(); b.step(); }
    b = b.moveTo(scalar);
    expect((b.optimizer as unknown as { damping: number }).damping).toBe((a.optimizer as unknown as { damping: number }).damping);
    a.step(); b.step();
    expect(Math.abs(a.evaluate().trainLoss - b.evaluate().trainLoss)).toBeLessThan(1e-4);
    // "full batch" off: one step per mini-batch
    const m = { ...s, batchSize: 100, hypers: { ...defaultHypers('newton'), fullBatch: false } };
    const u = new TrainSession(simd, m, data);
    for (let i = 0; i < 5; i++) u.step();
    expect(u.epoch).toBe(1);
    for (const x of [t, a, b, u]) x.dispose();
  });

  it('refuses a network over "max parameters" with a message naming its size', async () => {
    const engine = await init();
    const s = { ...defaultSettings(), hidden: [64, 64], optimizer: 'newton', hypers: defaultHypers('newton') };
    const data = prepare(generate(s), s);
    expect(() => new TrainSession(engine, s, data)).toThrow(SettingsRefused);
    expect(() => new TrainSession(engine, s, data)).toThrow('MLP 2-64-64-3 has 4,547 parameters, more than the 2,048 of "max parameters"');
    // the limit is the form's: lowered, the default network is refused too; the default network fits the default
    expect(() => new TrainSession(engine, { ...s, hidden: [32, 32], hypers: { ...s.hypers, maxParameters: 1000 } }, data)).toThrow('1,251 parameters, more than the 1,000');
    expect(mlpParameters([32, 32], 3)).toBe(1251);
  });
});

describe('CSV data', () => {
  it('reads two features and a class label; refuses another width, naming the file', async () => {
    const d = fromCsv('x,y,c\n0,1,0\n1,0,1\n0.5,0.5,1\n', 'pts.csv');
    expect([d.length, d.numFeatures, d.numClasses]).toEqual([3, 2, 2]);
    expect(() => fromCsv('1,2,3,0\n', 'wide.csv')).toThrow('wide.csv: the playground plots 2 features, the file has 3');
    expect(() => fromCsv('1,2,0\n2,x,1\n', 'bad.csv')).toThrow(/bad\.csv: line 2/);
  });
});

describe('Race session', () => {
  const params = { kappa: 20, angle: 30, sigma: 1 };
  const config = (landscape: string): RaceConfig => ({
    landscape, params, start: LANDSCAPES[landscape].start, steps: 500, seed: 0,
    racers: Object.keys(RACERS).map((name) => ({ name, lr: defaultLr(name, LANDSCAPES[landscape], params), extra: RACERS[name].extra?.value ?? 0 })),
  });

  it('the gradients are exact (central differences)', () => {
    const g = new Float64Array(2);
    for (const [name, land] of Object.entries(LANDSCAPES)) {
      for (const [x, y] of [[0.3, -0.7], [1.1, 0.4], [-1.2, 1.3]]) {
        land.grad(x, y, params, g);
        const h = 1e-6;
        const fx = (land.f(x + h, y, params) - land.f(x - h, y, params)) / (2 * h);
        const fy = (land.f(x, y + h, params) - land.f(x, y - h, params)) / (2 * h);
        expect(Math.abs(g[0] - fx), `${name} ∂x at ${x},${y}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(fx)));
        expect(Math.abs(g[1] - fy), `${name} ∂y at ${x},${y}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(fy)));
      }
      expect(land.f(land.start[0], land.start[1], params)).toBeGreaterThan(land.fMin);
      // the Hessian (for Newton): central differences of the gradient
      const [x, y] = [0.4, -0.6], h = 1e-5, H = new Float64Array(4), gp = new Float64Array(2), gm = new Float64Array(2);
      land.hess(x, y, params, H);
      land.grad(x + h, y, params, gp); land.grad(x - h, y, params, gm);
      const col0 = [(gp[0] - gm[0]) / (2 * h), (gp[1] - gm[1]) / (2 * h)];
      land.grad(x, y + h, params, gp); land.grad(x, y - h, params, gm);
      const col1 = [(gp[0] - gm[0]) / (2 * h), (gp[1] - gm[1]) / (2 * h)];
      [col0[0], col1[0], col0[1], col1[1]].forEach((v, i) => expect(Math.abs(H[i] - v), `${name} H[${i}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    }
  });

  it('every racer moves downhill on every landscape with its default lr', async () => {
    const engine = await init();
    for (const landscape of Object.keys(LANDSCAPES)) {
      const r = new RaceSession(engine, config(landscape));
      const g0 = r.first().paths[0].gap[0];
      let last = new Map<string, number>();
      while (r.step < 500) for (const p of r.advance(50).paths) if (p.gap.length > 0) last.set(p.name, p.gap.at(-1)!);
      for (const name of Object.keys(RACERS)) {
        if (RACERS[name].solver && LANDSCAPES[landscape].noisy) expect(last.has(name), `${name} is not raced on ${landscape}`).toBe(false);
        else expect(last.get(name), `${name} on ${landscape}`).toBeLessThan(g0);
      }
      r.dispose();
    }
  });

  it('Adam on Rosenbrock ends closer to (1, 1) than its start', async () => {
    const engine = await init();
    const r = new RaceSession(engine, { ...config('rosenbrock'), racers: [{ name: 'adam', lr: defaultLr('adam', LANDSCAPES.rosenbrock, params), extra: 0 }] });
    let xy: number[] = [];
    while (r.step < 500) xy = r.advance(100).paths[0].xy;
    const [sx, sy] = LANDSCAPES.rosenbrock.start;
    const [x, y] = xy.slice(-2);
    expect(Math.hypot(x - 1, y - 1)).toBeLessThan(Math.hypot(sx - 1, sy - 1) / 4);
    r.dispose();
  });
});

it('L-BFGS and Newton (engine.minimize) reach the minimum of Rosenbrock, Newton in fewer iterations', async () => {
  const engine = await init();
  const params = { kappa: 1, angle: 0, sigma: 0 };
  const r = new RaceSession(engine, { landscape: 'rosenbrock', params, start: [-1.5, 2.5], steps: 500, seed: 0, racers: [{ name: 'lbfgs', lr: 0, extra: 0 }, { name: 'newton', lr: 0, extra: 0 }] });
  const xy = new Map<string, number[]>();
  while (r.step < 500) for (const p of r.advance(100).paths) xy.set(p.name, [...(xy.get(p.name) ?? []), ...p.xy]);
  for (const name of ['lbfgs', 'newton']) {
    const [x, y] = xy.get(name)!.slice(-2);
    expect(Math.hypot(x - 1, y - 1), name).toBeLessThan(1e-4);
  }
  expect(xy.get('newton')!.length).toBeLessThan(xy.get('lbfgs')!.length);
  r.dispose();
});

describe('settings in the URL hash', () => {
  it('round-trips and ignores bad values', () => {
    const s = { ...defaultSettings(), dataset: 'moons' as const, hidden: [8, 4], optimizer: 'rmsprop', hypers: { ...defaultHypers('rmsprop'), lr: 0.003, centered: true }, l2: 0.001 };
    const back = decodeHash('#' + encodeHash('train', s));
    expect(back.view).toBe('train');
    expect(back.settings).toEqual(s);
    const bad = decodeHash('#data=nope&n=-5&hidden=0,3&opt=zzz&h.lr=abc');
    expect(bad.settings).toEqual(defaultSettings());
    // L-BFGS's switches and integer hyperparameters: a fractional history size keeps its default
    const l = decodeHash('#opt=lbfgs&h.lineSearch=false&h.maxIter=7&h.historySize=2.5');
    expect(l.settings.hypers).toEqual({ ...defaultHypers('lbfgs'), lineSearch: false, maxIter: 7 });
    // Newton: a damping and a max above the page's 2048 (kept at its default)
    const n = decodeHash('#opt=newton&h.damping=0.1&h.maxParameters=5000&h.fullBatch=false');
    expect(n.settings.hypers).toEqual({ ...defaultHypers('newton'), damping: 0.1, fullBatch: false });
    expect(parseHidden('16, 16')).toEqual([16, 16]);
    expect(parseHidden('300')).toBeNull();
  });
});
