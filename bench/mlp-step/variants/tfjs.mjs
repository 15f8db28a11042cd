// TensorFlow.js 4.22 anchor: wasm backend (XNNPACK, SIMD, one thread) or cpu backend.
// Dense layers as TF.js builds them (kernel [in, out]), tf.losses.softmaxCrossEntropy
// (mean over the batch), tf.train.adam(lr, beta1, beta2, eps).minimize.
//
// tfjs-core's Node bundle registers no gradients (the union package
// @tensorflow/tfjs does that), and its ESM sources use extensionless imports
// Node cannot load. So the child bundles tfjs-entry.mjs with esbuild (one copy
// of tfjs-core, its gradients and both backends) into a temporary file and
// imports that; the wasm backend finds its .wasm files through `__dirname`,
// which the bundle's banner points at the installed package.
import * as esbuild from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { layers, oneHot } from '../problem.mjs';

async function loadTfjs() {
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/';
  const outfile = join(mkdtempSync(join(tmpdir(), 'mlp-step-tfjs-')), 'tfjs.bundle.mjs');
  await esbuild.build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'tfjs-entry.mjs')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
    banner: {
      js: `import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url); const __dirname = ${JSON.stringify(wasmDir)}; const __filename = __dirname + 'index.js';`,
    },
  });
  return import(pathToFileURL(outfile).href);
}

export function factory(backend) {
  return async function create(problem, data) {
    const { tf, tfwasm } = await loadTfjs();
    if (backend === 'wasm') tfwasm.setThreadsCount(1); // before setBackend
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialise`);
    await tf.ready();
    const { sizes, batch, batches } = problem;
    const d0 = sizes[0], classes = sizes[sizes.length - 1];
    const init = layers(problem, data.params);
    const xs = [], ys = [];
    const y1h = oneHot(data.y, classes);
    for (let i = 0; i < batches; i++) {
      xs.push(tf.tensor2d(data.x.subarray(i * batch * d0, (i + 1) * batch * d0), [batch, d0]));
      ys.push(tf.tensor2d(y1h.subarray(i * batch * classes, (i + 1) * batch * classes), [batch, classes]));
    }
    const vars = [];
    for (const l of init) {
      vars.push(tf.variable(tf.tensor2d(l.wT, [l.nin, l.nout])), tf.variable(tf.tensor1d(l.b)));
    }
    const L = init.length;
    let opt = null;
    const lossFn = (i) => () => {
      let h = xs[i];
      for (let l = 0; l < L; l++) {
        h = tf.add(tf.matMul(h, vars[2 * l]), vars[2 * l + 1]);
        if (l < L - 1) h = tf.relu(h);
      }
      return tf.losses.softmaxCrossEntropy(ys[i], h);
    };
    return {
      info: {
        backend: tf.getBackend(),
        simd: backend === 'wasm' ? tf.env().getBool('WASM_HAS_SIMD_SUPPORT') : false,
        threads: backend === 'wasm' ? tfwasm.getThreadsCount() : 1,
        version: tf.version_core,
      },
      reset() {
        tf.tidy(() => {
          init.forEach((l, k) => {
            vars[2 * k].assign(tf.tensor2d(l.wT, [l.nin, l.nout]));
            vars[2 * k + 1].assign(tf.tensor1d(l.b));
          });
        });
        if (opt) opt.dispose();
        opt = tf.train.adam(problem.lr, problem.betas[0], problem.betas[1], problem.eps);
      },
      step(i, wantLoss) {
        const cost = opt.minimize(lossFn(i), wantLoss, vars);
        if (!wantLoss) return undefined;
        const v = cost.dataSync()[0];
        cost.dispose();
        return v;
      },
      async sync() {
        await vars[vars.length - 1].data();
      },
    };
  };
}
