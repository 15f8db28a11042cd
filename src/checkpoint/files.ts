// Checkpoints on disk (Node, Deno, Bun): DIR/model.safetensors + DIR/checkpoint.json,
// saved so that the pair can never be half-written (docs/checkpoints.md, "Atomic saves").
import { FormatError, ValueError } from '../errors.js';
import { checkKnown, describe } from '../runtime/validate.js';
import { makeDir, readFileBytes, readFileIfExists, removeQuietly, renameFile, syncDir, writeFileSynced, type FileApi } from '../io/files.js';
import {
  applyCheckpoint,
  assertDir,
  decodeCheckpoint,
  encodeCheckpoint,
  type CheckpointModel,
  type CheckpointOptimizer,
  type DecodedCheckpoint,
} from './checkpoint.js';
import { fnv1a } from './codec.js';

export const WEIGHTS_FILE = 'model.safetensors';
export const SIDECAR_FILE = 'checkpoint.json';
/** suffix of the staged files of a save in progress */
export const NEXT = '.next';

export interface SaveOptions {
  optimizer?: CheckpointOptimizer;
  training?: Record<string, unknown>;
  metadata?: Record<string, string>;
  /** the file operations to use (default: the runtime's file system); a seam for fault-injection tests */
  files?: FileApi;
}

/**
 * Saves a checkpoint into `dir` so that a failure at any point (ENOSPC,
 * EIO, a crash) leaves a loadable checkpoint: the previous one, or the new
 * one. A two-phase commit on fixed file names:
 *
 * 1. stage: write `model.safetensors.next` and `checkpoint.json.next`, each
 *    flushed (fsync). The sidecar names the hash of the weights it belongs to.
 * 2. commit: rename `model.safetensors.next` over `model.safetensors`. From
 *    here the new weights are current; `checkpoint.json.next` is their sidecar.
 * 3. complete: rename `checkpoint.json.next` over `checkpoint.json`; flush the directory.
 *
 * Before step 2 the old pair is untouched. Between 2 and 3 the loader finds
 * that `checkpoint.json` does not match the weights and takes
 * `checkpoint.json.next`, which does (`readCheckpoint`). A save first completes
 * such an interrupted commit (step 3 of the earlier save), so staging never
 * overwrites the only sidecar of the current weights. A failure is an
 * `IoError` naming the path; staged files are removed when the failure came
 * before the commit.
 */
export async function saveCheckpoint(dir: string, model: CheckpointModel, options: SaveOptions = {}): Promise<void> {
  assertDir(dir);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`saveCheckpoint: options must be an object, got ${describe(options)}`);
  checkKnown('saveCheckpoint', options, ['optimizer', 'training', 'metadata', 'files']);
  const { files, ...rest } = options;
  const { weights, sidecar } = encodeCheckpoint(model, rest);
  const w = `${dir}/${WEIGHTS_FILE}`, s = `${dir}/${SIDECAR_FILE}`;
  await makeDir(dir, files);
  await completeInterruptedSave(dir, files);
  try {
    await writeFileSynced(w + NEXT, weights, files);
    await writeFileSynced(s + NEXT, new TextEncoder().encode(sidecar), files);
  } catch (e) {
    await removeQuietly(w + NEXT, files);
    await removeQuietly(s + NEXT, files);
    throw e;
  }
  await renameFile(w + NEXT, w, files); // the commit point
  await renameFile(s + NEXT, s, files);
  await syncDir(dir, files);
}

/**
 * Step 3 of a save that stopped after its commit: when `checkpoint.json.next`
 * belongs to the current `model.safetensors` (its recorded byte length and
 * hash match), rename it over `checkpoint.json`. Anything else staged is left
 * for the save in progress to overwrite.
 */
async function completeInterruptedSave(dir: string, files?: FileApi): Promise<void> {
  const s = `${dir}/${SIDECAR_FILE}`;
  const next = await readFileIfExists(s + NEXT, files);
  if (next === undefined) return;
  const weights = await readFileIfExists(`${dir}/${WEIGHTS_FILE}`, files);
  if (weights !== undefined && sidecarNames(next, weights)) {
    await renameFile(s + NEXT, s, files);
    await syncDir(dir, files);
  }
}

/** Does this sidecar text record exactly these weights (length and hash)? Cheap: no full decode. */
function sidecarNames(sidecar: Uint8Array, weights: Uint8Array): boolean {
  try {
    const w = (JSON.parse(new TextDecoder().decode(sidecar)) as { weights?: { bytes?: unknown; fnv1a?: unknown } }).weights;
    return w?.bytes === weights.length && w?.fnv1a === fnv1a(weights);
  } catch {
    return false;
  }
}

/**
 * Reads and validates a checkpoint directory. The sidecar is optional
 * (weights alone are accepted, e.g. a file PyTorch wrote). When
 * `checkpoint.json` does not belong to the weights but `checkpoint.json.next`
 * does, a save stopped between its commit and its completion: the new pair is
 * read. Missing weights are an `IoError` (code ENOENT); corruption a `FormatError`.
 */
export async function readCheckpoint(dir: string, options: { files?: FileApi } = {}): Promise<DecodedCheckpoint> {
  assertDir(dir);
  const files = options?.files;
  const weights = await readFileBytes(`${dir}/${WEIGHTS_FILE}`, files);
  const main = await readFileIfExists(`${dir}/${SIDECAR_FILE}`, files);
  const next = await readFileIfExists(`${dir}/${SIDECAR_FILE}${NEXT}`, files);
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  if (main !== undefined) {
    try {
      return decodeCheckpoint(weights, text(main), dir);
    } catch (e) {
      if (!(e instanceof FormatError) || next === undefined || !sidecarNames(next, weights)) throw e;
      return decodeCheckpoint(weights, text(next), dir);
    }
  }
  if (next !== undefined && sidecarNames(next, weights)) return decodeCheckpoint(weights, text(next), dir);
  return decodeCheckpoint(weights, undefined, dir);
}

/** Loads `dir` into the model (and optimizer); validated fully first, nothing changes on error. Returns the checkpoint read. */
export async function loadCheckpoint(
  dir: string,
  model: CheckpointModel,
  options: { optimizer?: CheckpointOptimizer; files?: FileApi } = {},
): Promise<DecodedCheckpoint> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ValueError(`loadCheckpoint: options must be an object, got ${describe(options)}`);
  checkKnown('loadCheckpoint', options, ['optimizer', 'files']);
  const ckpt = await readCheckpoint(dir, { files: options?.files });
  applyCheckpoint(model, ckpt, { optimizer: options?.optimizer, file: dir });
  return ckpt;
}
