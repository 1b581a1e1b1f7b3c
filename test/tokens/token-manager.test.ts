import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/store/secret-box.js';
import { openStore, type Store } from '../../src/store/store.js';
import { AccessTokenRejectedError, GrantRevokedError } from '../../src/tokens/errors.js';
import { isUsable, TokenManager, type TokenKind, type TokenSet, type TokenStrategy, type TokenSummary } from '../../src/tokens/token-manager.js';

// The token manager's decisions with a fake strategy (the platform half) and an injected clock: no
// servers. The emulator-backed behaviour is in test/connectors/*.contract.test.ts.

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FakeOptions {
  kind?: TokenKind;
  marginSeconds?: number;
  lifetimeSeconds?: number;
  /** Time each obtain takes (real ms), so concurrent callers overlap. */
  delayMs?: number;
  /** Throws what it returns on the n-th obtain (1-based). */
  fail?: (n: number, current: TokenSet | null) => Promise<Error | undefined> | Error | undefined;
}

/** A TokenStrategy that issues `at-<n>` / `rt-<n>` and records what it was given. */
function fakeStrategy(opts: FakeOptions = {}) {
  const seen: Array<{ current: TokenSet | null; at: number }> = [];
  const strategy: TokenStrategy = {
    kind: opts.kind,
    marginSeconds: opts.marginSeconds ?? 60,
    async obtain(current, now) {
      seen.push({ current, at: now() });
      const n = seen.length;
      if (opts.delayMs) await sleep(opts.delayMs);
      const err = await opts.fail?.(n, current);
      if (err) throw err;
      const t = now();
      return { accessToken: `at-${n}`, refreshToken: `rt-${n}`, expiresAt: t + (opts.lifetimeSeconds ?? 3_600) * 1000, obtainedAt: t };
    },
  };
  return { strategy, seen };
}

async function setUp(store?: Store, box?: SecretBox) {
  const clock = { now: T0 };
  const renewed: Array<{ connectionId: string; summary: TokenSummary }> = [];
  const revoked: Array<{ connectionId: string; reason: string }> = [];
  const s = store ?? (await openStore('memory://'));
  const b = box ?? new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
  const manager = new TokenManager(
    s,
    b,
    {
      onRenewed: async (connectionId, summary) => void renewed.push({ connectionId, summary }),
      onGrantRevoked: async (connectionId, reason) => void revoked.push({ connectionId, reason }),
    },
    () => clock.now,
  );
  return { clock, store: s, box: b, manager, renewed, revoked, tokens: manager.forConnection('cn_a') };
}

describe('isUsable', () => {
  const set = (expiresAt: number | null, accessToken = 'at'): TokenSet => ({ accessToken, expiresAt, obtainedAt: T0 });

  it('is false without a set or an access token', () => {
    expect(isUsable(null, T0, 0)).toBe(false);
    expect(isUsable(undefined, T0, 0)).toBe(false);
    expect(isUsable(set(T0 + 3_600_000, ''), T0, 0)).toBe(false);
  });

  it('is true for a token without expiry, whatever the time', () => {
    expect(isUsable(set(null), T0 + 10 * 365 * 86_400_000, 300)).toBe(true);
  });

  it('is true strictly before expiresAt - margin, false from then on', () => {
    const s = set(T0 + 3_600_000);
    expect(isUsable(s, T0 + 3_600_000 - 60_000 - 1, 60)).toBe(true);
    expect(isUsable(s, T0 + 3_600_000 - 60_000, 60)).toBe(false);
    expect(isUsable(s, T0 + 3_600_000 + 1, 60)).toBe(false);
    expect(isUsable(s, T0 + 3_600_000 - 1, 0)).toBe(true);
    expect(isUsable(s, T0 + 3_600_000, 0)).toBe(false);
  });

  it('counts marginSeconds in seconds', () => {
    const s = set(T0 + 3_600_000);
    expect(isUsable(s, T0, 3_599)).toBe(true);
    expect(isUsable(s, T0, 3_600)).toBe(false);
  });
});

