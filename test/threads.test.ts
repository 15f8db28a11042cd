// Threads (docs/threads.md): the threads build's GEMM against a plain f64 reference with
// every call split across the workers; threaded results bit-identical to one thread
// (the plain SIMD build, same packing); the per-instance GEMM scratch in every build; a
// training step; init({ threads }) options, the fallback and its typed error; dispose.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { init, ValueError, type Engine } from '../src/index.js';
import { supportsRelaxedSimd } from '../src/runtime/features.js';
import { CALLER_SPIN_US, WORKER_SPIN_US } from '../src/runtime/pool.js';
import { sharedMemoryBuild } from '../src/runtime/shared-module.js';
import { resolveThreads } from '../src/runtime/threads.js';
import { check, FORMS, rawC, type Case } from './gemm-cases.js';
import { disposedAfterAll, rng } from './helpers.js';

const make = disposedAfterAll();

// every call split (threshold 0), 2 and 3 threads; one thread: the plain SIMD build (same packing as the threads build)
const split2 = make({ threads: 2, threadsMinFlops: 0, relaxedSimd: false });
const split3 = make({ threads: 3, threadsMinFlops: 0, relaxedSimd: false });
const single = make({ simd: true, relaxedSimd: false });

/** Shapes around the split units (8 rows, 16 columns), the micro-tile, and the KC/MC/NC blocks. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [8, 16, 4], [9, 17, 3], [16, 15, 9], [17, 33, 65], [33, 7, 129], [5, 100, 7],
  [100, 5, 31], [130, 67, 513], [37, 520, 300], [128, 256, 784], [784, 256, 128], [128, 10, 128], [10, 128, 128], [0, 5, 3], [5, 0, 3], [5, 3, 0],
];

describe('threads build: GEMM split across workers', () => {
  it('reports its threads and runs the plain SIMD threads build', async () => {
    const e = await split2;
    expect(e.threads).toEqual({ count: 2, requested: 2 });
    expect([e.simd, e.relaxedSimd]).toEqual([true, false]);
    expect(e.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect((await split3).threads.count).toBe(3);
  });

  it('matches the f64 reference in all four forms (every call split, padded rows, alpha/beta)', async () => {
    for (const e of [await split2, await split3]) {
      let seed = 1;
      for (const [m, n, k] of SHAPES) {
        for (const form of FORMS) {
          const pad = seed % 3;
          const [alpha, beta] = seed % 4 === 0 ? [1, 0] : seed % 4 === 1 ? [-1.5, 0.5] : seed % 4 === 2 ? [1, 1] : [0.5, 0];
          check(e, { form, m, n, k, pad, alpha, beta, seed: seed++ });
        }
      }
    }
  });

  it('gives the same bits as one thread, split by rows or by columns, with 2 and 3 threads', async () => {
    const one = await single;
    let seed = 500;
    for (const e of [await split2, await split3]) {
      for (const [m, n, k] of [...SHAPES, [64, 1024, 300], [1024, 64, 300], [257, 255, 1000]] as [number, number, number][]) {
        for (const form of FORMS) {
          const c: Case = { form, m, n, k, pad: seed % 2, alpha: seed % 3 === 0 ? 0.75 : 1, beta: seed % 2 === 0 ? 0 : 0.5, seed: seed++ };
          const want = rawC(one, c), got = rawC(e, c);
          let diff = -1;
          for (let i = 0; i < want.length && diff < 0; i++) if (!Object.is(want[i], got[i])) diff = i;
          expect(diff, `f32_gemm_${form} m=${m} n=${n} k=${k} (${e.threads.count} threads): first differing index`).toBe(-1);
        }
      }
    }
  });

  it('engine.matmul and an MLP training step (Adam) give the same bits as one thread', async () => {
    const one = await single;
    const two = await make({ threads: 2, threadsMinFlops: 100_000, relaxedSimd: false });
    const r = rng(3);
    const x = Float32Array.from({ length: 64 * 200 }, () => 2 * r() - 1);
    const y = Int32Array.from({ length: 64 }, () => Math.floor(r() * 10));
    const params: Float32Array[] = [];
    for (const e of [one, two]) {
      const a = e.tensor([64, 200], x), b = e.tensor([32, 200], x.subarray(0, 32 * 200));
      const c = e.matmul(a, b, { transB: true });
      params.push(c.data.slice());
      const model = e.nn.mlp([200, 96, 48, 10], { activation: 'relu' });
      model.parallel = 'gemm'; // one forward with split GEMMs (data-parallel steps: test/threads.data-parallel.test.ts)
      model.setParameters(Float32Array.from({ length: model.numParameters }, (_, i) => Math.sin(i) * 0.1));
      const opt = e.optim.adam(model, { lr: 1e-2 });
      const xt = e.tensor([64, 200], x);
      for (let s = 0; s < 5; s++) {
        model.lossAndGrad(xt, y, 'softmaxCrossEntropy');
        opt.step();
      }
      params.push(model.parameters().slice());
    }
    expect(params[2]).toEqual(params[0]);
    expect(params[3]).toEqual(params[1]);
  });
});

describe('the threads build', () => {
  it("is asc's threads target byte for byte when made from the SIMD build's bytes (the bundle inlines one copy)", () => {
    const read = (name: string) => new Uint8Array(readFileSync(new URL(`../build/wasmgrad.${name}.wasm`, import.meta.url)));
    const made = sharedMemoryBuild(read('simd'));
    expect(Buffer.from(made).equals(Buffer.from(read('threads')))).toBe(true);
    const mod = new WebAssembly.Module(made);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(() => sharedMemoryBuild(made)).toThrow(/imports something/);
  });
});

describe('per-instance GEMM scratch (gemm_set_scratch), every build', () => {
  it('a scratch block from the arena gives the same bits as the static buffers', async () => {
    for (const options of [{ simd: true, relaxedSimd: false }, { simd: false }, {}] as const) {
      const e = await init(options);
      const bytes = e.kernels.gemm_scratch_bytes();
      expect(bytes).toBeGreaterThanOrEqual(640 * 1024);
      const c: Case = { form: 'tn', m: 130, n: 67, k: 513, pad: 1, alpha: 1, beta: 0.5, seed: 9 };
      const before = rawC(e, c);
      const ptr = e.arena.alloc(bytes);
      e.f32(ptr, bytes / 4).fill(NaN); // scratch contents never leak
      e.kernels.gemm_set_scratch(ptr);
      expect(rawC(e, c)).toEqual(before);
      e.kernels.gemm_set_scratch(0);
      expect(rawC(e, c)).toEqual(before);
    }
  });
});

describe('init({ threads }): options, fallback, typed error', () => {
  it('defaults to one thread, with no workers and the usual build', async () => {
    const e = await init();
    expect(e.threads).toEqual({ count: 1, requested: 1 });
    expect(e.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect((await init({ threads: 1 })).threads).toEqual({ count: 1, requested: 1 });
  });

  it("'auto' takes the cores this runtime reports, or falls back to 1 with the reason", async () => {
    const build = { simd: true, custom: false, hasThreadsBuild: true, relaxedRequired: false };
    expect(resolveThreads('auto', build, () => null, () => 4)).toEqual({ count: 4, requested: 'auto' });
    expect(resolveThreads('auto', build, () => null, () => 1)).toEqual({ count: 1, requested: 'auto', reason: 'this runtime reports one core' });
    const why = 'the page is not cross-origin isolated (test)';
    expect(resolveThreads('auto', build, () => why, () => 4)).toEqual({ count: 1, requested: 'auto', reason: why });
    expect(resolveThreads('auto', { ...build, simd: false }, () => null, () => 4).reason).toMatch(/scalar twin runs on one thread/);
    expect(resolveThreads('auto', { ...build, custom: true }, () => null, () => 4).reason).toMatch(/custom core/);
    expect(resolveThreads('auto', { ...build, relaxedRequired: true }, () => null, () => 4).reason).toMatch(/relaxedSimd is true/);
    // through init: a runtime without shared memory (simulated), and the scalar build
    const e = await init({ threads: 'auto', threadsProbe: () => 'SharedArrayBuffer is not available (test)' });
    expect(e.threads).toEqual({ count: 1, requested: 'auto', reason: 'SharedArrayBuffer is not available (test)' });
    expect((await init({ threads: 'auto', simd: false })).threads.count).toBe(1);
  });

  it('an explicit count where threads cannot run is a ValueError that says why; malformed counts too', async () => {
    await expect(init({ threads: 2, threadsProbe: () => 'this runtime has no Worker API (test)' })).rejects.toThrow(ValueError);
    await expect(init({ threads: 2, threadsProbe: () => 'this runtime has no Worker API (test)' })).rejects.toThrow(
      'init: threads is 2 but this engine cannot use threads: this runtime has no Worker API (test)',
    );
    await expect(init({ threads: 2, simd: false })).rejects.toThrow(/threads is 2 but .* scalar twin runs on one thread/);
    // relaxedSimd: true with threads runs the relaxed threads build where relaxed SIMD validates (test/threads.relaxed.test.ts)
    if (!supportsRelaxedSimd()) await expect(init({ threads: 2, relaxedSimd: true })).rejects.toThrow(/threads is 2 but .*relaxedSimd is true/);
    for (const bad of [0, -1, 1.5, NaN, 65, '2', null]) {
      await expect(init({ threads: bad as never })).rejects.toThrow(/init: threads must be an integer in \[1, 64\] or 'auto', got /);
    }
    await expect(init({ threads: 2, threadsMinFlops: -1 })).rejects.toThrow(/threadsMinFlops must be a number >= 0/);
  });
});

/** The first index where a and b differ in bits (Object.is), or -1 (a fast check for long arrays). */
function firstDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('f32_adam split into ranges across the workers (runtime/split-threads.ts)', () => {
  it('gives the same bits as one thread: Adam and AdamW, sizes around the range unit and the split threshold', async () => {
    const one = await single;
    for (const e of [await split2, await split3]) {
      for (const n of [65535, 65536, 100_003, 131_089]) {
        const r = rng(n);
        const start = Array.from({ length: 4 }, () => Float32Array.from({ length: n }, () => 2 * r() - 1));
        start[3] = start[3].map(Math.abs); // v >= 0
        const out: Float32Array[][] = [];
        for (const eng of [one, e]) {
          const mark = eng.arena.mark();
          const [g, p, m, v] = start.map((a) => {
            const ptr = eng.allocF32(n);
            eng.f32(ptr, n).set(a);
            return ptr;
          });
          // a split GEMM first: the split runs while the workers poll (pool.warm())
          const warm = () => eng !== one && rawC(eng, { form: 'nn', m: 16, n: 16, k: 16, pad: 0, alpha: 1, beta: 0, seed: 1 });
          warm();
          eng.kernels.f32_adam(n, g, p, m, v, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8, 1.0005, 0, 1, 1); // Adam
          warm();
          eng.kernels.f32_adam(n, g, p, m, v, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8, 1.0005, 0.01, 0.99999, -1); // AdamW, maximize
          out.push([p, m, v].map((ptr) => eng.f32(ptr, n).slice()));
          eng.arena.reset(mark);
        }
        for (let j = 0; j < 3; j++) expect(firstDiff(out[1][j], out[0][j]), `${e.threads.count} threads, n=${n}, buffer ${j}: first differing index`).toBe(-1);
      }
    }
  });
});

