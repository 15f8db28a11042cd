// Same bits: runs every optimizer kernel of two builds of the core on the same
// random inputs and compares every output buffer bit for bit. For refactors of
// assembly/optim_*.ts that must not change a result (issue 11): build the old
// core, copy build/*.wasm aside, change the code, build again, then
//
//   node bench/optim-bits.mjs OLD_DIR [NEW_DIR=build]
//
// Each kernel runs 3 steps in a row (state carries over) per case, for lengths
// 0, 1, 3, 4, 5, 17, 1000, 4099 at an aligned and an unaligned (+4 bytes) base,
// over the flag variants that pick other code paths (plain/L2/maximize Adam,
// AMSGrad, centered/momentum RMSprop, rectified or not RAdam), in the SIMD,
// scalar and relaxed builds (Node 20: node --experimental-wasm-relaxed-simd). Exits 1 on the first differing buffer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [oldDir, newDir = 'build'] = process.argv.slice(2);
if (!oldDir) {
  console.error('usage: node bench/optim-bits.mjs OLD_DIR [NEW_DIR]');
  process.exit(2);
}
/** Kernels renamed or merged by a refactor: new name -> old name. */
const RENAMED = { f32_axpby: 'f32_tx_axpby' };

// Hyperparameters as the host passes them (complements and step factors precomputed).
const H = { lr: 0.01, b1: 0.9, b2: 0.999, omb1: 0.1, omb2: 0.001, eps: 1e-8, ibc2: 1.37, c1: 1.9, alpha: 0.99, oma: 0.01, rho: 0.9, omr: 0.1, mom: 0.9 };
const AW = { wd: 0.01, decay: 1 - 0.01 * 0.01 }; // AdamW decay

/**
 * [kernel, buffers (g/u first; all n floats), scalars after the pointers, variants].
 * A variant overrides named scalars; `st` names the buffers that hold squares (kept >= 0).
 */
