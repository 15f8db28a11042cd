// Data-parallel training steps (src/nn/data-parallel.ts, docs/threads.md): the batch cut
// into shards over the threads. ReLU MLPs (the panel backward, nn/panel-backward.ts): the
// gradients and whole trajectories equal one thread's to the last bit, whatever the cut of
// rows and panels. Other models (tanh: shards and a reduction in a fixed order), against
// one thread (the plain SIMD build): the first loss and the dropout masks to the last bit,
// the gradients and a 12-step SGD trajectory within the stated tolerance; the same bits run to run for a
// given thread count (Adam, dropout); the mean over the whole batch (uneven shards); the
// 'auto' rule; no allocation per step; abort and dispose leave no worker running.
import { describe, expect, it, vi } from 'vitest';
import { fit, spirals, ValueError, type Engine } from '../src/index.js';
import { autoMode, DP_MIN_ROWS, DP_MIN_ROWS_COLUMNS, SOLO_MAX_FLOPS } from '../src/nn/parallel-mode.js';
import { FIRST_COLUMNS_MAX_ROWS } from '../src/nn/first-columns.js';
import { SplitShare } from '../src/runtime/gemm-threads.js';
import { disposedAfterAll, relErr, rng } from './helpers.js';

const make = disposedAfterAll();

const one = make({ simd: true, relaxedSimd: false });
const two = make({ threads: 2, relaxedSimd: false });
const three = make({ threads: 3, relaxedSimd: false });

type Model = ReturnType<Engine['nn']['mlp']>;
const SIZES = [100, 64, 48, 10];

function data(n: number, seed: number) {
  const r = rng(seed);
  return {
    x: Float32Array.from({ length: n * SIZES[0] }, () => 2 * r() - 1),
    y: Int32Array.from({ length: n }, () => Math.floor(r() * 10)),
    t: Float32Array.from({ length: n * 10 }, () => r()),
  };
}

function model(e: Engine, mode: 'auto' | 'gemm' | 'data', dropout = 0, activation: 'relu' | 'tanh' = 'relu'): Model {
  const m = e.nn.mlp(SIZES, { activation, dropout, seed: 5 });
  m.setParameters(Float32Array.from({ length: m.numParameters }, (_, i) => Math.sin(i * 0.7) * 0.15));
  m.parallel = mode;
  return m;
}

/** Stated tolerance of a data-parallel gradient against one thread: max|Δg| ≤ 1e-5 · max|g| (f32 sums of ≤ 100 rows in another order). */
const GRAD_TOL = 1e-5;

