import { resolve } from 'node:path';
import Keyv from 'keyv';
import { FileStore } from './file-store.js';

export type StoreBackend = 'file' | 'memory' | 'redis' | 'postgres';

/**
 * The one key-value store of the gateway (tenants, API-key hashes, connections, encrypted token
 * sets, connector caches). keyv underneath; `STORE_URL` picks the backend. Values are JSON.
 *
 * `withLock` serializes work on a name across everything that shares the store's process; the
 * multi-instance version (Redis `SET NX PX` + fencing) plugs in here without changing callers.
 */
export interface Store {
  readonly backend: StoreBackend;
  /** The keyv instance (for adapters and tests that read the raw store). */
  readonly keyv: Keyv;
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlMs` > 0 expires the value. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Runs `fn` while holding the named lock. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** True when the backend answers a write and a read. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens the store named by `url` (`file://./data/x.json`, `memory://`, `redis://…`, `postgres://…`). */
export async function openStore(url: string): Promise<Store> {
  const scheme = url.split(':', 1)[0];
  switch (scheme) {
    case 'memory':
      return new KeyvStore('memory', new Keyv());
    case 'file': {
      const path = resolve(url.replace(/^file:\/\//, ''));
      const file = await FileStore.open(path);
      return new KeyvStore('file', new Keyv({ store: file }), () => file.disconnect());
    }
    case 'redis':
    case 'rediss': {
      const { default: KeyvRedis } = await import('@keyv/redis');
      const adapter = new KeyvRedis(url);
      const keyv = new Keyv({ store: adapter, namespace: 'bookgraph', useKeyPrefix: false });
      return new KeyvStore('redis', keyv, () => adapter.disconnect());
    }
    case 'postgres':
    case 'postgresql': {
      const { default: KeyvPostgres } = await import('@keyv/postgres');
      const adapter = new KeyvPostgres({ uri: url, table: 'bookgraph' });
      const keyv = new Keyv({ store: adapter, namespace: 'bookgraph' });
      return new KeyvStore('postgres', keyv, () => adapter.disconnect());
    }
    default:
      throw new Error(`STORE_URL: unsupported scheme "${scheme}" (use file://, memory://, redis:// or postgres://)`);
  }
}

class KeyvStore implements Store {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly backend: StoreBackend,
    readonly keyv: Keyv,
    private readonly onClose?: () => Promise<void>,
  ) {
    keyv.on('error', () => undefined);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.keyv.get(key)) as T | undefined;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const ok = await this.keyv.set(key, value, ttlMs && ttlMs > 0 ? ttlMs : undefined);
    if (ok === false) throw new Error(`store write failed for ${key.split(':')[0]}`);
  }

  async delete(key: string): Promise<boolean> {
    return this.keyv.delete(key);
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(name, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    }
  }

  async ping(): Promise<boolean> {
    try {
      const stamp = String(Date.now());
      await this.keyv.set('health:ping', stamp, 60_000);
      return (await this.keyv.get('health:ping')) === stamp;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }
}
