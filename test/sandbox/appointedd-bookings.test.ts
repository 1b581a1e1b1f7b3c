import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  API_TIME,
  allPages,
  call,
  control,
  type Doc,
  type Emu,
  expectError,
  expectJsonApi,
  GLASGOW,
  getToken,
  JSONAPI,
  OBJECT_ID,
  SPECIFIC_CLIENT,
  startAppointedd,
  TORONTO,
} from './appointedd-helpers.js';

let emu: Emu;
let all: string;
let specific: string;
let services: Doc[];
let customers: Doc[];
beforeAll(async () => {
  emu = await startAppointedd();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(emu.base, 'reset');
  all = await getToken(emu.base);
  specific = await getToken(emu.base, SPECIFIC_CLIENT);
  services = await allPages(emu.base, all, '/v2/services');
  customers = await allPages(emu.base, all, '/v2/customers?page[limit]=100');
});

const DAY = 86_400_000;
const get = (path: string, token = all) => call(emu.base, token, path);
const service = (name: string) => services.find((s) => s.attributes.name === name) as Doc;
const customerOf = (account: string, i = 0) => customers.filter((c) => c.relationships.account.data.id === account)[i];
const iso = (ms: number) => new Date(ms).toISOString();

async function slots(serviceId: string, fromMs: number, toMs: number, extra = ''): Promise<Doc[]> {
  const r = await get(`/v2/availability/slots?filter[service_id]=${serviceId}&filter[start]=${iso(fromMs)}&filter[end]=${iso(toMs)}${extra}`);
  expect(r.status).toBe(200);
  expectJsonApi(r.doc);
  return r.doc.data;
}

function bookingBody(serviceId: string, start: string, customerIds: string[], resourceId?: string): Doc {
  const relationships: Doc = { service: { data: { type: 'services', id: serviceId } } };
  if (resourceId) relationships.resource = { data: { type: 'resources', id: resourceId } };
  return { data: { type: 'bookings', attributes: { start, customers: customerIds.map((customer_id) => ({ customer_id, spaces: 1 })) }, relationships } };
}

