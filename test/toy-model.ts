// Test-only stand-ins for engine.nn / engine.optim objects (the contracts of
// /work/notes/CONTRACTS.md), written in plain TS so the data, checkpoint and
// training code can be tested independently of the networks and optimizer
// streams. Not fast; not part of the package.
import { type Engine, type Tensor } from '../src/index.js';

export interface Range {
  name: string;
  offset: number;
  shape: number[];
}

/** MLP with ReLU between Linear layers, PyTorch state_dict names (0.weight, 0.bias, 2.weight, ...). */
export class ToyMlp {
  readonly numParameters: number;
  readonly paramsPtr: number;
  readonly gradsPtr: number;
  readonly inputSize: number;
  readonly outputSize: number;
  training = true;
  private readonly ranges: Range[] = [];
  private rng = new Uint32Array([1, 2, 3, 4]);
  private out: Tensor | null = null;

  constructor(readonly engine: Engine, readonly sizes: number[], seed = 1) {
    let off = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.ranges.push({ name: `${2 * l}.weight`, offset: off, shape: [sizes[l + 1], sizes[l]] });
      off += sizes[l + 1] * sizes[l];
      this.ranges.push({ name: `${2 * l}.bias`, offset: off, shape: [sizes[l + 1]] });
      off += sizes[l + 1];
    }
    this.numParameters = off;
    this.paramsPtr = engine.allocF32(off);
    this.gradsPtr = engine.allocF32(off);
    this.inputSize = sizes[0];
    this.outputSize = sizes[sizes.length - 1];
    let s = seed >>> 0;
    const p = engine.f32(this.paramsPtr, off);
    for (let i = 0; i < off; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      p[i] = ((s / 4294967296) * 2 - 1) / Math.sqrt(sizes[0]);
    }
    engine.f32(this.gradsPtr, off).fill(0);
  }

  parameterRanges(): Range[] {
    return this.ranges.map((r) => ({ ...r, shape: [...r.shape] }));
  }
  parameters(): Float32Array {
    return this.engine.f32(this.paramsPtr, this.numParameters).slice();
  }
  setParameters(v: ArrayLike<number>): void {
    if (v.length !== this.numParameters) throw new RangeError(`setParameters: ${v.length} values, expected ${this.numParameters}`);
    this.engine.f32(this.paramsPtr, this.numParameters).set(v);
  }
  gradients(): Float32Array {
    return this.engine.f32(this.gradsPtr, this.numParameters).slice();
  }
  zeroGrad(): void {
    this.engine.f32(this.gradsPtr, this.numParameters).fill(0);
  }
  train(): void {
    this.training = true;
  }
  eval(): void {
    this.training = false;
  }
  rngState(): Uint32Array {
    return this.rng.slice();
  }
  setRngState(s: ArrayLike<number>): void {
    this.rng = Uint32Array.from(s);
  }
  dispose(): void {}

  /** activations per layer (f32 math), for forward and backward */
  private run(x: Float32Array, rows: number): Float32Array[] {
    const p = this.engine.f32(this.paramsPtr, this.numParameters);
    const acts = [x];
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const inD = this.sizes[l], outD = this.sizes[l + 1];
      const W = this.ranges[2 * l].offset, B = this.ranges[2 * l + 1].offset;
      const a = acts[l], z = new Float32Array(rows * outD);
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outD; o++) {
          let s = p[B + o];
          for (let i = 0; i < inD; i++) s = Math.fround(s + Math.fround(p[W + o * inD + i] * a[r * inD + i]));
          z[r * outD + o] = l + 2 < this.sizes.length ? Math.max(0, s) : s;
        }
      }
      acts.push(z);
    }
    return acts;
  }

  forward(x: Tensor): Tensor {
    const rows = x.shape[0];
    if (x.shape[1] !== this.inputSize) throw new RangeError(`toy: input has ${x.shape[1]} features, layer 0 expects ${this.inputSize}`);
    const acts = this.run(x.toArray(), rows);
    if (!this.out || this.out.shape[0] !== rows) {
      this.out?.dispose();
      this.out = this.engine.tensor([rows, this.outputSize]);
    }
    this.out.data.set(acts[acts.length - 1]);
    return this.out;
  }

  /** softmax cross-entropy (mean) for Int32Array labels, half-mean MSE for a tensor */
  lossAndGrad(x: Tensor, y: Int32Array | Tensor, _loss: unknown): number {
    const rows = x.shape[0];
    const acts = this.run(x.toArray(), rows);
    const out = acts[acts.length - 1];
    const K = this.outputSize;
    const d = new Float32Array(rows * K);
    let loss = 0;
    if (y instanceof Int32Array) {
      for (let r = 0; r < rows; r++) {
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, out[r * K + k]);
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(out[r * K + k] - m);
        loss += Math.log(s) + m - out[r * K + y[r]];
        for (let k = 0; k < K; k++) d[r * K + k] = (Math.exp(out[r * K + k] - m) / s - (k === y[r] ? 1 : 0)) / rows;
      }
      loss /= rows;
    } else {
      const t = y.toArray();
      for (let i = 0; i < rows * K; i++) {
        const e = out[i] - t[i];
        loss += (e * e) / (2 * rows);
        d[i] = e / rows;
      }
    }
    this.zeroGrad();
    const g = this.engine.f32(this.gradsPtr, this.numParameters);
    const p = this.engine.f32(this.paramsPtr, this.numParameters);
    let delta = d;
    for (let l = this.sizes.length - 2; l >= 0; l--) {
      const inD = this.sizes[l], outD = this.sizes[l + 1];
      const W = this.ranges[2 * l].offset, B = this.ranges[2 * l + 1].offset;
      const a = acts[l];
      const prev = new Float32Array(rows * inD);
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < outD; o++) {
          const dv = delta[r * outD + o];
          g[B + o] += dv;
          for (let i = 0; i < inD; i++) {
            g[W + o * inD + i] += dv * a[r * inD + i];
            prev[r * inD + i] += dv * p[W + o * inD + i];
          }
        }
      }
      if (l > 0) for (let i = 0; i < prev.length; i++) if (a[i] <= 0) prev[i] = 0;
      delta = prev;
    }
    return loss;
  }
}

