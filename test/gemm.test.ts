// GEMM (assembly/gemm.ts): all four forms, in every build (SIMD, scalar, and relaxed
// SIMD where the runtime validates it), against a plain f64 reference.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { init, ValueError, type Engine } from '../src/index.js';
import { supportsRelaxedSimd } from '../src/runtime/features.js';
import { relaxedTileRows } from '../src/runtime/gemm-tile.js';
import { check, FORMS, makeData, rawC, reference, stored, type Case } from './gemm-cases.js';
import { rng } from './helpers.js';

/** Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd. */
const RELAXED = supportsRelaxedSimd();

/**
 * Each build forced explicitly (plain SIMD opts out of relaxed SIMD). The plain SIMD
 * build runs twice: with A broadcast in the micro-kernel ('simd') and with A packed
 * pre-splatted ('simd-splat'), whichever init() would pick on this engine.
 */
const BUILD_OPTIONS = {
  simd: { simd: true, relaxedSimd: false },
  'simd-splat': { simd: true, relaxedSimd: false },
  scalar: { simd: false },
  relaxed: { relaxedSimd: true },
  'relaxed 4x8': { relaxedSimd: true },
} as const;
type Build = keyof typeof BUILD_OPTIONS;
const BUILDS: Build[] = RELAXED ? ['simd', 'simd-splat', 'scalar', 'relaxed', 'relaxed 4x8'] : ['simd', 'simd-splat', 'scalar'];

const engines = new Map<Build, Promise<Engine>>();
function engineFor(build: Build): Promise<Engine> {
  if (!engines.has(build)) {
    engines.set(
      build,
      init(BUILD_OPTIONS[build]).then((e) => {
        if (build === 'simd' || build === 'simd-splat') e.kernels.gemm_set_splat_a(build === 'simd-splat' ? 1 : 0);
        // the relaxed build's two tiles, whichever init() picks here: 6x8 (with 4x8 edge panels) and 4x8
        if (build === 'relaxed' || build === 'relaxed 4x8') e.kernels.gemm_set_tile_rows(build === 'relaxed' ? 6 : 4);
        return e;
      }),
    );
  }
  return engines.get(build)!;
}
const SIZES = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 33, 64, 65, 127, 129];
const SMALL = [0, 1, 3, 4, 5, 8, 9, 17];

/** Every triple of SMALL, plus a seeded sample of triples of SIZES (always including the corners). */
function sweep(): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const m of SMALL) for (const n of SMALL) for (const k of SMALL) out.push([m, n, k]);
  const r = rng(7);
  const pick = () => SIZES[Math.floor(r() * SIZES.length)];
  for (let i = 0; i < 60; i++) out.push([pick(), pick(), pick()]);
  out.push([129, 129, 129], [127, 65, 33], [1, 129, 127], [129, 1, 65], [65, 127, 1]);
  // the 6x8 tile's edge panels (m mod 6 = 1..5, a block's last 8 rows as 4 + 4), k and n odd
  out.push([10, 9, 7], [14, 17, 5], [20, 11, 3], [26, 8, 13], [11, 13, 9], [128, 9, 33], [134, 7, 3], [136, 5, 11]);
  return out;
}

