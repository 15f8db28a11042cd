// jax-js 0.1.25 anchor: wasm device, the whole step (valueAndGrad of the loss +
// Adam written with jax-js ops) under one jit. Weights [in, out] as in jax/flax.
// jax-js arrays are reference counted: a function consumes its arguments, `.ref`
// keeps one alive (README "Reference counting").
// In Node 20 there is no global `Worker`, so the wasm backend runs on one thread.
import { defaultDevice, init as jaxInit, jit, nn, numpy as np, valueAndGrad } from '@jax-js/jax';
import { layers, oneHot } from '../problem.mjs';

export async function create(problem, data) {
  const devices = await jaxInit('wasm');
  if (!devices.includes('wasm')) throw new Error(`jax-js: wasm device unavailable (have ${devices.join(', ')})`);
  defaultDevice('wasm');
  const { sizes, batch, batches, lr, eps } = problem;
  const [b1, b2] = problem.betas;
  const d0 = sizes[0], classes = sizes[sizes.length - 1];
  const init = layers(problem, data.params);
  const L = init.length;
  const y1h = oneHot(data.y, classes);
  const xs = [], ys = [];
  for (let i = 0; i < batches; i++) {
    xs.push(np.array(data.x.slice(i * batch * d0, (i + 1) * batch * d0)).reshape([batch, d0]));
    ys.push(np.array(y1h.slice(i * batch * classes, (i + 1) * batch * classes)).reshape([batch, classes]));
  }

  // P = [W0, b0, W1, b1, ...]; every argument is consumed once.
  function loss(P, x, y) {
    let h = x;
    for (let l = 0; l < L; l++) {
      h = np.matmul(h, P[2 * l]).add(P[2 * l + 1]);
      if (l < L - 1) h = nn.relu(h);
    }
    return nn.logSoftmax(h, -1).mul(y).sum().mul(-1 / batch);
  }
  // Adam as torch.optim.Adam: p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps);
  // c1 = 1 / (1 - b1^t), c2 = 1 / (1 - b2^t) come in as scalars.
  const step = jit((P, M, V, x, y, c1, c2) => {
    const [value, G] = valueAndGrad(loss)(P.map((p) => p.ref), x, y);
    const P2 = [], M2 = [], V2 = [];
    for (let i = 0; i < P.length; i++) {
      const g = G[i];
      const m = M[i].mul(b1).add(g.ref.mul(1 - b1));
      const v = V[i].mul(b2).add(g.ref.mul(g).mul(1 - b2));
      const u = m.ref.mul(c1.ref).div(np.sqrt(v.ref.mul(c2.ref)).add(eps));
      P2.push(P[i].sub(u.mul(lr)));
      M2.push(m);
      V2.push(v);
    }
    c1.dispose();
    c2.dispose();
    return [value, P2, M2, V2];
  });

  let P = [], M = [], V = [], t = 0;
  const dispose = (arr) => arr.forEach((a) => a.dispose());
  return {
    info: { device: 'wasm', jit: true, threads: typeof Worker === 'undefined' ? 1 : 'workers available' },
    reset() {
      dispose(P); dispose(M); dispose(V);
      P = []; M = []; V = [];
      for (const l of init) {
        P.push(np.array(l.wT).reshape([l.nin, l.nout]), np.array(l.b));
        M.push(np.zeros([l.nin, l.nout]), np.zeros([l.nout]));
        V.push(np.zeros([l.nin, l.nout]), np.zeros([l.nout]));
      }
      t = 0;
    },
    step(i, wantLoss) {
      t++;
      const c1 = np.array(1 / (1 - b1 ** t)), c2 = np.array(1 / (1 - b2 ** t));
      const [value, P2, M2, V2] = step(P, M, V, xs[i].ref, ys[i].ref, c1, c2);
      P = P2; M = M2; V = V2;
      if (!wantLoss) {
        value.dispose();
        return undefined;
      }
      return value.dataSync()[0];
    },
    async sync() {
      // jax-js dispatches lazily: wait until every output of the last step exists
      await Promise.all([...P, ...M, ...V].map((a) => a.blockUntilReady()));
    },
  };
}
