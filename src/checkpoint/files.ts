// Checkpoints on disk (Node, Deno, Bun): DIR/model.safetensors + DIR/checkpoint.json.
import { FormatError } from '../errors.js';
import { makeDir, readFileBytes, writeFileAtomic, writeTextAtomic } from '../io/files.js';
import {
  applyCheckpoint,
  assertDir,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointModel,
  type CheckpointOptimizer,
  type DecodedCheckpoint,
} from './checkpoint.js';

export const WEIGHTS_FILE = 'model.safetensors';
export const SIDECAR_FILE = 'checkpoint.json';

/**
 * Saves a checkpoint into `dir`. Each file is written to a temporary name and
 * renamed, weights first, sidecar last; the sidecar names the hash of its
 * weights, so a crash between the two renames is detected on load.
 */
export async function saveCheckpoint(
  dir: string,
  model: CheckpointModel,
  options: { optimizer?: CheckpointOptimizer; training?: Record<string, unknown>; metadata?: Record<string, string> } = {},
): Promise<void> {
  assertDir(dir);
  const { weights, sidecar } = encodeCheckpoint(model, options);
  await makeDir(dir);
  await writeFileAtomic(`${dir}/${WEIGHTS_FILE}`, weights);
  await writeTextAtomic(`${dir}/${SIDECAR_FILE}`, sidecar);
}

/** Reads and validates a checkpoint directory (the sidecar is optional: weights alone are accepted). */
export async function readCheckpoint(dir: string): Promise<DecodedCheckpoint> {
  assertDir(dir);
  const weights = await readFileBytes(`${dir}/${WEIGHTS_FILE}`);
  let sidecar: string | undefined;
  try {
    sidecar = new TextDecoder().decode(await readFileBytes(`${dir}/${SIDECAR_FILE}`));
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    sidecar = undefined;
  }
  return decodeCheckpoint(weights, sidecar, dir);
}

/** Loads `dir` into the model (and optimizer); validated fully first, nothing changes on error. Returns the training state. */
export async function loadCheckpoint(
  dir: string,
  model: CheckpointModel,
  options: { optimizer?: CheckpointOptimizer } = {},
): Promise<DecodedCheckpoint> {
  const ckpt = await readCheckpoint(dir);
  applyCheckpoint(model, ckpt, { ...options, file: dir });
  return ckpt;
}
