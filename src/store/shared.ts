/**
 * What a store shared by several gateway processes (Redis, PostgreSQL) provides on top of keyv:
 * owner-checked locks and leases with a TTL, and atomic conditional writes. `KeyvStore` builds
 * `withLock`, `lease`, `setIfAbsent` and `compareAndSet` on these; the file and memory stores have
 * none (one process owns them) and do the same under the in-process lock.
 */
export interface SharedAtomics {
  /**
   * Takes `name` in `space` for `owner` when nobody holds it (or the holder's TTL ran out); true
   * when `owner` holds it afterwards. `ttlMs` is counted by the store's clock.
   */
  tryTake(space: LockSpace, name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the holder a fresh `ttlMs` when `owner` still holds it (compare and extend, one step). */
  renew(space: LockSpace, name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Deletes the entry when `owner` holds it (compare and delete, one step); true when deleted. */
  release(space: LockSpace, name: string, owner: string): Promise<boolean>;
  /** See `Store.setIfAbsent`; `raw` is the value as keyv serializes it (envelope included). */
  setIfAbsent(key: string, raw: string, ttlMs: number): Promise<boolean>;
  /** See `Store.compareAndSet`; `raw` as for `setIfAbsent`. */
  compareAndSet(key: string, expectedVersion: number | null, raw: string, ttlMs: number): Promise<boolean>;
  /** True when `err` means the store cannot be reached (down, refused, timed out), not a bad request. */
  isUnavailable(err: unknown): boolean;
}

/** `withLock` locks and `lease` leases live apart, so a lock and a lease of one name never collide. */
export type LockSpace = 'lock' | 'lease';

/** How long a store may take to answer at open (connect, log in, ping) before `openStore` gives up. */
export const OPEN_TIMEOUT_MS = 4_000;
/** How long one command may take at run time before it counts as the store being unreachable. */
export const COMMAND_TIMEOUT_MS = 3_000;
/** How long a dead store's connection attempt may take (TCP connect and login). */
export const CONNECT_TIMEOUT_MS = 3_000;

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reconnect delay after `retries` failed attempts: 100 ms doubling, capped at 2 s, ±25 % jitter. */
export function reconnectDelayMs(retries: number): number {
  const base = Math.min(2_000, 100 * 2 ** Math.min(retries, 5));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
