import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type Emu,
  expectError,
  HARBOR,
  INITIAL_ASSESSMENT,
  type Json,
  listAll,
  MAPLE,
  OFFSET_TIME,
  PRIYA,
  startOnSched,
  UUID,
} from './onsched-helpers.js';

const ANCHOR = '2026-03-02';
let emu: Emu;
let token: string;
beforeAll(async () => {
  emu = await startOnSched({ anchorDate: ANCHOR });
  token = await emu.token();
});
afterAll(() => emu.close());

describe('onsched company, locations, services, resources', () => {
  it('returns the company of the x-api-key', async () => {
    const res = await api(emu.base, token, '/setup/v1/companies');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      object: 'company',
      id: HARBOR.id,
      name: 'Harbor Physio',
      email: 'admin@harborphysio.example',
      phone: '2125550100',
      addressLine1: '77 Water St',
      addressLine2: null,
      city: 'New York',
      state: 'NY',
      country: 'US',
      postalCode: '10005',
      timezoneName: 'America/New_York',
      timezoneId: 'Eastern Standard Time',
      registrationDate: '2024-04-02T14:00:00Z',
      deletedStatus: false,
      clientId: null,
      clientSecret: null,
      bookingWebhookUrl: null,
      customerWebhookUrl: null,
      reminderWebhookUrl: null,
      resourceWebhookUrl: null,
      webhookSignatureHash: null,
    });
  });

  it('lists and gets locations with their zones', async () => {
    const res = await api(emu.base, token, '/consumer/v1/locations');
    expect(res.body).toMatchObject({ object: 'list', url: '/consumer/v1/locations', hasMore: false, count: 2, total: 2 });
    const [manhattan, denver] = res.body.data;
    expect(manhattan).toMatchObject({
      object: 'location',
      id: HARBOR.manhattan,
      companyId: HARBOR.id,
      primaryBusiness: true,
      timezoneIana: 'America/New_York',
    });
    expect(denver).toMatchObject({ id: HARBOR.denver, primaryBusiness: false, timezoneIana: 'America/Denver' });
    expect(manhattan.address.city).toBe('New York');
    expect((await api(emu.base, token, `/consumer/v1/locations/${HARBOR.denver}`)).body.name).toBe('Harbor Physio – Denver');
    expectError(await api(emu.base, token, `/consumer/v1/locations/${MAPLE.vancouver}`), 404, 'not_found');
    expectError(await api(emu.base, token, '/consumer/v1/locations/123'), 400, 'validation_error');
    const maple = await api(emu.base, token, '/consumer/v1/locations', { key: MAPLE.key });
    expect(maple.body.data.map((l: Json) => [l.id, l.timezoneIana])).toEqual([[MAPLE.vancouver, 'America/Vancouver']]);
  });

  it('lists services with filters and gets one', async () => {
    const all = await api(emu.base, token, '/consumer/v1/services');
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    const first = all.body.data[0];
    expect(first).toEqual({
      object: 'service',
      id: INITIAL_ASSESSMENT,
      companyId: HARBOR.id,
      locationId: null,
      name: 'Initial Assessment',
      description: '60-minute physiotherapy assessment',
      duration: 60,
      bookingInterval: 30,
      feeAmount: 95,
      defaultService: true,
      maxCapacity: 1,
      showOnline: true,
      serviceGroupId: null,
    });
    const denver = await api(emu.base, token, `/consumer/v1/services?locationId=${HARBOR.denver}`);
    expect(denver.body.data.every((s: Json) => s.locationId === null || s.locationId === HARBOR.denver)).toBe(true);
    expect(denver.body.total).toBe(all.body.total - 1);
    const named = await api(emu.base, token, '/consumer/v1/services?name=massage');
    expect(named.body.data.map((s: Json) => s.name)).toEqual(['Sports Massage']);
    expect((await api(emu.base, token, '/consumer/v1/services?defaultService=true')).body.total).toBe(1);
    expect((await api(emu.base, token, `/consumer/v1/services/${INITIAL_ASSESSMENT}`)).body.name).toBe('Initial Assessment');
    expectError(await api(emu.base, token, `/consumer/v1/services/${INITIAL_ASSESSMENT}`, { key: MAPLE.key }), 404, 'not_found');
    expectError(await api(emu.base, token, `/consumer/v1/services?locationId=${MAPLE.vancouver}`), 404, 'not_found');
    expectError(await api(emu.base, token, '/consumer/v1/services?locationId=nope'), 400, 'validation_error');
  });

  it('lists resources, per location and per service', async () => {
    const all = await api(emu.base, token, '/consumer/v1/resources');
    expect(all.body.total).toBe(3);
    expect(all.body.data[0]).toEqual({
      object: 'resource',
      id: PRIYA,
      locationId: HARBOR.manhattan,
      name: 'Dr. Priya Nair',
      email: 'priya@harborphysio.example',
      timezoneIana: 'America/New_York',
    });
    const denver = await api(emu.base, token, `/consumer/v1/resources?locationId=${HARBOR.denver}`);
    expect(denver.body.data.map((r: Json) => r.timezoneIana)).toEqual(['America/Denver']);
    const massage = (await api(emu.base, token, '/consumer/v1/services?name=massage')).body.data[0];
    const forMassage = await api(emu.base, token, `/consumer/v1/services/${massage.id}/resources`);
    expect(forMassage.body.data.every((r: Json) => r.locationId === HARBOR.manhattan)).toBe(true);
    expect(forMassage.body.total).toBe(2);
    const forAssessment = await api(emu.base, token, `/consumer/v1/services/${INITIAL_ASSESSMENT}/resources?locationId=${HARBOR.denver}`);
    expect(forAssessment.body.total).toBe(1);
    expect((await api(emu.base, token, `/consumer/v1/resources/${PRIYA}`)).body.name).toBe('Dr. Priya Nair');
    expect((await api(emu.base, token, '/consumer/v1/resources', { key: MAPLE.key })).body.total).toBe(3);
  });
});

