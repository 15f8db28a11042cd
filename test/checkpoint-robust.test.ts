// Checkpoint integrity (issue 12, items 5, 6, 10, 11, 13): corrupt or tampered
// sidecars and weights are FormatErrors, loaded state is validated (finite
// moments, second moments >= 0, integer counts, RNG words, the optimizer's own
// structure, the layer kinds), and a load that throws has changed nothing.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyCheckpoint,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  FormatError,
  IoError,
  loadCheckpoint,
  saveCheckpoint,
  ValueError,
  type Engine,
  type Sequential,
} from '../src/index.js';
import { BUILDS, engineFor, fails, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

type Opt = ReturnType<Engine['optim']['adam']>;

/** A 3-4-2 MLP and an optimizer after two real steps (so moments and counts are non-trivial). */
function trained(engine: Engine, opts: { activation?: 'relu' | 'tanh'; optimizer?: 'adam' | 'nadam'; seed?: number } = {}): { model: Sequential; opt: Opt } {
  const model = engine.nn.mlp([3, 4, 2], { activation: opts.activation ?? 'relu', seed: opts.seed ?? 1 });
  const opt = engine.optim[opts.optimizer ?? 'adam'](model, { lr: 0.01 }) as Opt;
  const x = engine.tensor([2, 3], [0.5, -1, 2, 1.5, 0.25, -0.75]);
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    model.lossAndGrad(x, Int32Array.of(0, 1), 'softmaxCrossEntropy');
    opt.step();
  }
  x.dispose();
  return { model, opt };
}

/** Everything a failed load must leave as it was. */
function snapshot(model: Sequential, opt: Opt): unknown {
  return { p: model.parameters(), r: model.rngState(), o: opt.state() };
}

/** An optimizer stand-in whose state() returns `state` (so encodeCheckpoint seals a tampered state with a valid checksum). */
const fixed = (state: unknown) => ({ state: () => state, loadState: () => undefined });

describe('bad arguments (item 5)', () => {
  it('decodeCheckpoint(null), a sidecar that is not text, a model that is not a model', async () => {
    fails(ValueError, () => decodeCheckpoint(null as never), 'decodeCheckpoint: weights must be the Uint8Array of a safetensors file, got null');
    const engine = await engineFor('simd');
    const { model } = trained(engine);
    const { weights } = encodeCheckpoint(model);
    fails(ValueError, () => decodeCheckpoint(weights, 42 as never), 'decodeCheckpoint: sidecar must be the checkpoint.json text or undefined, got 42');
    fails(ValueError, () => encodeCheckpoint(null as never), 'encodeCheckpoint: model must be a model');
    fails(ValueError, () => applyCheckpoint(model, null as never), 'checkpointParameters: ckpt must be a decoded checkpoint');
    fails(ValueError, () => encodeCheckpoint(model, { metadata: { 'wasmgrad.layers': 'x' } }), 'metadata key "wasmgrad.layers" is reserved');
    model.dispose();
  });
});

