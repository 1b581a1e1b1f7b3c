import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { api, control, firstFreeSlot, listAll, login, now, ymd } from './dayschedule-helpers.js';

let emu: { baseUrl: string; close(): Promise<void> };
let base: string;
let t1117: string;
let t2245: string;
/** Anchored today so that seed bookings surround the emulator clock. */
const ANCHOR = new Date().toISOString().slice(0, 10);
const DAY = 86_400_000;
type Rec = Record<string, any>;
let resources: Record<string, Rec>;

beforeAll(async () => {
  emu = await startEmulator('dayschedule', { anchorDate: ANCHOR });
  base = emu.baseUrl;
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(base, 'reset');
  t1117 = (await login(base, 1117)).access_token;
  t2245 = (await login(base, 2245)).access_token;
  resources = {};
  for (const token of [t1117, t2245]) {
    for (const r of (await (await api(base, '/v1/resources', { token })).json()).result) resources[r.name] = r;
  }
});

const invitee = { name: 'Renée Fleming', email: 'renee.fleming@example.net', time_zone: 'Europe/London' };

async function book(token: string, resource: Rec, start: string, extra: Rec = {}) {
  return api(base, '/v1/bookings', {
    token,
    method: 'POST',
    body: { resource: { resource_id: resource.id }, host: { user_id: resource.user_id }, start_at: start, location: {}, invitees: [invitee], ...extra },
  });
}

describe('dayschedule bookings list', () => {
  it('pages in start order with the documented envelope and item fields', async () => {
    const first = await (await api(base, '/v1/bookings', { token: t1117 })).json();
    expect(first).toMatchObject({ offset: 0, limit: 20, total: 44, returned: 20 });
    const all = await listAll<Rec>(base, '/v1/bookings', t1117);
    expect(all).toHaveLength(44);
    const starts = all.map((b) => b.start_at);
    expect([...starts].sort()).toEqual(starts);
    const b = all[0];
    expect(Object.keys(b).sort()).toEqual(
      [
        'attendees',
        'booking_id',
        'cancel_reason',
        'canceled_at',
        'canceled_by',
        'color',
        'created_at',
        'description',
        'duration',
        'end_at',
        'host',
        'ical_uid',
        'location',
        'org_id',
        'resource',
        'source',
        'start_at',
        'status',
        'subject',
        'time_zone',
        'updated_at',
      ].sort(),
    );
    expect(b.ical_uid).toBe(`${b.booking_id}@ical.dayschedule.com`);
    expect(b.start_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/);
    expect(Object.keys(b.resource).sort()).toEqual(['event_type', 'name', 'resource_id', 'slug', 'type']);
    expect(Object.keys(b.host).sort()).toEqual(['email', 'name', 'time_zone', 'user_id']);
    const last = await api(base, '/v1/bookings?offset=40', { token: t1117 });
    expect((await last.json()).returned).toBe(4);
    const empty = await api(base, '/v1/bookings?offset=44', { token: t1117 });
    expect(empty.status).toBe(404);
    expect(await empty.json()).toEqual({ statusCode: 404, message: 'No bookings found', error: 'Not Found' });
  });

  it('filters by start/end dates, status, source and resource', async () => {
    const all = await listAll<Rec>(base, '/v1/bookings', t1117);
    const day = all[10].start_at.slice(0, 10);
    const onDay = await listAll<Rec>(base, `/v1/bookings?start=${day}&end=${day}`, t1117);
    expect(onDay.length).toBeGreaterThan(0);
    expect(onDay).toEqual(all.filter((b) => b.start_at.slice(0, 10) === day));
    const from = await listAll<Rec>(base, `/v1/bookings?start=${day}`, t1117);
    expect(from).toEqual(all.filter((b) => b.start_at.slice(0, 10) >= day));
    const canceled = await listAll<Rec>(base, '/v1/bookings?status=canceled', t1117);
    expect(canceled.length).toBe(all.filter((b) => b.status === 'canceled').length);
    expect(canceled.every((b) => b.status === 'canceled' && b.canceled_at && b.cancel_reason)).toBe(true);
    const google = await listAll<Rec>(base, '/v1/bookings?source=google', t1117);
    expect(google.length).toBeGreaterThan(0);
    expect(google.every((b) => b.source === 'google')).toBe(true);
    const rid = resources['Group Hatha Class'].id;
    const byResource = await listAll<Rec>(base, `/v1/bookings?resource_id=${rid}`, t1117);
    expect(byResource).toEqual(all.filter((b) => b.resource.resource_id === rid));
    const foreign = await api(base, `/v1/bookings?resource_id=${resources['CV Review'].id}`, { token: t1117 });
    expect(foreign.status).toBe(404);
    const bad = await api(base, '/v1/bookings?start=2026-13-01&status=done&resource_id=12', { token: t1117 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toEqual([
      'start must be a valid date (YYYY-MM-DD)',
      'status must be one of the following values: confirmed, pending, canceled',
      'resource_id must be a mongodb id',
    ]);
  });

  it('gets one booking with logs and invitees; other organizations see 404', async () => {
    const [b] = await listAll<Rec>(base, '/v1/bookings?status=confirmed', t2245);
    const r = await api(base, `/v1/bookings/${b.booking_id}`, { token: t2245 });
    const detail = await r.json();
    expect(detail).toMatchObject(b);
    expect(detail.logs.length).toBeGreaterThan(0);
    expect(typeof detail.logs[0]).toBe('string');
    expect(detail.invitees[0]).toMatchObject({ booking_id: b.booking_id, status: 'confirmed', guests: [] });
    expect(detail.invitees[0].invitee_id).toMatch(/^[0-9a-f]{24}$/);
    expect(detail.invitees[0].token).toMatch(/^[A-Z0-9]{10}$/);
    expect(detail.attendees[0]).toEqual({ email: detail.invitees[0].email, name: detail.invitees[0].name, organizer: false, status: 'accepted' });
    const foreign = await api(base, `/v1/bookings/${b.booking_id}`, { token: t1117 });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ statusCode: 404, message: 'Booking not found', error: 'Not Found' });
  });
});

