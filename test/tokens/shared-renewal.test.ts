import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * Token renewal across two gateway instances on one Redis (DB 9, emptied first), against the
 * yAppointment emulator (rotating refresh tokens with reuse detection: a refresh token presented twice
 * revokes the grant). The emulator's clock is pushed past the access token's life; the gateways'
 * clocks are not, so each instance learns it from a 401 and renews: one renewal in all.
 */
const REDIS = 'redis://127.0.0.1:6379/9';
const run = process.env.BOOKGRAPH_TEST_REDIS !== '0';
const YA = `{ bookings(first: 3, filter: { providers: [YAPPOINTMENT] }) { edges { node { id } } } }`;

describe.runIf(run)('token renewal across instances', () => {
  let a: TestGateway;
  let b: TestGateway;
  let origin: string;
  beforeAll(async () => {
    const client = createClient({ url: REDIS });
    await client.connect();
    await client.flushDb();
    await client.quit();
    const shared = {
      STORE_URL: REDIS,
      DEMO_API_KEY: `bg_${randomBytes(24).toString('base64url')}`,
      SANDBOX_PORT_BASE: String(21_000 + Math.floor(Math.random() * 400) * 10),
      TOKEN_RENEW_COOLDOWN_SECONDS: '2',
    };
    const encryptionKey = randomBytes(32).toString('base64');
    a = await startTestGateway({ storeUrl: REDIS, encryptionKey, env: shared });
    b = await startTestGateway({ storeUrl: REDIS, encryptionKey, env: { ...shared, SANDBOX_EMULATORS: 'external' } });
    origin = a.emulators.yappointment as string;
  }, 60_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const refreshes = async () => (await sandbox(origin, 'stats')).token.refresh_token as number;
  const status = async (gw: TestGateway) =>
    ((await gql(gw.url, gw.demoKey, '{ connections { provider status statusReason } }')).body.data.connections as any[]).find(
      (c) => c.provider === 'YAPPOINTMENT',
    );

  it('60 concurrent queries over two instances after the access token died at the platform: one refresh, no errors, the grant intact', async () => {
    // Both instances hold the token in memory first.
    for (const gw of [a, b]) expect((await gql(gw.url, gw.demoKey, YA)).body.errors).toBeUndefined();
    await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
    const before = await refreshes();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => gql(i % 2 ? a.url : b.url, a.demoKey, YA)));
    expect(answers.flatMap((r) => r.body.errors ?? [])).toEqual([]);
    expect((await refreshes()) - before).toBe(1);
    expect(await status(a)).toMatchObject({ status: 'ACTIVE' });
  });

  it('after an inconclusive failure the token is not renewed again until the cooldown ends (no flood), then it recovers', async () => {
    await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
    await sandbox(origin, 'faults', { match: '/oauth/token', status: 503, count: 1 });
    const before = await refreshes();
    const first = await gql(a.url, a.demoKey, YA);
    expect(first.body.errors?.[0].extensions?.code).toBe('PROVIDER_UNAVAILABLE');
    // Both instances, right away: the shared cooldown answers without asking the platform.
    for (const gw of [a, b, a, b]) {
      const r = await gql(gw.url, gw.demoKey, YA);
      expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'YAPPOINTMENT' });
      expect(r.body.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect((await refreshes()) - before).toBe(1);
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await gql(b.url, b.demoKey, YA)).body.errors).toBeUndefined();
    expect((await refreshes()) - before).toBe(2);
    expect(await status(a)).toMatchObject({ status: 'ACTIVE' });
  });

  it('a renewal interrupted after the platform rotated (its process died before the write) ends NEEDS_REAUTH with a reason that says so, without looping', async () => {
    const { services } = a.gateway;
    const demo = (await services.tenants.findByName('demo'))!;
    const record = (await services.connections.listForTenant(demo.id)).find((c) => c.provider === 'YAPPOINTMENT')!;
    const stored = await services.tokens.forConnection(record.id).peek('default');
    // What the dying process did: it presented the refresh token (the platform rotated it) and left its intent behind.
    const creds = await sandbox(origin, 'credentials');
    const rotated = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'refresh_token',
        refresh_token: stored!.refreshToken,
        client_id: creds.client_id,
        client_secret: creds.client_secret,
      }),
    });
    expect(rotated.status).toBe(200);
    await services.store.set(`token-intent:${record.id}:default`, { owner: 'a-process-that-died', at: Date.now() - 1_000 });
    await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
    const before = await refreshes();
    const r = await gql(b.url, b.demoKey, YA);
    expect(r.body.errors?.[0].extensions?.code).toBe('NEEDS_REAUTH');
    const after = await status(a);
    expect(after.status).toBe('NEEDS_REAUTH');
    expect(after.statusReason).toMatch(/never finished/);
    // It does not loop: later queries answer NEEDS_REAUTH without asking the platform again.
    for (const gw of [a, b]) expect((await gql(gw.url, gw.demoKey, YA)).body.errors?.[0].extensions?.code).toBe('NEEDS_REAUTH');
    expect((await refreshes()) - before).toBe(1);
  });
});