describe('data-parallel lossAndGrad', () => {
  it('first loss bit-identical to one thread; ReLU: gradients too, tanh: within 1e-5 of max|g|; mean over the whole batch (uneven shards)', async () => {
    const ref = await one;
    for (const e of [await two, await three]) {
      for (const n of [16, 37, 64, 100]) {
        // softmax cross-entropy runs on each shard (RowwiseLoss), with class ids or probabilities; mse on the calling thread
        for (const [loss, act] of [['softmaxCrossEntropy', 'relu'], ['mse', 'relu'], ['xentProbs', 'relu'], ['softmaxCrossEntropy', 'tanh'], ['mse', 'tanh'], ['xentProbs', 'tanh']] as const) {
          const d = data(n, n);
          const got: { loss: number; g: Float32Array }[] = [];
          for (const [eng, mode] of [[ref, 'gemm'], [e, 'data']] as const) {
            const m = model(eng, mode, 0, act);
            const x = eng.tensor([n, SIZES[0]], d.x);
            const y = loss === 'softmaxCrossEntropy' ? d.y : eng.tensor([n, 10], d.t);
            const entry = loss === 'xentProbs' ? eng.loss.softmaxCrossEntropy({ labelSmoothing: 0.1, reduction: 'sum' }) : loss;
            got.push({ loss: m.lossAndGrad(x, y, entry), g: m.gradients() });
            m.dispose();
          }
          const what = `${e.threads.count} threads, n=${n}, ${loss}, ${act}`;
          expect(Object.is(got[1].loss, got[0].loss), `${what}: loss ${got[1].loss} vs ${got[0].loss}`).toBe(true);
          if (act === 'relu') expect(got[1].g, what).toEqual(got[0].g);
          else expect(relErr(got[1].g, got[0].g), what).toBeLessThanOrEqual(GRAD_TOL);
        }
      }
    }
  });

  it("ReLU: one thread's gradient bits whatever the 2-thread cut of rows and panels (the shares adapt to the threads' speeds)", async () => {
    const ref = await one, e = await two;
    const n = 100, d = data(n, 11);
    const m0 = model(ref, 'gemm');
    const want = (m0.lossAndGrad(ref.tensor([n, SIZES[0]], d.x), d.y, 'softmaxCrossEntropy'), m0.gradients());
    const m = model(e, 'data');
    const x = e.tensor([n, SIZES[0]], d.x);
    m.lossAndGrad(x, d.y, 'softmaxCrossEntropy');
    // the step's SplitShare (nn/data-parallel.ts): the calling thread's share of each phase
    const share = (m as unknown as { shards: { dp: { share: { share: Float64Array } } } }).shards.dp.share.share;
    for (const s of [0.3, 0.45, 0.55, 0.7]) {
      share.fill(s);
      expect(m.lossAndGrad(x, d.y, 'softmaxCrossEntropy')).toBe(m0.lossAndGrad(ref.tensor([n, SIZES[0]], d.x), d.y, 'softmaxCrossEntropy'));
      expect(m.gradients(), `share ${s}`).toEqual(want);
    }
    m.dispose();
    m0.dispose();
  });

  it('dropout: the masks and RNG state are one thread\'s, so the loss is too, and the gradients (ReLU)', async () => {
    const ref = await one, e = await two;
    const n = 96, d = data(n, 7);
    const out: { loss: number[]; g: Float32Array; rng: Uint32Array }[] = [];
    for (const [eng, mode] of [[ref, 'gemm'], [e, 'data']] as const) {
      const m = model(eng, mode, 0.3);
      const x = eng.tensor([n, SIZES[0]], d.x);
      const loss = [m.lossAndGrad(x, d.y, 'softmaxCrossEntropy'), m.lossAndGrad(x, d.y, 'softmaxCrossEntropy')];
      out.push({ loss, g: m.gradients(), rng: m.rngState() });
      m.dispose();
    }
    expect(out[1].loss).toEqual(out[0].loss);
    expect(out[1].rng).toEqual(out[0].rng);
    expect(out[1].g).toEqual(out[0].g);
  });

  it('after 12 SGD steps: ReLU parameters and losses are one thread\'s bits, tanh within 1e-5 relative; Adam repeats its bits run to run', async () => {
    const ref = await one, n = 80, d = data(n, 3);
    const sgd = async (eng: Engine, mode: 'gemm' | 'data', act: 'relu' | 'tanh' = 'tanh') => {
      const m = model(eng, mode, 0, act);
      const opt = eng.optim.sgd(m, { lr: 0.1, momentum: 0.9 });
      const x = eng.tensor([n, SIZES[0]], d.x);
      const losses: number[] = [];
      for (let s = 0; s < 12; s++) {
        losses.push(m.lossAndGrad(x, d.y, 'softmaxCrossEntropy'));
        opt.step();
      }
      const p = m.parameters();
      m.dispose();
      opt.dispose();
      return { losses, p };
    };
    const base = await sgd(ref, 'gemm'), baseRelu = await sgd(ref, 'gemm', 'relu');
    for (const e of [await two, await three]) {
      const relu = await sgd(e, 'data', 'relu');
      expect(relu.losses).toEqual(baseRelu.losses);
      expect(relu.p).toEqual(baseRelu.p);
      const r = await sgd(e, 'data');
      expect(relErr(r.p, base.p), `${e.threads.count} threads: parameters`).toBeLessThanOrEqual(1e-5);
      r.losses.forEach((v, i) => expect(Math.abs(v - base.losses[i]) / base.losses[i], `step ${i}`).toBeLessThanOrEqual(1e-5));
    }
    // ReLU with Adam: the optimizer's split cuts where the worker's rows of W₁ start (split-threads.ts, SplitHint), one thread's bits
    const adamRelu = (eng: Engine, mode: 'gemm' | 'data') => {
      const m = model(eng, mode);
      const opt = eng.optim.adam(m, { lr: 1e-2 });
      const x = eng.tensor([n, SIZES[0]], d.x);
      for (let s = 0; s < 6; s++) (m.lossAndGrad(x, d.y, 'softmaxCrossEntropy'), opt.step());
      const cuts = mode === 'data' ? (m as unknown as { shards: { dp: { cols: { cuts: number[] } } } }).shards.dp.cols.cuts.slice() : [];
      const w1 = (m as unknown as { paramsPtr: number }).paramsPtr + 4 * m.parameterRanges()[0].offset;
      return { p: m.parameters(), cuts, hint: (eng as unknown as { splitHint: { cut: number } }).splitHint.cut, want: w1 + 4 * (cuts[1] ?? 0) * SIZES[0] };
    };
    const ar = adamRelu(await two, 'data'), ar1 = adamRelu(ref, 'gemm');
    expect(ar.p).toEqual(ar1.p);
    expect(ar.cuts[1] % 16, `cuts ${ar.cuts}`).toBe(0);
    expect(ar.cuts[1] > 0 && ar.cuts[1] < SIZES[1] && ar.cuts[2] === SIZES[1], `cuts ${ar.cuts}`).toBe(true);
    expect(ar.hint, 'the split hint: the first row of W₁ the worker computes').toBe(ar.want);
    // same thread count, a fresh engine (other workers): the same bits, Adam and dropout included
    const adam = (eng: Engine) => {
      const m = model(eng, 'data', 0.2, 'tanh');
      const opt = eng.optim.adam(m, { lr: 1e-2 });
      const x = eng.tensor([n, SIZES[0]], d.x);
      const losses: number[] = [];
      for (let s = 0; s < 10; s++) {
        losses.push(m.lossAndGrad(x, d.y, 'softmaxCrossEntropy'));
        opt.step();
      }
      return { losses, p: m.parameters() };
    };
    const a = adam(await two), b = adam(await make({ threads: 2, relaxedSimd: false }));
    expect(b.losses).toEqual(a.losses);
    expect(b.p).toEqual(a.p);
  });

  const what0 = (sizes: readonly number[], n: number, how: string) => `${sizes.join('-')} n=${n} (${how})`;
  it("'auto' follows autoMode (calling thread alone, data-parallel or GEMMs split), 'gemm' never shards; one thread's bits when alone; no allocation per step", async () => {
    expect(autoMode(1, 1000, 2)).toBe('solo');
    expect(autoMode(2 * DP_MIN_ROWS, Math.ceil(SOLO_MAX_FLOPS / (6 * 2 * DP_MIN_ROWS)), 2)).toBe('data');
    expect(autoMode(2 * DP_MIN_ROWS - 1, Math.ceil(SOLO_MAX_FLOPS / 6), 2)).toBe('gemm');
    // a model with the panel backward and the first layer's column cut: data-parallel from one row unit per thread
    expect(autoMode(2 * DP_MIN_ROWS_COLUMNS, Math.ceil(SOLO_MAX_FLOPS / 6), 2, true)).toBe('data');
    expect(autoMode(2 * DP_MIN_ROWS_COLUMNS - 1, Math.ceil(SOLO_MAX_FLOPS / 6), 2, true)).toBe('gemm');
    expect(autoMode(2 * DP_MIN_ROWS - 1, Math.ceil(SOLO_MAX_FLOPS / 6), 2, true)).toBe('data');
    const e = await two, ref = await one, runs = vi.spyOn(e.programs!, 'run');
    const seen = new Set<string>();
    // ReLU MLPs have the column cut (cutsFirstByColumns); a tanh MLP does not (shards and a reduction: GEMMs split below 64 rows per thread)
    for (const [sizes, ns, activation] of [[SIZES, [8, 64, 200, 1000], 'relu'], [[784, 256, 128, 10], [16, 32, 64, 128], 'relu'], [[784, 256, 128, 10], [32], 'tanh']] as const) {
      const mk = (eng: Engine, mode: 'auto' | 'gemm') => {
        const m = eng.nn.mlp([...sizes], { activation, seed: 5 });
        m.parallel = mode;
        return m;
      };
      const m = mk(e, 'auto'), m1 = mk(ref, 'gemm');
      for (const n of ns) {
        const how = autoMode(n, m.numParameters, 2, activation === 'relu');
        seen.add(how);
        const r = rng(n), x = Float32Array.from({ length: n * sizes[0] }, () => 2 * r() - 1), y = Int32Array.from({ length: n }, (_, i) => i % 10);
        const xt = e.tensor([n, sizes[0]], x);
        const before = e.arena.usedBytes;
        m.lossAndGrad(xt, y, 'softmaxCrossEntropy');
        const used = e.arena.usedBytes;
        // the first step alone allocates no second gradient buffer (only its plan and programs)
        if (how === 'solo' && n === ns[0]) expect(used - before, `${what0(sizes, n, how)}: first step's allocation`).toBeLessThan(m.numParameters * 4);
        runs.mockClear();
        for (let s = 0; s < 3; s++) m.lossAndGrad(xt, y, 'softmaxCrossEntropy');
        const what = `${sizes.join('-')} n=${n} (${how})`;
        // per step: forward, chain, weights; data-parallel also the first layer's columns (nn/first-columns.ts)
        expect(runs.mock.calls.length, what).toBe(how === 'gemm' ? 0 : how === 'data' && n <= FIRST_COLUMNS_MAX_ROWS ? 12 : 9);
        for (const call of runs.mock.calls) expect(call[1], what).toBe(how === 'solo' ? 1 : 2);
        expect(e.arena.usedBytes, `${what}: arena`).toBe(used);
        if (how !== 'data') {
          m1.lossAndGrad(ref.tensor([n, sizes[0]], x), y, 'softmaxCrossEntropy');
          const g = m.gradients(), g1 = m1.gradients();
          let diff = -1;
          for (let i = 0; i < g.length && diff < 0; i++) if (!Object.is(g[i], g1[i])) diff = i;
          expect(diff, `${what}: one thread's bits (first differing gradient)`).toBe(-1);
        }
        xt.dispose();
      }
      m.dispose();
      m1.dispose();
    }
    expect([...seen].sort()).toEqual(['data', 'gemm', 'solo']);
    const m = model(e, 'gemm');
    runs.mockClear();
    const d = data(128, 1);
    m.lossAndGrad(e.tensor([128, SIZES[0]], d.x), d.y, 'softmaxCrossEntropy');
    expect(runs).not.toHaveBeenCalled();
    expect(() => (m.parallel = 'threads' as never)).toThrow(ValueError);
    expect(() => (m.parallel = 'threads' as never)).toThrow('mlp: parallel must be \'auto\', \'gemm\' or \'data\', got the string "threads"');
    runs.mockRestore();
    m.dispose();
  });
});

