import { resolve } from 'node:path';
import type KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { FileStore } from './file-store.js';

export type StoreBackend = 'file' | 'memory' | 'redis' | 'postgres';

/**
 * The one key-value store of the gateway (tenants, API-key hashes, connections, encrypted token
 * sets, connector caches). keyv underneath; `STORE_URL` picks the backend. Values are JSON.
 *
 * `withLock` serializes work on a name across everything that shares the store's process; the
 * multi-instance version (Redis `SET NX PX` + fencing) plugs in here without changing callers.
 * `setIfAbsent` and `lease` are the cross-process primitives: atomic in Redis when the store is
 * Redis, per process (like `withLock`) for the file, memory and PostgreSQL backends.
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
  /**
   * Writes `value` at `key` only when the key is absent (or expired); true when this call wrote it.
   * `ttlMs` > 0 expires the value. Atomic across processes on Redis (`SET NX PX`, the key keyv
   * reads, so `get` sees the value); per process elsewhere.
   */
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  /**
   * Takes the named lease for `owner` when it is free, or renews it (a fresh `ttlMs`) when `owner`
   * already holds it; true when `owner` holds it afterwards. Only the owner renews or releases. A
   * lease is not a fence: work that may outlive `ttlMs` must renew before each step.
   */
  lease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up when `owner` holds it (else does nothing); true when it was released. */
  releaseLease(name: string, owner: string): Promise<boolean>;
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
      return new KeyvStore('redis', keyv, () => adapter.disconnect(), redisAtomics(adapter, keyv));
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

/**
 * The cross-process primitives of a Redis store. Values written by `setIfAbsent` go to the key keyv
 * reads (the adapter's `<namespace>::<key>`, serialized the way keyv serializes), so `get` answers
 * them. Leases live in their own key space, `bookgraph:lease:<name>` (one colon, so keyv's
 * `bookgraph::*` never lists or clears them), holding the owner string.
 */
interface Atomics {
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  lease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<boolean>;
}

/** What the primitives need of a node-redis client (plain, cluster or sentinel: all have these). */
interface RedisCommands {
  set(key: string, value: string, options: { condition: 'NX'; expiration?: { type: 'PX'; value: number } }): Promise<string | null>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

const LEASE_PREFIX = 'bookgraph:lease:';

/** Renews the lease when ARGV[1] holds it (compare and PEXPIRE in one step). */
const RENEW_LEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lease when ARGV[1] holds it (compare and DEL in one step). */
const RELEASE_LEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

function redisAtomics(adapter: KeyvRedis<unknown>, keyv: Keyv): Atomics {
  const client = async () => (await adapter.getClient()) as unknown as RedisCommands;
  return {
    async setIfAbsent(key, value, ttlMs) {
      const expires = ttlMs > 0 ? Date.now() + ttlMs : undefined;
      const raw = await keyv.serializeData({ value, expires });
      const stored = adapter.createKeyPrefix(key, adapter.namespace);
      const reply = await (
        await client()
      ).set(stored, typeof raw === 'string' ? raw : JSON.stringify(raw), {
        condition: 'NX',
        ...(ttlMs > 0 ? { expiration: { type: 'PX' as const, value: Math.ceil(ttlMs) } } : {}),
      });
      return reply === 'OK';
    },
    async lease(name, owner, ttlMs) {
      const redis = await client();
      const key = LEASE_PREFIX + name;
      const px = Math.max(1, Math.ceil(ttlMs));
      if ((await redis.set(key, owner, { condition: 'NX', expiration: { type: 'PX', value: px } })) === 'OK') return true;
      return Number(await redis.eval(RENEW_LEASE, { keys: [key], arguments: [owner, String(px)] })) === 1;
    },
    async releaseLease(name, owner) {
      return Number(await (await client()).eval(RELEASE_LEASE, { keys: [LEASE_PREFIX + name], arguments: [owner] })) === 1;
    },
  };
}

class KeyvStore implements Store {
  private readonly locks = new Map<string, Promise<unknown>>();
  /** In-process leases (every backend but Redis): name → holder and expiry (epoch ms). */
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();

  constructor(
    readonly backend: StoreBackend,
    readonly keyv: Keyv,
    private readonly onClose?: () => Promise<void>,
    private readonly atomics?: Atomics,
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

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    if (this.atomics) return this.atomics.setIfAbsent(key, value, ttlMs);
    return this.withLock(`setIfAbsent:${key}`, async () => {
      if ((await this.keyv.get(key)) !== undefined) return false;
      await this.set(key, value, ttlMs);
      return true;
    });
  }

  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    if (this.atomics) return this.atomics.lease(name, owner, ttlMs);
    const now = Date.now();
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.leases.set(name, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<boolean> {
    if (this.atomics) return this.atomics.releaseLease(name, owner);
    const held = this.leases.get(name);
    if (!held || held.owner !== owner || held.expiresAt <= Date.now()) return false;
    this.leases.delete(name);
    return true;
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
