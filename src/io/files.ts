/**
 * File-system access for Node, Deno and Bun: the ONE runtime-specific module
 * of the data and checkpoint code. `node:fs/promises` is imported lazily,
 * only when a path function is called, through a specifier the bundler
 * leaves alone, so browser and workerd bundles carry no Node built-in.
 */
import { FormatError, ValueError } from '../errors.js';

interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { force?: boolean }): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<string | undefined>;
  open(path: string, flags: string): Promise<{ sync(): Promise<void>; close(): Promise<void> }>;
}

async function fs(): Promise<NodeFs> {
  // the runtime caches the module; the joined specifier keeps bundlers from resolving it
  const specifier = ['node', 'fs/promises'].join(':');
  try {
    return (await import(/* @vite-ignore */ specifier)) as NodeFs;
  } catch {
    throw new ValueError('files: reading and writing paths needs Node, Deno or Bun (their fs module); elsewhere pass bytes or a Response');
  }
}

/** Reads a whole file. A missing file is a `FormatError` naming the path. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const f = await fs();
  try {
    return await f.readFile(path);
  } catch (e) {
    const err = e as { code?: string; message: string };
    throw new FormatError(`${path}: cannot read (${err.code ?? err.message})`);
  }
}

/** Creates a directory and its parents. */
export async function makeDir(path: string): Promise<void> {
  await (await fs()).mkdir(path, { recursive: true });
}

/**
 * Writes `path` atomically: the bytes go to `path.tmp-<random>`, are flushed,
 * and the temporary file is renamed over `path` (rename is atomic on POSIX
 * file systems), so a crash leaves either the old file or the new one.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const f = await fs();
  const tmp = `${path}.tmp-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await f.writeFile(tmp, bytes);
    const h = await f.open(tmp, 'r+');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
    await f.rename(tmp, path);
  } catch (e) {
    await f.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Writes UTF-8 text atomically. */
export function writeTextAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text));
}