for (const build of BUILDS) {
  describe(`gemm (${build})`, () => {
    it('sweeps m, n, k over tile boundaries in all four forms, with and without padded rows', async () => {
      const e = await engineFor(build);
      let seed = 1;
      for (const [m, n, k] of sweep()) {
        for (const form of FORMS) {
          const pad = seed % 3 === 0 ? 0 : (seed % 5) + 1;
          check(e, { form, m, n, k, pad, alpha: 1, beta: 0, seed: seed++ });
        }
      }
    });

    it('MLP layer shapes: forward nn, input gradient nt, weight gradient tn', async () => {
      const e = await engineFor(build);
      check(e, { form: 'nn', m: 128, n: 256, k: 784, pad: 0, alpha: 1, beta: 0, seed: 11 });
      check(e, { form: 'nt', m: 128, n: 784, k: 256, pad: 0, alpha: 1, beta: 0, seed: 12 });
      check(e, { form: 'tn', m: 784, n: 256, k: 128, pad: 0, alpha: 1, beta: 1, seed: 13 });
      check(e, { form: 'nt', m: 128, n: 10, k: 128, pad: 0, alpha: 1, beta: 0, seed: 14 });
      check(e, { form: 'tn', m: 10, n: 128, k: 128, pad: 0, alpha: 1, beta: 1, seed: 15 });
    });

    it('crosses the KC, MC and NC cache blocks (k = 513, 1000; m = 130; n = 1030; n = 1000 with shallower depth blocks)', async () => {
      const e = await engineFor(build);
      let seed = 100;
      for (const form of FORMS) {
        check(e, { form, m: 130, n: 67, k: 513, pad: 3, alpha: 1, beta: 0, seed: seed++ });
        check(e, { form, m: 9, n: 33, k: 1000, pad: 1, alpha: 0.5, beta: 1, seed: seed++ });
        check(e, { form, m: 37, n: 1030, k: 300, pad: 2, alpha: 1, beta: 0.5, seed: seed++ });
        check(e, { form, m: 13, n: 1000, k: 300, pad: 1, alpha: 1, beta: 0.5, seed: seed++ }); // nc > 784: depth blocks of 150
      }
    });

    it('alpha and beta: NaN in C does not leak when beta = 0; alpha = 0 and k = 0 only scale C', async () => {
      const e = await engineFor(build);
      let seed = 200;
      for (const form of FORMS) {
        for (const [m, n, k] of [[5, 9, 7], [33, 17, 65], [4, 8, 256]]) {
          check(e, { form, m, n, k, pad: 2, alpha: 1, beta: 0, c0: 'nan', seed: seed++ });
          check(e, { form, m, n, k, pad: 2, alpha: 1, beta: 1, seed: seed++ });
          check(e, { form, m, n, k, pad: 0, alpha: -1.5, beta: 0.5, seed: seed++ });
          check(e, { form, m, n, k, pad: 1, alpha: 0, beta: 0.5, nanA: true, seed: seed++ });
          check(e, { form, m, n, k, pad: 1, alpha: 0, beta: 0, nanA: true, c0: 'nan', seed: seed++ });
          check(e, { form, m, n, k: 0, pad: 1, alpha: 2, beta: 0.5, seed: seed++ });
          check(e, { form, m, n, k: 0, pad: 1, alpha: 2, beta: 0, c0: 'nan', seed: seed++ });
        }
      }
    });

    it('engine.matmul runs the kernels with the right strides in all four forms', async () => {
      const e = await engineFor(build);
      for (const [m, n, k] of [[3, 5, 7], [65, 33, 129]]) {
        for (const form of FORMS) {
          const c: Case = { form, m, n, k, pad: 0, alpha: 1, beta: 0, seed: m + n + k };
          const d = makeData(c);
          const { ar, ac, br, bc } = stored(c);
          const a = e.tensor([ar, ac], d.A);
          const b = e.tensor([br, bc], d.B);
          const transA = form[0] === 't', transB = form[1] === 't';
          const y = e.matmul(a, b, { transA, transB });
          expect(y.shape).toEqual([m, n]);
          const { out, tol } = reference(c, d);
          const got = y.data;
          for (let i = 0; i < out.length; i++) {
            if (!(Math.abs(got[i] - out[i]) <= tol[i])) {
              throw new Error(`matmul ${form} [${m}, ${k}]·[${k}, ${n}] index ${i}: got ${got[i]}, expected ${out[i]}`);
            }
          }
          // accumulate: out = 2·op(a)·op(b) + 0.5·out
          const prev = Float64Array.from(y.data);
          e.matmul(a, b, { transA, transB, alpha: 2, beta: 0.5, out: y });
          const acc = y.data;
          for (let i = 0; i < out.length; i++) {
            const want = 2 * out[i] + 0.5 * prev[i];
            if (!(Math.abs(acc[i] - want) <= 3 * tol[i] + 1e-6)) {
              throw new Error(`matmul ${form} alpha 2 beta 0.5 index ${i}: got ${acc[i]}, expected ${want}`);
            }
          }
          for (const t of [a, b, y]) t.dispose();
        }
      }
    });
  });
}

