/**
 * File-system access for Node, Deno and Bun: the ONE runtime-specific module
 * of the data and checkpoint code. `node:fs/promises` is imported lazily,
 * only when a path function is called, through a specifier the bundler
 * leaves alone, so browser and workerd bundles carry no Node built-in.
 *
 * Every function takes an optional `FileApi`: the few file operations this
 * code uses, so a test can put a fault-injecting layer over the real file
 * system (test/checkpoint-atomic.test.ts fails every write, fsync and rename
 * in turn). Every failure of the file system is an `IoError` naming the path
 * and the system's code (ENOENT, ENOSPC, EIO, ENOTDIR, ...).
 */
import { IoError, ValueError } from '../errors.js';

/** The file operations used by data loading and checkpoints (a subset of `node:fs/promises`). */
export interface FileApi {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** flushes a file (or a directory's entries) to stable storage */
  fsync(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** removes a file; a missing file is not an error */
  rm(path: string): Promise<void>;
  /** creates a directory and its parents; an existing directory is not an error */
  mkdir(path: string): Promise<void>;
}

interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { force?: boolean }): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<string | undefined>;
  open(path: string, flags: string): Promise<{ sync(): Promise<void>; close(): Promise<void> }>;
}

/** The runtime's file system (Node, Deno, Bun) as a `FileApi`. */
export async function nodeFiles(): Promise<FileApi> {
  // the runtime caches the module; the joined specifier keeps bundlers from resolving it
  const specifier = ['node', 'fs/promises'].join(':');
  let f: NodeFs;
  try {
    f = (await import(/* @vite-ignore */ specifier)) as NodeFs;
  } catch {
    throw new ValueError('files: reading and writing paths needs Node, Deno or Bun (their fs module); elsewhere pass bytes or a Response');
  }
  return {
    readFile: (p) => f.readFile(p),
    writeFile: (p, d) => f.writeFile(p, d),
    async fsync(p) {
      const h = await f.open(p, 'r');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
    },
    rename: (a, b) => f.rename(a, b),
    rm: (p) => f.rm(p, { force: true }),
    mkdir: async (p) => void (await f.mkdir(p, { recursive: true })),
  };
}

/** `files` if given (and checked), else the runtime's file system. */
export function fileApi(files?: FileApi): Promise<FileApi> {
  if (files === undefined) return nodeFiles();
  for (const k of ['readFile', 'writeFile', 'fsync', 'rename', 'rm', 'mkdir'] as const) {
    if (typeof files?.[k] !== 'function') throw new ValueError(`files: a FileApi needs a ${k}() function`);
  }
  return Promise.resolve(files);
}

/** An `IoError` for a failed `op` on `path`, keeping the system's code. */
export function ioError(op: string, path: string, e: unknown): IoError {
  if (e instanceof IoError) return e;
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : 'EIO';
  const detail = typeof err?.code === 'string' ? err.code : String(err?.message ?? e);
  return new IoError(`${path}: cannot ${op} (${detail})`, path, code);
}

/** Runs one file operation, turning a failure into an `IoError` naming `path`. */
export async function io<T>(op: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw ioError(op, path, e);
  }
}

/** Reads a whole file. A missing or unreadable file is an `IoError` naming the path (code ENOENT, EACCES, ...). */
export async function readFileBytes(path: string, files?: FileApi): Promise<Uint8Array> {
  const f = await fileApi(files);
  return io('read', path, () => f.readFile(path));
}

/** Reads a file, or returns undefined when it does not exist (any other failure is an `IoError`). */
export async function readFileIfExists(path: string, files?: FileApi): Promise<Uint8Array | undefined> {
  try {
    return await readFileBytes(path, files);
  } catch (e) {
    if (e instanceof IoError && e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Creates a directory and its parents. */
export async function makeDir(path: string, files?: FileApi): Promise<void> {
  const f = await fileApi(files);
  await io('create directory', path, () => f.mkdir(path));
}

/** Writes `path` (not atomically) and flushes it to stable storage. */
export async function writeFileSynced(path: string, bytes: Uint8Array, files?: FileApi): Promise<void> {
  const f = await fileApi(files);
  await io('write', path, () => f.writeFile(path, bytes));
  await io('flush', path, () => f.fsync(path));
}

/** Renames `from` over `to` (atomic on POSIX file systems). */
export async function renameFile(from: string, to: string, files?: FileApi): Promise<void> {
  const f = await fileApi(files);
  await io(`rename ${from} onto it`, to, () => f.rename(from, to));
}

/** Removes a file if it exists; failures are ignored (for cleaning up after another failure). */
export async function removeQuietly(path: string, files?: FileApi): Promise<void> {
  const f = await fileApi(files);
  await f.rm(path).catch(() => undefined);
}

/** Codes with which platforms refuse to open or flush a directory (Windows, some file systems): nothing to do there. */
const NO_DIR_SYNC = ['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF'];

/**
 * Flushes a directory's entries, so renames inside it survive a power loss.
 * Where the platform cannot flush a directory this does nothing; a real
 * failure (EIO, ...) is an `IoError` naming the directory.
 */
export async function syncDir(path: string, files?: FileApi): Promise<void> {
  const f = await fileApi(files);
  try {
    await f.fsync(path);
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NO_DIR_SYNC.includes(code)) return;
    throw ioError('flush directory', path, e);
  }
}

/**
 * Writes `path` atomically: the bytes go to `path.tmp-<random>`, are flushed,
 * and the temporary file is renamed over `path` (rename is atomic on POSIX
 * file systems), so a crash leaves either the old file or the new one. A
 * failure is an `IoError` naming the path; the temporary file is removed.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, files?: FileApi): Promise<void> {
  const tmp = `${path}.tmp-${Math.random().toString(36).slice(2, 10)}`;
  try {
    await writeFileSynced(tmp, bytes, files);
    await renameFile(tmp, path, files);
  } catch (e) {
    await removeQuietly(tmp, files);
    throw e instanceof IoError ? new IoError(`${path}: cannot write (${e.code})`, path, e.code) : e;
  }
}

/** Writes UTF-8 text atomically. */
export function writeTextAtomic(path: string, text: string, files?: FileApi): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text), files);
}
