import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import Keyv from 'keyv';
import { LockTimeoutError, redactUrl, StoreUnavailableError } from './errors.js';
import { FileStore } from './file-store.js';
import type { SharedAtomics } from './shared.js';

export { LockTimeoutError, StoreUnavailableError } from './errors.js';

export type StoreBackend = 'file' | 'memory' | 'redis' | 'postgres';

/** A value `compareAndSet` writes: any JSON object with a numeric `version` (an interface will do). */
export type Versioned = { version: number };

/** Options of `withLock`: how long the lock lives without renewal, and how long a waiter waits. */
export interface LockOptions {
  /** TTL of the shared lock in ms (default 30 000); renewed every `ttlMs / 2` while `fn` runs. */
  ttlMs?: number;
  /** How long to wait for the lock in ms (default 15 000) before `LockTimeoutError`. */
  waitMs?: number;
}

export const LOCK_TTL_MS = 30_000;
export const LOCK_WAIT_MS = 15_000;

/**
 * The one key-value store of the gateway (tenants, API-key hashes, connections, encrypted token
 * sets, connector caches). keyv underneath; `STORE_URL` picks the backend. Values are JSON.
 *
 * On Redis and PostgreSQL (stores several gateway processes share) `withLock`, `setIfAbsent`,
 * `compareAndSet` and leases hold across processes; on the file and memory stores (one process owns
 * them) they hold within the process. Redis and PostgreSQL fail fast: `openStore` rejects within a
 * few seconds with one line naming the (redacted) URL, and while the store is down every operation
 * rejects at once with `StoreUnavailableError` and works again, without a reopen, once it is back.
 */
