// The CLI's view of the Node process (typed locally: src/ is compiled without Node's types).

export interface Proc {
  argv: string[];
  exitCode?: number;
  env: Record<string, string | undefined>;
  versions?: Record<string, string | undefined>;
  stdout: { isTTY?: boolean; write(s: string): boolean; columns?: number; on(event: 'error', f: (e: { code?: string }) => void): void };
  exit(code?: number): never;
  stderr: { write(s: string): boolean };
  cwd(): string;
  on(event: 'SIGINT', f: () => void): void;
  off?(event: 'SIGINT', f: () => void): void;
  removeListener?(event: 'SIGINT', f: () => void): void;
}

export const proc = (): Proc => (globalThis as unknown as { process: Proc }).process;

/** Where the CLI writes and what it prints to. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
}

export function nodeIo(): Io {
  const p = proc();
  // `wasmgrad train | head -3`: the reader went away; stop quietly, as Unix tools do
  p.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') p.exit(0);
    throw e;
  });
  return { out: (s) => void p.stdout.write(s), err: (s) => void p.stderr.write(s), isTTY: !!p.stdout.isTTY && !p.env.CI };
}
