import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, sandbox, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { openCallback, openStartLink } from '../helpers/consent.js';
import { allBookings, CONNECTIONS, connectDaySchedule, emulatorGet, emulatorList, START_CONNECTION, stats } from './dayschedule-helpers.js';

// The DaySchedule connector through the gateway's GraphQL API, against the in-process emulator
// (consent page, v1 API, public v2 API), compared with the emulator's own data read with the
// seeded API keys.

let gw: TestGateway;
let ds: string;
const tenants: Record<'yoga' | 'berlin', string> = { yoga: '', berlin: '' };

beforeAll(async () => {
  gw = await startTestGateway();
  ds = gw.emulators.dayschedule as string;
  tenants.yoga = (await gw.tenant('yoga')).apiKey;
  tenants.berlin = (await gw.tenant('berlin')).apiKey;
  await connectDaySchedule(gw.url, tenants.yoga, 1117);
  await connectDaySchedule(gw.url, tenants.berlin, 2245);
});
afterAll(() => gw?.close());

const BOOKING_FIELDS =
  'id nativeId status startsAt endsAt timezone createdAt updatedAt raw service { nativeId name } customer { nativeId firstName lastName email } organization { nativeId }';

/** The unified status the contract (§6) gives a booking of the emulator at `nowMs`. */
const expectedStatus = (b: { status: string; end_at: string }, nowMs: number) =>
  b.status === 'canceled' ? 'CANCELED' : b.status === 'pending' ? 'PENDING' : Date.parse(b.end_at) <= nowMs ? 'COMPLETED' : 'CONFIRMED';

const byStartThenId = (a: { start_at: string; booking_id: string }, b: { start_at: string; booking_id: string }) =>
  Date.parse(a.start_at) - Date.parse(b.start_at) || (a.booking_id < b.booking_id ? -1 : a.booking_id > b.booking_id ? 1 : 0);

describe('dayschedule consent', () => {
  it('sends client_id, redirect_uri, response_type=code and state; no PKCE', async () => {
    const t = await gw.tenant();
    const r = await gql(gw.url, t.apiKey, START_CONNECTION, { sandbox: true });
    // authorizeUrl is the gateway's start link; it redirects to the platform's consent URL.
    const { platformUrl } = await openStartLink(r.body.data.startConnection.authorizeUrl);
    const u = new URL(platformUrl);
    expect(u.origin).toBe(ds);
    expect(u.pathname).toBe('/v1/oauth2/authorize');
    expect([...u.searchParams.keys()].sort()).toEqual(['client_id', 'redirect_uri', 'response_type', 'state']);
    expect(u.searchParams.get('redirect_uri')).toBe(`${gw.url}/oauth/callback/dayschedule`);
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(r.body.data.startConnection.connection.status).toBe('PENDING');
  });

  it('connects the chosen organization: one code exchange, label and settings from /v1/users and /v1/pages', async () => {
    const t = await gw.tenant();
    const before = await stats(ds);
    const { callback } = await connectDaySchedule(gw.url, t.apiKey, 2245);
    const after = await stats(ds);
    expect(callback.status).toBe(200);
    expect(callback.html).toMatch(/dayschedule is connected/i);
    expect(callback.html).toContain('Berlin Career Coaching');
    expect(after.token.authorization_code - before.token.authorization_code).toBe(1);
    expect(after.token.refresh_token - before.token.refresh_token).toBe(0);
    const c = await gql(gw.url, t.apiKey, CONNECTIONS);
    expect(c.body.data.connections).toEqual([
      expect.objectContaining({
        provider: 'DAYSCHEDULE',
        status: 'ACTIVE',
        statusReason: null,
        organizations: [{ nativeId: '2245', name: 'Berlin Career Coaching', timezone: 'Europe/Berlin' }],
      }),
    ]);
    const c0 = c.body.data.connections[0];
    // 3600-second tokens (§2.2).
    expect(Date.parse(c0.accessTokenExpiresAt) - Date.parse(c0.lastRefreshedAt)).toBe(3_600_000);
  });

  it('Deny → ERROR with a reason, and nothing is exchanged', async () => {
    const t = await gw.tenant();
    const before = await stats(ds);
    const { callback } = await connectDaySchedule(gw.url, t.apiKey, 1117, 'deny');
    expect(callback.html).toMatch(/not connected/i);
    const c = await gql(gw.url, t.apiKey, CONNECTIONS);
    expect(c.body.data.connections[0].status).toBe('ERROR');
    expect(c.body.data.connections[0].statusReason).toMatch(/declined/i);
    expect((await stats(ds)).token.authorization_code).toBe(before.token.authorization_code);
  });

  it('a code the platform refuses (already used) → a 400 page with its reason, ERROR naming invalid_grant', async () => {
    const t = await gw.tenant();
    const started = await gql(gw.url, t.apiKey, START_CONNECTION, { sandbox: true });
    const { platformUrl, cookie } = await openStartLink(started.body.data.startConnection.authorizeUrl as string);
    const u = new URL(platformUrl);
    // Get a code for this state, spend it directly at the token endpoint, then deliver it to the gateway.
    const decided = await fetch(`${ds}/v1/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(u.searchParams), account: '1117', decision: 'allow' }),
    });
    const location = new URL(decided.headers.get('location') as string);
    const creds = await sandbox(ds, 'credentials');
    const spent = await fetch(`${ds}/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        code: location.searchParams.get('code'),
        client_id: creds.client_id,
        client_secret: creds.client_secret,
      }),
    });
    expect(spent.status).toBe(200);
    const callback = await openCallback(location.toString(), cookie);
    expect(callback.status).toBe(400);
    expect(callback.html).toMatch(/DaySchedule refused the authorization code \(invalid_grant/);
    const c = await gql(gw.url, t.apiKey, CONNECTIONS);
    expect(c.body.data.connections[0].status).toBe('ERROR');
    expect(c.body.data.connections[0].statusReason).toMatch(/invalid_grant/);
  });
});