describe('data-parallel fit: abort and dispose', () => {
  it('an aborted run resumes to the bits of an uninterrupted one; a timer abort leaves no worker busy; dispose ends the workers', async () => {
    const e = await make({ threads: 2, relaxedSimd: false });
    const ds = spirals({ n: 600, arms: 3, noise: 0.1, seed: 2 });
    const run = async (signal?: AbortSignal, onBatchEnd?: () => void) => {
      const m = e.nn.mlp([2, 64, 64, 3], { seed: 9, dropout: 0.1 });
      const optimizer = e.optim.adam(m, { lr: 0.01 });
      const h = await fit(m, { data: ds, optimizer, epochs: 3, batchSize: 128, seed: 4, signal, callbacks: onBatchEnd ? { onBatchEnd } : undefined });
      return { m, optimizer, h };
    };
    const a = await run();
    const ctl = new AbortController();
    let steps = 0;
    const b = await run(ctl.signal, () => void (++steps === 5 && ctl.abort()));
    expect(b.h.stopReason).toBe('aborted');
    await fit(b.m, { data: ds, optimizer: b.optimizer, epochs: 3, batchSize: 128, seed: 4, resume: b.h.state });
    expect(b.m.parameters()).toEqual(a.m.parameters());
    // abort from a timer while fit runs: it stops between steps, and the workers answer at once
    const c = new AbortController();
    setTimeout(() => c.abort(), 5);
    const r = await run(c.signal);
    expect(['aborted', 'completed']).toContain(r.h.stopReason);
    const d = data(64, 2), m = model(e, 'data'), x = e.tensor([64, SIZES[0]], d.x);
    const sharded = m.lossAndGrad(x, d.y, 'softmaxCrossEntropy');
    const workers = (e as unknown as { pool: { workers: { once(ev: 'exit', f: () => void): void }[] } }).pool.workers;
    const exited = Promise.all(workers.map((w) => new Promise<void>((res) => w.once('exit', res))));
    e.dispose();
    await exited;
    // after dispose: one thread, the one-forward path: the same loss (the forward is one thread's either way)
    expect(m.lossAndGrad(x, d.y, 'softmaxCrossEntropy')).toBe(sharded);
    const ref = model(await one, 'gemm');
    ref.lossAndGrad((await one).tensor([64, SIZES[0]], d.x), d.y, 'softmaxCrossEntropy');
    expect(m.gradients()).toEqual(ref.gradients());
  });
});

