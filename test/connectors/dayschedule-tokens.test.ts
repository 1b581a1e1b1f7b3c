import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshTokenStrategy } from '../../src/connectors/dayschedule/auth.js';
import { dayscheduleProvider } from '../../src/connectors/dayschedule/provider.js';
import { GrantRevokedError } from '../../src/tokens/errors.js';
import { HttpClient } from '../../src/connectors/http.js';
import { Provider } from '../../src/connectors/platforms.js';
import { startEmulator } from '../../src/sandbox/index.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { openStore } from '../../src/store/store.js';
import { TokenManager } from '../../src/tokens/token-manager.js';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { CONNECTIONS, connectDaySchedule, emulatorList, stats } from './dayschedule-helpers.js';

// DaySchedule's 1-hour access tokens and rotating refresh tokens through the gateway: the emulator
// clock moves past expiry (the gateway's clock does not), so every renewal here starts with a 401.

let gw: TestGateway;
let ds: string;
let apiKey: string;

beforeAll(async () => {
  gw = await startTestGateway();
  ds = gw.emulators.dayschedule as string;
  apiKey = (await gw.tenant('tokens')).apiKey;
  await connectDaySchedule(gw.url, apiKey, 2245);
});
afterAll(() => gw?.close());

const advance = (seconds: number) => sandbox(gw.emulators.dayschedule as string, 'clock', { advanceSeconds: seconds });

/** A query that calls the platform every time (bookings are never cached) plus customers and services. */
const QUERY = '{ bookings(first: 20, filter: { providers: [DAYSCHEDULE] }) { edges { node { nativeId customer { email } service { name } } } } }';

describe('dayschedule token renewal', () => {
  it('renews once per expiry after the 401, with the rotated refresh token each time, and no GraphQL error', async () => {
    const seeded = (await emulatorList(ds, 2245, '/v1/bookings')).length;
    const start = await stats(ds);
    const refreshedAt: string[] = [];
    const ROUNDS = 4;
    for (let round = 1; round <= ROUNDS; round++) {
      await advance(3_601);
      const before = await stats(ds);
      // Several queries: the first finds the token dead, later ones use the renewed one.
      for (let q = 0; q < 3; q++) {
        const r = await gql(gw.url, apiKey, QUERY);
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data.bookings.edges.length).toBe(Math.min(20, seeded));
      }
      const after = await stats(ds);
      expect(after.token.refresh_token - before.token.refresh_token).toBe(1);
      expect(after.token.authorization_code).toBe(before.token.authorization_code);
      expect(after.unauthorized - before.unauthorized).toBe(1);
      const c = await gql(gw.url, apiKey, CONNECTIONS);
      expect(c.body.data.connections[0]).toMatchObject({ status: 'ACTIVE', statusReason: null });
      refreshedAt.push(c.body.data.connections[0].lastRefreshedAt);
    }
    const end = await stats(ds);
    expect(new Set(refreshedAt).size).toBe(ROUNDS);
    console.info(
      `[figures] ${ROUNDS} expiries: refresh_token grants +${end.token.refresh_token - start.token.refresh_token}, 401 answers +${end.unauthorized - start.unauthorized}, authorization_code +${end.token.authorization_code - start.token.authorization_code}`,
    );
    // Without a new expiry nothing is renewed.
    const idle = await stats(ds);
    expect((await gql(gw.url, apiKey, QUERY)).body.errors).toBeUndefined();
    expect((await stats(ds)).token.refresh_token).toBe(idle.token.refresh_token);
  });

  it('makes 12 concurrent queries after expiry share one renewal', async () => {
    await advance(3_601);
    const before = await stats(ds);
    const answers = await Promise.all(Array.from({ length: 12 }, () => gql(gw.url, apiKey, QUERY)));
    for (const a of answers) expect(a.body.errors).toBeUndefined();
    const after = await stats(ds);
    expect(after.token.refresh_token - before.token.refresh_token).toBe(1);
    console.info(
      `[figures] 12 concurrent queries after expiry: refresh_token +${after.token.refresh_token - before.token.refresh_token}, 401 answers +${after.unauthorized - before.unauthorized}`,
    );
  });

  it('renews before expiry (margin) on the gateway clock, without a 401, presenting the newest refresh token', async () => {
    const emu = await startEmulator('dayschedule');
    try {
      const creds = await sandbox(emu.baseUrl, 'credentials');
      const app = { clientId: creds.client_id as string, clientSecret: creds.client_secret as string };
      let clock = Date.now();
      const revoked: string[] = [];
      const manager = new TokenManager(
        await openStore('memory://'),
        new SecretBox([{ id: 'k1', key: randomBytes(32) }]),
        { onRenewed: async () => undefined, onGrantRevoked: async (_id, reason) => void revoked.push(reason) },
        () => clock,
      );
      const tokens = manager.forConnection('cn_dayschedule_margin');
      // Consent + exchange straight at the emulator, then hand the set to the manager (as exchangeCode does).
      const decided = await fetch(`${emu.baseUrl}/v1/oauth2/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: app.clientId, redirect_uri: creds.redirect_uris[0], response_type: 'code', account: '1117', decision: 'allow' }),
      });
      const code = new URL(decided.headers.get('location') as string).searchParams.get('code');
      const t = await (
        await fetch(`${emu.baseUrl}/v1/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'authorization_code', code, client_id: app.clientId, client_secret: app.clientSecret }),
        })
      ).json();
      await tokens.put('default', { accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: clock + t.expires_in * 1000, obtainedAt: clock });
      const strategy = refreshTokenStrategy(new HttpClient({ provider: Provider.DAYSCHEDULE, timeoutMs: 5_000 }), emu.baseUrl, app);

      // Outside the margin the token is reused.
      clock += (3_600 - dayscheduleProvider.expiryMarginSeconds - 10) * 1000;
      expect((await tokens.get('default', strategy)).accessToken).toBe(t.access_token);
      // Inside the margin it is renewed first (the platform would still have taken it).
      let refreshToken = t.refresh_token as string;
      for (let i = 0; i < 3; i++) {
        clock += 60_000;
        if (i > 0) clock += 3_600_000;
        const next = await tokens.get('default', strategy);
        expect(next.refreshToken).not.toBe(refreshToken);
        refreshToken = next.refreshToken as string;
        const me = await fetch(`${emu.baseUrl}/v1/users`, { headers: { authorization: `Bearer ${next.accessToken}` } });
        expect(me.status).toBe(200);
      }
      const s = await stats(emu.baseUrl);
      expect(s.token.refresh_token).toBe(3);
      expect(s.unauthorized).toBe(0);
      expect(revoked).toEqual([]);

      // A refresh token the platform no longer knows is a revoked grant, not a transient error.
      await sandbox(emu.baseUrl, 'revoke-all', {});
      await expect(strategy.obtain(await tokens.peek('default'), Date.now)).rejects.toBeInstanceOf(GrantRevokedError);
      await expect(strategy.obtain(null, Date.now)).rejects.toBeInstanceOf(GrantRevokedError);
    } finally {
      await emu.close();
    }
  });
});

