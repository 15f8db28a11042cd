/**
 * Replica exchange (parallel tempering; Swendsen & Wang 1986, Geyer 1991,
 * Earl & Deem 2005 for a review): M chains at temperatures T_1 < ... < T_M,
 * each doing Metropolis moves on the loss f in the unit cube, with swap
 * proposals between neighbouring temperatures.
 *
 *   move (chain i):  x' = reflect(x + σ_i z), accepted with
 *                    p = min(1, exp(-(f(x') - f(x)) / T_i))          (Metropolis)
 *   swap (i, i+1):   accepted with
 *                    p = min(1, exp((1/T_i - 1/T_{i+1}) (f(x_i) - f(x_{i+1}))))
 *
 * (the swap keeps the product of the chains' Boltzmann distributions
 * exp(-f/T_i) invariant). With one temperature no swap is ever proposed and
 * the method is plain Metropolis. Swaps alternate between the even pairs
 * (1,2), (3,4), ... and the odd pairs (2,3), ... every `swapEvery` sweeps.
 *
 * Default ladder: the losses are on an unknown scale, so the first round of
 * evaluations (`init` uniform points, the best M of them start the chains,
 * coldest first) sets s = their standard deviation and T_i = s·tMin·(tMax/tMin)^((i-1)/(M-1)).
 * Steps grow geometrically from `stepMin` (coldest) to `stepMax` (hottest).
 */
import { perturb, samplePoint } from './space.js';
import { checkInt, checkReal } from './tournament.js';
import { rank, type SearchContext } from './trials.js';
import { ValueError } from '../errors.js';

export interface ReplicaOptions {
  /** number of chains (default 4; ignored when `temperatures` is given) */
  chains?: number;
  /** the ladder itself, increasing and positive (default: from the first round, see above) */
  temperatures?: number[];
  /** coldest and hottest temperature relative to the first round's spread (defaults 0.02, 1) */
  tMin?: number;
  tMax?: number;
  /** proposal scales in the unit cube for the coldest and the hottest chain (defaults 0.05, 0.3) */
  stepMin?: number;
  stepMax?: number;
  /** sweeps (one move per chain) between swap rounds (default 1) */
  swapEvery?: number;
  /** uniform points evaluated first (default 2 M) */
  init?: number;
}

/** One proposed move or swap, as decided. */
export interface ReplicaEvent {
  kind: 'move' | 'swap';
  /** chain (move) or lower chain of the pair (swap) */
  chain: number;
  /** move: current and proposed loss; swap: losses of chains i and i+1 */
  f0: number;
  f1: number;
  /** move: [T_i]; swap: [T_i, T_{i+1}] */
  temperatures: number[];
  probability: number;
  accepted: boolean;
}

/** Metropolis acceptance of a move from loss f0 to f1 at temperature T: min(1, exp(-(f1 - f0)/T)). */
export function metropolisAcceptance(f0: number, f1: number, T: number): number {
  if (!(f1 < Infinity)) return 0;
  return Math.min(1, Math.exp(-(f1 - f0) / T));
}

/** Swap acceptance of chains at Ti, Tj with losses fi, fj: min(1, exp((1/Ti - 1/Tj)(fi - fj))). */
export function swapAcceptance(fi: number, fj: number, Ti: number, Tj: number): number {
  if (fi === fj) return 1;
  return Math.min(1, Math.exp((1 / Ti - 1 / Tj) * (fi - fj)));
}

