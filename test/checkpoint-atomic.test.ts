// Atomic checkpoint saves (issue 12, item 12): a fault injected at every write,
// fsync, rename, remove and mkdir of a save, in three ways (the operation fails
// and does nothing; it takes effect and then reports an error; the process
// "crashes": it and every later operation fail, so no cleanup runs), must leave
// a directory from which the last good checkpoint, or the new one, loads
// complete: never a mix, never nothing when there was something. A later clean
// save must then succeed and load.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IoError, readCheckpoint, saveCheckpoint, type Engine, type FileApi, type Sequential } from '../src/index.js';
import { nodeFiles } from '../src/io/files.js';
import { engineFor, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

type Mode = 'fail' | 'after' | 'crash';

/** A FileApi over the real one that fails its `failAt`-th mutating operation (1-based). */
class FaultyFiles implements FileApi {
  ops = 0;
  injected: string | null = null;
  constructor(
    private readonly real: FileApi,
    private readonly failAt: number,
    private readonly mode: Mode,
    private readonly code: string,
  ) {}

  private async op<T>(what: string, run: () => Promise<T>, partial?: () => Promise<unknown>): Promise<T> {
    this.ops++;
    const err = () => Object.assign(new Error(`injected ${this.code} at ${what}`), { code: this.code });
    if (this.injected !== null && this.mode === 'crash') throw err();
    if (this.ops !== this.failAt) return run();
    this.injected = what;
    if (this.mode === 'after') await run();
    else if (partial) await partial(); // a write that ran out of space half-way
    throw err();
  }

  readFile(p: string): Promise<Uint8Array> {
    if (this.injected !== null && this.mode === 'crash') return Promise.reject(Object.assign(new Error('crashed'), { code: 'EIO' }));
    return this.real.readFile(p);
  }
  writeFile(p: string, d: Uint8Array): Promise<void> {
    return this.op(`writeFile ${p}`, () => this.real.writeFile(p, d), () => this.real.writeFile(p, d.subarray(0, d.length >> 1)));
  }
  fsync(p: string): Promise<void> {
    return this.op(`fsync ${p}`, () => this.real.fsync(p));
  }
  rename(a: string, b: string): Promise<void> {
    return this.op(`rename ${a}`, () => this.real.rename(a, b));
  }
  rm(p: string): Promise<void> {
    return this.op(`rm ${p}`, () => this.real.rm(p));
  }
  mkdir(p: string): Promise<void> {
    return this.op(`mkdir ${p}`, () => this.real.mkdir(p));
  }
}

/** Model A (epoch 1) and the same model after changing its parameters (B, epoch 2) and again (C, epoch 3). */
function states(engine: Engine): { model: Sequential; opt: ReturnType<Engine['optim']['adam']>; set(k: 1 | 2 | 3): void; params: Record<number, Float32Array> } {
  const model = engine.nn.mlp([3, 5, 2], { activation: 'tanh', seed: 3 });
  const opt = engine.optim.adam(model, { lr: 0.01 });
  const p0 = model.parameters();
  const params: Record<number, Float32Array> = {};
  for (const k of [1, 2, 3]) params[k] = p0.map((v) => v * k + k);
  return { model, opt, params, set: (k) => model.setParameters(params[k]) };
}

/** Reads `dir` with the real file system; returns the epoch of the checkpoint found, checking that it is complete and unmixed. */
async function loadedEpoch(dir: string, params: Record<number, Float32Array>): Promise<number | null> {
  let ck;
  try {
    ck = await readCheckpoint(dir);
  } catch (e) {
    // nothing saved yet is the only acceptable failure
    expect(e, String(e)).toBeInstanceOf(IoError);
    expect((e as IoError).code).toBe('ENOENT');
    return null;
  }
  const epoch = ck.training?.epoch as number;
  expect([1, 2, 3]).toContain(epoch);
  const flat = new Float32Array(ck.tensors.reduce((n, t) => n + t.data.length, 0));
  let off = 0;
  for (const t of ck.tensors) {
    flat.set(t.data, off);
    off += t.data.length;
  }
  expect(flat, `weights of epoch ${epoch}`).toEqual(params[epoch]);
  expect(ck.optimizer).toBeDefined();
  return epoch;
}

describe('atomic checkpoint saves under injected faults', () => {
  it.each(['fail', 'after', 'crash'] as const)('a fault at every file operation (%s) leaves the last good or the new checkpoint', async (mode) => {
    const engine = await engineFor('simd');
    const real = await nodeFiles();
    const { model, opt, set, params } = states(engine);
    let completed = false;
    let faults = 0;
    const seen = new Set<number | null>();
    for (let k = 1; !completed; k++) {
      expect(k, 'a save should need fewer than 40 file operations').toBeLessThan(40);
      for (const first of [false, true]) {
        const dir = join(tempDir('wasmgrad-atomic-'), 'ck');
        if (!first) {
          set(1);
          await saveCheckpoint(dir, model, { optimizer: opt, training: { epoch: 1 } });
        }
        set(2);
        const files = new FaultyFiles(real, k, mode, k % 2 ? 'ENOSPC' : 'EIO');
        let err: unknown = null;
        await saveCheckpoint(dir, model, { optimizer: opt, training: { epoch: 2 }, files }).catch((e) => (err = e));
        if (files.injected === null) {
          expect(err).toBeNull();
          completed = true;
        } else {
          faults++;
          // the save reports the fault as an IoError naming a path in the directory (or the directory)
          expect(err, `fault at ${files.injected}`).toBeInstanceOf(IoError);
          expect((err as IoError).path.startsWith(dir)).toBe(true);
        }
        const epoch = await loadedEpoch(dir, params);
        seen.add(epoch);
        if (first) expect([null, 2], `first save, fault at ${files.injected}`).toContain(epoch);
        else expect([1, 2], `fault at ${files.injected}`).toContain(epoch);
        if (files.injected === null) expect(epoch).toBe(2);
        // the next save (no fault) completes whatever was interrupted and wins
        set(3);
        await saveCheckpoint(dir, model, { optimizer: opt, training: { epoch: 3 } });
        expect(await loadedEpoch(dir, params)).toBe(3);
        expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'model.safetensors']);
      }
    }
    // the faults hit every operation of the save: at least the 2 writes, 2 fsyncs, 2 renames and the mkdir
    expect(faults).toBeGreaterThanOrEqual(2 * 7);
    // and both outcomes occurred: some faults keep the old checkpoint, later ones (after the commit) the new one
    expect(seen.has(1)).toBe(true);
    expect(seen.has(2)).toBe(true);
    model.dispose();
  });

  it('between the commit and the completion the new pair loads; the next save completes it', async () => {
    const engine = await engineFor('simd');
    const real = await nodeFiles();
    const { model, opt, set, params } = states(engine);
    const dir = join(tempDir('wasmgrad-atomic-'), 'ck');
    set(1);
    await saveCheckpoint(dir, model, { optimizer: opt, training: { epoch: 1 } });
    set(2);
    // fail exactly the sidecar's rename: the weights are already the new ones
    const files: FileApi = { ...real, rename: (a, b) => (a.endsWith('checkpoint.json.next') ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) : real.rename(a, b)) };
    await expect(saveCheckpoint(dir, model, { optimizer: opt, training: { epoch: 2 }, files })).rejects.toThrow(`${dir}/checkpoint.json: cannot rename ${dir}/checkpoint.json.next onto it (EIO)`);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'checkpoint.json.next', 'model.safetensors']);
    expect(await loadedEpoch(dir, params)).toBe(2);
    // a save whose staging fails now must not lose that pair: it completes the interrupted commit first
    const noSpace: FileApi = { ...real, writeFile: () => Promise.reject(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })) };
    set(3);
    await expect(saveCheckpoint(dir, model, { optimizer: opt, training: { epoch: 3 }, files: noSpace })).rejects.toThrow(IoError);
    expect(await loadedEpoch(dir, params)).toBe(2);
    expect(existsSync(join(dir, 'checkpoint.json.next'))).toBe(false);
    model.dispose();
  });
});
