import type { SecretBox } from '../store/secret-box.js';
import type { Store } from '../store/store.js';
import { AccessTokenRejectedError, GrantRevokedError } from './errors.js';

/**
 * A token set as a platform issued it. Times are epoch milliseconds on the gateway's clock.
 * Stored encrypted, whole, under `token:<connectionId>:<name>`.
 */
export interface TokenSet {
  /**
   * What the set is: `access` (it authorizes API calls; the default) or `grant` (a long-lived token
   * that only obtains access tokens, such as bookingtime's refresh token). Stamped by the manager
   * from the strategy that obtained it, so nothing outside a connector reads token names.
   */
  kind?: TokenKind;
  accessToken: string;
  /** When the access token stops working; null when the platform gives no expiry. */
  expiresAt: number | null;
  refreshToken?: string;
  refreshExpiresAt?: number | null;
  obtainedAt: number;
  /**
   * Set when the platform refused this grant for good: later callers get the same
   * `GrantRevokedError` at once, without asking the platform again, until a new set replaces it.
   */
  refused?: { provider: string; reason: string };
  /** Non-secret facts a strategy wants back next time (granted scopes, organization, …). */
  meta?: Record<string, unknown>;
}

export type TokenKind = 'grant' | 'access';

/** What the gateway shows of a connection's tokens (ProviderConnection.lastRefreshedAt, accessTokenExpiresAt). */
export interface TokenSummary {
  /** When any token of the connection was last obtained, epoch ms; null when it holds none. */
  lastRefreshedAt: number | null;
  /** The latest expiry of its access tokens (not grants), epoch ms; null when none expires. */
  accessTokenExpiresAt: number | null;
}

/** The grant logic a connector plugs in for one kind of token. */
export interface TokenStrategy {
  /** `access` (default) or `grant`: see `TokenSet.kind`. */
  kind?: TokenKind;
  /** Renew this many seconds before `expiresAt` (covers clock skew and in-flight requests). */
  marginSeconds: number;
  /**
   * Obtains a new token set from the platform. `current` is the stored set (stale or not) or null;
   * `now` is the manager's clock (epoch ms), which stamps `obtainedAt` and `expiresAt`.
   * Throws `GrantRevokedError` when the platform refuses the grant itself; anything else is
   * treated as a transient failure and leaves the stored set untouched.
   */
  obtain(current: TokenSet | null, now: () => number): Promise<TokenSet>;
}

/** True when `set` can be used at `nowMs` without renewing (pure; STYLE: decisions apart from I/O). */
export function isUsable(set: TokenSet | null | undefined, nowMs: number, marginSeconds: number): set is TokenSet {
  if (!set?.accessToken) return false;
  if (set.expiresAt === null) return true;
  return set.expiresAt - marginSeconds * 1000 > nowMs;
}

export interface TokenHooks {
  /** A new set was stored (update the connection's lastRefreshedAt / expiry from `summary`). */
  onRenewed(connectionId: string, summary: TokenSummary): Promise<void>;
  /** The platform refused the grant: the connection needs a person to connect again. */
  onGrantRevoked(connectionId: string, reason: string): Promise<void>;
}

/** The token manager's face for one connection; handed to that connection's connector. */
export interface ConnectionTokens {
  /** A usable token for `name`, obtaining or renewing it when missing or within the margin. */
  get(name: string, strategy: TokenStrategy): Promise<TokenSet>;
  /**
   * Runs `call` with a usable token; when it throws `AccessTokenRejectedError` (HTTP 401) the token
   * is renewed once — shared with every concurrent caller — and `call` runs once more.
   */
  use<T>(name: string, strategy: TokenStrategy, call: (token: TokenSet) => Promise<T>): Promise<T>;
  /** Stores a set obtained outside a strategy (e.g. an authorization-code exchange). */
  put(name: string, set: TokenSet): Promise<void>;
  /** The stored set, usable or not, or null. */
  peek(name: string): Promise<TokenSet | null>;
  /** Times of the connection's tokens, whatever their names. */
  summary(): Promise<TokenSummary>;
  /** The manager's clock, epoch ms (the one strategies get). */
  now(): number;
  /** Forgets every token of the connection (disconnect). */
  clear(): Promise<void>;
}