describe('onsched customers', () => {
  it('lists with filters and paging, gets one, hides other companies', async () => {
    const page = await api(emu.base, token, '/consumer/v1/customers?limit=5');
    expect(page.body).toMatchObject({ object: 'list', url: '/consumer/v1/customers', hasMore: true, count: 5 });
    expect(page.body.total).toBeGreaterThanOrEqual(10);
    const all = await listAll(emu.base, token, '/consumer/v1/customers');
    expect(all.length).toBe(page.body.total);
    const jose = all.find((c) => c.email === 'jose.nunez@example.com') as Json;
    expect(jose).toMatchObject({ object: 'customer', firstname: 'José', lastname: 'Núñez', name: 'José Núñez', deletedStatus: false, notificationType: '1' });
    expect(jose.contact.mobilePhone).toMatch(/^\d{10}$/);
    expect(jose.id).toMatch(UUID);
    expect((await api(emu.base, token, '/consumer/v1/customers?email=JOSE.NUNEZ@example.com')).body.data.map((c: Json) => c.id)).toEqual([jose.id]);
    expect((await api(emu.base, token, '/consumer/v1/customers?lastname=núñez')).body.data.map((c: Json) => c.id)).toEqual([jose.id]);
    const denver = await api(emu.base, token, `/consumer/v1/customers?locationId=${HARBOR.denver}&limit=100`);
    expect(denver.body.total).toBeGreaterThan(0);
    expect(denver.body.data.every((c: Json) => c.locationId === HARBOR.denver)).toBe(true);
    expect((await api(emu.base, token, `/consumer/v1/customers/${jose.id}`)).body).toEqual(jose);
    expectError(await api(emu.base, token, `/consumer/v1/customers/${jose.id}`, { key: MAPLE.key }), 404, 'not_found');
  });

  it('creates persons and businesses with the type rules and a unique email', async () => {
    const person = await api(emu.base, token, '/consumer/v1/customers', {
      body: { type: 0, firstname: 'Ada', lastname: 'Łęcka', email: 'ada.lecka@example.org', contact: { mobilePhone: '6465550199' } },
    });
    expect(person.status).toBe(200);
    expect(person.body).toMatchObject({ object: 'customer', name: 'Ada Łęcka', locationId: HARBOR.manhattan, contact: { mobilePhone: '6465550199' } });
    expect(person.body.createdOn).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const business = await api(emu.base, token, '/consumer/v1/customers', {
      body: { type: 1, name: 'Hudson Rowing Club', email: 'crew@hudsonrowing.example', locationId: HARBOR.denver },
    });
    expect(business.body).toMatchObject({ name: 'Hudson Rowing Club', firstname: null, lastname: null, locationId: HARBOR.denver });

    expectError(await api(emu.base, token, '/consumer/v1/customers', { body: { type: 0, firstname: 'Ada', email: 'x@example.org' } }), 400, 'validation_error');
    expectError(await api(emu.base, token, '/consumer/v1/customers', { body: { type: 1, email: 'y@example.org' } }), 400, 'validation_error');
    expectError(await api(emu.base, token, '/consumer/v1/customers', { body: { type: 2, name: 'X', email: 'z@example.org' } }), 400, 'validation_error');
    expectError(
      await api(emu.base, token, '/consumer/v1/customers', { body: { type: 0, firstname: 'A', lastname: 'B', email: 'nope' } }),
      400,
      'validation_error',
    );
    expectError(
      await api(emu.base, token, '/consumer/v1/customers', { body: { type: 0, firstname: 'A', lastname: 'B', email: 'ADA.LECKA@example.org' } }),
      409,
      'conflict',
    );
    expectError(
      await api(emu.base, token, '/consumer/v1/customers', { body: { type: 1, name: 'X', email: 'q@example.org', locationId: MAPLE.vancouver } }),
      404,
      'not_found',
    );
    expectError(
      await api(emu.base, token, '/consumer/v1/customers', { raw: 'type=0', contentType: 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    );
    expectError(await api(emu.base, token, '/consumer/v1/customers', { raw: '{"type":', contentType: 'application/json' }), 400, 'validation_error');
    // The same email is free in another company; text/json and +json bodies are accepted.
    const other = await api(emu.base, token, '/consumer/v1/customers', {
      key: MAPLE.key,
      contentType: 'text/json',
      raw: JSON.stringify({ type: 0, firstname: 'Ada', lastname: 'Łęcka', email: 'ada.lecka@example.org' }),
    });
    expect(other.status).toBe(200);
    const patch = await api(emu.base, token, '/consumer/v1/customers', {
      key: MAPLE.key,
      contentType: 'application/json-patch+json',
      raw: JSON.stringify({ type: 1, name: 'Kits Beach Co', email: 'hi@kitsbeach.example' }),
    });
    expect(patch.status).toBe(200);
  });
});

describe('onsched appointment listing', () => {
  it('pages with offset/limit, caps limit at 100 and sorts by start', async () => {
    const first = await api(emu.base, token, '/consumer/v1/appointments');
    expect(first.body).toMatchObject({ object: 'list', url: '/consumer/v1/appointments', hasMore: true, count: 20 });
    expect(first.body.total).toBeGreaterThanOrEqual(40);
    const all = await listAll(emu.base, token, '/consumer/v1/appointments');
    expect(all.length).toBe(first.body.total);
    expect(all.slice(0, 20)).toEqual(first.body.data);
    const starts = all.map((a) => Date.parse(a.startDateTime));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    const last = await api(emu.base, token, `/consumer/v1/appointments?offset=${all.length - 3}&limit=10`);
    expect(last.body).toMatchObject({ hasMore: false, count: 3, total: all.length });
    expectError(await api(emu.base, token, '/consumer/v1/appointments?limit=101'), 400, 'validation_error');
    expectError(await api(emu.base, token, '/consumer/v1/appointments?limit=0'), 400, 'validation_error');
    expectError(await api(emu.base, token, '/consumer/v1/appointments?offset=-1'), 400, 'validation_error');
    expect((await api(emu.base, token, '/consumer/v1/appointments?limit=100')).body.count).toBe(Math.min(100, all.length));
  });

  it('formats appointments with the location offset and UUIDs', async () => {
    const all = await listAll(emu.base, token, '/consumer/v1/appointments');
    for (const a of all) {
      expect(a.object).toBe('appointment');
      expect(a.id).toMatch(UUID);
      expect(a.startDateTime).toMatch(OFFSET_TIME);
      expect(a.endDateTime).toMatch(OFFSET_TIME);
      expect(a.date).toBe(a.startDateTime.slice(0, 10));
      expect(a.time).toBe(Number(a.startDateTime.slice(11, 13)) * 100 + Number(a.startDateTime.slice(14, 16)));
      expect((Date.parse(a.endDateTime) - Date.parse(a.startDateTime)) / 60_000).toBe(a.duration);
      const offset = a.startDateTime.slice(19);
      if (a.locationId === HARBOR.manhattan) expect(['-05:00', '-04:00']).toContain(offset);
      if (a.locationId === HARBOR.denver) expect(['-07:00', '-06:00']).toContain(offset);
    }
    const one = all.find((a) => a.status === 'BK') as Json;
    expect((await api(emu.base, token, `/consumer/v1/appointments/${one.id}`)).body).toEqual(one);
    expectError(await api(emu.base, token, `/consumer/v1/appointments/${one.id}`, { key: MAPLE.key }), 404, 'not_found');
    expectError(await api(emu.base, token, '/consumer/v1/appointments/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expectError(await api(emu.base, token, '/consumer/v1/appointments/42'), 400, 'validation_error');
  });

  it('applies every documented filter', async () => {
    const all = await listAll(emu.base, token, '/consumer/v1/appointments');
    const check = async (query: string, expected: (a: Json) => boolean) => {
      const got = await listAll(emu.base, token, `/consumer/v1/appointments?${query}`);
      const want = all.filter(expected);
      expect(want.length, query).toBeGreaterThan(0);
      expect(
        got.map((a) => a.id),
        query,
      ).toEqual(want.map((a) => a.id));
    };
    const sample = all.find((a) => a.status === 'BK' && a.customerId) as Json;
    await check(`locationId=${HARBOR.denver}`, (a) => a.locationId === HARBOR.denver);
    await check(`serviceId=${INITIAL_ASSESSMENT}`, (a) => a.serviceId === INITIAL_ASSESSMENT);
    await check(`resourceId=${PRIYA}`, (a) => a.resourceId === PRIYA);
    await check(`customerId=${sample.customerId}`, (a) => a.customerId === sample.customerId);
    await check(`calendarId=${sample.calendarId}`, (a) => a.calendarId === sample.calendarId);
    await check(`email=${encodeURIComponent(sample.email.toUpperCase())}`, (a) => a.email === sample.email);
    await check(`lastname=${encodeURIComponent(sample.lastname)}`, (a) => a.lastname === sample.lastname);
    await check(`phone=${sample.phone}`, (a) => a.phone === sample.phone);
    await check(`bookedBy=${encodeURIComponent(sample.bookedBy)}`, (a) => a.bookedBy === sample.bookedBy);
    await check('startDate=2026-03-05&endDate=2026-03-12', (a) => a.date >= '2026-03-05' && a.date <= '2026-03-12');
    await check('startDate=2026-03-20', (a) => a.date >= '2026-03-20');
    await check('endDate=2026-02-10', (a) => a.date <= '2026-02-10');
    for (const status of ['BK', 'RS', 'IN', 'CN', 'NS', 'RE']) await check(`status=${status}`, (a) => a.status === status);
    await check(`status=BK&locationId=${HARBOR.manhattan}`, (a) => a.status === 'BK' && a.locationId === HARBOR.manhattan);
    expect((await api(emu.base, token, '/consumer/v1/appointments?serviceAllocationId=00000000-0000-4000-8000-000000000000')).body.total).toBe(0);
    expectError(await api(emu.base, token, '/consumer/v1/appointments?status=XX'), 400, 'validation_error');
    expectError(await api(emu.base, token, '/consumer/v1/appointments?startDate=2026-3-5'), 400, 'validation_error');
    expectError(await api(emu.base, token, '/consumer/v1/appointments?resourceId=abc'), 400, 'validation_error');
    expectError(await api(emu.base, token, `/consumer/v1/appointments?locationId=${MAPLE.vancouver}`), 404, 'not_found');
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const unknown = await api(emu.base, token, '/consumer/v1/nothing');
    expectError(unknown, 404, 'not_found');
    const wrong = await api(emu.base, token, '/consumer/v1/locations', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(wrong.body.status).toBe('error');
  });
});

describe('onsched seed', () => {
  const statuses = (list: Json[]) => {
    const out: Record<string, number> = {};
    for (const a of list) out[a.status] = (out[a.status] ?? 0) + 1;
    return out;
  };

  it('meets the minimums for both companies', async () => {
    const anchor = Date.parse(`${ANCHOR}T00:00:00Z`);
    const zones = new Set<string>();
    for (const [key, min] of [
      [HARBOR.key, 40],
      [MAPLE.key, 12],
    ] as const) {
      const list = await listAll(emu.base, token, '/consumer/v1/appointments', key);
      expect(list.length).toBeGreaterThanOrEqual(min);
      const counts = statuses(list);
      for (const s of ['BK', 'RS', 'IN', 'CN', 'NS', 'RE']) expect(counts[s], s).toBeGreaterThanOrEqual(2);
      expect(list.filter((a) => a.status === 'BK' && a.confirmed).length).toBeGreaterThanOrEqual(1);
      const times = list.map((a) => Date.parse(a.startDateTime));
      expect(times.filter((t) => t < anchor).length).toBeGreaterThanOrEqual(list.length / 3);
      expect(times.filter((t) => t > anchor).length).toBeGreaterThanOrEqual(list.length / 3);
      expect(times.every((t) => Math.abs(t - anchor) <= 31 * 86_400_000)).toBe(true);
      // Every appointment lies inside its location's business hours.
      const locations = (await api(emu.base, token, '/consumer/v1/locations', { key })).body.data as Json[];
      for (const a of list) {
        const loc = locations.find((l) => l.id === a.locationId) as Json;
        zones.add(loc.timezoneIana);
        const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(`${a.date}T12:00:00Z`).getUTCDay()];
        const hours = loc.businessHours[day];
        expect(hours.isOpen, `${a.startDateTime} ${day}`).toBe(true);
        const end = Number(a.endDateTime.slice(11, 13)) * 100 + Number(a.endDateTime.slice(14, 16));
        expect(a.time).toBeGreaterThanOrEqual(hours.startTime);
        expect(end).toBeLessThanOrEqual(hours.endTime);
      }
      // Rescheduled placeholders point at the live appointment.
      for (const re of list.filter((a) => a.status === 'RE')) {
        const live = list.find((a) => a.id === re.rescheduledId) as Json;
        expect(live.status).toBe('BK');
        expect(live.customerId).toBe(re.customerId);
      }
      expect((await api(emu.base, token, '/consumer/v1/services', { key })).body.total).toBeGreaterThanOrEqual(3);
      expect((await api(emu.base, token, '/consumer/v1/customers', { key })).body.total).toBeGreaterThanOrEqual(10);
      expect((await api(emu.base, token, '/consumer/v1/resources', { key })).body.total).toBe(3);
    }
    expect(zones).toEqual(new Set(['America/New_York', 'America/Denver', 'America/Vancouver']));
    const customers = await listAll(emu.base, token, '/consumer/v1/customers');
    expect(customers.some((c) => [...c.name].some((ch: string) => ch.charCodeAt(0) > 127))).toBe(true);
  });

  it('is deterministic: the same anchor gives byte-identical listings', async () => {
    const [a, b, shifted] = await Promise.all([
      startOnSched({ anchorDate: ANCHOR }),
      startOnSched({ anchorDate: ANCHOR }),
      startOnSched({ anchorDate: '2026-03-09' }),
    ]);
    try {
      const [ta, tb] = [await a.token(), await b.token()];
      for (const key of [HARBOR.key, MAPLE.key]) {
        for (const path of [
          '/consumer/v1/appointments?limit=100',
          '/consumer/v1/customers?limit=100',
          '/consumer/v1/services',
          '/consumer/v1/resources',
          '/consumer/v1/locations',
        ]) {
          const x = await fetch(`${a.base}${path}`, { headers: { authorization: `Bearer ${ta}`, 'x-api-key': key } });
          const y = await fetch(`${b.base}${path}`, { headers: { authorization: `Bearer ${tb}`, 'x-api-key': key } });
          const text = await x.text();
          expect(text.length).toBeGreaterThan(500);
          expect(text).toBe(await y.text());
        }
      }
      const s = await api(shifted.base, await shifted.token(), '/consumer/v1/appointments?limit=1', { key: MAPLE.key });
      const o = await api(a.base, ta, '/consumer/v1/appointments?limit=1', { key: MAPLE.key });
      expect(s.body.data[0].startDateTime).not.toBe(o.body.data[0].startDateTime);
    } finally {
      await Promise.all([a.close(), b.close(), shifted.close()]);
    }
  });
});