describe('appointedd bookings: list and get', () => {
  it('returns the contract booking shape', async () => {
    const list = await get('/v2/bookings?page[limit]=3');
    const b = list.doc.data[0];
    const one = await get(`/v2/bookings/${b.id}`);
    expect(one.status).toBe(200);
    expectJsonApi(one.doc);
    expect(one.doc.links.self).toBe(`${emu.base}/v2/bookings/${b.id}`);
    const a = one.doc.data.attributes;
    expect(Object.keys(a)).toEqual([
      'start',
      'end',
      'start_buffer',
      'end_buffer',
      'timezone',
      'status',
      'price',
      'currency',
      'total_spaces',
      'created_source',
      'cancelled_at',
      'customers',
      'created',
      'updated',
    ]);
    for (const k of ['start', 'end', 'start_buffer', 'end_buffer', 'created', 'updated']) expect(a[k]).toMatch(API_TIME);
    expect(Object.keys(a.customers[0])).toEqual([
      'customer_id',
      'customer_booking_id',
      'spaces',
      'status',
      'timezone',
      'booking_source',
      'paid',
      'total_price',
      'questions',
      'created',
    ]);
    expect(one.doc.data.relationships.customers.data[0]).toEqual({ type: 'customers', id: a.customers[0].customer_id });
    expect(Object.keys(one.doc.data.relationships)).toEqual(['account', 'service', 'resource', 'customers']);
    expectError(await get(`/v2/bookings/${'0'.repeat(24)}`), 404, 'not_found');
    expectError(await get('/v2/bookings/not-an-id'), 404, 'not_found');
  });

  it('hides bookings of non-permitted accounts (404)', async () => {
    const toronto = await allPages(emu.base, all, `/v2/bookings?filter[account_id]=${TORONTO}&page[limit]=100`);
    expect(toronto.length).toBeGreaterThanOrEqual(12);
    expect(toronto.every((b) => b.relationships.account.data.id === TORONTO)).toBe(true);
    expectError(await get(`/v2/bookings/${toronto[0].id}`, specific), 404, 'not_found');
    expect((await get(`/v2/bookings/${toronto[0].id}`)).status).toBe(200);
  });

  it('applies every filter', async () => {
    const every = await allPages(emu.base, all, '/v2/bookings?page[limit]=100');
    const count = async (q: string) => (await get(`/v2/bookings?page[limit]=1&${q}`)).doc.meta.total;
    const mid = Date.parse(every[30].attributes.start);
    expect(await count(`filter[start_gte]=${iso(mid)}`)).toBe(every.filter((b) => Date.parse(b.attributes.start) >= mid).length);
    expect(await count(`filter[end_lte]=${iso(mid)}`)).toBe(every.filter((b) => Date.parse(b.attributes.end) <= mid).length);
    const created = Date.parse(every[20].attributes.created);
    expect(await count(`filter[created_gte]=${encodeURIComponent(every[20].attributes.created)}`)).toBe(21);
    expect(await count(`filter[created_lte]=${iso(created)}`)).toBe(every.filter((b) => Date.parse(b.attributes.created) <= created).length);
    const updated = Date.parse(every[10].attributes.updated);
    expect(await count(`filter[updated_gte]=${iso(updated)}`)).toBe(every.filter((b) => Date.parse(b.attributes.updated) >= updated).length);
    expect(await count(`filter[updated_lte]=${iso(updated)}`)).toBe(every.filter((b) => Date.parse(b.attributes.updated) <= updated).length);
    for (const status of ['confirmed', 'pending', 'cancelled']) {
      expect(await count(`filter[status]=${status}`)).toBe(every.filter((b) => b.attributes.status === status).length);
    }
    expect(await count('filter[status]=pending,cancelled')).toBe(every.filter((b) => b.attributes.status !== 'confirmed').length);
    const customerId = every[0].attributes.customers[0].customer_id;
    const byCustomer = await allPages(emu.base, all, `/v2/bookings?filter[customer_id]=${customerId}`);
    expect(byCustomer.length).toBe(every.filter((b) => b.attributes.customers.some((c: Doc) => c.customer_id === customerId)).length);
    expect(byCustomer.length).toBeGreaterThan(0);
    const serviceId = every[0].relationships.service.data.id;
    expect(await count(`filter[service_id]=${serviceId}`)).toBe(every.filter((b) => b.relationships.service.data.id === serviceId).length);
    expect(await count(`filter[account_id]=${GLASGOW}`)).toBe(every.filter((b) => b.relationships.account.data.id === GLASGOW).length);
    expect(await count(`filter[account_id]=${GLASGOW},${TORONTO}`)).toBe(every.length);
    const offset = '2026-01-01T10:00:00+05:30';
    expect(await count(`filter[start_gte]=${encodeURIComponent(offset)}`)).toBe(
      every.filter((b) => Date.parse(b.attributes.start) >= Date.parse(offset)).length,
    );
  });

  it('rejects malformed filters with 400', async () => {
    for (const q of ['filter[status]=done', 'filter[start_gte]=yesterday', 'filter[created_lte]=2026-01-01', 'filter[customer_id]=12', 'filter[service_id]=']) {
      const e = expectError(await get(`/v2/bookings?${q}`), 400, 'bad_request');
      expect(e.source.parameter).toBe(q.split('=')[0]);
    }
  });
});