describe('dayschedule booking creation', () => {
  it('creates a confirmed booking, auto-creates the contact, and frees no longer the slot', async () => {
    const yoga = resources['Private Yoga Session'];
    const slot = await firstFreeSlot(base, yoga.id, await now(base));
    const start = new Date(slot.time).toISOString();
    const r = await book(t1117, yoga, start, { description: 'First class' });
    expect(r.status).toBe(201);
    const b = await r.json();
    expect(b).toMatchObject({
      org_id: 1117,
      source: 'dayschedule',
      status: 'confirmed',
      start_at: start,
      end_at: new Date(Date.parse(start) + 3_600_000).toISOString(),
      duration: { type: 'minutes', value: 60 },
      time_zone: 'Europe/London',
      subject: 'Renée Fleming and Asha Raman: Private Yoga Session',
      description: 'First class',
      resource: { resource_id: yoga.id, event_type: 'one_on_one', name: 'Private Yoga Session' },
      host: { user_id: 3241, name: 'Asha Raman' },
      canceled_at: null,
    });
    expect(b.location).toMatchObject({ type: 'google_meet', name: 'Google Meet' });
    expect(b.location.join_url).toMatch(/^https:\/\/meet\.google\.com\//);
    expect(b.invitees).toHaveLength(1);
    expect(b.invitees[0]).toMatchObject({ name: 'Renée Fleming', email: 'renee.fleming@example.net', status: 'confirmed', time_zone: 'Europe/London' });
    expect(b.logs.length).toBe(1);
    expect((await (await api(base, `/v1/bookings/${b.booking_id}`, { token: t1117 })).json()).booking_id).toBe(b.booking_id);
    const contacts = await (await api(base, '/v1/contacts?email=renee.fleming@example.net', { token: t1117 })).json();
    expect(contacts.result[0]).toMatchObject({ name: 'Renée Fleming', org_id: 1117 });
    // The slot is gone from availability and cannot be booked twice.
    const day = ymd(Date.parse(start));
    const avail = await (await fetch(`${base}/v2/public/availability/${yoga.id}?start=${day}&end=${day}&time_zone=UTC`)).json();
    expect(avail.slots.flatMap((s: Rec) => s.hours).some((h: Rec) => Date.parse(h.time) === Date.parse(start))).toBe(false);
    const again = await book(t1117, yoga, start);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ statusCode: 409, message: 'Selected slot is not available', error: 'Conflict' });
  });

  it('starts pending for an approval resource', async () => {
    const ayurveda = resources['Ayurveda Consultation'];
    const slot = await firstFreeSlot(base, ayurveda.id, await now(base));
    const r = await book(t1117, ayurveda, slot.time);
    expect(r.status).toBe(201);
    const b = await r.json();
    expect(b.status).toBe('pending');
    expect(b.invitees[0].status).toBe('pending');
    expect(b.end_at).toBe(new Date(Date.parse(slot.time) + 45 * 60_000).toISOString());
  });

  it('refuses past, out-of-hours, wrong-host and foreign slots', async () => {
    const yoga = resources['Private Yoga Session'];
    const slot = await firstFreeSlot(base, yoga.id, await now(base));
    const past = await book(t1117, yoga, new Date((await now(base)) - DAY).toISOString());
    expect(past.status).toBe(409);
    // 23:00 in Kolkata is outside every working window.
    const night = `${ymd(Date.parse(slot.time) + DAY)}T17:30:00.000Z`;
    expect((await book(t1117, yoga, night)).status).toBe(409);
    const wrongHost = await book(t1117, { ...yoga, user_id: 3266 }, slot.time);
    expect(wrongHost.status).toBe(409);
    const foreignResource = await book(t2245, yoga, slot.time);
    expect(foreignResource.status).toBe(404);
    expect((await foreignResource.json()).message).toBe('Resource not found');
    const unknownHost = await book(t1117, { ...yoga, user_id: 5120 }, slot.time);
    expect(unknownHost.status).toBe(404);
  });

  it('validates the body with an array of messages, and only accepts JSON', async () => {
    const r = await api(base, '/v1/bookings', {
      token: t1117,
      method: 'POST',
      body: { resource: { resource_id: 'x' }, host: {}, start_at: '2026-13-01', invitees: [{ name: 'A' }] },
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: [
        'resource.resource_id must be a mongodb id',
        'host.user_id must be an integer number',
        'start_at must be a valid ISO 8601 date string',
        'location must be an object',
        'invitees.0.email must be an email',
      ],
    });
    const form = await fetch(`${base}/v1/bookings`, { method: 'POST', headers: { authorization: `Bearer ${t1117}` }, body: new URLSearchParams({ a: 'b' }) });
    expect(form.status).toBe(415);
  });

  it('fills a group class up to its capacity with one booking per request', async () => {
    const hatha = resources['Group Hatha Class'];
    const slot = await firstFreeSlot(base, hatha.id, await now(base));
    expect(slot.users).toEqual([3258]);
    const r1 = await book(t1117, hatha, slot.time);
    const r2 = await book(t1117, hatha, slot.time, { invitees: [{ name: 'Åsa Berg', email: 'asa@example.se' }] });
    expect([r1.status, r2.status]).toEqual([201, 201]);
    const day = ymd(Date.parse(slot.time));
    const avail = await (await fetch(`${base}/v2/public/availability/${hatha.id}?start=${day}&end=${day}&time_zone=UTC`)).json();
    const hour = avail.slots[0].hours.find((h: Rec) => Date.parse(h.time) === Date.parse(slot.time));
    expect(avail.slots[0].capacity).toBe(12);
    expect(hour.available).toBe(10);
  });
});

