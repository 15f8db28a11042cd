// The children's side of the bench/mlp-step line protocol (Node, Deno, Bun):
// one JSON command per stdin line, one JSON reply per stdout line,
// {"ok": true, ...result} or {"ok": false, "error"}; {"cmd":"exit"} ends it.
import { createInterface } from 'node:readline';

/** Answers each command with `await handle(msg)` until "exit" or the end of stdin. */
export async function serveCommands(handle) {
  const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line);
    if (msg.cmd === 'exit') break;
    try {
      const { ok: _ok, ...result } = (await handle(msg)) ?? {};
      out({ ok: true, ...result });
    } catch (e) {
      out({ ok: false, error: String(e?.stack ?? e) });
    }
  }
}
