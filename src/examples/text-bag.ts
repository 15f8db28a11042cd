/**
 * An embedding-bag text classifier on a seeded synthetic corpus with power-law word
 * frequencies, trained with lazy sparse Adam (torch's SparseAdam), dense Adam and SGD.
 *
 * Corpus: V words, K classes; word w belongs to class w mod K and has Zipf frequency
 * ∝ 1/(w + 1)^1.1. A document of class c has L words, each drawn with probability 0.6 from the
 * Zipf law restricted to class c and otherwise from the whole vocabulary (noise).
 * Model: a table E [V, K] (one row per word); a document's logits are the mean of its words'
 * rows, logits = B·E with B the row-normalized bag-of-words batch, and the loss is softmax
 * cross-entropy, so dE = Bᵀ·dlogits (f32_gemm_nn / f32_gemm_tn on planned buffers). Only the
 * rows of the batch's words have a non-zero gradient: sparseAdam updates those rows only
 * (`step(rows)`), Adam and SGD the whole table.
 *
 * The effect (Duchi, Hazan & Singer 2011, §1; the motivation of adaptive methods for sparse
 * features): a rare word's row sees a gradient a few times per epoch and a small one; SGD
 * moves it by lr·g, the adaptive methods by ≈ lr per coordinate whatever the scale of g, so
 * rare rows learn faster. Headline, per method at its best learning rate of a small grid
 * (chosen by held-out accuracy): the mean class margin E[w, c(w)] − mean_{j≠c(w)} E[w, j] of
 * the rare words' rows (the rarer half of the words seen in training) over that of the
 * frequent half. SGD's ratio is small (a row moves in proportion to its word's frequency);
 * the adaptive methods bring rare rows close to the frequent ones.
 */
import type { Engine } from '../engine.js';
import { headlineLines, uniform, type Example, type ExampleOptions, type ExampleResult } from './types.js';

interface Corpus { docs: Int32Array[]; labels: Int32Array }

function corpus(V: number, K: number, n: number, L: number, u: () => number): Corpus {
  const cum = (ws: number[]): Float64Array => {
    const c = new Float64Array(ws.length);
    let s = 0;
    ws.forEach((w, i) => (c[i] = s += (w + 1) ** -1.1));
    return c.map((v) => v / s);
  };
  const pick = (c: Float64Array): number => {
    const r = u();
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const all = Array.from({ length: V }, (_, w) => w);
  const cAll = cum(all);
  const byClass = Array.from({ length: K }, (_, c) => all.filter((w) => w % K === c));
  const cClass = byClass.map(cum);
  const docs: Int32Array[] = [], labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * K);
    labels[i] = c;
    docs.push(Int32Array.from({ length: L }, () => (u() < 0.6 ? byClass[c][pick(cClass[c])] : pick(cAll))));
  }
  return { docs, labels };
}

type Method = 'sparseAdam' | 'adam' | 'sgd';
const GRID: Record<Method, number[]> = { sparseAdam: [0.01, 0.03, 0.1], adam: [0.01, 0.03, 0.1], sgd: [3, 10, 30] };

