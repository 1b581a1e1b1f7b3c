import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/**
 * The read path's economy and its limits, asserted as counts at the emulators (never as times):
 * identical reads share one platform call, writes through the gateway drop what they make stale,
 * a burst at token expiry costs one renewal per grant and no errors, and beyond its in-flight limit
 * the gateway refuses at once with 503 + Retry-After.
 */
const apiCalls = async (origin: string) => (await sandbox(origin, 'stats')).api as number;
const SLUGS = ['dayschedule', 'bookingtime', 'yappointment', 'appointedd', 'onsched'] as const;

describe('with the response cache (the default outside tests)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { RESPONSE_CACHE: 'on' } });
  });
  afterAll(() => gw.close());

  it('answers 20 identical concurrent reads with one platform call, and repeats from the cache', async () => {
    const origin = gw.emulators.appointedd as string;
    const query = '{ bookings(first: 7, filter: { providers: [APPOINTEDD] }) { edges { node { id startsAt } } } }';
    const before = await apiCalls(origin);
    const answers = await Promise.all(Array.from({ length: 20 }, () => gql(gw.url, gw.demoKey, query)));
    expect(answers.map((a) => a.body.errors ?? null).filter(Boolean)).toEqual([]);
    const ids = answers.map((a) => JSON.stringify(a.body.data.bookings.edges.map((e: any) => e.node.id)));
    expect(new Set(ids).size).toBe(1);
    const first = (await apiCalls(origin)) - before;
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(2);
    for (let i = 0; i < 5; i++) expect((await gql(gw.url, gw.demoKey, query)).body.errors).toBeUndefined();
    expect((await apiCalls(origin)) - before).toBe(first);
  });

  it('a booking created through the gateway shows in the next read, although the read was cached', async () => {
    const origin = gw.emulators.appointedd as string;
    const orgs = await gql(
      gw.url,
      gw.demoKey,
      '{ organizations(providers: [APPOINTEDD]) { id name services(first: 5) { edges { node { id durationMinutes } } } } }',
    );
    const org = orgs.body.data.organizations.find((o: any) => o.services.edges.some((e: any) => e.node.durationMinutes));
    const service = org.services.edges.map((e: any) => e.node).find((s: any) => s.durationMinutes);
    const customer = await gql(gw.url, gw.demoKey, 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }', {
      input: { organizationId: org.id, firstName: 'Cache', lastName: 'Probe', email: `cache.${Date.now()}@example.com` },
    });
    expect(customer.body.errors).toBeUndefined();
    const from = new Date(Date.now() + 5 * 86_400_000);
    const slots = await gql(gw.url, gw.demoKey, 'query($s: ID!, $f: DateTime!, $t: DateTime!) { availability(serviceId: $s, from: $f, to: $t) { startsAt } }', {
      s: service.id,
      f: from.toISOString(),
      t: new Date(from.getTime() + 7 * 86_400_000).toISOString(),
    });
    const slot = slots.body.data.availability[0];
    const window = { providers: ['APPOINTEDD'], startsAfter: slot.startsAt, startsBefore: new Date(Date.parse(slot.startsAt) + 60_000).toISOString() };
    const read = () => gql(gw.url, gw.demoKey, 'query($f: BookingFilter) { bookings(first: 50, filter: $f) { edges { node { id } } } }', { f: window });

    const cachedBefore = (await read()).body.data.bookings.edges.map((e: any) => e.node.id);
    const calls = await apiCalls(origin);
    expect((await read()).body.data.bookings.edges.map((e: any) => e.node.id)).toEqual(cachedBefore);
    expect(await apiCalls(origin)).toBe(calls); // served from the cache

    const made = await gql(gw.url, gw.demoKey, 'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id } }', {
      input: { serviceId: service.id, customerId: customer.body.data.createCustomer.id, startsAt: slot.startsAt },
    });
    expect(made.body.errors).toBeUndefined();
    const after = (await read()).body.data.bookings.edges.map((e: any) => e.node.id);
    expect(after).toContain(made.body.data.createBooking.id);

    const canceled = await gql(gw.url, gw.demoKey, 'mutation($id: ID!) { cancelBooking(id: $id) { status } }', { id: made.body.data.createBooking.id });
    expect(canceled.body.data.cancelBooking.status).toBe('CANCELED');
    const status = await gql(gw.url, gw.demoKey, 'query($f: BookingFilter) { bookings(first: 50, filter: $f) { edges { node { id status } } } }', {
      f: window,
    });
    expect(status.body.data.bookings.edges.find((e: any) => e.node.id === made.body.data.createBooking.id).node.status).toBe('CANCELED');
  });
});

