import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/sandbox/index.js';
import { API_KEYS, advance, api, control, firstFreeSlot, listAll, login, now, receiver, waitFor } from './dayschedule-helpers.js';

let emu: { baseUrl: string; close(): Promise<void> };
let base: string;
let t1117: string;
let t2245: string;
let hook: Awaited<ReturnType<typeof receiver>>;
const ANCHOR = new Date().toISOString().slice(0, 10);
type Rec = Record<string, any>;

beforeAll(async () => {
  emu = await startEmulator('dayschedule', { anchorDate: ANCHOR });
  base = emu.baseUrl;
});
afterAll(() => emu.close());
beforeEach(async () => {
  await control(base, 'reset');
  t1117 = (await login(base, 1117)).access_token;
  t2245 = (await login(base, 2245)).access_token;
  hook = await receiver();
});
afterEach(() => hook.close());

const subscribe = (token: string, body: unknown, app = 'unifiedgateway') => api(base, `/v1/webhook/${app}`, { token, method: 'POST', body });

async function subscribeOk(token: string, type: string, url = hook.url): Promise<string> {
  const r = await subscribe(token, { type, url });
  expect(r.status).toBe(201);
  return (await r.json()).id;
}

async function resource(token: string, name: string): Promise<Rec> {
  const list = await (await api(base, '/v1/resources', { token })).json();
  return list.result.find((r: Rec) => r.name === name);
}

async function createBooking(token: string, name: string, fromMs?: number): Promise<Rec> {
  const res = await resource(token, name);
  const slot = await firstFreeSlot(base, res.id, fromMs ?? (await now(base)));
  const r = await api(base, '/v1/bookings', {
    token,
    method: 'POST',
    body: {
      resource: { resource_id: res.id },
      host: { user_id: slot.users[0] },
      start_at: slot.time,
      location: {},
      invitees: [{ name: 'Zoë Müller', email: 'zoe.muller@example.com', time_zone: 'Europe/Berlin' }],
    },
  });
  expect(r.status).toBe(201);
  return r.json();
}