describe('dayschedule reads', () => {
  it('lists the organization, its services and customers like the emulator has them', async () => {
    const orgs = await gql(gw.url, tenants.yoga, '{ organizations(providers: [DAYSCHEDULE]) { nativeId name timezone raw } }');
    expect(orgs.body.errors).toBeUndefined();
    expect(orgs.body.data.organizations).toEqual([expect.objectContaining({ nativeId: '1117', name: 'Sunrise Yoga Studio', timezone: 'Asia/Kolkata' })]);

    const resources = await emulatorList(ds, 1117, '/v1/resources');
    const services = await gql(
      gw.url,
      tenants.yoga,
      '{ services(first: 50, providers: [DAYSCHEDULE]) { edges { node { nativeId name description durationMinutes price { amount currency } organization { nativeId } } } } }',
    );
    expect(services.body.errors).toBeUndefined();
    expect(services.body.data.services.edges.map((e: any) => e.node)).toEqual(
      resources.map((r) => ({
        nativeId: r.id,
        name: r.name,
        description: r.description || null,
        durationMinutes: r.durations[0].type === 'hours' ? r.durations[0].value * 60 : r.durations[0].value,
        price: r.prices[0] ? { amount: r.prices[0].amount, currency: r.prices[0].currency } : null,
        organization: { nativeId: '1117' },
      })),
    );

    // Customers, 4 at a time through the gateway: every contact exactly once, names split on the first space.
    const contacts = await emulatorList(ds, 1117, '/v1/contacts');
    expect(contacts.length).toBeGreaterThanOrEqual(10);
    const seen: any[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await gql(
        gw.url,
        tenants.yoga,
        'query($after: String) { customers(first: 4, after: $after, providers: [DAYSCHEDULE]) { edges { node { nativeId firstName lastName email phone } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(r.body.errors).toBeUndefined();
      seen.push(...r.body.data.customers.edges.map((e: any) => e.node));
      if (!r.body.data.customers.pageInfo.hasNextPage) break;
      after = r.body.data.customers.pageInfo.endCursor;
    }
    expect(seen).toEqual(
      contacts.map((c) => {
        const i = c.name.indexOf(' ');
        return {
          nativeId: c.contact_id,
          firstName: i < 0 ? c.name : c.name.slice(0, i),
          lastName: i < 0 ? null : c.name.slice(i + 1),
          email: c.email,
          phone: c.phone || null,
        };
      }),
    );
    expect(seen.some((c) => /[^\x00-\x7f]/.test(`${c.firstName}${c.lastName}`))).toBe(true);

    // Search: exact e-mail through the platform filter, a name part through the cached listing.
    const target = contacts.find((c) => /[^\x00-\x7f]/.test(c.name)) as any;
    const byEmail = await gql(gw.url, tenants.yoga, 'query($s: String) { customers(first: 10, search: $s) { edges { node { nativeId } } } }', {
      s: target.email,
    });
    expect(byEmail.body.data.customers.edges.map((e: any) => e.node.nativeId)).toEqual([target.contact_id]);
    const part = target.name.split(' ').at(-1);
    const byName = await gql(gw.url, tenants.yoga, 'query($s: String) { customers(first: 10, search: $s) { edges { node { nativeId } } } }', { s: part });
    expect(byName.body.data.customers.edges.map((e: any) => e.node.nativeId)).toContain(target.contact_id);
  });

  it('pages through every booking exactly once in start order, mapped per §6 with the customer linked by e-mail', async () => {
    const native = (await emulatorList(ds, 1117, '/v1/bookings')).sort(byStartThenId);
    const contacts = await emulatorList(ds, 1117, '/v1/contacts');
    const resources = await emulatorList(ds, 1117, '/v1/resources');
    expect(native.length).toBeGreaterThanOrEqual(40);
    const before = await stats(ds);
    const { nodes, errors, pages } = await allBookings(gw.url, tenants.yoga, 7, BOOKING_FIELDS);
    const nowMs = Date.now();
    const after = await stats(ds);
    expect(errors).toEqual([]);
    expect(pages).toBe(Math.ceil(native.length / 7));
    expect(nodes.map((n) => n.nativeId)).toEqual(native.map((b) => b.booking_id));
    expect(new Set(nodes.map((n) => n.id)).size).toBe(native.length);
    const statuses = new Set<string>();
    for (const [i, n] of nodes.entries()) {
      const b = native[i];
      statuses.add(n.status);
      expect(n.status).toBe(expectedStatus(b, nowMs));
      expect(n.startsAt).toBe(b.start_at);
      expect(n.endsAt).toBe(b.end_at);
      expect(n.timezone).toBe(b.time_zone);
      expect(n.createdAt).toBe(b.created_at);
      expect(n.updatedAt).toBe(b.updated_at);
      expect(n.organization.nativeId).toBe('1117');
      expect(n.service).toEqual({ nativeId: b.resource.resource_id, name: resources.find((r) => r.id === b.resource.resource_id).name });
      const c = contacts.find((x) => x.email.toLowerCase() === b.attendees[0].email.toLowerCase());
      expect(c, `a contact for ${b.attendees[0].email}`).toBeDefined();
      expect(n.customer).toMatchObject({ nativeId: c.contact_id, email: c.email });
      expect(n.raw).toEqual(b);
    }
    expect([...statuses].sort()).toEqual(['CANCELED', 'COMPLETED', 'CONFIRMED', 'PENDING']);
    expect(nodes.some((n) => /[^\x00-\x7f]/.test(`${n.customer.firstName} ${n.customer.lastName}`))).toBe(true);
    // Customers and services come from one cached listing each, not one call per booking.
    const calls = after.api - before.api;
    console.info(`[figures] 1117: ${nodes.length} bookings in ${pages} GraphQL pages of 7 (with service and customer) cost ${calls} DaySchedule API calls`);
    expect(calls).toBeLessThanOrEqual(pages + 4);
  });

  it('filters by time (whole UTC days widened, then exact) and by status', async () => {
    const native = (await emulatorList(ds, 1117, '/v1/bookings')).sort(byStartThenId);
    const nowMs = Date.now();
    // Bounds inside a day and inside a booking's hour, so day-level filtering alone would be wrong.
    const from = new Date(Date.parse(native[5].start_at) + 60_000);
    const to = new Date(Date.parse(native[30].start_at) + 1);
    const within = native.filter((b) => Date.parse(b.start_at) >= from.getTime() && Date.parse(b.start_at) < to.getTime());
    const r = await allBookings(gw.url, tenants.yoga, 5, 'nativeId', {
      providers: ['DAYSCHEDULE'],
      startsAfter: from.toISOString(),
      startsBefore: to.toISOString(),
    });
    expect(r.errors).toEqual([]);
    expect(r.nodes.map((n) => n.nativeId)).toEqual(within.map((b) => b.booking_id));

    for (const status of ['CONFIRMED', 'COMPLETED', 'PENDING', 'CANCELED']) {
      const s = await allBookings(gw.url, tenants.yoga, 50, 'nativeId status', { providers: ['DAYSCHEDULE'], status: [status] });
      expect(s.errors).toEqual([]);
      const expected = native.filter((b) => expectedStatus(b, nowMs) === status).map((b) => b.booking_id);
      expect(expected.length).toBeGreaterThan(0);
      expect(s.nodes.map((n) => n.nativeId)).toEqual(expected);
    }
    const none = await allBookings(gw.url, tenants.yoga, 10, 'nativeId', { providers: ['DAYSCHEDULE'], status: ['NO_SHOW'] });
    expect(none).toMatchObject({ nodes: [], errors: [] });
  });

  it('treats the platform 404 for an empty list page as an empty answer', async () => {
    const far = new Date(Date.now() + 400 * 86_400_000);
    const before = await stats(ds);
    const r = await gql(
      gw.url,
      tenants.yoga,
      'query($f: BookingFilter) { bookings(first: 10, filter: $f) { edges { node { id } } pageInfo { hasNextPage } } }',
      {
        f: { providers: ['DAYSCHEDULE'], startsAfter: far.toISOString() },
      },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.bookings).toEqual({ edges: [], pageInfo: { hasNextPage: false } });
    expect((await stats(ds)).api - before.api).toBe(1);
  });

  it('answers Customer.bookings and node() lookups', async () => {
    const native = (await emulatorList(ds, 1117, '/v1/bookings')).sort(byStartThenId);
    const contacts = await emulatorList(ds, 1117, '/v1/contacts');
    const email = native[0].attendees[0].email.toLowerCase();
    const contact = contacts.find((c) => c.email.toLowerCase() === email);
    const list = await gql(
      gw.url,
      tenants.yoga,
      'query($s: String) { customers(first: 1, search: $s) { edges { node { id bookings(first: 50) { edges { node { nativeId customer { nativeId } } } } } } } }',
      { s: email },
    );
    expect(list.body.errors).toBeUndefined();
    const node = list.body.data.customers.edges[0].node;
    const theirs = native.filter((b) => b.attendees[0].email.toLowerCase() === email).map((b) => b.booking_id);
    expect(node.bookings.edges.map((e: any) => e.node.nativeId)).toEqual(theirs);
    expect(node.bookings.edges.every((e: any) => e.node.customer.nativeId === contact.contact_id)).toBe(true);

    const first = await allBookings(gw.url, tenants.yoga, 3, 'id nativeId');
    const ids = first.nodes.slice(0, 3).map((n) => n.id);
    const nodes = await gql(
      gw.url,
      tenants.yoga,
      `{ ${ids.map((id, i) => `n${i}: node(id: "${id}") { ... on Booking { nativeId status customer { email } service { name } } }`).join(' ')} }`,
    );
    expect(nodes.body.errors).toBeUndefined();
    expect(Object.values(nodes.body.data).map((n: any) => n.nativeId)).toEqual(first.nodes.slice(0, 3).map((n) => n.nativeId));
  });

  it('keeps (startsAt, ref) order across platform pages with many bookings at the same instant', async () => {
    // 2245's group webinar (capacity 50): fill two slots with 45 one-person bookings each, so the
    // platform's 100-item pages split runs of equal start times.
    const resources = await emulatorList(ds, 2245, '/v1/resources');
    const webinar = resources.find((r) => r.name === 'LinkedIn Masterclass');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const avail = await (
      await fetch(`${ds}/v2/public/availability/${webinar.id}?start=${day(Date.now() + 2 * 86_400_000)}&end=${day(Date.now() + 12 * 86_400_000)}&time_zone=UTC`)
    ).json();
    const times: string[] = avail.slots.flatMap((s: any) => s.hours.map((h: any) => h.time)).slice(0, 2);
    expect(times).toHaveLength(2);
    // Warm the connector's contact listing cache before the platform creates contacts for new invitees.
    expect((await allBookings(gw.url, tenants.berlin, 50, 'nativeId customer { email }')).errors).toEqual([]);
    for (const time of times) {
      for (let i = 0; i < 45; i++) {
        const r = await fetch(`${ds}/v1/bookings?apiKey=4501fbe440b1283e0003ffb04bb4c174`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            resource: { resource_id: webinar.id },
            host: { user_id: webinar.user_id },
            start_at: new Date(time).toISOString(),
            location: {},
            invitees: [{ name: `Gäst ${i}`, email: `guest${i}@example.org` }],
          }),
        });
        expect(r.status).toBe(201);
      }
    }
    const native = (await emulatorList(ds, 2245, '/v1/bookings')).sort(byStartThenId);
    expect(native.length).toBeGreaterThan(100);
    for (const first of [9, 50]) {
      const r = await allBookings(gw.url, tenants.berlin, first, 'nativeId customer { email }');
      expect(r.errors).toEqual([]);
      expect(r.nodes.map((n) => n.nativeId)).toEqual(native.map((b) => b.booking_id));
    }
    // The platform created contacts for the new invitees (§3.3) after the connector cached its
    // contact listing: they are still linked (the listing is read again rather than 45 look-ups),
    // and a warm cache makes two GraphQL pages cost three platform calls.
    const before = await stats(ds);
    const r = await allBookings(gw.url, tenants.berlin, 100, 'nativeId customer { email }');
    const calls = (await stats(ds)).api - before.api;
    expect(r.nodes.filter((n) => n.customer === null)).toEqual([]);
    expect(r.nodes.filter((n) => n.customer.email === 'guest7@example.org')).toHaveLength(2);
    console.info(`[figures] 2245: ${r.nodes.length} bookings in ${r.pages} GraphQL pages of 100 cost ${calls} DaySchedule API calls`);
    expect(calls).toBeLessThanOrEqual(r.pages + 2);
  });
});

