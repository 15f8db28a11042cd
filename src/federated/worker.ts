/**
 * `federated/worker`: the aggregator as a Cloudflare Durable Object, and the
 * worker in front of it. Built to dist/federated/worker.js (scripts/build.mjs);
 * the same file runs in local `workerd` (`wasmgrad federated serve`, with
 * `durableObjectStorage = (localDisk = ...)`) and deploys unchanged with
 * wrangler (docs/federated.md).
 *
 *   /fed/<name>/(init|params|update|status|log)   routed to the Durable Object named <name>
 *   /                                              { ok, service } (a health check)
 *
 * One Durable Object per federation name: single-threaded and globally unique,
 * so one object owns a federation's round, and its transactional storage
 * holds the global parameters and pending updates (layout: store.ts). The
 * binding is `AGGREGATOR`, the class `FederatedAggregator`.
 */
import { Aggregator } from './aggregator.js';
import type { KvStorage } from './store.js';

/** The parts of a Durable Object's state this class uses. */
interface DurableObjectStateLike {
  storage: KvStorage & { setAlarm(at: number): Promise<void> };
}

interface NamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

export class FederatedAggregator {
  private readonly aggregator: Aggregator;

  constructor(ctx: DurableObjectStateLike) {
    this.aggregator = new Aggregator(ctx.storage, { setAlarm: (at) => ctx.storage.setAlarm(at) });
  }

  fetch(request: Request): Promise<Response> {
    return this.aggregator.handle(request);
  }

  alarm(): Promise<void> {
    return this.aggregator.alarm();
  }
}

export const ROUTE = /^\/fed\/([A-Za-z0-9._-]{1,64})\/(init|params|update|status|log)\/?$/;

export default {
  async fetch(request: Request, env: { AGGREGATOR: NamespaceLike }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/') return Response.json({ ok: true, service: 'wasmgrad-federated' });
    const m = ROUTE.exec(url.pathname);
    if (!m) return Response.json({ ok: false, reason: 'not-found', message: `no route ${url.pathname}; use /fed/<name>/(init|params|update|status|log)` }, { status: 404 });
    return env.AGGREGATOR.get(env.AGGREGATOR.idFromName(m[1])).fetch(request);
  },
};