describe('dayschedule booking updates', () => {
  it('cancels through PUT as the host; a second cancel is 409; past bookings are 400', async () => {
    const clock = await now(base);
    const future = (await listAll<Rec>(base, '/v1/bookings?status=confirmed', t2245)).find((b) => Date.parse(b.start_at) > clock) as Rec;
    const r = await api(base, `/v1/bookings/${future.booking_id}`, {
      token: t2245,
      method: 'PUT',
      body: { status: 'canceled', cancel_reason: 'Client is ill' },
    });
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b).toMatchObject({ status: 'canceled', cancel_reason: 'Client is ill', canceled_by: 'host' });
    expect(Date.parse(b.canceled_at)).toBeGreaterThanOrEqual(clock);
    expect(b.invitees.every((i: Rec) => i.status === 'canceled')).toBe(true);
    expect(b.attendees[0].status).toBe('declined');
    const again = await api(base, `/v1/bookings/${future.booking_id}`, { token: t2245, method: 'PUT', body: { status: 'canceled' } });
    expect(again.status).toBe(409);
    const past = (await listAll<Rec>(base, '/v1/bookings?status=confirmed', t2245)).find((x) => Date.parse(x.start_at) < clock) as Rec;
    const pastR = await api(base, `/v1/bookings/${past.booking_id}`, { token: t2245, method: 'PUT', body: { status: 'canceled' } });
    expect(pastR.status).toBe(400);
    expect(await pastR.json()).toEqual({ statusCode: 400, message: 'Past bookings cannot be canceled', error: 'Bad Request' });
    const foreign = await api(base, `/v1/bookings/${future.booking_id}`, { token: t1117, method: 'PUT', body: { status: 'canceled' } });
    expect(foreign.status).toBe(404);
    const badStatus = await api(base, `/v1/bookings/${future.booking_id}`, { token: t2245, method: 'PUT', body: { status: 'done' } });
    expect(badStatus.status).toBe(400);
  });

  it('reschedules with start_at and records reschedule{}', async () => {
    const strategy = resources['Career Strategy Session'];
    const clock = await now(base);
    const created = await (await book(t2245, strategy, (await firstFreeSlot(base, strategy.id, clock)).time)).json();
    const target = await firstFreeSlot(base, strategy.id, clock + 2 * DAY);
    const r = await api(base, `/v1/bookings/${created.booking_id}`, { token: t2245, method: 'PUT', body: { start_at: target.time } });
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.start_at).toBe(new Date(target.time).toISOString());
    expect(Date.parse(b.end_at) - Date.parse(b.start_at)).toBe(3_600_000);
    expect(b.reschedule).toMatchObject({ previous_start_at: created.start_at, previous_end_at: created.end_at, rescheduled_by: 'host' });
    expect(b.status).toBe('confirmed');
    const taken = (await listAll<Rec>(base, '/v1/bookings?status=confirmed', t2245)).find(
      (x) => x.host.user_id === 5120 && Date.parse(x.start_at) > clock && x.booking_id !== created.booking_id,
    ) as Rec;
    const clash = await api(base, `/v1/bookings/${created.booking_id}`, { token: t2245, method: 'PUT', body: { start_at: taken.start_at } });
    expect(clash.status).toBe(409);
  });

  it('deletes a booking', async () => {
    const [b] = await listAll<Rec>(base, '/v1/bookings', t1117);
    const r = await api(base, `/v1/bookings/${b.booking_id}`, { token: t1117, method: 'DELETE' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ message: 'Booking deleted successfully' });
    expect((await api(base, `/v1/bookings/${b.booking_id}`, { token: t1117 })).status).toBe(404);
    expect((await api(base, `/v1/bookings/${b.booking_id}`, { token: t1117, method: 'DELETE' })).status).toBe(404);
    await control(base, 'reset');
    const again = await api(base, `/v1/bookings/${b.booking_id}?apiKey=d186f193b42f6b342a1f1c39c0b420fa`);
    expect(again.status).toBe(200);
  });
});

