// The comparison of docs/meta-optimization.md: every search method on noisy Branin and
// Hartmann-6 at an equal budget, 10 seeds; prints the markdown table (mean ± sd of the true
// regret f(best config) − f*) and writes the best-so-far charts to docs/img/.
// Run: npm run build && node scripts/meta-compare.mjs [--write]
import { writeFileSync } from 'node:fs';

export const BUDGET = 60;
export const SEEDS = 10;
export const NOISE = { branin: 0.4, hartmann6: 0.1 };

/** Runs the comparison with the library `lib` (dist/index.js or src/index.ts). */
export async function compare(lib) {
  const rows = [];
  const charts = {};
  for (const b of lib.searchBenchmarks) {
    const runs = [];
    for (const method of lib.SEARCH_METHODS) {
      const results = [];
      for (let seed = 0; seed < SEEDS; seed++) {
        results.push(await lib.search({ space: b.space, objective: lib.noisyBenchmark(b, NOISE[b.name]), budget: BUDGET, method, seed }));
      }
      const regret = results.map((r) => b.f(r.best.config) - b.min);
      const mean = regret.reduce((a, c) => a + c, 0) / SEEDS;
      const sd = Math.sqrt(regret.reduce((a, c) => a + (c - mean) ** 2, 0) / (SEEDS - 1));
      const trials = results.reduce((a, r) => a + r.trials.length, 0) / SEEDS;
      const spent = results.reduce((a, r) => a + r.spent, 0) / SEEDS;
      rows.push({ problem: b.name, method, mean, sd, trials, spent });
      runs.push({ name: method, results });
    }
    charts[b.name] = lib.searchChart(runs, {
      title: `${b.name} + N(0, ${NOISE[b.name]}²): mean true regret of the best so far (${SEEDS} seeds)`,
      yLabel: 'f(best config) − f*',
      value: (config) => b.f(config) - b.min,
      logY: true,
    });
  }
  return { rows, charts };
}

export function table(rows) {
  const problems = [...new Set(rows.map((r) => r.problem))];
  const methods = [...new Set(rows.map((r) => r.method))];
  const cell = (p, m) => {
    const r = rows.find((x) => x.problem === p && x.method === m);
    return `${r.mean.toFixed(3)} ± ${r.sd.toFixed(3)}`;
  };
  return [
    `| method | ${problems.join(' | ')} |`,
    `| --- | ${problems.map(() => '---:').join(' | ')} |`,
    ...methods.map((m) => `| ${m} | ${problems.map((p) => cell(p, m)).join(' | ')} |`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lib = await import('../dist/index.js');
  const { rows, charts } = await compare(lib);
  console.log(table(rows));
  for (const r of rows) console.log(`${r.problem} ${r.method}: ${r.trials} trials, budget ${r.spent.toFixed(2)}`);
  if (process.argv.includes('--write')) {
    for (const [name, svg] of Object.entries(charts)) writeFileSync(new URL(`../docs/img/meta-${name}.svg`, import.meta.url), svg);
  }
}
