// The coordinator's side of the bench/mlp-step line protocol (protocol.mjs is the child's):
// a child process that takes one JSON command per stdin line and answers each with one
// stdout line {"ok": true, ...} or {"ok": false, "error"}; other output is ignored.
// Used by bench/mlp-step.bench.mjs and bench/workerd-vs-node.bench.mjs.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The pids of `root` and every process below it (Linux /proc; [] elsewhere). Playwright starts
 * Chromium in a process group of its own, so a group signal would miss the browser: the tree
 * is walked by parent pid instead.
 */
function processTree(root) {
  let entries;
  try {
    entries = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const children = new Map();
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

export class CommandChild {
  /** Spawns `cmd argv` in `cwd` with `env`; replies are matched to commands in order. */
  constructor(cmd, argv, env, cwd) {
    this.proc = spawn(cmd, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.waiting = [];
    this.stderr = '';
    let buf = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        // replies are JSON objects starting with {"ok"; anything else a library printed is ignored
        if (line.startsWith('{"ok"')) this.waiting.shift()?.resolve(JSON.parse(line));
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (c) => {
      this.stderr = (this.stderr + c).slice(-4000);
    });
    this.proc.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`exited with code ${code}: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  }

  /** Sends one command; resolves with its reply, rejects on {"ok": false}, on exit or after `timeoutMs`. */
  send(msg, timeoutMs = 300_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${msg.cmd} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        resolve: (r) => {
          clearTimeout(timer);
          if (r.ok) resolve(r);
          else reject(new Error(r.error));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  /**
   * Stops (SIGSTOP) this child and every process it started, so that an idle runtime (a
   * browser's timers, a runtime's background threads) takes no CPU time from the variant being
   * measured; `resume` continues them (SIGCONT). No-op where /proc is missing.
   */
  pause() {
    this.signalTree('SIGSTOP');
  }

  resume() {
    this.signalTree('SIGCONT');
  }

  signalTree(signal) {
    // stop from the leaves up, continue from the root down
    const pids = processTree(this.proc.pid);
    for (const pid of signal === 'SIGSTOP' ? pids.reverse() : pids) {
      try {
        process.kill(pid, signal);
      } catch {
        /* exited meanwhile */
      }
    }
  }

  /** Asks the child to exit; kills it if it has not after 2 s. */
  close() {
    this.resume();
    try {
      this.proc.stdin.write('{"cmd":"exit"}\n');
      this.proc.stdin.end();
    } catch {
      /* already gone */
    }
    setTimeout(() => this.proc.kill(), 2000).unref();
  }
}
