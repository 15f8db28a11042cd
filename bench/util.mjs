// Helpers shared by the bench suites.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The median of xs (mean of the two middle values for an even count; NaN when empty). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * mulberry32: a uniform generator on [0, 1) from a seed, the same stream as the package's
 * src/runtime/mulberry32.ts (test data) for the Node-side scripts that run on dist/ (bench
 * data, scripts/fista-plot.mjs).
 */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @tensorflow/tfjs-core on its wasm backend with one thread: { tf, label } (label names the
 * backend's version, SIMD and thread count), or null with the reason on stderr when the
 * backend cannot load.
 */
export async function loadTfjsWasm() {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount?.(1);
    if (!(await tf.setBackend('wasm'))) return null;
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return { tf, label: `tfjs-backend-wasm ${wasm.version_wasm}${simd ? ' (SIMD)' : ''}, ${wasm.getThreadsCount?.() ?? 1} thread` };
  } catch (e) {
    console.error(`tfjs-backend-wasm unavailable: ${e.message}`);
    return null;
  }
}

/** len floats in [-0.5, 0.5) from a 32-bit LCG seeded with `seed` (reproducible bench data). */
export function randomF32(len, seed) {
  const x = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296 - 0.5;
  }
  return x;
}

/** Replaces (or appends) the section of bench/RESULTS.md that starts with the line `title`; other sections stay. */
export function writeResultsSection(title, lines, path = 'bench/RESULTS.md') {
  let md = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const body = [title, ...lines].join('\n');
  const start = md.indexOf(title);
  if (start >= 0) {
    const next = md.indexOf('\n## ', start + title.length);
    md = md.slice(0, start) + body + (next >= 0 ? md.slice(next + 1) : '');
  } else md = md.replace(/\n*$/, '\n\n') + body;
  writeFileSync(path, md);
}

/**
 * This machine's CPU as the RESULTS tables name it: the model string, the AMD/Intel family and
 * model from /proc/cpuinfo (AMD family 0x19 = Zen 3/4, 0x1A = Zen 5), whether it has AVX-512
 * (native BLAS runs 4x wider than wasm's 128-bit SIMD there) and the logical core count.
 */
export function cpuDescription() {
  let info = '';
  try {
    info = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return 'unknown CPU (no /proc/cpuinfo)';
  }
  const field = (name) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
  const family = Number(field('cpu family')), model = Number(field('model'));
  const amd = field('vendor_id') === 'AuthenticAMD';
  const zen = amd ? ({ 23: 'Zen/Zen 2', 25: 'Zen 3/Zen 4', 26: 'Zen 5' }[family] ?? `family ${family}`) : `family ${family}`;
  const avx512 = /\bavx512f\b/.test(field('flags'));
  const cores = (info.match(/^processor\s*:/gm) ?? []).length;
  return `${field('model name') || 'unknown CPU'} (${zen}, family ${family} model ${model}, ${avx512 ? 'AVX-512' : 'no AVX-512'}; ${cores} logical cores)`;
}

/** The value after `--name` on the command line (`args`, default process.argv.slice(2)), else `dflt`. */
export function option(name, dflt, args = process.argv.slice(2)) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
