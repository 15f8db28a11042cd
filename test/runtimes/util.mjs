// Helpers for the runtime runners (Node only): free ports, bounded waits,
// child processes that are always reaped.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Rejects with `what timed out after ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts `cmd args` with no stdin; collects stdout/stderr. `stop()` sends
 * SIGTERM, then SIGKILL after `graceMs`, and resolves when the process is gone.
 */
export function start(cmd, args, { cwd, env, graceMs = 2000 } = {}) {
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  exited.then(() => (done = true));
  return {
    child,
    exited,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    get running() { return !done; },
    async stop() {
      if (done) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (!done) child.kill('SIGKILL'); }, graceMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

/** Runs a command to completion within `timeoutMs` (killed after); resolves with its output. */
export async function run(cmd, args, { timeoutMs = 60_000, ...options } = {}) {
  const p = start(cmd, args, options);
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; p.stop(); }, timeoutMs);
  const r = await p.exited;
  clearTimeout(timer);
  return { ...r, timedOut, stdout: p.stdout, stderr: p.stderr };
}

/** The `SMOKE {json}` line a runtime script prints, parsed; null when absent or broken. */
export function parseSmokeLine(stdout) {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('SMOKE '));
  if (!line) return null;
  try {
    return JSON.parse(line.slice('SMOKE '.length));
  } catch {
    return null;
  }
}
