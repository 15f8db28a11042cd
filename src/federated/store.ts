/**
 * The aggregator's storage layout over a key-value store with the semantics
 * of a Durable Object's transactional storage (`ctx.storage`: get / put /
 * delete / list; a series of writes issued with no `await` between them is
 * committed atomically, and the DO's output gate holds the response until
 * they are durable). Tests use an in-memory Map with the same interface.
 *
 *   key                    value
 *   config                 FederationConfig (written once by init)
 *   state                  RoundState: open round, arrival counter, deadline, norm scale, counters
 *   params:<k>             Float32Array, chunk k (CHUNK floats) of the global parameters
 *   pending:<client>       PendingMeta of the client's update in the open round (arrival seq, samples, noise, norm)
 *   delta:<client>:<k>     Float32Array, chunk k of that update
 *   log:<round>            RoundLog of a closed round (who contributed, weights, how it closed)
 *   hist:<round>:<k>       Float32Array, chunk k of the global parameters after <round> closed
 *                          (only the last `keepRounds` rounds; `GET /params?round=r`)
 *
 * Values stay under 128 KiB (Cloudflare's per-value limit: CHUNK = 16384
 * floats = 64 KiB) and no call names more than 128 keys (the multi-key limit).
 */

/** The subset of DurableObjectStorage the aggregator uses. */
export interface KvStorage {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options: { prefix: string }): Promise<Map<string, T>>;
}

export const CHUNK = 16384;
const MAX_KEYS = 128;

export interface FederationConfig {
  dim: number;
  rule: 'fedavg' | 'noiseWeighted';
  /** a round closes as soon as this many updates are pending */
  quorum: number;
  /** ... or when the deadline has passed and at least this many are pending */
  minUpdates: number;
  /** milliseconds from a round's opening to its deadline (0: no deadline) */
  roundTimeoutMs: number;
  normRatio: number;
  /** Infinity is stored as null (structured clone keeps it, JSON does not) */
  maxNorm: number | null;
  serverLr: number;
  noiseFloor: number;
  /** how many closed rounds' global parameters to keep for `GET /params?round=r` */
  keepRounds: number;
}

export interface RoundState {
  round: number;
  /** arrival counter: the next accepted update gets this sequence number */
  seq: number;
  openedAt: number;
  /** ms since the epoch, or 0 without a deadline */
  deadline: number;
  /** median ‖Δ‖ of the last closed round (0 before the first) */
  normScale: number;
  /** updates accepted in total (pending ones included) */
  accepted: number;
  /** updates folded into the global parameters in total */
  applied: number;
  /** rejections by reason */
  rejected: Record<string, number>;
}

export interface PendingMeta {
  seq: number;
  samples: number;
  noise: number;
  norm: number;
}

export interface RoundLog {
  round: number;
  closedBy: 'quorum' | 'deadline';
  closedAt: number;
  /** in arrival order */
  updates: { client: string; seq: number; samples: number; noise: number; norm: number; weight: number }[];
}

export const pad = (n: number): string => String(n).padStart(10, '0');

/** `prefix0000000000`, `prefix0000000001`, ... for the chunks of `x` (one empty chunk for length 0). */
export function chunkEntries(prefix: string, x: Float32Array, into: Record<string, unknown> = {}): Record<string, unknown> {
  const count = Math.max(1, Math.ceil(x.length / CHUNK));
  for (let k = 0; k < count; k++) into[`${prefix}${pad(k)}`] = x.slice(k * CHUNK, (k + 1) * CHUNK);
  return into;
}

export function chunkKeys(prefix: string, dim: number): string[] {
  return Array.from({ length: Math.max(1, Math.ceil(dim / CHUNK)) }, (_, k) => `${prefix}${pad(k)}`);
}

/** Reads the chunks under `prefix` back into one array of `dim` floats; undefined when any is missing. */
export async function readChunks(storage: KvStorage, prefix: string, dim: number): Promise<Float32Array | undefined> {
  const keys = chunkKeys(prefix, dim);
  const out = new Float32Array(dim);
  for (let i = 0; i < keys.length; i += MAX_KEYS) {
    const got = await storage.get<Float32Array>(keys.slice(i, i + MAX_KEYS));
    for (let j = i; j < Math.min(keys.length, i + MAX_KEYS); j++) {
      const c = got.get(keys[j]);
      if (!(c instanceof Float32Array)) return undefined;
      out.set(c, j * CHUNK);
    }
  }
  return out;
}

/**
 * Issues every put and delete with no `await` between them (so a Durable
 * Object commits them as one transaction), then waits for all.
 */
export function writeBatch(storage: KvStorage, puts: Record<string, unknown>, deletes: readonly string[]): Promise<unknown> {
  const ops: Promise<unknown>[] = [];
  const keys = Object.keys(puts);
  for (let i = 0; i < keys.length; i += MAX_KEYS) {
    const part: Record<string, unknown> = {};
    for (const k of keys.slice(i, i + MAX_KEYS)) part[k] = puts[k];
    ops.push(storage.put(part));
  }
  for (let i = 0; i < deletes.length; i += MAX_KEYS) ops.push(storage.delete(deletes.slice(i, i + MAX_KEYS)));
  return Promise.all(ops);
}

/** An in-memory KvStorage (tests, and running the aggregator without a Durable Object). */
export class MemoryStorage implements KvStorage {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  async get<T>(k: string | string[]): Promise<T | undefined | Map<string, T>> {
    if (typeof k === 'string') return structuredClone(this.map.get(k)) as T | undefined;
    const out = new Map<string, T>();
    for (const key of k) if (this.map.has(key)) out.set(key, structuredClone(this.map.get(key)) as T);
    return out;
  }
  async put(entries: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(entries)) this.map.set(k, structuredClone(v));
  }
  async delete(keys: string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.map.delete(k)) n++;
    return n;
  }
  async list<T>(options: { prefix: string }): Promise<Map<string, T>> {
    const keys = [...this.map.keys()].filter((k) => k.startsWith(options.prefix)).sort();
    return new Map(keys.map((k) => [k, structuredClone(this.map.get(k)) as T]));
  }
}
