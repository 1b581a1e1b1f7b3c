import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { allBookings, BOOKINGS, demoCredentials, grants, HARBOR_ID, type Json, MAPLE_ID, onschedConnection } from './onsched-helpers.js';

/**
 * The OnSched connector against its emulator, through the gateway's GraphQL API like a client
 * (docs/platforms/onsched.md). The demo tenant is connected by sandbox mode.
 */

let tg: TestGateway;
let onsched: string;
let creds: Json;

const SERVICES = `query($first: Int, $after: String) {
  services(first: $first, after: $after, providers: [ONSCHED]) {
    edges { node { id nativeId name durationMinutes price { amount currency } organization { nativeId } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE_BOOKING = `mutation($input: CreateBookingInput!) {
  createBooking(input: $input) { id nativeId status startsAt endsAt timezone raw organization { nativeId } customer { email } service { name } }
}`;
const AVAILABILITY = `query($serviceId: ID!, $from: DateTime!, $to: DateTime!) {
  availability(serviceId: $serviceId, from: $from, to: $to) { startsAt endsAt available service { id } }
}`;

async function services(): Promise<Json[]> {
  const out: Json[] = [];
  let after: string | null = null;
  for (;;) {
    const r: Json = await gql(tg.url, tg.demoKey, SERVICES, { first: 3, after });
    expect(r.body.errors).toBeUndefined();
    out.push(...r.body.data.services.edges.map((e: Json) => e.node));
    if (!r.body.data.services.pageInfo.hasNextPage) return out;
    after = r.body.data.services.pageInfo.endCursor;
  }
}

async function createCustomer(orgNativeId: string, email: string): Promise<Json> {
  const orgs = await gql(tg.url, tg.demoKey, '{ organizations(providers: [ONSCHED]) { id nativeId } }');
  const org = orgs.body.data.organizations.find((o: Json) => o.nativeId === orgNativeId);
  const r = await gql(
    tg.url,
    tg.demoKey,
    'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id nativeId firstName lastName email phone organization { nativeId } } }',
    {
      input: { organizationId: org.id, firstName: 'Zoë', lastName: 'Müller-Test', email, phone: '6465550199' },
    },
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data.createCustomer;
}

beforeAll(async () => {
  tg = await startTestGateway();
  onsched = tg.emulators.onsched as string;
  creds = await sandbox(onsched, 'credentials');
}, 60_000);
afterAll(async () => {
  await tg?.close();
});

describe('OnSched connector: reads', () => {
  it('connects the demo tenant in sandbox mode, with the JWT expiry', async () => {
    const c = await onschedConnection(tg.url, tg.demoKey);
    expect(c).toMatchObject({ status: 'ACTIVE', label: 'Harbor Physio, Maple Leaf Dental' });
    const left = Date.parse(c.accessTokenExpiresAt) - Date.now();
    expect(left).toBeGreaterThan(3_500_000);
    expect(left).toBeLessThanOrEqual(3_600_000);
  });

  it('lists both companies as organizations with their time zones', async () => {
    const r = await gql(tg.url, tg.demoKey, '{ organizations(providers: [ONSCHED]) { nativeId name timezone } }');
    expect(r.body.data.organizations).toEqual([
      { nativeId: HARBOR_ID, name: 'Harbor Physio', timezone: 'America/New_York' },
      { nativeId: MAPLE_ID, name: 'Maple Leaf Dental', timezone: 'America/Vancouver' },
    ]);
  });

  it('pages services across companies without price (no currency configured)', async () => {
    const all = await services();
    expect(all.map((s) => s.name)).toEqual([
      'Initial Assessment',
      'Follow-up Treatment',
      'Sports Massage',
      'Dry Needling',
      'Dental Cleaning',
      'Check-up',
      'Teeth Whitening',
    ]);
    expect(new Set(all.map((s) => s.id)).size).toBe(7);
    expect(all.every((s) => s.price === null && s.durationMinutes > 0)).toBe(true);
    expect(all.filter((s) => s.organization.nativeId === MAPLE_ID)).toHaveLength(3);
  });

  it('pages customers and searches by e-mail', async () => {
    const r = await gql(tg.url, tg.demoKey, '{ customers(first: 100, providers: [ONSCHED]) { edges { node { email organization { nativeId } } } } }');
    const nodes = r.body.data.customers.edges.map((e: Json) => e.node);
    expect(nodes.filter((n: Json) => n.organization.nativeId === HARBOR_ID).length).toBeGreaterThanOrEqual(10);
    expect(nodes.filter((n: Json) => n.organization.nativeId === MAPLE_ID).length).toBeGreaterThanOrEqual(10);
    const one = await gql(
      tg.url,
      tg.demoKey,
      '{ customers(first: 5, providers: [ONSCHED], search: "jose.nunez@example.com") { edges { node { firstName lastName phone } } } }',
    );
    expect(one.body.data.customers.edges.map((e: Json) => e.node)).toEqual([
      { firstName: 'José', lastName: 'Núñez', phone: expect.stringMatching(/^\d{10}$/) },
    ]);
  });

  it('lists bookings in (startsAt, id) order, identical with small and large pages, holds left out', async () => {
    const big = await allBookings(tg.url, tg.demoKey, 100);
    const small = await allBookings(tg.url, tg.demoKey, 7);
    expect(small.map((b) => b.id)).toEqual(big.map((b) => b.id));
    for (let i = 1; i < big.length; i++) expect(Date.parse(big[i].startsAt)).toBeGreaterThanOrEqual(Date.parse(big[i - 1].startsAt));
    expect(new Set(big.map((b) => b.status))).toEqual(new Set(['CONFIRMED', 'COMPLETED', 'PENDING', 'CANCELED', 'NO_SHOW']));
    expect(big.some((b) => ['IN', 'RE', 'HD'].includes(b.raw.status))).toBe(false);
    for (const b of big) {
      expect(b.startsAt).toMatch(/Z$/);
      expect(Date.parse(b.startsAt)).toBe(Date.parse(b.raw.startDateTime));
      expect(b.timezone).toBe(b.raw.timezoneIana);
      if (b.status === 'COMPLETED') expect(Date.parse(b.endsAt)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('filters by time exactly in UTC and by status', async () => {
    const all = await allBookings(tg.url, tg.demoKey, 100);
    const mid = all[Math.floor(all.length / 2)];
    const from = new Date(Date.parse(mid.startsAt) - 3 * 86_400_000).toISOString();
    const to = mid.startsAt;
    const expected = all.filter((b) => b.startsAt >= from && b.startsAt < to).map((b) => b.id);
    const got = await allBookings(tg.url, tg.demoKey, 4, { startsAfter: from, startsBefore: to });
    expect(got.map((b) => b.id)).toEqual(expected);
    expect(got.length).toBeGreaterThan(0);
    const canceled = await allBookings(tg.url, tg.demoKey, 100, { status: ['CANCELED'] });
    expect(canceled.map((b) => b.id)).toEqual(all.filter((b) => b.status === 'CANCELED').map((b) => b.id));
    const done = await allBookings(tg.url, tg.demoKey, 100, { status: ['COMPLETED', 'NO_SHOW'] });
    expect(done.map((b) => b.id)).toEqual(all.filter((b) => b.status === 'COMPLETED' || b.status === 'NO_SHOW').map((b) => b.id));
  });

  it('resolves a booking by id with its service and customer', async () => {
    const b = (await gql(tg.url, tg.demoKey, BOOKINGS, { first: 1, filter: { providers: ['ONSCHED'] } })).body.data.bookings.edges[0].node;
    const r = await gql(
      tg.url,
      tg.demoKey,
      'query($id: ID!) { node(id: $id) { ... on Booking { nativeId status service { name } customer { email } organization { name } } } }',
      {
        id: b.id,
      },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.node).toMatchObject({ nativeId: b.nativeId, service: { name: b.raw.serviceName }, customer: { email: b.raw.email } });
  });

  it('keeps company keys apart: each company’s bookings under its organization, the foreign key never sent', async () => {
    const all = await allBookings(tg.url, tg.demoKey, 100);
    const locations = new Map<string, string>();
    for (const c of creds.companies as Json[]) for (const l of c.location_ids) locations.set(l, c.id);
    const harbor = all.filter((b) => b.organization.nativeId === HARBOR_ID);
    const maple = all.filter((b) => b.organization.nativeId === MAPLE_ID);
    expect(harbor.length).toBeGreaterThanOrEqual(30);
    expect(maple.length).toBeGreaterThanOrEqual(8);
    expect(harbor.length + maple.length).toBe(all.length);
    for (const b of all) expect(locations.get(b.raw.locationId)).toBe(b.organization.nativeId);
    expect(harbor.every((b) => b.organization.name === 'Harbor Physio')).toBe(true);
    expect(maple.every((b) => b.organization.name === 'Maple Leaf Dental')).toBe(true);
    const stats = await sandbox(onsched, 'stats');
    expect(stats.forbidden).toBe(0);
    console.log(`[onsched] isolation: Harbor ${harbor.length} bookings, Maple ${maple.length} bookings, emulator forbidden=${stats.forbidden}`);
  });
});

describe('OnSched connector: availability and writes', () => {
  let harborServices: Json[];
  beforeAll(async () => {
    harborServices = (await services()).filter((s) => s.organization.nativeId === HARBOR_ID);
  });
  const service = (name: string) => harborServices.find((s) => s.name === name) as Json;

  it('answers availability over more than 31 days in UTC slots inside the range', async () => {
    const from = new Date(Date.now() + 86_400_000);
    const to = new Date(from.getTime() + 40 * 86_400_000);
    const r = await gql(tg.url, tg.demoKey, AVAILABILITY, { serviceId: service('Sports Massage').id, from: from.toISOString(), to: to.toISOString() });
    expect(r.body.errors).toBeUndefined();
    const slots: Json[] = r.body.data.availability;
    expect(slots.length).toBeGreaterThan(20);
    expect(slots.every((s) => s.startsAt >= from.toISOString() && s.startsAt < to.toISOString())).toBe(true);
    expect(slots.every((s) => Date.parse(s.endsAt) - Date.parse(s.startsAt) === 30 * 60_000)).toBe(true);
    expect(slots.some((s) => s.startsAt > new Date(from.getTime() + 32 * 86_400_000).toISOString())).toBe(true);
    for (let i = 1; i < slots.length; i++) expect(slots[i].startsAt > slots[i - 1].startsAt).toBe(true);
  });

  it('creates a customer (type 0 person); a duplicate e-mail or none is BAD_USER_INPUT', async () => {
    const c = await createCustomer(HARBOR_ID, 'zoe.test1@example.com');
    expect(c).toMatchObject({
      firstName: 'Zoë',
      lastName: 'Müller-Test',
      email: 'zoe.test1@example.com',
      phone: '6465550199',
      organization: { nativeId: HARBOR_ID },
    });
    const organizationId = (await gql(tg.url, tg.demoKey, '{ organizations(providers: [ONSCHED]) { id } }')).body.data.organizations[0].id;
    const create = 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }';
    const again = await gql(tg.url, tg.demoKey, create, { input: { organizationId, firstName: 'A', lastName: 'B', email: 'zoe.test1@example.com' } });
    expect(again.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.body.errors?.[0].message).toMatch(/already exists/);
    const noEmail = await gql(tg.url, tg.demoKey, create, { input: { organizationId, firstName: 'A', lastName: 'B' } });
    expect(noEmail.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(noEmail.body.errors?.[0].message).toMatch(/requires an email/);
  });

  it('books a free slot once per idempotency key, visible in the emulator’s data', async () => {
    const customer = await createCustomer(HARBOR_ID, 'zoe.idem@example.com');
    const svc = service('Initial Assessment');
    const from = new Date(Date.now() + 3 * 86_400_000);
    const slots = (
      await gql(tg.url, tg.demoKey, AVAILABILITY, { serviceId: svc.id, from: from.toISOString(), to: new Date(from.getTime() + 7 * 86_400_000).toISOString() })
    ).body.data.availability as Json[];
    const slot = slots[0];
    const input = { serviceId: svc.id, customerId: customer.id, startsAt: slot.startsAt, idempotencyKey: 'onsched-idem-1' };
    const apiBefore = (await sandbox(onsched, 'stats')).api;
    const first = await gql(tg.url, tg.demoKey, CREATE_BOOKING, { input });
    expect(first.body.errors).toBeUndefined();
    const b = first.body.data.createBooking;
    expect(b).toMatchObject({
      status: 'CONFIRMED',
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      customer: { email: 'zoe.idem@example.com' },
      service: { name: 'Initial Assessment' },
    });
    expect(b.raw).toMatchObject({ status: 'BK', customerId: customer.nativeId, serviceId: svc.nativeId });
    const second = await gql(tg.url, tg.demoKey, CREATE_BOOKING, { input });
    expect(second.body.data.createBooking.id).toBe(b.id);
    // The emulator holds exactly one appointment of that customer at that time.
    const window = { startsAfter: slot.startsAt, startsBefore: new Date(Date.parse(slot.startsAt) + 60_000).toISOString() };
    const there = (await allBookings(tg.url, tg.demoKey, 50, window)).filter((x) => x.raw.customerId === customer.nativeId);
    expect(there.map((x) => x.nativeId)).toEqual([b.nativeId]);
    const custBookings = await gql(
      tg.url,
      tg.demoKey,
      'query($id: ID!) { node(id: $id) { ... on Customer { bookings(first: 10) { edges { node { id } } } } } }',
      { id: customer.id },
    );
    expect(custBookings.body.data.node.bookings.edges.map((e: Json) => e.node.id)).toEqual([b.id]);
    const apiCalls = (await sandbox(onsched, 'stats')).api - apiBefore;
    console.log(`[onsched] idempotent createBooking: same id twice, 1 appointment at the slot, ${apiCalls} emulator API calls in total`);
  });

  it('turns a taken slot (409) into BAD_USER_INPUT with the platform’s reason, and books the next free resource', async () => {
    const massage = service('Sports Massage');
    const customer = await createCustomer(HARBOR_ID, 'zoe.race@example.com');
    const from = new Date(Date.now() + 5 * 86_400_000);
    const slots = (
      await gql(tg.url, tg.demoKey, AVAILABILITY, {
        serviceId: massage.id,
        from: from.toISOString(),
        to: new Date(from.getTime() + 7 * 86_400_000).toISOString(),
      })
    ).body.data.availability as Json[];
    const slot = slots.find((s) => s.available === 2) as Json;
    expect(slot).toBeDefined();
    const input = { serviceId: massage.id, customerId: customer.id, startsAt: slot.startsAt };
    // Both requests read availability before either books: both pick the same first resource.
    await sandbox(onsched, 'faults', { match: '/consumer/v1/availability', latencyMs: 400, count: 2 });
    const race = await Promise.all([gql(tg.url, tg.demoKey, CREATE_BOOKING, { input }), gql(tg.url, tg.demoKey, CREATE_BOOKING, { input })]);
    await sandbox(onsched, 'faults', undefined, 'DELETE');
    const ok = race.filter((r) => !r.body.errors);
    const failed = race.filter((r) => r.body.errors);
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0].body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(failed[0].body.errors?.[0].message).toMatch(/The requested time is not available for this resource/);
    const third = await gql(tg.url, tg.demoKey, CREATE_BOOKING, { input });
    expect(third.body.errors).toBeUndefined();
    expect(third.body.data.createBooking.raw.resourceId).not.toBe(ok[0].body.data?.createBooking.raw.resourceId);
    const fourth = await gql(tg.url, tg.demoKey, CREATE_BOOKING, { input });
    expect(fourth.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(fourth.body.errors?.[0].message).toMatch(/no free resource/);
  });

  it('cancels a booking, and a second cancel is BAD_USER_INPUT with the platform’s reason', async () => {
    const customer = await createCustomer(MAPLE_ID, 'zoe.cancel@example.com');
    const mapleServices = (await services()).filter((s) => s.organization.nativeId === MAPLE_ID);
    const svc = mapleServices.find((s) => s.name === 'Check-up') as Json;
    const from = new Date(Date.now() + 4 * 86_400_000);
    const slot = (
      await gql(tg.url, tg.demoKey, AVAILABILITY, { serviceId: svc.id, from: from.toISOString(), to: new Date(from.getTime() + 5 * 86_400_000).toISOString() })
    ).body.data.availability[0];
    const created = await gql(tg.url, tg.demoKey, CREATE_BOOKING, { input: { serviceId: svc.id, customerId: customer.id, startsAt: slot.startsAt } });
    expect(created.body.data.createBooking).toMatchObject({ status: 'CONFIRMED', timezone: 'America/Vancouver', organization: { nativeId: MAPLE_ID } });
    const cancel = 'mutation($id: ID!) { cancelBooking(id: $id, reason: "moved away") { id status } }';
    const first = await gql(tg.url, tg.demoKey, cancel, { id: created.body.data.createBooking.id });
    expect(first.body.data.cancelBooking.status).toBe('CANCELED');
    const second = await gql(tg.url, tg.demoKey, cancel, { id: created.body.data.createBooking.id });
    expect(second.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(second.body.errors?.[0].message).toMatch(/cannot be cancelled in status CN/);
  });

  it('refuses a customer of another company for a service', async () => {
    const maple = await createCustomer(MAPLE_ID, 'zoe.cross@example.com');
    const r = await gql(tg.url, tg.demoKey, CREATE_BOOKING, {
      input: { serviceId: service('Initial Assessment').id, customerId: maple.id, startsAt: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await sandbox(onsched, 'stats')).forbidden).toBe(0);
  });
});

describe('OnSched connector: platform failures', () => {
  const onschedError = async () => {
    const r = await gql(tg.url, tg.demoKey, BOOKINGS, { first: 3, filter: { providers: ['ONSCHED'] } });
    return r.body.errors?.find((e) => e.extensions?.provider === 'ONSCHED');
  };

  it('renews once after an unexpected 401 and answers', async () => {
    const before = await grants(onsched);
    await sandbox(onsched, 'faults', { match: '/consumer/v1/appointments', status: 401, count: 1 });
    expect(await onschedError()).toBeUndefined();
    expect((await grants(onsched)) - before).toBe(1);
  });

  it('classifies a malformed payload and a long 429', async () => {
    await sandbox(onsched, 'faults', { match: '/consumer/v1/appointments', mode: 'malformed', count: 2 });
    expect((await onschedError())?.extensions?.code).toBe('PROVIDER_ERROR');
    await sandbox(onsched, 'faults', undefined, 'DELETE');
    await sandbox(onsched, 'faults', { match: '/consumer/v1/appointments', status: 429, retryAfterSeconds: 30, count: 2 });
    const limited = await onschedError();
    expect(limited?.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryAfterSeconds: 30 });
    await sandbox(onsched, 'faults', undefined, 'DELETE');
    expect(await onschedError()).toBeUndefined();
  });
});

describe('OnSched connector: revoked grant and bad credentials', () => {
  it('moves to NEEDS_REAUTH after revoke-all; other platforms still answer; no hammering', async () => {
    await sandbox(onsched, 'revoke-all', {});
    const before = await grants(onsched);
    const r = await gql(tg.url, tg.demoKey, '{ bookings(first: 100) { edges { node { provider } } } }');
    const err = r.body.errors?.find((e) => e.extensions?.provider === 'ONSCHED');
    expect(err?.extensions?.code).toBe('NEEDS_REAUTH');
    const providers = new Set(r.body.data.bookings.edges.map((e: Json) => e.node.provider));
    expect(providers.has('ONSCHED')).toBe(false);
    expect(providers.has('APPOINTEDD')).toBe(true);
    const c = await onschedConnection(tg.url, tg.demoKey);
    expect(c.status).toBe('NEEDS_REAUTH');
    expect(c.statusReason).toMatch(/invalid_grant/);
    const afterFirst = await grants(onsched);
    for (let i = 0; i < 5; i++) {
      const again = await gql(tg.url, tg.demoKey, BOOKINGS, { first: 5, filter: { providers: ['ONSCHED'] } });
      expect(again.body.errors?.[0].extensions?.code).toBe('NEEDS_REAUTH');
      await gql(tg.url, tg.demoKey, '{ organizations { name } }');
    }
    expect(afterFirst - before).toBe(1);
    expect(await grants(onsched)).toBe(afterFirst);
    console.log(`[onsched] revoke-all: refresh attempts ${afterFirst - before} then flat over 10 more queries; statusReason: ${c.statusReason}`);
  });

  it('refuses bad credentials at connect with a clear BAD_USER_INPUT and stores nothing', async () => {
    const tenant = await tg.tenant();
    const good = await demoCredentials(onsched);
    const cases: Array<[Json, RegExp]> = [
      [{ ...good, refreshToken: 'NotARealRefreshToken00' }, /refresh token \(invalid_grant/],
      [{ ...good, companyApiKeys: ['not-a-key', ...good.companyApiKeys] }, /company API key.*invalid_client/],
      [{ refreshToken: good.refreshToken }, /companyApiKeys/],
      [{ ...good, currency: 'dollars' }, /currency/],
    ];
    for (const [credentials, message] of cases) {
      const r = await connect(tg.url, tenant.apiKey, 'ONSCHED', credentials);
      expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.body.errors?.[0].message).toMatch(message);
    }
    const list = await gql(tg.url, tenant.apiKey, '{ connections { id } }');
    expect(list.body.data.connections).toEqual([]);
  });

  it('connects again with the new dashboard token, with a currency for prices', async () => {
    const tenant = await tg.tenant();
    const r = await connect(tg.url, tenant.apiKey, 'ONSCHED', await demoCredentials(onsched, { currency: 'usd' }));
    expect(r.body.data.connectProvider).toMatchObject({ status: 'ACTIVE', label: 'Harbor Physio, Maple Leaf Dental' });
    const s = await gql(tg.url, tenant.apiKey, '{ services(first: 1) { edges { node { name price { amount currency } } } } }');
    expect(s.body.data.services.edges[0].node).toEqual({ name: 'Initial Assessment', price: { amount: 95, currency: 'USD' } });
  });

  it('names a key of a company outside the account (403) and stores nothing', async () => {
    await sandbox(onsched, 'revoke-all', {});
    const tenant = await tg.tenant();
    const good = await demoCredentials(onsched);
    const r = await connect(tg.url, tenant.apiKey, 'ONSCHED', { ...good, companyApiKeys: [good.companyApiKeys[0], creds.foreign_company.api_key] });
    expect(r.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0].message).toMatch(/company API key #2: its company is not part of the account/);
    expect((await gql(tg.url, tenant.apiKey, '{ connections { id } }')).body.data.connections).toEqual([]);
  });
});
