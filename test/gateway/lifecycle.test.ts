import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { connectDaySchedule } from '../connectors/dayschedule-helpers.js';

/**
 * The connection lifecycle a user lives with, over GraphQL: token times right after connecting,
 * one connection per account however often it is connected, repair in place, deletion of records
 * that are not ACTIVE.
 */
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const CONNECTIONS = '{ connections { id provider status statusReason label lastRefreshedAt accessTokenExpiresAt } }';
const connections = async (apiKey: string) => (await gql(gw.url, apiKey, CONNECTIONS)).body.data.connections as any[];

async function bookingIds(apiKey: string, provider: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 30; page++) {
    const r: any = await gql(
      gw.url,
      apiKey,
      `query($after: String) { bookings(first: 100, after: $after, filter: { providers: [${provider}] }) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    expect(r.body.errors).toBeUndefined();
    ids.push(...r.body.data.bookings.edges.map((e: any) => e.node.id));
    if (!r.body.data.bookings.pageInfo.hasNextPage) break;
    after = r.body.data.bookings.pageInfo.endCursor;
  }
  return ids;
}

describe('connection lifecycle', () => {
  it('shows bookingtime token times right after connecting (before any organization token is renewed)', async () => {
    const tenant = await gw.tenant();
    const c = await sandbox(gw.emulators.bookingtime as string, 'credentials');
    const before = Date.now();
    const r = await gql(
      gw.url,
      tenant.apiKey,
      'mutation($input: ConnectProviderInput!) { connectProvider(input: $input) { id status lastRefreshedAt accessTokenExpiresAt } }',
      { input: { provider: 'BOOKINGTIME', credentials: { clientId: c.client_id, clientSecret: c.client_secret }, sandbox: true } },
    );
    expect(r.body.errors).toBeUndefined();
    const conn = r.body.data.connectProvider;
    expect(conn.status).toBe('ACTIVE');
    expect(Date.parse(conn.lastRefreshedAt)).toBeGreaterThanOrEqual(before - 1_000);
    // The access tokens live 5 minutes (the 30-day refresh token is a grant, not an access token).
    const ttl = Date.parse(conn.accessTokenExpiresAt) - Date.parse(conn.lastRefreshedAt);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300_000);
    const listed = (await connections(tenant.apiKey)).find((x) => x.id === conn.id);
    expect(listed).toMatchObject({ lastRefreshedAt: conn.lastRefreshedAt, accessTokenExpiresAt: conn.accessTokenExpiresAt });
  });

  it('a second consent for an account already connected updates that connection: one connection, no booking twice', async () => {
    const tenant = await gw.tenant();
    const first = await connectDaySchedule(gw.url, tenant.apiKey, 1117);
    expect(first.callback.status).toBe(200);
    const once = await bookingIds(tenant.apiKey, 'DAYSCHEDULE');
    expect(once.length).toBeGreaterThan(20);

    const second = await connectDaySchedule(gw.url, tenant.apiKey, 1117);
    expect(second.callback.status).toBe(200);
    expect(second.callback.html).toContain('is connected');
    const live = (await connections(tenant.apiKey)).filter((c) => c.provider === 'DAYSCHEDULE');
    expect(live.map((c) => [c.id, c.status])).toEqual([[first.connectionId, 'ACTIVE']]);
    const again = await bookingIds(tenant.apiKey, 'DAYSCHEDULE');
    expect(new Set(again).size).toBe(again.length);
    expect(again.sort()).toEqual(once.sort());

    // Another organization of the same platform is another account: a second connection.
    await connectDaySchedule(gw.url, tenant.apiKey, 2245);
    const both = (await connections(tenant.apiKey)).filter((c) => c.provider === 'DAYSCHEDULE');
    expect(both).toHaveLength(2);
    expect(both.every((c) => c.status === 'ACTIVE')).toBe(true);
  });

  it('connecting the same server-to-server account twice keeps one connection', async () => {
    const tenant = await gw.tenant();
    const c = await sandbox(gw.emulators.appointedd as string, 'credentials');
    const credentials = { clientId: c.client_id, clientSecret: c.client_secret };
    const a = await connect(gw.url, tenant.apiKey, 'APPOINTEDD', credentials);
    const b = await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { ...credentials, clientAuth: 'body' });
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(b.body.data.connectProvider.id).toBe(a.body.data.connectProvider.id);
    expect((await connections(tenant.apiKey)).filter((x) => x.provider === 'APPOINTEDD')).toHaveLength(1);
  });

  it('connectProvider(connectionId) repairs a NEEDS_REAUTH connection in place: same record, same IDs', async () => {
    const tenant = await gw.tenant();
    const origin = gw.emulators.onsched as string;
    const dashboard = async () => {
      const c = await sandbox(origin, 'credentials');
      return { refreshToken: c.refresh_token, companyApiKeys: c.companies.map((k: { api_key: string }) => k.api_key) };
    };
    const made = await connect(gw.url, tenant.apiKey, 'ONSCHED', await dashboard());
    expect(made.body.errors).toBeUndefined();
    const connectionId = made.body.data.connectProvider.id;
    const ids = await bookingIds(tenant.apiKey, 'ONSCHED');
    expect(ids.length).toBeGreaterThan(0);

    // Revoked in the dashboard: every grant dies, and the dashboard shows a new refresh token.
    // (The demo tenant's OnSched connection dies too; this test's own tenant is what it checks.)
    await sandbox(origin, 'revoke-all', {});
    await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
    const failed = await gql(gw.url, tenant.apiKey, '{ bookings(first: 1, filter: { providers: [ONSCHED] }) { edges { node { id } } } }');
    expect(failed.body.errors?.[0].extensions).toMatchObject({ code: 'NEEDS_REAUTH', provider: 'ONSCHED' });
    expect((await connections(tenant.apiKey)).find((c) => c.id === connectionId).status).toBe('NEEDS_REAUTH');

    const wrongPlatform = await gql(gw.url, tenant.apiKey, 'mutation($input: ConnectProviderInput!) { connectProvider(input: $input) { id } }', {
      input: { provider: 'APPOINTEDD', credentials: { clientId: 'x', clientSecret: 'y' }, sandbox: true, connectionId },
    });
    expect(wrongPlatform.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const repaired = await gql(gw.url, tenant.apiKey, 'mutation($input: ConnectProviderInput!) { connectProvider(input: $input) { id status statusReason } }', {
      input: { provider: 'ONSCHED', credentials: await dashboard(), sandbox: true, connectionId },
    });
    expect(repaired.body.errors).toBeUndefined();
    expect(repaired.body.data.connectProvider).toEqual({ id: connectionId, status: 'ACTIVE', statusReason: null });
    expect((await connections(tenant.apiKey)).filter((c) => c.provider === 'ONSCHED')).toHaveLength(1);
    // The global IDs handed out before the repair still resolve.
    const node = await gql(gw.url, tenant.apiKey, 'query($id: ID!) { node(id: $id) { id } }', { id: ids[0] });
    expect(node.body.errors).toBeUndefined();
    expect(node.body.data.node).toEqual({ id: ids[0] });
  });

  it('deleteConnection removes records that are not ACTIVE, refuses ACTIVE ones, and answers false for unknown IDs', async () => {
    const tenant = await gw.tenant();
    const other = await gw.tenant();
    const c = await sandbox(gw.emulators.appointedd as string, 'credentials');
    const active = (await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { clientId: c.client_id, clientSecret: c.client_secret })).body.data.connectProvider;
    const pending = (await gql(gw.url, tenant.apiKey, 'mutation { startConnection(provider: YAPPOINTMENT, sandbox: true) { connection { id status } } }')).body
      .data.startConnection.connection;
    expect(pending.status).toBe('PENDING');
    const del = (id: string, apiKey = tenant.apiKey) => gql(gw.url, apiKey, 'mutation($id: ID!) { deleteConnection(id: $id) }', { id });

    const refused = await del(active.id);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', provider: 'APPOINTEDD' });
    // Another tenant cannot delete (or even see) it.
    expect((await del(pending.id, other.apiKey)).body.data.deleteConnection).toBe(false);
    expect((await del(pending.id)).body.data.deleteConnection).toBe(true);
    expect((await del(pending.id)).body.data.deleteConnection).toBe(false);
    expect((await del('not-an-id')).body.data.deleteConnection).toBe(false);

    const disconnected = await gql(gw.url, tenant.apiKey, 'mutation($id: ID!) { disconnectProvider(connectionId: $id) { status } }', { id: active.id });
    expect(disconnected.body.data.disconnectProvider.status).toBe('DISCONNECTED');
    expect((await del(active.id)).body.data.deleteConnection).toBe(true);
    expect(await connections(tenant.apiKey)).toEqual([]);
  });
});
