import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allPages, call, control, type Doc, type Emu, GLASGOW, getToken, startAppointedd, TORONTO } from './appointedd-helpers.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Doc;
  at: number;
}

let emu: Emu;
let receiver: Server;
let hookBase: string;
let received: Received[] = [];
/** Statuses the receiver answers with, in turn; 200 once exhausted. */
let plan: number[] = [];

beforeAll(async () => {
  emu = await startAppointedd();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
      res.writeHead(plan.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const address = receiver.address();
  hookBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await emu.close();
  await new Promise((r) => receiver.close(r));
});
beforeEach(async () => {
  await control(emu.base, 'reset');
  received = [];
  plan = [];
});

const DAY = 86_400_000;
const Z_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function subscribe(trigger: string, path: string, extra: Doc = {}): Promise<Doc> {
  const res = await control(emu.base, 'webhooks', { account_id: GLASGOW, name: `hook ${trigger}`, trigger, url: `${hookBase}${path}`, ...extra });
  expect(res.status).toBe(201);
  return res.json();
}

async function waitFor(n: number, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (received.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(received.length).toBe(n);
}

async function event(type: string, bookingId?: string): Promise<Response> {
  return control(emu.base, 'events', bookingId === undefined ? { type } : { type, bookingId });
}

async function futureGlasgowBooking(token: string): Promise<Doc> {
  const list = await allPages(
    emu.base,
    token,
    `/v2/bookings?filter[account_id]=${GLASGOW}&filter[status]=confirmed&filter[start_gte]=${new Date(Date.now() + DAY).toISOString()}`,
  );
  return list[0];
}

describe('appointedd webhook admin stand-in', () => {
  it('creates, lists and deletes subscriptions, validating the form', async () => {
    const sub = await subscribe('booking_created', '/a', { auth: { type: 'header', name: 'X-Gateway-Token', value: 's3cr3t' } });
    expect(sub).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      account_id: GLASGOW,
      name: 'hook booking_created',
      trigger: 'booking_created',
      url: `${hookBase}/a`,
      auth: { type: 'header', name: 'X-Gateway-Token', value: 's3cr3t' },
    });
    expect(await (await fetch(`${emu.base}/__sandbox/webhooks`)).json()).toEqual([sub]);
    const bad = [
      { account_id: 'x', name: 'n', trigger: 'booking_created', url: `${hookBase}/a` },
      { account_id: GLASGOW, name: '', trigger: 'booking_created', url: `${hookBase}/a` },
      { account_id: GLASGOW, name: 'n', trigger: 'booking_created,booking_cancelled', url: `${hookBase}/a` },
      { account_id: GLASGOW, name: 'n', trigger: 'booking_created', url: 'ftp://x' },
      { account_id: GLASGOW, name: 'n', trigger: 'booking_created', url: `${hookBase}/a`, auth: { type: 'basic', username: 'u' } },
      { account_id: GLASGOW, name: 'n', trigger: 'booking_created', url: `${hookBase}/a`, auth: { type: 'header', name: 'bad header', value: 'v' } },
      { account_id: GLASGOW, name: 'n', trigger: 'booking_created', url: `${hookBase}/a`, auth: { type: 'oauth' } },
    ];
    for (const body of bad) expect((await control(emu.base, 'webhooks', body)).status).toBe(400);
    expect((await control(emu.base, `webhooks/${sub.id}`, undefined, 'DELETE')).status).toBe(200);
    expect((await control(emu.base, `webhooks/${sub.id}`, undefined, 'DELETE')).status).toBe(404);
    expect(await (await fetch(`${emu.base}/__sandbox/webhooks`)).json()).toEqual([]);
  });

  it('reset clears subscriptions', async () => {
    await subscribe('booking_created', '/a');
    await control(emu.base, 'reset');
    expect(await (await fetch(`${emu.base}/__sandbox/webhooks`)).json()).toEqual([]);
  });
});