/**
 * Caches tokens in the store (encrypted) and in memory, renews them shortly before expiry and once
 * after a 401, and makes concurrent callers share one renewal: single-flight within the process and
 * `store.withLock` around the read-check-renew-write sequence, which is where the cross-instance
 * lock plugs in. The lock holder re-reads the store before renewing, so a renewal another holder
 * just finished is reused instead of repeated (rotating refresh tokens punish repeats).
 */
export class TokenManager {
  private readonly memory = new Map<string, TokenSet>();
  private readonly inflight = new Map<string, Promise<TokenSet>>();

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly hooks: TokenHooks,
    private readonly now: () => number = Date.now,
  ) {}

  forConnection(connectionId: string): ConnectionTokens {
    return {
      get: (name, strategy) => this.get(connectionId, name, strategy),
      use: (name, strategy, call) => this.use(connectionId, name, strategy, call),
      put: (name, set) => this.write(connectionId, name, set),
      peek: (name) => this.read(connectionId, name),
      summary: () => this.summary(connectionId),
      now: () => this.now(),
      clear: () => this.clear(connectionId),
    };
  }

  private key(connectionId: string, name: string): string {
    return `token:${connectionId}:${name}`;
  }

  async get(connectionId: string, name: string, strategy: TokenStrategy): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    const cached = this.memory.get(key);
    if (isUsable(cached, this.now(), strategy.marginSeconds)) return cached;
    return this.singleFlight(key, () =>
      this.store.withLock(key, async () => {
        const stored = await this.read(connectionId, name);
        if (isUsable(stored, this.now(), strategy.marginSeconds)) {
          this.memory.set(key, stored);
          return stored;
        }
        return this.renew(connectionId, name, stored, strategy);
      }),
    );
  }

  async use<T>(connectionId: string, name: string, strategy: TokenStrategy, call: (token: TokenSet) => Promise<T>): Promise<T> {
    const token = await this.get(connectionId, name, strategy);
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof AccessTokenRejectedError)) throw err;
      const renewed = await this.renewRejected(connectionId, name, strategy, token.accessToken);
      return call(renewed);
    }
  }

  /** Renews after `rejected` got a 401, unless someone already replaced it (compare-and-set). */
  private renewRejected(connectionId: string, name: string, strategy: TokenStrategy, rejected: string): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    const cached = this.memory.get(key);
    if (cached && cached.accessToken !== rejected && isUsable(cached, this.now(), strategy.marginSeconds)) {
      return Promise.resolve(cached);
    }
    return this.singleFlight(key, () =>
      this.store.withLock(key, async () => {
        const stored = await this.read(connectionId, name);
        if (stored && stored.accessToken !== rejected && isUsable(stored, this.now(), strategy.marginSeconds)) {
          this.memory.set(key, stored);
          return stored;
        }
        return this.renew(connectionId, name, stored, strategy);
      }),
    );
  }

  /** Obtains, stores (before anyone uses it), caches. Caller holds the lock. */
  private async renew(connectionId: string, name: string, stored: TokenSet | null, strategy: TokenStrategy): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    if (stored?.refused) throw new GrantRevokedError(stored.refused.provider, stored.refused.reason);
    let next: TokenSet;
    try {
      next = await strategy.obtain(stored, this.now);
    } catch (err) {
      if (!(err instanceof GrantRevokedError)) throw err;
      // Another holder (another instance without a shared lock, or a crash-recovered write) may have
      // rotated the refresh token just now: re-read before declaring the grant dead.
      const reread = await this.read(connectionId, name);
      if (reread?.refreshToken && reread.refreshToken !== stored?.refreshToken) {
        if (isUsable(reread, this.now(), strategy.marginSeconds)) {
          this.memory.set(key, reread);
          return reread;
        }
        try {
          next = await strategy.obtain(reread, this.now);
        } catch (again) {
          if (again instanceof GrantRevokedError) await this.refuse(connectionId, name, reread, again);
          throw again;
        }
      } else {
        await this.refuse(connectionId, name, stored, err);
        throw err;
      }
    }
    const stamped = { ...next, kind: strategy.kind ?? 'access' };
    await this.write(connectionId, name, stamped);
    return stamped;
  }

  /**
   * Records that the platform refused the grant (so callers already in flight, in this process or
   * another, do not present it again) and tells the hooks once. Caller holds the lock.
   */
  private async refuse(connectionId: string, name: string, stored: TokenSet | null, err: GrantRevokedError): Promise<void> {
    const key = this.key(connectionId, name);
    this.memory.delete(key);
    const tombstone: TokenSet = {
      kind: stored?.kind,
      accessToken: '',
      expiresAt: null,
      // Kept for revocation at disconnect (RFC 7009 answers 200 for a token it no longer knows).
      refreshToken: stored?.refreshToken,
      obtainedAt: stored?.obtainedAt ?? this.now(),
      refused: { provider: err.provider, reason: err.reason },
    };
    await this.persist(connectionId, name, tombstone);
    await this.hooks.onGrantRevoked(connectionId, err.reason);
  }

  private async write(connectionId: string, name: string, set: TokenSet): Promise<void> {
    await this.persist(connectionId, name, set);
    this.memory.set(this.key(connectionId, name), set);
    await this.hooks.onRenewed(connectionId, await this.summary(connectionId));
  }

  /** Stores `set` sealed under its key and adds `name` to the connection's index. */
  private async persist(connectionId: string, name: string, set: TokenSet): Promise<void> {
    const key = this.key(connectionId, name);
    await this.store.set(key, this.box.sealJson(set, key));
    const index = (await this.store.get<string[]>(`tokens:${connectionId}`)) ?? [];
    if (!index.includes(name)) await this.store.set(`tokens:${connectionId}`, [...index, name]);
  }

  /** See `TokenSummary`; reads every stored set of the connection. */
  async summary(connectionId: string): Promise<TokenSummary> {
    const names = (await this.store.get<string[]>(`tokens:${connectionId}`)) ?? [];
    const sets = (await Promise.all(names.map((n) => this.read(connectionId, n)))).filter((t): t is TokenSet => !!t && !t.refused);
    const obtained = sets.map((t) => t.obtainedAt);
    const expiries = sets.filter((t) => t.kind !== 'grant' && t.expiresAt !== null).map((t) => t.expiresAt as number);
    return {
      lastRefreshedAt: obtained.length ? Math.max(...obtained) : null,
      accessTokenExpiresAt: expiries.length ? Math.max(...expiries) : null,
    };
  }

  /**
   * Moves every token of `fromId` to `toId`, replacing what `toId` held (a second consent for an
   * account that is already connected lands on the existing connection).
   */
  async move(fromId: string, toId: string): Promise<void> {
    const names = (await this.store.get<string[]>(`tokens:${fromId}`)) ?? [];
    const sets = await Promise.all(names.map(async (n) => [n, await this.read(fromId, n)] as const));
    await this.clear(toId);
    for (const [name, set] of sets) if (set) await this.write(toId, name, set);
    await this.clear(fromId);
  }

  private async read(connectionId: string, name: string): Promise<TokenSet | null> {
    const key = this.key(connectionId, name);
    const sealed = await this.store.get<string>(key);
    if (!sealed) return null;
    return this.box.openJson<TokenSet>(sealed, key);
  }

  async clear(connectionId: string): Promise<void> {
    const names = (await this.store.get<string[]>(`tokens:${connectionId}`)) ?? [];
    for (const name of names) {
      const key = this.key(connectionId, name);
      this.memory.delete(key);
      await this.store.delete(key);
    }
    await this.store.delete(`tokens:${connectionId}`);
  }

  private singleFlight(key: string, work: () => Promise<TokenSet>): Promise<TokenSet> {
    const running = this.inflight.get(key);
    if (running) return running;
    const p = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
