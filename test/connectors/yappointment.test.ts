import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import {
  allBookings,
  BOOKINGS,
  CLINIC,
  CONNECTIONS,
  connectionOf,
  connectYAppointment,
  emulatorBookings,
  SALON,
  stats,
  storedTokens,
  WRITE_SCOPES,
} from './yappointment-helpers.js';

/**
 * The yAppointment connector through the gateway, like a client: GraphQL over HTTP to a real
 * gateway, real HTTP from the gateway to the in-process emulator; the emulator's control API for
 * stats and faults. Each tenant connects through the consent page (HTTP, no browser).
 */

let gw: TestGateway;
let origin: string;
let apiKey: string;
let connectionId: string;
const YA = { providers: ['YAPPOINTMENT'] };

beforeAll(async () => {
  gw = await startTestGateway();
  origin = gw.emulators.yappointment as string;
  apiKey = (await gw.tenant('ya-reads')).apiKey;
  // Writes need a connection that asked to write; the emulator also wants customers:write for
  // createCustomer, which the gateway never asks for (not in the platform's document): the person
  // grants it here on the consent page.
  connectionId = await connectYAppointment(gw, apiKey, { write: true, addScopes: ['customers:write'] });
});
afterAll(() => gw?.close());
beforeEach(async () => {
  await sandbox(origin, 'faults', undefined, 'DELETE');
});

describe('connecting through the consent page', () => {
  it('exchanges the code with the PKCE verifier, asks /me for the company and stores the rotating token set', async () => {
    const c = await connectionOf(gw, apiKey, connectionId);
    expect(c).toMatchObject({ status: 'ACTIVE', statusReason: null, label: 'Test Salon' });
    expect(c.organizations).toEqual([{ nativeId: SALON, name: 'Test Salon', timezone: 'America/New_York' }]);
    const expiresIn = Date.parse(c.accessTokenExpiresAt as string) - Date.parse(c.lastRefreshedAt as string);
    expect(expiresIn).toBe(3_600_000);
    const set = await storedTokens(gw, connectionId);
    expect(set?.accessToken).toMatch(/^yapp_at_/);
    expect(set?.refreshToken).toMatch(/^yapp_rt_/);
    expect(set?.meta?.scopes).toEqual(WRITE_SCOPES);
  });

  it('binds a connection to the company chosen on the consent page', async () => {
    const other = (await gw.tenant('ya-clinic')).apiKey;
    const id = await connectYAppointment(gw, other, { account: CLINIC });
    const c = await connectionOf(gw, other, id);
    expect(c.label).toBe('Test Clinic');
    const r = await gql(gw.url, other, BOOKINGS, { first: 100, filter: YA });
    expect(r.body.errors).toBeUndefined();
    const native = await emulatorBookings(origin, CLINIC);
    expect(r.body.data.bookings.edges.map((e: any) => e.node.nativeId)).toEqual(native.map((b) => b.id));
    expect(new Set(r.body.data.bookings.edges.map((e: any) => e.node.organization.name))).toEqual(new Set(['Test Clinic']));
  });
});

