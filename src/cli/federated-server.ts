/**
 * Starts and stops local `workerd` serving the federated aggregator
 * (dist/federated/worker.js) with on-disk Durable Object storage: what
 * `wasmgrad federated serve` and `demo` run, and what the reliability tests
 * kill -9 and restart on the same storage directory.
 *
 * The port is checked first: one that is taken is a NetworkError with code
 * EADDRINUSE (workerd itself would only print a log line). Start-up waits,
 * bounded, until `GET /` answers; a workerd that exits early is an error with
 * its output. Node built-ins are imported by computed specifiers (src/ is
 * type-checked without Node's types), as in bench.ts.
 */
import { NetworkError, ValueError } from '../errors.js';
import { workerdConfig } from '../federated/capnp.js';

interface ChildLike {
  pid?: number;
  kill(signal?: string): boolean;
  on(event: 'exit', f: (code: number | null, signal: string | null) => void): void;
  on(event: 'error', f: (e: Error) => void): void;
  stdout: { on(e: 'data', f: (b: unknown) => void): void } | null;
  stderr: { on(e: 'data', f: (b: unknown) => void): void } | null;
}
interface NodeNet {
  createServer(): {
    once(e: 'error', f: (e: { code?: string }) => void): void;
    listen(port: number, host: string, f: () => void): void;
    address(): { port: number };
    close(f: () => void): void;
  };
}
interface NodeFs {
  mkdirSync(p: string, o: { recursive: boolean }): void;
  copyFileSync(a: string, b: string): void;
  writeFileSync(p: string, s: string): void;
  existsSync(p: string): boolean;
}

const node = async <T>(name: string): Promise<T> => (await import(/* @vite-ignore */ ['node', name].join(':'))) as T;

export interface ServerOptions {
  /** directory of the Durable Objects' storage (created; reused across restarts) */
  storageDir: string;
  /** 0 (default): a free port chosen by the OS */
  port?: number;
  host?: string;
  /** the workerd binary */
  workerd: string;
  /** dist/federated/worker.js */
  worker: string;
  /** start-up limit in ms (default 30000) */
  startMs?: number;
  /** receives workerd's output as it comes (its log lines: the aggregator's rejections) */
  onOutput?: (text: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  /** resolves with workerd's exit */
  exited: Promise<{ code: number | null; signal: string | null }>;
  readonly output: string;
  /** SIGTERM, then SIGKILL after 2 s; resolves when it is gone */
  stop(): Promise<void>;
  /** SIGKILL at once (the crash the reliability tests simulate); resolves when it is gone */
  kill9(): Promise<void>;
}

/**
 * Where a runtime binary of the package's toolchain is: the package's own
 * node_modules/.bin (a repository checkout), the consumer's node_modules/.bin
 * (wasmgrad installed as a dependency), then ./node_modules/.bin; the first
 * that exists, else the first candidate (its absence is reported by the caller).
 */
export async function findBinary(name: string, root: string, cwd: string): Promise<string> {
  const fs = await node<NodeFs>('fs');
  const candidates = [`${root}/node_modules/.bin/${name}`, `${root}/../.bin/${name}`, `${cwd}/node_modules/.bin/${name}`];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

/** A port on `host` that is free now; `port` 0 asks the OS. A taken port is a NetworkError (EADDRINUSE). */
export async function claimPort(port: number, host: string): Promise<number> {
  const net = await node<NodeNet>('net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e) => {
      const taken = e.code === 'EADDRINUSE';
      reject(new NetworkError(`federated serve: ${host}:${port} ${taken ? 'is already in use; pick another --port' : `cannot be bound (${e.code})`}`, `${host}:${port}`, 1, e.code ?? ''));
    });
    srv.listen(port, host, () => {
      const p = srv.address().port;
      srv.close(() => resolve(p));
    });
  });
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const fs = await node<NodeFs>('fs');
  const path = await node<{ join(...p: string[]): string; resolve(...p: string[]): string }>('path');
  const cp = await node<{ spawn(cmd: string, args: string[], o: object): ChildLike }>('child_process');
  if (!fs.existsSync(o.worker)) throw new ValueError(`federated serve: the worker bundle ${o.worker} is missing (run npm run build)`);
  if (!fs.existsSync(o.workerd)) throw new ValueError(`federated serve: the workerd binary ${o.workerd} is missing (npm install workerd, or pass --workerd PATH)`);
  const host = o.host ?? '127.0.0.1';
  const port = await claimPort(o.port ?? 0, host);
  const storage = path.resolve(o.storageDir);
  const dir = path.join(storage, '.workerd');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.resolve(o.worker), path.join(dir, 'worker.js'));
  fs.writeFileSync(path.join(dir, 'config.capnp'), workerdConfig({ storageDir: storage, address: `${host}:${port}` }));
  const child = cp.spawn(path.resolve(o.workerd), ['serve', 'config.capnp', '--socket-addr', `http=${host}:${port}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const take = (b: unknown): void => {
    output += String(b);
    o.onOutput?.(String(b));
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', (e) => {
      output += String(e);
      done = true;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const url = `http://${host}:${port}`;
  const server: RunningServer = {
    url, port, pid: child.pid ?? -1, exited,
    get output() { return output; },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => !done && child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    },
    async kill9() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
  const limit = Date.now() + (o.startMs ?? 30_000);
  for (;;) {
    if (done) {
      const taken = /address already in use|EADDRINUSE/i.test(output);
      throw new NetworkError(`federated serve: workerd exited during start-up${taken ? ` (${host}:${port} is in use)` : ''}:\n${output.trim().slice(-2000)}`, url, 1, taken ? 'EADDRINUSE' : '');
    }
    try {
      const res = await globalThis.fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        await res.arrayBuffer();
        return server;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > limit) {
      await server.stop();
      throw new NetworkError(`federated serve: workerd did not answer on ${url} within ${o.startMs ?? 30_000} ms:\n${output.trim().slice(-2000)}`, url, 1);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