const ADAM_V = [{ wd: 0, sign: 1, decay: 1 }, { wd: 0.01, sign: -1, decay: 1 }, { wd: 0, sign: 1, decay: AW.decay }];
const specs = [
  ['f32_sgd', ['g', 'p'], { lr: H.lr, wd: 0, sign: 1 }, [{}, { wd: 0.01, sign: -1 }]],
  ['f32_sgd_momentum', ['g', 'p', 'buf'], { lr: H.lr, wd: 0, sign: 1, bs: 0.9, gs: 0.8, c1: 0, c2: 1 }, [{}, { c1: 1, c2: 0.9, wd: 0.01, sign: -1 }, { bs: 0, gs: 1 }]],
  ['f32_tx_trace', ['u', 'buf'], { bs: 0.9, gs: 0.8, c1: 1, c2: 0.9 }, [{}, { c1: 0, c2: 1 }]],
  ['f32_sgd_heavy_ball', ['g', 'p', 'v'], { lr: H.lr, wd: 0.01, sign: 1, beta: 0.9 }, [{}, { sign: -1 }]],
  ['f32_langevin', ['g', 'noise', 'p'], { lr: H.lr }, [{}]],
  ['f32_adagrad', ['g', 'p', 's'], { clr: H.lr, eps: 1e-10, wd: 0, sign: 1 }, [{}, { wd: 0.01, sign: -1 }]],
  ['f32_tx_adagrad', ['u', 's'], { eps: 1e-10 }, [{}]],
  ['f32_rmsprop', ['g', 'p', 'sq', 'ga', 'buf'], { lr: H.lr, alpha: H.alpha, oma: H.oma, eps: H.eps, wd: 0, sign: 1, mom: H.mom, flags: 0 }, [0, 1, 2, 3].map((flags) => ({ flags, wd: flags * 0.01, sign: flags & 1 ? -1 : 1 }))],
  ['f32_tx_rms', ['u', 's', 'ga'], { alpha: H.alpha, oma: H.oma, eps: H.eps, flags: 0 }, [{}, { flags: 1 }]],
  ['f32_adadelta', ['g', 'p', 'sq', 'acc'], { lr: 1, rho: H.rho, omr: H.omr, eps: 1e-6, wd: 0, sign: 1 }, [{}, { wd: 0.01, sign: -1 }]],
  ['f32_tx_adadelta', ['u', 's', 'acc'], { rho: H.rho, omr: H.omr, eps: 1e-6 }, [{}]],
  ['f32_adam', ['g', 'p', 'm', 'v'], { lrt: H.lr, b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, ibc2: H.ibc2, wd: 0, decay: 1, sign: 1 }, ADAM_V],
  ['f32_adam_amsgrad', ['g', 'p', 'm', 'v', 'vmax'], { lrt: H.lr, b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, ibc2: H.ibc2, wd: 0, decay: 1, sign: 1 }, ADAM_V],
  ['f32_tx_adam', ['u', 'm', 'v'], { b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, c1: H.c1, ibc2: H.ibc2 }, [{}]],
  ['f32_tx_adam_amsgrad', ['u', 'm', 'v', 'vmax'], { b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, c1: H.c1, ibc2: H.ibc2 }, [{}]],
  ['f32_adamax', ['g', 'p', 'm', 'u'], { clr: H.lr, b1: H.b1, b2: H.b2, omb1: H.omb1, eps: H.eps, wd: 0, sign: 1 }, [{}, { wd: 0.01, sign: -1 }]],
  ['f32_tx_adamax', ['u', 'm', 'r'], { b1: H.b1, b2: H.b2, omb1: H.omb1, eps: H.eps, c1: H.c1 }, [{}]],
  ['f32_nadam', ['g', 'p', 'm', 'v'], { b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, ibc2: H.ibc2, wd: 0, cg: 0.004, cm: 0.009 }, [{}, { wd: 0.01 }]],
  ['f32_tx_nadam', ['u', 'm', 'v'], { b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, ibc2: H.ibc2, cg: 0.4, cm: 0.9 }, [{}]],
  ['f32_radam', ['g', 'p', 'm', 'v'], { b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, wd: 0, a: 0.01, rect: 0 }, [{}, { rect: 1 }, { rect: 1, wd: 0.01 }]],
  ['f32_tx_radam', ['u', 'm', 'v'], { b1: H.b1, b2: H.b2, omb1: H.omb1, omb2: H.omb2, eps: H.eps, a: 1.3, rect: 0 }, [{}, { rect: 1 }]],
  ['f32_clip', ['u'], { lo: -0.5, hi: 0.7 }, [{}]],
  ['f32_axpby', ['g', 'u'], { a: 0.3, c: 0.9 }, [{}, { a: 0, c: -1.5 }, { a: 1, c: 1 }]],
];
/**
 * State buffers that hold squares or maxima of squares start in [0.01, 1.01) and RMSprop's
 * average gradient ga in [-0.1, 0.1), so every square root is of a number >= 0.
 */
const NONNEG = new Set(['s', 'sq', 'v', 'vmax', 'acc', 'r']);
const LENGTHS = [0, 1, 3, 4, 5, 17, 1000, 4099];

/** Deterministic floats in [-1, 1) (32-bit LCG). */
function fill(f32, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < f32.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f32[i] = s / 2147483648 - 1;
  }
}

async function instance(dir, build) {
  const { instance: inst } = await WebAssembly.instantiate(readFileSync(join(dir, `wasmgrad.${build}.wasm`)), {});
  const e = inst.exports;
  const base = (e.mem_heap_base() + 63) & ~63;
  const need = base + 16 * 4100 * 4 + 4096;
  const have = e.memory.buffer.byteLength;
  if (need > have) e.memory.grow(Math.ceil((need - have) / 65536));
  return { e, base };
}