export interface Store {
  readonly backend: StoreBackend;
  /** The keyv instance (for adapters and tests that read the raw store). */
  readonly keyv: Keyv;
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlMs` > 0 expires the value. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /**
   * Runs `fn` while holding the named lock: in this process (a queue per name) and, on Redis and
   * PostgreSQL, across processes (a key or row with a unique owner and a TTL, renewed while `fn`
   * runs, released only by its owner). Not re-entrant. Throws `LockTimeoutError` when the lock is
   * not taken within `waitMs`, `StoreUnavailableError` when the store is down. If the store stays
   * unreachable longer than `ttlMs` while `fn` runs, the lock may lapse: it is not a fence, so
   * writes that must not be lost to a slower holder use `compareAndSet`.
   */
  withLock<T>(name: string, fn: () => Promise<T>, opts?: LockOptions): Promise<T>;
  /**
   * Writes `value` at `key` only when the key is absent (or expired); true when this call wrote it.
   * `ttlMs` > 0 expires the value. Atomic across processes on Redis (`SET NX PX` on the key keyv
   * reads) and PostgreSQL (one `INSERT … ON CONFLICT` on keyv's table); per process elsewhere.
   */
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  /**
   * Writes `value` only when the stored value's `version` equals `expectedVersion` (null: the key is
   * absent or expired; a stored value without a numeric `version` counts as 0); true when written.
   * `value.version` must be a finite number greater than `expectedVersion` (any, for null), else
   * RangeError. `ttlMs` > 0 expires the value. Atomic across processes on Redis (a Lua script) and
   * PostgreSQL (one conditional statement); under the in-process lock elsewhere.
   */
  compareAndSet<V extends Versioned>(key: string, expectedVersion: number | null, value: V, ttlMs?: number): Promise<boolean>;
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

/**
 * Opens the store named by `url` (`file://./data/x.json`, `memory://`, `redis://…`, `postgres://…`).
 * Redis and PostgreSQL are pinged here: unreachable, refusing the login or not answering within
 * a few seconds, the promise rejects with one line (`cannot open the store <redacted url>: <reason>`).
 */
export async function openStore(url: string): Promise<Store> {
  const scheme = url.split(':', 1)[0];
  switch (scheme) {
    case 'memory':
      return new KeyvStore('memory', new Keyv());
    case 'file': {
      const path = resolve(url.replace(/^file:\/\//, ''));
      const file = await FileStore.open(path);
      return new KeyvStore('file', new Keyv({ store: file }), { close: () => file.disconnect() });
    }
    case 'redis':
    case 'rediss': {
      const [{ default: KeyvRedis }, { connectRedis, redisAtomics }] = await Promise.all([import('@keyv/redis'), import('./redis.js')]);
      const client = await connectRedis(url);
      // Errors are thrown, not swallowed into `undefined` (keyv's default), so an outage is visible.
      const adapter = new KeyvRedis(client as never, { throwOnErrors: true, throwOnConnectError: true });
      const keyv = new Keyv({ store: adapter, namespace: 'bookgraph', useKeyPrefix: false, throwOnErrors: true });
      return new KeyvStore('redis', keyv, {
        url,
        // The key keyv writes: the adapter's `<namespace>::<key>`.
        shared: redisAtomics(client, (key) => adapter.createKeyPrefix(key, adapter.namespace)),
        close: async () => {
          if (client.isOpen) await (client.isReady ? client.close() : client.destroy());
        },
      });
    }
    case 'postgres':
    case 'postgresql': {
      const { openPostgresPool, PoolKeyvPostgres, postgresAtomics, VALUE_TABLE } = await import('./postgres.js');
      const pool = await openPostgresPool(url);
      const adapter = new PoolKeyvPostgres(pool, { uri: url, table: VALUE_TABLE });
      const keyv = new Keyv({ store: adapter, namespace: 'bookgraph', throwOnErrors: true });
      return new KeyvStore('postgres', keyv, {
        url,
        // keyv's row key: `<namespace>:<key>`, unless the key already starts with it (keyv's rule).
        shared: postgresAtomics(pool, (key) => (key.startsWith('bookgraph:') ? key : `bookgraph:${key}`)),
        close: () => adapter.disconnect(),
      });
    }
    default:
      throw new Error(`STORE_URL: unsupported scheme "${scheme}" (use file://, memory://, redis:// or postgres://)`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sleep between attempts at a held shared lock: 10 ms doubling to 160 ms, each ±50 % at random. */
const retryDelayMs = (attempt: number) => 10 * 2 ** Math.min(attempt, 4) * (0.5 + Math.random());

/** This process in lock owner values (`host:pid:uuid`), so a stuck lock says whose it is. */
const PROCESS_TAG = `${hostname()}:${process.pid}`;

class KeyvStore implements Store {
  /** In-process queue per lock name: the tail every new holder waits for. */
  private readonly locks = new Map<string, Promise<void>>();
  /** In-process leases (file and memory): name → holder and expiry (epoch ms). */
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly shared?: SharedAtomics;
  private readonly url: string;
  private readonly onClose?: () => Promise<void>;

  constructor(
    readonly backend: StoreBackend,
    readonly keyv: Keyv,
    opts: { url?: string; shared?: SharedAtomics; close?: () => Promise<void> } = {},
  ) {
    this.shared = opts.shared;
    this.url = redactUrl(opts.url ?? `${backend}://`);
    this.onClose = opts.close;
    keyv.on('error', () => undefined);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.guard(async () => (await this.keyv.get(key)) as T | undefined);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const ok = await this.guard(() => this.keyv.set(key, value, ttlMs && ttlMs > 0 ? ttlMs : undefined));
    if (ok === false) throw new Error(`store write failed for ${key.split(':')[0]}`);
  }

  async delete(key: string): Promise<boolean> {
    return this.guard(() => this.keyv.delete(key));
  }

  async withLock<T>(name: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
    const ttlMs = opts.ttlMs ?? LOCK_TTL_MS;
    const waitMs = opts.waitMs ?? LOCK_WAIT_MS;
    const deadline = Date.now() + waitMs;
    const previous = this.locks.get(name);
    let abandoned = false;
    let timer: NodeJS.Timeout | undefined;
    const turn = (previous ?? Promise.resolve()).then(() => {
      clearTimeout(timer);
      if (abandoned) throw new LockTimeoutError(name, waitMs);
      return this.shared ? this.holdShared(this.shared, name, fn, ttlMs, waitMs, deadline) : fn();
    });
    const tail = turn.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(name, tail);
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    });
    if (!previous) return turn;
    // Someone in this process holds it: give up after `waitMs` unless our turn came (then it runs).
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abandoned = true;
        reject(new LockTimeoutError(name, waitMs));
      }, waitMs);
    });
    return Promise.race([turn, timeout]);
  }

