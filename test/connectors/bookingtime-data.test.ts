import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlResult, gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { allBookings, connectBookingtime, emulatorAppointments, ORG_A, ORG_B, ORG_C, stats } from './bookingtime-helpers.js';

/**
 * bookingtime data through the real gateway (GraphQL over HTTP) against the emulator: mapping
 * (contract §6), paging by calendar month, lookups by ref, writes and their errors. The emulator's
 * own listing (read with this test's own tokens) is the reference. Stats are never reset.
 */
describe('bookingtime connector: data', () => {
  let gw: TestGateway;
  let bt: string;
  let apiKey: string;
  let connectionId: string;
  const DAY = 86_400_000;
  const now = Date.now();
  const window = { startsAfter: new Date(now - 31 * DAY).toISOString(), startsBefore: new Date(now + 32 * DAY).toISOString() };

  /** UTC months around [from, to), one extra each side so every local month is covered. */
  const monthsAround = (from: number, to: number) => {
    const out: Array<{ y: number; m: number }> = [];
    const d = new Date(from - 31 * DAY);
    d.setUTCDate(1);
    while (d.getTime() < to + 31 * DAY) {
      out.push({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1 });
      d.setUTCMonth(d.getUTCMonth() + 1);
    }
    return out;
  };
  /** The emulator's appointments of both organizations starting in [from, to), deduplicated. */
  const reference = async (from: number, to: number) => {
    const byId = new Map<string, any>();
    for (const org of [ORG_A, ORG_B]) {
      for (const a of await emulatorAppointments(bt, org, monthsAround(from, to))) {
        const start = Date.parse(a.start);
        if (start >= from && start < to) byId.set(a.id, a);
      }
    }
    return byId;
  };

  const SERVICES =
    '{ services(first: 100, providers: [BOOKINGTIME]) { edges { node { id nativeId name description durationMinutes price { amount currency } organization { nativeId } raw } } } }';
  const services = async () => (await gql(gw.url, apiKey, SERVICES)).body.data.services.edges.map((e: any) => e.node);
  const customers = async (search?: string) => {
    const out: any[] = [];
    let after: string | null = null;
    for (;;) {
      const r: GqlResult = await gql(
        gw.url,
        apiKey,
        'query($after: String, $search: String) { customers(first: 5, after: $after, providers: [BOOKINGTIME], search: $search) { edges { node { id nativeId firstName lastName email phone organization { nativeId } } } pageInfo { hasNextPage endCursor } } }',
        { after, search },
      );
      expect(r.body.errors).toBeUndefined();
      out.push(...r.body.data.customers.edges.map((e: any) => e.node));
      if (!r.body.data.customers.pageInfo.hasNextPage) return out;
      after = r.body.data.customers.pageInfo.endCursor;
    }
  };
  const availability = async (serviceId: string, from: number, to: number) => {
    const r = await gql(
      gw.url,
      apiKey,
      'query($s: ID!, $f: DateTime!, $t: DateTime!) { availability(serviceId: $s, from: $f, to: $t) { startsAt endsAt available service { nativeId } } }',
      {
        s: serviceId,
        f: new Date(from).toISOString(),
        t: new Date(to).toISOString(),
      },
    );
    expect(r.body.errors).toBeUndefined();
    return r.body.data.availability as Array<{ startsAt: string; endsAt: string; available: number; service: { nativeId: string } }>;
  };
  const CREATE_BOOKING =
    'mutation($input: CreateBookingInput!) { createBooking(input: $input) { id nativeId status startsAt endsAt timezone service { nativeId } customer { nativeId } raw } }';

  beforeAll(async () => {
    gw = await startTestGateway();
    bt = gw.emulators.bookingtime as string;
    apiKey = (await gw.tenant()).apiKey;
    connectionId = (await connectBookingtime(gw.url, apiKey, bt)).id;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('maps appointments per contract §6: UTC times, time zone kept, status, references, raw untouched', async () => {
    const ref = await reference(Date.parse(window.startsAfter), Date.parse(window.startsBefore));
    const got = await allBookings(gw.url, apiKey, { providers: ['BOOKINGTIME'], ...window }, 50);
    const t = Date.now();
    for (const b of got) {
      const a = ref.get(b.nativeId);
      expect(b.raw).toEqual(a);
      expect(b.startsAt).toBe(new Date(a.start).toISOString());
      expect(b.endsAt).toBe(new Date(a.end).toISOString());
      expect(b.timezone).toBe(a.timeZone);
      expect(b.status).toBe(a.canceled ? 'CANCELED' : Date.parse(a.end) <= t ? 'COMPLETED' : 'CONFIRMED');
      expect(b.createdAt).toBe(new Date(a.timestampAdd).toISOString());
      expect(b.updatedAt).toBe(new Date(a.timestampEdit).toISOString());
      expect(b.organization.nativeId).toBe(a.organizationId);
      expect(b.service.nativeId).toBe(a.bookingTemplateId);
      expect(b.customer.nativeId).toBe(a.customer.id);
    }
    const statuses = new Set(got.map((b) => b.status));
    expect(statuses).toEqual(new Set(['CANCELED', 'COMPLETED', 'CONFIRMED']));
    expect(new Set(got.map((b) => b.timezone))).toEqual(new Set(['Europe/Berlin', 'America/New_York']));
  });

  it('pages bookings through the gateway: every seeded appointment of the window exactly once, in (startsAt, id) order', async () => {
    const ref = await reference(Date.parse(window.startsAfter), Date.parse(window.startsBefore));
    expect(ref.size).toBeGreaterThanOrEqual(56);
    for (const first of [7, 25]) {
      const got = await allBookings(gw.url, apiKey, { providers: ['BOOKINGTIME'], ...window }, first);
      const ids = got.map((b) => b.nativeId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(ref.keys()));
      const starts = got.map((b) => Date.parse(b.startsAt));
      expect(starts).toEqual([...starts].sort((x, y) => x - y));
      console.info(`[bookingtime] paging first=${first}: ${ids.length} bookings, emulator listing ${ref.size}`);
    }
    // Without bounds: the default look-back and horizon cover the whole seed.
    const unbounded = await allBookings(gw.url, apiKey, { providers: ['BOOKINGTIME'] }, 30);
    expect(new Set(unbounded.map((b) => b.nativeId))).toEqual(new Set((await reference(now - 400 * DAY, now + 400 * DAY)).keys()));
  });

  it('filters by status locally and restricts to one organization or one customer', async () => {
    const canceled = await allBookings(gw.url, apiKey, { providers: ['BOOKINGTIME'], status: ['CANCELED'], ...window }, 10);
    expect(canceled.length).toBeGreaterThanOrEqual(4);
    expect(canceled.every((b) => b.raw.canceled === true)).toBe(true);

    const orgs = (await gql(gw.url, apiKey, '{ organizations(providers: [BOOKINGTIME]) { id nativeId } }')).body.data.organizations;
    const b = orgs.find((o: any) => o.nativeId === ORG_B);
    const r = await gql(
      gw.url,
      apiKey,
      'query($id: ID!) { node(id: $id) { ... on Organization { name bookings(first: 100) { edges { node { organization { nativeId } } } } } } }',
      { id: b.id },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.node.name).toBe('Brooklyn Bike Service');
    expect(r.body.data.node.bookings.edges.length).toBeGreaterThanOrEqual(12);
    expect(r.body.data.node.bookings.edges.every((e: any) => e.node.organization.nativeId === ORG_B)).toBe(true);

    const one = (await allBookings(gw.url, apiKey, { providers: ['BOOKINGTIME'], ...window }, 100))[0];
    const c = await gql(
      gw.url,
      apiKey,
      'query($id: ID!) { node(id: $id) { ... on Booking { customer { nativeId bookings(first: 100) { edges { node { customer { nativeId } } } } } } } }',
      {
        id: one.id,
      },
    );
    expect(c.body.errors).toBeUndefined();
    const mine = c.body.data.node.customer.bookings.edges;
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.every((e: any) => e.node.customer.nativeId === one.customer.nativeId)).toBe(true);
  });

  it('maps booking templates as services; price only when shown', async () => {
    const list = await services();
    expect(list).toHaveLength(7);
    const lymph = list.find((s: any) => s.name === 'Lymphdrainage 30 min');
    expect(lymph).toMatchObject({ durationMinutes: 30, price: null, description: null, organization: { nativeId: ORG_A } });
    const tune = list.find((s: any) => s.name === 'Tune-up');
    expect(tune).toMatchObject({ durationMinutes: 60, price: { amount: 89, currency: 'USD' }, organization: { nativeId: ORG_B } });
    expect(tune.raw.class).toBe('BOOKING_TEMPLATE');
  });

  it('pages customers of both organizations exactly once and searches', async () => {
    const all = await customers();
    expect(all).toHaveLength(24);
    expect(new Set(all.map((c) => c.nativeId)).size).toBe(24);
    expect(new Set(all.map((c) => c.organization.nativeId))).toEqual(new Set([ORG_A, ORG_B]));
    expect(all.every((c) => c.email && c.phone)).toBe(true);
    const someone = all[3];
    const found = await customers(someone.lastName);
    expect(found.map((c) => c.nativeId)).toContain(someone.nativeId);
  });

  it('resolves refs to their organization; a forged ref of another organization is null without calling it', async () => {
    const one = (await allBookings(gw.url, apiKey, { providers: ['BOOKINGTIME'], ...window }, 100))[5];
    const again = await gql(gw.url, apiKey, 'query($id: ID!) { node(id: $id) { ... on Booking { nativeId organization { nativeId } } } }', { id: one.id });
    expect(again.body.data.node).toEqual({ nativeId: one.nativeId, organization: { nativeId: one.organization.nativeId } });
    const before = await stats(bt);
    const forged = Buffer.from(JSON.stringify(['bg1', 'Booking', 'BOOKINGTIME', connectionId, `${ORG_C}:${one.nativeId}`])).toString('base64url');
    const r = await gql(gw.url, apiKey, 'query($id: ID!) { node(id: $id) { id } }', { id: forged });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.node).toBeNull();
    expect((await stats(bt)).api).toBe(before.api);
  });

  it('reads availability from booking slots: one place, ending after the template duration', async () => {
    const manual = (await services()).find((s: any) => s.name === 'Manuelle Therapie 45 min');
    const slots = await availability(manual.id, now + DAY, now + 8 * DAY);
    expect(slots.length).toBeGreaterThan(10);
    for (const s of slots) {
      expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBe(45 * 60_000);
      expect(s.available).toBe(1);
      expect(s.service.nativeId).toBe(manual.nativeId);
    }
  });

  it('creates a customer and a booking; a repeated idempotencyKey returns the first booking and books nothing new; cancels', async () => {
    const orgA = (await gql(gw.url, apiKey, '{ organizations(providers: [BOOKINGTIME]) { id nativeId } }')).body.data.organizations.find(
      (o: any) => o.nativeId === ORG_A,
    );
    const created = await gql(
      gw.url,
      apiKey,
      'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id nativeId firstName lastName email phone organization { nativeId } raw } }',
      {
        input: { organizationId: orgA.id, firstName: 'Anaïs', lastName: 'Özdemir', email: 'anais@example.com', phone: '+49 151 9999999' },
      },
    );
    expect(created.body.errors).toBeUndefined();
    const customer = created.body.data.createCustomer;
    expect(customer).toMatchObject({
      firstName: 'Anaïs',
      lastName: 'Özdemir',
      email: 'anais@example.com',
      phone: '+49 151 9999999',
      organization: { nativeId: ORG_A },
    });
    expect(customer.raw.class).toBe('CUSTOMER');

    const physio = (await services()).find((s: any) => s.name === 'Physiotherapie 30 min');
    const slot = (await availability(physio.id, now + 2 * DAY, now + 9 * DAY))[3];
    const day = new Date(slot.startsAt);
    const months = [{ y: day.getUTCFullYear(), m: day.getUTCMonth() + 1 }];
    const count = async () => (await emulatorAppointments(bt, ORG_A, months)).filter((a) => a.customer.id === customer.nativeId).length;
    expect(await count()).toBe(0);

    const input = { serviceId: physio.id, customerId: customer.id, startsAt: slot.startsAt, idempotencyKey: `bt-${Date.now()}` };
    const first = await gql(gw.url, apiKey, CREATE_BOOKING, { input });
    expect(first.body.errors).toBeUndefined();
    const booking = first.body.data.createBooking;
    expect(booking).toMatchObject({
      status: 'CONFIRMED',
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      timezone: 'Europe/Berlin',
      service: { nativeId: physio.nativeId },
      customer: { nativeId: customer.nativeId },
    });
    const repeats = await Promise.all([1, 2, 3].map(() => gql(gw.url, apiKey, CREATE_BOOKING, { input })));
    for (const r of repeats) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.createBooking.id).toBe(booking.id);
    }
    expect(await count()).toBe(1);

    const cancel = 'mutation($id: ID!) { cancelBooking(id: $id, reason: "changed plans") { status raw } }';
    const canceled = await gql(gw.url, apiKey, cancel, { id: booking.id });
    expect(canceled.body.errors).toBeUndefined();
    expect(canceled.body.data.cancelBooking.status).toBe('CANCELED');
    expect(canceled.body.data.cancelBooking.raw.canceled).toBe(true);
    const twice = await gql(gw.url, apiKey, cancel, { id: booking.id });
    expect(twice.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(twice.body.errors?.[0].message).toContain('The appointment is already canceled.');
  });

  it('refuses a start with no slot, and a slot taken meanwhile (409), as BAD_USER_INPUT with the reason', async () => {
    const list = await services();
    const lymph = list.find((s: any) => s.name === 'Lymphdrainage 30 min'); // one employee only
    const customer = (await customers()).find((c) => c.organization.nativeId === ORG_A);
    const slot = (await availability(lymph.id, now + 2 * DAY, now + 9 * DAY))[2];

    // Off the grid: no booking slot starts then.
    const offGrid = new Date(Date.parse(slot.startsAt) + 7 * 60_000).toISOString();
    const none = await gql(gw.url, apiKey, CREATE_BOOKING, { input: { serviceId: lymph.id, customerId: customer.id, startsAt: offGrid } });
    expect(none.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(none.body.errors?.[0].message).toMatch(/no free booking slot/);

    // Two clients race for the same slot: both see it free, the platform books one and answers 409 to the other.
    await sandbox(bt, 'faults', { match: `/app/v3/en/organization/${ORG_A}/appointment/add`, latencyMs: 300, count: 2 });
    const race = await Promise.all(
      [1, 2].map(() => gql(gw.url, apiKey, CREATE_BOOKING, { input: { serviceId: lymph.id, customerId: customer.id, startsAt: slot.startsAt } })),
    );
    const won = race.filter((r) => !r.body.errors);
    const lost = race.filter((r) => r.body.errors);
    expect(won).toHaveLength(1);
    expect(lost[0].body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(lost[0].body.errors?.[0].message).toContain('The booking slot is no longer available.');

    // Asked again later, the slot is simply gone.
    const later = await gql(gw.url, apiKey, CREATE_BOOKING, { input: { serviceId: lymph.id, customerId: customer.id, startsAt: slot.startsAt } });
    expect(later.body.errors?.[0].message).toMatch(/no free booking slot/);
  });

  it('sandbox mode connected the demo tenant to bookingtime', async () => {
    const r = await gql(gw.url, gw.demoKey, '{ connections { provider status label } }');
    expect(r.body.data.connections).toContainEqual({ provider: 'BOOKINGTIME', status: 'ACTIVE', label: 'Physiopraxis Alster, Brooklyn Bike Service' });
  });

  it('never sent a token to the wrong organization (emulator 403 counter = 0 for the whole file)', async () => {
    const s = await stats(bt);
    console.info(`[bookingtime] data suite: forbidden=${s.forbidden}, api=${s.api}, token=${JSON.stringify(s.token)}`);
    expect(s.forbidden).toBe(0);
  });
});
