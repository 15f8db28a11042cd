/**
 * mulberry32 (Tommy Ettinger, 2017): a 32-bit generator with one u32 of state, for the
 * deterministic data of examples and tests, PCGrad's task orders and start vectors. It is
 * independent of the core's RNG and of `Random` (xoshiro128**, the generator the data
 * pipeline saves in checkpoints). Step: a += 0x6d2b79f5; t = a; t = (t ^ t >>> 15)·(t | 1);
 * t ^= t + (t ^ t >>> 7)·(t | 61); out = t ^ t >>> 14 (32-bit products).
 */

/** The next u32 of the stream whose state is `state[0]` (advanced in place). */
export function mulberry32Next(state: Uint32Array): number {
  let t = (state[0] = (state[0] + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A uniform generator on [0, 1) (u32 / 2³²) seeded with `seed` (its low 32 bits). */
export function mulberry32(seed: number): () => number {
  const state = Uint32Array.of(seed >>> 0);
  return () => mulberry32Next(state) / 4294967296;
}