describe('dayschedule revoked grant', () => {
  it('revoke-all → NEEDS_REAUTH with a reason; other platforms still answer; no more calls to DaySchedule; consent again works', async () => {
    const tenant = await gw.tenant('revoked');
    await connectDaySchedule(gw.url, tenant.apiKey, 1117);
    const ap = await sandbox(gw.emulators.appointedd as string, 'credentials');
    const linked = await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { clientId: ap.client_id, clientSecret: ap.client_secret });
    expect(linked.body.data.connectProvider.status).toBe('ACTIVE');
    const BOTH = '{ bookings(first: 30) { edges { node { provider nativeId } } } }';
    const ok = await gql(gw.url, tenant.apiKey, BOTH);
    expect(ok.body.errors).toBeUndefined();
    expect(new Set(ok.body.data.bookings.edges.map((e: any) => e.node.provider))).toEqual(new Set(['DAYSCHEDULE', 'APPOINTEDD']));

    await sandbox(ds, 'revoke-all', {});
    const before = await stats(ds);
    const r = await gql(gw.url, tenant.apiKey, BOTH);
    const mid = await stats(ds);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'NEEDS_REAUTH', provider: 'DAYSCHEDULE' });
    expect(r.body.errors?.[0].message).toMatch(/invalid_grant/);
    expect(r.body.data.bookings.edges.length).toBeGreaterThan(0);
    expect(r.body.data.bookings.edges.every((e: any) => e.node.provider === 'APPOINTEDD')).toBe(true);
    // One refused API call (401), one refused refresh (invalid_grant).
    expect(mid.token.refresh_token - before.token.refresh_token).toBe(1);
    expect(mid.unauthorized - before.unauthorized).toBe(1);

    const conns = await gql(gw.url, tenant.apiKey, '{ connections { id provider status statusReason } }');
    const dsConn = conns.body.data.connections.find((c: any) => c.provider === 'DAYSCHEDULE');
    expect(dsConn.status).toBe('NEEDS_REAUTH');
    expect(dsConn.statusReason).toMatch(/disconnected in DaySchedule.*connect DaySchedule again/);
    expect(conns.body.data.connections.find((c: any) => c.provider === 'APPOINTEDD').status).toBe('ACTIVE');

    // Later reads report NEEDS_REAUTH without calling the platform.
    const again = await gql(gw.url, tenant.apiKey, BOTH);
    expect(again.body.errors?.[0].extensions?.code).toBe('NEEDS_REAUTH');
    const after = await stats(ds);
    expect(after.api).toBe(mid.api);
    expect(after.token.refresh_token).toBe(mid.token.refresh_token);
    console.info(
      `[figures] revoke-all: refresh_token +${mid.token.refresh_token - before.token.refresh_token}, 401 +${mid.unauthorized - before.unauthorized}; after NEEDS_REAUTH: API calls +${after.api - mid.api}`,
    );

    // A person consents again for the same organization: the connection is repaired in place (same
    // ID, ACTIVE again), not duplicated.
    await connectDaySchedule(gw.url, tenant.apiKey, 1117);
    const fresh = await gql(gw.url, tenant.apiKey, '{ connections { id provider status } }');
    expect(fresh.body.data.connections.filter((c: any) => c.provider === 'DAYSCHEDULE')).toEqual([
      { id: dsConn.id, provider: 'DAYSCHEDULE', status: 'ACTIVE' },
    ]);
  });
});