describe('appointedd bookings: create', () => {
  it('books a free slot: 201, Location, confirmed, api source, end from the first duration', async () => {
    const massage = service('Sports Massage');
    const now = Date.now();
    const [slot] = await slots(massage.id, now + DAY, now + 8 * DAY);
    const customer = customerOf(GLASGOW, 2);
    const r = await call(emu.base, all, '/v2/bookings', { body: bookingBody(massage.id, slot.attributes.start.replace('.000+00:00', 'Z'), [customer.id]) });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe(JSONAPI);
    expectJsonApi(r.doc);
    const b = r.doc.data;
    expect(b.id).toMatch(OBJECT_ID);
    expect(r.headers.get('location')).toBe(`${emu.base}/v2/bookings/${b.id}`);
    expect(b.attributes).toMatchObject({
      start: slot.attributes.start,
      end: new Date(Date.parse(slot.attributes.start) + 45 * 60_000).toISOString().replace('Z', '+00:00'),
      status: 'confirmed',
      created_source: 'api',
      cancelled_at: null,
      price: 45,
      currency: 'GBP',
      total_spaces: 1,
      timezone: 'Europe/London',
    });
    expect(b.attributes.customers[0]).toMatchObject({ customer_id: customer.id, spaces: 1, status: 'No Status' });
    expect(b.relationships.resource.data.id).toBe(slot.relationships.resource.data.id);
    expect(b.relationships.account.data.id).toBe(GLASGOW);
    const list = await get('/v2/bookings?page[limit]=1');
    expect(list.doc.data[0].id).toBe(b.id);
    expect(list.doc.meta.total).toBe(61);
    const after = await slots(massage.id, now + DAY, now + 8 * DAY);
    expect(after.find((s) => s.id === slot.id)).toBeUndefined();
  });

  it('refuses a taken time with 409 and books another resource when none is named', async () => {
    const assessment = service('Physiotherapy Assessment');
    const now = Date.now();
    const free = await slots(assessment.id, now + DAY, now + 8 * DAY);
    const start = free[0].attributes.start;
    const sameTime = free.filter((s) => s.attributes.start === start);
    const first = await call(emu.base, all, '/v2/bookings', {
      body: bookingBody(assessment.id, start, [customerOf(GLASGOW, 0).id], sameTime[0].relationships.resource.data.id),
    });
    expect(first.status).toBe(201);
    const again = await call(emu.base, all, '/v2/bookings', {
      body: bookingBody(assessment.id, start, [customerOf(GLASGOW, 1).id], sameTime[0].relationships.resource.data.id),
    });
    expectError(again, 409, 'conflict');
    if (sameTime.length > 1) {
      const other = await call(emu.base, all, '/v2/bookings', { body: bookingBody(assessment.id, start, [customerOf(GLASGOW, 1).id]) });
      expect(other.status).toBe(201);
      expect(other.doc.data.relationships.resource.data.id).not.toBe(sameTime[0].relationships.resource.data.id);
    }
    const night = new Date(now + 3 * DAY);
    night.setUTCHours(2, 0, 0, 0);
    expectError(
      await call(emu.base, all, '/v2/bookings', { body: bookingBody(assessment.id, night.toISOString(), [customerOf(GLASGOW, 1).id]) }),
      409,
      'conflict',
    );
  });

  it('applies the 415, 400, 422, 404 rules', async () => {
    const massage = service('Sports Massage');
    const now = Date.now();
    const [slot] = await slots(massage.id, now + DAY, now + 8 * DAY);
    const body = bookingBody(massage.id, slot.attributes.start, [customerOf(GLASGOW).id]);
    expectError(await call(emu.base, all, '/v2/bookings', { body, contentType: 'application/json' }), 415, 'unsupported_media_type');
    expectError(await call(emu.base, all, '/v2/bookings', { body, contentType: `${JSONAPI}; ext=bulk` }), 415, 'unsupported_media_type');
    expectError(await call(emu.base, all, '/v2/bookings', { raw: '{' }), 400, 'bad_request');
    const past = expectError(
      await call(emu.base, all, '/v2/bookings', { body: bookingBody(massage.id, iso(now - DAY), [customerOf(GLASGOW).id]) }),
      422,
      'validation_error',
    );
    expect(past.source.pointer).toBe('/data/attributes/start');
    const foreign = expectError(
      await call(emu.base, all, '/v2/bookings', { body: bookingBody(massage.id, slot.attributes.start, [customerOf(TORONTO).id]) }),
      422,
      'validation_error',
    );
    expect(foreign.source.pointer).toBe('/data/attributes/customers/0/customer_id');
    expectError(await call(emu.base, all, '/v2/bookings', { body: bookingBody(massage.id, 'tomorrow', [customerOf(GLASGOW).id]) }), 422, 'validation_error');
    expectError(await call(emu.base, all, '/v2/bookings', { body: bookingBody(massage.id, slot.attributes.start, []) }), 422, 'validation_error');
    const noService = { data: { type: 'bookings', attributes: body.data.attributes } };
    expectError(await call(emu.base, all, '/v2/bookings', { body: noService }), 422, 'validation_error');
    expectError(
      await call(emu.base, all, '/v2/bookings', { body: bookingBody('0'.repeat(24), slot.attributes.start, [customerOf(GLASGOW).id]) }),
      404,
      'not_found',
    );
    const tutoring = service('Math Tutoring');
    expectError(
      await call(emu.base, specific, '/v2/bookings', { body: bookingBody(tutoring.id, slot.attributes.start, [customerOf(TORONTO).id]) }),
      404,
      'not_found',
    );
    const group = service('Group Rehab Class');
    const wrongResource = group.relationships.resources.data[0].id;
    const notOffering = massage.relationships.resources.data.every((r: Doc) => r.id !== wrongResource);
    expect(notOffering).toBe(true);
    expectError(
      await call(emu.base, all, '/v2/bookings', { body: bookingBody(massage.id, slot.attributes.start, [customerOf(GLASGOW).id], wrongResource) }),
      422,
      'validation_error',
    );
    const two = await call(emu.base, all, '/v2/bookings', {
      body: bookingBody(massage.id, slot.attributes.start, [customerOf(GLASGOW, 0).id, customerOf(GLASGOW, 1).id]),
    });
    expectError(two, 422, 'validation_error');
    expect((await get('/v2/bookings?page[limit]=1')).doc.meta.total).toBe(60);
  });

  it('books a group class for several customers', async () => {
    const group = service('Group Rehab Class');
    const now = Date.now();
    const [slot] = await slots(group.id, now + DAY, now + 15 * DAY);
    expect(slot.attributes.spaces_available).toBe(6);
    const ids = [customerOf(GLASGOW, 3).id, customerOf(GLASGOW, 4).id];
    const r = await call(emu.base, all, '/v2/bookings', { body: bookingBody(group.id, slot.attributes.start, ids) });
    expect(r.status).toBe(201);
    expect(r.doc.data.attributes.total_spaces).toBe(2);
    expect(r.doc.data.attributes.price).toBe(30);
    expect(r.doc.data.relationships.customers.data.map((c: Doc) => c.id)).toEqual(ids);
  });
});