describe('f32_adam split at the hint of a data-parallel step (SplitHint: the worker\'s rows of W₁)', () => {
  it('cuts at the hinted address when it falls inside the call on a 16-element boundary, else ignores it; the same bits', async () => {
    const one = await single, e = await split2;
    const hint = (e as unknown as { splitHint: { cut: number } }).splitHint;
    const pool = (e as unknown as { pool: { calls: Float64Array[]; warm(): boolean } }).pool, calls = pool.calls;
    // split whether or not the workers still poll (a sleeping worker is woken: the same result)
    const warm = vi.spyOn(pool, 'warm').mockReturnValue(true);
    const n = 100_352, r = rng(3);
    const start = Array.from({ length: 4 }, () => Float32Array.from({ length: n }, () => 2 * r() - 1));
    start[3] = start[3].map(Math.abs);
    const run = (eng: Engine, cut: (p: number) => number): { out: Float32Array[]; worker: number } => {
      const mark = eng.arena.mark();
      const [g, p, m, v] = start.map((a) => {
        const ptr = eng.allocF32(n);
        eng.f32(ptr, n).set(a);
        return ptr;
      });
      if (eng === e) {
        hint.cut = cut(p);
        calls[0][1] = -1;
      }
      eng.kernels.f32_adam(n, g, p, m, v, 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8, 1.0005, 0, 1, 1);
      const out = [p, m, v].map((ptr) => eng.f32(ptr, n).slice());
      eng.arena.reset(mark);
      return { out, worker: eng === e ? calls[0][1] : 0 };
    };
    const want = run(one, () => 0).out;
    for (const [label, cut, worker] of [
      ['at element 16·1000', (p: number) => p + 4 * 16_000, n - 16_000],
      ['at element 96·784 (a row of W₁)', (p: number) => p + 4 * 96 * 784, n - 96 * 784],
    ] as const) {
      const got = run(e, cut);
      expect(got.worker, label).toBe(worker);
      for (let j = 0; j < 3; j++) expect(firstDiff(got.out[j], want[j]), `${label}, buffer ${j}`).toBe(-1);
    }
    for (const [label, cut] of [['off a 16-element boundary', (p: number) => p + 4 * 16_001], ['outside the call', (p: number) => p + 4 * n], ['none', () => 0]] as const) {
      const got = run(e, cut);
      expect(got.worker % 16, `${label}: an adapted cut`).toBe(n % 16);
      expect([n - 16_001, 0].includes(got.worker), label).toBe(false);
      for (let j = 0; j < 3; j++) expect(firstDiff(got.out[j], want[j]), `${label}, buffer ${j}`).toBe(-1);
    }
    hint.cut = 0;
    warm.mockRestore();
  });
});