describe('reading', () => {
  it('pages through every booking in (startsAt, id) order, exactly the platform list, with every status mapped', async () => {
    const native = await emulatorBookings(origin, SALON);
    expect(native.length).toBeGreaterThanOrEqual(40);
    for (const first of [7, 50]) {
      const got = await allBookings(gw, apiKey, YA, first);
      expect(got.map((b) => b.nativeId)).toEqual(native.map((b) => b.id));
    }
    const got = await allBookings(gw, apiKey, YA, 100);
    const expected: Record<string, string> = { confirmed: 'CONFIRMED', pending: 'PENDING', cancelled: 'CANCELED', completed: 'COMPLETED', no_show: 'NO_SHOW' };
    for (const b of got) {
      expect(b.status).toBe(expected[b.raw.status]);
      expect(b.startsAt).toBe(new Date(b.raw.start).toISOString());
      expect(b.organization).toEqual({ nativeId: SALON, name: 'Test Salon', timezone: 'America/New_York' });
      expect(b.service.nativeId).toBe(b.raw.serviceId);
      expect(b.customer.nativeId).toBe(b.raw.customerId);
      expect(b.customer.email).toBe(b.raw.customerEmail);
    }
    expect(new Set(got.map((b) => b.status))).toEqual(new Set(Object.values(expected)));
  });

  it('passes status and time filters to the platform (from inclusive, to exclusive)', async () => {
    const all = await emulatorBookings(origin, SALON);
    const from = all[10].start;
    const to = all[30].start;
    const window = await allBookings(gw, apiKey, { ...YA, startsAfter: from, startsBefore: to }, 8);
    expect(window.map((b) => b.nativeId)).toEqual(all.filter((b) => b.start >= from && b.start < to).map((b) => b.id));
    const cancelled = await allBookings(gw, apiKey, { ...YA, status: ['CANCELED', 'NO_SHOW'] }, 5);
    expect(cancelled.map((b) => b.nativeId)).toEqual(all.filter((b) => b.status === 'cancelled' || b.status === 'no_show').map((b) => b.id));
  });

  it("lists a customer's bookings through the customerId filter", async () => {
    const all = await emulatorBookings(origin, SALON);
    const customerId = all[0].customerId;
    const list = await gql(gw.url, apiKey, '{ customers(first: 100, providers: [YAPPOINTMENT]) { edges { node { id nativeId } } } }');
    const node = list.body.data.customers.edges.find((e: any) => e.node.nativeId === customerId).node;
    const r = await gql(
      gw.url,
      apiKey,
      'query($id: ID!) { node(id: $id) { ... on Customer { email bookings(first: 100) { edges { node { nativeId } } } } } }',
      { id: node.id },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.node.bookings.edges.map((e: any) => e.node.nativeId)).toEqual(all.filter((b) => b.customerId === customerId).map((b) => b.id));
  });

  it('pages services and customers, and searches customers by name or email', async () => {
    const page1 = await gql(
      gw.url,
      apiKey,
      '{ services(first: 3, providers: [YAPPOINTMENT]) { edges { node { nativeId name durationMinutes price { amount currency } } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(page1.body.errors).toBeUndefined();
    expect(page1.body.data.services.edges).toHaveLength(3);
    expect(page1.body.data.services.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql(
      gw.url,
      apiKey,
      'query($after: String) { services(first: 10, after: $after, providers: [YAPPOINTMENT]) { edges { node { nativeId name } } pageInfo { hasNextPage } } }',
      {
        after: page1.body.data.services.pageInfo.endCursor,
      },
    );
    const names = [...page1.body.data.services.edges, ...page2.body.data.services.edges].map((e: any) => e.node.name);
    expect(names).toContain('Hair Consultation');
    expect(names).toHaveLength(5);
    expect(page1.body.data.services.edges.find((e: any) => e.node.name === 'Hair Consultation').node).toMatchObject({
      durationMinutes: 60,
      price: { amount: 45, currency: 'USD' },
    });

    const all = await gql(gw.url, apiKey, '{ customers(first: 100, providers: [YAPPOINTMENT]) { edges { node { firstName lastName email } } } }');
    expect(all.body.data.customers.edges.length).toBeGreaterThanOrEqual(10);
    const someone = all.body.data.customers.edges[3].node;
    const byName = await gql(gw.url, apiKey, 'query($s: String) { customers(first: 10, providers: [YAPPOINTMENT], search: $s) { edges { node { email } } } }', {
      s: someone.lastName.toUpperCase(),
    });
    expect(byName.body.data.customers.edges.map((e: any) => e.node.email)).toContain(someone.email);
    const byEmail = await gql(
      gw.url,
      apiKey,
      'query($s: String) { customers(first: 10, providers: [YAPPOINTMENT], search: $s) { edges { node { email } } } }',
      { s: someone.email },
    );
    expect(byEmail.body.data.customers.edges.map((e: any) => e.node.email)).toEqual([someone.email]);
  });

  it('resolves 50 bookings with their customers and services in a handful of platform calls (cached listings)', async () => {
    const before = await stats(origin);
    const r = await gql(gw.url, apiKey, BOOKINGS, { first: 40, filter: YA });
    expect(r.body.errors).toBeUndefined();
    const after = await stats(origin);
    // bookings list (1 page) + at most one customers listing + one services listing, however many bookings.
    expect(after.api - before.api).toBeLessThanOrEqual(3);
  });

  it('answers availability from /slots in 31-day windows', async () => {
    const services = await gql(gw.url, apiKey, '{ services(first: 10, providers: [YAPPOINTMENT]) { edges { node { id name } } } }');
    const beard = services.body.data.services.edges.find((e: any) => e.node.name === 'Beard Trim').node;
    const from = new Date(Date.now() + 2 * 86_400_000);
    const to = new Date(from.getTime() + 40 * 86_400_000);
    const before = await stats(origin);
    const r = await gql(
      gw.url,
      apiKey,
      'query($id: ID!, $from: DateTime!, $to: DateTime!) { availability(serviceId: $id, from: $from, to: $to) { startsAt endsAt available } }',
      {
        id: beard.id,
        from: from.toISOString(),
        to: to.toISOString(),
      },
    );
    expect(r.body.errors).toBeUndefined();
    expect((await stats(origin)).api - before.api).toBe(2);
    const slots = r.body.data.availability;
    expect(slots.length).toBeGreaterThan(100);
    expect(Date.parse(slots.at(-1).startsAt)).toBeGreaterThan(from.getTime() + 31 * 86_400_000);
    for (const s of slots) {
      expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBe(30 * 60_000);
      expect(s.available).toBeGreaterThanOrEqual(1);
    }
    const starts = slots.map((s: any) => s.startsAt);
    expect(new Set(starts).size).toBe(starts.length);
  });
});

describe('writing', () => {
  async function beardTrim() {
    const services = await gql(gw.url, apiKey, '{ services(first: 10, providers: [YAPPOINTMENT]) { edges { node { id name } } } }');
    return services.body.data.services.edges.find((e: any) => e.node.name === 'Beard Trim').node.id as string;
  }

  it('creates a customer; a duplicate email or a missing one is BAD_USER_INPUT with the reason', async () => {
    const orgs = await gql(gw.url, apiKey, '{ organizations(providers: [YAPPOINTMENT]) { id } }');
    const organizationId = orgs.body.data.organizations[0].id;
    const create =
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id nativeId firstName lastName email phone organization { name } } }';
    const input = { organizationId, firstName: 'Zoë', lastName: 'Müller', email: 'zoe.mueller.ya@example.com', phone: '+12125550199' };
    const r = await gql(gw.url, apiKey, create, { input });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.createCustomer).toMatchObject({
      firstName: 'Zoë',
      lastName: 'Müller',
      email: input.email,
      phone: input.phone,
      organization: { name: 'Test Salon' },
    });
    expect(r.body.data.createCustomer.nativeId).toMatch(/^cust_\d{9}$/);
    const search = await gql(gw.url, apiKey, '{ customers(first: 5, providers: [YAPPOINTMENT], search: "müller") { edges { node { email } } } }');
    expect(search.body.data.customers.edges.map((e: any) => e.node.email)).toContain(input.email);

    const dup = await gql(gw.url, apiKey, create, { input });
    expect(dup.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', provider: 'YAPPOINTMENT' });
    expect(dup.body.errors?.[0].message).toMatch(/DUPLICATE_EMAIL/);
    const noEmail = await gql(gw.url, apiKey, create, { input: { organizationId, firstName: 'No', lastName: 'Email' } });
    expect(noEmail.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(noEmail.body.errors?.[0].message).toMatch(/email/);
  });

  it('books a free slot, refuses a taken or off-grid one (SLOT_UNAVAILABLE → BAD_USER_INPUT), then cancels', async () => {
    const serviceId = await beardTrim();
    const customers = await gql(gw.url, apiKey, '{ customers(first: 1, providers: [YAPPOINTMENT]) { edges { node { id } } } }');
    const customerId = customers.body.data.customers.edges[0].node.id;
    const from = new Date(Date.now() + 3 * 86_400_000);
    const slots = await gql(
      gw.url,
      apiKey,
      'query($id: ID!, $from: DateTime!, $to: DateTime!) { availability(serviceId: $id, from: $from, to: $to) { startsAt available } }',
      {
        id: serviceId,
        from: from.toISOString(),
        to: new Date(from.getTime() + 7 * 86_400_000).toISOString(),
      },
    );
    const slot = slots.body.data.availability[0];
    const book = 'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id nativeId status startsAt service { name } customer { id } raw } }';
    const created = await gql(gw.url, apiKey, book, { input: { serviceId, customerId, startsAt: slot.startsAt } });
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data.createBooking).toMatchObject({
      status: 'CONFIRMED',
      startsAt: slot.startsAt,
      service: { name: 'Beard Trim' },
      customer: { id: customerId },
    });

    const offGrid = await gql(gw.url, apiKey, book, {
      input: { serviceId, customerId, startsAt: new Date(Date.parse(slot.startsAt) + 7 * 60_000).toISOString() },
    });
    expect(offGrid.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', provider: 'YAPPOINTMENT' });
    expect(offGrid.body.errors?.[0].message).toMatch(/SLOT_UNAVAILABLE/);
    // Fill every employee of the slot, then one more.
    let taken: any;
    for (let i = 0; i < 5; i++) {
      taken = await gql(gw.url, apiKey, book, { input: { serviceId, customerId, startsAt: slot.startsAt } });
      if (taken.body.errors) break;
    }
    expect(taken.body.errors?.[0].message).toMatch(/SLOT_UNAVAILABLE: The requested time is not a free slot/);

    const cancel = 'mutation($id: ID!, $reason: String) { cancelBooking(id: $id, reason: $reason) { status raw } }';
    const cancelled = await gql(gw.url, apiKey, cancel, { id: created.body.data.createBooking.id, reason: 'Customer is ill' });
    expect(cancelled.body.errors).toBeUndefined();
    expect(cancelled.body.data.cancelBooking.status).toBe('CANCELED');
    expect(cancelled.body.data.cancelBooking.raw).toMatchObject({ status: 'cancelled', cancellationReason: 'Customer is ill' });
    const again = await gql(gw.url, apiKey, cancel, { id: created.body.data.createBooking.id });
    expect(again.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.body.errors?.[0].message).toMatch(/ALREADY_CANCELLED/);
  });

  it('refuses to cancel a completed booking (422 → BAD_USER_INPUT)', async () => {
    const completed = (await allBookings(gw, apiKey, { ...YA, status: ['COMPLETED'] }, 5))[0];
    const r = await gql(gw.url, apiKey, 'mutation($id: ID!) { cancelBooking(id: $id) { status } }', { id: completed.id });
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0].message).toMatch(/BOOKING_NOT_CANCELLABLE/);
  });
});