describe('appointedd bookings: cancel', () => {
  async function futureBooking(token = all): Promise<Doc> {
    const list = await allPages(emu.base, token, `/v2/bookings?filter[status]=confirmed&filter[start_gte]=${iso(Date.now() + DAY)}`);
    expect(list.length).toBeGreaterThan(0);
    return list[0];
  }

  it('cancels with 200, sets cancelled_at, then answers 409', async () => {
    const b = await futureBooking();
    const r = await call(emu.base, all, `/v2/bookings/${b.id}/cancel`, { method: 'POST' });
    expect(r.status).toBe(200);
    expectJsonApi(r.doc);
    expect(r.doc.data.attributes.status).toBe('cancelled');
    expect(r.doc.data.attributes.cancelled_at).toMatch(API_TIME);
    expect(Math.abs(Date.parse(r.doc.data.attributes.cancelled_at) - Date.now())).toBeLessThan(5_000);
    expect(r.doc.data.attributes.updated).toBe(r.doc.data.attributes.cancelled_at);
    expectError(await call(emu.base, all, `/v2/bookings/${b.id}/cancel`, { method: 'POST' }), 409, 'conflict');
    const updated = await get(`/v2/bookings?filter[updated_gte]=${iso(Date.now() - 60_000)}`);
    expect(updated.doc.data.map((x: Doc) => x.id)).toEqual([b.id]);
  });

  it('accepts an optional reason in meta and checks its media type', async () => {
    const b = await futureBooking();
    expectError(
      await call(emu.base, all, `/v2/bookings/${b.id}/cancel`, { body: { meta: { reason: 'ill' } }, contentType: 'application/json' }),
      415,
      'unsupported_media_type',
    );
    expectError(await call(emu.base, all, `/v2/bookings/${b.id}/cancel`, { body: { meta: { reason: 5 } } }), 422, 'validation_error');
    const r = await call(emu.base, all, `/v2/bookings/${b.id}/cancel`, { body: { meta: { reason: 'ill' } } });
    expect(r.status).toBe(200);
  });

  it('refuses started bookings with 422 and unknown or hidden ones with 404', async () => {
    const past = await allPages(emu.base, all, `/v2/bookings?filter[status]=confirmed&filter[end_lte]=${iso(Date.now())}`);
    expect(past.length).toBeGreaterThan(0);
    expectError(await call(emu.base, all, `/v2/bookings/${past[0].id}/cancel`, { method: 'POST' }), 422, 'validation_error');
    expectError(await call(emu.base, all, `/v2/bookings/${'0'.repeat(24)}/cancel`, { method: 'POST' }), 404, 'not_found');
    const toronto = await allPages(emu.base, all, `/v2/bookings?filter[account_id]=${TORONTO}&filter[status]=confirmed&filter[start_gte]=${iso(Date.now())}`);
    expectError(await call(emu.base, specific, `/v2/bookings/${toronto[0].id}/cancel`, { method: 'POST' }), 404, 'not_found');
  });

  it('judges "started" on the emulator clock', async () => {
    const b = await futureBooking();
    const untilStart = Math.ceil((Date.parse(b.attributes.start) - Date.now()) / 1000) + 1;
    await control(emu.base, 'clock', { advanceSeconds: untilStart });
    const token = await getToken(emu.base);
    expectError(await call(emu.base, token, `/v2/bookings/${b.id}/cancel`, { method: 'POST' }), 422, 'validation_error');
  });
});

