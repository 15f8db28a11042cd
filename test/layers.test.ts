// The house is layered: src/runtime/ (Core, handles, loading) at the bottom, the layers
// (nn, loss, optim, data, ...) typed against Core above it, the Engine facade
// (src/engine.ts) over them, and the CLI and the public index on top. Type-only imports
// count. scripts/import-graph.mjs builds the graph; `node scripts/import-graph.mjs`
// prints any cycle.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { cycles, importGraph } from '../scripts/import-graph.mjs';

const graph: Map<string, Set<string>> = importGraph(resolve(__dirname, '../src'));
const edges = [...graph].flatMap(([from, tos]) => [...tos].map((to) => [from, to] as const));

describe('the import graph of src/', () => {
  it('was read (sanity: the facade imports the runtime)', () => {
    expect(graph.get('engine.ts')?.has('runtime/core.ts')).toBe(true);
    expect(graph.size).toBeGreaterThan(40);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('runtime/ names nothing above it (only runtime/ and errors.ts)', () => {
    const bad = edges.filter(([from, to]) => from.startsWith('runtime/') && !to.startsWith('runtime/') && to !== 'errors.ts');
    expect(bad).toEqual([]);
  });

  it('only the top floor (index.ts, cli/) and the applications on it (experiments/, examples/) import the Engine facade', () => {
    const bad = edges.filter(([from, to]) => to === 'engine.ts' && from !== 'index.ts' && !from.startsWith('cli/') && !from.startsWith('experiments/') && !from.startsWith('examples/'));
    expect(bad).toEqual([]);
  });

  it('experiments/ (the gallery, above the facade) is imported only by index.ts and cli/', () => {
    const bad = edges.filter(([from, to]) => to.startsWith('experiments/') && !from.startsWith('experiments/') && from !== 'index.ts' && !from.startsWith('cli/'));
    expect(bad).toEqual([]);
  });

  it('examples/ (runnable examples, above the facade) is imported only by index.ts, cli/ and experiments/ (which reuses their data streams)', () => {
    const bad = edges.filter(([from, to]) => to.startsWith('examples/') && !from.startsWith('examples/') && from !== 'index.ts' && !from.startsWith('cli/') && !from.startsWith('experiments/'));
    expect(bad).toEqual([]);
  });

  it('nothing imports cli/ from outside it, and nothing but the playground (web/) imports index.ts', () => {
    const bad = edges.filter(([from, to]) => (to.startsWith('cli/') && !from.startsWith('cli/')) || (to === 'index.ts' && !from.startsWith('web/')));
    expect(bad).toEqual([]);
  });

  it('the playground (web/) is the top floor: nothing outside it imports it, and it reaches the library only through index.ts', () => {
    const bad = edges.filter(([from, to]) => (to.startsWith('web/') && !from.startsWith('web/')) || (from.startsWith('web/') && !to.startsWith('web/') && to !== 'index.ts'));
    expect(bad).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('finds a cycle through a type import and ignores a chain', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    g.get('c')!.delete('a');
    expect(cycles(g)).toEqual([]);
  });
});
