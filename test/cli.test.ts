// The command line, spawned as users run it: node dist/cli.js (built by `npm test`'s pretest).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, decodeSafetensors, encodeIdx } from '../src/index.js';
import { gzipSync } from 'node:zlib';
import { removeTempDirs, tempDir } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], cwd = tempDir('wasmgrad-cli-')) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

afterAll(removeTempDirs);

describe('wasmgrad CLI', () => {
  it('the main job (train with no options): spirals, Adam + warm-up cosine, ≥ 95% held-out, files written', () => {
    const r = run(['train', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const start = lines[0], result = lines[lines.length - 1];
    expect(start).toMatchObject({ type: 'start', data: 'spirals', optimizer: 'adam', schedule: 'warmup-cosine', model: [2, 64, 64, 3] });
    expect(lines.filter((l) => l.type === 'epoch').length).toBe(60);
    expect(result.type).toBe('result');
    expect(result.heldOut.accuracy).toBeGreaterThanOrEqual(0.95);
    const out = join(r.cwd, 'wasmgrad-out');
    for (const f of ['history.json', 'history.csv', 'loss.svg', 'boundary.svg', 'checkpoint/model.safetensors', 'checkpoint/checkpoint.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const csv = readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,loss,accuracy,valLoss,valAccuracy,lr,steps,time,samplesPerSec');
    expect(csv.length).toBe(61);
    const weights = new Uint8Array(readFileSync(join(out, 'checkpoint/model.safetensors')));
    const ck = decodeCheckpoint(weights, readFileSync(join(out, 'checkpoint/checkpoint.json'), 'utf8'));
    expect(decodeSafetensors(weights).tensors.map((t) => t.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    expect(ck.training?.epoch).toBe(60);
    expect(readFileSync(join(out, 'boundary.svg'), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('plain progress lines when not a TTY, a result table, --out, options', () => {
    const dir = tempDir('wasmgrad-cli-');
    const r = run(['train', '--data', 'moons', '--samples', '300', '--layers', '16,2', '--optimizer', 'sgd', '--lr', '0.2', '--schedule', 'cosine', '--epochs', '5', '--batch-size', '50', '--out', join(dir, 'run1')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wasmgrad: moons \(240 train \/ 60 held out, 2 features, 2 classes\)/);
    expect(r.out).toMatch(/epoch 1\/5  loss \d\.\d{4}  acc \d+\.\d%  val_loss/);
    expect(r.out).toMatch(/epoch 5\/5 /);
    expect(r.out).toMatch(/held-out \(60\)\s+\d\.\d{4}, accuracy \d+\.\d%/);
    expect(r.out).not.toMatch(/\r/);
    expect(existsSync(join(dir, 'run1', 'history.json'))).toBe(true);
    const q = run(['train', '--data', 'linear', '--layers', '1', '--epochs', '2', '--quiet', '--optimizer', 'adam']);
    expect(q.code).toBe(0);
    expect(q.out).not.toMatch(/epoch 1\//);
    expect(q.out).toMatch(/held-out \(\d+\)\s+\S+, R² /);
  });

  it('trains from a CSV file; a bad CSV is a one-line error naming file, line and column (exit 1)', () => {
    const dir = tempDir('wasmgrad-cli-');
    const good = join(dir, 'xor.csv');
    writeFileSync(good, 'a,b,label\n' + Array.from({ length: 80 }, (_, i) => `${(i % 2) * 2 - 1},${(((i >> 1) % 2) * 2 - 1) * 0.9},${i % 2 ^ ((i >> 1) % 2)}`).join('\n') + '\n');
    const r = run(['train', '--data', good, '--label', 'label', '--layers', '8,2', '--epochs', '3', '--quiet'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/xor\.csv/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '1,2,0\n3,x,1\n');
    const b = run(['train', '--data', bad, '--quiet'], dir);
    expect(b.code).toBe(1);
    expect(b.err).toBe(`wasmgrad: FormatError: ${bad}: line 2, column 2: "x" is not a number\n`);
    // hostile values (issue 12, items 3 and 4): exit 1 with file, line and column, at once
    const huge = join(dir, 'huge.csv');
    writeFileSync(huge, 'a,y\n1,0\n2,1e10\n3,1\n');
    const h = run(['train', '--data', huge, '--quiet'], dir);
    expect(h.code).toBe(1);
    expect(h.err).toMatch(new RegExp(`^wasmgrad: FormatError: ${huge}: line 3, column 2: label 1e10 is not a class id \\(an integer in \\[0, 2\\^24 = 16777216\\)\\)`));
    const f32 = join(dir, 'f32.csv');
    writeFileSync(f32, 'a,y\n1,0\n1e39,1\n');
    const g = run(['train', '--data', f32, '--quiet'], dir);
    expect(g.code).toBe(1);
    expect(g.err).toBe(`wasmgrad: FormatError: ${f32}: line 3, column 1: "1e39" is outside the f32 range (|x| ≤ 3.4028235e38)\n`);
    // an output folder that cannot be made (a file is in the way): IoError naming the path, exit 1
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'x');
    const o = run(['train', '--data', 'xor', '--samples', '40', '--epochs', '2', '--quiet', '--out', join(blocker, 'out')], dir);
    expect(o.code).toBe(1);
    expect(o.err).toBe(`wasmgrad: IoError: ${join(blocker, 'out')}: cannot create directory (ENOTDIR)\n`);
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, '1,2,0\n3,1\n');
    expect(run(['train', '--data', ragged], dir).err).toMatch(/ragged\.csv: line 2 has 2 columns, expected 3/);
    expect(run(['train', '--data', join(dir, 'nope.csv')], dir).err).toMatch(/nope\.csv: cannot read \(ENOENT\)/);
  });

  it('trains from MNIST-style IDX files (gzipped images, plain labels)', () => {
    const dir = tempDir('wasmgrad-cli-');
    const n = 60;
    const img = new Uint8Array(n * 16), lab = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      lab[i] = i % 2;
      for (let p = 0; p < 16; p++) img[i * 16 + p] = (p < 8) === (i % 2 === 0) ? 200 + (i % 50) : (i * 7 + p) % 40;
    }
    writeFileSync(join(dir, 'img-idx3-ubyte.gz'), gzipSync(encodeIdx({ dtype: 'u8', shape: [n, 4, 4], data: img })));
    writeFileSync(join(dir, 'lab-idx1-ubyte'), encodeIdx({ dtype: 'u8', shape: [n], data: lab }));
    const r = run(['train', '--data', join(dir, 'img-idx3-ubyte.gz'), '--labels', join(dir, 'lab-idx1-ubyte'), '--layers', '8,2', '--epochs', '20', '--json'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(result.heldOut.accuracy).toBe(1);
    const short = run(['train', '--data', join(dir, 'img-idx3-ubyte.gz')], dir);
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/need --labels PATH/);
    writeFileSync(join(dir, 'cut-idx1-ubyte'), encodeIdx({ dtype: 'u8', shape: [n], data: lab }).subarray(0, n));
    const cut = run(['train', '--data', join(dir, 'img-idx3-ubyte.gz'), '--labels', join(dir, 'cut-idx1-ubyte')], dir);
    expect(cut.code).toBe(1);
    expect(cut.err).toMatch(/cut-idx1-ubyte: dimensions \[60\] of u8 need 68 bytes, the file has 60/);
  });

  it('--resume continues a run from its checkpoint: the same weights as an uninterrupted run', () => {
    const dir = tempDir('wasmgrad-cli-');
    const flags = ['--data', 'moons', '--samples', '200', '--layers', '16,2', '--schedule', 'constant', '--quiet'];
    expect(run(['train', ...flags, '--epochs', '3', '--out', 'a'], dir).code).toBe(0);
    const r = run(['train', ...flags, '--epochs', '5', '--out', 'b', '--resume', 'a/checkpoint'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(run(['train', ...flags, '--epochs', '5', '--out', 'c'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'b/checkpoint/model.safetensors'))).toEqual(readFileSync(join(dir, 'c/checkpoint/model.safetensors')));
    const hb = JSON.parse(readFileSync(join(dir, 'b/history.json'), 'utf8')), hc = JSON.parse(readFileSync(join(dir, 'c/history.json'), 'utf8'));
    expect(hb.epochs.map((e: { loss: number }) => e.loss)).toEqual(hc.epochs.map((e: { loss: number }) => e.loss));
    const wrong = run(['train', ...flags.slice(0, 4), '--layers', '8,2', '--epochs', '5', '--resume', 'a/checkpoint'], dir);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/FormatError: a\/checkpoint: tensor "0.weight" is \[16, 2\] in the file, the model expects \[8, 2\]/);
    expect(run(['train', ...flags, '--epochs', '3', '--resume', 'a/checkpoint'], dir).code).toBe(2);
  });

  it('Ctrl-C, then --resume with the default warm-up cosine: the weights of the uninterrupted run; a new --epochs is refused (the schedule horizon is in the checkpoint)', async () => {
    const dir = tempDir('wasmgrad-cli-');
    const flags = ['--data', 'moons', '--samples', '400', '--layers', '16,16,2', '--batch-size', '8', '--epochs', '60'];
    // SIGINT after the first epoch line: the run stops between two steps, wherever that is, and saves
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'train', ...flags, '--out', 'a'], { cwd: dir, env: { ...process.env, CI: '1' } });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (/epoch +1\//.test(out) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(0);
    const ha = JSON.parse(readFileSync(join(dir, 'a/history.json'), 'utf8'));
    expect(ha.stopReason).toBe('aborted');
    expect(ha.epochs.length).toBeLessThan(60);
    const r = run(['train', ...flags, '--quiet', '--out', 'b', '--resume', 'a/checkpoint'], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(run(['train', ...flags, '--quiet', '--out', 'c'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'b/checkpoint/model.safetensors'))).toEqual(readFileSync(join(dir, 'c/checkpoint/model.safetensors')));
    // the same run with a longer horizon would stretch the cosine: refused, exit 2
    const longer = run(['train', ...flags.slice(0, -1), '120', '--quiet', '--resume', 'a/checkpoint'], dir);
    expect(longer.code).toBe(2);
    expect(longer.err).toMatch(/a\/checkpoint was planned as --schedule warmup-cosine over 60 epochs \(2400 steps\); --schedule warmup-cosine over 120 epochs \(4800 steps\) would not continue it exactly/);
    const other = run(['train', ...flags, '--schedule', 'cosine', '--quiet', '--resume', 'a/checkpoint'], dir);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/planned as --schedule warmup-cosine/);
  });

  it('a diverging run exits 1 with a DivergenceError and leaves the last good checkpoint as it was', () => {
    const first = run(['train', '--epochs', '2', '--quiet']);
    expect(first.code).toBe(0);
    const ck = join(first.cwd, 'wasmgrad-out', 'checkpoint');
    const before = [readFileSync(join(ck, 'model.safetensors')), readFileSync(join(ck, 'checkpoint.json'))];
    const r = run(['train', '--optimizer', 'sgd', '--lr', '1e8', '--schedule', 'constant', '--epochs', '3', '--quiet'], first.cwd);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^wasmgrad: DivergenceError: fit: loss is (NaN|Infinity) at epoch 1, step \d+ of 38 /);
    expect(readFileSync(join(ck, 'model.safetensors'))).toEqual(before[0]);
    expect(readFileSync(join(ck, 'checkpoint.json'))).toEqual(before[1]);
  });

  it('--relaxed-simd: auto turns the V8 flag on in the CLI process (Node 20) and runs the relaxed-SIMD build; off and --simd off do not', () => {
    const job = ['--samples', '300', '--layers', '16,3', '--epochs', '4', '--json'];
    const start = (args: string[]) => {
      const r = run(args);
      expect(r.err, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
      const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
      const losses = lines.filter((l) => l.type === 'epoch').map((l) => l.loss);
      expect(losses[losses.length - 1], `${args.join(' ')}: loss ${losses.join(', ')}`).toBeLessThan(losses[0]);
      return lines[0];
    };
    // vitest itself runs without the flag: the CLI child turned it on for itself
    expect(start(['train', ...job])).toMatchObject({ type: 'start', simd: true, relaxedSimd: true });
    expect(start(['train', ...job, '--relaxed-simd', 'on'])).toMatchObject({ simd: true, relaxedSimd: true });
    expect(start(['train', ...job, '--relaxed-simd', 'off'])).toMatchObject({ simd: true, relaxedSimd: false });
    expect(start(['train', ...job, '--simd', 'off'])).toMatchObject({ simd: false, relaxedSimd: false });
    expect(start(['compare', ...job, '--optimizers', 'adam'])).toMatchObject({ type: 'start', simd: true, relaxedSimd: true });
    const plain = run(['train', '--samples', '300', '--layers', '16,3', '--epochs', '1']);
    expect(plain.out).toMatch(/; relaxed-SIMD core\n/);
    const both = run(['train', '--simd', 'off', '--relaxed-simd', 'on', '--epochs', '1']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^wasmgrad: ValueError: init: relaxedSimd is true but simd is false/);
  });

  it('a reader that goes away (wasmgrad train | head -1) ends the run quietly, exit 0, no EPIPE trace', () => {
    // the shell pipe `| head -1`; with pipefail the pipeline's status is the CLI's unless head fails
    const cwd = tempDir('wasmgrad-cli-');
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" train --epochs 400 | head -1`], {
      cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 120_000,
    });
    expect(r.stdout).toMatch(/^wasmgrad: spirals [^\n]*\n$/);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('--help on each command; unknown flags and bad values: one line, exit 2', () => {
    for (const c of [['--help'], ['train', '--help'], ['compare', '--help'], ['bench', '--help']]) {
      const r = run(c);
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.out, c.join(' ')).toMatch(/^Usage: wasmgrad/);
    }
    const cases: [string[], RegExp][] = [
      [['train', '--bogus'], /^train: unknown option --bogus \(see wasmgrad train --help\)$/],
      [['train', '--epochs', '0'], /^train: --epochs must be ≥ 1, got "0"$/],
      [['train', '--epochs', '2.5'], /^train: --epochs must be an integer, got "2.5"$/],
      [['train', '--batch-size', 'abc'], /^train: --batch-size must be an integer, got "abc"$/],
      [['train', '--batch-size', '0'], /must be ≥ 1/],
      [['train', '--layers', '64,5'], /^train: --layers must end with the output width 3 \(classes of spirals\), got 64,5$/],
      [['train', '--data', 'nosuchset'], /^train: --data must be a built-in dataset/],
      [['train', '--batch-size', '5000', '--drop-last'], /larger than the 1200 training samples/],
      [['train', '--epochs'], /^train: --epochs needs a value/],
      [['train', '--relaxed-simd', 'maybe'], /^train: --relaxed-simd must be one of auto, on, off, got "maybe"$/],
      [['compare', '--relaxed-simd=yes'], /^compare: --relaxed-simd must be one of auto, on, off, got "yes"$/],
      [['compare', '--optimizers', 'adam,foo'], /^compare: --optimizers items must be among/],
      [['frobnicate'], /^wasmgrad: unknown command "frobnicate"/],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trimEnd().split('\n').length, args.join(' ')).toBe(1);
      expect(r.err.trimEnd(), args.join(' ')).toMatch(re);
    }
  });

  it('compare: several optimizers and schedules, one SVG, a table of final metrics and time', () => {
    const r = run(['compare', '--data', 'moons', '--samples', '200', '--layers', '16,2', '--optimizers', 'sgd@0.2,adam', '--schedules', 'constant,cosine', '--epochs', '4']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/run\s+train loss\s+held-out loss\s+held-out acc\s+time\s+samples\/s/);
    for (const name of ['sgd@0.2 \\+ constant', 'sgd@0.2 \\+ cosine', 'adam \\+ constant', 'adam \\+ cosine']) expect(r.out).toMatch(new RegExp(name));
    const svg = readFileSync(join(r.cwd, 'wasmgrad-out', 'compare.svg'), 'utf8');
    expect((svg.match(/<path /g) ?? []).length).toBe(4);
  });

  it('bench prints the saved summary (or says there is none)', () => {
    const r = run(['bench', '--dir', fileURLToPath(new URL('..', import.meta.url))]);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(0);
  });
});
