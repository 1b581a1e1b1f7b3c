import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessTokenRejectedError } from '../../src/tokens/errors.js';
import { HttpClient } from '../../src/connectors/http.js';
import { Provider } from '../../src/connectors/platforms.js';
import { refreshStrategy } from '../../src/connectors/yappointment/auth.js';
import { decodeId } from '../../src/gateway/ids.js';
import { startEmulator } from '../../src/sandbox/index.js';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { advance, connectionOf, connectYAppointment, emulatorApi, stats, storedTokens } from './yappointment-helpers.js';

/**
 * The grant's life through the gateway: refresh with strict rotation over a simulated day, one
 * refresh for concurrent callers, persistence of the rotated token across a crash, revocation on
 * disconnect, missing scopes, and a grant revoked at the platform.
 */

let gw: TestGateway;
let origin: string;
const YA_QUERY = `{
  organizations(providers: [YAPPOINTMENT]) { nativeId name }
  bookings(first: 10, filter: { providers: [YAPPOINTMENT] }) { edges { node { nativeId status service { name } customer { email } } } }
}`;

beforeAll(async () => {
  gw = await startTestGateway();
  origin = gw.emulators.yappointment as string;
});
afterAll(() => gw?.close());
beforeEach(async () => {
  await sandbox(origin, 'faults', undefined, 'DELETE');
});

const tokenRequest = (body: Record<string, string>) =>
  fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('refresh with strict rotation', () => {
  it('renews exactly once per expired hour over a simulated 24 hours, with no 401 and no reuse reaching clients', async () => {
    const { apiKey } = await gw.tenant('ya-day');
    const id = await connectYAppointment(gw, apiKey);
    const first = await storedTokens(gw, id);
    await sandbox(origin, 'stats/reset');
    // 96 steps of 15 minutes on the emulator clock, a steady query at each. The gateway's clock is
    // real time (seconds pass), so it believes each token valid; the emulator kills it 60 minutes
    // after issue. A token issued at emulator time T is dead from T+60 min, i.e. at every 4th step:
    // 96 / 4 = 24 refreshes, each set off by one 401 on the first call after expiry.
    const refreshTokens = new Set<string>([first?.refreshToken as string]);
    const errors: unknown[] = [];
    for (let step = 1; step <= 96; step++) {
      await advance(origin, 900);
      const r = await gql(gw.url, apiKey, YA_QUERY);
      if (r.body.errors) errors.push({ step, errors: r.body.errors });
      expect(r.body.data.organizations).toEqual([{ nativeId: '3f61a8f9577777ef06019705', name: 'Test Salon' }]);
      expect(r.body.data.bookings.edges).toHaveLength(10);
      refreshTokens.add((await storedTokens(gw, id))?.refreshToken as string);
    }
    expect(errors).toEqual([]);
    const s = await stats(origin);
    expect(s.token.refresh_token).toBe(24);
    expect(s.token.authorization_code).toBe(0);
    expect(refreshTokens.size).toBe(25); // every refresh rotated the refresh token, and the new one was stored
    expect(s.unauthorized).toBeGreaterThanOrEqual(24);
    expect(s.unauthorized).toBeLessThanOrEqual(48);
    // The grant is alive at the end: the stored access token works at the platform, and the connection is ACTIVE.
    const last = await storedTokens(gw, id);
    expect((await emulatorApi(origin, last?.accessToken as string, '/api/v1/me')).status).toBe(200);
    expect((await connectionOf(gw, apiKey, id)).status).toBe('ACTIVE');
    console.info(
      `[yappointment 24h] refresh_token=${s.token.refresh_token} unauthorized(401 at the platform)=${s.unauthorized} api=${s.api} graphqlErrors=${errors.length}`,
    );
  });

  it('makes concurrent callers after expiry share one refresh', async () => {
    const { apiKey } = await gw.tenant('ya-concurrent');
    await connectYAppointment(gw, apiKey);
    await advance(origin, 3_600);
    const before = await stats(origin);
    const answers = await Promise.all(Array.from({ length: 12 }, () => gql(gw.url, apiKey, YA_QUERY)));
    for (const r of answers) expect(r.body.errors).toBeUndefined();
    expect((await stats(origin)).token.refresh_token - before.token.refresh_token).toBe(1);
  });

  it('renews ahead of expiry by the gateway clock too (margin), without waiting for a 401', async () => {
    const { apiKey } = await gw.tenant('ya-margin');
    const id = await connectYAppointment(gw, apiKey);
    const gid = decodeId(id);
    const tokens = gw.gateway.services.tokens.forConnection(gid?.connectionId as string);
    const set = await tokens.peek('default');
    // Pretend the gateway clock reached the margin: the stored set expires within 120 s.
    await tokens.put('default', { ...(set as NonNullable<typeof set>), expiresAt: Date.now() + 60_000 });
    const before = await stats(origin);
    const r = await gql(gw.url, apiKey, YA_QUERY);
    expect(r.body.errors).toBeUndefined();
    const after = await stats(origin);
    expect(after.token.refresh_token - before.token.refresh_token).toBe(1);
    expect(after.unauthorized - before.unauthorized).toBe(0);
  });

  it('shows the platform punishing reuse: a rotated-out refresh token presented again revokes the grant, and the gateway reports NEEDS_REAUTH', async () => {
    const { apiKey } = await gw.tenant('ya-reuse');
    const id = await connectYAppointment(gw, apiKey);
    const old = await storedTokens(gw, id);
    await advance(origin, 3_600);
    expect((await gql(gw.url, apiKey, YA_QUERY)).body.errors).toBeUndefined(); // rotates
    const creds = await sandbox(origin, 'credentials');
    const replay = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: old?.refreshToken as string,
      client_id: creds.client_id,
      client_secret: creds.client_secret,
    });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
    await advance(origin, 3_600);
    const r = await gql(gw.url, apiKey, YA_QUERY);
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'NEEDS_REAUTH', provider: 'YAPPOINTMENT' });
    expect((await connectionOf(gw, apiKey, id)).status).toBe('NEEDS_REAUTH');
  });
});