describe('appointedd webhook delivery', () => {
  it('sends booking_created after an API booking with the documented payload and header auth', async () => {
    await subscribe('booking_created', '/created', { auth: { type: 'header', name: 'X-Gateway-Token', value: 's3cr3t' } });
    await subscribe('booking_cancelled', '/cancelled');
    await control(emu.base, 'webhooks', { account_id: TORONTO, name: 'other', trigger: 'booking_created', url: `${hookBase}/toronto` });
    const token = await getToken(emu.base);
    const services = await allPages(emu.base, token, `/v2/services?filter[account_id]=${GLASGOW}`);
    const massage = services.find((s) => s.attributes.name === 'Sports Massage') as Doc;
    const customers = await allPages(emu.base, token, `/v2/customers?filter[email]=zoe.muller@example.com`);
    const now = Date.now();
    const slotsDoc = await call(
      emu.base,
      token,
      `/v2/availability/slots?filter[service_id]=${massage.id}&filter[start]=${new Date(now + DAY).toISOString()}&filter[end]=${new Date(now + 8 * DAY).toISOString()}`,
    );
    const slot = slotsDoc.doc.data[0];
    const created = await call(emu.base, token, '/v2/bookings', {
      body: {
        data: {
          type: 'bookings',
          attributes: { start: slot.attributes.start, customers: [{ customer_id: customers[0].id, spaces: 1 }] },
          relationships: { service: { data: { type: 'services', id: massage.id } } },
        },
      },
    });
    expect(created.status).toBe(201);
    await waitFor(1);
    const hook = received[0];
    expect(hook.path).toBe('/created');
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['user-agent']).toBe('Appointedd-Webhooks/1.0');
    expect(hook.headers['x-gateway-token']).toBe('s3cr3t');
    const b = created.doc.data;
    expect(hook.body).toEqual({
      event_type: 'booking_created',
      event_data: {
        organisation: { id: GLASGOW, name: 'Glasgow Physio Clinic' },
        booking: {
          id: b.id,
          start_time: new Date(Date.parse(b.attributes.start)).toISOString(),
          end_time: new Date(Date.parse(b.attributes.end)).toISOString(),
          price: 45,
          created: new Date(Date.parse(b.attributes.created)).toISOString(),
          status: 'Confirmed',
          type: 'Hourly',
          timezone: 'Europe/London',
          allow_online_group: false,
          max_occupancy: 1,
          last_modified_source: 'api',
          updated: new Date(Date.parse(b.attributes.updated)).toISOString(),
        },
        participants: [
          {
            id: customers[0].id,
            firstname: 'Zoë',
            lastname: 'Müller',
            timezone: 'America/Detroit',
            email: 'zoe.muller@example.com',
            marketing_opt_in: customers[0].attributes.marketing_opt_in,
            spaces: 1,
            booking_status: 'No Status',
            notes: '',
            questions: [],
            customer_booking_id: b.attributes.customers[0].customer_booking_id,
            total_price: 45,
            total_spaces: 1,
            price_points: [{ price_per_quantity: 45, quantity: 1, spaces_per_quantity: 1 }],
          },
        ],
        bookables: [{ id: b.relationships.resource.data.id, name: expect.any(String), email: expect.stringMatching(/@glasgowphysio\.example$/) }],
        service: { id: massage.id, name: 'Sports Massage' },
      },
    });
    expect(hook.body.event_data.booking.start_time).toMatch(Z_TIME);

    const cancelled = await call(emu.base, token, `/v2/bookings/${b.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    await waitFor(2);
    expect(received[1].path).toBe('/cancelled');
    expect(received[1].body.event_type).toBe('booking_cancelled');
    expect(received[1].body.event_data.booking.status).toBe('Cancelled');
    expect(received[1].headers['x-gateway-token']).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(2);
  });

  it('sends customer_created with basic auth after POST /v2/customers', async () => {
    await subscribe('customer_created', '/customers', { auth: { type: 'basic', username: 'gw', password: 'pä ss' } });
    const token = await getToken(emu.base);
    const r = await call(emu.base, token, '/v2/customers', {
      body: {
        data: {
          type: 'customers',
          attributes: { profile: { firstname: 'José', lastname: 'Núñez', email: 'jn@example.com' }, tags: ['new'], marketing_opt_in: true },
          relationships: { account: { data: { type: 'accounts', id: GLASGOW } } },
        },
      },
    });
    expect(r.status).toBe(201);
    await waitFor(1);
    expect(received[0].headers.authorization).toBe(`Basic ${Buffer.from('gw:pä ss').toString('base64')}`);
    expect(received[0].body).toEqual({
      event_type: 'customer_created',
      event_data: {
        organisation: { id: GLASGOW, name: 'Glasgow Physio Clinic' },
        customer: {
          id: r.doc.data.id,
          firstname: 'José',
          lastname: 'Núñez',
          email: 'jn@example.com',
          mobile: null,
          phone: null,
          marketing_opt_in: true,
          tags: ['new'],
          created: new Date(Date.parse(r.doc.data.attributes.created)).toISOString(),
          updated: new Date(Date.parse(r.doc.data.attributes.updated)).toISOString(),
        },
      },
    });
  });

  it('retries 1, 10 and 60 minutes after failures on the emulator clock', async () => {
    await subscribe('booking_created', '/retry');
    plan = [500, 503, 500, 200];
    const first = await (await event('booking_created')).json();
    expect(first).toMatchObject({ type: 'booking_created', webhooksAttempted: 1, webhooksDelivered: 0 });
    expect(received).toHaveLength(1);
    await control(emu.base, 'clock', { advanceSeconds: 59 });
    expect(received).toHaveLength(1);
    await control(emu.base, 'clock', { advanceSeconds: 1 });
    expect(received).toHaveLength(2);
    await control(emu.base, 'clock', { advanceSeconds: 599 });
    expect(received).toHaveLength(2);
    await control(emu.base, 'clock', { advanceSeconds: 1 });
    expect(received).toHaveLength(3);
    await control(emu.base, 'clock', { advanceSeconds: 3_600 });
    expect(received).toHaveLength(4);
    expect(received.map((r) => r.body)).toEqual(Array(4).fill(received[0].body));
    const stats = await (await fetch(`${emu.base}/__sandbox/stats`)).json();
    expect(stats.webhooksDelivered).toBe(1);
  });

  it('gives up after three retries', async () => {
    await subscribe('booking_created', '/down');
    plan = [500, 500, 500, 500, 500];
    await event('booking_created');
    await control(emu.base, 'clock', { advanceSeconds: 60 });
    await control(emu.base, 'clock', { advanceSeconds: 600 });
    await control(emu.base, 'clock', { advanceSeconds: 3_600 });
    await control(emu.base, 'clock', { advanceSeconds: 86_400 });
    expect(received).toHaveLength(4);
  });
});

describe('appointedd sandbox events', () => {
  it('booking_created books the earliest free slot at least 24 hours ahead', async () => {
    await subscribe('booking_created', '/created');
    const res = await event('booking_created');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ type: 'booking_created', bookingId: expect.stringMatching(/^[0-9a-f]{24}$/), webhooksAttempted: 1, webhooksDelivered: 1 });
    const token = await getToken(emu.base);
    const b = await call(emu.base, token, `/v2/bookings/${body.bookingId}`);
    const start = Date.parse(b.doc.data.attributes.start);
    expect(start).toBeGreaterThanOrEqual(Date.now() + DAY - 5_000);
    expect(b.doc.data.attributes.status).toBe('confirmed');
    const svc = await call(emu.base, token, `/v2/services/${b.doc.data.relationships.service.data.id}`);
    expect(svc.doc.data.attributes.name).toBe('Sports Massage');
    const slots = await call(
      emu.base,
      token,
      `/v2/availability/slots?filter[service_id]=${svc.doc.data.id}&filter[start]=${new Date(Date.now() + DAY).toISOString()}&filter[end]=${new Date(start + 1000).toISOString()}`,
    );
    expect(slots.doc.data.filter((s: Doc) => Date.parse(s.attributes.start) < start)).toEqual([]);
    expect(received[0].body.event_data.booking.id).toBe(body.bookingId);
    expect(received[0].body.event_data.booking.last_modified_source).toBe('online_booking');
  });

  it('booking_cancelled cancels, then 409; booking_updated moves a future booking one day', async () => {
    await subscribe('booking_updated', '/updated');
    await subscribe('booking_cancelled', '/cancelled');
    const token = await getToken(emu.base);
    const live = (await allPages(emu.base, token, `/v2/bookings?filter[account_id]=${GLASGOW}&page[limit]=100`)).filter(
      (x) => x.attributes.status !== 'cancelled',
    );
    const span = (x: Doc) => [Date.parse(x.attributes.start), Date.parse(x.attributes.end)];
    // A future booking whose resource is free one day later (the move would otherwise be refused).
    const b = live.find((x) => {
      const [start, end] = span(x);
      if (start < Date.now() + DAY || x.attributes.status !== 'confirmed') return false;
      return !live.some(
        (y) => y.id !== x.id && y.relationships.resource.data.id === x.relationships.resource.data.id && span(y)[0] < end + DAY && start + DAY < span(y)[1],
      );
    }) as Doc;
    const moved = await (await event('booking_updated', b.id)).json();
    expect(moved).toMatchObject({ bookingId: b.id, webhooksAttempted: 1, webhooksDelivered: 1 });
    const after = await call(emu.base, token, `/v2/bookings/${b.id}`);
    expect(Date.parse(after.doc.data.attributes.start) - Date.parse(b.attributes.start)).toBe(DAY);
    expect(received[0].body.event_type).toBe('booking_updated');
    expect((await event('booking_cancelled', b.id)).status).toBe(200);
    expect(received[1].body.event_type).toBe('booking_cancelled');
    expect(received).toHaveLength(2);
    expect((await call(emu.base, token, `/v2/bookings/${b.id}`)).doc.data.attributes.status).toBe('cancelled');
    expect((await event('booking_cancelled', b.id)).status).toBe(409);
    expect((await event('booking_updated', b.id)).status).toBe(409);
  });

  it('booking_updated marks the first participant of an ended booking as No Show', async () => {
    const token = await getToken(emu.base);
    const ended = await allPages(emu.base, token, `/v2/bookings?filter[status]=confirmed&filter[end_lte]=${new Date().toISOString()}&page[limit]=100`);
    const target = ended.find((b) => b.attributes.customers[0].status !== 'No Show') as Doc;
    expect((await event('booking_updated', target.id)).status).toBe(200);
    const after = await call(emu.base, token, `/v2/bookings/${target.id}`);
    expect(after.doc.data.attributes.customers[0].status).toBe('No Show');
    expect(after.doc.data.attributes.start).toBe(target.attributes.start);
  });

  it('customer_created and customer_updated fire customer webhooks', async () => {
    await subscribe('customer_created', '/cc');
    await subscribe('customer_updated', '/cu');
    const created = await (await event('customer_created')).json();
    expect(created.webhooksDelivered).toBe(1);
    expect(received[0].body.event_data.customer.id).toBe(created.bookingId);
    const token = await getToken(emu.base);
    const b = await futureGlasgowBooking(token);
    const updated = await (await event('customer_updated', b.id)).json();
    expect(updated).toMatchObject({ bookingId: b.id, webhooksAttempted: 1, webhooksDelivered: 1 });
    expect(received[1].body.event_type).toBe('customer_updated');
    expect(received[1].body.event_data.customer.id).toBe(b.attributes.customers[0].customer_id);
    const customer = await call(emu.base, token, `/v2/customers/${b.attributes.customers[0].customer_id}`);
    expect(customer.doc.data.attributes.marketing_opt_in).toBe(received[1].body.event_data.customer.marketing_opt_in);
  });

  it('answers 400 for unknown types and missing ids, 404 for unknown bookings', async () => {
    expect((await event('booking_exploded')).status).toBe(400);
    expect((await event('customer_deleted', 'a'.repeat(24))).status).toBe(400);
    for (const type of ['booking_cancelled', 'booking_updated', 'customer_updated']) {
      expect((await event(type)).status).toBe(400);
      expect((await event(type, 'a'.repeat(24))).status).toBe(404);
    }
  });
});
