// The TensorFlow.js modules the tfjs variant needs, bundled by esbuild from their
// ESM sources (see tfjs.mjs for why).
export * as tf from '@tensorflow/tfjs-core';
export * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