describe.each(BUILDS)('checkpoint integrity (%s)', (build) => {
  it('a sidecar with one changed character is a FormatError (its own checksum), and nothing is written', async () => {
    const engine = await engineFor(build);
    const { model, opt } = trained(engine);
    const { weights, sidecar } = encodeCheckpoint(model, { optimizer: opt, training: { epoch: 1 } });
    const target = trained(engine, { seed: 9 });
    const before = snapshot(target.model, target.opt);
    const parsed = JSON.parse(sidecar);
    // one base64 character of Adam's m
    const m: string = parsed.optimizer.groups[0].buffers.m.$f32;
    const at = sidecar.indexOf(m) + 5;
    const flipped = sidecar.slice(0, at) + (sidecar[at] === 'A' ? 'B' : 'A') + sidecar.slice(at + 1);
    expect(flipped).not.toBe(sidecar);
    // stepCount 2 -> 500
    const steps = sidecar.replace('"stepCount":2', '"stepCount":500');
    expect(steps).not.toBe(sidecar);
    for (const bad of [flipped, steps]) {
      fails(FormatError, () => applyCheckpoint(target.model, decodeCheckpoint(weights, bad, 'ck'), { optimizer: target.opt }), 'ck/checkpoint.json: checksum mismatch');
    }
    // a sidecar without its checksum, or of the previous format version
    const { checksum, ...unsealed } = parsed;
    expect(checksum).toMatch(/^fnv1a32:[0-9a-f]{8}$/);
    fails(FormatError, () => decodeCheckpoint(weights, JSON.stringify(unsealed), 'ck'), 'checksum mismatch');
    fails(FormatError, () => decodeCheckpoint(weights, JSON.stringify({ ...unsealed, version: 1 }), 'ck'), 'version 1 is not supported');
    // whitespace does not matter: the checksum is over the canonical JSON
    expect(() => decodeCheckpoint(weights, JSON.stringify(parsed, null, 2))).not.toThrow();
    expect(snapshot(target.model, target.opt)).toEqual(before);
    model.dispose();
    target.model.dispose();
  });

  it('NaN or Infinity moments, negative second moments, bad counts: FormatError at decode and at apply', async () => {
    const engine = await engineFor(build);
    const { model, opt } = trained(engine);
    const target = trained(engine, { seed: 9 });
    const before = snapshot(target.model, target.opt);
    const good = opt.state();
    const tamper = (f: (s: ReturnType<Opt['state']>) => void) => {
      const s = structuredClone(good);
      f(s);
      return s;
    };
    const cases: [ReturnType<Opt['state']>, string][] = [
      [tamper((s) => (s.groups[0].buffers.v[3] = NaN)), 'optimizer.groups[0].buffers.v[3] is NaN'],
      [tamper((s) => (s.groups[0].buffers.m[0] = Infinity)), 'optimizer.groups[0].buffers.m[0] is Infinity'],
      [tamper((s) => (s.groups[0].buffers.v[1] = -0.5)), 'optimizer.groups[0].buffers.v[1] is -0.5; a second-moment buffer must be ≥ 0'],
      [tamper((s) => (s.stepCount = 2.5)), 'optimizer.stepCount is 2.5'],
      [tamper((s) => (s.stepCount = -1)), 'optimizer.stepCount is -1'],
      [tamper((s) => (s.skippedSteps = 3)), 'optimizer.skippedSteps (3) exceeds optimizer.stepCount (2)'],
    ];
    for (const [state, msg] of cases) {
      // sealed by our own encoder: the checksum is right, the values are not
      const enc = encodeCheckpoint(model, { optimizer: fixed(state) });
      fails(FormatError, () => decodeCheckpoint(enc.weights, enc.sidecar, 'ck'), `ck/checkpoint.json: ${msg}`);
      // a decoded checkpoint built by hand goes through the same checks in applyCheckpoint
      const ck = { ...decodeCheckpoint(enc.weights), optimizer: state };
      fails(FormatError, () => applyCheckpoint(target.model, ck, { optimizer: target.opt, file: 'ck' }), `ck: ${msg}`);
      expect(snapshot(target.model, target.opt)).toEqual(before);
    }
    model.dispose();
    target.model.dispose();
  });

  it("the optimizer state must have the optimizer's own structure: scalars: {} and extra keys are refused", async () => {
    const engine = await engineFor(build);
    const { model, opt } = trained(engine, { optimizer: 'nadam' });
    const target = trained(engine, { optimizer: 'nadam', seed: 9 });
    const before = snapshot(target.model, target.opt);
    const good = opt.state();
    expect(Object.keys(good.groups[0].scalars)).toEqual(['muProduct']);
    const base = decodeCheckpoint(encodeCheckpoint(model).weights);
    const noScalars = { ...good, groups: [{ ...good.groups[0], scalars: {} }] };
    fails(FormatError, () => applyCheckpoint(target.model, { ...base, optimizer: noScalars }, { optimizer: target.opt, file: 'ck' }), 'optimizer.groups[0].scalars has keys {}', 'missing muProduct');
    const extra = { ...good, groups: [{ ...good.groups[0], buffers: { ...good.groups[0].buffers, w: new Float32Array(good.groups[0].length) } }] };
    fails(FormatError, () => applyCheckpoint(target.model, { ...base, optimizer: extra }, { optimizer: target.opt, file: 'ck' }), 'unexpected w');
    const short = { ...good, groups: [{ ...good.groups[0], buffers: { ...good.groups[0].buffers, m: new Float32Array(3) } }] };
    fails(FormatError, () => applyCheckpoint(target.model, { ...base, optimizer: short }, { optimizer: target.opt, file: 'ck' }), 'optimizer.groups[0].buffers.m must be a Float32Array of 26');
    const nanScalar = { ...good, groups: [{ ...good.groups[0], scalars: { muProduct: NaN } }] };
    fails(FormatError, () => applyCheckpoint(target.model, { ...base, optimizer: nanScalar }, { optimizer: target.opt, file: 'ck' }), 'optimizer.groups[0].scalars.muProduct is NaN');
    expect(snapshot(target.model, target.opt)).toEqual(before);
    // the real state loads
    applyCheckpoint(target.model, { ...base, optimizer: good }, { optimizer: target.opt });
    expect(target.opt.state()).toEqual(good);
    expect(target.model.parameters()).toEqual(model.parameters());
    model.dispose();
    target.model.dispose();
  });

  it('a modelRng of four zero words is refused before anything is written (item 10)', async () => {
    const engine = await engineFor(build);
    const { model, opt } = trained(engine);
    const target = trained(engine, { seed: 9 });
    const before = snapshot(target.model, target.opt);
    const enc = encodeCheckpoint(model, { optimizer: opt });
    const ck = decodeCheckpoint(enc.weights, enc.sidecar);
    for (const rng of [Uint32Array.of(0, 0, 0, 0), [1, 2, 3], [1, 2, 3, 2 ** 32]]) {
      fails(FormatError, () => applyCheckpoint(target.model, { ...ck, modelRng: rng as Uint32Array }, { optimizer: target.opt, file: 'ck' }), 'ck: modelRng');
      expect(snapshot(target.model, target.opt)).toEqual(before);
    }
    // and in a sealed sidecar, at decode
    const zero = { ...model, rngState: () => new Uint32Array(4), parameterRanges: () => model.parameterRanges(), parameters: () => model.parameters(), setParameters: () => undefined };
    const z = encodeCheckpoint(zero as never);
    fails(FormatError, () => decodeCheckpoint(z.weights, z.sidecar, 'ck'), 'ck/checkpoint.json: modelRng is the all-zero state');
    applyCheckpoint(target.model, ck, { optimizer: target.opt });
    expect(target.model.rngState()).toEqual(model.rngState());
    model.dispose();
    target.model.dispose();
  });

  it('a checkpoint of a ReLU model does not load into a tanh model (layer kinds recorded and compared)', async () => {
    const engine = await engineFor(build);
    const { model, opt } = trained(engine, { activation: 'relu' });
    const target = trained(engine, { activation: 'tanh', seed: 9 });
    const before = snapshot(target.model, target.opt);
    const enc = encodeCheckpoint(model, { optimizer: opt });
    expect(decodeSafetensors(enc.weights).metadata['wasmgrad.layers']).toBe('linear,relu,linear');
    fails(FormatError, () => applyCheckpoint(target.model, decodeCheckpoint(enc.weights, enc.sidecar, 'ck'), { optimizer: target.opt, file: 'ck' }), 'ck: was saved from a model with layers linear, relu, linear; this model has linear, tanh, linear');
    // the weights file alone records them too
    fails(FormatError, () => applyCheckpoint(target.model, decodeCheckpoint(enc.weights, undefined, 'ck'), { file: 'ck' }), 'linear, relu, linear');
    expect(snapshot(target.model, target.opt)).toEqual(before);
    model.dispose();
    target.model.dispose();
  });

  it('weights-only: a flipped data byte is caught by the checksum in __metadata__ (item 13)', async () => {
    const engine = await engineFor(build);
    const { model } = trained(engine);
    const { weights } = encodeCheckpoint(model);
    const st = decodeSafetensors(weights);
    expect(st.metadata['wasmgrad.checksum']).toMatch(/^fnv1a32:[0-9a-f]{8}$/);
    const target = trained(engine, { seed: 9 });
    const before = target.model.parameters();
    for (const at of [weights.length - 1, weights.length - 40]) {
      const bad = weights.slice();
      bad[at] ^= 0x01;
      fails(FormatError, () => applyCheckpoint(target.model, decodeCheckpoint(bad, undefined, 'w')), 'w/model.safetensors: checksum mismatch');
    }
    // a changed metadata value is caught too (the checksum covers the table and the metadata)
    const edited = weights.slice();
    const at = Buffer.from(weights).indexOf('"producer":"wasmgrad"') + '"producer":"wasmgra'.length;
    expect(String.fromCharCode(edited[at])).toBe('d');
    edited[at] = 'D'.charCodeAt(0);
    fails(FormatError, () => decodeSafetensors(edited, 'w'), 'checksum mismatch');
    expect(target.model.parameters()).toEqual(before);
    // files without the key (PyTorch's) load unchecked, as before
    expect(() => decodeSafetensors(new Uint8Array(readFileSync(new URL('./fixtures/torch_mlp.safetensors', import.meta.url))))).not.toThrow();
    model.dispose();
    target.model.dispose();
  });
});