describe('appointedd availability', () => {
  it('returns only free future slots inside business hours and the range', async () => {
    const massage = service('Sports Massage');
    const now = Date.now();
    const list = await slots(massage.id, now - 2 * DAY, now + 14 * DAY);
    expect(list.length).toBeGreaterThan(20);
    const busy = (await allPages(emu.base, all, `/v2/bookings?filter[account_id]=${GLASGOW}&page[limit]=100`)).filter(
      (b) => b.attributes.status !== 'cancelled',
    );
    const london = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' });
    for (const s of list) {
      const start = Date.parse(s.attributes.start);
      const end = Date.parse(s.attributes.end);
      expect(s.type).toBe('availability-slots');
      expect(s.id).toBe(`${massage.id}.${s.relationships.resource.data.id}.${start / 1000}`);
      expect(end - start).toBe(45 * 60_000);
      expect(start).toBeGreaterThan(now);
      expect(end).toBeLessThanOrEqual(now + 14 * DAY);
      const parts = Object.fromEntries(london.formatToParts(new Date(start)).map((p) => [p.type, p.value]));
      expect(['Sat', 'Sun']).not.toContain(parts.weekday);
      expect(Number(parts.hour) * 60 + Number(parts.minute)).toBeGreaterThanOrEqual(9 * 60);
      expect(Number(parts.hour) * 60 + Number(parts.minute) + 45).toBeLessThanOrEqual(18 * 60);
      const clash = busy.some(
        (b) =>
          b.relationships.resource.data.id === s.relationships.resource.data.id && Date.parse(b.attributes.start) < end && start < Date.parse(b.attributes.end),
      );
      expect(clash).toBe(false);
    }
    const starts = list.map((s) => Date.parse(s.attributes.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const resourceId = massage.relationships.resources.data[0].id;
    const one = await slots(massage.id, now, now + 14 * DAY, `&filter[resource_id]=${resourceId}`);
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((s) => s.relationships.resource.data.id === resourceId)).toBe(true);
  });

  it('validates the range (42 days max), the service and the resource', async () => {
    const massage = service('Sports Massage');
    const now = Date.now();
    const base = `/v2/availability/slots?filter[service_id]=${massage.id}`;
    expect((await slots(massage.id, now, now + 42 * DAY)).length).toBeGreaterThan(0);
    expectError(await get(`${base}&filter[start]=${iso(now)}&filter[end]=${iso(now + 42 * DAY + 1000)}`), 400, 'bad_request');
    expectError(await get(`${base}&filter[start]=${iso(now)}&filter[end]=${iso(now - 1000)}`), 400, 'bad_request');
    expectError(await get(`${base}&filter[start]=${iso(now)}`), 400, 'bad_request');
    expectError(await get(`/v2/availability/slots?filter[start]=${iso(now)}&filter[end]=${iso(now + DAY)}`), 400, 'bad_request');
    expectError(
      await get(`/v2/availability/slots?filter[service_id]=${'0'.repeat(24)}&filter[start]=${iso(now)}&filter[end]=${iso(now + DAY)}`),
      404,
      'not_found',
    );
    const tutoring = service('Math Tutoring');
    expectError(
      await get(`/v2/availability/slots?filter[service_id]=${tutoring.id}&filter[start]=${iso(now)}&filter[end]=${iso(now + DAY)}`, specific),
      404,
      'not_found',
    );
    const group = service('Group Rehab Class');
    expectError(
      await get(`${base}&filter[start]=${iso(now)}&filter[end]=${iso(now + DAY)}&filter[resource_id]=${group.relationships.resources.data[0].id}`),
      400,
      'bad_request',
    );
    expect(await slots(massage.id, now - 10 * DAY, now - DAY)).toEqual([]);
  });
});
