import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { API_KEYS, api, control, listAll, login } from './dayschedule-helpers.js';

let emu: { baseUrl: string; close(): Promise<void> };
let base: string;
let t1117: string;
let t2245: string;
const ANCHOR = '2026-03-02';
const anchorMs = Date.parse(`${ANCHOR}T00:00:00.000Z`);
const DAY = 86_400_000;

beforeAll(async () => {
  emu = await startEmulator('dayschedule', { anchorDate: ANCHOR });
  base = emu.baseUrl;
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(base, 'reset');
  t1117 = (await login(base, 1117)).access_token;
  t2245 = (await login(base, 2245)).access_token;
});

type Rec = Record<string, any>;

/** Local `HH:MM` and weekday of an instant in `tz`. */
function local(tz: string, iso: string) {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' }).formatToParts(
    new Date(iso),
  );
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { hm: `${get('hour')}:${get('minute')}`, day: get('weekday').toUpperCase() };
}

describe('dayschedule seed data', () => {
  it('meets the README §6 and contract §1 minimums in both organizations', async () => {
    for (const [token, orgId, minBookings, minUsers] of [
      [t1117, 1117, 40, 2],
      [t2245, 2245, 12, 2],
    ] as const) {
      const users = await listAll<Rec>(base, '/v1/users', token);
      expect(users.length).toBeGreaterThanOrEqual(minUsers);
      expect(users.length).toBeLessThanOrEqual(3);
      expect(users.filter((u) => u.role === 'Owner').map((u) => u.user_id)).toEqual([orgId === 1117 ? 3241 : 5120]);
      const resources = await listAll<Rec>(base, '/v1/resources', token);
      expect(resources.length).toBeGreaterThanOrEqual(3);
      const details = await Promise.all(resources.map(async (r) => (await api(base, `/v1/resources/${r.id}`, { token })).json()));
      expect(details.filter((d) => d.settings.requires_approval === true).length).toBeGreaterThanOrEqual(1);
      const contacts = await listAll<Rec>(base, '/v1/contacts', token);
      expect(contacts.length).toBeGreaterThanOrEqual(10);
      const bookings = await listAll<Rec>(base, '/v1/bookings', token);
      expect(bookings.length).toBeGreaterThanOrEqual(minBookings);
      for (const status of ['confirmed', 'pending', 'canceled']) {
        expect(bookings.filter((b) => b.status === status).length, status).toBeGreaterThanOrEqual(2);
      }
      const starts = bookings.map((b) => Date.parse(b.start_at));
      expect(starts.filter((s) => s < anchorMs).length).toBeGreaterThanOrEqual(bookings.length / 3);
      expect(starts.filter((s) => s >= anchorMs).length).toBeGreaterThanOrEqual(bookings.length / 3);
      for (const s of starts) expect(Math.abs(s - anchorMs)).toBeLessThanOrEqual(30 * DAY);
      // Every booking lies inside a working window of its host, in the host's time zone.
      for (const b of bookings) {
        const host = users.find((u) => u.user_id === b.host.user_id) as Rec;
        const s = local(host.time_zone, b.start_at);
        const e = local(host.time_zone, b.end_at);
        const day = host.availability.find((a: Rec) => a.day === s.day);
        expect(day.is_available, `${b.booking_id} on ${s.day}`).toBe(true);
        expect(
          day.times.some((t: Rec) => t.start <= s.hm && e.hm <= t.end && s.hm < e.hm),
          `${b.booking_id} ${s.hm}-${e.hm}`,
        ).toBe(true);
      }
      // Pending bookings belong to an approval resource.
      const approval = new Set(details.filter((d) => d.settings.requires_approval).map((d) => d.id));
      for (const b of bookings.filter((x) => x.status === 'pending')) expect(approval.has(b.resource.resource_id)).toBe(true);
    }
  });

  it('uses several invitee time zones and non-ASCII names', async () => {
    const zones = new Set<string>();
    const names: string[] = [];
    for (const token of [t1117, t2245]) {
      for (const b of await listAll<Rec>(base, '/v1/bookings', token)) {
        const detail = await (await api(base, `/v1/bookings/${b.booking_id}`, { token })).json();
        for (const i of detail.invitees) {
          zones.add(i.time_zone);
          names.push(i.name);
        }
      }
    }
    for (const z of ['Asia/Kolkata', 'Europe/Berlin', 'Europe/London', 'America/New_York']) expect(zones.has(z)).toBe(true);
    expect(names).toContain('Zoë Müller');
    expect(names.some((n) => /[^\x00-\x7F]/.test(n))).toBe(true);
  });

  it('is deterministic: two emulators with the same anchor serve byte-identical listings', async () => {
    const other = await startEmulator('dayschedule', { anchorDate: ANCHOR });
    const third = await startEmulator('dayschedule', { anchorDate: '2026-03-09' });
    try {
      const read = async (b: string, path: string) => (await api(b, `${path}${path.includes('?') ? '&' : '?'}apiKey=${API_KEYS[1117]}`)).text();
      for (const path of ['/v1/bookings?limit=100', '/v1/contacts?limit=100', '/v1/resources', '/v1/users', '/v1/pages']) {
        expect(await read(other.baseUrl, path)).toBe(await read(base, path));
      }
      expect(await read(third.baseUrl, '/v1/bookings?limit=100')).not.toBe(await read(base, '/v1/bookings?limit=100'));
    } finally {
      await other.close();
      await third.close();
    }
  });
});