let compared = 0, values = 0, nonfinite = 0;
const builds = ['simd', 'scalar', 'relaxed'].filter((b) => WebAssembly.validate(readFileSync(join(oldDir, `wasmgrad.${b}.wasm`))));
if (builds.length < 3) console.log('(the relaxed build does not validate here: Node 20 needs --experimental-wasm-relaxed-simd)');
for (const build of builds) {
  const A = await instance(oldDir, build), B = await instance(newDir, build);
  const checkList = [...specs, ['f32_sparse_adam']];
  for (const [name, bufs, scalars, variants] of checkList) {
    const oldName = RENAMED[name] ?? name;
    if (!B.e[name] || !A.e[oldName]) throw new Error(`${build}: ${name} missing (old ${!!A.e[oldName]}, new ${!!B.e[name]})`);
    if (name === 'f32_sparse_adam') {
      sparse(A, B, build);
      continue;
    }
    for (const n of LENGTHS) {
      for (const misalign of [0, 4]) {
        for (const [vi, variant] of variants.entries()) {
          const sc = { ...scalars, ...variant };
          const stride = ((n + 16) * 4 + 63) & ~63;
          const ptr = (k) => k * stride + misalign;
          for (const X of [A, B]) {
            const f = new Float32Array(X.e.memory.buffer, X.base, (bufs.length * stride) / 4);
            fill(f, 1234 + n * 7 + vi);
            bufs.forEach((b, k) => {
              const v = new Float32Array(X.e.memory.buffer, X.base + ptr(k), n);
              if (b === 'ga') for (let i = 0; i < n; i++) v[i] *= 0.1;
              if (NONNEG.has(b) || (name === 'f32_adamax' && b === 'u')) for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]) + 0.01;
            });
          }
          for (let step = 0; step < 3; step++) {
            const args = (X) => [n, ...bufs.map((_, k) => X.base + ptr(k)), ...Object.values(sc)];
            A.e[oldName](...args(A));
            B.e[name](...args(B));
          }
          for (let k = 0; k < bufs.length; k++) {
            const a = new Uint32Array(A.e.memory.buffer, A.base + ptr(k), n);
            const b = new Uint32Array(B.e.memory.buffer, B.base + ptr(k), n);
            const fa = new Float32Array(a.buffer, a.byteOffset, n);
            for (let i = 0; i < n; i++) {
              if (a[i] !== b[i]) {
                console.error(`DIFFER ${build} ${name} n=${n} misalign=${misalign} variant=${JSON.stringify(variant)} buffer ${bufs[k]}[${i}]: old 0x${a[i].toString(16)} new 0x${b[i].toString(16)}`);
                process.exit(1);
              }
              if (!Number.isFinite(fa[i])) nonfinite++;
            }
            values += n;
          }
          compared++;
        }
      }
    }
  }
}

/** SparseAdam over a [rows, dim] table, a few distinct rows, dims around the SIMD width. */
function sparse(A, B, build) {
  for (const dim of [1, 3, 4, 5, 17, 64]) {
    const rowsN = 9, rows = [7, 0, 3, 8];
    const tab = rowsN * dim * 4, layout = { rows: 0, g: 64, p: 64 + tab, m: 64 + 2 * tab, v: 64 + 3 * tab };
    for (const X of [A, B]) {
      const f = new Float32Array(X.e.memory.buffer, X.base + 64, (4 * tab) / 4);
      fill(f, 99 + dim);
      const v = new Float32Array(X.e.memory.buffer, X.base + layout.v, rowsN * dim);
      for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
      new Int32Array(X.e.memory.buffer, X.base, rows.length).set(rows);
    }
    for (const sign of [1, -1]) {
      for (let step = 0; step < 3; step++) {
        for (const X of [A, B]) {
          const P = (k) => X.base + layout[k];
          X.e.f32_sparse_adam(rows.length, dim, P('rows'), P('g'), P('p'), P('m'), P('v'), 0.01, H.b1, H.b2, H.omb1, H.omb2, H.eps, sign);
        }
      }
    }
    const a = new Uint32Array(A.e.memory.buffer, A.base, (64 + 4 * tab) / 4);
    const b = new Uint32Array(B.e.memory.buffer, B.base, (64 + 4 * tab) / 4);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        console.error(`DIFFER ${build} f32_sparse_adam dim=${dim} word ${i}`);
        process.exit(1);
      }
    }
    values += a.length;
    compared++;
  }
}

console.log(`same bits: ${compared} kernel cases x 3 steps, ${values} output values compared bit for bit (${nonfinite} non-finite) in the ${builds.join(', ')} builds of ${oldDir} and ${newDir}`);