describe('platform trouble', () => {
  it('waits out a short 429 Retry-After and answers normally', async () => {
    await sandbox(origin, 'faults', { match: '/api/v1/bookings', status: 429, retryAfterSeconds: 1, count: 1 });
    const before = await stats(origin);
    const r = await gql(gw.url, apiKey, BOOKINGS, { first: 3, filter: YA });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.bookings.edges).toHaveLength(3);
    expect((await stats(origin)).rateLimited - before.rateLimited).toBe(1);
  });

  it('reports a long 429 as PROVIDER_UNAVAILABLE with retryAfterSeconds, the rest of the answer standing', async () => {
    await sandbox(origin, 'faults', { match: '/api/v1/bookings', status: 429, retryAfterSeconds: 90 });
    const r = await gql(gw.url, apiKey, `{ bookings(first: 3, filter: { providers: [YAPPOINTMENT] }) { edges { node { id } } } ${CONNECTIONS.slice(1, -1)} }`);
    expect(r.body.data.bookings.edges).toEqual([]);
    expect(r.body.data.connections.length).toBeGreaterThan(0);
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', provider: 'YAPPOINTMENT', retryAfterSeconds: 90 });
  });

  it('turns a malformed payload into a typed PROVIDER_ERROR', async () => {
    await sandbox(origin, 'faults', { match: '/api/v1/bookings', mode: 'malformed', count: 1 });
    const r = await gql(gw.url, apiKey, BOOKINGS, { first: 3, filter: YA });
    expect(r.body.errors?.[0].extensions).toMatchObject({ code: 'PROVIDER_ERROR', provider: 'YAPPOINTMENT' });
    expect(r.body.errors?.[0].message).toMatch(/unexpected listBookings payload/);
  });
});
