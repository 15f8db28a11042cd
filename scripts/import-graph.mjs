// The import graph of src/ (every `import`/`export ... from` with a relative specifier,
// type-only imports included) and its cycles, for test/layers.test.ts and by hand:
//   node scripts/import-graph.mjs        prints the cycles (exit 1 when there is one)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^;]*?\bfrom\s*['"](\.[^'"]+)['"]|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every .ts file under `dir`, as paths relative to `root`. */
function sources(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(root, path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [relative(root, path)] : [];
  });
}

/** Resolves `./x.js` (or `./x`, `./dir`) written in `from` to a source file of the graph. */
function target(root, from, spec, files) {
  const base = resolve(root, dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    const rel = relative(root, candidate);
    if (files.has(rel)) return rel;
  }
  return null; // a .wasm, .json or a file outside src/
}

/** `Map<file, Set<file it imports>>` over every .ts file under `root`. */
export function importGraph(root) {
  const files = new Set(sources(root));
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const edges = new Set();
    for (const m of text.matchAll(SPECIFIER)) {
      const to = target(root, file, m[1] ?? m[2] ?? m[3], files);
      if (to !== null && to !== file) edges.add(to);
    }
    graph.set(file, edges);
  }
  return graph;
}

/** The strongly connected components with more than one file (Tarjan), each sorted. */
export function cycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], found = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const found = cycles(importGraph(resolve(dirname(process.argv[1]), '..', 'src')));
  for (const c of found) console.log(`cycle of ${c.length} files: ${c.join(' ')}`);
  console.log(found.length === 0 ? 'no import cycle in src/' : `${found.length} cycle(s)`);
  process.exit(found.length === 0 ? 0 : 1);
}