describe('save I/O errors are IoErrors naming the path (item 5)', () => {
  it('ENOTDIR, and ENOSPC / EIO from the file system', async () => {
    const engine = await engineFor('simd');
    const { model, opt } = trained(engine);
    const dir = tempDir('wasmgrad-io-');
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    let err: unknown;
    await saveCheckpoint(join(file, 'ck'), model).catch((e) => (err = e));
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).code).toBe('ENOTDIR');
    expect((err as IoError).path).toBe(join(file, 'ck'));
    expect((err as Error).message).toBe(`${join(file, 'ck')}: cannot create directory (ENOTDIR)`);
    const { nodeFiles } = await import('../src/io/files.js');
    const real = await nodeFiles();
    for (const code of ['ENOSPC', 'EIO']) {
      const files = { ...real, writeFile: async () => Promise.reject(Object.assign(new Error(`injected ${code}`), { code })) };
      const ck = join(dir, `ck-${code}`);
      mkdirSync(ck);
      err = undefined;
      await saveCheckpoint(ck, model, { optimizer: opt, files }).catch((e) => (err = e));
      expect(err).toBeInstanceOf(IoError);
      expect((err as IoError).code).toBe(code);
      expect((err as Error).message).toBe(`${ck}/model.safetensors.next: cannot write (${code})`);
    }
    // reading a directory that has no checkpoint
    err = undefined;
    await loadCheckpoint(join(dir, 'none'), model).catch((e) => (err = e));
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).code).toBe('ENOENT');
    model.dispose();
  });
});