describe('reading through (every read reaches the platform)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  it('200 concurrent merged queries right after every token expired: no error, one renewal per grant', async () => {
    const warm = await gql(gw.url, gw.demoKey, '{ bookings(first: 20) { edges { node { id provider } } } }');
    expect(warm.body.errors).toBeUndefined();
    const before = Object.fromEntries(await Promise.all(SLUGS.map(async (s) => [s, (await sandbox(gw.emulators[s] as string, 'stats')).token] as const)));
    await Promise.all(SLUGS.map((s) => sandbox(gw.emulators[s] as string, 'clock', { advanceSeconds: 3_700 })));

    const answers = await Promise.all(Array.from({ length: 200 }, () => gql(gw.url, gw.demoKey, '{ bookings(first: 20) { edges { node { id provider } } } }')));
    const errors = answers.flatMap((a) => a.body.errors ?? []).map((e) => `${e.extensions?.provider}:${e.extensions?.code}:${e.message}`);
    expect(errors).toEqual([]);
    expect(answers.every((a) => a.status === 200 && a.body.data.bookings.edges.length === 20)).toBe(true);

    const grants = Object.fromEntries(
      await Promise.all(
        SLUGS.map(async (s) => {
          const now = (await sandbox(gw.emulators[s] as string, 'stats')).token as Record<string, number>;
          const delta = Object.entries(now).reduce((sum, [grant, n]) => sum + n - ((before[s] as Record<string, number>)[grant] ?? 0), 0);
          return [s, delta] as const;
        }),
      ),
    );
    // At most one renewal per grant: every platform renews its one token; bookingtime at most the
    // access tokens of its two demo organizations and its organization-less one (fewer when the page
    // came from months it still had cached).
    expect(grants).toMatchObject({ dayschedule: 1, yappointment: 1, appointedd: 1, onsched: 1 });
    expect(grants.bookingtime).toBeLessThanOrEqual(3);
  });
});

describe('admission control', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { MAX_IN_FLIGHT: '3' } });
  });
  afterAll(async () => {
    await sandbox(gw.emulators.appointedd as string, 'faults', undefined, 'DELETE');
    await gw.close();
  });

  it('beyond MAX_IN_FLIGHT requests in flight, answers 503 with Retry-After and code OVERLOADED at once', async () => {
    const origin = gw.emulators.appointedd as string;
    await sandbox(origin, 'faults', { match: '/v2/bookings', latencyMs: 1_500 });
    const slow = Array.from({ length: 3 }, () =>
      gql(gw.url, gw.demoKey, '{ bookings(first: 3, filter: { providers: [APPOINTEDD] }) { edges { node { id } } } }'),
    );
    await new Promise((r) => setTimeout(r, 300));
    const refused = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${gw.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.demoKey}` },
          body: JSON.stringify({ query: '{ connections { id } }' }),
        }),
      ),
    );
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(((await r.json()) as any).errors[0].extensions.code).toBe('OVERLOADED');
    }
    const done = await Promise.all(slow);
    expect(done.every((d) => d.status === 200 && !d.body.errors)).toBe(true);
    await sandbox(origin, 'faults', undefined, 'DELETE');
    // Once they finished, requests are served again.
    expect((await gql(gw.url, gw.demoKey, '{ connections { id } }')).status).toBe(200);
  });
});