describe('dayschedule users and pages', () => {
  it('lists users with the documented fields', async () => {
    const r = await api(base, '/v1/users', { token: t1117 });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await r.json();
    expect(body).toMatchObject({ offset: 0, limit: 20, total: 3, returned: 3 });
    expect(body.result[0]).toEqual({
      user_id: 3241,
      org_id: 1117,
      name: 'Asha Raman',
      email: 'asha@sunrise-yoga.example',
      phone: '+91 98450 11223',
      role: 'Owner',
      status: 'active',
      time_zone: 'Asia/Kolkata',
      page_id: 1000,
      booking_url: 'sunrise-yoga.dayschedule.com',
      availability: expect.arrayContaining([{ day: 'MON', times: [{ start: '07:00', end: '12:00' }], is_available: true }]),
    });
  });

  it('lists pages; the default page carries the public name', async () => {
    const body = await (await api(base, '/v1/pages', { token: t2245 })).json();
    const def = body.result.filter((p: Rec) => p.is_default);
    expect(def).toHaveLength(1);
    expect(def[0]).toMatchObject({ page_id: 2000, org_id: 2245, user_id: 5120, name: 'Berlin Career Coaching', is_published: true });
    expect(def[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('dayschedule resources', () => {
  it('lists resources with filters; the list item has no detail fields', async () => {
    const all = await (await api(base, '/v1/resources', { token: t1117 })).json();
    expect(all.total).toBe(4);
    const first = all.result[0];
    expect(first).toMatchObject({
      org_id: 1117,
      page_id: 1000,
      user_id: 3241,
      name: 'Private Yoga Session',
      slug: '/private-yoga',
      type: 'event',
      is_enabled: true,
      durations: [{ type: 'minutes', value: 60 }],
      prices: [{ name: 'Standard', duration: '60m', amount: 1500, currency: 'INR' }],
    });
    expect(first.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Number.isInteger(first.schedule_id)).toBe(true);
    expect(first).not.toHaveProperty('settings');
    const services = await (await api(base, '/v1/resources?type=service', { token: t1117 })).json();
    expect(services.result.map((r: Rec) => r.name)).toEqual(['Ayurveda Consultation']);
    const byUser = await (await api(base, '/v1/resources?user_id=3258', { token: t1117 })).json();
    expect(byUser.result.map((r: Rec) => r.name).sort()).toEqual(['Group Hatha Class', 'Intro Call']);
    const none = await api(base, '/v1/resources?type=webinar', { token: t1117 });
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ statusCode: 404, message: 'No resources found', error: 'Not Found' });
    const bad = await api(base, '/v1/resources?type=class&user_id=x', { token: t1117 });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(badBody.error).toBe('Bad Request');
    expect(badBody.message).toEqual(['user_id must be an integer number', 'type must be one of the following values: event, webinar, service']);
  });

  it('gets one resource with event_type, capacity, locations, questions and settings', async () => {
    const list = await (await api(base, '/v1/resources', { token: t2245 })).json();
    const coaching = list.result.find((r: Rec) => r.name === 'Interview Coaching');
    const r = await api(base, `/v1/resources/${coaching.id}`, { token: t2245 });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ id: coaching.id, event_type: 'one_on_one', capacity: 1, settings: { requires_approval: true } });
    expect(body.locations[0].type).toBe('in_person');
    expect(Array.isArray(body.questions)).toBe(true);
    const masterclass = await (await api(base, `/v1/resources/${list.result.find((x: Rec) => x.type === 'webinar').id}`, { token: t2245 })).json();
    expect(masterclass).toMatchObject({ event_type: 'group', capacity: 50, durations: [{ type: 'hours', value: 1 }] });
  });

  it('hides other organizations and validates ids', async () => {
    const list = await (await api(base, '/v1/resources', { token: t2245 })).json();
    const foreign = await api(base, `/v1/resources/${list.result[0].id}`, { token: t1117 });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ statusCode: 404, message: 'Resource not found', error: 'Not Found' });
    const bad = await api(base, '/v1/resources/not-an-id', { token: t1117 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toEqual(['id must be a mongodb id']);
  });
});

describe('dayschedule contacts', () => {
  it('pages through contacts and answers 404 past the end', async () => {
    const page = await (await api(base, '/v1/contacts?limit=5&offset=10', { token: t1117 })).json();
    expect(page).toMatchObject({ offset: 10, limit: 5, total: 12, returned: 2 });
    const c = page.result[0];
    expect(Object.keys(c).sort()).toEqual(
      ['company', 'contact_id', 'created_at', 'custom_fields', 'email', 'hotness', 'name', 'org_id', 'phone', 'source', 'tags', 'updated_at', 'user_id'].sort(),
    );
    const past = await api(base, '/v1/contacts?offset=12', { token: t1117 });
    expect(past.status).toBe(404);
    expect(await past.json()).toEqual({ statusCode: 404, message: 'No contacts found', error: 'Not Found' });
    for (const q of ['limit=101', 'limit=0', 'offset=-1', 'limit=abc']) {
      const r = await api(base, `/v1/contacts?${q}`, { token: t1117 });
      expect(r.status, q).toBe(400);
      expect(Array.isArray((await r.json()).message)).toBe(true);
    }
  });

  it('filters by exact email and gets one contact', async () => {
    const r = await (await api(base, '/v1/contacts?email=zoe.muller@example.com', { token: t1117 })).json();
    expect(r.total).toBe(1);
    expect(r.result[0].name).toBe('Zoë Müller');
    const one = await api(base, `/v1/contacts/${r.result[0].contact_id}`, { token: t1117 });
    expect(await one.json()).toEqual(r.result[0]);
    expect((await api(base, `/v1/contacts/${r.result[0].contact_id}`, { token: t2245 })).status).toBe(404);
    expect((await api(base, '/v1/contacts?email=zoe.muller@example.co', { token: t1117 })).status).toBe(404);
  });

  it('creates contacts; duplicates are 409; bodies are validated', async () => {
    const r = await api(base, '/v1/contacts', {
      token: t2245,
      method: 'POST',
      body: { name: 'Ines Ibáñez', email: 'ines@example.org', phone: '+34 600 000 000' },
    });
    expect(r.status).toBe(201);
    const c = await r.json();
    expect(c).toMatchObject({ org_id: 2245, user_id: 5120, name: 'Ines Ibáñez', email: 'ines@example.org', phone: '+34 600 000 000', company: '', tags: [] });
    expect(c.contact_id).toMatch(/^[0-9a-f]{24}$/);
    expect((await (await api(base, '/v1/contacts?email=ines@example.org', { token: t2245 })).json()).total).toBe(1);
    // The other organization may use the same email.
    expect((await api(base, '/v1/contacts', { token: t1117, method: 'POST', body: { name: 'Ines', email: 'ines@example.org' } })).status).toBe(201);

    const dup = await api(base, '/v1/contacts', { token: t2245, method: 'POST', body: { name: 'Other', email: 'INES@example.org' } });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ statusCode: 409, error: 'Conflict' });

    const invalid = await api(base, '/v1/contacts', { token: t2245, method: 'POST', body: { name: '', email: 'nope' } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ statusCode: 400, message: ['name should not be empty', 'email must be an email'], error: 'Bad Request' });

    const text = await fetch(`${base}/v1/contacts`, { method: 'POST', headers: { authorization: `Bearer ${t2245}`, 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
    expect((await text.json()).statusCode).toBe(415);
    const malformed = await fetch(`${base}/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t2245}`, 'content-type': 'application/json; charset=utf-8' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    const unknownUser = await api(base, '/v1/contacts', { token: t2245, method: 'POST', body: { name: 'A B', email: 'ab@example.org', user_id: 3241 } });
    expect(unknownUser.status).toBe(404);
  });
});

describe('dayschedule errors and routing', () => {
  it('answers unknown paths 404 and wrong methods 405 with Allow, in the platform shape', async () => {
    const r = await api(base, '/v1/nothing', { token: t1117 });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const m = await api(base, '/v1/contacts/66f1a3d09e2b4c7a81f05d34', { token: t1117, method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET');
    expect((await m.json()).statusCode).toBe(405);
  });

  it('injected faults use the §5 bodies', async () => {
    await control(base, 'faults', { match: '/v1/users', status: 429, retryAfterSeconds: 7, count: 1 });
    const limited = await api(base, '/v1/users', { token: t1117 });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ statusCode: 429, message: 'ThrottlerException: Too Many Requests' });
    await control(base, 'faults', { match: '/v1/users', status: 500, count: 1 });
    const failed = await api(base, '/v1/users', { token: t1117 });
    expect(await failed.json()).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect((await api(base, '/v1/users', { token: t1117 })).status).toBe(200);
    const stats = await (await control(base, 'stats', undefined, 'GET')).json();
    expect(stats.rateLimited).toBe(1);
    expect(stats.api).toBe(3);
  });
});