describe('dayschedule trigger subscriptions', () => {
  it('subscribes, deduplicates type+url per organization, and unsubscribes', async () => {
    const id = await subscribeOk(t1117, 'event_scheduled');
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(await subscribeOk(t1117, 'event_scheduled')).toBe(id);
    expect(await subscribeOk(t1117, 'event_canceled')).not.toBe(id);
    expect(await subscribeOk(t2245, 'event_scheduled')).not.toBe(id);
    // Another organization cannot delete it.
    const foreign = await subscribe(t2245, { id, delete: true });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ statusCode: 404, message: 'Trigger not found', error: 'Not Found' });
    const del = await subscribe(t1117, { id, delete: true });
    expect(del.status).toBe(201);
    expect(await del.json()).toEqual({ id, message: 'Trigger deleted successfully' });
    expect((await subscribe(t1117, { id, delete: true })).status).toBe(404);
  });

  it('enforces credential, app name and body rules', async () => {
    expect((await subscribe('', { type: 'event_scheduled', url: hook.url })).status).toBe(401);
    const withKey = await fetch(`${base}/v1/webhook/unifiedgateway?apiKey=${API_KEYS[1117]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'event_scheduled', url: hook.url }),
    });
    expect(withKey.status).toBe(403);
    expect(await withKey.json()).toEqual({ statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' });
    const app = await subscribe(t1117, { type: 'event_scheduled', url: hook.url }, 'otherapp');
    expect(app.status).toBe(404);
    expect(await app.json()).toEqual({ statusCode: 404, message: 'App not found', error: 'Not Found' });
    const bad = await subscribe(t1117, { type: 'booking_created', url: 'ftp://x.example/hook' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toEqual([
      'type must be one of the following values: event_scheduled, before_event, event_start, event_end, event_canceled',
      'url must be a URL address',
    ]);
    const text = await fetch(`${base}/v1/webhook/unifiedgateway`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t1117}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
    expect((await subscribe(t1117, { id: 'abc', delete: true })).status).toBe(400);
    const stats = await (await control(base, 'stats', undefined, 'GET')).json();
    expect(stats.forbidden).toBe(1);
    expect(stats.unauthorized).toBe(1);
  });
});

describe('dayschedule trigger deliveries', () => {
  it('delivers event_scheduled with the documented headers and payload, only to the booking organization', async () => {
    const other = await receiver();
    try {
      const triggerId = await subscribeOk(t1117, 'event_scheduled');
      await subscribeOk(t2245, 'event_scheduled', other.url);
      const booking = await createBooking(t1117, 'Private Yoga Session');
      await waitFor(() => hook.received.length === 1);
      const { headers, body } = hook.received[0];
      expect(headers['content-type']).toBe('application/json');
      expect(headers['user-agent']).toBe('DaySchedule-Webhook/1.0');
      expect(body.type).toBe('event_scheduled');
      expect(body.trigger_id).toBe(triggerId);
      expect(body.booking).toMatchObject({
        _id: booking.booking_id,
        booking_id: booking.booking_id,
        org_id: 1117,
        start_at: booking.start_at,
        end_at: booking.end_at,
        time_zone: 'Europe/Berlin',
        status: 'confirmed',
        subject: 'Zoë Müller and Asha Raman: Private Yoga Session',
        color: '#039be5',
        event: { event_id: booking.resource.resource_id, type: 'one_on_one', name: 'Private Yoga Session' },
        host: { user_id: 3241, name: 'Asha Raman', email: 'asha@sunrise-yoga.example' },
        location: { type: 'Google Meet', join_url: booking.location.join_url, location: booking.location.join_url },
        invitees: [{ invitee_id: booking.invitees[0].invitee_id, name: 'Zoë Müller', email: 'zoe.muller@example.com', status: 'confirmed' }],
      });
      expect(body.booking.host.time).toMatch(/^[A-Z][a-z]+day, [A-Z][a-z]+ \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M \(GMT \+05:30\)$/);
      expect(body.event).toMatchObject({
        event_id: booking.resource.resource_id,
        org_id: 1117,
        user_id: 3241,
        page_id: 1000,
        name: 'Private Yoga Session',
        type: 'one_on_one',
        location: { type: 'Google Meet' },
        duration: 60,
        color: '#039be5',
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(other.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('fires event_canceled for PUT and public cancels, not for reschedule or delete', async () => {
    await subscribeOk(t2245, 'event_canceled');
    const a = await createBooking(t2245, 'Career Strategy Session');
    const b = await createBooking(t2245, 'Career Strategy Session');
    const c = await createBooking(t2245, 'CV Review');
    await api(base, `/v1/bookings/${a.booking_id}`, { token: t2245, method: 'PUT', body: { status: 'canceled', cancel_reason: 'Client is ill' } });
    await waitFor(() => hook.received.length === 1);
    expect(hook.received[0].body.booking).toMatchObject({ booking_id: a.booking_id, status: 'canceled' });
    expect(hook.received[0].body.booking.invitees[0].status).toBe('canceled');
    const inv = b.invitees[0];
    await fetch(`${base}/v2/public/bookings/${inv.invitee_id}_${inv.token}/cancel`, { method: 'PUT' });
    await waitFor(() => hook.received.length === 2);
    expect(hook.received[1].body.booking.booking_id).toBe(b.booking_id);
    const target = await firstFreeSlot(base, c.resource.resource_id, (await now(base)) + 3 * 86_400_000, `&user_id=${c.host.user_id}`);
    expect((await api(base, `/v1/bookings/${c.booking_id}`, { token: t2245, method: 'PUT', body: { start_at: target.time } })).status).toBe(200);
    expect((await api(base, `/v1/bookings/${c.booking_id}`, { token: t2245, method: 'DELETE' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(hook.received).toHaveLength(2);
  });

  it('makes one attempt and never retries', async () => {
    hook.status = 500;
    await subscribeOk(t1117, 'event_scheduled');
    await createBooking(t1117, 'Intro Call');
    await waitFor(() => hook.received.length === 1);
    await advance(base, 7200);
    await new Promise((r) => setTimeout(r, 100));
    expect(hook.received).toHaveLength(1);
    const stats = await (await control(base, 'stats', undefined, 'GET')).json();
    expect(stats.webhooksDelivered).toBe(0);
  });

  it('runs before_event, event_start and event_end on the emulator clock, once, without backlog', async () => {
    const ids = {
      before_event: await subscribeOk(t1117, 'before_event'),
      event_start: await subscribeOk(t1117, 'event_start'),
      event_end: await subscribeOk(t1117, 'event_end'),
    };
    const clock = await now(base);
    const booking = await createBooking(t1117, 'Private Yoga Session', clock + 86_400_000);
    const pending = await createBooking(t1117, 'Ayurveda Consultation', clock + 86_400_000);
    expect(pending.status).toBe('pending');
    const start = Date.parse(booking.start_at);
    const mine = () => hook.received.filter((h) => h.body.booking.booking_id === booking.booking_id).map((h) => h.body.type);

    // Seed bookings that started before the triggers existed never fire.
    await advance(base, 1);
    expect(hook.received.filter((h) => Date.parse(h.body.booking.start_at) - 300_000 <= clock)).toEqual([]);

    await advance(base, Math.ceil((start - 300_000 - (await now(base))) / 1000) - 2);
    expect(mine()).toEqual([]);
    await advance(base, 3);
    expect(mine()).toEqual(['before_event']);
    await advance(base, 300);
    expect(mine()).toEqual(['before_event', 'event_start']);
    await advance(base, 3600);
    expect(mine()).toEqual(['before_event', 'event_start', 'event_end']);
    const delivered = hook.received.filter((h) => h.body.booking.booking_id === booking.booking_id);
    expect(delivered.map((h) => h.body.trigger_id)).toEqual([ids.before_event, ids.event_start, ids.event_end]);
    await advance(base, 86_400);
    expect(mine()).toHaveLength(3);
    expect(hook.received.some((h) => h.body.booking.booking_id === pending.booking_id)).toBe(false);
    // Everything delivered belongs to confirmed bookings of 1117, in time order per trigger.
    for (const h of hook.received) expect(h.body.booking).toMatchObject({ org_id: 1117, status: 'confirmed' });
  });
});

describe('dayschedule /__sandbox/events', () => {
  it('event_scheduled books the earliest free slot of the first resource at least 24 h ahead', async () => {
    await subscribeOk(t1117, 'event_scheduled');
    const clock = await now(base);
    const r = await control(base, 'events', { type: 'event_scheduled' });
    expect(r.status).toBe(200);
    const out = await r.json();
    expect(out).toMatchObject({ type: 'event_scheduled', webhooksAttempted: 1, webhooksDelivered: 1 });
    expect(hook.received).toHaveLength(1);
    const b = await (await api(base, `/v1/bookings/${out.bookingId}`, { token: t1117 })).json();
    expect(b.resource.name).toBe('Private Yoga Session');
    expect(b.status).toBe('confirmed');
    expect(Date.parse(b.start_at)).toBeGreaterThanOrEqual(clock + 86_400_000);
    const yoga = await resource(t1117, 'Private Yoga Session');
    const earliest = await firstFreeSlot(base, yoga.id, clock);
    // Nothing free between now + 24 h and the booked slot remains earlier than it.
    const later = await (
      await fetch(
        `${base}/v2/public/availability/${yoga.id}?start=${new Date(clock + 86_400_000).toISOString().slice(0, 10)}&end=${b.start_at.slice(0, 10)}&time_zone=UTC`,
      )
    ).json();
    const between = later.slots
      .flatMap((s: Rec) => s.hours)
      .filter((h: Rec) => Date.parse(h.time) >= clock + 86_400_000 && Date.parse(h.time) < Date.parse(b.start_at));
    expect(between).toEqual([]);
    expect(Date.parse(earliest.time)).toBeLessThanOrEqual(Date.parse(b.start_at));
  });

  it('event_canceled cancels as the invitee; time types fire without changing data; errors are 400/404/409', async () => {
    await subscribeOk(t2245, 'event_canceled');
    await subscribeOk(t2245, 'event_start');
    const clock = await now(base);
    const future = (await listAll<Rec>(base, '/v1/bookings?status=confirmed', t2245)).filter((b) => Date.parse(b.start_at) > clock);
    const [x, y] = future;
    const started = await (await control(base, 'events', { type: 'event_start', bookingId: y.booking_id })).json();
    expect(started).toEqual({ type: 'event_start', bookingId: y.booking_id, webhooksAttempted: 1, webhooksDelivered: 1 });
    expect(hook.received[0].body).toMatchObject({ type: 'event_start', booking: { booking_id: y.booking_id, status: 'confirmed' } });
    const before = await control(base, 'events', { type: 'before_event', bookingId: y.booking_id });
    expect(await before.json()).toMatchObject({ webhooksAttempted: 0 });
    expect((await (await api(base, `/v1/bookings/${y.booking_id}`, { token: t2245 })).json()).updated_at).toBe(y.updated_at);

    const canceled = await (await control(base, 'events', { type: 'event_canceled', bookingId: x.booking_id })).json();
    expect(canceled).toMatchObject({ bookingId: x.booking_id, webhooksAttempted: 1, webhooksDelivered: 1 });
    const after = await (await api(base, `/v1/bookings/${x.booking_id}`, { token: t2245 })).json();
    expect(after).toMatchObject({ status: 'canceled', canceled_by: 'invitee' });
    expect((await control(base, 'events', { type: 'event_canceled', bookingId: x.booking_id })).status).toBe(409);
    expect((await control(base, 'events', { type: 'event_end', bookingId: x.booking_id })).status).toBe(409);
    expect((await control(base, 'events', { type: 'event_canceled' })).status).toBe(400);
    expect((await control(base, 'events', { type: 'event_canceled', bookingId: '0'.repeat(24) })).status).toBe(404);
    expect((await control(base, 'events', { type: 'booking_created' })).status).toBe(400);
  });

  it('revoke-all keeps triggers; reset clears them', async () => {
    await subscribeOk(t1117, 'event_scheduled');
    await control(base, 'revoke-all');
    expect((await (await control(base, 'events', { type: 'event_scheduled' })).json()).webhooksDelivered).toBe(1);
    await control(base, 'reset');
    expect((await (await control(base, 'events', { type: 'event_scheduled' })).json()).webhooksAttempted).toBe(0);
    expect(hook.received).toHaveLength(1);
  });
});