/** Trains one table; returns held-out accuracy and the rare/frequent word-row accuracies. */
function train(e: Engine, method: Method, lr: number, V: number, K: number, tr: Corpus, te: Corpus, epochs: number, B: number) {
  const k = e.kernels;
  const E = e.vector(V * K);
  const opt = method === 'sgd' ? e.optim.sgd(E, { lr }) : method === 'adam' ? e.optim.adam(E, { lr }) : e.optim.sparseAdam(E, { lr, dim: K });
  const bag = e.tensor([B, V]), logits = e.tensor([B, K]), dl = e.tensor([B, K]);
  const seen = new Uint8Array(V);
  const rows = new Int32Array(V);
  const fill = (c: Corpus, start: number, n: number): Int32Array => {
    const b = bag.data;
    b.fill(0);
    for (let r = 0; r < n; r++) {
      const d = c.docs[start + r];
      for (const w of d) b[r * V + w] += 1 / d.length;
    }
    return c.labels.subarray(start, start + n);
  };
  try {
    for (let ep = 0; ep < epochs; ep++) {
      for (let s = 0; s + B <= tr.docs.length; s += B) {
        const y = fill(tr, s, B);
        let nr = 0;
        for (let r = 0; r < B; r++) for (const w of tr.docs[s + r]) if (seen[w] !== ep + 1) { seen[w] = ep + 1; rows[nr++] = w; }
        k.f32_gemm_nn(B, K, V, bag.ptr, V, E.paramsPtr, K, logits.ptr, K, 1, 0);
        e.loss.evaluate('softmaxCrossEntropy', logits, y, dl);
        k.f32_gemm_tn(V, K, B, bag.ptr, V, dl.ptr, K, E.gradsPtr, K, 1, 0);
        if (method === 'sparseAdam') opt.step(rows.subarray(0, nr));
        else opt.step();
      }
    }
    // held-out accuracy
    let correct = 0, total = 0;
    for (let s = 0; s + B <= te.docs.length; s += B) {
      const y = fill(te, s, B);
      k.f32_gemm_nn(B, K, V, bag.ptr, V, E.paramsPtr, K, logits.ptr, K, 1, 0);
      const o = logits.data;
      for (let r = 0; r < B; r++) {
        let best = 0;
        for (let j = 1; j < K; j++) if (o[r * K + j] > o[r * K + best]) best = j;
        if (best === y[r]) correct++;
        total++;
      }
    }
    // word rows: does argmax E[w] name w's class? (words seen in training, split by frequency rank)
    const words = Array.from({ length: V }, (_, w) => w).filter((w) => seen[w] > 0);
    const p = E.params;
    /** the row's margin for its class: E[w, c(w)] − mean of the other entries */
    const margin = (w: number): number => {
      let others = 0;
      for (let j = 0; j < K; j++) if (j !== w % K) others += p[w * K + j];
      return p[w * K + (w % K)] - others / (K - 1);
    };
    const half = words.length >> 1;
    const freq = words.slice(0, half), rare = words.slice(half);
    const mean = (ws: number[]): number => ws.reduce((a, w) => a + margin(w), 0) / Math.max(ws.length, 1);
    return { accuracy: correct / total, rare: mean(rare), frequent: mean(freq) };
  } finally {
    for (const t of [bag, logits, dl]) t.dispose();
    opt.dispose();
    E.dispose();
  }
}

export const textBag: Example = {
  name: 'text-bag',
  title: 'Embedding-bag text classifier: lazy sparse Adam vs dense Adam vs SGD',
  shows: "rare words' rows learn faster under the adaptive methods (Zipf-distributed corpus)",
  async run(e: Engine, o: ExampleOptions): Promise<ExampleResult> {
    const log = o.log ?? (() => {});
    const quick = o.quick ?? false;
    const V = quick ? 600 : 2000, K = 4, L = 8, epochs = quick ? 3 : 5, B = 32;
    const u = uniform(o.seed ?? 0);
    const tr = corpus(V, K, quick ? 1200 : 4000, L, u), te = corpus(V, K, quick ? 640 : 1280, L, u);
    log(`corpus: ${V} words (Zipf 1.1), ${K} classes, ${tr.docs.length} training / ${te.docs.length} held-out documents of ${L} words; ${epochs} epochs, batch ${B}`);
    const headline: Record<string, number> = {};
    for (const m of ['sparseAdam', 'adam', 'sgd'] as Method[]) {
      let best: ReturnType<typeof train> & { lr: number } = { accuracy: -1, rare: 0, frequent: 0, lr: 0 };
      for (const lr of GRID[m]) {
        const r = train(e, m, lr, V, K, tr, te, epochs, B);
        if (r.accuracy > best.accuracy) best = { ...r, lr };
      }
      log(`${m.padEnd(10)} lr ${String(best.lr).padEnd(5)} held-out accuracy ${best.accuracy.toFixed(3)}  class margin: rare rows ${best.rare.toFixed(3)}, frequent ${best.frequent.toFixed(3)}`);
      headline[`${m}.accuracy`] = best.accuracy;
      headline[`${m}.rareOverFrequent`] = best.rare / best.frequent;
    }
    for (const l of headlineLines(headline)) log(l);
    return { headline };
  },
};