export async function replicaExchange(ctx: SearchContext, o: ReplicaOptions): Promise<void> {
  const op = 'search (replica-exchange)';
  let temps = o.temperatures;
  if (temps !== undefined) {
    if (!Array.isArray(temps) || temps.length === 0 || temps.some((t, i) => !(t > 0 && t < Infinity) || (i > 0 && !(t > temps![i - 1])))) {
      throw new ValueError(`${op}: temperatures must be a non-empty increasing array of positive numbers, got ${JSON.stringify(temps)}`);
    }
  }
  const M = temps?.length ?? checkInt(op, 'chains', o.chains ?? 4, 1, 64);
  const tMin = checkReal(op, 'tMin', o.tMin ?? 0.02, 1e-12, 1e12);
  const tMax = checkReal(op, 'tMax', o.tMax ?? 1, tMin, 1e12);
  const stepMin = checkReal(op, 'stepMin', o.stepMin ?? 0.05, 0, 10);
  const stepMax = checkReal(op, 'stepMax', o.stepMax ?? 0.3, stepMin, 10);
  const swapEvery = checkInt(op, 'swapEvery', o.swapEvery ?? 1, 1);
  const init = checkInt(op, 'init', o.init ?? 2 * M, M);
  const d = ctx.names.length;
  const rng = ctx.rng;

  const first = Array.from({ length: init }, () => samplePoint(rng, d));
  const ts = await ctx.evaluate(first.map((u) => ({ u, tag: { phase: 'init' } })));
  const order = ts.map((t, i) => ({ u: first[i], f: rank(t) })).sort((a, b) => a.f - b.f);
  if (order.length < M) return; // budget too small for one round
  if (temps === undefined) {
    const ok = order.filter((c) => c.f < Infinity).map((c) => c.f);
    const mean = ok.reduce((a, b) => a + b, 0) / Math.max(ok.length, 1);
    const sd = Math.sqrt(ok.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(ok.length - 1, 1));
    const s = sd > 0 ? sd : 1;
    temps = Array.from({ length: M }, (_, i) => s * (M === 1 ? tMin : tMin * (tMax / tMin) ** (i / (M - 1))));
  }
  const T = temps;
  const steps = Array.from({ length: M }, (_, i) => (M === 1 ? stepMin : stepMin * (stepMax / stepMin || 1) ** (i / (M - 1))));
  const chains = order.slice(0, M).map((c) => ({ u: c.u, f: c.f }));
  const events: ReplicaEvent[] = [];
  const moves = { proposed: new Array<number>(M).fill(0), accepted: new Array<number>(M).fill(0) };
  const swaps = { proposed: new Array<number>(Math.max(M - 1, 0)).fill(0), accepted: new Array<number>(Math.max(M - 1, 0)).fill(0) };
  ctx.info.temperatures = T;
  ctx.info.steps = steps;
  ctx.info.moves = moves;
  ctx.info.swaps = swaps;
  ctx.info.events = events;

  for (let sweep = 1; ctx.fits(1); sweep++) {
    const props = chains.map((c, i) => perturb(rng, c.u, steps[i]));
    const done = await ctx.evaluate(props.map((u, i) => ({ u, tag: { chain: i, sweep } })));
    if (done.length === 0) break;
    for (let i = 0; i < done.length; i++) {
      const f1 = rank(done[i]);
      const p = metropolisAcceptance(chains[i].f, f1, T[i]);
      const accepted = p >= 1 || rng.uniform() < p;
      events.push({ kind: 'move', chain: i, f0: chains[i].f, f1, temperatures: [T[i]], probability: p, accepted });
      moves.proposed[i]++;
      if (accepted) {
        moves.accepted[i]++;
        chains[i] = { u: props[i], f: f1 };
      }
    }
    if (M > 1 && sweep % swapEvery === 0) {
      const parity = (sweep / swapEvery) % 2;
      for (let i = parity; i + 1 < M; i += 2) {
        const p = swapAcceptance(chains[i].f, chains[i + 1].f, T[i], T[i + 1]);
        const accepted = p >= 1 || rng.uniform() < p;
        events.push({ kind: 'swap', chain: i, f0: chains[i].f, f1: chains[i + 1].f, temperatures: [T[i], T[i + 1]], probability: p, accepted });
        swaps.proposed[i]++;
        if (accepted) {
          swaps.accepted[i]++;
          [chains[i], chains[i + 1]] = [chains[i + 1], chains[i]];
        }
      }
    }
  }
  ctx.info.moveAcceptance = moves.proposed.map((n, i) => (n ? moves.accepted[i] / n : NaN));
  ctx.info.swapAcceptance = swaps.proposed.map((n, i) => (n ? swaps.accepted[i] / n : NaN));
}