describe("the 2-thread shares of a data-parallel step (SplitShare.balance: both threads' own times)", () => {
  /** `calls` simulated phases of `units` units: the calling thread at vMine units/ms, the worker at vTheirs, a wake-up of `wake` ms. */
  const simulate = (s: SplitShare, vMine: number, vTheirs: number, calls: number, wake = 0, units = 32) => {
    let t = 0;
    for (let c = 0; c < calls; c++) {
      const mine = s.units(0, units), theirs = units - mine, tMine = mine / vMine, tJob = theirs / vTheirs;
      t = Math.max(tMine, wake + tJob);
      s.balance(0, mine, theirs, tMine, t, tJob);
    }
    return t;
  };
  it('moves to the balanced share within 1 unit, either way round, on equal threads stays at halves; a slow wake-up counts', () => {
    for (const [vMine, vTheirs] of [[46, 36], [36, 46], [40, 40]]) {
      const s = new SplitShare();
      const last = simulate(s, vMine, vTheirs, 40);
      expect(Math.abs(s.get(0) - vMine / (vMine + vTheirs)), `${vMine}:${vTheirs}`).toBeLessThan(1 / 32);
      expect(last).toBeLessThan((32 / (vMine + vTheirs)) * 1.06);
    }
    // a worker that takes 0.2 ms to wake (no polling on a busy machine): the calling thread takes more
    const s = new SplitShare();
    simulate(s, 40, 40, 40, 0.2);
    expect(s.get(0)).toBeGreaterThan(0.55);
    // untimed calls change nothing
    const u = new SplitShare();
    u.balance(0, 16, 16, 0, 1, 1);
    u.balance(0, 16, 16, 1, 1, 0);
    expect(u.get(0)).toBe(0.5);
  });
});
