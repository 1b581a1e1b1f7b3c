import { LRUCache } from 'lru-cache';

/**
 * A connector's cache of platform data, namespaced per connection. Values are kept as the objects
 * they are (never a JSON round trip: a hit costs a map lookup) and are shared by every caller, so
 * callers must not mutate them. Entries expire after their TTL; concurrent misses of one key share
 * one load; the whole process shares one memory bound (`ConnectorCacheStore`).
 */
export interface ConnectorCache {
  /** The cached value of `key`, or the result of `load` (cached for `ttlMs`). */
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
export function approximateSize(value: unknown): number {
  try {
    return Math.max(64, 2 * (JSON.stringify(value)?.length ?? 0));
  } catch {
    return 1_024;
  }
}

/**
 * The process-wide memory of every connector cache: an LRU bounded by `maxBytes` (approximate
 * sizes, measured once per insertion), with per-entry TTLs.
 */
export class ConnectorCacheStore {
  private readonly lru: LRUCache<string, { v: unknown }>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Bumped by every invalidation: a load that started before one does not store its (stale) result. */
  private epoch = 0;

  constructor(maxBytes: number = 32 * 1024 * 1024) {
    this.lru = new LRUCache<string, { v: unknown }>({
      maxSize: maxBytes,
      sizeCalculation: (entry) => approximateSize(entry.v),
      ttlAutopurge: false,
    });
  }

  /** The cache of one namespace (a connection id). */
  namespace(prefix: string): ConnectorCache {
    return {
      getOrLoad: (key, ttlMs, load) => this.getOrLoad(`${prefix}:${key}`, ttlMs, load),
      peek: (key) => this.get(`${prefix}:${key}`),
      set: (key, value, ttlMs) => this.set(`${prefix}:${key}`, value, ttlMs),
      invalidate: async (key) => {
        this.epoch++;
        this.lru.delete(`${prefix}:${key}`);
      },
      invalidatePrefix: async (p) => this.deletePrefix(`${prefix}:${p}`),
    };
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

  /** Bytes held (approximate), for metrics and tests. */
  get size(): number {
    return this.lru.calculatedSize;
  }

  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.lru.get(key);
    if (hit) return Promise.resolve(hit.v as T);
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const epoch = this.epoch;
    const p = load()
      .then((v) => {
        if (epoch === this.epoch) this.lru.set(key, { v }, { ttl: ttlMs });
        return v;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
