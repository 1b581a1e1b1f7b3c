import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../store/secret-box.js';
import { LockTimeoutError, type Store } from '../store/store.js';
import { AccessTokenRejectedError, GrantRevokedError, TokenRenewalPausedError } from './errors.js';

/**
 * A token set as a platform issued it. Times are epoch milliseconds on the gateway's clock.
 * Stored encrypted, whole, under `token:<connectionId>:<name>` as `{ version, sealed }` (see `Stored`).
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

/**
 * How a token set is stored: sealed, with a version that grows by one with every write. Renewals
 * write with compare-and-set on it, so a slow holder can never replace a newer rotation with an
 * older one. (A bare sealed string, the format before versions, reads as version 0.)
 */
interface Stored {
  version: number;
  sealed: string;
}

/** A stored set with the version it was read at. */
interface Versioned {
  set: TokenSet;
  version: number;
}

/** When the grant behind `set` runs out (its refresh token, or the set itself for a grant); null when it does not. */
export function grantEndOf(set: TokenSet): number | null {
  if (typeof set.refreshExpiresAt === 'number') return set.refreshExpiresAt;
  return set.kind === 'grant' ? set.expiresAt : null;
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
  /**
   * Renews `name` now when its grant (`grantEndOf`) ends within `withinMs`, as a renewal near expiry
   * would (locked, re-read first); true when it renewed. The background keep-alive of idle connections.
   */
  renewGrantEndingWithin(name: string, strategy: TokenStrategy, withinMs: number): Promise<boolean>;
  /** Times of the connection's tokens, whatever their names. */
  summary(): Promise<TokenSummary>;
  /** The manager's clock, epoch ms (the one strategies get). */
  now(): number;
  /** Forgets every token of the connection (disconnect). */
  clear(): Promise<void>;
}

export interface TokenManagerOptions {
  /** After a renewal failed inconclusively (5xx, timeout), no new attempt on that token for this long. */
  cooldownMs?: number;
  /** How long a renewal may hold the token's lock (extended while it runs), and how long a waiter waits. */
  lockTtlMs?: number;
  lockWaitMs?: number;
  /**
   * Told about every renewal the platform was asked for (metrics): `renewed`, `failed` (5xx, timeout,
   * a malformed answer) or `revoked` (the platform refused the grant). Must not throw.
   */
  onRenewal?: (provider: string, outcome: RenewalOutcome) => void;
}

export type RenewalOutcome = 'renewed' | 'failed' | 'revoked';

/** Why a renewal was not tried: one failed moments ago (`TokenManagerOptions.cooldownMs`). Shared by every instance. */
interface Cooldown {
  until: number;
  message: string;
}

/** A renewal in progress: written before the platform is asked, deleted once the new set is stored. */
interface Intent {
  owner: string;
  at: number;
}

/**
 * Caches tokens in the store (encrypted) and in memory, renews them shortly before expiry and once
 * after a 401, and makes concurrent callers share one renewal: single-flight within the process, then
 * `store.withLock` around the read-check-renew-write sequence (across instances on Redis and
 * PostgreSQL). The lock holder re-reads the store before renewing, so a renewal another holder just
 * finished is reused instead of repeated (rotating refresh tokens punish repeats), and writes with
 * compare-and-set on the set's version. A waiter that times out re-reads instead of renewing.
 *
 * Failures: a refused grant → the connection needs a person (`onGrantRevoked`), after one re-read; a
 * rejected access token → renew once; anything else (5xx, timeout) keeps the set and starts a cooldown
 * during which that token is not renewed again (a broken platform is not flooded). A renewal that was
 * interrupted (its process died after the platform rotated and before the write) is recognised by its
 * leftover intent record and named in the reason if the platform then refuses the grant.
 */