describe('a crash after the rotated refresh token was stored', () => {
  it('loses nothing: another process on the same store continues with the stored token, no reuse, no new consent', async () => {
    const emulator = await startEmulator('yappointment');
    const creds = await sandbox(emulator.baseUrl, 'credentials');
    const dir = mkdtempSync(join(tmpdir(), 'bookgraph-ya-'));
    const storeUrl = `file://${join(dir, 'store.json')}`;
    // Both processes use the same external emulator (it outlives them) and the registered redirect URI.
    const env = {
      YAPPOINTMENT_API_URL: emulator.baseUrl,
      YAPPOINTMENT_AUTH_URL: emulator.baseUrl,
      YAPPOINTMENT_CLIENT_ID: creds.client_id,
      YAPPOINTMENT_CLIENT_SECRET: creds.client_secret,
      PUBLIC_URL: 'http://127.0.0.1:4000',
    };
    const a = await startTestGateway({ storeUrl, env });
    let b: TestGateway | null = null;
    try {
      const { apiKey } = await a.tenant('ya-crash');
      const id = await connectYAppointment(a, apiKey);
      const connectionId = decodeId(id)?.connectionId as string;
      const original = await storedTokens(a, id);
      await advance(emulator.baseUrl, 3_600);

      // Process A renews after a 401 and "crashes" right after: the new set is stored, its access token never used.
      const strategy = refreshStrategy(new HttpClient({ provider: Provider.YAPPOINTMENT, timeoutMs: 5_000 }), emulator.baseUrl, {
        clientId: creds.client_id,
        clientSecret: creds.client_secret,
      });
      let calls = 0;
      await expect(
        a.gateway.services.tokens.forConnection(connectionId).use('default', strategy, async () => {
          calls++;
          if (calls === 1) throw new AccessTokenRejectedError(Provider.YAPPOINTMENT, 'probe');
          throw new Error('process A crashed before using the new access token');
        }),
      ).rejects.toThrow(/crashed/);
      expect((await sandbox(emulator.baseUrl, 'stats')).token.refresh_token).toBe(1);

      // Process B opens the same durable store (A never shut down cleanly).
      b = await startTestGateway({ storeUrl, env, encryptionKey: a.encryptionKey });
      const rotated = await storedTokens(b, id);
      expect(rotated?.refreshToken).not.toBe(original?.refreshToken);
      const r1 = await gql(b.url, apiKey, YA_QUERY);
      expect(r1.body.errors).toBeUndefined();
      await advance(emulator.baseUrl, 3_600);
      const r2 = await gql(b.url, apiKey, YA_QUERY);
      expect(r2.body.errors).toBeUndefined();
      const s = await sandbox(emulator.baseUrl, 'stats');
      expect(s.token.refresh_token).toBe(2); // A's one, then B's with the token A stored: no reuse detection
      expect(s.token.authorization_code).toBe(1);
      expect((await connectionOf(b, apiKey, id)).status).toBe('ACTIVE');
    } finally {
      await b?.close();
      await a.close();
      await emulator.close();
    }
  });
});