// Node 20 validates relaxed SIMD only behind a flag, so above the relaxed build
// (whose A packing differs: pre-splatted panels) runs only where the runtime
// validates it. Here the same relaxed suite runs in a child Node given the flag.
if (!RELAXED) {
  describe('gemm (relaxed) in a child Node with --experimental-wasm-relaxed-simd', () => {
    it('passes this file\'s relaxed suite (sweeps, MLP shapes, cache blocks, alpha/beta, matmul)', () => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      const r = spawnSync(
        process.execPath,
        ['--experimental-wasm-relaxed-simd', 'node_modules/vitest/vitest.mjs', 'run', 'test/gemm.test.ts', '-t', '^gemm \\(relaxed'],
        { cwd: root, encoding: 'utf8', timeout: 110_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      );
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.status, `child vitest exit status; output:\n${out}`).toBe(0);
      const passed = /Tests\s+(\d+) passed/.exec(out);
      expect(passed && Number(passed[1]), `relaxed tests passed in the child; output:\n${out}`).toBeGreaterThanOrEqual(10);
      expect(out).not.toMatch(/\d+ failed/);
    });
  });
}

describe('the three builds', () => {
  it('each build can be forced and runs GEMM (relaxed SIMD only where the runtime validates it)', async () => {
    const c: Case = { form: 'tn', m: 37, n: 29, k: 300, pad: 1, alpha: 1, beta: 0.5, seed: 77 };
    const simd = await init(BUILD_OPTIONS.simd);
    expect([simd.simd, simd.relaxedSimd]).toEqual([true, false]);
    check(simd, c);
    const scalar = await init(BUILD_OPTIONS.scalar);
    expect([scalar.simd, scalar.relaxedSimd]).toEqual([false, false]);
    check(scalar, c);
    if (RELAXED) {
      const relaxed = await init(BUILD_OPTIONS.relaxed);
      expect([relaxed.simd, relaxed.relaxedSimd]).toEqual([true, true]);
      check(relaxed, c);
    } else {
      await expect(init(BUILD_OPTIONS.relaxed)).rejects.toThrow(/relaxedSimd is true but this runtime does not validate relaxed SIMD/);
    }
  });

  it("'auto' picks relaxed SIMD exactly when the runtime validates it; opting out or scalar never does", async () => {
    expect((await init()).relaxedSimd).toBe(RELAXED);
    expect((await init({ relaxedSimd: false })).relaxedSimd).toBe(false);
    expect((await init({ simd: false })).relaxedSimd).toBe(false);
    // a runtime without SIMD at all: scalar, whatever relaxedSimd says
    const none = await init({ validate: () => false });
    expect([none.simd, none.relaxedSimd]).toEqual([false, false]);
  });

  it('the plain SIMD build pre-splats A exactly where the engine validates relaxed SIMD; relaxed always, scalar never', async () => {
    const here = await init(BUILD_OPTIONS.simd);
    expect(here.kernels.gemm_splat_a()).toBe(RELAXED ? 1 : 0);
    const modern = await init({ ...BUILD_OPTIONS.simd, validate: () => true });
    expect(modern.kernels.gemm_splat_a()).toBe(1);
    // an engine with SIMD but without relaxed SIMD (the relaxed probe is the longer module)
    const old = await init({ ...BUILD_OPTIONS.simd, validate: (b) => b.length < 60 });
    expect(old.kernels.gemm_splat_a()).toBe(0);
    expect((await init(BUILD_OPTIONS.scalar)).kernels.gemm_splat_a()).toBe(0);
    if (RELAXED) expect((await init(BUILD_OPTIONS.relaxed)).kernels.gemm_splat_a()).toBe(1);
    // the two packings give the same bits
    const c: Case = { form: 'nt', m: 37, n: 29, k: 300, pad: 1, alpha: 1, beta: 0.5, seed: 78 };
    here.kernels.gemm_set_splat_a(0);
    const broadcast = rawC(here, c);
    here.kernels.gemm_set_splat_a(1);
    expect(rawC(here, c)).toEqual(broadcast);
    check(here, c);
  });

  it('the relaxed build runs the 6x8 tile where the engine keeps its 15 registers (V8 >= 13.6), else 4x8', async () => {
    const node = (v8: string) => ({ process: { versions: { v8 } } });
    expect(relaxedTileRows(node('13.6.233.10-node.27'))).toBe(6);
    expect(relaxedTileRows(node('12.4.254.21-node.33'))).toBe(4);
    expect(relaxedTileRows({ ...node('13.6.233.10'), Bun: {} })).toBe(4);
    expect(relaxedTileRows({ Deno: { version: { v8: '14.0.1' } } })).toBe(6);
    expect(relaxedTileRows({ navigator: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36' } })).toBe(6);
    expect(relaxedTileRows({ navigator: { userAgent: 'Mozilla/5.0 (Macintosh) Version/18.0 Safari/605.1.15' } })).toBe(4);
    expect(relaxedTileRows({})).toBe(4);
    if (RELAXED) expect((await init(BUILD_OPTIONS.relaxed)).kernels.gemm_tile_rows()).toBe(relaxedTileRows());
    expect((await init(BUILD_OPTIONS.simd)).kernels.gemm_tile_rows()).toBe(4);
  });

  it('rejects contradictory or malformed relaxedSimd options with a ValueError', async () => {
    await expect(init({ simd: false, relaxedSimd: true })).rejects.toThrow(ValueError);
    await expect(init({ simd: false, relaxedSimd: true })).rejects.toThrow(/relaxedSimd is true but simd is false/);
    await expect(init({ relaxedSimd: 'yes' as never })).rejects.toThrow(/relaxedSimd must be 'auto', true or false, got the string "yes"/);
    const scalarBytes = readFileSync(new URL('../build/wasmgrad.scalar.wasm', import.meta.url));
    await expect(init({ wasm: scalarBytes, relaxedSimd: true })).rejects.toThrow(/not the relaxed-SIMD build/);
  });

  it('the static pack buffers (912 KiB in every build; A pre-splatted in the relaxed build, same bytes) add no bytes to the .wasm', async () => {
    for (const name of ['simd', 'relaxed', 'scalar']) {
      const size = readFileSync(new URL(`../build/wasmgrad.${name}.wasm`, import.meta.url)).length;
      expect(size, `${name}.wasm bytes`).toBeLessThan(128 * 1024);
    }
    for (const build of ['simd', 'scalar'] as const) {
      const e = await init(BUILD_OPTIONS[build]);
      expect(e.kernels.mem_heap_base(), `${build} heap base`).toBeGreaterThan(912 * 1024);
    }
  });

  it('the relaxed build exports the same functions as the SIMD build and fuses the GEMM multiply-adds', () => {
    const read = (name: string) => {
      const mod = binaryen.readBinary(readFileSync(new URL(`../build/wasmgrad.${name}.wasm`, import.meta.url)));
      const names = Array.from({ length: mod.getNumExports() }, (_, i) => binaryen.getExportInfo(mod.getExportByIndex(i)).name).sort();
      const text = mod.emitText();
      mod.dispose();
      return { names, fused: (text.match(/f32x4\.relaxed_madd/g) ?? []).length };
    };
    const simd = read('simd'), relaxed = read('relaxed');
    expect(relaxed.names).toEqual(simd.names);
    expect(simd.fused).toBe(0);
    expect(relaxed.fused).toBeGreaterThanOrEqual(8); // the 8 accumulators of the 4x8 micro-kernel
  });
});
