import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let origin: string;
let creds: any;
/** A tenant with two Appointedd connections: the all-accounts client and the one-account client. */
let tenant: { id: string; apiKey: string };

beforeAll(async () => {
  gw = await startTestGateway();
  origin = gw.emulators.appointedd as string;
  creds = await sandbox(origin, 'credentials');
  tenant = await gw.tenant('two-appointedd-clients');
  const all = creds.clients.find((c: any) => c.permission === 'all');
  const specific = creds.clients.find((c: any) => c.permission === 'specific');
  expect((await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { clientId: all.client_id, clientSecret: all.client_secret })).body.errors).toBeUndefined();
  const second = await connect(gw.url, tenant.apiKey, 'APPOINTEDD', { clientId: specific.client_id, clientSecret: specific.client_secret, clientAuth: 'body' });
  expect(second.body.errors).toBeUndefined();
});
afterAll(() => gw.close());

/** Every booking the emulator holds for a client, straight from the platform API. */
async function platformBookings(client: { client_id: string; client_secret: string }): Promise<string[]> {
  const tokenRes = await fetch(`${origin}/v2/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
  });
  const { access_token } = await tokenRes.json();
  const ids: string[] = [];
  let url: string | null = `${origin}/v2/bookings?page[limit]=100`;
  while (url) {
    const page: any = await (await fetch(url, { headers: { authorization: `Bearer ${access_token}` } })).json();
    ids.push(...page.data.map((b: any) => b.id));
    url = page.links.next;
  }
  return ids;
}

const PAGE = `query($after: String, $first: Int) {
  bookings(first: $first, after: $after) {
    edges { cursor node { id nativeId provider startsAt organization { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('Appointedd end to end', () => {
  it('lists both connections with their accounts as organizations', async () => {
    const r = await gql(gw.url, tenant.apiKey, '{ connections { provider status label organizations { name timezone } } }');
    expect(r.body.errors).toBeUndefined();
    const orgs = r.body.data.connections.map((c: any) => c.organizations.map((o: any) => o.name).sort());
    expect(orgs).toEqual(expect.arrayContaining([['Glasgow Physio Clinic', 'Toronto Tutoring Centre'], ['Glasgow Physio Clinic']]));
  });

  it('merged paging over two connections returns every booking exactly once, ordered by startsAt', async () => {
    const [all, specific] = [creds.clients.find((c: any) => c.permission === 'all'), creds.clients.find((c: any) => c.permission === 'specific')];
    const expected = (await platformBookings(all)).length + (await platformBookings(specific)).length;
    const seen: any[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r: any = await gql(gw.url, tenant.apiKey, PAGE, { after, first: 7 });
      expect(r.body.errors).toBeUndefined();
      seen.push(...r.body.data.bookings.edges.map((e: any) => e.node));
      after = r.body.data.bookings.pageInfo.hasNextPage ? r.body.data.bookings.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 100);
    expect(seen.length).toBe(expected);
    expect(new Set(seen.map((b) => b.id)).size).toBe(expected);
    const times = seen.map((b) => Date.parse(b.startsAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(expected).toBeGreaterThan(100);
  });

  it('a platform that fails costs only its part: partial data plus one error per failed connection', async () => {
    // The one-account client's token requests fail; the all-accounts client keeps working.
    const fresh = await gw.tenant('partial');
    const all = creds.clients.find((c: any) => c.permission === 'all');
    await connect(gw.url, fresh.apiKey, 'APPOINTEDD', { clientId: all.client_id, clientSecret: all.client_secret });
    await sandbox(origin, 'faults', { match: '/v2/bookings', status: 503 });
    try {
      const r = await gql(gw.url, fresh.apiKey, '{ organizations { name } bookings(first: 5) { edges { node { id } } } }');
      expect(r.status).toBe(200);
      expect(r.body.data.organizations.length).toBe(2);
      expect(r.body.data.bookings.edges).toEqual([]);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors?.[0]).toMatchObject({ path: ['bookings'], extensions: { code: 'PROVIDER_UNAVAILABLE', provider: 'APPOINTEDD' } });
      expect(JSON.stringify(r.body)).not.toMatch(/stack|Bearer/);
    } finally {
      await sandbox(origin, 'faults', undefined, 'DELETE');
    }
  });

  it('reuses one client-credentials token for many queries, and renews it after expiry on the platform clock', async () => {
    const t = await gw.tenant('token-reuse');
    const all = creds.clients.find((c: any) => c.permission === 'all');
    await sandbox(origin, 'stats/reset');
    await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: all.client_id, clientSecret: all.client_secret });
    for (let i = 0; i < 10; i++) {
      const r = await gql(gw.url, t.apiKey, '{ bookings(first: 3) { edges { node { id customer { email } } } } }');
      expect(r.body.errors).toBeUndefined();
    }
    expect((await sandbox(origin, 'stats')).token.client_credentials).toBe(1);
    await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
    const after = await gql(gw.url, t.apiKey, '{ bookings(first: 3) { edges { node { id } } } }');
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.bookings.edges.length).toBe(3);
    const stats = await sandbox(origin, 'stats');
    expect(stats.token.client_credentials).toBe(2);
    expect(stats.unauthorized).toBe(1);
  });

  it('200 concurrent queries at the moment of expiry share exactly one new grant', async () => {
    const t = await gw.tenant('stampede');
    const all = creds.clients.find((c: any) => c.permission === 'all');
    await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: all.client_id, clientSecret: all.client_secret });
    await sandbox(origin, 'clock', { advanceSeconds: 3_700 });
    await sandbox(origin, 'stats/reset');
    const results = await Promise.all(Array.from({ length: 200 }, () => gql(gw.url, t.apiKey, '{ organizations { name } }')));
    expect(results.filter((r) => r.body.errors || r.body.data.organizations.length !== 2)).toEqual([]);
    const stats = await sandbox(origin, 'stats');
    expect(stats.token.client_credentials).toBe(1);
  });

  it('fetches 50 bookings with customers and services in a few batched calls, not one per booking', async () => {
    const t = await gw.tenant('batching');
    const all = creds.clients.find((c: any) => c.permission === 'all');
    await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: all.client_id, clientSecret: all.client_secret });
    await sandbox(origin, 'stats/reset');
    const r = await gql(gw.url, t.apiKey, '{ bookings(first: 50) { edges { node { id customer { firstName } service { name } organization { name } } } } }');
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data.bookings.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(50);
    expect(nodes.every((n: any) => n.customer?.firstName && n.service?.name && n.organization?.name)).toBe(true);
    const { api } = await sandbox(origin, 'stats');
    // bookings listing (1 page of 100), customers listing (1 page), services listing (1 page), accounts (1)
    expect(api).toBeLessThanOrEqual(6);
  });

  it('resolves node(id:) for its own tenant and null for another tenant', async () => {
    const r = await gql(gw.url, tenant.apiKey, '{ bookings(first: 1) { edges { node { id nativeId } } } }');
    const { id, nativeId } = r.body.data.bookings.edges[0].node;
    const mine = await gql(gw.url, tenant.apiKey, 'query($id: ID!) { node(id: $id) { id ... on Booking { nativeId status } } }', { id });
    expect(mine.body.data.node).toMatchObject({ id, nativeId });
    const other = await gw.tenant('intruder');
    const theirs = await gql(gw.url, other.apiKey, 'query($id: ID!) { node(id: $id) { id } }', { id });
    expect(theirs.body).toEqual({ data: { node: null } });
    const cancel = await gql(gw.url, other.apiKey, 'mutation($id: ID!) { cancelBooking(id: $id) { id } }', { id });
    expect(cancel.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gql(gw.url, other.apiKey, '{ connections { id } bookings { edges { cursor } } }')).body.data).toEqual({
      connections: [],
      bookings: { edges: [] },
    });
  });

  it('creates a customer and a booking, honours idempotencyKey, rejects a taken slot, cancels', async () => {
    const orgs = await gql(gw.url, tenant.apiKey, '{ organizations { id name services(first: 5) { edges { node { id name durationMinutes } } } } }');
    const glasgow = orgs.body.data.organizations.find((o: any) => o.name === 'Glasgow Physio Clinic');
    const c = await gql(
      gw.url,
      tenant.apiKey,
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id firstName lastName email organization { name } } }',
      { input: { organizationId: glasgow.id, firstName: 'Ada', lastName: 'Ngờ', email: `ada.${Date.now()}@example.com` } },
    );
    expect(c.body.errors).toBeUndefined();
    expect(c.body.data.createCustomer).toMatchObject({ firstName: 'Ada', lastName: 'Ngờ', organization: { name: 'Glasgow Physio Clinic' } });
    const service = glasgow.services.edges.map((e: any) => e.node).find((s: any) => s.durationMinutes);
    const from = new Date(Date.now() + 3 * 86_400_000);
    const slots = await gql(
      gw.url,
      tenant.apiKey,
      'query($s: ID!, $f: DateTime!, $t: DateTime!) { availability(serviceId: $s, from: $f, to: $t) { startsAt endsAt available service { id } } }',
      {
        s: service.id,
        f: from.toISOString(),
        t: new Date(from.getTime() + 7 * 86_400_000).toISOString(),
      },
    );
    expect(slots.body.errors).toBeUndefined();
    const slot = slots.body.data.availability[0];
    expect(slot.service.id).toBe(service.id);
    const before = (await sandbox(origin, 'stats')).api;
    const book = (key: string | null) =>
      gql(
        gw.url,
        tenant.apiKey,
        'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id status startsAt customer { id } service { id } } }',
        {
          input: { serviceId: service.id, customerId: c.body.data.createCustomer.id, startsAt: slot.startsAt, idempotencyKey: key },
        },
      );
    const key = `idem-${Date.now()}`;
    const [first, second] = [await book(key), await book(key)];
    expect(first.body.errors).toBeUndefined();
    expect(second.body.data.createBooking.id).toBe(first.body.data.createBooking.id);
    expect(first.body.data.createBooking).toMatchObject({ status: 'CONFIRMED', startsAt: slot.startsAt, customer: { id: c.body.data.createCustomer.id } });
    expect((await sandbox(origin, 'stats')).api - before).toBeLessThan(10);
    const taken = await book(null);
    expect(taken.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', provider: 'APPOINTEDD' });
    const reused = await gql(gw.url, tenant.apiKey, 'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id } }', {
      input: {
        serviceId: service.id,
        customerId: c.body.data.createCustomer.id,
        startsAt: new Date(Date.parse(slot.startsAt) + 86_400_000).toISOString(),
        idempotencyKey: key,
      },
    });
    expect(reused.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const cancel = await gql(gw.url, tenant.apiKey, 'mutation($id: ID!) { cancelBooking(id: $id, reason: "test") { id status } }', {
      id: first.body.data.createBooking.id,
    });
    expect(cancel.body.data.cancelBooking.status).toBe('CANCELED');
    const again = await gql(gw.url, tenant.apiKey, 'mutation($id: ID!) { cancelBooking(id: $id) { id status } }', { id: first.body.data.createBooking.id });
    expect(again.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad credentials at connectProvider and stores nothing', async () => {
    const t = await gw.tenant('bad-creds');
    const wrong = await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: creds.client_id, clientSecret: 'not-the-secret' });
    expect(wrong.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrong.body.errors?.[0].message).toMatch(/invalid_client/);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-secret');
    const malformed = await connect(gw.url, t.apiKey, 'APPOINTEDD', { clientId: 42 });
    expect(malformed.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gql(gw.url, t.apiKey, '{ connections { id } }')).body.data.connections).toEqual([]);
  });
});