export class TokenManager {
  private readonly memory = new Map<string, TokenSet>();
  private readonly inflight = new Map<string, Promise<TokenSet>>();
  private readonly cooldowns = new Map<string, Cooldown>();
  /** This process, in intent records. */
  private readonly owner = `tokens-${randomUUID()}`;
  private readonly cooldownMs: number;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly onRenewal?: TokenManagerOptions['onRenewal'];

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly hooks: TokenHooks,
    private readonly now: () => number = Date.now,
    options: TokenManagerOptions = {},
  ) {
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.lockWaitMs = options.lockWaitMs ?? 20_000;
    this.onRenewal = options.onRenewal;
  }

  /** `provider` (the platform's key) names the platform in errors the manager makes itself. */
  forConnection(connectionId: string, provider = 'platform'): ConnectionTokens {
    return {
      get: (name, strategy) => this.get(connectionId, name, strategy, provider),
      use: (name, strategy, call) => this.use(connectionId, name, strategy, call, provider),
      put: (name, set) => this.write(connectionId, name, set),
      peek: async (name) => (await this.read(connectionId, name))?.set ?? null,
      renewGrantEndingWithin: (name, strategy, withinMs) => this.renewGrantEndingWithin(connectionId, name, strategy, withinMs, provider),
      summary: () => this.summary(connectionId),
      now: () => this.now(),
      clear: () => this.clear(connectionId),
    };
  }

  private key(connectionId: string, name: string): string {
    return `token:${connectionId}:${name}`;
  }

  async get(connectionId: string, name: string, strategy: TokenStrategy, provider = 'platform'): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    const cached = this.memory.get(key);
    if (isUsable(cached, this.now(), strategy.marginSeconds)) return cached;
    return this.singleFlight(key, () =>
      this.locked(
        key,
        provider,
        (stored) => (isUsable(stored?.set, this.now(), strategy.marginSeconds) ? stored.set : null),
        async (stored) => {
          if (stored && isUsable(stored.set, this.now(), strategy.marginSeconds)) {
            this.memory.set(key, stored.set);
            return stored.set;
          }
          return this.renew(connectionId, name, stored, strategy, provider);
        },
      ),
    );
  }

  async use<T>(connectionId: string, name: string, strategy: TokenStrategy, call: (token: TokenSet) => Promise<T>, provider = 'platform'): Promise<T> {
    const token = await this.get(connectionId, name, strategy, provider);
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof AccessTokenRejectedError)) throw err;
      const renewed = await this.renewRejected(connectionId, name, strategy, token.accessToken, provider);
      return call(renewed);
    }
  }

  /** Renews after `rejected` got a 401, unless someone already replaced it (compare-and-set). */
  private renewRejected(connectionId: string, name: string, strategy: TokenStrategy, rejected: string, provider: string): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    const cached = this.memory.get(key);
    if (cached && cached.accessToken !== rejected && isUsable(cached, this.now(), strategy.marginSeconds)) {
      return Promise.resolve(cached);
    }
    const replaced = (stored: Versioned | null): stored is Versioned =>
      !!stored && stored.set.accessToken !== rejected && isUsable(stored.set, this.now(), strategy.marginSeconds);
    return this.singleFlight(key, () =>
      this.locked(
        key,
        provider,
        (stored) => (replaced(stored) ? stored.set : null),
        async (stored) => {
          if (replaced(stored)) {
            this.memory.set(key, stored.set);
            return stored.set;
          }
          return this.renew(connectionId, name, stored, strategy, provider, rejected);
        },
      ),
    );
  }

  private async renewGrantEndingWithin(connectionId: string, name: string, strategy: TokenStrategy, withinMs: number, provider: string): Promise<boolean> {
    const key = this.key(connectionId, name);
    const endsSoon = (stored: Versioned | null) => {
      const end = stored && !stored.set.refused ? grantEndOf(stored.set) : null;
      return end !== null && end - this.now() < withinMs;
    };
    // Another instance holding the lock for long is renewing it: not this one's work.
    return this.locked(
      key,
      provider,
      () => false,
      async (stored) => {
        if (!stored || !endsSoon(stored)) return false;
        await this.renew(connectionId, name, stored, strategy, provider);
        return true;
      },
    );
  }

  /**
   * Runs `work` on the stored set under the token's lock (across instances where the store shares
   * locks). A waiter that cannot get the lock in time re-reads: when `settled` finds what another
   * holder stored good enough, that is the answer; otherwise the caller gets PROVIDER_UNAVAILABLE
   * rather than a renewal racing the holder's.
   */
  private async locked<T>(
    key: string,
    provider: string,
    settled: (stored: Versioned | null) => T | null,
    work: (stored: Versioned | null) => Promise<T>,
  ): Promise<T> {
    const [connectionId, name] = this.parts(key);
    try {
      return await this.store.withLock(key, async () => work(await this.read(connectionId, name)), { ttlMs: this.lockTtlMs, waitMs: this.lockWaitMs });
    } catch (err) {
      if (!(err instanceof LockTimeoutError)) throw err;
      const answer = settled(await this.read(connectionId, name));
      if (answer !== null) return answer;
      throw new TokenRenewalPausedError(provider, `${provider}: another gateway instance is renewing this connection's token; try again in a moment`, 1);
    }
  }

  /** Obtains, stores (before anyone uses it), caches. Caller holds the lock. `rejected`: the access token a 401 just refused. */
  private async renew(
    connectionId: string,
    name: string,
    stored: Versioned | null,
    strategy: TokenStrategy,
    provider: string,
    rejected?: string,
  ): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    if (stored?.set.refused) throw new GrantRevokedError(stored.set.refused.provider, stored.set.refused.reason);
    const cooldown = await this.cooldownOf(key);
    if (cooldown) {
      // The set may still work for a while (it is only inside the renewal margin): better than nothing.
      const set = stored?.set;
      if (set?.accessToken && set.accessToken !== rejected && set.expiresAt !== null && set.expiresAt > this.now()) return set;
      throw new TokenRenewalPausedError(provider, cooldown.message, Math.max(1, Math.ceil((cooldown.until - this.now()) / 1000)));
    }
    const intentKey = `token-intent:${connectionId}:${name}`;
    const leftover = await this.store.get<Intent>(intentKey);
    await this.store.set(intentKey, { owner: this.owner, at: this.now() } satisfies Intent, 7 * 24 * 3_600_000);
    let next: TokenSet;
    let base = stored;
    try {
      next = await this.obtain(strategy, stored?.set ?? null, provider);
    } catch (err) {
      if (!(err instanceof GrantRevokedError)) {
        await this.startCooldown(key, provider, err);
        await this.store.delete(intentKey);
        throw err;
      }
      // Another holder (a lock that ran out, a crash-recovered write) may have rotated the refresh
      // token just now: re-read once before declaring the grant dead.
      const reread = await this.read(connectionId, name);
      if (reread && reread.version !== stored?.version && reread.set.refreshToken && reread.set.refreshToken !== stored?.set.refreshToken) {
        if (isUsable(reread.set, this.now(), strategy.marginSeconds)) {
          this.memory.set(key, reread.set);
          await this.store.delete(intentKey);
          return reread.set;
        }
        base = reread;
        try {
          next = await this.obtain(strategy, reread.set, provider);
        } catch (again) {
          if (again instanceof GrantRevokedError) return this.refuse(connectionId, name, reread, again, leftover);
          throw again;
        }
      } else {
        return this.refuse(connectionId, name, stored, err, leftover);
      }
    }
    const stamped = { ...next, kind: strategy.kind ?? 'access' };
    if (!(await this.writeVersioned(connectionId, name, stamped, base?.version ?? null))) {
      // A newer set was stored meanwhile (this holder's lock ran out): it wins, this one is dropped.
      const latest = await this.read(connectionId, name);
      if (latest && !latest.set.refused) {
        this.memory.set(key, latest.set);
        return latest.set;
      }
    }
    await this.store.delete(intentKey);
    return stamped;
  }

  /** `strategy.obtain`, its outcome told to `onRenewal`. */
  private async obtain(strategy: TokenStrategy, current: TokenSet | null, provider: string): Promise<TokenSet> {
    try {
      const next = await strategy.obtain(current, this.now);
      this.onRenewal?.(provider, 'renewed');
      return next;
    } catch (err) {
      this.onRenewal?.(provider, err instanceof GrantRevokedError ? 'revoked' : 'failed');
      throw err;
    }
  }

  /**
   * Records that the platform refused the grant (so callers already in flight, in this process or
   * another, do not present it again) and tells the hooks once. Caller holds the lock. When a newer set
   * was stored meanwhile, that one is answered instead. Throws the refusal otherwise.
   */
  private async refuse(connectionId: string, name: string, stored: Versioned | null, err: GrantRevokedError, leftover: Intent | undefined): Promise<TokenSet> {
    const key = this.key(connectionId, name);
    this.memory.delete(key);
    const interrupted =
      leftover && leftover.owner !== this.owner
        ? ` (a renewal started ${new Date(leftover.at).toISOString()} by another gateway instance never finished: it was probably stopped after the platform rotated the refresh token and before the new one was stored)`
        : '';
    const reason = `${err.reason}${interrupted}`;
    const tombstone: TokenSet = {
      kind: stored?.set.kind,
      accessToken: '',
      expiresAt: null,
      // Kept for revocation at disconnect (RFC 7009 answers 200 for a token it no longer knows).
      refreshToken: stored?.set.refreshToken,
      obtainedAt: stored?.set.obtainedAt ?? this.now(),
      refused: { provider: err.provider, reason },
    };
    if (!(await this.writeVersioned(connectionId, name, tombstone, stored?.version ?? null, false))) {
      const latest = await this.read(connectionId, name);
      if (latest && !latest.set.refused && latest.set.accessToken) {
        this.memory.set(key, latest.set);
        return latest.set;
      }
    }
    await this.store.delete(`token-intent:${connectionId}:${name}`);
    await this.hooks.onGrantRevoked(connectionId, reason);
    throw new GrantRevokedError(err.provider, reason);
  }

  private async cooldownOf(key: string): Promise<Cooldown | null> {
    if (this.cooldownMs <= 0) return null;
    const local = this.cooldowns.get(key);
    const shared = local && local.until > this.now() ? local : await this.store.get<Cooldown>(`token-cooldown:${key}`);
    return shared && shared.until > this.now() ? shared : null;
  }

  private async startCooldown(key: string, provider: string, err: unknown): Promise<void> {
    if (this.cooldownMs <= 0) return;
    const until = this.now() + this.cooldownMs;
    const why = err instanceof Error ? err.message : String(err);
    const cooldown: Cooldown = {
      until,
      message: `${provider}: renewing the access token failed (${why}); the next attempt is after ${new Date(until).toISOString()}`,
    };
    this.cooldowns.set(key, cooldown);
    await this.store.set(`token-cooldown:${key}`, cooldown, this.cooldownMs).catch(() => undefined);
  }

  /** Stores a set obtained outside a strategy (authorization code, move): it replaces whatever was stored. */
  private async write(connectionId: string, name: string, set: TokenSet): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.read(connectionId, name);
      if (await this.writeVersioned(connectionId, name, set, current?.version ?? null)) return;
    }
    throw new Error(`token ${name} of ${connectionId} kept changing while it was replaced`);
  }

  /**
   * Writes `set` as the version after `expected` (compare-and-set), indexes it, caches it and tells the
   * hooks (unless `notify` is false). False when the stored version is no longer `expected`.
   */
  private async writeVersioned(connectionId: string, name: string, set: TokenSet, expected: number | null, notify = true): Promise<boolean> {
    const key = this.key(connectionId, name);
    const value: Stored = { version: (expected ?? 0) + 1, sealed: this.box.sealJson(set, key) };
    if (!(await this.store.compareAndSet(key, expected, value))) return false;
    const index = (await this.store.get<string[]>(`tokens:${connectionId}`)) ?? [];
    if (!index.includes(name)) await this.store.set(`tokens:${connectionId}`, [...index, name]);
    if (set.refused) this.memory.delete(key);
    else this.memory.set(key, set);
    this.cooldowns.delete(key);
    if (notify) await this.hooks.onRenewed(connectionId, await this.summary(connectionId));
    return true;
  }

  /** See `TokenSummary`; reads every stored set of the connection. */
  async summary(connectionId: string): Promise<TokenSummary> {
    const names = (await this.store.get<string[]>(`tokens:${connectionId}`)) ?? [];
    const sets = (await Promise.all(names.map(async (n) => (await this.read(connectionId, n))?.set))).filter((t): t is TokenSet => !!t && !t.refused);
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
    const sets = await Promise.all(names.map(async (n) => [n, (await this.read(fromId, n))?.set] as const));
    await this.clear(toId);
    for (const [name, set] of sets) if (set) await this.write(toId, name, set);
    await this.clear(fromId);
  }

  private async read(connectionId: string, name: string): Promise<Versioned | null> {
    const key = this.key(connectionId, name);
    const stored = await this.store.get<Stored | string>(key);
    if (!stored) return null;
    if (typeof stored === 'string') return { set: this.box.openJson<TokenSet>(stored, key), version: 0 };
    return { set: this.box.openJson<TokenSet>(stored.sealed, key), version: stored.version };
  }

  /** `[connectionId, name]` of a token key. */
  private parts(key: string): [string, string] {
    const [, connectionId, ...rest] = key.split(':');
    return [connectionId, rest.join(':')];
  }

  async clear(connectionId: string): Promise<void> {
    const names = (await this.store.get<string[]>(`tokens:${connectionId}`)) ?? [];
    for (const name of names) {
      const key = this.key(connectionId, name);
      this.memory.delete(key);
      this.cooldowns.delete(key);
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