describe('disconnectProvider', () => {
  const DISCONNECT = 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { id status statusReason } }';

  it('revokes the grant at the platform, forgets the tokens and marks the connection DISCONNECTED', async () => {
    const { apiKey } = await gw.tenant('ya-disconnect');
    const id = await connectYAppointment(gw, apiKey);
    const set = await storedTokens(gw, id);
    expect((await emulatorApi(origin, set?.accessToken as string, '/api/v1/me', {})).status).toBe(200);
    const before = await stats(origin);
    const r = await gql(gw.url, apiKey, DISCONNECT, { id });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.disconnectProvider).toMatchObject({ id, status: 'DISCONNECTED', statusReason: 'Disconnected by the tenant' });
    const after = await stats(origin);
    expect(after.revoke - before.revoke).toBe(1);
    console.info(`[yappointment disconnect] revoke requests=${after.revoke - before.revoke}`);
    // The old access token is dead at the platform, and so is the refresh token (the whole grant).
    expect((await emulatorApi(origin, set?.accessToken as string, '/api/v1/me', {})).status).toBe(401);
    const creds = await sandbox(origin, 'credentials');
    const refresh = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: set?.refreshToken as string,
      client_id: creds.client_id,
      client_secret: creds.client_secret,
    });
    expect((await refresh.json()).error).toBe('invalid_grant');
    expect(await storedTokens(gw, id)).toBeNull();
    const q = await gql(gw.url, apiKey, YA_QUERY);
    expect(q.body.errors).toBeUndefined();
    expect(q.body.data.bookings.edges).toEqual([]);
  });

  it('still disconnects locally when the platform cannot revoke, and says so', async () => {
    const { apiKey } = await gw.tenant('ya-disconnect-down');
    const id = await connectYAppointment(gw, apiKey);
    const set = await storedTokens(gw, id);
    await sandbox(origin, 'faults', { match: '/oauth/revoke', status: 503 });
    const before = await stats(origin);
    const r = await gql(gw.url, apiKey, DISCONNECT, { id });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.disconnectProvider.status).toBe('DISCONNECTED');
    expect(r.body.data.disconnectProvider.statusReason).toMatch(/Disconnected here; revoking at yAppointment failed .*503.*grant may still exist/);
    const attempts = (await stats(origin)).revoke - before.revoke;
    expect(attempts).toBe(3); // revocation is idempotent (RFC 7009): the first try and two retries on 503
    expect(await storedTokens(gw, id)).toBeNull();
    console.info(`[yappointment disconnect, platform down] revoke attempts=${attempts}, statusReason=${r.body.data.disconnectProvider.statusReason}`);
    // Honest about it: the platform never got the revocation, so the grant still works there.
    await sandbox(origin, 'faults', undefined, 'DELETE');
    expect((await emulatorApi(origin, set?.accessToken as string, '/api/v1/me')).status).toBe(200);
  });
});