describe('dayschedule public widget API', () => {
  it('lists only free future slots in the requested zone, grouped by local date', async () => {
    const intro = resources['Intro Call'];
    const clock = await now(base);
    const start = ymd(clock);
    const end = ymd(clock + 6 * DAY);
    const r = await fetch(`${base}/v2/public/availability/${intro.id}?start=${start}&end=${end}&time_zone=America/New_York`);
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body.time_zone).toBe('America/New_York');
    expect(body.duration).toBe(30);
    expect(body.slots.length).toBeGreaterThan(0);
    const busy = (await listAll<Rec>(base, '/v1/bookings', t1117)).filter((b) => b.status !== 'canceled');
    for (const s of body.slots) {
      expect(s.capacity).toBe(1);
      for (const h of s.hours) {
        expect(h.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00-0[45]:00$/);
        expect(h.time.slice(0, 10)).toBe(s.date);
        const t = Date.parse(h.time);
        expect(t).toBeGreaterThan(clock);
        expect(h.available).toBe(h.users.length);
        for (const u of h.users) {
          expect([3241, 3258]).toContain(u);
          const overlapping = busy.filter((b) => b.host.user_id === u && Date.parse(b.start_at) < t + 30 * 60_000 && t < Date.parse(b.end_at));
          expect(overlapping).toEqual([]);
        }
      }
    }
    const only = await (await fetch(`${base}/v2/public/availability/${intro.id}?start=${start}&end=${end}&user_id=3258`)).json();
    expect(only.time_zone).toBe('Asia/Kolkata');
    expect(only.slots.flatMap((s: Rec) => s.hours).every((h: Rec) => h.users.join() === '3258' && h.time.endsWith('+05:30'))).toBe(true);
  });

  it('validates the range (at most 31 days), dates, zone and duration', async () => {
    const id = resources['Private Yoga Session'].id;
    const q = (s: string) => fetch(`${base}/v2/public/availability/${id}?${s}`);
    expect((await q('start=2030-01-01&end=2030-01-31')).status).toBe(200);
    const long = await q('start=2030-01-01&end=2030-02-01');
    expect(long.status).toBe(400);
    expect((await long.json()).message).toEqual(['the date range must not exceed 31 days']);
    expect((await q('start=2030-01-05&end=2030-01-01')).status).toBe(400);
    expect((await q('end=2030-01-01')).status).toBe(400);
    expect((await q('start=2030-01-01&end=2030-01-02&time_zone=Mars/Olympus')).status).toBe(400);
    expect((await q('start=2030-01-01&end=2030-01-02&duration=45')).status).toBe(400);
    const unknown = await fetch(`${base}/v2/public/availability/${'0'.repeat(24)}?start=2030-01-01&end=2030-01-02`);
    expect(unknown.status).toBe(404);
    // Past days have no slots.
    const past = await (await q('start=2020-01-01&end=2020-01-31')).json();
    expect(past.slots).toEqual([]);
  });

  it('cancels a one-on-one booking with the invitee link; group bookings lose only that invitee', async () => {
    const yoga = resources['Private Yoga Session'];
    const created = await (await book(t1117, yoga, (await firstFreeSlot(base, yoga.id, await now(base))).time)).json();
    const inv = created.invitees[0];
    const wrong = await fetch(`${base}/v2/public/bookings/${inv.invitee_id}_WRONGTOKEN/cancel`, { method: 'PUT' });
    expect(wrong.status).toBe(404);
    const r = await fetch(`${base}/v2/public/bookings/${inv.invitee_id}_${inv.token}/cancel`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cancel_reason: 'Travelling' }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'canceled', canceled_by: 'invitee', cancel_reason: 'Travelling' });
    const again = await fetch(`${base}/v2/public/bookings/${inv.invitee_id}_${inv.token}/cancel`, { method: 'PUT' });
    expect(again.status).toBe(409);

    const hatha = resources['Group Hatha Class'];
    const slot = await firstFreeSlot(base, hatha.id, await now(base));
    const group = await (await book(t1117, hatha, slot.time, { invitees: [invitee, { name: 'Åsa Berg', email: 'asa@example.se' }] })).json();
    const one = group.invitees[1];
    const partial = await (await fetch(`${base}/v2/public/bookings/${one.invitee_id}_${one.token}/cancel`, { method: 'PUT' })).json();
    expect(partial.status).toBe('confirmed');
    expect(partial.invitees.map((i: Rec) => i.status)).toEqual(['confirmed', 'canceled']);
  });
});