/** SGD with momentum (PyTorch form: v = μv + g; θ -= lr·v), state() / loadState() as plain data. */
export class ToySgd {
  lr: number;
  stepCount = 0;
  private readonly v: Float32Array;
  constructor(readonly model: ToyMlp, options: { lr: number; momentum?: number }) {
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0.9;
    this.v = new Float32Array(model.numParameters);
  }
  readonly momentum: number;
  step(): void {
    const e = this.model.engine;
    const p = e.f32(this.model.paramsPtr, this.model.numParameters);
    const g = e.f32(this.model.gradsPtr, this.model.numParameters);
    for (let i = 0; i < p.length; i++) {
      this.v[i] = Math.fround(this.momentum * this.v[i] + g[i]);
      p[i] = Math.fround(p[i] - this.lr * this.v[i]);
    }
    this.stepCount++;
  }
  zeroGrad(): void {
    this.model.zeroGrad();
  }
  state(): { kind: string; stepCount: number; lr: number; v: Float32Array } {
    return { kind: 'toy-sgd', stepCount: this.stepCount, lr: this.lr, v: this.v.slice() };
  }
  loadState(s: { kind: string; stepCount: number; lr: number; v: Float32Array }): void {
    if (s.kind !== 'toy-sgd' || !(s.v instanceof Float32Array) || s.v.length !== this.v.length) {
      throw new RangeError(`loadState: state of ${s.v?.length} values, expected ${this.v.length}`);
    }
    this.stepCount = s.stepCount;
    this.lr = s.lr;
    this.v.set(s.v);
  }
  dispose(): void {}
}