describe('scopes', () => {
  it('a scope the person did not grant is FORBIDDEN for yAppointment, naming the scope, while the rest of the answer stands', async () => {
    const { apiKey } = await gw.tenant('ya-narrow');
    // A connection that asks to write; the gateway never asks for customers:write (not in the platform's document).
    const id = await connectYAppointment(gw, apiKey, { write: true, dropScopes: ['customers:read'] });
    const before = await stats(origin);
    const r = await gql(
      gw.url,
      apiKey,
      `{
      bookings(first: 5, filter: { providers: [YAPPOINTMENT] }) { edges { node { nativeId service { name } customer { email } } } }
      services(first: 2, providers: [YAPPOINTMENT]) { edges { node { name } } }
    }`,
    );
    expect(r.body.data.bookings.edges).toHaveLength(5);
    for (const e of r.body.data.bookings.edges) {
      expect(e.node.service.name).toBeTruthy();
      expect(e.node.customer).toBeNull();
    }
    expect(r.body.data.services.edges).toHaveLength(2);
    expect(r.body.errors?.length).toBeGreaterThan(0);
    for (const e of r.body.errors ?? []) {
      expect(e.extensions).toMatchObject({ code: 'FORBIDDEN', provider: 'YAPPOINTMENT' });
      expect(e.message).toMatch(/^yAppointment did not grant customers:read/);
    }
    const orgs = await gql(gw.url, apiKey, '{ organizations(providers: [YAPPOINTMENT]) { id } }');
    const create = await gql(gw.url, apiKey, 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { organizationId: orgs.body.data.organizations[0].id, firstName: 'Ana', lastName: 'Silva', email: 'ana.silva.ya@example.com' },
    });
    expect(create.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', provider: 'YAPPOINTMENT' });
    expect(create.body.errors?.[0].message).toMatch(/^yAppointment did not grant customers:write/);
    const forbidden = (await stats(origin)).forbidden - before.forbidden;
    expect(forbidden).toBeGreaterThanOrEqual(2);
    // A missing scope is not a dead grant.
    expect((await connectionOf(gw, apiKey, id)).status).toBe('ACTIVE');
    console.info(`[yappointment scopes] platform 403 answers=${forbidden}, GraphQL FORBIDDEN errors=${(r.body.errors?.length ?? 0) + 1}`);
  });
});

describe('a grant revoked at the platform', () => {
  // Last in this file: revoke-all kills every grant of the emulator.
  it('moves the connection to NEEDS_REAUTH after one refused refresh, then stops calling the platform', async () => {
    const { apiKey } = await gw.tenant('ya-revoked');
    const id = await connectYAppointment(gw, apiKey);
    expect((await gql(gw.url, apiKey, YA_QUERY)).body.errors).toBeUndefined();
    await sandbox(origin, 'revoke-all');
    const before = await stats(origin);
    const r = await gql(gw.url, apiKey, YA_QUERY);
    expect(r.body.data.bookings.edges).toEqual([]);
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'NEEDS_REAUTH', provider: 'YAPPOINTMENT' });
    const c = await connectionOf(gw, apiKey, id);
    expect(c.status).toBe('NEEDS_REAUTH');
    expect(c.statusReason).toMatch(/invalid_grant/);
    const mid = await stats(origin);
    expect(mid.token.refresh_token - before.token.refresh_token).toBe(1);
    const again = await gql(gw.url, apiKey, YA_QUERY);
    expect(again.body.errors?.[0].extensions).toMatchObject({ code: 'NEEDS_REAUTH', provider: 'YAPPOINTMENT' });
    const after = await stats(origin);
    expect(after.api).toBe(mid.api);
    expect(after.token.refresh_token).toBe(mid.token.refresh_token);
  });
});
