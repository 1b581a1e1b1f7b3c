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
beforeAll(async () => {
  emu = await startAppointedd();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(emu.base, 'reset');
  all = await getToken(emu.base);
  specific = await getToken(emu.base, SPECIFIC_CLIENT);
});

const get = (path: string, token = all) => call(emu.base, token, path);

describe('appointedd documents', () => {
  it('serves JSON:API documents with the bare media type and absolute self links', async () => {
    const r = await get('/v2/accounts');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(JSONAPI);
    expectJsonApi(r.doc);
    expect(r.doc.jsonapi).toEqual({ version: '1.0' });
    expect(r.doc.links.self).toBe(`${emu.base}/v2/accounts`);
    for (const a of r.doc.data) expect(a.links.self).toBe(`${emu.base}/v2/accounts/${a.id}`);
  });

  it('rejects include, sort and sparse fieldsets with 400', async () => {
    for (const q of ['include=service', 'sort=-start', 'fields[bookings]=start']) {
      const e = expectError(await get(`/v2/bookings?${q}`), 400, 'bad_request');
      expect(e.source.parameter).toBe(q.split('=')[0]);
    }
    expectError(await get(`/v2/accounts/${GLASGOW}?include=services`), 400, 'bad_request');
  });

  it('answers unknown paths 404 and wrong methods 405 with Allow, in the error shape', async () => {
    expectError(await get('/v2/nothing'), 404, 'not_found');
    const r = await call(emu.base, all, '/v2/bookings/aaaaaaaaaaaaaaaaaaaaaaaa', { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET');
    expect(r.doc.errors[0].status).toBe('405');
  });

  it('serves injected faults in the platform error shape', async () => {
    await control(emu.base, 'faults', { match: '/v2/bookings', status: 503, count: 1 });
    expectError(await get('/v2/bookings'), 503, 'server_error');
    await control(emu.base, 'faults', { match: '/v2/bookings', status: 429, retryAfterSeconds: 7, count: 1 });
    const limited = expectError(await get('/v2/bookings'), 429, 'rate_limited');
    expect(limited.status).toBe('429');
  });
});

describe('appointedd accounts, services, resources', () => {
  it('lists accounts newest first with their attributes', async () => {
    const r = await get('/v2/accounts');
    expect(r.doc.meta).toEqual({ total: 2 });
    expect(r.doc.data.map((a: Doc) => a.id)).toEqual([TORONTO, GLASGOW]);
    const glasgow = r.doc.data[1];
    expect(glasgow.type).toBe('accounts');
    expect(glasgow.attributes).toMatchObject({ name: 'Glasgow Physio Clinic', timezone: 'Europe/London', currency: 'GBP', locale: 'en' });
    expect(glasgow.attributes.created).toMatch(API_TIME);
    expect(glasgow.attributes.updated).toMatch(API_TIME);
    expect(r.doc.links.next).toBeNull();
    expect(r.doc.links.prev).toBeNull();
    const one = await get(`/v2/accounts/${TORONTO}`);
    expectJsonApi(one.doc);
    expect(one.doc.data.attributes).toMatchObject({ name: 'Toronto Tutoring Centre', timezone: 'America/Toronto', currency: 'CAD' });
  });

  it('limits a specific-permission client to its account (403 in a filter, 404 for objects)', async () => {
    const r = await get('/v2/accounts', specific);
    expect(r.doc.data.map((a: Doc) => a.id)).toEqual([GLASGOW]);
    expectError(await get(`/v2/accounts/${TORONTO}`, specific), 404, 'not_found');
    const forbidden = expectError(await get(`/v2/bookings?filter[account_id]=${GLASGOW},${TORONTO}`, specific), 403, 'forbidden');
    expect(forbidden.source.parameter).toBe('filter[account_id]');
    expectError(await get(`/v2/customers?filter[account_id]=${TORONTO}`, specific), 403, 'forbidden');
    expectError(await get(`/v2/services?filter[account_id]=${'0'.repeat(24)}`, all), 403, 'forbidden');
    expectError(await get('/v2/services?filter[account_id]=nope', all), 400, 'bad_request');
    const torontoServices = await allPages(emu.base, all, `/v2/services?filter[account_id]=${TORONTO}`);
    expectError(await get(`/v2/services/${torontoServices[0].id}`, specific), 404, 'not_found');
    const bookings = await allPages(emu.base, specific, '/v2/bookings?page[limit]=100');
    expect(bookings.length).toBeGreaterThanOrEqual(40);
    expect(bookings.every((b) => b.relationships.account.data.id === GLASGOW)).toBe(true);
    const stats = await (await fetch(`${emu.base}/__sandbox/stats`)).json();
    expect(stats.forbidden).toBe(3);
  });

  it('lists services with durations, price and resources; resources filter by service', async () => {
    const services = await allPages(emu.base, all, `/v2/services?filter[account_id]=${GLASGOW}`);
    expect(services.length).toBeGreaterThanOrEqual(3);
    const massage = services.find((s) => s.attributes.name === 'Sports Massage') as Doc;
    expect(massage.attributes).toEqual({
      name: 'Sports Massage',
      description: '45-minute deep tissue',
      category_id: expect.stringMatching(OBJECT_ID),
      booking: { type: 'Hourly', durations: [45] },
      price: 45,
      currency: 'GBP',
    });
    expect(massage.relationships.account.data).toEqual({ type: 'accounts', id: GLASGOW });
    const resourceIds = massage.relationships.resources.data.map((r: Doc) => r.id);
    expect(resourceIds.length).toBeGreaterThan(0);
    const resources = await get(`/v2/resources?filter[service_id]=${massage.id}`);
    expectJsonApi(resources.doc);
    expect(resources.doc.data.map((r: Doc) => r.id).sort()).toEqual([...resourceIds].sort());
    const ada = resources.doc.data.find((r: Doc) => r.attributes.profile.name === 'Ada Lovelace');
    expect(ada.attributes.profile).toEqual({ name: 'Ada Lovelace', email: 'ada@glasgowphysio.example', phone: '+44 141 555 0100' });
    expect(ada.relationships.services.data).toContainEqual({ type: 'services', id: massage.id });
    const one = await get(`/v2/resources/${ada.id}`);
    expect(one.doc.data.id).toBe(ada.id);
    const svc = await get(`/v2/services/${massage.id}`);
    expectJsonApi(svc.doc);
    expect(svc.doc.links.self).toBe(`${emu.base}/v2/services/${massage.id}`);
    const allResources = await allPages(emu.base, all, '/v2/resources');
    expect(allResources.filter((r) => r.relationships.account.data.id === GLASGOW)).toHaveLength(3);
    expect(allResources.filter((r) => r.relationships.account.data.id === TORONTO)).toHaveLength(2);
    expectError(await get('/v2/resources?filter[service_id]=xyz'), 400, 'bad_request');
  });
});

describe('appointedd paging', () => {
  it('pages newest first with cursors, complete next/prev URLs and meta.total', async () => {
    const first = await get('/v2/bookings');
    expectJsonApi(first.doc);
    expect(first.doc.data).toHaveLength(10);
    const total = first.doc.meta.total;
    expect(total).toBeGreaterThanOrEqual(52);
    expect(first.doc.links.prev).toBeNull();
    expect(first.doc.links.next).toMatch(new RegExp(`^${emu.base}/v2/bookings\\?page%5Bstart%5D=[0-9a-f]{24}$`));
    const items = await allPages(emu.base, all, '/v2/bookings?page[limit]=7');
    expect(items).toHaveLength(total);
    expect(new Set(items.map((b) => b.id)).size).toBe(total);
    const created = items.map((b) => Date.parse(b.attributes.created));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(items.slice(0, 10).map((b) => b.id)).toEqual(first.doc.data.map((b: Doc) => b.id));

    const second = await call(emu.base, all, first.doc.links.next.slice(emu.base.length));
    expect(second.doc.data[0].id).toBe(items[10].id);
    expect(second.doc.links.prev).toBe(`${emu.base}/v2/bookings?page%5Bend%5D=${items[9].id}`);
    const back = await call(emu.base, all, second.doc.links.prev.slice(emu.base.length));
    expect(back.doc.data.map((b: Doc) => b.id)).toEqual(items.slice(0, 10).map((b) => b.id));
    expect(back.doc.links.prev).toBeNull();

    const ending = await get(`/v2/bookings?page[limit]=5&page[end]=${items[2].id}`);
    expect(ending.doc.data.map((b: Doc) => b.id)).toEqual(items.slice(0, 3).map((b) => b.id));
    expect(ending.doc.links.prev).toBeNull();
    const last = await get(`/v2/bookings?page[limit]=100&page[start]=${items[total - 2].id}`);
    expect(last.doc.data).toHaveLength(2);
    expect(last.doc.links.next).toBeNull();
    expect(last.doc.links.prev).toContain('page%5Blimit%5D=100');
  });

  it('rejects bad page parameters and unknown cursors with 400', async () => {
    for (const q of ['page[limit]=0', 'page[limit]=101', 'page[limit]=ten', 'page[start]=zz', `page[start]=${'a'.repeat(24)}`]) {
      const e = expectError(await get(`/v2/bookings?${q}`), 400, 'bad_request');
      expect(e.source.parameter).toBe(q.split('=')[0]);
    }
    expectError(await get(`/v2/bookings?page[start]=${'a'.repeat(24)}&page[end]=${'b'.repeat(24)}`), 400, 'bad_request');
    expect((await get('/v2/bookings?page[limit]=100')).doc.data.length).toBe(60);
    expect((await get('/v2/bookings?page[limit]=1')).doc.data.length).toBe(1);
  });
});

describe('appointedd customers', () => {
  const newCustomer = (overrides: Doc = {}) => ({
    data: {
      type: 'customers',
      attributes: { profile: { firstname: 'Zoë', lastname: 'Quinn', email: 'zoe.quinn@example.com', mobile: '+447700900999' }, ...overrides },
      relationships: { account: { data: { type: 'accounts', id: GLASGOW } } },
    },
  });

  it('lists, filters by email (exact) and name (substring), and gets one', async () => {
    const list = await allPages(emu.base, all, `/v2/customers?filter[account_id]=${GLASGOW}`);
    expect(list.length).toBeGreaterThanOrEqual(10);
    const zoe = list.find((c) => c.attributes.profile.email === 'zoe.muller@example.com') as Doc;
    expect(zoe.attributes.profile).toMatchObject({ firstname: 'Zoë', lastname: 'Müller' });
    expect(Object.keys(zoe.attributes)).toEqual(['profile', 'tags', 'marketing_opt_in', 'created', 'updated']);
    const byEmail = await get(`/v2/customers?filter[email]=${encodeURIComponent('ZOE.MULLER@example.com')}`);
    expect(byEmail.doc.data.map((c: Doc) => c.id)).toEqual([zoe.id]);
    expect((await get('/v2/customers?filter[email]=zoe.muller@example')).doc.data).toHaveLength(0);
    const byName = await get(`/v2/customers?filter[name]=${encodeURIComponent('müll')}`);
    expect(byName.doc.data.map((c: Doc) => c.id)).toEqual([zoe.id]);
    const one = await get(`/v2/customers/${zoe.id}`);
    expectJsonApi(one.doc);
    expect(one.doc.data.relationships.account.data).toEqual({ type: 'accounts', id: GLASGOW });
    expectError(await get(`/v2/customers/${'f'.repeat(24)}`), 404, 'not_found');
    const toronto = await allPages(emu.base, all, `/v2/customers?filter[account_id]=${TORONTO}`);
    expectError(await get(`/v2/customers/${toronto[0].id}`, specific), 404, 'not_found');
  });

  it('creates a customer with 201 and Location, then refuses the duplicate email with 409', async () => {
    const r = await call(emu.base, all, '/v2/customers', { body: newCustomer() });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe(JSONAPI);
    expectJsonApi(r.doc);
    expect(r.doc.data.id).toMatch(OBJECT_ID);
    expect(r.headers.get('location')).toBe(`${emu.base}/v2/customers/${r.doc.data.id}`);
    expect(r.doc.data.attributes).toMatchObject({
      profile: { firstname: 'Zoë', lastname: 'Quinn', email: 'zoe.quinn@example.com', mobile: '+447700900999', phone: null },
      tags: [],
      marketing_opt_in: false,
    });
    expect((await get(`/v2/customers/${r.doc.data.id}`)).status).toBe(200);
    expectError(
      await call(emu.base, all, '/v2/customers', { body: newCustomer({ profile: { firstname: 'A', lastname: 'B', email: 'ZOE.QUINN@example.com' } }) }),
      409,
      'conflict',
    );
    const other = newCustomer();
    other.data.relationships.account.data.id = TORONTO;
    expect((await call(emu.base, all, '/v2/customers', { body: other })).status).toBe(201);
  });

  it('validates media type, JSON, account permission and fields in that order', async () => {
    expectError(await call(emu.base, all, '/v2/customers', { body: newCustomer(), contentType: 'application/json' }), 415, 'unsupported_media_type');
    expectError(await call(emu.base, all, '/v2/customers', { body: newCustomer(), contentType: `${JSONAPI}; charset=utf-8` }), 415, 'unsupported_media_type');
    expectError(await call(emu.base, all, '/v2/customers', { raw: '{"data":' }), 400, 'bad_request');
    const foreign = newCustomer({ profile: {} });
    foreign.data.relationships.account.data.id = TORONTO;
    expectError(await call(emu.base, specific, '/v2/customers', { body: foreign }), 403, 'forbidden');
    const noName = expectError(await call(emu.base, all, '/v2/customers', { body: newCustomer({ profile: { lastname: 'X' } }) }), 422, 'validation_error');
    expect(noName.source.pointer).toBe('/data/attributes/profile/firstname');
    const badEmail = expectError(
      await call(emu.base, all, '/v2/customers', { body: newCustomer({ profile: { firstname: 'A', lastname: 'B', email: 'not-an-email' } }) }),
      422,
      'validation_error',
    );
    expect(badEmail.source.pointer).toBe('/data/attributes/profile/email');
    const noAccount = { data: { type: 'customers', attributes: { profile: { firstname: 'A', lastname: 'B' } } } };
    expectError(await call(emu.base, all, '/v2/customers', { body: noAccount }), 422, 'validation_error');
    expectError(await call(emu.base, all, '/v2/customers', { body: { data: { ...newCustomer().data, type: 'bookings' } } }), 409, 'conflict');
    expectError(await call(emu.base, all, '/v2/customers', { body: { data: { ...newCustomer().data, id: 'a'.repeat(24) } } }), 403, 'forbidden');
  });
});

describe('appointedd reset and check order', () => {
  it('reset restores the seed data after writes', async () => {
    const before = await get('/v2/bookings?page[limit]=100');
    const future = before.doc.data.find((b: Doc) => b.attributes.status === 'confirmed' && Date.parse(b.attributes.start) > Date.now() + 86_400_000);
    expect((await call(emu.base, all, `/v2/bookings/${future.id}/cancel`, { method: 'POST' })).status).toBe(200);
    const customer = {
      data: {
        type: 'customers',
        attributes: { profile: { firstname: 'Ana', lastname: 'Ruiz' } },
        relationships: { account: { data: { type: 'accounts', id: TORONTO } } },
      },
    };
    expect((await call(emu.base, all, '/v2/customers', { body: customer })).status).toBe(201);
    const customersBefore = (await get('/v2/customers')).doc.meta.total;
    expect((await control(emu.base, 'reset')).status).toBe(200);
    const token = await getToken(emu.base);
    const after = await call(emu.base, token, '/v2/bookings?page[limit]=100');
    expect(after.doc).toEqual(before.doc);
    expect((await call(emu.base, token, '/v2/customers')).doc.meta.total).toBe(customersBefore - 1);
  });

  it('authenticates before checking the media type, and checks the media type before the body', async () => {
    const res = await fetch(`${emu.base}/v2/bookings`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(401);
    expectError(await call(emu.base, all, '/v2/bookings', { raw: '{', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    expectError(await call(emu.base, all, '/v2/bookings', { body: { data: [] } }), 422, 'validation_error');
  });
});