describe('waiting: bounded polling, then sleep', () => {
  it('a call after the workers have gone back to sleep (a pause far beyond the polling budget) still completes, same bits', async () => {
    const e = await split2;
    const c: Case = { form: 'nt', m: 48, n: 40, k: 33, pad: 1, alpha: 1, beta: 0, seed: 12 };
    const first = rawC(e, c);
    const pauseMs = 20 * Math.max(WORKER_SPIN_US, CALLER_SPIN_US) / 1000;
    for (let i = 0; i < 3; i++) {
      await new Promise((res) => setTimeout(res, pauseMs));
      expect(rawC(e, c)).toEqual(first);
    }
    // back to back: the workers are still polling
    for (let i = 0; i < 20; i++) expect(rawC(e, c)).toEqual(first);
  });

  it('polling turns off after 4 of 16 waits that outlast it (an oversubscribed machine), on both sides, and on again 64 waits later', async () => {
    const e = await make({ threads: 2, threadsMinFlops: 0, relaxedSimd: false });
    // the rule itself, driven with the outcome of each wait (true: the polling ran out), so that the test does not depend on timing
    type Pool = { polling: boolean; adapt(ranOut: boolean): void; ctl: Int32Array };
    const pool = (e as unknown as { pool: Pool }).pool;
    const c: Case = { form: 'nt', m: 40, n: 24, k: 17, pad: 0, alpha: 1, beta: 0, seed: 3 };
    const want = rawC(await single, c);
    const nospin = () => Atomics.load(pool.ctl, 15); // the worker's NOSPIN word (pool-worker.ts)
    for (let i = 0; i < 16; i++) pool.adapt(i % 8 === 0); // 2 failures in a window of 16: stays on
    expect([pool.polling, nospin()]).toEqual([true, 0]);
    for (let i = 0; i < 3; i++) pool.adapt(true);
    expect(pool.polling).toBe(true);
    pool.adapt(true);
    expect([pool.polling, nospin()]).toEqual([false, 1]);
    expect(rawC(e, c)).toEqual(want); // a split call without polling (one wait of the 64)
    for (let i = 0; i < 62; i++) pool.adapt(false);
    expect(pool.polling).toBe(false);
    pool.adapt(false);
    expect([pool.polling, nospin()]).toEqual([true, 0]);
    for (let i = 0; i < 4; i++) pool.adapt(true); // failing again: off for 128 waits now
    for (let i = 0; i < 127; i++) pool.adapt(false);
    expect(pool.polling).toBe(false);
    pool.adapt(false);
    expect(pool.polling).toBe(true);
    expect(rawC(e, c)).toEqual(want);
  });
});

describe('dispose', () => {
  it('ends every worker; the engine then runs its GEMMs on the calling thread, same bits', async () => {
    const e = await init({ threads: 3, threadsMinFlops: 0, relaxedSimd: false });
    const c: Case = { form: 'nn', m: 67, n: 45, k: 99, pad: 0, alpha: 1, beta: 0, seed: 4 };
    const before = rawC(e, c);
    const workers = (e as unknown as { pool: { workers: { once(ev: 'exit', f: () => void): void }[] } }).pool.workers;
    expect(workers).toHaveLength(2);
    const exited = Promise.all(workers.map((w) => new Promise<void>((res) => w.once('exit', res))));
    e.dispose();
    await exited;
    e.dispose(); // idempotent
    expect(rawC(e, c)).toEqual(before);
  });

  it('a threaded engine never disposed does not keep Node alive', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const script = [
      "const { init } = await import('./dist/index.js');",
      'const e = await init({ threads: 2, threadsMinFlops: 0 });',
      'const a = e.tensor([40, 30]);',
      "console.log('threads', e.threads.count, e.matmul(a, a, { transB: true }).shape.join('x'));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('threads 2 40x40');
  });
});