describe('TokenManager', () => {
  it('obtains when nothing is stored, on its own clock, and stamps the kind', async () => {
    const { tokens, clock } = await setUp();
    const { strategy, seen } = fakeStrategy();
    const t = await tokens.get('default', strategy);
    expect(seen).toEqual([{ current: null, at: T0 }]);
    expect(t).toEqual({ kind: 'access', accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: T0 + 3_600_000, obtainedAt: T0 });
    expect(tokens.now()).toBe(clock.now);
    expect(await tokens.peek('default')).toEqual(t);
  });

  it('reuses the token until the margin, then renews with the stored set', async () => {
    const { tokens, clock } = await setUp();
    const { strategy, seen } = fakeStrategy({ marginSeconds: 60 });
    const first = await tokens.get('default', strategy);
    clock.now = T0 + 3_600_000 - 60_000 - 1;
    expect((await tokens.get('default', strategy)).accessToken).toBe('at-1');
    expect(seen).toHaveLength(1);
    clock.now += 1;
    const second = await tokens.get('default', strategy);
    expect(second.accessToken).toBe('at-2');
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ current: first, at: clock.now });
    expect((await tokens.get('default', strategy)).accessToken).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  it('keeps sets encrypted and versioned in the store, readable by the next process with the same key', async () => {
    const a = await setUp();
    const { strategy } = fakeStrategy();
    await a.tokens.get('default', strategy);
    const raw = await a.store.get<{ version: number; sealed: string }>('token:cn_a:default');
    expect(raw?.version).toBe(1);
    expect(raw?.sealed).toMatch(/^enc:v1:k1:/);
    expect(JSON.stringify(raw)).not.toContain('at-1');
    // A restart: a new manager (empty memory) on the same store reuses the stored token.
    const b = await setUp(a.store, a.box);
    const { strategy: other, seen } = fakeStrategy();
    expect((await b.manager.forConnection('cn_a').get('default', other)).accessToken).toBe('at-1');
    expect(seen).toHaveLength(0);
  });

  it('single-flight: 20 concurrent callers share one obtain, at first and after expiry', async () => {
    const { tokens, clock } = await setUp();
    const { strategy, seen } = fakeStrategy({ delayMs: 20 });
    const first = await Promise.all(Array.from({ length: 20 }, () => tokens.get('default', strategy)));
    expect(seen).toHaveLength(1);
    expect(new Set(first.map((t) => t.accessToken))).toEqual(new Set(['at-1']));
    clock.now = T0 + 3_600_000;
    const second = await Promise.all(Array.from({ length: 20 }, () => tokens.get('default', strategy)));
    expect(seen).toHaveLength(2);
    expect(new Set(second.map((t) => t.accessToken))).toEqual(new Set(['at-2']));
  });

  it('names are independent: one obtain per name, one lock per name', async () => {
    const { tokens } = await setUp();
    const { strategy, seen } = fakeStrategy({ delayMs: 10 });
    const got = await Promise.all(['org-1', 'org-2', 'org-1', 'org-2'].map((n) => tokens.get(n, strategy)));
    expect(seen).toHaveLength(2);
    expect(got[0].accessToken).toBe(got[2].accessToken);
    expect(got[1].accessToken).toBe(got[3].accessToken);
    expect(got[0].accessToken).not.toBe(got[1].accessToken);
  });

  it('reuses a renewal another instance sharing the store just stored, instead of repeating it', async () => {
    const a = await setUp();
    const b = await setUp(a.store, a.box);
    const { strategy, seen } = fakeStrategy();
    await a.tokens.get('default', strategy);
    expect((await b.tokens.get('default', strategy)).accessToken).toBe('at-1');
    a.clock.now = b.clock.now = T0 + 3_600_000;
    expect((await a.tokens.get('default', strategy)).accessToken).toBe('at-2');
    // b's memory holds at-1, expired: it takes the lock, re-reads the store and finds at-2.
    expect((await b.tokens.get('default', strategy)).accessToken).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  describe('use', () => {
    it('renews once after AccessTokenRejectedError and calls again with the new token', async () => {
      const { tokens } = await setUp();
      const { strategy, seen } = fakeStrategy();
      const presented: string[] = [];
      const result = await tokens.use('default', strategy, async (t) => {
        presented.push(t.accessToken);
        if (t.accessToken === 'at-1') throw new AccessTokenRejectedError('FAKE', 'listBookings');
        return `ok with ${t.accessToken}`;
      });
      expect(result).toBe('ok with at-2');
      expect(presented).toEqual(['at-1', 'at-2']);
      expect(seen).toHaveLength(2);
      expect(seen[1].current?.accessToken).toBe('at-1');
    });

    it('does not renew a second time: a second rejection reaches the caller', async () => {
      const { tokens } = await setUp();
      const { strategy, seen } = fakeStrategy();
      let calls = 0;
      const rejected = tokens.use('default', strategy, async () => {
        calls++;
        throw new AccessTokenRejectedError('FAKE', 'listBookings');
      });
      await expect(rejected).rejects.toBeInstanceOf(AccessTokenRejectedError);
      expect(calls).toBe(2);
      expect(seen).toHaveLength(2);
    });

    it('concurrent callers rejected with the same token share one renewal', async () => {
      const { tokens } = await setUp();
      const { strategy, seen } = fakeStrategy({ delayMs: 15 });
      await tokens.get('default', strategy);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          tokens.use('default', strategy, async (t) => {
            await sleep(1);
            if (t.accessToken === 'at-1') throw new AccessTokenRejectedError('FAKE', 'listBookings');
            return t.accessToken;
          }),
        ),
      );
      expect(results).toEqual(Array(10).fill('at-2'));
      expect(seen).toHaveLength(2);
    });

    it('passes any other error through without renewing', async () => {
      const { tokens } = await setUp();
      const { strategy, seen } = fakeStrategy();
      const boom = new Error('HTTP 500');
      await expect(
        tokens.use('default', strategy, async () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(seen).toHaveLength(1);
    });
  });

  describe('a refused grant', () => {
    it('calls onGrantRevoked once, even for concurrent callers, and rethrows GrantRevokedError', async () => {
      const { tokens, revoked, clock } = await setUp();
      const { strategy: good } = fakeStrategy();
      await tokens.get('default', good);
      clock.now = T0 + 3_600_000;
      const { strategy, seen } = fakeStrategy({ delayMs: 10, fail: () => new GrantRevokedError('FAKE', 'the app was disconnected') });
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.get('default', strategy)));
      expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
      for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(GrantRevokedError);
      expect(seen).toHaveLength(1);
      expect(revoked).toEqual([{ connectionId: 'cn_a', reason: 'the app was disconnected' }]);
    });

    it('treats any other obtain failure as transient: no hook, the stored set stays', async () => {
      const { tokens, revoked, clock } = await setUp();
      const { strategy: good } = fakeStrategy();
      const stored = await tokens.get('default', good);
      clock.now = T0 + 3_600_000;
      const { strategy } = fakeStrategy({ fail: () => new Error('HTTP 503') });
      await expect(tokens.get('default', strategy)).rejects.toThrow('HTTP 503');
      expect(revoked).toEqual([]);
      expect(await tokens.peek('default')).toEqual(stored);
    });

    /**
     * Another instance rotated the refresh token between this instance's read and its refresh, so the
     * platform refused the old one. `rotated` is what that instance stores meanwhile.
     */
    async function raceWithRotation(rotated: TokenSet, secondAttempt?: Error) {
      const a = await setUp();
      const other = await setUp(a.store, a.box);
      await a.tokens.put('default', { accessToken: 'at-old', refreshToken: 'rt-old', expiresAt: T0 - 1, obtainedAt: T0 - 3_600_000 });
      const { strategy, seen } = fakeStrategy({
        fail: async (n, current) => {
          if (current?.refreshToken === 'rt-old') {
            await other.tokens.put('default', rotated);
            return new GrantRevokedError('FAKE', 'refresh token already used');
          }
          return secondAttempt;
        },
      });
      return { ...a, strategy, seen };
    }

    it('re-reads the store: a usable set stored by another instance is used, the grant is not declared dead', async () => {
      const rotated = { accessToken: 'at-other', refreshToken: 'rt-other', expiresAt: T0 + 3_600_000, obtainedAt: T0 };
      const { tokens, strategy, seen, revoked } = await raceWithRotation(rotated);
      expect((await tokens.get('default', strategy)).accessToken).toBe('at-other');
      expect(seen).toHaveLength(1);
      expect(revoked).toEqual([]);
    });

    it('re-reads the store: a rotated but stale set is refreshed once more with the new refresh token', async () => {
      const rotated = { accessToken: 'at-other', refreshToken: 'rt-other', expiresAt: T0, obtainedAt: T0 - 3_600_000 };
      const { tokens, strategy, seen, revoked } = await raceWithRotation(rotated);
      const t = await tokens.get('default', strategy);
      expect(t.accessToken).toBe('at-2');
      expect(seen.map((s) => s.current?.refreshToken)).toEqual(['rt-old', 'rt-other']);
      expect(revoked).toEqual([]);
      expect((await tokens.peek('default'))?.accessToken).toBe('at-2');
    });

    it('re-reads the store: when the rotated token is refused too, the grant is dead (hook once)', async () => {
      const rotated = { accessToken: 'at-other', refreshToken: 'rt-other', expiresAt: T0, obtainedAt: T0 - 3_600_000 };
      const { tokens, strategy, seen, revoked } = await raceWithRotation(rotated, new GrantRevokedError('FAKE', 'revoked for good'));
      await expect(tokens.get('default', strategy)).rejects.toBeInstanceOf(GrantRevokedError);
      expect(seen).toHaveLength(2);
      expect(revoked).toEqual([{ connectionId: 'cn_a', reason: 'revoked for good' }]);
    });

    it('without a rotation in the store, refreshes once and declares the grant dead', async () => {
      const { tokens, revoked } = await setUp();
      await tokens.put('default', { accessToken: 'at-old', refreshToken: 'rt-old', expiresAt: T0 - 1, obtainedAt: T0 - 3_600_000 });
      const { strategy, seen } = fakeStrategy({ fail: () => new GrantRevokedError('FAKE', 'invalid_grant') });
      await expect(tokens.get('default', strategy)).rejects.toBeInstanceOf(GrantRevokedError);
      expect(seen).toHaveLength(1);
      expect(revoked).toEqual([{ connectionId: 'cn_a', reason: 'invalid_grant' }]);
    });

    it('is remembered in the store: later callers (this process or the next) fail at once, without asking the platform', async () => {
      const { tokens, revoked, store, box } = await setUp();
      await tokens.put('default', { accessToken: 'at-old', refreshToken: 'rt-old', expiresAt: T0 - 1, obtainedAt: T0 - 3_600_000 });
      const { strategy, seen } = fakeStrategy({ fail: () => new GrantRevokedError('FAKE', 'invalid_grant') });
      await expect(tokens.get('default', strategy)).rejects.toBeInstanceOf(GrantRevokedError);
      // A caller that still holds the old access token and got a 401 does not present the dead grant again.
      await expect(tokens.use('default', strategy, async () => Promise.reject(new AccessTokenRejectedError('FAKE', 'probe')))).rejects.toThrow('invalid_grant');
      const next = await setUp(store, box);
      await expect(next.tokens.get('default', strategy)).rejects.toBeInstanceOf(GrantRevokedError);
      expect(seen).toHaveLength(1);
      expect(revoked).toHaveLength(1);
      expect(next.revoked).toEqual([]);
      expect(await tokens.summary()).toEqual({ lastRefreshedAt: null, accessTokenExpiresAt: null });
      // A new grant (a person connected again) replaces the refusal.
      await tokens.put('default', { accessToken: 'at-new', refreshToken: 'rt-new', expiresAt: T0 + 3_600_000, obtainedAt: T0 });
      expect((await tokens.get('default', strategy)).accessToken).toBe('at-new');
    });
  });

  describe('summary', () => {
    it('is all null for a connection without tokens', async () => {
      const { tokens } = await setUp();
      expect(await tokens.summary()).toEqual({ lastRefreshedAt: null, accessTokenExpiresAt: null });
    });

    it('lastRefreshedAt is the latest obtainedAt; accessTokenExpiresAt the latest access expiry, ignoring grants', async () => {
      const { tokens, clock, renewed } = await setUp();
      // A long-lived grant obtained through a strategy of kind 'grant' (stamped by the manager).
      const grant = fakeStrategy({ kind: 'grant', lifetimeSeconds: 30 * 86_400 });
      expect((await tokens.get('refresh', grant.strategy)).kind).toBe('grant');
      expect(await tokens.summary()).toEqual({ lastRefreshedAt: T0, accessTokenExpiresAt: null });
      clock.now = T0 + 60_000;
      await tokens.get('org-1', fakeStrategy({ lifetimeSeconds: 300 }).strategy);
      clock.now = T0 + 30_000;
      await tokens.get('org-2', fakeStrategy({ lifetimeSeconds: 600 }).strategy);
      await tokens.put('no-expiry', { accessToken: 'x', expiresAt: null, obtainedAt: T0 - 1 });
      const expected = { lastRefreshedAt: T0 + 60_000, accessTokenExpiresAt: T0 + 30_000 + 600_000 };
      expect(await tokens.summary()).toEqual(expected);
      // Every write tells the hook, with the summary as it is after the write.
      expect(renewed.map((r) => r.connectionId)).toEqual(Array(4).fill('cn_a'));
      expect(renewed.at(-1)?.summary).toEqual(expected);
    });
  });

  it("move(from, to): to gets exactly from's tokens (its own are replaced), from keeps none", async () => {
    const { manager } = await setUp();
    const from = manager.forConnection('cn_from');
    const to = manager.forConnection('cn_to');
    await from.put('default', { accessToken: 'from-default', expiresAt: T0 + 3_600_000, obtainedAt: T0 });
    await from.put('org-1', { kind: 'grant', accessToken: 'from-org-1', expiresAt: T0 + 7_200_000, obtainedAt: T0 - 1 });
    await to.put('default', { accessToken: 'to-default', expiresAt: T0 + 3_600_000, obtainedAt: T0 - 5 });
    await to.put('stale', { accessToken: 'to-stale', expiresAt: T0 + 3_600_000, obtainedAt: T0 - 5 });

    await manager.move('cn_from', 'cn_to');

    expect((await to.peek('default'))?.accessToken).toBe('from-default');
    expect(await to.peek('org-1')).toEqual({ kind: 'grant', accessToken: 'from-org-1', expiresAt: T0 + 7_200_000, obtainedAt: T0 - 1 });
    expect(await to.peek('stale')).toBeNull();
    expect(await to.summary()).toEqual({ lastRefreshedAt: T0, accessTokenExpiresAt: T0 + 3_600_000 });
    expect(await from.peek('default')).toBeNull();
    expect(await from.peek('org-1')).toBeNull();
    expect(await from.summary()).toEqual({ lastRefreshedAt: null, accessTokenExpiresAt: null });
    // The moved token is used as it is; the emptied connection has to obtain again.
    const { strategy, seen } = fakeStrategy();
    expect((await to.get('default', strategy)).accessToken).toBe('from-default');
    expect(seen).toHaveLength(0);
    expect((await from.get('default', strategy)).accessToken).toBe('at-1');
    expect(seen).toEqual([{ current: null, at: T0 }]);
  });

  it('clear forgets every token of the connection, in memory too', async () => {
    const { tokens, manager } = await setUp();
    const { strategy, seen } = fakeStrategy();
    await tokens.get('default', strategy);
    await manager.forConnection('cn_b').get('default', strategy);
    await tokens.clear();
    expect(await tokens.peek('default')).toBeNull();
    expect((await tokens.get('default', strategy)).accessToken).toBe('at-3');
    expect((await manager.forConnection('cn_b').peek('default'))?.accessToken).toBe('at-2');
    expect(seen).toHaveLength(3);
  });
});