describe('dayschedule writes', () => {
  let orgId: string;
  let customerId: string;
  let slot: { startsAt: string; endsAt: string };
  let serviceId: string;
  let bookingId: string;

  it('creates a customer (name = first + " " + last) and refuses a duplicate e-mail with BAD_USER_INPUT', async () => {
    const orgs = await gql(gw.url, tenants.berlin, '{ organizations { id nativeId } }');
    orgId = orgs.body.data.organizations[0].id;
    const create = (email: string | null) =>
      gql(
        gw.url,
        tenants.berlin,
        'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id nativeId firstName lastName email phone organization { nativeId } } }',
        {
          i: { organizationId: orgId, firstName: 'Zoë', lastName: 'Núñez García', email, phone: '+49 30 1234567' },
        },
      );
    const r = await create('zoe.nunez@example.org');
    expect(r.body.errors).toBeUndefined();
    const c = r.body.data.createCustomer;
    expect(c).toMatchObject({
      firstName: 'Zoë',
      lastName: 'Núñez García',
      email: 'zoe.nunez@example.org',
      phone: '+49 30 1234567',
      organization: { nativeId: '2245' },
    });
    customerId = c.id;
    const stored = await emulatorGet(ds, 2245, `/v1/contacts/${c.nativeId}`);
    expect(stored.body).toMatchObject({ name: 'Zoë Núñez García', email: 'zoe.nunez@example.org' });
    // The listing cache was dropped: the new customer is listed at once.
    const listed = await gql(gw.url, tenants.berlin, '{ customers(first: 100) { edges { node { nativeId } } } }');
    expect(listed.body.data.customers.edges.map((e: any) => e.node.nativeId)).toContain(c.nativeId);

    const dup = await create('zoe.nunez@example.org');
    expect(dup.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(dup.body.errors?.[0].message).toMatch(/already exists/);
    const noEmail = await create(null);
    expect(noEmail.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers availability from the public endpoint (31-day windows), slot end = time + duration', async () => {
    const services = await gql(gw.url, tenants.berlin, '{ services(first: 10) { edges { node { id nativeId name durationMinutes raw } } } }');
    const svc = services.body.data.services.edges.map((e: any) => e.node).find((s: any) => s.name === 'Career Strategy Session');
    serviceId = svc.id;
    const from = new Date(Date.now() + 86_400_000);
    const to = new Date(from.getTime() + 45 * 86_400_000);
    const before = await stats(ds);
    const r = await gql(
      gw.url,
      tenants.berlin,
      'query($s: ID!, $f: DateTime!, $t: DateTime!) { availability(serviceId: $s, from: $f, to: $t) { startsAt endsAt available service { nativeId } } }',
      {
        s: serviceId,
        f: from.toISOString(),
        t: to.toISOString(),
      },
    );
    expect(r.body.errors).toBeUndefined();
    const slots = r.body.data.availability;
    expect(slots.length).toBeGreaterThan(0);
    for (const s of slots) {
      expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBe(svc.durationMinutes * 60_000);
      expect(Date.parse(s.startsAt)).toBeGreaterThanOrEqual(from.getTime());
      expect(Date.parse(s.startsAt)).toBeLessThan(to.getTime());
      expect(s.service.nativeId).toBe(svc.nativeId);
    }
    // 45 days need two public calls (they are not counted as API calls with a token: the endpoint is public).
    expect(Date.parse(slots.at(-1).startsAt) - from.getTime()).toBeGreaterThan(31 * 86_400_000);
    expect((await stats(ds)).unauthorized).toBe(before.unauthorized);
    // The same slots the widget shows for the service's own user.
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const direct = await (
      await fetch(
        `${ds}/v2/public/availability/${svc.nativeId}?start=${day(from.getTime())}&end=${day(from.getTime() + 10 * 86_400_000)}&time_zone=UTC&user_id=${svc.raw.user_id}`,
      )
    ).json();
    const directTimes = direct.slots
      .flatMap((d: any) => d.hours.filter((h: any) => h.available > 0).map((h: any) => new Date(h.time).toISOString()))
      .filter((t: string) => Date.parse(t) >= from.getTime());
    expect(slots.map((s: any) => s.startsAt).slice(0, directTimes.length)).toEqual(directTimes);
    slot = slots[0];
  });

  it('books a slot for the customer (host = the resource user), then refuses the taken slot with the platform message', async () => {
    const book = () =>
      gql(
        gw.url,
        tenants.berlin,
        'mutation($i: CreateBookingInput!) { createBooking(input: $i) { id nativeId status startsAt endsAt customer { id email } service { id } } }',
        {
          i: { serviceId, customerId, startsAt: slot.startsAt },
        },
      );
    const r = await book();
    expect(r.body.errors).toBeUndefined();
    const b = r.body.data.createBooking;
    expect(b).toMatchObject({
      status: 'CONFIRMED',
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      customer: { id: customerId, email: 'zoe.nunez@example.org' },
      service: { id: serviceId },
    });
    bookingId = b.id;
    const stored = await emulatorGet(ds, 2245, `/v1/bookings/${b.nativeId}`);
    expect(stored.body).toMatchObject({
      host: { user_id: 5120 },
      status: 'confirmed',
      invitees: [expect.objectContaining({ name: 'Zoë Núñez García', email: 'zoe.nunez@example.org' })],
    });

    const again = await book();
    expect(again.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.body.errors?.[0].message).toContain('Selected slot is not available');
  });

  it('books an approval resource as PENDING', async () => {
    const services = await gql(gw.url, tenants.berlin, '{ services(first: 10) { edges { node { id name } } } }');
    const coaching = services.body.data.services.edges.map((e: any) => e.node).find((s: any) => s.name === 'Interview Coaching');
    const from = new Date(Date.now() + 86_400_000);
    const slots = await gql(
      gw.url,
      tenants.berlin,
      'query($s: ID!, $f: DateTime!, $t: DateTime!) { availability(serviceId: $s, from: $f, to: $t) { startsAt } }',
      {
        s: coaching.id,
        f: from.toISOString(),
        t: new Date(from.getTime() + 14 * 86_400_000).toISOString(),
      },
    );
    const r = await gql(gw.url, tenants.berlin, 'mutation($i: CreateBookingInput!) { createBooking(input: $i) { status } }', {
      i: { serviceId: coaching.id, customerId, startsAt: slots.body.data.availability[0].startsAt },
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.createBooking.status).toBe('PENDING');
  });

  it('cancels with PUT status=canceled and the reason; a second cancel is BAD_USER_INPUT', async () => {
    const cancel = () =>
      gql(gw.url, tenants.berlin, 'mutation($id: ID!) { cancelBooking(id: $id, reason: "Client is ill") { id nativeId status customer { id } raw } }', {
        id: bookingId,
      });
    const r = await cancel();
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.cancelBooking).toMatchObject({ id: bookingId, status: 'CANCELED', customer: { id: customerId } });
    expect(r.body.data.cancelBooking.raw).toMatchObject({ status: 'canceled', cancel_reason: 'Client is ill', canceled_by: 'host' });
    const stored = await emulatorGet(ds, 2245, `/v1/bookings/${r.body.data.cancelBooking.nativeId}`);
    expect(stored.body).toMatchObject({ status: 'canceled', cancel_reason: 'Client is ill' });
    const again = await cancel();
    expect(again.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.body.errors?.[0].message).toMatch(/already canceled/);
  });
});
