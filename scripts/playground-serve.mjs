// A tiny static file server for dist/web (the playground), bound to 127.0.0.1 only.
// GET and HEAD of files under the root; anything else, or a path that leaves the
// root, is a 404/405. Used by `npm run playground` and the browser tests.
// With `isolated` every response carries the two headers that make the page
// cross-origin isolated (SharedArrayBuffer, so the worker may run the core on two
// threads: docs/threads.md, Pages): COOP same-origin and COEP require-corp.
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** The headers of a cross-origin-isolated page (and of its workers' scripts). */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serves `root` on 127.0.0.1:`port` (0: any free port); resolves the http.Server once listening. */
export function serveStatic(root, port = 0, { isolated = false } = {}) {
  const base = resolve(root);
  const extra = isolated ? ISOLATION_HEADERS : {};
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path.endsWith('/')) path += 'index.html';
      const file = resolve(join(base, path));
      if (!file.startsWith(base + sep) || !(await stat(file)).isFile()) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.on('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}
