import { LRUCache } from 'lru-cache';

/**
 * A connector's cache of platform data, namespaced per connection. Values are kept as the objects
 * they are (never a JSON round trip: a hit costs a map lookup) and are shared by every caller, so
 * callers must not mutate them. Entries expire after their TTL; concurrent misses of one key share
 * one load; the whole process shares one memory bound (`ConnectorCacheStore`).
 */
export interface ConnectorCache {
  /** The cached value of `key`, or the result of `load` (cached for `ttlMs`; 0 or less: not cached, concurrent loads still shared). */
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /** The cached value of `key` when fresh (synchronous; no load). */
  peek<T>(key: string): { v: T } | undefined;
  /** Stores `value` under `key` for `ttlMs`. */
  set(key: string, value: unknown, ttlMs: number): void;
  /** Drops one key (after a write that changes it). */
  invalidate(key: string): Promise<void>;
  /** Drops every key that starts with `prefix`. */
  invalidatePrefix(prefix: string): Promise<void>;
}

/** Roughly what a value costs in memory, in bytes (strings count twice: UTF-16). */
function approximateSize(value: unknown): number {
  try {
    return Math.max(64, 2 * (JSON.stringify(value)?.length ?? 0));
  } catch {
    return 1_024;
  }
}

/**
 * A second level shared by every gateway process (Redis when `STORE_URL` is Redis): JSON text with
 * TTLs, plus a generation per namespace that an invalidation bumps, so a write on one instance makes
 * every instance's next miss read fresh (their own first level keeps what it has for its TTL).
 */
export interface SharedCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, json: string, ttlMs: number): Promise<void>;
  /** The current generation of `namespace` ('0' when never bumped). */
  generation(namespace: string): Promise<string>;
  /** Starts a new generation of `namespace`: everything cached under the old one is unreachable. */
  bump(namespace: string): Promise<void>;
}

/** JSON.parse that turns the unified records' timestamps back into Dates. */
export function reviveRecords(json: string): unknown {
  return JSON.parse(json, (key, value) => (typeof value === 'string' && DATE_FIELDS.has(key) && ISO_DATE.test(value) ? new Date(value) : value));
}
const DATE_FIELDS = new Set(['startsAt', 'endsAt', 'createdAt', 'updatedAt']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The process-wide memory of every connector cache: an LRU bounded by `maxBytes` (approximate
 * sizes, measured once per insertion), with per-entry TTLs.
 */
export class ConnectorCacheStore {
  private readonly lru: LRUCache<string, { v: unknown }>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Bumped by every invalidation: a load that started before one does not store its (stale) result. */
  private epoch = 0;

  /**
   * @param onLookup told whether each read (`getOrLoad`, `peek`) of a namespace was answered from the
   *   first level (`hit`; joining a load under way counts as one) or not; `cache` is the namespace's
   *   first segment (`response`, `connector`). Must not throw.
   */
  constructor(
    maxBytes: number = 32 * 1024 * 1024,
    private readonly shared?: SharedCache,
    private readonly onLookup?: (cache: string, hit: boolean) => void,
  ) {
    this.lru = new LRUCache<string, { v: unknown }>({
      maxSize: maxBytes,
      sizeCalculation: (entry) => approximateSize(entry.v),
      ttlAutopurge: false,
    });
  }

  /**
   * The cache of one namespace (e.g. `response:<connection id>`). With `shared`, misses go through the
   * second level (values must be JSON; `reviveRecords` restores dates) and invalidations reach it.
   */
  namespace(prefix: string, opts: { shared?: boolean } = {}): ConnectorCache {
    const shared = opts.shared ? this.shared : undefined;
    const kind = prefix.split(':')[0];
    const onLookup = this.onLookup;
    return {
      getOrLoad: (key, ttlMs, load) => {
        const full = `${prefix}:${key}`;
        onLookup?.(kind, this.lru.has(full) || this.inflight.has(full));
        return this.getOrLoad(full, ttlMs, shared && ttlMs > 0 ? () => this.throughShared(shared, prefix, key, ttlMs, load) : load);
      },
      peek: <T>(key: string) => {
        const hit = this.get<T>(`${prefix}:${key}`);
        onLookup?.(kind, hit !== undefined);
        return hit;
      },
      set: (key, value, ttlMs) => this.set(`${prefix}:${key}`, value, ttlMs),
      invalidate: async (key) => {
        this.epoch++;
        this.lru.delete(`${prefix}:${key}`);
        await shared?.bump(prefix);
      },
      invalidatePrefix: async (p) => {
        this.deletePrefix(`${prefix}:${p}`);
        await shared?.bump(prefix);
      },
    };
  }

  /** A first-level miss: the second level's value when it has one, else `load` stored in both. */
  private async throughShared<T>(shared: SharedCache, namespace: string, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    let generation: string;
    try {
      generation = await shared.generation(namespace);
    } catch {
      return load(); // the second level is down: read through
    }
    const full = `${namespace}:${generation}:${key}`;
    const hit = await shared.get(full).catch(() => undefined);
    if (hit !== undefined) return reviveRecords(hit) as T;
    const value = await load();
    await shared.set(full, JSON.stringify(value), ttlMs).catch(() => undefined);
    return value;
  }

  get<T>(key: string): { v: T } | undefined {
    return this.lru.get(key) as { v: T } | undefined;
  }

  set(key: string, value: unknown, ttlMs: number): void {
    this.lru.set(key, { v: value }, { ttl: ttlMs });
  }

  deletePrefix(prefix: string): void {
    this.epoch++;
    for (const key of this.lru.keys()) if (key.startsWith(prefix)) this.lru.delete(key);
  }

  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.lru.get(key);
    if (hit) return Promise.resolve(hit.v as T);
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const epoch = this.epoch;
    const p = load()
      .then((v) => {
        if (epoch === this.epoch && ttlMs > 0) this.lru.set(key, { v }, { ttl: ttlMs });
        return v;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
