import Keyv from 'keyv';

/**
 * A connector's cache of reference data (organizations, services, customers), namespaced per
 * connection. In memory by default; entries expire after their TTL. Concurrent misses of one key
 * share one load.
 */
export interface ConnectorCache {
  /** The cached value of `key`, or the result of `load` (cached for `ttlMs`). */
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /** Drops one key (after a write that changes it). */
  invalidate(key: string): Promise<void>;
}

export class KeyvConnectorCache implements ConnectorCache {
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly keyv: Keyv,
    private readonly prefix: string,
  ) {}

  static memory(prefix: string, shared = new Keyv()): KeyvConnectorCache {
    return new KeyvConnectorCache(shared, prefix);
  }

  async getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const full = `${this.prefix}:${key}`;
    const hit = (await this.keyv.get(full)) as { v: T } | undefined;
    if (hit) return hit.v;
    const running = this.inflight.get(full) as Promise<T> | undefined;
    if (running) return running;
    const p = load()
      .then(async (v) => {
        await this.keyv.set(full, { v }, ttlMs);
        return v;
      })
      .finally(() => this.inflight.delete(full));
    this.inflight.set(full, p);
    return p;
  }

  async invalidate(key: string): Promise<void> {
    await this.keyv.delete(`${this.prefix}:${key}`);
  }
}
