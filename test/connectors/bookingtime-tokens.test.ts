import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookingtimeAuth, organizationTokenName } from '../../src/connectors/bookingtime/auth.js';
import { HttpClient } from '../../src/connectors/http.js';
import { Provider } from '../../src/connectors/platforms.js';
import { startEmulator } from '../../src/sandbox/index.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { openStore } from '../../src/store/store.js';
import { TokenManager } from '../../src/tokens/token-manager.js';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { advance, BOOKINGS_LIGHT, connectBookingtime, emulatorNow, ORG_A, ORG_B, ORG_C, type Stats, stats } from './bookingtime-helpers.js';

/**
 * bookingtime token lifecycle through the real gateway (GraphQL over HTTP) against the emulator:
 * client credentials → refresh token → one 300 s access token per organization. The emulator's
 * clock moves; the gateway's is real time, so dead tokens are found by the 401 → renew-once path.
 * Stats are never reset, so the 403 counter covers the whole file.
 */
describe('bookingtime connector: tokens', () => {
  let gw: TestGateway;
  let bt: string;
  let apiKey: string;

  const grants = (a: Stats, b: Stats) => ({
    clientCredentials: b.token.client_credentials - a.token.client_credentials,
    refreshToken: b.token.refresh_token - a.token.refresh_token,
  });

  /** A query spanning both organizations: bookings of the 3 weeks around the emulator's now. */
  const spanningQuery = async () => {
    const now = await emulatorNow(bt);
    const filter = {
      providers: ['BOOKINGTIME'],
      startsAfter: new Date(now.getTime() - 7 * 86_400_000).toISOString(),
      startsBefore: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
    };
    return () => gql(gw.url, apiKey, BOOKINGS_LIGHT, { first: 100, filter });
  };
  const orgsOf = (r: Awaited<ReturnType<Awaited<ReturnType<typeof spanningQuery>>>>) =>
    new Set(r.body.data.bookings.edges.map((e: any) => e.node.raw.organizationId));

  beforeAll(async () => {
    gw = await startTestGateway();
    bt = gw.emulators.bookingtime as string;
    apiKey = (await gw.tenant()).apiKey;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('connects with client credentials and lists the permitted organizations with an organization-less token', async () => {
    const before = await stats(bt);
    const conn = await connectBookingtime(gw.url, apiKey, bt);
    expect(conn.status).toBe('ACTIVE');
    expect(conn.label).toBe('Physiopraxis Alster, Brooklyn Bike Service');
    const after = await stats(bt);
    // One client-credentials grant (the 30-day refresh token), one organization-less access token.
    expect(grants(before, after)).toEqual({ clientCredentials: 1, refreshToken: 1 });

    const r = await gql(gw.url, apiKey, '{ organizations(providers: [BOOKINGTIME]) { nativeId name timezone raw } }');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.organizations.map((o: any) => [o.nativeId, o.timezone])).toEqual([
      [ORG_A, 'Europe/Berlin'],
      [ORG_B, 'America/New_York'],
    ]);
    expect(r.body.data.organizations.map((o: any) => o.nativeId)).not.toContain(ORG_C);
  });

  it('30 simulated minutes of queries over both organizations: 6 access-token grants per organization, 1 client-credentials grant', async () => {
    const start = await stats(bt);
    const perStep: number[] = [];
    for (let step = 0; step < 30; step++) {
      const before = await stats(bt);
      const query = await spanningQuery();
      const answers = await Promise.all([query(), query(), query(), query()]);
      for (const a of answers) {
        expect(a.body.errors).toBeUndefined();
        expect(orgsOf(a)).toEqual(new Set([ORG_A, ORG_B]));
      }
      perStep.push(grants(before, await stats(bt)).refreshToken);
      await advance(bt, 60);
    }
    const total = grants(start, await stats(bt));
    // Two organizations, each renewing its own 300 s token once every 5 simulated minutes.
    expect(perStep).toEqual(Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? 2 : 0)));
    expect(total).toEqual({ clientCredentials: 0, refreshToken: 12 });
    console.info(
      `[bookingtime] 30-minute window, 120 queries: refresh_token grants per step ${perStep.join(',')}; total ${total.refreshToken} (6 per organization), client_credentials +${total.clientCredentials} (1 since connect)`,
    );
  }, 120_000);

  it('200 concurrent queries at the moment of expiry cause exactly one refresh per organization token', async () => {
    await advance(bt, 301);
    const before = await stats(bt);
    const query = await spanningQuery();
    const answers = await Promise.all(Array.from({ length: 200 }, () => query()));
    for (const a of answers) {
      expect(a.body.errors).toBeUndefined();
      expect(orgsOf(a)).toEqual(new Set([ORG_A, ORG_B]));
    }
    const after = await stats(bt);
    expect(grants(before, after)).toEqual({ clientCredentials: 0, refreshToken: 2 });
    console.info(
      `[bookingtime] 200 concurrent queries after expiry: refresh_token +${after.token.refresh_token - before.token.refresh_token}, 401 answers +${after.unauthorized - before.unauthorized}`,
    );
  }, 60_000);

  it('renews the refresh token once with client credentials when it ran out on the platform clock, unnoticed by the client', async () => {
    await advance(bt, 31 * 86_400);
    const before = await stats(bt);
    const query = await spanningQuery();
    const answers = await Promise.all(Array.from({ length: 20 }, () => query()));
    for (const a of answers) expect(a.body.errors).toBeUndefined();
    const after = await stats(bt);
    const g = grants(before, after);
    expect(g.clientCredentials).toBe(1);
    // Per organization: the refused exchange (invalid_grant, at most one each) and the good one.
    expect(g.refreshToken).toBeGreaterThanOrEqual(3);
    expect(g.refreshToken).toBeLessThanOrEqual(4);
    const c = await gql(gw.url, apiKey, '{ connections { provider status statusReason } }');
    expect(c.body.data.connections).toEqual([{ provider: 'BOOKINGTIME', status: 'ACTIVE', statusReason: null }]);
  });

  it('renews the refresh token a day before its 30 days run out (gateway clock), with no refusal first', async () => {
    const emu = await startEmulator('bookingtime');
    try {
      const creds = await sandbox(emu.baseUrl, 'credentials');
      let clock = Date.now();
      const revoked: string[] = [];
      const manager = new TokenManager(
        await openStore('memory://'),
        new SecretBox([{ id: 'k1', key: randomBytes(32) }]),
        { onRenewed: async () => undefined, onGrantRevoked: async (_id, reason) => void revoked.push(reason) },
        () => clock,
      );
      const tokens = manager.forConnection('cn_bookingtime_test');
      const auth = new BookingtimeAuth(
        new HttpClient({ provider: Provider.BOOKINGTIME, timeoutMs: 5_000 }),
        emu.baseUrl,
        { clientId: creds.client_id, clientSecret: creds.client_secret },
        tokens,
      );
      await tokens.get(organizationTokenName(ORG_A), auth.organization(ORG_A));
      expect((await stats(emu.baseUrl)).token).toMatchObject({ client_credentials: 1, refresh_token: 1 });

      // 28 days later the refresh token is reused as it is.
      clock += 28 * 86_400_000;
      await advance(emu.baseUrl, 28 * 86_400);
      await tokens.get(organizationTokenName(ORG_A), auth.organization(ORG_A));
      expect((await stats(emu.baseUrl)).token).toMatchObject({ client_credentials: 1, refresh_token: 2 });

      // Inside its last day it is renewed first: no refused exchange, no NEEDS_REAUTH.
      clock += 1.5 * 86_400_000;
      await advance(emu.baseUrl, 1.5 * 86_400);
      await tokens.get(organizationTokenName(ORG_A), auth.organization(ORG_A));
      expect((await stats(emu.baseUrl)).token).toMatchObject({ client_credentials: 2, refresh_token: 3 });
      expect(revoked).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it('rejects bad credentials at connectProvider with BAD_USER_INPUT naming invalid_client, and stores nothing', async () => {
    const listed = async () => (await gql(gw.url, apiKey, '{ connections { id } }')).body.data.connections.map((c: any) => c.id);
    const before = await listed();
    const c = await sandbox(bt, 'credentials');
    for (const credentials of [
      { clientId: c.client_id, clientSecret: 'wrong-secret' },
      { clientId: '70AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', clientSecret: c.client_secret },
    ]) {
      const r = await connect(gw.url, apiKey, 'BOOKINGTIME', credentials);
      expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0].message).toMatch(/bookingtime rejected the client id or secret \(invalid_client/);
      expect(r.body.errors?.[0].message).not.toContain('wrong-secret');
    }
    const missing = await connect(gw.url, apiKey, 'BOOKINGTIME', { clientId: c.client_id });
    expect(missing.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.body.errors?.[0].message).toMatch(/clientSecret/);
    expect(await listed()).toEqual(before);
  });

  it('revoke-all → NEEDS_REAUTH with a reason; other platforms still answer; no more calls to bookingtime', async () => {
    const tenant = await gw.tenant();
    await connectBookingtime(gw.url, tenant.apiKey, bt);
    const ad = gw.emulators.appointedd as string;
    const adc = await sandbox(ad, 'credentials');
    const adConn = await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { clientId: adc.client_id, clientSecret: adc.client_secret });
    expect(adConn.body.errors).toBeUndefined();
    const q = '{ bookings(first: 100) { edges { node { provider nativeId } } } }';
    const ok = await gql(gw.url, tenant.apiKey, q);
    expect(ok.body.errors).toBeUndefined();
    expect(new Set(ok.body.data.bookings.edges.map((e: any) => e.node.provider))).toEqual(new Set(['APPOINTEDD', 'BOOKINGTIME']));

    await sandbox(bt, 'revoke-all', {});
    const after = await gql(gw.url, tenant.apiKey, q);
    const err = after.body.errors?.find((e) => e.extensions?.provider === 'BOOKINGTIME');
    expect(err?.extensions?.code).toBe('NEEDS_REAUTH');
    expect(after.body.data.bookings.edges.length).toBeGreaterThan(0);
    expect(after.body.data.bookings.edges.every((e: any) => e.node.provider === 'APPOINTEDD')).toBe(true);

    const conns = (await gql(gw.url, tenant.apiKey, '{ connections { provider status statusReason } }')).body.data.connections;
    const btConn = conns.find((c: any) => c.provider === 'BOOKINGTIME');
    expect(btConn.status).toBe('NEEDS_REAUTH');
    expect(btConn.statusReason).toMatch(/revoked.*connect bookingtime again/);
    expect(conns.find((c: any) => c.provider === 'APPOINTEDD').status).toBe('ACTIVE');

    const flat = await stats(bt);
    for (let i = 0; i < 5; i++) {
      const r = await gql(gw.url, tenant.apiKey, q);
      expect(r.body.errors?.find((e) => e.extensions?.provider === 'BOOKINGTIME')?.extensions?.code).toBe('NEEDS_REAUTH');
      expect(r.body.data.bookings.edges.length).toBeGreaterThan(0);
    }
    const later = await stats(bt);
    expect(later.token).toEqual(flat.token);
    expect(later.api).toBe(flat.api);
    console.info(
      `[bookingtime] revoke-all: statusReason "${btConn.statusReason}"; token endpoint ${JSON.stringify(flat.token)} → ${JSON.stringify(later.token)} over 5 more queries`,
    );
  });

  it('never sent a token to the wrong organization (emulator 403 counter = 0 for the whole file)', async () => {
    const s = await stats(bt);
    console.info(`[bookingtime] tokens suite: forbidden=${s.forbidden}, api=${s.api}, unauthorized=${s.unauthorized}, token=${JSON.stringify(s.token)}`);
    expect(s.forbidden).toBe(0);
  });
});
