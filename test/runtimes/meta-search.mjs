// search({ parallel: 2 }) with a { module, export } objective in this runtime (Deno, Bun: module
// Workers from a Blob URL), against the built package: the same trials as in-process, and an
// abort that rejects with its reason. Prints `META {json}`. Run by test/meta.runtimes.test.ts.
const lib = await import(new URL('../../dist/index.js', import.meta.url).href);
const module = new URL('../fixtures/meta-objective.mjs', import.meta.url).href;
const sp = { x1: lib.space.uniform(-5, 10), x2: lib.space.uniform(0, 15) };
const a = await lib.search({ space: sp, budget: 12, method: 'tournament', seed: 3, parallel: 2, objective: { module, export: 'shuffled' } });
const b = await lib.search({ space: sp, budget: 12, method: 'tournament', seed: 3, inProcess: true, objective: { module, export: 'branin' } });
const ac = new AbortController();
const p = lib.search({ space: sp, budget: 10, parallel: 2, signal: ac.signal, objective: { module, export: 'forever' } });
setTimeout(() => ac.abort(new Error('stop')), 300);
let aborted = false;
try {
  await p;
} catch (e) {
  aborted = e instanceof Error && e.message === 'stop';
}
console.log(`META ${JSON.stringify({ same: JSON.stringify(a.trials) === JSON.stringify(b.trials), trials: a.trials.length, aborted })}`);