  /**
   * Takes the shared lock (retrying with jittered sleeps until `deadline`), runs `fn` while renewing
   * the lock every `ttlMs / 2`, then releases it if still ours. A failed release is left to the TTL.
   */
  private async holdShared<T>(shared: SharedAtomics, name: string, fn: () => Promise<T>, ttlMs: number, waitMs: number, deadline: number): Promise<T> {
    const owner = `${PROCESS_TAG}:${randomUUID()}`;
    for (let attempt = 0; !(await this.guard(() => shared.tryTake('lock', name, owner, ttlMs))); attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) throw new LockTimeoutError(name, waitMs);
      await sleep(Math.min(left, retryDelayMs(attempt)));
    }
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const renewIn = (ms: number) => {
      timer = setTimeout(async () => {
        let held: boolean | undefined;
        try {
          held = await shared.renew('lock', name, owner, ttlMs);
        } catch {
          held = undefined; // store unreachable for now: try again soon
        }
        if (!done && held !== false) renewIn(held ? ttlMs / 2 : Math.min(ttlMs / 4, 1_000));
      }, ms);
    };
    renewIn(ttlMs / 2);
    try {
      return await fn();
    } finally {
      done = true;
      clearTimeout(timer);
      await shared.release('lock', name, owner).catch(() => false);
    }
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const shared = this.shared;
    if (shared) return this.guard(async () => shared.setIfAbsent(key, await this.envelope(value, ttlMs), ttlMs));
    return this.withLock(`setIfAbsent:${key}`, async () => {
      if ((await this.keyv.get(key)) !== undefined) return false;
      await this.set(key, value, ttlMs);
      return true;
    });
  }

  async compareAndSet<V extends Versioned>(key: string, expectedVersion: number | null, value: V, ttlMs = 0): Promise<boolean> {
    if (!Number.isFinite(value?.version) || (expectedVersion !== null && !(value.version > expectedVersion))) {
      throw new RangeError(`compareAndSet ${key.split(':')[0]}: version ${value?.version} must be a number greater than ${expectedVersion}`);
    }
    const shared = this.shared;
    if (shared) return this.guard(async () => shared.compareAndSet(key, expectedVersion, await this.envelope(value, ttlMs), ttlMs));
    return this.withLock(`compareAndSet:${key}`, async () => {
      const current = await this.keyv.get(key);
      const version = current === undefined ? null : typeof (current as Partial<Versioned>)?.version === 'number' ? (current as Versioned).version : 0;
      if (version !== expectedVersion) return false;
      await this.set(key, value, ttlMs);
      return true;
    });
  }

  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const shared = this.shared;
    if (shared) return this.guard(async () => (await shared.tryTake('lease', name, owner, ttlMs)) || shared.renew('lease', name, owner, ttlMs));
    const now = Date.now();
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.leases.set(name, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<boolean> {
    const shared = this.shared;
    if (shared) return this.guard(() => shared.release('lease', name, owner));
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

  /** The string keyv stores for `value` (its envelope with `expires`), for the atomic writes. */
  private async envelope(value: unknown, ttlMs: number): Promise<string> {
    const raw = await this.keyv.serializeData({ value, expires: ttlMs > 0 ? Date.now() + ttlMs : undefined });
    return typeof raw === 'string' ? raw : JSON.stringify(raw);
  }

  /** Runs a store operation; a failure that means "the store cannot be reached" becomes `StoreUnavailableError`. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (this.shared?.isUnavailable(err)) throw new StoreUnavailableError(this.url, { cause: err });
      throw err;
    }
  }
}
