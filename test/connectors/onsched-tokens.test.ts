import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { BOOKINGS, demoCredentials, grants, type Json, onschedConnection } from './onsched-helpers.js';

/**
 * OnSched tokens through the gateway (contract §2.2): the JWT is replaced only after its `exp`, one
 * refresh for many concurrent callers, and the rotated refresh token survives a restart.
 */

const onschedBookings = (url: string, apiKey: string) => gql(url, apiKey, BOOKINGS, { first: 3, filter: { providers: ['ONSCHED'] } });

/** Seconds from the emulator's now to the JWT `exp` the gateway stored for the connection. */
async function secondsToExpiry(url: string, apiKey: string, origin: string): Promise<number> {
  const c = await onschedConnection(url, apiKey);
  const now = Date.parse((await sandbox<Json>(origin, 'clock')).now);
  return (Date.parse(c.accessTokenExpiresAt) - now) / 1000;
}

describe('OnSched access token lifetime', () => {
  let tg: TestGateway;
  let onsched: string;
  /** Emulator time just after the second token was issued (≥ its `iat`). */
  let secondIssuedAt = 0;
  beforeAll(async () => {
    tg = await startTestGateway();
    onsched = tg.emulators.onsched as string;
  }, 60_000);
  afterAll(async () => {
    await tg?.close();
  });

  it('replaces the access token only after its JWT exp on the platform clock', async () => {
    const ok = async () => {
      const r = await onschedBookings(tg.url, tg.demoKey);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.bookings.edges).toHaveLength(3);
    };
    expect(await grants(onsched)).toBe(1); // the demo tenant's connect
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sandbox(onsched, 'clock', { advanceSeconds: 600 });
      await ok();
      counts.push(await grants(onsched));
    }
    // Up to 5 s before exp (emulator clock): still the first token.
    const left = Math.floor(await secondsToExpiry(tg.url, tg.demoKey, onsched));
    await sandbox(onsched, 'clock', { advanceSeconds: left - 5 });
    await ok();
    await ok();
    const beforeExp = await grants(onsched);
    expect(counts.every((c) => c === 1)).toBe(true);
    expect(beforeExp).toBe(1);
    // 5 s after exp: the platform answers 401, the gateway renews once and retries.
    await sandbox(onsched, 'clock', { advanceSeconds: 10 });
    await ok();
    await ok();
    const afterExp = await grants(onsched);
    expect(afterExp).toBe(2);
    secondIssuedAt = Date.parse((await sandbox<Json>(onsched, 'clock')).now);
    const c = await onschedConnection(tg.url, tg.demoKey);
    expect(c.status).toBe('ACTIVE');
    console.log(`[onsched] token window: grants ${counts.join(',')} over +3000 s, ${beforeExp} at exp-5 s, ${afterExp} at exp+5 s`);
  });

  it('renews once for 200 concurrent queries at the moment of expiry', async () => {
    // The second token's exp is iat + 3600 s on the emulator clock: move to one second past it.
    expect(secondIssuedAt).toBeGreaterThan(0);
    const now = Date.parse((await sandbox<Json>(onsched, 'clock')).now);
    await sandbox(onsched, 'clock', { advanceSeconds: Math.ceil((secondIssuedAt + 3_600_000 - now) / 1000) + 1 });
    const before = await grants(onsched);
    const unauthorizedBefore = (await sandbox<Json>(onsched, 'stats')).unauthorized;
    const answers = await Promise.all(Array.from({ length: 200 }, () => onschedBookings(tg.url, tg.demoKey)));
    for (const r of answers) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.bookings.edges).toHaveLength(3);
    }
    const stats = await sandbox<Json>(onsched, 'stats');
    const refreshes = stats.token.refresh_token - before;
    expect(refreshes).toBe(1);
    console.log(
      `[onsched] 200 concurrent queries at expiry: ${refreshes} refresh (stats.token.refresh_token ${before} → ${stats.token.refresh_token}), ${stats.unauthorized - unauthorizedBefore} 401s absorbed`,
    );
  }, 60_000);
});

describe('OnSched rotated refresh token across a gateway restart', () => {
  let emulator: { baseUrl: string; close(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    emulator = await startEmulator('onsched');
    dir = await mkdtemp(join(tmpdir(), 'bookgraph-onsched-'));
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps working after a restart on a file store, with no invalid_grant at the platform', async () => {
    const origin = emulator.baseUrl;
    const env = { ONSCHED_API_URL: origin, ONSCHED_AUTH_URL: origin, ONSCHED_SANDBOX_API_URL: origin, ONSCHED_SANDBOX_AUTH_URL: origin };
    const storeUrl = `file://${join(dir, 'x.json')}`;
    const first = await startTestGateway({ storeUrl, env });
    const encryptionKey = first.encryptionKey;
    let apiKey: string;
    try {
      expect(first.emulators.onsched).toBeUndefined(); // the configured URL wins over the in-process emulator
      const tenant = await first.tenant('restart-tenant');
      apiKey = tenant.apiKey;
      const r = await connect(first.url, apiKey, 'ONSCHED', await demoCredentials(origin));
      expect(r.body.data.connectProvider.status).toBe('ACTIVE');
      expect(await grants(origin)).toBe(1);
      // Rotate: past exp the gateway renews with the dashboard token and stores its successor.
      await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
      expect((await onschedBookings(first.url, apiKey)).body.errors).toBeUndefined();
      expect(await grants(origin)).toBe(2);
    } finally {
      await first.close();
    }

    const second = await startTestGateway({ storeUrl, encryptionKey, env });
    try {
      // The stored access token still works: no new grant, no new credentials.
      const again = await onschedBookings(second.url, apiKey);
      expect(again.body.errors).toBeUndefined();
      expect(again.body.data.bookings.edges).toHaveLength(3);
      expect(await grants(origin)).toBe(2);
      // Past the next exp the restarted gateway renews with the ROTATED refresh token: presenting the
      // dashboard token again (used long ago) would be a reuse → invalid_grant and a revoked session.
      await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
      const renewed = await onschedBookings(second.url, apiKey);
      expect(renewed.body.errors).toBeUndefined();
      expect(await grants(origin)).toBe(3);
      const c = await onschedConnection(second.url, apiKey);
      expect(c).toMatchObject({ status: 'ACTIVE', statusReason: null });
      // One more rotation proves the session is alive at the platform.
      await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
      expect((await onschedBookings(second.url, apiKey)).body.errors).toBeUndefined();
      expect(await grants(origin)).toBe(4);
      console.log(
        '[onsched] restart: grants 1 (connect) → 2 (rotation before restart) → 2 (first query after restart) → 3, 4 (renewals with the stored successors), connection ACTIVE',
      );
    } finally {
      await second.close();
    }
  }, 60_000);
});
