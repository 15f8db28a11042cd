// The relaxed-SIMD build's GEMM tile height for the engine at hand (assembly/gemm.ts,
// gemm_set_tile_rows). The 6x8 tile keeps 12 accumulators + 2 B + 1 A = 15 vector
// registers live: V8 13.6 (Node 24), Deno 2.9 and Chromium 156 keep them in registers,
// V8 12.4 (Node 22) and JSC (Bun) spill, and there the 6x8 tile ran at about half the
// speed of the 4x8 one (bench/RESULTS.md, "GEMM: the relaxed build's tile"; Zen 5,
// 2026-12-03). workerd (Cloudflare Workers) exposes no V8 version to a worker; it has shipped
// V8 >= 13.6 since April 2025 (workerd 1.20261023 has V8 15.7) and runs the 6x8 tile faster
// (bench/RESULTS.md, "workerd against Node"). Same bits up to the beta step of the edge tiles; speed only.

/** Loose view of the globals the engines expose (Node, Deno, Bun, browsers). */
interface EngineGlobals {
  Bun?: unknown;
  process?: { versions?: { v8?: string } };
  Deno?: { version?: { v8?: string } };
  navigator?: { userAgent?: string };
}

/** 6 where the 6x8 tile was measured fast (V8 >= 13.6: Node 24, Deno, Chromium >= 136, workerd), else 4 (Node 22, Bun, unknown engines). */
export function relaxedTileRows(g: EngineGlobals = globalThis as EngineGlobals): 4 | 6 {
  if (g.Bun !== undefined) return 4; // JSC; Bun also reports a process.versions.v8
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 6; // workerd: V8 >= 13.6, no version to read
  const v8 = g.Deno?.version?.v8 ?? g.process?.versions?.v8;
  if (typeof v8 === 'string') {
    const [major, minor] = v8.split('.').map(Number);
    return major > 13 || (major === 13 && minor >= 6) ? 6 : 4;
  }
  const chrome = /Chrom(?:e|ium)\/(\d+)/.exec(g.navigator?.userAgent ?? '');
  return chrome && Number(chrome[1]) >= 136 ? 6 : 4;
}
